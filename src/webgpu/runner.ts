/// <reference types="@webgpu/types" />
// Encodes one kernel's passes (kernels.ts) for a list of items (one param each) into a compute pass: the
// element passes per chunk of the item's buffers, a "single" pass (a reduction's finish) once per item.
// Each item of a kernel with reductions gets its own scratch, `partials` (R floats per workgroup) and
// `results` (K floats), so the finish of one param never sees another's partials. Uniform slots and bind
// groups are kept per item across steps and rebuilt only when a bound buffer changes.

import { BLOCK_ELEMENTS, WORKGROUP_SIZE as WORKGROUP } from "../kernels/wgsl-types.js";
import {
  blocks,
  chunkElements,
  chunks,
  layoutFor,
  passWorkgroups,
  noClip,
  pipelineFor,
  UniformBlock,
  zeroGate,
} from "./executor.js";
import type { WgslKernel, WgslPass } from "./kernels.js";
import { storageUsage } from "./param.js";

/** One item's dispatches: its buffers by the rule's names, the variant (flag bits) and the scalars. */
export interface KernelItem {
  /** Whose dispatches these are (the param): uniform slots, scratch and bind groups are kept per key. */
  readonly key: object;
  /** Elements of every element buffer. */
  readonly n: number;
  readonly variant: number;
  /** The rule's buffers by name (null: not bound by this variant). */
  readonly buffers: Readonly<Record<string, GPUBuffer | null>>;
  /** The rule's scalars, in the kernel's order. */
  readonly scalars: readonly number[];
  /** Bound as the update passes' `gate` (nonzero first float: they write nothing); a zero buffer if absent. */
  readonly gate?: GPUBuffer;
  /**
   * Bound as the passes' `clip`, clipGradNorm's [total, coef]: each grad is read scaled by coef when
   * coef < 1 or NaN, as clipGradNorm would have scaled it. [0, 1] (grads as they are) if absent.
   */
  readonly clip?: GPUBuffer;
}

/** An item with its chunks and its uniform slots (byte offsets in `uniformBuffer`, one per dispatch). */
export interface PlannedItem {
  readonly item: KernelItem;
  readonly ranges: ReadonlyArray<[number, number]>;
  readonly slots: readonly number[];
}

interface Cached {
  readonly n: number;
  readonly slots: number[];
  readonly partials: GPUBuffer | null;
  readonly results: GPUBuffer | null;
  /** Per pass name: what its bind groups were made from, and the groups (one per chunk, or one). */
  readonly groups: Map<
    string,
    { signature: readonly GPUBuffer[]; generation: number; groups: GPUBindGroup[] }
  >;
}

export class KernelRunner {
  readonly #device: GPUDevice;
  readonly #kernel: WgslKernel;
  readonly #label: string;
  readonly #uniforms: UniformBlock;
  readonly #cache = new Map<object, Cached>();

  constructor(device: GPUDevice, kernel: WgslKernel, label: string) {
    this.#device = device;
    this.#kernel = kernel;
    this.#label = label;
    this.#uniforms = new UniformBlock(device);
  }

  get kernel(): WgslKernel {
    return this.#kernel;
  }

  /** The `results` scratch of `key` (K floats written by the finish pass), once it has been encoded. */
  results(key: object): GPUBuffer | null {
    return this.#cache.get(key)?.results ?? null;
  }

  /**
   * Records every pass of the kernel for every item into `computePass`, in the kernel's pass order per
   * item, and writes their uniforms. Call `flush()` before the command buffer is submitted.
   */
  encode(computePass: GPUComputePassEncoder, items: readonly KernelItem[]): void {
    this.record(computePass, this.plan(items));
  }

  /**
   * Hands out the items' uniform slots and writes their uniforms (the first half of `encode`). What it
   * returns says where each item's uniforms are, so that a pass encoded before `record` may overwrite
   * some of their scalars on the GPU (`uniformBuffer` at `slots[j]` + `scalarOffset(name)`).
   */
  plan(items: readonly KernelItem[]): PlannedItem[] {
    const perChunk = chunkElements(this.#device);
    // every slot is handed out before any bind group is made: a grown uniform buffer replaces the old one
    const planned = items
      .filter((item) => item.n > 0)
      .map((item) => {
        const ranges = chunks(item.n, perChunk);
        return { item, ranges, cached: this.#cached(item, ranges.length) };
      });
    for (const { item, ranges, cached } of planned) {
      // a chunk starts on a block boundary: its partials start at 256 per block before it
      ranges.forEach(([start, length], c) => {
        this.#uniforms.write(cached.slots[c]!, length, (start / BLOCK_ELEMENTS) * WORKGROUP, item.scalars);
      });
      if (ranges.length > 1 && cached.slots.length > ranges.length) {
        this.#uniforms.write(cached.slots[ranges.length]!, item.n, 0, item.scalars);
      }
    }
    return planned.map(({ item, ranges, cached }) => ({ item, ranges, slots: cached.slots }));
  }

  /** The uniform buffer the planned slots are in (valid until the next `plan`). */
  get uniformBuffer(): GPUBuffer {
    return this.#uniforms.buffer;
  }

  /** The byte offset of scalar `name` within a uniform slot. */
  scalarOffset(name: string): number {
    const k = this.#kernel.scalars.indexOf(name);
    if (k < 0) throw new Error(`${this.#kernel.rule} has no scalar '${name}'`);
    return 8 + 4 * k;
  }

  /** Records the passes of planned items (the second half of `encode`). */
  record(computePass: GPUComputePassEncoder, planned: readonly PlannedItem[]): void {
    const kernel = this.#kernel;
    for (const { item, ranges } of planned) {
      const cached = this.#cache.get(item.key)!;
      for (const pass of kernel.passes) {
        const groups = this.#bindGroups(item, pass, ranges, cached);
        computePass.setPipeline(pipelineFor(this.#device, kernel, pass, item.variant));
        if (pass.dispatch === "single") {
          computePass.setBindGroup(0, groups[0]!);
          computePass.dispatchWorkgroups(1, 1, 1);
          continue;
        }
        ranges.forEach(([, length], c) => {
          computePass.setBindGroup(0, groups[c]!);
          const [x, y] = passWorkgroups(pass, length);
          computePass.dispatchWorkgroups(x, y);
        });
      }
    }
  }

  flush(): void {
    this.#uniforms.flush();
  }

  #cached(item: KernelItem, chunkCount: number): Cached {
    const kernel = this.#kernel;
    const hasSingle = kernel.passes.some((p) => p.dispatch === "single");
    const slotCount = chunkCount + (hasSingle && chunkCount > 1 ? 1 : 0);
    const old = this.#cache.get(item.key);
    if (old !== undefined && old.n === item.n && old.slots.length === slotCount) return old;
    old?.partials?.destroy();
    old?.results?.destroy();
    const scratch = (floats: number, what: string) =>
      this.#device.createBuffer({
        size: Math.max(16, Math.ceil((floats * 4) / 16) * 16),
        usage: storageUsage(),
        label: `descent ${this.#label} ${what}`,
      });
    const cached: Cached = {
      n: item.n,
      slots: Array.from({ length: slotCount }, () => this.#uniforms.slot()),
      partials:
        kernel.reductions > 0 ? scratch(blocks(item.n) * WORKGROUP * kernel.reductions, "partials") : null,
      results: kernel.results > 0 ? scratch(kernel.results, "results") : null,
      groups: new Map(),
    };
    this.#cache.set(item.key, cached);
    return cached;
  }

  /** The bind groups of one pass of one item (one per chunk; one for a single pass). */
  #bindGroups(
    item: KernelItem,
    pass: WgslPass,
    ranges: ReadonlyArray<[number, number]>,
    cached: Cached,
  ): GPUBindGroup[] {
    const kernel = this.#kernel;
    const bindings = pass.variants[item.variant]?.bindings;
    if (bindings === undefined)
      throw new RangeError(`${kernel.rule}: pass '${pass.name}' has no variant ${item.variant}`);
    const buffers = bindings.map((b) => {
      if (b.name === "gate") return item.gate ?? zeroGate(this.#device);
      if (b.name === "clip") return item.clip ?? noClip(this.#device);
      if (b.name === "partials") return cached.partials!;
      if (b.name === "results") return cached.results!;
      const buffer = item.buffers[b.name];
      if (buffer === null || buffer === undefined)
        throw new Error(
          `${this.#label}: no buffer for binding '${b.name}' of ${kernel.rule} variant ${item.variant}`,
        );
      return buffer;
    });
    const old = cached.groups.get(pass.name);
    if (
      old !== undefined &&
      old.generation === this.#uniforms.generation &&
      old.signature.length === buffers.length &&
      old.signature.every((b, j) => b === buffers[j])
    ) {
      return old.groups;
    }
    const layout = layoutFor(this.#device, kernel, pass, item.variant);
    const uniform = this.#uniforms.buffer;
    const whole = new Set(["gate", "clip", "partials", "results"]);
    const group = (start: number, length: number, slot: number) =>
      this.#device.createBindGroup({
        layout,
        entries: [
          ...buffers.map((buffer, j) => ({
            binding: j,
            resource: whole.has(bindings[j]!.name)
              ? { buffer }
              : { buffer, offset: start * 4, size: length * 4 },
          })),
          { binding: buffers.length, resource: { buffer: uniform, offset: slot, size: kernel.uniformSize } },
        ],
        label: `descent ${this.#label} ${pass.name}`,
      });
    const groups =
      pass.dispatch === "single"
        ? [group(0, item.n, cached.slots[ranges.length > 1 ? ranges.length : 0]!)]
        : ranges.map(([start, length], c) => group(start, length, cached.slots[c]!));
    cached.groups.set(pass.name, { signature: buffers, generation: this.#uniforms.generation, groups });
    return groups;
  }

  /** Forgets `key` (its scratch is freed). */
  forget(key: object): void {
    const c = this.#cache.get(key);
    c?.partials?.destroy();
    c?.results?.destroy();
    this.#cache.delete(key);
  }

  destroy(): void {
    for (const key of [...this.#cache.keys()]) this.forget(key);
    this.#uniforms.destroy();
  }
}
