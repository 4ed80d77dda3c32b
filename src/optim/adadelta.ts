// Adadelta (Zeiler, 2012, https://arxiv.org/abs/1212.5701), as torch.optim.Adadelta computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   v = ρ·v + (1 − ρ)·g²                       (squareAvg)
//   Δ = sqrt(u + ε) / sqrt(v + ε) · g
//   u = ρ·u + (1 − ρ)·Δ²                       (accDelta)
//   θ = θ − lr·Δ
// Torch adds a learning rate the paper does not have (default 1.0, which is the paper's rule).

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean, inRange, nonNegative } from "../core/validate.js";
import { runAdadeltaUpdate } from "../kernels/generated/adadelta.js";
import { maximized, withL2 } from "./rule-helpers.js";

/** Options of `Adadelta`: torch.optim.Adadelta's, camelCased, with its defaults. */
export interface AdadeltaOptions extends BaseOptions {
  /** Scales the computed delta. Default 1.0. */
  lr: number;
  /** Decay of the running averages of squared gradients and squared updates. Default 0.9. */
  rho: number;
  /** Added inside both square roots. Default 1e-6. */
  eps: number;
  /** Weight decay (L2 penalty, added to the gradient). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = Object.freeze({
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
});

/** Adadelta's per-param state, torch's `state[p]` camelCased (step, square_avg, acc_delta). */
export type AdadeltaState = { step: number; squareAvg: Buffer; accDelta: Buffer };

function validate(o: AdadeltaOptions): void {
  nonNegative(o.lr, "learning rate");
  inRange(o.rho, 0, 1, "rho value", true);
  nonNegative(o.eps, "epsilon value");
  nonNegative(o.weightDecay, "weight_decay value");
  boolean(o.maximize, "maximize value");
}

/** The buffers of `adadeltaUpdate`. */
export interface AdadeltaBuffers {
  param: Buffer;
  grad: Buffer;
  squareAvg: Buffer;
  accDelta: Buffer;
}

/** The flags of `adadeltaUpdate`. */
export interface AdadeltaFlags {
  maximize: boolean;
}

/** The per-call scalars of `adadeltaUpdate`. */
export interface AdadeltaScalars {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}

/** The fused Adadelta element loop. */
export function adadeltaUpdate(
  n: number,
  { param, grad, squareAvg, accDelta }: AdadeltaBuffers,
  { maximize }: AdadeltaFlags,
  { lr, rho, eps, weightDecay }: AdadeltaScalars,
): void {
  const w = 1 - rho;
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const v = rho * squareAvg[i]! + w * g * g;
    squareAvg[i] = v;
    const delta = (Math.sqrt(accDelta[i]! + eps) / Math.sqrt(v + eps)) * g;
    accDelta[i] = rho * accDelta[i]! + w * delta * delta;
    param[i] = theta - lr * delta;
  }
}

/**
 * Adadelta: a per-parameter step size from the ratio of running RMS of past updates to running RMS of
 * gradients, so the update has the units of the parameter and needs little lr tuning.
 * @example
 * const w = param([1, -2]);
 * const opt = new Adadelta([w], { rho: 0.9 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdadeltaOptions> = {}) {
    super(params, options, {
      name: "Adadelta",
      defaults: ADADELTA_DEFAULTS,
      validate,
      nonNegativeState: ["squareAvg", "accDelta"],
    });
  }

  protected initState(p: Param): AdadeltaState {
    return { step: 0, squareAvg: zerosLike(p.data), accDelta: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: AdadeltaState, group: ParamGroup<AdadeltaOptions>): void {
    state.step += 1;
    runAdadeltaUpdate(
      p.data.length,
      { param: p.data, grad, squareAvg: state.squareAvg, accDelta: state.accDelta },
      { maximize: group.maximize },
      { lr: group.lr, rho: group.rho, eps: group.eps, weightDecay: group.weightDecay },
    );
  }
}
