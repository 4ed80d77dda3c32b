/// <reference types="@webgpu/types" />
// Schedule-free AdamW and SGD on the GPU. The group counters (k, weightSum, lrMax, scheduledLr, trainMode)
// live in the param groups as on the CPU and are advanced there once per group and step by the CPU's own
// functions (scheduleFreeAdamWStep, scheduleFreeSgdStep); z and the second moment are GPU buffers. train()
// and eval() move every param between y and x with the generated `scheduleFreeSwap` kernel, the CPU's
// own loop compiled to WGSL.

import type { BaseOptions } from "../core/optimizer.js";
import { optionError } from "../core/validate.js";
import {
  notInTrainMode,
  SCHEDULE_FREE_GROUP_START,
  ScheduleFreeAdamW as CpuScheduleFreeAdamW,
  type ScheduleFreeAdamWOptions,
  scheduleFreeAdamWStep,
  type ScheduleFreeGroupState,
  scheduleFreeSwapWeight,
} from "../optim/schedule-free-adamw.js";
import {
  ScheduleFreeSGD as CpuScheduleFreeSGD,
  type ScheduleFreeSGDOptions,
  scheduleFreeSgdStep,
} from "../optim/schedule-free-sgd.js";
import { variantIndex } from "./executor.js";
import { WGSL_KERNELS } from "./kernels.js";
import {
  type GpuParamGroup,
  type GpuParamGroupInit,
  type GpuRule,
  type GpuState,
  WebGpuOptimizer,
} from "./optimizer.js";
import type { GpuParam } from "./param.js";
import { type KernelItem, KernelRunner } from "./runner.js";

type Counted<O extends BaseOptions> = GpuParamGroup<O> & ScheduleFreeGroupState;

/** The CPU classes' group counters: reset, in the mode of the groups before it (not training for the first). */
function initGroup<O extends BaseOptions>(group: GpuParamGroup<O>, existing: readonly GpuParamGroup<O>[]) {
  const first = existing[0] as Counted<O> | undefined;
  Object.assign(group, { ...SCHEDULE_FREE_GROUP_START, trainMode: first?.trainMode ?? false });
}

function checkStep<O extends BaseOptions>(groups: readonly GpuParamGroup<O>[], name: string): void {
  if (!groups.every((g) => (g as Counted<O>).trainMode)) optionError(notInTrainMode(name));
}

export const SCHEDULE_FREE_ADAMW_RULE: GpuRule<ScheduleFreeAdamWOptions> = {
  kernel: "scheduleFreeAdamWUpdate",
  cpu: CpuScheduleFreeAdamW,
  initGroup,
  checkStep,
  prepareGroup: (group) => ({ ...scheduleFreeAdamWStep(group as Counted<ScheduleFreeAdamWOptions>) }),
  prepare(p, grad, state, _group, zeros, scalars) {
    // z starts as a copy of the param (its value before this step), as on the CPU
    const s: GpuState = state ?? { z: zeros(p.buffer), expAvgSq: zeros() };
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, z: s.z as GPUBuffer, expAvgSq: s.expAvgSq as GPUBuffer },
        flags: {},
        scalars: { ...scalars },
      },
    };
  },
};

export const SCHEDULE_FREE_SGD_RULE: GpuRule<ScheduleFreeSGDOptions> = {
  kernel: "scheduleFreeSgdUpdate",
  cpu: CpuScheduleFreeSGD,
  initGroup,
  checkStep,
  prepareGroup: (group) => ({ ...scheduleFreeSgdStep(group as Counted<ScheduleFreeSGDOptions>) }),
  prepare(p, grad, state, _group, zeros, scalars) {
    const s: GpuState = state ?? { z: zeros(p.buffer) };
    return {
      state: s,
      args: { buffers: { param: p.buffer, grad, z: s.z as GPUBuffer }, flags: {}, scalars: { ...scalars } },
    };
  },
};

/**
 * A schedule-free optimizer on the GPU: `train()` puts y in the params (where gradients are taken),
 * `eval()` puts x (the averaged point, to evaluate and save); step() refuses to run outside train mode.
 */
export class ScheduleFreeWebGpuOptimizer<O extends BaseOptions> extends WebGpuOptimizer<O> {
  readonly #swap: KernelRunner;
  readonly #beta: (group: GpuParamGroup<O>) => number;

  /** `beta`: the β of y = (1 − β)·z + β·x in a group (betas[0] for AdamW, momentum for SGD). */
  constructor(
    rule: GpuRule<O>,
    beta: (group: GpuParamGroup<O>) => number,
    params: readonly GpuParam[] | readonly GpuParamGroupInit[],
    options: Partial<O>,
  ) {
    super(rule, params, options);
    this.#beta = beta;
    this.#swap = new KernelRunner(this.device, WGSL_KERNELS.scheduleFreeSwap!, `${this.name} swap`);
  }

  /** True when the params hold y (training); false when they hold x (evaluation). */
  get trainMode(): boolean {
    return this.paramGroups.every((g) => (g as Counted<O>).trainMode);
  }

  /** Puts y in the params, for computing gradients. Call before training steps; a no-op when already there. */
  train(): void {
    this.#move(true);
  }

  /** Puts x (the averaged point) in the params, for evaluating and saving. A no-op when already there. */
  eval(): void {
    this.#move(false);
  }

  /** Moves every group not in the mode `toTrain` there, on the GPU (queued; nothing is read back). */
  #move(toTrain: boolean): void {
    const kernel = this.#swap.kernel;
    const items: KernelItem[] = [];
    for (const group of this.paramGroups as Counted<O>[]) {
      if (group.trainMode === toTrain) continue;
      const scalars: Record<string, number> = { weight: scheduleFreeSwapWeight(this.#beta(group), toTrain) };
      for (const p of group.params) {
        const z = this.state.get(p)?.z;
        if (z === undefined || typeof z === "number") continue;
        items.push({
          key: p,
          n: p.size,
          variant: variantIndex(kernel, {}),
          buffers: { param: p.buffer, z },
          scalars: kernel.scalars.map((name) => scalars[name]!),
        });
      }
      group.trainMode = toTrain;
    }
    if (items.length === 0) return;
    const encoder = this.device.createCommandEncoder({
      label: `descent ${this.name}.${toTrain ? "train" : "eval"}`,
    });
    const pass = encoder.beginComputePass();
    this.#swap.encode(pass, items);
    pass.end();
    this.#swap.flush();
    this.device.queue.submit([encoder.finish()]);
  }

  override destroy(): void {
    super.destroy();
    this.#swap.destroy();
  }
}
