// SWALR: anneals each group's lr from its current value to swaLr over annealEpochs steps, then holds it
// (torch.optim.swa_utils.SWALR; Izmailov et al., "Averaging Weights Leads to Wider Optima", 2018).
// torch's chainable form: recover the lr the anneal started from out of the current lr and the previous
// alpha, then lr = swaLr·alpha + start·(1 − alpha), alpha = anneal(min(1, step/annealEpochs)), where
// anneal is (1 − cos(πt))/2 ("cos") or t ("linear"), and step = steps taken (at least 1 if annealEpochs 0).
// Construction writes swaLr into each group (as torch).

import { describe } from "../core/param.js";
import { optionError, integer, nonNegative } from "../core/validate.js";
import {
  checkSchedulerOptions,
  LRScheduler,
  perGroup,
  type SchedulableOptimizer,
  type SchedulerBaseOptions,
} from "./lr-scheduler.js";

export interface SWALROptions extends SchedulerBaseOptions {
  /** The lr annealed to (torch's `swa_lr`), one number or one per group. */
  swaLr: number | readonly number[];
  /** Default 10. */
  annealEpochs?: number;
  /** Default "cos". */
  annealStrategy?: "cos" | "linear";
}

/**
 * Anneals to a constant lr for stochastic weight averaging.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const swa = new SWALR(opt, { swaLr: 0.05, annealEpochs: 4, annealStrategy: "linear" });
 * swa.getLastLr(); // → [0.1]
 * swa.step();
 * swa.getLastLr(); // → [0.0875] (a quarter of the way to swaLr)
 * for (let i = 0; i < 5; i++) swa.step();
 * swa.getLastLr(); // → [0.05] (then held)
 */
export class SWALR extends LRScheduler {
  readonly annealEpochs: number;
  readonly annealStrategy: "cos" | "linear";
  private readonly annealFn: (t: number) => number;

  constructor(optimizer: SchedulableOptimizer, options: SWALROptions) {
    super(optimizer, "SWALR", options?.groups, options);
    const name = this.name;
    const o = checkSchedulerOptions(options, ["swaLr", "annealEpochs", "annealStrategy"], name);
    const swaLrs = perGroup(o.swaLr, "swa_lr", this.groupIndices.length, name).map((v, i) =>
      nonNegative(v, `swaLr[${i}]`, name),
    );
    const strategy = o.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") {
      optionError(
        `${name}: anneal_strategy must be one of 'cos' or 'linear', instead got ${describe(strategy)}`,
      );
    }
    this.annealStrategy = strategy;
    this.annealFn = strategy === "cos" ? (t) => (1 - Math.cos(Math.PI * t)) / 2 : (t) => t;
    if (!Number.isInteger(o.annealEpochs ?? 10) || (o.annealEpochs ?? 10) < 0) {
      optionError(`${name}: anneal_epochs must be equal or greater than 0, got ${describe(o.annealEpochs)}`);
    }
    this.annealEpochs = integer(o.annealEpochs ?? 10, "annealEpochs", 0, name);
    this.checkGroupLrs();
    this.groups.forEach((g, i) => {
      g.swaLr = swaLrs[i];
    });
    this.start();
  }

  protected computeLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const span = Math.max(1, this.annealEpochs);
    const prevAlpha = this.annealFn(Math.max(0, Math.min(1, (step - 1) / span)));
    const alpha = this.annealFn(Math.max(0, Math.min(1, step / span)));
    return this.groups.map((g) => {
      const swaLr = g.swaLr as number;
      const prevLr = prevAlpha === 1 ? swaLr : (g.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + prevLr * (1 - alpha);
    });
  }
}
