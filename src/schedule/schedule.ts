// The pure schedules as one namespace object: `schedule.cosine({ init: 0.1, steps: 100 })(t)`. Each
// function lives in its own file; bare names such as `step`, `join` and `linear` are only exported here.

import { constant } from "./constant.js";
import { cosine } from "./cosine.js";
import { exponential } from "./exponential.js";
import { inverseSqrt } from "./inverse-sqrt.js";
import { join } from "./join.js";
import { linear } from "./linear.js";
import { multiStep } from "./multi-step.js";
import { piecewiseConstant } from "./piecewise-constant.js";
import { polynomial } from "./polynomial.js";
import { step } from "./step.js";
import { warmupCosine } from "./warmup-cosine.js";
import { warmupStableDecay } from "./warmup-stable-decay.js";

/**
 * The pure schedules, `(step) => value`, usable for plotting and as LambdaLR factors.
 * @example
 * const lr = schedule.warmupCosine({ peak: 3e-4, warmupSteps: 100, totalSteps: 1000 });
 * lr(50); // → 1.5e-4
 * lr(100); // → 3.0e-4
 * const opt = new AdamW([param([0])], { lr: 1 });
 * new LambdaLR(opt, { lrLambda: lr }); // as a factor of the base lr 1
 * opt.paramGroups[0]!.lr; // → 0
 */
export const schedule = Object.freeze({
  /** `value` at every step. */
  constant,
  /** A straight line from `init` to `end` over `steps`, then `end`. */
  linear,
  /** A half cosine from `init` down to `end` over `steps`, then `end`. */
  cosine,
  /** Exponential decay (or growth, gamma > 1). */
  exponential,
  /** Polynomial decay from `init` to `end` over `steps`. */
  polynomial,
  /** Multiplies by gamma every stepSize steps. */
  step,
  /** Multiplies by gamma at each milestone. */
  multiStep,
  /** A step function: `values[i]` between boundaries. */
  piecewiseConstant,
  /** Linear warmup, then cosine decay. */
  warmupCosine,
  /** Warmup, a long constant phase, a short decay. */
  warmupStableDecay,
  /** Warmup, then decay as 1/√step. */
  inverseSqrt,
  /** Runs schedules in sequence, switching at the boundaries. */
  join,
});
