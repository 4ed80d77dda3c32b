// Lion, "EvoLved Sign Momentum" (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms",
// https://arxiv.org/abs/2302.06675, Algorithm 2):
//   g = ∇f (negated when maximize)
//   c = β1·m + (1 − β1)·g                    (the interpolation whose sign is the update)
//   θ = θ·(1 − lr·weightDecay) − lr·sign(c)  (decoupled weight decay, as AdamW)
//   m = β2·m + (1 − β2)·g                    (the momentum is tracked with the other beta)
// Every coordinate moves by exactly ±lr (0 where c is 0), so lr is usually 3–10× smaller than AdamW's.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { betas, boolean, nonNegative } from "../core/validate.js";
import { runLionUpdate } from "../kernels/generated/lion.js";
import { ema, maximized } from "./rule-helpers.js";

/** Options of `Lion` (the paper's names and defaults; torch has no Lion). */
export interface LionOptions extends BaseOptions {
  /** Default 1e-4 (use a 3–10× smaller lr than AdamW's). */
  lr: number;
  /** β1 interpolates the update's sign direction, β2 the momentum. Default [0.9, 0.99]. */
  betas: readonly [number, number];
  /** Decoupled weight decay: θ ← θ·(1 − lr·weightDecay). Default 0. */
  weightDecay: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const LION_DEFAULTS: Readonly<LionOptions> = Object.freeze({
  lr: 1e-4,
  betas: [0.9, 0.99] as const,
  weightDecay: 0,
  maximize: false,
});

/** The momentum m, named as Adam's first moment (lucidrains/lion-pytorch calls it `exp_avg` too). */
export type LionState = { expAvg: Buffer };

function validate(o: LionOptions): void {
  nonNegative(o.lr, "learning rate");
  betas(o.betas);
  nonNegative(o.weightDecay, "weight_decay value");
  boolean(o.maximize, "maximize value");
}

/** The buffers of `lionUpdate`. */
export interface LionBuffers {
  param: Buffer;
  grad: Buffer;
  expAvg: Buffer;
}

/** The flags of `lionUpdate`. */
export interface LionFlags {
  maximize: boolean;
}

/** The per-call scalars of `lionUpdate`. */
export interface LionScalars {
  decay: number;
  lr: number;
  beta1: number;
  beta2: number;
}

/** The fused Lion element loop; `decay` is 1 − lr·weightDecay. */
export function lionUpdate(
  n: number,
  { param, grad, expAvg }: LionBuffers,
  { maximize }: LionFlags,
  { decay, lr, beta1, beta2 }: LionScalars,
): void {
  for (let i = 0; i < n; i++) {
    const g = maximized(grad[i]!, maximize);
    const m = expAvg[i]!;
    const c = ema(m, g, beta1);
    param[i] = param[i]! * decay - lr * Math.sign(c);
    expAvg[i] = ema(m, g, beta2);
  }
}

/**
 * Lion: the sign of an interpolated momentum, with decoupled weight decay. Memory of SGD with momentum
 * (one buffer), updates of a fixed size per coordinate.
 * @example
 * const w = param([1, -2]);
 * const opt = new Lion([w], { lr: 1e-4, weightDecay: 0.1 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step(); // w ≈ [0.99989, -1.99988]: each coordinate moved by exactly lr after the decay
 */
export class Lion extends Optimizer<LionOptions, LionState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<LionOptions> = {}) {
    super(params, options, { name: "Lion", defaults: LION_DEFAULTS, validate });
  }

  protected initState(p: Param): LionState {
    return { expAvg: zerosLike(p.data) };
  }

  protected update(p: Param, grad: Buffer, state: LionState, group: ParamGroup<LionOptions>): void {
    const beta1 = group.betas[0];
    const beta2 = group.betas[1];
    runLionUpdate(
      p.data.length,
      { param: p.data, grad, expAvg: state.expAvg },
      { maximize: group.maximize },
      { decay: 1 - group.lr * group.weightDecay, lr: group.lr, beta1, beta2 },
    );
  }
}
