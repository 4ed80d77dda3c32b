// Rprop: the sign rule step by step, the clamp, and torch's "lr is only the initial step size"
// (generic checks in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param, Rprop } from "../../src/index.js";

describe("Rprop", () => {
  it("grows the step size while the sign holds, shrinks it and skips the move on a sign flip", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Rprop([p], { lr: 0.1 });
    const run = (g: number) => {
      p.grad = new Float64Array([g]);
      opt.step();
      const s = opt.state.get(p)!;
      return [p.data[0]!, s.stepSize[0]!, s.prev[0]!];
    };
    assert.deepEqual(run(2), [-0.1, 0.1, 2]); // prev = 0: factor 1, move by the initial step size lr
    const [x2, s2] = run(3); // same sign: ×1.2
    assert.ok(Math.abs(s2! - 0.12) < 1e-16 && Math.abs(x2! - -0.22) < 1e-16);
    const [x3, s3, prev3] = run(-1); // sign flip: ×0.5, no move, prev = 0
    assert.ok(Math.abs(s3! - 0.06) < 1e-16);
    assert.equal(x3, x2);
    assert.equal(prev3, 0);
    const [x4, s4] = run(-1); // after a flip: factor 1
    assert.equal(s4, s3);
    assert.ok(Math.abs(x4! - (x3! + 0.06)) < 1e-16);
  });

  it("clamps the step size to stepSizes", () => {
    const p = param([0], { dtype: "float64" });
    const opt = new Rprop([p], { lr: 0.1, etas: [0.5, 2], stepSizes: [0.06, 0.3] });
    const sizes: number[] = [];
    for (const g of [1, 1, 1, 1, -1, 1, -1]) {
      p.grad = new Float64Array([g]);
      opt.step();
      sizes.push(opt.state.get(p)!.stepSize[0]!);
    }
    assert.deepEqual(sizes, [0.1, 0.2, 0.3, 0.3, 0.15, 0.15, 0.075]);
  });

  it("uses lr only as the initial step size, as torch does: changing lr later has no effect", () => {
    const a = param([0], { dtype: "float64" });
    const b = param([0], { dtype: "float64" });
    const optA = new Rprop([a], { lr: 0.1 });
    const optB = new Rprop([b], { lr: 0.1 });
    for (let t = 0; t < 4; t++) {
      if (t === 1) optB.paramGroups[0]!.lr = 100;
      a.grad = new Float64Array([1]);
      b.grad = new Float64Array([1]);
      optA.step();
      optB.step();
    }
    assert.equal(b.data[0], a.data[0]);
  });
});
