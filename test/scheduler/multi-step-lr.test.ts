import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MultiStepLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("MultiStepLR", () => {
  it("accepts unsorted and repeated milestones with torch's meaning (a repeat decays twice)", () => {
    const opt = sgd([1]);
    const s = new MultiStepLR(opt, { milestones: [3, 1, 3], gamma: 0.5 });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      s.step();
      seen.push(lrs(opt)[0]);
    }
    assert.deepEqual(seen, [0.5, 0.5, 0.125, 0.125]);
  });

  it("refuses non-integer milestones and a bad gamma", () => {
    assert.throws(() => new MultiStepLR(sgd(), { milestones: [2.5] }), /Invalid milestone: 2\.5/);
    assert.throws(() => new MultiStepLR(sgd(), { milestones: 3 as never }), /Invalid milestones: 3/);
    assert.throws(
      () => new MultiStepLR(sgd(), { milestones: [2], gamma: Number.POSITIVE_INFINITY }),
      /Invalid gamma/,
    );
  });
});
