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
import { optionError } from "../core/validate.js";
import { checkGroupSelection, checkOptimizer, rate } from "./scheduler-options.js";
import {
  checkStateDict,
  decodeNumber,
  encodeNumber,
  numberList,
  type SchedulerStateDict,
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
export {
  checkGroupSelection,
  checkOptimizer,
  checkOptions,
  nonNegativeInteger,
  perGroup,
  positiveInteger,
  rate,
} from "./scheduler-options.js";
export {
  checkStateDict,
  decodeNumber,
  encodeNumber,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./scheduler-state.js";

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
