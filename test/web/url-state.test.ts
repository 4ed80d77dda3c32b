import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeItems,
  encodeItems,
  formatNumber,
  type Item,
  readBoolean,
  readNumber,
  readPair,
} from "../../web/src/url-state.js";

test("encodeItems and decodeItems round-trip ids and option values", () => {
  const items: Item[] = [
    { id: "adam", values: { lr: "0.05", beta1: "0.8" } },
    { id: "sgd", values: {} },
    { id: "CosineAnnealingLR", values: { tMax: "50" } },
  ];
  const text = encodeItems(items);
  assert.equal(text, "adam(lr=0.05;beta1=0.8),sgd,CosineAnnealingLR(tMax=50)");
  assert.deepEqual(decodeItems(text), items);
  assert.deepEqual(decodeItems(encodeItems([{ id: "x", values: { v: "a,b;c=(d)" } }])), [
    { id: "x", values: { v: "a,b;c=(d)" } },
  ]);
});

test("decodeItems skips malformed items and keys instead of failing", () => {
  assert.deepEqual(decodeItems(null), []);
  assert.deepEqual(decodeItems("adam(lr=0.1,sgd"), []);
  assert.deepEqual(decodeItems("9bad,ok(=1;k=2;bad key=3;z=%E0%A4%A)"), [{ id: "ok", values: { k: "2" } }]);
});

test("readNumber falls back on empty, non-finite, non-integer or out-of-range values", () => {
  assert.equal(readNumber("0.5", 0.9, { min: 0, max: 1 }), 0.5);
  assert.equal(readNumber("2", 0.9, { min: 0, max: 1 }), 0.9);
  assert.equal(readNumber("-1", 0.9, { min: 0 }), 0.9);
  assert.equal(readNumber("abc", 3), 3);
  assert.equal(readNumber("Infinity", 3), 3);
  assert.equal(readNumber("", 3), 3);
  assert.equal(readNumber(undefined, 3), 3);
  assert.equal(readNumber("2.5", 3, { integer: true }), 3);
});

test("readBoolean, readPair and formatNumber read back what the lab writes", () => {
  assert.equal(readBoolean("1", false), true);
  assert.equal(readBoolean("0", true), false);
  assert.equal(readBoolean("yes", true), true);
  assert.deepEqual(readPair("-1.5,2.5"), [-1.5, 2.5]);
  assert.equal(readPair("1,"), null);
  assert.equal(readPair("1,2,3"), null);
  assert.equal(readPair(null), null);
  assert.equal(formatNumber(0.05), "0.05");
  assert.equal(Number(formatNumber(0.1 + 0.2)), 0.1 + 0.2);
  assert.equal(Number(formatNumber(1 / 3)), 1 / 3);
});
