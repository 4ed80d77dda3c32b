// The schedulers `descent schedule <name>` can draw: the rows of src/scheduler/registry.ts with a CLI entry,
// each with the CLI options it takes (commander camelCases --max-lr into maxLr, which is already the
// scheduler's option name).

import type { LRScheduler, SchedulableOptimizer } from "../scheduler/lr-scheduler.js";
import { SCHEDULER_REGISTRY } from "../scheduler/registry.js";

export interface CliSchedule {
  readonly title: string;
  /** The scheduler options this schedule takes from the command line. */
  readonly takes: readonly string[];
  readonly required: readonly string[];
  /** How many steps to draw when --steps is not given. */
  defaultSteps(options: Record<string, unknown>): number;
  create(optimizer: SchedulableOptimizer, options: Record<string, unknown>): LRScheduler;
}

/** The CLI's schedules by name, in the registry's order. */
export const CLI_SCHEDULES: Readonly<Record<string, CliSchedule>> = Object.freeze(
  Object.fromEntries(
    SCHEDULER_REGISTRY.flatMap(({ name, cls, cli }) =>
      cli === null
        ? []
        : [
            [
              cli.id,
              {
                title: name,
                takes: cli.takes,
                required: cli.required,
                defaultSteps: cli.defaultSteps,
                // the options were checked against `takes`; the class validates their values
                create: (optimizer, options) => new cls(optimizer, options) as LRScheduler,
              } satisfies CliSchedule,
            ],
          ],
    ),
  ),
);

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
