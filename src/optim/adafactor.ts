// Adafactor (Shazeer & Stern, 2018, https://arxiv.org/abs/1804.04235), as torch.optim.Adafactor (torch ≥ 2.5)
// computes it, for step t:
//   β̂2 = 1 − t^beta2Decay,  ρ = min(lr, 1/√t),  α = max(ε2, RMS(θ))·ρ       (RMS(θ) before weight decay)
//   θ = θ·(1 − lr·weightDecay)
//   ≥2-D params (over the last two dims, rows × cols, batched over the leading ones):
//     R = lerp(R, mean_cols(g²), 1 − β̂2),  C = lerp(C, mean_rows(g²), 1 − β̂2)      (rowVar, colVar)
//     V̂[r,c] = R[r]·C[c] / max(mean_rows(R), ε1)
//   1-D (and 0-D) params:  V̂ = V = lerp(V, g², 1 − β̂2)                              (variance)
//   U = g / sqrt(max(V̂, ε1²)),  θ = θ − α / max(1, RMS(U)/d) · U
// Torch 2.6's choices that differ from the paper (all kept): lr caps ρ and scales the (decoupled) weight
// decay; ε1 (default: the machine epsilon of the param's dtype) is a floor on the row mean and on V̂, never
// added to the factors (the docs of later versions describe adding it, 2.6's code does not); `d` clips by
// the RMS of the whole update. The factored/vector choice follows the param's shape (`p.shape`).

import type { Buffer } from "../core/arena.js";
import { allocBeside, dtypeOf } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, optionError } from "../core/validate.js";

/** Options of `Adafactor`: torch.optim.Adafactor's, camelCased, with its defaults. */
export interface AdafactorOptions extends BaseOptions {
  /** Default 1e-2. */
  lr: number;
  /**
   * The second moment's decay is 1 − tᵝ with this β: the average lengthens as training goes. Default −0.8
   * (torch's `beta2_decay`).
   */
  beta2Decay: number;
  /** `[ε1, ε2]`: ε1 null means the machine epsilon of the param's dtype. */
  eps: readonly [number | null, number];
  /** Clipping threshold of the update's RMS. Default 1.0. */
  d: number;
  /** Decoupled weight decay: θ ← θ·(1 − lr·weightDecay). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const ADAFACTOR_DEFAULTS: Readonly<AdafactorOptions> = Object.freeze({
  lr: 1e-2,
  beta2Decay: -0.8,
  eps: [null, 1e-3] as const,
  d: 1.0,
  weightDecay: 0,
  maximize: false,
});

/**
 * Adafactor's per-param state: factored row and column variances for a matrix, one variance otherwise
 * (torch's names camelCased).
 */
export type AdafactorState =
  | { step: number; rowVar: Buffer; colVar: Buffer }
  | { step: number; variance: Buffer };

const FLOAT32_EPS = 2 ** -23;
const FLOAT64_EPS = Number.EPSILON;

function isNum(x: unknown): x is number {
  return typeof x === "number" && !Number.isNaN(x);
}

function validate(o: AdafactorOptions): void {
  if (!isNum(o.lr) || !Number.isFinite(o.lr) || o.lr < 0) {
    optionError(`Learning rate should be >= 0 but is: ${describe(o.lr)}`);
  }
  if (!isNum(o.beta2Decay) || !Number.isFinite(o.beta2Decay) || o.beta2Decay > 0) {
    optionError(`beta2_decay should be <= 0 but is: ${describe(o.beta2Decay)}`);
  }
  if (!Array.isArray(o.eps) || o.eps.length !== 2) {
    optionError(`Invalid eps: ${describe(o.eps)} (expected a pair [eps1 or null, eps2])`);
  }
  const [eps1, eps2] = o.eps;
  if (eps1 !== null && (!isNum(eps1) || !Number.isFinite(eps1) || eps1 < 0)) {
    optionError(`epsilon1 should be >= 0 but is: ${describe(eps1)}`);
  }
  if (!isNum(eps2) || !Number.isFinite(eps2) || eps2 < 0) {
    optionError(`epsilon2 should be >= 0 but is: ${describe(eps2)}`);
  }
  if (!isNum(o.d) || o.d < 1) optionError(`Clipping threshold d should be >= 1 but is: ${describe(o.d)}`);
  if (!isNum(o.weightDecay) || !Number.isFinite(o.weightDecay) || o.weightDecay < 0) {
    optionError(`weight_decay should be >= 0 but is: ${describe(o.weightDecay)}`);
  }
  boolean(o.maximize, "maximize value");
}

/** rows × cols of the last two dims and the number of such matrices, or null for a 0-D/1-D param. */
function factoredShape(p: Param): { batch: number; rows: number; cols: number } | null {
  const shape = p.shape;
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== p.data.length) {
    optionError(
      `Adafactor: param shape [${shape.join(", ")}] has ${numel} elements but its data has ${p.data.length}`,
    );
  }
  if (shape.length < 2) return null;
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  return { batch: rows * cols === 0 ? 0 : numel / (rows * cols), rows, cols };
}

/**
 * The factored (≥2-D) Adafactor step over `batch` row-major rows × cols matrices. Not element-wise: the row
 * and column means and the update's RMS are reductions, so it runs in passes (no allocation).
 * `decay` is 1 − lr·weightDecay, `weight` is 1 − β̂2, `alpha` is α.
 */
export function adafactorFactoredUpdate(
  batch: number,
  rows: number,
  cols: number,
  param: Buffer,
  grad: Buffer,
  rowVar: Buffer,
  colVar: Buffer,
  maximize: boolean,
  decay: number,
  weight: number,
  eps1: number,
  alpha: number,
  d: number,
): void {
  const sign = maximize ? -1 : 1;
  const size = rows * cols;
  const eps1Sq = eps1 * eps1;
  // pass 1: the factors, and the sum of squares of the update
  let sumSq = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) {
        const g = grad[base + r * cols + c]!;
        s += g * g;
      }
      const k = b * rows + r;
      rowVar[k] = rowVar[k]! + weight * (s / cols - rowVar[k]!);
    }
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let r = 0; r < rows; r++) {
        const g = grad[base + r * cols + c]!;
        s += g * g;
      }
      const k = b * cols + c;
      colVar[k] = colVar[k]! + weight * (s / rows - colVar[k]!);
    }
    const rowMean = Math.max(meanOf(rowVar, b * rows, rows), eps1);
    for (let r = 0; r < rows; r++) {
      const rv = rowVar[b * rows + r]!;
      for (let c = 0; c < cols; c++) {
        const u =
          (1 / Math.sqrt(Math.max((rv * colVar[b * cols + c]!) / rowMean, eps1Sq))) *
          sign *
          grad[base + r * cols + c]!;
        sumSq += u * u;
      }
    }
  }
  const n = batch * size;
  const coef = alpha / Math.max(1, Math.sqrt(sumSq) / (Math.sqrt(n) * d));
  // pass 2: apply (the update recomputed exactly as in pass 1)
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    const rowMean = Math.max(meanOf(rowVar, b * rows, rows), eps1);
    for (let r = 0; r < rows; r++) {
      const rv = rowVar[b * rows + r]!;
      for (let c = 0; c < cols; c++) {
        const i = base + r * cols + c;
        const u = (1 / Math.sqrt(Math.max((rv * colVar[b * cols + c]!) / rowMean, eps1Sq))) * sign * grad[i]!;
        param[i] = param[i]! * decay - coef * u;
      }
    }
  }
}

function meanOf(buffer: Buffer, offset: number, length: number): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += buffer[offset + i]!;
  return s / length;
}

/** The 1-D (and 0-D) Adafactor step: one pass for the variance and the update's RMS, one to apply. */
export function adafactorVectorUpdate(
  n: number,
  param: Buffer,
  grad: Buffer,
  variance: Buffer,
  maximize: boolean,
  decay: number,
  weight: number,
  eps1: number,
  alpha: number,
  d: number,
): void {
  const eps1Sq = eps1 * eps1;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i]! : grad[i]!;
    const v = variance[i]! + weight * (g * g - variance[i]!);
    variance[i] = v;
    const u = (1 / Math.sqrt(Math.max(v, eps1Sq))) * g;
    sumSq += u * u;
  }
  const coef = alpha / Math.max(1, Math.sqrt(sumSq) / (Math.sqrt(n) * d));
  for (let i = 0; i < n; i++) {
    const g = maximize ? -grad[i]! : grad[i]!;
    param[i] = param[i]! * decay - coef * ((1 / Math.sqrt(Math.max(variance[i]!, eps1Sq))) * g);
  }
}

/**
 * Adafactor's scalars for step `step` (1-based): `weight` = 1 − β̂2 = t^beta2Decay, `rho` = min(lr, 1/√t),
 * `decay` = 1 − lr·weightDecay (the GPU Adafactor uses them too).
 */
export function adafactorScalars(
  step: number,
  group: Pick<AdafactorOptions, "lr" | "beta2Decay" | "weightDecay">,
): { weight: number; rho: number; decay: number } {
  return {
    weight: step ** group.beta2Decay,
    rho: Math.min(group.lr, 1 / step ** 0.5),
    decay: group.weightDecay !== 0 ? 1 - group.lr * group.weightDecay : 1,
  };
}

/**
 * Adafactor: Adam-like per-parameter scaling with a factored second moment (a row and a column vector per
 * matrix instead of a full matrix) and relative step sizes; memory ~O(rows + cols) per matrix.
 * @example
 * const w = param(new Float32Array(6), { shape: [2, 3] });
 * const opt = new Adafactor([w], { lr: 1e-2 });
 * w.grad = new Float32Array([0.1, -0.2, 0.3, 0.1, 0, -0.1]);
 * opt.step();
 */
export class Adafactor extends Optimizer<AdafactorOptions, AdafactorState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdafactorOptions> = {}) {
    super(params, options, {
      name: "Adafactor",
      defaults: ADAFACTOR_DEFAULTS,
      validate,
      nonNegativeState: ["variance", "rowVar", "colVar"],
    });
  }

  protected initState(p: Param): AdafactorState {
    const dtype = dtypeOf(p.data);
    const f = factoredShape(p);
    if (f === null) return { step: 0, variance: allocBeside(p.data, p.data.length, dtype) };
    return {
      step: 0,
      rowVar: allocBeside(p.data, f.batch * f.rows, dtype),
      colVar: allocBeside(p.data, f.batch * f.cols, dtype),
    };
  }

  protected update(p: Param, grad: Buffer, state: AdafactorState, group: ParamGroup<AdafactorOptions>): void {
    const [eps1Option, eps2] = group.eps;
    // torch resolves a null ε1 from the first param of the group it updates and reuses it for the rest of
    // the group; here each param uses its own dtype's epsilon (the same unless a group mixes dtypes)
    const eps1 = eps1Option ?? (p.data instanceof Float32Array ? FLOAT32_EPS : FLOAT64_EPS);
    state.step += 1;
    const { weight, rho, decay } = adafactorScalars(state.step, group);
    const n = p.data.length;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += p.data[i]! * p.data[i]!;
    const alpha = Math.max(eps2, Math.sqrt(sq) / n ** 0.5) * rho;
    if ("variance" in state) {
      adafactorVectorUpdate(
        n,
        p.data,
        grad,
        state.variance,
        group.maximize,
        decay,
        weight,
        eps1,
        alpha,
        group.d,
      );
      return;
    }
    const f = factoredShape(p)!;
    adafactorFactoredUpdate(
      f.batch,
      f.rows,
      f.cols,
      p.data,
      grad,
      state.rowVar,
      state.colVar,
      group.maximize,
      decay,
      weight,
      eps1,
      alpha,
      group.d,
    );
  }
}
