import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Adam, OneCycleLR, SGD } from "../../src/index.js";
import { loadDigits } from "../../src/lab/index.js";
import { trainTfjs } from "../../src/lab/train-tfjs.js";

const data = loadDigits({ train: 400, test: 100, seed: 3 });

describe("trainTfjs", () => {
  before(async () => {
    await tf.setBackend("cpu");
  });

  test("trains a tf.sequential MLP through TfjsOptimizer: the loss falls and held-out accuracy beats chance", async () => {
    const run = await trainTfjs(
      { label: "adam", create: (p) => new Adam(p, { lr: 3e-3 }) },
      { ...data, epochs: 2, batchSize: 20, hidden: [16], seed: 1 },
    );
    assert.equal(run.batchLoss.length, 40);
    assert.ok(run.epochs[1]!.trainLoss < run.epochs[0]!.trainLoss);
    assert.ok(run.final.testAccuracy > 0.5, `test accuracy ${run.final.testAccuracy}`);
    assert.ok(run.batchAccuracy.every((a) => a >= 0 && a <= 1));
    assert.ok(run.lr.every((v) => v === 3e-3));
  });

  test("a scheduler steps after every batch, as in trainMLP", async () => {
    const run = await trainTfjs(
      {
        label: "sgd+onecycle",
        create: (p) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
        scheduler: (opt, total) => new OneCycleLR(opt, { maxLr: 0.1, totalSteps: total }),
      },
      { ...data, epochs: 1, batchSize: 20, hidden: [8] },
    );
    assert.ok(Math.abs(run.lr[0]! - 0.1 / 25) < 1e-15);
    const peak = run.lr.indexOf(Math.max(...run.lr));
    assert.ok(peak > 0 && peak < run.lr.length - 1);
    assert.ok(run.momentum![peak]! < run.momentum![0]!);
  });

  test("rejects bad epochs and batch sizes", async () => {
    const entry = { label: "sgd", create: (p: never[]) => new SGD(p, { lr: 0.1 }) };
    await assert.rejects(
      trainTfjs(entry, { ...data, epochs: 0 }),
      /epochs must be a positive integer, got 0/,
    );
    await assert.rejects(
      trainTfjs(entry, { ...data, batchSize: 401 }),
      /batchSize must be an integer in \[1, 400\], got 401/,
    );
  });
});
