// ASGD, averaged SGD (Polyak & Juditsky, 1992; Bottou, 2012, "Stochastic Gradient Descent Tricks"),
// as torch.optim.ASGD computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   θ = θ·(1 − λ·η) − η·g                               (λ = lambd)
//   ax = ax + μ·(θ − ax)     (ax = θ while μ = 1)       the running average, kept in state, never applied
//   η = lr / (1 + λ·lr·t)^α,  μ = 1 / max(1, t − t0)     (computed after the update, for the next step)
// So averaging starts only after t0 steps (default 1e6: by default ax just copies θ). As in torch, the
// average is state only: copy `state.get(p).ax` into the param yourself to evaluate the averaged model.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, finite, nonNegative, optionError } from "../core/validate.js";
import { runAsgdUpdate } from "../kernels/generated/asgd.js";
import { maximized, withL2 } from "./rule-helpers.js";

/** Options of `ASGD`: torch.optim.ASGD's, camelCased, with its defaults. */
export interface ASGDOptions extends BaseOptions {
  /** Default 1e-2. */
  lr: number;
  /** Decay term of the step size η. Default 1e-4. */
  lambd: number;
  /** Power of the step size's decay. Default 0.75. */
  alpha: number;
  /** The step from which averaging starts. Default 1e6. */
  t0: number;
  /** Weight decay (L2 penalty, added to the gradient). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const ASGD_DEFAULTS: Readonly<ASGDOptions> = Object.freeze({
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  maximize: false,
});

/** ASGD's per-param state, torch's `state[p]` camelCased; `ax` is the averaged iterate. */
export type ASGDState = { step: number; eta: number; mu: number; ax: Buffer };

function validate(o: ASGDOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.weightDecay, "weight_decay value");
  // torch checks only lr and weight_decay; a non-number here would turn every step into NaN
  finite(o.lambd, "lambd value");
  finite(o.alpha, "alpha value");
  // t0 = Infinity is meaningful (never average), so only NaN and non-numbers are refused
  if (typeof o.t0 !== "number" || Number.isNaN(o.t0)) optionError(`Invalid t0 value: ${describe(o.t0)}`);
  boolean(o.maximize, "maximize value");
}

/** The buffers of `asgdUpdate`. */
export interface ASGDBuffers {
  param: Buffer;
  grad: Buffer;
  ax: Buffer;
}

/** The flags of `asgdUpdate`. */
export interface ASGDFlags {
  maximize: boolean;
  averaging: boolean;
}

/** The per-call scalars of `asgdUpdate`. */
export interface ASGDScalars {
  eta: number;
  lambd: number;
  mu: number;
  weightDecay: number;
}

/** The fused ASGD element loop; `averaging` is μ ≠ 1 (else ax copies θ). */
export function asgdUpdate(
  n: number,
  { param, grad, ax }: ASGDBuffers,
  { maximize, averaging }: ASGDFlags,
  { eta, lambd, mu, weightDecay }: ASGDScalars,
): void {
  const decay = 1 - lambd * eta;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    param[i] = theta * decay - eta * g;
    // the average follows the stored (rounded) param, as torch's does
    const stored = param[i]!;
    if (averaging) {
      ax[i] = ax[i]! + (stored - ax[i]!) * mu;
    } else {
      ax[i] = stored;
    }
  }
}

/**
 * ASGD: SGD with a decaying step size that also keeps a running (Polyak) average of the iterates after
 * step t0, in `state.ax`.
 * @example
 * const w = param([1, -2]);
 * const opt = new ASGD([w], { lr: 0.01, t0: 100 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 * const averaged = opt.state.get(w)!.ax;
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<ASGDOptions> = {}) {
    super(params, options, {
      name: "ASGD",
      defaults: ASGD_DEFAULTS,
      validate,
      nonNegativeState: ["eta", "mu"],
    });
  }

  protected initState(p: Param, group: ParamGroup<ASGDOptions>): ASGDState {
    // η starts at the lr of the group when the state is created; later lr changes enter through η's formula
    return { step: 0, eta: group.lr, mu: 1, ax: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: ASGDState, group: ParamGroup<ASGDOptions>): void {
    state.step += 1;
    runAsgdUpdate(
      p.data.length,
      { param: p.data, grad, ax: state.ax },
      { maximize: group.maximize, averaging: state.mu !== 1 },
      { eta: state.eta, lambd: group.lambd, mu: state.mu, weightDecay: group.weightDecay },
    );
    const next = asgdNext(group, state.step);
    state.eta = next.eta;
    state.mu = next.mu;
  }
}

/** η and μ for the step after step `step` (computed after the update, as torch does); the GPU uses them too. */
export function asgdNext(group: ASGDOptions, step: number): { eta: number; mu: number } {
  const { lr, lambd, alpha, t0 } = group;
  return { eta: lr / (1 + lambd * lr * step) ** alpha, mu: 1 / Math.max(1, step - t0) };
}
