// preview: the lr (and momentum) sequence of any torch-style scheduler or composition, computed over a
// throwaway optimizer-like object (`{ paramGroups }` only), so no params, arena or real optimizer are touched.
// Entry i is what the optimizer's i-th step would use: the value after construction and i scheduler steps.

import { describe } from "../core/param.js";
import { optionError, checkOptions, integer } from "../core/validate.js";
import { LRScheduler, type SchedulableGroup, type SchedulableOptimizer } from "./lr-scheduler.js";
import { stepWithMetric } from "./sequential-lr.js";

/** Options of `preview`. */
export interface PreviewOptions {
  /**
   * The throwaway optimizer's groups (their options: lr, momentum, betas, weightDecay, …).
   * Default: one group `{ lr: 0.1, momentum: 0.9 }`.
   */
  groups?: ReadonlyArray<Readonly<Record<string, unknown>>>;
  /** The metric for each step, for ReduceLROnPlateau (alone or inside a composition). */
  metrics?: readonly number[] | ((step: number) => number);
}

/** One group's values after each step: the lr, and momentum (or β₁) where the group has one. */
export interface PreviewGroupSequence {
  /** The lr at step 0, 1, …. */
  lr: number[];
  /** `momentum`, or β₁ of `betas`, where the group has one. */
  momentum?: number[];
}

/** What `preview` returns: group 0's sequences at the top level and every group's in `groups`. */
export interface PreviewResult extends PreviewGroupSequence {
  /** Every group's sequences (the top-level `lr`/`momentum` are group 0's). */
  groups: PreviewGroupSequence[];
}

function momentumOf(g: SchedulableGroup): number | undefined {
  if (Array.isArray(g.betas)) return g.betas[0] as number;
  return typeof g.momentum === "number" ? g.momentum : undefined;
}

/**
 * Runs `factory` on a throwaway optimizer and records `steps` values.
 * @example
 * const { lr, momentum } = preview((opt) => new StepLR(opt, { stepSize: 2, gamma: 0.5 }), 5);
 * lr; // → [0.1, 0.1, 0.05, 0.05, 0.025]
 * momentum; // → [0.9, 0.9, 0.9, 0.9, 0.9] (the default throwaway group is { lr: 0.1, momentum: 0.9 })
 */
export function preview(
  factory: (optimizer: SchedulableOptimizer) => LRScheduler,
  steps: number,
  options: PreviewOptions = {},
): PreviewResult {
  const where = "preview";
  if (typeof factory !== "function") {
    optionError(`${where}: factory must be a function (optimizer) => scheduler, got ${describe(factory)}`);
  }
  const count = integer(steps, "steps", 0, where);
  const o = checkOptions(options, ["groups", "metrics"], where);
  const specs = (o.groups ?? [{ lr: 0.1, momentum: 0.9 }]) as PreviewOptions["groups"];
  if (!Array.isArray(specs) || specs.length === 0) {
    optionError(`${where}: groups must be a non-empty array of group options, got ${describe(specs)}`);
  }
  const metrics = o.metrics as PreviewOptions["metrics"];
  if (metrics !== undefined && typeof metrics !== "function" && !Array.isArray(metrics)) {
    optionError(`${where}: metrics must be an array or a function of the step, got ${describe(metrics)}`);
  }
  const optimizer: SchedulableOptimizer = {
    paramGroups: specs.map((g) => ({
      params: [],
      ...g,
      ...(Array.isArray(g.betas) ? { betas: [...g.betas] } : {}),
    })) as unknown as SchedulableGroup[],
  };
  const scheduler = factory(optimizer);
  if (!(scheduler instanceof LRScheduler)) {
    optionError(`${where}: factory must return a scheduler, got ${describe(scheduler)}`);
  }
  const groups = optimizer.paramGroups;
  const result: PreviewGroupSequence[] = groups.map((g) =>
    momentumOf(g) === undefined ? { lr: [] } : { lr: [], momentum: [] },
  );
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      const metric =
        metrics === undefined ? undefined : typeof metrics === "function" ? metrics(i - 1) : metrics[i - 1];
      if (metrics !== undefined && typeof metric !== "number") {
        optionError(`${where}: metrics has no number for step ${i - 1}`);
      }
      stepWithMetric(scheduler, metric, where);
    }
    groups.forEach((g, k) => {
      const r = result[k] as PreviewGroupSequence;
      r.lr.push(g.lr);
      r.momentum?.push(momentumOf(g) as number);
    });
  }
  const first = result[0] as PreviewGroupSequence;
  return { ...first, groups: result };
}
