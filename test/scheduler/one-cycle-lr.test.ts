import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OneCycleLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("OneCycleLR", () => {
  it("starts at maxLr/divFactor and throws past totalSteps as torch does, changing nothing", () => {
    const opt = sgd([1]);
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 4 });
    assert.ok(Math.abs(lrs(opt)[0]! - 0.04) < 1e-15);
    for (let i = 0; i < 4; i++) s.step();
    const before = [lrs(opt), s.lastEpoch, opt.paramGroups[0]!.momentum];
    assert.throws(() => s.step(), /Tried to step 5 times. The specified number of total steps is 4/);
    assert.deepEqual([lrs(opt), s.lastEpoch, opt.paramGroups[0]!.momentum], before);
  });

  it("refuses to start without totalSteps or epochs and stepsPerEpoch, and bad options", () => {
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: 1 }),
      /You must define either total_steps OR \(epochs AND steps_per_epoch\)/,
    );
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 0 }),
      /Expected positive integer total_steps, but got 0/,
    );
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: 1, epochs: 2, stepsPerEpoch: -1 }),
      /steps_per_epoch, but got -1/,
    );
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 9, pctStart: 1.5 }),
      /between 0 and 1 pct_start, but got 1\.5/,
    );
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 9, annealStrategy: "exp" as never }),
      /anneal_strategy must be one of/,
    );
    assert.throws(
      () => new OneCycleLR(sgd(), { maxLr: Number.NaN, totalSteps: 9 }),
      /Invalid maxLr\[0\]: NaN/,
    );
  });
});
