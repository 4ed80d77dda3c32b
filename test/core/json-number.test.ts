// The one JSON codec for numbers JSON cannot hold: tagged where a slot may hold anything, bare where it
// only holds numbers; both round-trip through JSON.stringify / JSON.parse.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bareNumber, tagNumber, unbareNumber, untagNumber } from "../../src/core/json-number.js";

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("json-number", () => {
  it("tags NaN, ±Infinity and −0, and reads every tag back, −0 included", () => {
    for (const x of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
      const tagged = roundTrip(tagNumber(x)) as { $number: string };
      assert.equal(typeof tagged.$number, "string");
      assert.ok(Object.is(untagNumber(tagged.$number), x), String(x));
    }
    assert.equal(tagNumber(1.5), 1.5);
    assert.equal(untagNumber("1.5"), undefined);
    assert.equal(untagNumber("__proto__"), undefined);
    assert.equal(untagNumber(0), undefined);
  });

  it("writes non-finite numbers bare where a slot only holds numbers, and refuses other strings", () => {
    assert.deepEqual(
      roundTrip([1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(bareNumber)),
      [1, "NaN", "Infinity", "-Infinity"],
    );
    assert.ok(Number.isNaN(unbareNumber("NaN")));
    assert.equal(unbareNumber("-Infinity"), Number.NEGATIVE_INFINITY);
    assert.equal(unbareNumber(2), 2);
    assert.equal(unbareNumber("2"), undefined);
    assert.equal(unbareNumber("-0"), undefined);
  });
});
