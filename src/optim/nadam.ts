// NAdam (Dozat, 2016, "Incorporating Nesterov Momentum into Adam"), as torch.optim.NAdam computes it:
//   θ = θ·(1 − lr·weightDecay) when decoupledWeightDecay, else g = ∇f (negated when maximize) + weightDecay·θ
//   μt = β1·(1 − ½·0.96^(t·ψ)),  μt+1 likewise,  Πt = Πt−1·μt         (ψ = momentumDecay; Π = muProduct)
//   m = lerp(m, g, 1 − β1),  v = β2·v + (1 − β2)·g²
//   θ = θ − lr·(1 − μt)/(1 − Πt) · g/d − lr·μt+1/(1 − Πt·μt+1) · m/d,   d = sqrt(v/(1 − β2ᵗ)) + ε
// Torch's quirks kept: the bias-corrected v is inside the square root (unlike Adam), and the two terms are
// applied as two separate additions (gradient first). torch 1.13 multiplied mu twice into muProduct;
// 2.x (and this) does not.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean, nonNegative } from "../core/validate.js";
import { type AdamFamilyOptions, adamFamilyDefaults, validateAdamFamily } from "./adam-family.js";
import { runNadamUpdate } from "../kernels/generated/nadam.js";
import { emaSq, lerp, maximized, withL2 } from "./rule-helpers.js";

/** Options of `NAdam`: torch.optim.NAdam's, camelCased, with its defaults (lr 2e-3; the rest as Adam's). */
export interface NAdamOptions extends AdamFamilyOptions {
  /** ψ of the momentum schedule μₜ = β1·(1 − ½·0.96^(t·ψ)). Default 4e-3 (torch's `momentum_decay`). */
  momentumDecay: number;
  /**
   * Decay the params as AdamW does instead of adding an L2 term to the gradient. Default false (torch's
   * `decoupled_weight_decay`).
   */
  decoupledWeightDecay: boolean;
}

export const NADAM_DEFAULTS: Readonly<NAdamOptions> = adamFamilyDefaults<NAdamOptions>({
  lr: 2e-3,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
});

/** NAdam's per-param state, torch's `state[p]` camelCased (step, mu_product, exp_avg, exp_avg_sq). */
export type NAdamState = { step: number; muProduct: number; expAvg: Buffer; expAvgSq: Buffer };

function validate(o: NAdamOptions): void {
  validateAdamFamily(o);
  nonNegative(o.momentumDecay, "momentum_decay value");
  boolean(o.decoupledWeightDecay, "decoupled_weight_decay value");
}

/** The buffers of `nadamUpdate`. */
export interface NAdamBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
  expAvgSq: Buffer;
}

/** The flags of `nadamUpdate`. */
export interface NAdamFlags {
  maximize: boolean;
}

/** The per-call scalars of `nadamUpdate`. */
export interface NAdamScalars {
  decay: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  biasCorrection2: number;
  eps: number;
  gradCoef: number;
  avgCoef: number;
}

/**
 * The fused NAdam element loop. `decay` multiplies θ first (1 − lr·weightDecay when decoupled, else 1);
 * `weightDecay` is the L2 coefficient (0 when decoupled). `gradCoef` and `avgCoef` are the (negative)
 * multipliers of g/d and m/d.
 */
export function nadamUpdate(
  n: number,
  { param, grad, expAvg, expAvgSq }: NAdamBuffers,
  { maximize }: NAdamFlags,
  { decay, weightDecay, beta1, beta2, biasCorrection2, eps, gradCoef, avgCoef }: NAdamScalars,
): void {
  const w = 1 - beta1;
  for (let i = 0; i < n; i++) {
    let theta = param[i]! * decay;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const m = lerp(expAvg[i]!, g, w);
    const v = emaSq(expAvgSq[i]!, g, beta2);
    expAvg[i] = m;
    expAvgSq[i] = v;
    const denom = Math.sqrt(v / biasCorrection2) + eps;
    theta = theta + gradCoef * (g / denom);
    param[i] = theta + avgCoef * (m / denom);
  }
}

/**
 * NAdam: Adam with Nesterov momentum (the update looks one momentum step ahead), with torch's
 * momentum-decay schedule for μt.
 * @example
 * const w = param([1, -2]);
 * const opt = new NAdam([w], { lr: 2e-3, decoupledWeightDecay: true, weightDecay: 0.01 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<NAdamOptions> = {}) {
    super(params, options, {
      name: "NAdam",
      defaults: NADAM_DEFAULTS,
      validate,
      nonNegativeState: ["muProduct", "expAvgSq"],
    });
  }

  protected initState(p: Param): NAdamState {
    return { step: 0, muProduct: 1, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: NAdamState, group: ParamGroup<NAdamOptions>): void {
    state.step += 1;
    const { muProduct, scalars } = nadamScalars(group, state.step, state.muProduct);
    state.muProduct = muProduct;
    runNadamUpdate(
      p.data.length,
      { param: p.data, grad, expAvg: state.expAvg, expAvgSq: state.expAvgSq },
      { maximize: group.maximize },
      scalars,
    );
  }
}

/**
 * The per-step scalars of `nadamUpdate` at step `step` (1 on the first) and the new muProduct (Πt, from
 * Πt−1 = `muProduct`); the GPU executor uses them too.
 */
export function nadamScalars(
  group: NAdamOptions,
  step: number,
  muProduct: number,
): { muProduct: number; scalars: NAdamScalars } {
  const { lr, weightDecay, momentumDecay } = group;
  const beta1 = group.betas[0];
  const beta2 = group.betas[1];
  const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
  const product = muProduct * mu;
  const productNext = product * muNext;
  const decoupled = group.decoupledWeightDecay && weightDecay !== 0;
  return {
    muProduct: product,
    scalars: {
      decay: decoupled ? 1 - lr * weightDecay : 1,
      weightDecay: decoupled ? 0 : weightDecay,
      beta1,
      beta2,
      biasCorrection2: 1 - beta2 ** step,
      eps: group.eps,
      gradCoef: (-lr * (1 - mu)) / (1 - product),
      avgCoef: (-lr * muNext) / (1 - productNext),
    },
  };
}
