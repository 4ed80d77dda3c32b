/// <reference types="@webgpu/types" />
// The optimizer classes of descent-optim/webgpu: the CPU classes' names, options and state dicts, over
// GpuParams. Optimizers with no GPU kernel are refused by name (gpuOptimizer, GPU_OPTIMIZERS).

import type { AdadeltaOptions } from "../optim/adadelta.js";
import type { AdafactorOptions } from "../optim/adafactor.js";
import type { AdagradOptions } from "../optim/adagrad.js";
import type { AdamOptions } from "../optim/adam.js";
import type { AdamaxOptions } from "../optim/adamax.js";
import type { AdamWOptions } from "../optim/adamw.js";
import type { ASGDOptions } from "../optim/asgd.js";
import type { LAMBOptions } from "../optim/lamb.js";
import type { LionOptions } from "../optim/lion.js";
import type { MuonOptions } from "../optim/muon.js";
import type { NAdamOptions } from "../optim/nadam.js";
import type { RAdamOptions } from "../optim/radam.js";
import type { RMSpropOptions } from "../optim/rmsprop.js";
import type { RpropOptions } from "../optim/rprop.js";
import type { ScheduleFreeAdamWOptions } from "../optim/schedule-free-adamw.js";
import type { ScheduleFreeSGDOptions } from "../optim/schedule-free-sgd.js";
import type { SGDOptions } from "../optim/sgd.js";
import { OPTIMIZER_REGISTRY } from "../optim/registry.js";
import { ADAFACTOR_RULE } from "./adafactor.js";
import { LAMB_RULE } from "./lamb.js";
import { MUON_RULE } from "./muon.js";
import { type GpuParamGroupInit, type GpuRule, WebGpuOptimizer } from "./optimizer.js";
import type { GpuParam } from "./param.js";
import {
  ADADELTA_RULE,
  ADAGRAD_RULE,
  ADAM_RULE,
  ADAMAX_RULE,
  ADAMW_RULE,
  ASGD_RULE,
  LION_RULE,
  NADAM_RULE,
  RADAM_RULE,
  RMSPROP_RULE,
  RPROP_RULE,
  SGD_RULE,
} from "./rules.js";
import {
  SCHEDULE_FREE_ADAMW_RULE,
  SCHEDULE_FREE_SGD_RULE,
  ScheduleFreeWebGpuOptimizer,
} from "./schedule-free.js";

/** What a GPU optimizer's constructor takes: GPU params, or param groups of them. */
export type Params = readonly GpuParam[] | readonly GpuParamGroupInit[];

/** Adam on the GPU (torch.optim.Adam's options, amsgrad and maximize included). */
export class Adam extends WebGpuOptimizer<AdamOptions> {
  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(ADAM_RULE, params, options);
  }
}

/** AdamW on the GPU. */
export class AdamW extends WebGpuOptimizer<AdamWOptions> {
  constructor(params: Params, options: Partial<AdamWOptions> = {}) {
    super(ADAMW_RULE, params, options);
  }
}

/** SGD on the GPU (momentum, dampening, Nesterov, weight decay, maximize). */
export class SGD extends WebGpuOptimizer<SGDOptions> {
  constructor(params: Params, options: Partial<SGDOptions> = {}) {
    super(SGD_RULE, params, options);
  }
}

/** Lion on the GPU (sign of the interpolated momentum, decoupled weight decay, maximize). */
export class Lion extends WebGpuOptimizer<LionOptions> {
  constructor(params: Params, options: Partial<LionOptions> = {}) {
    super(LION_RULE, params, options);
  }
}

/** RMSprop on the GPU (centered, momentum, weight decay, maximize). */
export class RMSprop extends WebGpuOptimizer<RMSpropOptions> {
  constructor(params: Params, options: Partial<RMSpropOptions> = {}) {
    super(RMSPROP_RULE, params, options);
  }
}

/** Adagrad on the GPU (lr decay, initial accumulator value, weight decay, maximize). */
export class Adagrad extends WebGpuOptimizer<AdagradOptions> {
  constructor(params: Params, options: Partial<AdagradOptions> = {}) {
    super(ADAGRAD_RULE, params, options);
  }
}

/** Adadelta on the GPU. */
export class Adadelta extends WebGpuOptimizer<AdadeltaOptions> {
  constructor(params: Params, options: Partial<AdadeltaOptions> = {}) {
    super(ADADELTA_RULE, params, options);
  }
}

/** Adamax on the GPU. */
export class Adamax extends WebGpuOptimizer<AdamaxOptions> {
  constructor(params: Params, options: Partial<AdamaxOptions> = {}) {
    super(ADAMAX_RULE, params, options);
  }
}

/** NAdam on the GPU (momentum decay, decoupled weight decay, maximize). */
export class NAdam extends WebGpuOptimizer<NAdamOptions> {
  constructor(params: Params, options: Partial<NAdamOptions> = {}) {
    super(NADAM_RULE, params, options);
  }
}

/** RAdam on the GPU (decoupled weight decay, maximize). */
export class RAdam extends WebGpuOptimizer<RAdamOptions> {
  constructor(params: Params, options: Partial<RAdamOptions> = {}) {
    super(RADAM_RULE, params, options);
  }
}

/** Rprop on the GPU (etas, step size bounds, maximize). */
export class Rprop extends WebGpuOptimizer<RpropOptions> {
  constructor(params: Params, options: Partial<RpropOptions> = {}) {
    super(RPROP_RULE, params, options);
  }
}

/** ASGD on the GPU (λ, α, t0: the average `ax` is state, as on the CPU). */
export class ASGD extends WebGpuOptimizer<ASGDOptions> {
  constructor(params: Params, options: Partial<ASGDOptions> = {}) {
    super(ASGD_RULE, params, options);
  }
}

/** LAMB on the GPU: a trust ratio per param from ‖θ‖ and ‖r‖, reduced on the GPU (no read-back). */
export class LAMB extends WebGpuOptimizer<LAMBOptions> {
  constructor(params: Params, options: Partial<LAMBOptions> = {}) {
    super(LAMB_RULE, params, options);
  }
}

/**
 * Schedule-free AdamW on the GPU: z and the second moment in GPU buffers, the group counters as on the CPU.
 * Call `train()` before training steps and `eval()` before evaluating or saving.
 */
export class ScheduleFreeAdamW extends ScheduleFreeWebGpuOptimizer<ScheduleFreeAdamWOptions> {
  constructor(params: Params, options: Partial<ScheduleFreeAdamWOptions> = {}) {
    super(SCHEDULE_FREE_ADAMW_RULE, (g) => g.betas[0], params, options);
  }
}

/**
 * Schedule-free SGD on the GPU: z in a GPU buffer, the group counters as on the CPU. Call `train()` before
 * training steps and `eval()` before evaluating or saving.
 */
export class ScheduleFreeSGD extends ScheduleFreeWebGpuOptimizer<ScheduleFreeSGDOptions> {
  constructor(params: Params, options: Partial<ScheduleFreeSGDOptions> = {}) {
    super(SCHEDULE_FREE_SGD_RULE, (g) => g.momentum, params, options);
  }
}

/**
 * Muon on the GPU: the momentum, the Frobenius normalisation and every Newton–Schulz iteration (tiled
 * matmuls in float32, where the CPU class computes in float64) run on the GPU, nothing read back. Params of
 * 2 or more dimensions, as on the CPU; each must fit one storage binding.
 */
export class Muon extends WebGpuOptimizer<MuonOptions> {
  constructor(params: Params, options: Partial<MuonOptions> = {}) {
    super(MUON_RULE, params, options);
  }
}

/**
 * Adafactor on the GPU: the row and column means of g², the factored second moment, RMS(θ) and the update's
 * RMS are reduced on the GPU (nothing read back); 0-D and 1-D params keep one variance, as on the CPU.
 */
export class Adafactor extends WebGpuOptimizer<AdafactorOptions> {
  constructor(params: Params, options: Partial<AdafactorOptions> = {}) {
    super(ADAFACTOR_RULE, params, options);
  }
}

const CLASSES = {
  Adam,
  AdamW,
  SGD,
  Lion,
  RMSprop,
  Adagrad,
  Adadelta,
  Adamax,
  NAdam,
  RAdam,
  Rprop,
  ASGD,
  LAMB,
  ScheduleFreeAdamW,
  ScheduleFreeSGD,
  Muon,
  Adafactor,
} as const;

/** Each GPU optimizer's rule (its kernel and its per-step preparation), by class name. */
export const GPU_RULES: Readonly<Record<string, GpuRule<never>>> = Object.freeze({
  Adam: ADAM_RULE as unknown as GpuRule<never>,
  AdamW: ADAMW_RULE as unknown as GpuRule<never>,
  SGD: SGD_RULE as unknown as GpuRule<never>,
  Lion: LION_RULE as unknown as GpuRule<never>,
  RMSprop: RMSPROP_RULE as unknown as GpuRule<never>,
  Adagrad: ADAGRAD_RULE as unknown as GpuRule<never>,
  Adadelta: ADADELTA_RULE as unknown as GpuRule<never>,
  Adamax: ADAMAX_RULE as unknown as GpuRule<never>,
  NAdam: NADAM_RULE as unknown as GpuRule<never>,
  RAdam: RADAM_RULE as unknown as GpuRule<never>,
  Rprop: RPROP_RULE as unknown as GpuRule<never>,
  ASGD: ASGD_RULE as unknown as GpuRule<never>,
  LAMB: LAMB_RULE as unknown as GpuRule<never>,
  ScheduleFreeAdamW: SCHEDULE_FREE_ADAMW_RULE as unknown as GpuRule<never>,
  ScheduleFreeSGD: SCHEDULE_FREE_SGD_RULE as unknown as GpuRule<never>,
  Muon: MUON_RULE as unknown as GpuRule<never>,
  Adafactor: ADAFACTOR_RULE as unknown as GpuRule<never>,
});

/** The optimizers that run on the GPU, by class name. */
export const GPU_OPTIMIZERS: readonly string[] = Object.freeze(Object.keys(CLASSES));

/**
 * The CPU optimizers that have no GPU kernel (they run only in descent-optim): every registry row without a
 * GPU class, so a new optimizer is listed here until it gets one.
 */
export const CPU_ONLY_OPTIMIZERS: readonly string[] = Object.freeze(
  OPTIMIZER_REGISTRY.map((row) => row.name)
    .filter((n) => !(n in CLASSES))
    .sort(),
);

/** Builds the GPU optimizer named `name`; an optimizer without a GPU kernel is refused by name. */
export function gpuOptimizer(
  name: string,
  params: Params,
  options: Record<string, unknown> = {},
): WebGpuOptimizer {
  const Class = (
    CLASSES as unknown as Record<string, new (p: Params, o: Record<string, unknown>) => WebGpuOptimizer>
  )[name];
  if (Class === undefined) {
    throw new Error(
      `${name} has no WebGPU kernel: descent-optim/webgpu runs ${GPU_OPTIMIZERS.join(", ")}; ` +
        `${CPU_ONLY_OPTIMIZERS.includes(name) ? `${name} runs on the CPU (descent-optim)` : `'${name}' is not a descent optimizer`}`,
    );
  }
  return new Class(params, options);
}
