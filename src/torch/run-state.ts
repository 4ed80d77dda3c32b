// A whole run in one torch file, as PyTorch scripts save it:
// torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict()}).

import type { OptimizerLike, OptimizerStateDict } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import type { LRScheduler } from "../scheduler/lr-scheduler.js";
import { fromTorchStateDict, toTorchStateDict } from "../scheduler/torch-state-dict.js";
import { fromTorchModelState, toTorchModelState } from "./model-state.js";
import {
  fromTorchOptimizerState,
  type ToTorchOptimizerOptions,
  toTorchOptimizerState,
} from "./optimizer-state.js";
import { fail, TorchFormatError } from "./torch-format-error.js";

/** A training run as `toTorchRun` / `loadTorchRun` see it: named params, an optimizer and a scheduler. */
export interface TorchRun {
  /** Named params (their `name` is torch's parameter name). */
  params?: readonly Param[];
  optimizer?: OptimizerLike;
  scheduler?: LRScheduler;
}

/**
 * The run's weights, optimizer and scheduler as one value for torchSave, under torch's customary keys
 * "model", "optimizer", "scheduler" (each present when given).
 * @example
 * const w = param([1, 2], { name: "w", dtype: "float64" });
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new StepLR(opt, { stepSize: 10 });
 * const bytes = torchSave(toTorchRun({ params: [w], optimizer: opt, scheduler: sched }));
 * // python: run = torch.load(f, weights_only=True); model.load_state_dict(run["model"]); …
 * loadTorchRun(torchLoad(bytes), { params: [w], optimizer: opt, scheduler: sched });
 */
export function toTorchRun(run: TorchRun, options: ToTorchOptimizerOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (run.params !== undefined) out.model = toTorchModelState(run.params);
  if (run.optimizer !== undefined) out.optimizer = toTorchOptimizerState(run.optimizer, options);
  if (run.scheduler !== undefined) out.scheduler = toTorchStateDict(run.scheduler, options);
  return out;
}

/**
 * Loads a torch run file's sections into what `run` names; all or nothing: a section that does not fit
 * throws (naming the key) and leaves the params, optimizer and scheduler as they were.
 */
export function loadTorchRun(value: unknown, run: TorchRun, options: { strict?: boolean } = {}): void {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail("mismatch", "a run file holds a dict");
  const file = value as Record<string, unknown>;
  for (const [key, given] of [
    ["model", run.params],
    ["optimizer", run.optimizer],
    ["scheduler", run.scheduler],
  ] as const) {
    if (given !== undefined && !(key in file)) fail("mismatch", `the file has no '${key}'`);
  }
  const optimizerState = run.optimizer !== undefined ? fromTorchOptimizerState(file.optimizer) : undefined;
  const schedulerState =
    run.scheduler !== undefined ? fromTorchStateDict(run.scheduler, file.scheduler) : undefined;
  const savedParams = run.params?.map((p) => p.data.slice());
  const savedOptimizer: OptimizerStateDict | undefined = run.optimizer?.stateDict();
  const savedScheduler = run.scheduler?.stateDict();
  try {
    if (run.params !== undefined) fromTorchModelState(file.model, run.params, options);
    if (optimizerState !== undefined) run.optimizer!.loadStateDict(optimizerState);
    if (schedulerState !== undefined) run.scheduler!.loadStateDict(schedulerState);
  } catch (e) {
    for (const [i, p] of (run.params ?? []).entries()) p.data.set(savedParams![i]!);
    if (savedOptimizer !== undefined) run.optimizer!.loadStateDict(savedOptimizer);
    if (savedScheduler !== undefined) run.scheduler!.loadStateDict(savedScheduler);
    if (e instanceof TorchFormatError) throw e;
    throw new TorchFormatError("mismatch", (e as Error).message, { cause: e });
  }
}
