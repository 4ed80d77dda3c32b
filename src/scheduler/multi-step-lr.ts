// MultiStepLR: lr ← lr · gamma^count at each milestone, count = how often the milestone is listed
// (torch.optim.lr_scheduler.MultiStepLR keeps a Counter). Milestones may be unsorted or repeated, as in torch:
// [5, 12, 12] decays once at 5 and twice at 12. Closed form: baseLr · gamma^(milestones ≤ epoch).

import { describe } from "../core/param.js";
import { optionError, nonNegative } from "../core/validate.js";
import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";

export interface MultiStepLROptions extends SchedulerBaseOptions {
  /** The epochs at which the lr is multiplied by gamma (a repeated epoch multiplies again, as in torch). */
  milestones: readonly number[];
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's lr by gamma at each milestone.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new MultiStepLR(opt, { milestones: [2, 4], gamma: 0.1 });
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 6; epoch++) {
 *   lrs.push(opt.paramGroups[0]!.lr);
 *   sched.step();
 * }
 * lrs; // → [1, 1, 0.1, 0.1, 0.01, 0.01]
 */
export class MultiStepLR extends LRScheduler {
  /** Milestone → how many times it was listed. */
  readonly milestones: ReadonlyMap<number, number>;
  readonly gamma: number;
  private readonly sortedMilestones: readonly number[];

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super(optimizer, "MultiStepLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["milestones", "gamma"], this.name);
    if (!Array.isArray(o.milestones)) {
      optionError(
        `${this.name}: Invalid milestones: ${describe(o.milestones)} (expected an array of integers)`,
      );
    }
    const counts = new Map<number, number>();
    for (const m of o.milestones) {
      if (!Number.isInteger(m)) {
        optionError(`${this.name}: Invalid milestone: ${describe(m)} (milestones are integer epochs)`);
      }
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    this.milestones = counts;
    this.sortedMilestones = [...o.milestones].sort((a, b) => a - b);
    this.gamma = nonNegative(o.gamma ?? 0.1, "gamma", this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    let passed = 0;
    while (
      passed < this.sortedMilestones.length &&
      (this.sortedMilestones[passed] as number) <= this.lastEpoch
    )
      passed++;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}
