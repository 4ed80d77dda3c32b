// Adagrad (Duchi, Hazan & Singer, 2011), as torch.optim.Adagrad computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   clr = lr / (1 + (t − 1)·lrDecay)
//   sum = sum + g²                      (starts at initialAccumulatorValue)
//   θ = θ − clr · g / (sqrt(sum) + ε)
// As in torch, state is created for every param when the optimizer (or a group) is built, and the sum starts
// at the optimizer-wide initialAccumulatorValue: torch 2.6 ignores a per-group override of it (a quirk that
// project_optimizers.json's adagrad_two_groups pins).

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean, nonNegative } from "../core/validate.js";
import { runAdagradUpdate } from "../kernels/generated/adagrad.js";
import { maximized, withL2 } from "./rule-helpers.js";

/** Options of `Adagrad`: torch.optim.Adagrad's, camelCased, with its defaults. */
export interface AdagradOptions extends BaseOptions {
  /** Default 1e-2. */
  lr: number;
  /** The step is lr / (1 + (t − 1)·lrDecay). Default 0 (torch's `lr_decay`). */
  lrDecay: number;
  /** Weight decay (L2 penalty, added to the gradient). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** The starting value of the sum of squared gradients. Default 0 (torch's `initial_accumulator_value`). */
  initialAccumulatorValue: number;
  /** Added to the denominator √sum. Default 1e-10. */
  eps: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = Object.freeze({
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
});

/** Adagrad's per-param state, torch's `state[p]` camelCased (step, sum). */
export type AdagradState = { step: number; sum: Buffer };

function validate(o: AdagradOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.lrDecay, "lr_decay value");
  nonNegative(o.weightDecay, "weight_decay value");
  nonNegative(o.initialAccumulatorValue, "initial_accumulator_value value");
  nonNegative(o.eps, "epsilon value");
  boolean(o.maximize, "maximize value");
}

/** The buffers of `adagradUpdate`. */
export interface AdagradBuffers {
  param: Buffer;
  grad: Buffer;
  sum: Buffer;
}

/** The flags of `adagradUpdate`. */
export interface AdagradFlags {
  maximize: boolean;
}

/** The per-call scalars of `adagradUpdate`. */
export interface AdagradScalars {
  clr: number;
  weightDecay: number;
  eps: number;
}

export function adagradUpdate(
  n: number,
  { param, grad, sum }: AdagradBuffers,
  { maximize }: AdagradFlags,
  { clr, weightDecay, eps }: AdagradScalars,
): void {
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    const g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    const s = sum[i]! + g * g;
    sum[i] = s;
    param[i] = theta - clr * (g / (Math.sqrt(s) + eps));
  }
}

/**
 * Adagrad: per-parameter steps that shrink with the accumulated squared gradient.
 * @example
 * const opt = new Adagrad([param([1, 2])], { lr: 0.1, lrDecay: 1e-3 });
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdagradOptions> = {}) {
    super(params, options, {
      name: "Adagrad",
      defaults: ADAGRAD_DEFAULTS,
      validate,
      nonNegativeState: ["sum"],
    });
    for (const group of this.paramGroups) this.onGroupAdded(group);
  }

  protected override onGroupAdded(group: ParamGroup<AdagradOptions>): void {
    for (const p of group.params) this.state.set(p, this.initState(p));
  }

  protected initState(p: Param): AdagradState {
    const sum = zerosLike(p.data);
    sum.fill(this.defaults.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected update(p: Param, grad: Buffer, state: AdagradState, group: ParamGroup<AdagradOptions>): void {
    state.step += 1;
    runAdagradUpdate(
      p.data.length,
      { param: p.data, grad, sum: state.sum },
      { maximize: group.maximize },
      adagradScalars(group, state.step),
    );
  }
}

/** The per-step scalars of `adagradUpdate` at step `step` (1 on the first); the GPU executor uses them too. */
export function adagradScalars(group: AdagradOptions, step: number): AdagradScalars {
  return {
    clr: group.lr / (1 + (step - 1) * group.lrDecay),
    weightDecay: group.weightDecay,
    eps: group.eps,
  };
}
