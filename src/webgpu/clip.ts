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
import { readBuffer, runClippedStep, WebGpuOptimizer } from "./optimizer.js";
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

/** A reduction runner and the buffer its finish writes [total, coef] into, kept across calls. */
interface ClipRunner {
  readonly runner: AcrossRunner;
  readonly results: GPUBuffer;
}

function clipRunner(device: GPUDevice, label: string, update: boolean): ClipRunner {
  const kernel = WGSL_KERNELS.clipGradNormUpdate!;
  return {
    // without the scale pass, the norm alone (the step's passes scale the grads as they read them)
    runner: new AcrossRunner(
      device,
      update ? kernel : { ...kernel, passes: kernel.passes.filter((p) => p.name !== "update") },
      label,
    ),
    results: device.createBuffer({ size: 16, usage: storageUsage(), label: `descent ${label} norm` }),
  };
}

/** The kernel variant of p (after the checks common to clipGradNorm and clippedStep). */
function clipVariant(where: string, maxNorm: number, options: GpuClipGradNormOptions): number {
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
  return variantIndex(WGSL_KERNELS.clipGradNormUpdate!, {
    infNorm: p === Number.POSITIVE_INFINITY,
    l1: p === 1,
  });
}

/** A new GpuNorm, and the copy of `from` into it encoded on `encoder`. */
function copiedNorm(device: GPUDevice, encoder: GPUCommandEncoder, from: GPUBuffer): GpuNorm {
  const buffer = device.createBuffer({ size: 16, usage: storageUsage(), label: "descent clipGradNorm norm" });
  encoder.copyBufferToBuffer(from, 0, buffer, 0, 16);
  return new GpuNorm(device, buffer);
}

const runners = new WeakMap<GPUDevice, ClipRunner>();

/**
 * Rescales the grads of `params` (GpuParams) on the GPU so that their joint p-norm is at most `maxNorm`,
 * as descent-optim's clipGradNorm does on the CPU; the norm before clipping stays on the GPU (`GpuNorm`).
 * Encodes and submits; call it before `opt.step()`, which then steps on the clipped grads. To clip and
 * step in one go, with the grads left unscaled and one pass over them fewer, use `clippedStep`.
 */
export function clipGradNorm(
  params: readonly GpuParam[] | GpuParam,
  maxNorm: number,
  options: GpuClipGradNormOptions = {},
): GpuNorm {
  const where = "clipGradNorm";
  const variant = clipVariant(where, maxNorm, options);
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
  let own = runners.get(device);
  if (own === undefined) {
    own = clipRunner(device, "clipGradNorm", true);
    runners.set(device, own);
  }
  const encoder = device.createCommandEncoder({ label: "descent clipGradNorm" });
  const pass = encoder.beginComputePass();
  own.runner.encode(pass, grads, variant, [maxNorm], own.results);
  pass.end();
  const norm = copiedNorm(device, encoder, own.results);
  own.runner.flush();
  device.queue.submit([encoder.finish()]);
  return norm;
}

const stepRunners = new WeakMap<WebGpuOptimizer, ClipRunner>();

/**
 * One `optimizer.step()` on its params' grads clipped to a joint p-norm of at most `maxNorm`, with the
 * clipping fused into the step: the norm is reduced on the GPU, in the step's own compute pass, and each
 * update pass scales a grad as it reads it (by min(1, maxNorm/(total + 1e-6)), NaN when the total is NaN).
 * The params and state come out bit for bit as after `clipGradNorm(params, maxNorm, options)` then
 * `step()`, but the grads are left as they were, which saves a read and a write of every grad (use
 * clipGradNorm then step() when the clipped grads themselves are wanted). One submit, nothing read back;
 * the step's hooks run as in step(). Returns the norm before clipping: `clippedStep(opt, 1)` in place of
 * `clipGradNorm(params, 1); opt.step()`.
 */
export function clippedStep(
  optimizer: WebGpuOptimizer,
  maxNorm: number,
  options: GpuClipGradNormOptions = {},
): GpuNorm {
  const where = "clippedStep";
  if (!(optimizer instanceof WebGpuOptimizer)) {
    optionError(
      `${where}: expected a descent-optim/webgpu optimizer (for SkipNonFinite, clip with clipGradNorm, then step), got ${describe(optimizer)}`,
    );
  }
  const variant = clipVariant(where, maxNorm, options);
  let own = stepRunners.get(optimizer);
  if (own === undefined) {
    own = clipRunner(optimizer.device, `${optimizer.name} clippedStep`, false);
    stepRunners.set(optimizer, own);
  }
  const { runner, results } = own;
  let norm: GpuNorm | null = null;
  runClippedStep(optimizer, {
    buffer: results,
    encode: (pass, work) =>
      runner.encode(
        pass,
        work.map(({ p }) => ({ buffer: p.grad!, n: p.size })),
        variant,
        [maxNorm],
        results,
      ),
    flush: () => runner.flush(),
    after: (encoder) => {
      norm = copiedNorm(optimizer.device, encoder, results);
    },
  });
  return norm!;
}
