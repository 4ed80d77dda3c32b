// exponential: init·gamma^(step/transitionSteps), or gamma^⌊step/transitionSteps⌋ with staircase
// (optax.exponential_decay). With transitionSteps 1 it is ExponentialLR's closed form; with staircase it is
// StepLR's (see also `step`).

import { describe } from "../core/param.js";
import { optionError, checkOptions, finite, positive, integer } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";

/** Options of `schedule.exponential`. */
export interface ExponentialScheduleOptions {
  /** The value at step 0. */
  init: number;
  /** The factor per transition (> 0). */
  gamma: number;
  /** Default 1. */
  transitionSteps?: number;
  /** Default false: decay continuously; true: in whole transitions. */
  staircase?: boolean;
}

/**
 * Exponential decay (or growth, gamma > 1).
 * @example
 * schedule.exponential({ init: 1, gamma: 0.5 })(3); // → 0.125
 */
export function exponential(options: ExponentialScheduleOptions): Schedule {
  const where = "schedule.exponential";
  const o = checkOptions(options, ["init", "gamma", "transitionSteps", "staircase"], where);
  const init = finite(o.init, "init", where);
  const gamma = positive(o.gamma, "gamma", where);
  const every = integer(o.transitionSteps ?? 1, "transitionSteps", 1, where);
  const staircase = o.staircase ?? false;
  if (typeof staircase !== "boolean") {
    optionError(`${where}: Invalid staircase: ${describe(staircase)} (expected true or false)`);
  }
  return schedule(where, (t) => init * gamma ** (staircase ? Math.floor(t / every) : t / every));
}
