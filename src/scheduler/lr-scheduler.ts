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

import type { OptimizerLike, ParamGroup } from "../core/optimizer.js";
import { describe } from "../core/param.js";
import { knownKeys, optionError } from "../core/validate.js";

/** What a scheduler needs from an optimizer: its param groups (any `OptimizerLike` has them). */
export type SchedulableOptimizer = Pick<OptimizerLike, "paramGroups">;

/** Options every scheduler takes besides its own. */
export interface SchedulerBaseOptions {
  /**
   * Indices of the param groups this scheduler drives (default: all). The others are left alone, so two
   * schedulers can drive different groups of one optimizer. Per-group option lists follow this order.
   */
  groups?: readonly number[];
}

/** A scheduler's state: JSON values only (non-finite numbers as the strings "Infinity", "-Infinity", "NaN"). */
export interface SchedulerStateDict {
  type: string;
  [key: string]: unknown;
}

export function checkOptimizer(optimizer: unknown, where: string): SchedulableOptimizer {
  const o = optimizer as SchedulableOptimizer | null;
  if (o === null || typeof o !== "object" || !Array.isArray(o.paramGroups)) {
    optionError(`${where}: expected an optimizer (an object with paramGroups), got ${describe(optimizer)}`);
  }
  if (o.paramGroups.length === 0) optionError(`${where}: the optimizer has no param groups`);
  return o;
}

/** Checks the `groups` option; null means every group. */
export function checkGroupSelection(
  groups: unknown,
  optimizer: SchedulableOptimizer,
  where: string,
): readonly number[] | null {
  if (groups === undefined) return null;
  if (!Array.isArray(groups) || groups.length === 0) {
    optionError(`${where}: groups must be a non-empty array of param group indices, got ${describe(groups)}`);
  }
  const n = optimizer.paramGroups.length;
  const seen = new Set<number>();
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 0 || g >= n) {
      optionError(`${where}: groups lists ${describe(g)}, but the optimizer has param groups 0..${n - 1}`);
    }
    if (seen.has(g)) optionError(`${where}: groups lists param group ${g} twice`);
    seen.add(g);
  }
  return Object.freeze([...groups] as number[]);
}

/** torch's `_format_param`: one value for every group, or a list with exactly one per group. */
export function perGroup(value: unknown, name: string, count: number, where: string): number[] {
  if (Array.isArray(value)) {
    if (value.length !== count) {
      optionError(
        `${where}: ${name} must have the same length as optimizer.param_groups. ${name} has ${value.length} values, param_groups has ${count}.`,
      );
    }
    return [...value] as number[];
  }
  return new Array<number>(count).fill(value as number);
}

/** A finite number ≥ 0 (a rate or a factor); NaN, ±Infinity and negatives are refused. */
export function rate(value: unknown, label: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a finite number ≥ 0)`);
  }
  return value;
}

export function positiveInteger(value: unknown, label: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a positive integer)`);
  }
  return value as number;
}

export function nonNegativeInteger(value: unknown, label: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected an integer ≥ 0)`);
  }
  return value as number;
}

/** Checks an options object: an object, only known keys (typos such as `step_size` are caught). */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  where: string,
): T {
  const o = (options ?? {}) as T;
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    optionError(`${where}: options must be an object, got ${describe(options)}`);
  }
  knownKeys(o, [...known, "groups"], where);
  return o;
}

/** Non-finite numbers as strings, so a state dict survives JSON.stringify/parse. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function decodeNumber(value: unknown, label: string, where: string): number {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (value === "NaN") return Number.NaN;
  return stateError(where, `${label} must be a number, got ${describe(value)}`);
}

export function stateError(where: string, message: string): never {
  return optionError(`${where}.loadStateDict: ${message}`);
}

function numberList(value: unknown, length: number, label: string, where: string): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    stateError(where, `${label} must be an array of ${length} numbers, got ${describe(value)}`);
  }
  return value.map((v, i) => decodeNumber(v, `${label}[${i}]`, where));
}

export function stateInteger(
  value: unknown,
  label: string,
  where: string,
  min = Number.NEGATIVE_INFINITY,
): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    stateError(
      where,
      `${label} must be an integer${min > -Infinity ? ` ≥ ${min}` : ""}, got ${describe(value)}`,
    );
  }
  return value as number;
}

export function checkStateDict(stateDict: unknown, type: string): Record<string, unknown> {
  if (stateDict === null || typeof stateDict !== "object" || Array.isArray(stateDict)) {
    stateError(type, `expected a state dict object, got ${describe(stateDict)}`);
  }
  const sd = stateDict as Record<string, unknown>;
  if (sd.type !== type) stateError(type, `this state dict is from ${describe(sd.type)}, not ${type}`);
  return sd;
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

  protected constructor(optimizer: SchedulableOptimizer, name: string, groups?: readonly number[]) {
    this.name = name;
    this.optimizer = checkOptimizer(optimizer, name);
    const selection = checkGroupSelection(groups, this.optimizer, name);
    this.groupIndices = selection ?? Object.freeze(this.optimizer.paramGroups.map((_g, i) => i));
  }

  /** The param groups this scheduler drives, looked up live. */
  get groups(): ParamGroup[] {
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
      rate(g.lr, `lr of param group ${this.groupIndices[i]}`, this.name);
      if (g.initialLr !== undefined)
        rate(g.initialLr, `initialLr of param group ${this.groupIndices[i]}`, this.name);
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
    };
  }

  /**
   * Restores `stateDict()`'s output, checked whole before anything changes, and writes the restored lrs
   * into the driven groups. The options are the constructor's: build the scheduler with the same ones.
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const sd = checkStateDict(stateDict, this.name);
    const n = this.groupIndices.length;
    const lastEpoch = decodeNumber(sd.lastEpoch, "lastEpoch", this.name);
    const stepCount = stateInteger(sd.stepCount, "stepCount", this.name, 0);
    const baseLrs = numberList(sd.baseLrs, n, "baseLrs", this.name);
    const lastLr = numberList(sd.lastLr, n, "lastLr", this.name);
    const applyExtra = this.prepareExtraState(sd);
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

/** Reads a group's momentum for cycling: `momentum`, or β₁ of `betas`. */
export function cyclesBeta1(group: ParamGroup): boolean {
  return Array.isArray(group.betas);
}

export function checkCanCycleMomentum(groups: readonly ParamGroup[], where: string): boolean {
  const useBeta1 = groups.some(cyclesBeta1);
  for (const g of groups) {
    if (useBeta1 ? !cyclesBeta1(g) : typeof g.momentum !== "number") {
      optionError(
        `${where}: optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled`,
      );
    }
  }
  return useBeta1;
}

/** Writes momentum, or β₁ (a new betas array, the rest kept), as torch does. */
export function writeMomentum(group: ParamGroup, value: number, useBeta1: boolean): void {
  if (useBeta1) {
    const betas = group.betas as readonly number[];
    group.betas = [value, ...betas.slice(1)];
  } else {
    group.momentum = value;
  }
}

export function readMomentum(group: ParamGroup, useBeta1: boolean): number {
  return useBeta1 ? ((group.betas as readonly number[])[0] as number) : (group.momentum as number);
}

/** The cycled momentum of each group, for the state dict of a scheduler that cycles it. */
export function momentumState(groups: readonly ParamGroup[], useBeta1: boolean): Record<string, unknown> {
  return { lastMomentum: groups.map((g) => readMomentum(g, useBeta1)) };
}

/** Checks a saved `lastMomentum` and returns what writes it back into the groups. */
export function prepareMomentum(
  sd: Record<string, unknown>,
  groups: readonly ParamGroup[],
  useBeta1: boolean,
  where: string,
): () => void {
  const saved = sd.lastMomentum;
  // a state dict converted from torch has none (torch keeps it in the optimizer); the next step recomputes it
  if (saved === undefined) return () => {};
  if (!Array.isArray(saved) || saved.length !== groups.length) {
    stateError(where, `lastMomentum must be an array of ${groups.length} numbers, got ${describe(saved)}`);
  }
  const values = saved.map((v, i) => decodeNumber(v, `lastMomentum[${i}]`, where));
  return () => {
    groups.forEach((g, i) => {
      writeMomentum(g, values[i] as number, useBeta1);
    });
  };
}
