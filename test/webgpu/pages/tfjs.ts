// TF.js on the webgpu backend trained by descent's GPU optimizers (TfjsWebGpuOptimizer): bytes read back
// per step, and a model fitted on webgpu against the same model fitted on the cpu backend by TfjsOptimizer.
/// <reference types="@webgpu/types" />

import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs";
import { Adam as CpuAdam } from "../../../src/optim/adam.js";
import { AdamW as CpuAdamW } from "../../../src/optim/adamw.js";
import { TfjsOptimizer } from "../../../src/tfjs/tfjs-optimizer.js";
import { TfjsWebGpuOptimizer } from "../../../src/tfjs/webgpu-optimizer.js";
import { Adam, AdamW } from "../../../src/webgpu/index.js";
import { examples, model } from "./tfjs-model.js";

/**
 * Counts the bytes read back to the CPU while `counting` is set: every read-back of GPU data goes through
 * mapping a buffer for reading (TF.js's data()/dataSync() on webgpu included).
 */
const readBack = { bytes: 0, counting: false };
const mapAsync = GPUBuffer.prototype.mapAsync;
GPUBuffer.prototype.mapAsync = function (mode, ...rest) {
  if (readBack.counting && (mode & GPUMapMode.READ) !== 0) {
    readBack.bytes += this.size;
  }
  return mapAsync.call(this, mode, ...rest);
};

/** Wraps a tf.Optimizer's applyGradients to count the bytes read back during each call. */
function countPerStep(opt: tf.Optimizer): number[] {
  const perStep: number[] = [];
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (grads) => {
    readBack.bytes = 0;
    readBack.counting = true;
    try {
      apply(grads);
    } finally {
      readBack.counting = false;
    }
    perStep.push(readBack.bytes);
  };
  return perStep;
}

interface FitResult {
  weights: number[][];
  loss: number[];
  readBackPerStep: number[];
}

async function fit(
  backend: "cpu" | "webgpu",
  optimizer: "Adam" | "AdamW",
  epochs: number,
): Promise<FitResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const m = model();
  const options = { lr: 0.01, ...(optimizer === "AdamW" ? { weightDecay: 0.1, amsgrad: true } : {}) };
  const opt: tf.Optimizer =
    backend === "webgpu"
      ? new TfjsWebGpuOptimizer(m.trainableWeights, (ps) =>
          optimizer === "Adam" ? new Adam(ps, options) : new AdamW(ps, options),
        )
      : new TfjsOptimizer(m.trainableWeights, (ps) =>
          optimizer === "Adam" ? new CpuAdam(ps, options) : new CpuAdamW(ps, options),
        );
  const perStep = countPerStep(opt);
  m.compile({ optimizer: opt, loss: "meanSquaredError" });
  const { xs, ys } = examples();
  const h = await m.fit(xs, ys, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
  const weights = await Promise.all(m.getWeights().map(async (w) => Array.from(await w.data())));
  xs.dispose();
  ys.dispose();
  m.dispose();
  return { weights, loss: h.history.loss as number[], readBackPerStep: perStep };
}

/** The same model and data fitted on the cpu backend (TfjsOptimizer) and on webgpu (TfjsWebGpuOptimizer). */
export async function fitBoth(c: {
  optimizer: "Adam" | "AdamW";
  epochs: number;
}): Promise<{ cpu: FitResult; webgpu: FitResult }> {
  const cpu = await fit("cpu", c.optimizer, c.epochs);
  const webgpu = await fit("webgpu", c.optimizer, c.epochs);
  return { cpu, webgpu };
}

/**
 * minimize() over tf.variables on webgpu: a variable that is cloned (shared storage) or assigned between
 * steps keeps TF.js's semantics (the clone keeps its values; an assigned value is trained from).
 */
export async function sharedAndAssigned(backend: "cpu" | "webgpu"): Promise<{
  cloneBefore: number[];
  cloneAfter: number[];
  afterAssign: number[];
  resyncs: number;
  readBackPerStep: number[];
}> {
  await tf.setBackend(backend);
  const w = tf.variable(tf.tensor([1, -2, 3, -4]));
  const opt =
    backend === "webgpu"
      ? new TfjsWebGpuOptimizer([w], (ps) => new Adam(ps, { lr: 0.5 }))
      : new TfjsOptimizer([w], (ps) => new CpuAdam(ps, { lr: 0.5 }));
  const perStep = countPerStep(opt);
  const loss = () => w.square().sum() as tf.Scalar;
  opt.minimize(loss);
  const clone = w.clone();
  const cloneBefore = Array.from(await clone.data());
  opt.minimize(loss);
  const cloneAfter = Array.from(await clone.data());
  w.assign(tf.tensor([10, 10, 10, 10]));
  opt.minimize(loss);
  const afterAssign = Array.from(await w.data());
  const resyncs = opt instanceof TfjsWebGpuOptimizer ? opt.resyncs : -1;
  return { cloneBefore, cloneAfter, afterAssign, resyncs, readBackPerStep: perStep };
}

export async function refusesOtherBackends(): Promise<string> {
  await tf.setBackend("cpu");
  const w = tf.variable(tf.tensor([1, 2]));
  try {
    new TfjsWebGpuOptimizer([w], (ps) => new Adam(ps));
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}
