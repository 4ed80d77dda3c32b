// CyclicLR: the lr cycles between baseLr and maxLr along a triangle of stepSizeUp + stepSizeDown steps,
// the amplitude scaled by scaleFn(cycle) or scaleFn(iteration) (torch.optim.lr_scheduler.CyclicLR; Smith,
// "Cyclical Learning Rates for Training Neural Networks", 2017). Momentum (or Adam's β₁) cycles inversely
// between maxMomentum and baseMomentum. Closed form: lastEpoch counts batches.
// As torch: construction sets every group's lr to baseLr (so `initialLr` is baseLr unless a group already
// had one), the built-in modes force scaleMode ('cycle' for triangular*, 'iterations' for exp_range)
// whatever scaleMode says, and a custom scaleFn overrides mode. scaleFn is not part of the state dict.

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

/** torch's CyclicLR `mode`: the amplitude stays, halves every cycle, or decays by gamma per iteration. */
export type CyclicMode = "triangular" | "triangular2" | "exp_range";
/** torch's CyclicLR `scale_mode`: whether `scaleFn` takes the cycle number or the iteration. */
export type ScaleMode = "cycle" | "iterations";

export interface CyclicLROptions extends SchedulerBaseOptions {
  /** The low end of the cycle (torch's `base_lr`), one number or one per group. */
  baseLr: number | readonly number[];
  /** The high end of the cycle (torch's `max_lr`), one number or one per group. */
  maxLr: number | readonly number[];
  /** Default 2000. */
  stepSizeUp?: number;
  /** Default: stepSizeUp. */
  stepSizeDown?: number | null;
  /** Default "triangular". */
  mode?: CyclicMode;
  /** exp_range's base (default 1). */
  gamma?: number;
  /** Overrides mode: the amplitude factor of the cycle number (from 1) or of the iteration. */
  scaleFn?: ((x: number) => number) | null;
  /** Default "cycle". */
  scaleMode?: ScaleMode;
  /** Default true. */
  cycleMomentum?: boolean;
  /** Default 0.8. */
  baseMomentum?: number | readonly number[];
  /** Default 0.9. */
  maxMomentum?: number | readonly number[];
}

/**
 * Cycles each group's lr (and momentum) between two bounds; step it every batch.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.01, momentum: 0.9 });
 * const sched = new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: "triangular2" });
 * const lrs: number[] = [];
 * for (let i = 0; i < 8; i++) {
 *   lrs.push(sched.getLastLr()[0]!);
 *   sched.step();
 * }
 * lrs; // → [0.01, 0.055, 0.1, 0.055, 0.01, 0.0325, 0.055, 0.0325] (the second cycle has half the amplitude)
 * opt.paramGroups[0]!.momentum; // → 0.9 (momentum cycles the other way: max at the lowest lr)
 */
export class CyclicLR extends LRScheduler {
  readonly maxLrs: readonly number[];
  readonly totalSize: number;
  readonly stepRatio: number;
  readonly mode: CyclicMode;
  readonly gamma: number;
  readonly scaleMode: ScaleMode;
  readonly cycleMomentum: boolean;
  readonly baseMomentums: readonly number[] = [];
  readonly maxMomentums: readonly number[] = [];
  private readonly scaleFunction: (x: number) => number;
  private readonly useBeta1: boolean = false;

  constructor(optimizer: SchedulableOptimizer, options: CyclicLROptions) {
    super(optimizer, "CyclicLR", options?.groups, options);
    const name = this.name;
    const o = checkSchedulerOptions(
      options,
      [
        "baseLr",
        "maxLr",
        "stepSizeUp",
        "stepSizeDown",
        "mode",
        "gamma",
        "scaleFn",
        "scaleMode",
        "cycleMomentum",
        "baseMomentum",
        "maxMomentum",
      ],
      name,
    );
    const n = this.groupIndices.length;
    const baseLrs = perGroup(o.baseLr, "base_lr", n, name).map((v, i) =>
      nonNegative(v, `baseLr[${i}]`, name),
    );
    this.maxLrs = perGroup(o.maxLr, "max_lr", n, name).map((v, i) => nonNegative(v, `maxLr[${i}]`, name));
    const up = o.stepSizeUp ?? 2000;
    if (typeof up !== "number" || !Number.isFinite(up) || up <= 0) {
      optionError(`${name}: Invalid stepSizeUp: ${describe(up)} (expected a positive number of steps)`);
    }
    const down = o.stepSizeDown ?? up;
    if (typeof down !== "number" || !Number.isFinite(down) || down < 0) {
      optionError(`${name}: Invalid stepSizeDown: ${describe(down)} (expected a number of steps ≥ 0)`);
    }
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = o.mode ?? "triangular";
    const custom = o.scaleFn ?? null;
    if (custom !== null && typeof custom !== "function") {
      optionError(`${name}: Invalid scaleFn: ${describe(custom)} (expected a function or null)`);
    }
    if (!["triangular", "triangular2", "exp_range"].includes(mode as string) && custom === null) {
      optionError(`${name}: mode is invalid and scale_fn is None (mode ${describe(mode)})`);
    }
    this.mode = mode;
    this.gamma = nonNegative(o.gamma ?? 1, "gamma", name);
    const scaleMode = o.scaleMode ?? "cycle";
    if (scaleMode !== "cycle" && scaleMode !== "iterations") {
      optionError(`${name}: Invalid scaleMode: ${describe(scaleMode)} (expected "cycle" or "iterations")`);
    }
    if (custom !== null) {
      this.scaleFunction = custom;
      this.userFunctionLr = true;
      this.scaleMode = scaleMode;
    } else if (mode === "triangular") {
      this.scaleFunction = () => 1.0;
      this.scaleMode = "cycle";
    } else if (mode === "triangular2") {
      this.scaleFunction = (x) => 1 / 2.0 ** (x - 1);
      this.scaleMode = "cycle";
    } else {
      const gamma = this.gamma;
      this.scaleFunction = (x) => gamma ** x;
      this.scaleMode = "iterations";
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    if (typeof cycleMomentum !== "boolean") {
      optionError(`${name}: Invalid cycleMomentum: ${describe(cycleMomentum)} (expected true or false)`);
    }
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum) {
      this.useBeta1 = checkCanCycleMomentum(this.groups, name);
      this.baseMomentums = perGroup(o.baseMomentum ?? 0.8, "base_momentum", n, name).map((v, i) =>
        nonNegative(v, `baseMomentum[${i}]`, name),
      );
      this.maxMomentums = perGroup(o.maxMomentum ?? 0.9, "max_momentum", n, name).map((v, i) =>
        nonNegative(v, `maxMomentum[${i}]`, name),
      );
      checkCycledMomentum(this.baseMomentums, this.useBeta1, "baseMomentum", name);
      checkCycledMomentum(this.maxMomentums, this.useBeta1, "maxMomentum", name);
    }
    this.checkGroupLrs();
    // every option is valid: now write into the groups, as torch's constructor does
    this.groups.forEach((g, i) => {
      g.lr = baseLrs[i] as number;
      if (cycleMomentum) {
        writeMomentum(g, this.maxMomentums[i] as number, this.useBeta1);
        g.maxMomentum = this.maxMomentums[i];
        g.baseMomentum = this.baseMomentums[i];
      }
    });
    // torch's super().__init__ takes baseLrs from initialLr, steps, and only then sets baseLrs = base_lr
    for (const g of this.groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = baseLrs;
    this.lastEpoch = -1;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1.0 + this.lastEpoch / this.totalSize - cycle;
    const scale = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const arg = this.scaleMode === "cycle" ? cycle : this.lastEpoch;
    const lrs = this.baseLrs.map((base, i) => {
      const height = ((this.maxLrs[i] as number) - base) * scale;
      return base + height * this.scaleFunction(arg);
    });
    this.checkLrs(lrs);
    if (this.cycleMomentum) {
      const momentums = this.baseMomentums.map((base, i) => {
        const max = this.maxMomentums[i] as number;
        return max - (max - base) * scale * this.scaleFunction(arg);
      });
      momentums.forEach((m, i) => {
        if (!(Number.isFinite(m) && m >= 0 && (!this.useBeta1 || m < 1))) {
          optionError(
            `${this.name}: the scale function gives momentum ${m} for param group ${this.groupIndices[i]} at epoch ${this.lastEpoch}; nothing was changed`,
          );
        }
      });
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
