import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CLI_SCHEDULES, scheduleCurve } from "../../src/cli/schedules.js";
import { loadFixture } from "../helpers/torch-reference.js";

const fixture = loadFixture("schedulers.json");
const torchCase = (name: string) => fixture.cases.find((c: { name: string }) => c.name === name);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

describe("CLI schedules", () => {
  test("onecycle's curve is torch's OneCycleLR lr and momentum at every step (group 0 of onecyclelr_cos)", () => {
    const c = torchCase("onecyclelr_cos");
    const { lr, momentum } = scheduleCurve(
      CLI_SCHEDULES.onecycle!,
      { maxLr: 0.1, totalSteps: 40 },
      c.trace.length,
      {
        lr: 0.1,
        momentum: 0.9,
      },
    );
    c.trace.forEach((row: { step: number; lr: number[]; momentum: number[] }) => {
      assert.ok(close(lr[row.step]!, row.lr[0]!), `lr at ${row.step}: ${lr[row.step]} vs ${row.lr[0]}`);
      assert.ok(close(momentum[row.step]!, row.momentum[0]!), `momentum at ${row.step}`);
    });
  });

  test("cyclic's curve is torch's CyclicLR with momentum cycling (cycliclr_momentum)", () => {
    const c = torchCase("cycliclr_momentum");
    const { lr, momentum } = scheduleCurve(
      CLI_SCHEDULES.cyclic!,
      { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 5, baseMomentum: 0.8, maxMomentum: 0.9 },
      c.trace.length,
      { lr: 0.1, momentum: 0.9 },
    );
    c.trace.forEach((row: { step: number; lr: number[]; momentum: number[] }) => {
      assert.ok(close(lr[row.step]!, row.lr[0]!), `lr at ${row.step}`);
      assert.ok(close(momentum[row.step]!, row.momentum[0]!), `momentum at ${row.step}`);
    });
  });

  test("every schedule draws a finite curve from its required options and starts at the optimizer's lr or below", () => {
    const required: Record<string, Record<string, unknown>> = {
      onecycle: { maxLr: 0.1, totalSteps: 100 },
      cosine: { tMax: 10 },
      "warm-restarts": { t0: 5 },
      cyclic: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4 },
      step: { stepSize: 3 },
      multistep: { milestones: [2, 5] },
      exponential: { gamma: 0.9 },
      linear: {},
      constant: {},
      polynomial: {},
    };
    assert.deepEqual(Object.keys(CLI_SCHEDULES).sort(), Object.keys(required).sort());
    for (const [name, spec] of Object.entries(CLI_SCHEDULES)) {
      const options = required[name]!;
      for (const key of spec.required) assert.ok(key in options, `${name} requires ${key}`);
      const steps = spec.defaultSteps(options);
      const { lr } = scheduleCurve(spec, options, steps, { lr: 0.1, momentum: 0.9 });
      assert.equal(lr.length, steps);
      assert.ok(lr.every(Number.isFinite), name);
      assert.ok(lr[0]! <= 0.1 + 1e-15, `${name} starts at ${lr[0]}`);
    }
  });
});
