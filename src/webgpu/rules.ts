/// <reference types="@webgpu/types" />
// How each CPU optimizer class runs on the GPU: the kernel it uses and, per step, what its update() does
// before calling its rule (state creation, step counts, per-step scalars), over GPU buffers.

import { Adam, type AdamOptions } from "../optim/adam.js";
import { AdamW, type AdamWOptions } from "../optim/adamw.js";
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
      const [beta1, beta2] = group.betas;
      const step = s.step;
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
          scalars: {
            decay: decoupled ? 1 - group.lr * group.weightDecay : 1,
            weightDecay: decoupled ? 0 : group.weightDecay,
            beta1,
            beta2,
            stepSize: group.lr / (1 - beta1 ** step),
            inverseBiasCorrection2Sqrt: 1 / Math.sqrt(1 - beta2 ** step),
            eps: group.eps,
          },
        },
      };
    },
  };
}

export const ADAM_RULE: GpuRule<AdamOptions> = adamRule(Adam, false);
export const ADAMW_RULE: GpuRule<AdamWOptions> = adamRule(AdamW, true);
