// Rprop (Riedmiller & Braun, 1993, "A direct adaptive method for faster backpropagation learning"),
// as torch.optim.Rprop computes it (the iRprop− variant):
//   g = ∇f (negated when maximize);  s = sign(g·prev)
//   stepSize = clamp(stepSize·(s > 0 ? η+ : s < 0 ? η− : 1), stepSizeMin, stepSizeMax)
//   where s < 0 the gradient is taken as 0 (no move now, no sign change next time)
//   θ = θ − sign(g)·stepSize;  prev = g
// Surprising but torch's: `lr` is only the initial stepSize (filled in when the state is created); changing
// lr later (a scheduler) has no effect on an existing param. A NaN in g·prev leaves a NaN stepSize, as in torch.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, nonNegative, optionError, pair } from "../core/validate.js";
import { runRpropUpdate } from "../kernels/generated/rprop.js";
import { maximized } from "./rule-helpers.js";

/** Options of `Rprop`: torch.optim.Rprop's, camelCased, with its defaults. */
export interface RpropOptions extends BaseOptions {
  /** The initial step size of every element. Default 1e-2. */
  lr: number;
  /**
   * (etaminus, etaplus): the step size's factors when the gradient's sign flips or stays. Default [0.5, 1.2].
   */
  etas: readonly [number, number];
  /** (min, max) bounds of the step size. Default [1e-6, 50] (torch's `step_sizes`). */
  stepSizes: readonly [number, number];
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const RPROP_DEFAULTS: Readonly<RpropOptions> = Object.freeze({
  lr: 1e-2,
  etas: [0.5, 1.2] as const,
  stepSizes: [1e-6, 50] as const,
  maximize: false,
});

/** Rprop's per-param state, torch's `state[p]` camelCased (step, prev, step_size). */
export type RpropState = { step: number; prev: Buffer; stepSize: Buffer };

function validate(o: RpropOptions): void {
  nonNegative(o.lr, "learning rate");
  const [etaMinus, etaPlus] = pair(o.etas, "etas");
  if (
    !(
      typeof etaMinus === "number" &&
      typeof etaPlus === "number" &&
      0 < etaMinus &&
      etaMinus < 1 &&
      1 < etaPlus
    )
  ) {
    optionError(`Invalid eta values: ${describe(etaMinus)}, ${describe(etaPlus)}`);
  }
  if (!Number.isFinite(etaPlus))
    optionError(`Invalid eta values: ${describe(etaMinus)}, ${describe(etaPlus)}`);
  // torch does not check stepSizes; a reversed or negative pair would silently pin every step size
  const [min, max] = pair(o.stepSizes, "step_sizes");
  nonNegative(min, "step_sizes minimum");
  nonNegative(max, "step_sizes maximum");
  if (min > max) optionError(`Invalid step_sizes: minimum ${min} is larger than maximum ${max}`);
  boolean(o.maximize, "maximize value");
}

/** The buffers of `rpropUpdate`. */
export interface RpropBuffers {
  param: Buffer;
  grad: Buffer;
  prev: Buffer;
  stepSize: Buffer;
}

/** The flags of `rpropUpdate`. */
export interface RpropFlags {
  maximize: boolean;
}

/** The per-call scalars of `rpropUpdate`. */
export interface RpropScalars {
  etaMinus: number;
  etaPlus: number;
  stepSizeMin: number;
  stepSizeMax: number;
}

/** The fused Rprop element loop. */
export function rpropUpdate(
  n: number,
  { param, grad, prev, stepSize }: RpropBuffers,
  { maximize }: RpropFlags,
  { etaMinus, etaPlus, stepSizeMin, stepSizeMax }: RpropScalars,
): void {
  for (let i = 0; i < n; i++) {
    let g = maximized(grad[i]!, maximize);
    const s = g * prev[i]!;
    const factor = s > 0 ? etaPlus : s < 0 ? etaMinus : s === 0 ? 1 : s;
    const size = Math.min(Math.max(stepSize[i]! * factor, stepSizeMin), stepSizeMax);
    stepSize[i] = size;
    g = s < 0 ? 0 : g;
    param[i] = param[i]! - Math.sign(g) * size;
    prev[i] = g;
  }
}

/**
 * Rprop: moves each weight by its own step size, which grows while the gradient keeps its sign and shrinks
 * when it flips; only the gradient's sign is used. For full-batch training.
 * @example
 * const w = param([1, -2]);
 * const opt = new Rprop([w], { lr: 0.01, etas: [0.5, 1.2], stepSizes: [1e-6, 50] });
 * w.grad = new Float32Array([0.5, -0.5]);
 * opt.step();
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<RpropOptions> = {}) {
    super(params, options, {
      name: "Rprop",
      defaults: RPROP_DEFAULTS,
      validate,
      nonNegativeState: ["stepSize"],
    });
  }

  protected initState(p: Param, group: ParamGroup<RpropOptions>): RpropState {
    const stepSize = zerosLike(p.data);
    stepSize.fill(group.lr);
    return { step: 0, prev: zerosLike(p.data), stepSize };
  }

  protected update(p: Param, grad: Buffer, state: RpropState, group: ParamGroup<RpropOptions>): void {
    state.step += 1;
    const [etaMinus, etaPlus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    runRpropUpdate(
      p.data.length,
      { param: p.data, grad, prev: state.prev, stepSize: state.stepSize },
      { maximize: group.maximize },
      { etaMinus, etaPlus, stepSizeMin, stepSizeMax },
    );
  }
}
