// The mapping between torch's and descent's state layouts: names, step per torch version, what is refused.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adam, Lion, NAdam, param, RMSprop, SGD, SparseAdam, StepLR, sparseGrad } from "../../src/index.js";
import {
  camelName,
  fromTorchModelState,
  fromTorchOptimizerState,
  loadTorchRun,
  TorchFormatError,
  type TorchTensor,
  toTorchModelState,
  toTorchOptimizerState,
  toTorchRun,
  torchLoad,
  torchName,
  torchSave,
  torchTensor,
} from "../../src/torch/index.js";
import { stateFingerprint } from "../helpers/conformance-table.js";
import { loadFixture } from "../helpers/torch-reference.js";

const mismatch = (f: () => unknown, pattern: RegExp): void => {
  assert.throws(
    f,
    (e: unknown) => e instanceof TorchFormatError && e.code === "mismatch" && pattern.test(e.message),
  );
};

function steppedRmsprop(): RMSprop {
  const w = param([1, 2, 3, 4], { shape: [2, 2], dtype: "float64", name: "w" });
  const opt = new RMSprop([w], { lr: 0.01, momentum: 0.9 });
  w.grad = new Float64Array([0.1, -0.2, 0.3, -0.4]);
  opt.step();
  return opt;
}

describe("camelName / torchName", () => {
  it("map torch's state and option names both ways, H_diag included", () => {
    for (const [t, c] of [
      ["exp_avg_sq", "expAvgSq"],
      ["max_exp_avg_sq", "maxExpAvgSq"],
      ["beta2_decay", "beta2Decay"],
      ["H_diag", "hDiag"],
      ["initial_accumulator_value", "initialAccumulatorValue"],
      ["t0", "t0"],
    ]) {
      assert.equal(camelName(t!), c);
      assert.equal(torchName(c!), t);
    }
  });
});

describe("toTorchOptimizerState", () => {
  it("writes step as a 0-dim float tensor for torch 2.x and as an int for torch 1.13's RMSprop", () => {
    const opt = steppedRmsprop();
    const v2 = toTorchOptimizerState(opt, { torchVersion: "2.6" });
    const step2 = v2.state.get(0)!.step as TorchTensor;
    assert.deepEqual([step2.shape, step2.dtype, step2.toNumbers()], [[], "float32", [1]]);
    assert.equal(v2.param_groups[0]!.capturable, false);
    const v1 = toTorchOptimizerState(opt, { torchVersion: "1.13" });
    assert.equal(v1.state.get(0)!.step, 1);
    assert.equal("capturable" in v1.param_groups[0]!, false);
    assert.deepEqual((v1.state.get(0)!.square_avg as TorchTensor).shape, [2, 2]);
  });

  it("writes SparseAdam's step as an int in every version, its groups with exactly torch 2.6's keys", () => {
    const w = param(Float64Array.of(1, 2, 3, 4, 5, 6), { shape: [3, 2] });
    const opt = new SparseAdam([w], { lr: 0.01, maximize: true });
    w.sparseGrad = sparseGrad([2, 0, 2], Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6));
    opt.step();
    // what torch 2.6's SparseAdam.state_dict() holds (scripts/gen_reference.py recorded it)
    const torch26 = loadFixture<{ cases: Array<{ checkpoints: Array<{ state_dict: any }> }> }>(
      "project_sparse_adam.json",
    ).cases[0]!.checkpoints[0]!.state_dict;
    for (const version of ["2.6", "1.13"]) {
      const sd = toTorchOptimizerState(opt, { torchVersion: version });
      const state = sd.state.get(0)!;
      assert.equal(state.step, 1, version);
      assert.deepEqual(Object.keys(state).sort(), Object.keys(torch26.state["0"]).sort());
      assert.deepEqual((state.exp_avg as TorchTensor).shape, [3, 2]);
      assert.deepEqual(Object.keys(sd.param_groups[0]!).sort(), Object.keys(torch26.param_groups[0]).sort());
      const back = new SparseAdam([param(new Float64Array(6), { shape: [3, 2] })], { lr: 0.01 });
      back.loadStateDict(fromTorchOptimizerState(sd));
      assert.deepEqual(stateFingerprint(back.stateDict()), stateFingerprint(opt.stateDict()), version);
    }
  });

  it("writes tuples for betas and a param list of indices", () => {
    const w = param([1], { dtype: "float64" });
    const sd = toTorchOptimizerState(new Adam([w], { betas: [0.8, 0.9] }));
    const back = torchLoad(torchSave(sd)) as any;
    assert.equal(back.param_groups[0].betas.constructor.name, "Tuple");
    assert.deepEqual(back.param_groups[0].params, [0]);
  });

  it("refuses optimizers torch does not have, and options torch 1.13 lacks, naming them", () => {
    mismatch(() => toTorchOptimizerState(new Lion([param([1])], {})), /Lion has no torch\.optim equivalent/);
    const nadam = new NAdam([param([1])], { decoupledWeightDecay: true });
    mismatch(
      () => toTorchOptimizerState(nadam, { torchVersion: "1.13" }),
      /param_groups\[0\]\.decoupledWeightDecay = true: torch 1\.13's NAdam has no decoupled_weight_decay/,
    );
    assert.doesNotThrow(() => toTorchOptimizerState(nadam, { torchVersion: "2.6" }));
    mismatch(() => toTorchOptimizerState(nadam, { torchVersion: "0.4" }), /torchVersion '0\.4'/);
  });

  it("refuses an optimizer carrying attached components torch has no place for", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    opt.attach("ema", { stateDict: () => ({}), checkStateDict() {}, loadStateDict() {} });
    mismatch(() => toTorchOptimizerState(opt), /attached\['ema'\]/);
  });
});

describe("fromTorchOptimizerState", () => {
  it("drops torch's code-path switches and turns 0-dim tensors into numbers", () => {
    const sd = fromTorchOptimizerState({
      state: new Map([
        [0, { step: torchTensor(Float32Array.of(3), []), exp_avg: torchTensor(Float64Array.of(1, 2)) }],
      ]),
      param_groups: [
        { lr: 0.1, foreach: null, fused: null, capturable: false, differentiable: false, params: [0] },
      ],
    });
    assert.deepEqual(sd.paramGroups, [{ lr: 0.1, params: [0] }]);
    assert.equal(sd.state[0]!.step, 3);
    assert.deepEqual(Array.from(sd.state[0]!.expAvg as Float64Array), [1, 2]);
  });

  it("refuses state that is not a param index or a tensor dtype descent keeps, naming the key", () => {
    mismatch(() => fromTorchOptimizerState({ state: new Map([["x", {}]]), param_groups: [] }), /state key x/);
    const ints = torchTensor(new Int32Array([1, 2]));
    mismatch(
      () => fromTorchOptimizerState({ state: new Map([[0, { counts: ints }]]), param_groups: [] }),
      /state\[0\]\.counts is a int32 tensor/,
    );
    mismatch(() => fromTorchOptimizerState({ state: {} }), /'state' and 'param_groups'/);
  });
});

describe("model state and whole runs", () => {
  it("refuses a missing name, a shape that differs and (strict) an unexpected entry, changing nothing", () => {
    const w = param([1, 2], { name: "w", dtype: "float64" });
    mismatch(() => fromTorchModelState({}, [w]), /no 'w'/);
    mismatch(
      () => fromTorchModelState({ w: torchTensor(Float64Array.of(1, 2, 3)) }, [w]),
      /'w' is \[3\] in the torch state dict, \[2\] here/,
    );
    mismatch(
      () =>
        fromTorchModelState(
          { w: torchTensor(Float64Array.of(5, 6)), running_mean: torchTensor(Float64Array.of(0)) },
          [w],
        ),
      /'running_mean', which no param is named for/,
    );
    assert.deepEqual(Array.from(w.data), [1, 2]);
    fromTorchModelState(
      { w: torchTensor(Float32Array.of(5, 6)), running_mean: torchTensor(Float64Array.of(0)) },
      [w],
      { strict: false },
    );
    assert.deepEqual(Array.from(w.data), [5, 6]);
  });

  it("round-trips weights, optimizer and scheduler through one torch file", () => {
    const make = () => {
      const w = param([1, 2, 3, 4], { shape: [2, 2], name: "layer.weight", dtype: "float64" });
      const opt = new Adam([w], { lr: 0.1 });
      return { w, opt, sched: new StepLR(opt, { stepSize: 2, gamma: 0.5 }) };
    };
    const a = make();
    for (let i = 0; i < 3; i++) {
      a.w.grad = Float64Array.of(0.1, 0.2, -0.3, 0.4);
      a.opt.step();
      a.sched.step();
    }
    const bytes = torchSave(
      toTorchRun({ params: [a.w], optimizer: a.opt, scheduler: a.sched }, { scalarDtype: "float64" }),
    );
    const b = make();
    loadTorchRun(torchLoad(bytes), { params: [b.w], optimizer: b.opt, scheduler: b.sched });
    assert.deepEqual(Array.from(b.w.data), Array.from(a.w.data));
    assert.deepEqual(b.opt.stateDict(), a.opt.stateDict());
    assert.deepEqual(b.sched.stateDict(), a.sched.stateDict());
    assert.deepEqual((toTorchModelState([b.w])["layer.weight"] as TorchTensor).shape, [2, 2]);
  });

  it("loads nothing when one section does not fit", () => {
    const w = param([1, 2], { name: "w", dtype: "float64" });
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    const bad = {
      model: { w: torchTensor(Float64Array.of(7, 8)) },
      optimizer: { state: new Map(), param_groups: [{}, {}] },
    };
    assert.throws(() => loadTorchRun(bad, { params: [w], optimizer: opt }), TorchFormatError);
    assert.deepEqual(Array.from(w.data), [1, 2]);
    mismatch(
      () => loadTorchRun({ model: {} }, { params: [w], optimizer: opt }),
      /the file has no 'optimizer'/,
    );
  });
});
