/// <reference types="@webgpu/types" />
// What the hand-written WGSL kernels (Muon's Newton–Schulz, Adafactor's factored moments: rules outside the
// generator's element-wise subset) are run with: their passes wrapped as a WgslKernel, so pipelines and
// layouts come from the executor's per-device caches; a uniform block with u32 and f32 fields per dispatch,
// written once per step; bind groups kept per (param, dispatch) and rebuilt only when a bound buffer changes.

import { layoutFor, pipelineFor } from "./executor.js";
import type { WgslBinding, WgslKernel, WgslPass } from "./kernels.js";
import { storageUsage } from "./param.js";

/** Threads per workgroup of the element and reduction passes (the matmul uses 16 × 16). */
export const WORKGROUP = 256;

/** A hand-written pass: its WGSL (entry point `main`) and its storage bindings, the uniform after them. */
export interface HandPass {
  readonly name: string;
  readonly code: string;
  readonly bindings: readonly WgslBinding[];
}

/** The binding list of a pass from `name:read` / `name:rw` words. */
export function bindings(...specs: string[]): WgslBinding[] {
  return specs.map((s) => {
    const [name, access] = s.split(":");
    return { name: name!, access: access === "rw" ? "read_write" : "read" };
  });
}

/** Hand-written passes as a WgslKernel of one variant each (so `pipelineFor` and `layoutFor` cache them). */
export function handKernel(rule: string, passes: readonly HandPass[]): WgslKernel {
  return {
    rule,
    file: rule,
    buffers: [],
    flags: [],
    scalars: [],
    uniformSize: UNIFORM_BYTES,
    workgroupSize: 256,
    reductions: 0,
    results: 0,
    passes: passes.map(
      (p): WgslPass => ({
        name: p.name,
        dispatch: "elements",
        variants: [{ code: p.code, bindings: p.bindings }],
      }),
    ),
  };
}

/** Bytes of every hand-written pass's uniform: 8 words (u32 or f32, as the pass's struct declares). */
const UNIFORM_BYTES = 32;

/** A uniform word: an integer (written as u32) or a float (written as f32). */
export type Word = { u32: number } | { f32: number };

/** One optimizer's uniform slots, one per dispatch, in one buffer uploaded once per step. */
export class HandUniforms {
  readonly #device: GPUDevice;
  readonly #stride: number;
  #mirror = new ArrayBuffer(0);
  #buffer: GPUBuffer | null = null;
  #used = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#stride = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  /** Forgets every slot (call at the start of each step's encoding). */
  reset(): void {
    this.#used = 0;
  }

  /** A new slot holding `words`; returns its byte offset. */
  write(words: readonly Word[]): number {
    const offset = this.#used;
    this.#used += this.#stride;
    if (this.#mirror.byteLength < this.#used) {
      const grown = new ArrayBuffer(2 ** Math.ceil(Math.log2(this.#used)));
      new Uint8Array(grown).set(new Uint8Array(this.#mirror));
      this.#mirror = grown;
    }
    const view = new DataView(this.#mirror, offset, UNIFORM_BYTES);
    words.forEach((w, k) => {
      if ("u32" in w) view.setUint32(4 * k, w.u32, true);
      else view.setFloat32(4 * k, w.f32, true);
    });
    return offset;
  }

  /** The GPU buffer, grown to the slots written (bind groups over an older one must be rebuilt). */
  buffer(): GPUBuffer {
    if (this.#buffer === null || this.#buffer.size < this.#mirror.byteLength) {
      this.#buffer?.destroy();
      this.#buffer = this.#device.createBuffer({
        size: Math.max(this.#stride, this.#mirror.byteLength),
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        label: "descent hand-written kernel uniforms",
      });
    }
    return this.#buffer;
  }

  flush(): void {
    if (this.#used > 0) this.#device.queue.writeBuffer(this.buffer(), 0, this.#mirror, 0, this.#used);
  }

  destroy(): void {
    this.#buffer?.destroy();
    this.#buffer = null;
  }
}

/** A buffer bound to a pass: the whole buffer, or its first `floats` float32 values. */
export interface Bound {
  readonly buffer: GPUBuffer;
  readonly floats?: number;
}

/** One dispatch of a hand-written pass. */
export interface HandDispatch {
  /** Whose dispatch it is (a param) and which of its dispatches: the bind group cache's key. */
  readonly key: object;
  readonly index: number;
  readonly pass: string;
  /** The pass's storage buffers, in its binding order. */
  readonly buffers: readonly Bound[];
  readonly uniform: readonly Word[];
  /** Workgroups (x, y). */
  readonly workgroups: readonly [number, number];
}

/**
 * Records dispatches of hand-written passes into one compute pass. Bind groups are cached by (key, index)
 * and rebuilt when a bound buffer, its bound length, the pass or the uniform buffer changes.
 */
export class HandRunner {
  readonly #device: GPUDevice;
  readonly #kernel: WgslKernel;
  readonly #passes: Map<string, WgslPass>;
  readonly #uniforms: HandUniforms;
  readonly #groups = new WeakMap<object, Array<{ signature: unknown[]; group: GPUBindGroup }>>();

  constructor(device: GPUDevice, kernel: WgslKernel) {
    this.#device = device;
    this.#kernel = kernel;
    this.#passes = new Map(kernel.passes.map((p) => [p.name, p]));
    this.#uniforms = new HandUniforms(device);
  }

  /** Records `dispatches` in order into one compute pass of `encoder` and queues their uniforms. */
  run(encoder: GPUCommandEncoder, dispatches: readonly HandDispatch[]): void {
    const uniforms = this.#uniforms;
    uniforms.reset();
    // every slot is written before any bind group is made: a grown uniform buffer replaces the old one
    const slots = dispatches.map((d) => uniforms.write(d.uniform));
    const uniform = uniforms.buffer();
    const computePass = encoder.beginComputePass({ label: `descent ${this.#kernel.rule}` });
    dispatches.forEach((d, j) => {
      const pass = this.#passes.get(d.pass);
      if (pass === undefined) throw new Error(`${this.#kernel.rule}: no pass '${d.pass}'`);
      computePass.setPipeline(pipelineFor(this.#device, this.#kernel, pass, 0));
      computePass.setBindGroup(0, this.#group(d, pass, uniform, slots[j]!));
      computePass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    });
    computePass.end();
    uniforms.flush();
  }

  #group(d: HandDispatch, pass: WgslPass, uniform: GPUBuffer, slot: number): GPUBindGroup {
    const signature: unknown[] = [d.pass, uniform, slot, ...d.buffers.flatMap((b) => [b.buffer, b.floats])];
    let cached = this.#groups.get(d.key);
    if (cached === undefined) {
      cached = [];
      this.#groups.set(d.key, cached);
    }
    const entry = cached[d.index];
    if (entry !== undefined && sameList(entry.signature, signature)) return entry.group;
    const group = this.#device.createBindGroup({
      layout: layoutFor(this.#device, this.#kernel, pass, 0),
      entries: [
        ...d.buffers.map((b, j) => ({
          binding: j,
          resource:
            b.floats === undefined
              ? { buffer: b.buffer }
              : { buffer: b.buffer, offset: 0, size: Math.max(1, b.floats) * 4 },
        })),
        { binding: d.buffers.length, resource: { buffer: uniform, offset: slot, size: UNIFORM_BYTES } },
      ],
      label: `descent ${this.#kernel.rule} ${d.pass}`,
    });
    cached[d.index] = { signature, group };
    return group;
  }

  destroy(): void {
    this.#uniforms.destroy();
  }
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A scratch buffer of at least `floats` float32 values, replacing `old` when it is smaller. */
export function grownScratch(
  device: GPUDevice,
  old: GPUBuffer | null,
  floats: number,
  label: string,
): GPUBuffer {
  const bytes = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
  if (old !== null && old.size >= bytes) return old;
  old?.destroy();
  return device.createBuffer({ size: bytes, usage: storageUsage(), label: `descent ${label}` });
}

/** The WGSL of the linear element index of a 2-D dispatch of 256-thread workgroups (executor's `workgroups`). */
export const ELEMENT_INDEX = "gid.x + gid.y * (nwg.x * 256u)";
