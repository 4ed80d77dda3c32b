// The pure schedules: values derived by hand, the torch closed forms they stand for, and their validation.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schedule } from "../../src/index.js";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

describe("schedule.*", () => {
  it("constant is the value at every step", () => {
    const f = schedule.constant({ value: 0.3 });
    assert.deepEqual([0, 1, 1e6].map(f), [0.3, 0.3, 0.3]);
  });

  it("linear goes from init to end over steps and then stays at end", () => {
    const f = schedule.linear({ init: 1, end: 3, steps: 4 });
    assert.deepEqual([0, 1, 2, 4, 9].map(f), [1, 1.5, 2, 3, 3]);
  });

  it("cosine is half a cosine from init to end, then end (no climb back as torch's chainable form)", () => {
    const f = schedule.cosine({ init: 1, end: 0.2, steps: 10 });
    close(f(0), 1);
    close(f(5), 0.6);
    close(f(10), 0.2);
    close(f(15), 0.2);
    close(f(2.5), 0.2 + 0.8 * (1 + Math.cos(Math.PI / 4)) * 0.5);
  });

  it("exponential decays continuously, or in whole transitions with staircase", () => {
    close(schedule.exponential({ init: 2, gamma: 0.5 })(3), 0.25);
    close(schedule.exponential({ init: 1, gamma: 0.25, transitionSteps: 2 })(1), 0.5);
    close(schedule.exponential({ init: 1, gamma: 0.25, transitionSteps: 2, staircase: true })(3), 0.25);
  });

  it("polynomial decays to end with the given power", () => {
    const f = schedule.polynomial({ init: 1, end: 0.1, power: 2, steps: 10 });
    close(f(5), 0.1 + 0.9 * 0.25);
    close(f(20), 0.1);
  });

  it("step multiplies by gamma every stepSize steps", () => {
    const f = schedule.step({ init: 1, stepSize: 3, gamma: 0.5 });
    assert.deepEqual([0, 2, 3, 5, 6].map(f), [1, 1, 0.5, 0.5, 0.25]);
  });

  it("multiStep treats milestones as a multiset, unsorted and repeated as torch", () => {
    const f = schedule.multiStep({ init: 1, milestones: [6, 2, 2], gamma: 0.5 });
    assert.deepEqual([0, 1, 2, 5, 6].map(f), [1, 1, 0.25, 0.25, 0.125]);
  });

  it("piecewiseConstant switches value at each boundary", () => {
    const f = schedule.piecewiseConstant({ boundaries: [10, 20], values: [3, 2, 1] });
    assert.deepEqual([0, 9.5, 10, 19, 20, 99].map(f), [3, 3, 2, 2, 1, 1]);
  });

  it("join restarts each schedule at its boundary", () => {
    const f = schedule.join({
      schedules: [
        schedule.linear({ init: 0, end: 1, steps: 4 }),
        schedule.step({ init: 1, stepSize: 1, gamma: 0.5 }),
      ],
      boundaries: [4],
    });
    assert.deepEqual([0, 2, 4, 5, 6].map(f), [0, 0.5, 1, 0.5, 0.25]);
  });

  it("warmupCosine warms up linearly to peak, then anneals to end by totalSteps", () => {
    const f = schedule.warmupCosine({ init: 0.1, peak: 1, warmupSteps: 10, totalSteps: 30, end: 0 });
    close(f(0), 0.1);
    close(f(5), 0.55);
    close(f(10), 1);
    close(f(20), 0.5);
    close(f(30), 0);
    close(f(40), 0);
    close(schedule.warmupCosine({ peak: 1, warmupSteps: 0, totalSteps: 2 })(1), 0.5);
  });

  it("warmupStableDecay holds the peak, then decays linearly, by cosine or by 1 − sqrt", () => {
    const o = { peak: 1, warmupSteps: 4, stableSteps: 6, decaySteps: 4, end: 0.2 };
    const lin = schedule.warmupStableDecay(o);
    const expected = [0, 0.5, 1, 1, 1, 0.6, 0.2, 0.2];
    [0, 2, 4, 9, 10, 12, 14, 99].forEach((t, i) => {
      close(lin(t), expected[i] as number);
    });
    assert.equal(lin(14), 0.2, "the decay ends exactly at end");
    close(schedule.warmupStableDecay({ ...o, decay: "cosine" })(12), 0.6);
    close(schedule.warmupStableDecay({ ...o, decay: "sqrt" })(11), 1 - 0.8 * 0.5);
  });

  it("inverseSqrt warms up, then decays as 1/sqrt(step)", () => {
    const f = schedule.inverseSqrt({ peak: 1, warmupSteps: 100 });
    assert.deepEqual([0, 50, 100, 400, 10000].map(f), [0, 0.5, 1, 0.5, 0.1]);
    assert.deepEqual([0, 1, 4].map(schedule.inverseSqrt({ peak: 1 })), [1, 1, 0.5]);
  });

  it("a schedule refuses a negative, NaN or infinite step", () => {
    const f = schedule.constant({ value: 1 });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => f(bad), /schedule\.constant: step must be a finite number ≥ 0/);
    }
  });

  it("bad options are refused when the schedule is built, naming the value", () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => schedule.constant({ value: Number.NaN }), /schedule\.constant: Invalid value: NaN/],
      [() => schedule.linear({ init: 0, end: 1, steps: 0 }), /Invalid steps: 0/],
      [() => schedule.linear({ init: 0, end: 1, steps: 2, step: 3 } as never), /unknown option 'step'/],
      [() => schedule.cosine({ init: 1, steps: 2.5 }), /Invalid steps: 2\.5/],
      [() => schedule.exponential({ init: 1, gamma: 0 }), /Invalid gamma: 0/],
      [() => schedule.exponential({ init: 1, gamma: -0.5 }), /Invalid gamma: -0\.5/],
      [() => schedule.polynomial({ init: 1, steps: 3, power: -1 }), /Invalid power: -1/],
      [() => schedule.step({ init: 1, stepSize: 0 }), /Invalid stepSize: 0/],
      [() => schedule.multiStep({ init: 1, milestones: [1, -2] }), /milestones must be an array of integers/],
      [() => schedule.piecewiseConstant({ boundaries: [5, 5], values: [1, 2, 3] }), /strictly increasing/],
      [() => schedule.piecewiseConstant({ boundaries: [5], values: [1] }), /one more entry than boundaries/],
      [
        () => schedule.join({ schedules: [schedule.constant({ value: 1 })], boundaries: [3] }),
        /boundaries must be 0/,
      ],
      [
        () => schedule.warmupCosine({ peak: 1, warmupSteps: 10, totalSteps: 10 }),
        /totalSteps \(10\) must exceed/,
      ],
      [
        () =>
          schedule.warmupStableDecay({
            peak: 1,
            warmupSteps: 1,
            stableSteps: 1,
            decaySteps: 1,
            decay: "exp" as never,
          }),
        /Invalid decay: "exp"/,
      ],
      [() => schedule.inverseSqrt({ peak: Number.POSITIVE_INFINITY }), /Invalid peak: Infinity/],
    ];
    for (const [make, message] of cases) assert.throws(make, message);
  });
});
