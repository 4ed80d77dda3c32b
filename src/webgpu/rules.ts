/// <reference types="@webgpu/types" />
// How each CPU optimizer class runs on the GPU: the kernel it uses and, per step, what its update() does
// before it calls its rule (creating state, counting steps, the per-step scalars: the CPU class's own
// functions where it has them), over GPU buffers.

import { Adam, type AdamOptions, adamScalars } from "../optim/adam.js";
import { AdamW, type AdamWOptions } from "../optim/adamw.js";
import { Lion, type LionOptions } from "../optim/lion.js";
import { SGD, type SGDOptions } from "../optim/sgd.js";
import type { GpuRule, GpuState } from "./optimizer.js";

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
          flags: { amsgrad: group.amsgrad, maximize: group.maximize },
          scalars: { ...adamScalars(group, s.step, decay, decoupled ? 0 : group.weightDecay) },
        },
      };
    },
  };
}

export const ADAM_RULE: GpuRule<AdamOptions> = adamRule(Adam, false);
export const ADAMW_RULE: GpuRule<AdamWOptions> = adamRule(AdamW, true);

/** SGD.updateGroup: state only with momentum, the buffer a copy of the gradient on its first step. */
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
