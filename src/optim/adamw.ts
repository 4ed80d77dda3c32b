// AdamW (Loshchilov & Hutter, 2019, https://arxiv.org/abs/1711.05101), as torch.optim.AdamW:
//   θ = θ·(1 − lr·weightDecay)            (decoupled decay, applied before the Adam step)
//   then Adam's update with no L2 term in the gradient.

import type { Buffer } from "../core/arena.js";
import { Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import {
  ADAM_DEFAULTS,
  ADAM_STATE_SPEC,
  type AdamOptions,
  type AdamState,
  adamNeedsState,
  adamStep,
  ensureAdamState,
  initAdamState,
  validateAdamOptions,
} from "./adam.js";

/**
 * AdamW's options: Adam's (torch's `AdamW` names, camelCased), with `weightDecay` decoupled and defaulting to
 * 1e-2.
 */
export type AdamWOptions = AdamOptions;

export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = Object.freeze({ ...ADAM_DEFAULTS, weightDecay: 1e-2 });

/**
 * AdamW: Adam with weight decay decoupled from the gradient statistics.
 * @example
 * const opt = new AdamW([param([1, 2, 3])], { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<AdamWOptions> = {}) {
    super(params, options, {
      name: "AdamW",
      defaults: ADAMW_DEFAULTS,
      validate: validateAdamOptions,
      ...ADAM_STATE_SPEC,
    });
  }

  protected initState(p: Param, group: ParamGroup<AdamWOptions>): AdamState {
    return initAdamState(p, group.amsgrad);
  }

  protected override needsAllocation(_p: Param, state: AdamState | undefined, group: AdamWOptions): boolean {
    return adamNeedsState(state, group);
  }

  protected override ensureState(p: Param, state: AdamState, group: AdamWOptions): void {
    ensureAdamState(p, state, group);
  }

  protected update(p: Param, grad: Buffer, state: AdamState, group: ParamGroup<AdamWOptions>): void {
    adamStep(p, grad, state, group, 1 - group.lr * group.weightDecay, 0);
  }
}
