// A descent optimizer as a TensorFlow.js `tf.Optimizer`: usable in `model.compile({ optimizer })`,
// `model.fit`, `optimizer.minimize(f)` and `applyGradients`. Each trainable variable gets a descent param
// (made with `param()`, so it lives in descent's arena and takes the WebAssembly kernels), keyed by the
// variable's name and kept for the optimizer's life. A step: the gradients are copied into the params' grad
// buffers, optionally checked for non-finite values (by a SkipNonFinite over the descent optimizer) and
// clipped by their joint norm, the descent optimizer steps, and the updated values are written back into
// the variables (see transfer.ts for how).
//
// State: `getWeights()`/`setWeights()` carry the descent optimizer's full state dict (every state buffer as
// a tensor, the rest — step counts, group options including a scheduler's lr — as one JSON string tensor),
// so `model.save(handler, { includeOptimizer: true })` and `tf.loadLayersModel` resume exactly.

import {
  type NamedTensorMap,
  Optimizer,
  serialization,
  type Tensor,
  type Variable,
} from "@tensorflow/tfjs-core";
import { TFJS_MIRROR } from "../checkpoint/checkpoint.js";
import { reserveArena } from "../core/arena.js";
import type { OptimizerLike, OptimizerStateDict, ParamGroupInit } from "../core/optimizer.js";
import { describe, type Param, type Parameter, param } from "../core/param.js";
import { checkOptions, oneOf, optionError, positive } from "../core/validate.js";
import { clipGradNorm } from "../clip/clip-grad.js";
import { type OnNonFinite, SkipNonFinite } from "../optim/skip-non-finite.js";
import { decodeConfig, encodeConfig, optimizerClass, optimizerName } from "./config-codec.js";
import { groupParams, type TfjsGroupSpec } from "./group-matching.js";
import { readInto, type WriteMode, writeVariable } from "./transfer.js";
import { gradientEntries, variablesNamed } from "./named-gradients.js";
import { decodeState, encodeState, type NamedTensor } from "./weights.js";

export { registerOptimizerClass } from "./config-codec.js";
export type { TfjsGroupSpec } from "./group-matching.js";
export type { NamedTensor } from "./weights.js";

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

/**
 * Options of `TfjsOptimizer`: groups by variable name, gradient clipping, what to do with non-finite
 * gradients.
 */
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
   * "error" (throw a RangeError naming the variable). `SkipNonFinite`'s check, made before any clipping.
   * Unset: no check (the values propagate, as in TF.js).
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

function isLayerVariable(v: unknown): v is LayerVariableLike {
  return v !== null && typeof v === "object" && typeof (v as LayerVariableLike).read === "function";
}

/** A param, its grad and three state buffers: what `bind` reserves per variable (see `reserveArena`). */
const RESERVED_BUFFERS = 5;

function isVariable(v: unknown): v is Variable {
  return v !== null && typeof v === "object" && typeof (v as Variable).assign === "function" && "dataId" in v;
}

/**
 * The adapter's non-finite check: a SkipNonFinite over the descent optimizer whose error names the TF.js
 * variable, and which clips (with maxGradNorm) only once its check has passed, so that the error names the
 * element that was not finite, not one that the clip's NaN scale spread to.
 */
class VariableGate<O extends OptimizerLike> extends SkipNonFinite<O> {
  protected override readonly name = "TfjsOptimizer";
  readonly #clip: () => void;

  constructor(inner: O, onNonFinite: OnNonFinite, clip: () => void) {
    super(inner, { onNonFinite });
    this.#clip = clip;
  }

  protected override paramName(p: Param): string {
    return `variable '${(p as { [TFJS_MIRROR]?: string })[TFJS_MIRROR]}'`;
  }

  protected override beforeInnerStep(): void {
    this.#clip();
  }
}

function checkTfjsOptions(options: TfjsOptimizerOptions): void {
  const { groups, maxGradNorm, onNonFinite } = checkOptions(
    options,
    ["groups", "maxGradNorm", "onNonFinite"],
    "TfjsOptimizer",
  );
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
  if (maxGradNorm !== undefined) positive(maxGradNorm, "maxGradNorm", "TfjsOptimizer");
  if (onNonFinite !== undefined) oneOf(onNonFinite, ["skip", "error"], "onNonFinite", "TfjsOptimizer");
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
  /**
   * `instanceof` by class, not by tf.Optimizer's duck typing (which would count `tf.train.adam()` as a
   * TfjsOptimizer).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(TfjsOptimizer, value);
  }

  readonly options: Readonly<TfjsOptimizerOptions>;
  #factory: OptimizerFactory<O>;
  #optimizer: O | null = null;
  #entries: Entry[] = [];
  #byKey = new Map<string, Entry>();
  #pending: OptimizerStateDict | null = null;
  /** Clips the gradients with maxGradNorm (does nothing without it). */
  #clip: () => void = () => {};
  /** The non-finite check, with onNonFinite. */
  #gate: VariableGate<O> | null = null;
  #lastWrite: WriteMode | null = null;
  /** What the last getWeights made (disposed by the next one, or by dispose). */
  #lastWeights: NamedTensor[] = [];
  #disposed = false;
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
    checkTfjsOptions(options);
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
    return this.#gate?.skipped ?? 0;
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
    const names = new Set<string>();
    const checked = variables.map((v, i) => {
      const variable: unknown = isLayerVariable(v) ? v.read() : v;
      if (!isVariable(variable))
        optionError(
          `TfjsOptimizer: variables[${i}] is not a tf.Variable or LayerVariable, got ${describe(v)}`,
        );
      if (variable.dtype !== "float32")
        optionError(
          `TfjsOptimizer: variable '${variable.name}' is ${variable.dtype}; only float32 variables can be trained`,
        );
      if (names.has(variable.name)) optionError(`TfjsOptimizer: variable '${variable.name}' is listed twice`);
      names.add(variable.name);
      return { variable, label: (isLayerVariable(v) ? v.originalName : undefined) ?? variable.name };
    });
    // room for every param, its grad and up to three state buffers (Adam with amsgrad) in a new arena, so
    // that training never grows it: a growth detaches, which slows TF.js's own cpu kernels (reserveArena)
    const elements = checked.reduce((n, { variable }) => n + variable.size, 0);
    reserveArena(RESERVED_BUFFERS * (4 * elements + 16 * checked.length));
    checked.forEach(({ variable, label }) => {
      const p = param(variable.dataSync() as Float32Array, {
        shape: variable.shape,
        name: label,
        dtype: "float32",
      });
      Object.defineProperty(p, TFJS_MIRROR, { value: variable.name });
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
    const built = groupParams(entries, this.options.groups);
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
    const { maxGradNorm, onNonFinite } = this.options;
    const params = entries.map((e) => e.param);
    if (maxGradNorm !== undefined) this.#clip = () => void clipGradNorm(params, maxGradNorm);
    if (onNonFinite !== undefined) this.#gate = new VariableGate(opt, onNonFinite, this.#clip);
  }

  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    if (this.#disposed) optionError("TfjsOptimizer.applyGradients: the optimizer was disposed");
    const grads = gradientEntries(variableGradients);
    if (this.#optimizer === null) this.bind(variablesNamed(grads, "TfjsOptimizer"));
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
    if (this.#gate === null) {
      this.#clip();
      opt.step();
    } else {
      const skipped = this.#gate.skipped;
      this.#gate.step(); // checks, then clips and steps; or throws, or skips
      if (this.#gate.skipped !== skipped) return;
    }
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

  /**
   * The params by the names saved state uses (a layer weight's canonical name, stable when the model is
   * rebuilt), their values first read from the variables, so that they are what the model holds.
   * For `saveTfjsCheckpoint`.
   * @internal
   */
  checkpointParams(): Record<string, Parameter> {
    this.optimizer; // bound, or a clear error
    const out: Record<string, Parameter> = {};
    for (const e of this.#entries) {
      if (Object.hasOwn(out, e.label)) optionError(`TfjsOptimizer: two variables are named '${e.label}'`);
      if (e.variable.dataId !== e.synced) {
        readInto(e.variable, e.param.data);
        e.synced = e.variable.dataId as object;
      }
      Object.defineProperty(out, e.label, {
        value: e.param,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  /** Writes every param's values into its variable (after a checkpoint was loaded into the params). @internal */
  writeParamsToVariables(): void {
    for (const e of this.#entries) {
      const w = writeVariable(e.variable, e.param.data, e.owned);
      e.owned = w.dataId;
      e.synced = w.dataId;
    }
  }

  /** The descent optimizer's state dict (for descent checkpoints); see also getWeights. */
  stateDict(): OptimizerStateDict {
    return this.optimizer.stateDict();
  }

  /** Restores the descent optimizer's state dict (see `stateDict`). */
  loadStateDict(stateDict: OptimizerStateDict): void {
    this.optimizer.loadStateDict(stateDict);
  }

  /**
   * The iteration count, then the descent state dict: each state buffer as a tensor named
   * `<variable>/<key>`, everything else in one JSON string tensor named `descent/state`.
   * The tensors are the adapter's: they stay valid until the next `getWeights()` (a `model.save` calls it)
   * or `dispose()`, which dispose them; clone one to keep it longer.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    // not bound yet (restored, never stepped): the state it is waiting to load, or only the iterations
    if (this.#optimizer === null && this.#pending === null) return [await this.saveIterations()];
    const sd = this.#optimizer === null ? this.#pending! : this.#optimizer.stateDict();
    const labels = this.#optimizer === null ? this.#pendingLabels : this.#orderedLabels();
    const optimizer = this.#optimizer === null ? this.#expectName : optimizerName(this.#optimizer);
    return this.#keepWeights([await this.saveIterations(), ...encodeState(sd, labels, optimizer)]);
  }

  // tfjs-layers' model.save never disposes what getWeights returns: without this, every save leaked the
  // whole state as tensors
  #keepWeights(weights: NamedTensor[]): NamedTensor[] {
    this.#disposeWeights();
    this.#lastWeights = weights;
    return weights;
  }

  #disposeWeights(): void {
    for (const w of this.#lastWeights) w.tensor.dispose();
    this.#lastWeights = [];
  }

  /**
   * Returns the memory the adapter holds: the tensors the last `getWeights()` made, the descent optimizer's
   * state (its `dispose()`, wrappers included) and the params the adapter made. The variables are the
   * caller's and stay. The adapter cannot step afterwards.
   */
  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#disposeWeights();
    const opt = this.#optimizer as (O & { dispose?: () => void }) | null;
    if (opt !== null && typeof opt.dispose === "function") opt.dispose();
    for (const e of this.#entries) e.param.dispose();
    super.dispose();
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
    const { iterations, stateDict: sd, optimizer: savedName, labels } = await decodeState(weightValues);
    if (this.#optimizer !== null) {
      if (savedName !== null && savedName !== optimizerName(this.#optimizer)) {
        optionError(
          `TfjsOptimizer.setWeights: the weights are ${savedName} state but this optimizer is ${optimizerName(this.#optimizer)}`,
        );
      }
      this.#optimizer.loadStateDict(sd);
    } else {
      this.#pending = sd;
      this.#pendingLabels = labels;
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
    return encodeConfig({
      optimizer: opt === null ? this.#expectName : optimizerName(opt),
      defaults: (defaults ?? {}) as Record<string, unknown>,
      options: { ...this.options },
    });
  }

  #pendingDefaults: unknown = null;
  #pendingLabels: string[] = [];

  /** Rebuilds an optimizer saved with a model; it binds to the model's variables on its first step. */
  static override fromConfig<T extends serialization.Serializable>(
    cls: serialization.SerializableConstructor<T>,
    config: serialization.ConfigDict,
  ): T {
    const parsed = decodeConfig(config as Record<string, unknown>, "TfjsOptimizer.fromConfig");
    const name = parsed.optimizer;
    const Ctor = optimizerClass(name);
    if (Ctor === undefined) {
      optionError(
        `TfjsOptimizer.fromConfig: unknown optimizer class '${name}'; register it with registerOptimizerClass('${name}', ${name})`,
      );
    }
    const defaults = parsed.defaults;
    const options = parsed.options as TfjsOptimizerOptions;
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
