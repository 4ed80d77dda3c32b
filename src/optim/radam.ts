// RAdam (Liu et al., 2020, "On the Variance of the Adaptive Learning Rate and Beyond",
// https://arxiv.org/abs/1908.03265), as torch.optim.RAdam computes it:
//   θ = θ·(1 − lr·weightDecay) when decoupledWeightDecay, else g = ∇f (negated when maximize) + weightDecay·θ
//   m = lerp(m, g, 1 − β1),  v = β2·v + (1 − β2)·g²
//   ρ∞ = 2/(1 − β2) − 1,  ρt = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
//   ρt > 5: θ = θ − lr · m/(1 − β1ᵗ) · sqrt(1 − β2ᵗ)/(sqrt(v) + ε) · r,  r = sqrt((ρt−4)(ρt−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρt))
//   else:   θ = θ − lr · m/(1 − β1ᵗ)                                   (plain momentum SGD while v is unreliable)
// As in torch, ε is added to the uncorrected sqrt(v) and the correction sits in the numerator.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean } from "../core/validate.js";
import { type AdamFamilyOptions, adamFamilyDefaults, validateAdamFamily } from "./adam-family.js";
import { runRadamUpdate } from "../kernels/generated/radam.js";
import { emaSq, lerp, maximized, withL2 } from "./rule-helpers.js";

/** Options of `RAdam`: torch.optim.RAdam's, camelCased, with its defaults (as Adam's). */
export interface RAdamOptions extends AdamFamilyOptions {
  /**
   * Decay the params as AdamW does instead of adding an L2 term to the gradient. Default false (torch's
   * `decoupled_weight_decay`).
   */
  decoupledWeightDecay: boolean;
}

export const RADAM_DEFAULTS: Readonly<RAdamOptions> = adamFamilyDefaults<RAdamOptions>({
  decoupledWeightDecay: false,
});

/** RAdam's per-param state, torch's `state[p]` camelCased (step, exp_avg, exp_avg_sq). */
export type RAdamState = { step: number; expAvg: Buffer; expAvgSq: Buffer };

function validate(o: RAdamOptions): void {
  validateAdamFamily(o);
  boolean(o.decoupledWeightDecay, "decoupled_weight_decay value");
}

/** The buffers of `radamUpdate`. */
export interface RAdamBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
  expAvgSq: Buffer;
}

/** The flags of `radamUpdate`. */
export interface RAdamFlags {
  maximize: boolean;
  rectify: boolean;
}

/** The per-call scalars of `radamUpdate`. */
export interface RAdamScalars {
  decay: number;
  weightDecay: number;
  lr: number;
  beta1: number;
  beta2: number;
  biasCorrection1: number;
  biasCorrection2Sqrt: number;
  eps: number;
  rect: number;
}

/**
 * The fused RAdam element loop. `rectify` is ρt > 5; `rect` the rectification term r; `decay` multiplies
 * θ first (decoupled weight decay), `weightDecay` is the L2 coefficient (0 when decoupled).
 */
export function radamUpdate(
  n: number,
  { param, grad, expAvg, expAvgSq }: RAdamBuffers,
  { maximize, rectify }: RAdamFlags,
  { decay, weightDecay, lr, beta1, beta2, biasCorrection1, biasCorrection2Sqrt, eps, rect }: RAdamScalars,
): void {
  const w = 1 - beta1;
  for (let i = 0; i < n; i++) {
    const theta = param[i]! * decay;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const m = lerp(expAvg[i]!, g, w);
    const v = emaSq(expAvgSq[i]!, g, beta2);
    expAvg[i] = m;
    expAvgSq[i] = v;
    const corrected = (m / biasCorrection1) * lr;
    if (rectify) {
      param[i] = theta - corrected * (biasCorrection2Sqrt / (Math.sqrt(v) + eps)) * rect;
    } else {
      param[i] = theta - corrected;
    }
  }
}

/**
 * RAdam: Adam whose adaptive step is switched on only once the variance estimate is reliable
 * (a built-in, automatic warmup).
 * @example
 * const w = param([1, -2]);
 * const opt = new RAdam([w], { lr: 1e-3 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<RAdamOptions> = {}) {
    super(params, options, {
      name: "RAdam",
      defaults: RADAM_DEFAULTS,
      validate,
      nonNegativeState: ["expAvgSq"],
    });
  }

  protected initState(p: Param): RAdamState {
    return { step: 0, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: RAdamState, group: ParamGroup<RAdamOptions>): void {
    state.step += 1;
    const { rectify, scalars } = radamScalars(group, state.step);
    runRadamUpdate(
      p.data.length,
      { param: p.data, grad, expAvg: state.expAvg, expAvgSq: state.expAvgSq },
      { maximize: group.maximize, rectify },
      scalars,
    );
  }
}

/**
 * The per-step scalars of `radamUpdate` at step `step` (1 on the first) and whether this step is
 * rectified (ρt > 5); the GPU executor uses them too.
 */
export function radamScalars(group: RAdamOptions, step: number): { rectify: boolean; scalars: RAdamScalars } {
  const { lr, weightDecay } = group;
  const [beta1, beta2] = group.betas;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
  const rectify = rhoT > 5;
  const rect = rectify
    ? (((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) ** 0.5
    : 1;
  const decoupled = group.decoupledWeightDecay && weightDecay !== 0;
  return {
    rectify,
    scalars: {
      decay: decoupled ? 1 - lr * weightDecay : 1,
      weightDecay: decoupled ? 0 : weightDecay,
      lr,
      beta1,
      beta2,
      biasCorrection1,
      biasCorrection2Sqrt: biasCorrection2 ** 0.5,
      eps: group.eps,
      rect,
    },
  };
}
