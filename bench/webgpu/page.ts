// The page of `npm run bench:webgpu`: descent's GPU optimizers on the page's WebGPU device, per step, as
// Melem/s and as a ratio to a WGSL copy kernel moving the same bytes on the same device (the bound an
// element-wise optimizer can reach), plus tf.train.adam and descent's TF.js adapter on the webgpu backend.
/// <reference types="@webgpu/types" />

import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs";
import { TfjsWebGpuOptimizer } from "../../src/tfjs/webgpu-optimizer.js";
import {
  Adam,
  clipGradNorm,
  clippedStep,
  gpuOptimizer,
  gpuParam,
  SkipNonFinite,
  type WebGpuOptimizer,
} from "../../src/webgpu/index.js";
import { workgroups } from "../../src/webgpu/executor.js";

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Bytes one step moves per element: float32 reads + writes of each buffer the kernel touches. */
const BYTES_PER_ELEMENT: Record<string, number> = {
  // param r/w, grad r, expAvg r/w, expAvgSq r/w
  Adam: 4 * 7,
  AdamW: 4 * 7,
  // param r/w, grad r, momentumBuffer r/w
  "SGD-m": 4 * 5,
};

/** Buffers each step writes (all of them also read), beside the read-only grad. */
const WRITTEN: Record<string, number> = { Adam: 3, AdamW: 3, "SGD-m": 2 };

function copyKernel(device: GPUDevice): GPUComputePipeline {
  const code = `@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
struct U { n: u32 }
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= u.n) { return; }
  dst[i] = src[i];
}`;
  return device.createComputePipeline({
    layout: "auto",
    compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
  });
}

/**
 * A kernel with the optimizer's access pattern and nothing else: each of `written` buffers gets
 * itself + the read-only one (Adam: 3 written + 1 read = 4 reads, 3 writes an element), one invocation an
 * element as the optimizer. The bound where the cost is per invocation (SwiftShader) as much as per byte.
 */
function streamKernel(device: GPUDevice, written: number): GPUComputePipeline {
  const decls = Array.from(
    { length: written },
    (_, k) => `@group(0) @binding(${k + 1}) var<storage, read_write> b${k}: array<f32>;`,
  ).join("\n");
  const body = Array.from({ length: written }, (_, k) => `  b${k}[i] = b${k}[i] + g[i];`).join("\n");
  const code = `@group(0) @binding(0) var<storage, read> g: array<f32>;
${decls}
struct U { n: u32 }
@group(0) @binding(${written + 1}) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= u.n) { return; }
${body}
}`;
  return device.createComputePipeline({
    layout: "auto",
    compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
  });
}

async function streamMs(device: GPUDevice, n: number, written: number, steps: number): Promise<number> {
  const buffers = Array.from({ length: written + 1 }, () =>
    device.createBuffer({ size: n * 4, usage: USAGE() }),
  );
  const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniform, 0, new Uint32Array([n, 0, 0, 0]));
  const pipeline = streamKernel(device, written);
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      ...buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      { binding: written + 1, resource: { buffer: uniform } },
    ],
  });
  const [x, y] = workgroups(n);
  const ms = await timed(device, steps, () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    device.queue.submit([encoder.finish()]);
  });
  for (const b of [...buffers, uniform]) b.destroy();
  return ms;
}

async function timed(device: GPUDevice, steps: number, run: () => void): Promise<number> {
  run(); // warm-up: pipelines compiled, buffers touched
  await device.queue.onSubmittedWorkDone();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) run();
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / steps;
}

/** ms per copy of `bytes` bytes (half read, half written) through one f32 storage copy kernel. */
async function copyMs(device: GPUDevice, bytes: number, steps: number): Promise<number> {
  const n = Math.floor(bytes / 8);
  const max = Math.floor(device.limits.maxStorageBufferBindingSize / 4);
  if (n > max) throw new Error(`copy of ${n} elements exceeds one binding (${max})`);
  const src = device.createBuffer({ size: n * 4, usage: USAGE() });
  const dst = device.createBuffer({ size: n * 4, usage: USAGE() });
  const uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniform, 0, new Uint32Array([n, 0, 0, 0]));
  const pipeline = copyKernel(device);
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: src } },
      { binding: 1, resource: { buffer: dst } },
      { binding: 2, resource: { buffer: uniform } },
    ],
  });
  const [x, y] = workgroups(n);
  const ms = await timed(device, steps, () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    device.queue.submit([encoder.finish()]);
  });
  for (const b of [src, dst, uniform]) b.destroy();
  return ms;
}

function optimizerFor(name: string, params: ReturnType<typeof gpuParam>[]): WebGpuOptimizer {
  if (name === "SGD-m") return gpuOptimizer("SGD", params, { lr: 1e-3, momentum: 0.9 });
  if (name === "AdamW") return gpuOptimizer("AdamW", params, { lr: 1e-3, weightDecay: 0.01 });
  return gpuOptimizer(name, params, { lr: 1e-3 });
}

export interface Row {
  what: string;
  elements: number;
  msPerStep: number;
  melemPerS: number;
  copyMs: number | null;
  ofCopyBound: number | null;
  streamMs: number | null;
  ofStreamBound: number | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * descent's GPU optimizers and the copy kernel at `elements` elements, on a fresh device: `rounds` rounds,
 * each timing every optimizer and then its copy kernel back to back (so both see the same machine load),
 * `steps` steps each; the median ms of the rounds.
 */
export async function kernels(c: { elements: number; steps: number; rounds: number }): Promise<Row[]> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter!.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter!.limits.maxBufferSize,
    },
  });
  const n = c.elements;
  const names = ["Adam", "AdamW", "SGD-m"];
  const times = new Map(
    names.map((name) => [name, { step: [] as number[], copy: [] as number[], stream: [] as number[] }]),
  );
  for (let round = 0; round < c.rounds; round++) {
    for (const name of names) {
      const buffer = device.createBuffer({ size: n * 4, usage: USAGE() });
      const p = gpuParam(buffer, [n], device);
      p.grad = device.createBuffer({ size: n * 4, usage: USAGE() });
      const opt = optimizerFor(name, [p]);
      times.get(name)!.step.push(await timed(device, c.steps, () => opt.step()));
      opt.destroy();
      buffer.destroy();
      p.grad.destroy();
      times.get(name)!.copy.push(await copyMs(device, BYTES_PER_ELEMENT[name]! * n, c.steps));
      times.get(name)!.stream.push(await streamMs(device, n, WRITTEN[name]!, c.steps));
    }
  }
  device.destroy();
  return names.map((name) => {
    const ms = median(times.get(name)!.step);
    const copy = median(times.get(name)!.copy);
    const stream = median(times.get(name)!.stream);
    return {
      what: `descent ${name}`,
      elements: n,
      msPerStep: ms,
      melemPerS: n / ms / 1e3,
      copyMs: copy,
      ofCopyBound: copy / ms,
      streamMs: stream,
      ofStreamBound: stream / ms,
    };
  });
}

/** tf.train.adam and descent Adam through TfjsWebGpuOptimizer, per applyGradients on the webgpu backend (median of rounds). */
export async function tfjs(c: { elements: number; steps: number; rounds: number }): Promise<Row[]> {
  await tf.setBackend("webgpu");
  await tf.ready();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const n = c.elements;
  const rows: Row[] = [];
  const makers: Array<[string, (v: tf.Variable) => tf.Optimizer]> = [
    ["tf.train.adam", () => tf.train.adam(1e-3)],
    [
      "descent Adam via TfjsWebGpuOptimizer",
      (v) => new TfjsWebGpuOptimizer([v], (ps) => new Adam(ps, { lr: 1e-3 })),
    ],
  ];
  for (const [what, make] of makers) {
    const v = tf.variable(tf.randomNormal([n], 0, 1, "float32", 1));
    const g = tf.randomNormal([n], 0, 1, "float32", 2);
    const opt = make(v);
    const flush = async () => {
      // TF.js records work and submits lazily: a one-element read forces everything recorded so far out
      const probe = v.slice([0], [1]);
      await probe.data();
      probe.dispose();
      await device.queue.onSubmittedWorkDone();
    };
    opt.applyGradients({ [v.name]: g });
    await flush();
    const perRound: number[] = [];
    for (let round = 0; round < c.rounds; round++) {
      const t0 = performance.now();
      for (let s = 0; s < c.steps; s++) opt.applyGradients({ [v.name]: g });
      await flush();
      perRound.push((performance.now() - t0) / c.steps);
    }
    const ms = median(perRound);
    rows.push({
      what,
      elements: n,
      msPerStep: ms,
      melemPerS: n / ms / 1e3,
      copyMs: null,
      ofCopyBound: null,
      streamMs: null,
      ofStreamBound: null,
    });
    opt.dispose();
    v.dispose();
    g.dispose();
  }
  return rows;
}

/** A step of the multi-pass work, against the plain step in the same round. */
export interface PassRow {
  what: string;
  elements: number;
  msPerStep: number;
  /** ms of this over ms of `versus` in the same rounds (median of the per-round ratios). */
  ratio: number;
  versus: string;
}

/**
 * clipGradNorm + step, clippedStep, the SkipNonFinite gate + step and LAMB against the plain step on `elements`
 * elements (4 params of a quarter each, as layers), each round timing them back to back. The clip's
 * maxNorm halves every step, so every step clips (its scale pass writes every grad).
 */
export async function passes(c: { elements: number; steps: number; rounds: number }): Promise<PassRow[]> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter!.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter!.limits.maxBufferSize,
    },
  });
  const quarter = Math.ceil(c.elements / 4);
  const make = () =>
    Array.from({ length: 4 }, () => {
      const p = gpuParam(device.createBuffer({ size: quarter * 4, usage: USAGE() }), [quarter], device);
      p.grad = device.createBuffer({ size: quarter * 4, usage: USAGE() });
      const ones = new Float32Array(quarter).fill(1);
      device.queue.writeBuffer(p.grad, 0, ones);
      return p;
    });
  const cases: Array<[string, string, () => { run: () => void; done: () => void }]> = [
    [
      "Adam step",
      "Adam step",
      () => {
        const ps = make();
        const opt = gpuOptimizer("Adam", ps, { lr: 1e-3 });
        return { run: () => opt.step(), done: () => opt.destroy() };
      },
    ],
    [
      "clipGradNorm + Adam step",
      "Adam step",
      () => {
        const ps = make();
        const opt = gpuOptimizer("Adam", ps, { lr: 1e-3 });
        let maxNorm = 1;
        return {
          run: () => {
            maxNorm /= 2;
            clipGradNorm(ps, maxNorm).destroy();
            opt.step();
          },
          done: () => opt.destroy(),
        };
      },
    ],
    [
      "clippedStep(Adam) (clip fused into the step)",
      "Adam step",
      () => {
        const ps = make();
        const opt = gpuOptimizer("Adam", ps, { lr: 1e-3 });
        let maxNorm = 1;
        return {
          run: () => {
            maxNorm /= 2;
            clippedStep(opt, maxNorm).destroy();
          },
          done: () => opt.destroy(),
        };
      },
    ],
    [
      "SkipNonFinite(Adam) step",
      "Adam step",
      () => {
        const ps = make();
        const opt = new SkipNonFinite(gpuOptimizer("Adam", ps, { lr: 1e-3 }));
        return { run: () => opt.step(), done: () => opt.destroy() };
      },
    ],
    [
      "LAMB step",
      "Adam step",
      () => {
        const ps = make();
        const opt = gpuOptimizer("LAMB", ps, { lr: 1e-3 });
        return { run: () => opt.step(), done: () => opt.destroy() };
      },
    ],
  ];
  const times = new Map(cases.map(([what]) => [what, [] as number[]]));
  for (let round = 0; round < c.rounds; round++) {
    for (const [what, , setup] of cases) {
      const { run, done } = setup();
      times.get(what)!.push(await timed(device, c.steps, run));
      done();
    }
  }
  device.destroy();
  return cases.map(([what, versus]) => {
    const mine = times.get(what)!;
    const theirs = times.get(versus)!;
    return {
      what,
      elements: c.elements,
      msPerStep: median(mine),
      ratio: median(mine.map((t, r) => t / theirs[r]!)),
      versus,
    };
  });
}

export async function adapterInfo(): Promise<string> {
  const a = await navigator.gpu.requestAdapter();
  return `${a!.info.vendor} ${a!.info.architecture} ${a!.info.description}`.trim();
}
