import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExponentialLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("ExponentialLR", () => {
  it("multiplies the lr by gamma each step", () => {
    const opt = sgd([1]);
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [0.25]);
  });

  it("requires a finite gamma ≥ 0", () => {
    assert.throws(() => new ExponentialLR(sgd(), {} as never), /Invalid gamma: undefined/);
    assert.throws(() => new ExponentialLR(sgd(), { gamma: -1 }), /Invalid gamma: -1/);
  });
});
