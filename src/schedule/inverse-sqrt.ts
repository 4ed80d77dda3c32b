// inverseSqrt: linear warmup init → peak over warmupSteps, then peak·√(warmupSteps/step) (Vaswani et al.
// 2017, "Attention Is All You Need"; fairseq's inverse_sqrt). Without warmup: peak/√max(step, 1).

import { type Schedule, schedule } from "./check.js";
import { checkOptions, finite, integer } from "../core/validate.js";

/** Options of `schedule.inverseSqrt`. */
export interface InverseSqrtScheduleOptions {
  /** Default 0. */
  init?: number;
  /** The value at the end of warmup, from which it decays as 1/√step. */
  peak: number;
  /** Default 0. */
  warmupSteps?: number;
}

/**
 * Warmup, then decay as 1/√step.
 * @example
 * const lr = schedule.inverseSqrt({ peak: 1, warmupSteps: 100 });
 * lr(100); // → 1
 * lr(400); // → 0.5 (peak · √(100/400))
 */
export function inverseSqrt(options: InverseSqrtScheduleOptions): Schedule {
  const where = "schedule.inverseSqrt";
  const o = checkOptions(options, ["init", "peak", "warmupSteps"], where);
  const init = finite(o.init ?? 0, "init", where);
  const peak = finite(o.peak, "peak", where);
  const warmupSteps = integer(o.warmupSteps ?? 0, "warmupSteps", 0, where);
  const scale = Math.max(warmupSteps, 1);
  return schedule(where, (t) =>
    t < warmupSteps ? init + ((peak - init) * t) / warmupSteps : peak * Math.sqrt(scale / Math.max(t, scale)),
  );
}
