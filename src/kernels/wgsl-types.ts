// The shape of a generated WebGPU kernel: scripts/kernels/wgsl.ts builds these, src/kernels/generated/wgsl.ts
// holds them, the executor (src/webgpu/) runs them. The one definition of the layout docs/ARCHITECTURE.md
// describes.

/** Invocations per workgroup in every pass. */
export const WORKGROUP_SIZE = 256;

/**
 * Elements one workgroup of a "blocks" pass (a reduction's partials) covers: its invocation `lid` sums
 * elements lid, lid + 256, … of the block in order and writes one partial, with no workgroup barrier.
 * Buffers bound in chunks are cut at multiples of this, so a chunk's partials are those of the whole.
 */
export const BLOCK_ELEMENTS = WORKGROUP_SIZE * 64;

/** One storage buffer binding of a pass: @group(0) @binding(j) is the j-th of its variant's list. */
export interface WgslBinding {
  readonly name: string;
  readonly access: "read" | "read_write";
}

/** One shader: a flag combination of one pass; the uniform is @binding(bindings.length). */
export interface WgslVariant {
  readonly code: string;
  readonly bindings: readonly WgslBinding[];
}

/**
 * One dispatch: "elements" over ceil(n / 256) workgroups, "blocks" over ceil(n / BLOCK_ELEMENTS) (both 2-D
 * past 65535), "single" one workgroup.
 */
export interface WgslPass {
  readonly name: string;
  readonly dispatch: "elements" | "blocks" | "single";
  /** Index Σ (flag_j ? 1 : 0) << j over `WgslKernel.flags`. */
  readonly variants: readonly WgslVariant[];
}

/**
 * A rule's WebGPU kernel. The uniform is `{ n: u32, base: u32, <scalars>: f32 }` (offsets 0, 4, 8 + 4k);
 * `reductions` values per invocation of the "blocks" pass go to `partials` (256 per block), `results` values to `results`.
 */
export interface WgslKernel {
  readonly rule: string;
  readonly file: string;
  readonly buffers: readonly string[];
  readonly flags: readonly string[];
  readonly scalars: readonly string[];
  readonly uniformSize: number;
  readonly workgroupSize: number;
  readonly reductions: number;
  readonly results: number;
  readonly passes: readonly WgslPass[];
}
