import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ReduceLROnPlateau } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("ReduceLROnPlateau", () => {
  it("cuts the lr after more than `patience` bad steps, not below minLr", () => {
    const opt = sgd([1, 1]);
    const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5, minLr: [0, 0.8] });
    for (const m of [1, 1, 1]) s.step(m);
    assert.deepEqual(lrs(opt), [0.5, 0.8]);
  });

  it("survives a JSON round trip of its state with best = Infinity", () => {
    const s = new ReduceLROnPlateau(sgd());
    const t = new ReduceLROnPlateau(sgd());
    t.loadStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    assert.equal(t.best, Number.POSITIVE_INFINITY);
  });

  it("refuses factor ≥ 1, unknown modes, a minLr list of the wrong length, and a step without metric", () => {
    assert.throws(() => new ReduceLROnPlateau(sgd(), { factor: 1 }), /Factor should be < 1\.0\./);
    assert.throws(
      () => new ReduceLROnPlateau(sgd(), { mode: "lowest" as never }),
      /mode "lowest" is unknown!/,
    );
    assert.throws(
      () => new ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as never }),
      /threshold mode "pct" is unknown!/,
    );
    assert.throws(() => new ReduceLROnPlateau(sgd([1, 1]), { minLr: [0] }), /expected 2 min_lrs, got 1/);
    assert.throws(() => new ReduceLROnPlateau(sgd(), { patience: -1 }), /Invalid patience: -1/);
    assert.throws(() => new ReduceLROnPlateau(sgd()).step(), /expected the metric/);
  });
});
