// The schedulers `descent schedule <name>` can draw: each torch-style scheduler class with the CLI options
// it takes (commander camelCases --max-lr into maxLr, which is already the scheduler's option name).

import type { LRScheduler, SchedulableOptimizer } from "../scheduler/lr-scheduler.js";
import { ConstantLR } from "../scheduler/constant-lr.js";
import { CosineAnnealingLR } from "../scheduler/cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "../scheduler/cosine-annealing-warm-restarts.js";
import { CyclicLR } from "../scheduler/cyclic-lr.js";
import { ExponentialLR } from "../scheduler/exponential-lr.js";
import { LinearLR } from "../scheduler/linear-lr.js";
import { MultiStepLR } from "../scheduler/multi-step-lr.js";
import { OneCycleLR } from "../scheduler/one-cycle-lr.js";
import { PolynomialLR } from "../scheduler/polynomial-lr.js";
import { StepLR } from "../scheduler/step-lr.js";

export interface CliSchedule {
  readonly title: string;
  /** The scheduler options this schedule takes from the command line. */
  readonly takes: readonly string[];
  readonly required: readonly string[];
  /** How many steps to draw when --steps is not given. */
  defaultSteps(options: Record<string, unknown>): number;
  create(optimizer: SchedulableOptimizer, options: Record<string, unknown>): LRScheduler;
}

const fixed = (n: number) => () => n;

// biome-ignore lint/suspicious/noExplicitAny: the options were checked against `takes`; the class validates values
type AnyOptions = any;

export const CLI_SCHEDULES: Readonly<Record<string, CliSchedule>> = Object.freeze({
  onecycle: {
    title: "OneCycleLR",
    takes: ["maxLr", "totalSteps", "pctStart", "annealStrategy", "divFactor", "finalDivFactor", "threePhase"],
    required: ["maxLr", "totalSteps"],
    defaultSteps: (o) => o.totalSteps as number,
    create: (opt, o) => new OneCycleLR(opt, o as AnyOptions),
  },
  cosine: {
    title: "CosineAnnealingLR",
    takes: ["tMax", "etaMin"],
    required: ["tMax"],
    defaultSteps: (o) => 2 * (o.tMax as number),
    create: (opt, o) => new CosineAnnealingLR(opt, o as AnyOptions),
  },
  "warm-restarts": {
    title: "CosineAnnealingWarmRestarts",
    takes: ["t0", "tMult", "etaMin"],
    required: ["t0"],
    defaultSteps: (o) => 7 * (o.t0 as number),
    create: (opt, o) => new CosineAnnealingWarmRestarts(opt, o as AnyOptions),
  },
  cyclic: {
    title: "CyclicLR",
    takes: ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma"],
    required: ["baseLr", "maxLr"],
    defaultSteps: (o) => 6 * ((o.stepSizeUp as number | undefined) ?? 2000),
    create: (opt, o) => new CyclicLR(opt, o as AnyOptions),
  },
  step: {
    title: "StepLR",
    takes: ["stepSize", "gamma"],
    required: ["stepSize"],
    defaultSteps: (o) => 5 * (o.stepSize as number),
    create: (opt, o) => new StepLR(opt, o as AnyOptions),
  },
  multistep: {
    title: "MultiStepLR",
    takes: ["milestones", "gamma"],
    required: ["milestones"],
    defaultSteps: (o) => Math.ceil(1.25 * Math.max(...(o.milestones as number[]))) + 1,
    create: (opt, o) => new MultiStepLR(opt, o as AnyOptions),
  },
  exponential: {
    title: "ExponentialLR",
    takes: ["gamma"],
    required: ["gamma"],
    defaultSteps: fixed(100),
    create: (opt, o) => new ExponentialLR(opt, o as AnyOptions),
  },
  linear: {
    title: "LinearLR",
    takes: ["startFactor", "endFactor", "totalIters"],
    required: [],
    defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    create: (opt, o) => new LinearLR(opt, o as AnyOptions),
  },
  constant: {
    title: "ConstantLR",
    takes: ["factor", "totalIters"],
    required: [],
    defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    create: (opt, o) => new ConstantLR(opt, o as AnyOptions),
  },
  polynomial: {
    title: "PolynomialLR",
    takes: ["totalIters", "power"],
    required: [],
    defaultSteps: (o) => 2 * ((o.totalIters as number | undefined) ?? 5),
    create: (opt, o) => new PolynomialLR(opt, o as AnyOptions),
  },
});

/**
 * The lr and momentum a schedule sets at each of `steps` steps (entry i: after construction and i scheduler
 * steps), over a throwaway optimizer-like object: no params are touched.
 */
export function scheduleCurve(
  schedule: CliSchedule,
  options: Record<string, unknown>,
  steps: number,
  group: { lr: number; momentum: number },
): { lr: Float64Array; momentum: Float64Array } {
  const optimizer = { paramGroups: [{ params: [], ...group }] } as unknown as SchedulableOptimizer;
  const scheduler = schedule.create(optimizer, options);
  const lr = new Float64Array(steps);
  const momentum = new Float64Array(steps);
  const g = optimizer.paramGroups[0] as unknown as { lr: number; momentum: number };
  for (let i = 0; i < steps; i++) {
    if (i > 0) scheduler.step();
    lr[i] = g.lr;
    momentum[i] = g.momentum;
  }
  return { lr, momentum };
}
