import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChainedScheduler, ExponentialLR, ReduceLROnPlateau, StepLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("ChainedScheduler", () => {
  it("steps every scheduler and composes them, with a plateau in the chain taking the metric", () => {
    const opt = sgd([1]);
    const s = new ChainedScheduler([
      new ExponentialLR(opt, { gamma: 0.5 }),
      new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 }),
    ]);
    s.step(1);
    s.step(2);
    assert.deepEqual(lrs(opt), [0.125]);
    assert.throws(() => s.step(), /needs the metric/);
  });

  it("lets schedulers drive different groups of one optimizer", () => {
    const opt = sgd([1, 1]);
    const s = new ChainedScheduler([
      new ExponentialLR(opt, { gamma: 0.5, groups: [0] }),
      new StepLR(opt, { stepSize: 1, gamma: 0.1, groups: [1] }),
    ]);
    s.step();
    assert.deepEqual(s.getLastLr(), [0.5, 0.1]);
  });

  it("refuses an empty list and a non-scheduler", () => {
    assert.throws(() => new ChainedScheduler([]), /expects at least one scheduler/);
    assert.throws(() => new ChainedScheduler([{} as never]), /is not a scheduler/);
  });
});
