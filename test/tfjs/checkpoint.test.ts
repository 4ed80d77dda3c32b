// TF.js checkpoints: saveTfjsCheckpoint / loadTfjsCheckpoint restore the model's variables with the
// optimizer (a rebuilt model resumes the saved run exactly), and the plain checkpoint route over the
// adapter's params, which restored descent's copies but trained the model from fresh weights, is refused.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { Adam } from "../../src/optim/adam.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { loadTfjsCheckpoint, saveTfjsCheckpoint } from "../../src/tfjs/checkpoint.js";
import { TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";

before(async () => {
  await tf.setBackend("cpu");
});

/** The same architecture with explicit layer names (so weight names match across rebuilds), seeded. */
function model(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        name: "hidden",
        units: 6,
        inputShape: [3],
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        name: "out",
        units: 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

function run(seed: number) {
  const m = model(seed);
  const tfOpt = new TfjsOptimizer(m.trainableWeights, (params) => new Adam(params as never, { lr: 0.05 }));
  const scheduler = new StepLR(tfOpt.optimizer, { stepSize: 2, gamma: 0.5 });
  m.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
  return { m, tfOpt, scheduler };
}

const xs = tf.tensor2d([0.1, -0.4, 0.9, 1.2, 0.3, -0.7, -1, 0.5, 0.2, 0.6, 0.6, -0.2], [4, 3]);
const ys = tf.tensor2d([0.5, -0.2, 0.1, 0.9], [4, 1]);

async function epochs(r: ReturnType<typeof run>, n: number): Promise<void> {
  for (let e = 0; e < n; e++) {
    await r.m.fit(xs, ys, { epochs: 1, batchSize: 2, shuffle: false, verbose: 0 });
    r.scheduler.step();
  }
}

const weights = (m: tf.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe("saveTfjsCheckpoint / loadTfjsCheckpoint", () => {
  it("a rebuilt model with fresh weights resumes the saved run exactly (variables, optimizer, scheduler)", async () => {
    const a = run(1);
    await epochs(a, 3);
    const bytes = saveTfjsCheckpoint(a.tfOpt, { schedulers: { lr: a.scheduler }, extra: { epoch: 3 } });
    const b = run(99);
    assert.notDeepEqual(weights(b.m), weights(a.m));
    const { extra } = loadTfjsCheckpoint(bytes, b.tfOpt, { schedulers: { lr: b.scheduler } });
    assert.deepEqual(extra, { epoch: 3 });
    assert.deepEqual(weights(b.m), weights(a.m), "the model's variables are the saved ones");
    await epochs(a, 3);
    await epochs(b, 3);
    assert.deepEqual(weights(b.m), weights(a.m), "training continues bit for bit");
    assert.deepEqual(b.scheduler.getLastLr(), a.scheduler.getLastLr());
  });

  it("saves the values the model holds, also after model.setWeights", async () => {
    const a = run(2);
    await epochs(a, 1);
    a.m.setWeights(a.m.getWeights().map((w) => tf.onesLike(w)));
    const bytes = saveTfjsCheckpoint(a.tfOpt);
    const b = run(3);
    loadTfjsCheckpoint(bytes, b.tfOpt);
    for (const w of weights(b.m)) assert.ok(w.every((x) => x === 1));
  });

  it("refuses the plain route over the adapter's params, at save and at load, naming the variable", async () => {
    const a = run(4);
    await epochs(a, 1);
    const plain = { params: [...a.tfOpt.params.values()], optimizer: a.tfOpt.optimizer };
    assert.throws(
      () => saveCheckpoint(plain),
      (e: unknown) =>
        e instanceof CheckpointError &&
        /is a TfjsOptimizer's copy of the TF.js variable 'hidden\/kernel.*use saveTfjsCheckpoint\(tfOpt\)/.test(
          e.message,
        ),
    );
    const bytes = saveTfjsCheckpoint(a.tfOpt);
    const b = run(5);
    const before = weights(b.m);
    assert.throws(
      () => loadCheckpoint(bytes, { params: b.tfOpt.checkpointParams(), optimizer: b.tfOpt.optimizer }),
      /use loadTfjsCheckpoint\(bytes, tfOpt\)/,
    );
    assert.deepEqual(weights(b.m), before);
  });

  it("refuses a checkpoint of another model, changing nothing", async () => {
    const a = run(6);
    await epochs(a, 1);
    const bytes = saveTfjsCheckpoint(a.tfOpt);
    const other = tf.sequential({ layers: [tf.layers.dense({ name: "hidden", units: 2, inputShape: [3] })] });
    const tfOpt = new TfjsOptimizer(other.trainableWeights, (params) => new Adam(params as never));
    const before = weights(other);
    assert.throws(() => loadTfjsCheckpoint(bytes, tfOpt), CheckpointError);
    assert.deepEqual(weights(other), before);
  });
});
