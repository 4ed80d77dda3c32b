// OneCycleLR: the 1cycle policy (Smith & Topin, "Super-Convergence", 2017; torch.optim.lr_scheduler.OneCycleLR).
// lr goes from maxLr/divFactor up to maxLr over pctStart·totalSteps steps, then anneals (cos or linear) to
// initialLr/finalDivFactor; with threePhase it first comes back down to initialLr symmetrically, then
// anneals to the minimum. Momentum (or Adam's β₁) moves the other way, maxMomentum ↔ baseMomentum.
// As torch: construction writes initialLr, maxLr and minLr (and maxMomentum/baseMomentum) into the groups,
// the phase ends are pctStart·totalSteps − 1 (and 2·pctStart·totalSteps − 2), and the step that would make
// lastEpoch exceed totalSteps throws "Tried to step 42 times. The specified number of total steps is 40".
// Note that torch lets lastEpoch reach totalSteps itself, where the last phase extrapolates past its end.

import { describe } from "../core/param.js";
import { optionError, nonNegative } from "../core/validate.js";
import {
  checkCanCycleMomentum,
  checkSchedulerOptions,
  LRScheduler,
  perGroup,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
  momentumState,
  prepareMomentum,
  writeMomentum,
} from "./lr-scheduler.js";
import { checkCycledMomentum } from "./momentum.js";

/** torch's OneCycleLR `anneal_strategy`: cosine or linear annealing. */
export type AnnealStrategy = "cos" | "linear";

export interface OneCycleLROptions extends SchedulerBaseOptions {
  /** The peak lr (torch's `max_lr`), one number or one per group. */
  maxLr: number | readonly number[];
  /** Either totalSteps, or epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, instead of totalSteps: totalSteps = epochs · stepsPerEpoch. */
  epochs?: number;
  /** Scheduler steps per epoch (torch's `steps_per_epoch`). */
  stepsPerEpoch?: number;
  /** Default 0.3. */
  pctStart?: number;
  /** Default "cos". */
  annealStrategy?: AnnealStrategy;
  /** Default true. */
  cycleMomentum?: boolean;
  /** Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** Default 25. */
  divFactor?: number;
  /** Default 1e4. */
  finalDivFactor?: number;
  /** Default false. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: "initialLr" | "maxLr" | "minLr";
  endLr: "initialLr" | "maxLr" | "minLr";
  startMomentum: "maxMomentum" | "baseMomentum";
  endMomentum: "maxMomentum" | "baseMomentum";
}

export function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

export function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * The one-cycle policy; step it every batch, totalSteps − 1 times in all.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1, momentum: 0.9 });
 * const sched = new OneCycleLR(opt, { maxLr: 1, epochs: 2, stepsPerEpoch: 5 }); // 10 steps in all
 * sched.getLastLr(); // → [0.04] (maxLr / divFactor 25)
 * sched.step();
 * sched.step();
 * sched.getLastLr(); // → [1] (the peak, at pctStart 0.3 · 10 − 1)
 * opt.paramGroups[0]!.momentum; // → 0.85 (momentum at its lowest)
 * for (let i = 0; i < 7; i++) sched.step();
 * sched.getLastLr(); // → [4e-6] (initial lr / finalDivFactor 1e4)
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly cycleMomentum: boolean;
  readonly annealStrategy: AnnealStrategy;
  private readonly phases: readonly Phase[];
  private readonly annealFn: (start: number, end: number, pct: number) => number;
  private readonly useBeta1: boolean = false;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super(optimizer, "OneCycleLR", options?.groups, options);
    const name = this.name;
    const o = checkSchedulerOptions(
      options,
      [
        "maxLr",
        "totalSteps",
        "epochs",
        "stepsPerEpoch",
        "pctStart",
        "annealStrategy",
        "cycleMomentum",
        "baseMomentum",
        "maxMomentum",
        "divFactor",
        "finalDivFactor",
        "threePhase",
      ],
      name,
    );
    if (o.totalSteps !== undefined && o.totalSteps !== null) {
      if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) {
        optionError(`${name}: Expected positive integer total_steps, but got ${describe(o.totalSteps)}`);
      }
      this.totalSteps = o.totalSteps;
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      if (!Number.isInteger(o.epochs) || o.epochs <= 0) {
        optionError(`${name}: Expected positive integer epochs, but got ${describe(o.epochs)}`);
      }
      if (!Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch <= 0) {
        optionError(
          `${name}: Expected positive integer steps_per_epoch, but got ${describe(o.stepsPerEpoch)}`,
        );
      }
      this.totalSteps = o.epochs * o.stepsPerEpoch;
    } else {
      optionError(`${name}: You must define either total_steps OR (epochs AND steps_per_epoch)`);
    }
    const pct = o.pctStart ?? 0.3;
    if (typeof pct !== "number" || !(pct >= 0 && pct <= 1)) {
      optionError(`${name}: Expected float between 0 and 1 pct_start, but got ${describe(pct)}`);
    }
    const strategy = o.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") {
      optionError(
        `${name}: anneal_strategy must be one of 'cos' or 'linear', instead got ${describe(strategy)}`,
      );
    }
    this.annealStrategy = strategy;
    this.annealFn = strategy === "cos" ? annealCos : annealLinear;
    const threePhase = o.threePhase ?? false;
    if (typeof threePhase !== "boolean") {
      optionError(`${name}: Invalid threePhase: ${describe(threePhase)} (expected true or false)`);
    }
    const total = this.totalSteps;
    this.phases = threePhase
      ? [
          {
            endStep: pct * total - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: 2 * pct * total - 2,
            startLr: "maxLr",
            endLr: "initialLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
          {
            endStep: total - 1,
            startLr: "initialLr",
            endLr: "minLr",
            startMomentum: "maxMomentum",
            endMomentum: "maxMomentum",
          },
        ]
      : [
          {
            endStep: pct * total - 1,
            startLr: "initialLr",
            endLr: "maxLr",
            startMomentum: "maxMomentum",
            endMomentum: "baseMomentum",
          },
          {
            endStep: total - 1,
            startLr: "maxLr",
            endLr: "minLr",
            startMomentum: "baseMomentum",
            endMomentum: "maxMomentum",
          },
        ];
    const n = this.groupIndices.length;
    const maxLrs = perGroup(o.maxLr, "max_lr", n, name).map((v, i) => nonNegative(v, `maxLr[${i}]`, name));
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    if (typeof divFactor !== "number" || !Number.isFinite(divFactor) || divFactor <= 0) {
      optionError(`${name}: Invalid divFactor: ${describe(divFactor)} (expected a positive number)`);
    }
    if (typeof finalDivFactor !== "number" || !Number.isFinite(finalDivFactor) || finalDivFactor <= 0) {
      optionError(
        `${name}: Invalid finalDivFactor: ${describe(finalDivFactor)} (expected a positive number)`,
      );
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    if (typeof cycleMomentum !== "boolean") {
      optionError(`${name}: Invalid cycleMomentum: ${describe(cycleMomentum)} (expected true or false)`);
    }
    this.cycleMomentum = cycleMomentum;
    let maxMomentums: number[] = [];
    let baseMomentums: number[] = [];
    if (cycleMomentum) {
      this.useBeta1 = checkCanCycleMomentum(this.groups, name);
      maxMomentums = perGroup(o.maxMomentum ?? 0.95, "max_momentum", n, name).map((v, i) =>
        nonNegative(v, `maxMomentum[${i}]`, name),
      );
      baseMomentums = perGroup(o.baseMomentum ?? 0.85, "base_momentum", n, name).map((v, i) =>
        nonNegative(v, `baseMomentum[${i}]`, name),
      );
      checkCycledMomentum(baseMomentums, this.useBeta1, "baseMomentum", name);
      checkCycledMomentum(maxMomentums, this.useBeta1, "maxMomentum", name);
    }
    this.checkGroupLrs();
    this.groups.forEach((g, i) => {
      g.initialLr = (maxLrs[i] as number) / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDivFactor;
      if (cycleMomentum) {
        writeMomentum(g, maxMomentums[i] as number, this.useBeta1);
        g.maxMomentum = maxMomentums[i];
        g.baseMomentum = baseMomentums[i];
      }
    });
    this.start();
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      optionError(
        `${this.name}: Tried to step ${stepNum} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    const lrs: number[] = [];
    const momentums: number[] = [];
    const last = this.phases.length - 1;
    for (const group of this.groups) {
      let startStep = 0.0;
      for (let i = 0; i <= last; i++) {
        const phase = this.phases[i] as Phase;
        if (stepNum <= phase.endStep || i === last) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          lrs.push(this.annealFn(group[phase.startLr] as number, group[phase.endLr] as number, pct));
          if (this.cycleMomentum) {
            momentums.push(
              this.annealFn(group[phase.startMomentum] as number, group[phase.endMomentum] as number, pct),
            );
          }
          break;
        }
        startStep = phase.endStep;
      }
    }
    if (this.cycleMomentum) {
      this.groups.forEach((g, i) => {
        writeMomentum(g, momentums[i] as number, this.useBeta1);
      });
    }
    return lrs;
  }

  protected override extraState(): Record<string, unknown> {
    return this.cycleMomentum ? momentumState(this.groups, this.useBeta1) : {};
  }

  protected override prepareExtraState(sd: Record<string, unknown>): () => void {
    return this.cycleMomentum ? prepareMomentum(sd, this.groups, this.useBeta1, this.name) : () => {};
  }
}
