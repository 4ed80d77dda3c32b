// TfjsWebGpuOptimizer's optimizer weights in headless Chromium: a model trained on webgpu, saved with
// `model.save(…, { includeOptimizer: true })`, loaded with `tf.loadLayersModel` on webgpu or on cpu and
// trained on, against the same run uninterrupted; and checkpoints that must be refused with nothing changed.
/// <reference types="@webgpu/types" />

import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs";
import { Adam as CpuAdam } from "../../../src/optim/adam.js";
import { AdamW as CpuAdamW } from "../../../src/optim/adamw.js";
import { TfjsOptimizer } from "../../../src/tfjs/tfjs-optimizer.js";
import { TfjsWebGpuOptimizer } from "../../../src/tfjs/webgpu-optimizer.js";
import type { NamedTensor } from "../../../src/tfjs/weights.js";
import { Adam, AdamW } from "../../../src/webgpu/index.js";
import { plain } from "./common.js";
import { examples, model } from "./tfjs-model.js";

type Backend = "cpu" | "webgpu";
type Name = "Adam" | "AdamW";

const OPTIONS: Record<Name, Record<string, unknown>> = {
  Adam: { lr: 0.01 },
  AdamW: { lr: 0.01, weightDecay: 0.1, amsgrad: true },
};

/** The adapter for `backend`: descent's WGSL kernels on webgpu, its CPU classes on cpu. */
function adapter(backend: Backend, name: Name, m: tf.LayersModel): tf.Optimizer {
  const o = OPTIONS[name];
  if (backend === "webgpu")
    return new TfjsWebGpuOptimizer(m.trainableWeights, (ps) =>
      name === "Adam" ? new Adam(ps, o) : new AdamW(ps, o),
    );
  return new TfjsOptimizer(m.trainableWeights, (ps) =>
    name === "Adam" ? new CpuAdam(ps, o) : new CpuAdamW(ps, o),
  );
}

async function use(backend: Backend): Promise<void> {
  await tf.setBackend(backend);
  await tf.ready();
}

async function fit(m: tf.LayersModel, epochs: number): Promise<void> {
  const { xs, ys } = examples();
  await m.fit(xs, ys, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();
}

async function values(m: tf.LayersModel): Promise<number[][]> {
  return Promise.all(m.getWeights().map(async (w) => Array.from(await w.data())));
}

async function save(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
    { includeOptimizer: true },
  );
  return saved!;
}

export interface Resumed {
  straight: number[][];
  resumed: number[][];
  /** The loaded model's optimizer: its class name and constructor, and its iteration count before fitting. */
  loadedClass: string;
  loadedIsGpu: boolean;
  loadedIterations: number;
  /** Whether the state came back equal (the saved state dict against the one after loading). */
  stateAfterLoad: unknown;
  stateSaved: unknown;
}

/**
 * Trains 1 epoch on `from`, saves with the optimizer, loads on `to` (tf.loadLayersModel), trains 1 more
 * epoch; `straight` is 2 epochs on `to` without the break.
 */
export async function saveAndResume(c: { name: Name; from: Backend; to: Backend }): Promise<Resumed> {
  await use(c.to);
  const s = model();
  s.compile({ optimizer: adapter(c.to, c.name, s), loss: "meanSquaredError" });
  await fit(s, 2);
  const straight = await values(s);
  s.dispose();

  await use(c.from);
  const first = model();
  const firstOpt = adapter(c.from, c.name, first);
  first.compile({ optimizer: firstOpt, loss: "meanSquaredError" });
  await fit(first, 1);
  const stateSaved = await stateOf(firstOpt);
  const artifacts = await save(first);
  first.dispose();

  await use(c.to);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const opt = loaded.optimizer;
  const loadedIterations = opt.iterations;
  const loadedClass = opt.getClassName();
  const loadedIsGpu = opt.constructor === TfjsWebGpuOptimizer;
  if (opt.constructor === TfjsWebGpuOptimizer) (opt as TfjsWebGpuOptimizer).bind(loaded.trainableWeights);
  else (opt as TfjsOptimizer).bind(loaded.trainableWeights);
  const stateAfterLoad = await stateOf(opt);
  await fit(loaded, 1);
  const resumed = await values(loaded);
  loaded.dispose();
  return { straight, resumed, loadedClass, loadedIsGpu, loadedIterations, stateAfterLoad, stateSaved };
}

/** The adapter's state dict as plain JSON. */
async function stateOf(opt: tf.Optimizer): Promise<unknown> {
  const sd =
    opt.constructor === TfjsWebGpuOptimizer
      ? await (opt as TfjsWebGpuOptimizer).stateDictAsync()
      : (opt as TfjsOptimizer).stateDict();
  return plain(sd);
}

/**
 * A model saved on cpu (TfjsOptimizer) moved onto the GPU: loaded on webgpu, its optimizer weights given
 * to a new TfjsWebGpuOptimizer with setWeights, trained on; against 2 epochs on webgpu.
 */
export async function cpuToGpuBySetWeights(
  name: Name,
): Promise<{ straight: number[][]; resumed: number[][] }> {
  await use("webgpu");
  const s = model();
  s.compile({ optimizer: adapter("webgpu", name, s), loss: "meanSquaredError" });
  await fit(s, 2);
  const straight = await values(s);
  s.dispose();

  await use("cpu");
  const first = model();
  first.compile({ optimizer: adapter("cpu", name, first), loss: "meanSquaredError" });
  await fit(first, 1);
  const artifacts = await save(first);
  first.dispose();

  await use("webgpu");
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const gpu = adapter("webgpu", name, loaded) as TfjsWebGpuOptimizer;
  await gpu.setWeights(await loaded.optimizer.getWeights());
  loaded.compile({ optimizer: gpu, loss: "meanSquaredError" });
  await fit(loaded, 1);
  const resumed = await values(loaded);
  loaded.dispose();
  return { straight, resumed };
}

/** The weights of an Adam adapter after a step, for `refused` to corrupt. */
async function trainedAdapter(): Promise<{ m: tf.LayersModel; opt: TfjsWebGpuOptimizer }> {
  await use("webgpu");
  const m = model();
  const opt = adapter("webgpu", "Adam", m) as TfjsWebGpuOptimizer;
  m.compile({ optimizer: opt, loss: "meanSquaredError" });
  await fit(m, 1);
  return { m, opt };
}

/** Replaces the `descent/state` manifest (JSON) of `weights` by `edit(manifest)`. */
async function withManifest(
  weights: NamedTensor[],
  edit: (manifest: Record<string, any>) => void,
): Promise<NamedTensor[]> {
  const text = (await weights[1]!.tensor.data())[0] as unknown;
  const manifest = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text as Uint8Array));
  edit(manifest);
  const out = [...weights];
  out[1] = { name: weights[1]!.name, tensor: tf.tensor([JSON.stringify(manifest)], [1], "string") };
  return out;
}

/**
 * Bad checkpoints given to setWeights, bound and unbound: each message, and whether anything changed (the
 * state dict and the iteration count; for the unbound adapter, what its first step then does).
 */
export async function refused(): Promise<{
  messages: Record<string, string>;
  unchanged: boolean;
  iterations: number[];
  pendingMessage: string;
  pendingVariablesUnchanged: boolean;
}> {
  const { m, opt } = await trainedAdapter();
  const good = (await opt.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
  const before = JSON.stringify(await stateOf(opt));
  const iterationsBefore = opt.iterations;
  const shortTensor = [...good];
  shortTensor[2] = { name: good[2]!.name, tensor: tf.tensor([1, 2, 3]) };
  const cases: Record<string, NamedTensor[]> = {
    "a short state buffer": shortTensor,
    "no manifest": [good[0]!, good[2]!],
    "another optimizer": await withManifest(good, (mf) => {
      mf.optimizer = "RMSprop";
    }),
    "a negative step": await withManifest(good, (mf) => {
      mf.state["0"].step = -3;
    }),
    "a fractional iteration count": [{ name: "iter", tensor: tf.scalar(2.5) }, ...good.slice(1)],
  };
  const messages: Record<string, string> = {};
  for (const [what, weights] of Object.entries(cases)) {
    try {
      await opt.setWeights(weights);
      messages[what] = "no error";
    } catch (e) {
      messages[what] = (e as Error).message;
    }
  }
  const unchanged = JSON.stringify(await stateOf(opt)) === before && opt.iterations === iterationsBefore;

  // unbound: the bad state waits for bind, which refuses it and leaves the variables as they were
  const fresh = model();
  const waiting = new TfjsWebGpuOptimizer(null, (ps) => new Adam(ps, OPTIONS.Adam));
  await waiting.setWeights(shortTensor);
  const variablesBefore = fresh.trainableWeights.map((w) => w.read().dataId);
  let pendingMessage = "no error";
  try {
    waiting.bind(fresh.trainableWeights);
  } catch (e) {
    pendingMessage = (e as Error).message;
  }
  const pendingVariablesUnchanged =
    fresh.trainableWeights.every((w, i) => w.read().dataId === variablesBefore[i]) && !waiting.bound;
  fresh.dispose();
  m.dispose();
  return {
    messages,
    unchanged,
    iterations: [iterationsBefore, opt.iterations],
    pendingMessage,
    pendingVariablesUnchanged,
  };
}
