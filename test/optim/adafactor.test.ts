// Adafactor: the factored second moment over the last two dims against a plain re-derivation here (explicit
// V̂ matrices, nothing shared with the implementation), the state shapes, ε1's dtype default, and state
// dicts of factored params (the generic checks, on 1-D params, are in conformance.test.ts).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adafactor, type Param, param } from "../../src/index.js";

interface Options {
  lr: number;
  beta2Decay: number;
  eps1: number;
  eps2: number;
  d: number;
  weightDecay: number;
}

/** One Adafactor step over a [batch, rows, cols] tensor, written from torch 2.6's documented rule. */
function referenceStep(
  x: number[][][],
  g: number[][][],
  R: number[][],
  C: number[][],
  t: number,
  o: Options,
): void {
  const n = x.length * x[0]!.length * x[0]![0]!.length;
  const w = t ** o.beta2Decay;
  const rho = Math.min(o.lr, 1 / Math.sqrt(t));
  const rms = Math.sqrt(x.flat(2).reduce((a, v) => a + v * v, 0) / n);
  const alpha = Math.max(o.eps2, rms) * rho;
  const U = g.map((gb, b) => {
    const rows = gb.length;
    const cols = gb[0]!.length;
    for (let r = 0; r < rows; r++) {
      const mean = gb[r]!.reduce((a, v) => a + v * v, 0) / cols;
      R[b]![r] = R[b]![r]! + w * (mean - R[b]![r]!);
    }
    for (let c = 0; c < cols; c++) {
      const mean = gb.reduce((a, row) => a + row[c]! * row[c]!, 0) / rows;
      C[b]![c] = C[b]![c]! + w * (mean - C[b]![c]!);
    }
    const rowMean = Math.max(R[b]!.reduce((a, v) => a + v, 0) / rows, o.eps1);
    const V = R[b]!.map((rv) => C[b]!.map((cv) => (rv * cv) / rowMean));
    return gb.map((row, r) => row.map((gv, c) => gv / Math.sqrt(Math.max(V[r]![c]!, o.eps1 * o.eps1))));
  });
  const rmsU = Math.sqrt(U.flat(2).reduce((a, v) => a + v * v, 0) / n);
  const scale = alpha / Math.max(1, rmsU / o.d);
  x.forEach((xb, b) => {
    xb.forEach((row, r) => {
      row.forEach((v, c) => {
        row[c] = v * (1 - o.lr * o.weightDecay) - scale * U[b]![r]![c]!;
      });
    });
  });
}

function tensor(shape: [number, number, number], f: (i: number) => number): number[][][] {
  let i = 0;
  return Array.from({ length: shape[0] }, () =>
    Array.from({ length: shape[1] }, () => Array.from({ length: shape[2] }, () => f(i++))),
  );
}

describe("Adafactor", () => {
  it("matches a plain re-derivation of the factored rule on a [2, 3, 4] param over 6 steps", () => {
    const o: Options = { lr: 0.05, beta2Decay: -0.7, eps1: 1e-30, eps2: 1e-3, d: 1.2, weightDecay: 0.1 };
    const x = tensor([2, 3, 4], (i) => Math.sin(0.7 * i) + 0.1 * i);
    const p = param(x.flat(2), { shape: [2, 3, 4], dtype: "float64" });
    const opt = new Adafactor([p], {
      lr: o.lr,
      beta2Decay: o.beta2Decay,
      eps: [o.eps1, o.eps2],
      d: o.d,
      weightDecay: o.weightDecay,
    });
    const R = [new Array(3).fill(0), new Array(3).fill(0)];
    const C = [new Array(4).fill(0), new Array(4).fill(0)];
    for (let t = 1; t <= 6; t++) {
      const g = tensor([2, 3, 4], (i) => Math.cos(1.3 * i + t) * (1 + (i % 3)));
      p.grad = Float64Array.from(g.flat(2));
      opt.step();
      referenceStep(x, g, R, C, t, o);
      const expected = x.flat(2);
      p.data.forEach((v, i) => {
        assert.ok(
          Math.abs(v - expected[i]!) <= 1e-14 * Math.max(1, Math.abs(expected[i]!)),
          `step ${t} [${i}]`,
        );
      });
    }
    const s = opt.state.get(p)!;
    assert.ok("rowVar" in s);
    R.flat().forEach((v, i) => {
      assert.ok(Math.abs(s.rowVar[i]! - v) <= 1e-15 * Math.max(1, v));
    });
    C.flat().forEach((v, i) => {
      assert.ok(Math.abs(s.colVar[i]! - v) <= 1e-15 * Math.max(1, v));
    });
  });

  it("factors over the last two dims of p.shape: rowVar [..., rows], colVar [..., cols]; variance for 0-D and 1-D", () => {
    const shapes: Array<[number[], Record<string, number>]> = [
      [[2, 3], { rowVar: 2, colVar: 3 }],
      [[2, 3, 4], { rowVar: 6, colVar: 8 }],
      [[5], { variance: 5 }],
      [[], { variance: 1 }],
    ];
    for (const [shape, expected] of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      const p = param(new Float32Array(size).fill(0.5), { shape });
      const opt = new Adafactor([p]);
      p.grad = new Float32Array(size).fill(0.1);
      opt.step();
      const s = opt.state.get(p)! as Record<string, unknown>;
      const lengths = Object.fromEntries(
        Object.entries(s)
          .filter(([k]) => k !== "step")
          .map(([k, v]) => [k, (v as Float32Array).length]),
      );
      assert.deepEqual(lengths, expected, JSON.stringify(shape));
      assert.ok(Object.values(s).every((v) => typeof v === "number" || v instanceof Float32Array));
    }
  });

  it("moves a 1-D param by α·sign(g) at step 1 (the variance is g², and RMS(U) = 1)", () => {
    const p = param([3, -4], { dtype: "float64" });
    const opt = new Adafactor([p], { lr: 0.05 });
    p.grad = new Float64Array([0.2, 7]);
    opt.step();
    const alpha = Math.sqrt((9 + 16) / 2) * 0.05;
    assert.deepEqual([...p.data], [3 - alpha, -4 - alpha]);
  });

  it("takes ε1 = null as the machine epsilon of the param's dtype", () => {
    for (const [dtype, machineEps] of [
      ["float64", Number.EPSILON],
      ["float32", 2 ** -23],
    ] as const) {
      const run = (eps1: number | null) => {
        const ps: Param[] = [
          // tiny params too, so that the tiny moves are visible in float32
          param([1e-12, 2e-12, 3e-12], { dtype }),
          param([1e-12, 2e-12, 3e-12, 4e-12, 5e-12, 6e-12], { shape: [2, 3], dtype }),
        ];
        const opt = new Adafactor(ps, { eps: [eps1, 1e-3] });
        for (let t = 0; t < 3; t++) {
          // gradients small enough that ε1 is the floor of the variance
          ps[0]!.grad = (dtype === "float32" ? Float32Array : Float64Array).from([1e-20, -1e-19, 0]);
          ps[1]!.grad = (dtype === "float32" ? Float32Array : Float64Array).from([
            1e-20, 0, 2e-20, 0, 1e-20, 0,
          ]);
          opt.step();
        }
        return ps.flatMap((p) => [...p.data]);
      };
      assert.deepEqual(run(null), run(machineEps), dtype);
      assert.notDeepEqual(run(null), run(machineEps * 4), `${dtype}: ε1 matters in this run`);
    }
  });

  it("round-trips the state of factored params into the bit-identical continuation", () => {
    const make = () =>
      param(
        Array.from({ length: 12 }, (_, i) => Math.cos(i)),
        { shape: [3, 4], dtype: "float64" },
      );
    const grad = (p: Param, t: number) => {
      p.grad = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i * t + 1));
    };
    const a = make();
    const optA = new Adafactor([a], { lr: 0.05, weightDecay: 0.01 });
    for (let t = 1; t <= 3; t++) {
      grad(a, t);
      optA.step();
    }
    const b = make();
    b.data.set(a.data);
    const optB = new Adafactor([b], { lr: 0.05, weightDecay: 0.01 });
    optB.loadStateDict(structuredClone(optA.stateDict()));
    for (let t = 4; t <= 6; t++) {
      grad(a, t);
      grad(b, t);
      optA.step();
      optB.step();
    }
    assert.deepEqual([...b.data], [...a.data]);
    assert.deepEqual(optB.stateDict(), optA.stateDict());
  });

  it("refuses a loaded rowVar of the wrong size and a param whose shape does not match its data", () => {
    const p = param(new Float64Array(12), { shape: [3, 4] });
    const opt = new Adafactor([p]);
    p.grad = new Float64Array(12).fill(1);
    opt.step();
    const sd = opt.stateDict();
    (sd.state[0] as Record<string, unknown>).rowVar = new Float64Array(4);
    assert.throws(() => opt.loadStateDict(sd), /state\[0\]\.rowVar: expected 3 elements, got 4/);
    const odd: Param = { data: new Float64Array(5), grad: new Float64Array(5), shape: [2, 3] };
    assert.throws(
      () => new Adafactor([odd]).step(),
      /Adafactor: param shape \[2, 3\] has 6 elements but its data has 5/,
    );
  });
});
