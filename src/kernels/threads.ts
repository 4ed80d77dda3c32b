// The opt-in multi-threaded step: workers (worker_threads in Node, Web Workers in a cross-origin isolated
// page) instantiate the same kernels module over the same shared arena memory. A large kernel call is cut
// into parts of whole SIMD vectors; the calling thread runs part 0 and each worker one more part. Elements
// are independent, so the result is bit-identical to one thread.
//
// Dispatch goes through a control block in the arena's reserved first page: the caller bumps a generation
// counter and notifies; workers spin on it briefly before sleeping in Atomics.wait (waking a sleeping
// worker costs tens of µs, which would eat a 1e6-element step), then count themselves done.

import { arena } from "../core/arena.js";
import type { OptimizerLike } from "../core/optimizer.js";
import { KERNEL_TABLE } from "./generated/kernels-wasm.js";
import { type KernelPool, kernels, setKernelPool } from "./runtime.js";

const CTRL = 4096; // byte offset of the control block inside the arena's reserved first page
const GEN = 0; // i32 slots
const DONE = 1;
const KERNEL = 2;
const COUNT = 3;
const QUIT = 4;
const PARTS = 5;
const ARGS = CTRL + 64; // f64 argument slots
const MAX_ARGS = 32;
const SPIN = 20000;

export interface ThreadOptions {
  /** Calls with fewer elements run on the calling thread alone (default 65536). */
  minElements?: number;
}

/** A running thread pool; `close()` stops the workers and restores the single-threaded step. */
export interface ThreadHandle {
  readonly threads: number;
  close(): Promise<void>;
}

interface AnyWorker {
  terminate(): unknown;
}

// The worker: the same part-running logic as the caller's, as a self-contained script.
const WORKER_SOURCE = `
const SPIN = ${SPIN};
function start(data, post) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const table = data.table;
  const ctrl = new Int32Array(data.memory.buffer, ${CTRL}, 16);
  const args = new Float64Array(data.memory.buffer, ${ARGS}, ${MAX_ARGS});
  const calls = table.map((e) => ({ fn: instance.exports[e.name], kinds: e.kinds, width: e.dtype === "float32" ? 4 : 8, list: new Array(e.kinds.length) }));
  let seen = Atomics.load(ctrl, ${GEN});
  post("ready");
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, ${GEN}) === seen) {
      if (++spins > SPIN) Atomics.wait(ctrl, ${GEN}, seen);
    }
    seen = Atomics.load(ctrl, ${GEN});
    if (Atomics.load(ctrl, ${QUIT}) !== 0) return;
    const call = calls[ctrl[${KERNEL}]];
    const n = ctrl[${COUNT}];
    const parts = ctrl[${PARTS}];
    const chunk = Math.ceil(n / parts / 16) * 16;
    const s = Math.min(n, data.index * chunk);
    const e = Math.min(n, s + chunk);
    if (e > s) {
      const list = call.list;
      list[0] = e - s;
      for (let j = 1; j < call.kinds.length; j++) {
        const a = args[j - 1];
        list[j] = call.kinds[j] === "b" ? a + s * call.width : a;
      }
      call.fn.apply(null, list);
    }
    if (Atomics.add(ctrl, ${DONE}, 1) + 1 === parts - 1) Atomics.notify(ctrl, ${DONE});
  }
}
let wt = null;
try { wt = require("node:worker_threads"); } catch {}
if (wt && wt.parentPort) start(wt.workerData, (m) => wt.parentPort.postMessage(m));
else self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
`;

let open: ThreadHandle | null = null;

async function spawn(data: Record<string, unknown>): Promise<AnyWorker> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (isNode) {
    const { Worker } = await import("node:worker_threads");
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
    await new Promise<void>((resolve, reject) => {
      w.once("message", () => resolve());
      w.once("error", reject);
    });
    w.unref();
    return w;
  }
  if (
    typeof Worker === "undefined" ||
    !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated
  ) {
    throw new Error("useThreads: Web Workers over shared memory need a cross-origin isolated page");
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const w = new Worker(url);
  await new Promise<void>((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => reject(new Error(`useThreads: a worker failed to start: ${e.message}`));
    w.postMessage(data);
  });
  return w;
}

/**
 * Runs `optimizer`'s steps on `threads` threads (the caller plus `threads − 1` workers) over the arena's
 * shared memory. Opt-in: it pays for large params (≥ `minElements` per call); small ones stay on the
 * caller. Results are bit-identical to one thread. One pool at a time.
 * @example
 * const opt = new Adam([w]);
 * const pool = await useThreads(opt, 2);
 * opt.step(); // large params are split across 2 threads
 * await pool.close();
 */
export async function useThreads(
  optimizer: OptimizerLike,
  threads: number,
  options: ThreadOptions = {},
): Promise<ThreadHandle> {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new RangeError(`useThreads: threads must be an integer from 1 to 64, got ${String(threads)}`);
  }
  const minElements = options.minElements ?? 65536;
  if (!Number.isInteger(minElements) || minElements < 1) {
    throw new RangeError(`useThreads: minElements must be a positive integer, got ${String(minElements)}`);
  }
  if (optimizer === null || typeof optimizer !== "object" || typeof optimizer.step !== "function") {
    throw new TypeError("useThreads: expected an optimizer");
  }
  if (open !== null) throw new Error("useThreads: another thread pool is open; close it first");
  const k = kernels();
  const a = arena();
  if (k === null || a === null) {
    throw new Error(
      "useThreads: needs the WebAssembly kernels over shared memory, which are unavailable here",
    );
  }
  const table = KERNEL_TABLE.map((e) => ({ name: e.name, kinds: e.kinds, dtype: e.dtype }));
  const workers: AnyWorker[] = [];
  try {
    for (let i = 1; i < threads; i++) {
      workers.push(await spawn({ module: k.module, memory: k.memory, table, index: i }));
    }
  } catch (e) {
    for (const w of workers) await w.terminate();
    throw e;
  }
  const ctrl = new Int32Array(k.memory.buffer, CTRL, 16);
  Atomics.store(ctrl, QUIT, 0);
  const args = new Float64Array(k.memory.buffer, ARGS, MAX_ARGS);
  const exports = k.exports as unknown as Record<string, (...xs: number[]) => void>;
  const calls = KERNEL_TABLE.map((e) => ({
    fn: exports[e.name]!,
    kinds: e.kinds,
    width: e.dtype === "float32" ? 4 : 8,
    list: new Array<number>(e.kinds.length).fill(0),
  }));
  const canWait =
    typeof process !== "undefined" || typeof (globalThis as { window?: unknown }).window === "undefined";
  const pool: KernelPool = {
    minElements,
    args,
    run(id: number, n: number): void {
      const call = calls[id]!;
      const parts = threads;
      if (parts === 1) {
        call.list[0] = n;
        for (let j = 1; j < call.kinds.length; j++) call.list[j] = args[j - 1]!;
        call.fn.apply(null, call.list);
        return;
      }
      ctrl[KERNEL] = id;
      ctrl[COUNT] = n;
      ctrl[PARTS] = parts;
      Atomics.store(ctrl, DONE, 0);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      // parts are whole 16-element blocks (the worker computes the same cut)
      const list = call.list;
      list[0] = Math.min(n, Math.ceil(n / parts / 16) * 16);
      for (let j = 1; j < call.kinds.length; j++) list[j] = args[j - 1]!; // part 0 starts at the offsets
      call.fn.apply(null, list);
      let spins = 0;
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (done === parts - 1) break;
        if (++spins > SPIN && canWait) Atomics.wait(ctrl, DONE, done, 1);
      }
    },
  };
  const original = optimizer.step;
  const own = Object.hasOwn(optimizer, "step");
  optimizer.step = function threadedStep(this: OptimizerLike, closure?: () => number) {
    setKernelPool(pool);
    try {
      return original.call(this, closure);
    } finally {
      setKernelPool(null);
    }
  };
  let closed = false;
  const handle: ThreadHandle = {
    threads,
    async close() {
      if (closed) return;
      closed = true;
      if (own) optimizer.step = original;
      else delete (optimizer as { step?: unknown }).step;
      Atomics.store(ctrl, QUIT, 1);
      Atomics.add(ctrl, GEN, 1);
      Atomics.notify(ctrl, GEN);
      for (const w of workers) await w.terminate();
      open = null;
    },
  };
  open = handle;
  return handle;
}
