// Generic tests every optimizer in the conformance table passes: it descends, lr = 0 is a no-op where the
// rule says so, state dicts round-trip bit for bit, both dtypes work, and every bad option, bad grad and
// bad state dict is answered with a clear error that changes nothing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Dtype } from "../../src/core/arena.js";
import type { OptimizerLike, OptimizerStateDict, ParamGroupInit } from "../../src/core/optimizer.js";
import { type Param, param } from "../../src/core/param.js";
import {
  CONFORMANCE,
  type ConformanceRow,
  makeWithLrZero,
  type Options,
  quadraticGrad,
  sameBits,
  startValues,
  stateFingerprint,
  stepOnQuadratic,
} from "../helpers/conformance-table.js";

const DTYPES: Dtype[] = ["float32", "float64"];

function shapeOf(row: ConformanceRow): readonly number[] {
  return row.shape ?? [6];
}

function sizeOf(row: ConformanceRow): number {
  return shapeOf(row).reduce((a, b) => a * b, 1);
}

function makeParams(row: ConformanceRow, dtype: Dtype, count = 2): Param[] {
  return Array.from({ length: count }, (_, k) =>
    param(startValues(sizeOf(row), k), { shape: [...shapeOf(row)], dtype, name: `w${k}` }),
  );
}

/** Plain `{ data, grad, shape }` params (no setter checks), so a wrong grad reaches `step()`. */
function plainParams(row: ConformanceRow, dtype: Dtype, count = 2): Param[] {
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  return Array.from({ length: count }, (_, k) => ({
    data: Ctor.from(startValues(sizeOf(row), k)),
    grad: null,
    shape: shapeOf(row),
  }));
}

/** Two groups, the second with half the step size, so group handling is exercised too. */
function groups(row: ConformanceRow, params: Param[], options: Options): ParamGroupInit[] {
  if (row.singleGroup) return [{ params }];
  const lrKey = row.lrKey === undefined ? "lr" : row.lrKey;
  const second: ParamGroupInit = { params: params.slice(1) };
  if (lrKey !== null && typeof options[lrKey] === "number") second[lrKey] = (options[lrKey] as number) / 2;
  return [{ params: params.slice(0, 1) }, second];
}

function snapshot(params: readonly Param[]): unknown {
  return params.map((p) => stateFingerprint(p.data.slice()));
}

function fingerprint(opt: OptimizerLike): unknown {
  return stateFingerprint(opt.stateDict());
}

function optionSets(row: ConformanceRow): Options[] {
  return [row.validOptions, ...(row.variants ?? [])];
}

/** The path to the first typed array inside a state dict's `state`, or null. */
function firstBuffer(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (value instanceof Float32Array || value instanceof Float64Array) return path;
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = firstBuffer(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

for (const row of CONFORMANCE) {
  describe(`${row.name} conformance`, () => {
    it("moves every coordinate against its gradient on a quadratic", () => {
      for (const dtype of DTYPES) {
        const params = makeParams(row, dtype, 1);
        const before = Array.from(params[0]!.data);
        const opt = row.make(params, row.validOptions);
        quadraticGrad(params);
        const grad = Array.from(params[0]!.grad!);
        for (let k = 0; k < (row.stepsPerUpdate ?? 1); k++) {
          quadraticGrad(params);
          opt.step(() => quadraticGrad(params));
        }
        params[0]!.data.forEach((x, i) => {
          const moved = x - before[i]!;
          assert.ok(
            Math.sign(moved) === -Math.sign(grad[i]!),
            `${dtype} coordinate ${i}: grad ${grad[i]} but moved by ${moved}`,
          );
        });
      }
    });

    it("keeps descending: the loss after 20 steps is below the starting loss", () => {
      const params = makeParams(row, "float64");
      const opt = row.make(params, row.validOptions);
      const start = quadraticGrad(params);
      for (let s = 0; s < 20; s++) stepOnQuadratic(opt, params);
      assert.ok(quadraticGrad(params) < start);
    });

    if (row.lrZero === "refused") {
      it("refuses lr = 0 at construction, as torch does", () => {
        assert.throws(
          () => row.make(makeParams(row, "float64"), { ...row.validOptions, lr: 0 }),
          /Invalid learning rate: 0/,
        );
      });
    }

    if ((row.lrZero ?? "noop") !== "moves" && row.lrKey !== null) {
      it("leaves params unchanged with lr = 0 (every option set, decoupled decay included)", () => {
        for (const options of optionSets(row)) {
          for (const dtype of DTYPES) {
            const params = makeParams(row, dtype);
            const before = snapshot(params);
            const opt = makeWithLrZero(row, params, options);
            for (let s = 0; s < 3; s++) stepOnQuadratic(opt, params);
            assert.deepEqual(snapshot(params), before, `${JSON.stringify(options)} ${dtype}`);
          }
        }
      });
    }

    it("round-trips stateDict → structuredClone → loadStateDict into the bit-identical continuation", () => {
      for (const options of optionSets(row)) {
        for (const dtype of DTYPES) {
          const straight = makeParams(row, dtype);
          const a = row.make(groups(row, straight, options), options);
          for (let s = 0; s < 3; s++) stepOnQuadratic(a, straight);
          const saved = structuredClone(a.stateDict());
          const resumed = makeParams(row, dtype);
          resumed.forEach((p, i) => {
            p.data.set(straight[i]!.data);
          });
          const b = row.make(groups(row, resumed, options), options);
          b.loadStateDict(saved);
          assert.deepEqual(fingerprint(b), fingerprint(a), "the loaded state equals the saved state");
          for (let s = 0; s < 4; s++) {
            stepOnQuadratic(a, straight);
            stepOnQuadratic(b, resumed);
          }
          const label = `${JSON.stringify(options)} ${dtype}`;
          straight.forEach((p, i) => {
            assert.ok(sameBits(p.data, resumed[i]!.data), `${label}: param ${i} differs`);
          });
          assert.deepEqual(fingerprint(b), fingerprint(a), label);
        }
      }
    });

    it("works in float32 and float64: finite params and state buffers in the param's dtype", () => {
      for (const options of optionSets(row)) {
        for (const dtype of DTYPES) {
          const params = makeParams(row, dtype);
          const opt = row.make(params, options);
          for (let s = 0; s < 10; s++) stepOnQuadratic(opt, params);
          for (const p of params) {
            assert.equal(p.data.constructor, dtype === "float32" ? Float32Array : Float64Array);
            assert.ok(p.data.every(Number.isFinite), `${dtype}: non-finite param`);
          }
          const wrongDtype = (value: unknown): boolean => {
            if (value instanceof Float32Array) return dtype !== "float32";
            if (value instanceof Float64Array) return dtype !== "float64";
            if (value !== null && typeof value === "object") return Object.values(value).some(wrongDtype);
            return false;
          };
          assert.equal(wrongDtype(opt.stateDict().state), false, `${dtype}: a state buffer of another dtype`);
        }
      }
    });

    it("float32 and float64 runs agree to float32 precision over 20 steps", () => {
      const [p32, p64] = [makeParams(row, "float32"), makeParams(row, "float64")];
      const [o32, o64] = [row.make(p32, row.validOptions), row.make(p64, row.validOptions)];
      for (let s = 0; s < 20; s++) {
        stepOnQuadratic(o32, p32);
        stepOnQuadratic(o64, p64);
      }
      p64.forEach((p, k) => {
        p.data.forEach((x, i) => {
          const y = p32[k]!.data[i]!;
          assert.ok(Math.abs(x - y) <= 1e-4 * (1 + Math.abs(x)), `param ${k}[${i}]: ${y} vs ${x}`);
        });
      });
    });

    for (const bad of row.badOptions) {
      it(`rejects ${JSON.stringify(bad.options, (_k, v) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v))} with ${bad.message} and changes nothing`, () => {
        const params = makeParams(row, "float64");
        quadraticGrad(params);
        const before = snapshot(params);
        const grads = params.map((p) => stateFingerprint(p.grad!.slice()));
        assert.throws(() => row.make(params, { ...row.validOptions, ...bad.options }), bad.message);
        assert.deepEqual(snapshot(params), before);
        assert.deepEqual(
          params.map((p) => stateFingerprint(p.grad!.slice())),
          grads,
        );

        // the same values in a param group: refused by addParamGroup, and by step() when set by hand
        const opt = row.make(params.slice(0, 1), row.validOptions);
        stepOnQuadratic(opt, params.slice(0, 1));
        const group = opt.paramGroups[0]!;
        if (!Object.keys(bad.options).every((k) => k in group)) return;
        const { addParamGroup } = opt as { addParamGroup?: (g: ParamGroupInit) => void };
        if (typeof addParamGroup === "function" && !row.singleGroup) {
          const groupCount = opt.paramGroups.length;
          assert.throws(
            () => addParamGroup.call(opt, { params: params.slice(1), ...bad.options }),
            bad.message,
          );
          assert.equal(opt.paramGroups.length, groupCount, "a rejected group is not added");
        }
        const saved: Options = {};
        for (const k of Object.keys(bad.options)) saved[k] = group[k];
        const state = fingerprint(opt);
        Object.assign(group, bad.options);
        const data = snapshot(params);
        quadraticGrad(params);
        assert.throws(() => opt.step(() => quadraticGrad(params.slice(0, 1))), bad.message);
        assert.deepEqual(snapshot(params), data, "step() changed a param before refusing");
        Object.assign(group, saved);
        assert.deepEqual(fingerprint(opt), state, "step() changed the state before refusing");
      });
    }

    it("refuses a grad of the wrong length, dtype or type at step(), changing no param and no state", () => {
      for (const dtype of DTYPES) {
        const params = plainParams(row, dtype);
        const opt = row.make(params, row.validOptions);
        stepOnQuadratic(opt, params);
        const n = sizeOf(row);
        const other = dtype === "float32" ? "float64" : "float32";
        const Same = dtype === "float32" ? Float32Array : Float64Array;
        const Other = dtype === "float32" ? Float64Array : Float32Array;
        const rows = shapeOf(row)[0]!;
        const allRows = Int32Array.from({ length: rows }, (_, r) => r);
        const wrongs: Array<[unknown, RegExp]> = row.sparseGrads
          ? [
              [
                { indices: allRows, values: new Same(n + 1) },
                new RegExp(`has ${n + 1} values for ${rows} rows, but a row of the param has ${n / rows}`),
              ],
              [
                { indices: allRows, values: new Other(n) },
                new RegExp(`has ${other} values but the param is ${dtype}`),
              ],
              [{ indices: [...allRows], values: new Same(n) }, /not an Int32Array/],
              [{ indices: Int32Array.of(rows), values: new Same(n / rows) }, new RegExp(`row index ${rows}`)],
              // (a well-formed dense grad would become a sparse one on the way in)
              [new Same(n + 1), /SparseAdam does not support dense gradients, please consider Adam instead/],
            ]
          : [
              [new Same(n + 1), new RegExp(`has ${n + 1} elements but the param has ${n}`)],
              [new Other(n), new RegExp(`is ${other} but the param is ${dtype}`)],
              [Array.from({ length: n }, () => 0), /not a Float32Array or Float64Array/],
            ];
        for (const [wrong, message] of wrongs) {
          const state = fingerprint(opt);
          const data = snapshot(params);
          // the first param's grad is fine: it must not be updated either
          const setGrads = () => {
            quadraticGrad(params);
            const second = params[1] as { grad: unknown; sparseGrad?: unknown };
            if (row.sparseGrads && !ArrayBuffer.isView(wrong)) {
              second.grad = null;
              second.sparseGrad = wrong;
            } else second.grad = wrong;
            return 0;
          };
          setGrads();
          assert.throws(() => opt.step(setGrads), message);
          assert.deepEqual(snapshot(params), data, `${dtype}: a param changed`);
          assert.deepEqual(fingerprint(opt), state, `${dtype}: the state changed`);
        }
      }
    });

    it("rejects an empty param list and a param in two groups", () => {
      assert.throws(() => row.make([], row.validOptions), /empty parameter list/);
      const [a, b] = makeParams(row, "float64");
      assert.throws(
        () => row.make([{ params: [a!] }, { params: [b!, a!] }], row.validOptions),
        /some parameters appear in more than one parameter group/,
      );
      assert.throws(() => row.make([a!, a!], row.validOptions), /appears twice/);
    });

    it("loadStateDict refuses wrong group counts, wrong sizes, missing and extra keys, changing nothing", () => {
      const params = makeParams(row, "float64");
      const opt = row.make(groups(row, params, row.validOptions), row.validOptions);
      for (let s = 0; s < 2; s++) stepOnQuadratic(opt, params);
      const good = opt.stateDict();
      const before = fingerprint(opt);
      const data = snapshot(params);
      const attempts: Array<[string, (sd: OptimizerStateDict) => void, RegExp]> = [
        [
          "one group too many",
          (sd) => sd.paramGroups.push(structuredClone(sd.paramGroups[0]!)),
          new RegExp(
            `has ${good.paramGroups.length + 1} param groups but the optimizer has ${good.paramGroups.length}`,
          ),
        ],
        ["an extra top-level key", (sd) => Object.assign(sd, { extra: 1 }), /unexpected key 'extra'/],
        ["no state", (sd) => Object.assign(sd, { state: null }), /missing 'state'/],
        [
          "a group that is not an object",
          (sd) => Object.assign(sd.paramGroups, { 0: null }),
          /param group 0 is null, not an object/,
        ],
        [
          "groups that list the params out of order",
          (sd) => Object.assign(sd.paramGroups[0]!.params, { 0: 1 }),
          /param group 0 lists param 1 where param 0 belongs/,
        ],
      ];
      const firstState = Object.values(good.state)[0] as Record<string, unknown> | undefined;
      if (typeof firstState?.step === "number") {
        const key = Object.keys(good.state)[0]!;
        for (const step of [2.5, -1, Number.NaN, 1e300, 2 ** 53]) {
          attempts.push([
            `a step count of ${step}`,
            (sd) => Object.assign((sd.state as Record<string, object>)[key]!, { step }),
            new RegExp(`step: expected a non-negative integer, got ${String(step).replace("+", "\\+")}`),
          ]);
        }
      }
      const path = firstBuffer(good.state);
      if (path !== null) {
        let found: unknown = good.state;
        for (const key of path) found = (found as Record<string | number, unknown>)[key];
        const n = (found as Float64Array).length;
        attempts.push(
          [
            "a buffer one element too long",
            (sd) => setAt(sd.state, path, new Float64Array(n + 1)),
            new RegExp(`expected ${n} elements, got ${n + 1}`),
          ],
          [
            "a buffer of the other dtype",
            (sd) => setAt(sd.state, path, new Float32Array(n)),
            /expected (a )?(Float64Array|float64)/,
          ],
          [
            "an extra state key",
            (sd) => setAt(sd.state, [...path.slice(0, -1), "notAStateKey"], 1),
            /unexpected key 'notAStateKey'/,
          ],
        );
        if (!(row.optionalStateKeys ?? []).includes(String(path[path.length - 1]))) {
          attempts.push([
            "a missing state key",
            (sd) => {
              let node = sd.state as Record<string | number, unknown>;
              for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
              delete node[path[path.length - 1]!];
            },
            /missing key/,
          ]);
        }
      }
      for (const [what, mutate, message] of attempts) {
        const sd = structuredClone(good);
        mutate(sd);
        assert.throws(() => opt.loadStateDict(sd), message, what);
        assert.deepEqual(fingerprint(opt), before, `${what}: the state changed`);
        assert.deepEqual(snapshot(params), data, `${what}: a param changed`);
      }
    });
  });
}

describe("the conformance table", () => {
  it("has a row for every optimizer and wrapper class descent exports", async () => {
    const descent = (await import("../../src/index.js")) as Record<string, unknown>;
    const covered = new Set(CONFORMANCE.map((r) => r.name.split("(")[0]));
    const missing = Object.entries(descent)
      .filter(([name, value]) => {
        if (typeof value !== "function" || name === "Optimizer" || name === "OptimizerWrapper") return false;
        const proto = (value as { prototype?: Record<string, unknown> }).prototype;
        return typeof proto?.step === "function" && typeof proto?.zeroGrad === "function";
      })
      .map(([name]) => name)
      .filter((name) => !covered.has(name));
    assert.deepEqual(missing, [], "exported optimizers without a conformance row");
  });

  it("has one row per optimizer name, each with option errors", () => {
    const names = CONFORMANCE.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, "duplicate rows");
    for (const row of CONFORMANCE) assert.ok(row.badOptions.length >= 5, `${row.name}: too few bad options`);
  });
});
