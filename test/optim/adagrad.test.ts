// Adagrad as a specification: hand-derived steps (generic checks in conformance.test.ts, torch traces in
// torch-reference.test.ts). torch: the step size decays as clr = lr / (1 + (t − 1)·lrDecay); the squared
// gradients are summed, s ← s + g²; θ ← θ − clr·g / (√s + ε). The sum starts at initialAccumulatorValue.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adagrad, param } from "../../src/index.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-15 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

describe("Adagrad", () => {
  it("divides by the root of the summed squared gradients, so steps shrink", () => {
    const p = param([1, 1], { dtype: "float64" });
    const opt = new Adagrad([p], { lr: 0.5, eps: 0 });
    p.grad = new Float64Array([3, -4]);
    opt.step();
    // s = g² = [9, 16];  θ = 1 − 0.5·g/|g| = [0.5, 1.5]
    assert.deepEqual([...opt.state.get(p)!.sum], [9, 16]);
    assert.deepEqual([...p.data], [0.5, 1.5]);
    p.grad = new Float64Array([4, -3]);
    opt.step();
    // s = [25, 25];  θ = [0.5 − 0.5·4/5, 1.5 + 0.5·3/5] = [0.1, 1.8]
    assert.deepEqual([...opt.state.get(p)!.sum], [25, 25]);
    close(p.data[0]!, 0.1, "θ0");
    close(p.data[1]!, 1.8, "θ1");
  });

  it("decays the step size as lr / (1 + (t − 1)·lrDecay)", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adagrad([p], { lr: 1, lrDecay: 1, eps: 0, initialAccumulatorValue: 0 });
    p.grad = new Float64Array([1]);
    opt.step(); // clr = 1, s = 1: θ = −1
    p.grad = new Float64Array([0]);
    opt.step(); // g = 0 leaves θ
    p.grad = new Float64Array([1]);
    opt.step();
    // t = 3: clr = 1/(1 + 2) ;  s = 2;  θ = −1 − (1/3)/√2
    close(p.data[0]!, -1 - 1 / 3 / Math.SQRT2, "θ");
    assert.equal(opt.state.get(p)!.step, 3);
  });

  it("starts the sum at initialAccumulatorValue and adds ε outside the root", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adagrad([p], { lr: 1, initialAccumulatorValue: 3, eps: 1 });
    p.grad = new Float64Array([1]);
    opt.step();
    // s = 3 + 1 = 4;  θ = −1/(√4 + 1) = −1/3
    assert.deepEqual([...opt.state.get(p)!.sum], [4]);
    close(p.data[0]!, -1 / 3, "θ");
  });

  it("weight decay is added to the gradient before it is squared", () => {
    const p = param([2], { dtype: "float64" });
    const opt = new Adagrad([p], { lr: 1, eps: 0, weightDecay: 0.5 });
    p.grad = new Float64Array([1]);
    opt.step();
    // g = 1 + 1 = 2;  s = 4;  θ = 2 − 2/2 = 1
    assert.deepEqual([...opt.state.get(p)!.sum], [4]);
    assert.deepEqual([...p.data], [1]);
  });
});
