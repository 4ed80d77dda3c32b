// SequentialLR: hands the steps to one scheduler after another, switching at the milestones
// (torch.optim.lr_scheduler.SequentialLR). As torch: construction resets every group's lr to initialLr,
// counts every sub-scheduler's lastEpoch one back (undoing their construction steps) and re-runs the first
// one's initial step; at a milestone the next scheduler is restarted with step(0) (its closed form at 0).
// Beyond torch: a ReduceLROnPlateau may be one of the phases (torch #68978): `step(metric)` passes the metric
// to it, e.g. linear warmup then plateau; at its milestone the lrs go back to initialLr first, as
// step(0) restarts any other scheduler at its base lr. And the state dict resumes exactly (torch #65342/#60265): every
// sub-scheduler's state and the groups' lrs are restored together.

import { describe } from "../core/param.js";
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

/** Options of `SequentialLR` (torch's `schedulers` and `milestones`). */
export interface SequentialLROptions {
  /** The schedulers to run in turn, all over the same optimizer. */
  schedulers: readonly LRScheduler[];
  /** One fewer than schedulers; the step at which each next scheduler takes over. */
  milestones: readonly number[];
}

/** Checks that every scheduler drives the same groups of the same optimizer as the first. */
export function checkSubSchedulers(
  schedulers: unknown,
  where: string,
  sameGroups: boolean,
): readonly LRScheduler[] {
  if (!Array.isArray(schedulers) || schedulers.length < 1) {
    optionError(`${where} expects at least one scheduler, but got ${describe(schedulers)}`);
  }
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler)) {
      optionError(`${where}: scheduler at index ${i} is not a scheduler, got ${describe(s)}`);
    }
  });
  const list = schedulers as LRScheduler[];
  const first = list[0] as LRScheduler;
  list.forEach((s, i) => {
    if (s.optimizer.paramGroups !== first.optimizer.paramGroups) {
      optionError(
        `${where} expects all schedulers to belong to the same optimizer, but got scheduler ${s.name} at index ${i} with a different one`,
      );
    }
    if (sameGroups && s.groupIndices.join() !== first.groupIndices.join()) {
      optionError(
        `${where}: scheduler ${s.name} at index ${i} drives groups [${s.groupIndices}], the first drives [${first.groupIndices}]`,
      );
    }
  });
  return list;
}

/** Steps a sub-scheduler, passing the metric to those that take one. */
export function stepWithMetric(s: LRScheduler, metric: number | undefined, where: string): void {
  if (s instanceof ReduceLROnPlateau) {
    if (metric === undefined) {
      optionError(`${where}.step: ReduceLROnPlateau is active and needs the metric: step(metric)`);
    }
    s.step(metric);
  } else if (s instanceof SequentialLR || s.name === "ChainedScheduler") {
    s.step(metric);
  } else {
    s.step();
  }
}

function undo(s: LRScheduler): void {
  const subs = (s as { schedulers?: readonly LRScheduler[] }).schedulers;
  if (subs) for (const sub of subs) undo(sub);
  else s.lastEpoch -= 1;
}

/**
 * Runs schedulers one after another.
 * @example
 * const opt = new SGD([param([0])], { lr: 1 });
 * const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 2 });
 * const cosine = new CosineAnnealingLR(opt, { tMax: 4 });
 * const sched = new SequentialLR(opt, { schedulers: [warmup, cosine], milestones: [2] });
 * const lrs: number[] = [];
 * for (let epoch = 0; epoch < 7; epoch++) {
 *   lrs.push(sched.getLastLr()[0]!);
 *   sched.step();
 * }
 * lrs; // → [0.1, 0.55, 1, 0.8536, 0.5, 0.1464, 0] (linear warmup, then the cosine from epoch 2)
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];

  constructor(optimizer: LRScheduler["optimizer"], options: SequentialLROptions) {
    const name = "SequentialLR";
    const list = checkSubSchedulers(options?.schedulers, name, true);
    super(optimizer, name, (list[0] as LRScheduler).groupIndices);
    if ((list[0] as LRScheduler).optimizer.paramGroups !== optimizer.paramGroups) {
      optionError(`${name} expects all schedulers to belong to the same optimizer, but got a different one`);
    }
    const milestones = options.milestones;
    if (!Array.isArray(milestones) || milestones.length !== list.length - 1) {
      optionError(
        `${name}: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${list.length} and the number of milestones to be equal to ${Array.isArray(milestones) ? milestones.length : describe(milestones)}`,
      );
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0 || (i > 0 && m < (milestones[i - 1] as number))) {
        optionError(
          `${name}: milestones must be non-decreasing integers ≥ 0, got [${milestones.join(", ")}]`,
        );
      }
    });
    this.schedulers = list;
    this.milestones = Object.freeze([...milestones]);
    this.lastEpoch = 0;
    this.stepCount = 1;
    for (const g of this.groups) if (g.initialLr !== undefined) g.lr = g.initialLr as number;
    undo(this);
    const first = list[0] as LRScheduler;
    if (first instanceof ReduceLROnPlateau) first.lastEpoch += 1;
    else first.initialStep();
    this.baseLrs = this.groups.map((g) => (g.initialLr ?? g.lr) as number);
    this.lastLr = first.getLastLr();
  }

  protected computeLr(): number[] {
    return this.groups.map((g) => g.lr);
  }

  /** One step; `metric` goes to a ReduceLROnPlateau phase (required while one is active). */
  override step(metric?: number): void {
    const epoch = this.lastEpoch + 1;
    let idx = 0;
    while (idx < this.milestones.length && (this.milestones[idx] as number) <= epoch) idx++;
    const s = this.schedulers[idx] as LRScheduler;
    if (s instanceof ReduceLROnPlateau && metric === undefined) {
      optionError(`${this.name}.step: ReduceLROnPlateau is active and needs the metric: step(metric)`);
    }
    const atMilestone = idx > 0 && this.milestones[idx - 1] === epoch;
    if (atMilestone && !(s instanceof ReduceLROnPlateau) && !isComposite(s)) {
      s.step(0);
    } else if (atMilestone && s instanceof ReduceLROnPlateau) {
      // the plateau phase starts from the base lr, as step(0) restarts any other scheduler at its base
      for (const g of this.groups) if (g.initialLr !== undefined) g.lr = g.initialLr as number;
      s.step(metric);
    } else {
      stepWithMetric(s, metric, this.name);
    }
    this.lastEpoch = epoch;
    this.stepCount++;
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return {
      type: this.name,
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      lastLr: this.lastLr.map(encodeNumber),
      milestones: [...this.milestones],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    const sd = checkStateDict(stateDict, this.name);
    const lastEpoch = stateInteger(sd.lastEpoch, "lastEpoch", this.name);
    const stepCount = stateInteger(sd.stepCount, "stepCount", this.name, 0);
    const n = this.groupIndices.length;
    if (!Array.isArray(sd.lastLr) || sd.lastLr.length !== n) {
      stateError(this.name, `lastLr must be an array of ${n} numbers`);
    }
    const lastLr = sd.lastLr.map((v, i) => decodeNumber(v, `lastLr[${i}]`, this.name));
    if (!Array.isArray(sd.milestones) || sd.milestones.join() !== this.milestones.join()) {
      stateError(
        this.name,
        `milestones ${describe(sd.milestones)} differ from this scheduler's [${this.milestones}]`,
      );
    }
    loadSubStates(this.schedulers, sd.schedulers, this.name);
    this.lastEpoch = lastEpoch;
    this.stepCount = stepCount;
    this.writeLrs(lastLr);
  }
}

export function isComposite(s: LRScheduler): boolean {
  return (s as { schedulers?: unknown }).schedulers !== undefined;
}

/** Loads every sub-scheduler's state, all or nothing (a bad one puts the others and the lrs back). */
export function loadSubStates(schedulers: readonly LRScheduler[], states: unknown, where: string): void {
  if (!Array.isArray(states) || states.length !== schedulers.length) {
    stateError(
      where,
      `schedulers must be an array of ${schedulers.length} state dicts, got ${describe(states)}`,
    );
  }
  const before = schedulers.map((s) => s.stateDict());
  const groups = schedulers[0]?.optimizer.paramGroups ?? [];
  const lrs = groups.map((g) => g.lr);
  try {
    schedulers.forEach((s, i) => {
      s.loadStateDict(states[i] as SchedulerStateDict);
    });
  } catch (e) {
    schedulers.forEach((s, i) => {
      s.loadStateDict(before[i] as SchedulerStateDict);
    });
    groups.forEach((g, i) => {
      g.lr = lrs[i] as number;
    });
    throw e;
  }
}
