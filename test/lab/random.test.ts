import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mulberry32, noisySeries, normal, shuffle } from "../../src/lab/index.js";

describe("seeded randomness", () => {
  test("mulberry32 repeats for a seed, differs across seeds and stays in [0, 1)", () => {
    const a = Array.from({ length: 1000 }, mulberry32(3));
    const b = Array.from({ length: 1000 }, mulberry32(3));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, Array.from({ length: 1000 }, mulberry32(4)));
    assert.ok(a.every((v) => v >= 0 && v < 1));
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05);
    assert.throws(() => mulberry32(1.5), /seed must be an integer, got 1.5/);
  });

  test("normal draws have mean ≈ 0 and variance ≈ 1", () => {
    const rng = mulberry32(1);
    const xs = Array.from({ length: 20000 }, () => normal(rng));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `${mean} ${variance}`);
  });

  test("shuffle permutes in place", () => {
    const items = Uint32Array.from({ length: 50 }, (_, i) => i);
    shuffle(items, mulberry32(2));
    assert.deepEqual(
      [...items].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      Array.from(items),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  test("noisySeries is reproducible and rejects a bad length", () => {
    assert.deepEqual(noisySeries({ seed: 4, length: 30 }), noisySeries({ seed: 4, length: 30 }));
    assert.throws(() => noisySeries({ length: 0 }), /length must be a positive integer, got 0/);
  });
});
