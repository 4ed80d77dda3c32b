import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdamW, ExponentialLR, ParamScheduler, param } from "../../src/index.js";
import { adam, sgd } from "./optimizers.js";

describe("ParamScheduler", () => {
  it("schedules weight decay beside an lr scheduler on the same optimizer", () => {
    const opt = new AdamW([param([1, 2])], { lr: 0.1, weightDecay: 0.01 });
    const wd = new ParamScheduler(opt, { key: "weightDecay", schedule: (t) => 0.01 * (t + 1) });
    const lr = new ExponentialLR(opt, { gamma: 0.5 });
    assert.equal(opt.paramGroups[0]!.weightDecay, 0.01);
    wd.step();
    lr.step();
    assert.deepEqual([opt.paramGroups[0]!.weightDecay, opt.paramGroups[0]!.lr], [0.02, 0.05]);
  });

  it("schedules beta1 of betas, keeping beta2 and not aliasing the old array", () => {
    const opt = adam([0.001]);
    const old = opt.paramGroups[0]!.betas;
    new ParamScheduler(opt, { key: "beta1", schedule: () => 0.8 });
    assert.deepEqual(opt.paramGroups[0]!.betas, [0.8, 0.999]);
    assert.deepEqual(old, [0.9, 0.999]);
  });

  it("in relative mode multiplies each group's value at construction, per group or per driven group", () => {
    const opt = sgd([0.1, 0.2, 0.3], 0.5);
    const s = new ParamScheduler(opt, {
      key: "momentum",
      schedule: [(t) => 1 - 0.1 * t, () => 2],
      mode: "relative",
      groups: [0, 2],
    });
    s.step();
    assert.deepEqual(
      opt.paramGroups.map((g) => g.momentum),
      [0.45, 0.5, 1],
    );
    assert.deepEqual(s.getLastValue(), [0.45, 1]);
  });

  it("resumes exactly over a fresh optimizer from a JSON round trip of its state", () => {
    const build = () => {
      const opt = sgd([0.1], 0.9);
      return {
        opt,
        s: new ParamScheduler(opt, { key: "momentum", schedule: (t) => 0.99 ** t, mode: "relative" }),
      };
    };
    const a = build();
    for (let i = 0; i < 5; i++) a.s.step();
    const b = build();
    b.s.loadStateDict(JSON.parse(JSON.stringify(a.s.stateDict())));
    a.s.step();
    b.s.step();
    assert.equal(b.opt.paramGroups[0]!.momentum, a.opt.paramGroups[0]!.momentum);
    assert.equal(b.s.lastEpoch, 6);
  });

  it("refuses a key the groups lack, a bad schedule, and a scheduled value out of range, writing nothing", () => {
    assert.throws(
      () => new ParamScheduler(sgd(), { key: "weightdecay", schedule: () => 0 }),
      /has no numeric 'weightdecay'/,
    );
    assert.throws(
      () => new ParamScheduler(sgd(), { key: "momentum", schedule: 0.9 as never }),
      /Invalid schedule: 0\.9/,
    );
    assert.throws(
      () => new ParamScheduler(adam(), { key: "beta2", schedule: () => 1 }),
      /beta2 = 1 for param group 0 at step 0 \(expected a number in \[0, 1\)\)/,
    );
    const opt = sgd([0.1, 0.1], 0.9);
    const s = new ParamScheduler(opt, {
      key: "momentum",
      schedule: [() => 0.5, (t) => (t > 0 ? Number.NaN : 0.5)],
    });
    assert.throws(() => s.step(), /momentum = NaN for param group 1 at step 1/);
    assert.deepEqual([opt.paramGroups[0]!.momentum, s.lastEpoch], [0.5, 0]);
  });
});
