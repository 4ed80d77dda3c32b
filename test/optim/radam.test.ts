// RAdam: the un-rectified warmup and the switch to the rectified step (generic checks in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, RAdam } from "../../src/index.js";

describe("RAdam", () => {
  it("moves by lr·m/(1 − β1ᵗ) while ρt ≤ 5 (the first 5 steps with β2 = 0.999)", () => {
    const p = param([1], { dtype: "float64" });
    const opt = new RAdam([p], { lr: 0.1 });
    let m = 0;
    let theta = 1;
    for (let t = 1; t <= 5; t++) {
      const g = 0.5 / t;
      p.grad = new Float64Array([g]);
      opt.step();
      m = 0.9 * m + 0.1 * g;
      theta -= (0.1 * m) / (1 - 0.9 ** t);
      assert.ok(Math.abs(p.data[0]! - theta) < 1e-15, `step ${t}: ${p.data[0]} vs ${theta}`);
    }
  });

  it("takes the rectified adaptive step once ρt > 5", () => {
    const p = param([1], { dtype: "float64" });
    const [b1, b2] = [0.9, 0.9];
    const opt = new RAdam([p], { lr: 0.1, betas: [b1, b2] });
    let [m, v, theta] = [0, 0, 1];
    const rhoInf = 2 / (1 - b2) - 1; // 19
    let rectifiedSteps = 0;
    for (let t = 1; t <= 8; t++) {
      const g = 0.5 - 0.05 * t;
      p.grad = new Float64Array([g]);
      opt.step();
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const bc2 = 1 - b2 ** t;
      const rhoT = rhoInf - (2 * t * b2 ** t) / bc2;
      const mHat = m / (1 - b1 ** t);
      if (rhoT > 5) {
        rectifiedSteps += 1;
        const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        theta -= 0.1 * mHat * (Math.sqrt(bc2) / (Math.sqrt(v) + 1e-8)) * r;
      } else {
        theta -= 0.1 * mHat;
      }
      assert.ok(Math.abs(p.data[0]! - theta) < 1e-14, `step ${t}: ${p.data[0]} vs ${theta}`);
    }
    assert.ok(rectifiedSteps >= 2 && rectifiedSteps < 8, "the run covers both updates");
  });
});
