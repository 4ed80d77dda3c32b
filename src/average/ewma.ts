// The exponentially weighted moving average of the seed note:
//   v_0 = 0,  v_t = β·v_{t−1} + (1 − β)·θ_t,  and with bias correction  v̂_t = v_t / (1 − βᵗ).
// β near 1 is smooth but lags (it averages about 1/(1 − β) values); bias correction removes the pull
// toward the zero start in the first steps.

import { boolean, inRange } from "../core/validate.js";

/**
 * Options of `EWMA`: `beta` in [0, 1) (default 0.9) and `biasCorrection` (default false: the average starts
 * at 0).
 */
export interface EWMAOptions {
  /** Weight of the old average: v = beta·v + (1 − beta)·x. Default 0.9. */
  beta?: number;
  /** Divide by 1 − betaᵗ, so early values are not pulled toward 0. Default false. */
  biasCorrection?: boolean;
}

function checkBeta(beta: unknown): number {
  return inRange(beta, 0, 1, "beta value");
}

/**
 * A running EWMA.
 * @example
 * const avg = new EWMA({ beta: 0.9, biasCorrection: true });
 * avg.update(10); // 10 (bias-corrected: the first value is not pulled toward 0)
 */
export class EWMA {
  readonly beta: number;
  readonly biasCorrection: boolean;
  #v = 0;
  #t = 0;

  constructor(options: EWMAOptions = {}) {
    this.beta = checkBeta(options.beta ?? 0.9);
    this.biasCorrection = boolean(options.biasCorrection ?? false, "biasCorrection value");
  }

  /** Adds one observation and returns the (possibly bias-corrected) average. */
  update(x: number): number {
    if (typeof x !== "number") throw new TypeError(`EWMA.update: expected a number, got ${typeof x}`);
    this.#v = this.beta * this.#v + (1 - this.beta) * x;
    this.#t += 1;
    return this.value;
  }

  /** The current average (NaN before the first update when bias-corrected: there is nothing to average). */
  get value(): number {
    if (!this.biasCorrection) return this.#v;
    if (this.#t === 0) return Number.NaN;
    return this.#v / (1 - this.beta ** this.#t);
  }

  /** The uncorrected running value v_t. */
  get raw(): number {
    return this.#v;
  }

  get t(): number {
    return this.#t;
  }

  /** Forgets every value seen: the next `update` starts afresh. */
  reset(): void {
    this.#v = 0;
    this.#t = 0;
  }

  /** The running average `v`, the count `t` and the options. */
  stateDict(): { v: number; t: number; beta: number; biasCorrection: boolean } {
    return { v: this.#v, t: this.#t, beta: this.beta, biasCorrection: this.biasCorrection };
  }

  /** Restores `v` and `t` from `stateDict()` (the options stay this instance's). */
  loadStateDict(sd: { v: number; t: number }): void {
    if (typeof sd?.v !== "number" || !Number.isInteger(sd.t) || sd.t < 0) {
      throw new RangeError("EWMA.loadStateDict: expected { v: number, t: non-negative integer }");
    }
    this.#v = sd.v;
    this.#t = sd.t;
  }
}

/**
 * The EWMA of a whole series: `out[t-1] = v_t` (or `v_t / (1 − βᵗ)` with `biasCorrection`).
 * @example
 * ewma([1, 2, 3], 0.5); // Float64Array [0.5, 1.25, 2.125]
 */
export function ewma(
  series: ArrayLike<number>,
  beta: number,
  opts: { biasCorrection?: boolean } = {},
): Float64Array {
  checkBeta(beta);
  const correct = boolean(opts.biasCorrection ?? false, "biasCorrection value");
  const out = new Float64Array(series.length);
  let v = 0;
  for (let t = 0; t < series.length; t++) {
    v = beta * v + (1 - beta) * series[t]!;
    out[t] = correct ? v / (1 - beta ** (t + 1)) : v;
  }
  return out;
}
