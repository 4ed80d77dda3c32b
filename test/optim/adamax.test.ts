// Adamax: hand-derived steps and torch's handling of ε and NaN (generic checks in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adamax, param } from "../../src/index.js";

describe("Adamax", () => {
  it("takes the hand-derived first step: lr/(1 − β1) · 0.1g / (|g| + ε)", () => {
    const p = param([1, -2], { dtype: "float64" });
    const opt = new Adamax([p]);
    p.grad = new Float64Array([0.5, -0.25]);
    opt.step();
    const s = opt.state.get(p)!;
    assert.deepEqual([...s.expInf], [0.5 + 1e-8, 0.25 + 1e-8]);
    assert.ok(Math.abs(s.expAvg[0]! - 0.05) < 1e-16);
    assert.ok(Math.abs(p.data[0]! - (1 - ((0.002 / 0.1) * 0.05) / (0.5 + 1e-8))) < 1e-15);
    assert.ok(Math.abs(p.data[1]! - (-2 + ((0.002 / 0.1) * 0.025) / (0.25 + 1e-8))) < 1e-15);
  });

  it("keeps the decayed maximum in expInf when the gradient shrinks", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Adamax([p], { betas: [0.9, 0.5] });
    p.grad = new Float64Array([4]);
    opt.step();
    p.grad = new Float64Array([1]);
    opt.step();
    assert.equal(opt.state.get(p)!.expInf[0], 0.5 * (4 + 1e-8));
  });

  it("lets a NaN gradient poison expInf for good, as torch.maximum does", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new Adamax([p]);
    p.grad = new Float64Array([Number.NaN]);
    opt.step();
    p.grad = new Float64Array([1]);
    opt.step();
    assert.ok(Number.isNaN(opt.state.get(p)!.expInf[0]!));
  });
});
