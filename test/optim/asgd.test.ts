// ASGD: the decaying step, and the Polyak average in state.ax against an average computed here
// (generic checks in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ASGD, param } from "../../src/index.js";

describe("ASGD", () => {
  it("takes SGD steps with η = lr/(1 + λ·lr·t)^α and the decay term θ·(1 − λη)", () => {
    const p = param([1], { dtype: "float64" });
    const [lr, lambd, alpha] = [0.1, 0.01, 0.75];
    const opt = new ASGD([p], { lr, lambd, alpha });
    let theta = 1;
    let eta = lr;
    for (let t = 1; t <= 4; t++) {
      const g = 2 * theta;
      p.grad = new Float64Array([g]);
      opt.step();
      theta = theta * (1 - lambd * eta) - eta * g;
      eta = lr / (1 + lambd * lr * t) ** alpha;
      assert.ok(Math.abs(p.data[0]! - theta) < 1e-15);
      assert.ok(Math.abs(opt.state.get(p)!.eta - eta) < 1e-17);
    }
  });

  it("keeps ax equal to θ through step t0 + 2, then the running mean of the iterates from step t0 + 2 on", () => {
    const p = param([1, -1], { dtype: "float64" });
    const t0 = 3;
    const opt = new ASGD([p], { lr: 0.05, t0 });
    const iterates: number[][] = [];
    for (let t = 1; t <= 9; t++) {
      p.grad = new Float64Array([2 * p.data[0]! + 1, 2 * p.data[1]! - 1]);
      opt.step();
      iterates.push([...p.data]);
      const s = opt.state.get(p)!;
      assert.equal(s.mu, 1 / Math.max(1, t - t0));
      // the μ used at step t was set after step t − 1: 1/max(1, t − 1 − t0), first below 1 at step t0 + 3
      const from = t <= t0 + 2 ? t - 1 : t0 + 1;
      const tail = iterates.slice(from);
      const mean = [0, 1].map((i) => tail.reduce((a, x) => a + x[i]!, 0) / tail.length);
      assert.ok(Math.abs(s.ax[0]! - mean[0]!) < 1e-15 && Math.abs(s.ax[1]! - mean[1]!) < 1e-15, `step ${t}`);
    }
  });
});
