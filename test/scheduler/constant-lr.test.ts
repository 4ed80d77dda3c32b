import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConstantLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("ConstantLR", () => {
  it("holds lr at factor·base until totalIters, then base", () => {
    const opt = sgd([1]);
    const s = new ConstantLR(opt, { factor: 0.5, totalIters: 2 });
    assert.deepEqual(lrs(opt), [0.5]);
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [1]);
  });

  it("refuses a factor outside [0, 1] (torch's message) and factor 0 (torch gives NaN later)", () => {
    assert.throws(
      () => new ConstantLR(sgd(), { factor: 1.5 }),
      /Constant multiplicative factor expected to be between 0 and 1/,
    );
    assert.throws(() => new ConstantLR(sgd(), { factor: 0 }), /factor 0 cannot be undone/);
    assert.throws(() => new ConstantLR(sgd(), { totalIters: -1 }), /Invalid totalIters: -1/);
  });
});
