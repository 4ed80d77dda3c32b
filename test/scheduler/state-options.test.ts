// A scheduler's state dict carries its options and loadStateDict restores them, as torch's
// `load_state_dict` updates the scheduler's attributes (function-valued options excepted, as torch): a
// scheduler rebuilt with other options continues the saved run, never a mix of the two. Saved options are
// checked as the constructor checks them, a non-finite saved lr is refused, and a cycled β₁ outside [0, 1)
// is refused at construction.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { ConstantLR } from "../../src/scheduler/constant-lr.js";
import { CosineAnnealingLR } from "../../src/scheduler/cosine-annealing-lr.js";
import { CosineAnnealingWarmRestarts } from "../../src/scheduler/cosine-annealing-warm-restarts.js";
import { CyclicLR } from "../../src/scheduler/cyclic-lr.js";
import { ExponentialLR } from "../../src/scheduler/exponential-lr.js";
import { LambdaLR } from "../../src/scheduler/lambda-lr.js";
import { LinearLR } from "../../src/scheduler/linear-lr.js";
import type { LRScheduler, SchedulableOptimizer } from "../../src/scheduler/lr-scheduler.js";
import { MultiStepLR } from "../../src/scheduler/multi-step-lr.js";
import { MultiplicativeLR } from "../../src/scheduler/multiplicative-lr.js";
import { OneCycleLR } from "../../src/scheduler/one-cycle-lr.js";
import { PolynomialLR } from "../../src/scheduler/polynomial-lr.js";
import { ReduceLROnPlateau } from "../../src/scheduler/reduce-lr-on-plateau.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { SWALR } from "../../src/scheduler/swalr.js";

type Make = (opt: SchedulableOptimizer, options: Record<string, unknown>) => LRScheduler;

/** Each class with the options of a saved run and other options a rebuilt scheduler might be given. */
const CASES: Array<[string, Make, Record<string, unknown>, Record<string, unknown>]> = [
  ["StepLR", (o, x) => new StepLR(o, x as never), { stepSize: 2, gamma: 0.1 }, { stepSize: 1, gamma: 0.005 }],
  [
    "MultiStepLR",
    (o, x) => new MultiStepLR(o, x as never),
    { milestones: [2, 5], gamma: 0.5 },
    { milestones: [1], gamma: 0.1 },
  ],
  [
    "ConstantLR",
    (o, x) => new ConstantLR(o, x as never),
    { factor: 0.5, totalIters: 4 },
    { factor: 0.1, totalIters: 2 },
  ],
  [
    "LinearLR",
    (o, x) => new LinearLR(o, x as never),
    { startFactor: 0.2, totalIters: 6 },
    { startFactor: 0.5, endFactor: 0.1, totalIters: 3 },
  ],
  ["ExponentialLR", (o, x) => new ExponentialLR(o, x as never), { gamma: 0.9 }, { gamma: 0.5 }],
  ["PolynomialLR", (o, x) => new PolynomialLR(o, x as never), { totalIters: 8, power: 2 }, { totalIters: 4 }],
  [
    "CosineAnnealingLR",
    (o, x) => new CosineAnnealingLR(o, x as never),
    { tMax: 10, etaMin: 0.001 },
    { tMax: 3 },
  ],
  [
    "CosineAnnealingWarmRestarts",
    (o, x) => new CosineAnnealingWarmRestarts(o, x as never),
    { t0: 3, tMult: 2 },
    { t0: 5, etaMin: 0.01 },
  ],
  [
    "CyclicLR",
    (o, x) => new CyclicLR(o, x as never),
    { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: "triangular2" },
    { baseLr: 0.001, maxLr: 0.2, stepSizeUp: 2 },
  ],
  [
    "OneCycleLR",
    (o, x) => new OneCycleLR(o, x as never),
    { maxLr: 0.1, totalSteps: 20, pctStart: 0.4 },
    { maxLr: 0.1, totalSteps: 30, annealStrategy: "linear" },
  ],
  [
    "SWALR",
    (o, x) => new SWALR(o, x as never),
    { swaLr: 0.01, annealEpochs: 4 },
    { swaLr: 0.05, annealEpochs: 2, annealStrategy: "linear" },
  ],
  ["LambdaLR", (o, x) => new LambdaLR(o, { lrLambda: (e: number) => 0.9 ** e, ...x } as never), {}, {}],
  ["MultiplicativeLR", (o, x) => new MultiplicativeLR(o, { lrLambda: () => 0.95, ...x } as never), {}, {}],
  [
    "ReduceLROnPlateau",
    (o, x) => new ReduceLROnPlateau(o, x as never),
    { factor: 0.5, patience: 1 },
    { factor: 0.1, patience: 5, mode: "max" },
  ],
];

function sgd() {
  return new SGD([{ params: [param([1, 2])] }, { params: [param([3])], lr: 0.02 }], {
    lr: 0.05,
    momentum: 0.9,
  });
}

function advance(s: LRScheduler, opt: SGD, steps: number, from: number): number[][] {
  const lrs: number[][] = [];
  for (let t = from; t < from + steps; t++) {
    if (s instanceof ReduceLROnPlateau) s.step(10 - Math.min(t, 3));
    else s.step();
    lrs.push(opt.paramGroups.map((g) => g.lr));
  }
  return lrs;
}

describe("scheduler loadStateDict restores the saved options, as torch", () => {
  for (const [name, make, saved, other] of CASES) {
    it(`${name}: a scheduler built with other options continues the saved run exactly`, () => {
      const optA = sgd();
      const a = make(optA, saved);
      advance(a, optA, 4, 0);
      const sd = JSON.parse(JSON.stringify(a.stateDict()));
      const optB = sgd();
      const b = make(optB, other);
      b.loadStateDict(sd);
      for (const [i, g] of optB.paramGroups.entries())
        Object.assign(g, { ...optA.paramGroups[i], params: g.params });
      assert.deepEqual(advance(b, optB, 8, 4), advance(a, optA, 8, 4));
      assert.deepEqual(b.stateDict(), a.stateDict());
    });
  }

  it("torch's StepLR case: 5e-5, 5e-6, 5e-6 after the load, not 2.5e-7, 1.25e-9, 6.25e-12", () => {
    const opt = new SGD([param([1])], { lr: 0.05 });
    const saved = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
    for (let i = 0; i < 6; i++) saved.step();
    const rebuilt = new StepLR(new SGD([param([1])], { lr: 0.05 }), { stepSize: 1, gamma: 0.005 });
    rebuilt.loadStateDict(saved.stateDict());
    const lrs: number[] = [];
    for (let i = 0; i < 3; i++) {
      rebuilt.step();
      lrs.push(rebuilt.getLastLr()[0]!);
    }
    const expected = [5e-5, 5e-6, 5e-6];
    for (const [i, lr] of lrs.entries()) assert.ok(Math.abs(lr - expected[i]!) < 1e-18, `${lrs}`);
  });

  it("keeps function-valued options, which torch does not save either", () => {
    const opt = sgd();
    const a = new LambdaLR(opt, { lrLambda: (e) => 0.5 ** e });
    a.step();
    assert.equal("lrLambda" in (a.stateDict().options as object), false);
    const b = new LambdaLR(sgd(), { lrLambda: (e) => 0.1 * e + 1 });
    b.loadStateDict(a.stateDict());
    b.step();
    assert.deepEqual(b.getLastLr(), [0.05 * 1.2, 0.02 * 1.2]);
  });

  it("refuses saved options the constructor would refuse, naming them and changing nothing", () => {
    const opt = sgd();
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    s.step();
    const before = JSON.stringify([s.stateDict(), opt.paramGroups.map((g) => g.lr)]);
    for (const [options, message] of [
      [
        { stepSize: 0, gamma: 0.5 },
        /saved options are not valid StepLR options: StepLR: Invalid stepSize: 0/,
      ],
      [{ stepSize: 2, gama: 0.5 }, /unknown option 'gama'/],
      [{ stepSize: 2, gamma: "NaN" }, /Invalid gamma: NaN/],
      [[2], /options must be an object/],
    ] as const) {
      const sd = { ...s.stateDict(), options };
      assert.throws(() => s.loadStateDict(sd as never), message);
      assert.equal(JSON.stringify([s.stateDict(), opt.paramGroups.map((g) => g.lr)]), before);
    }
  });

  it("refuses a NaN or infinite saved lr at load instead of failing later", () => {
    for (const make of [
      (o: SGD) => new StepLR(o, { stepSize: 2 }),
      (o: SGD) => new ReduceLROnPlateau(o, {}),
    ]) {
      const opt = sgd();
      const s = make(opt);
      for (const [key, bad] of [
        ["lastLr", "NaN"],
        ["lastLr", "Infinity"],
        ["baseLrs", "NaN"],
        ["minLrs", "-Infinity"],
      ] as const) {
        const sd = s.stateDict() as Record<string, unknown>;
        if (!(key in sd)) continue;
        (sd[key] as unknown[])[1] = bad;
        assert.throws(
          () => s.loadStateDict(sd as never),
          new RegExp(`${key}\\[1\\] is ${bad}, not a finite lr`),
        );
        assert.deepEqual(
          opt.paramGroups.map((g) => g.lr),
          [0.05, 0.02],
        );
      }
    }
  });
});

describe("fromTorchStateDict refuses torch's options where they differ from the scheduler's", () => {
  it("StepLR built with gamma 0.1 and a torch state dict saved with gamma 0.5", async () => {
    const { fromTorchStateDict } = await import("../../src/scheduler/torch-state-dict.js");
    const torchState = {
      step_size: 2,
      gamma: 0.5,
      base_lrs: [0.1],
      last_epoch: 3,
      _step_count: 4,
      _last_lr: [0.05],
    };
    const same = new StepLR(new SGD([param([0])], { lr: 0.1 }), { stepSize: 2, gamma: 0.5 });
    same.loadStateDict(fromTorchStateDict(same, torchState));
    const other = new StepLR(new SGD([param([0])], { lr: 0.1 }), { stepSize: 2, gamma: 0.1 });
    assert.throws(
      () => fromTorchStateDict(other, torchState),
      /torch's state dict has gamma = 0.5 but this scheduler was built with gamma = 0.1/,
    );
  });
});

describe("a cycled β₁ outside [0, 1) is refused at construction", () => {
  for (const [name, make] of [
    [
      "OneCycleLR",
      (o: Adam, m: Record<string, number>) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, ...m }),
    ],
    ["CyclicLR", (o: Adam, m: Record<string, number>) => new CyclicLR(o, { baseLr: 0.01, maxLr: 0.1, ...m })],
  ] as const) {
    it(name, () => {
      for (const [options, label] of [
        [{ maxMomentum: 1.5 }, "maxMomentum"],
        [{ maxMomentum: 1 }, "maxMomentum"],
        [{ baseMomentum: 1.2, maxMomentum: 0.95 }, "baseMomentum"],
      ] as const) {
        const opt = new Adam([param([1])], { lr: 0.01 });
        assert.throws(
          () => make(opt, options),
          new RegExp(`${name}: Invalid ${label}\\[0\\]: .*Invalid beta parameter at index 0`),
        );
        assert.deepEqual(opt.paramGroups[0]!.betas, [0.9, 0.999], "nothing was written");
        assert.equal(opt.paramGroups[0]!.lr, 0.01);
      }
      // momentum (not β₁) above 1 is SGD's business, and torch's SGD accepts it
      make(new SGD([param([1])], { lr: 0.01, momentum: 0.9 }) as never, {
        maxMomentum: 1.5,
        baseMomentum: 0.9,
      });
    });
  }
});
