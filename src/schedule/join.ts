// join: schedules one after another, each restarted at its boundary (optax.join_schedules): from
// boundaries[i] on, the value is schedules[i + 1](step − boundaries[i]).

import { describe } from "../core/param.js";
import { optionError, checkOptions } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";

/** Options of `schedule.join`. */
export interface JoinScheduleOptions {
  /** The schedules, in order. */
  schedules: readonly Schedule[];
  /** One fewer than schedules, strictly increasing. */
  boundaries: readonly number[];
}

/**
 * Runs schedules in sequence.
 * @example
 * const warmupThenCosine = schedule.join({
 *   schedules: [schedule.linear({ init: 0, end: 0.1, steps: 10 }), schedule.cosine({ init: 0.1, steps: 90 })],
 *   boundaries: [10],
 * });
 * warmupThenCosine(5); // → 0.05
 * warmupThenCosine(10); // → 0.1 (the cosine, at its own step 0)
 * warmupThenCosine(55); // → 0.05
 */
export function join(options: JoinScheduleOptions): Schedule {
  const where = "schedule.join";
  const o = checkOptions(options, ["schedules", "boundaries"], where);
  const { schedules, boundaries } = o;
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== "function")) {
    optionError(`${where}: schedules must be a non-empty array of functions, got ${describe(schedules)}`);
  }
  if (
    !Array.isArray(boundaries) ||
    boundaries.length !== schedules.length - 1 ||
    boundaries.some((b, i) => !(Number.isFinite(b) && b > (i > 0 ? boundaries[i - 1] : 0)))
  ) {
    optionError(
      `${where}: boundaries must be ${schedules.length - 1} strictly increasing numbers > 0, got ${describe(boundaries)}`,
    );
  }
  const fs = [...(schedules as Schedule[])];
  const bs = [...(boundaries as number[])];
  return schedule(where, (t) => {
    let i = 0;
    while (i < bs.length && t >= (bs[i] as number)) i++;
    return (fs[i] as Schedule)(i === 0 ? t : t - (bs[i - 1] as number));
  });
}
