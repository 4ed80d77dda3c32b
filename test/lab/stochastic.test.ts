import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  batchKind,
  batchSampler,
  elongated,
  isSumOfExamples,
  leastSquares,
  mulberry32,
  race,
  raceOptimizer,
  withGradientNoise,
} from "../../src/lab/index.js";

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe("leastSquares", () => {
  test("the surface is the mean of the examples' squared residuals, and its gradient matches the full batch", () => {
    const fn = leastSquares({ count: 20, seed: 3 });
    for (const [w, b] of [
      [0, 0],
      [1.5, -2],
      [3, 1],
    ] as const) {
      let sum = 0;
      for (let i = 0; i < 20; i++) sum += 0.5 * (w * fn.xs[i]! + b - fn.ys[i]!) ** 2;
      assert.ok(Math.abs(fn.f(w, b) - sum / 20) < 1e-12 * Math.max(1, sum));
      assert.ok(Math.abs(fn.batchLoss(all(20), w, b) - sum / 20) < 1e-12 * Math.max(1, sum));
      const exact = fn.grad(w, b, [0, 0]);
      const batch = fn.batchGrad(all(20), w, b, [0, 0]);
      assert.ok(Math.abs(exact[0]! - batch[0]!) < 1e-12 && Math.abs(exact[1]! - batch[1]!) < 1e-12);
    }
  });

  test("the listed minimum is the normal-equation fit: zero gradient there, and near the line the data came from", () => {
    const fn = leastSquares({ count: 200, w: 2, b: -1, noise: 0.3, seed: 5 });
    const m = fn.minima[0]!;
    const g = fn.grad(m.x, m.y, [0, 0]);
    assert.ok(Math.hypot(g[0]!, g[1]!) < 1e-12);
    assert.ok(Math.abs(m.x - 2) < 0.15 && Math.abs(m.y + 1) < 0.25, `fit ${m.x}, ${m.y}`);
    assert.equal(fn.f(m.x, m.y), m.f);
  });

  test("one example's gradient is that example's residual times (x, 1)", () => {
    const fn = leastSquares({ count: 10, seed: 2 });
    const r = 0.7 * fn.xs[4]! + 0.2 - fn.ys[4]!;
    assert.deepEqual(fn.batchGrad([4], 0.7, 0.2, [0, 0]), [r * fn.xs[4]!, r]);
  });

  test("the same seed gives the same data, another seed other data", () => {
    assert.deepEqual(leastSquares({ seed: 9 }).ys, leastSquares({ seed: 9 }).ys);
    assert.notDeepEqual(leastSquares({ seed: 9 }).ys, leastSquares({ seed: 10 }).ys);
  });

  test("bad options are rejected naming the value", () => {
    assert.throws(() => leastSquares({ count: 1 }), /count must be an integer in \[2, 100000\], got 1/);
    assert.throws(() => leastSquares({ noise: -1 }), /noise must be non-negative, got -1/);
    assert.throws(() => leastSquares({ w: Number.NaN }), /w must be a finite number, got NaN/);
    assert.throws(() => leastSquares({ xMax: 0 }), /xMax must be positive, got 0/);
  });
});

describe("withGradientNoise", () => {
  test("the full batch sees the exact gradient, a single example sees noise of about σ", () => {
    const noisy = withGradientNoise(elongated, { sigma: 2, examples: 400, seed: 4 });
    assert.ok(isSumOfExamples(noisy));
    const exact = elongated.grad(3, -1, [0, 0]);
    const full = noisy.batchGrad(all(400), 3, -1, [0, 0]);
    assert.ok(Math.abs(full[0]! - exact[0]!) < 1e-12 && Math.abs(full[1]! - exact[1]!) < 1e-12);
    let sq = 0;
    for (let i = 0; i < 400; i++) {
      const g = noisy.batchGrad([i], 3, -1, [0, 0]);
      sq += (g[0]! - exact[0]!) ** 2 + (g[1]! - exact[1]!) ** 2;
    }
    const rms = Math.sqrt(sq / 800);
    assert.ok(rms > 1.8 && rms < 2.2, `per-coordinate noise rms ${rms}`);
  });

  test("the examples' losses average to the surface's", () => {
    const noisy = withGradientNoise(elongated, { sigma: 1, examples: 30 });
    assert.ok(Math.abs(noisy.batchLoss(all(30), 2, 1) - elongated.f(2, 1)) < 1e-12);
  });

  test("a negative sigma is rejected", () => {
    assert.throws(
      () => withGradientNoise(elongated, { sigma: -0.1 }),
      /sigma must be non-negative, got -0.1/,
    );
  });
});

describe("batchSampler", () => {
  test("every epoch visits each example once, in a fresh order, the last batch shorter", () => {
    const next = batchSampler(10, 4, mulberry32(1));
    const epoch1 = [next(), next(), next()];
    const epoch2 = [next(), next(), next()];
    assert.deepEqual(
      epoch1.map((b) => b.length),
      [4, 4, 2],
    );
    for (const epoch of [epoch1, epoch2]) {
      assert.deepEqual(
        epoch.flatMap((b) => Array.from(b)).sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i),
      );
    }
    assert.notDeepEqual(
      epoch1.flatMap((b) => Array.from(b)),
      epoch2.flatMap((b) => Array.from(b)),
    );
  });

  test("the full batch is every example in order, every step", () => {
    const next = batchSampler(5, 5, mulberry32(1));
    assert.deepEqual(Array.from(next()), [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(next()), [0, 1, 2, 3, 4]);
  });

  test("a batch size outside [1, n] is rejected", () => {
    assert.throws(
      () => batchSampler(5, 0, mulberry32(1)),
      /batch size must be an integer in \[1, 5\].*got 0/,
    );
    assert.throws(() => batchSampler(5, 6, mulberry32(1)), /got 6/);
    assert.throws(() => batchSampler(5, 2.5, mulberry32(1)), /got 2.5/);
  });

  test("batchKind names full batch, mini-batch and SGD", () => {
    assert.deepEqual([batchKind(48, 48), batchKind(8, 48), batchKind(1, 48)], ["full", "mini", "stochastic"]);
  });
});

describe("race with batch sizes", () => {
  const fn = leastSquares();
  const entries = (sizes: number[], name = "sgd") =>
    sizes.map((b) => ({ ...raceOptimizer(name, fn, { label: `B=${b}` }), batchSize: b }));

  test("full batch follows the exact-gradient path; mini-batch and SGD wander off it, SGD the most", () => {
    const exact = race(fn, [raceOptimizer("sgd", fn)], { steps: 100 }).runs[0]!.trajectory;
    const result = race(fn, entries([48, 8, 1]), { steps: 100, seed: 1 });
    const deviation = (run: (typeof result.runs)[number]) => {
      let d = 0;
      for (let t = 0; t <= 100; t++) {
        d = Math.max(d, Math.hypot(run.trajectory.x[t]! - exact.x[t]!, run.trajectory.y[t]! - exact.y[t]!));
      }
      return d;
    };
    const [full, mini, sgd] = result.runs.map(deviation);
    assert.ok(full! < 1e-12, `full batch deviates by ${full}`);
    assert.ok(mini! > 1e-3 && sgd! > mini!, `mini ${mini}, sgd ${sgd}`);
  });

  test("near the end SGD's loss bounces above the full batch's, which has converged", () => {
    const result = race(fn, entries([48, 1]), { steps: 300, seed: 1 });
    const [full, sgd] = result.runs;
    assert.equal(full!.summary.outcome, "converged", full!.summary.reason);
    assert.ok(sgd!.summary.finalLoss > full!.summary.finalLoss);
  });

  test("the same seed reproduces a run exactly; another seed draws other batches", () => {
    const a = race(fn, entries([4]), { steps: 50, seed: 3 }).runs[0]!.trajectory;
    const b = race(fn, entries([4]), { steps: 50, seed: 3 }).runs[0]!.trajectory;
    const c = race(fn, entries([4]), { steps: 50, seed: 4 }).runs[0]!.trajectory;
    assert.deepEqual(a.x, b.x);
    assert.notDeepEqual(a.x, c.x);
  });

  test("a batch size on a surface without examples, or outside [1, N], is rejected before anything runs", () => {
    assert.throws(
      () => race(elongated, [{ ...raceOptimizer("sgd", elongated), batchSize: 4 }]),
      /optimizers\[0\] asks for batch size 4, but elongated is not a sum of examples/,
    );
    assert.throws(() => race(fn, entries([49])), /batch size must be an integer in \[1, 48\].*got 49/);
    assert.throws(() => race(fn, entries([4]), { seed: 0.5 }), /seed must be an integer, got 0.5/);
  });
});
