import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  LBFGS,
  Lion,
  param,
  RAdam,
  RMSprop,
  Rprop,
  SGD,
} from "../../src/index.js";
import { effectiveStep, elongated, leastSquares, race, raceOptimizer } from "../../src/lab/index.js";

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-12) =>
  b.every((v, i) => Math.abs(a[i]! - v) <= tol * Math.max(1, Math.abs(v)));

/** Takes `steps` steps on constant gradients g and returns the optimizer and its param. */
function stepped<T extends { step(): unknown }>(
  make: (p: ReturnType<typeof param>) => T,
  g: number[],
  steps = 1,
) {
  const p = param(new Float64Array([1, -1]));
  const opt = make(p);
  for (let t = 0; t < steps; t++) {
    p.gradBuffer().set(g);
    opt.step();
  }
  return { p, opt };
}

describe("effectiveStep", () => {
  test("Adagrad: lr/(√h + ε) with h the summed squared gradients, shrinking as 1/√t", () => {
    const { p, opt } = stepped((q) => new Adagrad([q], { lr: 0.5 }), [2, 0.5], 4);
    // h = 4·g²: 16 and 1
    const e = effectiveStep(opt, p)!;
    assert.equal(e.direction, "g");
    assert.ok(close(e.values, [0.5 / (4 + 1e-10), 0.5 / (1 + 1e-10)]));
  });

  test("Adagrad's effective step times the gradient is the move the step made", () => {
    const p = param(new Float64Array([1, -1]));
    const opt = new Adagrad([p], { lr: 0.3, lrDecay: 0.1 });
    for (let t = 0; t < 3; t++) {
      const before = Float64Array.from(p.data);
      const g = [0.5 + t, -1.5 * t + 0.2];
      p.gradBuffer().set(g);
      opt.step();
      const e = effectiveStep(opt, p)!.values;
      for (let i = 0; i < 2; i++) assert.ok(Math.abs(before[i]! - p.data[i]! - e[i]! * g[i]!) < 1e-15);
    }
  });

  test("RMSprop: lr/(√S + ε) with S the moving average of g², which holds steady under steady gradients", () => {
    const { p, opt } = stepped((q) => new RMSprop([q], { lr: 0.01, alpha: 0.9 }), [2, 0.5], 200);
    const e = effectiveStep(opt, p)!.values;
    const s = (g: number) => g * g * (1 - 0.9 ** 200);
    assert.ok(close(e, [0.01 / (Math.sqrt(s(2)) + 1e-8), 0.01 / (Math.sqrt(s(0.5)) + 1e-8)], 1e-10));
  });

  test("RMSprop centered subtracts the squared mean gradient", () => {
    const p = param(new Float64Array([0, 0]));
    const opt = new RMSprop([p], { lr: 0.1, centered: true, alpha: 0.5 });
    p.gradBuffer().set([1, -2]);
    opt.step();
    const s = opt.state.get(p)!;
    const expected = [0, 1].map((i) => 0.1 / (Math.sqrt(s.squareAvg[i]! - s.gradAvg![i]! ** 2) + 1e-8));
    assert.ok(close(effectiveStep(opt, p)!.values, expected));
  });

  test("Adam: lr/(√v̂ + ε) on the bias-corrected momentum; its product with m̂ is the move", () => {
    const p = param(new Float64Array([1, -1]));
    const opt = new Adam([p], { lr: 0.1 });
    for (let t = 1; t <= 3; t++) {
      const before = Float64Array.from(p.data);
      p.gradBuffer().set([0.3 * t, -2]);
      opt.step();
      const e = effectiveStep(opt, p)!;
      assert.equal(e.direction, "m̂");
      const m = opt.state.get(p)!.expAvg;
      for (let i = 0; i < 2; i++) {
        const mHat = m[i]! / (1 - 0.9 ** t);
        assert.ok(Math.abs(before[i]! - p.data[i]! - e.values[i]! * mHat) < 1e-14);
      }
    }
  });

  test("SGD is lr everywhere; Lion is lr on a sign; Rprop is its step sizes; L-BFGS has none", () => {
    const sgd = stepped((q) => new SGD([q], { lr: 0.2, momentum: 0.9 }), [1, 1]);
    assert.deepEqual(effectiveStep(sgd.opt, sgd.p), {
      values: new Float64Array([0.2, 0.2]),
      direction: "momentum",
    });
    const lion = stepped((q) => new Lion([q], { lr: 0.01 }), [1, -1]);
    assert.deepEqual(Array.from(effectiveStep(lion.opt, lion.p)!.values), [0.01, 0.01]);
    const rprop = stepped((q) => new Rprop([q], { lr: 0.01 }), [1, -1], 2);
    assert.ok(close(effectiveStep(rprop.opt, rprop.p)!.values, [0.012, 0.012]));
    const p = param([1, 1]);
    const lbfgs = new LBFGS([p]);
    lbfgs.step(() => {
      p.gradBuffer().set([2, 2]);
      return 2;
    });
    assert.equal(effectiveStep(lbfgs, p), null);
  });

  test("Adamax, RAdam and Adadelta give positive finite steps from their state", () => {
    const makers: ((q: ReturnType<typeof param>) => Adamax | RAdam | Adadelta)[] = [
      (q) => new Adamax([q], { lr: 0.01 }),
      (q) => new RAdam([q], { lr: 0.01 }),
      (q) => new Adadelta([q]),
    ];
    for (const make of makers) {
      const { p, opt } = stepped(make, [0.5, -3], 10);
      const e = effectiveStep(opt, p)!.values;
      assert.ok(
        e.every((v) => v > 0 && Number.isFinite(v)),
        `${opt.constructor.name}: ${e}`,
      );
    }
  });

  test("a param the optimizer does not hold is rejected", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    assert.throws(() => effectiveStep(opt, param([1])), /not in any of the optimizer's groups/);
  });
});

describe("effective steps in races", () => {
  test("with noisy gradients Adagrad's step keeps falling while RMSprop's levels off", () => {
    const fn = leastSquares();
    const result = race(
      fn,
      ["adagrad", "rmsprop"].map((n) => ({ ...raceOptimizer(n, fn, { lr: 0.05 }), batchSize: 1 })),
      { steps: 2000, seed: 1 },
    );
    const [adagrad, rmsprop] = result.runs.map((r) => r.trajectory.effectiveStep!.x);
    assert.ok(adagrad![2000]! < 0.75 * adagrad![500]!, `Adagrad ${adagrad![500]} → ${adagrad![2000]}`);
    const ratio = rmsprop![2000]! / rmsprop![500]!;
    assert.ok(ratio > 0.5 && ratio < 2, `RMSprop ${rmsprop![500]} → ${rmsprop![2000]}`);
  });

  test("on the elongated bowl RMSprop's first steps move both axes equally, SGD's by the curvature", () => {
    const result = race(
      elongated,
      ["sgd", "rmsprop", "adam"].map((n) => raceOptimizer(n, elongated)),
      { steps: 3 },
    );
    const firstMove = (i: number) => {
      const tr = result.runs[i]!.trajectory;
      return Math.abs(tr.y[1]! - tr.y[0]!) / Math.abs(tr.x[1]! - tr.x[0]!);
    };
    // SGD: |Δy|/|Δx| = |g_y|/|g_x| = 4·3 / (0.1·9); RMSprop and Adam: 1
    assert.ok(Math.abs(firstMove(0) - 12 / 0.9) < 1e-9);
    assert.ok(Math.abs(firstMove(1) - 1) < 1e-6);
    assert.ok(Math.abs(firstMove(2) - 1) < 1e-6);
    const e = result.runs[1]!.trajectory.effectiveStep!;
    assert.ok(
      Number.isNaN(e.x[0]!) && e.x[1]! / e.y[1]! > 10,
      "RMSprop's step is larger along the flat axis",
    );
  });
});
