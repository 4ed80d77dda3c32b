import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LinearLR } from "../../src/index.js";
import { sgd } from "./optimizers.js";

describe("LinearLR", () => {
  it("warms up linearly from startFactor to endFactor", () => {
    const s = new LinearLR(sgd([1]), { startFactor: 0.5, totalIters: 4 });
    const seen = [s.getLastLr()[0]];
    for (let i = 0; i < 5; i++) {
      s.step();
      seen.push(s.getLastLr()[0]);
    }
    assert.deepEqual(seen, [0.5, 0.625, 0.75, 0.875, 1, 1]);
  });

  it("refuses factors outside torch's ranges and totalIters 0", () => {
    assert.throws(
      () => new LinearLR(sgd(), { startFactor: 0 }),
      /Starting multiplicative factor expected to be greater than 0/,
    );
    assert.throws(
      () => new LinearLR(sgd(), { endFactor: 1.2 }),
      /Ending multiplicative factor expected to be between 0 and 1/,
    );
    assert.throws(() => new LinearLR(sgd(), { totalIters: 0 }), /Invalid totalIters: 0/);
  });
});
