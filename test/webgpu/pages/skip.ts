// SkipNonFinite on the GPU in a page: runs with NaN/∞ grads injected, against the same optimizer on the
// GPU fed only the finite steps (bit for bit), against descent-optim's SkipNonFinite on the CPU, across
// GPU → CPU → GPU resumes, past the window of exact candidate steps, and its refusals.
/// <reference types="@webgpu/types" />

import * as cpu from "../../../src/index.js";
import { setChunkElements } from "../../../src/webgpu/executor.js";
import {
  type GpuParam,
  gpuOptimizer,
  gpuParam,
  readBuffer,
  SkipNonFinite,
} from "../../../src/webgpu/index.js";
import { device, errorMessageAsync, normals, plain, random, upload } from "./common.js";

type CpuClass = new (params: cpu.Param[], options: Record<string, unknown>) => cpu.Optimizer;
const CPU_CLASSES = cpu as unknown as Record<string, CpuClass>;

export interface GatedCase {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  steps: number;
  /** Step (0-based) → [param, element, value] made non-finite ("NaN", "Infinity", "-Infinity"). */
  bad: Record<number, [number, number, string]>;
  /** Steps (0-based) at which param 1 has no grad. */
  noGrad?: number[];
  /** Bind buffers in chunks of this many elements. */
  chunk?: number;
  /** Exact candidate steps per param (the float32 fallback past it). */
  window?: number;
}

/** Each step's grads; the non-finite steps poisoned; `null` for a missing grad. */
function gradsOf(c: GatedCase): Array<Array<Float32Array | null>> {
  const next = random(31);
  return Array.from({ length: c.steps }, (_, s) =>
    c.sizes.map((n, i) => {
      const g = normals(n, next, 0.5);
      const poison = c.bad[s];
      if (poison && poison[0] === i) g[poison[1]] = Number(poison[2]);
      return i === 1 && c.noGrad?.includes(s) ? null : g;
    }),
  );
}

function initOf(c: GatedCase): Float32Array[] {
  const next = random(17);
  return c.sizes.map((n) => normals(n, next));
}

async function gpuRun(
  d: GPUDevice,
  opt: { step(): unknown },
  params: GpuParam[],
  grads: Array<Array<Float32Array | null>>,
  from: number,
  to: number,
  only?: (s: number) => boolean,
): Promise<number> {
  let maps = 0;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  for (let s = from; s < to; s++) {
    if (only && !only(s)) continue;
    params.forEach((p, i) => {
      const g = grads[s]![i]!;
      if (g === null) p.grad = null;
      else p.grad = upload(d, g);
    });
    GPUBuffer.prototype.mapAsync = function (...args) {
      maps++;
      return mapAsync.apply(this, args);
    };
    try {
      opt.step();
    } finally {
      GPUBuffer.prototype.mapAsync = mapAsync;
    }
  }
  await d.queue.onSubmittedWorkDone();
  return maps;
}

const read = (d: GPUDevice, ps: GpuParam[]) =>
  Promise.all(ps.map(async (p) => Array.from(await readBuffer(d, p.buffer, p.size))));

/**
 * The case three ways: gated on the GPU, on the GPU without the gate fed only the finite steps, and
 * through descent-optim's SkipNonFinite on the CPU. Their params and state dicts, and the maps in step().
 */
export async function gated(c: GatedCase): Promise<{
  gpu: { params: number[][]; state: any };
  finiteOnly: { params: number[][]; state: any };
  cpu: { params: number[][]; state: any };
  maps: number;
  skipped: number;
}> {
  const d = await device();
  const grads = gradsOf(c);
  const init = initOf(c);
  const make = () => init.map((v, i) => gpuParam(upload(d, v), [v.length], d, { name: `p${i}` }));
  if (c.chunk) setChunkElements(d, c.chunk);
  try {
    const a = make();
    const gate = new SkipNonFinite(gpuOptimizer(c.name, a, c.options));
    if (c.window) gate.setWindow(c.window);
    const maps = await gpuRun(d, gate, a, grads, 0, c.steps);
    const skipped = await gate.skippedAsync();
    const gpuState = plain(await gate.stateDictAsync());

    const b = make();
    const plainOpt = gpuOptimizer(c.name, b, c.options);
    await gpuRun(d, plainOpt, b, grads, 0, c.steps, (s) => c.bad[s] === undefined);
    const finiteState = plain(await plainOpt.stateDictAsync()) as Record<string, unknown>;

    const cpuParams = init.map((v, i) => cpu.param(v.slice(), { name: `p${i}` }));
    const ref = new cpu.SkipNonFinite(new CPU_CLASSES[c.name]!(cpuParams, c.options));
    for (let s = 0; s < c.steps; s++) {
      cpuParams.forEach((p, i) => {
        const g = grads[s]![i]!;
        p.grad = g === null ? null : g.slice();
      });
      ref.step();
    }
    return {
      gpu: { params: await read(d, a), state: gpuState },
      finiteOnly: {
        params: await read(d, b),
        state: { ...finiteState, skipNonFinite: { onNonFinite: "skip", skipped } },
      },
      cpu: { params: cpuParams.map((p) => Array.from(p.data)), state: plain(ref.stateDict()) },
      maps,
      skipped,
    };
  } finally {
    setChunkElements(d, null);
  }
}

/**
 * k gated GPU steps, the state dict through descent-optim's SkipNonFinite on the CPU and into a new gated
 * GPU optimizer, m more steps; against k + m steps uninterrupted. Also a load of the GPU's dict into the
 * CPU class directly (it must take it).
 */
export async function resume(c: GatedCase & { k: number }): Promise<{
  straight: number[][];
  resumed: number[][];
  straightState: unknown;
  resumedState: unknown;
  cpuState: unknown;
  gpuState: unknown;
}> {
  const d = await device();
  const grads = gradsOf(c);
  const init = initOf(c);
  const make = () => init.map((v, i) => gpuParam(upload(d, v), [v.length], d, { name: `p${i}` }));
  const a = make();
  const straight = new SkipNonFinite(gpuOptimizer(c.name, a, c.options));
  await gpuRun(d, straight, a, grads, 0, c.steps);

  const b = make();
  const first = new SkipNonFinite(gpuOptimizer(c.name, b, c.options));
  await gpuRun(d, first, b, grads, 0, c.k);
  const saved = await first.stateDictAsync();
  const values = await read(d, b);
  const cpuParams = values.map((v, i) => cpu.param(new Float32Array(v), { name: `p${i}` }));
  const onCpu = new cpu.SkipNonFinite(new CPU_CLASSES[c.name]!(cpuParams, c.options));
  onCpu.loadStateDict(saved);
  const fromCpu = onCpu.stateDict();
  const cParams = make();
  cParams.forEach((p, i) => {
    upload(d, cpuParams[i]!.data as Float32Array, p.buffer);
  });
  const second = new SkipNonFinite(gpuOptimizer(c.name, cParams, c.options));
  await second.loadStateDictAsync(fromCpu);
  await gpuRun(d, second, cParams, grads, c.k, c.steps);
  return {
    straight: await read(d, a),
    resumed: await read(d, cParams),
    straightState: plain(await straight.stateDictAsync()),
    resumedState: plain(await second.stateDictAsync()),
    cpuState: plain(fromCpu),
    gpuState: plain(saved),
  };
}

/** The message of each bad use, or "no error". */
export async function refusals(): Promise<Record<string, string>> {
  const d = await device();
  const p = gpuParam(upload(d, new Float32Array(4)), [4], d, { name: "w" });
  p.grad = upload(d, new Float32Array(4));
  const message = errorMessageAsync;
  return {
    error: await message(() => new SkipNonFinite(gpuOptimizer("Adam", [p]), { onNonFinite: "error" })),
    badKey: await message(
      () => new SkipNonFinite(gpuOptimizer("Adam", [p]), { onNonfinite: "skip" } as never),
    ),
    cpuOptimizer: await message(() => new SkipNonFinite(new cpu.Adam([cpu.param([1])]) as never)),
    nadam: await message(() => new SkipNonFinite(gpuOptimizer("NAdam", [p]))),
    asgd: await message(() => new SkipNonFinite(gpuOptimizer("ASGD", [p]))),
    scheduleFree: await message(() => new SkipNonFinite(gpuOptimizer("ScheduleFreeAdamW", [p]))),
    loadInner: await message(async () => {
      const gate = new SkipNonFinite(gpuOptimizer("Adam", [p]));
      await gate.loadStateDictAsync(await gate.inner.stateDictAsync());
    }),
    loadBadSkipped: await message(async () => {
      const gate = new SkipNonFinite(gpuOptimizer("Adam", [p]));
      const sd = await gate.stateDictAsync();
      await gate.loadStateDictAsync({ ...sd, skipNonFinite: { onNonFinite: "skip", skipped: -1 } } as never);
    }),
  };
}
