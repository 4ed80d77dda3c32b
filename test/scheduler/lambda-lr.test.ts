import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LambdaLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("LambdaLR", () => {
  it("sets lr to base lr times the factor, one function per group", () => {
    const opt = sgd([1, 2]);
    const s = new LambdaLR(opt, { lrLambda: [(e) => e + 1, (e) => 1 / (e + 1)] });
    s.step();
    assert.deepEqual(lrs(opt), [2, 1]);
  });

  it("refuses a list whose length is not the number of groups, and a non-function", () => {
    assert.throws(
      () => new LambdaLR(sgd([1, 2]), { lrLambda: [() => 1] }),
      /Expected 2 lr_lambdas, but got 1/,
    );
    assert.throws(() => new LambdaLR(sgd(), { lrLambda: 0.5 as never }), /Invalid lrLambda: 0\.5/);
  });

  it("leaves the functions out of the state dict, as torch", () => {
    const s = new LambdaLR(sgd(), { lrLambda: (e) => 0.9 ** e });
    assert.equal(JSON.stringify(s.stateDict()).includes("lrLambda"), false);
  });
});

describe("LambdaLR with a factor that goes bad", () => {
  it("refuses a NaN or negative lr from the function, changing nothing", () => {
    const opt = sgd([1]);
    const s = new LambdaLR(opt, { lrLambda: (e) => (e < 2 ? 1 - e / 2 : Number.NaN) });
    s.step();
    assert.throws(() => s.step(), /gives lr NaN for param group 0 at epoch 2 .*nothing was changed/);
    assert.deepEqual([lrs(opt), s.lastEpoch, s.getLastLr()], [[0.5], 1, [0.5]]);
  });
});
