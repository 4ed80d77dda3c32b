import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clipGradNorm, clipGradValue, type Param, param } from "../../src/index.js";
import { closeTo, loadFixture } from "../helpers/torch-reference.js";

interface ClipCase {
  name: string;
  fn: "clip_grad_norm_" | "clip_grad_value_";
  dtype: "float32" | "float64";
  shapes: number[][];
  grads_before: Array<number[] | null>;
  grads_after: Array<number[] | null>;
  max_norm?: number;
  norm_type?: number;
  total_norm?: number;
  clip_value?: number;
}

function paramsOf(c: ClipCase): Param[] {
  return c.shapes.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const p = param(new Array(n).fill(0), { shape, dtype: c.dtype });
    const g = c.grads_before[i];
    p.grad =
      g === null || g === undefined
        ? null
        : c.dtype === "float32"
          ? Float32Array.from(g)
          : Float64Array.from(g);
    return p;
  });
}

const cases = loadFixture<{ cases: ClipCase[] }>("clip_grad.json").cases;

describe("clipGradNorm / clipGradValue against torch.nn.utils", () => {
  for (const c of cases) {
    it(`${c.name}: matches torch's grads (and total norm)`, () => {
      const params = paramsOf(c);
      const tol = c.dtype === "float32" ? 1e-6 : 1e-12;
      if (c.fn === "clip_grad_norm_") {
        const total = clipGradNorm(params, c.max_norm!, { normType: c.norm_type! });
        assert.ok(
          Math.abs(total - c.total_norm!) <= tol * Math.max(1, c.total_norm!),
          `total ${total} vs ${c.total_norm}`,
        );
      } else {
        clipGradValue(params, c.clip_value!);
      }
      params.forEach((p, i) => {
        const want = c.grads_after[i];
        if (want === null || want === undefined) assert.equal(p.grad, null);
        else assert.equal(closeTo(p.grad!, want, tol, `${c.name} grad ${i}`), null);
      });
    });
  }
});

describe("clipGradNorm", () => {
  it("throws on a non-finite total norm with errorIfNonfinite and leaves grads untouched", () => {
    const p = param([1, 2, 3], { dtype: "float64" });
    p.grad = new Float64Array([1, Number.NaN, 3]);
    assert.throws(() => clipGradNorm([p], 1, { errorIfNonfinite: true }), /non-finite \(NaN\)/);
    assert.deepEqual([...p.grad!].map(String), ["1", "NaN", "3"]);
  });

  it("propagates NaN into every grad without errorIfNonfinite, as torch does", () => {
    const p = param([1, 2], { dtype: "float64" });
    p.grad = new Float64Array([Number.NaN, 1]);
    assert.ok(Number.isNaN(clipGradNorm([p], 1)));
    assert.ok(p.grad!.every((x) => Number.isNaN(x)));
  });

  it("accepts a single param and rejects bad maxNorm / normType", () => {
    const p = param([0, 0], { dtype: "float64" });
    p.grad = new Float64Array([3, 4]);
    assert.ok(Math.abs(clipGradNorm(p, 10) - 5) < 1e-15);
    assert.throws(() => clipGradNorm(p, -1), /Invalid max_norm value: -1/);
    assert.throws(() => clipGradNorm(p, 1, { normType: 0 }), /Invalid norm_type value: 0/);
    assert.throws(() => clipGradNorm([{} as Param], 1), /params\[0\] is not a param/);
  });
});

describe("clipGradValue", () => {
  it("rejects a negative or NaN clip value", () => {
    const p = param([0], { dtype: "float64" });
    assert.throws(() => clipGradValue(p, -0.5), /Invalid clip_value value: -0.5/);
    assert.throws(() => clipGradValue(p, Number.NaN), /Invalid clip_value value: NaN/);
  });
});
