// NAdam: the hand-derived first step and torch 2.x's μ product (generic checks in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NAdam, param } from "../../src/index.js";

const mu = (t: number, beta1 = 0.9, psi = 4e-3) => beta1 * (1 - 0.5 * 0.96 ** (t * psi));

describe("NAdam", () => {
  it("takes the hand-derived first step", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new NAdam([p], { lr: 0.1 });
    p.grad = new Float64Array([0.5]);
    opt.step();
    // m = 0.1g, v = 0.001g², d = sqrt(v/0.001) + ε = |g| + ε
    const d = 0.5 + 1e-8;
    const [m1, m2] = [mu(1), mu(2)];
    const expected =
      1 - ((0.1 * (1 - m1)) / (1 - m1)) * (0.5 / d) - ((0.1 * m2) / (1 - m1 * m2)) * (0.05 / d);
    assert.ok(Math.abs(p.data[0]! - expected) < 1e-15, `${p.data[0]} vs ${expected}`);
    assert.equal(opt.state.get(p)!.muProduct, m1);
  });

  it("multiplies each μt into muProduct once (torch 1.13 multiplied it twice)", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new NAdam([p], { momentumDecay: 0.01, betas: [0.85, 0.99] });
    for (let t = 0; t < 3; t++) {
      p.grad = new Float64Array([0.3]);
      opt.step();
    }
    const expected = mu(1, 0.85, 0.01) * mu(2, 0.85, 0.01) * mu(3, 0.85, 0.01);
    assert.ok(Math.abs(opt.state.get(p)!.muProduct - expected) < 1e-16);
  });

  it("with decoupledWeightDecay shrinks θ by lr·weightDecay instead of adding to the gradient", () => {
    const a = param([2], { dtype: "float64" });
    const b = param([2], { dtype: "float64" });
    const decoupled = new NAdam([a], { lr: 0.1, weightDecay: 0.5, decoupledWeightDecay: true });
    const plain = new NAdam([b], { lr: 0.1 });
    a.grad = new Float64Array([0.5]);
    b.grad = new Float64Array([0.5]);
    decoupled.step();
    plain.step();
    // the same Adam-like move, from θ·(1 − 0.05) instead of θ
    assert.ok(Math.abs(a.data[0]! - (b.data[0]! - 2 * 0.05)) < 1e-15);
  });
});
