// linear: init + (end − init)·min(step, steps)/steps (optax.linear_schedule with transition_begin 0).
// As a LambdaLR factor with init = startFactor, end = endFactor, steps = totalIters it is LinearLR's
// closed form.

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite, integer } from "../core/validate.js";

/** Options of `schedule.linear`. */
export interface LinearScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** The value from step `steps` on. */
  end: number;
  /** Steps from init to end; the value stays at end afterwards. */
  steps: number;
}

/**
 * A straight line from `init` to `end` over `steps`, then `end`.
 * @example
 * schedule.linear({ init: 0, end: 1, steps: 10 })(5); // → 0.5
 */
export function linear(options: LinearScheduleOptions): Schedule {
  const where = "schedule.linear";
  const o = checkOptions(options, ["init", "end", "steps"], where);
  const init = finite(o.init, "init", where);
  const end = finite(o.end, "end", where);
  const steps = integer(o.steps, "steps", 1, where);
  return schedule(where, (t) => init + ((end - init) * Math.min(t, steps)) / steps);
}
