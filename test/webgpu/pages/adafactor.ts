// Adafactor on the GPU in a page: against the CPU class step by step (params, factors, variances), resumed
// GPU → CPU → GPU, several params sharing the scratch, and a state dict loaded from the CPU side.
/// <reference types="@webgpu/types" />

import * as cpu from "../../../src/index.js";
import { gpuOptimizer, gpuParam, readBuffer } from "../../../src/webgpu/index.js";
import { device, errorMessageAsync, normals, plain, random, ulps, upload, USAGE } from "./common.js";
import { aloneAndTogether, resumeThroughCpu, size } from "./runs.js";

export interface AdafactorCase {
  shapes: number[][];
  options: Record<string, unknown>;
  steps: number;
  seed: number;
  /** Options changed before step k (1-based). */
  changes?: Record<number, Record<string, unknown>>;
}

/**
 * Each step starts the GPU optimizer from the CPU optimizer's params and state (loadStateDictAsync), steps
 * both on the same grads and reports per step the largest distance in float32 ulps: of the params, judged
 * by the larger of |θ| and the CPU's move |θ' − θ|, and of the state buffers
 * (rowVar, colVar, variance), judged by their own size. Also the step counts of both, and maps in step().
 */
export async function againstCpu(
  c: AdafactorCase,
): Promise<{ paramUlps: number[]; stateUlps: number[]; steps: number[][]; maps: number }> {
  const d = await device();
  const next = random(c.seed);
  const cpuParams = c.shapes.map((shape, i) =>
    cpu.param(normals(size(shape), next), { shape, name: `p${i}` }),
  );
  const gpuParams = cpuParams.map((p, i) =>
    gpuParam(upload(d, p.data as Float32Array), p.shape, d, { name: `p${i}` }),
  );
  const grads = c.shapes.map((shape) => d.createBuffer({ size: Math.max(4, size(shape) * 4), usage: USAGE }));
  const ref = new cpu.Adafactor(cpuParams, c.options);
  const gpu = gpuOptimizer("Adafactor", gpuParams, c.options);
  let maps = 0;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  const out = { paramUlps: [] as number[], stateUlps: [] as number[], steps: [] as number[][] };
  for (let step = 1; step <= c.steps; step++) {
    await gpu.loadStateDictAsync(ref.stateDict());
    const change = c.changes?.[step];
    if (change) for (const g of [...ref.paramGroups, ...gpu.paramGroups]) Object.assign(g, change);
    const olds = cpuParams.map((p) => Float32Array.from(p.data));
    cpuParams.forEach((p, i) => {
      upload(d, p.data as Float32Array, gpuParams[i]!.buffer);
      const grad = normals(p.data.length, next, 0.5);
      p.grad = grad;
      gpuParams[i]!.grad = upload(d, grad, grads[i]);
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
    let paramUlps = 0;
    let stateUlps = 0;
    const steps: number[] = [];
    for (let i = 0; i < cpuParams.length; i++) {
      const p = cpuParams[i]!;
      const n = p.data.length;
      const got = await readBuffer(d, gpuParams[i]!.buffer, n);
      for (let k = 0; k < n; k++) {
        const move = Math.abs(p.data[k]! - olds[i]![k]!);
        paramUlps = Math.max(paramUlps, ulps(got[k]!, p.data[k]!, Math.max(move, Math.abs(olds[i]![k]!))));
      }
      const mine = gs.state[i] as Record<string, number | Float32Array>;
      const theirs = cs.state[i] as Record<string, number | Float32Array>;
      if (JSON.stringify(Object.keys(mine)) !== JSON.stringify(Object.keys(theirs)))
        throw new Error(
          `step ${step}: state keys ${Object.keys(mine)} on the GPU, ${Object.keys(theirs)} on the CPU`,
        );
      steps.push(mine.step as number, theirs.step as number);
      for (const key of Object.keys(theirs)) {
        const a = mine[key];
        const b = theirs[key];
        if (typeof b === "number") continue;
        if (!(a instanceof Float32Array) || a.length !== b!.length)
          throw new Error(
            `step ${step}: ${i}.${key} has ${String((a as Float32Array)?.length)} elements on the GPU`,
          );
        for (let k = 0; k < b!.length; k++) stateUlps = Math.max(stateUlps, ulps(a[k]!, b![k]!, 0));
      }
    }
    out.paramUlps.push(paramUlps);
    out.stateUlps.push(stateUlps);
    out.steps.push(steps);
  }
  gpu.destroy();
  for (const b of [...grads, ...gpuParams.map((p) => p.buffer)]) b.destroy();
  return { ...out, maps };
}

/** k GPU steps, then through a CPU Adafactor and back to a new GPU Adafactor; against k + m steps uninterrupted. */
export const resume = (c: { shapes: number[][]; options: Record<string, unknown>; k: number; m: number }) =>
  resumeThroughCpu("Adafactor", cpu.Adafactor, c);

/** Each param stepped by its own optimizer against all in one (the scratch shared): the params of each. */
export const shared = (c: { shapes: number[][]; options: Record<string, unknown>; steps: number }) =>
  aloneAndTogether("Adafactor", c, false);

/** A bad state dict (a rowVar of the wrong length): its message, and whether the state changed. */
export async function badLoad(): Promise<{ message: string; unchanged: boolean }> {
  const d = await device();
  const p = gpuParam(upload(d, new Float32Array(12).fill(1)), [3, 4], d);
  const opt = gpuOptimizer("Adafactor", [p]);
  p.grad = upload(d, new Float32Array(12).fill(0.5));
  opt.step();
  const before = JSON.stringify(plain(await opt.stateDictAsync()));
  const bad = await opt.stateDictAsync();
  (bad.state[0] as Record<string, unknown>).rowVar = new Float32Array(4);
  const message = await errorMessageAsync(() => opt.loadStateDictAsync(bad));
  return { message, unchanged: JSON.stringify(plain(await opt.stateDictAsync())) === before };
}
