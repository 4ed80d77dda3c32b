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
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { betas, boolean, nonNegative } from "../core/validate.js";
import { runLambUpdate } from "../kernels/generated/lamb.js";

export interface LAMBOptions extends BaseOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

export const LAMB_DEFAULTS: Readonly<LAMBOptions> = Object.freeze({
  lr: 1e-3,
  betas: [0.9, 0.999] as const,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
});

export type LAMBState = { step: number; expAvg: Buffer; expAvgSq: Buffer };

function validate(o: LAMBOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.eps, "epsilon value");
  betas(o.betas);
  nonNegative(o.weightDecay, "weight_decay value");
  boolean(o.maximize, "maximize value");
}

/**
 * The trust ratio's reduction: ‖θ‖² into `out[0]` and ‖r‖² into `out[1]`, where r is the direction
 * `lambUpdate` will take (computed from the moments as they will be after this step, with the same
 * expressions, so the two loops agree exactly). Reads only; `out` is a preallocated pair.
 */
export function lambNorms(
  n: number,
  param: Buffer,
  grad: Buffer,
  expAvg: Buffer,
  expAvgSq: Buffer,
  out: Float64Array,
  maximize: boolean,
  weightDecay: number,
  beta1: number,
  beta2: number,
  biasCorrection1: number,
  biasCorrection2: number,
  eps: number,
): void {
  let paramSq = 0;
  let updateSq = 0;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = maximize ? -grad[i]! : grad[i]!;
    const m = beta1 * expAvg[i]! + (1 - beta1) * g;
    const v = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    const r = m / biasCorrection1 / (Math.sqrt(v / biasCorrection2) + eps) + weightDecay * theta;
    paramSq += theta * theta;
    updateSq += r * r;
  }
  out[0] = paramSq;
  out[1] = updateSq;
}

/** The fused LAMB element loop; `stepSize` is lr times the trust ratio. */
export function lambUpdate(
  n: number,
  param: Buffer,
  grad: Buffer,
  expAvg: Buffer,
  expAvgSq: Buffer,
  maximize: boolean,
  weightDecay: number,
  beta1: number,
  beta2: number,
  biasCorrection1: number,
  biasCorrection2: number,
  eps: number,
  stepSize: number,
): void {
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = maximize ? -grad[i]! : grad[i]!;
    const m = beta1 * expAvg[i]! + (1 - beta1) * g;
    const v = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
    const r = m / biasCorrection1 / (Math.sqrt(v / biasCorrection2) + eps) + weightDecay * theta;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = theta - stepSize * r;
  }
}

/** ‖θ‖/‖r‖ from the squared norms, 1 when either is 0 (a fresh zero layer, or a zero update). */
export function trustRatio(paramNormSq: number, updateNormSq: number): number {
  if (paramNormSq > 0 && updateNormSq > 0) return Math.sqrt(paramNormSq) / Math.sqrt(updateNormSq);
  return 1;
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
  readonly #norms = new Float64Array(2);

  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<LAMBOptions> = {}) {
    super(params, options, {
      name: "LAMB",
      defaults: LAMB_DEFAULTS,
      validate,
      nonNegativeState: ["expAvgSq"],
    });
  }

  protected initState(p: Param): LAMBState {
    return { step: 0, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: LAMBState, group: ParamGroup<LAMBOptions>): void {
    state.step += 1;
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    const bc1 = 1 - beta1 ** state.step;
    const bc2 = 1 - beta2 ** state.step;
    const n = p.data.length;
    const { expAvg, expAvgSq } = state;
    const { maximize, weightDecay, eps } = group;
    lambNorms(
      n,
      p.data,
      grad,
      expAvg,
      expAvgSq,
      this.#norms,
      maximize,
      weightDecay,
      beta1,
      beta2,
      bc1,
      bc2,
      eps,
    );
    const ratio = trustRatio(this.#norms[0]!, this.#norms[1]!);
    runLambUpdate(
      n,
      p.data,
      grad,
      expAvg,
      expAvgSq,
      maximize,
      weightDecay,
      beta1,
      beta2,
      bc1,
      bc2,
      eps,
      group.lr * ratio,
    );
  }
}
