// Surfaces that are sums of examples, f(θ) = (1/N)·Σᵢ fᵢ(θ), so that a race can take a gradient from a
// batch of B examples instead of all N: full batch (B = N, the exact gradient), mini-batch (1 < B < N) and
// stochastic gradient descent (B = 1), as the seed note compares them. Two kinds:
// - least squares on a small synthetic data set (yᵢ ≈ w·xᵢ + b), the note's (w, b) model;
// - any analytic surface with per-example gradient noise: fᵢ(θ) = f(θ) + nᵢ·θ with Σᵢ nᵢ = 0, so the
//   full batch is exact and a batch of B has the noise of B draws without replacement.
// Batches are drawn as torch's DataLoader(shuffle=True, drop_last=False) draws them: every epoch a fresh
// permutation of the N examples, cut into consecutive batches (the last one shorter when B does not divide N).

import type { Minimum, TestFunction, Vec2 } from "./functions.js";
import { mulberry32, normal, type Rng, shuffle } from "./random.js";

/** A surface that is the mean of `examples` terms, with the gradient and loss of any batch of them. */
export interface SumOfExamples extends TestFunction {
  /** N: how many examples the full batch holds. */
  readonly examples: number;
  /** Writes the mean gradient of the examples listed in `batch` into `out`; returns out. */
  batchGrad<T extends Vec2>(batch: ArrayLike<number>, x: number, y: number, out: T): T;
  /** The mean loss of the examples listed in `batch`. */
  batchLoss(batch: ArrayLike<number>, x: number, y: number): number;
  /** Names of the two coordinates (least squares: "w" and "b"). */
  readonly axes: readonly [string, string];
}

/** Whether `fn` is a sum of examples (so a race may take batch gradients from it). */
export function isSumOfExamples(fn: TestFunction): fn is SumOfExamples {
  const s = fn as Partial<SumOfExamples>;
  return (
    typeof s.batchGrad === "function" && typeof s.batchLoss === "function" && Number.isInteger(s.examples)
  );
}

/** Options of `leastSquares`: how many examples, the line they scatter around, the noise, the seed. */
export interface LeastSquaresOptions {
  /** How many (x, y) examples (default 48). */
  count?: number;
  /** The slope of the line the data scatter around (default 2). */
  w?: number;
  /** The line's intercept (default −1). */
  b?: number;
  /** Standard deviation of y around the line (default 0.5). */
  noise?: number;
  /** x is uniform on [0, xMax] (default 3): a positive mean couples w and b into a diagonal valley. */
  xMax?: number;
  /** Seed of the examples (default 1). */
  seed?: number;
}

/** A least-squares data set and its surface. */
export interface LeastSquares extends SumOfExamples {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
}

/**
 * Least squares on N seeded points, L(w, b) = (1/N)·Σᵢ ½·(w·xᵢ + b − yᵢ)²: the race's x is w and its y is b.
 * The minimum is the normal-equation solution; the Hessian [[E x², E x], [E x, 1]] makes the valley narrow.
 * @example
 * const fn = leastSquares({ count: 48, seed: 1 });
 * fn.examples; // → 48
 * fn.minima[0]!.x; // → 2.0077 (the fitted w, near the true 2)
 */
export function leastSquares(options: LeastSquaresOptions = {}): LeastSquares {
  const count = options.count ?? 48;
  if (!Number.isInteger(count) || count < 2 || count > 100000) {
    throw new RangeError(`leastSquares: count must be an integer in [2, 100000], got ${count}`);
  }
  const trueW = finiteOption(options.w ?? 2, "w");
  const trueB = finiteOption(options.b ?? -1, "b");
  const noise = finiteOption(options.noise ?? 0.5, "noise");
  if (noise < 0) throw new RangeError(`leastSquares: noise must be non-negative, got ${noise}`);
  const xMax = finiteOption(options.xMax ?? 3, "xMax");
  if (!(xMax > 0)) throw new RangeError(`leastSquares: xMax must be positive, got ${xMax}`);
  const seed = options.seed ?? 1;
  const rng = mulberry32(seed);
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    xs[i] = xMax * rng();
    ys[i] = trueW * xs[i]! + trueB + noise * normal(rng);
  }
  // normal equations of the mean squared error: [Sxx Sx; Sx 1]·(w, b) = (Sxy, Sy)
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < count; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
    sxx += xs[i]! * xs[i]!;
    sxy += xs[i]! * ys[i]!;
  }
  sx /= count;
  sy /= count;
  sxx /= count;
  sxy /= count;
  const det = sxx - sx * sx;
  if (!(det > 0)) throw new RangeError("leastSquares: the xs are all equal; w and b cannot both be fitted");
  const w = (sxy - sx * sy) / det;
  const b = sy - w * sx;
  const batchLoss = (batch: ArrayLike<number>, pw: number, pb: number) => {
    let sum = 0;
    for (let k = 0; k < batch.length; k++) {
      const i = batch[k]!;
      const r = pw * xs[i]! + pb - ys[i]!;
      sum += 0.5 * r * r;
    }
    return sum / batch.length;
  };
  const batchGrad = <T extends Vec2>(batch: ArrayLike<number>, pw: number, pb: number, out: T): T => {
    let gw = 0;
    let gb = 0;
    for (let k = 0; k < batch.length; k++) {
      const i = batch[k]!;
      const r = pw * xs[i]! + pb - ys[i]!;
      gw += r * xs[i]!;
      gb += r;
    }
    out[0] = gw / batch.length;
    out[1] = gb / batch.length;
    return out;
  };
  const all = Int32Array.from({ length: count }, (_, i) => i);
  const fStar = batchLoss(all, w, b);
  const minimum: Minimum = { x: w, y: b, f: fStar, global: true };
  return {
    name: "least-squares",
    title: "Least squares",
    description: `a line fitted to ${count} noisy points: each example's gradient points its own way`,
    // the mean of the examples' losses, in closed form (so it costs the same at any N)
    f: (pw, pb) => {
      const dw = pw - w;
      const db = pb - b;
      return fStar + 0.5 * (sxx * dw * dw + 2 * sx * dw * db + db * db);
    },
    grad(pw, pb, out) {
      const dw = pw - w;
      const db = pb - b;
      out[0] = sxx * dw + sx * db;
      out[1] = sx * dw + db;
      return out;
    },
    minima: [minimum],
    saddles: [],
    // around the line the data were drawn from (round numbers), not the fit
    domain: { x: [trueW - 3, trueW + 3], y: [trueB - 3.5, trueB + 3.5] },
    defaultStart: { x: trueW - 2.5, y: trueB + 3 },
    suggestedLr: { sgd: 0.1, adaptive: 0.05 },
    contourScale: "linear",
    examples: count,
    batchGrad,
    batchLoss,
    axes: ["w", "b"],
    xs,
    ys,
  };
}

/** Options of `withGradientNoise`. */
export interface GradientNoiseOptions {
  /** Standard deviation of one example's gradient noise, per coordinate. */
  sigma: number;
  /** N: how many noisy examples make the full batch (default 64). */
  examples?: number;
  /** Seed of the noise (default 1). */
  seed?: number;
}

/**
 * `fn` as a mean of N examples fᵢ(θ) = f(θ) + nᵢ·θ, with nᵢ drawn from N(0, σ²) and centred (Σᵢ nᵢ = 0):
 * the full batch sees the exact gradient, a batch of B sees the noise of B examples drawn without replacement.
 * @example
 * const noisy = withGradientNoise(elongated, { sigma: 1, examples: 16 });
 * noisy.batchGrad([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], 1, 1, [0, 0]); // → [0.1, 4] (exact: the noise of all examples cancels)
 */
export function withGradientNoise(fn: TestFunction, options: GradientNoiseOptions): SumOfExamples {
  const sigma = finiteOption(options.sigma, "sigma");
  if (sigma < 0) throw new RangeError(`withGradientNoise: sigma must be non-negative, got ${sigma}`);
  const count = options.examples ?? 64;
  if (!Number.isInteger(count) || count < 2 || count > 100000) {
    throw new RangeError(`withGradientNoise: examples must be an integer in [2, 100000], got ${count}`);
  }
  const rng = mulberry32(options.seed ?? 1);
  const nx = new Float64Array(count);
  const ny = new Float64Array(count);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < count; i++) {
    nx[i] = sigma * normal(rng);
    ny[i] = sigma * normal(rng);
    mx += nx[i]!;
    my += ny[i]!;
  }
  for (let i = 0; i < count; i++) {
    nx[i]! -= mx / count;
    ny[i]! -= my / count;
  }
  const meanNoise = (batch: ArrayLike<number>): [number, number] => {
    let sx = 0;
    let sy = 0;
    for (let k = 0; k < batch.length; k++) {
      sx += nx[batch[k]!]!;
      sy += ny[batch[k]!]!;
    }
    return [sx / batch.length, sy / batch.length];
  };
  return {
    ...fn,
    name: `${fn.name}+noise`,
    title: `${fn.title} (noisy gradients)`,
    description: `${fn.description}; each of ${count} examples adds gradient noise σ = ${sigma}`,
    examples: count,
    batchGrad(batch, x, y, out) {
      fn.grad(x, y, out);
      const [ex, ey] = meanNoise(batch);
      out[0] = out[0]! + ex;
      out[1] = out[1]! + ey;
      return out;
    },
    batchLoss(batch, x, y) {
      const [ex, ey] = meanNoise(batch);
      return fn.f(x, y) + ex * x + ey * y;
    },
    axes: ["x", "y"],
  };
}

/**
 * The batches of an epoch-wise shuffled sampler, one call per step: a fresh permutation of 0 … n − 1 each
 * epoch, cut into consecutive batches of `batchSize` (the last shorter when it does not divide n).
 * @example
 * const next = batchSampler(5, 2, mulberry32(0));
 * [next().length, next().length, next().length, next().length]; // → [2, 2, 1, 2]
 */
export function batchSampler(n: number, batchSize: number, rng: Rng): () => Int32Array {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`batchSampler: n must be a positive integer, got ${n}`);
  checkBatchSize(batchSize, n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let at = n;
  return () => {
    if (at >= n) {
      // the full batch needs no shuffling (and draws nothing, so its runs do not depend on the seed)
      if (batchSize < n) shuffle(order, rng);
      at = 0;
    }
    const batch = order.slice(at, Math.min(n, at + batchSize));
    at += batchSize;
    return batch;
  };
}

/** Throws unless `batchSize` is an integer in [1, n]. */
export function checkBatchSize(batchSize: unknown, n: number): void {
  if (!(typeof batchSize === "number" && Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= n)) {
    throw new RangeError(
      `batch size must be an integer in [1, ${n}] (the examples), got ${String(batchSize)}`,
    );
  }
}

/** "full batch", "mini-batch 8", "SGD (batch 1)": the note's names for a batch size out of n. */
export function batchKind(batchSize: number, n: number): "full" | "mini" | "stochastic" {
  return batchSize >= n ? "full" : batchSize === 1 ? "stochastic" : "mini";
}

function finiteOption(v: number, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new RangeError(`${name} must be a finite number, got ${v}`);
  return v;
}
