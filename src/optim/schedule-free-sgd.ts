// Schedule-Free SGD (Defazio et al., 2024, "The Road Less Scheduled", https://arxiv.org/abs/2405.15682),
// as facebookresearch/schedule_free's SGDScheduleFree computes it. z is the SGD iterate, x the weighted
// average of the z's (the point to evaluate), y = (1 − β)·z + β·x (where the gradient is taken), β = momentum:
//   lrₖ = lr·min(1, (k+1)/warmupSteps);  c = weight/Σweight as in ScheduleFreeAdamW
//   d = g + weightDecay·y
//   y = lerp(y, z, c) + lrₖ·(β·(1 − c) − 1)·d;   z = z − lrₖ·d
// train() / eval() move the param between y and x; step() throws unless in train mode, as in the reference.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import type { BaseOptions, ParamGroup, ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { optionError } from "../core/validate.js";
import {
  type ScheduleFreeGroupState,
  ScheduleFreeOptimizer,
  scheduleFreeAdvance,
  validateScheduleFreeCommon,
} from "./schedule-free-adamw.js";
import { runScheduleFreeSgdUpdate } from "../kernels/generated/schedule-free-sgd.js";
import { lerp, withL2 } from "./rule-helpers.js";

/** Options of `ScheduleFreeSGD`: the reference implementation's, camelCased, with its defaults. */
export interface ScheduleFreeSGDOptions extends BaseOptions {
  /** Default 1.0. */
  lr: number;
  /** Interpolates between the average x and the base sequence z. Default 0.9. */
  momentum: number;
  /** Weight decay, applied at y. Default 0. */
  weightDecay: number;
  /** Steps of linear lr warmup. Default 0. */
  warmupSteps: number;
  /** Power of the step in the averaging weights (0: uniform). Default 0. */
  r: number;
  /** Power of the lr in the averaging weights. Default 2. */
  weightLrPower: number;
}

export const SCHEDULE_FREE_SGD_DEFAULTS: Readonly<ScheduleFreeSGDOptions> = Object.freeze({
  lr: 1.0,
  momentum: 0.9,
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
});

/** ScheduleFreeSGD's per-param state: the base sequence z. */
export type ScheduleFreeSGDState = { z: Buffer };

function validate(o: ScheduleFreeSGDOptions): void {
  validateScheduleFreeCommon(o as unknown as BaseOptions & Record<string, unknown>);
  const m = o.momentum;
  if (!(typeof m === "number" && m > 0 && m < 1)) {
    optionError(`Momentum must be between 0 and 1 exclusive: ${describe(m)}`);
  }
}

/** The buffers of `scheduleFreeSgdUpdate`. */
export interface ScheduleFreeSGDBuffers {
  param: Buffer;
  grad: Buffer;
  z: Buffer;
}

/** The per-call scalars of `scheduleFreeSgdUpdate`. */
export interface ScheduleFreeSGDScalars {
  weightDecay: number;
  ckp1: number;
  yStep: number;
  lr: number;
}

/** The fused Schedule-Free SGD element loop; `yStep` is lrₖ·(momentum·(1 − c) − 1). */
export function scheduleFreeSgdUpdate(
  n: number,
  { param, grad, z }: ScheduleFreeSGDBuffers,
  { weightDecay, ckp1, yStep, lr }: ScheduleFreeSGDScalars,
): void {
  for (let i = 0; i < n; i++) {
    const y = param[i]!;
    const zi = z[i]!;
    const d = withL2(grad[i]!, weightDecay, y);
    param[i] = lerp(y, zi, ckp1) + yStep * d;
    z[i] = zi - lr * d;
  }
}

/**
 * One step of a ScheduleFreeSGD group, before its params are updated: advances the group's counters (k
 * included) as the reference does and returns the scalars of `scheduleFreeSgdUpdate` for every param.
 */
export function scheduleFreeSgdStep(
  group: ScheduleFreeGroupState & ScheduleFreeSGDOptions,
): ScheduleFreeSGDScalars {
  const [lr, ckp1] = scheduleFreeAdvance(group as unknown as Parameters<typeof scheduleFreeAdvance>[0]);
  group.k += 1;
  return { weightDecay: group.weightDecay, ckp1, yStep: lr * (group.momentum * (1 - ckp1) - 1), lr };
}

/**
 * Schedule-free SGD with momentum: SGD's iterate averaged online, with no schedule to tune. Call `train()`
 * before training and `eval()` before evaluating or saving.
 * @example
 * const w = param([1, -2]);
 * const opt = new ScheduleFreeSGD([w], { lr: 0.1, momentum: 0.9 });
 * opt.train();
 * for (let i = 0; i < 3; i++) {
 *   w.grad = Float32Array.from(w.data); // ∇ of ½‖w‖²
 *   opt.step();
 * }
 * opt.eval(); // params now hold x, the point to evaluate
 */
export class ScheduleFreeSGD extends ScheduleFreeOptimizer<ScheduleFreeSGDOptions, ScheduleFreeSGDState> {
  constructor(
    params: readonly Param[] | readonly ParamGroupInit[],
    options: Partial<ScheduleFreeSGDOptions> = {},
  ) {
    super(params, options, { name: "ScheduleFreeSGD", defaults: SCHEDULE_FREE_SGD_DEFAULTS, validate });
    for (const g of this.paramGroups) this.initGroupCounters(g, false);
  }

  protected interpolation(group: ParamGroup<ScheduleFreeSGDOptions>): number {
    return group.momentum;
  }

  protected initState(p: Param): ScheduleFreeSGDState {
    const z = zerosLike(p.data);
    z.set(p.data);
    return { z };
  }

  protected override updateGroup(group: ParamGroup<ScheduleFreeSGDOptions>): void {
    const scalars = scheduleFreeSgdStep(group as ParamGroup<ScheduleFreeSGDOptions> & ScheduleFreeGroupState);
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null || grad === undefined) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = this.initState(p);
        this.state.set(p, state);
      }
      runScheduleFreeSgdUpdate(p.data.length, { param: p.data, grad, z: state.z }, scalars);
    }
  }

  protected update(): void {
    // updateGroup does the work: the step's scalars are per group
  }
}
