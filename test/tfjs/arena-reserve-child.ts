// Child of arena-reserve.test.ts: a fresh process trains a TF.js model through TfjsOptimizer and prints how
// often descent's memory was detached (arenaClock.generation) and how big it is.
import * as tf from "@tensorflow/tfjs";
import { arena, arenaClock } from "../../src/core/arena.js";
import { Adam } from "../../src/optim/adam.js";
import { TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";

await tf.setBackend("cpu");
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 256, inputShape: [784], activation: "relu" }), // 200K weights: 0.8 MB a buffer
    tf.layers.dense({ units: 10 }),
  ],
});
model.compile({
  optimizer: new TfjsOptimizer(
    model.trainableWeights,
    (params) => new Adam(params, { lr: 1e-3, amsgrad: true }),
  ),
  loss: "meanSquaredError",
});
const xs = tf.randomNormal([64, 784], 0, 1, "float32", 1);
const ys = tf.randomNormal([64, 10], 0, 1, "float32", 2);
const before = model.getWeights()[0]!.dataSync().slice(0, 4);
await model.fit(xs, ys, { epochs: 2, batchSize: 16, verbose: 0 });
const after = model.getWeights()[0]!.dataSync().slice(0, 4);
console.log(
  JSON.stringify({
    generation: arenaClock.generation,
    bytes: arena()!.memory.buffer.byteLength,
    trained: Array.from(after).some((v, i) => v !== before[i]),
  }),
);
