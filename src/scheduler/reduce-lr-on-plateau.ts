// ReduceLROnPlateau: lr ← max(lr·factor, minLr) when the metric has not improved for more than `patience`
// steps, then wait `cooldown` steps (torch.optim.lr_scheduler.ReduceLROnPlateau). Improvement is relative
// (metric < best·(1 − threshold), or > best·(1 + threshold) in "max" mode) or absolute (± threshold);
// a reduction smaller than eps is skipped. Step it with the metric: `step(valLoss)`.
// As torch: construction changes nothing (no initial step, no initialLr), lastEpoch starts at 0, and a NaN
// metric counts as a bad epoch.

import { describe } from "../core/param.js";
import { optionError, integer, nonNegative } from "../core/validate.js";
import {
  checkLrList,
  checkSchedulerOptions,
  checkStateDict,
  decodeNumber,
  encodeNumber,
  LRScheduler,
  perGroup,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./lr-scheduler.js";

export interface ReduceLROnPlateauOptions extends SchedulerBaseOptions {
  /** Default "min". */
  mode?: "min" | "max";
  /** Default 0.1. */
  factor?: number;
  /** Default 10. */
  patience?: number;
  /** Default 1e-4. */
  threshold?: number;
  /** Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Default 0. */
  cooldown?: number;
  /** Default 0; one number or one per group. */
  minLr?: number | readonly number[];
  /** Default 1e-8. */
  eps?: number;
}

/**
 * Cuts the lr when a metric stops improving.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 1 });
 * for (const validationLoss of [1, 0.9, 0.95]) sched.step(validationLoss);
 * opt.paramGroups[0]!.lr; // → 0.1 (one epoch without improvement is within patience)
 * sched.step(0.92);
 * opt.paramGroups[0]!.lr; // → 0.05 (the second bad epoch in a row cuts it)
 * sched.step(0.8);
 * opt.paramGroups[0]!.lr; // → 0.05
 */
export class ReduceLROnPlateau extends LRScheduler {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly eps: number;
  minLrs: number[];
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer, "ReduceLROnPlateau", options?.groups, options);
    const name = this.name;
    const o = checkSchedulerOptions(
      options,
      ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"],
      name,
    );
    const factor = o.factor ?? 0.1;
    if (typeof factor === "number" && factor >= 1.0)
      optionError(`${name}: Factor should be < 1.0. (got ${factor})`);
    this.factor = nonNegative(factor, "factor", name);
    const n = this.groupIndices.length;
    if (Array.isArray(o.minLr) && o.minLr.length !== n) {
      optionError(`${name}: expected ${n} min_lrs, got ${o.minLr.length}`);
    }
    this.minLrs = perGroup(o.minLr ?? 0, "min_lr", n, name).map((v, i) =>
      nonNegative(v, `minLr[${i}]`, name),
    );
    this.patience = integer(o.patience ?? 10, "patience", 0, name);
    this.cooldown = integer(o.cooldown ?? 0, "cooldown", 0, name);
    const mode = o.mode ?? "min";
    if (mode !== "min" && mode !== "max") optionError(`${name}: mode ${describe(mode)} is unknown!`);
    this.mode = mode;
    const thresholdMode = o.thresholdMode ?? "rel";
    if (thresholdMode !== "rel" && thresholdMode !== "abs") {
      optionError(`${name}: threshold mode ${describe(thresholdMode)} is unknown!`);
    }
    this.thresholdMode = thresholdMode;
    this.threshold = nonNegative(o.threshold ?? 1e-4, "threshold", name);
    this.eps = nonNegative(o.eps ?? 1e-8, "eps", name);
    this.checkGroupLrs();
    this.best = this.modeWorse;
    this.lastEpoch = 0;
    this.lastLr = this.groups.map((g) => g.lr);
    this.baseLrs = this.groups.map((g) => g.lr);
  }

  get modeWorse(): number {
    return this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /**
   * Whether metric `a` improves on `best` by more than the threshold, in the scheduler's mode (torch's
   * `is_better`).
   */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1.0 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  protected computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** One step with the metric (e.g. the validation loss). */
  override step(metric?: number): void {
    if (typeof metric !== "number") {
      optionError(`${this.name}.step: expected the metric (a number), got ${describe(metric)}`);
    }
    this.lastEpoch = this.lastEpoch + 1;
    this.stepCount++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.#reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.groups.map((g) => g.lr);
  }

  #reduceLr(): void {
    this.groups.forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i] as number);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  override stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      lastLr: this.lastLr.map(encodeNumber),
      best: encodeNumber(this.best),
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      minLrs: [...this.minLrs],
      ...this.optionsState(),
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    const name = this.name;
    const sd = checkStateDict(stateDict, name);
    this.checkStateKeys(sd);
    const n = this.groupIndices.length;
    const lastEpoch = stateInteger(sd.lastEpoch, "lastEpoch", name);
    const stepCount = stateInteger(sd.stepCount, "stepCount", name, 0);
    const best = decodeNumber(sd.best, "best", name);
    const numBadEpochs = stateInteger(sd.numBadEpochs, "numBadEpochs", name, 0);
    const cooldownCounter = stateInteger(sd.cooldownCounter, "cooldownCounter", name, 0);
    const lists = [sd.lastLr, sd.minLrs].map((v, k) => {
      const label = k === 0 ? "lastLr" : "minLrs";
      if (!Array.isArray(v) || v.length !== n) stateError(name, `${label} must be an array of ${n} numbers`);
      return Array.from(v as unknown[], (x, i) => decodeNumber(x, `${label}[${i}]`, name));
    });
    checkLrList(lists[0] as number[], "lastLr", name);
    checkLrList(lists[1] as number[], "minLrs", name);
    const applyOptions = this.prepareOptions(sd);
    applyOptions();
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.best = best;
    this.numBadEpochs = numBadEpochs;
    this.cooldownCounter = cooldownCounter;
    this.minLrs = lists[1] as number[];
    this.writeLrs(lists[0] as number[]);
  }
}
