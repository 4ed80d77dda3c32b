// TF.js training with descent: AdamW over a tf.sequential model, OneCycleLR stepped by a fit callback,
// ReduceLROnPlateau on the validation loss, then the optimizer's state saved with the model and resumed.
// The README's "With TensorFlow.js" section shows the TypeScript version.
//   npm run build && node examples/tfjs.mjs      (the same program in TypeScript: examples/tfjs.ts)
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { AdamW, OneCycleLR, ReduceLROnPlateau } from "descent-optim";
import { schedulerCallback, TfjsOptimizer } from "descent-optim/tfjs";

await tf.setBackend("cpu");
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 16, inputShape: [4], activation: "relu" }),
    tf.layers.dense({ units: 1 }),
  ],
});
// AdamW with no weight decay on the biases, the gradients' joint norm clipped to 1
const tfOpt = new TfjsOptimizer(
  model.trainableWeights,
  (params) => new AdamW(params, { lr: 1e-2, weightDecay: 1e-2 }),
  { groups: [{ match: /bias/, weightDecay: 0 }], maxGradNorm: 1 },
);
model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });

const xs = tf.randomNormal([256, 4], 0, 1, "float32", 3);
const ys = xs.sum(1, true).tanh();
const epochs = 4;
const batchSize = 32;
// a descent scheduler over tfOpt.optimizer, stepped after every batch; the lr lands in the history
const oneCycle = new OneCycleLR(tfOpt.optimizer, { maxLr: 0.05, epochs, stepsPerEpoch: 256 / batchSize });
const history = await model.fit(xs, ys, {
  epochs,
  batchSize,
  verbose: 0,
  callbacks: [schedulerCallback(oneCycle, { per: "batch" })],
});
console.log("loss", history.history.loss);
console.log("lr  ", history.history.lr);

// ReduceLROnPlateau, stepped after every epoch with the validation loss from fit's logs
const plateau = new ReduceLROnPlateau(tfOpt.optimizer, { factor: 0.5, patience: 0 });
await model.fit(xs, ys, {
  epochs: 2,
  batchSize,
  validationSplit: 0.25,
  verbose: 0,
  callbacks: [schedulerCallback(plateau, { monitor: "val_loss" })],
});

// the optimizer's whole state (moments, step counts, the scheduled lr) is saved with the model
let saved;
const toMemory = tf.io.withSaveHandler(async (artifacts) => {
  saved = artifacts;
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
});
await model.save(toMemory, { includeOptimizer: true });
const restored = await tf.loadLayersModel(tf.io.fromMemory(saved));
await model.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
await restored.fit(xs, ys, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
// the restored copy continues exactly as the original
assert.deepEqual(
  restored.getWeights().map((w) => w.dataSync()),
  model.getWeights().map((w) => w.dataSync()),
);
