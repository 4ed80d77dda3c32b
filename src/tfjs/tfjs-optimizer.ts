// A descent optimizer as a TensorFlow.js `tf.Optimizer`: usable in `model.compile({ optimizer })`,
// `model.fit`, `optimizer.minimize(f)` and `applyGradients`. Each trainable variable gets a descent param
// (made with `param()`, so it lives in descent's arena and takes the WebAssembly kernels), keyed by the
// variable's name and kept for the optimizer's life. A step: the gradients are copied into the params' grad
// buffers, optionally checked for non-finite values and clipped by their joint norm, the descent optimizer
// steps, and the updated values are written back into the variables (see transfer.ts for how).
//
// State: `getWeights()`/`setWeights()` carry the descent optimizer's full state dict (every state buffer as
// a tensor, the rest — step counts, group options including a scheduler's lr — as one JSON string tensor),
// so `model.save(handler, { includeOptimizer: true })` and `tf.loadLayersModel` resume exactly.

import {
  type NamedTensorMap,
  Optimizer,
  serialization,
  type Tensor,
  tensor,
  engine,
  type Variable,
} from "@tensorflow/tfjs-core";
import type { OptimizerLike, OptimizerStateDict, ParamGroupInit } from "../core/optimizer.js";
import { describe, type Parameter, param } from "../core/param.js";
import type { StateRecord, StateValue } from "../core/state.js";
import { optionError } from "../core/validate.js";
import { clipGradNorm } from "../clip/clip-grad.js";
import { firstNonFinite } from "../optim/skip-non-finite.js";
import { Adadelta } from "../optim/adadelta.js";
import { Adafactor } from "../optim/adafactor.js";
import { Adagrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { Adamax } from "../optim/adamax.js";
import { AdamW } from "../optim/adamw.js";
import { ASGD } from "../optim/asgd.js";
import { LAMB } from "../optim/lamb.js";
import { Lion } from "../optim/lion.js";
import { NAdam } from "../optim/nadam.js";
import { RAdam } from "../optim/radam.js";
import { RMSprop } from "../optim/rmsprop.js";
import { Rprop } from "../optim/rprop.js";
import { SGD } from "../optim/sgd.js";
import { readInto, type WriteMode, writeVariable } from "./transfer.js";

/** A tensor with a name (tfjs-core does not export its own NamedTensor). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** A model weight as `model.trainableWeights` lists it (tfjs-layers' LayerVariable). */
export interface LayerVariableLike {
  readonly name: string;
  readonly originalName?: string;
  /** The weight's tf.Variable (typed as a Tensor by tfjs-layers). */
  read(): Tensor;
}

/** What the adapter trains: `tf.Variable`s or a model's `trainableWeights`. */
export type TfjsVariable = Variable | LayerVariableLike;

/** Builds the descent optimizer over the params (or param groups) the adapter made. */
export type OptimizerFactory<O extends OptimizerLike = OptimizerLike> = (
  params: Parameter[] | ParamGroupInit[],
) => O;

/** A param group built from variable names: the variables it takes and its option overrides. */
export interface TfjsGroupSpec {
  /**
   * Which variables: a RegExp tested against the variable's name (a layer weight's canonical name, e.g.
   * `dense_Dense1/bias`), or a layer name (takes the variables named `<layer>/…`).
   */
  match: RegExp | string;
  [option: string]: unknown;
}

export interface TfjsOptimizerOptions {
  /**
   * Param groups by variable name. A variable joins the first group that matches it; the rest form a
   * default group (with the optimizer's own options), which comes first and is left out when empty.
   */
  groups?: TfjsGroupSpec[];
  /** Clip the gradients' joint 2-norm to this before each step (descent's `clipGradNorm`). */
  maxGradNorm?: number;
  /**
   * A step whose gradients hold NaN or ±Infinity: "skip" it (nothing changes; counted in `skipped`) or
   * "error" (throw a RangeError naming the variable). Unset: no check (the values propagate, as in TF.js).
   */
  onNonFinite?: "skip" | "error";
}

interface Entry {
  /** The name gradients arrive under (the tf.Variable's unique name). */
  readonly key: string;
  /** The name groups match and saved state uses (a layer weight's canonical name). */
  readonly label: string;
  readonly variable: Variable;
  readonly param: Parameter;
  /** The variable storage this adapter wrote last (written in place while the variable keeps it). */
  owned: object | null;
  /** The storage the param's values were last synchronised with. */
  synced: object;
}

const MANIFEST = "descent/state";

type OptimizerClass = new (
  params: Parameter[] | ParamGroupInit[],
  options?: Record<string, unknown>,
) => OptimizerLike;

const CLASSES = new Map<string, OptimizerClass>();
for (const c of [
  Adam,
  AdamW,
  SGD,
  RMSprop,
  Adagrad,
  Adadelta,
  Adamax,
  NAdam,
  RAdam,
  Lion,
  LAMB,
  ASGD,
  Rprop,
  Adafactor,
]) {
  CLASSES.set(c.name, c as unknown as OptimizerClass);
}

/**
 * Makes an optimizer class known to `TfjsOptimizer.fromConfig` (what `tf.loadLayersModel` calls to rebuild
 * a saved model's optimizer). The built-in element-wise optimizers are registered already.
 */
export function registerOptimizerClass(name: string, cls: OptimizerClass): void {
  if (typeof name !== "string" || name === "")
    optionError(`registerOptimizerClass: name must be a non-empty string, got ${describe(name)}`);
  if (typeof cls !== "function")
    optionError(`registerOptimizerClass: expected a class, got ${describe(cls)}`);
  CLASSES.set(name, cls);
}

function optimizerName(opt: OptimizerLike): string {
  const spec = (opt as unknown as { spec?: { name?: unknown } }).spec;
  return typeof spec?.name === "string" ? spec.name : (opt.constructor?.name ?? "unknown");
}

function isLayerVariable(v: unknown): v is LayerVariableLike {
  return v !== null && typeof v === "object" && typeof (v as LayerVariableLike).read === "function";
}

function isVariable(v: unknown): v is Variable {
  return v !== null && typeof v === "object" && typeof (v as Variable).assign === "function" && "dataId" in v;
}

function matches(spec: TfjsGroupSpec, name: string): boolean {
  const m = spec.match;
  if (m instanceof RegExp) {
    m.lastIndex = 0;
    return m.test(name);
  }
  return name === m || name.startsWith(`${m}/`);
}

function checkOptions(options: TfjsOptimizerOptions): void {
  if (options === null || typeof options !== "object")
    optionError(`TfjsOptimizer: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!["groups", "maxGradNorm", "onNonFinite"].includes(key))
      optionError(`TfjsOptimizer: unknown option '${key}'`);
  }
  const { groups, maxGradNorm, onNonFinite } = options;
  if (groups !== undefined) {
    if (!Array.isArray(groups))
      optionError(`TfjsOptimizer: groups must be an array, got ${describe(groups)}`);
    groups.forEach((g, i) => {
      if (g === null || typeof g !== "object")
        optionError(`TfjsOptimizer: groups[${i}] must be an object, got ${describe(g)}`);
      if (!(g.match instanceof RegExp) && (typeof g.match !== "string" || g.match === "")) {
        optionError(
          `TfjsOptimizer: groups[${i}].match must be a RegExp or a layer name, got ${describe(g.match)}`,
        );
      }
      if ("params" in g)
        optionError(`TfjsOptimizer: groups[${i}] must not list params (variables are chosen by 'match')`);
    });
  }
  if (
    maxGradNorm !== undefined &&
    (typeof maxGradNorm !== "number" || !(maxGradNorm > 0) || !Number.isFinite(maxGradNorm))
  ) {
    optionError(`TfjsOptimizer: maxGradNorm must be a finite number > 0, got ${describe(maxGradNorm)}`);
  }
  if (onNonFinite !== undefined && onNonFinite !== "skip" && onNonFinite !== "error") {
    optionError(`TfjsOptimizer: onNonFinite must be "skip" or "error", got ${describe(onNonFinite)}`);
  }
}

/** JSON-safe copies of option values (RegExps as { $regexp, flags }; functions dropped). */
function toJsonValue(value: unknown): unknown {
  if (value instanceof RegExp) return { $regexp: value.source, flags: value.flags };
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (typeof v !== "function" && v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

function fromJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJsonValue);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.$regexp === "string")
      return new RegExp(o.$regexp, typeof o.flags === "string" ? o.flags : "");
    if (typeof o.$number === "string") return Number(o.$number);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = fromJsonValue(v);
    return out;
  }
  return value;
}

function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

/**
 * A descent optimizer driving TensorFlow.js variables.
 * @example
 * import * as tf from "@tensorflow/tfjs";
 * await tf.setBackend("cpu");
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const make = (params: Param[]) => new AdamW(params, { lr: 0.05, weightDecay: 0.5 });
 * const tfOpt = new TfjsOptimizer(model.trainableWeights, make, {
 *   groups: [{ match: /bias/, weightDecay: 0 }],
 * });
 * model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
 * const xs = tf.randomNormal([40, 2], 0, 1, "float32", 5);
 * const h = await model.fit(xs, xs.sum(1, true).mul(2), { epochs: 3, verbose: 0 });
 * h.history.loss.length; // → 3
 * h.history.loss[2]! < h.history.loss[0]!; // → true
 * tfOpt.optimizer.paramGroups.map((g) => g.weightDecay); // → [0.5, 0.0] (kernel, then the bias group)
 */
export class TfjsOptimizer<O extends OptimizerLike = OptimizerLike> extends Optimizer {
  static className = "DescentOptimizer";

  // tf.Optimizer answers `instanceof` by duck typing (any object with minimize/computeGradients/
  // applyGradients), and subclasses inherit that: without this, tf.train.adam() instanceof TfjsOptimizer.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  readonly options: Readonly<TfjsOptimizerOptions>;
  #factory: OptimizerFactory<O>;
  #optimizer: O | null = null;
  #entries: Entry[] = [];
  #byKey = new Map<string, Entry>();
  #pending: OptimizerStateDict | null = null;
  #skipped = 0;
  #lastWrite: WriteMode | null = null;
  /** Set by fromConfig: the rebuilt optimizer's identity, checked against what the factory makes. */
  #expectName: string | null = null;

  /**
   * @param variables what to train: `model.trainableWeights` or `tf.Variable`s. `null` binds lazily to the
   *   variables of the first `applyGradients` (or an explicit `bind`): how a loaded model's optimizer starts.
   * @param factory builds the descent optimizer over the params (a plain list, or groups when `groups` is set).
   */
  constructor(
    variables: readonly TfjsVariable[] | null,
    factory: OptimizerFactory<O>,
    options: TfjsOptimizerOptions = {},
  ) {
    super();
    if (typeof factory !== "function")
      optionError(
        `TfjsOptimizer: factory must be a function (params) => optimizer, got ${describe(factory)}`,
      );
    checkOptions(options);
    this.options = Object.freeze({
      ...options,
      ...(options.groups ? { groups: options.groups.map((g) => ({ ...g })) } : {}),
    });
    this.#factory = factory;
    if (variables !== null) this.bind(variables);
  }

  /** The descent optimizer (hand it to a scheduler). */
  get optimizer(): O {
    if (this.#optimizer === null) {
      optionError(
        "TfjsOptimizer: not bound to variables yet (an optimizer restored from a saved model binds on its first step): call bind(model.trainableWeights) first",
      );
    }
    return this.#optimizer;
  }

  /** Whether the adapter has its variables (always, unless it was made with `null` and has not stepped). */
  get bound(): boolean {
    return this.#optimizer !== null;
  }

  /** Steps skipped because of a non-finite gradient (with `onNonFinite: "skip"`). */
  get skipped(): number {
    return this.#skipped;
  }

  /** How the last step wrote the variables: "in-place" into their storage, or "assign" of new tensors. */
  get lastWriteMode(): WriteMode | null {
    return this.#lastWrite;
  }

  /** The descent params, by variable name (the names gradients arrive under). */
  get params(): ReadonlyMap<string, Parameter> {
    return new Map(this.#entries.map((e) => [e.key, e.param]));
  }

  /** Binds to `variables` (once): makes a param for each and builds the descent optimizer. */
  bind(variables: readonly TfjsVariable[]): void {
    if (this.#optimizer !== null) optionError("TfjsOptimizer.bind: already bound to variables");
    if (!Array.isArray(variables))
      optionError(
        `TfjsOptimizer: variables must be an array of tf.Variable or LayerVariable, got ${describe(variables)}`,
      );
    if (variables.length === 0) optionError("TfjsOptimizer: got an empty list of variables");
    const entries: Entry[] = [];
    const byKey = new Map<string, Entry>();
    variables.forEach((v, i) => {
      const variable: unknown = isLayerVariable(v) ? v.read() : v;
      if (!isVariable(variable))
        optionError(
          `TfjsOptimizer: variables[${i}] is not a tf.Variable or LayerVariable, got ${describe(v)}`,
        );
      if (variable.dtype !== "float32")
        optionError(
          `TfjsOptimizer: variable '${variable.name}' is ${variable.dtype}; only float32 variables can be trained`,
        );
      if (byKey.has(variable.name)) optionError(`TfjsOptimizer: variable '${variable.name}' is listed twice`);
      const label = (isLayerVariable(v) ? v.originalName : undefined) ?? variable.name;
      const p = param(variable.dataSync() as Float32Array, {
        shape: variable.shape,
        name: label,
        dtype: "float32",
      });
      const entry: Entry = {
        key: variable.name,
        label,
        variable,
        param: p,
        owned: null,
        synced: variable.dataId as object,
      };
      entries.push(entry);
      byKey.set(entry.key, entry);
    });
    const specs = this.options.groups;
    let built: Parameter[] | ParamGroupInit[];
    if (specs === undefined || specs.length === 0) {
      built = entries.map((e) => e.param);
    } else {
      const members: Parameter[][] = specs.map(() => []);
      const rest: Parameter[] = [];
      for (const e of entries) {
        const gi = specs.findIndex((s) => matches(s, e.label));
        if (gi < 0) rest.push(e.param);
        else members[gi]!.push(e.param);
      }
      const groups: ParamGroupInit[] = rest.length > 0 ? [{ params: rest }] : [];
      specs.forEach((spec, gi) => {
        if (members[gi]!.length === 0) {
          optionError(
            `TfjsOptimizer: groups[${gi}] (match ${String(spec.match)}) matches no variable; names are ${entries.map((e) => e.label).join(", ")}`,
          );
        }
        const { match: _m, ...overrides } = spec;
        groups.push({ ...overrides, params: members[gi]! });
      });
      built = groups;
    }
    const opt = this.#factory(built);
    if (
      opt === null ||
      typeof opt !== "object" ||
      typeof opt.step !== "function" ||
      !Array.isArray(opt.paramGroups)
    ) {
      optionError(`TfjsOptimizer: the factory must return a descent optimizer, got ${describe(opt)}`);
    }
    if (this.#expectName !== null && optimizerName(opt) !== this.#expectName) {
      optionError(
        `TfjsOptimizer: the saved optimizer is ${this.#expectName} but the factory made ${optimizerName(opt)}`,
      );
    }
    if (this.#pending !== null) opt.loadStateDict(this.#pending);
    this.#pending = null;
    this.#entries = entries;
    this.#byKey = byKey;
    this.#optimizer = opt;
  }

  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const grads: Array<[string, Tensor]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    if (this.#optimizer === null) {
      const registered = engine().registeredVariables;
      this.bind(
        grads.map(([name]) => {
          const v = registered[name];
          if (v === undefined) optionError(`TfjsOptimizer: no variable named '${name}' to bind to`);
          return v;
        }),
      );
    }
    const opt = this.#optimizer!;
    // every check before anything changes
    for (const [name, g] of grads) {
      const e = this.#byKey.get(name);
      if (e === undefined) {
        optionError(
          `TfjsOptimizer: got a gradient for variable '${name}', which is not among the ${this.#entries.length} variables this optimizer trains`,
        );
      }
      if (g == null) continue;
      if (g.size !== e.param.data.length) {
        optionError(
          `TfjsOptimizer: the gradient for '${name}' has shape [${g.shape.join(", ")}] but the variable has shape [${e.variable.shape.join(", ")}]`,
        );
      }
    }
    for (const e of this.#entries) e.param.grad = null;
    const withGrad: Entry[] = [];
    for (const [name, g] of grads) {
      if (g == null) continue;
      const e = this.#byKey.get(name)!;
      // someone assigned the variable since our last write (model.setWeights, loadWeights): take its values
      if (e.variable.dataId !== e.synced) {
        readInto(e.variable, e.param.data);
        e.synced = e.variable.dataId as object;
      }
      readInto(g, e.param.gradBuffer());
      withGrad.push(e);
    }
    if (this.options.onNonFinite !== undefined) {
      for (const e of withGrad) {
        const g = e.param.grad!;
        const at = firstNonFinite(g.length, g);
        if (at < 0) continue;
        if (this.options.onNonFinite === "error") {
          for (const x of withGrad) x.param.grad = null;
          throw new RangeError(
            `TfjsOptimizer: the gradient for '${e.key}' is not finite at element ${at} (${g[at]})`,
          );
        }
        this.#skipped++;
        for (const x of withGrad) x.param.grad = null;
        return;
      }
    }
    if (this.options.maxGradNorm !== undefined)
      clipGradNorm(
        withGrad.map((e) => e.param),
        this.options.maxGradNorm,
      );
    opt.step();
    let mode: WriteMode | null = null;
    for (const e of withGrad) {
      const w = writeVariable(e.variable, e.param.data, e.owned);
      e.owned = w.dataId;
      e.synced = w.dataId;
      mode = mode === "assign" ? mode : w.mode;
    }
    this.#lastWrite = mode;
    this.incrementIterations();
  }

  /** The descent optimizer's state dict (for descent checkpoints); see also getWeights. */
  stateDict(): OptimizerStateDict {
    return this.optimizer.stateDict();
  }

  loadStateDict(stateDict: OptimizerStateDict): void {
    this.optimizer.loadStateDict(stateDict);
  }

  /**
   * The iteration count, then the descent state dict: each state buffer as a tensor named
   * `<variable>/<key>`, everything else in one JSON string tensor named `descent/state`.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    // not bound yet (restored, never stepped): the state it is waiting to load, or only the iterations
    if (this.#optimizer === null && this.#pending === null) return [await this.saveIterations()];
    const sd = this.#optimizer === null ? this.#pending! : this.#optimizer.stateDict();
    const labels = this.#optimizer === null ? this.#pendingLabels : this.#orderedLabels();
    const tensors: NamedTensor[] = [];
    const encode = (value: StateValue, path: string): unknown => {
      if (value instanceof Float32Array || value instanceof Float64Array) {
        const index = tensors.length;
        tensors.push({ name: path, tensor: tensor(Float32Array.from(value), [value.length], "float32") });
        return { $tensor: index, dtype: value instanceof Float64Array ? "float64" : "float32" };
      }
      if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
      if (Array.isArray(value)) return value.map((v, i) => encode(v as StateValue, `${path}/${i}`));
      if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = encode(v as StateValue, `${path}/${k}`);
        return out;
      }
      return value;
    };
    const state: Record<string, unknown> = {};
    for (const [i, s] of Object.entries(sd.state))
      state[i] = encode(s as StateValue, labels[Number(i)] ?? `param${i}`);
    const paramGroups = sd.paramGroups.map((g) => encode(g as unknown as StateValue, "group"));
    const manifest = JSON.stringify({
      format: 1,
      optimizer: this.#optimizer === null ? this.#expectName : optimizerName(this.#optimizer),
      labels,
      state,
      paramGroups,
    });
    return [
      await this.saveIterations(),
      { name: MANIFEST, tensor: tensor([manifest], [1], "string") },
      ...tensors,
    ];
  }

  /**
   * Restores what `getWeights` made (checked fully first: on error nothing changes). Before the adapter is
   * bound, the state waits for the first step (or `bind`).
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (Array.isArray(weightValues) && weightValues.length === 1 && weightValues[0]?.name === "iter") {
      // what an optimizer that never stepped saves: the iteration count only
      await this.extractIterations(weightValues);
      return;
    }
    if (!Array.isArray(weightValues) || weightValues.length < 2) {
      optionError(
        `TfjsOptimizer.setWeights: expected the weights getWeights() made, got ${describe(weightValues)}`,
      );
    }
    const head = weightValues[1]!;
    if (head?.name !== MANIFEST || head.tensor?.dtype !== "string") {
      optionError(
        `TfjsOptimizer.setWeights: expected '${MANIFEST}' as the second weight, got ${describe(head?.name)} (weights saved by another optimizer?)`,
      );
    }
    const iterations = (await weightValues[0]!.tensor.data())[0];
    const text = (await head.tensor.data())[0] as unknown;
    let manifest: { optimizer?: unknown; state?: unknown; paramGroups?: unknown; labels?: unknown };
    try {
      manifest = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text as Uint8Array));
    } catch (e) {
      optionError(
        `TfjsOptimizer.setWeights: the '${MANIFEST}' weight is not valid JSON (${(e as Error).message})`,
      );
    }
    const rest = weightValues.slice(2);
    const arrays = await Promise.all(rest.map((w) => w.tensor.data()));
    const decode = (value: unknown): StateValue => {
      if (Array.isArray(value)) return value.map(decode);
      if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (typeof o.$tensor === "number") {
          const data = arrays[o.$tensor];
          if (!(data instanceof Float32Array))
            optionError(
              `TfjsOptimizer.setWeights: state refers to tensor ${o.$tensor}, which is missing or not float32`,
            );
          return o.dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data);
        }
        if (typeof o.$number === "string") return Number(o.$number);
        const out: Record<string, StateValue> = {};
        for (const [k, v] of Object.entries(o)) out[k] = decode(v);
        return out as StateRecord;
      }
      return value as StateValue;
    };
    if (
      typeof manifest.state !== "object" ||
      manifest.state === null ||
      !Array.isArray(manifest.paramGroups)
    ) {
      optionError(`TfjsOptimizer.setWeights: the '${MANIFEST}' weight has no state or paramGroups`);
    }
    const sd = {
      state: decode(manifest.state) as unknown as OptimizerStateDict["state"],
      paramGroups: decode(manifest.paramGroups) as unknown as OptimizerStateDict["paramGroups"],
    };
    const savedName = typeof manifest.optimizer === "string" ? manifest.optimizer : null;
    if (this.#optimizer !== null) {
      if (savedName !== null && savedName !== optimizerName(this.#optimizer)) {
        optionError(
          `TfjsOptimizer.setWeights: the weights are ${savedName} state but this optimizer is ${optimizerName(this.#optimizer)}`,
        );
      }
      this.#optimizer.loadStateDict(sd);
    } else {
      this.#pending = sd;
      this.#pendingLabels = Array.isArray(manifest.labels) ? manifest.labels.map(String) : [];
    }
    if (typeof iterations === "number") this.iterations_ = iterations;
  }

  #orderedLabels(): string[] {
    const byParam = new Map(this.#entries.map((e) => [e.param as object, e.label]));
    return this.optimizer.paramGroups.flatMap((g) => g.params.map((p) => byParam.get(p) ?? "param"));
  }

  /** What `fromConfig` needs to rebuild this optimizer (the class, its defaults, the adapter options). */
  override getConfig(): serialization.ConfigDict {
    const opt = this.#optimizer;
    const defaults =
      opt === null ? this.#pendingDefaults : (opt as unknown as { defaults?: unknown }).defaults;
    const config = {
      optimizer: opt === null ? this.#expectName : optimizerName(opt),
      defaults: toJsonValue(defaults ?? {}),
      options: toJsonValue(this.options),
    };
    // tfjs-layers camelCases every string in a loaded training config ("dense_1" → "dense1"), so the config
    // travels as base64 JSON (no "_" in its alphabet); `optimizer` is there to be read by people
    return {
      optimizer: config.optimizer,
      json64: toBase64(JSON.stringify(config)),
    } as unknown as serialization.ConfigDict;
  }

  #pendingDefaults: unknown = null;
  #pendingLabels: string[] = [];

  /** Rebuilds an optimizer saved with a model; it binds to the model's variables on its first step. */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    let parsed: Record<string, unknown> = config as Record<string, unknown>;
    if (typeof config.json64 === "string") {
      try {
        parsed = JSON.parse(fromBase64(config.json64));
      } catch (e) {
        optionError(`TfjsOptimizer.fromConfig: the config is corrupt (${(e as Error).message})`);
      }
    }
    const name = parsed.optimizer;
    if (typeof name !== "string")
      optionError(`TfjsOptimizer.fromConfig: the config names no optimizer class, got ${describe(name)}`);
    const Ctor = CLASSES.get(name);
    if (Ctor === undefined) {
      optionError(
        `TfjsOptimizer.fromConfig: unknown optimizer class '${name}'; register it with registerOptimizerClass('${name}', ${name})`,
      );
    }
    const defaults = (fromJsonValue(parsed.defaults) ?? {}) as Record<string, unknown>;
    const options = (fromJsonValue(parsed.options) ?? {}) as TfjsOptimizerOptions;
    const made = new (cls as unknown as typeof TfjsOptimizer)(
      null,
      (params) => new Ctor(params, defaults),
      options,
    );
    made.#expectName = name;
    made.#pendingDefaults = defaults;
    return made as unknown as T;
  }
}

serialization.registerClass(TfjsOptimizer);
