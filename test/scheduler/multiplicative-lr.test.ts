import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MultiplicativeLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("MultiplicativeLR", () => {
  it("multiplies the current lr by the factor at every step after construction", () => {
    const opt = sgd([1]);
    const s = new MultiplicativeLR(opt, { lrLambda: () => 0.5 });
    assert.deepEqual(lrs(opt), [1]);
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [0.25]);
  });

  it("refuses a list of the wrong length", () => {
    assert.throws(
      () => new MultiplicativeLR(sgd([1]), { lrLambda: [() => 1, () => 1] }),
      /Expected 1 lr_lambdas, but got 2/,
    );
  });
});
