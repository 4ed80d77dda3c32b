/// <reference types="@webgpu/types" />
// A param on the GPU: the host's GPUBuffer (float32, STORAGE usage) with its shape, and the GPUBuffer the
// host writes its gradient into. descent never copies either: the kernels update `buffer` in place.

import { describe } from "../core/param.js";

/** Options of `gpuParam`. */
export interface GpuParamOptions {
  /** Used in messages and state dicts (torch's parameter name). */
  name?: string;
}

/** A parameter living on the GPU: a float32 `GPUBuffer` of its values, its shape, and a gradient buffer. */
export class GpuParam {
  #buffer: GPUBuffer;
  readonly shape: readonly number[];
  readonly size: number;
  readonly device: GPUDevice;
  name?: string;
  /** The gradient: a float32 GPUBuffer of at least `size` elements with STORAGE usage, or null (skipped). */
  grad: GPUBuffer | null = null;

  constructor(buffer: GPUBuffer, shape: readonly number[], device: GPUDevice, options: GpuParamOptions = {}) {
    const label = options.name === undefined ? "gpuParam" : `gpuParam '${options.name}'`;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TypeError(
        `${label}: shape must be an array of non-negative integers, got ${describe(shape)}`,
      );
    }
    const size = shape.reduce((a, b) => a * b, 1);
    checkBuffer(buffer, size, `${label}: buffer`);
    if (device === null || typeof device !== "object" || typeof device.createBuffer !== "function") {
      throw new TypeError(`${label}: device must be a GPUDevice, got ${describe(device)}`);
    }
    this.#buffer = buffer;
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.device = device;
    if (options.name !== undefined) this.name = options.name;
  }

  /** The values (updated in place by each step). A host may swap in another buffer holding them. */
  get buffer(): GPUBuffer {
    return this.#buffer;
  }

  /** Swaps in another buffer holding the values (checked: float32 storage of at least `size` elements). */
  set buffer(buffer: GPUBuffer) {
    checkBuffer(
      buffer,
      this.size,
      `${this.name === undefined ? "gpuParam" : `gpuParam '${this.name}'`}: buffer`,
    );
    this.#buffer = buffer;
  }
}

/**
 * STORAGE | COPY_SRC | COPY_DST: what descent's state buffers (and buffers it gives a host) use. A function,
 * so that importing this module where WebGPU is absent (Node) does not touch GPUBufferUsage.
 */
export function storageUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

/** Throws unless `buffer` is a GPUBuffer with STORAGE usage holding at least `size` float32 values. */
export function checkBuffer(buffer: unknown, size: number, what: string): asserts buffer is GPUBuffer {
  const b = buffer as Partial<GPUBuffer> | null;
  if (b === null || typeof b !== "object" || typeof b.size !== "number" || typeof b.usage !== "number") {
    throw new TypeError(`${what} must be a GPUBuffer, got ${describe(buffer)}`);
  }
  if ((b.usage & GPUBufferUsage.STORAGE) === 0) {
    throw new TypeError(`${what} needs GPUBufferUsage.STORAGE (its usage is ${b.usage})`);
  }
  if (b.size < size * 4) {
    throw new RangeError(`${what} has ${b.size} bytes, fewer than the ${size * 4} of ${size} float32 values`);
  }
}

/**
 * A param over `buffer` (float32 values, STORAGE usage; add COPY_SRC/COPY_DST for state dicts and
 * uploads) of the given shape, on `device`. Set `p.grad` to the gradient's GPUBuffer before each step.
 */
export function gpuParam(
  buffer: GPUBuffer,
  shape: readonly number[],
  device: GPUDevice,
  options: GpuParamOptions = {},
): GpuParam {
  return new GpuParam(buffer, shape, device, options);
}
