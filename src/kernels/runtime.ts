// The kernel runtime: instantiates the generated WebAssembly SIMD module once over the arena's memory and
// tells the generated dispatchers (src/kernels/generated/<optimizer>.ts) whether a buffer can be handed to
// it. Where the arena, shared memory or wasm SIMD is missing, `kernels()` is null and the TypeScript
// rules run: the portable path.

import { arena } from "../core/arena.js";
import { KERNELS_WASM_BASE64, type KernelExports } from "./generated/kernels-wasm.js";

/** Which executor the optimizers use: `"auto"` (wasm SIMD when available) or `"typescript"` (the rules). */
export type KernelMode = "auto" | "typescript";

/** A multi-threaded executor the dispatchers hand large calls to (see threads.ts). */
export interface KernelPool {
  /** Elements below which a call runs on the calling thread alone. */
  readonly minElements: number;
  /** Argument slots after `n` (byte offsets, flags as 0/1, scalars), written by the dispatcher. */
  readonly args: Float64Array;
  /** Runs kernel `id` over `n` elements split across the pool; returns when every part is done. */
  run(id: number, n: number): void;
}

export interface Kernels {
  readonly exports: KernelExports;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** The active thread pool, or null (single thread). */
  pool: KernelPool | null;
}

let loaded: Kernels | null | undefined;
let mode: KernelMode = "auto";
let activePool: KernelPool | null = null;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === "function") {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  return Uint8Array.from(globalThis.Buffer.from(text, "base64"));
}

function load(): Kernels | null {
  const a = arena();
  if (a === null) return null;
  try {
    const bytes = decodeBase64(KERNELS_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD (or no threads) in this engine
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, { env: { memory: a.memory } });
    return { exports: instance.exports as unknown as KernelExports, module, memory: a.memory, pool: null };
  } catch {
    return null;
  }
}

/** The wasm kernels, or null when the TypeScript rules must run (no arena, no SIMD, or mode "typescript"). */
export function kernels(): Kernels | null {
  if (mode !== "auto") return null;
  if (loaded === undefined) {
    loaded = load();
    if (loaded !== null) loaded.pool = activePool;
  }
  return loaded;
}

/** Whether the wasm SIMD kernels can run here (an arena on shared memory and an engine with SIMD). */
export function kernelsAvailable(): boolean {
  if (loaded === undefined) {
    loaded = load();
    if (loaded !== null) loaded.pool = activePool;
  }
  return loaded !== null;
}

/**
 * Chooses the executor for every optimizer: `"auto"` (default) runs the WebAssembly SIMD kernels when every
 * buffer of a param lives in the arena, `"typescript"` always runs the plain TypeScript rules.
 * @example
 * const w = param([1, -2]);
 * const opt = new Adam([w], { lr: 0.1 });
 * w.grad = new Float32Array([0.5, -0.5]);
 * setKernelMode("typescript"); // e.g. to compare against the portable path
 * opt.step();
 * setKernelMode("auto");
 * kernelMode(); // → "auto"
 * w.data; // → [0.9, -1.9]
 */
export function setKernelMode(next: KernelMode): void {
  if (next !== "auto" && next !== "typescript") {
    throw new TypeError(`setKernelMode: expected "auto" or "typescript", got ${String(next)}`);
  }
  mode = next;
}

export function kernelMode(): KernelMode {
  return mode;
}

/** Installs (or, with null, removes) the thread pool the dispatchers use. */
export function setKernelPool(pool: KernelPool | null): void {
  activePool = pool;
  if (loaded) loaded.pool = pool;
}

/** True when `b` is a float32 arena buffer with at least `n` elements (safe to hand to a kernel). */
export function resident32(b: ArrayBufferView, n: number): boolean {
  return b instanceof Float32Array && b.length >= n && arena()!.owns(b);
}

/** True when `b` is a float64 arena buffer with at least `n` elements. */
export function resident64(b: ArrayBufferView, n: number): boolean {
  return b instanceof Float64Array && b.length >= n && arena()!.owns(b);
}
