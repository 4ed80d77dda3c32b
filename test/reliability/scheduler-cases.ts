// Stateful things that train beside an optimizer (schedulers, weight averages), for the exact-resume and
// property tests: each builds its optimizer and itself over given params and says how one step advances it.

import type { Stateful } from "../../src/checkpoint/checkpoint.js";
import type { OptimizerLike } from "../../src/core/optimizer.js";
import type { Param } from "../../src/core/param.js";
import { AveragedParams } from "../../src/average/averaged-params.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";

export interface SchedulerCase {
  name: string;
  build(params: Param[]): {
    optimizer: OptimizerLike;
    schedulers: Record<string, Stateful>;
    /** Advances every scheduler by one training step (after the optimizer's step). */
    stepSchedulers(): void;
  };
}

export const SCHEDULER_CASES: SchedulerCase[] = [
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
