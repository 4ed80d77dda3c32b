/// <reference types="@webgpu/types" />
// What the WebGPU test pages share: one device per page, buffers uploaded from float32 arrays, seeded
// random inputs, float32 ulp distances, and state dicts as JSON.

let devicePromise: Promise<GPUDevice> | null = null;

/** The page's device (one per page, made on first use). */
export function device(): Promise<GPUDevice> {
  devicePromise ??= navigator.gpu.requestAdapter().then((a) => a!.requestDevice());
  return devicePromise;
}

/** Storage, copied to and from: what params, grads and state buffers of the tests need. */
export const USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** `data` written into `target`, or into a new buffer (at least 16 bytes). */
export function upload(d: GPUDevice, data: Float32Array, target?: GPUBuffer): GPUBuffer {
  const buffer = target ?? d.createBuffer({ size: Math.max(16, data.byteLength), usage: USAGE });
  d.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** A seeded uniform [0, 1) generator (an LCG: the same inputs on every run). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** n roughly normal values (a sum of three uniforms, centred) times `scale`. */
export function normals(n: number, next: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * (next() + next() + next() - 1.5) * 2;
  return out;
}

/**
 * |a − b| in float32 ulps of `scale` (default b), the magnitude of what the step worked on: a result that
 * cancels to near zero is judged by its operands' ulp, not its own. NaN equals NaN; NaN against a number
 * is infinitely far.
 */
export function ulps(a: number, b: number, scale = b): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.POSITIVE_INFINITY;
  if (a === b) return 0;
  const s = Math.max(Math.abs(scale), Math.abs(b), 2 ** -126);
  const ulp = 2 ** (Math.floor(Math.log2(s)) - 23);
  return Math.abs(a - b) / ulp;
}

/** A state dict as plain JSON (typed arrays as `{ f32: [...] }`), to compare with deepStrictEqual. */
export function plain(sd: unknown): unknown {
  return JSON.parse(
    JSON.stringify(sd, (_k, v) =>
      v instanceof Float32Array || v instanceof Float64Array ? { f32: Array.from(v) } : v,
    ),
  );
}

/** The message `f` throws, or "no error". */
export function errorMessage(f: () => unknown): string {
  try {
    f();
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}

/** The message `f` throws or rejects with, or "no error". */
export async function errorMessageAsync(f: () => unknown): Promise<string> {
  try {
    await f();
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}
