// Every scheduler descent ships, one row each: its class, whether torch has it (then torch traces are
// recorded for it), and how the two places that offer schedulers by name take it: `descent schedule <name>`
// (the options it reads from the command line) and the web lab's schedule designer (its inputs, with torch's
// keyword names for the generated PyTorch code). The CLI table and the designer's catalog derive from this
// list; test/scheduler/registry fails when an exported scheduler has no row.

import type { SchedulableOptimizer } from "./lr-scheduler.js";
import { ChainedScheduler } from "./chained-scheduler.js";
import { ConstantLR } from "./constant-lr.js";
import { CosineAnnealingLR } from "./cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "./cosine-annealing-warm-restarts.js";
import { CyclicLR } from "./cyclic-lr.js";
import { ExponentialLR } from "./exponential-lr.js";
import { LambdaLR } from "./lambda-lr.js";
import { LinearLR } from "./linear-lr.js";
import { MultiStepLR } from "./multi-step-lr.js";
import { MultiplicativeLR } from "./multiplicative-lr.js";
import { OneCycleLR } from "./one-cycle-lr.js";
import { ParamScheduler } from "./param-scheduler.js";
import { PolynomialLR } from "./polynomial-lr.js";
import { ReduceLROnPlateau } from "./reduce-lr-on-plateau.js";
import { SequentialLR } from "./sequential-lr.js";
import { StepLR } from "./step-lr.js";
import { SWALR } from "./swalr.js";

/** A registered scheduler class: `new C(optimizer, options)`. */
export type SchedulerClass = new (
  optimizer: SchedulableOptimizer,
  options?: Record<string, unknown>,
) => unknown;

/** How `descent schedule <id>` takes a scheduler. */
export interface CliScheduleEntry {
  /** The command-line name ("onecycle", "warm-restarts"). */
  readonly id: string;
  /** The scheduler options it reads from the command line (commander camelCases --max-lr into maxLr). */
  readonly takes: readonly string[];
  readonly required: readonly string[];
  /** How many steps to draw when --steps is not given. */
  defaultSteps(options: Record<string, unknown>): number;
}

/** One input of the web lab's schedule designer. */
export interface DesignerOption {
  /** descent's option name (camelCased torch). */
  readonly key: string;
  /** torch's keyword argument. */
  readonly torch: string;
  readonly default: number;
  readonly min: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly step: number;
}

/** How the schedule designer offers a scheduler. */
export interface DesignerEntry {
  readonly options: readonly DesignerOption[];
  /**
   * Options set from the design rather than an input, passed first: for the scheduler and as
   * [descent, torch] code text (OneCycleLR's maxLr is the design's lr, totalSteps its span).
   */
  readonly leading?: {
    /**
     * `lr` is the design's lr: the `lr` variable the generated code passes, not the group's lr at the time
     * (a scheduler made before this one, such as SequentialLR's LinearLR, has already scaled that).
     */
    values(lr: number, span: number): Record<string, unknown>;
    code(span: number): readonly [string, string][];
  };
}

export interface SchedulerRow {
  /** descent's and torch's class name. */
  readonly name: string;
  readonly cls: SchedulerClass;
  /** torch.optim.lr_scheduler has it: scripts/gen_reference.py records traces of it. */
  readonly torch: boolean;
  readonly cli: CliScheduleEntry | null;
  readonly designer: DesignerEntry | null;
}

const opt = (
  key: string,
  torch: string,
  def: number,
  step: number,
  min: number,
  extra: Partial<DesignerOption> = {},
): DesignerOption => ({ key, torch, default: def, step, min, ...extra });
const fixed = (n: number) => () => n;
const cls = (c: unknown) => c as SchedulerClass;
const integer = { integer: true };

/** Every scheduler; the CLI and the designer list theirs in this order. */
export const SCHEDULER_REGISTRY: readonly SchedulerRow[] = Object.freeze([
  {
    name: "OneCycleLR",
    cls: cls(OneCycleLR),
    torch: true,
    cli: {
      id: "onecycle",
      takes: [
        "maxLr",
        "totalSteps",
        "pctStart",
        "annealStrategy",
        "divFactor",
        "finalDivFactor",
        "threePhase",
      ],
      required: ["maxLr", "totalSteps"],
      defaultSteps: (o) => o.totalSteps as number,
    },
    designer: {
      options: [
        opt("pctStart", "pct_start", 0.3, 0.05, 0.01, { max: 0.99 }),
        opt("divFactor", "div_factor", 25, 1, 1),
        opt("finalDivFactor", "final_div_factor", 1e4, 100, 1),
      ],
      leading: {
        values: (lr, span) => ({ maxLr: lr, totalSteps: span }),
        code: (span) => [
          ["maxLr: lr", "max_lr=lr"],
          [`totalSteps: ${span}`, `total_steps=${span}`],
        ],
      },
    },
  },
  {
    name: "CosineAnnealingLR",
    cls: cls(CosineAnnealingLR),
    torch: true,
    cli: {
      id: "cosine",
      takes: ["tMax", "etaMin"],
      required: ["tMax"],
      defaultSteps: (o) => 2 * (o.tMax as number),
    },
    designer: {
      options: [opt("tMax", "T_max", 100, 1, 1, integer), opt("etaMin", "eta_min", 0, 0.001, 0)],
    },
  },
  {
    name: "CosineAnnealingWarmRestarts",
    cls: cls(CosineAnnealingWarmRestarts),
    torch: true,
    cli: {
      id: "warm-restarts",
      takes: ["t0", "tMult", "etaMin"],
      required: ["t0"],
      defaultSteps: (o) => 7 * (o.t0 as number),
    },
    designer: {
      options: [
        opt("t0", "T_0", 20, 1, 1, integer),
        opt("tMult", "T_mult", 2, 1, 1, integer),
        opt("etaMin", "eta_min", 0, 0.001, 0),
      ],
    },
  },
  {
    name: "CyclicLR",
    cls: cls(CyclicLR),
    torch: true,
    cli: {
      id: "cyclic",
      takes: ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma"],
      required: ["baseLr", "maxLr"],
      defaultSteps: (o) => 6 * ((o.stepSizeUp as number | undefined) ?? 2000),
    },
    designer: {
      options: [
        opt("baseLr", "base_lr", 0.01, 0.001, 0),
        opt("maxLr", "max_lr", 0.1, 0.01, 0),
        opt("stepSizeUp", "step_size_up", 20, 1, 1, integer),
      ],
    },
  },
  {
    name: "StepLR",
    cls: cls(StepLR),
    torch: true,
    cli: {
      id: "step",
      takes: ["stepSize", "gamma"],
      required: ["stepSize"],
      defaultSteps: (o) => 5 * (o.stepSize as number),
    },
    designer: {
      options: [opt("stepSize", "step_size", 30, 1, 1, integer), opt("gamma", "gamma", 0.1, 0.05, 0)],
    },
  },
  {
    name: "MultiStepLR",
    cls: cls(MultiStepLR),
    torch: true,
    cli: {
      id: "multistep",
      takes: ["milestones", "gamma"],
      required: ["milestones"],
      defaultSteps: (o) => Math.ceil(1.25 * Math.max(...(o.milestones as number[]))) + 1,
    },
    designer: null,
  },
  {
    name: "ExponentialLR",
    cls: cls(ExponentialLR),
    torch: true,
    cli: { id: "exponential", takes: ["gamma"], required: ["gamma"], defaultSteps: fixed(100) },
    designer: { options: [opt("gamma", "gamma", 0.97, 0.01, 0)] },
  },
  {
    name: "LinearLR",
    cls: cls(LinearLR),
    torch: true,
    cli: {
      id: "linear",
      takes: ["startFactor", "endFactor", "totalIters"],
      required: [],
      defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    },
    designer: {
      options: [
        opt("startFactor", "start_factor", 1 / 3, 0.05, 1e-8, { max: 1 }),
        opt("endFactor", "end_factor", 1, 0.05, 0, { max: 1 }),
        opt("totalIters", "total_iters", 5, 1, 1, integer),
      ],
    },
  },
  {
    name: "ConstantLR",
    cls: cls(ConstantLR),
    torch: true,
    cli: {
      id: "constant",
      takes: ["factor", "totalIters"],
      required: [],
      defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    },
    designer: {
      options: [
        opt("factor", "factor", 1 / 3, 0.05, 0, { max: 1 }),
        opt("totalIters", "total_iters", 5, 1, 1, integer),
      ],
    },
  },
  {
    name: "PolynomialLR",
    cls: cls(PolynomialLR),
    torch: true,
    cli: {
      id: "polynomial",
      takes: ["totalIters", "power"],
      required: [],
      defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    },
    designer: {
      options: [opt("totalIters", "total_iters", 50, 1, 1, integer), opt("power", "power", 1, 0.1, 0)],
    },
  },
  // a function, a metric or other schedulers as their input: offered by neither the CLI nor the designer
  { name: "LambdaLR", cls: cls(LambdaLR), torch: true, cli: null, designer: null },
  { name: "MultiplicativeLR", cls: cls(MultiplicativeLR), torch: true, cli: null, designer: null },
  { name: "ReduceLROnPlateau", cls: cls(ReduceLROnPlateau), torch: true, cli: null, designer: null },
  { name: "SequentialLR", cls: cls(SequentialLR), torch: true, cli: null, designer: null },
  { name: "ChainedScheduler", cls: cls(ChainedScheduler), torch: true, cli: null, designer: null },
  { name: "SWALR", cls: cls(SWALR), torch: true, cli: null, designer: null },
  { name: "ParamScheduler", cls: cls(ParamScheduler), torch: false, cli: null, designer: null },
]);
