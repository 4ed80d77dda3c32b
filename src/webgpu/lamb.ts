/// <reference types="@webgpu/types" />
// LAMB on the GPU: LAMB.update's state and per-step scalars; the kernel's three passes (‖θ‖² and ‖r‖² per
// workgroup, the trust ratio from their sums, the update) run per param with that param's own scratch.

import { LAMB, type LAMBOptions } from "../optim/lamb.js";
import type { GpuRule, GpuState } from "./optimizer.js";

export const LAMB_RULE: GpuRule<LAMBOptions> = {
  kernel: "lambUpdate",
  cpu: LAMB,
  prepare(p, grad, state, group, zeros) {
    const s: GpuState = state ?? { step: 0, expAvg: zeros(), expAvgSq: zeros() };
    s.step = (s.step as number) + 1;
    const [beta1, beta2] = group.betas;
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad, expAvg: s.expAvg as GPUBuffer, expAvgSq: s.expAvgSq as GPUBuffer },
        flags: { maximize: group.maximize },
        scalars: {
          weightDecay: group.weightDecay,
          beta1,
          beta2,
          biasCorrection1: 1 - beta1 ** s.step,
          biasCorrection2: 1 - beta2 ** s.step,
          eps: group.eps,
          lr: group.lr,
        },
      },
    };
  },
};
