// clipGradNorm on the GPU in a page: against descent's CPU clipGradNorm and torch's recorded
// clip_grad_norm_ (float32), chunked, then clip + step against the CPU doing the same, and its refusals.
/// <reference types="@webgpu/types" />

import * as cpu from "../../../src/index.js";
import { setChunkElements } from "../../../src/webgpu/executor.js";
import {
  clipGradNorm,
  clippedStep,
  gpuOptimizer,
  gpuParam,
  readBuffer,
  SkipNonFinite,
} from "../../../src/webgpu/index.js";
import { device, errorMessage, normals, plain, random, ulps, upload, USAGE } from "./common.js";

const NORMS: Record<string, number> = { "1": 1, "2": 2, inf: Number.POSITIVE_INFINITY };

export interface ClipCase {
  sizes: number[];
  /** "1", "2" or "inf" (JSON has no Infinity). */
  norm: string;
  maxNorm: number;
  /** Indices of params left without a grad. */
  noGrad?: number[];
  /** Bind buffers in chunks of this many elements. */
  chunk?: number;
  /** [param, element] set to NaN. */
  nan?: [number, number];
}

/** The same grads clipped by the CPU clipGradNorm and on the GPU: both totals and the grads' distance. */
export async function againstCpu(c: ClipCase): Promise<{
  cpuTotal: number;
  gpuTotal: number;
  coef: number;
  maxUlps: number;
  bitIdentical: boolean;
}> {
  const d = await device();
  const next = random(9);
  const grads = c.sizes.map((n) => normals(n, next));
  if (c.nan) grads[c.nan[0]]![c.nan[1]] = Number.NaN;
  const has = (i: number) => !(c.noGrad ?? []).includes(i);
  const cpuParams = c.sizes.map((n, i) => {
    const p = cpu.param(new Float32Array(n));
    p.grad = has(i) ? grads[i]!.slice() : null;
    return p;
  });
  const gpuParams = c.sizes.map((n, i) => {
    const p = gpuParam(upload(d, new Float32Array(n)), [n], d);
    p.grad = has(i) ? upload(d, grads[i]!) : null;
    return p;
  });
  const cpuTotal = cpu.clipGradNorm(cpuParams, c.maxNorm, { normType: NORMS[c.norm]! });
  if (c.chunk) setChunkElements(d, c.chunk);
  let norm: ReturnType<typeof clipGradNorm>;
  try {
    norm = clipGradNorm(gpuParams, c.maxNorm, { normType: NORMS[c.norm]! });
  } finally {
    setChunkElements(d, null);
  }
  const [gpuTotal, coef] = await readBuffer(d, norm.buffer, 2);
  let maxUlps = 0;
  let bitIdentical = true;
  for (let i = 0; i < c.sizes.length; i++) {
    if (!has(i)) continue;
    const got = await readBuffer(d, gpuParams[i]!.grad!, c.sizes[i]!);
    const want = cpuParams[i]!.grad!;
    for (let k = 0; k < got.length; k++) {
      maxUlps = Math.max(maxUlps, ulps(got[k]!, want[k]!));
      if (!Object.is(got[k], want[k])) bitIdentical = false;
    }
  }
  norm.destroy();
  return { cpuTotal, gpuTotal: gpuTotal!, coef: coef!, maxUlps, bitIdentical };
}

interface TorchCase {
  shapes: number[][];
  grads_before: Array<number[] | null>;
  max_norm: number;
  norm_type: number | string;
}

/** A recorded torch clip_grad_norm_ case (float32) on the GPU: the total and the grads after. */
export async function torchCase(c: TorchCase): Promise<{ total: number; grads: Array<number[] | null> }> {
  const d = await device();
  const params = c.shapes.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const p = gpuParam(upload(d, new Float32Array(n)), shape, d);
    const g = c.grads_before[i];
    p.grad = g === null || g === undefined ? null : upload(d, new Float32Array(g));
    return p;
  });
  const normType = c.norm_type === "Infinity" ? Number.POSITIVE_INFINITY : Number(c.norm_type);
  const norm = clipGradNorm(params, c.max_norm, { normType });
  const total = await norm.read();
  const grads = await Promise.all(
    params.map(async (p) => (p.grad ? Array.from(await readBuffer(d, p.grad, p.size)) : null)),
  );
  return { total, grads };
}

/**
 * `steps` rounds of clipGradNorm then an optimizer step, on the GPU and on the CPU, from the same params
 * and grads: per step the largest distance of the params in ulps, and the maps made by clip + step.
 */
export async function clipThenStep(c: {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  maxNorm: number;
  steps: number;
}): Promise<{ maxUlps: number[]; maps: number; totals: number[][] }> {
  const d = await device();
  const next = random(21);
  const init = c.sizes.map((n) => normals(n, next));
  const cpuParams = init.map((v) => cpu.param(v.slice()));
  const gpuParams = init.map((v) => gpuParam(upload(d, v), [v.length], d));
  const Cpu = (cpu as unknown as Record<string, new (p: cpu.Param[], o: object) => cpu.Optimizer>)[c.name]!;
  const ref = new Cpu(cpuParams, c.options);
  const opt = gpuOptimizer(c.name, gpuParams, c.options);
  const maxUlps: number[] = [];
  const totals: number[][] = [];
  let maps = 0;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  for (let s = 0; s < c.steps; s++) {
    const grads = c.sizes.map((n) => normals(n, next, 2));
    cpuParams.forEach((p, i) => {
      p.grad = grads[i]!.slice();
    });
    gpuParams.forEach((p, i) => {
      p.grad?.destroy();
      p.grad = upload(d, grads[i]!);
    });
    const cpuTotal = cpu.clipGradNorm(cpuParams, c.maxNorm);
    // an element is judged in ulps of what its step worked on: its old value, its clipped grad, its move
    const before = cpuParams.map((p) => Float32Array.from(p.data));
    const clippedGrads = cpuParams.map((p) => Float32Array.from(p.grad!));
    ref.step();
    const scales = cpuParams.map((p, i) =>
      Float32Array.from(p.data, (x, k) =>
        Math.max(Math.abs(before[i]![k]!), Math.abs(clippedGrads[i]![k]!), Math.abs(x - before[i]![k]!)),
      ),
    );
    GPUBuffer.prototype.mapAsync = function (...args) {
      maps++;
      return mapAsync.apply(this, args);
    };
    let norm: ReturnType<typeof clipGradNorm>;
    try {
      norm = clipGradNorm(gpuParams, c.maxNorm);
      opt.step();
    } finally {
      GPUBuffer.prototype.mapAsync = mapAsync;
    }
    totals.push([cpuTotal, await norm.read()]);
    norm.destroy();
    let worst = 0;
    for (let i = 0; i < c.sizes.length; i++) {
      const got = await readBuffer(d, gpuParams[i]!.buffer, c.sizes[i]!);
      const want = cpuParams[i]!.data;
      for (let k = 0; k < got.length; k++) worst = Math.max(worst, ulps(got[k]!, want[k]!, scales[i]![k]!));
    }
    maxUlps.push(worst);
  }
  opt.destroy();
  return { maxUlps, maps, totals };
}

/** The first index where two float32 arrays differ bit for bit (NaN equals NaN), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

export interface FusedCase {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  /** "1", "2" or "inf". */
  norm: string;
  /** maxNorm is `start` / `shrink` at the first step and falls by `shrink` each step. */
  start: number;
  shrink: number;
  steps: number;
  /** Indices of params left without a grad. */
  noGrad?: number[];
  /** Step s puts a NaN into element 0 of params[0]'s grad. */
  nanAt?: number;
  chunk?: number;
}

/** What `fusedAgainstSeparate` reports (test/webgpu/clip.test.ts reads it). */
export type FusedResult = {
  firstDifference: Array<{ step: number; param: number; at: number }>;
  sameState: boolean;
  totals: Array<[number, number]>;
  coefs: Array<[number, number]>;
  gradsKept: boolean;
  maps: number;
  hooks: [number, number];
};

/**
 * The same run twice on the GPU: clipGradNorm then step(), and clippedStep. Whether params and state agree
 * bit for bit after every step, the norms of both, whether clippedStep left the grads as uploaded, and
 * the maps and hook calls of clippedStep.
 */
export async function fusedAgainstSeparate(c: FusedCase): Promise<FusedResult> {
  const d = await device();
  if (c.chunk) setChunkElements(d, c.chunk);
  try {
    const next = random(33);
    const normType = NORMS[c.norm]!;
    const init = c.sizes.map((n) => normals(n, next));
    const make = () => init.map((v, i) => gpuParam(upload(d, v), [v.length], d, { name: `p${i}` }));
    const separate = make();
    const fused = make();
    const a = gpuOptimizer(c.name, separate, c.options);
    const b = gpuOptimizer(c.name, fused, c.options);
    const hooks: [number, number] = [0, 0];
    b.registerStepPreHook(() => hooks[0]++);
    b.registerStepPostHook(() => hooks[1]++);
    const differences: Array<{ step: number; param: number; at: number }> = [];
    const totals: Array<[number, number]> = [];
    const coefs: Array<[number, number]> = [];
    let gradsKept = true;
    let maps = 0;
    const mapAsync = GPUBuffer.prototype.mapAsync;
    let maxNorm = c.start;
    for (let s = 0; s < c.steps; s++) {
      maxNorm /= c.shrink;
      const grads = c.sizes.map((n) => normals(n, next, 2));
      if (c.nanAt === s) grads[0]![0] = Number.NaN;
      for (const [i, g] of grads.entries()) {
        const none = c.noGrad?.includes(i) ?? false;
        for (const ps of [separate, fused]) {
          ps[i]!.grad?.destroy();
          ps[i]!.grad = none ? null : upload(d, g);
        }
      }
      const normA = clipGradNorm(separate, maxNorm, { normType });
      a.step();
      GPUBuffer.prototype.mapAsync = function (...args) {
        maps++;
        return mapAsync.apply(this, args);
      };
      let normB: ReturnType<typeof clippedStep>;
      try {
        normB = clippedStep(b, maxNorm, { normType });
      } finally {
        GPUBuffer.prototype.mapAsync = mapAsync;
      }
      const [na, nb] = [await readBuffer(d, normA.buffer, 2), await readBuffer(d, normB.buffer, 2)];
      totals.push([na[0]!, nb[0]!]);
      coefs.push([na[1]!, nb[1]!]);
      normA.destroy();
      normB.destroy();
      for (let i = 0; i < c.sizes.length; i++) {
        const n = c.sizes[i]!;
        const at = firstDifference(
          await readBuffer(d, separate[i]!.buffer, n),
          await readBuffer(d, fused[i]!.buffer, n),
        );
        if (at >= 0) differences.push({ step: s, param: i, at });
        const g = fused[i]!.grad;
        if (g && firstDifference(await readBuffer(d, g, n), grads[i]!) >= 0) gradsKept = false;
      }
    }
    const sameState =
      JSON.stringify(plain(await a.stateDictAsync())) === JSON.stringify(plain(await b.stateDictAsync()));
    a.destroy();
    b.destroy();
    return { firstDifference: differences, sameState, totals, coefs, gradsKept, maps, hooks };
  } finally {
    setChunkElements(d, null);
  }
}

/** The message of each bad call, or "no error". */
export async function refusals(): Promise<Record<string, string>> {
  const d = await device();
  const p = gpuParam(upload(d, new Float32Array(4)), [4], d, { name: "w" });
  p.grad = upload(d, new Float32Array(4));
  const message = errorMessage;
  return {
    p3: message(() => clipGradNorm([p], 1, { normType: 3 })),
    negative: message(() => clipGradNorm([p], -1)),
    cpuNegative: message(() => cpu.clipGradNorm([cpu.param([1])], -1)),
    badNorm: message(() => clipGradNorm([p], 1, { normType: 0 })),
    errorIfNonfinite: message(() => clipGradNorm([p], 1, { errorIfNonfinite: true })),
    notAParam: message(() => clipGradNorm([cpu.param([1]) as never], 1)),
    smallGrad: message(() => {
      const q = gpuParam(upload(d, new Float32Array(8)), [8], d);
      q.grad = d.createBuffer({ size: 16, usage: USAGE });
      clipGradNorm([q], 1);
    }),
    stepP3: message(() => clippedStep(gpuOptimizer("Adam", [p], {}), 1, { normType: 3 })),
    stepNegative: message(() => clippedStep(gpuOptimizer("Adam", [p], {}), -1)),
    stepErrorIfNonfinite: message(() =>
      clippedStep(gpuOptimizer("Adam", [p], {}), 1, { errorIfNonfinite: true }),
    ),
    stepWrapped: message(() => clippedStep(new SkipNonFinite(gpuOptimizer("Adam", [p], {})) as never, 1)),
    stepCpu: message(() => clippedStep(new cpu.Adam([cpu.param([1])]) as never, 1)),
    stepMuon: message(() => {
      const w = gpuParam(upload(d, new Float32Array(16)), [4, 4], d, { name: "w" });
      w.grad = upload(d, new Float32Array(16).fill(1));
      clippedStep(gpuOptimizer("Muon", [w], {}), 1);
    }),
  };
}
