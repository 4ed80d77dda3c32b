// Moving values between TF.js tensors and descent's buffers, the cheapest way each backend allows.
//
// Reading a gradient: `dataSync()` (on the cpu backend it returns the tensor's own storage, no copy; on
// wasm a copy out of the wasm heap; on webgl/webgpu a synchronous GPU read-back), then one copy into the
// param's grad buffer in descent's arena.
//
// Writing a param back into its variable: the first write assigns a fresh tensor holding a copy (as
// `variable.assign` always does), whose storage the adapter then owns. Later writes, on the cpu and wasm
// backends, copy into that storage in place when the variable still holds it (nobody assigned the variable
// since) and nothing else shares it (reference count 1: no clone or reshape of it is alive): no tensor is
// created and nothing is allocated. Otherwise (other backends, shared storage) they assign again.
// A tensor is never made over an arena view directly: TF.js would keep the view, and the next step would
// change a tensor that TF.js treats as immutable.

import type { Buffer } from "../core/arena.js";
import { tensor, tidy, type Variable, engine } from "@tensorflow/tfjs-core";

type TypedArrayLike = Float32Array | Int32Array | Uint8Array;

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  refCount(dataId: object): number;
}

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset?: number | null } | undefined };
  typedArrayFromHeap(info: { shape: number[]; dtype: string; dataId: object }): TypedArrayLike;
  refCount(dataId: object): number;
}

/** How a variable's values were written: in place, or by assigning a new tensor. */
export type WriteMode = "in-place" | "assign";

/** The storage of `v` on the current backend, writable in place, or null where that is not safe. */
function ownStorage(v: Variable): Float32Array | null {
  const e = engine();
  const backend = e.backend as unknown;
  const name = e.backendName;
  const dataId = v.dataId as object;
  if (name === "cpu") {
    const b = backend as CpuBackendLike;
    if (typeof b.refCount !== "function" || b.refCount(dataId) !== 1) return null;
    const values = b.data.get(dataId)?.values;
    return values instanceof Float32Array && values.length === v.size ? values : null;
  }
  if (name === "wasm") {
    const b = backend as WasmBackendLike;
    if (typeof b.refCount !== "function" || b.refCount(dataId) !== 1) return null;
    // a tensor not yet moved into the wasm heap has no offset (a view would start at byte 0)
    if (typeof b.dataIdMap?.get(dataId)?.memoryOffset !== "number") return null;
    const values = b.typedArrayFromHeap({ shape: v.shape, dtype: v.dtype, dataId });
    return values instanceof Float32Array && values.length === v.size ? values : null;
  }
  return null;
}

/** Copies a tensor's values into `target` (same length). */
export function readInto(t: { dataSync(): ArrayLike<number> | unknown }, target: Buffer): void {
  const values = t.dataSync() as ArrayLike<number>;
  target.set(values);
}

/**
 * Writes `values` (the variable's size) into `v`. `owned` is the storage id this adapter wrote last time
 * (only that storage is ever written in place: a user's array behind a tensor is never touched). Returns
 * how it wrote and the storage id the variable now has.
 */
export function writeVariable(
  v: Variable,
  values: Buffer,
  owned: object | null,
): { mode: WriteMode; dataId: object } {
  if (owned !== null && v.dataId === owned) {
    const storage = ownStorage(v);
    if (storage !== null) {
      storage.set(values);
      return { mode: "in-place", dataId: owned };
    }
  }
  tidy(() => {
    const copy = values instanceof Float32Array ? values.slice() : Float32Array.from(values);
    v.assign(tensor(copy, v.shape, "float32"));
  });
  return { mode: "assign", dataId: v.dataId as object };
}
