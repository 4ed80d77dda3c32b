// Skip a step whose gradients are not all finite (the fp16 loss-scaling practice of torch.amp's
// GradScaler, which skips optimizer.step when it finds inf/NaN, and Keras' LossScaleOptimizer):
//   any grad element NaN or ±Infinity → onNonFinite "skip": no update at all, `skipped` += 1
//                                      → onNonFinite "error": throw, naming the param and the element
// A skipped step leaves the params and the inner optimizer's state bit-identical (the inner step is not
// called, so its step counters do not advance either).

import type { Buffer } from "../core/arena.js";
import { type OptimizerLike, paramLabel } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { checkOptions, oneOf, optionError } from "../core/validate.js";
import { OptimizerWrapper } from "./optimizer-wrapper.js";

/**
 * What `SkipNonFinite` does with a NaN or ±Infinity gradient: skip the step (and count it) or throw naming
 * the param.
 */
export type OnNonFinite = "skip" | "error";

/** Options of `SkipNonFinite` (default: onNonFinite "skip"). */
export interface SkipNonFiniteOptions {
  /** What to do with a step whose gradients are not all finite. */
  onNonFinite: OnNonFinite;
}

export const SKIP_NON_FINITE_DEFAULTS: Readonly<SkipNonFiniteOptions> = Object.freeze({
  onNonFinite: "skip",
});

/** The index of the first element of `grad` that is NaN or infinite, or −1. */
function firstNonFinite(n: number, grad: Buffer): number {
  for (let i = 0; i < n; i++) {
    const g = grad[i]!;
    if (g - g !== 0) return i; // NaN − NaN and ∞ − ∞ are NaN; finite − itself is 0
  }
  return -1;
}

/** The buffer of `nonFiniteCount`. */
export interface NonFiniteBuffers {
  grad: Buffer;
}

/**
 * How many elements of a grad are NaN or ±∞: SkipNonFinite's check as a rule, which the kernel generator
 * compiles to WGSL (a partials pass per grad, one finish over all of them), whose result gates the update
 * passes on the GPU, so a step is skipped without a read-back.
 */
export function nonFiniteCount(n: number, { grad }: NonFiniteBuffers): number {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    bad += Number.isFinite(grad[i]!) ? 0 : 1;
  }
  return bad;
}

/**
 * Wraps an optimizer so that a step with a NaN or infinite gradient is skipped (and counted) or refused.
 * @example
 * const w = param([1]);
 * const opt = new SkipNonFinite(new Adam([w], { lr: 1e-3 }));
 * w.grad = new Float32Array([Number.NaN]);
 * opt.step();   // skipped: params and state untouched
 * w.data[0];    // → 1
 * opt.skipped;  // → 1
 */
export class SkipNonFinite<I extends OptimizerLike = OptimizerLike> extends OptimizerWrapper<I> {
  protected readonly name: string = "SkipNonFinite";
  protected readonly stateKey = "skipNonFinite";
  onNonFinite: OnNonFinite;
  #skipped = 0;

  constructor(inner: I, options: Partial<SkipNonFiniteOptions> = {}) {
    super(inner, "SkipNonFinite");
    checkOptions(options, Object.keys(SKIP_NON_FINITE_DEFAULTS), "SkipNonFinite");
    this.onNonFinite = oneOf(options.onNonFinite ?? "skip", ["skip", "error"], "onNonFinite value");
  }

  /** Steps skipped because of a non-finite gradient. */
  get skipped(): number {
    return this.#skipped;
  }

  /** The first param (with its index in state-dict order) whose grad is not all finite, or null. */
  findNonFinite(): { param: Param; index: number; element: number; value: number } | null {
    const params = this.orderedParams();
    for (let index = 0; index < params.length; index++) {
      const param = params[index]!;
      // A sparse gradient's values are checked too (element counts along its rows of values).
      for (const g of [param.grad, param.sparseGrad?.values]) {
        if (g === null || g === undefined) continue;
        const element = firstNonFinite(g.length, g);
        if (element >= 0) return { param, index, element, value: g[element]! };
      }
    }
    return null;
  }

  /**
   * Evaluates the closure (if any), checks every grad, then runs the inner step or skips it. The inner
   * optimizer gets a closure whose first call returns the loss already computed (LBFGS calls it again).
   */
  step(closure?: () => number): number | undefined {
    this.checkLive("step");
    oneOf(this.onNonFinite, ["skip", "error"], "onNonFinite value");
    let loss: number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") optionError("SkipNonFinite.step: closure must be a function");
      loss = closure();
    }
    const bad = this.findNonFinite();
    if (bad !== null) {
      if (this.onNonFinite === "error") {
        optionError(
          `${this.name}.step: the grad of ${this.paramName(bad.param, bad.index)} is not finite (element ${bad.element} is ${bad.value}); nothing was updated`,
        );
      }
      this.#skipped += 1;
      return loss;
    }
    this.beforeInnerStep();
    if (closure === undefined) {
      const result = this.inner.step();
      this.runStepPostHooks();
      return result;
    }
    let first = true;
    this.inner.step(() => {
      if (first) {
        first = false;
        return loss as number;
      }
      return closure();
    });
    this.runStepPostHooks();
    return loss;
  }

  /** How the step's error names a param (the TF.js adapter names its variables). */
  protected paramName(param: Param, index: number): string {
    return paramLabel(param, index);
  }

  /** Runs once the check has passed, just before the inner step (the TF.js adapter clips here). */
  protected beforeInnerStep(): void {}

  protected ownState(): Record<string, unknown> {
    return { onNonFinite: this.onNonFinite, skipped: this.#skipped };
  }

  protected prepareLoad(own: unknown, bad: (why: string) => never): () => void {
    const o = own as { skipped?: unknown; onNonFinite?: unknown } | null;
    if (o === null || typeof o !== "object") bad(`'skipNonFinite' must be an object, got ${describe(own)}`);
    if (!Number.isInteger(o.skipped) || (o.skipped as number) < 0)
      bad(`skipNonFinite.skipped must be a non-negative integer, got ${describe(o.skipped)}`);
    if (o.onNonFinite !== "skip" && o.onNonFinite !== "error")
      bad(`skipNonFinite.onNonFinite must be "skip" or "error", got ${describe(o.onNonFinite)}`);
    return () => {
      this.#skipped = o.skipped as number;
      this.onNonFinite = o.onNonFinite as OnNonFinite;
    };
  }
}
