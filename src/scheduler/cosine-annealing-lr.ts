// CosineAnnealingLR: lr = etaMin + (baseLr − etaMin)·(1 + cos(π·epoch/tMax))/2
// (torch.optim.lr_scheduler.CosineAnnealingLR; SGDR, Loshchilov & Hutter 2016, without restarts).
// torch steps the chainable form, a ratio of consecutive cosines applied to the current lr, with a special
// case at epoch (2k+1)·tMax + 1 where that ratio would be 0/0. So past tMax the lr does not stay at etaMin:
// it climbs back up and keeps oscillating with period 2·tMax. Reproduced here on purpose.

import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";
import { optionError, nonNegative } from "../core/validate.js";
import { describe } from "../core/param.js";

export interface CosineAnnealingLROptions extends SchedulerBaseOptions {
  /** Steps from the base lr down to etaMin (torch's `T_max`). */
  tMax: number;
  /** Default 0. */
  etaMin?: number;
}

/**
 * Anneals each group's lr from its base lr to etaMin along a half cosine over tMax steps.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new CosineAnnealingLR(opt, { tMax: 10, etaMin: 0.001 });
 * for (let i = 0; i < 5; i++) sched.step();
 * sched.getLastLr(); // → [0.0505] (halfway)
 * for (let i = 0; i < 5; i++) sched.step();
 * sched.getLastLr(); // → [0.001] (etaMin at tMax)
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, "CosineAnnealingLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["tMax", "etaMin"], this.name);
    if (typeof o.tMax !== "number" || !Number.isFinite(o.tMax) || o.tMax <= 0) {
      optionError(`${this.name}: Invalid tMax: ${describe(o.tMax)} (expected a positive number of steps)`);
    }
    this.tMax = o.tMax;
    this.etaMin = nonNegative(o.etaMin ?? 0, "etaMin", this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    const { tMax, etaMin, lastEpoch } = this;
    if (lastEpoch === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2,
      );
    }
    if (pyMod(lastEpoch - 1 - tMax, 2 * tMax) === 0) {
      return this.groups.map(
        (g, i) => g.lr + (((this.baseLrs[i] as number) - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    const ratio =
      (1 + Math.cos((Math.PI * lastEpoch) / tMax)) / (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax));
    return this.groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { tMax, etaMin, lastEpoch } = this;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * lastEpoch) / tMax))) / 2,
    );
  }
}

/** Python's `%`: the result takes the divisor's sign. */
export function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}
