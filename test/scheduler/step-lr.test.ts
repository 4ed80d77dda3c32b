import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StepLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("StepLR", () => {
  it("decays by gamma every stepSize steps; step(epoch) jumps by the closed form", () => {
    const opt = sgd([1]);
    const s = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [0.5]);
    s.step(7);
    assert.deepEqual(lrs(opt), [0.125]);
  });

  it("refuses stepSize ≤ 0 or fractional (torch divides by zero later) and NaN or negative gamma", () => {
    assert.throws(() => new StepLR(sgd(), { stepSize: 0 }), /Invalid stepSize: 0/);
    assert.throws(() => new StepLR(sgd(), { stepSize: 1.5 }), /Invalid stepSize: 1\.5/);
    assert.throws(() => new StepLR(sgd(), { stepSize: 2, gamma: Number.NaN }), /Invalid gamma: NaN/);
    assert.throws(() => new StepLR(sgd(), { stepSize: 2, gamma: -0.1 }), /Invalid gamma: -0\.1/);
  });
});
