// The schedules the designer offers, as descent's torch-style scheduler classes: the curves come from
// descent's `preview` (what the optimizer's group holds after 0, 1, … `scheduler.step()` calls), a
// SequentialLR joins two of them, and the same design is written out as descent TypeScript and PyTorch code.

import { preview as previewScheduler } from "../../src/scheduler/preview.js";
import type { LRScheduler, SchedulableOptimizer } from "../../src/scheduler/lr-scheduler.js";
import { type DesignerOption, SCHEDULER_REGISTRY } from "../../src/scheduler/registry.js";
import { SequentialLR } from "../../src/scheduler/sequential-lr.js";

export type ScheduleOption = DesignerOption;
export type ScheduleValues = Record<string, number>;

export interface ScheduleSpec {
  /** descent's and torch's class name. */
  readonly id: string;
  readonly options: readonly ScheduleOption[];
  /** Options the generated code passes first, as [descent, torch] text (OneCycleLR's maxLr, totalSteps). */
  readonly leading?: (span: number) => readonly [string, string][];
  /**
   * The scheduler over `optimizer`, as the generated code makes it: `span` is how many steps it runs
   * (OneCycleLR's totalSteps), `lr` the design's lr (OneCycleLR's maxLr).
   */
  make(optimizer: SchedulableOptimizer, v: ScheduleValues, span: number, lr: number): LRScheduler;
}

/** Every schedule the designer offers: the registry's rows with a designer entry, in its order. */
export const SCHEDULES: readonly ScheduleSpec[] = Object.freeze(
  SCHEDULER_REGISTRY.flatMap(({ name, cls, designer }) => {
    if (designer === null) return [];
    const { options, leading } = designer;
    const spec: ScheduleSpec = {
      id: name,
      options,
      ...(leading ? { leading: leading.code } : {}),
      make: (optimizer, values, span, lr) => {
        const chosen: Record<string, unknown> = { ...leading?.values(lr, span) };
        for (const o of options) chosen[o.key] = values[o.key]!;
        return new cls(optimizer, chosen) as LRScheduler;
      },
    };
    return [spec];
  }),
);

export function scheduleSpec(id: string): ScheduleSpec | undefined {
  return SCHEDULES.find((s) => s.id === id);
}

/** A configured schedule: a spec and its values. */
export interface Configured {
  readonly spec: ScheduleSpec;
  readonly values: ScheduleValues;
}

/** A schedule option outside its range: the message names it; the fields let a page say it in its language. */
export class ScheduleOptionError extends RangeError {
  readonly schedule: string;
  readonly option: ScheduleOption;
  readonly value: number;

  constructor(schedule: string, option: ScheduleOption, value: number, message: string) {
    super(message);
    this.name = "ScheduleOptionError";
    this.schedule = schedule;
    this.option = option;
    this.value = value;
  }
}

/** Throws a ScheduleOptionError naming the first option outside its spec's range. */
export function checkValues(c: Configured): void {
  for (const o of c.spec.options) {
    const value = c.values[o.key];
    const bad =
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      value < o.min ||
      (o.max !== undefined && value > o.max) ||
      (o.integer === true && !Number.isInteger(value));
    if (bad) {
      const range = `${o.integer ? "an integer " : ""}≥ ${o.min}${o.max === undefined ? "" : ` and ≤ ${o.max}`}`;
      throw new ScheduleOptionError(
        c.spec.id,
        o,
        Number(value),
        `${c.spec.id}: ${o.key} must be ${range}, got ${value}`,
      );
    }
  }
}

export interface Design {
  readonly lr: number;
  readonly momentum: number;
  readonly steps: number;
  readonly first: Configured;
  /** A second schedule taking over at `milestone` (SequentialLR), or null. */
  readonly next: Configured | null;
  readonly milestone: number;
}

/**
 * lr (and momentum, where the schedule cycles it) after 0 … steps − 1 scheduler steps.
 * @example
 * preview({ lr: 1, momentum: 0.9, steps: 3, first: { spec: scheduleSpec("ExponentialLR")!, values: { gamma: 0.5 } }, next: null, milestone: 0 }).lr;
 * // Float64Array [1, 0.5, 0.25]
 */
export function preview(d: Design): { lr: Float64Array; momentum: Float64Array } {
  checkValues(d.first);
  if (d.next !== null) checkValues(d.next);
  if (!Number.isInteger(d.steps) || d.steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${d.steps}`);
  if (!(Number.isFinite(d.lr) && d.lr > 0)) throw new RangeError(`lr must be a positive number, got ${d.lr}`);
  const [s1, s2] = spans(d);
  const result = previewScheduler(
    (optimizer) => {
      const first = d.first.spec.make(optimizer, d.first.values, Math.max(1, s1), d.lr);
      if (d.next === null) return first;
      const second = d.next.spec.make(optimizer, d.next.values, Math.max(1, s2), d.lr);
      return new SequentialLR(optimizer, { schedulers: [first, second], milestones: [d.milestone] });
    },
    d.steps,
    { groups: [{ lr: d.lr, momentum: d.momentum }] },
  );
  return { lr: Float64Array.from(result.lr), momentum: Float64Array.from(result.momentum ?? []) };
}

const tsValue = (x: number) => String(Number(x.toPrecision(12)));

function tsOptions(c: Configured, span: number): string {
  const lead = (c.spec.leading?.(span) ?? []).map(([ts]) => ts);
  const parts = c.spec.options.map((o) => `${o.key}: ${tsValue(c.values[o.key]!)}`);
  return `{ ${[...lead, ...parts].join(", ")} }`;
}

function pyOptions(c: Configured, span: number): string {
  const lead = (c.spec.leading?.(span) ?? []).map(([, py]) => py);
  const parts = c.spec.options.map((o) => `${o.torch}=${tsValue(c.values[o.key]!)}`);
  return [...lead, ...parts].join(", ");
}

const spans = (d: Design) => [d.next === null ? d.steps : d.milestone, d.steps - d.milestone] as const;

/** The design as descent TypeScript. */
export function typescriptCode(d: Design): string {
  const [s1, s2] = spans(d);
  const classes = ["SGD", d.first.spec.id, ...(d.next ? [d.next.spec.id, "SequentialLR"] : [])];
  const lines = [
    `import { ${[...new Set(classes)].join(", ")} } from "descent-optim";`,
    "",
    `const lr = ${tsValue(d.lr)};`,
    `const optimizer = new SGD(params, { lr, momentum: ${tsValue(d.momentum)} });`,
  ];
  if (d.next === null) {
    lines.push(`const scheduler = new ${d.first.spec.id}(optimizer, ${tsOptions(d.first, s1)});`);
  } else {
    lines.push(
      `const first = new ${d.first.spec.id}(optimizer, ${tsOptions(d.first, s1)});`,
      `const second = new ${d.next.spec.id}(optimizer, ${tsOptions(d.next, s2)});`,
      `const scheduler = new SequentialLR(optimizer, { schedulers: [first, second], milestones: [${d.milestone}] });`,
    );
  }
  lines.push(
    `for (let epoch = 0; epoch < ${d.steps}; epoch++) {`,
    "  train(optimizer); // zeroGrad, gradients, optimizer.step()",
    "  scheduler.step();",
    "}",
  );
  return lines.join("\n");
}

/** The design as PyTorch. */
export function pytorchCode(d: Design): string {
  const [s1, s2] = spans(d);
  const lines = [
    "import torch",
    "from torch.optim import lr_scheduler",
    "",
    `lr = ${tsValue(d.lr)}`,
    `optimizer = torch.optim.SGD(params, lr=lr, momentum=${tsValue(d.momentum)})`,
  ];
  if (d.next === null) {
    lines.push(`scheduler = lr_scheduler.${d.first.spec.id}(optimizer, ${pyOptions(d.first, s1)})`);
  } else {
    lines.push(
      `first = lr_scheduler.${d.first.spec.id}(optimizer, ${pyOptions(d.first, s1)})`,
      `second = lr_scheduler.${d.next.spec.id}(optimizer, ${pyOptions(d.next, s2)})`,
      `scheduler = lr_scheduler.SequentialLR(optimizer, schedulers=[first, second], milestones=[${d.milestone}])`,
    );
  }
  lines.push(`for epoch in range(${d.steps}):`, "    train(optimizer)", "    scheduler.step()");
  return lines.join("\n");
}
