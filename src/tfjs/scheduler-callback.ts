// A learning-rate scheduler as a `model.fit` callback, in Keras' style: the scheduler steps after every batch
// or every epoch; a metric-driven scheduler (ReduceLROnPlateau, or any scheduler given `monitor`) steps with
// that value from the logs; and the lr each step used is written into the logs (`lr`, or `logKey`), so it lands
// in `history.history` as Keras' LearningRateScheduler does.
//
// The callback is a plain `CustomCallbackArgs` object (what `model.fit({ callbacks })` takes), so this file
// needs nothing from tfjs-layers.

import { describe } from "../core/param.js";
import { checkOptions, oneOf, optionError } from "../core/validate.js";
import { ReduceLROnPlateau } from "../scheduler/reduce-lr-on-plateau.js";

/** What the callback needs from a scheduler (every descent scheduler has it). */
export interface SchedulerLike {
  /** Advances the schedule (ReduceLROnPlateau takes the metric). */
  step(metric?: number): void;
  /** The lr of each driven group after the last step. */
  getLastLr(): number[];
}

/** Options of `schedulerCallback`. */
export interface SchedulerCallbackOptions {
  /** Step after every batch or after every epoch. Default "epoch". */
  per?: "batch" | "epoch";
  /**
   * The log entry to step with (e.g. "val_loss", "loss"). Default "val_loss" for ReduceLROnPlateau, none
   * (a plain `step()`) for other schedulers.
   */
  monitor?: string;
  /** The log key the lr is written under. Default "lr". */
  logKey?: string;
}

/** The logs `model.fit` passes to a callback (loss, val_loss, metrics). */
export type Logs = Record<string, unknown>;

/** The hooks `model.fit` calls (tfjs-layers' CustomCallbackArgs). */
export interface SchedulerCallbackHooks {
  /** Called by `model.fit` after every batch. */
  onBatchEnd(batch: number, logs?: Logs): void;
  /** Called by `model.fit` after every epoch. */
  onEpochEnd(epoch: number, logs?: Logs): void;
}

/**
 * A `model.fit` callback stepping `scheduler`.
 * @example
 * import * as tf from "@tensorflow/tfjs";
 * await tf.setBackend("cpu");
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * const tfOpt = new TfjsOptimizer(model.trainableWeights, (p) => new SGD(p, { lr: 0.1 }));
 * model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
 * const xs = tf.randomNormal([40, 2], 0, 1, "float32", 5);
 * const ys = xs.sum(1, true).mul(2);
 * const sched = new StepLR(tfOpt.optimizer, { stepSize: 2, gamma: 0.5 });
 * const callbacks = [schedulerCallback(sched)]; // { per: "batch" } for OneCycleLR & co.
 * const h = await model.fit(xs, ys, { epochs: 5, batchSize: 10, verbose: 0, callbacks });
 * h.history.lr; // → [0.1, 0.1, 0.05, 0.05, 0.025] (the lr of every epoch)
 * // ReduceLROnPlateau steps with the logs' val_loss: fit with { validationSplit: 0.2 }
 */
export function schedulerCallback(
  scheduler: SchedulerLike,
  options: SchedulerCallbackOptions = {},
): SchedulerCallbackHooks {
  const where = "schedulerCallback";
  if (
    scheduler === null ||
    typeof scheduler !== "object" ||
    typeof scheduler.step !== "function" ||
    typeof scheduler.getLastLr !== "function"
  ) {
    optionError(`${where}: expected a scheduler (with step() and getLastLr()), got ${describe(scheduler)}`);
  }
  checkOptions(options, ["per", "monitor", "logKey"], where);
  const per = oneOf(options.per ?? "epoch", ["batch", "epoch"], "per", where);
  const monitor = options.monitor ?? (scheduler instanceof ReduceLROnPlateau ? "val_loss" : undefined);
  if (monitor !== undefined && (typeof monitor !== "string" || monitor === "")) {
    optionError(`${where}: monitor must be a log key such as "val_loss", got ${describe(monitor)}`);
  }
  const logKey = options.logKey ?? "lr";
  if (typeof logKey !== "string" || logKey === "")
    optionError(`${where}: logKey must be a non-empty string, got ${describe(logKey)}`);

  const currentLr = (): number => {
    const lr = scheduler.getLastLr()[0];
    if (typeof lr !== "number") optionError(`${where}: the scheduler reports no lr`);
    return lr;
  };
  const advance = (logs: Logs | undefined, at: string): void => {
    if (monitor === undefined) {
      scheduler.step();
      return;
    }
    const value = logs?.[monitor];
    if (typeof value !== "number") {
      const keys = Object.keys(logs ?? {}).join(", ") || "none";
      optionError(
        `${where}: monitor '${monitor}' is not in the logs at ${at} (keys: ${keys})${monitor.startsWith("val_") ? "; give fit validationData or validationSplit" : ""}`,
      );
    }
    scheduler.step(value);
  };
  return {
    onBatchEnd(batch, logs) {
      if (per !== "batch") return;
      const lr = currentLr(); // the lr this batch's step used
      advance(logs, `batch ${batch}`);
      if (logs) logs[logKey] = lr;
    },
    onEpochEnd(epoch, logs) {
      if (per === "epoch") {
        const lr = currentLr();
        advance(logs, `epoch ${epoch}`);
        if (logs) logs[logKey] = lr;
      } else if (logs) {
        // per batch: the epoch's entry is the lr the next step will use
        logs[logKey] = currentLr();
      }
    },
  };
}
