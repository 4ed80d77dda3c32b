import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  Lookahead,
  type LRScheduler,
  MultiStepLR,
  OptionError,
  PolynomialLR,
  type SchedulableOptimizer,
  StepLR,
} from "../../src/index.js";
import { param, sparseGrad } from "../../src/index.js";
import { OneCycleLR } from "../../src/index.js";
import { OPTIMIZERS } from "../helpers/optimizers.js";
import { lrs, sgd } from "./optimizers.js";

describe("LRScheduler", () => {
  it("writes initialLr into each group on first construction and keeps an existing one", () => {
    const opt = sgd([0.1, 0.2]);
    new StepLR(opt, { stepSize: 2 });
    assert.deepEqual(
      opt.paramGroups.map((g) => g.initialLr),
      [0.1, 0.2],
    );
    opt.paramGroups[0]!.lr = 0.5;
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    assert.deepEqual(s.baseLrs, [0.1, 0.2]);
  });

  it("makes the initial step at construction: lastEpoch goes from -1 to 0", () => {
    const s = new StepLR(sgd(), { stepSize: 3 });
    assert.equal(s.lastEpoch, 0);
    assert.deepEqual(s.getLastLr(), [0.1]);
  });

  it("drives a wrapper's inner optimizer through the shared paramGroups", () => {
    const inner = sgd([0.1]);
    const s = new ExponentialLR(new Lookahead(inner, { k: 5, alpha: 0.5 }), { gamma: 0.5 });
    s.step();
    assert.deepEqual(lrs(inner), [0.05]);
  });

  it("drives only the groups listed in `groups`", () => {
    const opt = sgd([0.1, 0.2, 0.3]);
    const s = new ExponentialLR(opt, { gamma: 0.5, groups: [0, 2] });
    s.step();
    assert.deepEqual(lrs(opt), [0.05, 0.2, 0.15]);
    assert.deepEqual(s.getLastLr(), [0.05, 0.15]);
    assert.equal(opt.paramGroups[1]!.initialLr, undefined);
  });

  it("refuses a bad groups selection, a non-optimizer and a bad group lr", () => {
    assert.throws(
      () => new StepLR(sgd(), { stepSize: 1, groups: [1] }),
      /groups lists 1, but the optimizer has param groups 0\.\.0/,
    );
    assert.throws(() => new StepLR(sgd([0.1, 0.2]), { stepSize: 1, groups: [0, 0] }), /twice/);
    assert.throws(() => new StepLR({} as never, { stepSize: 1 }), /expected an optimizer/);
    const opt = sgd();
    opt.paramGroups[0]!.lr = Number.NaN;
    assert.throws(() => new StepLR(opt, { stepSize: 1 }), OptionError);
    assert.equal(opt.paramGroups[0]!.initialLr, undefined);
  });

  it("refuses unknown option names", () => {
    assert.throws(() => new StepLR(sgd(), { step_size: 3 } as never), /unknown option 'step_size'/);
  });

  it("refuses a state dict of another scheduler or with bad fields, changing nothing", () => {
    const a = new StepLR(sgd(), { stepSize: 2 });
    const b = new ExponentialLR(sgd(), { gamma: 0.9 });
    assert.throws(() => a.loadStateDict(b.stateDict()), /from "ExponentialLR", not StepLR/);
    const bad = { ...a.stateDict(), baseLrs: [1, 2] };
    assert.throws(() => a.loadStateDict(bad), /baseLrs must be an array of 1 numbers/);
    assert.equal(a.lastEpoch, 0);
  });

  // step(epoch) uses torch's closed form; stepping uses the chainable form. Within the range where torch's
  // two agree (CosineAnnealingLR only up to tMax), they must give the same lr to rounding.
  const closedForm: Array<[string, fc.Arbitrary<(o: SchedulableOptimizer) => LRScheduler>, number]> = [
    [
      "StepLR",
      fc
        .record({
          stepSize: fc.integer({ min: 1, max: 9 }),
          gamma: fc.double({ min: 0.05, max: 1, noNaN: true }),
        })
        .map((o) => (opt) => new StepLR(opt, o)),
      40,
    ],
    [
      "MultiStepLR",
      fc
        .record({
          milestones: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 5 }),
          gamma: fc.double({ min: 0.05, max: 1, noNaN: true }),
        })
        .map((o) => (opt) => new MultiStepLR(opt, o)),
      40,
    ],
    [
      "ConstantLR",
      fc
        .record({
          factor: fc.double({ min: 0.01, max: 1, noNaN: true }),
          totalIters: fc.integer({ min: 1, max: 20 }) /* with 0 torch's two forms disagree */,
        })
        .map((o) => (opt) => new ConstantLR(opt, o)),
      40,
    ],
    [
      "LinearLR",
      fc
        .record({
          startFactor: fc.double({ min: 0.01, max: 1, noNaN: true }),
          endFactor: fc.double({ min: 0, max: 1, noNaN: true }),
          totalIters: fc.integer({ min: 1, max: 20 }),
        })
        .map((o) => (opt) => new LinearLR(opt, o)),
      40,
    ],
    [
      "ExponentialLR",
      fc
        .record({ gamma: fc.double({ min: 0.5, max: 1, noNaN: true }) })
        .map((o) => (opt) => new ExponentialLR(opt, o)),
      40,
    ],
    [
      "PolynomialLR",
      fc
        .record({
          totalIters: fc.integer({ min: 1, max: 30 }),
          power: fc.double({ min: 0, max: 3, noNaN: true }),
        })
        .map((o) => (opt) => new PolynomialLR(opt, o)),
      40,
    ],
    [
      "CosineAnnealingLR",
      fc
        .record({
          tMax: fc.integer({ min: 1, max: 30 }),
          etaMin: fc.double({ min: 0, max: 0.01, noNaN: true }),
        })
        .map((o) => (opt) => new CosineAnnealingLR(opt, o)),
      0,
    ],
  ];
  for (const [name, arbitrary, fixedSteps] of closedForm) {
    it(`${name}: stepping (torch's chainable form) equals step(epoch) (its closed form) at every epoch`, () => {
      fc.assert(
        fc.property(arbitrary, fc.double({ min: 1e-4, max: 1, noNaN: true }), (build, lr) => {
          const stepped = build({ paramGroups: sgd([lr]).paramGroups });
          const jumped = build({ paramGroups: sgd([lr]).paramGroups });
          const steps = fixedSteps || (stepped as CosineAnnealingLR).tMax;
          for (let k = 1; k <= steps; k++) {
            stepped.step();
            jumped.step(k);
            const a = stepped.getLastLr()[0]!;
            const b = jumped.getLastLr()[0]!;
            if (!(Math.abs(a - b) <= 1e-12 * Math.max(lr, Math.abs(b)))) {
              throw new Error(`epoch ${k}: stepped ${a}, closed form ${b}`);
            }
          }
        }),
        { numRuns: 60 },
      );
    });
  }

  it("the optimizer steps with the lr the scheduler wrote", () => {
    const w = param([1], { dtype: "float64" });
    const opt = sgd([0.1], 0);
    opt.paramGroups[0]!.params = [w];
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    w.gradBuffer().set([1]);
    opt.step();
    assert.equal(w.data[0], 1 - 0.05);
  });

  for (const [name, make] of Object.entries(OPTIMIZERS)) {
    it(`${name}: OneCycleLR cycles its momentum or beta1 if it has one (else refuses, as torch) and the optimizer still steps`, () => {
      const w = param([1, 2], { dtype: "float64" });
      const opt = make([{ params: [w] }], {});
      const g = opt.paramGroups[0]!;
      const cycles = typeof g.momentum === "number" || Array.isArray(g.betas);
      if (!cycles) {
        assert.throws(
          () => new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 }),
          /must support momentum or beta1/,
        );
        assert.equal(g.initialLr, undefined);
        return;
      }
      const s = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 });
      for (let k = 0; k < 5; k++) {
        if (name === "SparseAdam") w.sparseGrad = sparseGrad([0, 1], Float64Array.of(0.5, -0.5));
        else w.gradBuffer().set([0.5, -0.5]);
        if (name === "LBFGS") opt.step(() => 0);
        else opt.step();
        s.step();
      }
      assert.equal(opt.paramGroups[0]!.lr, s.getLastLr()[0]);
      assert.ok(w.data.every(Number.isFinite));
    });
  }
});
