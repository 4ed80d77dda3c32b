// Schedule-Free AdamW (Defazio et al., 2024, "The Road Less Scheduled", https://arxiv.org/abs/2405.15682),
// as facebookresearch/schedule_free's AdamWScheduleFree computes it. Three sequences: z (the base Adam-like
// iterate), x (a weighted average of the z's: the point to evaluate) and y = (1 − β1)·z + β1·x (where the
// gradient is taken: the param holds y while training and x after eval()):
//   k = steps so far; lrₖ = lr·min(1, (k+1)/warmupSteps); lrMax = max over steps of lrₖ
//   weight = (k+1)^r · lrMax^weightLrPower;  c = weight/Σweight   (1/(k+1) for constant lr and r = 0)
//   v = β2·v + (1 − β2)·g²;  d = g/(sqrt(v/(1 − β2^(k+1))) + ε) + weightDecay·y
//   y = lerp(y, z, c) + lrₖ·(β1·(1 − c) − 1)·d;   z = z − lrₖ·d
// train() / eval() move the param between y and x: x = lerp(y, z, 1 − 1/β1), y = lerp(x, z, 1 − β1).
// As in the reference, step() throws unless the optimizer is in train mode (call train() first).
// Unlike the reference, the gradient buffer is left as it was (the reference normalises it in place).

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, finite, inRange, integer, nonNegative, optionError, pair } from "../core/validate.js";
import { runScheduleFreeAdamWUpdate } from "../kernels/generated/schedule-free-adamw.js";
import { emaSq, lerp, withL2 } from "./rule-helpers.js";

/** Options of `ScheduleFreeAdamW`: the reference implementation's, camelCased, with its defaults. */
export interface ScheduleFreeAdamWOptions extends BaseOptions {
  /** Default 0.0025. */
  lr: number;
  /** β1 interpolates between the average x and the base sequence z; β2 as in Adam. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps: number;
  /** Weight decay, applied at y. Default 0. */
  weightDecay: number;
  /** Steps of linear lr warmup. Default 0. */
  warmupSteps: number;
  /** Power of the step in the averaging weights (0: uniform). Default 0. */
  r: number;
  /** Power of the lr in the averaging weights. Default 2. */
  weightLrPower: number;
}

export const SCHEDULE_FREE_ADAMW_DEFAULTS: Readonly<ScheduleFreeAdamWOptions> = Object.freeze({
  lr: 0.0025,
  betas: [0.9, 0.999] as const,
  eps: 1e-8,
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
});

/** ScheduleFreeAdamW's per-param state: the base sequence z and the second moment. */
export type ScheduleFreeAdamWState = { z: Buffer; expAvgSq: Buffer };

/** What the reference keeps per param group besides the options (kept in `paramGroups`, as there). */
export interface ScheduleFreeGroupState {
  k: number;
  trainMode: boolean;
  weightSum: number;
  lrMax: number;
  scheduledLr: number;
}

export const SCHEDULE_FREE_GROUP_START: Readonly<ScheduleFreeGroupState> = Object.freeze({
  k: 0,
  trainMode: false,
  weightSum: 0,
  lrMax: -1,
  scheduledLr: 0,
});

/** Checks the schedule-free options shared by both variants, and the group counters where present. */
export function validateScheduleFreeCommon(o: BaseOptions & Record<string, unknown>): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.weightDecay, "weight_decay value");
  integer(o.warmupSteps, "warmup_steps value", 0);
  finite(o.r, "r value");
  finite(o.weightLrPower, "weight_lr_power value");
  if (o.k !== undefined) integer(o.k, "k value", 0);
  if (o.trainMode !== undefined) boolean(o.trainMode, "train_mode value");
  if (o.weightSum !== undefined) nonNegative(o.weightSum, "weight_sum value");
  if (o.lrMax !== undefined) finite(o.lrMax, "lr_max value");
}

function validate(o: ScheduleFreeAdamWOptions): void {
  validateScheduleFreeCommon(o as unknown as BaseOptions & Record<string, unknown>);
  nonNegative(o.eps, "epsilon value");
  const b = pair(o.betas, "betas");
  // β1 = 0 would make y = z, from which x cannot be recovered in eval()
  if (!(typeof b[0] === "number" && b[0] > 0 && b[0] < 1)) {
    optionError(`Invalid beta parameter at index 0: ${describe(b[0])} (schedule-free needs 0 < β1 < 1)`);
  }
  inRange(b[1], 0, 1, "beta parameter at index 1");
}

/**
 * Advances a group's counters by one step and returns [lrₖ, c]: the scheduled lr and the averaging weight
 * of this step (the reference's `ckp1`; 0 while every weight so far is 0).
 */
export function scheduleFreeAdvance(
  group: ScheduleFreeGroupState & BaseOptions & Record<string, unknown>,
): [number, number] {
  const k = group.k;
  const warmup = group.warmupSteps as number;
  const sched = k < warmup ? (k + 1) / warmup : 1;
  const lr = group.lr * sched;
  group.scheduledLr = lr;
  group.lrMax = Math.max(lr, group.lrMax);
  const weight = (k + 1) ** (group.r as number) * group.lrMax ** (group.weightLrPower as number);
  group.weightSum += weight;
  const ckp1 = group.weightSum === 0 ? 0 : weight / group.weightSum;
  return [lr, ckp1];
}

/** The weight of the train()/eval() move `p = lerp(p, z, weight)`, from the β of y = (1 − β)·z + β·x. */
export function scheduleFreeSwapWeight(beta: number, toTrain: boolean): number {
  return toTrain ? 1 - beta : 1 - 1 / beta;
}

/** The buffers of `scheduleFreeSwap`. */
export interface ScheduleFreeSwapBuffers {
  param: Buffer;
  z: Buffer;
}

/** The scalar of `scheduleFreeSwap`. */
export interface ScheduleFreeSwapScalars {
  weight: number;
}

/**
 * p = lerp(p, z, weight): the train()/eval() move between y and x (torch's `p.lerp_(z, weight)`). A rule,
 * so the kernel generator compiles the same loop to WGSL for the GPU optimizers.
 */
export function scheduleFreeSwap(
  n: number,
  { param, z }: ScheduleFreeSwapBuffers,
  { weight }: ScheduleFreeSwapScalars,
): void {
  for (let i = 0; i < n; i++) {
    param[i] = lerp(param[i]!, z[i]!, weight);
  }
}

/**
 * The message of a step outside train mode (both variants, on the CPU and the GPU), as the reference
 * refuses one.
 */
export function notInTrainMode(name: string): string {
  return `${name}.step: the optimizer is not in train mode. Call opt.train() before training steps and opt.eval() before evaluating or saving (the params hold y while training and x after eval())`;
}

/**
 * One step of a ScheduleFreeAdamW group, before its params are updated: advances the group's counters (k
 * included) as the reference does and returns the scalars of `scheduleFreeAdamWUpdate` for every param.
 */
export function scheduleFreeAdamWStep(
  group: ScheduleFreeGroupState & ScheduleFreeAdamWOptions,
): ScheduleFreeAdamWScalars {
  const [beta1, beta2] = group.betas;
  const biasCorrection2 = 1 - beta2 ** (group.k + 1);
  const [lr, ckp1] = scheduleFreeAdvance(group as unknown as Parameters<typeof scheduleFreeAdvance>[0]);
  group.k += 1;
  const yStep = lr * (beta1 * (1 - ckp1) - 1);
  return { beta2, biasCorrection2, eps: group.eps, weightDecay: group.weightDecay, ckp1, yStep, lr };
}

/** The buffers of `scheduleFreeAdamWUpdate`. */
export interface ScheduleFreeAdamWBuffers {
  param: Buffer;
  grad: Buffer;
  z: Buffer;
  expAvgSq: Buffer;
}

/** The per-call scalars of `scheduleFreeAdamWUpdate`. */
export interface ScheduleFreeAdamWScalars {
  beta2: number;
  biasCorrection2: number;
  eps: number;
  weightDecay: number;
  ckp1: number;
  yStep: number;
  lr: number;
}

/** The fused Schedule-Free AdamW element loop; `yStep` is lrₖ·(β1·(1 − c) − 1). */
export function scheduleFreeAdamWUpdate(
  n: number,
  { param, grad, z, expAvgSq }: ScheduleFreeAdamWBuffers,
  { beta2, biasCorrection2, eps, weightDecay, ckp1, yStep, lr }: ScheduleFreeAdamWScalars,
): void {
  for (let i = 0; i < n; i++) {
    const g = grad[i]!;
    const y = param[i]!;
    const zi = z[i]!;
    const v = emaSq(expAvgSq[i]!, g, beta2);
    expAvgSq[i] = v;
    const d = withL2(g / (Math.sqrt(v / biasCorrection2) + eps), weightDecay, y);
    param[i] = lerp(y, zi, ckp1) + yStep * d;
    z[i] = zi - lr * d;
  }
}

type SFGroup<O extends BaseOptions> = ParamGroup<O> & ScheduleFreeGroupState;

/** The mode switching and counters shared by ScheduleFreeAdamW and ScheduleFreeSGD. */
export abstract class ScheduleFreeOptimizer<
  O extends BaseOptions,
  S extends { z: Buffer } & Record<string, Buffer>,
> extends Optimizer<O, S> {
  /** The β of y = (1 − β)·z + β·x: betas[0] for AdamW, momentum for SGD. */
  protected abstract interpolation(group: ParamGroup<O>): number;

  /** Resets a group's schedule-free counters (step, weight sums) and sets its mode. */
  protected initGroupCounters(group: ParamGroup<O>, trainMode: boolean): void {
    Object.assign(group, { ...SCHEDULE_FREE_GROUP_START, trainMode });
  }

  protected override onGroupAdded(group: ParamGroup<O>): void {
    // the new group follows the optimizer's current mode (its params have no z yet, so nothing moves)
    this.initGroupCounters(group, (this.paramGroups[0] as SFGroup<O>).trainMode);
  }

  /** True when the params hold y (training); false when they hold x (evaluation). */
  get trainMode(): boolean {
    return this.paramGroups.every((g) => (g as SFGroup<O>).trainMode);
  }

  /** Puts y in the params, for computing gradients. Call before training steps; a no-op when already there. */
  train(): void {
    for (const group of this.paramGroups as SFGroup<O>[]) {
      if (group.trainMode) continue;
      const weight = scheduleFreeSwapWeight(this.interpolation(group), true);
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) scheduleFreeSwap(p.data.length, { param: p.data, z: s.z }, { weight });
      }
      group.trainMode = true;
    }
  }

  /** Puts x (the averaged point) in the params, for evaluating and saving. A no-op when already there. */
  eval(): void {
    for (const group of this.paramGroups as SFGroup<O>[]) {
      if (!group.trainMode) continue;
      const weight = scheduleFreeSwapWeight(this.interpolation(group), false);
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s !== undefined) scheduleFreeSwap(p.data.length, { param: p.data, z: s.z }, { weight });
      }
      group.trainMode = false;
    }
  }

  override step(closure?: () => number): number | undefined {
    if (!this.paramGroups.every((g) => (g as SFGroup<O>).trainMode)) {
      optionError(notInTrainMode(this.spec.name));
    }
    return super.step(closure);
  }
}

/**
 * Schedule-free AdamW: no learning-rate schedule to tune or to know the length of in advance; the params
 * are an online average of the Adam iterates. Call `train()` before training and `eval()` before
 * evaluating or saving.
 * @example
 * const w = param([1, -2]);
 * const opt = new ScheduleFreeAdamW([w], { lr: 0.0025, warmupSteps: 100 });
 * opt.train(); // params hold y, where gradients are taken
 * for (let i = 0; i < 3; i++) {
 *   w.grad = Float32Array.from(w.data); // ∇ of ½‖w‖²
 *   opt.step();
 * }
 * opt.eval(); // params now hold x, the point to evaluate
 */
export class ScheduleFreeAdamW extends ScheduleFreeOptimizer<
  ScheduleFreeAdamWOptions,
  ScheduleFreeAdamWState
> {
  constructor(
    params: readonly Param[] | readonly ParamGroupInit[],
    options: Partial<ScheduleFreeAdamWOptions> = {},
  ) {
    super(params, options, {
      name: "ScheduleFreeAdamW",
      defaults: SCHEDULE_FREE_ADAMW_DEFAULTS,
      validate,
      nonNegativeState: ["expAvgSq"],
    });
    for (const g of this.paramGroups) this.initGroupCounters(g, false);
  }

  protected interpolation(group: ParamGroup<ScheduleFreeAdamWOptions>): number {
    return group.betas[0];
  }

  protected initState(p: Param): ScheduleFreeAdamWState {
    const z = zerosLike(p.data);
    z.set(p.data); // z starts at the initial point
    return { z, expAvgSq: zerosLike(p.data) };
  }

  protected override updateGroup(group: ParamGroup<ScheduleFreeAdamWOptions>): void {
    const scalars = scheduleFreeAdamWStep(group as SFGroup<ScheduleFreeAdamWOptions>);
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null || grad === undefined) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = this.initState(p);
        this.state.set(p, state);
      }
      runScheduleFreeAdamWUpdate(
        p.data.length,
        { param: p.data, grad, z: state.z, expAvgSq: state.expAvgSq },
        scalars,
      );
    }
  }

  protected update(): void {
    // updateGroup does the work: the step's scalars are per group
  }
}
