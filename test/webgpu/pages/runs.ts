/// <reference types="@webgpu/types" />
// What the Muon and Adafactor test pages share: stepping a GPU optimizer through recorded grads, reading its
// params back, a run moved GPU → CPU → GPU against the same run uninterrupted, and params stepped alone
// against the same params in one optimizer.

import { type OptimizerStateDict, type Param, param } from "../../../src/index.js";
import {
  type GpuParam,
  gpuOptimizer,
  gpuParam,
  readBuffer,
  type WebGpuOptimizer,
} from "../../../src/webgpu/index.js";
import { device, normals, plain, random, upload } from "./common.js";

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Steps `from` to `to` (exclusive) of `grads`, each uploaded into its param's grad buffer. */
export async function stepRange(
  opt: WebGpuOptimizer,
  params: GpuParam[],
  grads: Float32Array[][],
  from: number,
  to: number,
) {
  const d = opt.device;
  for (let s = from; s < to; s++) {
    params.forEach((p, i) => {
      p.grad = upload(d, grads[s]![i]!, p.grad ?? undefined);
    });
    opt.step();
  }
  await d.queue.onSubmittedWorkDone();
}

/** The params' values, as plain arrays. */
export const readParams = (d: GPUDevice, ps: GpuParam[]) =>
  Promise.all(ps.map(async (p) => Array.from(await readBuffer(d, p.buffer, p.size))));

/** What the resume needs of a CPU optimizer class. */
/** Seeded initial values and `steps` grads per shape, and `make()` for fresh GPU params of those values. */
function inputs(d: GPUDevice, shapes: number[][], seed: number, steps: number) {
  const next = random(seed);
  const init = shapes.map((shape) => normals(size(shape), next));
  const grads = Array.from({ length: steps }, () => shapes.map((shape) => normals(size(shape), next, 0.5)));
  const make = () => init.map((v, i) => gpuParam(upload(d, v), shapes[i]!, d, { name: `p${i}` }));
  return { grads, make };
}

type CpuClass = new (
  params: Param[],
  options: Record<string, unknown>,
) => {
  paramGroups: ReadonlyArray<{ params: readonly Param[] }>;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
};

/**
 * k GPU steps of `name`, then the state moves to the CPU class and back to a new GPU optimizer (params
 * carried as values), which takes m more steps; against k + m steps uninterrupted.
 */
export async function resumeThroughCpu(
  name: string,
  Cpu: CpuClass,
  c: { shapes: number[][]; options: Record<string, unknown>; k: number; m: number },
) {
  const d = await device();
  const { grads, make } = inputs(d, c.shapes, 7, c.k + c.m);
  const a = make();
  const straight = gpuOptimizer(name, a, c.options);
  await stepRange(straight, a, grads, 0, c.k + c.m);
  const b = make();
  const first = gpuOptimizer(name, b, c.options);
  await stepRange(first, b, grads, 0, c.k);
  const saved = await first.stateDictAsync();
  const values = await Promise.all(b.map((p) => readBuffer(d, p.buffer, p.size)));
  const onCpu = new Cpu(
    values.map((v, i) => param(v, { shape: c.shapes[i]!, name: `p${i}` })),
    c.options,
  );
  onCpu.loadStateDict(saved);
  const fromCpu = onCpu.stateDict();
  const again = make();
  again.forEach((p, i) => {
    upload(d, onCpu.paramGroups.flatMap((g) => g.params)[i]!.data as Float32Array, p.buffer);
  });
  const second = gpuOptimizer(name, again, c.options);
  await second.loadStateDictAsync(fromCpu);
  const reloaded = await second.stateDictAsync();
  await stepRange(second, again, grads, c.k, c.k + c.m);
  return {
    straight: await readParams(d, a),
    resumed: await readParams(d, again),
    gpuState: plain(saved),
    cpuState: plain(fromCpu),
    again: plain(reloaded),
  };
}

/**
 * Each param stepped by its own optimizer against all in one (the scratch shared; with `laterGroups`, every
 * param after the first added as a group of its own, so the scratch grows): the params of each.
 */
export async function aloneAndTogether(
  name: string,
  c: { shapes: number[][]; options: Record<string, unknown>; steps: number },
  laterGroups: boolean,
) {
  const d = await device();
  const { grads, make } = inputs(d, c.shapes, 13, c.steps);
  const alone = make();
  for (const [i, p] of alone.entries()) {
    const opt = gpuOptimizer(name, [p], c.options);
    await stepRange(
      opt,
      [p],
      grads.map((g) => [g[i]!]),
      0,
      c.steps,
    );
    opt.destroy();
  }
  const together = make();
  const opt = gpuOptimizer(name, laterGroups ? [together[0]!] : together, c.options);
  if (laterGroups) for (const p of together.slice(1)) opt.addParamGroup({ params: [p] });
  await stepRange(opt, together, grads, 0, c.steps);
  return { alone: await readParams(d, alone), together: await readParams(d, together) };
}
