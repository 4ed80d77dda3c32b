// Muon on the GPU in a page: against the CPU class step by step (its orthogonalised update, params and
// momentum), against a float32 rendering of the CPU's Newton–Schulz (how far float32 alone moves it),
// resumed GPU → CPU → GPU, with params of several shapes sharing the scratch, and refusing by name.
/// <reference types="@webgpu/types" />

import * as cpu from "../../../src/index.js";
import { muonAdjustedLr, muonMatrixShape, NewtonSchulzWork, newtonSchulz } from "../../../src/optim/muon.js";
import { gpuOptimizer, gpuParam, readBuffer, SkipNonFinite } from "../../../src/webgpu/index.js";
import { device, errorMessage, normals, random, ulps, upload, USAGE } from "./common.js";
import { aloneAndTogether, resumeThroughCpu, size } from "./runs.js";

/** max |a − b| / max |b|. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let top = 0;
  for (let k = 0; k < b.length; k++) {
    diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
    top = Math.max(top, Math.abs(b[k]!));
  }
  return top === 0 ? diff : diff / top;
}

/**
 * The CPU's Newton–Schulz (the same loops, the same order) with every operation rounded to float32: what
 * float32 arithmetic alone does to the float64 result.
 */
function newtonSchulzF32(
  input: Float64Array,
  rows: number,
  cols: number,
  [a, b, c]: readonly [number, number, number],
  steps: number,
  eps: number,
): Float32Array {
  const f = Math.fround;
  const size = rows * cols;
  let x = Float32Array.from(input.subarray(0, size));
  let sq = 0;
  for (let i = 0; i < size; i++) sq = f(sq + f(x[i]! * x[i]!));
  const scale = f(1 / Math.max(f(Math.sqrt(sq)), f(eps)));
  for (let i = 0; i < size; i++) x[i] = f(x[i]! * scale);
  const wide = rows <= cols;
  const k = wide ? rows : cols;
  const gram = new Float32Array(k * k);
  const poly = new Float32Array(k * k);
  for (let s = 0; s < steps; s++) {
    gram.fill(0);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let sum = 0;
        if (wide) for (let t = 0; t < cols; t++) sum = f(sum + f(x[i * cols + t]! * x[j * cols + t]!));
        else for (let t = 0; t < rows; t++) sum = f(sum + f(x[t * cols + i]! * x[t * cols + j]!));
        gram[i * k + j] = sum;
      }
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let sum = 0;
        for (let t = 0; t < k; t++) sum = f(sum + f(gram[i * k + t]! * gram[t * k + j]!));
        poly[i * k + j] = f(f(f(b) * gram[i * k + j]!) + f(f(c) * sum));
      }
    const next = new Float32Array(size);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        let sum = 0;
        if (wide) for (let t = 0; t < k; t++) sum = f(sum + f(poly[i * k + t]! * x[t * cols + j]!));
        else for (let t = 0; t < k; t++) sum = f(sum + f(x[i * cols + t]! * poly[t * k + j]!));
        next[i * cols + j] = f(f(f(a) * x[i * cols + j]!) + sum);
      }
    x = next;
  }
  return x;
}

/** The CPU's orthogonalised update of one param from its update matrix U, in float64. */
function orthoF64(u: Float64Array, rows: number, cols: number, g: cpu.MuonOptions): Float64Array {
  const work = new NewtonSchulzWork();
  work.reserve(rows, cols);
  work.x.set(u);
  return newtonSchulz(work, rows, cols, g.nsCoefficients, g.nsSteps, g.eps).slice(0, rows * cols);
}

export interface MuonCase {
  shapes: number[][];
  options: Record<string, unknown>;
  steps: number;
  seed: number;
  /**
   * Zero the params before every step: θ after the step is then −adjustLr·O exactly (rounded once), so the
   * orthogonalised update O itself is compared.
   */
  zeroParams?: boolean;
}

/**
 * Each step starts the GPU optimizer from the CPU optimizer's params and state (loadStateDictAsync), steps
 * both on the same grads and reports, per step: the GPU's update O against the CPU's (max |ΔO|/max |O|, from
 * the params when they were zeroed), the float32 rendering of the CPU's Newton–Schulz against the CPU's on
 * the same input (the spread float32 alone gives), the params and the momentum buffers in float32 ulps
 * (params judged by the larger of |θ'| and their move, momentum by the larger of |g| and |B| before the
 * step), and how many buffers step() mapped.
 */
export async function againstCpu(c: MuonCase): Promise<{
  update: number[];
  f32Spread: number[];
  paramUlps: number[];
  momentumUlps: number[];
  maps: number;
}> {
  const d = await device();
  const next = random(c.seed);
  const cpuParams = c.shapes.map((shape, i) =>
    cpu.param(normals(size(shape), next), { shape, name: `p${i}` }),
  );
  const gpuParams = cpuParams.map((p, i) =>
    gpuParam(upload(d, p.data as Float32Array), p.shape, d, { name: `p${i}` }),
  );
  const grads = c.shapes.map((shape) => d.createBuffer({ size: Math.max(4, size(shape) * 4), usage: USAGE }));
  const ref = new cpu.Muon(cpuParams, c.options);
  const gpu = gpuOptimizer("Muon", gpuParams, c.options);
  const g = ref.paramGroups[0]! as unknown as cpu.MuonOptions;
  let maps = 0;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  const out = {
    update: [] as number[],
    f32Spread: [] as number[],
    paramUlps: [] as number[],
    momentumUlps: [] as number[],
  };
  for (let step = 1; step <= c.steps; step++) {
    if (c.zeroParams) for (const p of cpuParams) p.data.fill(0);
    await gpu.loadStateDictAsync(ref.stateDict());
    const before = ref.stateDict();
    const olds = cpuParams.map((p) => Float32Array.from(p.data));
    const inputs = cpuParams.map((p, i) => {
      upload(d, p.data as Float32Array, gpuParams[i]!.buffer);
      const grad = normals(p.data.length, next, 0.5);
      p.grad = grad;
      gpuParams[i]!.grad = upload(d, grad, grads[i]);
      return grad;
    });
    GPUBuffer.prototype.mapAsync = function (...args) {
      maps++;
      return mapAsync.apply(this, args);
    };
    try {
      gpu.step();
    } finally {
      GPUBuffer.prototype.mapAsync = mapAsync;
    }
    ref.step();
    const gs = await gpu.stateDictAsync();
    const cs = ref.stateDict();
    let update = 0;
    let spread = 0;
    let paramUlps = 0;
    let momentumUlps = 0;
    for (let i = 0; i < cpuParams.length; i++) {
      const p = cpuParams[i]!;
      const n = p.data.length;
      if (n === 0) continue;
      const [rows, cols] = muonMatrixShape(p.shape);
      const got = await readBuffer(d, gpuParams[i]!.buffer, n);
      // the CPU's U from the state before the step, as Muon.update forms it
      const old = (before.state[i] as { momentumBuffer?: Float32Array } | undefined)?.momentumBuffer;
      const u = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const gk = inputs[i]![k]!;
        const bk = (old?.[k] ?? 0) + (1 - g.momentum) * (gk - (old?.[k] ?? 0));
        u[k] = g.nesterov ? gk + g.momentum * (bk - gk) : bk;
      }
      const o64 = orthoF64(u, rows, cols, g);
      spread = Math.max(
        spread,
        relative(newtonSchulzF32(u, rows, cols, g.nsCoefficients, g.nsSteps, g.eps), o64),
      );
      const stepSize = muonAdjustedLr(g.lr, g.adjustLrFn, rows, cols);
      if (c.zeroParams) {
        const gpuO = Float64Array.from(got, (v) => -v / stepSize);
        const cpuO = Float64Array.from(p.data, (v) => -v / stepSize);
        update = Math.max(update, relative(gpuO, cpuO));
      }
      let move = 0;
      for (let k = 0; k < n; k++) move = Math.max(move, Math.abs(p.data[k]! - olds[i]![k]!));
      for (let k = 0; k < n; k++) paramUlps = Math.max(paramUlps, ulps(got[k]!, p.data[k]!, move));
      const mine = (gs.state[i] as { momentumBuffer: Float32Array }).momentumBuffer;
      const theirs = (cs.state[i] as { momentumBuffer: Float32Array }).momentumBuffer;
      for (let k = 0; k < n; k++) {
        const scale = Math.max(Math.abs(inputs[i]![k]!), Math.abs(old?.[k] ?? 0));
        momentumUlps = Math.max(momentumUlps, ulps(mine[k]!, theirs[k]!, scale));
      }
    }
    out.update.push(update);
    out.f32Spread.push(spread);
    out.paramUlps.push(paramUlps);
    out.momentumUlps.push(momentumUlps);
  }
  gpu.destroy();
  for (const b of [...grads, ...gpuParams.map((p) => p.buffer)]) b.destroy();
  return { ...out, maps };
}

/** k GPU steps, then through a CPU Muon and back to a new GPU Muon; against k + m steps uninterrupted. */
export const resume = (c: { shapes: number[][]; options: Record<string, unknown>; k: number; m: number }) =>
  resumeThroughCpu("Muon", cpu.Muon, c);

/** Params stepped one optimizer at a time against all in one optimizer (the scratch shared, grown by a group added later). */
export const shared = (c: { shapes: number[][]; options: Record<string, unknown>; steps: number }) =>
  aloneAndTogether("Muon", c, true);

/** The messages of bad uses (or "no error"). */
export async function refusals(): Promise<Record<string, string>> {
  const d = await device();
  const buffer = (n: number) => d.createBuffer({ size: n * 4, usage: USAGE });
  const message = errorMessage;
  const matrix = gpuParam(buffer(12), [3, 4], d, { name: "w" });
  const cpuMessage = message(() => new cpu.Muon([cpu.param(new Float32Array(4), { shape: [4] })]));
  // a device whose storage bindings hold 64 floats: a 10 × 10 param does not fit one
  const small = new Proxy(d, {
    get(target, key) {
      if (key === "limits")
        return {
          maxStorageBufferBindingSize: 256,
          minUniformBufferOffsetAlignment: target.limits.minUniformBufferOffsetAlignment,
        };
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const big = gpuParam(buffer(100), [10, 10], small, { name: "big" });
  return {
    tooBig: message(() => gpuOptimizer("Muon", [big])),
    tooBigAdafactor: message(() => gpuOptimizer("Adafactor", [big])),
    vector: message(() => gpuOptimizer("Muon", [gpuParam(buffer(4), [4], d, { name: "b" })])),
    cpuVector: cpuMessage,
    scalar: message(() => gpuOptimizer("Muon", [gpuParam(buffer(1), [], d)])),
    addedVector: message(() =>
      gpuOptimizer("Muon", [matrix]).addParamGroup({ params: [gpuParam(buffer(4), [4], d)] }),
    ),
    badSteps: message(() => gpuOptimizer("Muon", [matrix], { nsSteps: 100 })),
    cpuBadSteps: message(
      () => new cpu.Muon([cpu.param(new Float32Array(12), { shape: [3, 4] })], { nsSteps: 100 }),
    ),
    gate: message(() => new SkipNonFinite(gpuOptimizer("Muon", [matrix]))),
    built: gpuOptimizer("Muon", [matrix], { lr: 0.02 }).name,
  };
}
