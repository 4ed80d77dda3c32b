import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EWMA, ewma } from "../../src/index.js";
import { closeTo, loadFixture } from "../helpers/torch-reference.js";

interface EwmaCase {
  name: string;
  beta: number;
  series: number[];
  ewma: number[];
  ewma_bias_corrected: number[];
}
const cases = loadFixture<{ cases: EwmaCase[] }>("ewma.json").cases;

describe("ewma(series, beta)", () => {
  for (const c of cases) {
    it(`${c.name}: matches the numpy recurrence with and without bias correction`, () => {
      assert.equal(closeTo(ewma(c.series, c.beta), c.ewma, 1e-13, "ewma"), null);
      const corrected = ewma(c.series, c.beta, { biasCorrection: true });
      assert.equal(closeTo(corrected, c.ewma_bias_corrected, 1e-13, "corrected"), null);
    });
  }

  it("pulls the first values toward zero without bias correction and not with it", () => {
    const flat = new Array(5).fill(10);
    const raw = ewma(flat, 0.9);
    assert.ok(Math.abs(raw[0]! - 1) < 1e-12); // (1 − 0.9)·10
    const corrected = ewma(flat, 0.9, { biasCorrection: true });
    for (const v of corrected) assert.ok(Math.abs(v - 10) < 1e-12);
  });

  it("rejects beta outside [0, 1) naming the value", () => {
    assert.throws(() => ewma([1], 1), /Invalid beta value: 1/);
    assert.throws(() => ewma([1], -0.1), /Invalid beta value: -0.1/);
    assert.throws(() => ewma([1], Number.NaN), /Invalid beta value: NaN/);
  });
});

describe("EWMA", () => {
  for (const c of cases) {
    it(`${c.name}: update() gives the same values as ewma() for both settings`, () => {
      for (const biasCorrection of [false, true]) {
        const avg = new EWMA({ beta: c.beta, biasCorrection });
        const got = c.series.map((x) => avg.update(x));
        const want = biasCorrection ? c.ewma_bias_corrected : c.ewma;
        assert.equal(closeTo(got, want, 1e-13, c.name), null);
        assert.equal(avg.t, c.series.length);
      }
    });
  }

  it("reset() starts over and stateDict() round-trips", () => {
    const a = new EWMA({ beta: 0.5, biasCorrection: true });
    a.update(4);
    a.update(8);
    const b = new EWMA({ beta: 0.5, biasCorrection: true });
    b.loadStateDict(structuredClone(a.stateDict()));
    assert.equal(b.update(2), a.update(2));
    a.reset();
    assert.equal(a.t, 0);
    assert.ok(Number.isNaN(a.value));
    assert.equal(a.update(3), 3);
  });

  it("has no bias correction by default, as the seed's first formula", () => {
    const a = new EWMA({ beta: 0.9 });
    assert.ok(Math.abs(a.update(10) - 1) < 1e-12);
  });

  it("rejects bad options and bad observations", () => {
    assert.throws(() => new EWMA({ beta: 1.5 }), /Invalid beta value: 1.5/);
    assert.throws(
      () => new EWMA({ biasCorrection: "yes" as unknown as boolean }),
      /Invalid biasCorrection value/,
    );
    assert.throws(() => new EWMA().update("3" as unknown as number), /expected a number/);
    assert.throws(() => new EWMA().loadStateDict({ v: 1, t: -1 }), /non-negative integer/);
  });
});
