import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam } from "../../src/index.js";
import { oneCycle, oneCycleAt } from "../../src/lab/index.js";
import { param } from "../../src/core/param.js";
import { loadFixture } from "../helpers/torch-reference.js";

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

describe("oneCycle", () => {
  const fixture = loadFixture("schedulers.json");
  const torchCase = fixture.cases.find((c: { name: string }) => c.name === "onecyclelr_adam_betas");

  test("lr and β₁ match torch's OneCycleLR over Adam at every step (fixture onecyclelr_adam_betas)", () => {
    const kwargs = torchCase.schedulers[0].kwargs;
    const opt = new Adam([param(new Float64Array([1]))], { lr: 0.1, betas: [0.9, 0.99] });
    const sched = oneCycle(opt, { maxLr: kwargs.max_lr, totalSteps: kwargs.total_steps });
    for (const row of torchCase.trace) {
      const group = opt.paramGroups[0]!;
      assert.ok(close(group.lr, row.lr[0]), `step ${row.step}: lr ${group.lr} vs ${row.lr[0]}`);
      assert.ok(
        close(group.betas[0], row.betas[0][0]),
        `step ${row.step}: β₁ ${group.betas[0]} vs ${row.betas[0][0]}`,
      );
      assert.equal(group.betas[1], 0.99);
      const v = oneCycleAt(row.step, { maxLr: kwargs.max_lr, totalSteps: kwargs.total_steps });
      assert.ok(close(v.lr, row.lr[0]));
      if (row.step < kwargs.total_steps) sched.step();
    }
  });

  test("stepping past totalSteps throws with torch's message", () => {
    const opt = new Adam([param([1])]);
    const sched = oneCycle(opt, { maxLr: 0.01, totalSteps: 3 });
    sched.step();
    sched.step();
    sched.step();
    assert.throws(() => sched.step(), /Tried to step 5 times. The specified number of total steps is 3/);
  });

  test("rejects a non-positive totalSteps and pctStart outside [0, 1]", () => {
    assert.throws(
      () => oneCycleAt(0, { maxLr: 0.1, totalSteps: 0 }),
      /Expected positive integer total_steps, but got 0/,
    );
    assert.throws(
      () => oneCycleAt(0, { maxLr: 0.1, totalSteps: 10, pctStart: 2 }),
      /Expected float between 0 and 1 pct_start, but got 2/,
    );
    assert.throws(() => oneCycleAt(10, { maxLr: 0.1, totalSteps: 10 }), /Tried to step 11 times/);
  });
});
