// ChainedScheduler: steps every scheduler in the list, in order, at each step
// (torch.optim.lr_scheduler.ChainedScheduler), so chainable schedulers compose multiplicatively.
// As torch: construction steps nothing, and getLastLr() is every group's lr (not only the driven ones).
// Beyond torch: the schedulers may drive different groups, and a ReduceLROnPlateau may be in the chain
// (torch #68978): `step(metric)` passes the metric to it.

import { optionError } from "../core/validate.js";
import {
  checkStateDict,
  decodeNumber,
  encodeNumber,
  LRScheduler,
  type SchedulerStateDict,
  stateError,
  stateInteger,
} from "./lr-scheduler.js";
import { ReduceLROnPlateau } from "./reduce-lr-on-plateau.js";
import { checkSubSchedulers, loadSubStates, stepWithMetric } from "./sequential-lr.js";

/**
 * Steps several schedulers together.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const sched = new ChainedScheduler([new ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new ExponentialLR(opt, { gamma: 0.9 })]);
 * sched.getLastLr(); // → [0.1]
 * sched.step();
 * sched.getLastLr(); // → [0.09]
 * sched.step();
 * sched.getLastLr(); // → [0.810] (the constant factor is lifted; the decay stays)
 */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];

  constructor(schedulers: readonly LRScheduler[]) {
    const list = checkSubSchedulers(schedulers, "ChainedScheduler", false);
    super((list[0] as LRScheduler).optimizer, "ChainedScheduler");
    this.schedulers = list;
    this.lastEpoch = 0;
    this.baseLrs = this.groups.map((g) => (g.initialLr ?? g.lr) as number);
    this.lastLr = this.groups.map((g) => g.lr);
  }

  protected computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** Steps every scheduler; `metric` goes to any ReduceLROnPlateau in the chain (required if there is one). */
  override step(metric?: number): void {
    if (metric === undefined && this.schedulers.some((s) => s instanceof ReduceLROnPlateau)) {
      optionError(
        `${this.name}.step: the chain holds a ReduceLROnPlateau, which needs the metric: step(metric)`,
      );
    }
    for (const s of this.schedulers) stepWithMetric(s, metric, this.name);
    this.lastEpoch++;
    this.stepCount++;
    this.lastLr = this.groups.map((g) => g.lr);
  }

  override stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      lastLr: this.lastLr.map(encodeNumber),
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    const sd = checkStateDict(stateDict, this.name);
    const lastEpoch = stateInteger(sd.lastEpoch, "lastEpoch", this.name, 0);
    const stepCount = stateInteger(sd.stepCount, "stepCount", this.name, 0);
    const n = this.groupIndices.length;
    if (!Array.isArray(sd.lastLr) || sd.lastLr.length !== n) {
      stateError(this.name, `lastLr must be an array of ${n} numbers`);
    }
    const lastLr = sd.lastLr.map((v, i) => decodeNumber(v, `lastLr[${i}]`, this.name));
    loadSubStates(this.schedulers, sd.schedulers, this.name);
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.writeLrs(lastLr);
  }
}
