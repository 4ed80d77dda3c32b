// piecewiseConstant: values[i] where i is the number of boundaries ≤ step (optax.piecewise_constant_schedule
// written with the values themselves instead of cumulative scales).

import { describe } from "../core/param.js";
import { optionError, checkOptions, finite } from "../core/validate.js";
import { type Schedule, schedule } from "./check.js";

/** Options of `schedule.piecewiseConstant`. */
export interface PiecewiseConstantScheduleOptions {
  /** Strictly increasing steps at which the value changes. */
  boundaries: readonly number[];
  /** One more than boundaries: the value before the first boundary, then after each. */
  values: readonly number[];
}

/**
 * A step function.
 * @example
 * schedule.piecewiseConstant({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] })(150); // → 0.01
 */
export function piecewiseConstant(options: PiecewiseConstantScheduleOptions): Schedule {
  const where = "schedule.piecewiseConstant";
  const o = checkOptions(options, ["boundaries", "values"], where);
  const { boundaries, values } = o;
  if (
    !Array.isArray(boundaries) ||
    boundaries.some((b, i) => !(Number.isFinite(b) && b > (i > 0 ? boundaries[i - 1] : -1)))
  ) {
    optionError(`${where}: boundaries must be strictly increasing numbers ≥ 0, got ${describe(boundaries)}`);
  }
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    optionError(
      `${where}: values must have one more entry than boundaries (${boundaries.length + 1}), got ${describe(values)}`,
    );
  }
  const vs = values.map((v, i) => finite(v, `values[${i}]`, where));
  const bs = boundaries as number[];
  return schedule(where, (t) => vs[bs.filter((b) => b <= t).length] as number);
}
