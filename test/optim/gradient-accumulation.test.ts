import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdamW, GradientAccumulation, type OptimizerLike, type Param, param, SGD } from "../../src/index.js";

// A linear model pred = w·x + b with loss mean((pred − y)²)/2 over a batch. The data are dyadic
// (multiples of 1/8), so at the start the micro-batch means average to the big-batch mean exactly.
const xs = [
  [0.5, 1],
  [-1.5, 2],
  [1, -0.25],
  [2, 0.5],
  [-0.5, -1],
  [0.25, 0.75],
  [1.5, -2],
  [-1, 0.125],
];
const ys = [1, -0.5, 2, 0.25, -1, 0.5, 1.5, -2];

/** Writes the mean-loss gradient over samples [from, to) into w.grad and b.grad. */
function linearGrad(w: Param, b: Param, from: number, to: number): void {
  let gw0 = 0;
  let gw1 = 0;
  let gb = 0;
  for (let s = from; s < to; s++) {
    const x = xs[s]!;
    const err = w.data[0]! * x[0]! + w.data[1]! * x[1]! + b.data[0]! - ys[s]!;
    gw0 += err * x[0]!;
    gw1 += err * x[1]!;
    gb += err;
  }
  const n = to - from;
  w.grad = new Float64Array([gw0 / n, gw1 / n]);
  b.grad = new Float64Array([gb / n]);
}

function model() {
  return { w: param([0.25, -0.5], { dtype: "float64" }), b: param([0.125], { dtype: "float64" }) };
}

function trainBig(make: (ps: Param[]) => OptimizerLike, steps: number) {
  const { w, b } = model();
  const opt = make([w, b]);
  for (let t = 0; t < steps; t++) {
    linearGrad(w, b, 0, 8);
    opt.step();
  }
  return [...w.data, ...b.data];
}

function trainAccumulated(make: (ps: Param[]) => OptimizerLike, steps: number, micro: number) {
  const { w, b } = model();
  const opt = new GradientAccumulation(make([w, b]), { steps: 8 / micro });
  for (let t = 0; t < steps; t++) {
    for (let m = 0; m < 8; m += micro) {
      linearGrad(w, b, m, m + micro);
      opt.step();
      opt.zeroGrad();
    }
  }
  assert.equal(opt.optimizerSteps, steps);
  return [...w.data, ...b.data];
}

describe("GradientAccumulation", () => {
  const makers: Array<[string, (ps: Param[]) => OptimizerLike]> = [
    [
      "SGD with momentum and weight decay",
      (ps) => new SGD(ps, { lr: 0.125, momentum: 0.5, weightDecay: 0.25 }),
    ],
    ["AdamW with weight decay", (ps) => new AdamW(ps, { lr: 0.1, weightDecay: 0.1 })],
  ];
  for (const [name, make] of makers) {
    it(`equals one big batch exactly on a linear model: ${name}, first step bit for bit`, () => {
      for (const micro of [1, 2, 4])
        assert.deepEqual(trainAccumulated(make, 1, micro), trainBig(make, 1), `micro ${micro}`);
    });

    it(`equals one big batch on a linear model over many steps: ${name} (to float64 rounding)`, () => {
      const big = trainBig(make, 20);
      for (const micro of [1, 2, 4]) {
        const acc = trainAccumulated(make, 20, micro);
        acc.forEach((v, i) => {
          assert.ok(
            Math.abs(v - big[i]!) <= 1e-13 * Math.max(1, Math.abs(big[i]!)),
            `micro ${micro}, [${i}]: ${v} vs ${big[i]}`,
          );
        });
      }
    });
  }

  it("counts optimizer steps, not micro-batches, and applies weight decay once per real step (keras #19990)", () => {
    const w = param([2, -4], { dtype: "float64" });
    const inner = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    const opt = new GradientAccumulation(inner, { steps: 4 });
    for (let m = 0; m < 4; m++) {
      w.grad = new Float64Array([0, 0]); // zero grads: only the decay moves the params
      opt.step();
      assert.equal(opt.microStep, (m + 1) % 4);
    }
    assert.deepEqual([...w.data], [2 * (1 - 0.1 * 0.5), -4 * (1 - 0.1 * 0.5)]);
    assert.equal(inner.state.get(w)!.step, 1);
    assert.equal(opt.optimizerSteps, 1);
  });

  it("leaves the params untouched between real steps", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new GradientAccumulation(new SGD([w], { lr: 1 }), { steps: 3 });
    w.grad = new Float64Array([5, 5]);
    opt.step();
    opt.step();
    assert.deepEqual([...w.data], [1, 2]);
    opt.step();
    assert.deepEqual([...w.data], [-4, -3]);
  });

  it("counts a missing grad as zero, and leaves a param with no grad in the whole cycle alone", () => {
    const a = param([0], { dtype: "float64" });
    const b = param([0], { dtype: "float64" });
    const opt = new GradientAccumulation(new SGD([a, b], { lr: 1 }), { steps: 4 });
    a.grad = new Float64Array([8]);
    opt.step();
    a.grad = null;
    opt.step();
    opt.step();
    opt.step(); // the applying call: a's average is 8/4 although its grad is null now
    assert.equal(a.data[0], -2);
    assert.equal(a.grad, null);
    assert.equal(b.data[0], 0);
    assert.equal(b.grad, null);
  });

  it("round-trips its state dict in the middle of a cycle and resumes bit for bit", () => {
    const run = (opt: GradientAccumulation, w: Param, from: number, to: number) => {
      for (let t = from; t < to; t++) {
        w.grad = new Float32Array([Math.sin(t), Math.cos(t)]);
        opt.step();
      }
    };
    const a = param([1, 2], { dtype: "float32" });
    const optA = new GradientAccumulation(new AdamW([a], { lr: 0.1 }), { steps: 3 });
    run(optA, a, 0, 5); // one real step and two micro-batches of the next
    const sd = structuredClone(optA.stateDict());
    const b = param([...a.data], { dtype: "float32" });
    const optB = new GradientAccumulation(new AdamW([b], { lr: 0.1 }), { steps: 3 });
    optB.loadStateDict(sd);
    assert.equal(optB.microStep, 2);
    run(optA, a, 5, 12);
    run(optB, b, 5, 12);
    assert.deepEqual([...b.data], [...a.data]);
  });

  it("restores the caller's grads and the cycle when the inner step throws, so the call can be retried", () => {
    const w = param([1, 2], { dtype: "float64" });
    const inner = new SGD([w], { lr: 0.5 });
    const opt = new GradientAccumulation(inner, { steps: 2 });
    w.grad = new Float64Array([1, 1]);
    opt.step();
    w.grad = new Float64Array([3, 5]);
    inner.paramGroups[0]!.lr = -1;
    assert.throws(() => opt.step(), /Invalid learning rate: -1/);
    assert.deepEqual([...w.grad!], [3, 5]);
    assert.equal(opt.microStep, 1);
    assert.deepEqual([...w.data], [1, 2]);
    inner.paramGroups[0]!.lr = 0.5;
    opt.step();
    assert.deepEqual([...w.data], [1 - 0.5 * 2, 2 - 0.5 * 3]);
  });

  it("rejects bad options and wrong-sized grads, naming them", () => {
    const w = param([1, 2], { name: "w" });
    const inner = new SGD([w]);
    assert.throws(() => new GradientAccumulation(inner, { steps: 0 }), /Invalid accumulation steps: 0/);
    assert.throws(
      () => new GradientAccumulation(inner, {} as never),
      /Invalid accumulation steps: undefined/,
    );
    const opt = new GradientAccumulation(inner, { steps: 2 });
    (w as { grad: unknown }).grad = null;
    const plain = { data: new Float32Array(2), grad: new Float32Array(3), shape: [2] };
    const opt2 = new GradientAccumulation(new SGD([plain]), { steps: 2 });
    assert.throws(() => opt2.step(), /grad of param 0 has 3 elements but the param has 2/);
    assert.equal(opt.microStep, 0);
  });
});
