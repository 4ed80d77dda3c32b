/// <reference types="@webgpu/types" />
// Adafactor on the GPU: Adafactor.update's passes as hand-written WGSL, one compute pass per step, nothing
// read back. For a ≥2-D param (batch × rows × cols over its last two dims), per step t:
//   rows     R = lerp(R, mean_cols(g²), 1 − β̂2), one workgroup per row; and Σθ² per row (for RMS(θ))
//   cols     C = lerp(C, mean_rows(g²), 1 − β̂2), one thread per column
//   rowMean  max(mean_rows(R), ε1) per matrix, one workgroup each
//   square   U = g/sqrt(max(R·C/rowMean, ε1²)), Σ U² per workgroup
//   finish   α = max(ε2, RMS(θ))·ρ, coef = α/max(1, RMS(U)/d) (one workgroup)
//   apply    θ = θ·(1 − lr·weightDecay) − coef·U
// A 0-D/1-D param has one variance V = lerp(V, g², 1 − β̂2): a pass for V, U and both sums, the finish, the
// apply. The per-step scalars (β̂2, ρ, the decay) are the CPU class's (adafactorScalars), on its step count.

import { Adafactor, type AdafactorOptions, adafactorScalars } from "../optim/adafactor.js";
import { workgroups } from "./executor.js";
import type { GpuRule, GpuState, StepEncoder, StepWork } from "./optimizer.js";
import type { GpuParam } from "./param.js";
import {
  bindings,
  ELEMENT_INDEX,
  type HandDispatch,
  HandRunner,
  grownScratch,
  handKernel,
  WORKGROUP,
} from "./passes.js";

const FLOAT32_EPS = 2 ** -23;

const REDUCE = /* wgsl */ `
var<workgroup> sums: array<f32, 256>;
var<workgroup> sums2: array<f32, 256>;
fn reduce(lid: u32) {
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    workgroupBarrier();
    if (lid < stride) {
      sums[lid] = sums[lid] + sums[lid + stride];
      sums2[lid] = sums2[lid] + sums2[lid + stride];
    }
  }
  workgroupBarrier();
}`;

const ENTRY = /* wgsl */ `@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>)`;

const ROWS = /* wgsl */ `
struct U { count: u32, cols: u32, weight: f32 }
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> param: array<f32>;
@group(0) @binding(2) var<storage, read_write> rowVar: array<f32>;
@group(0) @binding(3) var<storage, read_write> thetaPartials: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
${REDUCE}
${ENTRY} {
  let k = wid.x + wid.y * nwg.x;
  var g2 = 0.0;
  var t2 = 0.0;
  if (k < u.count) {
    let base = k * u.cols;
    for (var c = lid; c < u.cols; c = c + 256u) {
      let g = grad[base + c];
      g2 = g2 + g * g;
      let t = param[base + c];
      t2 = t2 + t * t;
    }
  }
  sums[lid] = g2;
  sums2[lid] = t2;
  reduce(lid);
  if (lid == 0u && k < u.count) {
    rowVar[k] = rowVar[k] + u.weight * (sums[0] / f32(u.cols) - rowVar[k]);
    thetaPartials[k] = sums2[0];
  }
}`;

const COLS = /* wgsl */ `
struct U { count: u32, rows: u32, cols: u32, weight: f32 }
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> colVar: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${ENTRY} {
  let i = ${ELEMENT_INDEX};
  if (i >= u.count) { return; }
  let b = i / u.cols;
  let base = b * u.rows * u.cols + (i - b * u.cols);
  var s = 0.0;
  for (var r = 0u; r < u.rows; r = r + 1u) {
    let g = grad[base + r * u.cols];
    s = s + g * g;
  }
  colVar[i] = colVar[i] + u.weight * (s / f32(u.rows) - colVar[i]);
}`;

const ROW_MEAN = /* wgsl */ `
struct U { batch: u32, rows: u32, eps1: f32 }
@group(0) @binding(0) var<storage, read> rowVar: array<f32>;
@group(0) @binding(1) var<storage, read_write> rowMean: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${REDUCE}
${ENTRY} {
  let b = wid.x + wid.y * nwg.x;
  var s = 0.0;
  if (b < u.batch) {
    for (var r = lid; r < u.rows; r = r + 256u) { s = s + rowVar[b * u.rows + r]; }
  }
  sums[lid] = s;
  sums2[lid] = 0.0;
  reduce(lid);
  if (lid == 0u && b < u.batch) { rowMean[b] = max(sums[0] / f32(u.rows), u.eps1); }
}`;

const FACTORED_UPDATE = /* wgsl */ `
fn update(i: u32) -> f32 {
  let size = u.rows * u.cols;
  let b = i / size;
  let r = (i - b * size) / u.cols;
  let c = i % u.cols;
  let v = (rowVar[b * u.rows + r] * colVar[b * u.cols + c]) / rowMean[b];
  return (1.0 / sqrt(max(v, u.eps1Sq))) * u.sign * grad[i];
}`;

const SQUARE = /* wgsl */ `
struct U { n: u32, rows: u32, cols: u32, sign: f32, eps1Sq: f32 }
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> rowVar: array<f32>;
@group(0) @binding(2) var<storage, read> colVar: array<f32>;
@group(0) @binding(3) var<storage, read> rowMean: array<f32>;
@group(0) @binding(4) var<storage, read_write> updatePartials: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
${REDUCE}
${FACTORED_UPDATE}
${ENTRY} {
  let i = ${ELEMENT_INDEX};
  var s = 0.0;
  if (i < u.n) {
    let x = update(i);
    s = x * x;
  }
  sums[lid] = s;
  sums2[lid] = 0.0;
  reduce(lid);
  let w = wid.x + wid.y * nwg.x;
  // the last row of a 2-D dispatch may have workgroups past the partials
  if (lid == 0u && w * 256u < u.n) { updatePartials[w] = sums[0]; }
}`;

const APPLY_FACTORED = /* wgsl */ `
struct U { n: u32, rows: u32, cols: u32, sign: f32, eps1Sq: f32, decay: f32 }
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> rowVar: array<f32>;
@group(0) @binding(3) var<storage, read> colVar: array<f32>;
@group(0) @binding(4) var<storage, read> rowMean: array<f32>;
@group(0) @binding(5) var<storage, read> results: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${FACTORED_UPDATE}
${ENTRY} {
  let i = ${ELEMENT_INDEX};
  if (i < u.n) { param[i] = param[i] * u.decay - results[0] * update(i); }
}`;

const VECTOR = /* wgsl */ `
struct U { n: u32, sign: f32, weight: f32, eps1Sq: f32 }
@group(0) @binding(0) var<storage, read> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> variance: array<f32>;
@group(0) @binding(3) var<storage, read_write> thetaPartials: array<f32>;
@group(0) @binding(4) var<storage, read_write> updatePartials: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
${REDUCE}
${ENTRY} {
  let i = ${ELEMENT_INDEX};
  var s = 0.0;
  var t = 0.0;
  if (i < u.n) {
    let g = u.sign * grad[i];
    let v = variance[i] + u.weight * (g * g - variance[i]);
    variance[i] = v;
    let x = (1.0 / sqrt(max(v, u.eps1Sq))) * g;
    s = x * x;
    t = param[i] * param[i];
  }
  sums[lid] = s;
  sums2[lid] = t;
  reduce(lid);
  let w = wid.x + wid.y * nwg.x;
  if (lid == 0u && w * 256u < u.n) {
    updatePartials[w] = sums[0];
    thetaPartials[w] = sums2[0];
  }
}`;

const APPLY_VECTOR = /* wgsl */ `
struct U { n: u32, sign: f32, eps1Sq: f32, decay: f32 }
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> variance: array<f32>;
@group(0) @binding(3) var<storage, read> results: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
${ENTRY} {
  let i = ${ELEMENT_INDEX};
  if (i < u.n) {
    let g = u.sign * grad[i];
    param[i] = param[i] * u.decay - results[0] * ((1.0 / sqrt(max(variance[i], u.eps1Sq))) * g);
  }
}`;

const FINISH = /* wgsl */ `
struct U { thetaCount: u32, updateCount: u32, sqrtN: f32, sqrtNd: f32, eps2: f32, rho: f32 }
@group(0) @binding(0) var<storage, read> thetaPartials: array<f32>;
@group(0) @binding(1) var<storage, read> updatePartials: array<f32>;
@group(0) @binding(2) var<storage, read_write> results: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${REDUCE}
${ENTRY} {
  var t = 0.0;
  for (var j = lid; j < u.thetaCount; j = j + 256u) { t = t + thetaPartials[j]; }
  var s = 0.0;
  for (var j = lid; j < u.updateCount; j = j + 256u) { s = s + updatePartials[j]; }
  sums[lid] = s;
  sums2[lid] = t;
  reduce(lid);
  if (lid == 0u) {
    let alpha = max(u.eps2, sqrt(sums2[0]) / u.sqrtN) * u.rho;
    results[0] = alpha / max(1.0, sqrt(sums[0]) / u.sqrtNd);
  }
}`;

/** Adafactor's hand-written passes. */
export const ADAFACTOR_KERNEL = handKernel("adafactor", [
  {
    name: "rows",
    code: ROWS,
    bindings: bindings("grad:read", "param:read", "rowVar:rw", "thetaPartials:rw"),
  },
  { name: "cols", code: COLS, bindings: bindings("grad:read", "colVar:rw") },
  { name: "rowMean", code: ROW_MEAN, bindings: bindings("rowVar:read", "rowMean:rw") },
  {
    name: "square",
    code: SQUARE,
    bindings: bindings("grad:read", "rowVar:read", "colVar:read", "rowMean:read", "updatePartials:rw"),
  },
  {
    name: "applyFactored",
    code: APPLY_FACTORED,
    bindings: bindings("param:rw", "grad:read", "rowVar:read", "colVar:read", "rowMean:read", "results:read"),
  },
  {
    name: "vector",
    code: VECTOR,
    bindings: bindings("param:read", "grad:read", "variance:rw", "thetaPartials:rw", "updatePartials:rw"),
  },
  {
    name: "applyVector",
    code: APPLY_VECTOR,
    bindings: bindings("param:rw", "grad:read", "variance:read", "results:read"),
  },
  {
    name: "finish",
    code: FINISH,
    bindings: bindings("thetaPartials:read", "updatePartials:read", "results:rw"),
  },
]);

/** batch × rows × cols of a ≥2-D param's last two dims (as the CPU class), or null for 0-D/1-D. */
function factoredShape(shape: readonly number[]): { batch: number; rows: number; cols: number } | null {
  if (shape.length < 2) return null;
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  const numel = shape.reduce((a, b) => a * b, 1);
  return { batch: rows * cols === 0 ? 0 : numel / (rows * cols), rows, cols };
}

/** Workgroups (x, y) for `count` workgroups. */
function spread(count: number): [number, number] {
  return [Math.min(count, 65535), Math.ceil(count / 65535)];
}

function checkFits(p: GpuParam, device: GPUDevice): void {
  const limit = Math.floor(device.limits.maxStorageBufferBindingSize / 4);
  if (p.size > limit) {
    const label = p.name === undefined ? `a param of shape [${p.shape.join(", ")}]` : `param '${p.name}'`;
    throw new RangeError(
      `Adafactor on the GPU: ${label} has ${p.size} elements, more than one storage binding holds (${limit}); the factored passes are not chunked: run it on the CPU (descent-optim's Adafactor)`,
    );
  }
}

/** A step's scalars: adafactorScalars', the eps pair (ε1 null: float32's epsilon), d and the sign. */
interface Scalars {
  weight: number;
  rho: number;
  decay: number;
  eps1: number;
  eps2: number;
  d: number;
  sign: number;
}

interface Scratch {
  thetaPartials: GPUBuffer | null;
  updatePartials: GPUBuffer | null;
  rowMean: GPUBuffer | null;
  results: GPUBuffer | null;
}

class AdafactorEncoder implements StepEncoder {
  readonly #device: GPUDevice;
  readonly #runner: HandRunner;
  readonly #scratch: Scratch = { thetaPartials: null, updatePartials: null, rowMean: null, results: null };

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#runner = new HandRunner(device, ADAFACTOR_KERNEL);
  }

  #reserve(work: readonly StepWork[]): Scratch {
    let theta = 0;
    let update = 0;
    let batch = 0;
    for (const { p } of work) {
      const f = factoredShape(p.shape);
      update = Math.max(update, Math.ceil(p.size / WORKGROUP));
      theta = Math.max(theta, f === null ? Math.ceil(p.size / WORKGROUP) : f.batch * f.rows);
      batch = Math.max(batch, f?.batch ?? 0);
    }
    const d = this.#device;
    const s = this.#scratch;
    s.thetaPartials = grownScratch(d, s.thetaPartials, theta, "Adafactor Σθ² partials");
    s.updatePartials = grownScratch(d, s.updatePartials, update, "Adafactor ΣU² partials");
    s.rowMean = grownScratch(d, s.rowMean, batch, "Adafactor row means");
    s.results = grownScratch(d, s.results, 1, "Adafactor coefficient");
    return s;
  }

  encode(encoder: GPUCommandEncoder, work: readonly StepWork[]): void {
    const live = work.filter(({ p }) => p.size > 0);
    if (live.length === 0) return;
    const s = this.#reserve(live);
    const dispatches: HandDispatch[] = [];
    for (const { p, state, args } of live) {
      const k = args.scalars as unknown as Scalars;
      const st = state as GpuState;
      const n = p.size;
      const grad = { buffer: args.buffers.grad!, floats: n };
      const param = { buffer: p.buffer, floats: n };
      const eps1Sq = k.eps1 * k.eps1;
      let index = 0;
      const add = (
        pass: string,
        buffers: HandDispatch["buffers"],
        uniform: HandDispatch["uniform"],
        w: readonly [number, number],
      ) => dispatches.push({ key: p, index: index++, pass, buffers, uniform, workgroups: w });
      const f = factoredShape(p.shape);
      let thetaCount: number;
      if (f === null) {
        const variance = { buffer: st.variance as GPUBuffer, floats: n };
        add(
          "vector",
          [param, grad, variance, { buffer: s.thetaPartials! }, { buffer: s.updatePartials! }],
          [{ u32: n }, { f32: k.sign }, { f32: k.weight }, { f32: eps1Sq }],
          workgroups(n),
        );
        thetaCount = Math.ceil(n / WORKGROUP);
      } else {
        const { batch, rows, cols } = f;
        const rowVar = { buffer: st.rowVar as GPUBuffer, floats: batch * rows };
        const colVar = { buffer: st.colVar as GPUBuffer, floats: batch * cols };
        const rowMean = { buffer: s.rowMean! };
        add(
          "rows",
          [grad, param, rowVar, { buffer: s.thetaPartials! }],
          [{ u32: batch * rows }, { u32: cols }, { f32: k.weight }],
          spread(batch * rows),
        );
        add(
          "cols",
          [grad, colVar],
          [{ u32: batch * cols }, { u32: rows }, { u32: cols }, { f32: k.weight }],
          workgroups(batch * cols),
        );
        add("rowMean", [rowVar, rowMean], [{ u32: batch }, { u32: rows }, { f32: k.eps1 }], spread(batch));
        add(
          "square",
          [grad, rowVar, colVar, rowMean, { buffer: s.updatePartials! }],
          [{ u32: n }, { u32: rows }, { u32: cols }, { f32: k.sign }, { f32: eps1Sq }],
          workgroups(n),
        );
        thetaCount = batch * rows;
      }
      add(
        "finish",
        [{ buffer: s.thetaPartials! }, { buffer: s.updatePartials! }, { buffer: s.results! }],
        [
          { u32: thetaCount },
          { u32: Math.ceil(n / WORKGROUP) },
          { f32: Math.sqrt(n) },
          { f32: Math.sqrt(n) * k.d },
          { f32: k.eps2 },
          { f32: k.rho },
        ],
        [1, 1],
      );
      if (f === null) {
        add(
          "applyVector",
          [param, grad, { buffer: st.variance as GPUBuffer, floats: n }, { buffer: s.results! }],
          [{ u32: n }, { f32: k.sign }, { f32: eps1Sq }, { f32: k.decay }],
          workgroups(n),
        );
      } else {
        const { batch, rows, cols } = f;
        add(
          "applyFactored",
          [
            param,
            grad,
            { buffer: st.rowVar as GPUBuffer, floats: batch * rows },
            { buffer: st.colVar as GPUBuffer, floats: batch * cols },
            { buffer: s.rowMean! },
            { buffer: s.results! },
          ],
          [{ u32: n }, { u32: rows }, { u32: cols }, { f32: k.sign }, { f32: eps1Sq }, { f32: k.decay }],
          workgroups(n),
        );
      }
    }
    this.#runner.run(encoder, dispatches);
  }

  destroy(): void {
    for (const b of Object.values(this.#scratch)) b?.destroy();
    this.#runner.destroy();
  }
}

function stateLength(p: GpuParam, key: string): number {
  const f = factoredShape(p.shape);
  if (f !== null && key === "rowVar") return f.batch * f.rows;
  if (f !== null && key === "colVar") return f.batch * f.cols;
  return p.size;
}

export const ADAFACTOR_RULE: GpuRule<AdafactorOptions> = {
  kernel: "adafactor",
  cpu: Adafactor,
  encoder: (device) => new AdafactorEncoder(device),
  stateLength,
  checkParam: (p) => checkFits(p, p.device),
  prepare(p, grad, state, group, zeros) {
    let s = state;
    if (s === undefined) {
      const f = factoredShape(p.shape);
      const buffer = (key: string) =>
        p.device.createBuffer({
          size: Math.max(4, stateLength(p, key) * 4),
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          label: `descent state ${key}`,
        });
      s =
        f === null
          ? { step: 0, variance: zeros() }
          : { step: 0, rowVar: buffer("rowVar"), colVar: buffer("colVar") };
    }
    // Adafactor.update's per-step scalars, on the CPU's step count
    s.step = (s.step as number) + 1;
    const [eps1, eps2] = group.eps;
    const scalars: Scalars = {
      ...adafactorScalars(s.step, group),
      eps1: eps1 ?? FLOAT32_EPS,
      eps2,
      d: group.d,
      sign: group.maximize ? -1 : 1,
    };
    return {
      state: s,
      args: {
        buffers: { param: p.buffer, grad },
        flags: {},
        scalars: scalars as unknown as Record<string, number>,
      },
    };
  },
};
