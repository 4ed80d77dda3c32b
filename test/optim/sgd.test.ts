// SGD as a specification: hand-derived steps for each of torch's branches (generic checks in
// conformance.test.ts, torch traces in torch-reference.test.ts). Values are dyadic, so every step below is
// exact in float64 and compared with equality.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, SGD } from "../../src/index.js";

const stepWith = (opt: SGD, p: ReturnType<typeof param>, grad: number[]) => {
  p.grad = new Float64Array(grad);
  opt.step();
  return [...p.data];
};

describe("SGD", () => {
  it("plain: θ ← θ − lr·g, and keeps no state", () => {
    const p = param([1, -2], { dtype: "float64" });
    const opt = new SGD([p], { lr: 0.5 });
    // 1 − 0.5·0.5 = 0.75;  −2 − 0.5·(−1) = −1.5
    assert.deepEqual(stepWith(opt, p, [0.5, -1]), [0.75, -1.5]);
    assert.equal(opt.state.has(p), false);
  });

  it("weight decay is added to the gradient first: g ← g + λθ", () => {
    const p = param([2], { dtype: "float64" });
    const opt = new SGD([p], { lr: 0.25, weightDecay: 0.5 });
    // g = 1 + 0.5·2 = 2;  θ = 2 − 0.25·2 = 1.5
    assert.deepEqual(stepWith(opt, p, [1]), [1.5]);
  });

  it("momentum: the buffer starts as the first gradient, then b ← μb + (1 − τ)g", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new SGD([p], { lr: 0.5, momentum: 0.5, dampening: 0.5 });
    // step 1: b = g = 2 (no dampening on the first step);  θ = 0 − 0.5·2 = −1
    assert.deepEqual(stepWith(opt, p, [2]), [-1]);
    assert.deepEqual([...opt.state.get(p)!.momentumBuffer!], [2]);
    // step 2: b = 0.5·2 + (1 − 0.5)·4 = 3;  θ = −1 − 0.5·3 = −2.5
    assert.deepEqual(stepWith(opt, p, [4]), [-2.5]);
    assert.deepEqual([...opt.state.get(p)!.momentumBuffer!], [3]);
  });

  it("Nesterov steps along g + μb instead of b", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new SGD([p], { lr: 0.5, momentum: 0.5, nesterov: true });
    // step 1: b = 2;  d = 2 + 0.5·2 = 3;  θ = −1.5
    assert.deepEqual(stepWith(opt, p, [2]), [-1.5]);
    // step 2: b = 0.5·2 + 4 = 5;  d = 4 + 0.5·5 = 6.5;  θ = −1.5 − 3.25 = −4.75
    assert.deepEqual(stepWith(opt, p, [4]), [-4.75]);
  });

  it("maximize ascends: the gradient is negated before everything else", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new SGD([p], { lr: 0.5, weightDecay: 0.5, maximize: true });
    // g = −1, then + 0.5·1 = −0.5;  θ = 1 + 0.25 = 1.25
    assert.deepEqual(stepWith(opt, p, [1]), [1.25]);
  });
});
