// The tools around an optimizer either handle a sparse gradient or refuse it by name: none may ignore one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clipGradNorm,
  clipGradValue,
  GradientAccumulation,
  param,
  SkipNonFinite,
  SparseAdam,
  sparseGrad,
} from "../../src/index.js";

function table() {
  const p = param(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  p.sparseGrad = sparseGrad([2, 0], new Float64Array([0.5, -0.5, 1, 1]));
  return p;
}

describe("sparse gradients around SparseAdam", () => {
  it("GradientAccumulation refuses a sparse gradient and changes nothing", () => {
    const p = table();
    const opt = new GradientAccumulation(new SparseAdam([p], { lr: 0.1 }), { steps: 2 });
    const before = JSON.stringify(opt.stateDict());
    assert.throws(
      () => opt.step(),
      /GradientAccumulation does not support sparse gradients|sparse gradient, which GradientAccumulation does not support/,
    );
    assert.equal(JSON.stringify(opt.stateDict()), before);
    assert.deepEqual([...p.data], [1, 2, 3, 4, 5, 6]);
  });

  it("SkipNonFinite sees a NaN in a sparse gradient's values and skips the step", () => {
    const p = table();
    p.sparseGrad = sparseGrad([2, 0], new Float64Array([0.5, Number.NaN, 1, 1]));
    const opt = new SkipNonFinite(new SparseAdam([p], { lr: 0.1 }));
    opt.step();
    assert.equal(opt.skipped, 1);
    assert.deepEqual([...p.data], [1, 2, 3, 4, 5, 6]);
  });

  it("SkipNonFinite lets a finite sparse gradient through", () => {
    const p = table();
    const opt = new SkipNonFinite(new SparseAdam([p], { lr: 0.1 }));
    opt.step();
    assert.equal(opt.skipped, 0);
    assert.notDeepEqual([...p.data], [1, 2, 3, 4, 5, 6]);
  });

  it("clipGradNorm and clipGradValue refuse a sparse gradient, naming the param, and leave it as it was", () => {
    const p = table();
    const values = [...p.sparseGrad!.values];
    assert.throws(() => clipGradNorm([p], 0.1), /clipGradNorm: params\[0\] has a sparse gradient/);
    assert.throws(() => clipGradValue([p], 0.1), /clipGradValue: params\[0\] has a sparse gradient/);
    assert.deepEqual([...p.sparseGrad!.values], values);
  });
});
