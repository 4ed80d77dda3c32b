// fromTorchStateDict: a PyTorch scheduler's `state_dict()` (as JSON: lists for tuples, "Infinity" strings
// for inf) turned into descent's state dict for the same scheduler, so a run started in PyTorch continues
// here: `sched.loadStateDict(fromTorchStateDict(sched, torchState))`. The scheduler passed in gives the types
// (torch's state dicts of SequentialLR / ChainedScheduler do not name their schedulers' classes). Torch's
// option entries (gamma, T_max, …) are ignored: the options are the constructor's, as for descent's own
// state dicts. The cycled momentum is not in torch's scheduler state (it lives in the optimizer's groups);
// the next step recomputes it.

import { describe } from "../core/param.js";
import { ChainedScheduler } from "./chained-scheduler.js";
import { type LRScheduler, type SchedulerStateDict, stateError } from "./lr-scheduler.js";
import { ReduceLROnPlateau } from "./reduce-lr-on-plateau.js";
import { SequentialLR } from "./sequential-lr.js";

function field(sd: Record<string, unknown>, key: string, where: string): unknown {
  if (!(key in sd)) stateError(where, `the torch state dict has no '${key}'`);
  return sd[key];
}

/**
 * Converts torch's `scheduler.state_dict()` for `scheduler` (same class, same options).
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
 * // torch: json.dumps(StepLR(SGD(params, lr=0.1), step_size=2, gamma=0.5).state_dict()) after 3 steps
 * const torchStateJson =
 *   '{"step_size": 2, "gamma": 0.5, "base_lrs": [0.1], "last_epoch": 3, "verbose": false, "_step_count": 4, "_get_lr_called_within_step": false, "_last_lr": [0.05]}';
 * sched.loadStateDict(fromTorchStateDict(sched, JSON.parse(torchStateJson)));
 * sched.lastEpoch; // → 3
 * sched.getLastLr(); // → [0.05]
 */
export function fromTorchStateDict(scheduler: LRScheduler, torchState: unknown): SchedulerStateDict {
  const where = scheduler.name;
  if (torchState === null || typeof torchState !== "object" || Array.isArray(torchState)) {
    stateError(where, `expected torch's state dict object, got ${describe(torchState)}`);
  }
  const sd = torchState as Record<string, unknown>;
  if (scheduler instanceof SequentialLR || scheduler instanceof ChainedScheduler) {
    const subs = field(sd, "_schedulers", where);
    if (!Array.isArray(subs) || subs.length !== scheduler.schedulers.length) {
      stateError(
        where,
        `_schedulers must list ${scheduler.schedulers.length} state dicts, got ${describe(subs)}`,
      );
    }
    const converted = scheduler.schedulers.map((s, i) => fromTorchStateDict(s, subs[i]));
    const lastLr = field(sd, "_last_lr", where);
    if (scheduler instanceof SequentialLR) {
      const lastEpoch = field(sd, "last_epoch", where) as number;
      return {
        type: where,
        lastEpoch,
        stepCount: lastEpoch + 1,
        lastLr,
        milestones: field(sd, "_milestones", where),
        schedulers: converted,
      };
    }
    // torch's ChainedScheduler keeps no step count; its schedulers do
    const steps = (converted[0]?.lastEpoch as number | undefined) ?? 0;
    return { type: where, lastEpoch: steps, stepCount: steps, lastLr, schedulers: converted };
  }
  if (scheduler instanceof ReduceLROnPlateau) {
    const lastEpoch = field(sd, "last_epoch", where);
    return {
      type: where,
      lastEpoch,
      stepCount: lastEpoch,
      lastLr: field(sd, "_last_lr", where),
      best: field(sd, "best", where),
      numBadEpochs: field(sd, "num_bad_epochs", where),
      cooldownCounter: field(sd, "cooldown_counter", where),
      minLrs: field(sd, "min_lrs", where),
    };
  }
  const out: SchedulerStateDict = {
    type: where,
    lastEpoch: field(sd, "last_epoch", where),
    stepCount: field(sd, "_step_count", where),
    baseLrs: field(sd, "base_lrs", where),
    lastLr: field(sd, "_last_lr", where),
  };
  if (where === "CosineAnnealingWarmRestarts") {
    out.tI = field(sd, "T_i", where);
    out.tCur = field(sd, "T_cur", where);
  }
  return out;
}
