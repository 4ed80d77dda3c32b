// multiStep: init·gamma^(number of milestones ≤ step), MultiStepLR's closed form. Milestones are a
// multiset, as in torch: unsorted is fine and a repeated milestone multiplies by gamma once per repeat.

import { describe } from "../core/param.js";
import { optionError, checkOptions, finite, positive } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";

/** Options of `schedule.multiStep`. */
export interface MultiStepScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** The steps at which the value is multiplied by gamma (a repeated step multiplies again). */
  milestones: readonly number[];
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies by gamma at each milestone.
 * @example
 * const lr = schedule.multiStep({ init: 1, milestones: [10, 20], gamma: 0.1 });
 * lr(15); // → 0.1
 * lr(20); // → 0.01
 */
export function multiStep(options: MultiStepScheduleOptions): Schedule {
  const where = "schedule.multiStep";
  const o = checkOptions(options, ["init", "milestones", "gamma"], where);
  const init = finite(o.init, "init", where);
  const gamma = positive(o.gamma ?? 0.1, "gamma", where);
  const milestones = o.milestones;
  if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m) || m < 0)) {
    optionError(`${where}: milestones must be an array of integers ≥ 0, got ${describe(milestones)}`);
  }
  const sorted = [...(milestones as number[])].sort((a, b) => a - b);
  return schedule(where, (t) => init * gamma ** sorted.filter((m) => m <= t).length);
}
