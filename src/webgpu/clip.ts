/// <reference types="@webgpu/types" />
// clipGradNorm on the GPU, with torch.nn.utils.clip_grad_norm_'s semantics (as descent's CPU clipGradNorm):
// total = the p-norm over every grad element (p = 1, 2 or ∞), every grad scaled in place by
// min(1, maxNorm/(total + 1e-6)) (NaN when the total is NaN), null grads ignored. The total and the
// coefficient are computed on the GPU and stay there: the grads are scaled by a pass that reads them, and
// the step submitted next sees the clipped grads. Nothing is read back unless `read()` is awaited.

import { describe } from "../core/param.js";
import { boolean, nonNegative, optionError } from "../core/validate.js";
import { AcrossRunner } from "./across.js";
import { variantIndex } from "./executor.js";
import { WGSL_KERNELS } from "./kernels.js";
import { readBuffer } from "./optimizer.js";
import { checkBuffer, GpuParam, storageUsage } from "./param.js";

/** The options of the GPU `clipGradNorm` (those of descent-optim's, with fewer p). */
export interface GpuClipGradNormOptions {
  /** p of the norm: 1, 2 (default) or Infinity; other p have no WGSL kernel (use the CPU clipGradNorm). */
  normType?: number;
  /** Must be false (the default): throwing on a non-finite norm would need the norm on the CPU. */
  errorIfNonfinite?: boolean;
}

/** The norm a GPU clipGradNorm measured, in a GPU buffer: [total norm, max_norm/(total + 1e-6)]. */
export class GpuNorm {
  readonly device: GPUDevice;
  /** Two float32 values: the total norm before clipping, and the clip coefficient (before the min with 1). */
  readonly buffer: GPUBuffer;

  constructor(device: GPUDevice, buffer: GPUBuffer) {
    this.device = device;
    this.buffer = buffer;
  }

  /** The total norm (a read-back: it waits for the GPU). */
  async read(): Promise<number> {
    return (await readBuffer(this.device, this.buffer, 1))[0]!;
  }

  /** Frees the buffer. */
  destroy(): void {
    this.buffer.destroy();
  }
}

const runners = new WeakMap<GPUDevice, AcrossRunner>();

/**
 * Rescales the grads of `params` (GpuParams) on the GPU so that their joint p-norm is at most `maxNorm`,
 * as descent-optim's clipGradNorm does on the CPU; the norm before clipping stays on the GPU (`GpuNorm`).
 * Encodes and submits; call it before `opt.step()`, which then steps on the clipped grads.
 */
export function clipGradNorm(
  params: readonly GpuParam[] | GpuParam,
  maxNorm: number,
  options: GpuClipGradNormOptions = {},
): GpuNorm {
  const where = "clipGradNorm";
  nonNegative(maxNorm, "max_norm value");
  if (options === null || typeof options !== "object")
    optionError(`${where}: options must be an object, got ${describe(options)}`);
  const p = options.normType ?? 2;
  if (typeof p !== "number" || Number.isNaN(p) || p <= 0)
    optionError(`Invalid norm_type value: ${describe(p)}`);
  if (p !== 1 && p !== 2 && p !== Number.POSITIVE_INFINITY) {
    optionError(
      `${where} on the GPU: normType ${p} has no WGSL kernel (1, 2 and Infinity do); clip on the CPU with descent-optim's clipGradNorm`,
    );
  }
  if (boolean(options.errorIfNonfinite ?? false, "error_if_nonfinite value")) {
    optionError(
      `${where} on the GPU: errorIfNonfinite needs the norm on the CPU; await the returned norm's read() and check it, or skip such steps with SkipNonFinite`,
    );
  }
  const list = Array.isArray(params) ? params : [params as GpuParam];
  list.forEach((q, i) => {
    if (!(q instanceof GpuParam))
      optionError(`${where}: params[${i}] is not a GpuParam (make one with gpuParam()), got ${describe(q)}`);
  });
  if (list.length === 0) optionError(`${where}: params is empty`);
  const device = list[0]!.device;
  const grads = list.flatMap((q, i) => {
    if (q.device !== device) optionError(`${where}: params[${i}] lives on another GPUDevice`);
    if (q.grad === null || q.grad === undefined) return [];
    checkBuffer(q.grad, q.size, `${where}: grad of params[${i}]`);
    return [{ buffer: q.grad, n: q.size }];
  });
  const results = device.createBuffer({
    size: 16,
    usage: storageUsage(),
    label: "descent clipGradNorm norm",
  });
  const kernel = WGSL_KERNELS.clipGradNormUpdate!;
  let runner = runners.get(device);
  if (runner === undefined) {
    runner = new AcrossRunner(device, kernel, "clipGradNorm");
    runners.set(device, runner);
  }
  const variant = variantIndex(kernel, { infNorm: p === Number.POSITIVE_INFINITY, l1: p === 1 });
  const encoder = device.createCommandEncoder({ label: "descent clipGradNorm" });
  const pass = encoder.beginComputePass();
  runner.encode(pass, grads, variant, [maxNorm], results);
  pass.end();
  runner.flush();
  device.queue.submit([encoder.finish()]);
  return new GpuNorm(device, results);
}
