/// <reference types="@webgpu/types" />
// The generated WGSL kernels (src/kernels/generated/wgsl.ts) on a real WebGPU device: every shader compiles
// and makes a pipeline with the layout its bindings declare, and a kernel's passes run one step over
// buffers given by the test, which reads every buffer back.

import { WGSL_KERNELS, type WgslVariant } from "../../../src/kernels/generated/wgsl.js";
import { BLOCK_ELEMENTS } from "../../../src/kernels/wgsl-types.js";

/** Workgroups of a pass over n elements: 256 elements each, or a block each for "blocks". */
function groupsOf(dispatch: string, n: number): number {
  return Math.ceil(n / (dispatch === "blocks" ? BLOCK_ELEMENTS : 256));
}

let devicePromise: Promise<GPUDevice> | undefined;
function device(): Promise<GPUDevice> {
  devicePromise ??= (async () => {
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) throw new Error("requestAdapter() gave null");
    return adapter.requestDevice();
  })();
  return devicePromise;
}

function layoutOf(d: GPUDevice, v: WgslVariant): GPUPipelineLayout {
  const entries: GPUBindGroupLayoutEntry[] = v.bindings.map((b, j) => ({
    binding: j,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type: b.access === "read" ? "read-only-storage" : "storage" },
  }));
  entries.push({
    binding: v.bindings.length,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type: "uniform" },
  });
  return d.createPipelineLayout({ bindGroupLayouts: [d.createBindGroupLayout({ entries })] });
}

const pipelines = new Map<string, GPUComputePipeline>();

async function pipeline(d: GPUDevice, v: WgslVariant): Promise<GPUComputePipeline> {
  let p = pipelines.get(v.code);
  if (!p) {
    const module = d.createShaderModule({ code: v.code });
    p = await d.createComputePipelineAsync({
      layout: layoutOf(d, v),
      compute: { module, entryPoint: "main" },
    });
    pipelines.set(v.code, p);
  }
  return p;
}

export interface Compiled {
  shaders: number;
  /** "rule/pass/variant: message" for every compilation error, warning or pipeline failure. */
  problems: string[];
}

/** Compiles every variant of every pass of every kernel and builds its pipeline with the declared layout. */
export async function compileAll(): Promise<Compiled> {
  const d = await device();
  const problems: string[] = [];
  let shaders = 0;
  for (const k of Object.values(WGSL_KERNELS)) {
    for (const pass of k.passes) {
      for (const [index, v] of pass.variants.entries()) {
        shaders++;
        const where = `${k.rule}/${pass.name}/${index}`;
        const module = d.createShaderModule({ code: v.code });
        const info = await module.getCompilationInfo();
        for (const m of info.messages)
          problems.push(`${where}: ${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`);
        d.pushErrorScope("validation");
        try {
          await d.createComputePipelineAsync({
            layout: layoutOf(d, v),
            compute: { module, entryPoint: "main" },
          });
        } catch (e) {
          problems.push(`${where}: pipeline: ${(e as Error).message}`);
        }
        const error = await d.popErrorScope();
        if (error) problems.push(`${where}: validation: ${error.message}`);
      }
    }
  }
  return { shaders, problems };
}

export interface StepInput {
  rule: string;
  /** The variant index (Σ flag_j << j). */
  variant: number;
  n: number;
  /** Every buffer of the rule by name, as float32 values. */
  buffers: Record<string, number[]>;
  /** The rule's scalars in WgslKernel.scalars order. */
  scalars: number[];
  /** The gate's value (non-zero: the update pass must write nothing). */
  gate?: number;
  /** The clip coefficient bound as `clip` ("NaN" for NaN); 1 (the grads as they are) if absent. */
  clip?: number | "NaN";
}

/** One step of a kernel: every pass in order in one submission; returns every buffer (and results) after. */
export async function step(input: StepInput): Promise<Record<string, number[]>> {
  const d = await device();
  const k = WGSL_KERNELS[input.rule];
  if (!k) throw new Error(`no kernel ${input.rule}`);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const make = (values: ArrayLike<number>, length: number): GPUBuffer => {
    const data = new Float32Array(Math.max(length, 4));
    data.set(values as ArrayLike<number>);
    const b = d.createBuffer({ size: data.byteLength, usage });
    d.queue.writeBuffer(b, 0, data);
    return b;
  };
  const buffers = new Map<string, GPUBuffer>();
  for (const name of k.buffers) buffers.set(name, make(input.buffers[name]!, input.n));
  // 256 partials per block
  const partials = Math.ceil(input.n / BLOCK_ELEMENTS) * 256;
  buffers.set("partials", make([], Math.max(1, partials) * Math.max(1, k.reductions)));
  buffers.set("results", make([], Math.max(1, k.results)));
  buffers.set("gate", make([input.gate ?? 0], 1));
  buffers.set("clip", make([0, input.clip === "NaN" ? Number.NaN : (input.clip ?? 1)], 2));
  const header = new ArrayBuffer(k.uniformSize);
  new Uint32Array(header, 0, 2).set([input.n, 0]);
  new Float32Array(header, 8, k.scalars.length).set(input.scalars);
  const uniform = d.createBuffer({
    size: k.uniformSize,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  d.queue.writeBuffer(uniform, 0, header);

  const encoder = d.createCommandEncoder();
  const pass = encoder.beginComputePass();
  for (const p of k.passes) {
    const v = p.variants[input.variant]!;
    const pipe = await pipeline(d, v);
    const entries: GPUBindGroupEntry[] = v.bindings.map((b, j) => ({
      binding: j,
      resource: { buffer: buffers.get(b.name)! },
    }));
    entries.push({ binding: v.bindings.length, resource: { buffer: uniform } });
    pass.setPipeline(pipe);
    pass.setBindGroup(0, d.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries }));
    const workgroups = groupsOf(p.dispatch, input.n);
    if (p.dispatch === "single") pass.dispatchWorkgroups(1);
    else if (workgroups > 0)
      pass.dispatchWorkgroups(Math.min(workgroups, 65535), Math.ceil(workgroups / 65535));
  }
  pass.end();
  const reads = new Map<string, GPUBuffer>();
  for (const [name, b] of buffers) {
    const r = d.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(b, 0, r, 0, b.size);
    reads.set(name, r);
  }
  d.queue.submit([encoder.finish()]);
  const out: Record<string, number[]> = {};
  for (const [name, r] of reads) {
    await r.mapAsync(GPUMapMode.READ);
    const all = Array.from(new Float32Array(r.getMappedRange()));
    out[name] = k.buffers.includes(name) ? all.slice(0, input.n) : all;
    r.destroy();
  }
  for (const b of buffers.values()) b.destroy();
  uniform.destroy();
  return out;
}

export interface AcrossInput {
  rule: string;
  variant: number;
  /** Each param's single buffer (the rule has one, e.g. grad), as float32 values. */
  params: number[][];
  scalars: number[];
}

/**
 * A reduction across params, as a runtime chains it: the partials pass per param into one buffer (each at
 * its own `base`), one finish over all of them, then the update pass (if any) per param. Returns every
 * param's buffer after, and the results.
 */
export async function across(input: AcrossInput): Promise<{ params: number[][]; results: number[] }> {
  const d = await device();
  const k = WGSL_KERNELS[input.rule];
  if (k?.buffers.length !== 1) throw new Error(`${input.rule} is not a one-buffer reduction`);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const make = (values: ArrayLike<number>, length: number): GPUBuffer => {
    const data = new Float32Array(Math.max(length, 4));
    data.set(values as ArrayLike<number>);
    const b = d.createBuffer({ size: data.byteLength, usage });
    d.queue.writeBuffer(b, 0, data);
    return b;
  };
  const uniform = (n: number, base: number): GPUBuffer => {
    const header = new ArrayBuffer(k.uniformSize);
    new Uint32Array(header, 0, 2).set([n, base]);
    new Float32Array(header, 8, k.scalars.length).set(input.scalars);
    const b = d.createBuffer({
      size: k.uniformSize,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    d.queue.writeBuffer(b, 0, header);
    return b;
  };
  const grads = input.params.map((values) => make(values, values.length));
  // each param's partials (256 per block) after the previous param's
  const blockCounts = input.params.map((values) => Math.ceil(values.length / BLOCK_ELEMENTS));
  const bases = blockCounts.map((_, p) => 256 * blockCounts.slice(0, p).reduce((a, b) => a + b, 0));
  const total = blockCounts.reduce((a, b) => a + b, 0);
  const shared: Record<string, GPUBuffer> = {
    partials: make([], Math.max(1, 256 * total * k.reductions)),
    results: make([], Math.max(1, k.results)),
    gate: make([0], 1),
  };
  const encoder = d.createCommandEncoder();
  const pass = encoder.beginComputePass();
  const run = async (
    p: (typeof k.passes)[number],
    buffer: GPUBuffer | null,
    u: GPUBuffer,
    groups: number,
  ) => {
    const v = p.variants[input.variant]!;
    const pipe = await pipeline(d, v);
    const entries: GPUBindGroupEntry[] = v.bindings.map((b, j) => ({
      binding: j,
      resource: { buffer: b.name === k.buffers[0] ? buffer! : shared[b.name]! },
    }));
    entries.push({ binding: v.bindings.length, resource: { buffer: u } });
    pass.setPipeline(pipe);
    pass.setBindGroup(0, d.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(Math.min(groups, 65535), Math.ceil(groups / 65535));
  };
  for (const p of k.passes) {
    if (p.dispatch === "single") await run(p, null, uniform(BLOCK_ELEMENTS * total, 0), 1);
    else {
      for (const [j, g] of grads.entries()) {
        const n = input.params[j]!.length;
        await run(p, g, uniform(n, bases[j]!), groupsOf(p.dispatch, n));
      }
    }
  }
  pass.end();
  const targets = [...grads, shared.results!];
  const reads = targets.map((b) => {
    const r = d.createBuffer({ size: b.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.copyBufferToBuffer(b, 0, r, 0, b.size);
    return r;
  });
  d.queue.submit([encoder.finish()]);
  const out: number[][] = [];
  for (const r of reads) {
    await r.mapAsync(GPUMapMode.READ);
    out.push(Array.from(new Float32Array(r.getMappedRange())));
    r.destroy();
  }
  for (const b of [...grads, ...Object.values(shared)]) b.destroy();
  return {
    params: out.slice(0, grads.length).map((values, j) => values.slice(0, input.params[j]!.length)),
    results: out.at(-1)!.slice(0, k.results),
  };
}
