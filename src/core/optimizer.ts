// The optimizer base: it owns what every torch.optim optimizer shares (param groups with per-group
// overrides, lazily created per-param state, skipping params whose grad is null, closures, hooks,
// zeroGrad and state dicts). A subclass contributes its options, its state and its update rule.

import type { Buffer } from "./arena.js";
import { ArenaAllocationError, dtypeOf, logAllocations, plainAllocations, releaseBuffer } from "./arena.js";
import { describe, type Param } from "./param.js";
import { emptySparseGrad } from "./sparse-grad.js";
import {
  cloneState,
  materializeState,
  releaseViews,
  StateMap,
  type StateRecord,
  type StateValue,
  stateMismatch,
} from "./state.js";
import { checkOptions, OptionError, optionError } from "./validate.js";

/** Options every optimizer has. */
export interface BaseOptions {
  /** The learning rate (torch's `lr`); every optimizer's default is torch's. */
  lr: number;
}

/** What a user passes for a group: its params and any option overrides. */
export interface ParamGroupInit {
  params: Param[];
  [option: string]: unknown;
}

/** A live param group: the params and every option, resolved. Mutable, as torch's param_groups. */
export type ParamGroup<O extends BaseOptions = BaseOptions> = O & {
  params: Param[];
  [key: string]: unknown;
};

/** Per-param state is a record of numbers and buffers, named as in torch (camelCased). */
export type ParamState = Record<string, StateValue>;

/**
 * An optimizer's `stateDict()`: torch's `state_dict()` layout (`state`, `param_groups`), camelCased,
 * structured-clone-able.
 */
export interface OptimizerStateDict {
  /** State per param, keyed by the param's index across all groups in order (torch's numbering). */
  state: Record<number, StateRecord>;
  /** Each group's options, with `params` as indices. */
  paramGroups: Array<Record<string, StateValue> & { params: number[] }>;
  /**
   * The state dicts of the components attached with `attach()` (an `AveragedParams`, …), by name.
   * Absent when nothing is attached; a state dict without it loads and leaves attached components as they are.
   */
  attached?: Record<string, unknown>;
}

/**
 * A component whose state travels inside an optimizer's state dict (`optimizer.attach(name, component)`).
 * `checkStateDict` throws (naming the bad value) exactly when `loadStateDict` would, and changes nothing,
 * so that the optimizer can check every section before it changes anything.
 */
export interface Attachable {
  /** The component's state, structured-clone-able and sharing no buffers with it. */
  stateDict(): unknown;
  /** Throws, naming the bad value, exactly when `loadStateDict` would; changes nothing. */
  checkStateDict(stateDict: unknown): void;
  /** Replaces the component's state with a copy of one that `checkStateDict` accepted. */
  loadStateDict(stateDict: never): void;
}

/** What a component attaches to: an optimizer or a wrapper around one. */
export interface AttachTarget {
  /** Keeps `component`'s state in the target's state dict under `name`, until the handle is removed. */
  attach(name: string, component: Attachable): HookHandle;
  /** Calls `hook` after every real step of the target. */
  registerStepPostHook(hook: () => void): HookHandle;
}

/** What registering a hook or attaching a component returns: `remove()` undoes it. */
export interface HookHandle {
  /** Unregisters the hook (or detaches the component); calling it again does nothing. */
  remove(): void;
}

/** A step hook (torch's `register_step_pre_hook` / `register_step_post_hook`): called with the optimizer. */
export type StepHook<T> = (optimizer: T) => void;

/**
 * Runs around every step of the optimizer it is installed on (`optimizer.setStepExecutor(executor)`):
 * `enter()` before the step's hooks, closure and updates, `exit()` after them, also when the step throws.
 * `useThreads` installs one that has the kernels split their work across threads during the step.
 */
export interface StepExecutor {
  /** Called before the step's hooks, closure and updates. */
  enter(): void;
  /** Called after the step, also when it throws. */
  exit(): void;
}

/** The part of an optimizer that wrappers and schedulers rely on. */
export interface OptimizerLike {
  paramGroups: ParamGroup[];
  /**
   * Applies one update from the params' grads; with a closure, calls it to recompute loss and grads and
   * returns the loss.
   */
  step(closure?: () => number): number | undefined;
  /** Sets every grad to null (the default, as torch) or, with `false`, to zeros. */
  zeroGrad(setToNone?: boolean): void;
  /** The optimizer's state and param groups, params numbered as torch numbers them. */
  stateDict(): OptimizerStateDict;
  /** Restores a state dict (checked first: on error nothing changes). */
  loadStateDict(stateDict: OptimizerStateDict): void;
}

/** What an optimizer class gives the base class: its name, defaults, validation and state layout. */
export interface OptimizerSpec<O extends BaseOptions> {
  /** The class name, for error messages. */
  readonly name: string;
  /** The default options (torch's defaults). */
  readonly defaults: Readonly<O>;
  /** Throws an OptionError naming the first bad option. Called for the defaults and every group. */
  validate(options: O): void;
  /**
   * State that only some options create (Adam's `maxExpAvgSq` with amsgrad, SGD's `momentumBuffer` with
   * momentum), as a param's fresh entries. With `initState` these are every key the algorithm knows: a
   * loaded state may carry them or not, whatever the options (as torch loads the state of a run whose
   * options were changed midway).
   */
  optionalState?: (p: Param, group: ParamGroup<O>) => Record<string, StateValue>;
  /**
   * State arrays whose length varies (LBFGS's history): a loaded array may hold any number of entries,
   * each checked against the template's.
   */
  flexibleArrays?: boolean;
  /** State entries that are never negative (second moments, accumulated squares): a negative one is corruption. */
  nonNegativeState?: readonly string[];
  /** Throws an OptionError when `p` cannot be optimized by this optimizer (Muon: a 1-D param). */
  validateParam?: (p: Param) => void;
}

function isParam(value: unknown): value is Param {
  if (value === null || typeof value !== "object") return false;
  const data = (value as Param).data;
  return data instanceof Float32Array || data instanceof Float64Array;
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState>
  implements OptimizerLike
{
  readonly defaults: Readonly<O>;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-param state (its buffers are live views into descent's memory; see `StateMap`). */
  readonly state: Map<Param, S> = new StateMap<Param, S>();
  protected readonly spec: OptimizerSpec<O>;
  #disposed = false;
  #preHooks = new Set<StepHook<this>>();
  #postHooks = new Set<StepHook<this>>();
  #executor: StepExecutor | null = null;
  readonly #attached = new Map<string, Attachable>();
  // the groups and each group's params as last found well-formed: step() compares identities against
  // these (no allocation) and re-checks everything only when a hand edit changed them
  #checkedGroups: ParamGroup<O>[] = [];
  #checkedParams: Param[][] = [];

  constructor(
    params: readonly Param[] | readonly ParamGroupInit[],
    options: Partial<O>,
    spec: OptimizerSpec<O>,
  ) {
    this.spec = spec;
    checkOptions(options, Object.keys(spec.defaults), spec.name);
    const defaults = { ...spec.defaults } as O;
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) (defaults as Record<string, unknown>)[key] = value;
    }
    spec.validate(defaults);
    this.defaults = Object.freeze(defaults);

    if (!Array.isArray(params)) {
      optionError(
        `${spec.name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)} (pass an array of params or of param groups)`,
      );
    }
    if (params.length === 0) optionError(`${spec.name}: optimizer got an empty parameter list`);
    const first = params[0] as unknown;
    const isGroupList = first !== null && typeof first === "object" && "params" in first;
    const groups: ParamGroupInit[] = isGroupList
      ? (params as ParamGroupInit[])
      : [{ params: params as Param[] }];
    const built: ParamGroup<O>[] = [];
    for (const g of groups) built.push(this.#buildGroup(g, built));
    this.paramGroups = built;
  }

  /** Adds a group (its options default to the optimizer's). Validates fully before changing anything. */
  addParamGroup(group: ParamGroupInit): void {
    const built = this.#buildGroup(group, this.paramGroups);
    this.paramGroups.push(built);
    this.onGroupAdded(built);
  }

  /** Hook for optimizers whose state is created with the group (Adagrad). */
  protected onGroupAdded(_group: ParamGroup<O>): void {}

  #buildGroup(init: ParamGroupInit, existing: readonly ParamGroup<O>[]): ParamGroup<O> {
    const name = this.spec.name;
    if (init === null || typeof init !== "object" || !Array.isArray(init.params)) {
      optionError(`${name}: a param group must be an object with a 'params' array, got ${describe(init)}`);
    }
    const params = init.params;
    if (params.length === 0) optionError(`${name}: a param group has an empty 'params' list`);
    const seen = new Set<Param>();
    params.forEach((p, i) => {
      if (!isParam(p)) {
        optionError(
          `${name}: params[${i}] is not a param (expected { data: Float32Array | Float64Array, ... }), got ${describe(p)}`,
        );
      }
      if (seen.has(p)) optionError(`${name}: param ${paramLabel(p, i)} appears twice in one param group`);
      seen.add(p);
      this.spec.validateParam?.(p);
    });
    for (const g of existing) {
      for (const p of g.params) {
        if (seen.has(p)) optionError(`${name}: some parameters appear in more than one parameter group`);
      }
    }
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(init)) {
      const known = torchSpelling(key, this.defaults);
      if (known !== null)
        optionError(`${name}: param group option '${key}' is torch's spelling of '${known}'`);
      if (key !== "params" && value !== undefined) group[key] = value;
    }
    group.params = [...params];
    this.spec.validate(group as unknown as O);
    return group as ParamGroup<O>;
  }

  /**
   * Runs the update; `closure` (if given) re-evaluates the loss and the grads first. A NaN or infinite
   * gradient is not checked: it propagates into the params and state, as in torch (wrap the optimizer in
   * `SkipNonFinite` to skip such steps, or use `clipGradNorm(..., { errorIfNonfinite: true })`).
   */
  step(closure?: () => number): number | undefined {
    if (this.#disposed) throw new Error(`${this.spec.name}.step: the optimizer was disposed`);
    const executor = this.#executor;
    if (executor === null) return this.#step(closure);
    executor.enter();
    try {
      return this.#step(closure);
    } finally {
      executor.exit();
    }
  }

  /** Installs `executor` around every step (replacing any); null removes it. */
  setStepExecutor(executor: StepExecutor | null): void {
    if (executor !== null && (typeof executor?.enter !== "function" || typeof executor.exit !== "function"))
      optionError(
        `${this.spec.name}.setStepExecutor: expected { enter(), exit() } or null, got ${describe(executor)}`,
      );
    this.#executor = executor;
  }

  #step(closure: (() => number) | undefined): number | undefined {
    // no iterator is created when there are no hooks
    if (this.#preHooks.size > 0) for (const hook of this.#preHooks) hook(this);
    let loss: number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") optionError(`${this.spec.name}.step: closure must be a function`);
      loss = closure();
    }
    this.checkReady();
    this.#allocateAll();
    for (const group of this.paramGroups) this.updateGroup(group);
    if (this.#postHooks.size > 0) for (const hook of this.#postHooks) hook(this);
    return loss;
  }

  /**
   * Checks every group's options and every grad's length and dtype before anything is updated, so a
   * bad value (set by hand into `paramGroups`, or a wrong-sized grad) changes nothing.
   */
  protected checkReady(): void {
    this.#checkGroupStructure(`${this.spec.name}.step`);
    for (const group of this.paramGroups) {
      this.spec.validate(group);
      const params = group.params;
      for (let i = 0; i < params.length; i++) this.checkGrad(params[i]!, i);
    }
  }

  /**
   * Checks the grad `step()` will read from `p` (the `i`-th param of its group). Default: a dense grad of
   * the param's length and dtype; a sparse grad is refused, as torch's dense optimizers refuse one.
   */
  protected checkGrad(p: Param, i: number): void {
    const name = this.spec.name;
    if (p.sparseGrad !== null && p.sparseGrad !== undefined) {
      optionError(
        `${name} does not support sparse gradients, please consider SparseAdam instead (${paramLabel(p, i)} has a sparseGrad)`,
      );
    }
    const g = p.grad;
    if (g === null || g === undefined) return;
    if (!(g instanceof Float32Array || g instanceof Float64Array)) {
      optionError(
        `${name}.step: grad of ${paramLabel(p, i)} is ${describe(g)}, not a Float32Array or Float64Array`,
      );
    }
    if (g.length !== p.data.length) {
      optionError(
        `${name}.step: grad of ${paramLabel(p, i)} has ${g.length} elements but the param has ${p.data.length}`,
      );
    }
    if (dtypeOf(g) !== dtypeOf(p.data)) {
      optionError(
        `${name}.step: grad of ${paramLabel(p, i)} is ${dtypeOf(g)} but the param is ${dtypeOf(p.data)}`,
      );
    }
  }

  /** Whether `step()` updates `p` this time (default: its dense grad is set; null skips it, as in torch). */
  protected hasGrad(p: Param): boolean {
    return p.grad !== null && p.grad !== undefined;
  }

  /**
   * Checks what a hand edit of `paramGroups` can break and torch checks at construction: groups are objects
   * with an array of params, no param is in two places, each param suits the optimizer. The common case (the
   * same groups holding the same params as at the last check) costs one identity comparison per param.
   */
  #checkGroupStructure(where: string): void {
    const groups = this.paramGroups as unknown;
    if (Array.isArray(groups) && groups.length === this.#checkedGroups.length) {
      let same = true;
      for (let gi = 0; same && gi < groups.length; gi++) {
        const group = groups[gi] as ParamGroup<O>;
        const checked = this.#checkedParams[gi]!;
        if (group !== this.#checkedGroups[gi]) same = false;
        else {
          const params = group.params as unknown;
          if (!Array.isArray(params) || params.length !== checked.length) same = false;
          else for (let i = 0; same && i < checked.length; i++) same = params[i] === checked[i];
        }
      }
      if (same) return;
    }
    const name = this.spec.name;
    if (!Array.isArray(groups))
      optionError(`${where}: paramGroups must be an array of param groups, got ${describe(groups)}`);
    if (groups.length === 0) optionError(`${where}: paramGroups is empty`);
    const placeOf = new Map<Param, string>();
    groups.forEach((group: unknown, gi) => {
      if (group === null || typeof group !== "object")
        optionError(`${where}: param group ${gi} is ${describe(group)}, not an object`);
      const params = (group as { params?: unknown }).params;
      if (!Array.isArray(params))
        optionError(
          `${where}: param group ${gi}'s 'params' is ${describe(params)}, not an array (${name} reads params from an array, as set at construction)`,
        );
      params.forEach((p: unknown, i) => {
        if (!isParam(p))
          optionError(
            `${where}: param group ${gi}, params[${i}] is not a param (expected { data: Float32Array | Float64Array, ... }), got ${describe(p)}`,
          );
        const place = `param group ${gi}, ${paramLabel(p, i)}`;
        const first = placeOf.get(p);
        if (first !== undefined)
          optionError(
            `${where}: ${place} is also ${first}: a param may appear only once across the param groups`,
          );
        placeOf.set(p, place);
        try {
          this.spec.validateParam?.(p);
        } catch (e) {
          optionError(`${where}: ${place}: ${(e as Error).message}`);
        }
      });
    });
    this.#checkedGroups = [...(groups as ParamGroup<O>[])];
    this.#checkedParams = (groups as ParamGroup<O>[]).map((g) => [...g.params]);
  }

  /**
   * Creates every piece of state this step needs before anything is written, so a step that cannot
   * allocate changes nothing: on any error the state created here is removed and its memory returned.
   */
  #allocateAll(): void {
    let index = 0;
    let undo: Array<{ p: Param; keys: string[] | null; log: Buffer[] }> | null = null;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const i = index++;
        if (!this.hasGrad(p)) continue;
        const before = this.state.get(p);
        if (!this.needsAllocation(p, before, group)) continue;
        const entry = { p, keys: before === undefined ? null : Object.keys(before), log: [] as Buffer[] };
        undo ??= [];
        undo.push(entry);
        try {
          logAllocations(entry.log, () => this.allocateState(p, group));
        } catch (e) {
          for (const u of undo) this.#undoAllocation(u.p, u.keys, u.log);
          if (!(e instanceof ArenaAllocationError)) throw e;
          let bytes = e.bytes;
          for (const b of entry.log) bytes += b.byteLength;
          throw new RangeError(
            `${this.spec.name}.step: cannot allocate the state of ${paramLabel(p, i)}: it needs at least ${bytes} ` +
              `bytes (${p.data.length} ${dtypeOf(p.data)} elements a buffer) and descent's memory has no room ` +
              `(${e.message}); nothing was updated`,
          );
        }
      }
    }
  }

  #undoAllocation(p: Param, keys: string[] | null, log: Buffer[]): void {
    const state = this.state.get(p) as Record<string, unknown> | undefined;
    if (keys === null) this.state.delete(p);
    else if (state !== undefined) {
      for (const key of Object.keys(state)) if (!keys.includes(key)) delete state[key];
    }
    for (const b of log) releaseBuffer(b);
  }

  /**
   * Whether `allocateState` has work for `p` (default: when it has no state yet). An optimizer whose
   * state grows with an option switched on between steps (Adam's amsgrad) says so here.
   */
  protected needsAllocation(_p: Param, state: S | undefined, _group: ParamGroup<O>): boolean {
    return state === undefined;
  }

  /**
   * Creates the state the coming update of `p` needs (default: `initState` on first use, then
   * `ensureState`). Runs, where `needsAllocation` says so, for every param with a grad before any param
   * is updated: `update` must not allocate.
   */
  protected allocateState(p: Param, group: ParamGroup<O>): void {
    let state = this.state.get(p);
    if (state === undefined) {
      const created = this.initState(p, group);
      if (created === null) return;
      state = created;
      this.state.set(p, state);
    }
    this.ensureState(p, state, group);
  }

  /** Adds state that an option switched on since the state was created needs (default: nothing). */
  protected ensureState(_p: Param, _state: S, _group: ParamGroup<O>): void {}

  /**
   * Returns the memory of every state buffer now and empties `state`; the optimizer cannot step again.
   * The params are the caller's: dispose them separately.
   * @example
   * const w = param([1, 2]);
   * const opt = new Adam([w]);
   * w.grad = new Float32Array([1, 1]);
   * opt.step();
   * opt.dispose(); // the Adam moments' memory is returned
   * opt.state.size; // → 0
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const record of this.state.values()) releaseViews(record);
    this.state.clear();
  }

  /** `using opt = new Adam(…)` disposes the optimizer's state at the end of the scope (see `dispose()`). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Updates one group: each param with a grad, its state created on first use (where it keeps one). */
  protected updateGroup(group: ParamGroup<O>): void {
    for (const p of group.params) {
      const grad = p.grad;
      if (grad === null || grad === undefined) continue;
      let state = this.state.get(p) ?? null;
      if (state === null) {
        state = this.initState(p, group);
        if (state !== null) this.state.set(p, state);
      }
      this.update(p, grad, state, group);
    }
  }

  /**
   * The state a param starts with (buffers in the param's dtype, zero unless torch says otherwise), or
   * null where the options keep no state yet (SGD without momentum: torch's state dict has no entry for
   * the param, and `update` gets null).
   */
  protected abstract initState(p: Param, group: ParamGroup<O>): S | null;

  /** Applies one step of the rule to one param; `state` is null only where `initState` returned null. */
  protected abstract update(p: Param, grad: Buffer, state: S | null, group: ParamGroup<O>): void;

  /**
   * Sets every grad to null (default, as torch) or to zeros; a sparse grad becomes null, or one with no
   * rows (torch's `zero_()` of a sparse tensor).
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else p.grad?.fill(0);
        const sparse = p.sparseGrad;
        if (sparse !== null && sparse !== undefined)
          p.sparseGrad = setToNone ? null : emptySparseGrad(sparse);
      }
    }
  }

  /** Calls `hook(optimizer)` before every step (torch's `register_step_pre_hook`). */
  registerStepPreHook(hook: StepHook<this>): HookHandle {
    return addHook(this.#preHooks, hook);
  }

  /** Calls `hook(optimizer)` after every step (torch's `register_step_post_hook`). */
  registerStepPostHook(hook: StepHook<this>): HookHandle {
    return addHook(this.#postHooks, hook);
  }

  /**
   * Keeps `component`'s state in this optimizer's state dict, under `attached[name]`: `stateDict()` saves it
   * and `loadStateDict()` restores it, checked together with the optimizer's own state (a bad section changes
   * neither). The returned handle detaches it. Use `AveragedParams.attachTo(opt)` for an average, which also
   * updates it after every step.
   * @example
   * const w = param([1, 2]);
   * const opt = new SGD([w], { lr: 0.1 });
   * const counter = {
   *   n: 0,
   *   stateDict: () => ({ n: counter.n }),
   *   checkStateDict(s: { n: number }) {
   *     if (!Number.isInteger(s?.n)) throw new Error(`n must be an integer, got ${s?.n}`);
   *   },
   *   loadStateDict(s: { n: number }) {
   *     counter.n = s.n;
   *   },
   * };
   * opt.attach("counter", counter);
   * counter.n = 5;
   * const saved = opt.stateDict(); // saved.attached is { counter: { n: 5 } }
   * counter.n = 0;
   * opt.loadStateDict(saved);
   * counter.n; // → 5
   */
  attach(name: string, component: Attachable): HookHandle {
    return registerAttached(this.#attached, name, component, this.spec.name);
  }

  /** Params across all groups, in torch's state-dict order. */
  protected orderedParams(): Param[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** A structured-clone-able copy of the state; params are referred to by index, as in torch. */
  stateDict(): OptimizerStateDict {
    this.#checkGroupStructure(`${this.spec.name}.stateDict`);
    const params = this.orderedParams();
    const index = new Map(params.map((p, i) => [p, i]));
    const state: Record<number, StateRecord> = {};
    params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s !== undefined) state[i] = cloneState(s as StateRecord);
    });
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(g)) {
        if (key === "params" || typeof value === "function" || value === undefined) continue;
        out[key] = cloneState(value as StateValue);
      }
      return { ...out, params: g.params.map((p) => index.get(p)!) };
    });
    const out: OptimizerStateDict = { state, paramGroups };
    if (this.#attached.size > 0) {
      out.attached = Object.fromEntries([...this.#attached].map(([n, c]) => [n, c.stateDict()]));
    }
    return out;
  }

  /**
   * Restores a state dict made by `stateDict()` of an optimizer of the same kind over params of the same
   * sizes. Everything is checked first: on any error nothing changes.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.spec.name;
    const bad: (why: string) => never = (why) => optionError(`${name}.loadStateDict: ${why}`);
    if (stateDict === null || typeof stateDict !== "object")
      bad(`expected a state dict, got ${describe(stateDict)}`);
    const { state, paramGroups } = stateDict;
    if (!Array.isArray(paramGroups)) bad("missing 'paramGroups'");
    if (state === null || typeof state !== "object") bad("missing 'state'");
    const proto = Object.getPrototypeOf(state);
    if (proto !== Object.prototype && proto !== null)
      bad(`'state' must be a plain object keyed by param index, got ${describe(state)}`);
    const extra = Object.keys(stateDict).filter(
      (k) => k !== "state" && k !== "paramGroups" && k !== "attached",
    );
    if (extra.length > 0) bad(`unexpected key '${extra[0]}'`);
    this.#checkGroupStructure(`${name}.loadStateDict`);
    if (paramGroups.length !== this.paramGroups.length) {
      bad(
        `the state dict has ${paramGroups.length} param groups but the optimizer has ${this.paramGroups.length}`,
      );
    }
    const params = this.orderedParams();
    // new groups: the saved options over the current params
    let firstIndex = 0;
    const newGroups = this.paramGroups.map((current, gi) => {
      const saved = paramGroups[gi]!;
      if (saved === null || typeof saved !== "object" || Array.isArray(saved)) {
        bad(`param group ${gi} is ${describe(saved)}, not an object`);
      }
      if (!Array.isArray(saved.params)) bad(`param group ${gi} has no 'params' list of indices`);
      if (saved.params.length !== current.params.length) {
        bad(
          `param group ${gi} has ${saved.params.length} params in the state dict but ${current.params.length} in the optimizer`,
        );
      }
      // state is keyed by position across the groups, so the groups must list 0, 1, 2, … in order
      // (what stateDict() writes); anything else would silently give one param another's state
      saved.params.forEach((index, k) => {
        if (index !== firstIndex + k) {
          bad(`param group ${gi} lists param ${describe(index)} where param ${firstIndex + k} belongs`);
        }
      });
      firstIndex += saved.params.length;
      const group = { ...current } as Record<string, unknown>;
      // an option the state dict lacks (saved before the option existed, as torch 1.13's RAdam without
      // decoupled_weight_decay) takes the class default, as torch's __setstate__ does, not this optimizer's value
      for (const key of Object.keys(this.spec.defaults)) {
        if (!Object.hasOwn(saved, key))
          group[key] = cloneState((this.spec.defaults as Record<string, StateValue>)[key]!);
      }
      for (const [key, value] of Object.entries(saved)) {
        if (key === "params") continue;
        const known = torchSpelling(key, current);
        if (known !== null)
          bad(
            `param group ${gi} has key '${key}', torch's spelling of '${known}' (descent's keys are camelCased)`,
          );
        if (!(key in current) && !(key in this.defaults)) continue; // keys a scheduler added are kept below
        group[key] = cloneState(value as StateValue);
      }
      for (const [key, value] of Object.entries(saved)) {
        if (key !== "params" && !(key in group)) group[key] = cloneState(value as StateValue);
      }
      group.params = current.params;
      try {
        this.spec.validate(group as unknown as O);
      } catch (e) {
        bad(`param group ${gi}: ${(e as Error).message}`);
      }
      return group as ParamGroup<O>;
    });
    const groupOf = new Map<Param, ParamGroup<O>>();
    for (const g of newGroups) for (const p of g.params) groupOf.set(p, g);
    const newState = new Map<Param, S>();
    for (const key of Object.keys(state)) {
      // only the canonical decimal index: '01' or '1.0' beside '1' would give one param two states
      const i = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
      const p = params[i];
      if (p === undefined)
        bad(
          `state key ${JSON.stringify(key)} is not a param index (expected one of 0…${params.length - 1}, written as stateDict() writes them)`,
        );
      const loaded = (state as Record<string, StateRecord>)[key]!;
      const why = this.checkLoadedState(p, loaded, groupOf.get(p)!, `state[${i}]`);
      if (why) bad(why);
      newState.set(p, loaded as S);
    }
    const attached = stateDict.attached;
    if (attached !== undefined) this.#checkAttached(attached, bad);
    const log: Buffer[] = [];
    try {
      logAllocations(log, () => {
        for (const [p, s] of newState) newState.set(p, this.materializeLoaded(s, p));
      });
    } catch (e) {
      for (const b of log) releaseBuffer(b);
      throw e;
    }
    // all checks passed: commit
    this.paramGroups.forEach((g, gi) => {
      for (const key of Object.keys(g)) delete (g as Record<string, unknown>)[key];
      Object.assign(g, newGroups[gi]);
    });
    for (const record of this.state.values()) releaseViews(record);
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    if (attached !== undefined) {
      for (const [n, c] of this.#attached) c.loadStateDict(attached[n] as never);
    }
  }

  /** The saved `attached` section must name exactly the attached components, each with a loadable state. */
  #checkAttached(
    attached: unknown,
    bad: (why: string) => never,
  ): asserts attached is Record<string, unknown> {
    if (attached === null || typeof attached !== "object" || Array.isArray(attached))
      bad(`'attached' must be an object of attached components' state dicts, got ${describe(attached)}`);
    for (const key of Object.keys(attached)) {
      if (!this.#attached.has(key))
        bad(
          `the state dict has attached['${key}'] but nothing is attached under that name (attach it before loading)`,
        );
    }
    for (const [n, c] of this.#attached) {
      if (!Object.hasOwn(attached, n))
        bad(`attached '${n}' is missing from the state dict's 'attached' section`);
      try {
        c.checkStateDict((attached as Record<string, unknown>)[n]);
      } catch (e) {
        bad(`attached '${n}': ${(e as Error).message}`);
      }
    }
  }

  /** Loaded state as this optimizer keeps it (default: buffers copied to where `p`'s data lives). */
  protected materializeLoaded(loaded: S, p: Param): S {
    return materializeState(loaded, p.data);
  }

  /** Why `loaded` is not valid state for `p`, or null. Default: the shape of a fresh `initState`. */
  protected checkLoadedState(p: Param, loaded: unknown, group: ParamGroup<O>, path: string): string | null {
    // the template is only compared, never stepped: plain arrays, so that checking takes nothing from the
    // arena (and a refused load has allocated nothing)
    const template = plainAllocations(() => {
      const t: Record<string, StateValue> = { ...(this.stateTemplate(p, group) as StateRecord) };
      const optional = this.spec.optionalState?.(p, group);
      if (optional !== undefined && loaded !== null && typeof loaded === "object") {
        for (const [key, value] of Object.entries(optional)) {
          if (Object.hasOwn(loaded, key)) t[key] = value;
          else delete t[key];
        }
      }
      return t;
    });
    return (
      stateMismatch(loaded, template, path, this.spec.flexibleArrays) ??
      negativeEntry(loaded, this.spec.nonNegativeState, path)
    );
  }

  /** What a param's state looks like (used only to check loaded state, made under `plainAllocations`). */
  protected stateTemplate(p: Param, group: ParamGroup<O>): S {
    return this.initState(p, group) ?? ({} as S);
  }
}

/**
 * The camelCased option `key` spells the torch way (`weight_decay` for `weightDecay`), or null. Such a key
 * would be kept beside the option and silently ignored.
 */
export function torchSpelling(key: string, options: object): string | null {
  if (!key.includes("_")) return null;
  const camel = key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return camel !== key && Object.hasOwn(options, camel) ? camel : null;
}

/** Where a never-negative state entry of `loaded` (`keys`) is negative, or null. */
export function negativeEntry(
  loaded: unknown,
  keys: readonly string[] | undefined,
  path: string,
): string | null {
  if (keys === undefined || loaded === null || typeof loaded !== "object") return null;
  for (const key of keys) {
    if (!Object.hasOwn(loaded, key)) continue;
    const v = (loaded as Record<string, unknown>)[key];
    if (typeof v === "number" && v < 0) return `${path}.${key} is ${v}, but it is never negative`;
    if (v instanceof Float32Array || v instanceof Float64Array) {
      for (let i = 0; i < v.length; i++) {
        if (v[i]! < 0) return `${path}.${key}[${i}] is ${v[i]}, but a ${key} entry is never negative`;
      }
    }
  }
  return null;
}

/** The shared body of `Optimizer.attach` and the wrappers' `attach`. */
function registerAttached(
  registry: Map<string, Attachable>,
  name: string,
  component: Attachable,
  where: string,
): HookHandle {
  if (typeof name !== "string" || name === "")
    optionError(`${where}.attach: name must be a non-empty string, got ${describe(name)}`);
  const c = component as Partial<Attachable> | null;
  if (
    c === null ||
    typeof c !== "object" ||
    typeof c.stateDict !== "function" ||
    typeof c.checkStateDict !== "function" ||
    typeof c.loadStateDict !== "function"
  )
    optionError(
      `${where}.attach: expected a component with stateDict, checkStateDict and loadStateDict, got ${describe(component)}`,
    );
  if (registry.has(name)) optionError(`${where}.attach: a component is already attached as '${name}'`);
  registry.set(name, component);
  return {
    remove: () => {
      if (registry.get(name) === component) registry.delete(name);
    },
  };
}

export function addHook<T>(set: Set<T>, hook: T): HookHandle {
  if (typeof hook !== "function") throw new OptionError(`hook must be a function, got ${describe(hook)}`);
  set.add(hook);
  return { remove: () => void set.delete(hook) };
}

export function paramLabel(p: Param, index: number): string {
  return p.name === undefined ? `param ${index}` : `param ${index} ('${p.name}')`;
}
