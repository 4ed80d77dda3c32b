// warmupCosine: linear from init to peak over warmupSteps, then a half cosine from peak to end until
// totalSteps, then end (optax.warmup_cosine_decay_schedule, whose decay_steps is our totalSteps: the
// warmup is counted in it). The usual transformer-training lr.

import { optionError } from "../core/validate.js";
import { checkKeys, finiteValue, type Schedule, schedule, stepCount } from "./check.js";
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
  const o = checkKeys(options, ["init", "peak", "warmupSteps", "totalSteps", "end"], where);
  const init = finiteValue(o.init ?? 0, "init", where);
  const peak = finiteValue(o.peak, "peak", where);
  const end = finiteValue(o.end ?? 0, "end", where);
  const warmupSteps = stepCount(o.warmupSteps, "warmupSteps", where, 0);
  const totalSteps = stepCount(o.totalSteps, "totalSteps", where, 1);
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
