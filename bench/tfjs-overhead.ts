// `npm run bench:tfjs`: what training a TF.js model through descent's adapter costs. One MNIST-size epoch
// (784-128-10 MLP, 60000 synthetic samples labelled by a fixed random linear teacher, batch 128) on the
// cpu backend, with descent Adam through TfjsOptimizer vs tf.train.adam, from the same initial weights;
// the time inside applyGradients is counted separately (the epoch's wall time on a shared machine is noisy,
// the optimizer's share of it is not). Then the optimizer step alone (the MLP's gradients, fixed) on the cpu
// and wasm backends, and how the adapter wrote the variables back. Options: --samples N (default 60000).

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { Adam } from "../src/optim/adam.js";
import { TfjsOptimizer } from "../src/tfjs/tfjs-optimizer.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..");
const at = process.argv.indexOf("--samples");
const SAMPLES = at > 0 ? Number(process.argv[at + 1]) : 60_000;
if (!Number.isInteger(SAMPLES) || SAMPLES < 128)
  throw new Error(`--samples must be an integer ≥ 128, got ${process.argv[at + 1]}`);
const BATCH = 128;
const LR = 1e-3;

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 128,
        inputShape: [784],
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
      tf.layers.dense({
        units: 10,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
      }),
    ],
  });
}

type Which = "descent" | "tfjs";

function optimizerFor(which: Which, model: tf.LayersModel): tf.Optimizer {
  return which === "descent"
    ? new TfjsOptimizer(model.trainableWeights, (params) => new Adam(params, { lr: LR }))
    : tf.train.adam(LR);
}

/** Counts the milliseconds spent inside `opt.applyGradients`. */
function timed(opt: tf.Optimizer): { opt: tf.Optimizer; ms: () => number; steps: () => number } {
  let ms = 0;
  let steps = 0;
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (grads) => {
    const t = performance.now();
    apply(grads);
    ms += performance.now() - t;
    steps++;
  };
  return { opt, ms: () => ms, steps: () => steps };
}

interface EpochResult {
  seconds: number;
  applyMs: number;
  steps: number;
  loss: number;
  writeMode: string;
}

async function epoch(which: Which, xs: tf.Tensor2D, ys: tf.Tensor2D): Promise<EpochResult> {
  const model = mlp();
  const t = timed(optimizerFor(which, model));
  model.compile({ optimizer: t.opt, loss: "categoricalCrossentropy" });
  const start = performance.now();
  const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const writeMode = which === "descent" ? String((t.opt as TfjsOptimizer).lastWriteMode) : "—";
  model.dispose();
  t.opt.dispose();
  return { seconds, applyMs: t.ms(), steps: t.steps(), loss: h.history.loss![0] as number, writeMode };
}

/** Median ms of one applyGradients over the MLP's variables with fixed gradients. */
function stepOnly(which: Which): { ms: number; writeMode: string } {
  const model = mlp();
  const opt = optimizerFor(which, model);
  const grads: Record<string, tf.Tensor> = {};
  for (const w of model.trainableWeights) {
    const v = w.read() as tf.Variable;
    grads[v.name] = tf.randomNormal(v.shape, 0, 1e-3);
  }
  for (let i = 0; i < 10; i++) opt.applyGradients(grads);
  const times: number[] = [];
  for (let i = 0; i < 41; i++) {
    const t = performance.now();
    opt.applyGradients(grads);
    // the wasm and cpu backends finish synchronously; dataSync makes sure of it
    model.trainableWeights[0]!.read().dataSync();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  // not instanceof: tf.Optimizer's Symbol.hasInstance says yes to any optimizer
  const writeMode = which === "descent" ? String((opt as TfjsOptimizer).lastWriteMode) : "—";
  tf.dispose(Object.values(grads));
  opt.dispose();
  model.dispose();
  return { ms: times[times.length >> 1]!, writeMode };
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const { xs, ys } = tf.tidy(() => {
    const xs = tf.randomUniform([SAMPLES, 784], 0, 1, "float32", 1) as tf.Tensor2D;
    const teacher = tf.randomNormal([784, 10], 0, 1, "float32", 2);
    const ys = tf.oneHot(tf.argMax(xs.matMul(teacher), 1), 10).cast("float32") as tf.Tensor2D;
    return { xs, ys };
  });
  // warm-up (JIT) for both paths on a few batches
  const warm = Math.min(SAMPLES, 10 * BATCH);
  const [wx, wy] = [xs.slice(0, warm), ys.slice(0, warm)];
  for (const which of ["descent", "tfjs"] as const) await epoch(which, wx, wy);
  tf.dispose([wx, wy]);

  const results = new Map<Which, EpochResult>();
  for (const which of ["descent", "tfjs"] as const) results.set(which, await epoch(which, xs, ys));
  const d = results.get("descent")!;
  const t = results.get("tfjs")!;
  console.log(`one epoch, 784-128-10 MLP, ${SAMPLES} samples, batch ${BATCH}, cpu backend, Adam lr ${LR}`);
  console.log("optimizer          epoch s   applyGradients ms/step   share of epoch   loss     write");
  for (const [name, r] of [
    ["descent (adapter)", d],
    ["tf.train.adam", t],
  ] as const) {
    console.log(
      `${name.padEnd(18)} ${r.seconds.toFixed(2).padStart(7)}   ${(r.applyMs / r.steps).toFixed(3).padStart(22)}   ${((100 * r.applyMs) / 1000 / r.seconds).toFixed(1).padStart(13)}%   ${r.loss.toFixed(4)}   ${r.writeMode}`,
    );
  }
  const overhead = (d.seconds - t.seconds) / t.seconds;
  const stepOverhead = (d.applyMs - t.applyMs) / 1000 / t.seconds;
  console.log(
    `overhead vs tf.train.adam: ${(100 * overhead).toFixed(1)}% of the epoch's wall time (${(100 * stepOverhead).toFixed(1)}% from the optimizer step alone; target ≤ 10%)`,
  );
  tf.dispose([xs, ys]);

  console.log("\noptimizer step alone (the MLP's 101,770 weights, fixed gradients), median of 41:");
  for (const backend of ["cpu", "wasm"] as const) {
    if (backend === "wasm") setWasmPaths(`${join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist")}/`);
    if (!(await tf.setBackend(backend))) {
      console.log(`${backend}: backend unavailable`);
      continue;
    }
    const a = stepOnly("descent");
    const b = stepOnly("tfjs");
    console.log(
      `${backend.padEnd(5)} descent ${a.ms.toFixed(3)} ms (writes ${a.writeMode})   tf.train.adam ${b.ms.toFixed(3)} ms   ratio ${(b.ms / a.ms).toFixed(1)}×`,
    );
  }
}

await main();
