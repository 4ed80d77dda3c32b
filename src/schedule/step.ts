// step: init·gamma^⌊step/stepSize⌋, StepLR's closed form.

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite, positive, integer } from "../core/validate.js";

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
  const o = checkOptions(options, ["init", "stepSize", "gamma"], where);
  const init = finite(o.init, "init", where);
  const stepSize = integer(o.stepSize, "stepSize", 1, where);
  const gamma = positive(o.gamma ?? 0.1, "gamma", where);
  return schedule(where, (t) => init * gamma ** Math.floor(t / stepSize));
}
