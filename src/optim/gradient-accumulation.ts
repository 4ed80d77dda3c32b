// Gradient accumulation: one optimizer step per `steps` micro-batches, with their gradients averaged,
// so a batch too large for memory is trained as `steps` smaller ones:
//   each call to step(): S += g (per param; a missing grad counts as zero)
//   every `steps`-th call: p.grad = S/steps, the inner step runs once, S = 0
// The inner optimizer sees one step per real batch: its step counters, bias corrections, schedulers and
// weight decay advance once per real step, not once per micro-batch (the bug Keras had: keras #19990).
// With a mean-reduced loss this equals one step on the whole batch.

import { type Buffer, dtypeOf } from "../core/arena.js";
import { type OptimizerLike, paramLabel } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { checkOptions, integer, optionError } from "../core/validate.js";
import { isBuffer, OptimizerWrapper } from "./optimizer-wrapper.js";

/** Options of `GradientAccumulation`. */
export interface GradientAccumulationOptions {
  /** Micro-batches per optimizer step (≥ 1). */
  steps: number;
}

/** The accumulation loop: sum += grad. */
export function accumulateGrad(n: number, sum: Float64Array, grad: Buffer): void {
  for (let i = 0; i < n; i++) {
    sum[i] = sum[i]! + grad[i]!;
  }
}

/** The averaging loop for the applying call: grad = (sum + grad)/steps (grad is this micro-batch's). */
export function averageGrad(n: number, sum: Float64Array, grad: Buffer, steps: number): void {
  for (let i = 0; i < n; i++) {
    grad[i] = (sum[i]! + grad[i]!) / steps;
  }
}

/**
 * Applies the inner optimizer once every `steps` calls to `step()`, with the gradients of those calls
 * averaged. Write each micro-batch's mean gradient into `p.grad` and call `step()` after each.
 * On the applying call `p.grad` is replaced by the average (what the inner optimizer read). `zeroGrad()`
 * clears `p.grad` only: the sums are kept until the applying call. If the inner step throws, the caller's
 * grads and the cycle are restored, so the call can be retried.
 * @example
 * const w = param([1]);
 * const opt = new GradientAccumulation(new SGD([w], { lr: 0.1 }), { steps: 2 });
 * w.grad = new Float32Array([1]);
 * opt.step(); // a micro-batch: nothing moves yet
 * w.grad = new Float32Array([3]);
 * opt.step(); // the real step, with the mean grad 2
 * w.data[0]; // → 0.8
 */
export class GradientAccumulation<I extends OptimizerLike = OptimizerLike> extends OptimizerWrapper<I> {
  protected readonly name = "GradientAccumulation";
  protected readonly stateKey = "gradientAccumulation";
  steps: number;
  #microStep = 0;
  #optimizerSteps = 0;
  /** Float64 sums of the previous micro-batches' grads (exact for float32 grads, and for few float64 ones). */
  readonly #sums = new Map<Param, Float64Array>();
  /** Params with a grad in this cycle. */
  readonly #contributed = new Set<Param>();
  /** The last micro-batch's grad, kept while the inner step runs so that a failure can restore it. */
  readonly #saved = new Map<Param, Buffer>();

  constructor(inner: I, options: Partial<GradientAccumulationOptions> & { steps: number }) {
    super(inner, "GradientAccumulation");
    checkOptions(options, ["steps"], "GradientAccumulation");
    this.steps = integer(options.steps, "accumulation steps", 1);
  }

  /** Micro-batches accumulated so far in the current cycle (0 right after an optimizer step). */
  get microStep(): number {
    return this.#microStep;
  }

  /** Optimizer steps taken (inner steps), not micro-batches. */
  get optimizerSteps(): number {
    return this.#optimizerSteps;
  }

  #sumOf(p: Param): Float64Array {
    let sum = this.#sums.get(p);
    if (sum === undefined || sum.length !== p.data.length) {
      sum = new Float64Array(p.data.length);
      this.#sums.set(p, sum);
    }
    return sum;
  }

  /**
   * Adds this micro-batch's grads; on every `steps`-th call runs the inner step on their average.
   * The closure (if any) is evaluated once, for this micro-batch; the inner step gets none.
   */
  step(closure?: () => number): number | undefined {
    this.checkLive("step");
    integer(this.steps, "accumulation steps", 1);
    let loss: number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") optionError("GradientAccumulation.step: closure must be a function");
      loss = closure();
    }
    const params = this.orderedParams();
    params.forEach((p, i) => {
      if (p.sparseGrad !== null && p.sparseGrad !== undefined)
        optionError(
          `GradientAccumulation.step: ${paramLabel(p, i)} has a sparse gradient, which GradientAccumulation does not support (it would keep only the last micro-batch's rows); nothing was updated`,
        );
      const g = p.grad;
      if (g === null || g === undefined) return;
      const where = `GradientAccumulation.step: grad of ${paramLabel(p, i)}`;
      if (!isBuffer(g)) optionError(`${where} is ${describe(g)}, not a Float32Array or Float64Array`);
      if (g.length !== p.data.length)
        optionError(`${where} has ${g.length} elements but the param has ${p.data.length}`);
      if (g.constructor !== p.data.constructor)
        optionError(`${where} is ${dtypeOf(g)} but the param is ${dtypeOf(p.data)}`);
    });
    if (this.#microStep + 1 < this.steps) {
      for (const p of params) {
        const g = p.grad;
        if (g === null || g === undefined) continue;
        accumulateGrad(g.length, this.#sumOf(p), g);
        this.#contributed.add(p);
      }
      this.#microStep += 1;
      return loss;
    }
    this.#apply(params);
    this.runStepPostHooks();
    return loss;
  }

  protected override disposeOwn(): void {
    this.#sums.clear();
    this.#saved.clear();
    this.#contributed.clear();
  }

  #apply(params: readonly Param[]): void {
    const wasNull: Param[] = [];
    for (const p of params) {
      let g = p.grad;
      if (g === null || g === undefined) {
        if (!this.#contributed.has(p)) continue; // no grad in the whole cycle: stays null, as in torch
        p.grad = new (p.data.constructor as Float64ArrayConstructor)(p.data.length);
        g = p.grad!;
        wasNull.push(p);
      } else {
        let saved = this.#saved.get(p);
        if (saved === undefined || saved.length !== g.length || saved.constructor !== g.constructor) {
          saved = g.slice();
          this.#saved.set(p, saved);
        } else saved.set(g);
      }
      averageGrad(g.length, this.#sumOf(p), g, this.steps);
    }
    try {
      this.inner.step();
    } catch (e) {
      // put back what the caller had, so the call can be retried; the cycle is unchanged
      for (const p of params) {
        if (wasNull.includes(p)) p.grad = null;
        else if (p.grad !== null && p.grad !== undefined && this.#saved.has(p))
          p.grad.set(this.#saved.get(p)!);
      }
      throw e;
    }
    for (const p of wasNull) p.grad = null;
    for (const sum of this.#sums.values()) sum.fill(0);
    this.#contributed.clear();
    this.#microStep = 0;
    this.#optimizerSteps += 1;
  }

  protected ownState(): Record<string, unknown> {
    const params = this.orderedParams();
    return {
      steps: this.steps,
      microStep: this.#microStep,
      optimizerSteps: this.#optimizerSteps,
      gradSums: params.map((p) => (this.#contributed.has(p) ? this.#sums.get(p)!.slice() : null)),
    };
  }

  protected prepareLoad(own: unknown, bad: (why: string) => never): () => void {
    const o = own as {
      steps?: unknown;
      microStep?: unknown;
      optimizerSteps?: unknown;
      gradSums?: unknown;
    } | null;
    if (o === null || typeof o !== "object")
      bad(`'gradientAccumulation' must be an object, got ${describe(own)}`);
    const steps = o.steps;
    if (!Number.isInteger(steps) || (steps as number) < 1)
      bad(`gradientAccumulation.steps must be an integer ≥ 1, got ${describe(steps)}`);
    const micro = o.microStep;
    if (!Number.isInteger(micro) || (micro as number) < 0 || (micro as number) >= (steps as number))
      bad(`gradientAccumulation.microStep must be an integer in [0, steps), got ${describe(micro)}`);
    if (!Number.isInteger(o.optimizerSteps) || (o.optimizerSteps as number) < 0)
      bad(
        `gradientAccumulation.optimizerSteps must be a non-negative integer, got ${describe(o.optimizerSteps)}`,
      );
    const params = this.orderedParams();
    const sums = o.gradSums;
    if (!Array.isArray(sums) || sums.length !== params.length)
      bad(
        `gradientAccumulation.gradSums must have one entry per param (${params.length}), got ${describe(sums)}`,
      );
    params.forEach((p, i) => {
      const s = (sums as unknown[])[i];
      if (s !== null && !(s instanceof Float64Array && s.length === p.data.length))
        bad(
          `gradientAccumulation.gradSums[${i}]: expected null or a Float64Array of length ${p.data.length}, got ${describe(s)}`,
        );
    });
    return () => {
      this.steps = steps as number;
      this.#microStep = micro as number;
      this.#optimizerSteps = o.optimizerSteps as number;
      this.#contributed.clear();
      for (const sum of this.#sums.values()) sum.fill(0);
      params.forEach((p, i) => {
        const s = (sums as Array<Float64Array | null>)[i];
        if (s === null || s === undefined) return;
        this.#sumOf(p).set(s);
        this.#contributed.add(p);
      });
    };
  }
}
