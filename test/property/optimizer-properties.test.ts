// Property-based tests (fast-check) over every row of the conformance table, on random params and
// random gradient sequences: lr = 0 is a no-op, maximize(f) mirrors minimize(−f) bit for bit, a state
// round trip through checkpoint bytes continues bit for bit, and float32 tracks float64 over 100 steps.
// The seed is fixed so CI is repeatable; FC_SEED=<n> explores others.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import type { Dtype } from "../../src/core/arena.js";
import type { OptimizerLike } from "../../src/core/optimizer.js";
import { type Param, param } from "../../src/core/param.js";
import {
  CONFORMANCE,
  type ConformanceRow,
  makeWithLrZero,
  type Options,
  quadraticGrad,
  sameBits,
  stateFingerprint,
} from "../helpers/conformance-table.js";

const seed = Number(process.env.FC_SEED ?? 20261124);
const settings = (numRuns: number) => ({ numRuns, seed });

function sizeOf(row: ConformanceRow): number {
  return (row.shape ?? [6]).reduce((a, b) => a * b, 1);
}

function makeParams(row: ConformanceRow, values: number[][], dtype: Dtype): Param[] {
  return values.map((v) => param(v, { shape: [...(row.shape ?? [6])], dtype }));
}

/** Sets these grads (in each param's dtype) and steps, the closure re-setting the same grads. */
function stepWith(opt: OptimizerLike, params: Param[], grads: number[][], sign = 1): void {
  const set = () => {
    params.forEach((p, k) => {
      const g =
        p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
      grads[k]!.forEach((x, i) => {
        g[i] = sign * x;
      });
      p.grad = g;
    });
    return 0;
  };
  set();
  opt.step(set);
}

const vector = (n: number, range: number) =>
  fc.array(fc.double({ min: -range, max: range, noNaN: true, noDefaultInfinity: true }), {
    minLength: n,
    maxLength: n,
  });

/** Two params' start values and a sequence of steps' gradients. */
const run = (n: number, maxSteps: number) =>
  fc.record({
    start: fc.tuple(vector(n, 5), vector(n, 5)),
    grads: fc.array(fc.tuple(vector(n, 50), vector(n, 50)), { minLength: 1, maxLength: maxSteps }),
  });

function optionSets(row: ConformanceRow): Options[] {
  return [row.validOptions, ...(row.variants ?? [])];
}

for (const row of CONFORMANCE) {
  describe(`${row.name} properties`, () => {
    const n = sizeOf(row);
    const sets = optionSets(row);

    if ((row.lrZero ?? "noop") !== "moves" && row.lrKey !== null) {
      it("lr = 0 leaves any params unchanged in value under any gradients", () => {
        fc.assert(
          fc.property(
            run(n, 4),
            fc.nat(sets.length - 1),
            fc.constantFrom<Dtype>("float32", "float64"),
            (r, o, dtype) => {
              const params = makeParams(row, r.start, dtype);
              const before = params.map((p) => p.data.slice());
              const opt = makeWithLrZero(row, params, sets[o]!);
              for (const g of r.grads) stepWith(opt, params, g);
              // equal values: x − 0·g turns −0 into +0 when 0·g is −0, in IEEE arithmetic and in torch alike
              params.forEach((p, k) => {
                p.data.forEach((x, i) => {
                  assert.ok(x === before[k]![i], `param ${k}[${i}] moved from ${before[k]![i]} to ${x}`);
                });
              });
            },
          ),
          settings(25),
        );
      });
    }

    const probe = row.make(
      makeParams(row, [Array(n).fill(1), Array(n).fill(1)], "float64"),
      row.validOptions,
    );
    if (row.maximize ?? "maximize" in probe.paramGroups[0]!) {
      it("maximize on grads g takes the steps of minimize on −g, bit for bit (up to the sign of zero)", () => {
        fc.assert(
          fc.property(run(n, 5), fc.constantFrom<Dtype>("float32", "float64"), (r, dtype) => {
            const up = makeParams(row, r.start, dtype);
            const down = makeParams(row, r.start, dtype);
            const maximizer = row.make(up, { ...row.validOptions, maximize: true });
            const minimizer = row.make(down, { ...row.validOptions, maximize: false });
            for (const g of r.grads) {
              stepWith(maximizer, up, g, 1);
              stepWith(minimizer, down, g, -1);
            }
            // bit for bit up to the sign of zero: summing −0 grads (GradientAccumulation) gives +0
            up.forEach((p, k) => {
              const twin = down[k]!.data;
              assert.ok(
                sameBits(p.data, twin) || p.data.every((x, i) => x === twin[i]),
                `param ${k}: ${p.data} vs ${twin}`,
              );
            });
          }),
          settings(25),
        );
      });
    }

    it("a checkpoint taken after any steps restores into a fresh optimizer that continues bit for bit", () => {
      fc.assert(
        fc.property(
          run(n, 6),
          fc.nat(6),
          fc.nat(sets.length - 1),
          fc.constantFrom<Dtype>("float32", "float64"),
          (r, cut, o, dtype) => {
            const k = Math.min(cut, r.grads.length);
            const a = makeParams(row, r.start, dtype);
            const optA = row.make(a, sets[o]!);
            for (const g of r.grads.slice(0, k)) stepWith(optA, a, g);
            const bytes = saveCheckpoint({ params: a, optimizer: optA });
            const b = makeParams(row, [Array(n).fill(0), Array(n).fill(0)], dtype);
            const optB = row.make(b, sets[o]!);
            loadCheckpoint(bytes, { params: b, optimizer: optB });
            for (const g of r.grads.slice(k)) {
              stepWith(optA, a, g);
              stepWith(optB, b, g);
            }
            a.forEach((p, i) => {
              assert.ok(sameBits(p.data, b[i]!.data), `param ${i} differs`);
            });
            assert.deepEqual(stateFingerprint(optB.stateDict()), stateFingerprint(optA.stateDict()));
          },
        ),
        settings(20),
      );
    });

    it("float32 tracks float64 over 100 steps fed the same gradients", () => {
      fc.assert(
        fc.property(
          fc.tuple(vector(n, 3), vector(n, 3)),
          fc.double({ min: 0.25, max: 4, noNaN: true }),
          (start, scale) => {
            // Both runs get the float64 run's gradients (rounded to float32 for the float32 run). Fed
            // their own gradients instead, the two runs part ways near the minimum, where adaptive rules
            // take ±lr steps whatever the gradient and tiny differences pick the side: that is chaos,
            // not precision. What is tested here is the rule's own float32 arithmetic and state.
            const exact = start.map((v) => v.map(Math.fround));
            const p32 = makeParams(row, exact, "float32");
            const p64 = makeParams(row, exact, "float64");
            const options = row.sameRuleOptions ?? row.validOptions;
            const o32 = row.make(p32, options);
            const o64 = row.make(p64, options);
            for (let s = 0; s < 100; s++) {
              quadraticGrad(p64, scale);
              const grads = p64.map((p) => Array.from(p.grad!));
              stepWith(o64, p64, grads);
              stepWith(o32, p32, grads);
            }
            p64.forEach((p, k) => {
              p.data.forEach((x, i) => {
                const y = p32[k]!.data[i]!;
                assert.ok(
                  Math.abs(x - y) <= 1e-4 * (1 + Math.abs(x)),
                  `param ${k}[${i}]: float32 ${y}, float64 ${x}`,
                );
              });
            });
          },
        ),
        settings(10),
      );
    });
  });
}
