import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam, SGD } from "../../src/index.js";
import { RaceRunner, race, raceOptimizer, testFunction } from "../../src/lab/index.js";

const entries = (fnName: string, names: string[], lr?: number) => {
  const fn = testFunction(fnName);
  return names.map((n) => raceOptimizer(n, fn, lr === undefined ? {} : { lr }));
};

const outcomes = (fnName: string, names: string[], opts: Parameters<typeof race>[2] = {}, lr?: number) => {
  const result = race(testFunction(fnName), entries(fnName, names, lr), opts);
  return Object.fromEntries(result.runs.map((r) => [r.label, r.summary]));
};

describe("race", () => {
  test("plain GD stalls on the plateau while Adam crosses it to the well", () => {
    const s = outcomes("plateau", ["sgd", "adam"], { steps: 300 });
    assert.equal(s.sgd!.outcome, "plateau", s.sgd!.reason);
    assert.ok(s.sgd!.finalLoss > 0.999);
    assert.equal(s.adam!.outcome, "converged", s.adam!.reason);
    assert.ok(s.adam!.distanceToMinimum < 0.05);
  });

  test("on the elongated bowl GD with lr above 2/L diverges while momentum and Adam with the same lr converge", () => {
    // L = 4 across the valley: GD is stable only for lr < 0.5; heavy ball (β = 0.9) up to 2(1 + β)/L = 0.95
    const s = outcomes("elongated", ["sgd", "momentum", "adam"], { steps: 400 }, 0.6);
    assert.equal(s.sgd!.outcome, "diverged", s.sgd!.reason);
    assert.equal(s.momentum!.outcome, "converged", s.momentum!.reason);
    assert.equal(s.adam!.outcome, "converged", s.adam!.reason);
  });

  test("on the elongated bowl GD below 2/L converges, and momentum reaches tolerance in fewer steps", () => {
    const s = outcomes("elongated", ["sgd", "momentum"], { steps: 1000 }, 0.3);
    assert.equal(s.sgd!.outcome, "converged");
    assert.equal(s.momentum!.outcome, "converged");
    assert.ok(s.momentum!.stepsToTolerance! < s.sgd!.stepsToTolerance!);
  });

  test("gradient descent on Rastrigin stops in the nearest local minimum, not the global one", () => {
    const s = outcomes("rastrigin", ["sgd", "adam"], { steps: 500 });
    for (const run of [s.sgd!, s.adam!]) {
      assert.equal(run.outcome, "local-minimum", run.reason);
      assert.ok(run.finalLoss > 1);
    }
  });

  test("Himmelblau from beside its local maximum: the optimizer's path decides which global minimum it reaches", () => {
    const s = outcomes("himmelblau", ["sgd", "adam"], { steps: 500 });
    assert.equal(s.sgd!.outcome, "converged");
    assert.equal(s.adam!.outcome, "converged");
    assert.notDeepEqual(s.sgd!.nearestMinimum, s.adam!.nearestMinimum);
  });

  test("Styblinski–Tang from the default start settles in a listed non-global minimum", () => {
    const s = outcomes("styblinski-tang", ["sgd"], { steps: 500 });
    assert.equal(s.sgd!.outcome, "local-minimum");
    assert.equal(s.sgd!.nearestMinimum!.global, false);
    assert.match(s.sgd!.reason, /above the global minimum/);
  });

  test("GD started exactly on the saddle's stable axis stops at the saddle point; off the axis it escapes", () => {
    const on = outcomes("saddle", ["sgd"], { steps: 500, start: { x: 1.5, y: 0 } });
    assert.equal(on.sgd!.outcome, "saddle", on.sgd!.reason);
    const off = outcomes("saddle", ["sgd"], { steps: 500 });
    assert.equal(off.sgd!.outcome, "moving", off.sgd!.reason);
    assert.match(off.sgd!.reason, /no minimum/);
  });

  test("Rosenbrock in 100 steps: GD is still moving along the valley", () => {
    const s = outcomes("rosenbrock", ["sgd"], { steps: 100 });
    assert.equal(s.sgd!.outcome, "moving", s.sgd!.reason);
    assert.equal(s.sgd!.stepsToTolerance, null);
  });

  test("trajectories start at the start point, hold steps + 1 points and match the reported summary", () => {
    const fn = testFunction("booth");
    const result = race(fn, entries("booth", ["sgd", "adam"]), { steps: 200, start: { x: 2, y: -4 } });
    assert.equal(result.runs.length, 2);
    for (const run of result.runs) {
      const { x, y, loss } = run.trajectory;
      assert.equal(x.length, 201);
      assert.equal(x[0], 2);
      assert.equal(y[0], -4);
      assert.equal(loss[0], fn.f(2, -4));
      assert.equal(run.summary.finalLoss, loss[200]);
      const k = run.summary.stepsToTolerance;
      if (k !== null) {
        assert.ok(loss[k]! <= result.tolerance);
        if (k > 0) assert.ok(loss[k - 1]! > result.tolerance);
      }
    }
  });

  test("a diverging run stops early once it blows past the escape radius", () => {
    const result = race(testFunction("elongated"), entries("elongated", ["sgd"], 5), { steps: 1000 });
    const run = result.runs[0]!;
    assert.equal(run.summary.outcome, "diverged");
    assert.ok(run.trajectory.x.length < 1001);
  });

  test("L-BFGS, which re-evaluates inside a step through the closure, solves Rosenbrock in a few steps", () => {
    const s = outcomes("rosenbrock", ["lbfgs", "sgd"], { steps: 20 });
    assert.equal(s.lbfgs!.outcome, "converged", s.lbfgs!.reason);
    assert.ok(s.lbfgs!.stepsToTolerance! <= 10);
    assert.equal(s.sgd!.stepsToTolerance, null);
  });

  test("takes any optimizer factory as an entry", () => {
    const result = race(
      testFunction("booth"),
      [
        { label: "my sgd", create: (p) => new SGD(p, { lr: 0.02 }) },
        { label: "my adam", create: (p) => new Adam(p, { lr: 0.5 }) },
      ],
      { steps: 300 },
    );
    assert.deepEqual(
      result.runs.map((r) => r.summary.outcome),
      ["converged", "converged"],
    );
  });

  test("rejects bad steps, tolerance, start, an empty list and duplicate labels", () => {
    const fn = testFunction("booth");
    const e = entries("booth", ["sgd"]);
    assert.throws(() => race(fn, e, { steps: 0 }), /steps must be a positive integer, got 0/);
    assert.throws(() => race(fn, e, { steps: 2.5 }), /steps must be a positive integer, got 2.5/);
    assert.throws(() => race(fn, e, { tolerance: -1 }), /tolerance must be a positive number, got -1/);
    assert.throws(() => race(fn, e, { start: { x: Number.NaN, y: 0 } }), /start must be \{ x, y \}/);
    assert.throws(() => race(fn, []), /non-empty list/);
    assert.throws(() => race(fn, [...e, ...e]), /two optimizers are labelled "sgd"/);
    assert.throws(() => race({} as never, e), /fn must be a test function/);
  });
});

describe("RaceRunner", () => {
  test("stepped in pieces it follows the same path as race() in one go, and is done after its steps", () => {
    const fn = testFunction("himmelblau");
    const entry = raceOptimizer("adam", fn);
    const whole = race(fn, [entry], { steps: 30 }).runs[0]!.trajectory;
    const runner = new RaceRunner(fn, entry.create, fn.defaultStart, 30);
    for (const k of [1, 4, 7, 100]) runner.advance(k);
    assert.equal(runner.status, "done");
    assert.deepEqual(runner.xs, Array.from(whole.x));
    assert.deepEqual(runner.ys, Array.from(whole.y));
    assert.deepEqual(runner.losses, Array.from(whole.loss));
  });

  test("a run blown past the domain is diverged and takes no more steps", () => {
    const fn = testFunction("elongated");
    const runner = new RaceRunner(fn, (params) => new SGD(params, { lr: 0.6 }), fn.defaultStart, 1000);
    runner.advance(1000);
    assert.equal(runner.status, "diverged");
    const taken = runner.xs.length;
    assert.ok(taken < 1001, `diverged after ${taken - 1} steps`);
    runner.advance(10);
    assert.equal(runner.xs.length, taken);
  });

  test("an optimizer that cannot be built throws from the constructor with its own message", () => {
    const fn = testFunction("himmelblau");
    assert.throws(
      () => new RaceRunner(fn, (params) => new Adam(params, { lr: -1 }), fn.defaultStart, 5),
      /Invalid learning rate: -1/,
    );
  });
});
