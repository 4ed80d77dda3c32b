// Adam (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980), as torch.optim.Adam computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ        (L2 penalty: added to the gradient)
//   m = lerp(m, g, 1−β1)          v = β2·v + (1−β2)·g²      vmax = max(vmax, v) with amsgrad
//   θ = θ − lr/(1−β1ᵗ) · m / (sqrt(v or vmax)/sqrt(1−β2ᵗ) + ε)
// eps sits outside the square root and is not bias-corrected, exactly as in torch. The division by
// sqrt(1−β2ᵗ) is a multiplication by its inverse (computed once per step): one divide per element fewer,
// which is what bounds the SIMD kernel, at a cost of at most an ulp against torch's order.

import type { Buffer, Dtype } from "../core/arena.js";
import { dtypeOf, zerosLike } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean } from "../core/validate.js";
import { type AdamFamilyOptions, adamFamilyDefaults, validateAdamFamily } from "./adam-family.js";
import { runAdamUpdate } from "../kernels/generated/adam.js";
import { emaSq, lerp, maximized, withL2 } from "./rule-helpers.js";

/**
 * Options of `Adam` (and `AdamW`): torch.optim.Adam's, camelCased, with its defaults (lr 1e-3, betas [0.9,
 * 0.999], eps 1e-8, weightDecay 0).
 */
export interface AdamOptions extends AdamFamilyOptions {
  /** Use the maximum of past second moments (AMSGrad). Default false. */
  amsgrad: boolean;
}

export const ADAM_DEFAULTS: Readonly<AdamOptions> = adamFamilyDefaults<AdamOptions>({ amsgrad: false });

/** Adam's (and AdamW's) per-param state, torch's `state[p]` camelCased; maxExpAvgSq only with amsgrad. */
export type AdamState = {
  step: number;
  expAvg: Buffer;
  expAvgSq: Buffer;
  maxExpAvgSq?: Buffer;
};

export function validateAdamOptions(o: AdamOptions): void {
  validateAdamFamily(o);
  boolean(o.amsgrad, "amsgrad value");
}

/** What Adam and AdamW know of their state beyond a fresh entry: amsgrad's running max, and the signs. */
export const ADAM_STATE_SPEC = {
  optionalState: (p: Param) => ({ maxExpAvgSq: zerosLike(p.data) }),
  nonNegativeState: ["expAvgSq", "maxExpAvgSq"],
} as const;

export function initAdamState(p: Param, amsgrad: boolean): AdamState {
  const state: AdamState = { step: 0, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  if (amsgrad) state.maxExpAvgSq = zerosLike(p.data);
  return state;
}

/** The buffers of `adamUpdate`. */
export interface AdamBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
  expAvgSq: Buffer;
  maxExpAvgSq: Buffer;
}

/** The flags of `adamUpdate`. */
export interface AdamFlags {
  amsgrad: boolean;
  maximize: boolean;
  /** Keep the moments out of the subnormals where the update cannot see them (see `expAvgSqFloor`). */
  flushSubnormals: boolean;
}

/** The per-call scalars of `adamUpdate`. */
export interface AdamScalars {
  decay: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  stepSize: number;
  inverseBiasCorrection2Sqrt: number;
  eps: number;
  /** A new `expAvgSq` below this is stored as 0: the dtype's smallest normal, or 0 (see `expAvgSqFloor`). */
  expAvgSqFloor: number;
  /** A gradient with |g| below this adds nothing to `expAvgSq` (see `tinyGradFloor`); 0 when never. */
  tinyGradFloor: number;
  /** A new `expAvg` below this in magnitude is stored as 0 where |θ| > `expAvgFlushAbove` (see `expAvgFloor`). */
  expAvgFloor: number;
  /** The |θ| above which a subnormal `expAvg` cannot move θ this step (see `expAvgFloor`). */
  expAvgFlushAbove: number;
}

/** Whether an Adam/AdamW param needs state allocated before the step (first step, amsgrad switched on). */
export function adamNeedsState(state: AdamState | undefined, group: AdamOptions): boolean {
  return state === undefined || (group.amsgrad && state.maxExpAvgSq === undefined);
}

/** Adds the AMSGrad maximum when amsgrad was switched on after the state was created. */
export function ensureAdamState(p: Param, state: AdamState, group: AdamOptions): void {
  if (group.amsgrad) state.maxExpAvgSq ??= zerosLike(p.data);
}

/**
 * The fused Adam/AdamW element loop. `decay` is the multiplier applied to θ first (AdamW's
 * 1 − lr·weightDecay; 1 for Adam), `weightDecay` the L2 coefficient added to the gradient (0 for AdamW).
 */
export function adamUpdate(
  n: number,
  { param, grad, expAvg, expAvgSq, maxExpAvgSq }: AdamBuffers,
  { amsgrad, maximize, flushSubnormals }: AdamFlags,
  {
    decay,
    weightDecay,
    beta1,
    beta2,
    stepSize,
    inverseBiasCorrection2Sqrt,
    eps,
    expAvgSqFloor,
    tinyGradFloor,
    expAvgFloor,
    expAvgFlushAbove,
  }: AdamScalars,
): void {
  const w = 1 - beta1;
  for (let i = 0; i < n; i++) {
    const theta = param[i]! * decay;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const mRaw = lerp(expAvg[i]!, g, w);
    // see expAvgFloor
    const m =
      flushSubnormals && Math.abs(mRaw) < expAvgFloor && Math.abs(theta) > expAvgFlushAbove ? 0 : mRaw;
    const gForV = flushSubnormals && Math.abs(g) < tinyGradFloor ? 0 : g; // see tinyGradFloor
    const vRaw = emaSq(expAvgSq[i]!, gForV, beta2);
    const v = flushSubnormals && vRaw < expAvgSqFloor ? 0 : vRaw; // see expAvgSqFloor
    expAvg[i] = m;
    expAvgSq[i] = v;
    let vHat = v;
    if (amsgrad) {
      const vMax = Math.max(maxExpAvgSq[i]!, v);
      vHat = flushSubnormals && vMax < expAvgSqFloor ? 0 : vMax; // a subnormal max from before the flush
      maxExpAvgSq[i] = vHat;
    }
    param[i] = theta - stepSize * (m / (Math.sqrt(vHat) * inverseBiasCorrection2Sqrt + eps));
  }
}

/** Runs one Adam/AdamW step on one param (shared by both classes). */
export function adamStep(
  p: Param,
  grad: Buffer,
  state: AdamState,
  group: AdamOptions,
  decay: number,
  weightDecay: number,
): void {
  state.step += 1;
  if (group.amsgrad) state.maxExpAvgSq ??= zerosLike(p.data); // amsgrad switched on between steps
  const dtype = dtypeOf(p.data);
  const scalars = adamScalars(group, state.step, decay, weightDecay, dtype);
  const buffers = {
    param: p.data,
    grad,
    expAvg: state.expAvg,
    expAvgSq: state.expAvgSq,
    maxExpAvgSq: state.maxExpAvgSq ?? state.expAvgSq,
  };
  const hinted = state as HintedState;
  const hint = hinted[FLUSH_HINT];
  const sees =
    hint !== undefined && Math.abs(hint) === state.step
      ? hint > 0
      : sampleSeesSubnormals(buffers, state.step, SMALLEST_NORMAL[dtype]);
  const flushSubnormals = scalars.expAvgSqFloor > 0 && sees;
  runAdamUpdate(
    p.data.length,
    buffers,
    { amsgrad: group.amsgrad, maximize: group.maximize, flushSubnormals },
    scalars,
  );
  // the state the next step starts from, sampled now that its buffers are in cache
  const next = state.step + 1;
  hinted[FLUSH_HINT] = sampleSeesSubnormals(buffers, next, SMALLEST_NORMAL[dtype]) ? next : -next;
}

/**
 * `sampleSeesSubnormals` of the state for the step it names (negated: false), kept on the state object
 * under a symbol, which state dicts and clones do not see (a loaded state has none and is sampled afresh).
 */
const FLUSH_HINT = Symbol("descent.adamFlushHint");
type HintedState = AdamState & { [FLUSH_HINT]?: number };

/** How many consecutive elements `sampleSeesSubnormals` looks at per param and step. */
export const SUBNORMAL_SAMPLES = 16;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Whether step `step` should run the flushing variant of the loop: true when one of `SUBNORMAL_SAMPLES`
 * consecutive elements of the state (a block that moves through the param from step to step) has a
 * nonzero moment under the smallest normal `floor`, or a first moment with a zero second moment (what the
 * flushing loop leaves where the gradients are so small that it drops their squares).
 * - Why a choice: the flushes cost compute on every element (1.3–1.7× a float32 step on normal numbers,
 *   `bench/subnormals.ts`), and pay only where subnormals are. A param whose numbers are normal, or exactly
 *   0 (a frozen row once flushed), runs the plain loop. A param with a few subnormal elements that the
 *   block misses computes those few slowly until a later step's block finds one.
 * - The choice is a function of the state the step starts from, so a resumed run makes the same choices
 *   as one that was never interrupted. `adamStep` samples it right after the previous step, when the
 *   buffers are in cache (before the step, each is a cache miss: 0.4 µs a param).
 */
export function sampleSeesSubnormals(
  { expAvg, expAvgSq, maxExpAvgSq }: AdamBuffers,
  step: number,
  floor: number,
): boolean {
  const n = expAvg.length;
  const blocks = Math.ceil(n / SUBNORMAL_SAMPLES);
  if (blocks === 0) return false;
  // the golden ratio's multiples mod 1 spread evenly, so every block is visited whatever their number
  const start = Math.floor(((step * GOLDEN) % 1) * blocks) * SUBNORMAL_SAMPLES;
  const end = Math.min(n, start + SUBNORMAL_SAMPLES);
  for (let i = start; i < end; i++) {
    const m = Math.abs(expAvg[i]!);
    const v = expAvgSq[i]!;
    const vMax = maxExpAvgSq[i]!;
    if ((m > 0 && (m < floor || v === 0)) || (v > 0 && v < floor) || (vMax > 0 && vMax < floor)) return true;
  }
  return false;
}

const SMALLEST_NORMAL: Readonly<Record<Dtype, number>> = { float32: 2 ** -126, float64: 2 ** -1022 };
/** Half an ulp of 1 in each dtype: a relative change below this is lost in rounding. */
const HALF_ULP: Readonly<Record<Dtype, number>> = { float32: 2 ** -25, float64: 2 ** -54 };

/**
 * Where a subnormal `expAvgSq` is flushed to zero: below the dtype's smallest normal v (2⁻¹²⁶, 2⁻¹⁰²²), when
 * that cannot change the update. The update divides by √v̂·c + eps (c = 1/√(1 − β₂ᵗ)); for any v below the
 * smallest normal, √v̂·c is then under half an ulp of eps, so the denominator rounds to the same number
 * whether v is that subnormal or 0. Otherwise (eps 0 or tiny, or β₂ so near 1 that c is huge early on)
 * nothing is flushed and the subnormal is kept, as torch keeps it. Why: a v that reaches the subnormals stays
 * there (β₂·v rounds back to v a few ulps above the smallest subnormal), and arithmetic on it made every later
 * step up to 2.3× slower (`npm run bench:subnormals`). The floor also switches on `tinyGradFloor` and
 * `expAvgFloor`: flushing v alone measured slower in float32, where the first moment stays subnormal too.
 */
export function expAvgSqFloor(eps: number, inverseBiasCorrection2Sqrt: number, dtype: Dtype): number {
  const floor = SMALLEST_NORMAL[dtype];
  // a factor 2 to spare for the rounding of √v̂·c itself
  return 2 * Math.sqrt(floor) * inverseBiasCorrection2Sqrt < eps * HALF_ULP[dtype] ? floor : 0;
}

/**
 * Below which |g| the term (1 − β₂)·g² is dropped from `expAvgSq` (where `expAvgSqFloor` flushes):
 * computing it is arithmetic on subnormals (g² or (1 − β₂)·g² under the smallest normal), which made a
 * float64 step with |g| ≈ 1e-160 3× slower than a normal one, and a float32 step with |g| ≈ 1e-20 2–2.6×,
 * both slower than torch. A dropped term is under the smallest normal; what the drops and the flush leave
 * out of `expAvgSq` (terms decaying by β₂) stays under smallestNormal/(1 − β₂): 2⁻¹⁰¹² (float64), 2⁻¹¹⁶
 * (float32) for β₂ = 0.999.
 * - float64: added to a β₂·v of 2⁻⁹⁶⁸ or more, a dropped term is under half an ulp and changes nothing; and
 *   checked here (a factor 2 to spare) √v̂·c is under half an ulp of eps for every v̂ below 2⁻⁹⁶⁸, so the
 *   denominator is eps either way, and above it the two v̂ agree. The params come out as torch computes
 *   them (tested bit for bit).
 * - float32 has no such room. Checked here instead: the most that was left out moves √v̂·c by under half
 *   an ulp of eps, so a denominator differs from torch's by at most one rounding, and the update by one
 *   ulp, within float32's rounding (tested against the rule run with nothing dropped).
 * 0 (never drop) where the check fails, where β₂ is 1 (the term is 0·g², NaN for an infinite g, as torch
 * computes it), or where nothing is flushed.
 */
export function tinyGradFloor(
  eps: number,
  inverseBiasCorrection2Sqrt: number,
  beta2: number,
  dtype: Dtype,
): number {
  if (expAvgSqFloor(eps, inverseBiasCorrection2Sqrt, dtype) === 0 || !(beta2 < 1)) return 0;
  const floor = SMALLEST_NORMAL[dtype];
  const reach = dtype === "float64" ? floor * 2 ** 54 : floor / (1 - beta2);
  return 2 * Math.sqrt(reach) * inverseBiasCorrection2Sqrt < eps * HALF_ULP[dtype]
    ? Math.sqrt(floor / (1 - beta2))
    : 0;
}

/**
 * Below which |m| a new `expAvg` is stored as 0 (the dtype's smallest normal, where `expAvgSqFloor`
 * flushes; else 0, never). A param whose gradient died (g = 0, a frozen embedding row) has its first moment
 * decay into the subnormals, where β₁·m rounds back to m and it stays for good; every later step then
 * computes on subnormals (float32 Adam 2.6× its normal step, slower than torch, `npm run bench:subnormals`).
 * It is flushed only where |θ| > `expAvgFlushAbove`: there the update, stepSize·m/(√v̂·c + eps) with
 * |m| under the smallest normal and a denominator of at least eps, is under half an ulp of θ, so θ comes out
 * as torch computes it in that step (tested bit for bit). Later the flushed m can show only through the
 * rounding of updates that differ by less than stepSize·smallestNormal/eps (1e-33 in float32 at the
 * defaults), far below either dtype's rounding.
 */
export function expAvgFloor(eps: number, inverseBiasCorrection2Sqrt: number, dtype: Dtype): number {
  return expAvgSqFloor(eps, inverseBiasCorrection2Sqrt, dtype);
}

/** The |θ| above which no first moment under the smallest normal can move θ in this step (see `expAvgFloor`). */
export function expAvgFlushAbove(stepSize: number, eps: number, dtype: Dtype): number {
  // |update| ≤ stepSize·floor/eps (rounding aside: a factor 2 to spare), half an ulp of θ ≥ |θ|·HALF_ULP
  return eps > 0 ? (2 * stepSize * SMALLEST_NORMAL[dtype]) / (eps * HALF_ULP[dtype]) : Infinity;
}

/** The per-step scalars of `adamUpdate` at step `step` (1 on the first); the GPU executor uses them too. */
export function adamScalars(
  group: AdamOptions,
  step: number,
  decay: number,
  weightDecay: number,
  dtype: Dtype = "float32",
): AdamScalars {
  const beta1 = group.betas[0];
  const beta2 = group.betas[1];
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const inverseBiasCorrection2Sqrt = 1 / Math.sqrt(biasCorrection2);
  const stepSize = group.lr / biasCorrection1;
  return {
    decay,
    weightDecay,
    beta1,
    beta2,
    stepSize,
    inverseBiasCorrection2Sqrt,
    eps: group.eps,
    expAvgSqFloor: expAvgSqFloor(group.eps, inverseBiasCorrection2Sqrt, dtype),
    tinyGradFloor: tinyGradFloor(group.eps, inverseBiasCorrection2Sqrt, beta2, dtype),
    expAvgFloor: expAvgFloor(group.eps, inverseBiasCorrection2Sqrt, dtype),
    expAvgFlushAbove: expAvgFlushAbove(stepSize, group.eps, dtype),
  };
}

/**
 * Adam: momentum plus a per-parameter step size normalised by the running RMS of the gradient,
 * with bias correction.
 * @example
 * const w = param([1, -2]);
 * const opt = new Adam([w], { lr: 0.1 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdamOptions> = {}) {
    super(params, options, {
      name: "Adam",
      defaults: ADAM_DEFAULTS,
      validate: validateAdamOptions,
      ...ADAM_STATE_SPEC,
    });
  }

  protected initState(p: Param, group: ParamGroup<AdamOptions>): AdamState {
    return initAdamState(p, group.amsgrad);
  }

  protected override needsAllocation(_p: Param, state: AdamState | undefined, group: AdamOptions): boolean {
    return adamNeedsState(state, group);
  }

  protected override ensureState(p: Param, state: AdamState, group: AdamOptions): void {
    ensureAdamState(p, state, group);
  }

  protected update(p: Param, grad: Buffer, state: AdamState, group: ParamGroup<AdamOptions>): void {
    adamStep(p, grad, state, group, 1, group.weightDecay);
  }
}
