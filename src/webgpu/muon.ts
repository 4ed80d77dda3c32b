/// <reference types="@webgpu/types" />
// Muon on the GPU: Muon.update's steps as hand-written WGSL, in one compute pass per step, nothing read back:
//   momentum  B = lerp(B, G, 1 − μ), X = lerp(G, B, μ) (nesterov) or B, and Σ X² per workgroup
//   norm      s = 1/max(‖X‖_F, ε) from the workgroups' sums (one workgroup)
//   scale     X = s·X
//   nsSteps × A = X·Xᵀ (Xᵀ·X when tall), P = b·A + c·A·A, X = a·X + P·X (X·P when tall): tiled matmuls
//   apply     θ = θ·(1 − lr·weightDecay) − adjustLr(lr, shape)·X
// The CPU runs Newton–Schulz in float64, the GPU in float32 (torch itself uses bfloat16): see the tests for
// how far apart that puts them. The scratch (X, its next iterate, A, P) is shared by the params, grown to
// the largest, as the CPU's NewtonSchulzWork is.

import { checkMuonShape, Muon, type MuonOptions, muonAdjustedLr, muonMatrixShape } from "../optim/muon.js";
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

/** The side of a matmul tile (workgroups of TILE × TILE threads, one output element each). */
const TILE = 16;

const REDUCE = /* wgsl */ `
var<workgroup> sums: array<f32, 256>;
fn reduce(lid: u32) {
  for (var stride = 128u; stride > 0u; stride = stride >> 1u) {
    workgroupBarrier();
    if (lid < stride) { sums[lid] = sums[lid] + sums[lid + stride]; }
  }
  workgroupBarrier();
}`;

const MOMENTUM = /* wgsl */ `
struct U { n: u32, nesterov: u32, momentum: f32 }
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> momentumBuffer: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
${REDUCE}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let i = ${ELEMENT_INDEX};
  var square = 0.0;
  if (i < u.n) {
    let g = grad[i];
    let b = momentumBuffer[i] + (1.0 - u.momentum) * (g - momentumBuffer[i]);
    momentumBuffer[i] = b;
    var update = b;
    if (u.nesterov != 0u) { update = g + u.momentum * (b - g); }
    x[i] = update;
    square = update * update;
  }
  sums[lid] = square;
  reduce(lid);
  let w = wid.x + wid.y * nwg.x;
  // the last row of a 2-D dispatch may have workgroups past the partials
  if (lid == 0u && w * 256u < u.n) { partials[w] = sums[0]; }
}`;

const NORM = /* wgsl */ `
struct U { count: u32, eps: f32 }
@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> results: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${REDUCE}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var total = 0.0;
  for (var j = lid; j < u.count; j = j + 256u) { total = total + partials[j]; }
  sums[lid] = total;
  reduce(lid);
  if (lid == 0u) { results[0] = 1.0 / max(sqrt(sums[0]), u.eps); }
}`;

const SCALE = /* wgsl */ `
struct U { n: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> results: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${ELEMENT_INDEX};
  if (i < u.n) { x[i] = x[i] * results[0]; }
}`;

// c = alpha·op(a)·op(b) + beta·d (d read only when useD), op(a) m×k, op(b) k×n, all row-major; op(a) = aᵀ
// reads a stored k×m, op(b) = bᵀ reads b stored n×k. Each workgroup computes one TILE × TILE block of c,
// staging TILE × TILE blocks of op(a) and op(b) in workgroup memory.
const MATMUL = /* wgsl */ `
struct U { m: u32, n: u32, k: u32, transA: u32, transB: u32, useD: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> d: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
const T = ${TILE}u;
var<workgroup> tileA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row = wid.y * T + lid.y;
  let col = wid.x * T + lid.x;
  var sum = 0.0;
  let tiles = (u.k + T - 1u) / T;
  for (var t = 0u; t < tiles; t = t + 1u) {
    let ka = t * T + lid.x;
    var va = 0.0;
    if (row < u.m && ka < u.k) {
      if (u.transA != 0u) { va = a[ka * u.m + row]; } else { va = a[row * u.k + ka]; }
    }
    tileA[lid.y][lid.x] = va;
    let kb = t * T + lid.y;
    var vb = 0.0;
    if (kb < u.k && col < u.n) {
      if (u.transB != 0u) { vb = b[col * u.k + kb]; } else { vb = b[kb * u.n + col]; }
    }
    tileB[lid.y][lid.x] = vb;
    workgroupBarrier();
    for (var q = 0u; q < T; q = q + 1u) { sum = sum + tileA[lid.y][q] * tileB[q][lid.x]; }
    workgroupBarrier();
  }
  if (row < u.m && col < u.n) {
    var v = u.alpha * sum;
    if (u.useD != 0u) { v = u.beta * d[row * u.n + col] + v; }
    c[row * u.n + col] = v;
  }
}`;

const APPLY = /* wgsl */ `
struct U { n: u32, decay: f32, stepSize: f32 }
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> ortho: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = ${ELEMENT_INDEX};
  if (i < u.n) { param[i] = param[i] * u.decay - u.stepSize * ortho[i]; }
}`;

/** Muon's hand-written passes. */
export const MUON_KERNEL = handKernel("muon", [
  {
    name: "momentum",
    code: MOMENTUM,
    bindings: bindings("grad:read", "momentumBuffer:rw", "x:rw", "partials:rw"),
  },
  { name: "norm", code: NORM, bindings: bindings("partials:read", "results:rw") },
  { name: "scale", code: SCALE, bindings: bindings("x:rw", "results:read") },
  { name: "matmul", code: MATMUL, bindings: bindings("a:read", "b:read", "d:read", "c:rw") },
  { name: "apply", code: APPLY, bindings: bindings("param:rw", "ortho:read") },
]);

const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Throws, naming the param, when a GPU param cannot be orthogonalised on this device. */
function checkFits(p: GpuParam, device: GPUDevice): void {
  const [rows, cols] = muonMatrixShape(p.shape);
  const label = p.name === undefined ? `a param of shape [${p.shape.join(", ")}]` : `param '${p.name}'`;
  const limit = Math.floor(device.limits.maxStorageBufferBindingSize / 4);
  if (p.size > limit) {
    throw new RangeError(
      `Muon on the GPU: ${label} has ${p.size} elements, more than one storage binding holds (${limit}); Newton–Schulz is not chunked: run it on the CPU (descent-optim's Muon)`,
    );
  }
  if (Math.max(rows, cols) > TILE * MAX_WORKGROUPS_PER_DIMENSION) {
    throw new RangeError(
      `Muon on the GPU: ${label} is ${rows} × ${cols}, a side past the ${TILE * MAX_WORKGROUPS_PER_DIMENSION} one matmul dispatch covers; run it on the CPU (descent-optim's Muon)`,
    );
  }
}

interface Scratch {
  x: GPUBuffer | null;
  next: GPUBuffer | null;
  gram: GPUBuffer | null;
  poly: GPUBuffer | null;
  partials: GPUBuffer | null;
  results: GPUBuffer | null;
}

class MuonEncoder implements StepEncoder {
  readonly #device: GPUDevice;
  readonly #runner: HandRunner;
  readonly #scratch: Scratch = { x: null, next: null, gram: null, poly: null, partials: null, results: null };

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#runner = new HandRunner(device, MUON_KERNEL);
  }

  #reserve(work: readonly StepWork[]): Scratch {
    let size = 0;
    let square = 0;
    for (const { p } of work) {
      const [rows, cols] = muonMatrixShape(p.shape);
      size = Math.max(size, p.size);
      square = Math.max(square, Math.min(rows, cols) ** 2);
    }
    const d = this.#device;
    const s = this.#scratch;
    s.x = grownScratch(d, s.x, size, "Muon X");
    s.next = grownScratch(d, s.next, size, "Muon next X");
    s.gram = grownScratch(d, s.gram, square, "Muon Gram matrix");
    s.poly = grownScratch(d, s.poly, square, "Muon polynomial");
    s.partials = grownScratch(d, s.partials, Math.ceil(size / WORKGROUP), "Muon norm partials");
    s.results = grownScratch(d, s.results, 1, "Muon norm");
    return s;
  }

  encode(encoder: GPUCommandEncoder, work: readonly StepWork[]): void {
    const live = work.filter(({ p }) => p.size > 0);
    if (live.length === 0) return;
    const s = this.#reserve(live);
    const dispatches: HandDispatch[] = [];
    for (const { p, group, state, args } of live) {
      const g = group as unknown as MuonOptions;
      const [rows, cols] = muonMatrixShape(p.shape);
      const n = p.size;
      const wide = rows <= cols;
      const k = wide ? rows : cols;
      const elements = workgroups(n);
      let index = 0;
      const add = (
        pass: string,
        buffers: HandDispatch["buffers"],
        uniform: HandDispatch["uniform"],
        w = elements,
      ) => dispatches.push({ key: p, index: index++, pass, buffers, uniform, workgroups: w });
      add(
        "momentum",
        [
          { buffer: args.buffers.grad!, floats: n },
          { buffer: (state as GpuState).momentumBuffer as GPUBuffer, floats: n },
          { buffer: s.x! },
          { buffer: s.partials! },
        ],
        [{ u32: n }, { u32: g.nesterov ? 1 : 0 }, { f32: g.momentum }],
      );
      add(
        "norm",
        [{ buffer: s.partials! }, { buffer: s.results! }],
        [{ u32: Math.ceil(n / WORKGROUP) }, { f32: g.eps }],
        [1, 1],
      );
      add("scale", [{ buffer: s.x! }, { buffer: s.results! }], [{ u32: n }]);
      const [a, b, c] = g.nsCoefficients;
      let x = s.x!;
      let next = s.next!;
      const matmul = (
        m: number,
        width: number,
        inner: number,
        transA: boolean,
        transB: boolean,
        alpha: number,
        beta: number | null,
        buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
      ) =>
        add(
          "matmul",
          buffers.map((buffer) => ({ buffer })),
          [
            { u32: m },
            { u32: width },
            { u32: inner },
            { u32: transA ? 1 : 0 },
            { u32: transB ? 1 : 0 },
            { u32: beta === null ? 0 : 1 },
            { f32: alpha },
            { f32: beta ?? 0 },
          ],
          [Math.ceil(width / TILE), Math.ceil(m / TILE)],
        );
      for (let step = 0; step < g.nsSteps; step++) {
        // A = X·Xᵀ (wide) or Xᵀ·X (tall), k × k
        if (wide) matmul(k, k, cols, false, true, 1, null, [x, x, x, s.gram!]);
        else matmul(k, k, rows, true, false, 1, null, [x, x, x, s.gram!]);
        // P = b·A + c·A·A
        matmul(k, k, k, false, false, c, b, [s.gram!, s.gram!, s.gram!, s.poly!]);
        // X ← a·X + P·X (wide) or a·X + X·P (tall)
        if (wide) matmul(rows, cols, k, false, false, 1, a, [s.poly!, x, x, next]);
        else matmul(rows, cols, k, false, false, 1, a, [x, s.poly!, x, next]);
        [x, next] = [next, x];
      }
      add(
        "apply",
        [{ buffer: p.buffer, floats: n }, { buffer: x }],
        [
          { u32: n },
          { f32: 1 - g.lr * g.weightDecay },
          { f32: muonAdjustedLr(g.lr, g.adjustLrFn, rows, cols) },
        ],
      );
    }
    this.#runner.run(encoder, dispatches);
  }

  destroy(): void {
    for (const b of Object.values(this.#scratch)) b?.destroy();
    this.#runner.destroy();
  }
}

export const MUON_RULE: GpuRule<MuonOptions> = {
  kernel: "muon",
  cpu: Muon,
  encoder: (device) => new MuonEncoder(device),
  checkParam(p) {
    checkMuonShape(p.shape, p.size);
    checkFits(p, p.device);
  },
  prepare(p, grad, state, _group, zeros) {
    const s: GpuState = state ?? { momentumBuffer: zeros() };
    return { state: s, args: { buffers: { param: p.buffer, grad }, flags: {}, scalars: {} } };
  },
};
