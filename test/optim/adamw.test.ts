// AdamW as a specification: decoupled weight decay worked by hand (generic checks in conformance.test.ts,
// torch traces in torch-reference.test.ts). torch first shrinks the param, θ ← θ·(1 − lr·λ), then takes
// Adam's step with the raw gradient (no λθ in m or v).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adam, AdamW, param } from "../../src/index.js";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-15 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

describe("AdamW", () => {
  it("shrinks the param by 1 − lr·λ, then takes Adam's step on the raw gradient", () => {
    const p = param([2, -4], { dtype: "float64" });
    const opt = new AdamW([p], { lr: 0.25, betas: [0.5, 0.75], eps: 0, weightDecay: 0.5 });
    p.grad = new Float64Array([1, 3]);
    opt.step();
    const s = opt.state.get(p)!;
    // m and v see g only: m = 0.5·g, v = 0.25·g²
    assert.deepEqual([...s.expAvg], [0.5, 1.5]);
    assert.deepEqual([...s.expAvgSq], [0.25, 2.25]);
    // θ·(1 − 0.25·0.5) = θ·0.875 = [1.75, −3.5]; the first Adam step is lr·sign(g) = 0.25
    close(p.data[0]!, 1.5, "θ0");
    close(p.data[1]!, -3.75, "θ1");
  });

  it("defaults to λ = 0.01 (torch's AdamW default), and with λ = 0 is Adam", () => {
    assert.equal(new AdamW([param([0])]).defaults.weightDecay, 0.01);
    const a = param([0.5, -1], { dtype: "float64" });
    const b = param([0.5, -1], { dtype: "float64" });
    const adamw = new AdamW([a], { lr: 0.1, weightDecay: 0 });
    const adam = new Adam([b], { lr: 0.1 });
    for (const g of [
      [1, 2],
      [-0.5, 0.25],
    ]) {
      a.grad = new Float64Array(g);
      b.grad = new Float64Array(g);
      adamw.step();
      adam.step();
    }
    assert.deepEqual([...a.data], [...b.data]);
  });

  it("decays even where the gradient is zero: a zero gradient still shrinks the param", () => {
    const p = param([4], { dtype: "float64" });
    const opt = new AdamW([p], { lr: 0.5, weightDecay: 0.5, eps: 1 });
    p.grad = new Float64Array([0]);
    opt.step();
    // m = 0, so Adam's step is 0; θ = 4·(1 − 0.25) = 3
    assert.deepEqual([...p.data], [3]);
  });
});
