/// <reference types="@webgpu/types" />
// A descent GPU optimizer (descent-optim/webgpu) as a TensorFlow.js `tf.Optimizer` on the webgpu backend,
// with nothing read back to the CPU. Each trainable variable is given a GPUBuffer that descent owns (a
// GPU-side copy of its values, made once) and assigned a zero-copy tensor over it, so the variable *is* the
// param: the WGSL kernel updates it in place and the next forward pass reads it. Gradients arrive through
// `dataToGPU()` (a GPU-side copy; the tensor stays TF.js's). Kernels run on TF.js's own GPUDevice, after
// the work TF.js submitted (dataToGPU submits its queue first) and before anything it records next.
//
// A variable that something else assigned since the last step is copied in again on the GPU. A variable
// whose storage is shared (a clone or reshape of it is alive: refCount > 1) gets a fresh buffer first, so
// the other tensor keeps the old values, as TF.js's immutability promises; the old buffer is destroyed once
// no tensor refers to it.
// On webgl (or cpu, wasm) use TfjsOptimizer instead: it reads each gradient back with dataSync().
//
// State: getWeights()/setWeights() carry the GPU optimizer's state dict in TfjsOptimizer's format (read from
// the GPU when saving), so `model.save(handler, { includeOptimizer: true })` and `tf.loadLayersModel` resume
// on webgpu, and a model saved on webgpu resumes on the cpu backend (there, the saved config rebuilds a
// TfjsOptimizer) and the other way round (TfjsWebGpuOptimizer.setWeights takes TfjsOptimizer's weights).

import {
  engine,
  type GPUData,
  Optimizer,
  type NamedTensorMap,
  serialization,
  type Tensor,
  tensor,
  type Variable,
} from "@tensorflow/tfjs-core";
import type { OptimizerStateDict } from "../core/optimizer.js";
import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";
import type { WebGpuOptimizer } from "../webgpu/optimizer.js";
import { GPU_OPTIMIZERS, gpuOptimizer } from "../webgpu/optimizers.js";
import { GpuParam, storageUsage } from "../webgpu/param.js";
import { decodeConfig, encodeConfig } from "./config-codec.js";
import { type LayerVariableLike, type TfjsVariable, TfjsOptimizer } from "./tfjs-optimizer.js";
import { gradientEntries, variablesNamed } from "./named-gradients.js";
import { decodeState, encodeState, type NamedTensor } from "./weights.js";

/** Builds the descent GPU optimizer over the params the adapter made (one per variable, in order). */
export type GpuOptimizerFactory<O extends WebGpuOptimizer = WebGpuOptimizer> = (params: GpuParam[]) => O;

/** What this adapter needs of tfjs-backend-webgpu's backend. */
interface WebGpuBackendLike {
  device: GPUDevice;
  refCount(dataId: object): number;
}

interface Entry {
  readonly key: string;
  readonly variable: Variable;
  readonly param: GpuParam;
  /** The dataId of the zero-copy tensor over `param.buffer` that the variable was given. */
  owned: object;
}

function webgpuBackend(where: string): WebGpuBackendLike {
  const e = engine();
  if (e.backendName !== "webgpu") {
    optionError(
      `${where}: the TF.js backend is '${e.backendName}', not 'webgpu' (import @tensorflow/tfjs-backend-webgpu and await tf.setBackend("webgpu"); on webgl, cpu or wasm use TfjsOptimizer)`,
    );
  }
  return e.backend as unknown as WebGpuBackendLike;
}

/**
 * Copies `t`'s values into `target` without reading anything back: on the GPU when they are there, else
 * (a tensor just made from an array, or the result of an op TF.js ran on the CPU because its inputs were
 * small and on the CPU: WEBGPU_CPU_FORWARD) from the CPU values TF.js holds, with a write. Returns whether
 * it uploaded.
 */
function copyInto(t: Tensor, device: GPUDevice, target: GPUBuffer): boolean {
  let data: GPUData;
  try {
    data = t.dataToGPU();
  } catch (e) {
    if (!/not on GPU/.test((e as Error).message)) throw e;
    const values = t.dataSync() as Float32Array; // the CPU copy TF.js holds: no GPU read
    device.queue.writeBuffer(target, 0, values.buffer, values.byteOffset, t.size * 4);
    return true;
  }
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(data.buffer!, 0, target, 0, t.size * 4);
  device.queue.submit([encoder.finish()]);
  data.tensorRef.dispose();
  return false;
}

function isLayerVariable(v: unknown): v is LayerVariableLike {
  return v !== null && typeof v === "object" && typeof (v as LayerVariableLike).read === "function";
}

/**
 * A descent GPU optimizer driving TF.js variables on the webgpu backend, with zero bytes read back per step.
 * `variables`: `model.trainableWeights` or `tf.Variable`s (`null`: bind to those of the first step, or of
 * an explicit `bind`: how a loaded model's optimizer starts).
 */
export class TfjsWebGpuOptimizer<O extends WebGpuOptimizer = WebGpuOptimizer> extends Optimizer {
  static className = "DescentWebGpuOptimizer";

  /** `instanceof` by class, not by tf.Optimizer's duck typing. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(TfjsWebGpuOptimizer, value);
  }

  #factory: GpuOptimizerFactory<O>;
  #optimizer: O | null = null;
  #entries: Entry[] = [];
  #byKey = new Map<string, Entry>();
  /** Buffers a variable no longer holds but another tensor may: destroyed when nothing refers to them. */
  #retired: Array<{ dataId: object; buffer: GPUBuffer }> = [];
  #resyncs = 0;
  #uploads = 0;
  /** Per variable, a GPU buffer gradients held on the CPU are written into. */
  #gradBuffers = new Map<string, GPUBuffer>();
  /** State set before the adapter was bound: loaded by `bind`. */
  #pending: OptimizerStateDict | null = null;
  #pendingLabels: string[] = [];
  /** Set by fromConfig: the saved optimizer's name (checked against what the factory makes) and defaults. */
  #expectName: string | null = null;
  #pendingDefaults: Record<string, unknown> = {};
  /** What the last getWeights made (disposed by the next one, or by dispose). */
  #lastWeights: NamedTensor[] = [];

  constructor(variables: readonly TfjsVariable[] | null, factory: GpuOptimizerFactory<O>) {
    super();
    if (typeof factory !== "function")
      optionError(
        `TfjsWebGpuOptimizer: factory must be a function (params) => optimizer, got ${describe(factory)}`,
      );
    this.#factory = factory;
    if (variables !== null) this.bind(variables);
  }

  /** The descent GPU optimizer (hand it to a scheduler). */
  get optimizer(): O {
    if (this.#optimizer === null) optionError("TfjsWebGpuOptimizer: not bound to variables yet");
    return this.#optimizer;
  }

  /** Whether the adapter has its variables (always, unless it was made with `null` and has not stepped). */
  get bound(): boolean {
    return this.#optimizer !== null;
  }

  /** The GPU params, by variable name. */
  get params(): ReadonlyMap<string, GpuParam> {
    return new Map(this.#entries.map((e) => [e.key, e.param]));
  }

  /** How often a variable's values were copied in again (it had been assigned, or its storage was shared). */
  get resyncs(): number {
    return this.#resyncs;
  }

  /** Values TF.js held on the CPU (not read back: written to the GPU) that a step had to upload. */
  get uploads(): number {
    return this.#uploads;
  }

  /**
   * Builds the GPU optimizer over `variables` (done by the constructor, or by the first step when it was
   * given null) and loads the state `setWeights` left waiting; binding twice is refused. On an error (a
   * bad variable, a factory that fails, saved state that does not fit) the variables are left as they were.
   */
  bind(variables: readonly TfjsVariable[]): void {
    const where = "TfjsWebGpuOptimizer";
    if (this.#optimizer !== null) optionError(`${where}.bind: already bound to variables`);
    const backend = webgpuBackend(where);
    if (!Array.isArray(variables) || variables.length === 0)
      optionError(
        `${where}: variables must be a non-empty array of tf.Variable or LayerVariable, got ${describe(variables)}`,
      );
    const entries: Entry[] = [];
    const byKey = new Map<string, Entry>();
    const made: GPUBuffer[] = [];
    let opt: O | null = null;
    try {
      variables.forEach((v, i) => {
        const variable = (isLayerVariable(v) ? v.read() : v) as Variable;
        if (variable === null || typeof variable !== "object" || typeof variable.assign !== "function")
          optionError(`${where}: variables[${i}] is not a tf.Variable or LayerVariable, got ${describe(v)}`);
        if (variable.dtype !== "float32")
          optionError(
            `${where}: variable '${variable.name}' is ${variable.dtype}; only float32 variables can be trained`,
          );
        if (byKey.has(variable.name)) optionError(`${where}: variable '${variable.name}' is listed twice`);
        const label = (isLayerVariable(v) ? v.originalName : undefined) ?? variable.name;
        const buffer = backend.device.createBuffer({
          size: Math.max(4, variable.size * 4),
          usage: storageUsage(),
          label,
        });
        made.push(buffer);
        // the values first (a GPU-side copy; the variable still holds its own storage), so that the
        // factory sees them
        if (copyInto(variable, backend.device, buffer)) this.#uploads++;
        const entry: Entry = {
          key: variable.name,
          variable,
          param: new GpuParam(buffer, variable.shape, backend.device, { name: label }),
          owned: {},
        };
        entries.push(entry);
        byKey.set(entry.key, entry);
      });
      opt = this.#factory(entries.map((e) => e.param));
      if (
        opt === null ||
        typeof opt !== "object" ||
        typeof opt.step !== "function" ||
        typeof opt.stateDictAsync !== "function" ||
        typeof opt.loadStateDict !== "function"
      ) {
        const got = opt;
        opt = null;
        optionError(
          `${where}: the factory must return a descent-optim/webgpu optimizer, got ${describe(got)}`,
        );
      }
      if (this.#expectName !== null && opt.name !== this.#expectName)
        optionError(`${where}: the saved optimizer is ${this.#expectName} but the factory made ${opt.name}`);
      if (this.#pending !== null) opt.loadStateDict(this.#pending);
    } catch (e) {
      opt?.destroy();
      for (const b of made) b.destroy();
      throw e;
    }
    for (const entry of entries) this.#give(entry);
    this.#pending = null;
    this.#pendingLabels = [];
    this.#entries = entries;
    this.#byKey = byKey;
    this.#optimizer = opt;
  }

  /** Gives the variable a zero-copy tensor over the param's buffer (which holds its values). */
  #give(entry: Entry): void {
    const view = tensor({ buffer: entry.param.buffer, zeroCopy: true }, entry.variable.shape, "float32");
    entry.variable.assign(view);
    view.dispose();
    entry.owned = entry.variable.dataId as object;
  }

  /** Copies the variable's values into the param's buffer (on the GPU) and gives it a zero-copy tensor over it. */
  #adopt(entry: Entry, backend: WebGpuBackendLike): void {
    if (copyInto(entry.variable, backend.device, entry.param.buffer)) this.#uploads++;
    this.#give(entry);
  }

  /** Makes sure the variable holds the param's buffer, alone (see the header). */
  #ensureOwned(entry: Entry, backend: WebGpuBackendLike): void {
    const { variable, param } = entry;
    if (variable.dataId === entry.owned) {
      if (backend.refCount(entry.owned) <= 1) return;
      // shared: the other tensors keep the old buffer, the variable and the param move to a new one
      this.#retired.push({ dataId: entry.owned, buffer: param.buffer });
      param.buffer = backend.device.createBuffer({
        size: param.buffer.size,
        usage: storageUsage(),
        label: param.name ?? "",
      });
    }
    this.#adopt(entry, backend);
    this.#resyncs++;
  }

  /** The gradient's GPU buffer: TF.js's own (via dataToGPU), or its CPU values written into one of ours. */
  #gradOnGpu(g: Tensor, entry: Entry, backend: WebGpuBackendLike, refs: Tensor[]): GPUBuffer {
    try {
      const data = g.dataToGPU();
      refs.push(data.tensorRef);
      return data.buffer!;
    } catch (e) {
      if (!/not on GPU/.test((e as Error).message)) throw e;
    }
    let buffer = this.#gradBuffers.get(entry.key);
    if (buffer === undefined) {
      buffer = backend.device.createBuffer({
        size: entry.param.size * 4,
        usage: storageUsage(),
        label: `${entry.key} grad`,
      });
      this.#gradBuffers.set(entry.key, buffer);
    }
    copyInto(g, backend.device, buffer);
    this.#uploads++;
    return buffer;
  }

  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const backend = webgpuBackend("TfjsWebGpuOptimizer.applyGradients");
    const grads = gradientEntries(variableGradients);
    if (this.#optimizer === null) this.bind(variablesNamed(grads, "TfjsWebGpuOptimizer"));
    const refs: Tensor[] = [];
    for (const e of this.#entries) e.param.grad = null;
    for (const [name, g] of grads) {
      const entry = this.#byKey.get(name);
      if (entry === undefined)
        optionError(`TfjsWebGpuOptimizer: got a gradient for unknown variable '${name}'`);
      if (g === null || g === undefined) continue;
      this.#ensureOwned(entry, backend);
      entry.param.grad = this.#gradOnGpu(g, entry, backend, refs);
    }
    this.optimizer.step();
    for (const r of refs) r.dispose();
    this.#retired = this.#retired.filter((r) => {
      if (backend.refCount(r.dataId) > 0) return true;
      r.buffer.destroy();
      return false;
    });
    this.incrementIterations();
  }

  /** The descent optimizer's state dict (the CPU path's format), read from the GPU. */
  stateDictAsync(): Promise<OptimizerStateDict> {
    return this.optimizer.stateDictAsync();
  }

  /** Writes a state dict (the CPU path's format) into the GPU state; checked first. */
  loadStateDictAsync(stateDict: OptimizerStateDict): Promise<void> {
    return this.optimizer.loadStateDictAsync(stateDict);
  }

  /**
   * The iteration count, then the GPU optimizer's state dict (read from the GPU) in TfjsOptimizer's format:
   * each state buffer a tensor named `<variable>/<key>`, everything else in one JSON string tensor named
   * `descent/state`. The tensors stay valid until the next `getWeights()` (a `model.save` calls it) or
   * `dispose()`, which dispose them; clone one to keep it longer.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    // both read now, before any later step: the iterations and the state of the same moment
    const iterations = this.saveIterations();
    const opt = this.#optimizer;
    if (opt === null && this.#pending === null) return [await iterations];
    const read = opt === null ? Promise.resolve(this.#pending!) : opt.stateDictAsync();
    const labels =
      opt === null
        ? this.#pendingLabels
        : opt.paramGroups.flatMap((g) => g.params.map((p) => p.name ?? "param"));
    const name = opt === null ? this.#expectName : opt.name;
    const weights = [await iterations, ...encodeState(await read, labels, name)];
    for (const w of this.#lastWeights) w.tensor.dispose();
    this.#lastWeights = weights;
    return weights;
  }

  /**
   * Restores what `getWeights` made, here or in a TfjsOptimizer (checked fully first: on an error nothing
   * changes, the iteration count included). Before the adapter is bound, the state waits for `bind`.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const where = "TfjsWebGpuOptimizer.setWeights";
    if (Array.isArray(weightValues) && weightValues.length === 1 && weightValues[0]?.name === "iter") {
      // what an optimizer that never stepped saves: the iteration count only
      await this.extractIterations(weightValues);
      return;
    }
    const { iterations, stateDict, optimizer: saved, labels } = await decodeState(weightValues, where);
    if (typeof iterations !== "number" || !Number.isInteger(iterations) || iterations < 0)
      optionError(
        `${where}: the iteration count must be a non-negative integer, got ${describe(iterations)}`,
      );
    const current = this.#optimizer?.name ?? this.#expectName;
    if (saved !== null && current !== null && saved !== current)
      optionError(`${where}: the weights are ${saved} state but this optimizer is ${current}`);
    if (this.#optimizer !== null) this.#optimizer.loadStateDict(stateDict);
    else {
      this.#pending = stateDict;
      this.#pendingLabels = labels;
    }
    this.iterations_ = iterations;
  }

  /** What `fromConfig` needs to rebuild this optimizer: the class name and its defaults (TfjsOptimizer's format). */
  override getConfig(): serialization.ConfigDict {
    const opt = this.#optimizer;
    return encodeConfig({
      optimizer: opt === null ? this.#expectName : opt.name,
      defaults: opt === null ? this.#pendingDefaults : { ...opt.defaults },
      options: {},
    });
  }

  /**
   * Rebuilds an optimizer saved with a model. On the webgpu backend: a TfjsWebGpuOptimizer over the GPU
   * class of the saved name, which binds to the model's variables on its first step. On any other backend:
   * the TfjsOptimizer of the same class (the state format is the same), so the run continues on the CPU.
   */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const where = "TfjsWebGpuOptimizer.fromConfig";
    const { optimizer: name, defaults } = decodeConfig(config as Record<string, unknown>, where);
    if (engine().backendName !== "webgpu")
      return TfjsOptimizer.fromConfig(TfjsOptimizer, config) as unknown as T;
    if (!GPU_OPTIMIZERS.includes(name))
      optionError(`${where}: ${name} has no WebGPU kernel (GPU optimizers: ${GPU_OPTIMIZERS.join(", ")})`);
    const made = new (cls as unknown as typeof TfjsWebGpuOptimizer)(null, (params) =>
      gpuOptimizer(name, params, defaults),
    );
    made.#expectName = name;
    made.#pendingDefaults = defaults;
    return made as unknown as T;
  }

  /**
   * Frees the GPU optimizer's state and the tensors the last `getWeights()` made (the variables keep their
   * buffers, which descent then leaves alone).
   */
  override dispose(): void {
    this.#optimizer?.destroy();
    for (const b of this.#gradBuffers.values()) b.destroy();
    this.#gradBuffers.clear();
    for (const w of this.#lastWeights) w.tensor.dispose();
    this.#lastWeights = [];
    super.dispose();
  }
}

serialization.registerClass(TfjsWebGpuOptimizer);
