// LAMB, layer-wise adaptive moments (You et al., 2019, "Large Batch Optimization for Deep Learning:
// Training BERT in 76 minutes", https://arxiv.org/abs/1904.00962, Algorithm 2):
//   g = ∇f (negated when maximize)
//   m = β1·m + (1 − β1)·g        v = β2·v + (1 − β2)·g²        m̂ = m/(1 − β1ᵗ)   v̂ = v/(1 − β2ᵗ)
//   r = m̂/(sqrt(v̂) + ε) + weightDecay·θ                        (the Adam direction, decay decoupled)
//   θ = θ − lr·(‖θ‖/‖r‖)·r       trust ratio per param; 1 when ‖θ‖ or ‖r‖ is 0
// The paper's scaling function φ is the identity here (no clamp of ‖θ‖), as in the paper's experiments
// and optax.lamb; implementations that clamp (apex's max_grad_norm, timm's clipping) differ.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { type AdamFamilyOptions, adamFamilyDefaults, validateAdamFamily } from "./adam-family.js";
import { runLambUpdate } from "../kernels/generated/lamb.js";
import { ema, emaSq, maximized } from "./rule-helpers.js";

/** Options of `LAMB` (the paper's; torch has no LAMB): Adam's names, eps 1e-6, weightDecay decoupled. */
export interface LAMBOptions extends AdamFamilyOptions {}

export const LAMB_DEFAULTS: Readonly<LAMBOptions> = adamFamilyDefaults<LAMBOptions>({ eps: 1e-6 });

/** LAMB's per-param state: the step count and Adam's two moments. */
export type LAMBState = { step: number; expAvg: Buffer; expAvgSq: Buffer };

/** The buffers of `lambUpdate`. */
export interface LAMBBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
  expAvgSq: Buffer;
}

/** The flags of `lambUpdate`. */
export interface LAMBFlags {
  maximize: boolean;
}

/** The per-call scalars of `lambUpdate`. */
export interface LAMBScalars {
  weightDecay: number;
  beta1: number;
  beta2: number;
  biasCorrection1: number;
  biasCorrection2: number;
  eps: number;
  lr: number;
}

/** The direction r LAMB scales, from the moments as they are after this step. */
export function lambDirection(
  m: number,
  v: number,
  theta: number,
  weightDecay: number,
  biasCorrection1: number,
  biasCorrection2: number,
  eps: number,
): number {
  return m / biasCorrection1 / (Math.sqrt(v / biasCorrection2) + eps) + weightDecay * theta;
}

/** ‖θ‖/‖r‖ from the squared norms, 1 when either is 0 (a fresh zero layer, or a zero update). */
export function trustRatio(paramNormSq: number, updateNormSq: number): number {
  return paramNormSq > 0 && updateNormSq > 0 ? Math.sqrt(paramNormSq) / Math.sqrt(updateNormSq) : 1;
}

/**
 * One LAMB step on one param: the first loop reduces ‖θ‖² and ‖r‖² (reading only), the second moves θ by
 * lr·trust ratio along r and stores the moments.
 */
export function lambUpdate(
  n: number,
  { param, grad, expAvg, expAvgSq }: LAMBBuffers,
  { maximize }: LAMBFlags,
  { weightDecay, beta1, beta2, biasCorrection1, biasCorrection2, eps, lr }: LAMBScalars,
): void {
  let paramSq = 0;
  let updateSq = 0;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = maximized(grad[i]!, maximize);
    const m = ema(expAvg[i]!, g, beta1);
    const v = emaSq(expAvgSq[i]!, g, beta2);
    const r = lambDirection(m, v, theta, weightDecay, biasCorrection1, biasCorrection2, eps);
    paramSq += theta * theta;
    updateSq += r * r;
  }
  const stepSize = lr * trustRatio(paramSq, updateSq);
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = maximized(grad[i]!, maximize);
    const m = ema(expAvg[i]!, g, beta1);
    const v = emaSq(expAvgSq[i]!, g, beta2);
    const r = lambDirection(m, v, theta, weightDecay, biasCorrection1, biasCorrection2, eps);
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = theta - stepSize * r;
  }
}

/**
 * LAMB: AdamW's direction rescaled per param so that its step is proportional to the param's norm.
 * Made for very large batches, where one global lr fits no layer well.
 * @example
 * const w = param([3, 4]);                  // ‖w‖ = 5
 * const opt = new LAMB([w], { lr: 0.01 });
 * w.grad = new Float32Array([1, 1]);
 * opt.step(); // r = [1, 1]·(1/(1 + 1e-6)), ratio = 5/‖r‖: w moves by 0.01·5/√2 per coordinate
 */
export class LAMB extends Optimizer<LAMBOptions, LAMBState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<LAMBOptions> = {}) {
    super(params, options, {
      name: "LAMB",
      defaults: LAMB_DEFAULTS,
      validate: validateAdamFamily,
      nonNegativeState: ["expAvgSq"],
    });
  }

  protected initState(p: Param): LAMBState {
    return { step: 0, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: LAMBState, group: ParamGroup<LAMBOptions>): void {
    state.step += 1;
    const [beta1, beta2] = group.betas;
    runLambUpdate(
      p.data.length,
      { param: p.data, grad, expAvg: state.expAvg, expAvgSq: state.expAvgSq },
      { maximize: group.maximize },
      {
        weightDecay: group.weightDecay,
        beta1,
        beta2,
        biasCorrection1: 1 - beta1 ** state.step,
        biasCorrection2: 1 - beta2 ** state.step,
        eps: group.eps,
        lr: group.lr,
      },
    );
  }
}
