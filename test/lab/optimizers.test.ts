import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam, param, type SGD } from "../../src/index.js";
import {
  defaultRaceLr,
  describeRaceOptimizer,
  raceOptimizer,
  raceOptimizerNames,
  testFunction,
} from "../../src/lab/index.js";

describe("race optimizers by name", () => {
  test("each name builds an optimizer that descends over the race param", () => {
    const fn = testFunction("booth");
    for (const name of raceOptimizerNames) {
      const p = param(new Float64Array([0, 0]));
      const opt = raceOptimizer(name, fn, { lr: 1e-3 }).create([p]);
      opt.step(() => {
        fn.grad(p.data[0]!, p.data[1]!, p.gradBuffer());
        return fn.f(p.data[0]!, p.data[1]!);
      });
      assert.ok(fn.f(p.data[0]!, p.data[1]!) < fn.f(0, 0), `${name} did not descend`);
      assert.ok(describeRaceOptimizer(name).length > 0);
    }
  });

  test("the learning rate comes from the surface's suggestion unless given", () => {
    const fn = testFunction("rosenbrock");
    assert.equal(defaultRaceLr("sgd", fn), fn.suggestedLr.sgd);
    assert.equal(defaultRaceLr("adam", fn), fn.suggestedLr.adaptive);
    const p = param(new Float64Array([0, 0]));
    const sgd = raceOptimizer("momentum", fn, { lr: 0.5 }).create([p]) as SGD;
    assert.equal(sgd.paramGroups[0]!.lr, 0.5);
    assert.equal(sgd.paramGroups[0]!.momentum, 0.9);
    assert.ok(raceOptimizer("ADAM", fn).create([param([0, 0])]) instanceof Adam);
    assert.equal(raceOptimizer("adam", fn, { label: "mine" }).label, "mine");
  });

  test("an unknown name or a bad lr is an error that names it", () => {
    const fn = testFunction("booth");
    assert.throws(
      () => raceOptimizer("adamm", fn),
      /unknown optimizer "adamm"; valid names: sgd, momentum, nesterov/,
    );
    assert.throws(() => raceOptimizer("sgd", fn, { lr: -1 }), /Invalid learning rate: -1/);
  });
});
