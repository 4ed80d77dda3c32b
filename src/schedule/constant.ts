// constant: the same value at every step (optax.constant_schedule).

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite } from "../core/validate.js";

/** Options of `schedule.constant`. */
export interface ConstantScheduleOptions {
  /** The value at every step. */
  value: number;
}

/**
 * A schedule that is `value` at every step.
 * @example
 * schedule.constant({ value: 0.1 })(1000); // → 0.1
 */
export function constant(options: ConstantScheduleOptions): Schedule {
  const where = "schedule.constant";
  const o = checkOptions(options, ["value"], where);
  const value = finite(o.value, "value", where);
  return schedule(where, () => value);
}
