// Checkpoints of a TF.js model trained through TfjsOptimizer: the model's trainable variables, the descent
// optimizer's state and any schedulers in one descent checkpoint (docs/checkpoint-format.md). Loading writes
// the variables too, so the resumed model continues from the saved weights. A plain `saveCheckpoint` of the
// adapter's params is refused: it would restore descent's copies of the weights but not the model's.

import {
  type CheckpointTarget,
  type LoadedCheckpoint,
  loadCheckpoint,
  type SaveCheckpointOptions,
  type Stateful,
  saveCheckpoint,
  TFJS_ROUTE,
} from "../checkpoint/checkpoint.js";
import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";
import { TfjsOptimizer } from "./tfjs-optimizer.js";

/** Options of the TF.js checkpoint functions: `extra` data and schedulers to save beside the optimizer. */
export interface TfjsCheckpointOptions extends SaveCheckpointOptions {
  /** Schedulers (or anything with stateDict/loadStateDict) saved and restored beside the optimizer. */
  schedulers?: Readonly<Record<string, Stateful>>;
}

function target(tfOpt: TfjsOptimizer, schedulers: TfjsCheckpointOptions["schedulers"], where: string) {
  if (!(tfOpt instanceof TfjsOptimizer))
    optionError(`${where}: expected a TfjsOptimizer, got ${describe(tfOpt)}`);
  const t: CheckpointTarget & { [TFJS_ROUTE]: true } = {
    params: tfOpt.checkpointParams(),
    optimizer: tfOpt.optimizer,
    [TFJS_ROUTE]: true,
  };
  if (schedulers !== undefined) t.schedulers = schedulers;
  return t;
}

/**
 * Saves a TF.js training run: the values of the variables `tfOpt` trains (by weight name), its descent
 * optimizer's state and `options.schedulers`, as descent checkpoint bytes.
 * @example
 * const tf = await import("@tensorflow/tfjs");
 * const w = tf.variable(tf.tensor1d([1, -2]), true, "w");
 * const tfOpt = new TfjsOptimizer([w], (params) => new Adam(params, { lr: 0.1 }));
 * tfOpt.minimize(() => tf.sum(tf.square(w)) as never);
 * const bytes = saveTfjsCheckpoint(tfOpt, { extra: { epoch: 1 } });
 * const saved = Array.from(w.dataSync());
 * w.assign(tf.tensor1d([0, 0])); // the model is rebuilt, or reinitialised
 * const { extra } = loadTfjsCheckpoint(bytes, tfOpt);
 * extra?.epoch; // → 1
 * Array.from(w.dataSync()).every((x, i) => x === saved[i]); // → true
 */
export function saveTfjsCheckpoint(tfOpt: TfjsOptimizer, options: TfjsCheckpointOptions = {}): Uint8Array {
  const { schedulers, ...rest } = options ?? {};
  return saveCheckpoint(target(tfOpt, schedulers, "saveTfjsCheckpoint"), rest);
}

/**
 * Restores what `saveTfjsCheckpoint` saved into `tfOpt` (bound to the same model's variables) and
 * `options.schedulers`, then writes the saved values into the model's variables. On any error nothing
 * has changed (a CheckpointError names the problem).
 */
export function loadTfjsCheckpoint(
  bytes: ArrayBufferLike | ArrayBufferView,
  tfOpt: TfjsOptimizer,
  options: Pick<TfjsCheckpointOptions, "schedulers"> = {},
): LoadedCheckpoint {
  const loaded = loadCheckpoint(bytes, target(tfOpt, options?.schedulers, "loadTfjsCheckpoint"));
  tfOpt.writeParamsToVariables();
  return loaded;
}
