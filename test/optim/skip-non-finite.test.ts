import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adam, param, SGD, SkipNonFinite } from "../../src/index.js";

describe("SkipNonFinite", () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    it(`skips a step whose grad holds ${bad}, leaving params and state bit-identical`, () => {
      const a = param([1, 2, 3], { dtype: "float32" });
      const b = param([0.5], { dtype: "float32" });
      const opt = new SkipNonFinite(new Adam([a, b], { lr: 0.1, amsgrad: true }));
      a.grad = new Float32Array([0.1, 0.2, 0.3]);
      b.grad = new Float32Array([1]);
      opt.step();
      const params = [[...a.data], [...b.data]];
      const state = structuredClone(opt.stateDict());
      a.grad = new Float32Array([0.1, 0.2, 0.3]);
      b.grad = new Float32Array([bad]); // one bad element in the last param: nothing may move
      opt.step();
      assert.equal(opt.skipped, 1);
      assert.deepEqual([[...a.data], [...b.data]], params);
      const after = opt.stateDict();
      assert.deepEqual(after.state, state.state);
      assert.deepEqual(after.paramGroups, state.paramGroups);
    });
  }

  it("continues as if the skipped step never happened", () => {
    const grads = [
      [0.5, -1],
      [Number.NaN, 1],
      [0.25, 0.25],
      [1, Number.POSITIVE_INFINITY],
      [-0.5, 2],
    ];
    const a = param([1, 2], { dtype: "float64" });
    const b = param([1, 2], { dtype: "float64" });
    const wrapped = new SkipNonFinite(new Adam([a], { lr: 0.1 }));
    const plain = new Adam([b], { lr: 0.1 });
    for (const g of grads) {
      a.grad = new Float64Array(g);
      wrapped.step();
      if (g.every(Number.isFinite)) {
        b.grad = new Float64Array(g);
        plain.step();
      }
    }
    assert.equal(wrapped.skipped, 2);
    assert.deepEqual([...a.data], [...b.data]);
    assert.equal((wrapped.state as Map<unknown, { step: number }>).get(a)!.step, 3);
  });

  it("in error mode throws naming the param and the element, and changes nothing", () => {
    const w = param([1, 2], { name: "encoder.weight", dtype: "float64" });
    const opt = new SkipNonFinite(new SGD([w], { lr: 0.1 }), { onNonFinite: "error" });
    w.grad = new Float64Array([0, Number.NaN]);
    assert.throws(
      () => opt.step(),
      /grad of param 0 \('encoder\.weight'\) is not finite \(element 1 is NaN\); nothing was updated/,
    );
    assert.deepEqual([...w.data], [1, 2]);
    assert.equal(opt.skipped, 0);
  });

  it("ignores params whose grad is null", () => {
    const a = param([1], { dtype: "float64" });
    const b = param([1], { dtype: "float64" });
    const opt = new SkipNonFinite(new SGD([a, b], { lr: 0.5 }));
    a.grad = new Float64Array([1]);
    opt.step();
    assert.equal(a.data[0], 0.5);
    assert.equal(opt.skipped, 0);
  });

  it("evaluates a closure once per step and returns its loss", () => {
    const w = param([1], { dtype: "float64" });
    const opt = new SkipNonFinite(new SGD([w], { lr: 0.5 }));
    let calls = 0;
    const loss = opt.step(() => {
      calls += 1;
      w.grad = new Float64Array([2]);
      return 7;
    });
    assert.equal(loss, 7);
    assert.equal(calls, 1);
    assert.equal(w.data[0], 0);
  });

  it("keeps the skip count in its state dict and restores it", () => {
    const w = param([1], { dtype: "float64" });
    const opt = new SkipNonFinite(new SGD([w], { lr: 0.5 }));
    w.grad = new Float64Array([Number.NaN]);
    opt.step();
    opt.step();
    const sd = structuredClone(opt.stateDict());
    const other = new SkipNonFinite(new SGD([param([1], { dtype: "float64" })], { lr: 0.5 }));
    other.loadStateDict(sd);
    assert.equal(other.skipped, 2);
    const bad = { ...sd, skipNonFinite: { skipped: -1, onNonFinite: "skip" } };
    assert.throws(
      () => other.loadStateDict(bad),
      /skipNonFinite\.skipped must be a non-negative integer, got -1/,
    );
    assert.equal(other.skipped, 2);
  });

  it("rejects an unknown onNonFinite", () => {
    const inner = new SGD([param([1])]);
    assert.throws(
      () => new SkipNonFinite(inner, { onNonFinite: "warn" as never }),
      /Invalid onNonFinite value: "warn" \(expected one of "skip", "error"\)/,
    );
  });
});
