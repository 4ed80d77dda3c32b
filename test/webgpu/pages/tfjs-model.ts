// The model and data the TF.js webgpu pages train: a 8-16-1 tanh MLP with seeded weights, and 64 seeded
// examples.

import * as tf from "@tensorflow/tfjs";
import { random } from "./common.js";

/** n values uniform in [−scale, scale), the same on every run. */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => scale * (next() - 0.5) * 2);
}

/** The MLP, its weights seeded (the same model on every backend). */
export function model(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [8], activation: "tanh" }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(seeded(w.size, 100 + i, 0.5), w.shape)));
  return m;
}

/** The 64 examples (inputs [64, 8], targets [64, 1]); the caller disposes them. */
export function examples(): { xs: tf.Tensor; ys: tf.Tensor } {
  return { xs: tf.tensor(seeded(64 * 8, 1), [64, 8]), ys: tf.tensor(seeded(64, 2), [64, 1]) };
}
