// CosineAnnealingWarmRestarts: lr = etaMin + (baseLr − etaMin)·(1 + cos(π·tCur/tI))/2, where tCur counts
// steps since the last restart and the period tI starts at t0 and is multiplied by tMult at each restart
// (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts; SGDR, Loshchilov & Hutter 2016).
// step(epoch) takes a fractional epoch (e.g. epoch + i/iters every batch) and recomputes tCur/tI from it.
// As torch: with tMult 1 an explicit epoch ≥ t0 sets tCur = epoch mod t0 but leaves tI alone, and lastEpoch
// is ⌊epoch⌋.

import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";
import {
  checkSchedulerOptions,
  decodeNumber,
  encodeNumber,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
  stateError,
} from "./lr-scheduler.js";

export interface CosineAnnealingWarmRestartsOptions extends SchedulerBaseOptions {
  /** Steps until the first restart (torch's `T_0`). */
  t0: number;
  /** Default 1. */
  tMult?: number;
  /** Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing with warm restarts, steppable with fractional epochs.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
 * const iters = 2; // batches per epoch: step with the fractional epoch
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 3; epoch++)
 *   for (let i = 0; i < iters; i++) {
 *     sched.step(epoch + i / iters);
 *     lrs.push(sched.getLastLr()[0]!);
 *   }
 * lrs; // → [1, 0.8536, 0.5, 0.1464, 1, 0.9619] (restart at epoch 2; the next period is 4 epochs)
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly t0: number;
  readonly tMult: number;
  readonly etaMin: number;
  /** The current period. */
  tI: number;
  /** Steps (or fractional epochs) since the last restart. */
  tCur: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer, "CosineAnnealingWarmRestarts", options?.groups, options);
    const o = checkSchedulerOptions(options, ["t0", "tMult", "etaMin"], this.name);
    if (!Number.isInteger(o.t0) || o.t0 <= 0) {
      optionError(`${this.name}: Expected positive integer T_0, but got ${describe(o.t0)}`);
    }
    const tMult = o.tMult ?? 1;
    if (!Number.isInteger(tMult) || tMult < 1) {
      optionError(`${this.name}: Expected integer T_mult >= 1, but got ${describe(tMult)}`);
    }
    const etaMin = o.etaMin ?? 0;
    if (typeof etaMin !== "number" || !Number.isFinite(etaMin) || etaMin < 0) {
      optionError(`${this.name}: Invalid etaMin: ${describe(etaMin)} (expected a finite number ≥ 0)`);
    }
    this.t0 = o.t0;
    this.tI = o.t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tCur = -1;
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map(
      (base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2,
    );
  }

  /** One step, or a jump to `epoch` (fractional allowed, ≥ 0). */
  override step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== "number" || !(epoch >= 0) || !Number.isFinite(epoch))) {
      optionError(`${this.name}.step: Expected non-negative epoch, but got ${describe(epoch)}`);
    }
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    let tCur = this.tCur;
    let tI = this.tI;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      tCur = tCur + 1;
      if (tCur >= tI) {
        tCur = tCur - tI;
        tI = tI * this.tMult;
      }
    } else if (e >= this.t0) {
      if (this.tMult === 1) {
        tCur = e % this.t0;
      } else {
        // Python's int(math.log(x, base)): log(x)/log(base), truncated
        const n = Math.trunc(Math.log((e / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
        tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
        tI = this.t0 * this.tMult ** n;
      }
    } else {
      tI = this.t0;
      tCur = e;
    }
    this.tCur = tCur;
    this.tI = tI;
    this.lastEpoch = Math.floor(e);
    // torch's override of step() never counts _step_count up; nothing here reads it
    this.writeLrs(this.computeLr());
  }

  protected override extraState(): Record<string, unknown> {
    return { tI: this.tI, tCur: encodeNumber(this.tCur) };
  }

  protected override prepareExtraState(sd: Record<string, unknown>): () => void {
    const tI = decodeNumber(sd.tI, "tI", this.name);
    const tCur = decodeNumber(sd.tCur, "tCur", this.name);
    if (!(tI > 0)) stateError(this.name, `tI must be positive, got ${describe(sd.tI)}`);
    return () => {
      this.tI = tI;
      this.tCur = tCur;
    };
  }
}
