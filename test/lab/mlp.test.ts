import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MLP, mulberry32 } from "../../src/lab/index.js";

function randomBatch(batch: number, features: number, classes: number, seed: number) {
  const rng = mulberry32(seed);
  const x = Float64Array.from({ length: batch * features }, () => rng() * 2 - 1);
  const y = Uint8Array.from({ length: batch }, () => Math.floor(rng() * classes));
  return { x, y };
}

describe("MLP", () => {
  for (const [what, sparsity] of [
    ["dense inputs", 0],
    ["mostly-zero inputs (the sparse path)", 0.7],
  ] as const) {
    test(`lossAndGrad's gradient matches central finite differences of the loss for every weight, ${what}`, () => {
      const net = new MLP({ sizes: [5, 4, 3, 3], seed: 3, dtype: "float64" });
      const { x, y } = randomBatch(6, 5, 3, 4);
      const drop = mulberry32(8);
      for (let i = 0; i < x.length; i++) if (drop() < sparsity) x[i] = 0;
      net.lossAndGrad(x, y, 6);
      const grads = net.params.map((p) => Float64Array.from(p.grad!));
      const h = 1e-6;
      net.params.forEach((p, k) => {
        for (let i = 0; i < p.data.length; i++) {
          const keep = p.data[i]!;
          p.data[i] = keep + h;
          const up = net.evaluate(x, y, 6).loss;
          p.data[i] = keep - h;
          const down = net.evaluate(x, y, 6).loss;
          p.data[i] = keep;
          const numeric = (up - down) / (2 * h);
          assert.ok(
            Math.abs(numeric - grads[k]![i]!) < 1e-7,
            `${p.name}[${i}]: analytic ${grads[k]![i]} vs numeric ${numeric}`,
          );
        }
      });
    });
  }

  test("the loss of lossAndGrad equals evaluate's mean cross-entropy; uniform logits give log(classes)", () => {
    const net = new MLP({ sizes: [4, 3], seed: 1, dtype: "float64" });
    for (const p of net.params) p.data.fill(0);
    const { x, y } = randomBatch(5, 4, 3, 2);
    assert.ok(Math.abs(net.lossAndGrad(x, y, 5) - Math.log(3)) < 1e-12);
    assert.ok(Math.abs(net.evaluate(x, y, 5).loss - Math.log(3)) < 1e-12);
  });

  test("weights are initialized as torch.nn.Linear, U(−1/√in, 1/√in), and the same seed gives the same net", () => {
    const a = new MLP({ sizes: [100, 20, 10], seed: 9 });
    const b = new MLP({ sizes: [100, 20, 10], seed: 9 });
    const c = new MLP({ sizes: [100, 20, 10], seed: 10 });
    assert.deepEqual(Array.from(a.params[0]!.data), Array.from(b.params[0]!.data));
    assert.notDeepEqual(Array.from(a.params[0]!.data), Array.from(c.params[0]!.data));
    const bound = 1 / Math.sqrt(100);
    assert.ok(a.params[0]!.data.every((w) => Math.abs(w) <= bound));
    assert.deepEqual(a.params[0]!.shape, [20, 100]);
    assert.deepEqual(a.params[1]!.shape, [20]);
    assert.deepEqual(
      a.params.map((p) => p.name),
      ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"],
    );
  });

  test("evaluate counts the argmax class as the prediction", () => {
    const net = new MLP({ sizes: [2, 2], seed: 0, dtype: "float64" });
    net.params[0]!.data.set([1, 0, 0, 1]); // identity: logits = inputs
    net.params[1]!.data.set([0, 0]);
    const x = new Float64Array([3, 1, 0, 2, 5, 4]);
    assert.equal(net.evaluate(x, new Uint8Array([0, 1, 1]), 3).accuracy, 2 / 3);
  });

  test("rejects bad sizes, too few inputs and labels outside the classes", () => {
    assert.throws(() => new MLP({ sizes: [3] }), /at least two positive integer widths/);
    assert.throws(() => new MLP({ sizes: [3, 0] }), /at least two positive integer widths/);
    const net = new MLP({ sizes: [3, 2] });
    assert.throws(() => net.forward(new Float32Array(5), 2), /inputs have 5 values, fewer than batch 2 × 3/);
    assert.throws(
      () => net.lossAndGrad(new Float32Array(3), [2], 1),
      /label 2 at row 0 is not a class in \[0, 2\)/,
    );
    assert.throws(() => net.forward(new Float32Array(3), 0), /batch must be a positive integer/);
  });
});
