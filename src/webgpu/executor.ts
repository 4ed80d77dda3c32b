/// <reference types="@webgpu/types" />
// Runs WGSL kernels (kernels.ts) on a device: a pipeline with an explicit layout per variant of a pass
// (each variant binds only the buffers it uses), bind groups cached per param and chunk, and every
// uniform of an optimizer in one buffer written once per step. Buffers longer than the device's
// maxStorageBufferBindingSize are cut into chunks bound as sub-ranges; nothing is ever mapped here.

import type { WgslKernel, WgslPass, WgslVariant } from "./kernels.js";
import { BLOCK_ELEMENTS, WORKGROUP_SIZE as WORKGROUP } from "../kernels/wgsl-types.js";
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

interface DeviceResources {
  pipelines: Map<string, GPUComputePipeline>;
  layouts: Map<string, GPUBindGroupLayout>;
  /** A zero float (read-only binding): the `gate` of passes that are not skipped. */
  zeroGate: GPUBuffer;
  /** [0, 1]: the `clip` of passes whose grads are not clipped (a coefficient of 1 leaves them as they are). */
  noClip: GPUBuffer;
}

const resources = new WeakMap<GPUDevice, DeviceResources>();
const chunkOverride = new WeakMap<GPUDevice, number>();

function deviceResources(device: GPUDevice): DeviceResources {
  let r = resources.get(device);
  if (r === undefined) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    r = {
      pipelines: new Map(),
      layouts: new Map(),
      zeroGate: device.createBuffer({ size: 16, usage, label: "descent zero gate" }),
      noClip: device.createBuffer({ size: 16, usage, label: "descent no clip" }),
    };
    device.queue.writeBuffer(r.noClip, 0, new Float32Array([0, 1, 0, 0]));
    resources.set(device, r);
  }
  return r;
}

/** The zero-filled gate of update passes that are not skipped, on `device`. */
export function zeroGate(device: GPUDevice): GPUBuffer {
  return deviceResources(device).zeroGate;
}

/** The `clip` of update passes whose grads are not clipped, on `device`. */
export function noClip(device: GPUDevice): GPUBuffer {
  return deviceResources(device).noClip;
}

/**
 * Elements per chunk on `device`: the largest multiple of BLOCK_ELEMENTS whose float32 bytes fit one storage
 * binding (so a chunk's reduction blocks are the whole buffer's). `setChunkElements` lowers it (tests
 * exercise chunking with small buffers this way).
 */
export function chunkElements(device: GPUDevice): number {
  const limit = Math.floor(device.limits.maxStorageBufferBindingSize / 4 / BLOCK_ELEMENTS) * BLOCK_ELEMENTS;
  return Math.min(limit, chunkOverride.get(device) ?? limit);
}

export function setChunkElements(device: GPUDevice, elements: number | null): void {
  if (elements === null) {
    chunkOverride.delete(device);
    return;
  }
  if (!Number.isInteger(elements) || elements < BLOCK_ELEMENTS || elements % BLOCK_ELEMENTS !== 0) {
    throw new RangeError(
      `setChunkElements: expected a positive multiple of ${BLOCK_ELEMENTS}, got ${elements}`,
    );
  }
  chunkOverride.set(device, elements);
}

/** The [start, length) ranges a buffer of n elements is bound as. */
export function chunks(n: number, perChunk: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < n; start += perChunk) out.push([start, Math.min(perChunk, n - start)]);
  return out;
}

function variantOf(kernel: WgslKernel, pass: WgslPass, variant: number): WgslVariant {
  const v = pass.variants[variant];
  if (v === undefined) throw new RangeError(`${kernel.rule}: pass '${pass.name}' has no variant ${variant}`);
  return v;
}

/** The bind group layout of one variant of a pass: its storage bindings, then the uniform. */
export function layoutFor(
  device: GPUDevice,
  kernel: WgslKernel,
  pass: WgslPass,
  variant: number,
): GPUBindGroupLayout {
  const r = deviceResources(device);
  const bindings = variantOf(kernel, pass, variant).bindings;
  // layouts with the same entries are interchangeable: one per access pattern
  const key = bindings.map((b) => b.access).join(",");
  let layout = r.layouts.get(key);
  if (layout === undefined) {
    const entries: GPUBindGroupLayoutEntry[] = bindings.map((b, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: b.access === "read" ? "read-only-storage" : "storage" },
    }));
    entries.push({
      binding: bindings.length,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: "uniform" },
    });
    layout = device.createBindGroupLayout({ entries, label: `descent ${key}` });
    r.layouts.set(key, layout);
  }
  return layout;
}

/** The compute pipeline of one variant of one pass (compiled once per device). */
export function pipelineFor(
  device: GPUDevice,
  kernel: WgslKernel,
  pass: WgslPass,
  variant: number,
): GPUComputePipeline {
  const r = deviceResources(device);
  const key = `${kernel.rule}/${pass.name}/${variant}`;
  let pipeline = r.pipelines.get(key);
  if (pipeline === undefined) {
    const module = device.createShaderModule({
      code: variantOf(kernel, pass, variant).code,
      label: `descent ${key}`,
    });
    pipeline = device.createComputePipeline({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layoutFor(device, kernel, pass, variant)] }),
      compute: { module, entryPoint: "main" },
      label: `descent ${key}`,
    });
    r.pipelines.set(key, pipeline);
  }
  return pipeline;
}

/** The variant index of a flag assignment: bit j is flag j. */
export function variantIndex(kernel: WgslKernel, flags: Readonly<Record<string, boolean>>): number {
  let index = 0;
  kernel.flags.forEach((name, j) => {
    const value = flags[name];
    if (typeof value !== "boolean") throw new TypeError(`${kernel.rule}: flag '${name}' is ${String(value)}`);
    if (value) index |= 1 << j;
  });
  return index;
}

/** Workgroups for `n` elements as (x, y): 2-D past 65535 workgroups. */
export function workgroups(n: number): [number, number] {
  const w = Math.ceil(n / WORKGROUP);
  return [Math.min(w, MAX_WORKGROUPS_PER_DIMENSION), Math.ceil(w / MAX_WORKGROUPS_PER_DIMENSION)];
}

/** Reduction blocks of `n` elements (one workgroup and 256 partials each). */
export function blocks(n: number): number {
  return Math.ceil(n / BLOCK_ELEMENTS);
}

/** The workgroups of `pass` over `n` elements ("single": one). */
export function passWorkgroups(pass: WgslPass, n: number): [number, number] {
  if (pass.dispatch === "single") return [1, 1];
  return workgroups(pass.dispatch === "blocks" ? blocks(n) * WORKGROUP : n);
}

/**
 * Uniform slots of one optimizer, one per (param, chunk) dispatch, in one buffer: `slot()` hands out an
 * offset, `set*` write into a CPU mirror, `flush()` uploads the mirror once per step.
 */
export class UniformBlock {
  readonly #device: GPUDevice;
  readonly #stride: number;
  #mirror = new ArrayBuffer(0);
  #buffer: GPUBuffer | null = null;
  #used = 0;
  #generation = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#stride = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  /** Increments whenever the GPU buffer is replaced (bind groups over it must be rebuilt). */
  get generation(): number {
    return this.#generation;
  }

  get buffer(): GPUBuffer {
    this.#ensure();
    return this.#buffer!;
  }

  /** A new slot's byte offset (at most 256 bytes of uniforms). */
  slot(): number {
    const offset = this.#used;
    this.#used += this.#stride;
    return offset;
  }

  #ensure(): void {
    if (this.#buffer !== null && this.#buffer.size >= this.#used) return;
    const size = Math.max(this.#stride, 2 ** Math.ceil(Math.log2(this.#used)));
    const mirror = new ArrayBuffer(size);
    new Uint8Array(mirror).set(new Uint8Array(this.#mirror));
    this.#mirror = mirror;
    this.#buffer?.destroy();
    this.#buffer = this.#device.createBuffer({
      size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label: "descent uniforms",
    });
    this.#generation++;
  }

  /** Writes the header (n, base) and the scalars (rounded to float32) of the slot at `offset`. */
  write(offset: number, n: number, base: number, scalars: readonly number[]): void {
    this.#ensure();
    const u32 = new Uint32Array(this.#mirror, offset, 2);
    u32[0] = n;
    u32[1] = base;
    const f32 = new Float32Array(this.#mirror, offset + 8, scalars.length);
    for (let k = 0; k < scalars.length; k++) f32[k] = scalars[k]!;
  }

  flush(): void {
    if (this.#used === 0) return;
    this.#ensure();
    this.#device.queue.writeBuffer(this.#buffer!, 0, this.#mirror, 0, this.#used);
  }

  destroy(): void {
    this.#buffer?.destroy();
    this.#buffer = null;
  }
}
