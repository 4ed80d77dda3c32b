// A small multilayer perceptron on plain typed arrays, trained with descent's params and optimizers:
//   z_l = a_(l−1)·W_lᵀ + b_l,  a_l = relu(z_l) (hidden layers),  loss = mean softmax cross-entropy(z_L, y)
// Forward and backward are written out by hand (the backward pass is checked against finite differences in
// the tests). Weights are laid out as torch.nn.Linear's [out, in] and initialized as it does:
// U(−1/√in, 1/√in) for weights and biases.

import type { Dtype } from "../core/arena.js";
import { type Parameter, param } from "../core/param.js";
import { mulberry32 } from "./random.js";

/** Options of the `MLP` constructor: layer sizes, seed and dtype. */
export interface MLPOptions {
  /** Layer widths from input to output, e.g. [784, 64, 10]. */
  sizes: readonly number[];
  /** Seed of the initial weights (default 0): the same seed gives the same network. */
  seed?: number;
  /** The params' dtype (default "float32"). */
  dtype?: Dtype;
}

interface Layer {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly inputs: number;
  readonly outputs: number;
}

/**
 * @example
 * const net = new MLP({ sizes: [4, 8, 3], seed: 1 });
 * const opt = new Adam(net.params, { lr: 1e-2 });
 * const x = [1, 0, 0, 0, 0, 1, 0, 0]; // a batch of 2 rows of 4 inputs
 * const labels = [0, 2];
 * const before = net.lossAndGrad(x, labels, 2); // grads written into net.params
 * opt.step();
 * for (let i = 0; i < 50; i++) (net.lossAndGrad(x, labels, 2), opt.step());
 * net.lossAndGrad(x, labels, 2) < before / 2; // → true (1.02 → 0.33)
 */
export class MLP {
  readonly sizes: readonly number[];
  readonly params: Parameter[];
  readonly #layers: Layer[];
  // activations per layer (a_0 is the input), reused across calls of the same batch size
  #acts: Float64Array[] = [];
  #batch = 0;
  #lastAccuracy = Number.NaN;
  #nonzero: Int32Array;

  constructor(options: MLPOptions) {
    const sizes = options?.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new RangeError(
        `MLP: sizes must list at least two positive integer widths, got ${JSON.stringify(sizes)}`,
      );
    }
    this.sizes = Object.freeze([...sizes]);
    const rng = mulberry32(options.seed ?? 0);
    const dtype = options.dtype ?? "float32";
    this.#layers = [];
    for (let l = 1; l < sizes.length; l++) {
      const inputs = sizes[l - 1]!;
      const outputs = sizes[l]!;
      const bound = 1 / Math.sqrt(inputs);
      const uniform = (n: number) => Array.from({ length: n }, () => (2 * rng() - 1) * bound);
      const weight = param(uniform(outputs * inputs), {
        shape: [outputs, inputs],
        name: `layer${l}.weight`,
        dtype,
      });
      const bias = param(uniform(outputs), { shape: [outputs], name: `layer${l}.bias`, dtype });
      this.#layers.push({ weight, bias, inputs, outputs });
    }
    this.params = this.#layers.flatMap((layer) => [layer.weight, layer.bias]);
    this.#nonzero = new Int32Array(Math.max(...sizes));
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  #checkBatch(x: ArrayLike<number>, batch: number, what: string): void {
    if (!Number.isInteger(batch) || batch < 1)
      throw new RangeError(`MLP.${what}: batch must be a positive integer, got ${batch}`);
    if (x.length < batch * this.inputSize) {
      throw new RangeError(
        `MLP.${what}: inputs have ${x.length} values, fewer than batch ${batch} × ${this.inputSize} features`,
      );
    }
  }

  #ensure(batch: number): void {
    if (this.#batch === batch) return;
    this.#acts = this.sizes.map((s) => new Float64Array(batch * s));
    this.#batch = batch;
  }

  /** The output logits of the first `batch` rows of `x` ([batch, outputs], row-major). */
  forward(x: ArrayLike<number>, batch: number): Float64Array {
    this.#checkBatch(x, batch, "forward");
    this.#ensure(batch);
    const a0 = this.#acts[0]!;
    for (let i = 0; i < batch * this.inputSize; i++) a0[i] = x[i]!;
    const last = this.#layers.length - 1;
    this.#layers.forEach((layer, l) => {
      const input = this.#acts[l]!;
      const output = this.#acts[l + 1]!;
      const { inputs, outputs } = layer;
      const w = layer.weight.data;
      const b = layer.bias.data;
      const idx = this.#nonzero;
      for (let s = 0; s < batch; s++) {
        const inOff = s * inputs;
        // inputs are mostly zeros (MNIST background pixels, ReLU outputs): multiply only the nonzeros
        const nnz = gatherNonzeros(input, inOff, inputs, idx);
        for (let o = 0; o < outputs; o++) {
          const wOff = o * inputs;
          let z = b[o]!;
          for (let k = 0; k < nnz; k++) {
            const i = idx[k]!;
            z += w[wOff + i]! * input[inOff + i]!;
          }
          output[s * outputs + o] = l < last && z < 0 ? 0 : z;
        }
      }
    });
    return this.#acts[this.#layers.length]!;
  }

  /**
   * Mean softmax cross-entropy of the first `batch` rows against `labels`, and its gradient written into
   * every param's grad (replacing what was there).
   */
  lossAndGrad(x: ArrayLike<number>, labels: ArrayLike<number>, batch: number): number {
    const logits = this.forward(x, batch);
    const classes = this.outputSize;
    this.#checkLabels(labels, batch, "lossAndGrad");
    // dz of the output layer: (softmax − onehot) / batch
    let delta = new Float64Array(batch * classes);
    let loss = 0;
    let correct = 0;
    for (let s = 0; s < batch; s++) {
      const y = labels[s]!;
      loss += softmaxRow(logits, s * classes, classes, delta) - logits[s * classes + y]!;
      if (argmax(logits, s * classes, classes) === y) correct += 1;
      delta[s * classes + y]! -= 1;
    }
    this.#lastAccuracy = correct / batch;
    for (let i = 0; i < delta.length; i++) delta[i]! /= batch;
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const layer = this.#layers[l]!;
      const input = this.#acts[l]!;
      const { inputs, outputs } = layer;
      const gw = layer.weight.gradBuffer();
      const gb = layer.bias.gradBuffer();
      gw.fill(0);
      gb.fill(0);
      const idx = this.#nonzero;
      for (let s = 0; s < batch; s++) {
        const inOff = s * inputs;
        const nnz = gatherNonzeros(input, inOff, inputs, idx);
        for (let o = 0; o < outputs; o++) {
          const d = delta[s * outputs + o]!;
          if (d === 0) continue;
          gb[o]! += d;
          const wOff = o * inputs;
          for (let k = 0; k < nnz; k++) {
            const i = idx[k]!;
            gw[wOff + i]! += d * input[inOff + i]!;
          }
        }
      }
      if (l === 0) break;
      // back through W and the ReLU of the layer below (its activation is zero exactly where z ≤ 0)
      const w = layer.weight.data;
      const below = new Float64Array(batch * inputs);
      for (let s = 0; s < batch; s++) {
        const inOff = s * inputs;
        for (let o = 0; o < outputs; o++) {
          const d = delta[s * outputs + o]!;
          if (d === 0) continue;
          const wOff = o * inputs;
          for (let i = 0; i < inputs; i++) below[inOff + i]! += d * w[wOff + i]!;
        }
        for (let i = 0; i < inputs; i++) if (input[inOff + i]! <= 0) below[inOff + i] = 0;
      }
      delta = below;
    }
    return loss / batch;
  }

  /** The accuracy on the batch of the last `lossAndGrad` (before that step's update); NaN before any. */
  get lastAccuracy(): number {
    return this.#lastAccuracy;
  }

  /** Mean loss and accuracy over `n` rows, evaluated in chunks (no grads touched). */
  evaluate(
    x: ArrayLike<number>,
    labels: ArrayLike<number>,
    n: number,
    chunk = 500,
  ): { loss: number; accuracy: number } {
    this.#checkBatch(x, n, "evaluate");
    this.#checkLabels(labels, n, "evaluate");
    const classes = this.outputSize;
    const probs = new Float64Array(chunk * classes);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < n; start += chunk) {
      const size = Math.min(chunk, n - start);
      const view = subarray(x, start * this.inputSize, (start + size) * this.inputSize);
      const logits = this.forward(view, size);
      for (let s = 0; s < size; s++) {
        const y = labels[start + s]!;
        loss += softmaxRow(logits, s * classes, classes, probs) - logits[s * classes + y]!;
        let best = 0;
        for (let c = 1; c < classes; c++)
          if (logits[s * classes + c]! > logits[s * classes + best]!) best = c;
        if (best === y) correct += 1;
      }
    }
    return { loss: loss / n, accuracy: correct / n };
  }

  #checkLabels(labels: ArrayLike<number>, batch: number, what: string): void {
    if (labels.length < batch)
      throw new RangeError(`MLP.${what}: ${labels.length} labels for a batch of ${batch}`);
    for (let s = 0; s < batch; s++) {
      const y = labels[s]!;
      if (!Number.isInteger(y) || y < 0 || y >= this.outputSize) {
        throw new RangeError(`MLP.${what}: label ${y} at row ${s} is not a class in [0, ${this.outputSize})`);
      }
    }
  }
}

function subarray(x: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  if (ArrayBuffer.isView(x)) return (x as unknown as Float32Array).subarray(from, to);
  return Array.prototype.slice.call(x, from, to) as number[];
}

/** Writes the positions of the nonzero values of row[off..off+n) into idx and returns how many there are. */
function gatherNonzeros(row: Float64Array, off: number, n: number, idx: Int32Array): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (row[off + i] !== 0) idx[count++] = i;
  return count;
}

function argmax(values: Float64Array, off: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (values[off + c]! > values[off + best]!) best = c;
  return best;
}

/** Writes the softmax of logits[off..off+n) into out[off..) and returns their log-sum-exp. */
function softmaxRow(logits: Float64Array, off: number, n: number, out: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < n; c++) max = Math.max(max, logits[off + c]!);
  let sum = 0;
  for (let c = 0; c < n; c++) {
    const e = Math.exp(logits[off + c]! - max);
    out[off + c] = e;
    sum += e;
  }
  for (let c = 0; c < n; c++) out[off + c]! /= sum;
  return max + Math.log(sum);
}
