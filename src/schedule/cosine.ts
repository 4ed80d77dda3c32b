// cosine: end + (init − end)·(1 + cos(π·min(step, steps)/steps))/2 (optax.cosine_decay_schedule, SGDR's
// half cosine). Within [0, steps] it is CosineAnnealingLR's closed form (init = base lr, end = etaMin);
// past `steps` it stays at end, where torch's chainable CosineAnnealingLR climbs back up.

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite, integer } from "../core/validate.js";

/** Options of `schedule.cosine`. */
export interface CosineScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** Default 0. */
  end?: number;
  /** Steps from init to end; the value stays at end afterwards. */
  steps: number;
}

/**
 * A half cosine from `init` down to `end` over `steps`, then `end`.
 * @example
 * const lr = schedule.cosine({ init: 0.1, steps: 100 });
 * lr(50); // → 0.05
 * lr(100); // → 0
 * lr(150); // → 0 (held at the end)
 */
export function cosine(options: CosineScheduleOptions): Schedule {
  const where = "schedule.cosine";
  const o = checkOptions(options, ["init", "end", "steps"], where);
  const init = finite(o.init, "init", where);
  const end = finite(o.end ?? 0, "end", where);
  const steps = integer(o.steps, "steps", 1, where);
  return schedule(
    where,
    (t) => end + ((init - end) * (1 + Math.cos((Math.PI * Math.min(t, steps)) / steps))) / 2,
  );
}
