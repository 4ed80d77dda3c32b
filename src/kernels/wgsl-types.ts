// The shape of a generated WebGPU kernel: scripts/kernels/wgsl.ts builds these, src/kernels/generated/wgsl.ts
// holds them, the executor (src/webgpu/) runs them. The one definition of the layout docs/ARCHITECTURE.md
// describes.

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

/** One dispatch: "elements" over ceil(n / 256) workgroups (2-D past 65535), "single" one workgroup. */
export interface WgslPass {
  readonly name: string;
  readonly dispatch: "elements" | "single";
  /** Index Σ (flag_j ? 1 : 0) << j over `WgslKernel.flags`. */
  readonly variants: readonly WgslVariant[];
}

/**
 * A rule's WebGPU kernel. The uniform is `{ n: u32, base: u32, <scalars>: f32 }` (offsets 0, 4, 8 + 4k);
 * `reductions` values per workgroup go to `partials`, `results` values to `results`.
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
