// SparseAdam's properties over random sparse gradient sequences (random rows with repeats, empty grads,
// absent grads, both dtypes, maximize): a group lr of 0 moves nothing, rows no gradient names keep their
// values and zero moments, repeats are the same as their in-order sums, a checkpoint at any step resumes
// bit for bit, and a bad sparse grad is refused naming the bad value, changing nothing. fast-check, fixed
// seed (FC_SEED=n explores).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import type { Dtype } from "../../src/core/arena.js";
import { type Param, param } from "../../src/core/param.js";
import { type SparseGrad, sparseGrad } from "../../src/core/sparse-grad.js";
import { SparseAdam } from "../../src/optim/sparse-adam.js";
import { sameBits, stateFingerprint } from "../helpers/conformance-table.js";

const seed = Number(process.env.FC_SEED ?? 20261201);
const settings = (numRuns: number) => ({ numRuns, seed });

const ROWS = 6;
const ROW_SIZE = 2;
const Buffers = { float32: Float32Array, float64: Float64Array } as const;

/** One param's grad at one step: null (absent), or rows (repeats allowed, maybe none) with their values. */
type GradSpec = { rows: number[]; values: number[] } | null;

const value = fc.double({ min: -20, max: 20, noNaN: true, noDefaultInfinity: true });
// gradient values of mixed magnitudes, so that the order of a sum shows in its rounding
const gradValue = fc.oneof(value, fc.constantFrom(1e8, -1e8, 1e16, -1e16, 0.1, -3));
const grad: fc.Arbitrary<GradSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 6,
    arbitrary: fc
      .array(fc.integer({ min: 0, max: ROWS - 1 }), { maxLength: 8 })
      .chain((rows) =>
        fc
          .array(gradValue, { minLength: rows.length * ROW_SIZE, maxLength: rows.length * ROW_SIZE })
          .map((values) => ({ rows, values })),
      ),
  },
);
/** Two params' start values and their grads at each step. */
const run = fc.record({
  start: fc.tuple(
    fc.array(value, { minLength: ROWS * ROW_SIZE, maxLength: ROWS * ROW_SIZE }),
    fc.array(value, { minLength: ROWS * ROW_SIZE, maxLength: ROWS * ROW_SIZE }),
  ),
  steps: fc.array(fc.tuple(grad, grad), { minLength: 1, maxLength: 8 }),
  dtype: fc.constantFrom<Dtype>("float32", "float64"),
  maximize: fc.boolean(),
});
type Run = typeof run extends fc.Arbitrary<infer T> ? T : never;

function build(r: Run, start: readonly number[][] = r.start) {
  const params = start.map((v) => param(v, { shape: [ROWS, ROW_SIZE], dtype: r.dtype }));
  const opt = new SparseAdam(
    [{ params: [params[0]!] }, { params: [params[1]!], lr: 0.05, betas: [0.8, 0.9] }],
    {
      lr: 0.1,
      maximize: r.maximize,
    },
  );
  return { params, opt };
}

function toGrad(spec: GradSpec, dtype: Dtype): SparseGrad | null {
  return spec === null ? null : sparseGrad(spec.rows, Buffers[dtype].from(spec.values));
}

function stepWith(opt: SparseAdam, params: Param[], grads: readonly GradSpec[], dtype: Dtype): void {
  params.forEach((p, k) => {
    p.sparseGrad = toGrad(grads[k]!, dtype);
  });
  opt.step();
}

describe("SparseAdam properties", () => {
  it("a group lr of 0 (a schedule's end) leaves the params unchanged in value under any sparse grads", () => {
    fc.assert(
      fc.property(run, (r) => {
        const { params, opt } = build(r);
        for (const g of opt.paramGroups) g.lr = 0;
        const before = params.map((p) => p.data.slice());
        for (const grads of r.steps) stepWith(opt, params, grads, r.dtype);
        params.forEach((p, k) => {
          p.data.forEach((x, i) => {
            assert.ok(x === before[k]![i], `param ${k}[${i}] moved from ${before[k]![i]} to ${x}`);
          });
        });
      }),
      settings(60),
    );
  });

  it("rows no gradient named keep their values bit for bit and their moments at zero", () => {
    fc.assert(
      fc.property(run, (r) => {
        const { params, opt } = build(r);
        const before = params.map((p) => p.data.slice());
        for (const grads of r.steps) stepWith(opt, params, grads, r.dtype);
        params.forEach((p, k) => {
          const named = new Set(r.steps.flatMap((grads) => grads[k]?.rows ?? []));
          const state = opt.state.get(p);
          for (let row = 0; row < ROWS; row++) {
            if (named.has(row)) continue;
            const span = [row * ROW_SIZE, (row + 1) * ROW_SIZE] as const;
            assert.ok(
              sameBits(p.data.subarray(...span), before[k]!.subarray(...span)),
              `param ${k} row ${row}`,
            );
            if (state === undefined) continue;
            assert.ok(
              state.expAvg.subarray(...span).every((x) => Object.is(x, 0)),
              `expAvg ${k} row ${row}`,
            );
            assert.ok(
              state.expAvgSq.subarray(...span).every((x) => Object.is(x, 0)),
              `expAvgSq ${k} row ${row}`,
            );
          }
          const counted = r.steps.filter((grads) => grads[k] !== null).length;
          assert.equal(
            state?.step ?? 0,
            counted,
            `param ${k}: every present grad counts a step, empty ones too`,
          );
        });
      }),
      settings(60),
    );
  });

  it("a grad with repeated rows steps exactly as its in-order sums, given once each in any row order", () => {
    fc.assert(
      fc.property(run, fc.integer(), (r, shuffleSeed) => {
        const withRepeats = build(r);
        const summed = build(r);
        for (const grads of r.steps) {
          stepWith(withRepeats.opt, withRepeats.params, grads, r.dtype);
          summed.params.forEach((p, k) => {
            const spec = grads[k]!;
            if (spec === null) {
              p.sparseGrad = null;
              return;
            }
            // each row's values summed in the order given, in the dtype (a typed array rounds each sum)
            const sums = new Map<number, Float32Array | Float64Array>();
            spec.rows.forEach((row, j) => {
              const rowValues = Buffers[r.dtype].from(spec.values.slice(j * ROW_SIZE, (j + 1) * ROW_SIZE));
              const sum = sums.get(row);
              if (sum === undefined) sums.set(row, rowValues);
              else for (let e = 0; e < ROW_SIZE; e++) sum[e] = sum[e]! + rowValues[e]!;
            });
            // the unique rows in a shuffled order: SparseAdam sorts them back
            const rows = [...sums.keys()].sort(
              (a, b) => ((a * 7919 + shuffleSeed) % 13) - ((b * 7919 + shuffleSeed) % 13) || a - b,
            );
            p.sparseGrad = sparseGrad(
              rows,
              Buffers[r.dtype].from(rows.flatMap((row) => Array.from(sums.get(row)!))),
            );
          });
          summed.opt.step();
        }
        withRepeats.params.forEach((p, k) => {
          assert.ok(sameBits(p.data, summed.params[k]!.data), `param ${k}`);
        });
        assert.deepEqual(
          stateFingerprint(summed.opt.stateDict()),
          stateFingerprint(withRepeats.opt.stateDict()),
        );
      }),
      settings(60),
    );
  });

  it("a checkpoint taken after any step restores into a fresh SparseAdam that continues bit for bit", () => {
    fc.assert(
      fc.property(run, fc.nat(8), (r, cut) => {
        const k = Math.min(cut, r.steps.length);
        const a = build(r);
        for (const grads of r.steps.slice(0, k)) stepWith(a.opt, a.params, grads, r.dtype);
        const bytes = saveCheckpoint({ params: a.params, optimizer: a.opt });
        const b = build(r, [Array(ROWS * ROW_SIZE).fill(0), Array(ROWS * ROW_SIZE).fill(0)]);
        loadCheckpoint(bytes, { params: b.params, optimizer: b.opt });
        const viaDict = build(
          r,
          a.params.map((p) => Array.from(p.data)),
        );
        viaDict.opt.loadStateDict(structuredClone(a.opt.stateDict()));
        for (const grads of r.steps.slice(k)) {
          for (const x of [a, b, viaDict]) stepWith(x.opt, x.params, grads, r.dtype);
        }
        for (const x of [b, viaDict]) {
          a.params.forEach((p, i) => {
            assert.ok(sameBits(p.data, x.params[i]!.data), `param ${i} differs`);
          });
          assert.deepEqual(stateFingerprint(x.opt.stateDict()), stateFingerprint(a.opt.stateDict()));
        }
      }),
      settings(40),
    );
  });

  it("a bad sparse grad is refused naming the bad value, and nothing changes (the good param neither)", () => {
    type Corruption = { grad: (dtype: Dtype) => unknown; message: RegExp };
    const corruptions: Array<fc.Arbitrary<Corruption>> = [
      fc.integer({ min: ROWS, max: 2 ** 31 - 1 }).map((row) => ({
        grad: (dtype) => ({ indices: Int32Array.of(0, row), values: new Buffers[dtype](2 * ROW_SIZE) }),
        message: new RegExp(`row index ${row} at indices\\[1\\], but the param has ${ROWS} rows`),
      })),
      fc.integer({ min: -(2 ** 31), max: -1 }).map((row) => ({
        grad: (dtype) => ({ indices: Int32Array.of(row), values: new Buffers[dtype](ROW_SIZE) }),
        message: new RegExp(`row index ${row} at indices\\[0\\]`),
      })),
      fc
        .integer({ min: 0, max: 20 })
        .filter((n) => n !== 3 * ROW_SIZE)
        .map((n) => ({
          grad: (dtype) => ({ indices: Int32Array.of(1, 2, 1), values: new Buffers[dtype](n) }),
          message: new RegExp(`has ${n} values for 3 rows, but a row of the param has ${ROW_SIZE} elements`),
        })),
      fc.constant({
        grad: (dtype: Dtype) => ({
          indices: Int32Array.of(0),
          values: new (dtype === "float32" ? Float64Array : Float32Array)(ROW_SIZE),
        }),
        message: /values but the param is float/,
      }),
      fc.constant({
        grad: (dtype: Dtype) => new Buffers[dtype](ROWS * ROW_SIZE),
        message: /SparseAdam does not support dense gradients, please consider Adam instead/,
      }),
    ];
    fc.assert(
      fc.property(run, fc.oneof(...corruptions), fc.boolean(), (r, corruption, onFirst) => {
        const { params, opt } = build(r);
        for (const grads of r.steps) stepWith(opt, params, grads, r.dtype);
        const state = stateFingerprint(opt.stateDict());
        const data = params.map((p) => p.data.slice());
        const [bad, good] = onFirst ? [params[0]!, params[1]!] : [params[1]!, params[0]!];
        good.sparseGrad = sparseGrad([0, 3], new Buffers[r.dtype](2 * ROW_SIZE).fill(1));
        const wrong = corruption.grad(r.dtype);
        if (ArrayBuffer.isView(wrong)) {
          bad.sparseGrad = null;
          (bad as { grad: unknown }).grad = wrong;
        } else (bad as { sparseGrad: unknown }).sparseGrad = wrong;
        assert.throws(() => opt.step(), corruption.message);
        assert.deepEqual(stateFingerprint(opt.stateDict()), state);
        params.forEach((p, k) => {
          assert.ok(sameBits(p.data, data[k]!), `param ${k} changed`);
        });
        bad.grad = null;
      }),
      settings(60),
    );
  });
});
