// The kernel runtime: instantiates the generated WebAssembly SIMD module over the arena's memory and tells
// the generated dispatchers (src/kernels/generated/<optimizer>.ts) whether a buffer can be handed to it.
// The module is generated importing a shared memory; the arena's memory is ordinary until threads move it
// to a shared one (`Arena.share`), so the import's shared flag is set to match before instantiating, and
// the module is instantiated again when the arena's memory object changes. Where the arena or wasm SIMD
// is missing, `kernels()` is null and the TypeScript rules run: the portable path.

import { arena, arenaClock } from "../core/arena.js";
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

/**
 * The byte offset of the memory import's limits flags (0x01: has a maximum; 0x03: also shared), found by
 * walking the import section. -1 when the module imports no memory.
 */
export function memoryLimitsFlagOffset(bytes: Uint8Array): number {
  let at = 8; // magic and version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 2) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const length = leb(); // module name, then field name
          at += length;
        }
        const kind = bytes[at++]!;
        if (kind === 2) return at;
        if (kind === 0)
          leb(); // function: type index
        else if (kind === 1) {
          at += 1; // table: element type, then limits
          const flags = bytes[at++]!;
          leb();
          if (flags & 1) leb();
        } else if (kind === 3)
          at += 2; // global: value type, mutability
        else return -1;
      }
      return -1;
    }
    at = end;
  }
  return -1;
}

/** The kernels module's bytes with its memory import shared or not. */
function kernelBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64(KERNELS_WASM_BASE64);
  const at = memoryLimitsFlagOffset(bytes);
  if (at >= 0) bytes[at] = shared ? bytes[at]! | 0x02 : bytes[at]! & ~0x02;
  return bytes;
}

function load(): Kernels | null {
  const a = arena();
  if (a === null) return null;
  try {
    const bytes = kernelBytes(a.shared);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD in this engine
    const module = new WebAssembly.Module(bytes);
    const instance = new WebAssembly.Instance(module, { env: { memory: a.memory } });
    return { exports: instance.exports as unknown as KernelExports, module, memory: a.memory, pool: null };
  } catch {
    return null;
  }
}

let loadedGeneration = -1;

function ensureLoaded(): Kernels | null {
  if (loadedGeneration === arenaClock.generation) return loaded!;
  // the memory's buffer changed (a growth) or the memory itself did (`Arena.share`): only the latter
  // needs a new instance
  if (loaded === undefined || (loaded !== null && loaded.memory !== arena()!.memory)) {
    loaded = load();
    if (loaded !== null) loaded.pool = activePool;
  }
  loadedGeneration = arenaClock.generation;
  return loaded;
}

/** The wasm kernels, or null when the TypeScript rules must run (no arena, no SIMD, or mode "typescript"). */
export function kernels(): Kernels | null {
  if (mode !== "auto") return null;
  return ensureLoaded();
}

/** Whether the wasm SIMD kernels can run here (an arena in WebAssembly memory and an engine with SIMD). */
export function kernelsAvailable(): boolean {
  return ensureLoaded() !== null;
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

/** The kernel mode now in use (see `setKernelMode`). */
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
