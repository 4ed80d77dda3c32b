// Soak: a million Adam steps on a constant gradient g stay finite and match the closed form. With g
// constant, m_t = g·(1 − β1ᵗ) and v_t = g²·(1 − β2ᵗ), so after bias correction m̂ = g and v̂ = g², and every
// step is exactly lr·g/(|g| + eps): ±lr for |g| ≫ eps, lr·g/eps for |g| ≪ eps, 0 for g = 0. The gradients
// below cover each regime and magnitudes from 1e-12 to 1e6.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Dtype } from "../../src/core/arena.js";
import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";

const STEPS = 1_000_000;
const LR = 1e-3;
const EPS = 1e-8;
const G = [1, -1, 1e-10, -1e-12, 1e6, 0, 3e-3, -2.5, 1e-8];

function soak(dtype: Dtype) {
  const p = param(new Array(G.length).fill(0), { dtype });
  const opt = new Adam([p], { lr: LR, eps: EPS });
  p.grad = dtype === "float32" ? new Float32Array(G) : new Float64Array(G);
  for (let t = 0; t < STEPS - 1; t++) {
    opt.step();
    if (t % 100_000 === 0) assert.ok(p.data.every(Number.isFinite), `non-finite param at step ${t}`);
  }
  const before = p.data.slice();
  opt.step();
  return { p, before, state: opt.state.get(p)! };
}

/** The exact step of the closed form, in float64. */
const ideal = (g: number) => (LR * g) / (Math.abs(g) + EPS);

describe("a million Adam steps on constant gradients", () => {
  it("float64: the params are N steps of lr·g/(|g| + eps), m̂ = g and v̂ = g²", () => {
    const { p, before, state } = soak("float64");
    assert.equal(state.step, STEPS);
    G.forEach((g, i) => {
      const total = -STEPS * ideal(g);
      const x = p.data[i]!;
      assert.ok(Number.isFinite(x));
      assert.ok(Math.abs(x - total) <= 1e-9 * Math.abs(total), `θ[${i}] = ${x}, closed form ${total}`);
      const last = before[i]! - x;
      assert.ok(Math.abs(last - ideal(g)) <= 1e-9 * Math.abs(ideal(g)) + 1e-12, `last step[${i}] = ${last}`);
      // β1ᵗ and β2ᵗ have underflowed to 0: the moments themselves are g and g²
      assert.ok(Math.abs(state.expAvg[i]! - g) <= 1e-12 * Math.abs(g), `m[${i}] = ${state.expAvg[i]}`);
      assert.ok(Math.abs(state.expAvgSq[i]! - g * g) <= 1e-9 * g * g, `v[${i}] = ${state.expAvgSq[i]}`);
    });
  });

  it("float32: finite, moments at g and g² to float32 precision, each step lr·g/(|g| + eps) to within an ulp of θ", () => {
    const { p, before, state } = soak("float32");
    G.forEach((g, i) => {
      const x = p.data[i]!;
      assert.ok(Number.isFinite(x));
      const g32 = Math.fround(g);
      assert.ok(Math.abs(state.expAvg[i]! - g32) <= 1e-6 * Math.abs(g32), `m[${i}] = ${state.expAvg[i]}`);
      assert.ok(
        Math.abs(state.expAvgSq[i]! - g32 * g32) <= 1e-4 * g32 * g32,
        `v[${i}] = ${state.expAvgSq[i]}`,
      );
      const ulp = Math.abs(x) * 2 ** -23 + Number.MIN_VALUE;
      const last = before[i]! - x;
      assert.ok(
        Math.abs(last - ideal(g32)) <= ulp + 1e-5 * Math.abs(ideal(g32)),
        `last step[${i}] = ${last}`,
      );
      // and the total is N steps up to float32 rounding of θ on every step
      const total = -STEPS * ideal(g32);
      assert.ok(Math.abs(x - total) <= 0.02 * Math.abs(total), `θ[${i}] = ${x}, closed form ${total}`);
    });
  });
});
