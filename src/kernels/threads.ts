// The opt-in multi-threaded step: workers (worker_threads in Node, Web Workers in a cross-origin isolated
// page) instantiate the same kernels module over the same shared arena memory (the first pool moves the
// arena from its ordinary memory into a shared one, for the rest of the process). A large kernel call is cut
// into parts of whole SIMD vectors; the calling thread runs part 0 and each worker one more part. Elements
// are independent, so the result is bit-identical to one thread.
//
// Dispatch goes through a control block in the arena's reserved first page: the caller bumps a generation
// counter and notifies; workers spin on it briefly before sleeping in Atomics.wait (waking a sleeping
// worker costs tens of µs, which would eat a 1e6-element step), then count themselves done.

import { arena } from "../core/arena.js";
import type { OptimizerLike, StepExecutor } from "../core/optimizer.js";
import { KERNEL_TABLE } from "./generated/kernels-wasm.js";
import { type KernelPool, kernels, setKernelPool } from "./runtime.js";

const CTRL = 4096; // byte offset of the control block inside the arena's reserved first page
const GEN = 0; // i32 slots: wake-up counter
const WORD = 1; // (generation tag << 20) | next unclaimed chunk
const DONE = 2; // chunks finished in this call
const KERNEL = 3;
const COUNT = 4;
const CHUNK = 5; // elements per chunk (a multiple of 16)
const CHUNKS = 6;
const QUIT = 7;
const ARGS = CTRL + 64; // f64 argument slots
const MAX_ARGS = 32;
const SPIN = 20000;
const MIN_CHUNK = 16384;

/** Options of `useThreads`. */
export interface ThreadOptions {
  /** Calls with fewer elements run on the calling thread alone (default 65536). */
  minElements?: number;
}

/** A running thread pool; `close()` stops the workers and restores the single-threaded step. */
export interface ThreadHandle {
  readonly threads: number;
  /** Stops the workers and restores the single-threaded step; resolves when they are gone. */
  close(): Promise<void>;
}

interface AnyWorker {
  terminate(): unknown;
}

// The worker: claims chunks exactly as the caller does (see `claim` in useThreads), as a self-contained script.
const WORKER_SOURCE = `
function start(data, post) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const ctrl = new Int32Array(data.memory.buffer, ${CTRL}, 16);
  const args = new Float64Array(data.memory.buffer, ${ARGS}, ${MAX_ARGS});
  const calls = data.table.map((e) => ({ fn: instance.exports[e.name], kinds: e.kinds, width: e.dtype === "float32" ? 4 : 8, list: new Array(e.kinds.length) }));
  let seen = Atomics.load(ctrl, ${GEN});
  post("ready");
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctrl, ${GEN}) === seen) {
      if (++spins > ${SPIN}) Atomics.wait(ctrl, ${GEN}, seen);
    }
    seen = Atomics.load(ctrl, ${GEN});
    if (Atomics.load(ctrl, ${QUIT}) !== 0) return;
    const tag = seen & 0x7ff;
    for (;;) {
      const w = Atomics.load(ctrl, ${WORD});
      if (w >>> 20 !== tag || (w & 0xfffff) >= Atomics.load(ctrl, ${CHUNKS})) break;
      if (Atomics.compareExchange(ctrl, ${WORD}, w, w + 1) !== w) continue;
      // claimed: the caller now waits for this chunk, so the call's parameters are stable
      const c = w & 0xfffff;
      const chunks = ctrl[${CHUNKS}];
      if (c >= chunks) break;
      const call = calls[ctrl[${KERNEL}]];
      const n = ctrl[${COUNT}];
      const s = c * ctrl[${CHUNK}];
      const e = Math.min(n, s + ctrl[${CHUNK}]);
      const list = call.list;
      list[0] = e - s;
      for (let j = 1; j < call.kinds.length; j++) {
        const a = args[j - 1];
        list[j] = call.kinds[j] === "b" ? a + s * call.width : a;
      }
      call.fn.apply(null, list);
      if (Atomics.add(ctrl, ${DONE}, 1) + 1 === chunks) Atomics.notify(ctrl, ${DONE});
    }
  }
}
let wt = null;
try { wt = require("node:worker_threads"); } catch {}
if (wt && wt.parentPort) start(wt.workerData, (m) => wt.parentPort.postMessage(m));
else self.onmessage = (e) => start(e.data, (m) => self.postMessage(m));
`;

/** The open pool: its handle (held weakly, so a dropped handle can be collected) and how to shut it down. */
let open: { readonly handle: WeakRef<ThreadHandle>; readonly shutdown: () => Promise<void> } | null = null;

// a pool whose handle was dropped without close() shuts down when the handle is collected, so a lost
// handle never blocks useThreads for the rest of the process
const abandoned = new FinalizationRegistry<() => Promise<void>>((shutdown) => {
  shutdown().catch(() => {});
});

async function spawn(data: Record<string, unknown>): Promise<AnyWorker> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (isNode) {
    // a computed specifier, so browser bundlers leave Node's module alone
    const specifier = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ specifier)) as typeof import("node:worker_threads");
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
 * const make = () => {
 *   const p = param(new Float32Array(100_000).fill(1));
 *   p.grad = new Float32Array(100_000).fill(0.5);
 *   return p;
 * };
 * const w = make();
 * const opt = new Adam([w], { lr: 0.1 });
 * const pool = await useThreads(opt, 2); // the caller plus one worker
 * opt.step(); // the 100,000 elements are split across the 2 threads
 * await pool.close(); // always close: open workers keep the process alive
 * const ref = make();
 * new Adam([ref], { lr: 0.1 }).step(); // one thread
 * w.data.every((v, i) => v === ref.data[i]); // → true (bit-identical)
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
  const target = optimizer as OptimizerLike & { setStepExecutor?: (executor: StepExecutor | null) => void };
  if (typeof target.setStepExecutor !== "function") {
    throw new TypeError("useThreads: expected a descent optimizer or wrapper (one with setStepExecutor)");
  }
  const setExecutor = target.setStepExecutor.bind(target);
  if (open !== null) {
    if (open.handle.deref() !== undefined) {
      throw new Error("useThreads: another thread pool is open; close it first");
    }
    await open.shutdown(); // its handle was collected, and the registry has not run yet
  }
  const a = arena();
  let shared = false;
  try {
    a?.share(); // workers see the arena only in shared memory (every view made before is re-derived)
    shared = a !== null;
  } catch {
    // no shared WebAssembly memory here (a page that is not cross-origin isolated)
  }
  const k = shared ? kernels() : null;
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
  // Work is cut into chunks that any thread claims with a compare-exchange on WORD, the caller included:
  // a worker that is descheduled (a busy machine) costs at most the chunk it holds, never a whole part.
  const claimAndRun = (chunks: number, chunk: number, n: number, id: number): void => {
    const call = calls[id]!;
    const list = call.list;
    for (;;) {
      const w = Atomics.load(ctrl, WORD);
      const c = w & 0xfffff;
      if (c >= chunks) return;
      if (Atomics.compareExchange(ctrl, WORD, w, w + 1) !== w) continue;
      const s = c * chunk;
      list[0] = Math.min(n, s + chunk) - s;
      for (let j = 1; j < call.kinds.length; j++) {
        const a = args[j - 1]!;
        list[j] = call.kinds[j] === "b" ? a + s * call.width : a;
      }
      call.fn.apply(null, list);
      Atomics.add(ctrl, DONE, 1);
    }
  };
  const pool: KernelPool = {
    minElements,
    args,
    run(id: number, n: number): void {
      const chunk = Math.max(MIN_CHUNK, Math.ceil(n / (threads * 4) / 16) * 16);
      const chunks = Math.ceil(n / chunk);
      ctrl[KERNEL] = id;
      ctrl[COUNT] = n;
      ctrl[CHUNK] = chunk;
      ctrl[CHUNKS] = chunks;
      Atomics.store(ctrl, DONE, 0);
      const gen = (Atomics.load(ctrl, GEN) + 1) | 0;
      Atomics.store(ctrl, WORD, (gen & 0x7ff) << 20); // the tag lets a late worker see the call is over
      Atomics.store(ctrl, GEN, gen);
      if (threads > 1) Atomics.notify(ctrl, GEN);
      claimAndRun(chunks, chunk, n, id);
      let spins = 0;
      for (;;) {
        const done = Atomics.load(ctrl, DONE);
        if (done === chunks) break;
        if (++spins > SPIN && canWait) Atomics.wait(ctrl, DONE, done, 1);
      }
    },
  };
  // installed through the optimizer's documented step executor: the pool is active for each step only
  setExecutor({ enter: () => setKernelPool(pool), exit: () => setKernelPool(null) });
  // made by module-level functions: a closure made here would share this scope's context (and with it
  // the handle) with the executor the optimizer keeps, and the handle could never be collected
  const shutdown = makeShutdown(setExecutor, ctrl, workers);
  const handle = makeHandle(threads, shutdown);
  open = { handle: new WeakRef(handle), shutdown };
  return handle;
}

/** Stops a pool's workers and removes its executor; runs once (close, or the registry). */
function makeShutdown(
  setExecutor: (executor: StepExecutor | null) => void,
  ctrl: Int32Array,
  workers: AnyWorker[],
): () => Promise<void> {
  let closed = false;
  const shutdown = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (open?.shutdown === shutdown) open = null; // first: a failure below must not block later pools
    setExecutor(null);
    Atomics.store(ctrl, QUIT, 1);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    for (const w of workers) await w.terminate();
  };
  return shutdown;
}

function makeHandle(threads: number, shutdown: () => Promise<void>): ThreadHandle {
  const handle: ThreadHandle = {
    threads,
    close() {
      abandoned.unregister(handle);
      return shutdown();
    },
  };
  abandoned.register(handle, shutdown, handle);
  return handle;
}
