// PolynomialLR: lr = baseLr · (1 − min(epoch, totalIters)/totalIters)^power
// (torch.optim.lr_scheduler.PolynomialLR). Chainable form, as torch: lr ·
// ((1 − e/T) / (1 − (e−1)/T))^power up to T, then unchanged.

import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";
import { integer, nonNegative } from "../core/validate.js";

export interface PolynomialLROptions extends SchedulerBaseOptions {
  /** Default 5. */
  totalIters?: number;
  /** Default 1. */
  power?: number;
}

/**
 * Decays each group's lr polynomially to 0 over totalIters steps.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new PolynomialLR(opt, { totalIters: 4, power: 2 });
 * sched.step();
 * sched.getLastLr(); // → [0.5625] ((1 − 1/4)²)
 * sched.step();
 * sched.getLastLr(); // → [0.25]
 * sched.step();
 * sched.step();
 * sched.getLastLr(); // → [0]
 */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;

  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer, "PolynomialLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["totalIters", "power"], this.name);
    this.totalIters = integer(o.totalIters ?? 5, "totalIters", 1, this.name);
    // a negative power makes the lr infinite at totalIters
    this.power = nonNegative(o.power ?? 1, "power", this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const t = this.totalIters;
    const decay = ((1.0 - this.lastEpoch / t) / (1.0 - (this.lastEpoch - 1) / t)) ** this.power;
    return this.groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    const t = this.totalIters;
    return this.baseLrs.map((base) => base * (1.0 - Math.min(t, this.lastEpoch) / t) ** this.power);
  }
}
