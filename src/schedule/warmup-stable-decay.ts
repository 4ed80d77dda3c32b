// warmupStableDecay (WSD, "trapezoidal"): linear warmup init → peak over warmupSteps, peak for stableSteps,
// then a decay peak → end over decaySteps ("linear", "cosine", or "sqrt": peak − (peak − end)·√(t/decaySteps),
// the 1−sqrt cooldown of Hägele et al. 2024), then end. Hu et al., MiniCPM (2024).

import { describe } from "../core/param.js";
import { optionError, checkOptions, finite, integer } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";

/** The shape of warmup-stable-decay's final phase. */
export type WsdDecay = "linear" | "cosine" | "sqrt";

/** Options of `schedule.warmupStableDecay`. */
export interface WarmupStableDecayScheduleOptions {
  /** Default 0. */
  init?: number;
  /** The value after warmup, held through the stable phase. */
  peak: number;
  /** Steps of linear warmup from init to peak. */
  warmupSteps: number;
  /** Steps at peak. */
  stableSteps: number;
  /** Steps from peak down to end. */
  decaySteps: number;
  /** Default 0. */
  end?: number;
  /** Default "linear". */
  decay?: WsdDecay;
}

/**
 * Warmup, a long constant phase, a short decay.
 * @example
 * const lr = schedule.warmupStableDecay({ peak: 1, warmupSteps: 10, stableSteps: 80, decaySteps: 10 });
 * lr(5); // → 0.5
 * lr(50); // → 1
 * lr(95); // → 0.5
 */
export function warmupStableDecay(options: WarmupStableDecayScheduleOptions): Schedule {
  const where = "schedule.warmupStableDecay";
  const o = checkOptions(
    options,
    ["init", "peak", "warmupSteps", "stableSteps", "decaySteps", "end", "decay"],
    where,
  );
  const init = finite(o.init ?? 0, "init", where);
  const peak = finite(o.peak, "peak", where);
  const end = finite(o.end ?? 0, "end", where);
  const warmupSteps = integer(o.warmupSteps, "warmupSteps", 0, where);
  const stableSteps = integer(o.stableSteps, "stableSteps", 0, where);
  const decaySteps = integer(o.decaySteps, "decaySteps", 1, where);
  const decay = o.decay ?? "linear";
  if (decay !== "linear" && decay !== "cosine" && decay !== "sqrt") {
    optionError(`${where}: Invalid decay: ${describe(decay)} (expected "linear", "cosine" or "sqrt")`);
  }
  // the fraction of (peak − end) still left after a fraction x of the decay; exactly 0 at x = 1
  const left: (x: number) => number =
    decay === "linear"
      ? (x) => 1 - x
      : decay === "cosine"
        ? (x) => (1 + Math.cos(Math.PI * x)) / 2
        : (x) => 1 - Math.sqrt(x);
  const decayStart = warmupSteps + stableSteps;
  return schedule(where, (t) => {
    if (t < warmupSteps) return init + ((peak - init) * t) / warmupSteps;
    if (t < decayStart) return peak;
    return end + (peak - end) * left(Math.min(t - decayStart, decaySteps) / decaySteps);
  });
}
