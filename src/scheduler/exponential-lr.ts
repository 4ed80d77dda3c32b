// ExponentialLR: lr ← lr · gamma every epoch (torch.optim.lr_scheduler.ExponentialLR);
// closed form baseLr · gamma^epoch.

import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";
import { nonNegative } from "../core/validate.js";

export interface ExponentialLROptions extends SchedulerBaseOptions {
  /** The factor the lr is multiplied by at every step. */
  gamma: number;
}

/**
 * Decays each group's lr by gamma every step.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new ExponentialLR(opt, { gamma: 0.9 });
 * for (let epoch = 0; epoch < 3; epoch++) sched.step();
 * sched.getLastLr(); // → [0.0729] (0.1 · 0.9³)
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super(optimizer, "ExponentialLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["gamma"], this.name);
    this.gamma = nonNegative(o.gamma, "gamma", this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
