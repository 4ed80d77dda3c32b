// The pure schedules' type and the wrapper that checks the step when a schedule is called. Options are
// checked by core/validate.ts when the schedule is built, so a bad option never yields a function that
// fails later.

import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";

/** A schedule: the value of a hyperparameter at a step (0-based; fractional steps are allowed). */
export type Schedule = (step: number) => number;

/** Wraps the formula so a call with a bad step fails loudly instead of returning NaN. */
export function schedule(where: string, formula: (step: number) => number): Schedule {
  return (step: number) => {
    if (typeof step !== "number" || !Number.isFinite(step) || step < 0) {
      optionError(`${where}: step must be a finite number ≥ 0, got ${describe(step)}`);
    }
    return formula(step);
  };
}
