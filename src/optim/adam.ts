// Adam (Kingma & Ba, 2015, https://arxiv.org/abs/1412.6980), as torch.optim.Adam computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ        (L2 penalty: added to the gradient)
//   m = lerp(m, g, 1−β1)          v = β2·v + (1−β2)·g²      vmax = max(vmax, v) with amsgrad
//   θ = θ − lr/(1−β1ᵗ) · m / (sqrt(v or vmax)/sqrt(1−β2ᵗ) + ε)
// eps sits outside the square root and is not bias-corrected, exactly as in torch. The division by
// sqrt(1−β2ᵗ) is a multiplication by its inverse (computed once per step): one divide per element fewer,
// which is what bounds the SIMD kernel, at a cost of at most an ulp against torch's order.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
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
  { amsgrad, maximize }: AdamFlags,
  { decay, weightDecay, beta1, beta2, stepSize, inverseBiasCorrection2Sqrt, eps }: AdamScalars,
): void {
  const w = 1 - beta1;
  for (let i = 0; i < n; i++) {
    const theta = param[i]! * decay;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const m = lerp(expAvg[i]!, g, w);
    const v = emaSq(expAvgSq[i]!, g, beta2);
    expAvg[i] = m;
    expAvgSq[i] = v;
    let vHat = v;
    if (amsgrad) {
      vHat = Math.max(maxExpAvgSq[i]!, v);
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
  runAdamUpdate(
    p.data.length,
    {
      param: p.data,
      grad,
      expAvg: state.expAvg,
      expAvgSq: state.expAvgSq,
      maxExpAvgSq: state.maxExpAvgSq ?? state.expAvgSq,
    },
    { amsgrad: group.amsgrad, maximize: group.maximize },
    adamScalars(group, state.step, decay, weightDecay),
  );
}

/** The per-step scalars of `adamUpdate` at step `step` (1 on the first); the GPU executor uses them too. */
export function adamScalars(
  group: AdamOptions,
  step: number,
  decay: number,
  weightDecay: number,
): AdamScalars {
  const beta1 = group.betas[0];
  const beta2 = group.betas[1];
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  return {
    decay,
    weightDecay,
    beta1,
    beta2,
    stepSize: group.lr / biasCorrection1,
    inverseBiasCorrection2Sqrt: 1 / Math.sqrt(biasCorrection2),
    eps: group.eps,
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
