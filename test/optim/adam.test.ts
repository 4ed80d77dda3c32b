// Adam as a specification: the first two steps worked by hand (generic checks in conformance.test.ts,
// torch traces in torch-reference.test.ts). torch's order of operations: bias corrections bc1 = 1 − β1ᵗ,
// bc2 = 1 − β2ᵗ; the step is θ ← θ − (lr/bc1)·m / (√v/√bc2 + ε), with ε outside the square root.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adam, param } from "../../src/index.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-15 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

describe("Adam", () => {
  it("takes a first step of lr·sign(g) (up to ε) whatever the gradient's scale", () => {
    const p = param([1, -1], { dtype: "float64" });
    const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.75], eps: 0 });
    p.grad = new Float64Array([4, -0.25]);
    opt.step();
    const s = opt.state.get(p)!;
    // m = (1 − 0.5)·g = [2, −0.125];  v = (1 − 0.75)·g² = [4, 0.015625]
    assert.deepEqual([...s.expAvg], [2, -0.125]);
    assert.deepEqual([...s.expAvgSq], [4, 0.015625]);
    assert.equal(s.step, 1);
    // bc1 = 0.5, bc2 = 0.25: m/bc1 = g, √v/√bc2 = |g|, so θ moves by lr·sign(g)
    close(p.data[0]!, 0.9, "θ0");
    close(p.data[1]!, -0.9, "θ1");
  });

  it("second step: m and v are moving averages, bias-corrected by 1 − βᵗ", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.75], eps: 0 });
    p.grad = new Float64Array([4]);
    opt.step(); // θ = −0.1
    p.grad = new Float64Array([2]);
    opt.step();
    const s = opt.state.get(p)!;
    // m = 0.5·2 + 0.5·2 = 2;  v = 0.75·4 + 0.25·4 = 4
    assert.deepEqual([...s.expAvg], [2]);
    assert.deepEqual([...s.expAvgSq], [4]);
    // bc1 = 1 − 0.25 = 0.75, bc2 = 1 − 0.5625 = 0.4375:  step = (0.1/0.75)·2 / (2/√0.4375)
    close(p.data[0]!, -0.1 - (0.1 / 0.75) * Math.sqrt(0.4375), "θ after two steps");
  });

  it("adds ε outside the square root: √v/√bc2 + ε", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adam([p], { lr: 1, betas: [0.5, 0.75], eps: 1 });
    p.grad = new Float64Array([1]);
    opt.step();
    // m/bc1 = 1, √v/√bc2 = 1, denominator 1 + ε = 2: θ = −0.5 (ε inside the root would give −1/√2)
    close(p.data[0]!, -0.5, "θ");
  });

  it("weight decay is L2 in the gradient (g + λθ), not decoupled", () => {
    const p = param([2], { dtype: "float64" });
    const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.75], eps: 0, weightDecay: 0.5 });
    p.grad = new Float64Array([-3]);
    opt.step();
    // g = −3 + 0.5·2 = −2: the first step moves by lr·sign(g) = +0.1, and m holds (1 − β1)·(−2)
    assert.deepEqual([...opt.state.get(p)!.expAvg], [-1]);
    close(p.data[0]!, 2.1, "θ");
  });

  it("amsgrad divides by the running maximum of v", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adam([p], { lr: 0.1, betas: [0.5, 0.75], eps: 0, amsgrad: true });
    p.grad = new Float64Array([4]);
    opt.step(); // v = 4, max = 4
    p.grad = new Float64Array([0]);
    opt.step();
    const s = opt.state.get(p)!;
    // v = 0.75·4 = 3 < max 4, so the denominator uses 4: √4/√0.4375;  m = 0.5·2 = 1
    assert.deepEqual([...s.expAvgSq], [3]);
    assert.deepEqual([...s.maxExpAvgSq!], [4]);
    close(p.data[0]!, -0.1 - (0.1 / 0.75) * (1 / (2 / Math.sqrt(0.4375))), "θ");
  });
});
