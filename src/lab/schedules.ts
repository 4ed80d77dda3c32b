// Schedules for the lab: the one-cycle policy used by the demo's AdamW run, computed per step as
// torch.optim.lr_scheduler.OneCycleLR does (two phases, cosine annealing, momentum or β₁ cycled inversely):
//   phase 1 (steps 0 … pctStart·T − 1): lr  maxLr/divFactor → maxLr,        momentum  maxMomentum → baseMomentum
//   phase 2 (… T − 1):                  lr  maxLr → initialLr/finalDivFactor, momentum  baseMomentum → maxMomentum
// Smith & Topin, "Super-Convergence" (2017).

import type { OptimizerLike } from "../core/optimizer.js";
import type { SchedulerLike } from "./train.js";

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
  baseMomentum?: number;
  maxMomentum?: number;
}

/** torch's `_annealing_cos`: from start to end as the cosine goes from 1 to −1. */
const annealCos = (start: number, end: number, pct: number) =>
  end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);

/**
 * The one-cycle lr and momentum at `step` (0-based), as OneCycleLR's closed form.
 * @example
 * oneCycleAt(0, { maxLr: 0.1, totalSteps: 100 }).lr; // 0.004 (= 0.1 / 25)
 */
export function oneCycleAt(step: number, options: OneCycleOptions): { lr: number; momentum: number } {
  const o = resolveOneCycle(options);
  if (!Number.isInteger(step) || step < 0 || step >= o.totalSteps) {
    throw new RangeError(
      `Tried to step ${step + 1} times. The specified number of total steps is ${o.totalSteps}`,
    );
  }
  const initialLr = o.maxLr / o.divFactor;
  const minLr = initialLr / o.finalDivFactor;
  const phase1End = o.pctStart * o.totalSteps - 1;
  const phase2End = o.totalSteps - 1;
  if (step <= phase1End) {
    const pct = step / phase1End;
    return {
      lr: annealCos(initialLr, o.maxLr, pct),
      momentum: annealCos(o.maxMomentum, o.baseMomentum, pct),
    };
  }
  const pct = (step - phase1End) / (phase2End - phase1End);
  return { lr: annealCos(o.maxLr, minLr, pct), momentum: annealCos(o.baseMomentum, o.maxMomentum, pct) };
}

function resolveOneCycle(options: OneCycleOptions): Required<OneCycleOptions> {
  const o = {
    pctStart: 0.3,
    divFactor: 25,
    finalDivFactor: 1e4,
    baseMomentum: 0.85,
    maxMomentum: 0.95,
    ...options,
  };
  if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) {
    throw new RangeError(`Expected positive integer total_steps, but got ${o.totalSteps}`);
  }
  if (!(o.pctStart >= 0 && o.pctStart <= 1)) {
    throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${o.pctStart}`);
  }
  for (const key of ["maxLr", "divFactor", "finalDivFactor"] as const) {
    if (!(o[key] > 0 && Number.isFinite(o[key])))
      throw new RangeError(`oneCycle: ${key} must be positive, got ${o[key]}`);
  }
  return o;
}

/**
 * A one-cycle scheduler over an optimizer: sets every group's lr, and its momentum (SGD, RMSprop) or β₁
 * (Adam family), at construction and after each `step()`.
 * @example
 * const sched = oneCycle(new AdamW(params), { maxLr: 3e-3, totalSteps: 1000 });
 * // each batch: optimizer.step(); sched.step();
 */
export function oneCycle(
  optimizer: OptimizerLike,
  options: OneCycleOptions,
): SchedulerLike & { readonly stepCount: number } {
  const resolved = resolveOneCycle(options);
  let step = 0;
  const apply = () => {
    const { lr, momentum } = oneCycleAt(step, resolved);
    for (const group of optimizer.paramGroups) {
      const g = group as unknown as Record<string, unknown>;
      g.lr = lr;
      if (typeof g.momentum === "number") g.momentum = momentum;
      else if (Array.isArray(g.betas)) g.betas = [momentum, g.betas[1]];
    }
  };
  apply();
  return {
    step() {
      // as torch: stepping past totalSteps is an error; the last step leaves the final lr in place
      if (step + 1 > resolved.totalSteps) {
        throw new RangeError(
          `Tried to step ${step + 2} times. The specified number of total steps is ${resolved.totalSteps}`,
        );
      }
      step += 1;
      if (step < resolved.totalSteps) apply();
    },
    get stepCount() {
      return step;
    },
  };
}
