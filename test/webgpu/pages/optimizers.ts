// The GPU optimizers in a page: each against its CPU class (the TypeScript rule; this page is not
// cross-origin isolated, so the CPU path runs the plain rule in float64 math, rounded once on store),
// against recorded torch traces, across GPU → CPU → GPU resumes, chunked, and under a scheduler.
/// <reference types="@webgpu/types" />

import * as cpu from "../../../src/index.js";
import * as f32 from "../../../src/kernels/generated/reference-f32.js";
import { setChunkElements } from "../../../src/webgpu/executor.js";
import { WGSL_KERNELS } from "../../../src/webgpu/kernels.js";
import {
  GPU_RULES,
  type GpuParam,
  gpuOptimizer,
  gpuParam,
  readBuffer,
  type WebGpuOptimizer,
} from "../../../src/webgpu/index.js";
import {
  device,
  errorMessage,
  errorMessageAsync,
  normals,
  plain,
  random,
  ulps,
  upload,
  USAGE,
} from "./common.js";
import { stepRange } from "./runs.js";

type CpuClass = new (params: cpu.Param[], options: Record<string, unknown>) => cpu.Optimizer;
const CPU_CLASSES = cpu as unknown as Record<string, CpuClass>;

/** A float32 reference rule: n, then one object per group (buffers, flags when it has any, scalars). */
type Reference = (n: number, ...groups: Array<Record<string, Float32Array | boolean | number>>) => void;

/**
 * What the float32 reference of the rule (src/kernels/generated/reference-f32.ts, every operation rounded
 * to float32) makes of one step from `state`: the GPU rule's own per-step args, over CPU copies.
 */
function referenceStep(
  name: string,
  group: Record<string, unknown>,
  param: Float32Array,
  grad: Float32Array,
  state: Record<string, unknown> | undefined,
): { param: Float32Array; state: Record<string, Float32Array | number> } {
  const rule = GPU_RULES[name]!;
  const kernel = WGSL_KERNELS[rule.kernel]!;
  const copy: Record<string, Float32Array | number> | undefined =
    state &&
    Object.fromEntries(
      Object.entries(state).map(([k, v]) => [k, v instanceof Float32Array ? v.slice() : (v as number)]),
    );
  const p = param.slice();
  const n = p.length;
  const token = { buffer: p, size: n, shape: [n] } as unknown as GpuParam;
  // a copy: the group's own counters (schedule-free's) advance in prepareGroup
  const groupScalars = rule.prepareGroup?.({ ...group } as never) ?? {};
  const prepared = rule.prepare(
    token,
    grad as never,
    copy as never,
    group as never,
    ((fill?: number | Float32Array) =>
      fill instanceof Float32Array ? fill.slice() : new Float32Array(n).fill(fill ?? 0)) as never,
    groupScalars,
  );
  const args = prepared.args;
  const scratch = new Float32Array(n);
  const fn = (f32 as unknown as Record<string, Reference>)[`${kernel.rule}F32`]!;
  const flags = Object.fromEntries(kernel.flags.map((f) => [f, args.flags[f]!]));
  fn(
    n,
    Object.fromEntries(
      kernel.buffers.map((b) => [b, (args.buffers[b] as unknown as Float32Array | null) ?? scratch]),
    ),
    ...(kernel.flags.length > 0 ? [flags] : []),
    Object.fromEntries(kernel.scalars.map((k) => [k, args.scalars[k]!])),
  );
  return { param: p, state: (prepared.state ?? {}) as unknown as Record<string, Float32Array | number> };
}

export interface ReferenceCase {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  steps: number;
  seed: number;
  /** Options changed before step k (1-based), e.g. { 3: { amsgrad: true } }. */
  changes?: Record<number, Record<string, unknown>>;
}

/**
 * Each step starts the GPU optimizer from the CPU optimizer's params and state (loaded through
 * loadStateDictAsync), steps both on the same grads and measures, per step, the largest distance in
 * float32 ulps between them over params and state buffers. step() must not map any buffer.
 */
export async function againstCpu(
  c: ReferenceCase,
): Promise<{ maxUlps: number[]; maxCpuUlps: number[]; maps: number }> {
  const d = await device();
  const next = random(c.seed);
  const cpuParams = c.sizes.map((n, i) => cpu.param(normals(n, next), { name: `p${i}` }));
  const gpuParams = cpuParams.map((p, i) =>
    gpuParam(upload(d, p.data as Float32Array), [p.data.length], d, { name: `p${i}` }),
  );
  const grads = c.sizes.map((n) => d.createBuffer({ size: n * 4, usage: USAGE }));
  const ref = new CPU_CLASSES[c.name]!(cpuParams, c.options);
  const gpu = gpuOptimizer(c.name, gpuParams, c.options);
  training(ref);
  let maps = 0;
  const mapAsync = GPUBuffer.prototype.mapAsync;
  const maxUlps: number[] = [];
  const maxCpuUlps: number[] = [];
  for (let step = 1; step <= c.steps; step++) {
    await gpu.loadStateDictAsync(ref.stateDict());
    const change = c.changes?.[step];
    if (change) for (const g of [...ref.paramGroups, ...gpu.paramGroups]) Object.assign(g, change);
    const before = ref.stateDict();
    const inputs = cpuParams.map((p, i) => {
      upload(d, p.data as Float32Array, gpuParams[i]!.buffer);
      const g = normals(p.data.length, next, 0.5);
      const scale = new Float32Array(g.length);
      for (let k = 0; k < g.length; k++) scale[k] = Math.max(Math.abs(g[k]!), Math.abs(p.data[k]!));
      p.grad = g;
      gpuParams[i]!.grad = upload(d, g, grads[i]);
      return { scale, grad: g };
    });
    const references = cpuParams.map((p, i) =>
      referenceStep(
        c.name,
        gpu.paramGroups[0]!,
        p.data as Float32Array,
        inputs[i]!.grad,
        before.state[i] as Record<string, unknown> | undefined,
      ),
    );
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
    const scaleOf = (i: number, k: number, old: number) =>
      Math.max(Math.abs(old), inputs[i]!.scale[k]!, inputs[i]!.scale[k]! ** 2);
    let worst = 0;
    let worstCpu = 0;
    const gs = await gpu.stateDictAsync();
    const cs = ref.stateDict();
    for (let i = 0; i < cpuParams.length; i++) {
      const got = await readBuffer(d, gpuParams[i]!.buffer, c.sizes[i]!);
      const reference = references[i]!;
      const cpuState = cs.state[i] as Record<string, unknown> | undefined;
      const gpuState = gs.state[i] as Record<string, unknown> | undefined;
      const oldState = before.state[i] as Record<string, unknown> | undefined;
      const pairs: Array<[ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>]> = [
        [got, reference.param, cpuParams[i]!.data, inputs[i]!.scale],
      ];
      for (const [name, value] of Object.entries(reference.state)) {
        const mine = gpuState?.[name];
        const theirs = cpuState?.[name];
        if (typeof value === "number") {
          if (mine !== value || theirs !== value)
            throw new Error(
              `step ${step}: ${i}.${name} is ${String(mine)} on the GPU, ${String(theirs)} on the CPU`,
            );
          continue;
        }
        if (!(mine instanceof Float32Array))
          throw new Error(`step ${step}: the GPU state has no ${i}.${name}`);
        if (!(theirs instanceof Float32Array))
          throw new Error(`step ${step}: the CPU state has no ${i}.${name}`);
        pairs.push([
          mine,
          value,
          theirs,
          (oldState?.[name] as Float32Array | undefined) ?? new Float32Array(value.length),
        ]);
      }
      for (const [mine, reference, theirs, old] of pairs) {
        for (let k = 0; k < reference.length; k++) {
          const scale = scaleOf(i, k, old[k]!);
          worst = Math.max(worst, ulps(mine[k]!, reference[k]!, scale));
          worstCpu = Math.max(worstCpu, ulps(mine[k]!, theirs[k]!, scale));
        }
      }
    }
    const groups = (sd: cpu.OptimizerStateDict) => JSON.stringify(sd.paramGroups.map(sorted));
    if (groups(gs) !== groups(cs))
      throw new Error(`step ${step}: param groups ${groups(gs)} on the GPU, ${groups(cs)} on the CPU`);
    maxCpuUlps.push(worstCpu);
    maxUlps.push(worst);
  }
  gpu.destroy();
  for (const b of [...grads, ...gpuParams.map((p) => p.buffer)]) b.destroy();
  return { maxUlps, maxCpuUlps, maps };
}

/** A group's entries in key order. */
function sorted(group: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(group).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Puts a schedule-free optimizer (CPU or GPU) in train mode; others have no modes. */
function training<T extends object>(opt: T): T {
  if ("train" in opt && typeof opt.train === "function") opt.train();
  return opt;
}

interface TraceCase {
  optimizer: string;
  options: Record<string, unknown>;
  /** The case's param groups: indices into `params`, and the group's own options. */
  groups: Array<{ params: number[] } & Record<string, unknown>>;
  params: Array<{ shape: number[]; init: number[] }>;
  trace: Array<{ grads: Array<number[] | null> }>;
}

/** Steps the GPU optimizer over a recorded torch case's grads; the params after every step. */
export async function torchTrace(c: TraceCase): Promise<number[][][]> {
  const d = await device();
  const params = c.params.map((p, i) =>
    gpuParam(upload(d, new Float32Array(p.init)), p.shape, d, { name: `p${i}` }),
  );
  const groups = c.groups.map(({ params: indices, ...options }) => ({
    ...options,
    params: indices.map((i) => params[i]!),
  }));
  const opt = gpuOptimizer(c.optimizer, groups, c.options);
  const out: number[][][] = [];
  for (const entry of c.trace) {
    params.forEach((p, i) => {
      const g = entry.grads[i];
      p.grad = g === null || g === undefined ? null : upload(d, new Float32Array(g));
    });
    opt.step();
    out.push(await Promise.all(params.map(async (p) => Array.from(await readBuffer(d, p.buffer, p.size)))));
    for (const p of params) p.grad?.destroy();
  }
  opt.destroy();
  return out;
}

/**
 * k GPU steps, then the state moves to a CPU optimizer of the same class and back to a new GPU optimizer
 * (params carried as values), which takes m more steps; against k + m steps uninterrupted.
 */
export async function resume(c: {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  k: number;
  m: number;
}): Promise<{
  straight: number[][];
  resumed: number[][];
  gpuState: unknown;
  cpuState: unknown;
  again: unknown;
}> {
  const d = await device();
  const next = random(7);
  const init = c.sizes.map((n) => normals(n, next));
  const grads = Array.from({ length: c.k + c.m }, () => c.sizes.map((n) => normals(n, next, 0.5)));
  const make = () => init.map((v, i) => gpuParam(upload(d, v), [v.length], d, { name: `p${i}` }));
  const a = make();
  const straight = training(gpuOptimizer(c.name, a, c.options));
  await stepRange(straight, a, grads, 0, c.k + c.m);

  const b = make();
  const first = training(gpuOptimizer(c.name, b, c.options));
  await stepRange(first, b, grads, 0, c.k);
  const saved = await first.stateDictAsync();
  const values = await Promise.all(b.map((p) => readBuffer(d, p.buffer, p.size)));
  const onCpu = new CPU_CLASSES[c.name]!(
    values.map((v, i) => cpu.param(v, { name: `p${i}` })),
    c.options,
  );
  onCpu.loadStateDict(saved);
  const fromCpu = onCpu.stateDict();
  const cParams = make();
  cParams.forEach((p, i) => {
    upload(d, onCpu.paramGroups.flatMap((g) => g.params)[i]!.data as Float32Array, p.buffer);
  });
  const second = gpuOptimizer(c.name, cParams, c.options);
  await second.loadStateDictAsync(fromCpu);
  const again = await second.stateDictAsync();
  await stepRange(second, cParams, grads, c.k, c.k + c.m);
  const read = (ps: GpuParam[]) =>
    Promise.all(ps.map(async (p) => Array.from(await readBuffer(d, p.buffer, p.size))));
  return {
    straight: await read(a),
    resumed: await read(cParams),
    gpuState: plain(saved),
    cpuState: plain(fromCpu),
    again: plain(again),
  };
}

/** The same steps with buffers bound in chunks of `chunk` elements and whole: the params of each. */
export async function chunked(c: {
  name: string;
  options: Record<string, unknown>;
  size: number;
  chunk: number;
  steps: number;
}): Promise<{ whole: number[]; inChunks: number[] }> {
  const d = await device();
  const next = random(11);
  const init = normals(c.size, next);
  const grads = Array.from({ length: c.steps }, () => [normals(c.size, next, 0.5)]);
  const go = async () => {
    const p = gpuParam(upload(d, init), [c.size], d);
    const opt = training(gpuOptimizer(c.name, [p], c.options));
    await stepRange(opt, [p], grads, 0, c.steps);
    return Array.from(await readBuffer(d, p.buffer, c.size));
  };
  const whole = await go();
  setChunkElements(d, c.chunk);
  try {
    return { whole, inChunks: await go() };
  } finally {
    setChunkElements(d, null);
  }
}

/** A StepLR over the GPU optimizer and one over the CPU optimizer: the lr each step used, and the params. */
export async function scheduled(c: {
  name: string;
  options: Record<string, unknown>;
  size: number;
  steps: number;
}): Promise<{ lrs: number[][]; got: number[]; want: number[] }> {
  const d = await device();
  const next = random(5);
  const init = normals(c.size, next);
  const ref = new CPU_CLASSES[c.name]!([cpu.param(init)], c.options);
  const p = gpuParam(upload(d, init), [c.size], d);
  const gpu = gpuOptimizer(c.name, [p], c.options);
  const s1 = new cpu.StepLR(ref, { stepSize: 2, gamma: 0.5 });
  const s2 = new cpu.StepLR(gpu, { stepSize: 2, gamma: 0.5 });
  if (gpu.schedulable !== gpu) throw new Error("schedulable is not the optimizer itself");
  const lrs: number[][] = [];
  for (let k = 0; k < c.steps; k++) {
    const g = normals(c.size, next, 0.5);
    ref.paramGroups[0]!.params[0]!.grad = g;
    p.grad = upload(d, g, p.grad ?? undefined);
    ref.step();
    gpu.step();
    lrs.push([ref.paramGroups[0]!.lr, gpu.paramGroups[0]!.lr]);
    s1.step();
    s2.step();
  }
  const got = await readBuffer(d, p.buffer, c.size);
  return { lrs, got: Array.from(got), want: Array.from(ref.paramGroups[0]!.params[0]!.data) };
}

/** The error message each bad use gives (or "no error"); `named`: gpuOptimizer(c.name). */
export async function refusals(c?: { name: string }): Promise<Record<string, string>> {
  const d = await device();
  const p = gpuParam(d.createBuffer({ size: 64, usage: USAGE }), [16], d, { name: "w" });
  const message = errorMessage;
  return {
    ...(c ? { named: message(() => gpuOptimizer(c.name, [p])) } : {}),
    cpuOnly: message(() => gpuOptimizer("LBFGS", [p])),
    unknown: message(() => gpuOptimizer("Adma", [p])),
    badLr: message(() => gpuOptimizer("Adam", [p], { lr: -1 })),
    cpuBadLr: message(() => new cpu.Adam([cpu.param([1])], { lr: -1 })),
    notAParam: message(() => gpuOptimizer("Adam", [cpu.param([1]) as never])),
    smallBuffer: message(() => gpuParam(d.createBuffer({ size: 16, usage: USAGE }), [16], d)),
    noStorage: message(() => gpuParam(d.createBuffer({ size: 64, usage: GPUBufferUsage.COPY_DST }), [16], d)),
    smallGrad: message(() => {
      const opt = gpuOptimizer("Adam", [p]);
      p.grad = d.createBuffer({ size: 32, usage: USAGE });
      opt.step();
    }),
    lrSetBad: message(() => {
      const opt = gpuOptimizer("Adam", [p]);
      p.grad = d.createBuffer({ size: 64, usage: USAGE });
      opt.paramGroups[0]!.lr = Number.NaN;
      opt.step();
    }),
  };
}

/** loadStateDictAsync of a bad state dict: its message, and whether the optimizer's state changed. */
export async function badLoad(): Promise<{ message: string; unchanged: boolean }> {
  const d = await device();
  const p = gpuParam(upload(d, new Float32Array(8).fill(1)), [8], d);
  const opt = gpuOptimizer("Adam", [p]);
  p.grad = upload(d, new Float32Array(8).fill(0.5));
  opt.step();
  const before = JSON.stringify(plain(await opt.stateDictAsync()));
  const bad = await opt.stateDictAsync();
  (bad.state[0] as Record<string, unknown>).expAvg = new Float32Array(7);
  const message = await errorMessageAsync(() => opt.loadStateDictAsync(bad));
  return { message, unchanged: JSON.stringify(plain(await opt.stateDictAsync())) === before };
}

type ScheduleFree = { train(): void; eval(): void; readonly trainMode: boolean };

/**
 * A schedule-free optimizer on the GPU and its CPU class through `actions` ("step", "train", "eval").
 * Each action starts the GPU from the CPU's params and state and is then done by both; per action, the
 * largest distance in float32 ulps between the GPU's params and z and the CPU's, and, for train()/eval(),
 * between the GPU's params and `lerp` in float32 (every operation rounded). Then both run all the actions
 * uninterrupted from the start: the GPU's params against the CPU's (relative), and the state dicts' groups.
 * A step outside train mode is refused on both: the messages.
 */
export async function scheduleFreeModes(c: {
  name: string;
  options: Record<string, unknown>;
  sizes: number[];
  actions: Array<"step" | "train" | "eval">;
  seed: number;
}): Promise<{
  maxUlps: number[];
  maxCpuUlps: number[];
  worstRelative: number;
  gpuGroups: string;
  cpuGroups: string;
  gpuRefusal: string;
  cpuRefusal: string;
}> {
  const d = await device();
  const next = random(c.seed);
  const init = c.sizes.map((n) => normals(n, next));
  const grads = c.actions.map(() => c.sizes.map((n) => normals(n, next, 0.5)));
  const make = () => {
    const cpuParams = init.map((v, i) => cpu.param(v.slice(), { name: `p${i}` }));
    const gpuParams = init.map((v, i) => gpuParam(upload(d, v), [v.length], d, { name: `p${i}` }));
    const ref = new CPU_CLASSES[c.name]!(cpuParams, c.options) as cpu.Optimizer & ScheduleFree;
    const gpu = gpuOptimizer(c.name, gpuParams, c.options) as WebGpuOptimizer & ScheduleFree;
    return { cpuParams, gpuParams, ref, gpu };
  };
  const act = (opt: ScheduleFree & { step(): unknown }, action: string) =>
    action === "step" ? opt.step() : action === "train" ? opt.train() : opt.eval();

  // action by action, each from the CPU's params and state
  const { cpuParams, gpuParams, ref, gpu } = make();
  const maxUlps: number[] = [];
  const maxCpuUlps: number[] = [];
  for (const [a, action] of c.actions.entries()) {
    await gpu.loadStateDictAsync(ref.stateDict());
    const before = cpuParams.map((p) => Float32Array.from(p.data));
    const zBefore = cpuParams.map((p) => (ref.state.get(p) as { z?: Float32Array } | undefined)?.z?.slice());
    cpuParams.forEach((p, i) => {
      upload(d, p.data as Float32Array, gpuParams[i]!.buffer);
      p.grad = grads[a]![i]!;
      gpuParams[i]!.grad = upload(d, grads[a]![i]!, gpuParams[i]!.grad ?? undefined);
    });
    const groups = ref.paramGroups.map((g) => ({ ...g }));
    act(gpu, action);
    act(ref, action);
    const gs = await gpu.stateDictAsync();
    let worst = 0;
    let worstCpu = 0;
    for (let i = 0; i < cpuParams.length; i++) {
      const got = await readBuffer(d, gpuParams[i]!.buffer, c.sizes[i]!);
      const want = cpuParams[i]!.data;
      const z = zBefore[i];
      const gpuZ = (gs.state[i] as { z?: Float32Array } | undefined)?.z;
      const cpuZ = (ref.state.get(cpuParams[i]!) as { z?: Float32Array } | undefined)?.z;
      for (let k = 0; k < want.length; k++) {
        const scale = Math.max(Math.abs(before[i]![k]!), Math.abs(z?.[k] ?? 0), Math.abs(grads[a]![i]![k]!));
        worstCpu = Math.max(worstCpu, ulps(got[k]!, want[k]!, scale));
        if (gpuZ && cpuZ) worstCpu = Math.max(worstCpu, ulps(gpuZ[k]!, cpuZ[k]!, scale));
        if (action !== "step" && z !== undefined) {
          const g = groups[0]!;
          const beta = (c.name === "ScheduleFreeSGD" ? g.momentum : (g.betas as number[])[0]) as number;
          const moved = (g.trainMode as boolean) !== (action === "train");
          const w = Math.fround(action === "train" ? 1 - beta : 1 - 1 / beta);
          const p0 = before[i]![k]!;
          const lerped = moved ? Math.fround(p0 + Math.fround(w * Math.fround(z[k]! - p0))) : p0;
          worst = Math.max(worst, ulps(got[k]!, lerped, scale));
        }
      }
    }
    if (gpu.trainMode !== ref.trainMode) throw new Error(`action ${a}: trainMode differs`);
    maxUlps.push(worst);
    maxCpuUlps.push(worstCpu);
  }

  // all the actions uninterrupted
  const run = make();
  for (const [a, action] of c.actions.entries()) {
    run.cpuParams.forEach((p, i) => {
      p.grad = grads[a]![i]!;
      run.gpuParams[i]!.grad = upload(d, grads[a]![i]!, run.gpuParams[i]!.grad ?? undefined);
    });
    act(run.gpu, action);
    act(run.ref, action);
  }
  let worstRelative = 0;
  for (let i = 0; i < run.cpuParams.length; i++) {
    const got = await readBuffer(d, run.gpuParams[i]!.buffer, c.sizes[i]!);
    const want = run.cpuParams[i]!.data;
    for (let k = 0; k < want.length; k++)
      worstRelative = Math.max(
        worstRelative,
        Math.abs(got[k]! - want[k]!) / Math.max(1e-3, Math.abs(want[k]!)),
      );
  }
  const groupsOf = (sd: cpu.OptimizerStateDict) => JSON.stringify(sd.paramGroups.map(sorted));
  const message = errorMessage;
  run.gpu.eval();
  run.ref.eval();
  const result = {
    maxUlps,
    maxCpuUlps,
    worstRelative,
    gpuGroups: groupsOf(await run.gpu.stateDictAsync()),
    cpuGroups: groupsOf(run.ref.stateDict()),
    gpuRefusal: message(() => run.gpu.step()),
    cpuRefusal: message(() => run.ref.step()),
  };
  for (const o of [gpu, run.gpu]) o.destroy();
  return result;
}
