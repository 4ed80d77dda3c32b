import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arena } from "../../src/core/arena.js";
import { Parameter, param } from "../../src/index.js";

describe("param()", () => {
  it("copies number[] into a float32 buffer in descent's arena, with a shape and a name", () => {
    const src = [1, 2, 3, 4, 5, 6];
    const p = param(src, { shape: [2, 3], name: "w" });
    assert.ok(p instanceof Parameter);
    assert.ok(p.data instanceof Float32Array);
    assert.deepEqual([...p.data], src);
    assert.deepEqual(p.shape, [2, 3]);
    assert.equal(p.name, "w");
    assert.equal(p.grad, null);
    assert.ok(arena()?.owns(p.data), "the data lives in the wasm arena");
    src[0] = 99;
    assert.equal(p.data[0], 1, "param() copies");
  });

  it("keeps the dtype of a typed array, or converts to the requested one", () => {
    assert.ok(param(new Float64Array([1])).data instanceof Float64Array);
    assert.ok(param(new Float64Array([1]), { dtype: "float32" }).data instanceof Float32Array);
    assert.ok(param([1], { dtype: "float64" }).data instanceof Float64Array);
  });

  it("rejects shapes that do not match, bad dtypes and non-numbers, naming the problem", () => {
    assert.throws(() => param([1, 2, 3], { shape: [2, 2] }), /shape \[2, 2\] has 4 elements but data has 3/);
    assert.throws(
      () => param([1], { dtype: "int8" as "float32" }),
      /dtype must be "float32" or "float64", got "int8"/,
    );
    assert.throws(() => param([1, "x" as unknown as number]), /data\[1\] is not a number/);
    assert.throws(
      () => param("abc" as unknown as number[]),
      /must be a Float32Array, Float64Array or number\[\]/,
    );
  });
});

describe("Parameter.grad", () => {
  it("copies an assigned array into the param's own grad buffer (the zero-copy buffer)", () => {
    const p = param([0, 0]);
    const g = new Float32Array([1, 2]);
    p.grad = g;
    assert.deepEqual([...p.grad!], [1, 2]);
    assert.ok(arena()?.owns(p.grad!));
    const buffer = p.grad!;
    p.grad = null;
    assert.equal(p.grad, null);
    assert.equal(p.gradBuffer(), buffer, "the same buffer is reused after a reset");
    assert.equal(p.grad, buffer);
  });

  it("rejects a grad of the wrong length or dtype and keeps the old one", () => {
    const p = param([0, 0], { name: "b" });
    p.grad = new Float32Array([5, 6]);
    assert.throws(() => {
      p.grad = new Float32Array(3);
    }, /grad of param 'b' has 3 elements but the param has 2/);
    assert.throws(() => {
      p.grad = new Float64Array(2);
    }, /grad of param 'b' has dtype float64 but the param is float32/);
    assert.deepEqual([...p.grad!], [5, 6]);
  });

  it("assigning data copies into the same buffer", () => {
    const p = param([0, 0]);
    const view = p.data;
    p.data = new Float32Array([3, 4]);
    assert.equal(p.data, view);
    assert.deepEqual([...view], [3, 4]);
  });
});
