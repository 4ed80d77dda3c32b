// step: init·gamma^⌊step/stepSize⌋, StepLR's closed form.

import { checkKeys, finiteValue, positiveValue, type Schedule, schedule, stepCount } from "./check.js";

/** Options of `schedule.step`. */
export interface StepScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** Steps between two multiplications by gamma. */
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies by gamma every stepSize steps.
 * @example
 * schedule.step({ init: 1, stepSize: 10, gamma: 0.5 })(25); // → 0.25
 */
export function step(options: StepScheduleOptions): Schedule {
  const where = "schedule.step";
  const o = checkKeys(options, ["init", "stepSize", "gamma"], where);
  const init = finiteValue(o.init, "init", where);
  const stepSize = stepCount(o.stepSize, "stepSize", where, 1);
  const gamma = positiveValue(o.gamma ?? 0.1, "gamma", where);
  return schedule(where, (t) => init * gamma ** Math.floor(t / stepSize));
}
