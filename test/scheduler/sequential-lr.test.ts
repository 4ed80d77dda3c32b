import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExponentialLR, LinearLR, ReduceLROnPlateau, SequentialLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("SequentialLR", () => {
  it("runs a warmup then a ReduceLROnPlateau, passing the metric through (torch #68978)", () => {
    const opt = sgd([1]);
    const warmup = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const plateau = new ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    const s = new SequentialLR(opt, { schedulers: [warmup, plateau], milestones: [2] });
    s.step(1);
    assert.deepEqual(lrs(opt), [0.75]);
    s.step(1);
    assert.deepEqual(lrs(opt), [1], "the plateau phase starts at the base lr");
    s.step(1);
    s.step(1);
    assert.deepEqual(lrs(opt), [0.25]);
    assert.throws(() => s.step(), /needs the metric/);
  });

  it("refuses no schedulers, the wrong number of milestones, schedulers of another optimizer", () => {
    const opt = sgd();
    const a = new ExponentialLR(opt, { gamma: 0.9 });
    assert.throws(
      () => new SequentialLR(opt, { schedulers: [], milestones: [] }),
      /expects at least one scheduler/,
    );
    assert.throws(
      () => new SequentialLR(opt, { schedulers: [a], milestones: [3] }),
      /one more than the number of milestone points/,
    );
    const b = new ExponentialLR(sgd(), { gamma: 0.9 });
    assert.throws(
      () => new SequentialLR(opt, { schedulers: [a, b], milestones: [3] }),
      /belong to the same optimizer/,
    );
  });
});
