// Every option of every scheduler refuses values of the wrong kind (NaN, ±Infinity where a count or rate is
// meant, strings, objects, booleans for numbers; numbers for modes and functions), with the value in the
// message, and a refused construction leaves the optimizer exactly as it was: no initialLr written, no lr
// changed (torch would have set initial_lr before failing in some of these).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describe as show, param } from "../../src/core/param.js";
import { SGD } from "../../src/optim/sgd.js";
import { ConstantLR } from "../../src/scheduler/constant-lr.js";
import { CosineAnnealingLR } from "../../src/scheduler/cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "../../src/scheduler/cosine-annealing-warm-restarts.js";
import { CyclicLR } from "../../src/scheduler/cyclic-lr.js";
import { ExponentialLR } from "../../src/scheduler/exponential-lr.js";
import { LambdaLR } from "../../src/scheduler/lambda-lr.js";
import { LinearLR } from "../../src/scheduler/linear-lr.js";
import { MultiStepLR } from "../../src/scheduler/multi-step-lr.js";
import { MultiplicativeLR } from "../../src/scheduler/multiplicative-lr.js";
import { OneCycleLR } from "../../src/scheduler/one-cycle-lr.js";
import { PolynomialLR } from "../../src/scheduler/polynomial-lr.js";
import { ReduceLROnPlateau } from "../../src/scheduler/reduce-lr-on-plateau.js";
import { SequentialLR } from "../../src/scheduler/sequential-lr.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { SWALR } from "../../src/scheduler/swalr.js";
import { stateFingerprint } from "../helpers/conformance-table.js";

type Options = Record<string, unknown>;

interface SchedulerRow {
  name: string;
  make(optimizer: SGD, options: Options): unknown;
  validOptions: Options;
  /** Options for which null is meaningful (torch's None). */
  nullable?: readonly string[];
}

const ROWS: SchedulerRow[] = [
  {
    name: "LambdaLR",
    make: (o, x) => new LambdaLR(o, x as never),
    validOptions: { lrLambda: (e: number) => 0.9 ** e },
  },
  {
    name: "MultiplicativeLR",
    make: (o, x) => new MultiplicativeLR(o, x as never),
    validOptions: { lrLambda: () => 0.9 },
  },
  { name: "StepLR", make: (o, x) => new StepLR(o, x as never), validOptions: { stepSize: 3, gamma: 0.5 } },
  {
    name: "MultiStepLR",
    make: (o, x) => new MultiStepLR(o, x as never),
    validOptions: { milestones: [2, 5], gamma: 0.5 },
  },
  {
    name: "ConstantLR",
    make: (o, x) => new ConstantLR(o, x as never),
    validOptions: { factor: 0.5, totalIters: 3 },
  },
  {
    name: "LinearLR",
    make: (o, x) => new LinearLR(o, x as never),
    validOptions: { startFactor: 0.25, endFactor: 1, totalIters: 4 },
  },
  { name: "ExponentialLR", make: (o, x) => new ExponentialLR(o, x as never), validOptions: { gamma: 0.9 } },
  {
    name: "PolynomialLR",
    make: (o, x) => new PolynomialLR(o, x as never),
    validOptions: { totalIters: 5, power: 2 },
  },
  {
    name: "CosineAnnealingLR",
    make: (o, x) => new CosineAnnealingLR(o, x as never),
    validOptions: { tMax: 10, etaMin: 0.001 },
  },
  {
    name: "CosineAnnealingWarmRestarts",
    make: (o, x) => new CosineAnnealingWarmRestarts(o, x as never),
    validOptions: { t0: 3, tMult: 2, etaMin: 0.001 },
  },
  {
    name: "CyclicLR",
    make: (o, x) => new CyclicLR(o, x as never),
    validOptions: {
      baseLr: 0.01,
      maxLr: 0.1,
      stepSizeUp: 4,
      stepSizeDown: 2,
      mode: "exp_range",
      gamma: 0.99,
      scaleMode: "cycle",
      cycleMomentum: true,
      baseMomentum: 0.8,
      maxMomentum: 0.9,
    },
    nullable: ["stepSizeDown"],
  },
  {
    name: "OneCycleLR",
    make: (o, x) => new OneCycleLR(o, x as never),
    validOptions: {
      maxLr: 0.1,
      totalSteps: 20,
      pctStart: 0.25,
      annealStrategy: "linear",
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    },
  },
  {
    name: "ReduceLROnPlateau",
    make: (o, x) => new ReduceLROnPlateau(o, x as never),
    validOptions: {
      mode: "max",
      factor: 0.5,
      patience: 2,
      threshold: 1e-3,
      thresholdMode: "abs",
      cooldown: 1,
      minLr: 1e-5,
      eps: 1e-9,
    },
  },
  {
    name: "SequentialLR",
    make: (o, x) => new SequentialLR(o, x as never),
    validOptions: {},
  },
  {
    name: "SWALR",
    make: (o, x) => new SWALR(o, x as never),
    validOptions: { swaLr: 0.01, annealEpochs: 5, annealStrategy: "linear" },
  },
];

/** The options without a default, per scheduler (API.md's tables). */
const REQUIRED: Record<string, readonly string[]> = {
  LambdaLR: ["lrLambda"],
  MultiplicativeLR: ["lrLambda"],
  StepLR: ["stepSize"],
  MultiStepLR: ["milestones"],
  ExponentialLR: ["gamma"],
  CosineAnnealingLR: ["tMax"],
  CosineAnnealingWarmRestarts: ["t0"],
  CyclicLR: ["baseLr", "maxLr"],
  OneCycleLR: ["maxLr"],
  SWALR: ["swaLr"],
};

function optimizer(): SGD {
  return new SGD([{ params: [param([1, 2])] }, { params: [param([3])], lr: 0.02 }], {
    lr: 0.05,
    momentum: 0.9,
  });
}

function badValuesFor(value: unknown): unknown[] {
  if (typeof value === "number") return [Number.NaN, "1", {}, true, null];
  if (typeof value === "boolean") return [1, "true", null];
  if (typeof value === "string") return ["no_such_mode", 3, null];
  if (typeof value === "function") return [1, "f", {}, null];
  if (Array.isArray(value)) return ["1,2", 7, null, [Number.NaN]];
  return [];
}

function shown(value: unknown): RegExp {
  const alternatives = [show(value)];
  if (value === null) alternatives.push("None");
  if (Array.isArray(value)) alternatives.push(...value.map(String));
  return new RegExp(alternatives.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

const groupsPicture = (o: SGD) =>
  stateFingerprint(
    o.paramGroups.map((g) => Object.fromEntries(Object.entries(g).filter(([k]) => k !== "params"))),
  );

for (const row of ROWS) {
  describe(`${row.name}: every option refuses values of the wrong kind and changes nothing`, () => {
    it("accepts its valid options", () => {
      const o = optimizer();
      if (row.name === "SequentialLR") {
        const a = new LinearLR(o, { totalIters: 2 });
        const b = new ExponentialLR(o, { gamma: 0.9 });
        assert.doesNotThrow(() => row.make(o, { schedulers: [a, b], milestones: [2] }));
      } else assert.doesNotThrow(() => row.make(o, row.validOptions));
    });
    for (const [key, value] of Object.entries(row.validOptions)) {
      // null means "the default" for an option that has one (the house `options.x ?? default` idiom), so
      // it is refused only for the options a scheduler cannot do without
      const required = REQUIRED[row.name]?.includes(key) ?? false;
      const bad = badValuesFor(value).filter((v) => v !== null || (required && !row.nullable?.includes(key)));
      it(`${key} refuses ${bad.map((v) => show(v)).join(", ")}`, () => {
        for (const v of bad) {
          const o = optimizer();
          const before = groupsPicture(o);
          assert.throws(
            () => row.make(o, { ...row.validOptions, [key]: v }),
            (e: Error) => e instanceof Error && shown(v).test(e.message),
            `${key} = ${show(v)} was accepted (or the message does not show it)`,
          );
          assert.deepEqual(groupsPicture(o), before, `${key} = ${show(v)}: the optimizer's groups changed`);
        }
      });
    }
  });
}

describe("SequentialLR: bad schedulers and milestones are refused, changing nothing", () => {
  it("refuses non-scheduler entries, wrong milestone counts and non-integer milestones", () => {
    const o = optimizer();
    const a = new LinearLR(o, { totalIters: 2 });
    const b = new ExponentialLR(o, { gamma: 0.9 });
    const before = groupsPicture(o);
    for (const options of [
      { schedulers: [a, 3], milestones: [2] },
      { schedulers: [a, b], milestones: [2, 4] },
      { schedulers: [a, b], milestones: [Number.NaN] },
      { schedulers: [a, b], milestones: ["2"] },
      { schedulers: "ab", milestones: [2] },
    ]) {
      assert.throws(() => new SequentialLR(o, options as never), Error, JSON.stringify(options));
      assert.deepEqual(groupsPicture(o), before);
    }
  });
});
