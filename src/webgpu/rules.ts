/// <reference types="@webgpu/types" />
// How each CPU optimizer class runs on the GPU: the kernel it uses and, per step, what its update() does
// before it calls its rule (creating state, counting steps, the per-step scalars: the CPU class's own
// functions where it has them), over GPU buffers. Each rule is a table (its state's buffers and numbers,
// and its step's flags and scalars); `tableRule` does the rest the same way for all of them.

import { Adadelta, type AdadeltaOptions } from "../optim/adadelta.js";
import { Adagrad, type AdagradOptions, adagradScalars } from "../optim/adagrad.js";
import { Adam, type AdamOptions, adamScalars } from "../optim/adam.js";
import { Adamax, type AdamaxOptions, adamaxScalars } from "../optim/adamax.js";
import { AdamW, type AdamWOptions } from "../optim/adamw.js";
import { ASGD, type ASGDOptions, asgdNext } from "../optim/asgd.js";
import { Lion, type LionOptions } from "../optim/lion.js";
import { NAdam, type NAdamOptions, nadamScalars } from "../optim/nadam.js";
import { RAdam, type RAdamOptions, radamScalars } from "../optim/radam.js";
import { RMSprop, type RMSpropOptions } from "../optim/rmsprop.js";
import { Rprop, type RpropOptions } from "../optim/rprop.js";
import { SGD, type SGDOptions } from "../optim/sgd.js";
import type { BaseOptions } from "../core/optimizer.js";
import { WGSL_KERNELS } from "./kernels.js";
import type { GpuRule, GpuState, StateAllocator } from "./optimizer.js";

/** One optimizer's GPU rule as data: what its state holds and what a step binds. */
interface RuleTable<O extends BaseOptions> {
  readonly kernel: string;
  readonly cpu: GpuRule<O>["cpu"];
  /** The state's `step`, advanced before every step (every rule but Lion and SGD). */
  readonly counted: boolean;
  /** Buffers made with the state: zeros, or every element from the group (Rprop's step sizes: lr). */
  readonly buffers?: Readonly<Record<string, 0 | ((group: O) => number)>>;
  /** Numbers the state starts with besides `step`, from the group. */
  numbers?(group: O): Record<string, number>;
  /** Buffers that exist once an option asks for them: made (zeros) on the first step it does, kept after. */
  readonly optional?: Readonly<Record<string, (group: O) => boolean>>;
  /** See GpuRule.initialState. */
  readonly initialState?: GpuRule<O>["initialState"];
  /**
   * The step's flags and scalars, from the group and the state (its `step` advanced): as the CPU class's
   * update() computes them. It may advance the state's numbers; `made` names the buffers made this step.
   */
  step(
    group: O,
    state: GpuState & { step: number },
    made: ReadonlySet<string>,
  ): { flags: Record<string, boolean>; scalars: Record<string, number> };
}

/**
 * The GPU rule of a table: the state made and advanced as the table says (none while it holds nothing, as
 * SGD without momentum), and every buffer of the kernel bound by its name (the param, its grad, the state's).
 */
function tableRule<O extends BaseOptions>(table: RuleTable<O>): GpuRule<O> {
  const names = WGSL_KERNELS[table.kernel]?.buffers;
  if (names === undefined) throw new Error(`descent-optim/webgpu: no WGSL kernel '${table.kernel}'`);
  return {
    kernel: table.kernel,
    cpu: table.cpu,
    ...(table.initialState ? { initialState: table.initialState } : {}),
    prepare(p, grad, state, group, zeros: StateAllocator) {
      const made = new Set<string>();
      let s = state;
      if (s === undefined) {
        s = table.counted ? { step: 0 } : {};
        Object.assign(s, table.numbers?.(group));
        for (const [name, fill] of Object.entries(table.buffers ?? {})) {
          s[name] = fill === 0 ? zeros() : zeros(fill(group));
          made.add(name);
        }
      }
      for (const [name, wanted] of Object.entries(table.optional ?? {})) {
        if (wanted(group) && s[name] === undefined) {
          s[name] = zeros();
          made.add(name);
        }
      }
      if (table.counted) s.step = (s.step as number) + 1;
      const { flags, scalars } = table.step(group, s as GpuState & { step: number }, made);
      const bound = (name: string): GPUBuffer | null => {
        if (name === "param") return p.buffer;
        if (name === "grad") return grad;
        const b = s[name];
        return typeof b === "object" ? b : null;
      };
      return {
        state: Object.keys(s).length === 0 ? undefined : s,
        args: { buffers: Object.fromEntries(names.map((name) => [name, bound(name)])), flags, scalars },
      };
    },
  };
}

function adamRule<O extends AdamOptions>(cpu: GpuRule<O>["cpu"], decoupled: boolean): GpuRule<O> {
  return tableRule<O>({
    kernel: "adamUpdate",
    cpu,
    counted: true,
    buffers: { expAvg: 0, expAvgSq: 0 },
    optional: { maxExpAvgSq: (group) => group.amsgrad }, // also when switched on between steps
    step(group, s) {
      // Adam adds L2 decay to the gradient; AdamW decays θ first (AdamW.update)
      const decay = decoupled ? 1 - group.lr * group.weightDecay : 1;
      return {
        flags: { amsgrad: group.amsgrad, maximize: group.maximize, flushSubnormals: false },
        scalars: { ...adamScalars(group, s.step, decay, decoupled ? 0 : group.weightDecay) },
      };
    },
  });
}

export const ADAM_RULE: GpuRule<AdamOptions> = adamRule(Adam, false);
export const ADAMW_RULE: GpuRule<AdamWOptions> = adamRule(AdamW, true);

/** SGD.update: state only with momentum, the buffer a copy of the gradient on its first step. */
export const SGD_RULE: GpuRule<SGDOptions> = tableRule<SGDOptions>({
  kernel: "sgdUpdate",
  cpu: SGD,
  counted: false,
  optional: { momentumBuffer: (group) => group.momentum !== 0 },
  step: (group, _s, made) => ({
    flags: {
      useMomentum: group.momentum !== 0,
      firstStep: made.has("momentumBuffer"),
      nesterov: group.nesterov,
      maximize: group.maximize,
    },
    scalars: {
      lr: group.lr,
      momentum: group.momentum,
      dampening: group.dampening,
      weightDecay: group.weightDecay,
    },
  }),
});

/** Lion.update: one buffer, created with the state; decoupled decay as AdamW. */
export const LION_RULE: GpuRule<LionOptions> = tableRule<LionOptions>({
  kernel: "lionUpdate",
  cpu: Lion,
  counted: false,
  buffers: { expAvg: 0 },
  step: (group) => ({
    flags: { maximize: group.maximize },
    scalars: {
      decay: 1 - group.lr * group.weightDecay,
      lr: group.lr,
      beta1: group.betas[0],
      beta2: group.betas[1],
    },
  }),
});

/** RMSprop.update: the momentum and centered buffers exist while their options are on (made when switched on). */
export const RMSPROP_RULE: GpuRule<RMSpropOptions> = tableRule<RMSpropOptions>({
  kernel: "rmspropUpdate",
  cpu: RMSprop,
  counted: true,
  buffers: { squareAvg: 0 },
  optional: { momentumBuffer: (group) => group.momentum > 0, gradAvg: (group) => group.centered },
  step: (group) => ({
    flags: { centered: group.centered, useMomentum: group.momentum > 0, maximize: group.maximize },
    scalars: {
      lr: group.lr,
      alpha: group.alpha,
      eps: group.eps,
      weightDecay: group.weightDecay,
      momentum: group.momentum,
    },
  }),
});

/** Adagrad.update: the sum starts at the optimizer-wide initialAccumulatorValue, for every param at once. */
export const ADAGRAD_RULE: GpuRule<AdagradOptions> = tableRule<AdagradOptions>({
  kernel: "adagradUpdate",
  cpu: Adagrad,
  counted: true,
  initialState: (_p, defaults, alloc) => ({ step: 0, sum: alloc(defaults.initialAccumulatorValue) }),
  step: (group, s) => ({
    flags: { maximize: group.maximize },
    scalars: { ...adagradScalars(group, s.step) },
  }),
});

/** Adadelta.update. */
export const ADADELTA_RULE: GpuRule<AdadeltaOptions> = tableRule<AdadeltaOptions>({
  kernel: "adadeltaUpdate",
  cpu: Adadelta,
  counted: true,
  buffers: { squareAvg: 0, accDelta: 0 },
  step: (group) => ({
    flags: { maximize: group.maximize },
    scalars: { lr: group.lr, rho: group.rho, eps: group.eps, weightDecay: group.weightDecay },
  }),
});

/** Adamax.update. */
export const ADAMAX_RULE: GpuRule<AdamaxOptions> = tableRule<AdamaxOptions>({
  kernel: "adamaxUpdate",
  cpu: Adamax,
  counted: true,
  buffers: { expAvg: 0, expInf: 0 },
  step: (group, s) => ({ flags: { maximize: group.maximize }, scalars: { ...adamaxScalars(group, s.step) } }),
});

/** NAdam.update: the momentum-decay product μ1…μt is state (a number), advanced each step. */
export const NADAM_RULE: GpuRule<NAdamOptions> = tableRule<NAdamOptions>({
  kernel: "nadamUpdate",
  cpu: NAdam,
  counted: true,
  numbers: () => ({ muProduct: 1 }),
  buffers: { expAvg: 0, expAvgSq: 0 },
  step(group, s) {
    const { muProduct, scalars } = nadamScalars(group, s.step, s.muProduct as number);
    s.muProduct = muProduct;
    return { flags: { maximize: group.maximize }, scalars: { ...scalars } };
  },
});

/** RAdam.update: whether the step is rectified is a flag, so it picks the kernel's variant. */
export const RADAM_RULE: GpuRule<RAdamOptions> = tableRule<RAdamOptions>({
  kernel: "radamUpdate",
  cpu: RAdam,
  counted: true,
  buffers: { expAvg: 0, expAvgSq: 0 },
  step(group, s) {
    const { rectify, scalars } = radamScalars(group, s.step);
    return { flags: { maximize: group.maximize, rectify }, scalars: { ...scalars } };
  },
});

/** Rprop.update: every step size starts at the group's lr when the state is made (later lr changes do nothing). */
export const RPROP_RULE: GpuRule<RpropOptions> = tableRule<RpropOptions>({
  kernel: "rpropUpdate",
  cpu: Rprop,
  counted: true,
  buffers: { prev: 0, stepSize: (group) => group.lr },
  step(group) {
    const [etaMinus, etaPlus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    return { flags: { maximize: group.maximize }, scalars: { etaMinus, etaPlus, stepSizeMin, stepSizeMax } };
  },
});

/** ASGD.update: the step uses the stored η and μ; the next ones are computed after it, as in torch. */
export const ASGD_RULE: GpuRule<ASGDOptions> = tableRule<ASGDOptions>({
  kernel: "asgdUpdate",
  cpu: ASGD,
  counted: true,
  numbers: (group) => ({ eta: group.lr, mu: 1 }),
  buffers: { ax: 0 },
  step(group, s) {
    const eta = s.eta as number;
    const mu = s.mu as number;
    Object.assign(s, asgdNext(group, s.step));
    return {
      flags: { maximize: group.maximize, averaging: mu !== 1 },
      scalars: { eta, lambd: group.lambd, mu, weightDecay: group.weightDecay },
    };
  },
});
