import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CosineAnnealingLR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("CosineAnnealingLR", () => {
  it("reaches etaMin at tMax and, as torch's recursive form, climbs back after it", () => {
    const opt = sgd([1]);
    const s = new CosineAnnealingLR(opt, { tMax: 2, etaMin: 0.1 });
    s.step();
    s.step();
    assert.ok(Math.abs(lrs(opt)[0]! - 0.1) < 1e-15);
    s.step();
    assert.ok(lrs(opt)[0]! > 0.5);
  });

  it("refuses tMax ≤ 0 and a negative etaMin", () => {
    assert.throws(() => new CosineAnnealingLR(sgd(), { tMax: 0 }), /Invalid tMax: 0/);
    assert.throws(() => new CosineAnnealingLR(sgd(), { tMax: 5, etaMin: -1 }), /Invalid etaMin: -1/);
  });
});
