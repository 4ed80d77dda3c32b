// Adamax (Kingma & Ba, 2015, §7.1, https://arxiv.org/abs/1412.6980), as torch.optim.Adamax computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   m = lerp(m, g, 1 − β1)
//   u = max(β2·u, |g| + ε)                      (expInf: the infinity-norm second moment)
//   θ = θ − lr/(1 − β1ᵗ) · m / u
// As in torch, ε is added to |g| inside the max (not to the denominator), and a NaN gradient poisons
// expInf for good (torch.maximum propagates NaN, as Math.max does).

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { type AdamFamilyOptions, adamFamilyDefaults, validateAdamFamily } from "./adam-family.js";
import { runAdamaxUpdate } from "../kernels/generated/adamax.js";
import { lerp, maximized, withL2 } from "./rule-helpers.js";

/** Options of `Adamax`: torch.optim.Adamax's, camelCased, with its defaults (lr 2e-3; the rest as Adam's). */
export interface AdamaxOptions extends AdamFamilyOptions {}

export const ADAMAX_DEFAULTS: Readonly<AdamaxOptions> = adamFamilyDefaults<AdamaxOptions>({ lr: 2e-3 });

/** Adamax's per-param state, torch's `state[p]` camelCased (step, exp_avg, exp_inf). */
export type AdamaxState = { step: number; expAvg: Buffer; expInf: Buffer };

/** The buffers of `adamaxUpdate`. */
export interface AdamaxBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
  expInf: Buffer;
}

/** The flags of `adamaxUpdate`. */
export interface AdamaxFlags {
  maximize: boolean;
}

/** The per-call scalars of `adamaxUpdate`. */
export interface AdamaxScalars {
  clr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The fused Adamax element loop; `clr` is lr/(1 − β1ᵗ). */
export function adamaxUpdate(
  n: number,
  { param, grad, expAvg, expInf }: AdamaxBuffers,
  { maximize }: AdamaxFlags,
  { clr, beta1, beta2, eps, weightDecay }: AdamaxScalars,
): void {
  const w = 1 - beta1;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const m = lerp(expAvg[i]!, g, w);
    expAvg[i] = m;
    const u = Math.max(beta2 * expInf[i]!, Math.abs(g) + eps);
    expInf[i] = u;
    param[i] = theta - clr * (m / u);
  }
}

/**
 * Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm; steps are
 * bounded by lr and robust to rare huge gradients.
 * @example
 * const w = param([1, -2]);
 * const opt = new Adamax([w], { lr: 2e-3 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdamaxOptions> = {}) {
    super(params, options, {
      name: "Adamax",
      defaults: ADAMAX_DEFAULTS,
      validate: validateAdamFamily,
      nonNegativeState: ["expInf"],
    });
  }

  protected initState(p: Param): AdamaxState {
    return { step: 0, expAvg: zerosLike(p.data), expInf: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: AdamaxState, group: ParamGroup<AdamaxOptions>): void {
    state.step += 1;
    runAdamaxUpdate(
      p.data.length,
      { param: p.data, grad, expAvg: state.expAvg, expInf: state.expInf },
      { maximize: group.maximize },
      adamaxScalars(group, state.step),
    );
  }
}

/** The per-step scalars of `adamaxUpdate` at step `step` (1 on the first); the GPU executor uses them too. */
export function adamaxScalars(group: AdamaxOptions, step: number): AdamaxScalars {
  const beta1 = group.betas[0];
  return {
    clr: group.lr / (1 - beta1 ** step),
    beta1,
    beta2: group.betas[1],
    eps: group.eps,
    weightDecay: group.weightDecay,
  };
}
