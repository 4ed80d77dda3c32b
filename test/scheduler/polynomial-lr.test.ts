import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PolynomialLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("PolynomialLR", () => {
  it("reaches 0 at totalIters and stays there", () => {
    const opt = sgd([1]);
    const s = new PolynomialLR(opt, { totalIters: 2, power: 1 });
    s.step();
    assert.deepEqual(lrs(opt), [0.5]);
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [0]);
  });

  it("refuses totalIters 0 and a negative power", () => {
    assert.throws(() => new PolynomialLR(sgd(), { totalIters: 0 }), /Invalid totalIters: 0/);
    assert.throws(() => new PolynomialLR(sgd(), { power: -1 }), /Invalid power: -1/);
  });
});
