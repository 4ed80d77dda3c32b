// ParamScheduler: schedules any hyperparameter of the param groups, not only lr (optax #1426): weight
// decay, momentum, eps, or β₁/β₂ of Adam's betas. Each step writes schedule(lastEpoch) into the key of
// every driven group ("absolute"), or that value times the group's value at construction ("relative").
// Like the lr schedulers it makes its initial step at construction (lastEpoch −1 → 0) and resumes exactly
// from its state dict; the schedule functions are not part of it (build it with the same ones).

import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";
import {
  checkGroupSelection,
  checkOptimizer,
  checkSchedulerOptions,
  checkStateDict,
  decodeNumber,
  type SchedulableGroup,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./lr-scheduler.js";

export interface ParamSchedulerOptions extends SchedulerBaseOptions {
  /** A numeric group option ("weightDecay", "momentum", "eps", "lr", …), or "beta1" / "beta2" for betas. */
  key: string;
  /** The value at each step (0-based), or one schedule per driven group (a `schedule.*` function fits). */
  schedule: ((step: number) => number) | ReadonlyArray<(step: number) => number>;
  /** "absolute" (default): write the value; "relative": multiply the group's value at construction by it. */
  mode?: "absolute" | "relative";
}

const BETA_INDEX: Readonly<Record<string, number>> = { beta1: 0, beta2: 1 };

/**
 * Schedules one hyperparameter of the param groups.
 * @example
 * const opt = new AdamW([param([0])], { lr: 1e-3, weightDecay: 0.05 });
 * const wd = new ParamScheduler(opt, { key: "weightDecay", schedule: schedule.linear({ init: 0.05, end: 0.5, steps: 10 }) });
 * const b1 = new ParamScheduler(opt, { key: "beta1", schedule: () => 0.95 });
 * opt.paramGroups[0]!.betas; // → [0.95, 0.999]
 * for (let i = 0; i < 5; i++) {
 *   // opt.step() goes here
 *   wd.step();
 *   b1.step();
 * }
 * opt.paramGroups[0]!.weightDecay; // → 0.275 (halfway from 0.05 to 0.5)
 */
export class ParamScheduler {
  readonly name = "ParamScheduler";
  readonly optimizer: SchedulableOptimizer;
  readonly key: string;
  readonly mode: "absolute" | "relative";
  readonly groupIndices: readonly number[];
  /** Each driven group's value at construction (restored by loadStateDict, for "relative"). */
  initialValues: readonly number[];
  lastEpoch = -1;
  #schedules: ReadonlyArray<(step: number) => number>;
  #lastValues: number[] = [];

  constructor(optimizer: SchedulableOptimizer, options: ParamSchedulerOptions) {
    const name = this.name;
    this.optimizer = checkOptimizer(optimizer, name);
    const o = checkSchedulerOptions(options, ["key", "schedule", "mode"], name);
    this.groupIndices =
      checkGroupSelection(o.groups, this.optimizer, name) ??
      Object.freeze(this.optimizer.paramGroups.map((_g, i) => i));
    if (typeof o.key !== "string" || o.key === "params") {
      optionError(`${name}: Invalid key: ${describe(o.key)} (expected the name of a numeric group option)`);
    }
    this.key = o.key;
    const mode = o.mode ?? "absolute";
    if (mode !== "absolute" && mode !== "relative") {
      optionError(`${name}: Invalid mode: ${describe(mode)} (expected "absolute" or "relative")`);
    }
    this.mode = mode;
    const n = this.groupIndices.length;
    const list = Array.isArray(o.schedule) ? o.schedule : new Array(n).fill(o.schedule);
    if (Array.isArray(o.schedule) && o.schedule.length !== n) {
      optionError(`${name}: expected ${n} schedules (one per driven group), got ${o.schedule.length}`);
    }
    for (const f of list) {
      if (typeof f !== "function")
        optionError(`${name}: Invalid schedule: ${describe(f)} (expected a function of the step)`);
    }
    this.#schedules = list;
    this.initialValues = Object.freeze(
      this.groups.map((g, i) => {
        const v = this.#read(g);
        if (typeof v !== "number" || !Number.isFinite(v)) {
          optionError(
            `${name}: param group ${this.groupIndices[i]} has no numeric '${this.key}' (got ${describe(v)})`,
          );
        }
        return v;
      }),
    );
    this.step();
  }

  get groups(): SchedulableGroup[] {
    const all = this.optimizer.paramGroups;
    return this.groupIndices.map((i) => {
      const g = all[i];
      if (g === undefined) optionError(`${this.name}: param group ${i} is gone`);
      return g;
    });
  }

  #read(g: SchedulableGroup): unknown {
    const beta = BETA_INDEX[this.key];
    if (beta !== undefined) return Array.isArray(g.betas) ? g.betas[beta] : undefined;
    return g[this.key];
  }

  #write(g: SchedulableGroup, value: number): void {
    const beta = BETA_INDEX[this.key];
    if (beta !== undefined) {
      const betas = [...(g.betas as number[])];
      betas[beta] = value;
      g.betas = betas;
    } else {
      g[this.key] = value;
    }
  }

  #check(value: number, i: number, epoch: number): void {
    const isBeta = BETA_INDEX[this.key] !== undefined;
    const ok = Number.isFinite(value) && value >= 0 && (!isBeta || value < 1);
    if (!ok) {
      optionError(
        `${this.name}: the schedule gives ${this.key} = ${value} for param group ${this.groupIndices[i]} at step ${epoch} (expected ${isBeta ? "a number in [0, 1)" : "a finite number ≥ 0"})`,
      );
    }
  }

  /** Advances one step and writes the scheduled values (all checked before any is written). */
  step(): void {
    const epoch = this.lastEpoch + 1;
    const values = this.#schedules.map((f, i) => {
      const v = f(epoch);
      const value = this.mode === "relative" ? (this.initialValues[i] as number) * v : v;
      this.#check(value, i, epoch);
      return value;
    });
    this.#apply(values);
    this.lastEpoch = epoch;
  }

  #apply(values: readonly number[]): void {
    const groups = this.groups;
    groups.forEach((g, i) => {
      this.#write(g, values[i] as number);
    });
    this.#lastValues = [...values];
  }

  /** The value written into each driven group at the last step. */
  getLastValue(): number[] {
    return [...this.#lastValues];
  }

  /** The scheduler's state (its key, step and values), for `loadStateDict` or a checkpoint. */
  stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      key: this.key,
      lastEpoch: this.lastEpoch,
      initialValues: [...this.initialValues],
      lastValues: [...this.#lastValues],
    };
  }

  /** Restores the position and writes the saved values back into the groups. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const sd = checkStateDict(stateDict, this.name);
    if (sd.key !== this.key)
      stateError(this.name, `this state dict schedules ${describe(sd.key)}, not '${this.key}'`);
    const lastEpoch = stateInteger(sd.lastEpoch, "lastEpoch", this.name, 0);
    const n = this.groupIndices.length;
    if (!Array.isArray(sd.lastValues) || sd.lastValues.length !== n) {
      stateError(this.name, `lastValues must be an array of ${n} numbers, got ${describe(sd.lastValues)}`);
    }
    const values = sd.lastValues.map((v, i) => decodeNumber(v, `lastValues[${i}]`, this.name));
    values.forEach((v, i) => {
      this.#check(v, i, lastEpoch);
    });
    if (!Array.isArray(sd.initialValues) || sd.initialValues.length !== n) {
      stateError(
        this.name,
        `initialValues must be an array of ${n} numbers, got ${describe(sd.initialValues)}`,
      );
    }
    const initial = sd.initialValues.map((v, i) => decodeNumber(v, `initialValues[${i}]`, this.name));
    this.initialValues = Object.freeze(initial);
    this.#apply(values);
    this.lastEpoch = lastEpoch;
  }
}
