// Stochastic gradient descent with optional momentum (Polyak; Nesterov as in Sutskever et al., 2013),
// as torch.optim.SGD computes it:
//   g = ∇f (negated when maximize) + weightDecay·θ
//   b = g on the first step, then b = momentum·b + (1 − dampening)·g
//   d = g + momentum·b (nesterov) or b (momentum) or g (plain)
//   θ = θ − lr·d

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { boolean, finite, nonNegative, optionError } from "../core/validate.js";
import { runSgdUpdate } from "../kernels/generated/sgd.js";
import { maximized, withL2 } from "./rule-helpers.js";

/** Options of `SGD`: torch.optim.SGD's, camelCased, with its defaults. */
export interface SGDOptions extends BaseOptions {
  /** Default 1e-3. */
  lr: number;
  /**
   * Momentum factor: the buffer is momentum·buf + (1 − dampening)·g, starting as the first gradient. Default
   * 0.
   */
  momentum: number;
  /** Damping of the momentum's new gradient. Default 0. */
  dampening: number;
  /** Weight decay (L2 penalty, added to the gradient). Default 0 (torch's `weight_decay`). */
  weightDecay: number;
  /** Nesterov momentum: step along g + momentum·buf. Needs momentum > 0 and dampening 0. Default false. */
  nesterov: boolean;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

export const SGD_DEFAULTS: Readonly<SGDOptions> = Object.freeze({
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
});

/** torch keeps no state for SGD without momentum; with momentum, only the buffer. */
export type SGDState = { momentumBuffer?: Buffer };

function validate(o: SGDOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.momentum, "momentum value");
  finite(o.dampening, "dampening value");
  nonNegative(o.weightDecay, "weight_decay value");
  boolean(o.nesterov, "nesterov value");
  boolean(o.maximize, "maximize value");
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
    optionError("Nesterov momentum requires a momentum and zero dampening");
  }
}

/** The buffers of `sgdUpdate`. */
export interface SGDBuffers {
  param: Buffer;
  grad: Buffer;
  momentumBuffer: Buffer;
}

/** The flags of `sgdUpdate`. */
export interface SGDFlags {
  useMomentum: boolean;
  firstStep: boolean;
  nesterov: boolean;
  maximize: boolean;
}

/** The per-call scalars of `sgdUpdate`. */
export interface SGDScalars {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
}

/** The fused SGD element loop; `firstStep` makes the momentum buffer a copy of the gradient, as torch. */
export function sgdUpdate(
  n: number,
  { param, grad, momentumBuffer }: SGDBuffers,
  { useMomentum, firstStep, nesterov, maximize }: SGDFlags,
  { lr, momentum, dampening, weightDecay }: SGDScalars,
): void {
  for (let i = 0; i < n; i++) {
    const theta = param[i]!;
    let g = withL2(maximized(grad[i]!, maximize), weightDecay, theta);
    if (useMomentum) {
      const b = firstStep ? g : momentum * momentumBuffer[i]! + (1 - dampening) * g;
      momentumBuffer[i] = b;
      g = nesterov ? g + momentum * b : b;
    }
    param[i] = theta - lr * g;
  }
}

/**
 * SGD, with momentum, dampening, Nesterov and weight decay as in torch.
 * @example
 * const opt = new SGD([param([1, 2])], { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<SGDOptions> = {}) {
    super(params, options, {
      name: "SGD",
      defaults: SGD_DEFAULTS,
      validate,
      optionalState: (p) => ({ momentumBuffer: zerosLike(p.data) }),
    });
  }

  /** States whose momentum buffer was created for the coming step (torch starts it at the gradient). */
  readonly #fresh = new WeakSet<SGDState>();

  // the buffer appears with momentum, also when momentum is switched on between steps
  protected override needsAllocation(_p: Param, state: SGDState | undefined, group: SGDOptions): boolean {
    return group.momentum !== 0 && state?.momentumBuffer === undefined;
  }

  protected initState(_p: Param, group: ParamGroup<SGDOptions>): SGDState | null {
    return group.momentum === 0 ? null : {};
  }

  protected override ensureState(p: Param, state: SGDState, group: SGDOptions): void {
    if (group.momentum === 0 || state.momentumBuffer !== undefined) return;
    state.momentumBuffer = zerosLike(p.data);
    this.#fresh.add(state);
  }

  protected update(p: Param, grad: Buffer, state: SGDState | null, group: ParamGroup<SGDOptions>): void {
    const useMomentum = group.momentum !== 0;
    const firstStep = useMomentum && state !== null && this.#fresh.delete(state);
    runSgdUpdate(
      p.data.length,
      { param: p.data, grad, momentumBuffer: state?.momentumBuffer ?? grad }, // grad: unused without momentum
      { useMomentum, firstStep, nesterov: group.nesterov, maximize: group.maximize },
      { lr: group.lr, momentum: group.momentum, dampening: group.dampening, weightDecay: group.weightDecay },
    );
  }
}
