// Shared checks of the pure schedules: options are validated when the schedule is built (a bad option
// never yields a function that fails later), and the step when it is called.

import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";

/** A schedule: the value of a hyperparameter at a step (0-based; fractional steps are allowed). */
export type Schedule = (step: number) => number;

export function checkKeys(
  options: unknown,
  known: readonly string[],
  where: string,
): Record<string, unknown> {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    optionError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      optionError(`${where}: unknown option ${JSON.stringify(key)} (known: ${known.join(", ")})`);
    }
  }
  return options as Record<string, unknown>;
}

/** A finite number (any sign: a schedule may be used for a factor or a negative quantity). */
export function finiteValue(value: unknown, label: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a finite number)`);
  }
  return value;
}

export function positiveValue(value: unknown, label: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a finite number > 0)`);
  }
  return value;
}

/** A whole number of steps ≥ min. */
export function stepCount(value: unknown, label: string, where: string, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected an integer ≥ ${min})`);
  }
  return value as number;
}

/** Wraps the formula so a call with a bad step fails loudly instead of returning NaN. */
export function schedule(where: string, formula: (step: number) => number): Schedule {
  return (step: number) => {
    if (typeof step !== "number" || !Number.isFinite(step) || step < 0) {
      optionError(`${where}: step must be a finite number ≥ 0, got ${describe(step)}`);
    }
    return formula(step);
  };
}
