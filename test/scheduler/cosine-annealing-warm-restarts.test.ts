import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CosineAnnealingWarmRestarts } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("CosineAnnealingWarmRestarts", () => {
  it("takes fractional epochs and restarts with a period multiplied by tMult", () => {
    const opt = sgd([1]);
    const s = new CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
    s.step(1);
    assert.ok(Math.abs(lrs(opt)[0]! - 0.5) < 1e-15);
    s.step(2.5);
    assert.deepEqual([s.tI, s.tCur, s.lastEpoch], [4, 0.5, 2]);
  });

  it("refuses t0 ≤ 0, tMult < 1 or fractional, and a negative epoch (torch's messages)", () => {
    assert.throws(
      () => new CosineAnnealingWarmRestarts(sgd(), { t0: 0 }),
      /Expected positive integer T_0, but got 0/,
    );
    assert.throws(
      () => new CosineAnnealingWarmRestarts(sgd(), { t0: 2, tMult: 1.5 }),
      /Expected integer T_mult >= 1, but got 1\.5/,
    );
    const s = new CosineAnnealingWarmRestarts(sgd(), { t0: 2 });
    assert.throws(() => s.step(-1), /Expected non-negative epoch, but got -1/);
    assert.equal(s.lastEpoch, 0);
  });
});
