// SparseAdam against torch 2.6's SparseAdam over nn.Embedding(sparse=True) gradients (and hand-made sparse
// grads of a 3-D param), recorded by scripts/gen_reference.py into project_sparse_adam.json: every param after
// every step (float64 to 1e-10 relative, float32 bit for bit), the state at each checkpoint, resuming from
// descent's and from torch's mid-run state; then the semantics torch's code implies, pinned by hand.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OptimizerStateDict } from "../../src/core/optimizer.js";
import { coalesce } from "../../src/core/sparse-grad.js";
import { Adam, type Param, param, SGD, SparseAdam, sparseGrad } from "../../src/index.js";
import { sameBits, stateFingerprint } from "../helpers/conformance-table.js";
import { closeTo, loadFixture, untensor } from "../helpers/torch-reference.js";

type Dtype = "float32" | "float64";
interface SparseCase {
  name: string;
  dtype: Dtype;
  options: Record<string, unknown>;
  param_groups: Array<{ params: number[] } & Record<string, unknown>>;
  state_index_to_param: number[];
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  steps: number;
  trace: Array<{
    step: number;
    grads: Array<{ indices: number[]; values: number[]; coalesced: boolean } | null>;
    params: number[][];
  }>;
  checkpoints: Array<{
    after_step: number;
    state_dict: { state: Record<string, unknown>; param_groups: unknown[] };
  }>;
}

const fixture = loadFixture<{ torch_version: string; cases: SparseCase[] }>("project_sparse_adam.json");
const Buffers = { float32: Float32Array, float64: Float64Array } as const;

function build(c: SparseCase, values?: number[][]): { params: Param[]; opt: SparseAdam } {
  const params = c.params.map((p, k) =>
    param(values?.[k] ?? p.init, { shape: p.shape, name: p.name, dtype: c.dtype }),
  );
  const groups = c.param_groups.map(({ params: idx, ...rest }) => ({
    params: idx.map((i) => params[i]!),
    ...(untensor(rest) as Record<string, unknown>),
  }));
  return { params, opt: new SparseAdam(groups, untensor(c.options) as Record<string, unknown>) };
}

function setGrads(c: SparseCase, params: Param[], step: number): void {
  c.trace[step - 1]!.grads.forEach((g, k) => {
    params[k]!.sparseGrad = g === null ? null : sparseGrad(g.indices, Buffers[c.dtype].from(g.values));
  });
}

/** Params equal torch's: float32 bit for bit (every operation rounds as torch's), float64 to 1e-10. */
function matches(c: SparseCase, params: Param[], expected: number[][], what: string): void {
  params.forEach((p, k) => {
    if (c.dtype === "float32") {
      const torch = Float32Array.from(expected[k]!);
      assert.ok(sameBits(p.data, torch), `${what} param ${k}: ${Array.from(p.data)} vs torch ${expected[k]}`);
    } else {
      const why = closeTo(p.data, expected[k]!, 1e-10, `${what} param ${k}`);
      assert.equal(why, null, why ?? "");
    }
  });
}

/** torch's recorded `optimizer.state_dict()` as descent's state dict (typed arrays in the case's dtype). */
function torchStateDict(
  c: SparseCase,
  sd: SparseCase["checkpoints"][number]["state_dict"],
): OptimizerStateDict {
  const state: OptimizerStateDict["state"] = {};
  for (const [key, record] of Object.entries(untensor(sd.state) as Record<string, Record<string, unknown>>)) {
    state[Number(key)] = Object.fromEntries(
      Object.entries(record).map(([k, v]) => [
        k,
        Array.isArray(v) ? Buffers[c.dtype].from(v as number[]) : v,
      ]),
    ) as OptimizerStateDict["state"][number];
  }
  return { state, paramGroups: untensor(sd.param_groups) as OptimizerStateDict["paramGroups"] };
}

describe(`SparseAdam against torch ${fixture.torch_version} (project_sparse_adam.json)`, () => {
  it("covers both dtypes, maximize, two groups, repeated rows, untouched rows, empty and absent grads", () => {
    const cases = fixture.cases;
    assert.deepEqual(new Set(cases.map((c) => c.dtype)), new Set(["float32", "float64"]));
    assert.ok(cases.some((c) => c.options.maximize === true));
    assert.ok(cases.some((c) => c.param_groups.length === 2));
    const grads = cases.flatMap((c) => c.trace.flatMap((e) => e.grads));
    assert.ok(grads.some((g) => g !== null && new Set(g.indices).size < g.indices.length - 1)); // a row 3×
    assert.ok(grads.some((g) => g !== null && g.indices.length === 0));
    assert.ok(grads.some((g) => g === null));
    assert.ok(grads.some((g) => g !== null && !g.coalesced));
  });

  for (const c of fixture.cases) {
    it(`${c.name}: every param after every step and the state at each checkpoint match torch`, () => {
      const { params, opt } = build(c);
      for (const entry of c.trace) {
        setGrads(c, params, entry.step);
        opt.step();
        matches(c, params, entry.params, `step ${entry.step}`);
        const checkpoint = c.checkpoints.find((k) => k.after_step === entry.step);
        if (checkpoint === undefined) continue;
        const torch = torchStateDict(c, checkpoint.state_dict);
        const ours = opt.stateDict();
        assert.deepEqual(Object.keys(ours.state), Object.keys(torch.state));
        for (const [key, record] of Object.entries(torch.state)) {
          const mine = ours.state[Number(key)]!;
          assert.equal(mine.step, record.step, `state[${key}].step`);
          for (const name of ["expAvg", "expAvgSq"]) {
            const a = mine[name] as Float32Array | Float64Array;
            const b = record[name] as Float32Array | Float64Array;
            if (c.dtype === "float32") assert.ok(sameBits(a, b), `state[${key}].${name}`);
            else assert.equal(closeTo(a, b, 1e-10, `state[${key}].${name}`), null);
          }
        }
        assert.deepEqual(ours.paramGroups, torch.paramGroups);
      }
    });

    it(`${c.name}: a run resumed mid-way from its state dict equals the uninterrupted run, bit for bit`, () => {
      const mid = c.checkpoints[0]!.after_step;
      const straight = build(c);
      for (let s = 1; s <= mid; s++) {
        setGrads(c, straight.params, s);
        straight.opt.step();
      }
      const saved = structuredClone(straight.opt.stateDict());
      const resumed = build(
        c,
        straight.params.map((p) => Array.from(p.data)),
      );
      resumed.opt.loadStateDict(saved);
      for (let s = mid + 1; s <= c.steps; s++) {
        setGrads(c, straight.params, s);
        straight.opt.step();
        setGrads(c, resumed.params, s);
        resumed.opt.step();
      }
      straight.params.forEach((p, k) => {
        assert.ok(sameBits(p.data, resumed.params[k]!.data), `param ${k}`);
      });
      assert.deepEqual(stateFingerprint(resumed.opt.stateDict()), stateFingerprint(straight.opt.stateDict()));
    });

    it(`${c.name}: resumed from torch's own mid-run state dict, it ends where torch ended`, () => {
      const checkpoint = c.checkpoints[0]!;
      const { params, opt } = build(c, c.trace[checkpoint.after_step - 1]!.params);
      opt.loadStateDict(torchStateDict(c, checkpoint.state_dict));
      for (let s = checkpoint.after_step + 1; s <= c.steps; s++) {
        setGrads(c, params, s);
        opt.step();
      }
      matches(c, params, c.trace[c.steps - 1]!.params, "final");
    });
  }
});

/** A 4×2 float64 table, its SparseAdam, and a copy of its data. */
function table(options: Record<string, unknown> = { lr: 0.1 }) {
  const p = param(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), { shape: [4, 2], name: "table" });
  return { p, opt: new SparseAdam([p], options) };
}

describe("SparseAdam semantics", () => {
  it("updates only the rows the gradient names: the other rows keep their values and moments", () => {
    const { p, opt } = table();
    p.sparseGrad = sparseGrad([1, 3], Float64Array.of(1, 1, 1, 1));
    opt.step();
    p.sparseGrad = sparseGrad([1], Float64Array.of(-2, 0.5));
    opt.step();
    const { expAvg, expAvgSq, step } = opt.state.get(p)!;
    assert.equal(step, 2);
    assert.deepEqual(Array.from(p.data.subarray(0, 2)), [1, 2]);
    // row 3 was touched at step 1 only: its moments keep step 1's values (m = (g − 0)(1 − β1), v = (g² − 0)(1 − β2))
    // at step 2 instead of decaying (torch's masked update); row 0 was never touched
    assert.deepEqual(Array.from(expAvg.subarray(6, 8)), [(1 - 0) * (1 - 0.9), (1 - 0) * (1 - 0.9)]);
    assert.deepEqual(Array.from(expAvgSq.subarray(6, 8)), [(1 - 0) * (1 - 0.999), (1 - 0) * (1 - 0.999)]);
    assert.deepEqual(Array.from(expAvg.subarray(0, 2)), [0, 0]);
  });

  it("sums repeated rows in the order given before the update, as torch's coalesce", () => {
    // float32: (1 + 1e8) − 1e8 = 0 in this order, 1 in the reverse one
    const grad = sparseGrad([2, 0, 2, 2], Float32Array.of(1, 5, 1e8, -1e8));
    const { rows, values } = coalesce(grad, 1);
    assert.deepEqual(Array.from(rows), [0, 2]);
    assert.deepEqual(Array.from(values), [5, 0]);
    const negated = coalesce(grad, 1, true);
    // negated first, then summed, as torch's `-grad` then coalesce: −1 − 1e8 + 1e8 is +0
    assert.deepEqual(Array.from(negated.values), [-5, 0]);
  });

  it("a step whose sparse grad has no rows counts the step and changes nothing else", () => {
    const { p, opt } = table();
    p.sparseGrad = sparseGrad([0], Float64Array.of(1, 1));
    opt.step();
    const before = p.data.slice();
    const moments = stateFingerprint(opt.state.get(p)!.expAvg.slice());
    opt.zeroGrad(false); // torch's zero_() of a sparse grad: no rows
    assert.equal(p.sparseGrad!.indices.length, 0);
    opt.step();
    assert.equal(opt.state.get(p)!.step, 2);
    assert.ok(sameBits(p.data, before));
    assert.deepEqual(stateFingerprint(opt.state.get(p)!.expAvg.slice()), moments);
  });

  it("a param whose sparse grad is null is skipped: no state, no step counted", () => {
    const { p, opt } = table();
    const other = param(Float64Array.of(1, 2), { shape: [2, 1] });
    opt.addParamGroup({ params: [other] });
    other.sparseGrad = sparseGrad([1], Float64Array.of(3));
    opt.step();
    assert.equal(opt.state.get(p), undefined);
    assert.equal(opt.state.get(other)!.step, 1);
    assert.equal(other.data[0], 1);
    assert.notEqual(other.data[1], 2);
  });

  it("refuses a dense grad with torch's message, changing nothing (also another param's update)", () => {
    const { p, opt } = table();
    const other = param(Float64Array.of(1, 2), { shape: [2, 1] });
    opt.addParamGroup({ params: [other] });
    p.sparseGrad = sparseGrad([0], Float64Array.of(1, 1));
    other.grad = Float64Array.of(1, 1);
    const before = [p.data.slice(), other.data.slice()];
    assert.throws(
      () => opt.step(),
      /^OptionError: SparseAdam does not support dense gradients, please consider Adam instead \(param 0 has a dense grad\)$/,
    );
    assert.ok(sameBits(p.data, before[0]!) && sameBits(other.data, before[1]!));
    assert.equal(opt.state.size, 0);
  });

  it("the dense optimizers refuse a sparse grad with torch's message instead of skipping the param", () => {
    for (const make of [(ps: Param[]) => new Adam(ps), (ps: Param[]) => new SGD(ps, { lr: 0.1 })]) {
      const w = param(Float64Array.of(1, 2), { shape: [2, 1], name: "w" });
      const opt = make([w]);
      w.sparseGrad = sparseGrad([0], Float64Array.of(1));
      assert.throws(
        () => opt.step(),
        /(Adam|SGD) does not support sparse gradients, please consider SparseAdam instead \(param 0 \('w'\) has a sparseGrad\)/,
      );
      assert.deepEqual(Array.from(w.data), [1, 2]);
      assert.equal(opt.state.size, 0);
    }
  });

  it("refuses a bad sparse grad naming the bad value, before any param or state changes", () => {
    const bad: Array<[unknown, RegExp]> = [
      [
        { indices: Int32Array.of(4), values: Float64Array.of(1, 1) },
        /row index 4 at indices\[0\], but the param has 4 rows/,
      ],
      [{ indices: Int32Array.of(-1), values: Float64Array.of(1, 1) }, /row index -1 at indices\[0\]/],
      [
        { indices: Int32Array.of(0), values: Float64Array.of(1, 1, 1) },
        /has 3 values for 1 rows, but a row of the param has 2 elements/,
      ],
      [
        { indices: Int32Array.of(0), values: Float32Array.of(1, 1) },
        /has float32 values but the param is float64/,
      ],
      [{ indices: [0], values: Float64Array.of(1, 1) }, /has indices array of length 1, not an Int32Array/],
      [
        { indices: Int32Array.of(0), values: [1, 1] },
        /has values array of length 2, not a Float32Array or Float64Array/,
      ],
      [Float64Array.of(1, 1), /has indices undefined, not an Int32Array/],
      ["rows", /is "rows", not a sparse grad/],
    ];
    const { p, opt } = table();
    const good = param(Float64Array.of(1, 2), { shape: [2, 1] });
    opt.addParamGroup({ params: [good] });
    good.sparseGrad = sparseGrad([0], Float64Array.of(1));
    p.sparseGrad = sparseGrad([0], Float64Array.of(1, 1));
    opt.step();
    for (const [grad, message] of bad) {
      const before = stateFingerprint(opt.stateDict());
      const data = [p.data.slice(), good.data.slice()];
      good.sparseGrad = sparseGrad([1], Float64Array.of(1)); // fine, and must not be applied either
      (p as { sparseGrad: unknown }).sparseGrad = grad;
      assert.throws(() => opt.step(), message);
      assert.deepEqual(stateFingerprint(opt.stateDict()), before);
      assert.ok(sameBits(p.data, data[0]!) && sameBits(good.data, data[1]!));
    }
  });

  it("sparseGrad() refuses indices that are not row indices and values that do not split into rows", () => {
    assert.throws(() => sparseGrad([0, 1.5], Float64Array.of(1, 2)), /indices\[1\] is 1.5, not a row index/);
    assert.throws(() => sparseGrad([-1], Float64Array.of(1)), /indices\[0\] is -1/);
    assert.throws(() => sparseGrad([0, 1], Float64Array.of(1, 2, 3)), /3 values do not split into 2 rows/);
    assert.throws(
      () => sparseGrad([0], [1] as never),
      /values must be a Float32Array or Float64Array, got array/,
    );
    const values = Float64Array.of(1, 2);
    const g = sparseGrad([1], values);
    values[0] = 9;
    assert.equal(g.values[0], 1, "the values are copied");
  });

  it("takes torch's option checks: lr > 0 at construction, eps > 0, betas in [0, 1)", () => {
    const w = () => [param(Float64Array.of(1, 2), { shape: [2, 1] })];
    assert.throws(
      () => new SparseAdam(w(), { lr: 0 }),
      /^OptionError: Invalid learning rate: 0 \(expected a finite number > 0\)$/,
    );
    assert.throws(() => new SparseAdam(w(), { lr: -0 }), /Invalid learning rate: 0/);
    assert.throws(() => new SparseAdam(w(), { eps: 0 }), /Invalid epsilon value: 0/);
    assert.throws(() => new SparseAdam(w(), { betas: [0.9, 1] }), /Invalid beta parameter at index 1: 1/);
    assert.throws(() => new SparseAdam(w(), { weightDecay: 0.1 } as never), /unknown option 'weightDecay'/);
    assert.throws(() => new SparseAdam([param([1], { shape: [] })]), /shape \[\] has no rows/);
  });

  it("a group's lr set to 0 after construction (as a scheduler annealing to 0 does) moves nothing", () => {
    const { p, opt } = table();
    opt.paramGroups[0]!.lr = 0;
    const before = p.data.slice();
    p.sparseGrad = sparseGrad([0, 2, 0], Float64Array.of(1, -1, 2, 3, -4, 0.5));
    opt.step();
    assert.ok(p.data.every((x, i) => x === before[i]));
    assert.equal(opt.state.get(p)!.step, 1);
  });

  it("maximize steps as minimizing the negated gradient", () => {
    const up = table({ lr: 0.1, maximize: true });
    const down = table({ lr: 0.1 });
    for (const [rows, values] of [
      [
        [0, 3, 0],
        [1, -2, 0.25, 4, -0.5, 3],
      ],
      [[2], [7, -7]],
    ] as const) {
      up.p.sparseGrad = sparseGrad(rows, Float64Array.from(values));
      down.p.sparseGrad = sparseGrad(
        rows,
        Float64Array.from(values, (x) => -x),
      );
      up.opt.step();
      down.opt.step();
    }
    assert.ok(sameBits(up.p.data, down.p.data));
  });

  it("the first step of a row moves each touched element by about lr, as Adam's", () => {
    // m = 0.1·g, v = 0.001·g², step size lr·sqrt(0.001)/0.1: Δθ = −lr·g/(|g| + ε/sqrt(0.001))
    const { p, opt } = table({ lr: 0.1, eps: 1e-8 });
    p.sparseGrad = sparseGrad([1], Float64Array.of(3, -0.5));
    opt.step();
    const expected = [3, -0.5].map(
      (g, j) => [3, 4][j]! - (0.1 * g) / (Math.abs(g) + 1e-8 / Math.sqrt(0.001)),
    );
    assert.equal(closeTo(p.data.subarray(2, 4), expected, 1e-15, "row 1"), null);
  });
});
