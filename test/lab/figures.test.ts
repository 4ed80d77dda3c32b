import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  biasCorrectionFigure,
  effectiveStepFigure,
  ewmaFigure,
  leastSquares,
  noisySeries,
  race,
  raceFigure,
  raceLossFigure,
  raceOptimizer,
  scheduleFigure,
  testFunction,
  trainingFigure,
} from "../../src/lab/index.js";

const count = (s: string, needle: string) => s.split(needle).length - 1;

describe("figures", () => {
  test("raceFigure draws contours, one path and end marker per optimizer, the start, the minima and a legend", () => {
    const fn = testFunction("himmelblau");
    const result = race(
      fn,
      ["sgd", "adam", "rmsprop"].map((n) => raceOptimizer(n, fn)),
      { steps: 100 },
    );
    const svg = raceFigure(result);
    assert.ok(svg.startsWith("<svg"));
    assert.match(svg, /xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(count(svg, 'aria-label="contour"'), 1);
    assert.equal(count(svg, 'aria-label="line"'), 3);
    for (const r of result.runs)
      assert.ok(svg.includes(`${r.label}: ${r.summary.outcome}`), `legend for ${r.label}`);
    // 3 end markers + minima + start
    assert.equal(count(svg, 'aria-label="dot"'), 3 + 1 + 1);
    assert.ok(svg.includes("Himmelblau"));
  });

  test("raceFigure keeps a diverged path's finite points only", () => {
    const fn = testFunction("elongated");
    const result = race(fn, [raceOptimizer("sgd", fn, { lr: 5 })], { steps: 2000 });
    const svg = raceFigure(result);
    assert.ok(!svg.includes("NaN"));
    assert.ok(svg.includes("sgd: diverged"));
  });

  test("ewmaFigure draws the data and one line per β, labelled in the legend", () => {
    const svg = ewmaFigure(noisySeries({ length: 100 }), [0.5, 0.9, 0.98]);
    assert.equal(count(svg, 'aria-label="line"'), 3);
    for (const beta of ["β = 0.5", "β = 0.9", "β = 0.98"]) assert.ok(svg.includes(beta));
    assert.throws(() => ewmaFigure([1, 2], []), /at least one beta/);
    assert.throws(() => ewmaFigure([1, 2], [1.5]), /beta/);
  });

  test("biasCorrectionFigure compares the corrected and the uncorrected average", () => {
    const svg = biasCorrectionFigure(noisySeries({ length: 60 }), 0.9);
    assert.equal(count(svg, 'aria-label="line"'), 2);
    assert.ok(svg.includes("bias-corrected"));
    assert.ok(svg.includes("β = 0.9, V₀ = 0"));
  });

  test("scheduleFigure and trainingFigure draw one (resp. raw + smoothed) line per curve", () => {
    const lr = Array.from({ length: 50 }, (_, t) => 0.1 * 0.9 ** t);
    assert.equal(
      count(scheduleFigure([{ label: "exp", values: lr }], { logY: true }), 'aria-label="line"'),
      1,
    );
    const training = trainingFigure([
      { label: "a", values: lr },
      { label: "b", values: lr.map((v) => v * 2) },
    ]);
    assert.equal(count(training, 'aria-label="line"'), 4);
    assert.throws(() => scheduleFigure([]), /at least one curve/);
  });

  test("text in figures is escaped as XML", () => {
    const svg = scheduleFigure([{ label: "a<b & c", values: [1, 2] }]);
    assert.ok(svg.includes("a&lt;b &amp; c"));
  });
});

describe("stochastic and effective-step figures", () => {
  test("raceLossFigure draws one loss curve per run on a log axis of the gap to the minimum", () => {
    const fn = leastSquares();
    const result = race(
      fn,
      [48, 1].map((b) => ({ ...raceOptimizer("sgd", fn, { label: `B=${b}` }), batchSize: b })),
      { steps: 60 },
    );
    const svg = raceLossFigure(result);
    assert.equal(count(svg, 'aria-label="line"'), 2);
    assert.ok(svg.includes("B=48") && svg.includes("B=1") && svg.includes("f − f*"));
  });

  test("effectiveStepFigure draws two lines per run (one per coordinate), named by the surface's axes", () => {
    const fn = leastSquares();
    const result = race(
      fn,
      ["adagrad", "rmsprop"].map((n) => raceOptimizer(n, fn)),
      { steps: 40 },
    );
    const svg = effectiveStepFigure(result);
    assert.equal(count(svg, 'aria-label="line"'), 4);
    assert.ok(svg.includes("adagrad · w") && svg.includes("rmsprop · b"));
    const moves = effectiveStepFigure(result, { quantity: "move", steps: 10 });
    assert.ok(moves.includes("|Δw|"));
  });

  test("effectiveStepFigure refuses a race whose optimizers have no effective step", () => {
    const fn = testFunction("booth");
    const result = race(fn, [raceOptimizer("lbfgs", fn)], { steps: 5 });
    assert.throws(() => effectiveStepFigure(result), /no run of this race has an effective step/);
  });
});
