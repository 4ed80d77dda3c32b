/// <reference types="@webgpu/types" />
// SkipNonFinite on the GPU: a step whose grads hold a NaN or ±∞ is skipped whole (params and state
// unchanged), decided on the GPU, with nothing read back. The check is the generated nonFiniteCount
// reduction across every grad; its count is bound as the `gate` of every update pass.
//
// The step count. The CPU cannot know which steps the GPU skipped, so the GPU keeps the counts: one u32
// per param (its `step`, or for rules without one the steps it really took) and the skipped steps, in
// `counters`. The CPU goes on counting every step (its `state.step` runs ahead by the skips it has not
// seen) and, for each param, uploads its step-dependent scalars (Adam's lr/(1 − β1ᵗ) and 1/√(1 − β2ᵗ),
// LAMB's bias corrections) for the last WINDOW candidate steps t = cpuStep − d, d = 0…WINDOW−1, computed
// exactly as the CPU class computes them (float64, then rounded). A small pass counts on the GPU, picks
// the entry of d = cpuStep − gpuStep and copies it into the update passes' uniforms: so a run with skips
// is bit for bit a run without those steps. Past WINDOW skips unseen by the CPU, the pass computes the
// scalars itself in float32 (as torch's capturable Adam does), a few ulps from the CPU's.
// A kernel flag that follows the step (RAdam's rectify, SGD's first momentum step) is chosen the same way:
// both variants are dispatched, and the pass writes each one's gate so that only the step's runs.
// `stateDictAsync()` reads the counts back and reports the GPU's (a param all of whose steps were
// skipped has no state, as on the CPU), and resynchronises the CPU's counts, which closes the window.

import { adagradScalars } from "../optim/adagrad.js";
import { adamScalars } from "../optim/adam.js";
import { adamaxScalars } from "../optim/adamax.js";
import { radamScalars } from "../optim/radam.js";
import type { OptimizerStateDict } from "../core/optimizer.js";
import { describe } from "../core/param.js";
import { knownKeys, oneOf, optionError } from "../core/validate.js";
import type { SkipNonFiniteOptions } from "../optim/skip-non-finite.js";
import { AcrossRunner } from "./across.js";
import { WGSL_KERNELS } from "./kernels.js";
import {
  type GpuParamGroup,
  type GpuState,
  runGatedStep,
  type StepGate,
  type StepWork,
  WebGpuOptimizer,
} from "./optimizer.js";
import { GPU_RULES } from "./optimizers.js";
import { type GpuParam, storageUsage } from "./param.js";
import type { KernelRunner, PlannedItem } from "./runner.js";

/** Candidate steps uploaded per param: exact for up to WINDOW − 1 skips the CPU has not yet seen. */
const WINDOW = 16;

/** How a rule's step-dependent scalars (and kernel flag) follow from its step count, for the gate. */
interface Counted {
  /** The state key of the step count, or null when the rule keeps none (the GPU still counts steps taken). */
  readonly stepKey: "step" | null;
  /** Whether a step of this group counts (without: every step does). SGD counts its momentum steps only. */
  counts?(group: GpuParamGroup): boolean;
  /** True when the param has its state from the start (Adagrad): a param never stepped keeps it. */
  readonly initialState?: boolean;
  /** The rule's scalars that depend on the step. */
  readonly scalars: readonly string[];
  /** Their values at step t, as the CPU class computes them. */
  at(group: GpuParamGroup, t: number): number[];
  /**
   * Past the window: up to 4 floats of the group (`f0`…`f3` in WGSL, e.g. lr and ln β) and, per scalar, its
   * WGSL from them and `tf`, the GPU's count (float32), with `biasCorrection(ln β, tf)` = 1 − βᵗ.
   */
  inputs?(group: GpuParamGroup): number[];
  readonly wgsl: readonly string[];
  /**
   * A kernel flag that follows the step (RAdam's rectify, SGD's first momentum step): its value at step t,
   * as the CPU class decides it, and its WGSL past the window. Both variants are dispatched, each gated on
   * the GPU to run only when it is the step's.
   */
  readonly flag?: {
    readonly name: string;
    applies(group: GpuParamGroup): boolean;
    at(group: GpuParamGroup, t: number): boolean;
    readonly wgsl: string;
  };
}

type AdamLike = { lr: number; betas: readonly [number, number]; eps: number };
const betasOf = (group: GpuParamGroup) => (group as unknown as AdamLike).betas;

const NO_SCALARS = { scalars: [], at: () => [], wgsl: [] } as const;

const COUNTED: Readonly<Record<string, Counted>> = {
  adamUpdate: {
    stepKey: "step",
    scalars: ["stepSize", "inverseBiasCorrection2Sqrt"],
    at(group, t) {
      const s = adamScalars(group as never, t, 1, 0);
      return [s.stepSize, s.inverseBiasCorrection2Sqrt];
    },
    inputs: (group) => [group.lr, Math.log(betasOf(group)[0]), Math.log(betasOf(group)[1])],
    wgsl: ["f0 / biasCorrection(f1, tf)", "1.0 / sqrt(biasCorrection(f2, tf))"],
  },
  lambUpdate: {
    stepKey: "step",
    scalars: ["biasCorrection1", "biasCorrection2"],
    at(group, t) {
      const [beta1, beta2] = betasOf(group);
      return [1 - beta1 ** t, 1 - beta2 ** t];
    },
    inputs: (group) => [0, Math.log(betasOf(group)[0]), Math.log(betasOf(group)[1])],
    wgsl: ["biasCorrection(f1, tf)", "biasCorrection(f2, tf)"],
  },
  lionUpdate: { stepKey: null, ...NO_SCALARS },
  sgdUpdate: {
    // SGD's count is its momentum steps: whether the buffer exists yet (a first step copies the gradient)
    // is the first-step flag, decided by the GPU's count
    stepKey: null,
    counts: (group) => group.momentum !== 0,
    ...NO_SCALARS,
    flag: {
      name: "firstStep",
      applies: (group) => group.momentum !== 0,
      at: (_group, t) => t === 1,
      wgsl: "t == 1u",
    },
  },
  rmspropUpdate: { stepKey: "step", ...NO_SCALARS },
  adadeltaUpdate: { stepKey: "step", ...NO_SCALARS },
  rpropUpdate: { stepKey: "step", ...NO_SCALARS },
  adagradUpdate: {
    stepKey: "step",
    initialState: true,
    scalars: ["clr"],
    at: (group, t) => [adagradScalars(group as never, t).clr],
    inputs: (group) => [group.lr, group.lrDecay as number],
    wgsl: ["f0 / (1.0 + (tf - 1.0) * f1)"],
  },
  adamaxUpdate: {
    stepKey: "step",
    scalars: ["clr"],
    at: (group, t) => [adamaxScalars(group as never, t).clr],
    inputs: (group) => [group.lr, Math.log(betasOf(group)[0])],
    wgsl: ["f0 / biasCorrection(f1, tf)"],
  },
  radamUpdate: {
    stepKey: "step",
    scalars: ["biasCorrection1", "biasCorrection2Sqrt", "rect"],
    at(group, t) {
      const s = radamScalars(group as never, t).scalars;
      return [s.biasCorrection1, s.biasCorrection2Sqrt, s.rect];
    },
    // ρ∞ = 2/(1 − β2) − 1 from the CPU: in float32, 1 − β2 loses enough to move ρt by 0.03
    inputs: (group) => [
      2 / (1 - betasOf(group)[1]) - 1,
      Math.log(betasOf(group)[0]),
      Math.log(betasOf(group)[1]),
    ],
    wgsl: ["biasCorrection(f1, tf)", "sqrt(biasCorrection(f2, tf))", "radamRect(f0, f2, tf)"],
    flag: {
      name: "rectify",
      applies: () => true,
      at: (group, t) => radamScalars(group as never, t).rectify,
      wgsl: "radamRho(f0, f2, tf) > 5.0",
    },
  },
};

/** The class names of the gated optimizers, for messages. */
function gatedNames(): string {
  const names = Object.keys(GPU_RULES).filter((name) => GPU_RULES[name]!.kernel in COUNTED);
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The optimizers whose steps the GPU SkipNonFinite can gate, by kernel. */
export const GATED_KERNELS: readonly string[] = Object.freeze(Object.keys(COUNTED));

/** Why the other GPU optimizers are not gated: a number of their state follows every step taken. */
const NOT_GATED: Readonly<Record<string, string>> = {
  nadamUpdate:
    "its momentum-decay product μ1…μt is a float64 running product over the steps taken, which the GPU cannot keep exactly",
  asgdUpdate:
    "its η and μ are computed after each step taken from that step's lr, which the GPU cannot keep exactly",
  scheduleFreeAdamWUpdate:
    "its group counters (weightSum, lrMax) are float64 sums over the steps taken, which the GPU cannot keep exactly",
  scheduleFreeSgdUpdate:
    "its group counters (weightSum, lrMax) are float64 sums over the steps taken, which the GPU cannot keep exactly",
};

function prologueCode(counted: Counted): string {
  const picks = counted.wgsl.map((expr, s) => `      if (s == ${s}u) { v = ${expr}; }`).join("\n");
  const flag = counted.flag
    ? `    var flag = ${counted.flag.wgsl};
    if (d < u.window) {
      flag = table[base + d * u.columns + u.scalars] != 0.0;
    }
    gates[2u * j] = select(0.0, 1.0, skip || flag);
    gates[2u * j + 1u] = select(0.0, 1.0, skip || !flag);`
    : "";
  return `// descent: SkipNonFinite's step counter (src/webgpu/skip-non-finite.ts)
struct Params {
  items: u32,
  window: u32,
  scalars: u32,
  columns: u32,
  stride: u32,
}

@group(0) @binding(0) var<storage, read> bad: array<f32>;
@group(0) @binding(1) var<storage, read_write> counters: array<u32>;
@group(0) @binding(2) var<storage, read> info: array<u32>;
@group(0) @binding(3) var<storage, read> table: array<f32>;
@group(0) @binding(4) var<storage, read_write> staged: array<f32>;
@group(0) @binding(5) var<storage, read_write> gates: array<f32>;
@group(0) @binding(6) var<uniform> u: Params;

// 1 − βᵗ = −expm1(t·ln β): by its series while |t·ln β| is small (no cancellation), else 1 − exp
fn biasCorrection(logBeta: f32, t: f32) -> f32 {
  let x = t * logBeta;
  if (x > -0.5) {
    var e = 1.0;
    for (var k = 10.0; k >= 2.0; k = k - 1.0) {
      e = 1.0 + e * x / k;
    }
    return -(x * e);
  }
  return 1.0 - exp(x);
}

// RAdam's ρt = ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ), and its rectification term (1 while ρt ≤ 5)
fn radamRho(rhoInf: f32, logBeta2: f32, t: f32) -> f32 {
  return rhoInf - 2.0 * t * exp(t * logBeta2) / biasCorrection(logBeta2, t);
}

fn radamRect(rhoInf: f32, logBeta2: f32, t: f32) -> f32 {
  let rho = radamRho(rhoInf, logBeta2, t);
  if (rho <= 5.0) {
    return 1.0;
  }
  return sqrt(((rho - 4.0) * (rho - 2.0) * rhoInf) / ((rhoInf - 4.0) * (rhoInf - 2.0) * rho));
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) lid: u32) {
  let skip = bad[0] != 0.0;
  if (lid == 0u && skip) {
    counters[0] = counters[0] + 1u;
  }
  for (var j = lid; j < u.items; j = j + 64u) {
    let c = info[3u * j];
    let cpuStep = info[3u * j + 1u];
    var t = counters[c];
    if (!skip && info[3u * j + 2u] != 0u) {
      t = t + 1u;
      counters[c] = t;
    }
    let d = cpuStep - t;
    let base = j * u.stride;
    let fallback = base + u.window * u.columns;
    let f0 = table[fallback];
    let f1 = table[fallback + 1u];
    let f2 = table[fallback + 2u];
    let f3 = table[fallback + 3u];
    let tf = f32(t);
    for (var s = 0u; s < u.scalars; s = s + 1u) {
      var v = 0.0;
${picks}
      if (d < u.window) {
        v = table[base + d * u.columns + s];
      }
      staged[j * u.scalars + s] = v;
    }
${flag}
  }
}
`;
}

const PROLOGUE_BINDINGS = ["read", "storage", "read", "read", "storage", "storage"] as const;

/**
 * Wraps a GPU optimizer (descent-optim/webgpu) so that a step whose grads hold a NaN or ±∞ is skipped on
 * the GPU, with nothing read back; the same state dict as descent-optim's SkipNonFinite.
 * Gates Adam, AdamW, LAMB, Lion, SGD, RMSprop, Adagrad, Adadelta, Adamax, RAdam and Rprop; NAdam, ASGD and
 * the schedule-free optimizers are refused by name (a number of their state follows every step taken).
 */
export class SkipNonFinite<I extends WebGpuOptimizer = WebGpuOptimizer> {
  readonly inner: I;
  readonly onNonFinite = "skip" as const;
  readonly #device: GPUDevice;
  readonly #counted: Counted;
  readonly #check: AcrossRunner;
  /** nonFiniteCount's result: the number of non-finite grad elements this step (the update passes' gate). */
  readonly #bad: GPUBuffer;
  /** u32: [skipped, the count of param 1, …]. */
  #counters: GPUBuffer;
  readonly #index = new Map<GpuParam, number>();
  /** The CPU's count of steps of each param, for rules whose state keeps none. */
  readonly #cpuSteps = new Map<GpuParam, number>();
  #pipeline: GPUComputePipeline | null = null;
  #layout: GPUBindGroupLayout | null = null;
  #window = WINDOW;
  /** Per param of a split step: the gates of its two variants (the split flag false, true). */
  readonly #gates = new Map<GpuParam, [GPUBuffer, GPUBuffer]>();
  #uploads: Array<() => void> = [];
  /** The check pass's per-step buffers by role, kept between steps and regrown when too small. */
  #scratch = new Map<string, GPUBuffer>();
  #bindGroup: { group: GPUBindGroup; buffers: GPUBuffer[] } | null = null;

  constructor(inner: I, options: Partial<SkipNonFiniteOptions> = {}) {
    const where = "SkipNonFinite (descent-optim/webgpu)";
    if (inner === null || typeof inner !== "object" || !(inner instanceof WebGpuOptimizer)) {
      optionError(`${where}: expected a descent-optim/webgpu optimizer, got ${describe(inner)}`);
    }
    if (options === null || typeof options !== "object")
      optionError(`${where}: options must be an object, got ${describe(options)}`);
    knownKeys(options, ["onNonFinite"], "SkipNonFinite");
    const on = oneOf(options.onNonFinite ?? "skip", ["skip", "error"], "onNonFinite value");
    if (on === "error") {
      optionError(
        `${where}: onNonFinite "error" needs the check's result on the CPU (a read-back each step); only "skip" runs on the GPU`,
      );
    }
    const counted = COUNTED[inner.kernelName];
    if (counted === undefined) {
      const why = NOT_GATED[inner.kernelName] ?? "its step-dependent scalars are not declared for the gate";
      optionError(
        `${where}: ${inner.name} cannot be gated on the GPU (${why}); the GPU gate runs ${gatedNames()}`,
      );
    }
    this.inner = inner;
    this.#device = inner.device;
    this.#counted = counted;
    this.#check = new AcrossRunner(this.#device, WGSL_KERNELS.nonFiniteCount!, "SkipNonFinite");
    this.#bad = this.#device.createBuffer({
      size: 16,
      usage: storageUsage(),
      label: "descent non-finite count",
    });
    this.#counters = this.#device.createBuffer({
      size: 256,
      usage: storageUsage(),
      label: "descent step counters",
    });
  }

  get paramGroups(): I["paramGroups"] {
    return this.inner.paramGroups;
  }

  get schedulable(): I["schedulable"] {
    return this.inner.schedulable;
  }

  /** The inner optimizer's zeroGrad. */
  zeroGrad(setToNone = true): void {
    this.inner.zeroGrad(setToNone);
  }

  /** Lowers the window of exact candidate steps (tests reach the float32 fallback this way). */
  setWindow(window: number): void {
    if (!Number.isInteger(window) || window < 1 || window > WINDOW)
      throw new RangeError(`setWindow: expected an integer in [1, ${WINDOW}], got ${window}`);
    this.#window = window;
  }

  /**
   * Checks every grad on the GPU and runs the inner step gated by the result: a grad with a NaN or ±∞
   * skips the whole step there. Encodes and submits; never waits for the GPU.
   */
  step(closure?: () => number): number | undefined {
    let loss: number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") optionError("SkipNonFinite.step: closure must be a function");
      loss = closure();
    }
    runGatedStep(this.inner, this.#gate());
    return loss;
  }

  /** The skipped steps (a read-back). */
  async skippedAsync(): Promise<number> {
    return (await this.#readCounters())[0]!;
  }

  #gate(): StepGate {
    const flag = this.#counted.flag;
    return {
      split: ({ group }) => (flag?.applies(group) ? flag.name : null),
      buffer: ({ p, group }, value) => {
        if (!flag?.applies(group)) return this.#bad;
        let pair = this.#gates.get(p);
        if (pair === undefined) {
          const make = (v: boolean) =>
            this.#device.createBuffer({ size: 16, usage: storageUsage(), label: `descent gate ${v}` });
          pair = [make(false), make(true)];
          this.#gates.set(p, pair);
        }
        return pair[value ? 1 : 0];
      },
      check: (_kernel, groups) => {
        // each param's GPU count starts from the CPU's, before this step's preparation counts it
        for (const g of groups) for (const p of g.params) if (p.grad) this.#register(p);
      },
      encode: (encoder, work, planned, runner, rowOf) => this.#encode(encoder, work, planned, runner, rowOf),
      flush: () => {
        this.#check.flush();
        for (const upload of this.#uploads) upload();
        this.#uploads = [];
      },
    };
  }

  /** The CPU's count of p's steps so far. */
  #cpuStep(p: GpuParam): number {
    if (this.#counted.stepKey !== null) {
      const step = this.inner.state.get(p)?.[this.#counted.stepKey];
      return typeof step === "number" ? step : 0;
    }
    return this.#cpuSteps.get(p) ?? (this.inner.state.has(p) ? 1 : 0);
  }

  #register(p: GpuParam): void {
    if (this.#index.has(p)) return;
    const index = this.#index.size + 1;
    this.#index.set(p, index);
    if (this.#counted.stepKey === null) this.#cpuSteps.set(p, this.#cpuStep(p));
    if ((index + 1) * 4 > this.#counters.size) {
      const grown = this.#device.createBuffer({
        size: this.#counters.size * 2,
        usage: storageUsage(),
        label: "descent step counters",
      });
      const encoder = this.#device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.#counters, 0, grown, 0, this.#counters.size);
      this.#device.queue.submit([encoder.finish()]);
      this.#counters.destroy();
      this.#counters = grown;
    }
    this.#device.queue.writeBuffer(this.#counters, index * 4, new Uint32Array([this.#cpuStep(p)]));
  }

  #encode(
    encoder: GPUCommandEncoder,
    work: readonly StepWork[],
    planned: readonly PlannedItem[],
    runner: KernelRunner,
    rowOf: (key: object) => number,
  ): void {
    const device = this.#device;
    const counted = this.#counted;
    const S = counted.scalars.length;
    const columns = S + (counted.flag ? 1 : 0);
    const stride = this.#window * columns + 4;
    const info = new Uint32Array(Math.max(4, work.length * 3));
    const table = new Float32Array(Math.max(4, work.length * stride));
    work.forEach(({ p, group }, j) => {
      const counts = counted.counts?.(group) ?? true;
      let cpuStep: number;
      if (counted.stepKey !== null)
        cpuStep = (this.inner.state.get(p) as GpuState)[counted.stepKey] as number;
      else {
        cpuStep = (this.#cpuSteps.get(p) ?? 0) + (counts ? 1 : 0);
        this.#cpuSteps.set(p, cpuStep);
      }
      info[3 * j] = this.#index.get(p)!;
      info[3 * j + 1] = cpuStep;
      info[3 * j + 2] = counts ? 1 : 0;
      for (let d = 0; d < this.#window && d < cpuStep; d++) {
        const values = counted.at(group, cpuStep - d);
        const row = j * stride + d * columns;
        for (let s = 0; s < S; s++) table[row + s] = values[s]!;
        if (counted.flag) table[row + S] = counted.flag.at(group, cpuStep - d) ? 1 : 0;
      }
      (counted.inputs?.(group) ?? []).forEach((v, k) => {
        table[j * stride + this.#window * columns + k] = v;
      });
    });
    const scratch = (bytes: number, label: string, usage = storageUsage()) => {
      const size = Math.max(16, bytes);
      let b = this.#scratch.get(label);
      if (b === undefined || b.size < size) {
        b?.destroy();
        b = device.createBuffer({
          size: Math.max(size, 2 * (b?.size ?? 0)),
          usage,
          label: `descent ${label}`,
        });
        this.#scratch.set(label, b);
      }
      return b;
    };
    // written at flush, before this step's submit: the queue orders it after the last step's reads
    const buffer = (data: ArrayBufferView, label: string, usage = storageUsage()) => {
      const b = scratch(data.byteLength, label, usage);
      this.#uploads.push(() => device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength));
      return b;
    };
    const infoBuffer = buffer(info, "gate info");
    const tableBuffer = buffer(table, "gate table");
    const staged = scratch(work.length * S * 4, "gate staged scalars");
    const gates = scratch(work.length * 2 * 4, "gate variants");
    const params = buffer(
      new Uint32Array([work.length, this.#window, S, columns, stride, 0, 0, 0]),
      "gate params",
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    );
    const pass = encoder.beginComputePass({ label: "descent SkipNonFinite check" });
    const grads = work.map(({ p }) => ({ buffer: p.grad!, n: p.size }));
    this.#check.encode(pass, grads, 0, [], this.#bad);
    pass.setPipeline(this.#pipelineFor());
    const bound = [this.#bad, this.#counters, infoBuffer, tableBuffer, staged, gates, params];
    if (this.#bindGroup === null || this.#bindGroup.buffers.some((b, i) => b !== bound[i])) {
      const group = device.createBindGroup({
        layout: this.#layout!,
        entries: bound.map((b, binding) => ({ binding, resource: { buffer: b } })),
      });
      this.#bindGroup = { group, buffers: bound };
    }
    pass.setBindGroup(0, this.#bindGroup.group);
    pass.dispatchWorkgroups(1);
    pass.end();
    // each param's scalars, chosen on the GPU, into every uniform slot of its dispatches
    for (const { item, slots } of planned) {
      const j = rowOf(item.key);
      counted.scalars.forEach((name, s) => {
        for (const slot of slots) {
          encoder.copyBufferToBuffer(
            staged,
            (j * S + s) * 4,
            runner.uniformBuffer,
            slot + runner.scalarOffset(name),
            4,
          );
        }
      });
    }
    // and a split step's two gates: the variant that is not the step's writes nothing
    work.forEach(({ p, group }, j) => {
      const pair = counted.flag?.applies(group) ? this.#gates.get(p) : undefined;
      if (pair === undefined) return;
      pair.forEach((target, v) => {
        encoder.copyBufferToBuffer(gates, (2 * j + v) * 4, target, 0, 4);
      });
    });
  }

  #pipelineFor(): GPUComputePipeline {
    if (this.#pipeline === null) {
      const device = this.#device;
      this.#layout = device.createBindGroupLayout({
        entries: [
          ...PROLOGUE_BINDINGS.map((type, binding) => ({
            binding,
            visibility: GPUShaderStage.COMPUTE,
            buffer: { type: type === "read" ? ("read-only-storage" as const) : ("storage" as const) },
          })),
          {
            binding: PROLOGUE_BINDINGS.length,
            visibility: GPUShaderStage.COMPUTE,
            buffer: { type: "uniform" },
          },
        ],
      });
      this.#pipeline = device.createComputePipeline({
        layout: device.createPipelineLayout({ bindGroupLayouts: [this.#layout] }),
        compute: {
          module: device.createShaderModule({ code: prologueCode(this.#counted), label: "descent gate" }),
          entryPoint: "main",
        },
        label: "descent SkipNonFinite counter",
      });
    }
    return this.#pipeline;
  }

  async #readCounters(): Promise<Uint32Array> {
    const device = this.#device;
    const size = this.#counters.size;
    const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.#counters, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const counts = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return counts;
  }

  /**
   * The state dict descent-optim's SkipNonFinite over the CPU class gives: the GPU's step counts (a param
   * whose every step was skipped has no state) and `skipNonFinite: { onNonFinite, skipped }`. Reading the
   * counts also brings the CPU's counts back in line with the GPU's.
   */
  async stateDictAsync(): Promise<
    OptimizerStateDict & { skipNonFinite: { onNonFinite: "skip"; skipped: number } }
  > {
    const params = this.inner.paramGroups.flatMap((g) => g.params);
    const cpuSteps = params.map((p) => this.#cpuStep(p));
    const [sd, counts] = await Promise.all([this.inner.stateDictAsync(), this.#readCounters()]);
    params.forEach((p, i) => {
      const index = this.#index.get(p);
      if (index === undefined) return;
      const gpuStep = counts[index]!;
      const record = sd.state[i] as Record<string, unknown> | undefined;
      if (gpuStep === 0 && !this.#counted.initialState) delete sd.state[i];
      else if (record !== undefined && this.#counted.stepKey !== null)
        record[this.#counted.stepKey] = gpuStep;
      // the CPU ran ahead by the skips it had not seen: take them back (steps since keep counting)
      const behind = cpuSteps[i]! - gpuStep;
      if (this.#counted.stepKey !== null) {
        const s = this.inner.state.get(p);
        if (s !== undefined) s[this.#counted.stepKey] = (s[this.#counted.stepKey] as number) - behind;
      } else this.#cpuSteps.set(p, (this.#cpuSteps.get(p) ?? 0) - behind);
    });
    return { ...sd, skipNonFinite: { onNonFinite: "skip", skipped: counts[0]! } };
  }

  /**
   * Loads a state dict of this wrapper or of descent-optim's SkipNonFinite (checked by the inner
   * optimizer's CPU class first: on any error nothing changes); the GPU's counts are set from it.
   */
  async loadStateDictAsync(stateDict: OptimizerStateDict): Promise<void> {
    const bad: (why: string) => never = (why) => optionError(`SkipNonFinite.loadStateDict: ${why}`);
    if (stateDict === null || typeof stateDict !== "object")
      bad(`expected a state dict, got ${describe(stateDict)}`);
    const { skipNonFinite: own, ...rest } = stateDict as OptimizerStateDict & { skipNonFinite?: unknown };
    if (own === undefined) bad("missing 'skipNonFinite' (a state dict of the inner optimizer alone?)");
    const o = own as { skipped?: unknown; onNonFinite?: unknown } | null;
    if (o === null || typeof o !== "object") bad(`'skipNonFinite' must be an object, got ${describe(own)}`);
    if (!Number.isInteger(o.skipped) || (o.skipped as number) < 0 || (o.skipped as number) >= 2 ** 32)
      bad(`skipNonFinite.skipped must be a non-negative integer, got ${describe(o.skipped)}`);
    if (o.onNonFinite !== "skip")
      bad(`skipNonFinite.onNonFinite must be "skip" on the GPU, got ${describe(o.onNonFinite)}`);
    await this.inner.loadStateDictAsync(rest as OptimizerStateDict);
    const params = this.inner.paramGroups.flatMap((g) => g.params);
    this.#index.clear();
    this.#cpuSteps.clear();
    this.#device.queue.writeBuffer(this.#counters, 0, new Uint32Array([o.skipped as number]));
    for (const p of params) this.#register(p);
  }

  /** Frees the gate's buffers and the inner optimizer's (the params and grads are the host's). */
  destroy(): void {
    for (const s of this.#scratch.values()) s.destroy();
    for (const pair of this.#gates.values()) for (const g of pair) g.destroy();
    this.#check.destroy();
    this.#bad.destroy();
    this.#counters.destroy();
    this.inner.destroy();
  }
}
