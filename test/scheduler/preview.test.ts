// preview(): the sequence of a scheduler over a throwaway optimizer equals stepping a real optimizer, and
// for every scheduler with a closed form it equals the pure schedule (property tests over random options).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  preview,
  ReduceLROnPlateau,
  type SchedulableOptimizer,
  SequentialLR,
  StepLR,
  schedule,
} from "../../src/index.js";
import { sgd } from "./optimizers.js";

type Factory = (opt: SchedulableOptimizer) => LRScheduler;

/** The lrs (group 0) and momenta of a real SGD stepped `steps − 1` times. */
function real(factory: Factory, steps: number, base: number): { lr: number[]; momentum: number[] } {
  const opt = sgd([base], 0.9);
  const s = factory(opt);
  const lr: number[] = [];
  const momentum: number[] = [];
  for (let i = 0; i < steps; i++) {
    if (i > 0) {
      opt.step();
      s.step();
    }
    const g = opt.paramGroups[0];
    lr.push(g?.lr as number);
    momentum.push(g?.momentum as number);
  }
  return { lr, momentum };
}

function closeAll(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(Math.abs(e), 1e-300), `${what}[${i}]: ${a} vs ${e}`);
  });
}

const base = fc.double({ min: 1e-4, max: 1, noNaN: true });
const factor = fc.double({ min: 0.05, max: 1, noNaN: true });
const steps = fc.integer({ min: 1, max: 40 });

/** Each closed-form scheduler, with its pure schedule (lr at step t for base lr b). */
const closedForms: Record<
  string,
  fc.Arbitrary<{ make: Factory; pure: (b: number) => (t: number) => number }>
> = {
  StepLR: fc.record({ stepSize: fc.integer({ min: 1, max: 7 }), gamma: factor }).map((o) => ({
    make: (opt) => new StepLR(opt, o),
    pure: (b) => schedule.step({ init: b, ...o }),
  })),
  MultiStepLR: fc
    .record({ milestones: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }), gamma: factor })
    .map((o) => ({
      make: (opt) => new MultiStepLR(opt, o),
      pure: (b) => schedule.multiStep({ init: b, ...o }),
    })),
  ExponentialLR: fc.record({ gamma: factor }).map((o) => ({
    make: (opt) => new ExponentialLR(opt, o),
    pure: (b) => schedule.exponential({ init: b, gamma: o.gamma }),
  })),
  LinearLR: fc
    .record({ startFactor: factor, endFactor: factor, totalIters: fc.integer({ min: 1, max: 20 }) })
    .map((o) => ({
      make: (opt) => new LinearLR(opt, o),
      pure: (b) => {
        const f = schedule.linear({ init: o.startFactor, end: o.endFactor, steps: o.totalIters });
        return (t) => b * f(t);
      },
    })),
  ConstantLR: fc.record({ factor, totalIters: fc.integer({ min: 1, max: 20 }) }).map((o) => ({
    make: (opt) => new ConstantLR(opt, o),
    pure: (b) => schedule.piecewiseConstant({ boundaries: [o.totalIters], values: [b * o.factor, b] }),
  })),
  PolynomialLR: fc
    .record({
      totalIters: fc.integer({ min: 1, max: 20 }),
      power: fc.double({ min: 0.5, max: 3, noNaN: true }),
    })
    .map((o) => ({
      make: (opt) => new PolynomialLR(opt, o),
      pure: (b) => schedule.polynomial({ init: b, power: o.power, steps: o.totalIters }),
    })),
  // within tMax only: past it torch's chainable form climbs back up, the pure cosine stays at its end
  CosineAnnealingLR: fc
    .record({ tMax: fc.constant(40), etaMin: fc.double({ min: 0, max: 1e-4, noNaN: true }) })
    .map((o) => ({
      make: (opt) => new CosineAnnealingLR(opt, o),
      pure: (b) => schedule.cosine({ init: b, end: o.etaMin, steps: o.tMax }),
    })),
  "LambdaLR(schedule.warmupCosine)": fc
    .record({ warmupSteps: fc.integer({ min: 0, max: 10 }), totalSteps: fc.integer({ min: 11, max: 50 }) })
    .map((o) => {
      const f = schedule.warmupCosine({ init: 0.01, peak: 1, ...o });
      return { make: (opt) => new LambdaLR(opt, { lrLambda: f }), pure: (b) => (t) => b * f(t) };
    }),
  "SequentialLR(LinearLR, CosineAnnealingLR) = join(linear, cosine)": fc
    .record({ warmup: fc.integer({ min: 1, max: 10 }), startFactor: factor })
    .map((o) => ({
      make: (opt) =>
        new SequentialLR(opt, {
          schedulers: [
            new LinearLR(opt, { startFactor: o.startFactor, totalIters: o.warmup }),
            new CosineAnnealingLR(opt, { tMax: 40 }),
          ],
          milestones: [o.warmup],
        }),
      pure: (b) => {
        const warm = schedule.linear({ init: o.startFactor, end: 1, steps: o.warmup });
        return schedule.join({
          schedules: [(t) => b * warm(t), schedule.cosine({ init: b, steps: 40 })],
          boundaries: [o.warmup],
        });
      },
    })),
};

describe("preview", () => {
  for (const [name, arbitrary] of Object.entries(closedForms)) {
    it(`${name}: preview equals stepping a real optimizer and equals the pure schedule`, () => {
      fc.assert(
        fc.property(arbitrary, base, steps, ({ make, pure }, b, n) => {
          const seen = preview(make, n, { groups: [{ lr: b, momentum: 0.9 }] });
          assert.deepEqual(seen.lr, real(make, n, b).lr);
          const f = pure(b);
          closeAll(
            seen.lr,
            Array.from({ length: n }, (_, t) => f(t)),
            name,
          );
        }),
        { numRuns: 60 },
      );
    });
  }

  it("records the cycled momentum (or β₁ of betas) of OneCycleLR, as a real optimizer has it", () => {
    const make: Factory = (opt) => new OneCycleLR(opt, { maxLr: 1, totalSteps: 20 });
    const seen = preview(make, 20);
    const ref = real(make, 20, 0.1);
    assert.deepEqual(seen.lr, ref.lr);
    assert.deepEqual(seen.momentum, ref.momentum);
    const adamLike = preview(make, 20, { groups: [{ lr: 0.1, betas: [0.9, 0.999] }] });
    assert.deepEqual(adamLike.momentum, ref.momentum);
  });

  it("returns every group's sequence and never touches a real optimizer", () => {
    const r = preview((opt) => new StepLR(opt, { stepSize: 1, gamma: 0.5 }), 3, {
      groups: [{ lr: 1 }, { lr: 4 }],
    });
    assert.deepEqual(r.lr, [1, 0.5, 0.25]);
    assert.deepEqual(r.groups[1]?.lr, [4, 2, 1]);
    assert.equal(r.momentum, undefined);
  });

  it("passes the metrics to a ReduceLROnPlateau phase (warmup then plateau)", () => {
    const r = preview(
      (opt) =>
        new SequentialLR(opt, {
          schedulers: [
            new LinearLR(opt, { startFactor: 0.5, totalIters: 2 }),
            new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 }),
          ],
          milestones: [2],
        }),
      6,
      { groups: [{ lr: 1 }], metrics: [5, 5, 4, 4, 4] },
    );
    // warmup 0.5, 0.75; the plateau phase restarts at the base lr 1 (metric 5 is its first best), 4 improves,
    // then each step without improvement (patience 0) halves the lr
    assert.deepEqual(r.lr, [0.5, 0.75, 1, 1, 0.5, 0.25]);
  });

  it("refuses a bad factory, step count, metric or group list", () => {
    assert.throws(() => preview(null as never, 3), /preview: factory must be a function/);
    assert.throws(() => preview((opt) => new StepLR(opt, { stepSize: 1 }), -1), /Invalid steps: -1/);
    assert.throws(() => preview(() => ({}) as never, 3), /factory must return a scheduler/);
    assert.throws(
      () => preview((opt) => new ReduceLROnPlateau(opt), 3),
      /needs the metric|expected the metric/,
    );
    assert.throws(
      () => preview((opt) => new ReduceLROnPlateau(opt), 3, { metrics: [1] }),
      /metrics has no number for step 1/,
    );
    assert.throws(
      () => preview((opt) => new StepLR(opt, { stepSize: 1 }), 3, { groups: [] }),
      /groups must be a non-empty array/,
    );
  });
});
