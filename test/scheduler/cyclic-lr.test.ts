import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CyclicLR } from "../../src/index.js";
import { adam, lrs, sgd } from "./optimizers.js";

describe("CyclicLR", () => {
  it("cycles lr up and down and momentum the other way", () => {
    const opt = sgd([1]);
    const s = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2 });
    s.step();
    s.step();
    assert.deepEqual([lrs(opt)[0], opt.paramGroups[0]!.momentum], [1, 0.8]);
  });

  it("cycles beta1 when the group has betas, keeping beta2", () => {
    const opt = adam([0.001]);
    new CyclicLR(opt, { baseLr: 0.001, maxLr: 0.01, stepSizeUp: 2, maxMomentum: 0.95 });
    assert.deepEqual(opt.paramGroups[0]!.betas, [0.95, 0.999]);
  });

  it("refuses an unknown mode without scaleFn, a bad scaleMode, per-group lists of the wrong length and stepSizeUp 0", () => {
    assert.throws(
      () => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, mode: "sine" as never }),
      /mode is invalid and scale_fn is None/,
    );
    assert.throws(
      () => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, scaleMode: "epoch" as never }),
      /Invalid scaleMode/,
    );
    assert.throws(
      () => new CyclicLR(sgd([0.1]), { baseLr: [0.1, 0.2], maxLr: 1 }),
      /base_lr must have the same length as optimizer.param_groups. base_lr has 2 values, param_groups has 1/,
    );
    assert.throws(
      () => new CyclicLR(sgd(), { baseLr: 0.1, maxLr: 1, stepSizeUp: 0 }),
      /Invalid stepSizeUp: 0/,
    );
  });

  it("refuses to cycle momentum of an optimizer without momentum or betas, leaving its groups untouched", () => {
    const opt = { paramGroups: [{ params: [], lr: 0.1 }] };
    assert.throws(() => new CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 }), /must support momentum or beta1/);
    assert.deepEqual(opt.paramGroups[0], { params: [], lr: 0.1 });
  });
});

describe("CyclicLR with a custom scale function that goes bad", () => {
  it("refuses the step before writing any lr or momentum", () => {
    const opt = sgd([0.1]);
    const s = new CyclicLR(opt, { baseLr: 0.1, maxLr: 1, stepSizeUp: 2, scaleFn: () => 50 });
    const before = [lrs(opt), opt.paramGroups[0]!.momentum, s.lastEpoch];
    assert.throws(
      () => s.step(),
      /gives momentum -1\.599\d* for param group 0 at epoch 1; nothing was changed/,
    );
    assert.deepEqual([lrs(opt), opt.paramGroups[0]!.momentum, s.lastEpoch], before);
  });
});
