import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdamW, Muon, type Param, param } from "../../src/index.js";
import { NewtonSchulzWork, newtonSchulz } from "../../src/optim/muon.js";

type Matrix = number[][];

// Plain matrix helpers for the reference (torch's `_zeropower_via_newtonschulz`, transposes included).
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const matmul = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, t) => s + x * b[t]![j]!, 0)));
const add = (a: Matrix, b: Matrix, sa: number, sb: number): Matrix =>
  a.map((row, i) => row.map((x, j) => sa * x + sb * b[i]![j]!));
const frobenius = (a: Matrix) => Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));

function referenceNewtonSchulz(g: Matrix, [a, b, c]: number[], steps: number, eps: number): Matrix {
  const tall = g.length > g[0]!.length;
  let x = tall ? transpose(g) : g;
  const n = Math.max(frobenius(x), eps);
  x = x.map((row) => row.map((v) => v / n));
  for (let s = 0; s < steps; s++) {
    const gram = matmul(x, transpose(x));
    const poly = add(gram, matmul(gram, gram), b!, c!);
    x = add(x, matmul(poly, x), a!, 1);
  }
  return tall ? transpose(x) : x;
}

function toMatrix(data: ArrayLike<number>, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => data[i * cols + j]!));
}

/** torch 2.9's Muon step, plainly: momentum, Newton–Schulz, decoupled decay, adjusted lr. */
function referenceMuon(
  theta: Matrix,
  buf: Matrix,
  g: Matrix,
  o: { lr: number; wd: number; mu: number; nesterov: boolean; adjust: string | null },
): void {
  const rows = theta.length;
  const cols = theta[0]!.length;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) buf[i]![j] = buf[i]![j]! + (1 - o.mu) * (g[i]![j]! - buf[i]![j]!);
  const u = o.nesterov ? add(g, buf, 1 - o.mu, o.mu) : buf;
  const ortho = referenceNewtonSchulz(u, [3.4445, -4.775, 2.0315], 5, 1e-7);
  const ratio =
    o.adjust === "match_rms_adamw"
      ? 0.2 * Math.sqrt(Math.max(rows, cols))
      : Math.sqrt(Math.max(1, rows / cols));
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      theta[i]![j] = theta[i]![j]! * (1 - o.lr * o.wd) - o.lr * ratio * ortho[i]![j]!;
}

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
const rosenbrockGrad = (x: number, y: number) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
const illConditioned = (x: number, y: number) => 0.5 * (x * x + 100 * y * y);
const illConditionedGrad = (x: number, y: number) => [x, 100 * y];

function minimize(grad: (x: number, y: number) => number[], start: [number, number], steps: number) {
  const w = param(start, { dtype: "float64", shape: [1, 2] }); // a 1×2 matrix: the update is the unit direction
  const opt = new Muon([w], { lr: 0.003, weightDecay: 0 });
  for (let i = 0; i < steps; i++) {
    w.grad = new Float64Array(grad(w.data[0]!, w.data[1]!));
    opt.step();
  }
  return [w.data[0]!, w.data[1]!] as [number, number];
}

describe("Muon", () => {
  it("maps each singular value of a diagonal gradient through the quintic a·s + b·s³ + c·s⁵ (worked by hand)", () => {
    // G = diag(1, 2), μ = 0.95, nesterov: B = 0.05·G, U = lerp(G, B, 0.95) = 0.0975·G, X = U/‖U‖ = G/√5.
    // X stays diagonal, so each entry s follows s ← 3.4445·s − 4.775·s³ + 2.0315·s⁵ five times,
    // from 1/√5 and 2/√5; θ = θ·(1 − lr·wd) − lr·X (square: no lr adjustment).
    const w = param([1, 0, 0, 1], { dtype: "float64", shape: [2, 2] });
    const opt = new Muon([w], { lr: 0.1, weightDecay: 0.5 });
    w.grad = new Float64Array([1, 0, 0, 2]);
    opt.step();
    const quintic = (s0: number) => {
      let s = s0;
      for (let k = 0; k < 5; k++) s = 3.4445 * s - 4.775 * s ** 3 + 2.0315 * s ** 5;
      return s;
    };
    const decay = 1 - 0.1 * 0.5;
    assert.ok(Math.abs(w.data[0]! - (decay - 0.1 * quintic(1 / Math.sqrt(5)))) < 1e-14);
    assert.ok(Math.abs(w.data[3]! - (decay - 0.1 * quintic(2 / Math.sqrt(5)))) < 1e-14);
    assert.equal(w.data[1], 0);
    assert.equal(w.data[2], 0);
  });

  for (const [rows, cols] of [
    [3, 5],
    [5, 3],
    [4, 4],
    [1, 3],
  ] as const) {
    for (const variant of [
      { nesterov: true, adjust: null },
      { nesterov: false, adjust: "match_rms_adamw" },
    ] as const) {
      it(`matches torch 2.9's algorithm written plainly on a ${rows}×${cols} param (nesterov ${variant.nesterov}, adjustLrFn ${variant.adjust})`, () => {
        const o = { lr: 0.02, wd: 0.1, mu: 0.9, ...variant };
        const init = Array.from({ length: rows * cols }, (_, k) => Math.sin(k + 1));
        const theta = toMatrix(init, rows, cols);
        const buf = toMatrix(new Array(rows * cols).fill(0), rows, cols);
        const w = param(init, { dtype: "float64", shape: [rows, cols] });
        const opt = new Muon([w], {
          lr: o.lr,
          weightDecay: o.wd,
          momentum: o.mu,
          nesterov: o.nesterov,
          adjustLrFn: o.adjust,
        });
        for (let t = 1; t <= 4; t++) {
          const g = Array.from({ length: rows * cols }, (_, k) => Math.cos(t * (k + 2)) + 0.1 * k);
          referenceMuon(theta, buf, toMatrix(g, rows, cols), o);
          w.grad = new Float64Array(g);
          opt.step();
          theta.flat().forEach((x, k) => {
            assert.ok(Math.abs(w.data[k]! - x) < 1e-12, `step ${t}, [${k}]: ${w.data[k]} vs ${x}`);
          });
        }
      });
    }
  }

  it("orthogonalises: with the cubic Newton–Schulz coefficients (1.5, −0.5, 0) the result has orthonormal rows", () => {
    const rows = 3;
    const cols = 6;
    const work = new NewtonSchulzWork();
    work.reserve(rows, cols);
    for (let k = 0; k < rows * cols; k++) work.x[k] = Math.sin(3 * k + 1) + (k % 4 === 0 ? 1 : 0);
    const x = newtonSchulz(work, rows, cols, [1.5, -0.5, 0], 60, 1e-7);
    const m = toMatrix(x, rows, cols);
    const gram = matmul(m, transpose(m));
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++)
        assert.ok(Math.abs(gram[i]![j]! - (i === j ? 1 : 0)) < 1e-10, `XXᵀ[${i}][${j}] = ${gram[i]![j]}`);
  });

  it("treats a ≥3-D param as the matrix [shape[0], the rest]", () => {
    const init = Array.from({ length: 12 }, (_, k) => Math.cos(k));
    const g = Array.from({ length: 12 }, (_, k) => Math.sin(2 * k) + 0.3);
    const conv = param(init, { dtype: "float64", shape: [2, 3, 2] });
    const flat = param(init, { dtype: "float64", shape: [2, 6] });
    const a = new Muon([conv], { lr: 0.05 });
    const b = new Muon([flat], { lr: 0.05 });
    conv.grad = new Float64Array(g);
    flat.grad = new Float64Array(g);
    a.step();
    b.step();
    assert.deepEqual([...conv.data], [...flat.data]);
  });

  it("rejects params with fewer than 2 dimensions, as torch, pointing at AdamW", () => {
    const bias = param([1, 2, 3], { name: "bias" });
    const weight = param([1, 2, 3, 4], { shape: [2, 2] });
    assert.throws(
      () => new Muon([weight, bias]),
      /Muon only supports parameters with 2 or more dimensions whereas we found a parameter with size: \[3\].*AdamW/,
    );
    const opt = new Muon([weight]);
    assert.throws(() => opt.addParamGroup({ params: [bias] }), /size: \[3\]/);
    assert.equal(opt.paramGroups.length, 1);
  });

  it("rejects bad options with torch's messages", () => {
    const w = param([1, 2, 3, 4], { shape: [2, 2] });
    assert.throws(() => new Muon([w], { lr: -1 }), /Learning rate should be >= 0 but is: -1/);
    assert.throws(() => new Muon([w], { momentum: -0.1 }), /momentum should be >= 0 but is: -0.1/);
    assert.throws(() => new Muon([w], { weightDecay: -1 }), /weight decay should be >= 0 but is: -1/);
    assert.throws(
      () => new Muon([w], { adjustLrFn: "spectral" as never }),
      /Invalid adjust_lr_fn value: "spectral"/,
    );
    assert.throws(() => new Muon([w], { nsSteps: 100 }), /Number of steps must be less than 100/);
    assert.throws(() => new Muon([w], { nsSteps: 2.5 }), /Invalid ns_steps value: 2.5/);
    assert.throws(
      () => new Muon([w], { nsCoefficients: [1, 2] as never }),
      /Coefficients must be a tuple of exactly 3 values/,
    );
  });

  it("has torch 2.9's defaults", () => {
    const d = new Muon([param([1, 2, 3, 4], { shape: [2, 2] })]).defaults;
    assert.equal(d.lr, 1e-3);
    assert.equal(d.weightDecay, 0.1);
    assert.equal(d.momentum, 0.95);
    assert.equal(d.nesterov, true);
    assert.deepEqual([...d.nsCoefficients], [3.4445, -4.775, 2.0315]);
    assert.equal(d.eps, 1e-7);
    assert.equal(d.nsSteps, 5);
    assert.equal(d.adjustLrFn, null);
  });

  it("reduces Rosenbrock from (-1.5, 2) below 5e-3 and 0.5·(x² + 100y²) from (1, 1) below 5e-4 in 3000 steps", () => {
    const r = minimize(rosenbrockGrad, [-1.5, 2], 3000);
    assert.ok(rosenbrock(...r) < 5e-3, `Rosenbrock ${rosenbrock(...r)} at ${r}`);
    const q = minimize(illConditionedGrad, [1, 1], 3000);
    assert.ok(illConditioned(...q) < 5e-4, `quadratic ${illConditioned(...q)} at ${q}`);
  });

  it("trains a linear layer in the usual split: Muon for the weight matrix, AdamW for the bias", () => {
    // y = W·x + b fitted to a fixed target map; loss = mean over 4 inputs of ‖y − target‖²/2
    const inputs = [
      [1, 0, 0.5],
      [0, 1, -1],
      [0.5, 0.5, 0],
      [-1, 0.25, 1],
    ];
    const target = (x: number[]) => [x[0]! - 2 * x[1]! + 0.5, 0.5 * x[2]! - x[0]! - 1];
    const weight = param(new Array(6).fill(0.1), { dtype: "float64", shape: [2, 3] });
    const bias = param([0, 0], { dtype: "float64" });
    const params: Param[] = [weight, bias];
    const muon = new Muon(
      params.filter((p) => p.shape.length >= 2),
      { lr: 0.05, weightDecay: 0 },
    );
    const adamw = new AdamW(
      params.filter((p) => p.shape.length < 2),
      { lr: 0.05, weightDecay: 0 },
    );
    const lossAndGrads = () => {
      const gw = new Float64Array(6);
      const gb = new Float64Array(2);
      let loss = 0;
      for (const x of inputs) {
        const t = target(x);
        for (let r = 0; r < 2; r++) {
          let y = bias.data[r]!;
          for (let c = 0; c < 3; c++) y += weight.data[r * 3 + c]! * x[c]!;
          const err = y - t[r]!;
          loss += (err * err) / 2 / inputs.length;
          gb[r] = gb[r]! + err / inputs.length;
          for (let c = 0; c < 3; c++) gw[r * 3 + c] = gw[r * 3 + c]! + (err * x[c]!) / inputs.length;
        }
      }
      weight.grad = gw;
      bias.grad = gb;
      return loss;
    };
    const start = lossAndGrads();
    for (let s = 0; s < 300; s++) {
      lossAndGrads();
      muon.step();
      adamw.step();
    }
    const end = lossAndGrads();
    assert.ok(end < start / 100, `loss ${start} → ${end}`);
  });

  it("runs float32 params with a float32 momentum buffer, close to the float64 run", () => {
    const init = [0.5, -0.25, 1, 0.75, -1, 0.1];
    const g = [0.3, -0.2, 0.1, 0.4, -0.5, 0.05];
    const w32 = param(init, { dtype: "float32", shape: [2, 3] });
    const w64 = param(init, { dtype: "float64", shape: [2, 3] });
    const o32 = new Muon([w32], { lr: 0.02 });
    const o64 = new Muon([w64], { lr: 0.02 });
    w32.grad = new Float32Array(g);
    w64.grad = new Float64Array(g);
    o32.step();
    o64.step();
    assert.ok(o32.state.get(w32)!.momentumBuffer instanceof Float32Array);
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(w32.data[i]! - w64.data[i]!) < 1e-6);
  });
});
