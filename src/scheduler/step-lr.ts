// StepLR: lr ← lr · gamma every stepSize epochs (torch.optim.lr_scheduler.StepLR).
// Chainable form: multiply the current lr when lastEpoch is a positive multiple of stepSize;
// closed form (step(epoch)): baseLr · gamma^⌊epoch / stepSize⌋.

import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";
import { integer, nonNegative } from "../core/validate.js";

export interface StepLROptions extends SchedulerBaseOptions {
  /** Steps between two decays (torch's `step_size`). */
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's lr by gamma every stepSize steps.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 5; epoch++) {
 *   lrs.push(opt.paramGroups[0]!.lr);
 *   sched.step();
 * }
 * lrs; // → [0.1, 0.1, 0.05, 0.05, 0.025]
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super(optimizer, "StepLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["stepSize", "gamma"], this.name);
    // torch accepts stepSize 0 and then divides by zero on the first step
    this.stepSize = integer(o.stepSize, "stepSize", 1, this.name);
    this.gamma = nonNegative(o.gamma ?? 0.1, "gamma", this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}
