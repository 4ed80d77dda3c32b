import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SWALR } from "../../src/index.js";
import { lrs, sgd } from "./optimizers.js";

describe("SWALR", () => {
  it("anneals linearly to swaLr over annealEpochs and holds it", () => {
    const opt = sgd([1]);
    const s = new SWALR(opt, { swaLr: 0.5, annealEpochs: 2, annealStrategy: "linear" });
    s.step();
    s.step();
    s.step();
    assert.deepEqual(lrs(opt), [0.5]);
    assert.equal(opt.paramGroups[0]!.swaLr, 0.5);
  });

  it("refuses a negative annealEpochs and an unknown strategy", () => {
    assert.throws(
      () => new SWALR(sgd(), { swaLr: 0.1, annealEpochs: -1 }),
      /anneal_epochs must be equal or greater than 0, got -1/,
    );
    assert.throws(
      () => new SWALR(sgd(), { swaLr: 0.1, annealStrategy: "exp" as never }),
      /anneal_strategy must be one of/,
    );
  });
});
