// RMSprop as a specification: hand-derived steps for torch's branches (generic checks in
// conformance.test.ts, torch traces in torch-reference.test.ts). torch: v ← αv + (1 − α)g²; the step divides
// by √v + ε (centered: √(v − ḡ²) + ε, with ḡ ← αḡ + (1 − α)g); with momentum b ← μb + g/(√v + ε) and
// θ ← θ − lr·b. No bias correction.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, RMSprop } from "../../src/index.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-15 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

describe("RMSprop", () => {
  it("divides by the running RMS, without bias correction", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new RMSprop([p], { lr: 0.1, alpha: 0.75, eps: 0 });
    p.grad = new Float64Array([2]);
    opt.step();
    // v = 0.25·4 = 1;  θ = 1 − 0.1·2/√1 = 0.8 (Adam's bias correction would divide v by 0.25)
    assert.deepEqual([...opt.state.get(p)!.squareAvg], [1]);
    close(p.data[0]!, 0.8, "θ after one step");
    p.grad = new Float64Array([4]);
    opt.step();
    // v = 0.75·1 + 0.25·16 = 4.75;  θ = 0.8 − 0.1·4/√4.75
    assert.deepEqual([...opt.state.get(p)!.squareAvg], [4.75]);
    close(p.data[0]!, 0.8 - 0.4 / Math.sqrt(4.75), "θ after two steps");
  });

  it("centered subtracts the squared mean gradient inside the root", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new RMSprop([p], { lr: 0.1, alpha: 0.75, eps: 0, centered: true });
    p.grad = new Float64Array([2]);
    opt.step();
    const s = opt.state.get(p)!;
    // v = 1, ḡ = 0.25·2 = 0.5;  denominator √(1 − 0.25) = √0.75
    assert.deepEqual([...s.gradAvg!], [0.5]);
    close(p.data[0]!, -0.2 / Math.sqrt(0.75), "θ");
  });

  it("with momentum accumulates the scaled step: b ← μb + g/(√v + ε)", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new RMSprop([p], { lr: 0.5, alpha: 0.75, eps: 0, momentum: 0.5 });
    p.grad = new Float64Array([2]);
    opt.step();
    // v = 1, b = 2/1 = 2;  θ = −1
    assert.deepEqual([...opt.state.get(p)!.momentumBuffer!], [2]);
    assert.deepEqual([...p.data], [-1]);
    p.grad = new Float64Array([2]);
    opt.step();
    // v = 0.75 + 1 = 1.75;  b = 1 + 2/√1.75;  θ = −1 − 0.5·b
    close(opt.state.get(p)!.momentumBuffer![0]!, 1 + 2 / Math.sqrt(1.75), "b");
    close(p.data[0]!, -1 - 0.5 * (1 + 2 / Math.sqrt(1.75)), "θ");
  });

  it("adds ε outside the root and weight decay to the gradient", () => {
    const p = param([2], { dtype: "float64" });
    const opt = new RMSprop([p], { lr: 0.1, alpha: 0.75, eps: 1, weightDecay: 0.5 });
    p.grad = new Float64Array([1]);
    opt.step();
    // g = 1 + 0.5·2 = 2;  v = 0.25·4 = 1;  θ = 2 − 0.1·2/(1 + 1) = 1.9
    close(p.data[0]!, 1.9, "θ");
  });
});
