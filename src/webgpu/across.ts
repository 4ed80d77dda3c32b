/// <reference types="@webgpu/types" />
// Reductions that span buffers (the kernels compiled from GPU-only rules: clipGradNormUpdate,
// nonFiniteCount): the partials pass of every buffer into one partials buffer, each at its own workgroup
// base, one finish over all of them into `results`, then (when the kernel has one) the update pass per
// buffer, which reads `results`. Everything is encoded into the caller's compute pass: nothing is read back.

import { BLOCK_ELEMENTS, WORKGROUP_SIZE as WORKGROUP } from "../kernels/wgsl-types.js";
import {
  blocks,
  chunkElements,
  chunks,
  layoutFor,
  passWorkgroups,
  pipelineFor,
  zeroGate,
} from "./executor.js";
import type { WgslKernel, WgslPass } from "./kernels.js";
import { storageUsage } from "./param.js";

/** One buffer of the reduction and its length in floats. */
export interface AcrossBuffer {
  readonly buffer: GPUBuffer;
  readonly n: number;
}

/**
 * Encodes one reduction across buffers per call. Its scratch (partials, uniforms) is reused by the next
 * call: calls must be submitted in the order they are encoded, as queue order then keeps them apart. The
 * bind groups of a call are kept for the next one over the same buffers (a training loop's every step).
 */
export class AcrossRunner {
  readonly #device: GPUDevice;
  readonly #kernel: WgslKernel;
  readonly #label: string;
  readonly #stride: number;
  #partials: GPUBuffer | null = null;
  #uniform: GPUBuffer | null = null;
  #mirror = new ArrayBuffer(0);
  #used = 0;
  /** What the last call's bind groups were made from, and the groups in the order they were bound. */
  #signature: readonly unknown[] = [];
  #groups: GPUBindGroup[] = [];

  constructor(device: GPUDevice, kernel: WgslKernel, label: string) {
    this.#device = device;
    this.#kernel = kernel;
    this.#label = label;
    this.#stride = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  /**
   * Records the passes over `buffers` (those of length 0 are left out) into `computePass`; the finish
   * writes the kernel's K results into `results`. Update passes are gated by `gate` (a zero buffer if
   * absent). Call `flush()` before submitting.
   */
  encode(
    computePass: GPUComputePassEncoder,
    buffers: readonly AcrossBuffer[],
    variant: number,
    scalars: readonly number[],
    results: GPUBuffer,
    gate?: GPUBuffer,
  ): void {
    const kernel = this.#kernel;
    const perChunk = chunkElements(this.#device);
    const plan = buffers.filter((b) => b.n > 0).map((b) => ({ ...b, ranges: chunks(b.n, perChunk) }));
    // each buffer's partials (256 per block) follow the previous buffer's
    let base = 0;
    const bases = plan.map((b) => {
      const at = base;
      base += blocks(b.n) * WORKGROUP;
      return at;
    });
    const totalBlocks = base / WORKGROUP;
    const slotCount = plan.reduce((s, b) => s + b.ranges.length, 0) + 1;
    this.#reserve(slotCount, Math.max(1, base) * kernel.reductions);
    this.#used = 0;
    // the uniform of each chunk (shared by its partials and update passes), then the finish's
    const slots = plan.map((b, q) =>
      b.ranges.map(([start, length]) =>
        this.#write(length, bases[q]! + (start / BLOCK_ELEMENTS) * WORKGROUP, scalars),
      ),
    );
    const finishSlot = this.#write(BLOCK_ELEMENTS * totalBlocks, 0, scalars);
    const gateBuffer = gate ?? zeroGate(this.#device);
    // the slots depend only on the buffers' lengths: same buffers, same groups
    const signature = [variant, results, gateBuffer, this.#partials, this.#uniform, perChunk];
    for (const b of plan) signature.push(b.buffer, b.n);
    const reuse =
      signature.length === this.#signature.length && signature.every((x, j) => x === this.#signature[j]);
    if (!reuse) {
      this.#signature = signature;
      this.#groups = [];
    }
    let next = 0;
    const group = (make: () => GPUBindGroup): GPUBindGroup => {
      if (!reuse) this.#groups.push(make());
      return this.#groups[next++]!;
    };
    for (const pass of kernel.passes) {
      const pipeline = pipelineFor(this.#device, kernel, pass, variant);
      computePass.setPipeline(pipeline);
      if (pass.dispatch === "single") {
        computePass.setBindGroup(
          0,
          group(() => this.#group(pass, variant, null, 0, 0, finishSlot, results, gateBuffer)),
        );
        computePass.dispatchWorkgroups(1, 1, 1);
        continue;
      }
      if (pass.name === "partials" || pass.name === "update") {
        plan.forEach((b, q) => {
          b.ranges.forEach(([start, length], c) => {
            computePass.setBindGroup(
              0,
              group(() =>
                this.#group(pass, variant, b.buffer, start, length, slots[q]![c]!, results, gateBuffer),
              ),
            );
            const [x, y] = passWorkgroups(pass, length);
            computePass.dispatchWorkgroups(x, y);
          });
        });
        continue;
      }
      throw new Error(`${kernel.rule}: unknown pass '${pass.name}'`);
    }
  }

  flush(): void {
    if (this.#used > 0) this.#device.queue.writeBuffer(this.#uniform!, 0, this.#mirror, 0, this.#used);
  }

  #reserve(slots: number, partialFloats: number): void {
    const uniformBytes = slots * this.#stride;
    if (this.#uniform === null || this.#uniform.size < uniformBytes) {
      this.#uniform?.destroy();
      const size = 2 ** Math.ceil(Math.log2(Math.max(uniformBytes, this.#stride)));
      this.#uniform = this.#device.createBuffer({
        size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        label: `descent ${this.#label} uniforms`,
      });
      this.#mirror = new ArrayBuffer(size);
    }
    const partialBytes = Math.ceil((partialFloats * 4) / 16) * 16;
    if (this.#partials === null || this.#partials.size < partialBytes) {
      this.#partials?.destroy();
      this.#partials = this.#device.createBuffer({
        size: 2 ** Math.ceil(Math.log2(Math.max(partialBytes, 16))),
        usage: storageUsage(),
        label: `descent ${this.#label} partials`,
      });
    }
  }

  #write(n: number, base: number, scalars: readonly number[]): number {
    const offset = this.#used;
    this.#used += this.#stride;
    const u32 = new Uint32Array(this.#mirror, offset, 2);
    u32[0] = n;
    u32[1] = base;
    const f32 = new Float32Array(this.#mirror, offset + 8, scalars.length);
    for (let k = 0; k < scalars.length; k++) f32[k] = scalars[k]!;
    return offset;
  }

  #group(
    pass: WgslPass,
    variant: number,
    buffer: GPUBuffer | null,
    start: number,
    length: number,
    slot: number,
    results: GPUBuffer,
    gate: GPUBuffer,
  ): GPUBindGroup {
    const kernel = this.#kernel;
    const bindings = pass.variants[variant]!.bindings;
    return this.#device.createBindGroup({
      layout: layoutFor(this.#device, kernel, pass, variant),
      entries: [
        ...bindings.map((b, j) => {
          if (b.name === "partials") return { binding: j, resource: { buffer: this.#partials! } };
          if (b.name === "results") return { binding: j, resource: { buffer: results } };
          if (b.name === "gate") return { binding: j, resource: { buffer: gate } };
          if (buffer === null) throw new Error(`${kernel.rule}: pass '${pass.name}' binds '${b.name}'`);
          return { binding: j, resource: { buffer, offset: start * 4, size: length * 4 } };
        }),
        {
          binding: bindings.length,
          resource: { buffer: this.#uniform!, offset: slot, size: kernel.uniformSize },
        },
      ],
      label: `descent ${this.#label} ${pass.name}`,
    });
  }

  destroy(): void {
    this.#signature = [];
    this.#groups = [];
    this.#partials?.destroy();
    this.#uniform?.destroy();
    this.#partials = null;
    this.#uniform = null;
  }
}
