// Run by threads.test.ts as `node --expose-gc --import tsx threads-lost-handle-child.ts`: a pool whose
// handle is dropped without close() must not block the next useThreads for the rest of the process.
import { param } from "../../src/core/param.js";
import { useThreads } from "../../src/kernels/threads.js";
import { Adam } from "../../src/optim/adam.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");
const make = () => {
  const p = param(new Float32Array(100_000).fill(1));
  p.grad = new Float32Array(100_000).fill(0.5);
  return p;
};
const lost = make();
const first = new Adam([lost], { lr: 0.1 });
await (async () => {
  await useThreads(first, 2); // the handle is dropped here
})();
for (let i = 0; i < 5; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
let reopened = "no";
const w = make();
const second = new Adam([w], { lr: 0.1 });
try {
  const pool = await useThreads(second, 2);
  second.step();
  await pool.close();
  reopened = "yes";
} catch (e) {
  reopened = (e as Error).message;
}
first.step(); // the abandoned pool's optimizer steps again on one thread
const ref = make();
new Adam([ref], { lr: 0.1 }).step();
console.log(
  JSON.stringify({
    reopened,
    secondMatches: w.data.every((v, i) => v === ref.data[i]),
    firstMatches: lost.data.every((v, i) => v === ref.data[i]),
  }),
);
