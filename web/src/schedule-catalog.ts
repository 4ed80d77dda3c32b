// The schedules the designer offers: torch.optim.lr_scheduler's closed forms (lr after t scheduler steps,
// t = 0 before the first), a SequentialLR of two of them, and the equivalent descent and PyTorch code.
// descent's torch-style scheduler classes (src/scheduler/) were not in the tree when this was written; the
// curves here follow torch's documented closed forms, and OneCycleLR comes from the lab's `oneCycleAt`.

import { oneCycleAt } from "../../src/lab/schedules.js";

export interface ScheduleOption {
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

export type ScheduleValues = Record<string, number>;

export interface ScheduleSpec {
  /** descent's and torch's class name. */
  readonly id: string;
  readonly options: readonly ScheduleOption[];
  /** The lr after `t` scheduler steps from the initial lr `base`. */
  lr(t: number, base: number, v: ScheduleValues, totalSteps: number): number;
  /** The momentum after `t` steps, for schedules that cycle it. */
  momentum?(t: number, base: number, v: ScheduleValues, totalSteps: number): number;
}

const opt = (
  key: string,
  torch: string,
  def: number,
  step: number,
  min: number,
  extra: Partial<ScheduleOption> = {},
) => ({ key, torch, default: def, step, min, ...extra }) as ScheduleOption;
const v = (values: ScheduleValues, key: string) => values[key]!;

function oneCycle(t: number, base: number, values: ScheduleValues, totalSteps: number) {
  return oneCycleAt(Math.min(t, totalSteps - 1), {
    maxLr: base,
    totalSteps,
    pctStart: v(values, "pctStart"),
    divFactor: v(values, "divFactor"),
    finalDivFactor: v(values, "finalDivFactor"),
  });
}

/** Every schedule the designer offers. */
export const SCHEDULES: readonly ScheduleSpec[] = Object.freeze([
  {
    id: "StepLR",
    options: [opt("stepSize", "step_size", 30, 1, 1, { integer: true }), opt("gamma", "gamma", 0.1, 0.05, 0)],
    lr: (t, base, o) => base * v(o, "gamma") ** Math.floor(t / v(o, "stepSize")),
  },
  {
    id: "ExponentialLR",
    options: [opt("gamma", "gamma", 0.97, 0.01, 0)],
    lr: (t, base, o) => base * v(o, "gamma") ** t,
  },
  {
    id: "CosineAnnealingLR",
    options: [opt("tMax", "T_max", 100, 1, 1, { integer: true }), opt("etaMin", "eta_min", 0, 0.001, 0)],
    lr: (t, base, o) => {
      const etaMin = v(o, "etaMin");
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * t) / v(o, "tMax")))) / 2;
    },
  },
  {
    id: "CosineAnnealingWarmRestarts",
    options: [
      opt("t0", "T_0", 20, 1, 1, { integer: true }),
      opt("tMult", "T_mult", 2, 1, 1, { integer: true }),
      opt("etaMin", "eta_min", 0, 0.001, 0),
    ],
    lr: (t, base, o) => {
      let period = v(o, "t0");
      let tCur = t;
      while (tCur >= period) {
        tCur -= period;
        period *= v(o, "tMult");
      }
      const etaMin = v(o, "etaMin");
      return etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / period))) / 2;
    },
  },
  {
    id: "LinearLR",
    options: [
      opt("startFactor", "start_factor", 1 / 3, 0.05, 1e-8, { max: 1 }),
      opt("endFactor", "end_factor", 1, 0.05, 0, { max: 1 }),
      opt("totalIters", "total_iters", 5, 1, 1, { integer: true }),
    ],
    lr: (t, base, o) => {
      const total = v(o, "totalIters");
      return (
        base *
        (v(o, "startFactor") + ((v(o, "endFactor") - v(o, "startFactor")) * Math.min(t, total)) / total)
      );
    },
  },
  {
    id: "ConstantLR",
    options: [
      opt("factor", "factor", 1 / 3, 0.05, 0, { max: 1 }),
      opt("totalIters", "total_iters", 5, 1, 1, { integer: true }),
    ],
    lr: (t, base, o) => base * (t < v(o, "totalIters") ? v(o, "factor") : 1),
  },
  {
    id: "PolynomialLR",
    options: [
      opt("totalIters", "total_iters", 50, 1, 1, { integer: true }),
      opt("power", "power", 1, 0.1, 0),
    ],
    lr: (t, base, o) => base * (1 - Math.min(t, v(o, "totalIters")) / v(o, "totalIters")) ** v(o, "power"),
  },
  {
    id: "OneCycleLR",
    options: [
      opt("pctStart", "pct_start", 0.3, 0.05, 0.01, { max: 0.99 }),
      opt("divFactor", "div_factor", 25, 1, 1),
      opt("finalDivFactor", "final_div_factor", 1e4, 100, 1),
    ],
    lr: (t, base, o, total) => oneCycle(t, base, o, total).lr,
    momentum: (t, base, o, total) => oneCycle(t, base, o, total).momentum,
  },
]);

export function scheduleSpec(id: string): ScheduleSpec | undefined {
  return SCHEDULES.find((s) => s.id === id);
}

/** A configured schedule: a spec and its values. */
export interface Configured {
  readonly spec: ScheduleSpec;
  readonly values: ScheduleValues;
}

/** Throws a RangeError naming the first option outside its spec's range. */
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
      throw new RangeError(`${c.spec.id}: ${o.key} must be ${range}, got ${value}`);
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
  const lr = new Float64Array(d.steps);
  const momentum = new Float64Array(d.steps);
  for (let t = 0; t < d.steps; t++) {
    const useSecond = d.next !== null && t >= d.milestone;
    const c = useSecond ? d.next! : d.first;
    const local = useSecond ? t - d.milestone : t;
    const span = useSecond ? d.steps - d.milestone : d.next !== null ? d.milestone : d.steps;
    lr[t] = c.spec.lr(local, d.lr, c.values, Math.max(1, span));
    momentum[t] = c.spec.momentum?.(local, d.lr, c.values, Math.max(1, span)) ?? d.momentum;
  }
  return { lr, momentum };
}

const tsValue = (x: number) => String(Number(x.toPrecision(12)));

function tsOptions(c: Configured, span: number): string {
  const parts = c.spec.options.map((o) => `${o.key}: ${tsValue(c.values[o.key]!)}`);
  if (c.spec.id === "OneCycleLR") parts.unshift("maxLr: lr", `totalSteps: ${span}`);
  return `{ ${parts.join(", ")} }`;
}

function pyOptions(c: Configured, span: number): string {
  const parts = c.spec.options.map((o) => `${o.torch}=${tsValue(c.values[o.key]!)}`);
  if (c.spec.id === "OneCycleLR") parts.unshift("max_lr=lr", `total_steps=${span}`);
  return parts.join(", ");
}

const spans = (d: Design) => [d.next === null ? d.steps : d.milestone, d.steps - d.milestone] as const;

/** The design as descent TypeScript. */
export function typescriptCode(d: Design): string {
  const [s1, s2] = spans(d);
  const classes = ["SGD", d.first.spec.id, ...(d.next ? [d.next.spec.id, "SequentialLR"] : [])];
  const lines = [
    `import { ${[...new Set(classes)].join(", ")} } from "descent";`,
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
