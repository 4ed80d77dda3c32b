// Stateful things that train beside an optimizer (schedulers, weight averages), for the exact-resume and
// property tests: each builds its optimizer and itself over given params and says how one step advances it.

import type { Stateful } from "../../src/checkpoint/checkpoint.js";
import type { OptimizerLike } from "../../src/core/optimizer.js";
import type { Param } from "../../src/core/param.js";
import { AveragedParams } from "../../src/average/averaged-params.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { ChainedScheduler } from "../../src/scheduler/chained-scheduler.js";
import { ConstantLR } from "../../src/scheduler/constant-lr.js";
import { CosineAnnealingLR } from "../../src/scheduler/cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "../../src/scheduler/cosine-annealing-warm-restarts.js";
import { CyclicLR } from "../../src/scheduler/cyclic-lr.js";
import { ExponentialLR } from "../../src/scheduler/exponential-lr.js";
import { LambdaLR } from "../../src/scheduler/lambda-lr.js";
import { LinearLR } from "../../src/scheduler/linear-lr.js";
import type { LRScheduler } from "../../src/scheduler/lr-scheduler.js";
import { MultiStepLR } from "../../src/scheduler/multi-step-lr.js";
import { MultiplicativeLR } from "../../src/scheduler/multiplicative-lr.js";
import { OneCycleLR } from "../../src/scheduler/one-cycle-lr.js";
import { PolynomialLR } from "../../src/scheduler/polynomial-lr.js";
import { ReduceLROnPlateau } from "../../src/scheduler/reduce-lr-on-plateau.js";
import { SequentialLR } from "../../src/scheduler/sequential-lr.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { SWALR } from "../../src/scheduler/swalr.js";

export interface SchedulerCase {
  name: string;
  build(params: Param[]): {
    optimizer: OptimizerLike;
    schedulers: Record<string, Stateful>;
    /** Advances every scheduler by one training step (after the optimizer's step). */
    stepSchedulers(): void;
  };
}

/** A torch-style scheduler over SGD with momentum (two groups, so per-group base lrs matter), stepped once a step. */
function simple(name: string, make: (opt: SGD) => LRScheduler, metric = false): SchedulerCase {
  return {
    name,
    build(params) {
      const optimizer = new SGD([{ params: [params[0]!] }, { params: [params[1]!], lr: 0.02 }], {
        lr: 0.05,
        momentum: 0.9,
      });
      const scheduler = make(optimizer);
      // ReduceLROnPlateau gets a metric computed from the params alone (so a restored run sees the same
      // values), coarsened so that it stalls and the scheduler reduces (and cools down) within the run
      const plateauMetric = () => {
        let loss = 0;
        for (const p of params) for (const x of p.data) loss += x * x;
        return Math.max(Math.round(loss), 30);
      };
      const stepSchedulers = metric
        ? () => (scheduler as ReduceLROnPlateau).step(plateauMetric())
        : () => scheduler.step();
      return { optimizer, schedulers: { scheduler }, stepSchedulers };
    },
  };
}

export const SCHEDULER_CASES: SchedulerCase[] = [
  simple("LambdaLR", (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + 0.3 * e) })),
  simple("MultiplicativeLR", (o) => new MultiplicativeLR(o, { lrLambda: (e) => 0.9 + 0.01 * e })),
  simple("StepLR", (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 })),
  simple("MultiStepLR", (o) => new MultiStepLR(o, { milestones: [5, 2, 5], gamma: 0.3 })),
  simple("ConstantLR", (o) => new ConstantLR(o, { factor: 0.25, totalIters: 4 })),
  simple("LinearLR", (o) => new LinearLR(o, { startFactor: 0.1, endFactor: 1, totalIters: 5 })),
  simple("ExponentialLR", (o) => new ExponentialLR(o, { gamma: 0.8 })),
  simple("PolynomialLR", (o) => new PolynomialLR(o, { totalIters: 6, power: 2 })),
  simple("CosineAnnealingLR", (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 0.001 })),
  simple(
    "CosineAnnealingWarmRestarts",
    (o) => new CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 2, etaMin: 1e-3 }),
  ),
  simple(
    "CyclicLR",
    (o) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, mode: "triangular2" }),
  ),
  simple("OneCycleLR", (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 16, threePhase: true })),
  simple(
    "ReduceLROnPlateau",
    (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, cooldown: 1 }),
    true,
  ),
  simple("SequentialLR", (o) => {
    const warmup = new LinearLR(o, { startFactor: 0.2, totalIters: 3 });
    const decay = new CosineAnnealingLR(o, { tMax: 6 });
    return new SequentialLR(o, { schedulers: [warmup, decay], milestones: [3] });
  }),
  simple(
    "ChainedScheduler",
    (o) =>
      new ChainedScheduler([
        new ExponentialLR(o, { gamma: 0.9 }),
        new StepLR(o, { stepSize: 3, gamma: 0.5 }),
      ]),
  ),
  simple("SWALR", (o) => new SWALR(o, { swaLr: 0.01, annealEpochs: 4, annealStrategy: "linear" })),
  {
    name: "OneCycleLR(Adam betas)",
    build(params) {
      const optimizer = new Adam(params, { lr: 0.05 });
      const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 16 });
      return { optimizer, schedulers: { scheduler }, stepSchedulers: () => scheduler.step() };
    },
  },
  {
    name: "AveragedParams(ema)",
    build(params) {
      const optimizer = new Adam(params, { lr: 0.05 });
      const ema = new AveragedParams(params, { mode: "ema", decay: 0.8 });
      return { optimizer, schedulers: { ema }, stepSchedulers: () => ema.update() };
    },
  },
  {
    name: "AveragedParams(swa)",
    build(params) {
      const optimizer = new SGD(params, { lr: 0.05, momentum: 0.9 });
      const swa = new AveragedParams(params, { mode: "swa" });
      return { optimizer, schedulers: { swa }, stepSchedulers: () => swa.update() };
    },
  },
];
