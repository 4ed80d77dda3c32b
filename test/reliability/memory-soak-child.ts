// Run by memory-soak.test.ts as `node --expose-gc --import tsx memory-soak-child.ts`: optimizer lifetimes
// in a loop, with dispose and without (collections forced), printing one JSON line of figures.
import { arena } from "../../src/core/arena.js";
import { Adam, param } from "../../src/index.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");
const collect = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve)); // finalizers run between turns
  }
};
const SIZE = 100_000;
const CYCLES = Number(process.argv[2] ?? 3000);
const a = arena()!;

function lifetime(fill: number) {
  const w = param(new Float32Array(SIZE).fill(fill));
  const opt = new Adam([w], { lr: 1e-3 });
  w.gradBuffer().fill(1);
  opt.step();
  return { w, opt };
}

// the repro: a clone kept of a dropped param, then a new param after a collection
let dropped: ReturnType<typeof param> | null = param(new Float32Array(1024).fill(7));
const saved = structuredClone(dropped.data);
const kept = dropped.data.subarray(0, 1024);
dropped = null;
await collect();
const next = param(new Float32Array(1024).fill(-1));
saved[1] = 5;
const repro = {
  savedReads: saved[0],
  nextAfterWritingSaved: next.data[1],
  keptReads: kept.length === 0 ? "detached" : kept[0],
};

// 1. dispose: synchronous, no collection can help
const rss0 = process.memoryUsage().rss;
const bytes0 = a.memory.buffer.byteLength;
for (let i = 0; i < CYCLES; i++) {
  const { w, opt } = lifetime(i);
  opt.dispose();
  w.dispose();
}
const disposed = {
  cycles: CYCLES,
  memoryBytesBefore: bytes0,
  memoryBytesAfter: a.memory.buffer.byteLength,
  rssGrowthBytes: process.memoryUsage().rss - rss0,
};

// 2. dropped without dispose, collections forced; views (subarrays) of every 10th param are kept, and
// each must stay detached or show its own values, never another param's
const views: Array<{ view: Float32Array | Float64Array; fill: number }> = [];
let reused = 0;
const bytes1 = a.memory.buffer.byteLength;
let peak = bytes1;
for (let i = 0; i < CYCLES; i++) {
  const { w } = lifetime(i + 0.5);
  if (i % 10 === 0) views.push({ view: w.data.subarray(0, 16), fill: i + 0.5 });
  if (i % 50 === 49) {
    await collect();
    peak = Math.max(peak, a.memory.buffer.byteLength);
    for (const { view, fill } of views) {
      // the step moved the param by about lr: anything far from its fill is another param's data
      if (view.length !== 0 && Math.abs(view[0]! - fill) > 0.01) reused++;
    }
  }
}
const collected = {
  cycles: CYCLES,
  memoryBytesBefore: bytes1,
  memoryBytesPeak: peak,
  keptViews: views.length,
  viewsShowingOtherData: reused,
};
console.log(JSON.stringify({ repro, disposed, collected }));
