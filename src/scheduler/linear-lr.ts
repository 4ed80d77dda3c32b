// LinearLR: the factor goes linearly from startFactor to endFactor over totalIters epochs
// (torch.optim.lr_scheduler.LinearLR). Chainable form, as torch: at epoch 0 lr · startFactor, then
// lr · (1 + (end − start) / (totalIters·start + (epoch − 1)·(end − start))) up to totalIters. With endFactor 0
// that product can end a hair below 0 (about −2e-20 · lr) instead of at 0, in torch as here.

import { optionError, integer } from "../core/validate.js";
import { describe } from "../core/param.js";
import {
  checkSchedulerOptions,
  LRScheduler,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";

export interface LinearLROptions extends SchedulerBaseOptions {
  /** Default 1/3. */
  startFactor?: number;
  /** Default 1. */
  endFactor?: number;
  /** Default 5. */
  totalIters?: number;
}

/**
 * Scales each group's lr by a factor that changes linearly (a warmup, or a linear decay).
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 4 });
 * warmup.getLastLr(); // → [0.01]
 * warmup.step();
 * warmup.step();
 * warmup.getLastLr(); // → [0.055] (factor 0.1 + 0.9 · 2/4)
 * warmup.step();
 * warmup.step();
 * warmup.step();
 * warmup.getLastLr(); // → [0.1] (holds after totalIters)
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super(optimizer, "LinearLR", options?.groups, options);
    const o = checkSchedulerOptions(options, ["startFactor", "endFactor", "totalIters"], this.name);
    const start = o.startFactor ?? 1 / 3;
    const end = o.endFactor ?? 1;
    if (typeof start !== "number" || !(start > 0 && start <= 1)) {
      optionError(
        `${this.name}: Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got ${describe(start)}`,
      );
    }
    if (typeof end !== "number" || !(end >= 0 && end <= 1)) {
      optionError(
        `${this.name}: Ending multiplicative factor expected to be between 0 and 1, got ${describe(end)}`,
      );
    }
    this.startFactor = start;
    this.endFactor = end;
    // torch accepts 0 and then divides by zero in the closed form
    this.totalIters = integer(o.totalIters ?? 5, "totalIters", 1, this.name);
    this.checkGroupLrs();
    this.start();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const d = this.endFactor - this.startFactor;
    return this.groups.map(
      (g) => g.lr * (1.0 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)),
    );
  }

  protected override closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map(
      (base) => base * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters),
    );
  }
}
