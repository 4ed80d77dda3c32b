import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";
import { readInto, writeVariable } from "../../src/tfjs/transfer.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
setWasmPaths(`${join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist")}/`);

async function fitOn(
  backend: "cpu" | "wasm",
): Promise<{ weights: Float32Array[]; loss: number[]; mode: string | null }> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 6,
        inputShape: [3],
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    ],
  });
  const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new Adam(p, { lr: 0.02 }));
  model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
  const xs = tf.tensor2d(
    Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.7)),
    [20, 3],
  );
  const ys = tf.tidy(() => xs.sum(1, true).abs());
  const h = await model.fit(xs, ys, { epochs: 6, batchSize: 5, shuffle: false, verbose: 0 });
  const weights = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const out = { weights, loss: h.history.loss as number[], mode: tfOpt.lastWriteMode };
  tf.dispose([xs, ys]);
  model.dispose();
  return out;
}

describe("transfer between TF.js and descent", () => {
  it("trains through the wasm backend in Node with the cpu backend's results", async () => {
    const wasm = await fitOn("wasm");
    assert.equal(tf.getBackend(), "wasm");
    // wasm always assigns: its matmul caches packed weights by tensor id (an in-place write trains on stale
    // weights, which this comparison with the cpu backend catches)
    assert.equal(wasm.mode, "assign");
    assert.ok(wasm.loss[5]! < wasm.loss[0]!, `loss ${wasm.loss.join(", ")}`);
    const cpu = await fitOn("cpu");
    assert.equal(cpu.mode, "in-place");
    // same updates; the backends' forward/backward kernels differ only by float32 rounding
    cpu.weights.forEach((w, i) => {
      for (let k = 0; k < w.length; k++)
        assert.ok(
          Math.abs(w[k]! - wasm.weights[i]![k]!) < 1e-4,
          `weight ${i}[${k}]: ${w[k]} vs ${wasm.weights[i]![k]}`,
        );
    });
  });

  it("never writes in place into storage the adapter did not create (a user's array behind a variable)", async () => {
    await tf.setBackend("cpu");
    const mine = new Float32Array([1, 2]);
    const v = tf.variable(tf.tensor1d(mine), true, "transfer-cpu-user-array");
    const opt = new TfjsOptimizer([v], (p) => new SGD(p, { lr: 1 }));
    for (let i = 0; i < 3; i++) opt.applyGradients({ "transfer-cpu-user-array": tf.tensor1d([1, 1]) });
    assert.equal(opt.lastWriteMode, "in-place");
    assert.deepEqual(Array.from(mine), [1, 2]);
    assert.deepEqual(Array.from(v.dataSync()), [-2, -1]);
    v.dispose();
  });

  it("writeVariable assigns on the first write and writes in place on the cpu backend only into storage it made", async () => {
    await tf.setBackend("cpu");
    const v = tf.variable(tf.tensor1d([1, 2, 3]), true, "transfer-cpu-write");
    const first = writeVariable(v, param([4, 5, 6]).data, null);
    assert.equal(first.mode, "assign");
    const second = writeVariable(v, param([7, 8, 9]).data, first.dataId);
    assert.deepEqual([second.mode, second.dataId === first.dataId], ["in-place", true]);
    assert.deepEqual(Array.from(v.dataSync()), [7, 8, 9]);
    assert.equal(writeVariable(v, param([1, 1, 1]).data, {}).mode, "assign"); // not the storage it made
    assert.deepEqual(Array.from(v.dataSync()), [1, 1, 1]);
    v.dispose();
  });

  it("readInto copies a tensor's values into a descent buffer", () => {
    const p = param([0, 0, 0]);
    const t = tf.tensor1d([1.5, -2, 3]);
    readInto(t, p.gradBuffer());
    assert.deepEqual(Array.from(p.grad!), [1.5, -2, 3]);
    t.dispose();
  });
});
