// Moving values between TF.js tensors and descent's buffers, the cheapest way each backend allows.
//
// Reading a gradient: `dataSync()` (on the cpu backend it returns the tensor's own storage, no copy; on
// wasm a copy out of the wasm heap; on webgl/webgpu a synchronous GPU read-back), then one copy into the
// param's grad buffer in descent's arena.
//
// Writing a param back into its variable: the first write assigns a fresh tensor holding a copy (as
// `variable.assign` always does), whose storage the adapter then owns. Later writes, on the cpu backend,
// copy into that storage in place when the variable still holds it (nobody assigned the variable since),
// nothing else shares it (reference count 1: no clone or reshape of it is alive) and nobody was handed it:
// no tensor is created and nothing is allocated. Otherwise they assign again.
// "Handed it": on the cpu backend `dataSync()`/`data()` (and `bufferSync()`, `array()`, `model.save`, which
// go through them) return the storage array itself, so a user holding that array would see later steps.
// The engine's `readSync`/`read` are wrapped once to remember every storage read that way; such storage is
// never written again: the next write assigns a fresh tensor (the user's array keeps the values it had, as
// with tf.train's optimizers), and in-place writes resume into the new storage until someone reads it.
// Kernels read storage through the backend, not the engine, so a forward pass does not count as a read. The wasm backend always assigns: its XNNPACK matmul
// caches packed weights by tensor id, so values changed in place under the same id would be ignored by the
// next forward pass (measured: training silently used stale weights).
// A tensor is never made over an arena view directly: TF.js would keep the view, and the next step would
// change a tensor that TF.js treats as immutable.

import type { Buffer } from "../core/arena.js";
import { tensor, tidy, type Variable, engine } from "@tensorflow/tfjs-core";

interface EngineReads {
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
}

/** Storage (dataIds) whose array was returned to someone through the engine's reads. */
const handedOut = new WeakSet<object>();
const watchedEngines = new WeakSet<object>();

/** Wraps the engine's reads to fill `handedOut` (once per engine); false if this engine cannot be watched. */
function watchReads(): boolean {
  const e = engine() as unknown as EngineReads;
  if (watchedEngines.has(e)) return true;
  const { readSync, read } = e;
  if (typeof readSync !== "function" || typeof read !== "function") return false;
  e.readSync = function (this: EngineReads, dataId: object) {
    handedOut.add(dataId);
    return readSync.call(this, dataId);
  };
  e.read = function (this: EngineReads, dataId: object) {
    handedOut.add(dataId);
    return read.call(this, dataId);
  };
  watchedEngines.add(e);
  return true;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: unknown } | undefined };
  refCount(dataId: object): number;
}

/** How a variable's values were written: in place, or by assigning a new tensor. */
export type WriteMode = "in-place" | "assign";

/** The storage of `v`, writable in place, or null where that is not safe (see the header). */
function ownStorage(v: Variable): Float32Array | null {
  const e = engine();
  const name = e.backendName;
  const dataId = v.dataId as object;
  if (name === "cpu") {
    if (!watchedEngines.has(e) || handedOut.has(dataId)) return null;
    const b = e.backend as unknown as CpuBackendLike;
    if (typeof b.refCount !== "function" || b.refCount(dataId) !== 1) return null;
    const values = b.data.get(dataId)?.values;
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
  watchReads(); // before the storage exists, so that no read of it is missed
  tidy(() => {
    const copy = values instanceof Float32Array ? values.slice() : Float32Array.from(values);
    v.assign(tensor(copy, v.shape, "float32"));
  });
  return { mode: "assign", dataId: v.dataId as object };
}
