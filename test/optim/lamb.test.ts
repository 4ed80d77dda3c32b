import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LAMB, param } from "../../src/index.js";

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const rosenbrockGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const illConditioned = (x: number, y: number) => 0.5 * (x * x + 100 * y * y);
const illConditionedGrad = (x: number, y: number) => [x, 100 * y];

function minimize(
  lr: number,
  grad: (x: number, y: number) => number[],
  start: [number, number],
  steps: number,
) {
  const w = param(start, { dtype: "float64" }); // one param: the trust ratio is per param (per layer)
  const opt = new LAMB([w], { lr });
  for (let i = 0; i < steps; i++) {
    w.grad = new Float64Array(grad(w.data[0]!, w.data[1]!));
    opt.step();
  }
  return [w.data[0]!, w.data[1]!] as [number, number];
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** The paper's Algorithm 2 for one layer, plainly, in float64. */
function referenceStep(
  theta: number[],
  m: number[],
  v: number[],
  g: number[],
  t: number,
  o: { lr: number; beta1: number; beta2: number; eps: number; lambda: number },
): void {
  const r: number[] = [];
  for (let i = 0; i < theta.length; i++) {
    m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g[i]!;
    v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! ** 2;
    const mHat = m[i]! / (1 - o.beta1 ** t);
    const vHat = v[i]! / (1 - o.beta2 ** t);
    r.push(mHat / (Math.sqrt(vHat) + o.eps) + o.lambda * theta[i]!);
  }
  const wn = norm(theta);
  const rn = norm(r);
  const ratio = wn > 0 && rn > 0 ? wn / rn : 1;
  for (let i = 0; i < theta.length; i++) theta[i] = theta[i]! - o.lr * ratio * r[i]!;
}

describe("LAMB", () => {
  it("scales the first step by ‖θ‖/‖r‖ (worked by hand)", () => {
    // θ = [3, 4] (‖θ‖ = 5), g = [1, 1]: m̂ = g, v̂ = g², r = g/(1 + 1e-6), ‖r‖ = √2/(1 + 1e-6),
    // so θ moves by lr·(5/‖r‖)·r = lr·5/√2 per coordinate: 0.01·3.5355339… = 0.035355339…
    const w = param([3, 4], { dtype: "float64" });
    const opt = new LAMB([w], { lr: 0.01 });
    w.grad = new Float64Array([1, 1]);
    opt.step();
    const move = (0.01 * 5) / Math.SQRT2;
    assert.ok(Math.abs(w.data[0]! - (3 - move)) < 1e-15);
    assert.ok(Math.abs(w.data[1]! - (4 - move)) < 1e-15);
  });

  it("follows the paper's Algorithm 2 with a trust ratio per param, weight decay included", () => {
    const o = { lr: 0.02, beta1: 0.9, beta2: 0.99, eps: 1e-6, lambda: 0.05 };
    const thetaA = [0.5, -1.5, 2];
    const thetaB = [10, -20];
    const state = { mA: [0, 0, 0], vA: [0, 0, 0], mB: [0, 0], vB: [0, 0] };
    const a = param(thetaA, { dtype: "float64" });
    const b = param(thetaB, { dtype: "float64" });
    const opt = new LAMB([a, b], { lr: o.lr, betas: [o.beta1, o.beta2], eps: o.eps, weightDecay: o.lambda });
    for (let t = 1; t <= 6; t++) {
      const gA = [Math.sin(t), Math.cos(2 * t) - 0.3, 0.1 * t];
      const gB = [-0.5 / t, 2 * Math.sin(3 * t)];
      referenceStep(thetaA, state.mA, state.vA, gA, t, o);
      referenceStep(thetaB, state.mB, state.vB, gB, t, o);
      a.grad = new Float64Array(gA);
      b.grad = new Float64Array(gB);
      opt.step();
      thetaA.forEach((x, i) => {
        assert.ok(Math.abs(a.data[i]! - x) <= 1e-13 * Math.max(1, Math.abs(x)), `step ${t} a[${i}]`);
      });
      thetaB.forEach((x, i) => {
        assert.ok(Math.abs(b.data[i]! - x) <= 1e-13 * Math.max(1, Math.abs(x)), `step ${t} b[${i}]`);
      });
    }
    assert.equal(opt.state.get(a)!.step, 6);
  });

  it("uses a trust ratio of 1 for a zero param (a fresh bias), so it still moves", () => {
    const w = param([0, 0], { dtype: "float64" });
    const opt = new LAMB([w], { lr: 0.1 });
    w.grad = new Float64Array([2, -3]);
    opt.step();
    // at the first step m̂ = g and √v̂ = |g|, so r = g/(|g| + 1e-6), taken with ratio 1
    assert.ok(Math.abs(w.data[0]! + (0.1 * 2) / (2 + 1e-6)) < 1e-15);
    assert.ok(Math.abs(w.data[1]! - (0.1 * 3) / (3 + 1e-6)) < 1e-15);
  });

  it("leaves the param unchanged when the update is zero (zero grad, no decay)", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new LAMB([w], { lr: 0.1 });
    w.grad = new Float64Array([0, 0]);
    opt.step();
    assert.deepEqual([...w.data], [1, 2]);
  });

  it("with maximize takes exactly the step for the negated gradient", () => {
    const a = param([0.3, -0.7], { dtype: "float64" });
    const b = param([0.3, -0.7], { dtype: "float64" });
    const up = new LAMB([a], { lr: 0.01, weightDecay: 0.1, maximize: true });
    const down = new LAMB([b], { lr: 0.01, weightDecay: 0.1 });
    for (const g of [
      [0.2, -0.4],
      [-0.1, 0.3],
    ]) {
      a.grad = new Float64Array(g);
      b.grad = new Float64Array(g.map((x) => -x));
      up.step();
      down.step();
    }
    assert.deepEqual([...a.data], [...b.data]);
  });

  it("reduces Rosenbrock from (-1.5, 2) below 0.05 and 0.5·(x² + 100y²) from (1, 1) below 1e-6 in 3000 steps", () => {
    const r = minimize(0.01, rosenbrockGrad, [-1.5, 2], 3000);
    assert.ok(rosenbrock(...r) < 0.05, `Rosenbrock ${rosenbrock(...r)} at ${r}`);
    const q = minimize(0.01, illConditionedGrad, [1, 1], 3000);
    assert.ok(illConditioned(...q) < 1e-6, `quadratic ${illConditioned(...q)} at ${q}`);
  });

  it("runs in float32 with float32 state, close to the float64 run", () => {
    const w32 = param([3, 4], { dtype: "float32" });
    const w64 = param([3, 4], { dtype: "float64" });
    const o32 = new LAMB([w32], { lr: 0.01, weightDecay: 0.01 });
    const o64 = new LAMB([w64], { lr: 0.01, weightDecay: 0.01 });
    for (const g of [
      [1, 1],
      [0.5, -2],
      [0.1, 0.2],
    ]) {
      w32.grad = new Float32Array(g);
      w64.grad = new Float64Array(g);
      o32.step();
      o64.step();
    }
    assert.ok(o32.state.get(w32)!.expAvgSq instanceof Float32Array);
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(w32.data[i]! - w64.data[i]!) < 1e-5);
  });

  it("rejects bad options with torch-style messages and has the documented defaults", () => {
    const w = param([1]);
    assert.throws(() => new LAMB([w], { lr: -0.1 }), /Invalid learning rate: -0.1/);
    assert.throws(() => new LAMB([w], { eps: -1 }), /Invalid epsilon value: -1/);
    assert.throws(() => new LAMB([w], { betas: [0.9, 1] }), /Invalid beta parameter at index 1: 1/);
    assert.throws(() => new LAMB([w], { weightDecay: -1 }), /Invalid weight_decay value: -1/);
    const d = new LAMB([w]).defaults;
    assert.deepEqual(
      { ...d, betas: [...d.betas] },
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0, maximize: false },
    );
  });
});
