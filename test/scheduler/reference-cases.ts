// Builds the scheduler reference cases of test/fixtures/torch/{schedulers,project_schedulers}.json
// (schema in test/fixtures/torch/README.md) with descent's classes: the optimizer, the schedulers in the
// listed order, and one iteration of stepping. Shared by the torch-reference and resume tests.

import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import * as descent from "../../src/index.js";
import type { LRScheduler } from "../../src/scheduler/lr-scheduler.js";
import { camel, loadFixture } from "../helpers/torch-reference.js";

export interface TorchSchedulerCase {
  name: string;
  optimizer: { type: "SGD" | "Adam"; groups: Array<Record<string, unknown>> };
  schedulers: Array<{ id: string; type: string; kwargs: Record<string, unknown> }>;
  step: string[];
  steps: number;
  metrics?: number[];
  step_args?: Array<number | null>;
  final_param_groups: Array<Record<string, unknown>>;
  trace: Array<{
    step: number;
    lr: number[];
    momentum?: number[];
    betas?: number[][];
    last_lr: Record<string, number[]>;
    last_epoch: Record<string, number>;
    plateau?: { best: number; num_bad_epochs: number; cooldown_counter: number };
    cawr?: { T_cur: number; T_i: number };
  }>;
  checkpoint: { after_step: number; state_dicts: Record<string, Record<string, unknown>> };
}

export const CASE_FILES = ["schedulers.json", "project_schedulers.json"] as const;

export function loadCases(): Array<{ file: string; c: TorchSchedulerCase }> {
  return CASE_FILES.flatMap((file) =>
    loadFixture<{ cases: TorchSchedulerCase[] }>(file).cases.map((c) => ({ file, c })),
  );
}

/** A `{formula, variable}` kwarg as a JS function (tests only). */
function toFunction(spec: { formula: string; variable?: string }): (x: number) => number {
  return new Function(spec.variable ?? "epoch", `return (${spec.formula});`) as (x: number) => number;
}

function convert(value: unknown, built: Record<string, LRScheduler>): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, built));
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.formula === "string") return toFunction(v as { formula: string; variable?: string });
    if (typeof v.ref === "string") return built[v.ref];
  }
  return value;
}

export interface BuiltCase {
  optimizer: SGD | Adam;
  schedulers: Record<string, LRScheduler>;
  /** Iteration k (1-based): every stepped scheduler's step, with the case's metric / epoch argument. */
  iterate(k: number): void;
}

export function buildCase(c: TorchSchedulerCase): BuiltCase {
  const groups = c.optimizer.groups.map((g, i) => {
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(g)) options[camel(k)] = v;
    return { params: [param([i + 1])], ...options };
  });
  const optimizer = c.optimizer.type === "Adam" ? new Adam(groups, {}) : new SGD(groups, { lr: 0.1 });
  const schedulers: Record<string, LRScheduler> = {};
  const classes = descent as unknown as Record<string, new (...args: unknown[]) => LRScheduler>;
  for (const spec of c.schedulers) {
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec.kwargs)) options[camel(k)] = convert(v, schedulers);
    const Cls = classes[spec.type];
    if (!Cls) throw new Error(`no scheduler class ${spec.type}`);
    schedulers[spec.id] =
      spec.type === "ChainedScheduler" ? new Cls(options.schedulers) : new Cls(optimizer, options);
  }
  return {
    optimizer,
    schedulers,
    iterate(k) {
      for (const id of c.step) {
        const s = schedulers[id] as LRScheduler;
        if (c.metrics) (s as descent.ReduceLROnPlateau).step(c.metrics[k - 1] as number);
        else if (c.step_args && c.step_args[k - 1] !== null) s.step(c.step_args[k - 1] as number);
        else s.step();
      }
    },
  };
}
