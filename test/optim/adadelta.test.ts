// Adadelta: hand-derived steps (the generic checks — options, state dicts, dtypes — are in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adadelta, param } from "../../src/index.js";

function near(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  expected.forEach((e, i) => {
    assert.ok(
      Math.abs(actual[i]! - e) <= 1e-15 * Math.max(1, Math.abs(e)),
      `${what}[${i}]: ${actual[i]} vs ${e}`,
    );
  });
}

describe("Adadelta", () => {
  it("takes the hand-derived first two steps", () => {
    const p = param([1, -2], { dtype: "float64" });
    const opt = new Adadelta([p]);
    p.grad = new Float64Array([0.5, -0.25]);
    opt.step();
    // v = 0.1·g², Δ = sqrt(0 + ε)/sqrt(v + ε)·g, u = 0.1·Δ², θ = θ − 1·Δ
    const eps = 1e-6;
    const delta = [0.5, -0.25].map((g) => (Math.sqrt(eps) / Math.sqrt(0.1 * g * g + eps)) * g);
    near(p.data, [1 - delta[0]!, -2 - delta[1]!], "θ");
    const s = opt.state.get(p)!;
    assert.equal(s.step, 1);
    near(s.squareAvg, [0.1 * 0.25, 0.1 * 0.0625], "squareAvg");
    near(s.accDelta, [0.1 * delta[0]! * delta[0]!, 0.1 * delta[1]! * delta[1]!], "accDelta");

    p.grad = new Float64Array([0.5, -0.25]);
    opt.step();
    const v2 = 0.9 * 0.025 + 0.1 * 0.25;
    const d2 = (Math.sqrt(0.1 * delta[0]! * delta[0]! + eps) / Math.sqrt(v2 + eps)) * 0.5;
    assert.ok(Math.abs(p.data[0]! - (1 - delta[0]! - d2)) < 1e-15);
  });

  it("adds weightDecay·θ to the gradient and negates it with maximize", () => {
    const a = param([2], { dtype: "float64" });
    const b = param([2], { dtype: "float64" });
    const withDecay = new Adadelta([a], { weightDecay: 0.5 });
    const plain = new Adadelta([b], { maximize: true });
    a.grad = new Float64Array([0]); // the gradient is all weight decay: 0 + 0.5·2 = 1
    b.grad = new Float64Array([-1]); // maximize: the same step as a gradient of 1
    withDecay.step();
    plain.step();
    assert.equal(a.data[0], b.data[0]);
    assert.ok(a.data[0]! < 2);
  });
});
