import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { ReduceLROnPlateau } from "../../src/scheduler/reduce-lr-on-plateau.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { schedulerCallback } from "../../src/tfjs/scheduler-callback.js";
import { type OptimizerFactory, TfjsOptimizer } from "../../src/tfjs/tfjs-optimizer.js";
import type { OptimizerLike } from "../../src/core/optimizer.js";

before(async () => {
  await tf.setBackend("cpu");
});

function setup<O extends OptimizerLike>(make: OptimizerFactory<O>) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 1,
        inputShape: [2],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
  const tfOpt = new TfjsOptimizer(model.trainableWeights, make);
  model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
  const xs = tf.randomNormal([40, 2], 0, 1, "float32", 5);
  const ys = tf.tidy(() => xs.sum(1, true).mul(2));
  return { model, tfOpt, xs, ys };
}

describe("schedulerCallback", () => {
  it('per "epoch" steps StepLR after each epoch and records the lr each epoch used in the history', async () => {
    const { model, tfOpt, xs, ys } = setup((p) => new SGD(p, { lr: 0.1 }));
    const sched = new StepLR(tfOpt.optimizer, { stepSize: 2, gamma: 0.5 });
    const h = await model.fit(xs, ys, {
      epochs: 5,
      batchSize: 10,
      verbose: 0,
      callbacks: [schedulerCallback(sched)],
    });
    assert.deepEqual(h.history.lr, [0.1, 0.1, 0.05, 0.05, 0.025]);
    assert.equal(tfOpt.optimizer.paramGroups[0]!.lr, 0.025);
  });

  it('per "batch" steps the scheduler after every batch: the lr each step used is what the scheduler said', async () => {
    const { model, tfOpt, xs, ys } = setup((p) => new SGD(p, { lr: 0.1 }));
    const sched = new StepLR(tfOpt.optimizer, { stepSize: 1, gamma: 0.5 });
    const used: number[] = [];
    const batchLogs: number[] = [];
    tfOpt.optimizer.registerStepPreHook?.((o: { paramGroups: Array<{ lr: number }> }) =>
      used.push(o.paramGroups[0]!.lr),
    );
    const h = await model.fit(xs, ys, {
      epochs: 2,
      batchSize: 20,
      verbose: 0,
      callbacks: [
        schedulerCallback(sched, { per: "batch" }),
        {
          onBatchEnd: async (_b: number, logs?: tf.Logs) => {
            batchLogs.push(logs!.lr as number);
          },
        },
      ],
    });
    assert.deepEqual(used, [0.1, 0.05, 0.025, 0.0125]);
    assert.deepEqual(batchLogs, used);
    assert.deepEqual(h.history.lr, [0.025, 0.00625]); // the lr the next step uses
  });

  it("feeds ReduceLROnPlateau the validation loss from the logs (monitor val_loss by default)", async () => {
    const { model, tfOpt, xs } = setup((p) => new Adam(p, { lr: 0.1 }));
    const plateau = new ReduceLROnPlateau(tfOpt.optimizer, { patience: 0, factor: 0.5 });
    const seen: number[] = [];
    const spy = {
      step: (m?: number) => {
        seen.push(m!);
        plateau.step(m);
      },
      getLastLr: () => plateau.getLastLr(),
    };
    // targets that cannot be fitted: the validation loss stops improving and the lr is cut
    const noise = tf.randomNormal([40, 1], 0, 1, "float32", 9);
    const h = await model.fit(xs, noise, {
      epochs: 6,
      batchSize: 10,
      validationSplit: 0.5,
      verbose: 0,
      callbacks: [schedulerCallback(spy, { monitor: "val_loss" })],
    });
    assert.deepEqual(seen, h.history.val_loss);
    const lrs = h.history.lr as number[];
    assert.equal(lrs[0], 0.1);
    assert.ok(
      lrs.some((lr) => lr < 0.1),
      `lr never cut: ${lrs.join(", ")}`,
    );
    // each cut follows an epoch whose val_loss did not beat the best so far
    const valLoss = h.history.val_loss as number[];
    for (let e = 1; e < lrs.length; e++) {
      if (lrs[e]! < lrs[e - 1]!)
        assert.ok(valLoss[e - 1]! >= Math.min(...valLoss.slice(0, e - 1)) * (1 - 1e-4));
    }
    const plain = await model.fit(xs, noise, {
      epochs: 1,
      batchSize: 10,
      validationSplit: 0.5,
      verbose: 0,
      callbacks: [schedulerCallback(plateau)],
    });
    assert.equal(plain.history.lr!.length, 1);
  });

  it("names the missing log key when monitor is not in the logs", async () => {
    const { model, tfOpt, xs, ys } = setup((p) => new SGD(p, { lr: 0.1 }));
    const plateau = new ReduceLROnPlateau(tfOpt.optimizer);
    await assert.rejects(
      model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [schedulerCallback(plateau)] }),
      /monitor 'val_loss' is not in the logs at epoch 0 \(keys: loss.*\); give fit validationData or validationSplit/,
    );
  });

  it("refuses bad arguments with the bad value in the message", () => {
    const { tfOpt } = setup((p) => new SGD(p, { lr: 0.1 }));
    const sched = new StepLR(tfOpt.optimizer, { stepSize: 1 });
    assert.throws(() => schedulerCallback({} as never), /expected a scheduler .* got Object/);
    assert.throws(
      () => schedulerCallback(sched, { per: "step" as never }),
      /Invalid per: "step" \(expected one of "batch", "epoch"\)/,
    );
    assert.throws(() => schedulerCallback(sched, { monitor: "" }), /monitor must be a log key/);
    assert.throws(() => schedulerCallback(sched, { every: 1 } as never), /unknown option 'every'/);
  });
});
