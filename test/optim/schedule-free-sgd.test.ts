import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, ScheduleFreeSGD } from "../../src/index.js";

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const rosenbrockGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const illConditioned = (x: number, y: number) => 0.5 * (x * x + 100 * y * y);
const illConditionedGrad = (x: number, y: number) => [x, 100 * y];

/** Schedule-free SGD in the paper's explicit form: z is SGD, x the weighted average of z, y between them. */
function referenceRun(
  start: number[],
  grads: (y: number[], t: number) => number[],
  steps: number,
  o: { lr: number; beta: number; wd: number; warmup: number; r: number; power: number },
) {
  const x = [...start];
  const z = [...start];
  let lrMax = -1;
  let weightSum = 0;
  const ys: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const y = z.map((zi, i) => (1 - o.beta) * zi + o.beta * x[i]!);
    ys.push(y);
    const g = grads(y, t);
    const lr = o.lr * (t - 1 < o.warmup ? t / o.warmup : 1);
    lrMax = Math.max(lrMax, lr);
    const weight = t ** o.r * lrMax ** o.power;
    weightSum += weight;
    const c = weight / weightSum;
    for (let i = 0; i < z.length; i++) {
      z[i] = z[i]! - lr * (g[i]! + o.wd * y[i]!);
      x[i] = (1 - c) * x[i]! + c * z[i]!;
    }
  }
  return { x, z, ys };
}

const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function minimize(grad: (x: number, y: number) => number[], start: [number, number], steps: number) {
  const w = param(start, { dtype: "float64" });
  const opt = new ScheduleFreeSGD([w], { lr: 0.01 });
  opt.train();
  for (let i = 0; i < steps; i++) {
    w.grad = new Float64Array(grad(w.data[0]!, w.data[1]!));
    opt.step();
  }
  opt.eval();
  return [w.data[0]!, w.data[1]!] as [number, number];
}

describe("ScheduleFreeSGD", () => {
  it("takes the first step worked by hand: z = z − lr·g, x = z (c = 1), y = z", () => {
    // x = z = 3, g = 2, lr = 0.5: z = 2, c = 1 so x = 2, y = 0.1·2 + 0.9·2 = 2
    const w = param([3], { dtype: "float64" });
    const opt = new ScheduleFreeSGD([w], { lr: 0.5 });
    opt.train();
    w.grad = new Float64Array([2]);
    opt.step();
    assert.equal(w.data[0], 2);
    assert.equal(opt.state.get(w)!.z[0], 2);
  });

  for (const o of [
    { lr: 0.1, beta: 0.9, wd: 0, warmup: 0, r: 0, power: 2 },
    { lr: 0.05, beta: 0.5, wd: 0.2, warmup: 3, r: 1, power: 0.5 },
  ]) {
    it(`matches the paper's x/y/z form at every step (momentum ${o.beta}, weightDecay ${o.wd}, warmupSteps ${o.warmup}, r ${o.r})`, () => {
      const start = [1, -2, 0.5];
      const gradAt = (y: number[], t: number) => y.map((yi, i) => 2 * yi - i + 0.1 * t);
      const ref = referenceRun(start, gradAt, 10, o);
      const w = param(start, { dtype: "float64" });
      const opt = new ScheduleFreeSGD([w], {
        lr: o.lr,
        momentum: o.beta,
        weightDecay: o.wd,
        warmupSteps: o.warmup,
        r: o.r,
        weightLrPower: o.power,
      });
      opt.train();
      for (let t = 1; t <= 10; t++) {
        ref.ys[t - 1]!.forEach((yi, i) => {
          assert.ok(close(w.data[i]!, yi), `step ${t}: y[${i}] ${w.data[i]} vs ${yi}`);
        });
        w.grad = new Float64Array(gradAt([...w.data], t));
        opt.step();
      }
      opt.eval();
      ref.x.forEach((xi, i) => {
        assert.ok(close(w.data[i]!, xi), `x[${i}] ${w.data[i]} vs ${xi}`);
      });
      ref.z.forEach((zi, i) => {
        assert.ok(close(opt.state.get(w)!.z[i]!, zi), `z[${i}]`);
      });
    });
  }

  it("leaves the gradient buffer as it was (the reference adds the weight decay into it)", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new ScheduleFreeSGD([w], { weightDecay: 0.5 });
    opt.train();
    w.grad = new Float64Array([0.25, -0.5]);
    opt.step();
    assert.deepEqual([...w.grad!], [0.25, -0.5]);
  });

  it("reduces Rosenbrock from (-1.5, 2) below 1e-3 and 0.5·(x² + 100y²) from (1, 1) below 1e-5 in 3000 steps (at x)", () => {
    const r = minimize(rosenbrockGrad, [-1.5, 2], 3000);
    assert.ok(rosenbrock(...r) < 1e-3, `Rosenbrock ${rosenbrock(...r)} at ${r}`);
    const q = minimize(illConditionedGrad, [1, 1], 3000);
    assert.ok(illConditioned(...q) < 1e-5, `quadratic ${illConditioned(...q)} at ${q}`);
  });

  it("refuses to step before train(), with the reference's advice", () => {
    const w = param([1]);
    const opt = new ScheduleFreeSGD([w]);
    w.grad = new Float32Array([1]);
    assert.throws(() => opt.step(), /ScheduleFreeSGD\.step: the optimizer is not in train mode/);
  });

  it("puts an added param group in the optimizer's current mode", () => {
    const a = param([1], { dtype: "float64" });
    const opt = new ScheduleFreeSGD([a]);
    opt.train();
    const b = param([2], { dtype: "float64" });
    opt.addParamGroup({ params: [b], lr: 0.5 });
    assert.equal(opt.paramGroups[1]!.trainMode, true);
    a.grad = new Float64Array([1]);
    b.grad = new Float64Array([1]);
    opt.step(); // would throw if the new group were in eval mode
    assert.equal(b.data[0], 1.5);
  });

  it("rejects a momentum outside (0, 1) with the reference's message, and has its defaults", () => {
    const w = param([1]);
    assert.throws(
      () => new ScheduleFreeSGD([w], { momentum: 0 }),
      /Momentum must be between 0 and 1 exclusive: 0/,
    );
    assert.throws(
      () => new ScheduleFreeSGD([w], { momentum: 1 }),
      /Momentum must be between 0 and 1 exclusive: 1/,
    );
    assert.throws(() => new ScheduleFreeSGD([w], { lr: -1 }), /Invalid learning rate: -1/);
    assert.throws(() => new ScheduleFreeSGD([w], { weightDecay: -1 }), /Invalid weight_decay value: -1/);
    const d = new ScheduleFreeSGD([w]).defaults;
    assert.deepEqual(
      { ...d },
      { lr: 1, momentum: 0.9, weightDecay: 0, warmupSteps: 0, r: 0, weightLrPower: 2 },
    );
  });
});
