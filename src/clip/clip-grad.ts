// Gradient clipping with torch.nn.utils semantics:
//   clipGradNorm: total = ‖(‖g₁‖ₚ, ‖g₂‖ₚ, …)‖ₚ (= the p-norm over all elements; max |g| for p = ∞),
//                 every grad is scaled by min(1, maxNorm / (total + 1e-6)); returns total (before clipping).
//   clipGradValue: every element clamped to [−clipValue, clipValue].
// Params whose grad is null are ignored.

import type { Buffer } from "../core/arena.js";
import { describe, type Param } from "../core/param.js";
import { boolean, nonNegative, optionError } from "../core/validate.js";

/** Options of `clipGradNorm` (torch's `clip_grad_norm_` `norm_type` and `error_if_nonfinite`). */
export interface ClipGradNormOptions {
  /** p of the norm: any p > 0, or Infinity for the max norm. Default 2. */
  normType?: number;
  /** Throw (changing nothing) when the total norm is NaN or infinite. Default false. */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: readonly Param[] | Param, where: string) {
  const list = Array.isArray(params) ? params : [params as Param];
  return list.map((p, i) => {
    if (p === null || typeof p !== "object" || !("grad" in p)) {
      optionError(`${where}: params[${i}] is not a param, got ${describe(p)}`);
    }
    if (p.sparseGrad !== null && p.sparseGrad !== undefined)
      optionError(`${where}: params[${i}] has a sparse gradient, which ${where} does not support`);
    return p.grad;
  });
}

/**
 * Rescales grads so that their joint p-norm is at most `maxNorm`; returns the norm before clipping.
 * @example
 * const a = param([0, 0]);
 * const b = param([0]);
 * a.grad = new Float32Array([3, 0]);
 * b.grad = new Float32Array([4]);
 * clipGradNorm([a, b], 1); // → 5 (the 2-norm before clipping; the grads now have norm ≈ 1)
 * clipGradNorm([a, b], 0.5, { normType: Infinity }); // → 0.8 (max |g|, after the first clip)
 */
export function clipGradNorm(
  params: readonly Param[] | Param,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): number {
  const where = "clipGradNorm";
  nonNegative(maxNorm, "max_norm value");
  const p = opts.normType ?? 2;
  if (typeof p !== "number" || Number.isNaN(p) || p <= 0)
    optionError(`Invalid norm_type value: ${describe(p)}`);
  const errorIfNonfinite = boolean(opts.errorIfNonfinite ?? false, "error_if_nonfinite value");
  const grads = gradsOf(params, where);
  let total = 0;
  if (p === Number.POSITIVE_INFINITY) {
    for (const g of grads) {
      if (!g) continue;
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]!);
        if (a > total || Number.isNaN(a)) total = a;
      }
      if (Number.isNaN(total)) break;
    }
  } else {
    // the p-norm of per-tensor p-norms, as torch reduces
    let sum = 0;
    for (const g of grads) {
      if (!g) continue;
      let s = 0;
      if (p === 2) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
      else if (p === 1) for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!);
      else for (let i = 0; i < g.length; i++) s += Math.abs(g[i]!) ** p;
      sum += s;
    }
    total = p === 1 ? sum : p === 2 ? Math.sqrt(sum) : sum ** (1 / p);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `The total norm of order ${p} for gradients from \`parameters\` is non-finite (${total}), so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite: false\``,
    );
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1 || Number.isNaN(coef)) {
    for (const g of grads) {
      if (!g) continue;
      for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
    }
  }
  return total;
}

/** The buffer of `clipGradNormUpdate`: one param's grad. */
export interface ClipGradNormBuffers {
  grad: Buffer;
}

/** Which norm `clipGradNormUpdate` takes: the max norm (normType ∞), the 1-norm, else the 2-norm. */
export interface ClipGradNormFlags {
  infNorm: boolean;
  l1: boolean;
}

/** The per-call scalars of `clipGradNormUpdate`. */
export interface ClipGradNormScalars {
  maxNorm: number;
}

/**
 * clipGradNorm's arithmetic as an update rule, for normType 1, 2 or ∞: the kernel generator compiles it to
 * WGSL (src/kernels/generated/wgsl.ts), where the reduction spans every param (a partials pass per grad
 * into one buffer, one finish pass over all of them writing the total norm and the coefficient, then the
 * scale pass per grad), so nothing is read back. On one grad it is clipGradNorm of that grad.
 */
export function clipGradNormUpdate(
  n: number,
  { grad }: ClipGradNormBuffers,
  { infNorm, l1 }: ClipGradNormFlags,
  { maxNorm }: ClipGradNormScalars,
): void {
  let sum = 0;
  let top = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(grad[i]!);
    sum += l1 ? a : a * a;
    top = Math.max(top, a);
  }
  const total = infNorm ? top : l1 ? sum : Math.sqrt(sum);
  const coef = maxNorm / (total + 1e-6);
  for (let i = 0; i < n; i++) {
    if (coef < 1 || Number.isNaN(coef)) {
      grad[i] = grad[i]! * coef;
    }
  }
}

/**
 * Clamps every grad element to [−clipValue, clipValue].
 * @example
 * const w = param([0, 0]);
 * w.grad = new Float32Array([0.5, -0.05]);
 * clipGradValue(w, 0.1);
 * w.grad; // → [0.1, -0.05]
 */
export function clipGradValue(params: readonly Param[] | Param, clipValue: number): void {
  nonNegative(clipValue, "clip_value value");
  for (const g of gradsOf(params, "clipGradValue")) {
    if (!g) continue;
    for (let i = 0; i < g.length; i++) {
      const x = g[i]!;
      g[i] = Math.min(Math.max(x, -clipValue), clipValue);
    }
  }
}
