import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";

function tinyModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 4,
        inputShape: [3],
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe("TF.js cpu backend: arrays a user holds are theirs", () => {
  it("an array from dataSync() keeps its values while training goes on (as with tf.train.adam)", async () => {
    await tf.setBackend("cpu");
    const model = tinyModel();
    const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p, { lr: 0.05 }));
    model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
    const xs = tf.tensor2d(
      Array.from({ length: 30 }, (_, i) => Math.cos(i)),
      [10, 3],
    );
    const ys = tf.tidy(() => xs.sum(1, true));
    await model.fit(xs, ys, { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
    assert.equal(tfOpt.lastWriteMode, "in-place"); // nobody read the weights: the fast path
    const best = model.getWeights()[0]!.dataSync();
    const bestCopy = best.slice();
    await model.fit(xs, ys, { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
    assert.deepEqual(Array.from(best), Array.from(bestCopy));
    const now = model.getWeights()[0]!.dataSync();
    assert.notDeepEqual(Array.from(now), Array.from(bestCopy)); // training did move the weights
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it("an array from data() is kept too, and the in-place path resumes after one fresh assign", async () => {
    await tf.setBackend("cpu");
    const v = tf.variable(tf.tensor1d([1, 2]), true, "ownership-data-async");
    const opt = new TfjsOptimizer([v], (p) => new SGD(p, { lr: 1 }));
    const g = tf.tensor1d([1, 1]);
    opt.applyGradients({ "ownership-data-async": g });
    opt.applyGradients({ "ownership-data-async": g });
    assert.equal(opt.lastWriteMode, "in-place");
    const held = await v.data();
    opt.applyGradients({ "ownership-data-async": g });
    assert.equal(opt.lastWriteMode, "assign");
    assert.deepEqual(Array.from(held), [-1, 0]);
    opt.applyGradients({ "ownership-data-async": g });
    assert.equal(opt.lastWriteMode, "in-place");
    assert.deepEqual(Array.from(held), [-1, 0]);
    assert.deepEqual(Array.from(v.dataSync()), [-3, -2]);
    g.dispose();
    v.dispose();
  });

  it("a TensorBuffer from bufferSync() is kept", async () => {
    await tf.setBackend("cpu");
    const v = tf.variable(tf.tensor1d([1, 2]), true, "ownership-buffer-sync");
    const opt = new TfjsOptimizer([v], (p) => new SGD(p, { lr: 1 }));
    const g = tf.tensor1d([1, 1]);
    opt.applyGradients({ "ownership-buffer-sync": g });
    const buf = v.bufferSync();
    opt.applyGradients({ "ownership-buffer-sync": g });
    opt.applyGradients({ "ownership-buffer-sync": g });
    assert.deepEqual(Array.from(buf.values), [0, 1]);
    g.dispose();
    v.dispose();
  });
});

describe("TF.js: saving with the optimizer does not leak tensors", () => {
  it("model.save(…, { includeOptimizer: true }) repeated keeps tf.memory().numTensors flat", async () => {
    await tf.setBackend("cpu");
    const model = tinyModel();
    const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p, { lr: 0.05 }));
    model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
    const xs = tf.tensor2d(
      Array.from({ length: 30 }, (_, i) => Math.cos(i)),
      [10, 3],
    );
    const ys = tf.tidy(() => xs.sum(1, true));
    await model.fit(xs, ys, { epochs: 1, batchSize: 5, shuffle: false, verbose: 0 });
    const saved: tf.io.ModelArtifacts[] = [];
    const handler = tf.io.withSaveHandler(async (artifacts) => {
      saved.push(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      await model.save(handler, { includeOptimizer: true });
      counts.push(tf.memory().numTensors - before);
    }
    // the last save's tensors live until the next getWeights() (or dispose()): a bounded set, never growth
    assert.ok(
      counts.every((c) => c === counts[0]),
      `tensors after each save: ${counts.join(", ")}`,
    );
    assert.ok(counts[0]! <= 10, `one save keeps ${counts[0]} tensors`);
    // what was saved still loads: the weights were read before they were disposed
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved.at(-1)!));
    assert.equal(loaded.optimizer instanceof TfjsOptimizer, true);
    loaded.dispose();
    tfOpt.dispose(); // the last save's tensors too
    assert.equal(tf.memory().numTensors - before, 0);
    assert.equal(
      [...tfOpt.params.values()].every((p) => p.disposed),
      true,
    );
    assert.throws(() => tfOpt.applyGradients({}), /TfjsOptimizer.applyGradients: the optimizer was disposed/);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
