// fromTorchStateDict: a PyTorch scheduler's `state_dict()` (as JSON: lists for tuples, "Infinity" strings
// for inf) turned into descent's state dict for the same scheduler, so a run started in PyTorch continues
// here: `sched.loadStateDict(fromTorchStateDict(sched, torchState))`. The scheduler passed in gives the types
// (torch's state dicts of SequentialLR / ChainedScheduler do not name their schedulers' classes). Torch's
// option entries (gamma, T_max, …) must equal the scheduler's own options (a number or a string that
// differs is refused, naming it): the converted dict carries no options, so the constructor's stay. The cycled momentum is not in torch's scheduler state (it lives in the optimizer's groups);
// the next step recomputes it.

import { describe } from "../core/param.js";
import { ChainedScheduler } from "./chained-scheduler.js";
import { decodeNumber, type LRScheduler, type SchedulerStateDict, stateError } from "./lr-scheduler.js";
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
  checkTorchOptions(scheduler, sd);
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

const TORCH_OPTION_NAMES: Record<string, string> = { tMax: "T_max", t0: "T_0", tMult: "T_mult" };

/** Torch's saved options must be this scheduler's: loading one into the other would mix two runs. */
function checkTorchOptions(scheduler: LRScheduler, torchState: Record<string, unknown>): void {
  const options = (scheduler.stateDict() as { options?: Record<string, unknown> }).options ?? {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value !== "number" && typeof value !== "string") continue;
    const torchKey = TORCH_OPTION_NAMES[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (!Object.hasOwn(torchState, torchKey)) continue;
    const theirs = torchState[torchKey];
    if ((typeof theirs === "number" || typeof theirs === "string") && theirs !== value) {
      stateError(
        scheduler.name,
        `torch's state dict has ${torchKey} = ${describe(theirs)} but this scheduler was built with ${key} = ${describe(value)}: build it with torch's options`,
      );
    }
  }
}

const TORCH_SCHEDULERS = new Set([
  "LambdaLR",
  "MultiplicativeLR",
  "StepLR",
  "MultiStepLR",
  "ConstantLR",
  "LinearLR",
  "ExponentialLR",
  "PolynomialLR",
  "CosineAnnealingLR",
  "CosineAnnealingWarmRestarts",
  "CyclicLR",
  "OneCycleLR",
  "ReduceLROnPlateau",
  "SequentialLR",
  "ChainedScheduler",
  "SWALR",
]);

const decoded = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(decoded)
    : typeof v === "string"
      ? decodeNumber(v, "value", "toTorchStateDict")
      : v;

/**
 * The other direction: `scheduler`'s state in torch's `state_dict()` layout, for torch's
 * `scheduler.load_state_dict(...)` (which updates the scheduler's attributes from it, so the options stay
 * the constructor's there too), for `torchVersion` ("1.13" or "2.x", default 2.x). Infinities are numbers
 * here (for torchSave), not JSON strings.
 * @example
 * const opt = new SGD([param([0])], { lr: 0.1 });
 * const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
 * for (let i = 0; i < 3; i++) sched.step();
 * const torchState = toTorchStateDict(sched);
 * torchState.last_epoch; // → 3
 * torchState._last_lr; // → [0.05]
 */
export function toTorchStateDict(
  scheduler: LRScheduler,
  options: { torchVersion?: string } = {},
): Record<string, unknown> {
  const where = scheduler.name;
  if (!TORCH_SCHEDULERS.has(where)) stateError(where, "has no torch.optim.lr_scheduler equivalent");
  const sd = scheduler.stateDict() as Record<string, unknown>;
  const lastLr = decoded(sd.lastLr);
  if (scheduler instanceof SequentialLR || scheduler instanceof ChainedScheduler) {
    const subs = scheduler.schedulers.map((s) => toTorchStateDict(s, options));
    if (scheduler instanceof ChainedScheduler) return { _last_lr: lastLr, _schedulers: subs };
    return {
      _milestones: [...(sd.milestones as number[])],
      last_epoch: sd.lastEpoch,
      _last_lr: lastLr,
      _schedulers: subs,
    };
  }
  if (scheduler instanceof ReduceLROnPlateau) {
    return {
      min_lrs: decoded(sd.minLrs),
      cooldown_counter: sd.cooldownCounter,
      last_epoch: sd.lastEpoch,
      _last_lr: lastLr,
      best: decoded(sd.best),
      num_bad_epochs: sd.numBadEpochs,
    };
  }
  const out: Record<string, unknown> = {
    base_lrs: decoded(sd.baseLrs),
    last_epoch: decoded(sd.lastEpoch),
    _step_count: sd.stepCount,
    _get_lr_called_within_step: false,
    _last_lr: lastLr,
  };
  if (where === "CosineAnnealingWarmRestarts") {
    out.T_i = sd.tI;
    out.T_cur = sd.tCur;
  }
  // torch's LambdaLR.load_state_dict pops lr_lambdas (None for functions, which are not saved)
  if (where === "LambdaLR" || where === "MultiplicativeLR")
    out.lr_lambdas = (sd.baseLrs as unknown[]).map(() => null);
  // torch 2.x's CyclicLR.load_state_dict pops _scale_fn_custom (None unless scale_fn is a callable object);
  // 1.13's updates its attributes with it, so there it would replace a custom scale_fn by None
  if (where === "CyclicLR" && !(options.torchVersion ?? "2").startsWith("1.")) out._scale_fn_custom = null;
  return out;
}
