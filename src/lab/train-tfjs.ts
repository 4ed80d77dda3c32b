// The demo's MLP as a TensorFlow.js model (tf.sequential of dense layers) trained with model.fit through
// descent-optim/tfjs's TfjsOptimizer: the same optimizer factories, schedulers (stepped per batch), batch order
// and records as trainMLP, so the two paths are interchangeable in the demo.

import * as tf from "@tensorflow/tfjs";
import type { Param } from "../core/param.js";
import { TfjsOptimizer } from "../tfjs/index.js";
import { colorOf } from "./race.js";
import { mulberry32, shuffle } from "./random.js";
import { type EpochRecord, finishRun, type TrainEntry, type TrainOptions, type TrainRun } from "./train.js";

function momentumOf(group: Record<string, unknown>): number | null {
  if (typeof group.momentum === "number") return group.momentum;
  const betas = group.betas;
  if (Array.isArray(betas) && typeof betas[0] === "number") return betas[0];
  return null;
}

function evaluate(
  model: tf.Sequential,
  x: tf.Tensor2D,
  labels: tf.Tensor1D,
): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const logits = model.predict(x) as tf.Tensor2D;
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 10), logits).dataSync()[0]!;
    const accuracy = logits.argMax(1).equal(labels).mean().dataSync()[0]!;
    return { loss, accuracy };
  });
}

/**
 * Trains a tf.sequential MLP (inputs → hidden ReLU layers → 10 logits) with `entry`'s descent optimizer
 * through TfjsOptimizer, on whatever TF.js backend is active.
 * @example
 * import * as tf from "@tensorflow/tfjs";
 * await tf.setBackend("cpu");
 * const { train, test } = loadDigits({ train: 100, test: 50, seed: 1 });
 * const entry = { label: "adam", create: (p: Param[]) => new Adam(p, { lr: 3e-3 }) };
 * const run = await trainTfjs(entry, { train, test, hidden: [8], epochs: 1, batchSize: 25 });
 * run.batchLoss.length; // → 4
 */
export async function trainTfjs(entry: TrainEntry, options: TrainOptions): Promise<TrainRun> {
  const { train, test } = options;
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`trainTfjs: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > train.count) {
    throw new RangeError(`trainTfjs: batchSize must be an integer in [1, ${train.count}], got ${batchSize}`);
  }
  const features = train.images.length / train.count;
  const started = performance.now();
  const hidden = options.hidden ?? [64];
  const model = tf.sequential();
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + i }),
        ...(i === 0 ? { inputShape: [features] } : {}),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: 10,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 99 }),
    }),
  );
  const tfOpt = new TfjsOptimizer(model.trainableWeights as never, (params) =>
    entry.create(params as Param[]),
  );
  model.compile({
    optimizer: tfOpt as unknown as tf.Optimizer,
    loss: (y: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits),
    metrics: ["accuracy"],
  });
  const batchesPerEpoch = Math.floor(train.count / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const optimizer = tfOpt.optimizer;
  const scheduler = entry.scheduler?.(optimizer, totalSteps);
  const batchLoss = new Float64Array(totalSteps);
  const batchAccuracy = new Float64Array(totalSteps);
  const lr = new Float64Array(totalSteps);
  const group0 = () => optimizer.paramGroups[0] as unknown as Record<string, unknown>;
  const momentum = momentumOf(group0()) === null ? null : new Float64Array(totalSteps);
  const images = tf.tensor2d(train.images, [train.count, features]);
  const labels = tf.tensor1d(train.labels, "int32");
  const testX = tf.tensor2d(test.images, [test.count, features]);
  const testY = tf.tensor1d(test.labels, "int32");
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const records: EpochRecord[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      // the same seeded batch order as trainMLP, so every run sees the same batches
      shuffle(order, mulberry32(seed * 1000 + epoch));
      const used = order.subarray(0, batchesPerEpoch * batchSize);
      const index = tf.tensor1d(used, "int32");
      const xs = tf.gather(images, index);
      const ys = tf.oneHot(tf.gather(labels, index), 10);
      let sum = 0;
      await model.fit(xs, ys, {
        epochs: 1,
        batchSize,
        shuffle: false,
        verbose: 0,
        callbacks: {
          onBatchBegin: async () => {
            lr[step] = group0().lr as number;
            if (momentum !== null) momentum[step] = momentumOf(group0()) ?? Number.NaN;
          },
          onBatchEnd: async (_batch, logs) => {
            const loss = Number(logs?.loss);
            batchLoss[step] = loss;
            batchAccuracy[step] = Number(logs?.acc ?? logs?.accuracy);
            sum += loss;
            scheduler?.step();
            step += 1;
            options.onStep?.(step, totalSteps, loss);
          },
        },
      });
      tf.dispose([index, xs, ys]);
      const evaluation = evaluate(model, testX, testY);
      records.push({
        epoch,
        trainLoss: sum / batchesPerEpoch,
        testLoss: evaluation.loss,
        testAccuracy: evaluation.accuracy,
      });
    }
    const trainEval = evaluate(model, images, labels);
    return finishRun(
      { label: entry.label, ...colorOf(entry), batchLoss, batchAccuracy, lr, momentum, epochs: records },
      trainEval,
      started,
    );
  } finally {
    tf.dispose([images, labels, testX, testY]);
    model.dispose();
  }
}
