// LambdaLR: lr = baseLr · lrLambda(lastEpoch), one function for all groups or one per group
// (torch.optim.lr_scheduler.LambdaLR). Functions are not part of the state dict (torch writes null for
// them too): rebuild the scheduler with the same functions, then load the state.

import { optionError } from "../core/validate.js";
import { describe } from "../core/param.js";
import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";

/** A factor as a function of the epoch (a `schedule.*` function fits). */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions extends SchedulerBaseOptions {
  /** The factor of the base lr at each epoch (torch's `lr_lambda`), one function or one per group. */
  lrLambda: LrLambda | readonly LrLambda[];
}

/** One function per driven group, checked (torch: "Expected 2 lr_lambdas, but got 3"). */
export function lrLambdas(value: unknown, count: number, where: string): LrLambda[] {
  const list = Array.isArray(value) ? value : new Array(count).fill(value);
  if (Array.isArray(value) && value.length !== count) {
    optionError(`${where}: Expected ${count} lr_lambdas, but got ${value.length}`);
  }
  for (const f of list) {
    if (typeof f !== "function")
      optionError(`${where}: Invalid lrLambda: ${describe(f)} (expected a function)`);
  }
  return list as LrLambda[];
}

/**
 * Sets each group's lr to its base lr times a factor of the epoch.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new LambdaLR(opt, { lrLambda: (epoch) => 0.95 ** epoch });
 * sched.step();
 * sched.step();
 * sched.getLastLr(); // → [0.9025] (initial lr · lrLambda(2))
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: readonly LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super(optimizer, "LambdaLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["lrLambda"], this.name);
    this.lrLambdas = lrLambdas(o.lrLambda, this.groupIndices.length, this.name);
    this.userFunctionLr = true;
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * (this.lrLambdas[i] as LrLambda)(this.lastEpoch));
  }
}
