import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type Design,
  preview,
  ScheduleOptionError,
  pytorchCode,
  scheduleSpec,
  typescriptCode,
} from "../../web/src/schedule-catalog.js";

const spec = (id: string) => scheduleSpec(id)!;
const design = (over: Partial<Design>): Design => ({
  lr: 0.1,
  momentum: 0.9,
  steps: 10,
  first: { spec: spec("StepLR"), values: { stepSize: 3, gamma: 0.5 } },
  next: null,
  milestone: 0,
  ...over,
});

test("preview follows torch's closed forms: StepLR halves every stepSize steps", () => {
  const { lr, momentum } = preview(design({}));
  assert.deepEqual([...lr], [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]);
  assert.ok(momentum.every((m) => m === 0.9));
});

test("preview: CosineAnnealingLR reaches etaMin at tMax; warm restarts start over with period × tMult", () => {
  const cos = preview(
    design({ steps: 11, first: { spec: spec("CosineAnnealingLR"), values: { tMax: 10, etaMin: 0.01 } } }),
  );
  assert.ok(Math.abs(cos.lr[10]! - 0.01) < 1e-15);
  assert.ok(Math.abs(cos.lr[5]! - 0.055) < 1e-15);
  const warm = preview(
    design({
      steps: 7,
      first: { spec: spec("CosineAnnealingWarmRestarts"), values: { t0: 2, tMult: 2, etaMin: 0 } },
    }),
  );
  assert.deepEqual([warm.lr[0], warm.lr[2], warm.lr[6]], [0.1, 0.1, 0.1]);
});

test("preview switches to the second schedule at the milestone, restarting it from the initial lr", () => {
  const { lr } = preview(
    design({
      steps: 6,
      first: { spec: spec("LinearLR"), values: { startFactor: 0.5, endFactor: 1, totalIters: 2 } },
      next: { spec: spec("ExponentialLR"), values: { gamma: 0.5 } },
      milestone: 3,
    }),
  );
  const expected = [0.05, 0.075, 0.1, 0.1, 0.05, 0.025];
  lr.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) < 1e-15, `lr[${i}] = ${v}`);
  });
});

test("OneCycleLR cycles momentum inversely to lr", () => {
  const { lr, momentum } = preview(
    design({
      steps: 100,
      first: { spec: spec("OneCycleLR"), values: { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 } },
    }),
  );
  assert.ok(Math.abs(lr[0]! - 0.004) < 1e-12);
  assert.ok(Math.abs(momentum[0]! - 0.95) < 1e-12);
  const peak = lr.indexOf(Math.max(...lr));
  assert.ok(Math.abs(momentum[peak]! - 0.85) < 1e-3);
});

test("preview rejects out-of-range options, naming the option and value", () => {
  assert.throws(
    () => preview(design({ first: { spec: spec("StepLR"), values: { stepSize: 0, gamma: 0.1 } } })),
    /StepLR: stepSize must be an integer ≥ 1, got 0/,
  );
  assert.throws(
    () => preview(design({ first: { spec: spec("StepLR"), values: { stepSize: 2, gamma: Number.NaN } } })),
    /gamma must be ≥ 0, got NaN/,
  );
  assert.throws(() => preview(design({ lr: -1 })), /lr must be a positive number, got -1/);
  assert.throws(() => preview(design({ steps: 0 })), /steps must be a positive integer/);
  // the error carries what a page needs to say it in its own language
  assert.throws(
    () => preview(design({ first: { spec: spec("StepLR"), values: { stepSize: 1.5, gamma: 0.1 } } })),
    (error: unknown) =>
      error instanceof ScheduleOptionError &&
      error instanceof RangeError &&
      error.schedule === "StepLR" &&
      error.option.key === "stepSize" &&
      error.option.integer === true &&
      error.value === 1.5,
  );
});

test("the generated TypeScript and PyTorch name the same classes and options", () => {
  const d = design({
    steps: 100,
    first: { spec: spec("LinearLR"), values: { startFactor: 0.1, endFactor: 1, totalIters: 10 } },
    next: { spec: spec("CosineAnnealingLR"), values: { tMax: 90, etaMin: 0 } },
    milestone: 10,
  });
  const ts = typescriptCode(d);
  assert.match(ts, /import \{ SGD, LinearLR, CosineAnnealingLR, SequentialLR \} from "descent-optim";/);
  assert.match(ts, /new LinearLR\(optimizer, \{ startFactor: 0\.1, endFactor: 1, totalIters: 10 \}\)/);
  assert.match(ts, /new SequentialLR\(optimizer, \{ schedulers: \[first, second\], milestones: \[10\] \}\)/);
  const py = pytorchCode(d);
  assert.match(py, /lr_scheduler\.LinearLR\(optimizer, start_factor=0\.1, end_factor=1, total_iters=10\)/);
  assert.match(py, /lr_scheduler\.CosineAnnealingLR\(optimizer, T_max=90, eta_min=0\)/);
  const one = design({
    steps: 50,
    first: { spec: spec("OneCycleLR"), values: { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 } },
  });
  assert.match(pytorchCode(one), /OneCycleLR\(optimizer, max_lr=lr, total_steps=50, pct_start=0\.3/);
  assert.match(
    typescriptCode(one),
    /new OneCycleLR\(optimizer, \{ maxLr: lr, totalSteps: 50, pctStart: 0\.3/,
  );
});

test("CyclicLR runs the library's scheduler: lr climbs to maxLr as momentum falls to its base", () => {
  const { lr, momentum } = preview(
    design({
      steps: 41,
      first: { spec: spec("CyclicLR"), values: { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 20 } },
    }),
  );
  assert.ok(
    Math.abs(lr[0]! - 0.01) < 1e-12 && Math.abs(lr[20]! - 0.1) < 1e-12 && Math.abs(lr[40]! - 0.01) < 1e-12,
  );
  assert.ok(Math.abs(momentum[0]! - 0.9) < 1e-12 && Math.abs(momentum[20]! - 0.8) < 1e-12);
});
