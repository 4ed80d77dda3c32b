// polynomial: end + (init − end)·(1 − min(step, steps)/steps)^power (optax.polynomial_schedule). With
// end 0 it is PolynomialLR's closed form.

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite, positive, integer } from "../core/validate.js";

/** Options of `schedule.polynomial`. */
export interface PolynomialScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** Default 0. */
  end?: number;
  /** Default 1. */
  power?: number;
  /** Steps from init to end; the value stays at end afterwards. */
  steps: number;
}

/**
 * Polynomial decay from `init` to `end` over `steps`.
 * @example
 * schedule.polynomial({ init: 1, power: 2, steps: 10 })(5); // → 0.25
 */
export function polynomial(options: PolynomialScheduleOptions): Schedule {
  const where = "schedule.polynomial";
  const o = checkOptions(options, ["init", "end", "power", "steps"], where);
  const init = finite(o.init, "init", where);
  const end = finite(o.end ?? 0, "end", where);
  const power = positive(o.power ?? 1, "power", where);
  const steps = integer(o.steps, "steps", 1, where);
  return schedule(where, (t) => end + (init - end) * (1 - Math.min(t, steps) / steps) ** power);
}
