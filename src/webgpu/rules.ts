/// <reference types="@webgpu/types" />
// How each CPU optimizer class runs on the GPU: the kernel it uses and, per step, what its update() does
// before it calls its rule (creating state, counting steps, the per-step scalars: the CPU class's own
// functions where it has them), over GPU buffers.

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
import type { GpuRule, GpuState } from "./optimizer.js";

/** The param's state (made by `fresh` on its first step) with its step count advanced, as update() does. */
function stepped(state: GpuState | undefined, fresh: () => GpuState): GpuState & { step: number } {
  const s = state ?? fresh();
  s.step = (s.step as number) + 1;
  return s as GpuState & { step: number };
}

function adamRule<O extends AdamOptions>(cpu: GpuRule<O>["cpu"], decoupled: boolean): GpuRule<O> {
  return {
    kernel: "adamUpdate",
    cpu,
    prepare(p, grad, state, group, zeros) {
      const s: GpuState = state ?? { step: 0, expAvg: zeros(), expAvgSq: zeros() };
      if (state === undefined && group.amsgrad) s.maxExpAvgSq = zeros();
      s.step = (s.step as number) + 1;
      if (group.amsgrad && s.maxExpAvgSq === undefined) s.maxExpAvgSq = zeros(); // switched on between steps
      // Adam adds L2 decay to the gradient; AdamW decays θ first (AdamW.update)
      const decay = decoupled ? 1 - group.lr * group.weightDecay : 1;
      return {
        state: s,
        args: {
          buffers: {
            param: p.buffer,
            grad,
            expAvg: s.expAvg as GPUBuffer,
            expAvgSq: s.expAvgSq as GPUBuffer,
            maxExpAvgSq: group.amsgrad ? (s.maxExpAvgSq as GPUBuffer) : null,
          },
          flags: { amsgrad: group.amsgrad, maximize: group.maximize, flushSubnormals: false },
          scalars: { ...adamScalars(group, s.step, decay, decoupled ? 0 : group.weightDecay) },
        },
      };
    },
  };
}

export const ADAM_RULE: GpuRule<AdamOptions> = adamRule(Adam, false);
export const ADAMW_RULE: GpuRule<AdamWOptions> = adamRule(AdamW, true);

/** SGD.update: state only with momentum, the buffer a copy of the gradient on its first step. */
export const SGD_RULE: GpuRule<SGDOptions> = {
  kernel: "sgdUpdate",
  cpu: SGD,
  prepare(p, grad, state, group, zeros) {
    const useMomentum = group.momentum !== 0;
    const firstStep = useMomentum && state?.momentumBuffer === undefined;
    const s: GpuState | undefined = firstStep ? { momentumBuffer: zeros() } : state;
    return {
      state: s,
      args: {
        buffers: {
          param: p.buffer,
          grad,
          momentumBuffer: (s?.momentumBuffer as GPUBuffer | undefined) ?? null,
        },
        flags: { useMomentum, firstStep, nesterov: group.nesterov, maximize: group.maximize },
        scalars: {
          lr: group.lr,
          momentum: group.momentum,
          dampening: group.dampening,
          weightDecay: group.weightDecay,
        },
      },
    };
  },
};

/** Lion.update: one buffer, created with the state; decoupled decay as AdamW. */
export const LION_RULE: GpuRule<LionOptions> = {
  kernel: "lionUpdate",
  cpu: Lion,
  prepare(p, grad, state, group, zeros) {
    const s: GpuState = state ?? { expAvg: zeros() };
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, expAvg: s.expAvg as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: {
          decay: 1 - group.lr * group.weightDecay,
          lr: group.lr,
          beta1: group.betas[0],
          beta2: group.betas[1],
        },
      },
    };
  },
};

/** RMSprop.update: the momentum and centered buffers exist while their options are on (made when switched on). */
export const RMSPROP_RULE: GpuRule<RMSpropOptions> = {
  kernel: "rmspropUpdate",
  cpu: RMSprop,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, squareAvg: zeros() }));
    const useMomentum = group.momentum > 0;
    if (useMomentum) s.momentumBuffer ??= zeros();
    if (group.centered) s.gradAvg ??= zeros();
    return {
      state: s,
      args: {
        buffers: {
          param: p.buffer,
          grad,
          squareAvg: s.squareAvg as GPUBuffer,
          gradAvg: group.centered ? (s.gradAvg as GPUBuffer) : null,
          momentumBuffer: useMomentum ? (s.momentumBuffer as GPUBuffer) : null,
        },
        flags: { centered: group.centered, useMomentum, maximize: group.maximize },
        scalars: {
          lr: group.lr,
          alpha: group.alpha,
          eps: group.eps,
          weightDecay: group.weightDecay,
          momentum: group.momentum,
        },
      },
    };
  },
};

/** Adagrad.update: the sum starts at the optimizer-wide initialAccumulatorValue, for every param at once. */
export const ADAGRAD_RULE: GpuRule<AdagradOptions> = {
  kernel: "adagradUpdate",
  cpu: Adagrad,
  initialState: (_p, defaults, alloc) => ({ step: 0, sum: alloc(defaults.initialAccumulatorValue) }),
  prepare(p, grad, state, group) {
    const s = state as GpuState & { step: number }; // made by initialState, with the param's group
    s.step += 1;
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, sum: s.sum as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: { ...adagradScalars(group, s.step) },
      },
    };
  },
};

/** Adadelta.update. */
export const ADADELTA_RULE: GpuRule<AdadeltaOptions> = {
  kernel: "adadeltaUpdate",
  cpu: Adadelta,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, squareAvg: zeros(), accDelta: zeros() }));
    return {
      state: s,
      args: {
        buffers: {
          param: p.buffer,
          grad,
          squareAvg: s.squareAvg as GPUBuffer,
          accDelta: s.accDelta as GPUBuffer,
        },
        flags: { maximize: group.maximize },
        scalars: { lr: group.lr, rho: group.rho, eps: group.eps, weightDecay: group.weightDecay },
      },
    };
  },
};

/** Adamax.update. */
export const ADAMAX_RULE: GpuRule<AdamaxOptions> = {
  kernel: "adamaxUpdate",
  cpu: Adamax,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, expAvg: zeros(), expInf: zeros() }));
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, expAvg: s.expAvg as GPUBuffer, expInf: s.expInf as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: { ...adamaxScalars(group, s.step) },
      },
    };
  },
};

/** NAdam.update: the momentum-decay product μ1…μt is state (a number), advanced each step. */
export const NADAM_RULE: GpuRule<NAdamOptions> = {
  kernel: "nadamUpdate",
  cpu: NAdam,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, muProduct: 1, expAvg: zeros(), expAvgSq: zeros() }));
    const { muProduct, scalars } = nadamScalars(group, s.step, s.muProduct as number);
    s.muProduct = muProduct;
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, expAvg: s.expAvg as GPUBuffer, expAvgSq: s.expAvgSq as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: { ...scalars },
      },
    };
  },
};

/** RAdam.update: whether the step is rectified is a flag, so it picks the kernel's variant. */
export const RADAM_RULE: GpuRule<RAdamOptions> = {
  kernel: "radamUpdate",
  cpu: RAdam,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, expAvg: zeros(), expAvgSq: zeros() }));
    const { rectify, scalars } = radamScalars(group, s.step);
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, expAvg: s.expAvg as GPUBuffer, expAvgSq: s.expAvgSq as GPUBuffer },
        flags: { maximize: group.maximize, rectify },
        scalars: { ...scalars },
      },
    };
  },
};

/** Rprop.update: every step size starts at the group's lr when the state is made (later lr changes do nothing). */
export const RPROP_RULE: GpuRule<RpropOptions> = {
  kernel: "rpropUpdate",
  cpu: Rprop,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, prev: zeros(), stepSize: zeros(group.lr) }));
    const [etaMinus, etaPlus] = group.etas;
    const [stepSizeMin, stepSizeMax] = group.stepSizes;
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, prev: s.prev as GPUBuffer, stepSize: s.stepSize as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: { etaMinus, etaPlus, stepSizeMin, stepSizeMax },
      },
    };
  },
};

/** ASGD.update: the step uses the stored η and μ; the next ones are computed after it, as in torch. */
export const ASGD_RULE: GpuRule<ASGDOptions> = {
  kernel: "asgdUpdate",
  cpu: ASGD,
  prepare(p, grad, state, group, zeros) {
    const s = stepped(state, () => ({ step: 0, eta: group.lr, mu: 1, ax: zeros() }));
    const eta = s.eta as number;
    const mu = s.mu as number;
    Object.assign(s, asgdNext(group, s.step));
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, ax: s.ax as GPUBuffer },
        flags: { maximize: group.maximize, averaging: mu !== 1 },
        scalars: { eta, lambd: group.lambd, mu, weightDecay: group.weightDecay },
      },
    };
  },
};
