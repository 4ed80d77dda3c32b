// warmupCosine: linear from init to peak over warmupSteps, then a half cosine from peak to end until
// totalSteps, then end (optax.warmup_cosine_decay_schedule, whose decay_steps is our totalSteps: the
// warmup is counted in it). The usual transformer-training lr.

import { optionError, checkOptions, finite, integer } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";
import { cosine } from "./cosine.js";
import { join } from "./join.js";
import { linear } from "./linear.js";

/** Options of `schedule.warmupCosine`. */
export interface WarmupCosineScheduleOptions {
  /** Default 0. */
  init?: number;
  /** The value at the end of warmup. */
  peak: number;
  /** Steps of linear warmup from init to peak. */
  warmupSteps: number;
  /** Warmup and decay together. */
  totalSteps: number;
  /** Default 0. */
  end?: number;
}

/**
 * Linear warmup, then cosine decay.
 * @example
 * const lr = schedule.warmupCosine({ peak: 1e-3, warmupSteps: 100, totalSteps: 1000 });
 * lr(50); // → 5.0e-4
 * lr(100); // → 1.0e-3
 * lr(1000); // → 0
 */
export function warmupCosine(options: WarmupCosineScheduleOptions): Schedule {
  const where = "schedule.warmupCosine";
  const o = checkOptions(options, ["init", "peak", "warmupSteps", "totalSteps", "end"], where);
  const init = finite(o.init ?? 0, "init", where);
  const peak = finite(o.peak, "peak", where);
  const end = finite(o.end ?? 0, "end", where);
  const warmupSteps = integer(o.warmupSteps, "warmupSteps", 0, where);
  const totalSteps = integer(o.totalSteps, "totalSteps", 1, where);
  if (totalSteps <= warmupSteps) {
    optionError(`${where}: totalSteps (${totalSteps}) must exceed warmupSteps (${warmupSteps})`);
  }
  const decay = cosine({ init: peak, end, steps: totalSteps - warmupSteps });
  if (warmupSteps === 0) return schedule(where, decay);
  return schedule(
    where,
    join({ schedules: [linear({ init, end: peak, steps: warmupSteps }), decay], boundaries: [warmupSteps] }),
  );
}
