/// <reference types="@webgpu/types" />
// The GPU optimizer: torch.optim's param groups, options and state dicts over GpuParams, with the update
// rule run as a WGSL kernel. Everything a CPU optimizer checks is checked by the CPU class itself (a twin
// over stand-in params validates options and loaded state dicts), so messages and formats are the same.
// step() computes each param's per-step scalars on the CPU, writes them into one uniform buffer, encodes
// every param's dispatches into one compute pass and submits: it never waits for the GPU.

import { currentBuffer } from "../core/arena.js";
import type { BaseOptions, HookHandle, OptimizerStateDict, ParamGroupInit } from "../core/optimizer.js";
import { addHook, paramLabel } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import type { StateRecord, StateValue } from "../core/state.js";
import { optionError } from "../core/validate.js";
import type { SchedulableOptimizer } from "../scheduler/lr-scheduler.js";
import { variantIndex } from "./executor.js";
import { WGSL_KERNELS } from "./kernels.js";
import { checkBuffer, GpuParam, storageUsage } from "./param.js";
import { type KernelItem, KernelRunner, type PlannedItem } from "./runner.js";

/** A GPU param's state: numbers (step counts) and GPU buffers, named as the CPU class names them. */
export type GpuState = Record<string, number | GPUBuffer>;

/** What one step of a rule binds: its buffers by name (null: not used by this variant), flags and scalars. */
export interface RuleArgs {
  buffers: Record<string, GPUBuffer | null>;
  flags: Record<string, boolean>;
  scalars: Record<string, number>;
}

/**
 * A new state buffer the size of the param: zeros, every element `fill`, or a copy of the buffer `fill`
 * (as it is after the work submitted so far).
 */
export type StateAllocator = (fill?: number | GPUBuffer) => GPUBuffer;

/** How a CPU optimizer class runs on the GPU: its kernel and how its update() prepares the rule's args. */
export interface GpuRule<O extends BaseOptions> {
  /** The key of the kernel in WGSL_KERNELS. */
  readonly kernel: string;
  /** The CPU class (its options, defaults, validation and state-dict checks are used as they are). */
  readonly cpu: new (
    params: Param[] | ParamGroupInit[],
    options: Partial<O>,
  ) => CpuTwin<O>;
  /**
   * One step of one param: updates `state` (creating it, and any buffer, through `zeros`) as the CPU
   * class does, and returns the state (undefined: the param keeps none) and the rule's args.
   */
  prepare(
    p: GpuParam,
    grad: GPUBuffer,
    state: GpuState | undefined,
    group: O,
    zeros: StateAllocator,
    groupScalars: Readonly<Record<string, number>>,
  ): { state: GpuState | undefined; args: RuleArgs };
  /**
   * Once per group and step, before its params (even when none has a grad), as the CPU class's
   * updateGroup does: advances the group's own counters and returns the scalars every param of the group
   * gets (passed to `prepare`). Without it, `prepare` gets `{}`.
   */
  prepareGroup?(group: GpuParamGroup<O>): Readonly<Record<string, number>>;
  /** Sets a new group's own entries (schedule-free's counters) as the CPU class does; `existing`: the groups before it. */
  initGroup?(group: GpuParamGroup<O>, existing: readonly GpuParamGroup<O>[]): void;
  /** Throws, with the CPU class's message, when no step may be taken now (schedule-free outside train mode). */
  checkStep?(groups: readonly GpuParamGroup<O>[], name: string): void;
  /**
   * The state each param gets as soon as its group is added (Adagrad's, as in torch), from the optimizer's
   * defaults. Without it, `prepare` creates the state on a param's first step.
   */
  initialState?(p: GpuParam, defaults: Readonly<O>, alloc: StateAllocator): GpuState;
  /**
   * For a rule that is not one generated kernel (Muon's Newton–Schulz, Adafactor's factored moments): what
   * records its step's passes. `kernel` then only names the rule (it is not in WGSL_KERNELS).
   */
  readonly encoder?: (device: GPUDevice, name: string) => StepEncoder;
  /** Float32 elements of the state buffer `key` of `p` when that is not `p.size` (Adafactor's factors). */
  stateLength?(p: GpuParam, key: string): number;
  /** Checks a param as the CPU class checks it when it is added (Muon's shapes); throws naming it. */
  checkParam?(p: GpuParam): void;
}

/** Records the passes of one step of a rule that has its own kernels (see `GpuRule.encoder`). */
export interface StepEncoder {
  /** Records the step of every prepared param into `encoder` and queues its uniforms (nothing is read back). */
  encode(encoder: GPUCommandEncoder, work: readonly StepWork[]): void;
  /** Frees its scratch buffers. */
  destroy(): void;
}

/** What the executor uses of a CPU optimizer. */
export interface CpuTwin<O extends BaseOptions> {
  readonly defaults: Readonly<O>;
  readonly paramGroups: ReadonlyArray<Record<string, unknown>>;
  readonly state: ReadonlyMap<Param, unknown>;
  /** Checks a state dict and takes its state (which the GPU optimizer then uploads). */
  loadStateDict(stateDict: OptimizerStateDict): void;
}

/** One param's part of a step: its group, its state after the CPU-side preparation, its rule's args. */
export interface StepWork {
  readonly p: GpuParam;
  readonly group: GpuParamGroup;
  readonly state: GpuState | undefined;
  readonly args: RuleArgs;
}

/**
 * One step of `optimizer` whose update passes are gated on the GPU (SkipNonFinite in descent-optim/webgpu):
 * `gate` encodes its passes after the uniforms are planned and before the update passes, into the same
 * command buffer. No hooks run (the wrapper runs its own). Not part of the public API: the class's private
 * step is reached through this function, which its static block sets.
 */
export let runGatedStep: (optimizer: WebGpuOptimizer, gate: StepGate) => void;

/**
 * One step of `optimizer` whose grads are clipped as its passes read them (`clippedStep` in
 * descent-optim/webgpu): the clip's norm passes run first in the step's compute pass, and every pass binds
 * its result as `clip`. Hooks run as in step(). Not part of the public API: set by the class's static block.
 */
export let runClippedStep: (optimizer: WebGpuOptimizer, clip: StepClip) => void;

/** What clips a step's grads on the GPU (see `runClippedStep`). */
export interface StepClip {
  /** Bound as every pass's `clip`: clipGradNorm's [total, coef] once `encode`'s passes have run. */
  readonly buffer: GPUBuffer;
  /** Encodes the norm of the grads of `work` into `computePass`, before the step's passes. */
  encode(computePass: GPUComputePassEncoder, work: readonly StepWork[]): void;
  /** Writes what `encode` queued for upload (before submit). */
  flush(): void;
  /** Encodes what follows the step's compute pass (a copy of the norm for the caller). */
  after(encoder: GPUCommandEncoder): void;
}

/** What gates a step on the GPU (see `runGatedStep`). */
export interface StepGate {
  /** Throws, naming the reason, when a step of this kernel over these groups cannot be gated (yet). */
  check(kernel: string, groups: readonly GpuParamGroup[]): void;
  /**
   * The kernel flag whose value follows the GPU's step count for `work` (RAdam's rectify, SGD's first
   * momentum step), or null. Both of its variants are dispatched, each gated to run only when it is the one.
   */
  split(work: StepWork): string | null;
  /**
   * Bound as the `gate` of `work`'s update passes (of the variant with the split flag `value`): a nonzero
   * first float makes them write nothing.
   */
  buffer(work: StepWork, value: boolean): GPUBuffer;
  /**
   * Encodes the gate's own passes and copies, before the update passes; `rowOf(item.key)` is the index in
   * `work` of a planned item.
   */
  encode(
    encoder: GPUCommandEncoder,
    work: readonly StepWork[],
    planned: readonly PlannedItem[],
    runner: KernelRunner,
    rowOf: (key: object) => number,
  ): void;
  /** Writes what `encode` queued for upload (called after the runner's uniforms, before submit). */
  flush(): void;
}

/** A GPU optimizer's param group: the GPU params and every option. */
export type GpuParamGroup<O extends BaseOptions = BaseOptions> = O & {
  params: GpuParam[];
  [key: string]: unknown;
};

/** A param group to build a GPU optimizer with: GPU params and per-group option overrides. */
export interface GpuParamGroupInit {
  params: GpuParam[];
  [option: string]: unknown;
}

function isGpuParam(value: unknown): value is GpuParam {
  return value instanceof GpuParam;
}

function standIn(p: GpuParam): Param {
  return { data: new Float32Array(p.size), grad: null, shape: p.shape, ...(p.name ? { name: p.name } : {}) };
}

/**
 * A descent optimizer over GPU params: the CPU class's options, validation and state dict, its update rule
 * run as a WGSL kernel. Built by `Adam`, `AdamW`, `SGD` and `gpuOptimizer`.
 */
export class WebGpuOptimizer<O extends BaseOptions = BaseOptions> {
  readonly defaults: Readonly<O>;
  readonly device: GPUDevice;
  paramGroups: GpuParamGroup<O>[] = [];
  readonly state = new Map<GpuParam, GpuState>();
  readonly #rule: GpuRule<O>;
  readonly #name: string;
  readonly #runner: KernelRunner | null;
  readonly #encoder: StepEncoder | null;
  readonly #preHooks = new Set<(o: this) => void>();
  readonly #postHooks = new Set<(o: this) => void>();
  // 2-D, so that classes taking only matrices (Muon) accept it
  readonly #probe: Param = { data: new Float32Array(1), grad: null, shape: [1, 1] };
  readonly #splitKeys = new Map<GpuParam, object>();

  constructor(
    rule: GpuRule<O>,
    params: readonly GpuParam[] | readonly GpuParamGroupInit[],
    options: Partial<O>,
  ) {
    this.#rule = rule;
    const kernel = WGSL_KERNELS[rule.kernel];
    if (kernel === undefined && rule.encoder === undefined)
      throw new Error(`descent-optim/webgpu: no WGSL kernel '${rule.kernel}'`);
    // the CPU class checks the options (with its own messages) and gives the defaults
    const probe = new rule.cpu([this.#probe], options);
    this.#name = probe.constructor.name;
    this.defaults = probe.defaults;
    if (!Array.isArray(params)) {
      optionError(
        `${this.#name}: params must be an array of GPU params or param groups, got ${describe(params)}`,
      );
    }
    if (params.length === 0) optionError(`${this.#name}: optimizer got an empty parameter list`);
    const first = params[0] as unknown;
    const groups: GpuParamGroupInit[] =
      first !== null && typeof first === "object" && "params" in first
        ? (params as GpuParamGroupInit[])
        : [{ params: params as GpuParam[] }];
    const device = firstDevice(groups, this.#name);
    this.device = device;
    this.#runner = kernel === undefined ? null : new KernelRunner(device, kernel, this.#name);
    this.#encoder = rule.encoder?.(device, this.#name) ?? null;
    const built: GpuParamGroup<O>[] = [];
    for (const g of groups) built.push(this.#buildGroup(g, built));
    this.paramGroups = built;
  }

  /**
   * This optimizer itself. Schedulers take a GPU optimizer directly (`new StepLR(opt, ...)`: they read and
   * write only the groups' options); kept for code written as `new StepLR(opt.schedulable, ...)`.
   */
  get schedulable(): SchedulableOptimizer {
    return this;
  }

  /** The class name (the CPU class's). */
  get name(): string {
    return this.#name;
  }

  /** Adds a param group, checked as the CPU optimizer checks one. */
  addParamGroup(group: GpuParamGroupInit): void {
    this.paramGroups.push(this.#buildGroup(group, this.paramGroups));
  }

  #buildGroup(init: GpuParamGroupInit, existing: readonly GpuParamGroup<O>[]): GpuParamGroup<O> {
    const name = this.#name;
    if (init === null || typeof init !== "object" || !Array.isArray(init.params)) {
      optionError(`${name}: a param group must be an object with a 'params' array, got ${describe(init)}`);
    }
    if (init.params.length === 0) optionError(`${name}: a param group has an empty 'params' list`);
    const seen = new Set<GpuParam>();
    init.params.forEach((p, i) => {
      if (!isGpuParam(p))
        optionError(`${name}: params[${i}] is not a GpuParam (make one with gpuParam()), got ${describe(p)}`);
      if (p.device !== this.device) optionError(`${name}: params[${i}] lives on another GPUDevice`);
      if (seen.has(p))
        optionError(`${name}: param ${paramLabel(p as never, i)} appears twice in one param group`);
      seen.add(p);
      this.#rule.checkParam?.(p);
    });
    for (const g of existing) {
      for (const p of g.params) {
        if (seen.has(p)) optionError(`${name}: some parameters appear in more than one parameter group`);
      }
    }
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [key, value] of Object.entries(init)) {
      if (key !== "params" && value !== undefined) group[key] = value;
    }
    group.params = [...init.params];
    this.#validate(group as GpuParamGroup<O>);
    this.#rule.initGroup?.(group as GpuParamGroup<O>, existing);
    const initialState = this.#rule.initialState;
    if (initialState !== undefined) {
      for (const p of init.params) this.state.set(p, initialState(p, this.defaults, this.#allocator(p)));
    }
    return group as GpuParamGroup<O>;
  }

  /** Creates the param-sized state buffers of `p`. */
  #allocator(p: GpuParam): StateAllocator {
    return (fill) => {
      const buffer = this.device.createBuffer({
        size: p.size * 4,
        usage: storageUsage(),
        label: `descent state ${p.name ?? ""}`,
      });
      if (typeof fill === "number") {
        // a new buffer is zeros already
        if (fill !== 0) this.device.queue.writeBuffer(buffer, 0, new Float32Array(p.size).fill(fill));
      } else if (fill !== undefined) {
        const encoder = this.device.createCommandEncoder();
        encoder.copyBufferToBuffer(fill, 0, buffer, 0, p.size * 4);
        this.device.queue.submit([encoder.finish()]);
      }
      return buffer;
    };
  }

  /** The CPU class's checks of a group's options (keys a scheduler added are not options: left out). */
  #validate(group: GpuParamGroup<O>): void {
    const options: Record<string, unknown> = {};
    for (const key of Object.keys(this.defaults)) options[key] = group[key];
    new this.#rule.cpu([this.#probe], options as Partial<O>);
  }

  /**
   * Queues one update of every param with a grad on the GPU (nothing is read back); with a closure, calls it
   * first and returns its loss.
   */
  step(closure?: () => number): number | undefined {
    this.#rule.checkStep?.(this.paramGroups, this.#name);
    if (this.#preHooks.size > 0) for (const hook of this.#preHooks) hook(this);
    let loss: number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") optionError(`${this.#name}.step: closure must be a function`);
      loss = closure();
    }
    this.#checkReady();
    const work = this.#prepare();
    if (work.length > 0) this.#encode(work, null);
    if (this.#postHooks.size > 0) for (const hook of this.#postHooks) hook(this);
    return loss;
  }

  /** The key in WGSL_KERNELS of the kernel this optimizer runs. */
  get kernelName(): string {
    return this.#rule.kernel;
  }

  static {
    runGatedStep = (optimizer, gate) => optimizer.#gatedStep(gate);
    runClippedStep = (optimizer, clip) => optimizer.#clippedStep(clip);
  }

  #clippedStep(clip: StepClip): void {
    if (this.#encoder !== null) {
      optionError(
        `clippedStep: ${this.#name}'s GPU kernels do not take a clip coefficient; clip with clipGradNorm, then step()`,
      );
    }
    this.#rule.checkStep?.(this.paramGroups, this.#name);
    if (this.#preHooks.size > 0) for (const hook of this.#preHooks) hook(this);
    this.#checkReady();
    // with no grad at all the norm (0) is still computed
    this.#encode(this.#prepare(), null, clip);
    if (this.#postHooks.size > 0) for (const hook of this.#postHooks) hook(this);
  }

  #gatedStep(gate: StepGate): void {
    this.#rule.checkStep?.(this.paramGroups, this.#name);
    this.#checkReady();
    gate.check(this.#rule.kernel, this.paramGroups);
    const work = this.#prepare();
    if (work.length > 0) this.#encode(work, gate);
  }

  /** Every param with a grad, with its state updated as the CPU class would and its rule's args. */
  #prepare(): StepWork[] {
    const work: StepWork[] = [];
    for (const group of this.paramGroups) {
      const groupScalars = this.#rule.prepareGroup?.(group) ?? {};
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null || grad === undefined) continue;
        const alloc = this.#allocator(p);
        let before = this.state.get(p);
        if (before === undefined && this.#rule.initialState !== undefined)
          before = this.#rule.initialState(p, this.defaults, alloc);
        const { state, args } = this.#rule.prepare(p, grad, before, group, alloc, groupScalars);
        if (state === undefined) this.state.delete(p);
        else this.state.set(p, state);
        work.push({ p, group: group as GpuParamGroup, state, args });
      }
    }
    return work;
  }

  #checkReady(): void {
    for (const group of this.paramGroups) {
      this.#validate(group);
      group.params.forEach((p, i) => {
        if (p.grad === null || p.grad === undefined) return;
        checkBuffer(p.grad, p.size, `${this.#name}.step: grad of ${paramLabel(p as never, i)}`);
      });
    }
  }

  #encode(work: readonly StepWork[], gate: StepGate | null, clip: StepClip | null = null): void {
    if (this.#encoder !== null) {
      // gate.check refuses every kernel it does not know, and #clippedStep these, so neither gets here
      const encoder = this.device.createCommandEncoder({ label: `descent ${this.#name}.step` });
      this.#encoder.encode(encoder, work);
      this.device.queue.submit([encoder.finish()]);
      return;
    }
    const runner = this.#runner!;
    const kernel = runner.kernel;
    const items: KernelItem[] = [];
    const rows = new Map<object, number>();
    work.forEach((w, j) => {
      const { p, args } = w;
      const item = {
        n: p.size,
        buffers: args.buffers,
        ...(clip ? { clip: clip.buffer } : {}),
        scalars: kernel.scalars.map((s) => {
          const v = args.scalars[s];
          if (typeof v !== "number") throw new Error(`${this.#name}: no value for scalar '${s}'`);
          return v;
        }),
      };
      const split = gate?.split(w) ?? null;
      if (split === null) {
        items.push({
          ...item,
          key: p,
          variant: variantIndex(kernel, args.flags),
          ...(gate ? { gate: gate.buffer(w, false) } : {}),
        });
        rows.set(p, j);
        return;
      }
      for (const value of [false, true]) {
        const key = value ? this.#splitKey(p) : p;
        items.push({
          ...item,
          key,
          variant: variantIndex(kernel, { ...args.flags, [split]: value }),
          gate: gate!.buffer(w, value),
        });
        rows.set(key, j);
      }
    });
    const encoder = this.device.createCommandEncoder({ label: `descent ${this.#name}.step` });
    const planned = runner.plan(items);
    gate?.encode(encoder, work, planned, runner, (key) => rows.get(key)!);
    const computePass = encoder.beginComputePass();
    clip?.encode(computePass, work);
    runner.record(computePass, planned);
    computePass.end();
    clip?.after(encoder);
    runner.flush();
    gate?.flush();
    clip?.flush();
    this.device.queue.submit([encoder.finish()]);
  }

  /** The runner's key of p's second dispatch when a gate splits its step into both variants of a flag. */
  #splitKey(p: GpuParam): object {
    let key = this.#splitKeys.get(p);
    if (key === undefined) {
      key = {};
      this.#splitKeys.set(p, key);
    }
    return key;
  }

  /** Sets every grad to null (default, as torch); `setToNone = false` clears each grad buffer to zeros. */
  zeroGrad(setToNone = true): void {
    let encoder: GPUCommandEncoder | null = null;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else if (p.grad) {
          encoder ??= this.device.createCommandEncoder();
          encoder.clearBuffer(p.grad, 0, p.size * 4);
        }
      }
    }
    if (encoder !== null) this.device.queue.submit([encoder.finish()]);
  }

  /** Calls `hook(optimizer)` before every step. */
  registerStepPreHook(hook: (optimizer: this) => void): HookHandle {
    return addHook(this.#preHooks, hook);
  }

  /** Calls `hook(optimizer)` after every step (its kernels queued). */
  registerStepPostHook(hook: (optimizer: this) => void): HookHandle {
    return addHook(this.#postHooks, hook);
  }

  /** Params across all groups, in torch's state-dict order. */
  #orderedParams(): GpuParam[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * The state dict a CPU optimizer of the same class would give (buffers as Float32Arrays): its GPU
   * buffers are copied to mappable buffers after the work submitted so far and read back.
   */
  async stateDictAsync(): Promise<OptimizerStateDict> {
    const params = this.#orderedParams();
    const reads: Array<Promise<void>> = [];
    const state: Record<number, StateRecord> = {};
    params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s === undefined) return;
      const record: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(s)) {
        if (typeof value === "number") record[key] = value;
        else
          reads.push(
            readBuffer(this.device, value, this.#rule.stateLength?.(p, key) ?? p.size).then((data) => {
              record[key] = data;
            }),
          );
      }
      state[i] = record;
    });
    await Promise.all(reads);
    const index = new Map(params.map((p, i) => [p, i]));
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(g)) {
        if (key === "params" || typeof value === "function" || value === undefined) continue;
        out[key] = structuredClone(value) as StateValue;
      }
      return { ...out, params: g.params.map((p) => index.get(p)!) };
    });
    return { state, paramGroups };
  }

  /**
   * Loads a state dict made by `stateDictAsync()` or by a CPU optimizer of the same class (float32), checked
   * by that CPU class first: on any error nothing changes. Buffers are uploaded in place.
   */
  async loadStateDictAsync(stateDict: OptimizerStateDict): Promise<void> {
    this.loadStateDict(stateDict);
  }

  /**
   * `loadStateDictAsync`, returning when the uploads are queued: loading waits for nothing on the GPU (the
   * writes are ordered before the next step). For callers that cannot wait, such as a TF.js adapter
   * binding inside a step.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const params = this.#orderedParams();
    const standIns = params.map(standIn);
    let k = 0;
    const twinGroups = this.paramGroups.map((g) => {
      const { params: ps, ...options } = g;
      const group: ParamGroupInit = { ...options, params: standIns.slice(k, k + ps.length) };
      k += ps.length;
      return group;
    });
    const twin = new this.#rule.cpu(twinGroups, {});
    // the CPU class checks everything (float32 buffers of the right lengths included) and throws, naming
    // the bad value, before anything here changes
    twin.loadStateDict(stateDict);
    const newState = new Map<GpuParam, GpuState>();
    standIns.forEach((standInParam, i) => {
      const s = twin.state.get(standInParam) as Record<string, StateValue> | undefined;
      if (s === undefined) return;
      const p = params[i]!;
      const old = this.state.get(p);
      const gs: GpuState = {};
      for (const [key, value] of Object.entries(s)) {
        if (typeof value === "number") {
          gs[key] = value;
          continue;
        }
        // the twin's buffers live in the arena: a growth while it loaded may have detached earlier views
        const data = currentBuffer(value as Float32Array);
        const existing = old?.[key];
        const buffer =
          typeof existing === "object"
            ? existing
            : this.device.createBuffer({
                size: data.byteLength,
                usage: storageUsage(),
                label: `descent state ${key}`,
              });
        this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
        gs[key] = buffer;
      }
      newState.set(p, gs);
    });
    // buffers the loaded state no longer has are freed
    for (const [p, old] of this.state) {
      const kept = newState.get(p);
      for (const [key, value] of Object.entries(old)) {
        if (typeof value === "object" && kept?.[key] !== value) value.destroy();
      }
    }
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
    this.paramGroups.forEach((g, gi) => {
      const loaded = twin.paramGroups[gi]!;
      for (const key of Object.keys(g)) if (key !== "params") delete (g as Record<string, unknown>)[key];
      for (const [key, value] of Object.entries(loaded))
        if (key !== "params") (g as Record<string, unknown>)[key] = value;
    });
  }

  /** Frees the state buffers and the uniforms (the params and grads are the host's and stay). */
  destroy(): void {
    for (const s of this.state.values()) {
      for (const value of Object.values(s)) if (typeof value === "object") value.destroy();
    }
    this.state.clear();
    this.#runner?.destroy();
    this.#encoder?.destroy();
  }
}

function firstDevice(groups: readonly GpuParamGroupInit[], name: string): GPUDevice {
  const p = groups[0]?.params?.[0];
  if (!isGpuParam(p))
    optionError(`${name}: params[0] is not a GpuParam (make one with gpuParam()), got ${describe(p)}`);
  return p.device;
}

/** Reads `size` float32 values of `buffer` (after the work submitted so far). */
export async function readBuffer(device: GPUDevice, buffer: GPUBuffer, size: number): Promise<Float32Array> {
  const staging = device.createBuffer({
    size: size * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, size * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const data = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return data;
}
