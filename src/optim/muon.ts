// Muon, MomentUm Orthogonalized by Newton–Schulz (Jordan et al., 2024,
// https://kellerjordan.github.io/posts/muon/; "Muon is Scalable for LLM Training", Liu et al., 2025,
// https://arxiv.org/abs/2502.16982), as torch 2.9's torch.optim.Muon computes it:
//   B = lerp(B, G, 1 − μ)                      U = lerp(G, B, μ) with nesterov, else B
//   X = U/max(‖U‖_F, ε), then nsSteps times:   A = X·Xᵀ,  X = a·X + (b·A + c·A²)·X   (on the short side)
//   θ = θ·(1 − lr·weightDecay) − adjustLr(lr, shape)·X
//   adjustLr: "original" (default) √max(1, rows/cols); "match_rms_adamw" 0.2·√max(rows, cols)
// What differs from torch: torch runs Newton–Schulz in bfloat16, descent in float64 (so results agree with
// torch to bfloat16 precision only); and torch takes exactly 2-D params where descent also takes ≥3-D ones,
// flattened to rows = shape[0], cols = the rest (Keller Jordan's reference does this for conv filters).
// Params with fewer than 2 dimensions are rejected, as in torch: give them to AdamW (see the example).

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, integer, nonNegative, oneOf, optionError } from "../core/validate.js";

/**
 * torch's `adjust_lr_fn`: "original" scales lr by √max(1, rows/cols); "match_rms_adamw" by 0.2·√max(rows,
 * cols).
 */
export type MuonAdjustLrFn = "original" | "match_rms_adamw";

/** Options of `Muon`: torch 2.9's torch.optim.Muon's, camelCased, with its defaults. */
export interface MuonOptions extends BaseOptions {
  /** Default 1e-3. */
  lr: number;
  /** Decoupled weight decay: θ ← θ·(1 − lr·weightDecay). Default 0.1 (torch's `weight_decay`). */
  weightDecay: number;
  /** Momentum factor. Default 0.95. */
  momentum: number;
  /** Use the Nesterov form of the momentum. Default true. */
  nesterov: boolean;
  /** The quintic's (a, b, c). */
  nsCoefficients: readonly [number, number, number];
  /** Added to the norm the matrix is divided by before Newton–Schulz. Default 1e-7. */
  eps: number;
  /** Newton–Schulz iterations. Default 5 (torch's `ns_steps`). */
  nsSteps: number;
  /** null means "original", as in torch. */
  adjustLrFn: MuonAdjustLrFn | null;
}

export const MUON_DEFAULTS: Readonly<MuonOptions> = Object.freeze({
  lr: 1e-3,
  weightDecay: 0.1,
  momentum: 0.95,
  nesterov: true,
  nsCoefficients: [3.4445, -4.775, 2.0315] as const,
  eps: 1e-7,
  nsSteps: 5,
  adjustLrFn: null,
});

/** Muon's per-param state, torch's `momentum_buffer`. */
export type MuonState = { momentumBuffer: Buffer };

function fail(message: string): never {
  optionError(message);
}

function validate(o: MuonOptions): void {
  if (typeof o.lr !== "number" || !(o.lr >= 0) || !Number.isFinite(o.lr))
    fail(`Learning rate should be >= 0 but is: ${describe(o.lr)}`);
  if (typeof o.momentum !== "number" || !(o.momentum >= 0) || !Number.isFinite(o.momentum))
    fail(`momentum should be >= 0 but is: ${describe(o.momentum)}`);
  if (typeof o.weightDecay !== "number" || !(o.weightDecay >= 0) || !Number.isFinite(o.weightDecay))
    fail(`weight decay should be >= 0 but is: ${describe(o.weightDecay)}`);
  if (o.adjustLrFn !== null) oneOf(o.adjustLrFn, ["original", "match_rms_adamw"], "adjust_lr_fn value");
  boolean(o.nesterov, "nesterov value");
  nonNegative(o.eps, "epsilon value");
  integer(o.nsSteps, "ns_steps value", 0);
  if (o.nsSteps >= 100) fail("Number of steps must be less than 100 for computational efficiency");
  const c = o.nsCoefficients;
  if (!Array.isArray(c) || c.length !== 3)
    fail(`Coefficients must be a tuple of exactly 3 values, got ${describe(c)}`);
  c.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x))
      fail(`Invalid ns_coefficients value at index ${i}: ${describe(x)}`);
  });
}

/** The matrix a param is orthogonalised as: [shape[0], product of the rest]. */
export function muonMatrixShape(shape: readonly number[]): [number, number] {
  const rows = shape[0] ?? 1;
  let cols = 1;
  for (let d = 1; d < shape.length; d++) cols *= shape[d]!;
  return [rows, cols];
}

/** The lr the orthogonalised update is applied with (torch's `_adjust_lr`). */
export function muonAdjustedLr(
  lr: number,
  adjustLrFn: MuonAdjustLrFn | null,
  rows: number,
  cols: number,
): number {
  if (adjustLrFn === "match_rms_adamw") return lr * 0.2 * Math.sqrt(Math.max(rows, cols));
  return lr * Math.sqrt(Math.max(1, rows / cols));
}

/**
 * The fused momentum loop: B = lerp(B, G, 1 − μ); U = lerp(G, B, μ) (nesterov) or B, written to `update`
 * (a float64 work buffer).
 */
export function muonMomentumUpdate(
  n: number,
  grad: Buffer,
  momentumBuffer: Buffer,
  update: Float64Array,
  nesterov: boolean,
  momentum: number,
): void {
  const w = 1 - momentum;
  for (let i = 0; i < n; i++) {
    const g = grad[i]!;
    const b = momentumBuffer[i]! + w * (g - momentumBuffer[i]!);
    momentumBuffer[i] = b;
    update[i] = nesterov ? g + momentum * (b - g) : b;
  }
}

/** The fused apply loop: θ = θ·decay − stepSize·O, where O is the orthogonalised update. */
export function muonApply(
  n: number,
  param: Buffer,
  ortho: Float64Array,
  decay: number,
  stepSize: number,
): void {
  for (let i = 0; i < n; i++) {
    param[i] = param[i]! * decay - stepSize * ortho[i]!;
  }
}

/** Reusable float64 matrices for Newton–Schulz, grown to the largest param (never per step). */
export class NewtonSchulzWork {
  x = new Float64Array(0);
  next = new Float64Array(0);
  gram = new Float64Array(0);
  poly = new Float64Array(0);

  reserve(rows: number, cols: number): void {
    const size = rows * cols;
    const short = Math.min(rows, cols);
    if (this.x.length < size) {
      this.x = new Float64Array(size);
      this.next = new Float64Array(size);
    }
    if (this.gram.length < short * short) {
      this.gram = new Float64Array(short * short);
      this.poly = new Float64Array(short * short);
    }
  }
}

/**
 * Orthogonalises the row-major rows×cols matrix in `work.x` by `steps` quintic Newton–Schulz iterations
 * (torch's `_zeropower_via_newtonschulz`) and returns the buffer that holds the result (`work.x` or
 * `work.next`). The Gram matrix is taken on the short side: A = X·Xᵀ and X ← a·X + P·X when rows ≤ cols,
 * A = Xᵀ·X and X ← a·X + X·P otherwise, which is torch's transpose–iterate–transpose without the copies.
 */
export function newtonSchulz(
  work: NewtonSchulzWork,
  rows: number,
  cols: number,
  coefficients: readonly [number, number, number],
  steps: number,
  eps: number,
): Float64Array {
  const [a, b, c] = coefficients;
  const size = rows * cols;
  let x = work.x;
  let next = work.next;
  const gram = work.gram;
  const poly = work.poly;
  let sq = 0;
  for (let i = 0; i < size; i++) sq += x[i]! * x[i]!;
  const scale = 1 / Math.max(Math.sqrt(sq), eps);
  for (let i = 0; i < size; i++) x[i] = x[i]! * scale;
  const wide = rows <= cols;
  const k = wide ? rows : cols; // the Gram matrix is k×k
  // Every loop below walks rows of row-major matrices (dot products of rows, or row += scalar·row), and the
  // symmetric Gram matrix and its square are filled in halves and mirrored.
  for (let s = 0; s < steps; s++) {
    // gram = X·Xᵀ (wide: dot products of rows) or Xᵀ·X (tall: a sum of outer products of rows)
    if (wide) {
      for (let i = 0; i < k; i++) {
        for (let j = i; j < k; j++) {
          let sum = 0;
          for (let t = 0; t < cols; t++) sum += x[i * cols + t]! * x[j * cols + t]!;
          gram[i * k + j] = sum;
        }
      }
    } else {
      gram.fill(0, 0, k * k);
      for (let t = 0; t < rows; t++) {
        const row = t * cols;
        for (let i = 0; i < k; i++) {
          const xi = x[row + i]!;
          for (let j = i; j < k; j++) gram[i * k + j] = gram[i * k + j]! + xi * x[row + j]!;
        }
      }
    }
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) gram[i * k + j] = gram[j * k + i]!;
    // poly = b·A + c·A² (A symmetric, so (A²)ᵢⱼ is the dot product of rows i and j)
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        let sum = 0;
        for (let t = 0; t < k; t++) sum += gram[i * k + t]! * gram[j * k + t]!;
        const v = b * gram[i * k + j]! + c * sum;
        poly[i * k + j] = v;
        poly[j * k + i] = v;
      }
    }
    // next = a·X + poly·X (wide) or a·X + X·poly (tall), one output row at a time
    for (let i = 0; i < rows; i++) {
      const out = i * cols;
      for (let j = 0; j < cols; j++) next[out + j] = 0;
      if (wide) {
        for (let t = 0; t < k; t++) {
          const w = poly[i * k + t]!;
          const src = t * cols;
          for (let j = 0; j < cols; j++) next[out + j] = next[out + j]! + w * x[src + j]!;
        }
      } else {
        for (let t = 0; t < k; t++) {
          const w = x[out + t]!;
          const src = t * k;
          for (let j = 0; j < cols; j++) next[out + j] = next[out + j]! + w * poly[src + j]!;
        }
      }
      for (let j = 0; j < cols; j++) next[out + j] = a * x[out + j]! + next[out + j]!;
    }
    const done = x;
    x = next;
    next = done;
  }
  return x;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Throws (torch's message) unless a param of this shape and element count can be orthogonalised: 2 or more
 * dimensions whose product is `length` (the GPU Muon checks its params with this too).
 */
export function checkMuonShape(shape: readonly number[], length: number | undefined): void {
  if (shape.length < 2) {
    fail(
      `Muon only supports parameters with 2 or more dimensions whereas we found a parameter with size: ${shapeText(shape)} (optimize biases and gains with AdamW)`,
    );
  }
  const [rows, cols] = muonMatrixShape(shape);
  if (typeof length === "number" && rows * cols !== length) {
    fail(`Muon: a parameter of shape ${shapeText(shape)} has ${length} elements, not ${rows * cols}`);
  }
}

function checkShapes(params: readonly unknown[]): void {
  for (const p of params) {
    const shape = (p as Param | null)?.shape;
    if (!Array.isArray(shape)) continue; // not a param: the base class names it
    checkMuonShape(shape, (p as Param).data?.length);
  }
}

/**
 * Muon: SGD-momentum whose update for each weight matrix is replaced by the nearest (semi-)orthogonal
 * matrix, so every direction of the matrix moves at the same rate. For the 2-D (and ≥2-D) weights of hidden
 * layers; embeddings, output heads, biases and gains belong to AdamW.
 * @example
 * const W = param([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], { shape: [2, 3] }); // a hidden layer's weights
 * const b = param([0, 0]);                                             // its bias goes to AdamW
 * const muon = new Muon([W], { lr: 0.02, weightDecay: 0.01 });
 * const adamw = new AdamW([b], { lr: 3e-4 });
 * W.grad = new Float32Array([1, 0, 0, 0, 1, 0]);
 * b.grad = new Float32Array([1, 1]);
 * muon.step();
 * adamw.step();
 */
export class Muon extends Optimizer<MuonOptions, MuonState> {
  readonly #work = new NewtonSchulzWork();

  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<MuonOptions> = {}) {
    super(params, options, {
      name: "Muon",
      defaults: MUON_DEFAULTS,
      validate,
      validateParam: (p) => checkShapes([p]),
    });
    for (const p of this.orderedParams()) this.#work.reserve(...muonMatrixShape(p.shape));
  }

  protected override onGroupAdded(group: ParamGroup<MuonOptions>): void {
    for (const p of group.params) this.#work.reserve(...muonMatrixShape(p.shape));
  }

  protected initState(p: Param): MuonState {
    return { momentumBuffer: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: MuonState, group: ParamGroup<MuonOptions>): void {
    const [rows, cols] = muonMatrixShape(p.shape);
    const n = p.data.length;
    if (n === 0) return;
    const work = this.#work;
    work.reserve(rows, cols); // a no-op unless a param's shape was changed after construction
    muonMomentumUpdate(n, grad, state.momentumBuffer, work.x, group.nesterov, group.momentum);
    const ortho = newtonSchulz(work, rows, cols, group.nsCoefficients, group.nsSteps, group.eps);
    const stepSize = muonAdjustedLr(group.lr, group.adjustLrFn, rows, cols);
    muonApply(n, p.data, ortho, 1 - group.lr * group.weightDecay, stepSize);
  }
}
