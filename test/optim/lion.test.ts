import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Lion, type Optimizer, param } from "../../src/index.js";

// Two classic surfaces, written here so this test depends on nothing but Lion.
const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const rosenbrockGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const illConditioned = (x: number, y: number) => 0.5 * (x * x + 100 * y * y);
const illConditionedGrad = (x: number, y: number) => [x, 100 * y];

function minimize(
  make: (w: ReturnType<typeof param>) => Optimizer,
  grad: (x: number, y: number) => number[],
  start: [number, number],
  steps: number,
): [number, number] {
  const w = param(start, { dtype: "float64" });
  const opt = make(w);
  for (let i = 0; i < steps; i++) {
    w.grad = new Float64Array(grad(w.data[0]!, w.data[1]!));
    opt.step();
  }
  return [w.data[0]!, w.data[1]!];
}

describe("Lion", () => {
  it("follows the paper's Algorithm 2 step by step (hand-written float64 reference)", () => {
    // Step 1 worked by hand, θ = [1, -2, 0.5], g = [0.5, -0.5, 0], m = 0, lr = 0.01, λ = 0.1, β = (0.9, 0.99):
    //   c = 0.9·0 + 0.1·g = [0.05, -0.05, 0];  sign(c) = [1, -1, 0]
    //   θ = θ − lr·(sign(c) + λ·θ) = [1 − 0.01·1.1, −2 − 0.01·(−1 − 0.2), 0.5 − 0.01·0.05] = [0.989, −1.988, 0.4995]
    //   m = 0.99·0 + 0.01·g = [0.005, −0.005, 0]
    const lr = 0.01;
    const lambda = 0.1;
    const [b1, b2] = [0.9, 0.99];
    const grads = [
      [0.5, -0.5, 0],
      [-0.2, -0.1, 0.3],
      [0.01, 0.4, -0.02],
      [-1.5, 0.05, 0.001],
    ];
    const theta = [1, -2, 0.5];
    const m = [0, 0, 0];
    const w = param(theta, { dtype: "float64" });
    const opt = new Lion([w], { lr, weightDecay: lambda });
    grads.forEach((g, t) => {
      for (let i = 0; i < 3; i++) {
        const c = b1 * m[i]! + (1 - b1) * g[i]!;
        theta[i] = theta[i]! - lr * (Math.sign(c) + lambda * theta[i]!);
        m[i] = b2 * m[i]! + (1 - b2) * g[i]!;
      }
      w.grad = new Float64Array(g);
      opt.step();
      if (t === 0)
        assert.deepEqual(
          [...w.data].map((x) => Number(x.toFixed(12))),
          [0.989, -1.988, 0.4995],
        );
      for (let i = 0; i < 3; i++) {
        assert.ok(
          Math.abs(w.data[i]! - theta[i]!) <= 1e-15,
          `step ${t + 1}, θ[${i}]: ${w.data[i]} vs ${theta[i]}`,
        );
        assert.ok(Math.abs(opt.state.get(w)!.expAvg[i]! - m[i]!) <= 1e-16, `step ${t + 1}, m[${i}]`);
      }
    });
  });

  it("moves every coordinate by exactly lr when there is no weight decay (the sign update)", () => {
    const w = param([0.25, -0.5, 2], { dtype: "float64" });
    const opt = new Lion([w], { lr: 0.125 });
    w.grad = new Float64Array([3, -1e-9, 1e6]);
    opt.step();
    assert.deepEqual([...w.data], [0.125, -0.375, 1.875]);
  });

  it("with maximize takes exactly the step for the negated gradient", () => {
    const a = param([0.3, -0.7], { dtype: "float64" });
    const b = param([0.3, -0.7], { dtype: "float64" });
    const up = new Lion([a], { lr: 0.01, weightDecay: 0.1, maximize: true });
    const down = new Lion([b], { lr: 0.01, weightDecay: 0.1 });
    for (const g of [
      [0.2, -0.4],
      [-0.1, 0.3],
      [0.5, 0.5],
    ]) {
      a.grad = new Float64Array(g);
      b.grad = new Float64Array(g.map((x) => -x));
      up.step();
      down.step();
    }
    assert.deepEqual([...a.data], [...b.data]);
  });

  it("reduces Rosenbrock from (-1.5, 2) below 0.01 and 0.5·(x² + 100y²) from (1, 1) below 1e-3 in 3000 steps", () => {
    const make = (w: ReturnType<typeof param>) => new Lion([w], { lr: 0.003 }) as unknown as Optimizer;
    const r = minimize(make, rosenbrockGrad, [-1.5, 2], 3000);
    assert.ok(rosenbrock(...r) < 0.01, `Rosenbrock ${rosenbrock(...r)} at ${r}`);
    const q = minimize(make, illConditionedGrad, [1, 1], 3000);
    assert.ok(illConditioned(...q) < 1e-3, `quadratic ${illConditioned(...q)} at ${q}`);
  });

  it("keeps float32 state for float32 params and stays within float32 rounding of the float64 run", () => {
    const w32 = param([1, -2, 0.5], { dtype: "float32" });
    const w64 = param([1, -2, 0.5], { dtype: "float64" });
    const o32 = new Lion([w32], { lr: 0.01, weightDecay: 0.1 });
    const o64 = new Lion([w64], { lr: 0.01, weightDecay: 0.1 });
    for (const g of [
      [0.5, -0.5, 0.25],
      [-0.2, -0.1, 0.3],
    ]) {
      w32.grad = new Float32Array(g);
      w64.grad = new Float64Array(g);
      o32.step();
      o64.step();
    }
    assert.ok(o32.state.get(w32)!.expAvg instanceof Float32Array);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(w32.data[i]! - w64.data[i]!) < 1e-6);
  });

  it("rejects bad options with torch's messages", () => {
    const w = param([1]);
    assert.throws(() => new Lion([w], { lr: -1 }), /Invalid learning rate: -1/);
    assert.throws(() => new Lion([w], { betas: [1, 0.99] }), /Invalid beta parameter at index 0: 1/);
    assert.throws(() => new Lion([w], { betas: [0.9, -0.5] }), /Invalid beta parameter at index 1: -0.5/);
    assert.throws(() => new Lion([w], { weightDecay: Number.NaN }), /Invalid weight_decay value: NaN/);
    assert.throws(() => new Lion([w], { eps: 1e-8 } as never), /unknown option 'eps'/);
  });

  it("defaults to lr 1e-4 and betas (0.9, 0.99), as the paper recommends", () => {
    const opt = new Lion([param([1])]);
    assert.equal(opt.defaults.lr, 1e-4);
    assert.deepEqual(opt.defaults.betas, [0.9, 0.99]);
    assert.equal(opt.defaults.weightDecay, 0);
  });
});
