import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Adam, OneCycleLR, SGD } from "../../src/index.js";
import { loadDigits, trainMLP } from "../../src/lab/index.js";

const data = loadDigits({ train: 600, test: 200, seed: 3 });

describe("trainMLP", () => {
  test("Adam lowers the loss and beats chance on held-out digits within two epochs", () => {
    const run = trainMLP(
      { label: "adam", create: (p) => new Adam(p, { lr: 3e-3 }) },
      { ...data, epochs: 2, batchSize: 20, hidden: [16] },
    );
    assert.equal(run.batchLoss.length, 60);
    assert.ok(run.epochs[1]!.trainLoss < run.epochs[0]!.trainLoss);
    assert.ok(run.final.testAccuracy > 0.6, `test accuracy ${run.final.testAccuracy}`);
    assert.ok(run.lr.every((v) => v === 3e-3));
    assert.ok(run.momentum!.every((v) => v === 0.9)); // β₁
  });

  test("runs with the same seed see the same batches: identical optimizers give identical curves", () => {
    const opts = { ...data, epochs: 1, batchSize: 30, hidden: [8] };
    const a = trainMLP({ label: "a", create: (p) => new SGD(p, { lr: 0.1 }) }, opts);
    const b = trainMLP({ label: "b", create: (p) => new SGD(p, { lr: 0.1 }) }, opts);
    assert.deepEqual(a.batchLoss, b.batchLoss);
    assert.equal(
      a.momentum!.every((m) => m === 0),
      true,
    );
  });

  test("a scheduler is stepped after every optimizer step and the recorded lr follows it", () => {
    const run = trainMLP(
      {
        label: "sgd+onecycle",
        create: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
        scheduler: (opt, total) => new OneCycleLR(opt, { maxLr: 0.1, totalSteps: total }),
      },
      { ...data, epochs: 1, batchSize: 20, hidden: [8] },
    );
    const peak = run.lr.indexOf(Math.max(...run.lr));
    assert.ok(Math.abs(run.lr[0]! - 0.1 / 25) < 1e-15);
    assert.ok(peak > 0 && peak < run.lr.length - 1);
    assert.ok(run.momentum![peak]! < run.momentum![0]!);
  });

  test("rejects bad epochs and batch sizes", () => {
    const entry = { label: "sgd", create: (p: never[]) => new SGD(p, { lr: 0.1 }) };
    assert.throws(() => trainMLP(entry, { ...data, epochs: 0 }), /epochs must be a positive integer, got 0/);
    assert.throws(
      () => trainMLP(entry, { ...data, batchSize: 601 }),
      /batchSize 601 is larger than the 600 training rows/,
    );
  });
});
