import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DIGIT_PIXELS, loadDigits } from "../../src/lab/index.js";

describe("loadDigits", () => {
  test("splits the packaged digits into train and test rows of 784 pixels in [0, 1] with labels 0–9", () => {
    const { train, test: held } = loadDigits({ train: 300, test: 100, seed: 2 });
    assert.equal(train.count, 300);
    assert.equal(train.images.length, 300 * DIGIT_PIXELS);
    assert.equal(held.labels.length, 100);
    assert.ok(train.images.every((v) => v >= 0 && v <= 1));
    assert.equal(new Set(train.labels).size, 10);
    assert.ok(train.labels.every((d) => d <= 9));
  });

  test("the split is deterministic for a seed and shares no image between train and test", () => {
    const a = loadDigits({ train: 200, test: 200, seed: 5 });
    const b = loadDigits({ train: 200, test: 200, seed: 5 });
    assert.deepEqual(a.train.labels, b.train.labels);
    const key = (set: typeof a.train, r: number) =>
      set.images.subarray(r * DIGIT_PIXELS, (r + 1) * DIGIT_PIXELS).join(",");
    const seen = new Set(Array.from({ length: 200 }, (_, r) => key(a.train, r)));
    const shared = Array.from({ length: 200 }, (_, r) => key(a.test, r)).filter((k) => seen.has(k));
    assert.ok(shared.length <= 1, `${shared.length} test images also in train`);
  });

  test("rejects non-positive counts and more digits than the package ships", () => {
    assert.throws(() => loadDigits({ train: 0, test: 10 }), /train must be a positive integer, got 0/);
    assert.throws(
      () => loadDigits({ train: 9000, test: 2000 }),
      /asked for 9000 \+ 2000 digits but the package has 10000/,
    );
  });
});
