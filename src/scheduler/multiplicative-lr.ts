// MultiplicativeLR: lr ← lr · lrLambda(lastEpoch) at every step after the first
// (torch.optim.lr_scheduler.MultiplicativeLR). The functions are not part of the state dict, as in torch.

import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";
import { type LrLambda, lrLambdas } from "./lambda-lr.js";

export interface MultiplicativeLROptions extends SchedulerBaseOptions {
  /**
   * The factor the lr is multiplied by at each epoch (torch's `lr_lambda`), one function or one per group.
   */
  lrLambda: LrLambda | readonly LrLambda[];
}

/**
 * Multiplies each group's lr by a factor of the epoch at every step.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new MultiplicativeLR(opt, { lrLambda: () => 0.95 });
 * sched.step();
 * sched.step();
 * sched.getLastLr(); // → [0.9025] (lr · 0.95 at every step)
 */
export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: readonly LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: MultiplicativeLROptions) {
    super(optimizer, "MultiplicativeLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["lrLambda"], this.name);
    this.lrLambdas = lrLambdas(o.lrLambda, this.groupIndices.length, this.name);
    this.userFunctionLr = true;
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch > 0) {
      return this.groups.map((g, i) => g.lr * (this.lrLambdas[i] as LrLambda)(this.lastEpoch));
    }
    return this.groups.map((g) => g.lr);
  }
}
