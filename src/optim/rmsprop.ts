// RMSprop (Hinton, Coursera lecture 6e; centered form from Graves, 2013), as torch.optim.RMSprop:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   s = α·s + (1 − α)·g²
//   centered: ḡ = lerp(ḡ, g, 1 − α),  a = sqrt(s − ḡ²) + ε;  otherwise a = sqrt(s) + ε
//   momentum > 0: b = momentum·b + g/a,  θ = θ − lr·b;  otherwise θ = θ − lr·g/a

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean, nonNegative } from "../core/validate.js";
import { runRmspropUpdate } from "../kernels/generated/rmsprop.js";
import { lerp, maximized, withL2 } from "./rule-helpers.js";

/** Options of `RMSprop`: torch.optim.RMSprop's, camelCased, with its defaults. */
export interface RMSpropOptions extends BaseOptions {
  /** Default 1e-2. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha: number;
  /** Added to the denominator. Default 1e-8. */
  eps: number;
  /** Weight decay (L2 penalty, added to the gradient). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** Momentum factor applied to the scaled step. Default 0. */
  momentum: number;
  /** Normalise by the gradient's estimated variance (subtract the squared mean gradient). Default false. */
  centered: boolean;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = Object.freeze({
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
});

/**
 * RMSprop's per-param state, torch's `state[p]` camelCased; momentumBuffer with momentum, gradAvg when
 * centered.
 */
export type RMSpropState = { step: number; squareAvg: Buffer; momentumBuffer?: Buffer; gradAvg?: Buffer };

function validate(o: RMSpropOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.eps, "epsilon value");
  nonNegative(o.momentum, "momentum value");
  nonNegative(o.weightDecay, "weight_decay value");
  nonNegative(o.alpha, "alpha value");
  boolean(o.centered, "centered value");
  boolean(o.maximize, "maximize value");
}

/** The buffers of `rmspropUpdate`. */
export interface RMSpropBuffers {
  param: Buffer;
  grad: Buffer;
  squareAvg: Buffer;
  gradAvg: Buffer;
  momentumBuffer: Buffer;
}

/** The flags of `rmspropUpdate`. */
export interface RMSpropFlags {
  centered: boolean;
  useMomentum: boolean;
  maximize: boolean;
}

/** The per-call scalars of `rmspropUpdate`. */
export interface RMSpropScalars {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}

export function rmspropUpdate(
  n: number,
  { param, grad, squareAvg, gradAvg, momentumBuffer }: RMSpropBuffers,
  { centered, useMomentum, maximize }: RMSpropFlags,
  { lr, alpha, eps, weightDecay, momentum }: RMSpropScalars,
): void {
  const w = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const s = alpha * squareAvg[i]! + w * g * g;
    squareAvg[i] = s;
    let avg = s;
    if (centered) {
      const ga = lerp(gradAvg[i]!, g, w);
      gradAvg[i] = ga;
      avg = s - ga * ga;
    }
    const denom = Math.sqrt(avg) + eps;
    if (useMomentum) {
      const b = momentum * momentumBuffer[i]! + g / denom;
      momentumBuffer[i] = b;
      param[i] = theta - lr * b;
    } else {
      param[i] = theta - lr * (g / denom);
    }
  }
}

/**
 * RMSprop: divides each step by a running RMS of the gradient (a per-parameter step size).
 * @example
 * const opt = new RMSprop([param([1, 2])], { lr: 0.01, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<RMSpropOptions> = {}) {
    super(params, options, {
      name: "RMSprop",
      defaults: RMSPROP_DEFAULTS,
      validate,
      optionalState: (p) => ({ momentumBuffer: zerosLike(p.data), gradAvg: zerosLike(p.data) }),
      nonNegativeState: ["squareAvg"],
    });
  }

  protected initState(p: Param, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, squareAvg: zerosLike(p.data) };
    if (group.momentum > 0) state.momentumBuffer = zerosLike(p.data);
    if (group.centered) state.gradAvg = zerosLike(p.data);
    return state;
  }

  protected override needsAllocation(
    _p: Param,
    state: RMSpropState | undefined,
    group: ParamGroup<RMSpropOptions>,
  ): boolean {
    if (state === undefined) return true;
    return (group.momentum > 0 && !state.momentumBuffer) || (group.centered && !state.gradAvg);
  }

  // options may be switched on between steps; torch would fail on the missing buffer, descent creates it
  protected override ensureState(p: Param, state: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    if (group.momentum > 0) state.momentumBuffer ??= zerosLike(p.data);
    if (group.centered) state.gradAvg ??= zerosLike(p.data);
  }

  protected update(p: Param, grad: Buffer, state: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    state.step += 1;
    runRmspropUpdate(
      p.data.length,
      {
        param: p.data,
        grad,
        squareAvg: state.squareAvg,
        gradAvg: state.gradAvg ?? state.squareAvg,
        momentumBuffer: state.momentumBuffer ?? state.squareAvg,
      },
      { centered: group.centered, useMomentum: group.momentum > 0, maximize: group.maximize },
      {
        lr: group.lr,
        alpha: group.alpha,
        eps: group.eps,
        weightDecay: group.weightDecay,
        momentum: group.momentum,
      },
    );
  }
}
