// Optimizer races on a 2-D test surface: every optimizer starts from the same point, runs real descent
// steps on a two-element param, and the run is judged from its trajectory and the surface around its end
// point: converged (within tolerance of the global minimum), diverged (non-finite or blown far away),
// stuck on a plateau (no gradient and no curvature), stuck in a local minimum (a listed non-global minimum,
// or zero gradient with positive curvature), stuck at a saddle, or still moving.
// On a sum-of-examples surface an entry may take its gradient from batches of `batchSize` examples
// (full batch, mini-batch, SGD); the loss recorded and judged is always the full objective's.

import type { OptimizerLike } from "../core/optimizer.js";
import { type Param, type Parameter, param } from "../core/param.js";
import { effectiveStep } from "./effective-step.js";
import { globalMinimum, type Minimum, type Point, type TestFunction } from "./functions.js";
import { verdictText } from "./i18n.js";
import { mulberry32 } from "./random.js";
import { batchSampler, checkBatchSize, isSumOfExamples } from "./stochastic.js";

/** An optimizer in a race: a label for the legend and a factory over the race's single param. */
export interface RaceEntry {
  readonly label: string;
  /** Its colour in figures (`raceOptimizer` gives the optimizer's own; absent: the palette in order). */
  readonly color?: string;
  /** Builds the optimizer over the race's param (the point, 2 values). */
  create(params: Param[]): OptimizerLike;
  /**
   * Examples per gradient on a sum-of-examples surface (1: SGD; the surface's `examples`: full batch).
   * Absent: the exact gradient.
   */
  batchSize?: number;
}

/** Options of `race`. */
export interface RaceOptions {
  /** Where every optimizer starts (default: the surface's `defaultStart`). */
  start?: Point;
  /** Optimizer steps per entry (default 500). */
  steps?: number;
  /** A run has converged when its loss is within `tolerance` of the global minimum (default 1e-3). */
  tolerance?: number;
  /** Seeds the batch shuffling; every entry draws its batches from its own generator with this seed (default 0). */
  seed?: number;
  /** Called after each entry finishes (for progress bars). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * How a race run ended, as `judge` reads its last steps: at the global minimum, blown up, stalled on a flat
 * region, in a local minimum, at a saddle, or still moving.
 */
export type Outcome = "converged" | "diverged" | "plateau" | "local-minimum" | "saddle" | "moving";

/** Positions and losses after 0, 1, …, n steps (n < steps when the run diverged and was stopped). */
export interface Trajectory {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly loss: Float64Array;
  /**
   * The optimizer's effective step per coordinate after each step (index 0 is NaN: no step yet), read from
   * its state by `effectiveStep`; absent for optimizers without one (L-BFGS).
   */
  readonly effectiveStep?: { readonly x: Float64Array; readonly y: Float64Array };
}

/**
 * One run's verdict: where it ended, its loss, the nearest minimum, when it reached tolerance, and why
 * (`outcome`, `reason`).
 */
export interface RaceSummary {
  readonly label: string;
  readonly finalLoss: number;
  readonly final: Point;
  /** The listed minimum nearest the end point (null when the surface lists none). */
  readonly nearestMinimum: Minimum | null;
  readonly distanceToMinimum: number;
  /** The first step whose loss is within tolerance of the global minimum, or null. */
  readonly stepsToTolerance: number | null;
  readonly outcome: Outcome;
  /** Why: the judge's case and the run's numbers behind the outcome (`verdictText` words it in a language). */
  readonly verdict: Verdict;
  /** One sentence with the numbers behind the outcome: `verdictText(verdict, "en")`. */
  readonly reason: string;
}

/** The judge's cases, each with the numbers of the run it read (the last tenth of it: `window` steps). */
export type Verdict =
  | { readonly kind: "non-finite"; readonly loss: number; readonly step: number }
  | { readonly kind: "unbounded"; readonly at: Point; readonly loss: number; readonly steps: number }
  | { readonly kind: "blew-up"; readonly at: Point; readonly loss: number; readonly step: number }
  | { readonly kind: "global-minimum"; readonly minimum: Minimum; readonly tolerance: number }
  | { readonly kind: "local-minimum"; readonly minimum: Minimum; readonly aboveGlobal: number }
  | { readonly kind: "left-domain"; readonly by: number; readonly startLoss: number; readonly loss: number }
  | {
      readonly kind: "flat";
      readonly at: Point;
      readonly gradNorm: number;
      readonly path: number;
      readonly window: number;
    }
  | {
      readonly kind: "saddle";
      readonly at: Point;
      readonly gradNorm: number;
      readonly curvatures: readonly [number, number];
    }
  | {
      readonly kind: "stopped-minimum";
      readonly at: Point;
      readonly loss: number;
      /** loss − the global minimum, or null where the surface lists none. */
      readonly aboveGlobal: number | null;
      readonly gradNorm: number;
    }
  | {
      readonly kind: "stalled";
      readonly at: Point;
      readonly path: number;
      readonly window: number;
      readonly gradNorm: number;
    }
  | {
      readonly kind: "oscillating";
      readonly at: Point;
      readonly path: number;
      readonly net: number;
      readonly window: number;
      readonly loss: number;
    }
  | {
      readonly kind: "moving";
      readonly steps: number;
      /** The loss `window` steps before the end minus the final loss (negative: it rose). */
      readonly drop: number;
      readonly window: number;
      readonly loss: number;
    };

/** One optimizer's run in a race: its label, trajectory and summary. */
export interface RaceRun {
  readonly label: string;
  /** The entry's colour, if it has one. */
  readonly color?: string;
  readonly trajectory: Trajectory;
  readonly summary: RaceSummary;
}

/** What `race` returns: the surface, the start, the settings and one run per entry. */
export interface RaceResult {
  readonly fn: TestFunction;
  readonly start: Point;
  readonly steps: number;
  readonly tolerance: number;
  readonly runs: readonly RaceRun[];
}

/**
 * Races `entries` on `fn`, each from the same start for the same number of steps.
 * @example
 * const result = race(himmelblau, [raceOptimizer("adam", himmelblau)], { steps: 200 });
 * result.runs[0]?.summary.outcome; // → "converged"
 * result.runs[0]?.summary.stepsToTolerance; // → 92
 */
export function race(fn: TestFunction, entries: readonly RaceEntry[], options: RaceOptions = {}): RaceResult {
  checkFunction(fn);
  const start = options.start ?? fn.defaultStart;
  if (!isFinitePoint(start)) {
    throw new RangeError(`race: start must be { x, y } with finite numbers, got ${JSON.stringify(start)}`);
  }
  const steps = options.steps ?? 500;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`race: steps must be a positive integer, got ${steps}`);
  }
  const tolerance = options.tolerance ?? 1e-3;
  if (!(typeof tolerance === "number" && tolerance > 0 && Number.isFinite(tolerance))) {
    throw new RangeError(`race: tolerance must be a positive number, got ${tolerance}`);
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new RangeError("race: expected a non-empty list of optimizers");
  }
  const labels = new Set<string>();
  entries.forEach((e, i) => {
    if (
      e === null ||
      typeof e !== "object" ||
      typeof e.create !== "function" ||
      typeof e.label !== "string"
    ) {
      throw new TypeError(`race: optimizers[${i}] must be { label: string, create(params) }`);
    }
    if (labels.has(e.label))
      throw new RangeError(`race: two optimizers are labelled ${JSON.stringify(e.label)}`);
    labels.add(e.label);
    if (e.batchSize !== undefined) {
      if (!isSumOfExamples(fn)) {
        throw new RangeError(
          `race: optimizers[${i}] asks for batch size ${e.batchSize}, but ${fn.name} is not a sum of examples (use leastSquares() or withGradientNoise())`,
        );
      }
      checkBatchSize(e.batchSize, fn.examples);
    }
  });
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new RangeError(`race: seed must be an integer, got ${seed}`);
  const runs: RaceRun[] = [];
  for (const entry of entries) {
    const trajectory = runOne(fn, entry, start, steps, seed);
    const summary = summarize(fn, entry.label, trajectory, tolerance);
    runs.push({ label: entry.label, ...colorOf(entry), trajectory, summary });
    options.onProgress?.(runs.length, entries.length);
  }
  return { fn, start, steps, tolerance, runs };
}

function checkFunction(fn: TestFunction): void {
  if (fn === null || typeof fn !== "object" || typeof fn.f !== "function" || typeof fn.grad !== "function") {
    throw new TypeError("race: fn must be a test function ({ name, f, grad, minima, domain, ... })");
  }
}

function isFinitePoint(p: Point): boolean {
  return p !== null && typeof p === "object" && Number.isFinite(p.x) && Number.isFinite(p.y);
}

/** How far past the domain a run may go before it counts as blown away. */
function escapeRadius(fn: TestFunction): number {
  return 1e3 * domainDiagonal(fn);
}

function domainDiagonal(fn: TestFunction): number {
  return Math.hypot(fn.domain.x[1] - fn.domain.x[0], fn.domain.y[1] - fn.domain.y[0]);
}

function runOne(fn: TestFunction, entry: RaceEntry, start: Point, steps: number, seed: number): Trajectory {
  const p = param(new Float64Array([start.x, start.y]), { name: "xy" });
  const optimizer = entry.create([p]);
  const xs = new Float64Array(steps + 1);
  const ys = new Float64Array(steps + 1);
  const losses = new Float64Array(steps + 1);
  const ex = new Float64Array(steps + 1).fill(Number.NaN);
  const ey = new Float64Array(steps + 1).fill(Number.NaN);
  let tracked = false;
  const limit = escapeRadius(fn);
  let n = 0;
  // p.data is read afresh each time: a view kept across the optimizer's first step (which allocates its
  // state) may be detached by a growth of descent's memory
  const record = () => {
    const data = p.data;
    xs[n] = data[0]!;
    ys[n] = data[1]!;
    losses[n] = fn.f(data[0]!, data[1]!);
  };
  record();
  // a closure, so optimizers that re-evaluate within a step (L-BFGS) work like the others; a batched
  // entry draws its batch once per step, and every evaluation within the step sees that batch
  let closure = () => {
    const data = p.data;
    fn.grad(data[0]!, data[1]!, p.gradBuffer());
    return fn.f(data[0]!, data[1]!);
  };
  let nextBatch: (() => Int32Array) | null = null;
  let batch: Int32Array = new Int32Array(0);
  if (entry.batchSize !== undefined && isSumOfExamples(fn)) {
    const surface = fn;
    nextBatch = batchSampler(surface.examples, entry.batchSize, mulberry32(seed));
    closure = () => {
      const data = p.data;
      surface.batchGrad(batch, data[0]!, data[1]!, p.gradBuffer());
      return surface.batchLoss(batch, data[0]!, data[1]!);
    };
  }
  for (let t = 1; t <= steps; t++) {
    if (nextBatch !== null) batch = nextBatch();
    optimizer.step(closure);
    n = t;
    record();
    const step = effectiveStep(optimizer, p);
    if (step !== null) {
      tracked = true;
      ex[t] = step.values[0]!;
      ey[t] = step.values[1]!;
    }
    const loss = losses[n]!;
    if (!Number.isFinite(loss) || Math.abs(xs[n]!) > limit || Math.abs(ys[n]!) > limit) break;
  }
  const trajectory = { x: xs.slice(0, n + 1), y: ys.slice(0, n + 1), loss: losses.slice(0, n + 1) };
  return tracked
    ? { ...trajectory, effectiveStep: { x: ex.slice(0, n + 1), y: ey.slice(0, n + 1) } }
    : trajectory;
}

/** Where a `RaceRunner` is: still stepping, finished its steps, or diverged (and stopped). */
export type RaceRunnerStatus = "running" | "done" | "diverged";

/**
 * A race run's path as it grows: positions and losses after 0, 1, … steps, and its status, judged as each
 * step is recorded ("diverged" once the loss or position is non-finite or blown far past the domain, "done"
 * after `steps` steps). `RaceRunner` steps a CPU optimizer along one; the web lab's GPU runs step a
 * descent-optim/webgpu optimizer along another.
 * @example
 * const path = new RacePath(himmelblau, { x: 0, y: 0 }, 2);
 * path.record(1, 1);
 * path.record(3, 2);
 * path.losses.at(-1); // → 0
 * path.status; // → "done"
 */
export class RacePath {
  readonly xs: number[];
  readonly ys: number[];
  readonly losses: number[];
  status: RaceRunnerStatus = "running";
  readonly fn: TestFunction;
  readonly steps: number;
  readonly #limit: number;

  constructor(fn: TestFunction, start: Point, steps: number) {
    this.fn = fn;
    this.steps = steps;
    this.#limit = escapeRadius(fn);
    this.xs = [start.x];
    this.ys = [start.y];
    this.losses = [fn.f(start.x, start.y)];
  }

  /** Records the position after the next step (its loss is the surface's there) and updates the status. */
  record(x: number, y: number): void {
    const loss = this.fn.f(x, y);
    this.xs.push(x);
    this.ys.push(y);
    this.losses.push(loss);
    const limit = this.#limit;
    if (!Number.isFinite(loss) || !Number.isFinite(x) || Math.abs(x) > limit || Math.abs(y) > limit) {
      this.status = "diverged";
    } else if (this.xs.length > this.steps) {
      this.status = "done";
    }
  }
}

/**
 * One optimizer on a surface, stepped a few steps at a time (how the web lab animates a race): positions
 * and losses grow with each step; the run is "diverged" once its loss or position is non-finite or blown
 * far past the domain, and "done" after `steps` steps. The point is a float64 param, or float32 with
 * `dtype: "float32"` (what a GPU run computes in).
 * @example
 * const runner = new RaceRunner(himmelblau, raceOptimizer("adam", himmelblau).create, { x: 0, y: 0 }, 10);
 * runner.advance(4);
 * runner.losses.length; // → 5
 * runner.advance(100);
 * runner.status; // → "done"
 */
export class RaceRunner extends RacePath {
  readonly param: Parameter;
  readonly optimizer: OptimizerLike;

  /** Makes the param at `start` and the optimizer over it (a factory that throws leaves nothing made). */
  constructor(
    fn: TestFunction,
    create: (params: Param[]) => OptimizerLike,
    start: Point,
    steps: number,
    dtype: "float64" | "float32" = "float64",
  ) {
    super(fn, start, steps);
    const p = param((dtype === "float32" ? Float32Array : Float64Array).from([start.x, start.y]), {
      name: "xy",
    });
    this.optimizer = create([p]);
    this.param = p;
  }

  /** Runs up to `k` more steps while the run is running. */
  advance(k: number): void {
    const fn = this.fn;
    const p = this.param;
    for (let s = 0; s < k && this.status === "running"; s++) {
      // p.data is read afresh: the first step allocates state, which may grow (and detach) the memory
      this.optimizer.step(() => {
        const data = p.data;
        fn.grad(data[0]!, data[1]!, p.gradBuffer());
        return fn.f(data[0]!, data[1]!);
      });
      this.record(p.data[0]!, p.data[1]!);
    }
  }
}

/** The Hessian's eigenvalues at (x, y), from central differences of the analytic gradient. */
export function curvature(fn: TestFunction, x: number, y: number): [number, number] {
  const h = 1e-5 * Math.max(1, Math.abs(x), Math.abs(y));
  const a = [0, 0];
  const b = [0, 0];
  fn.grad(x + h, y, a);
  fn.grad(x - h, y, b);
  const hxx = (a[0]! - b[0]!) / (2 * h);
  const hxy1 = (a[1]! - b[1]!) / (2 * h);
  fn.grad(x, y + h, a);
  fn.grad(x, y - h, b);
  const hyy = (a[1]! - b[1]!) / (2 * h);
  const hxy = 0.5 * (hxy1 + (a[0]! - b[0]!) / (2 * h));
  const mean = 0.5 * (hxx + hyy);
  const spread = Math.hypot(0.5 * (hxx - hyy), hxy);
  return [mean - spread, mean + spread];
}

/** The root-mean-square gradient norm over a grid on the domain: the surface's own gradient scale. */
function gradientScale(fn: TestFunction): number {
  const g = [0, 0];
  let sum = 0;
  const k = 24;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const x = fn.domain.x[0] + ((i + 0.5) / k) * (fn.domain.x[1] - fn.domain.x[0]);
      const y = fn.domain.y[0] + ((j + 0.5) / k) * (fn.domain.y[1] - fn.domain.y[0]);
      fn.grad(x, y, g);
      sum += g[0]! ** 2 + g[1]! ** 2;
    }
  }
  return Math.sqrt(sum / (k * k));
}

function summarize(fn: TestFunction, label: string, tr: Trajectory, tolerance: number): RaceSummary {
  const n = tr.loss.length - 1;
  const final = { x: tr.x[n]!, y: tr.y[n]! };
  const finalLoss = tr.loss[n]!;
  const fStar = globalMinimum(fn);
  let nearestMinimum: Minimum | null = null;
  let distanceToMinimum = Number.POSITIVE_INFINITY;
  for (const m of fn.minima) {
    const d = Math.hypot(final.x - m.x, final.y - m.y);
    if (d < distanceToMinimum) {
      distanceToMinimum = d;
      nearestMinimum = m;
    }
  }
  let stepsToTolerance: number | null = null;
  if (Number.isFinite(fStar)) {
    for (let t = 0; t <= n; t++) {
      if (tr.loss[t]! - fStar <= tolerance) {
        stepsToTolerance = t;
        break;
      }
    }
  }
  const base = { label, finalLoss, final, nearestMinimum, distanceToMinimum, stepsToTolerance };
  const { outcome, verdict } = judge(fn, tr, tolerance, nearestMinimum);
  return { ...base, outcome, verdict, reason: verdictText(verdict, "en") };
}

function judge(
  fn: TestFunction,
  tr: Trajectory,
  tolerance: number,
  nearest: Minimum | null,
): { outcome: Outcome; verdict: Verdict } {
  const n = tr.loss.length - 1;
  const x = tr.x[n]!;
  const y = tr.y[n]!;
  const at = { x, y };
  const loss = tr.loss[n]!;
  const start = tr.loss[0]!;
  if (!Number.isFinite(loss) || !Number.isFinite(x) || !Number.isFinite(y)) {
    return { outcome: "diverged", verdict: { kind: "non-finite", loss, step: n } };
  }
  const limit = escapeRadius(fn);
  if (Math.abs(x) > limit || Math.abs(y) > limit) {
    if (fn.minima.length === 0 && loss < start) {
      return { outcome: "moving", verdict: { kind: "unbounded", at, loss, steps: n } };
    }
    return { outcome: "diverged", verdict: { kind: "blew-up", at, loss, step: n } };
  }
  if (nearest !== null && loss - nearest.f <= tolerance && loss >= nearest.f - tolerance) {
    if (nearest.global) {
      return { outcome: "converged", verdict: { kind: "global-minimum", minimum: nearest, tolerance } };
    }
    return {
      outcome: "local-minimum",
      verdict: { kind: "local-minimum", minimum: nearest, aboveGlobal: nearest.f - globalMinimum(fn) },
    };
  }
  const diagonal = domainDiagonal(fn);
  const offDomain = Math.max(
    fn.domain.x[0] - x,
    x - fn.domain.x[1],
    fn.domain.y[0] - y,
    y - fn.domain.y[1],
    0,
  );
  if (offDomain > diagonal && loss > start) {
    return { outcome: "diverged", verdict: { kind: "left-domain", by: offDomain, startLoss: start, loss } };
  }
  // the last tenth of the run (at least 10 steps): how far it went, net and along the path
  const window = Math.min(n, Math.max(10, Math.floor(n / 10)));
  let path = 0;
  for (let t = n - window + 1; t <= n; t++)
    path += Math.hypot(tr.x[t]! - tr.x[t - 1]!, tr.y[t]! - tr.y[t - 1]!);
  const net = Math.hypot(x - tr.x[n - window]!, y - tr.y[n - window]!);
  const stopped = path < 1e-4 * diagonal;
  const g = fn.grad(x, y, [0, 0]);
  const gradNorm = Math.hypot(g[0]!, g[1]!);
  const [lo, hi] = curvature(fn, x, y);
  const scale = gradientScale(fn);
  const curvatureScale = scale / diagonal;
  const flat = gradNorm < 1e-3 * scale && Math.max(Math.abs(lo), Math.abs(hi)) < 1e-3 * curvatureScale;
  if (stopped) {
    if (flat) return { outcome: "plateau", verdict: { kind: "flat", at, gradNorm, path, window } };
    if (lo < -1e-6 * curvatureScale && hi > 1e-6 * curvatureScale) {
      return { outcome: "saddle", verdict: { kind: "saddle", at, gradNorm, curvatures: [lo, hi] } };
    }
    if (lo >= -1e-6 * curvatureScale) {
      const fStar = globalMinimum(fn);
      const aboveGlobal = Number.isFinite(fStar) ? loss - fStar : null;
      return {
        outcome: "local-minimum",
        verdict: { kind: "stopped-minimum", at, loss, aboveGlobal, gradNorm },
      };
    }
    return { outcome: "plateau", verdict: { kind: "stalled", at, path, window, gradNorm } };
  }
  if (net < 0.1 * path) {
    return { outcome: "moving", verdict: { kind: "oscillating", at, path, net, window, loss } };
  }
  const drop = tr.loss[n - window]! - loss;
  return { outcome: "moving", verdict: { kind: "moving", steps: n, drop, window, loss } };
}

/** `{ color }` when the entry has one (so a run without one has no `color` key at all). */
export function colorOf(entry: { readonly color?: string | undefined }): { color?: string } {
  return entry.color === undefined ? {} : { color: entry.color };
}
