// The scheduler base, torch.optim.lr_scheduler.LRScheduler's observable behaviour: construction writes
// `initialLr` into each group that lacks one (torch's `setdefault`), takes the base lrs from it and makes the
// initial step (lastEpoch −1 → 0). `step()` advances lastEpoch, asks the subclass for the new lrs through
// torch's chainable `get_lr` (which reads the group's current lr), writes them into the groups and remembers
// them for `getLastLr()`. `step(epoch)` jumps, using the closed form where torch has one.
//
// The contract with optimizers is `paramGroups` only: a scheduler reads `group.initialLr`, writes `group.lr`
// (and momentum / betas where it cycles them). Nothing is patched into the optimizer. A wrapper such as
// Lookahead shares its inner optimizer's groups, so scheduling either is the same.
//
// A scheduler drives the groups that exist when it is built (or those listed in `groups`); a group added to
// the optimizer later is left alone (torch's chainable forms would also scale it; its closed forms would not).
//
// Differences from torch, both deliberate: a step that would throw (OneCycleLR past totalSteps) changes
// nothing; and `loadStateDict` writes the restored lrs back into the groups, so a scheduler restored over a
// fresh optimizer continues exactly (torch needs the optimizer's own state dict loaded too).

import type { BaseOptions } from "../core/optimizer.js";
import { describe } from "../core/param.js";
import { nonNegative, optionError } from "../core/validate.js";
import { checkGroupSelection, checkOptimizer } from "./scheduler-options.js";
import {
  checkStateDict,
  decodeNumber,
  encodeNumber,
  numberList,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./scheduler-state.js";

export {
  checkCanCycleMomentum,
  cyclesBeta1,
  momentumState,
  prepareMomentum,
  readMomentum,
  writeMomentum,
} from "./momentum.js";
export { checkGroupSelection, checkOptimizer, checkSchedulerOptions, perGroup } from "./scheduler-options.js";
export {
  checkStateDict,
  decodeNumber,
  encodeNumber,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./scheduler-state.js";

/**
 * A param group as a scheduler sees it: the options it reads and writes (`lr`, `initialLr`, momentum,
 * betas), whatever its params are: CPU params, or a descent-optim/webgpu optimizer's GPU params.
 */
export type SchedulableGroup = BaseOptions & { [key: string]: unknown };

/**
 * What a scheduler needs from an optimizer: its param groups' options. Any `OptimizerLike` has them, and so
 * does a descent-optim/webgpu optimizer: schedulers never touch the params.
 */
export interface SchedulableOptimizer {
  paramGroups: SchedulableGroup[];
}

/** Options every scheduler takes besides its own. */
export interface SchedulerBaseOptions {
  /**
   * Indices of the param groups this scheduler drives (default: all). The others are left alone, so two
   * schedulers can drive different groups of one optimizer. Per-group option lists follow this order.
   */
  groups?: readonly number[];
}

/**
 * The base of every scheduler. A subclass validates its options, then calls `start()`, and supplies
 * `computeLr()` (torch's chainable `get_lr`) and, where torch has one, `closedFormLr()`.
 */
export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  /** The class name (also the `type` of the state dict). */
  readonly name: string;
  /** The indices of the groups this scheduler drives. */
  readonly groupIndices: readonly number[];
  /** The number of steps taken (epochs, or batches, as you step). −1 before the initial step. */
  lastEpoch = -1;
  /** Each driven group's base lr (`initialLr` at construction). */
  baseLrs: number[] = [];
  /** How many times step() ran, the initial step included (torch's `_step_count`). */
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /**
   * The constructor's options but the function-valued ones, JSON-safe: saved in the state dict and restored
   * by loadStateDict, as torch saves and restores a scheduler's attributes. Undefined for schedulers built
   * from other schedulers (their parts carry their own).
   */
  #options: Record<string, unknown> | undefined;
  /** The function-valued options (torch does not save those either): kept across a load. */
  #functions: Record<string, unknown> = {};

  protected constructor(
    optimizer: SchedulableOptimizer,
    name: string,
    groups?: readonly number[],
    options?: object,
  ) {
    this.name = name;
    this.optimizer = checkOptimizer(optimizer, name);
    const selection = checkGroupSelection(groups, this.optimizer, name);
    this.groupIndices = selection ?? Object.freeze(this.optimizer.paramGroups.map((_g, i) => i));
    if (options !== null && typeof options === "object") {
      const saved: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(options)) {
        if (key === "groups" || value === undefined) continue;
        // a function, or a per-group list of them (LambdaLR's lrLambda)
        const isFunction = (v: unknown) => typeof v === "function";
        if (isFunction(value) || (Array.isArray(value) && value.some(isFunction)))
          this.#functions[key] = value;
        else saved[key] = encodeOption(value);
      }
      this.#options = saved;
    }
  }

  /** The param groups this scheduler drives, looked up live. */
  get groups(): SchedulableGroup[] {
    const all = this.optimizer.paramGroups;
    return this.groupIndices.map((i) => {
      const g = all[i];
      if (g === undefined) {
        optionError(`${this.name}: param group ${i} is gone (the optimizer has ${all.length} groups now)`);
      }
      return g;
    });
  }

  /** Every driven group's lr must be a finite number ≥ 0 (and so must an `initialLr` already there). */
  protected checkGroupLrs(): void {
    this.groups.forEach((g, i) => {
      nonNegative(g.lr, `lr of param group ${this.groupIndices[i]}`, this.name);
      if (g.initialLr !== undefined)
        nonNegative(g.initialLr, `initialLr of param group ${this.groupIndices[i]}`, this.name);
    });
  }

  /** torch's `__init__` with last_epoch = −1, then `_initial_step()`. */
  protected start(): void {
    for (const g of this.groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = this.groups.map((g) => g.initialLr as number);
    this.lastEpoch = -1;
    this.initialStep();
  }

  /** torch's `_initial_step` (SequentialLR calls it again on its first scheduler). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for the current `lastEpoch`, torch's chainable `get_lr` (may read the groups' current lr). */
  protected abstract computeLr(): number[];

  /** The closed form for `step(epoch)`, where torch has one. */
  protected closedFormLr?(): number[];

  /**
   * Advances one step, or jumps to `epoch` (torch's deprecated `step(epoch)`: the closed form where there is
   * one, else the chainable form at that epoch).
   */
  step(epoch?: number): void {
    const previousEpoch = this.lastEpoch;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch = previousEpoch + 1;
    } else {
      if (typeof epoch !== "number" || !Number.isFinite(epoch)) {
        optionError(`${this.name}.step: epoch must be a finite number, got ${describe(epoch)}`);
      }
      this.lastEpoch = epoch;
    }
    this.stepCount++;
    try {
      values = epoch !== undefined && this.closedFormLr ? this.closedFormLr() : this.computeLr();
      this.checkLrs(values);
    } catch (e) {
      this.lastEpoch = previousEpoch;
      this.stepCount--;
      throw e;
    }
    this.writeLrs(values);
  }

  /** Set by schedulers whose lr comes from a user's function: a negative lr from it is refused too. */
  protected userFunctionLr = false;

  /**
   * Refuses an lr that is NaN or infinite, or negative where a user's function made it (torch would write it
   * and train on it). torch's own arithmetic may land a hair below 0 (LinearLR to endFactor 0 gives about
   * −2e-20); that is kept, as in torch.
   */
  protected checkLrs(values: readonly number[]): void {
    values.forEach((lr, i) => {
      if (!(Number.isFinite(lr) && (lr >= 0 || !this.userFunctionLr))) {
        optionError(
          `${this.name}: the schedule gives lr ${lr} for param group ${this.groupIndices[i]} at epoch ${this.lastEpoch} (expected a finite number${this.userFunctionLr ? " ≥ 0" : ""}); nothing was changed`,
        );
      }
    });
  }

  /** Writes one lr per driven group into the groups and into `getLastLr()`. */
  protected writeLrs(values: readonly number[]): void {
    const groups = this.groups;
    groups.forEach((g, i) => {
      g.lr = values[i] as number;
    });
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The lr of each driven group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Everything needed to continue exactly. Function-valued options are not included (as in torch). */
  stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      lastEpoch: encodeNumber(this.lastEpoch),
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: this.lastLr.map(encodeNumber),
      ...this.extraState(),
      ...this.optionsState(),
    };
  }

  /** Refuses a key `stateDict()` does not write (a renamed or foreign entry would be ignored silently). */
  protected checkStateKeys(sd: Record<string, unknown>): void {
    const known = new Set(Object.keys(this.stateDict()));
    known.add("options");
    for (const key of Object.keys(sd)) {
      if (!known.has(key)) stateError(this.name, `unexpected key '${key}'`);
    }
  }

  /** `{ options }` for the state dict (a copy), or nothing for a scheduler without its own options. */
  protected optionsState(): { options?: Record<string, unknown> } {
    return this.#options === undefined ? {} : { options: structuredClone(this.#options) };
  }

  /**
   * Checks a state dict's saved options and returns what restores them: a scheduler of this class is built
   * from them (over a copy of the groups, with this one's function-valued options), so they are checked as
   * the constructor checks them, and its option-derived fields replace this one's. A state dict without
   * options (converted from torch's) keeps the constructor's.
   */
  protected prepareOptions(sd: Record<string, unknown>): () => void {
    const saved = sd.options;
    if (saved === undefined || this.#options === undefined) return () => {};
    if (saved === null || typeof saved !== "object" || Array.isArray(saved))
      stateError(this.name, `options must be an object of the scheduler's options, got ${describe(saved)}`);
    if (canonicalJson(saved) === canonicalJson(this.#options)) return () => {};
    const Class = this.constructor as new (optimizer: SchedulableOptimizer, options: object) => LRScheduler;
    const shadow = { paramGroups: this.optimizer.paramGroups.map((g) => ({ ...g })) };
    let built: LRScheduler;
    try {
      built = new Class(shadow, {
        ...(decodeOption(saved) as object),
        ...this.#functions,
        groups: [...this.groupIndices],
      });
    } catch (e) {
      stateError(this.name, `the saved options are not valid ${this.name} options: ${(e as Error).message}`);
    }
    return () => {
      for (const [key, value] of Object.entries(built)) {
        if (!STATE_FIELDS.has(key)) (this as unknown as Record<string, unknown>)[key] = value;
      }
      this.#options = built.#options;
    };
  }

  /**
   * Restores `stateDict()`'s output, checked whole before anything changes, and writes the restored lrs
   * into the driven groups. The saved options replace the constructor's, as in torch (function-valued
   * options are not saved: those stay the constructor's).
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const sd = checkStateDict(stateDict, this.name);
    this.checkStateKeys(sd);
    const n = this.groupIndices.length;
    const lastEpoch = decodeNumber(sd.lastEpoch, "lastEpoch", this.name);
    const stepCount = stateInteger(sd.stepCount, "stepCount", this.name, 0);
    const baseLrs = numberList(sd.baseLrs, n, "baseLrs", this.name);
    const lastLr = numberList(sd.lastLr, n, "lastLr", this.name);
    checkLrList(baseLrs, "baseLrs", this.name);
    checkLrList(lastLr, "lastLr", this.name);
    const applyOptions = this.prepareOptions(sd);
    const applyExtra = this.prepareExtraState(sd);
    applyOptions();
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.baseLrs = baseLrs;
    applyExtra();
    this.writeLrs(lastLr);
  }

  /** A subclass's own state (JSON values). */
  protected extraState(): Record<string, unknown> {
    return {};
  }

  /** Validates a subclass's own state and returns what applies it (so a bad dict changes nothing). */
  protected prepareExtraState(_sd: Record<string, unknown>): () => void {
    return () => {};
  }
}

/** Fields of the base that are state or identity, never taken from a scheduler built from saved options. */
const STATE_FIELDS = new Set([
  "optimizer",
  "name",
  "groupIndices",
  "lastEpoch",
  "baseLrs",
  "stepCount",
  "lastLr",
]);

/** An option value as JSON: non-finite numbers as strings (as in the rest of the state dict), arrays copied. */
function encodeOption(value: unknown): unknown {
  if (typeof value === "number") return encodeNumber(value);
  if (Array.isArray(value)) return value.map(encodeOption);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeOption(v)]));
  }
  return value;
}

function decodeOption(value: unknown): unknown {
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (value === "NaN") return Number.NaN;
  if (Array.isArray(value)) return value.map(decodeOption);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeOption(v)]));
  }
  return value;
}

/** JSON with keys sorted, so two option records compare by content. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/** A saved lr list must hold finite numbers: a NaN there would only fail later, in the optimizer. */
export function checkLrList(values: readonly number[], label: string, where: string): void {
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) stateError(where, `${label}[${i}] is ${v}, not a finite lr`);
  });
}
