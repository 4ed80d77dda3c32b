// What Lookahead, GradientAccumulation and SkipNonFinite share: each wraps any optimizer and is usable
// where one is. paramGroups, defaults, state, zeroGrad and addParamGroup are the inner optimizer's (so a
// scheduler built on the wrapper drives the inner lr); each wrapper adds its own step and its own part of
// the state dict, kept under one key next to the inner optimizer's `state` and `paramGroups`.
// Components attached to a wrapper (`attach`) live in the innermost optimizer's `attached` section, which the
// wrapper's state dict carries through; its step post-hooks run after each *real* step of the wrapper (after
// Lookahead's sync, once per accumulated batch, never for a skipped step).

import {
  type Attachable,
  addHook,
  type HookHandle,
  type OptimizerLike,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInit,
  type StepExecutor,
  type StepHook,
} from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { optionError } from "../core/validate.js";

/** An optimizer's state dict with the wrappers' parts beside it (`{ state, paramGroups, lookahead, … }`). */
export interface WrappedStateDict extends OptimizerStateDict {
  [wrapper: string]: unknown;
}

export function checkInner(inner: unknown, where: string): OptimizerLike {
  const o = inner as OptimizerLike | null;
  if (
    o === null ||
    typeof o !== "object" ||
    typeof o.step !== "function" ||
    typeof o.zeroGrad !== "function" ||
    typeof o.stateDict !== "function" ||
    typeof o.loadStateDict !== "function" ||
    !Array.isArray(o.paramGroups)
  ) {
    optionError(
      `${where}: expected an optimizer (with step, zeroGrad, stateDict, paramGroups), got ${describe(inner)}`,
    );
  }
  return o;
}

export abstract class OptimizerWrapper<I extends OptimizerLike = OptimizerLike> implements OptimizerLike {
  readonly inner: I;
  /** The class name, for messages. */
  protected abstract readonly name: string;
  /** The key of this wrapper's part of the state dict. */
  protected abstract readonly stateKey: string;
  // typed on the base class: a `this`-typed private field would make GradientAccumulation<AdamW> unassignable
  // to GradientAccumulation<OptimizerLike>
  readonly #postHooks = new Set<StepHook<OptimizerWrapper>>();
  #disposed = false;

  constructor(inner: I, where: string) {
    this.inner = checkInner(inner, where) as I;
  }

  get paramGroups(): ParamGroup[] {
    return this.inner.paramGroups;
  }

  set paramGroups(groups: ParamGroup[]) {
    this.inner.paramGroups = groups;
  }

  /** The inner optimizer's defaults (undefined when it has none, e.g. another wrapper without them). */
  get defaults(): unknown {
    return (this.inner as unknown as { defaults?: unknown }).defaults;
  }

  /** The inner optimizer's per-param state. */
  get state(): unknown {
    return (this.inner as unknown as { state?: unknown }).state;
  }

  /** One step of the wrapped optimizer, with the wrapper's own work around it. */
  abstract step(closure?: () => number): number | undefined;

  /** Clears the inner optimizer's grads (null by default, as torch; zeros with `false`). */
  zeroGrad(setToNone = true): void {
    this.inner.zeroGrad(setToNone);
  }

  /** True once `dispose()` has run. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Returns the memory of this wrapper's own buffers and disposes the inner optimizer (the wrapper owns what
   * it wraps: `new Lookahead(new Adam(params))` leaves no other handle on the Adam). The params are the
   * caller's: dispose them separately. The wrapper cannot step afterwards.
   * @example
   * const w = param([1, 2]);
   * const opt = new Lookahead(new Adam([w]), { k: 2 });
   * w.grad = new Float32Array([1, 1]);
   * opt.step();
   * opt.dispose(); // the slow weights and the Adam moments are returned
   * opt.inner.state.size; // → 0
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#postHooks.clear();
    this.disposeOwn();
    const dispose = (this.inner as unknown as { dispose?: () => void }).dispose;
    if (typeof dispose === "function") dispose.call(this.inner);
  }

  /** `using` disposes it at the end of the scope (see `dispose()`). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Drops the wrapper's own buffers (called once, by dispose). */
  protected disposeOwn(): void {}

  /** Throws when the wrapper was disposed (subclasses call it first in step). */
  protected checkLive(method: string): void {
    if (this.#disposed) throw new Error(`${this.name}.${method}: the optimizer was disposed`);
  }

  /** Adds a group to the inner optimizer (and the wrapper's own per-param buffers). */
  addParamGroup(group: ParamGroupInit): void {
    this.checkLive("addParamGroup");
    const add = (this.inner as unknown as { addParamGroup?: (g: ParamGroupInit) => void }).addParamGroup;
    if (typeof add !== "function")
      optionError(`${this.name}.addParamGroup: the inner optimizer has no addParamGroup`);
    add.call(this.inner, group);
    this.onParamsAdded(group.params);
  }

  /** Runs `hook(this)` after every real step (not after a micro-batch or a skipped step). */
  registerStepPostHook(hook: StepHook<this>): HookHandle {
    return addHook(this.#postHooks as Set<StepHook<this>>, hook);
  }

  /** Subclasses call this at the end of each step that changed the params. */
  protected runStepPostHooks(): void {
    if (this.#postHooks.size > 0) for (const hook of this.#postHooks) hook(this);
  }

  /** Attaches `component` to the inner optimizer, so its state travels in this wrapper's state dict too. */
  attach(name: string, component: Attachable): HookHandle {
    const attach = (this.inner as unknown as { attach?: (n: string, c: Attachable) => HookHandle }).attach;
    if (typeof attach !== "function") optionError(`${this.name}.attach: the inner optimizer has no attach`);
    return attach.call(this.inner, name, component);
  }

  /** Installs `executor` around the inner optimizer's steps (where the kernels run). */
  setStepExecutor(executor: StepExecutor | null): void {
    const set = (this.inner as unknown as { setStepExecutor?: (e: StepExecutor | null) => void })
      .setStepExecutor;
    if (typeof set !== "function")
      optionError(`${this.name}.setStepExecutor: the inner optimizer has no setStepExecutor`);
    set.call(this.inner, executor);
  }

  /** Hook for wrappers that keep per-param buffers. */
  protected onParamsAdded(_params: readonly Param[]): void {}

  /** Params across all groups, in state-dict order. */
  protected orderedParams(): Param[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** This wrapper's own part of the state dict (structured-clone-able, no live buffers). */
  protected abstract ownState(): Record<string, unknown>;

  /** Checks `own` fully and returns a function that commits it; throws (changing nothing) when it is bad. */
  protected abstract prepareLoad(own: unknown, bad: (why: string) => never): () => void;

  /** The inner optimizer's state dict with this wrapper's state under its own key. */
  stateDict(): WrappedStateDict {
    return { ...this.inner.stateDict(), [this.stateKey]: this.ownState() };
  }

  /**
   * Restores a state dict from `stateDict()`, checking the wrapper's part and the inner one before changing
   * anything.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const bad = (why: string): never => optionError(`${this.name}.loadStateDict: ${why}`);
    if (stateDict === null || typeof stateDict !== "object")
      bad(`expected a state dict, got ${describe(stateDict)}`);
    const { [this.stateKey]: own, ...rest } = stateDict as WrappedStateDict;
    if (own === undefined) bad(`missing '${this.stateKey}' (a state dict of the inner optimizer alone?)`);
    const commit = this.prepareLoad(own, bad);
    this.inner.loadStateDict(rest as unknown as OptimizerStateDict); // validates first; throws having changed nothing
    commit();
  }
}

export function isBuffer(v: unknown): v is Float32Array | Float64Array {
  return v instanceof Float32Array || v instanceof Float64Array;
}
