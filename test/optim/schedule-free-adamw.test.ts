import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, ScheduleFreeAdamW } from "../../src/index.js";

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const rosenbrockGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const illConditioned = (x: number, y: number) => 0.5 * (x * x + 100 * y * y);
const illConditionedGrad = (x: number, y: number) => [x, 100 * y];

/**
 * The paper's explicit form (Algorithm 1 of "The Road Less Scheduled"), with the reference implementation's
 * bias correction of v and its weights c = (k+1)^r·lrMax^p / Σ: keeps x, z and v, evaluates the gradient
 * at y = (1 − β1)·z + β1·x.
 */
class Reference {
  x: number[];
  z: number[];
  v: number[];
  k = 0;
  lrMax = -1;
  weightSum = 0;
  constructor(
    start: number[],
    readonly o: {
      lr: number;
      beta1: number;
      beta2: number;
      eps: number;
      wd: number;
      warmup: number;
      r: number;
      power: number;
    },
  ) {
    this.x = [...start];
    this.z = [...start];
    this.v = start.map(() => 0);
  }
  y(): number[] {
    return this.z.map((z, i) => (1 - this.o.beta1) * z + this.o.beta1 * this.x[i]!);
  }
  step(g: number[]): void {
    const { o } = this;
    const t = this.k + 1;
    const lr = o.lr * (this.k < o.warmup ? t / o.warmup : 1);
    this.lrMax = Math.max(this.lrMax, lr);
    const weight = t ** o.r * this.lrMax ** o.power;
    this.weightSum += weight;
    const c = weight / this.weightSum;
    const y = this.y();
    for (let i = 0; i < g.length; i++) {
      this.v[i] = o.beta2 * this.v[i]! + (1 - o.beta2) * g[i]! ** 2;
      const vHat = this.v[i]! / (1 - o.beta2 ** t);
      this.z[i] = this.z[i]! - lr * (g[i]! / (Math.sqrt(vHat) + o.eps)) - lr * o.wd * y[i]!;
      this.x[i] = (1 - c) * this.x[i]! + c * this.z[i]!;
    }
    this.k = t;
  }
}

function minimize(grad: (x: number, y: number) => number[], start: [number, number], steps: number) {
  const w = param(start, { dtype: "float64" });
  const opt = new ScheduleFreeAdamW([w], { lr: 0.03 });
  opt.train();
  for (let i = 0; i < steps; i++) {
    w.grad = new Float64Array(grad(w.data[0]!, w.data[1]!));
    opt.step();
  }
  opt.eval();
  return [w.data[0]!, w.data[1]!] as [number, number];
}

const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

describe("ScheduleFreeAdamW", () => {
  it("takes the first step worked by hand from the paper's algorithm", () => {
    // x = z = y = 2, g = 1, lr = 0.1, β = (0.9, 0.999), no decay: v = 0.001, v̂ = 1, z = 2 − 0.1/(1 + 1e-8);
    // c = lr²/lr² = 1, so x = z; y = 0.1·z + 0.9·x = z.
    const w = param([2], { dtype: "float64" });
    const opt = new ScheduleFreeAdamW([w], { lr: 0.1 });
    opt.train();
    w.grad = new Float64Array([1]);
    opt.step();
    const z = 2 - 0.1 / (1 + 1e-8);
    assert.ok(close(w.data[0]!, z, 1e-15));
    assert.ok(close(opt.state.get(w)!.z[0]!, z, 1e-15));
  });

  for (const variant of [
    {
      name: "defaults with lr 0.05",
      lr: 0.05,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      wd: 0,
      warmup: 0,
      r: 0,
      power: 2,
    },
    {
      name: "warmup, weight decay, r and weightLrPower",
      lr: 0.02,
      beta1: 0.8,
      beta2: 0.99,
      eps: 1e-6,
      wd: 0.1,
      warmup: 4,
      r: 0.5,
      power: 1,
    },
  ]) {
    it(`matches the x/y/z form of the paper at every step: ${variant.name}`, () => {
      const start = [1.5, -0.5, 0.25];
      const ref = new Reference(start, variant);
      const w = param(start, { dtype: "float64" });
      const opt = new ScheduleFreeAdamW([w], {
        lr: variant.lr,
        betas: [variant.beta1, variant.beta2],
        eps: variant.eps,
        weightDecay: variant.wd,
        warmupSteps: variant.warmup,
        r: variant.r,
        weightLrPower: variant.power,
      });
      opt.train();
      for (let t = 1; t <= 12; t++) {
        const y = ref.y();
        y.forEach((yi, i) => {
          assert.ok(close(w.data[i]!, yi), `step ${t}: y[${i}] ${w.data[i]} vs ${yi}`);
        });
        const g = y.map((yi, i) => (i + 1) * yi + Math.sin(t + i)); // a gradient taken at y, as in training
        ref.step(g);
        w.grad = new Float64Array(g);
        opt.step();
      }
      opt.eval(); // the params now hold x
      ref.x.forEach((xi, i) => {
        assert.ok(close(w.data[i]!, xi), `x[${i}] ${w.data[i]} vs ${xi}`);
      });
      opt.train(); // and y again
      ref.y().forEach((yi, i) => {
        assert.ok(close(w.data[i]!, yi), `y[${i}] after train()`);
      });
      assert.equal(opt.paramGroups[0]!.k, 12);
    });
  }

  it("refuses to step outside train mode, changing nothing, as the reference does", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new ScheduleFreeAdamW([w]);
    w.grad = new Float64Array([1, 1]);
    assert.throws(() => opt.step(), /not in train mode\. Call opt\.train\(\)/);
    assert.deepEqual([...w.data], [1, 2]);
    assert.equal(opt.state.size, 0);
    opt.train();
    opt.step();
    opt.eval();
    const x = [...w.data];
    assert.throws(() => opt.step(), /not in train mode/);
    assert.deepEqual([...w.data], x);
  });

  it("makes train() and eval() idempotent", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new ScheduleFreeAdamW([w], { lr: 0.1 });
    opt.train();
    for (const g of [
      [1, -1],
      [0.5, 2],
    ]) {
      w.grad = new Float64Array(g);
      opt.step();
    }
    const y = [...w.data];
    opt.train();
    assert.deepEqual([...w.data], y);
    opt.eval();
    const x = [...w.data];
    opt.eval();
    assert.deepEqual([...w.data], x);
    assert.equal(opt.trainMode, false);
  });

  it("reduces Rosenbrock from (-1.5, 2) below 0.01 and 0.5·(x² + 100y²) from (1, 1) below 1e-8 in 3000 steps (at x)", () => {
    const r = minimize(rosenbrockGrad, [-1.5, 2], 3000);
    assert.ok(rosenbrock(...r) < 0.01, `Rosenbrock ${rosenbrock(...r)} at ${r}`);
    const q = minimize(illConditionedGrad, [1, 1], 3000);
    assert.ok(illConditioned(...q) < 1e-8, `quadratic ${illConditioned(...q)} at ${q}`);
  });

  it("round-trips its state dict, group counters included, and resumes bit for bit", () => {
    const grads = [
      [1, -1],
      [0.5, 2],
      [-0.3, 0.1],
      [0.2, 0.2],
      [1, 0],
    ];
    const a = param([1, 2], { dtype: "float32" });
    const optA = new ScheduleFreeAdamW([a], { lr: 0.1, warmupSteps: 3, weightDecay: 0.01 });
    optA.train();
    for (const g of grads.slice(0, 3)) {
      a.grad = new Float32Array(g);
      optA.step();
    }
    const sd = structuredClone(optA.stateDict());
    const b = param([...a.data], { dtype: "float32" });
    const optB = new ScheduleFreeAdamW([b], { lr: 0.1, warmupSteps: 3, weightDecay: 0.01 });
    optB.loadStateDict(sd);
    assert.equal(optB.paramGroups[0]!.k, 3);
    assert.equal(optB.trainMode, true);
    for (const g of grads.slice(3)) {
      a.grad = new Float32Array(g);
      b.grad = new Float32Array(g);
      optA.step();
      optB.step();
    }
    assert.deepEqual([...b.data], [...a.data]);
    assert.ok(optB.state.get(b)!.z instanceof Float32Array);
  });

  it("rejects bad options, including β1 = 0 (x could not be recovered from y and z)", () => {
    const w = param([1]);
    assert.throws(() => new ScheduleFreeAdamW([w], { lr: -1 }), /Invalid learning rate: -1/);
    assert.throws(
      () => new ScheduleFreeAdamW([w], { betas: [0, 0.999] }),
      /Invalid beta parameter at index 0: 0/,
    );
    assert.throws(
      () => new ScheduleFreeAdamW([w], { betas: [0.9, 1] }),
      /Invalid beta parameter at index 1: 1/,
    );
    assert.throws(() => new ScheduleFreeAdamW([w], { warmupSteps: 1.5 }), /Invalid warmup_steps value: 1.5/);
    assert.throws(() => new ScheduleFreeAdamW([w], { r: Number.NaN }), /Invalid r value: NaN/);
    assert.throws(
      () => new ScheduleFreeAdamW([w], { weightLrPower: Number.POSITIVE_INFINITY }),
      /Invalid weight_lr_power value: Infinity/,
    );
    assert.throws(() => new ScheduleFreeAdamW([w], { k: 3 } as never), /unknown option 'k'/);
  });
});
