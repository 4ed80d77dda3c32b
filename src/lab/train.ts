// Mini-batch training of the lab's MLP with any descent optimizer (and optionally a scheduler stepped per
// batch). Every run starts from the same initial weights and sees the same batches in the same order, so
// the runs differ only in the optimizer.

import type { OptimizerLike } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import type { DigitSet } from "./digits.js";
import { MLP } from "./mlp.js";
import { colorOf } from "./race.js";
import { mulberry32, shuffle } from "./random.js";

/** Anything with torch's scheduler `step()`; stepped once after every optimizer step. */
export interface SchedulerLike {
  /** Advances the schedule by one optimizer step. */
  step(): void;
}

/** A run to train: a label and a factory for its optimizer (and, optionally, its scheduler). */
export interface TrainEntry {
  readonly label: string;
  /** Its colour in figures (absent: the palette in order). */
  readonly color?: string;
  /** Builds the run's optimizer over the network's params. */
  create(params: Param[]): OptimizerLike;
  /** Builds the run's scheduler over its optimizer, given the total number of optimizer steps. */
  scheduler?(optimizer: OptimizerLike, totalSteps: number): SchedulerLike;
}

/** Options of `trainMLP`: the data, the network's hidden widths, epochs, batch size and seed. */
export interface TrainOptions {
  /** The training examples. */
  readonly train: DigitSet;
  /** The examples the test loss and accuracy are measured on after each epoch. */
  readonly test: DigitSet;
  /** Hidden layer widths (default [64]). */
  readonly hidden?: readonly number[];
  /** Passes over the training set (default 5). */
  readonly epochs?: number;
  /** Examples per optimizer step (default 64). */
  readonly batchSize?: number;
  /** Seed of the initial weights and of the batch order (default 0). */
  readonly seed?: number;
  /** Called after every optimizer step. */
  readonly onStep?: (step: number, totalSteps: number, loss: number) => void;
}

/** The test loss and accuracy after one epoch, with the epoch's mean training loss. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean batch loss over the epoch (the weights moved during it). */
  readonly trainLoss: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
}

/** What `trainMLP` returns: per-batch loss, accuracy and lr, and one record per epoch. */
export interface TrainRun {
  readonly label: string;
  /** The entry's colour, if it has one. */
  readonly color?: string;
  /** Loss of every batch, before its step. */
  readonly batchLoss: Float64Array;
  /** Accuracy on every batch, before its step. */
  readonly batchAccuracy: Float64Array;
  /** Learning rate of the first param group at every step. */
  readonly lr: Float64Array;
  /** Momentum (SGD, RMSprop) or β₁ (Adam family) at every step, when the optimizer has one. */
  readonly momentum: Float64Array | null;
  readonly epochs: readonly EpochRecord[];
  /** Loss and accuracy on the whole training and test sets after the last epoch. */
  readonly final: { trainLoss: number; trainAccuracy: number; testLoss: number; testAccuracy: number };
  /** Wall-clock seconds of the training (evaluation included). */
  readonly seconds: number;
}

function momentumOf(group: Record<string, unknown>): number | null {
  if (typeof group.momentum === "number") return group.momentum;
  const betas = group.betas;
  if (Array.isArray(betas) && typeof betas[0] === "number") return betas[0];
  return null;
}

/**
 * Trains a fresh MLP (inputs → hidden → 10 classes) with `entry`'s optimizer.
 * @example
 * const { train, test } = loadDigits({ train: 200, test: 100, seed: 1 });
 * const entry = { label: "adam", create: (p: Param[]) => new Adam(p, { lr: 3e-3 }) };
 * const run = trainMLP(entry, { train, test, hidden: [16], epochs: 2, batchSize: 20 });
 * run.batchLoss.length; // → 20 (10 batches × 2 epochs)
 * run.final.testAccuracy > 0.3; // → true (10 classes: chance is 0.1)
 */
export function trainMLP(entry: TrainEntry, options: TrainOptions): TrainRun {
  const { train, test } = options;
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 64;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`trainMLP: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`trainMLP: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (batchSize > train.count) {
    throw new RangeError(`trainMLP: batchSize ${batchSize} is larger than the ${train.count} training rows`);
  }
  const features = train.images.length / train.count;
  const classes = 10;
  const started = performance.now();
  const net = new MLP({ sizes: [features, ...(options.hidden ?? [64]), classes], seed });
  const optimizer = entry.create(net.params);
  const batchesPerEpoch = Math.floor(train.count / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const scheduler = entry.scheduler?.(optimizer, totalSteps);
  const batchLoss = new Float64Array(totalSteps);
  const batchAccuracy = new Float64Array(totalSteps);
  const lr = new Float64Array(totalSteps);
  const firstGroup = optimizer.paramGroups[0] as unknown as Record<string, unknown>;
  const momentum = momentumOf(firstGroup) === null ? null : new Float64Array(totalSteps);
  const xb = new Float32Array(batchSize * features);
  const yb = new Uint8Array(batchSize);
  const order = Uint32Array.from({ length: train.count }, (_, i) => i);
  const records: EpochRecord[] = [];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffle(order, mulberry32(seed * 1000 + epoch));
    let sum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      for (let r = 0; r < batchSize; r++) {
        const row = order[b * batchSize + r]!;
        xb.set(train.images.subarray(row * features, (row + 1) * features), r * features);
        yb[r] = train.labels[row]!;
      }
      const group = optimizer.paramGroups[0] as unknown as Record<string, unknown>;
      lr[step] = group.lr as number;
      if (momentum !== null) momentum[step] = momentumOf(group) ?? Number.NaN;
      const loss = net.lossAndGrad(xb, yb, batchSize);
      optimizer.step();
      scheduler?.step();
      batchLoss[step] = loss;
      batchAccuracy[step] = net.lastAccuracy;
      sum += loss;
      step += 1;
      options.onStep?.(step, totalSteps, loss);
    }
    const evaluation = net.evaluate(test.images, test.labels, test.count);
    records.push({
      epoch,
      trainLoss: sum / batchesPerEpoch,
      testLoss: evaluation.loss,
      testAccuracy: evaluation.accuracy,
    });
  }
  const trainEval = net.evaluate(train.images, train.labels, train.count);
  return finishRun(
    { label: entry.label, ...colorOf(entry), batchLoss, batchAccuracy, lr, momentum, epochs: records },
    trainEval,
    started,
  );
}

/** A run's result from its per-step series and epochs, the final training-set evaluation and its start time. */
export function finishRun(
  series: Omit<TrainRun, "final" | "seconds">,
  trainEval: { loss: number; accuracy: number },
  started: number,
): TrainRun {
  const last = series.epochs[series.epochs.length - 1]!;
  return {
    ...series,
    final: {
      trainLoss: trainEval.loss,
      trainAccuracy: trainEval.accuracy,
      testLoss: last.testLoss,
      testAccuracy: last.testAccuracy,
    },
    seconds: (performance.now() - started) / 1000,
  };
}
