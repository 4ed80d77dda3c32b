// ConstantLR: lr = baseLr · factor for the first totalIters epochs, then baseLr
// (torch.optim.lr_scheduler.ConstantLR). Chainable form: multiply by factor at epoch 0, by 1/factor at
// epoch totalIters (so with totalIters 0 the factor is never undone, as in torch).

import { optionError, integer } from "../core/validate.js";
import { describe } from "../core/param.js";
import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";

export interface ConstantLROptions extends SchedulerBaseOptions {
  /** Default 1/3. */
  factor?: number;
  /** Default 5. */
  totalIters?: number;
}

/**
 * Scales each group's lr by a constant factor until totalIters.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new ConstantLR(opt, { factor: 0.5, totalIters: 2 });
 * opt.paramGroups[0]!.lr; // → 0.05
 * sched.step();
 * sched.getLastLr(); // → [0.05]
 * sched.step();
 * sched.getLastLr(); // → [0.1] (after totalIters steps)
 */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    super(optimizer, "ConstantLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["factor", "totalIters"], this.name);
    const factor = o.factor ?? 1 / 3;
    if (typeof factor !== "number" || !(factor >= 0 && factor <= 1)) {
      optionError(
        `${this.name}: Constant multiplicative factor expected to be between 0 and 1, got ${describe(factor)}`,
      );
    }
    // torch accepts 0 and then computes lr · (1/0) = 0 · Infinity = NaN at totalIters
    if (factor === 0)
      optionError(`${this.name}: factor 0 cannot be undone at totalIters (torch gives NaN there)`);
    this.factor = factor;
    this.totalIters = integer(o.totalIters ?? 5, "totalIters", 0, this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((base) => base * (this.factor + done * (1 - this.factor)));
  }
}
