// Weight averaging of params, with torch.optim.swa_utils semantics (AveragedModel.update_parameters with
// get_ema_multi_avg_fn / get_swa_multi_avg_fn), plus bias correction:
//   torch's EMA:  first update copies p; then avg = avg + (1 − decay)·(p − avg)      (= decay·avg + (1 − decay)·p)
//   torch's SWA:  first update copies p; then avg = avg + (p − avg)/(n + 1)         (the running mean)
//   biasCorrection (EMA only): v₀ = 0, v = v + (1 − decay)·(p − v), average = v/(1 − decayᵗ), the EWMA of
//   src/average/ewma.ts per element: torch's first-update copy anchors the EMA to the initial weights with
//   weight decayᵗ⁻¹ (torch #130361, #71683); the corrected average forgets them at the rate of later updates.
// Averages are kept in the params' dtype, as torch's AveragedModel keeps them in the model's.
// Attached to an optimizer (`attachTo(opt)` or the `optimizer` option), the average is updated after every
// real optimizer step and saved and restored inside the optimizer's state dict (under `attached`).

import type { Buffer } from "../core/arena.js";
import { plainZerosLike } from "../core/arena.js";
import type { Attachable, AttachTarget, HookHandle } from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { boolean, checkOptions, inRange, oneOf, optionError } from "../core/validate.js";

/**
 * `"ema"` (exponential moving average of the weights) or `"swa"` (equal-weight average, torch's
 * `AveragedModel` default).
 */
export type AveragingMode = "ema" | "swa";

/**
 * Options of `AveragedParams` (defaults in `AVERAGED_PARAMS_DEFAULTS`: mode "ema", decay 0.999, no bias
 * correction).
 */
export interface AveragedParamsOptions {
  /** Which average to keep. */
  mode: AveragingMode;
  /** EMA decay in [0, 1], below 1 with bias correction (torch's get_ema_multi_avg_fn default 0.999); unused by SWA. */
  decay: number;
  /** EMA only: divide by 1 − decayᵗ instead of starting from a copy of the first params. */
  biasCorrection: boolean;
}

export const AVERAGED_PARAMS_DEFAULTS: Readonly<AveragedParamsOptions> = Object.freeze({
  mode: "ema",
  decay: 0.999,
  biasCorrection: false,
});

/** The constructor's options: the averaging options, and optionally an optimizer to attach to. */
export interface AveragedParamsInit extends Partial<AveragedParamsOptions> {
  /** Attach under the name "averagedParams" (see `attachTo`). */
  optimizer?: AttachTarget;
}

/** What `AveragedParams.stateDict()` returns and `loadStateDict` takes. */
export interface AveragedParamsStateDict {
  mode: AveragingMode;
  decay: number;
  biasCorrection: boolean;
  /** Updates so far (torch's `n_averaged`). */
  nAveraged: number;
  /** One per param: the running average (with bias correction, the uncorrected v). */
  averages: Buffer[];
}

/** The fused averaging loop: avg = avg + (p − avg)·weight/divisor (torch's lerp for EMA, addcdiv for SWA). */
export function averageUpdate(
  n: number,
  average: Buffer,
  param: Buffer,
  weight: number,
  divisor: number,
): void {
  for (let i = 0; i < n; i++) {
    average[i] = average[i]! + ((param[i]! - average[i]!) * weight) / divisor;
  }
}

/** The read-out loop: out = average·scale (scale = 1/(1 − decayᵗ) with bias correction, else 1). */
export function scaleInto(n: number, out: Buffer, average: Buffer, scale: number): void {
  for (let i = 0; i < n; i++) {
    out[i] = average[i]! * scale;
  }
}

function isParamLike(p: unknown): p is Param {
  const d = (p as Param | null)?.data;
  return d instanceof Float32Array || d instanceof Float64Array;
}

/**
 * A running EMA or SWA of some params. Call `update()` after optimizer steps, or pass `optimizer` (or call
 * `attachTo(opt)`) to have it updated after every real step and saved in the optimizer's state dict;
 * `copyTo(params)` to use the average (for evaluation, or at the end of training).
 * @example
 * const w = param([0]);
 * const opt = new SGD([w], { lr: 1 });
 * const ema = new AveragedParams([w], { mode: "ema", decay: 0.5, optimizer: opt });
 * w.grad = new Float32Array([-2]);
 * opt.step(); // w = 2; the first update copies it
 * opt.step(); // w = 4; average 0.5·2 + 0.5·4
 * ema.averages()[0]![0]; // → 3
 * const saved = opt.stateDict(); // the average travels inside it, as saved.attached.averagedParams
 * const w2 = param([0]);
 * const opt2 = new SGD([w2], { lr: 1 });
 * const ema2 = new AveragedParams([w2], { mode: "ema", decay: 0.5, optimizer: opt2 });
 * opt2.loadStateDict(saved); // restores the optimizer and the average together
 * ema2.averages()[0]![0]; // → 3
 */
export class AveragedParams implements Attachable {
  readonly params: readonly Param[];
  readonly mode: AveragingMode;
  readonly biasCorrection: boolean;
  decay: number;
  #averages: Buffer[];
  #nAveraged = 0;
  #attachment: HookHandle | null = null;
  #disposed = false;

  constructor(params: readonly Param[], options: AveragedParamsInit = {}) {
    if (!Array.isArray(params) || params.length === 0)
      optionError(`AveragedParams: params must be a non-empty array of params, got ${describe(params)}`);
    params.forEach((p, i) => {
      if (!isParamLike(p)) optionError(`AveragedParams: params[${i}] is not a param, got ${describe(p)}`);
    });
    checkOptions(options, [...Object.keys(AVERAGED_PARAMS_DEFAULTS), "optimizer"], "AveragedParams");
    const { optimizer, ...averaging } = options;
    const o = { ...AVERAGED_PARAMS_DEFAULTS, ...stripUndefined(averaging) };
    this.mode = oneOf(o.mode, ["ema", "swa"], "mode value");
    this.biasCorrection = boolean(o.biasCorrection, "biasCorrection value");
    this.decay = checkDecay(o.decay, this.biasCorrection);
    if (this.biasCorrection && this.mode === "swa")
      optionError(
        "AveragedParams: biasCorrection applies to mode 'ema' only (SWA's running mean has no bias)",
      );
    this.params = Object.freeze([...params]);
    this.#averages = params.map((p) => plainZerosLike(p.data));
    if (optimizer !== undefined) this.attachTo(optimizer);
  }

  /**
   * Updates the average after every real step of `optimizer` (an optimizer or a wrapper: after Lookahead's
   * sync, once per accumulated batch, not for a skipped step) and keeps it in the optimizer's state dict as
   * `attached[name]`, restored by its `loadStateDict` (checked with the rest: a bad section changes nothing).
   * Returns a handle whose `remove()` detaches it.
   */
  attachTo(optimizer: AttachTarget, name = "averagedParams"): HookHandle {
    this.#checkLive("attachTo");
    const target = optimizer as Partial<AttachTarget> | null;
    if (
      target === null ||
      typeof target !== "object" ||
      typeof target.attach !== "function" ||
      typeof target.registerStepPostHook !== "function"
    )
      optionError(
        `AveragedParams.attachTo: expected an optimizer (with attach and registerStepPostHook), got ${describe(optimizer)}`,
      );
    if (this.#attachment !== null)
      optionError("AveragedParams.attachTo: already attached to an optimizer (remove that handle first)");
    const state = optimizer.attach(name, this);
    const hook = optimizer.registerStepPostHook(() => this.update());
    const handle: HookHandle = {
      remove: () => {
        state.remove();
        hook.remove();
        if (this.#attachment === handle) this.#attachment = null;
      },
    };
    this.#attachment = handle;
    return handle;
  }

  /**
   * Detaches from the optimizer (if attached) and drops the averages; the average cannot be used afterwards.
   * The params and the optimizer are the caller's.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#attachment?.remove();
    this.#averages = [];
  }

  /** `using` disposes it at the end of the scope (see `dispose()`). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** True once `dispose()` has run. */
  get disposed(): boolean {
    return this.#disposed;
  }

  #checkLive(method: string): void {
    if (this.#disposed) throw new Error(`AveragedParams.${method}: the average was disposed`);
  }

  /** Updates so far (torch's `n_averaged`). */
  get nAveraged(): number {
    return this.#nAveraged;
  }

  /** Folds the params' current values into the average. */
  update(): void {
    this.#checkLive("update");
    checkDecay(this.decay, this.biasCorrection);
    const t = this.#nAveraged;
    this.params.forEach((p, i) => {
      const avg = this.#averages[i]!;
      if (p.data.length !== avg.length)
        optionError(
          `AveragedParams.update: params[${i}] has ${p.data.length} elements, the average ${avg.length}`,
        );
    });
    let weight: number;
    let divisor = 1;
    if (this.mode === "swa") {
      weight = 1;
      divisor = t + 1; // t = 0: avg + (p − avg)/1 = p, torch's copy
    } else if (this.biasCorrection || t > 0) {
      weight = 1 - this.decay;
    } else {
      weight = 1; // torch's first update copies
    }
    this.params.forEach((p, i) => {
      const avg = this.#averages[i]!;
      if (weight === 1 && divisor === 1) avg.set(p.data);
      else averageUpdate(avg.length, avg, p.data, weight, divisor);
    });
    this.#nAveraged = t + 1;
  }

  /** What the stored averages are multiplied by when read. */
  #scale(): number {
    if (!this.biasCorrection) return 1;
    return 1 / (1 - this.decay ** this.#nAveraged);
  }

  /** Writes the average into `params` (default: the averaged params themselves). Throws before any update. */
  copyTo(params: readonly Param[] = this.params): void {
    this.#checkLive("copyTo");
    if (this.#nAveraged === 0)
      optionError("AveragedParams.copyTo: no update yet, so there is no average to copy");
    if (!Array.isArray(params) || params.length !== this.#averages.length)
      optionError(`AveragedParams.copyTo: expected ${this.#averages.length} params, got ${describe(params)}`);
    params.forEach((p, i) => {
      const avg = this.#averages[i]!;
      if (!isParamLike(p) || p.data.length !== avg.length)
        optionError(
          `AveragedParams.copyTo: params[${i}] must have ${avg.length} elements, got ${describe(p)}`,
        );
    });
    const scale = this.#scale();
    params.forEach((p, i) => {
      const avg = this.#averages[i]!;
      scaleInto(avg.length, p.data, avg, scale);
    });
  }

  /** Fresh copies of the averages (bias-corrected where asked), one per param. */
  averages(): Buffer[] {
    this.#checkLive("averages");
    const scale = this.#scale();
    return this.#averages.map((avg) => {
      const out = avg.slice();
      scaleInto(out.length, out, avg, scale);
      return out;
    });
  }

  /** The averages and the update count (copies), for checkpoints or `loadStateDict`. */
  stateDict(): AveragedParamsStateDict {
    this.#checkLive("stateDict");
    return {
      mode: this.mode,
      decay: this.decay,
      biasCorrection: this.biasCorrection,
      nAveraged: this.#nAveraged,
      averages: this.#averages.map((a) => a.slice()),
    };
  }

  /** Restores a state dict of an AveragedParams with the same mode, correction and param sizes. */
  loadStateDict(sd: AveragedParamsStateDict): void {
    this.checkStateDict(sd);
    this.decay = sd.decay;
    this.#nAveraged = sd.nAveraged;
    sd.averages.forEach((a, i) => {
      this.#averages[i]!.set(a);
    });
  }

  /** Throws what `loadStateDict(sd)` would throw, changing nothing. */
  checkStateDict(stateDict: unknown): asserts stateDict is AveragedParamsStateDict {
    this.#checkLive("loadStateDict");
    const bad = (why: string): never => optionError(`AveragedParams.loadStateDict: ${why}`);
    const sd = stateDict as AveragedParamsStateDict;
    if (sd === null || typeof sd !== "object") bad(`expected a state dict, got ${describe(sd)}`);
    if (sd.mode !== this.mode)
      bad(`the state dict is for mode ${describe(sd.mode)}, this average is "${this.mode}"`);
    if (sd.biasCorrection !== this.biasCorrection)
      bad(
        `the state dict has biasCorrection ${describe(sd.biasCorrection)}, this average ${this.biasCorrection}`,
      );
    try {
      checkDecay(sd.decay, this.biasCorrection);
    } catch (e) {
      bad((e as Error).message);
    }
    if (!Number.isInteger(sd.nAveraged) || sd.nAveraged < 0)
      bad(`nAveraged must be a non-negative integer, got ${describe(sd.nAveraged)}`);
    if (!Array.isArray(sd.averages) || sd.averages.length !== this.#averages.length)
      bad(`expected ${this.#averages.length} averages, got ${describe(sd.averages)}`);
    sd.averages.forEach((a, i) => {
      const mine = this.#averages[i]!;
      if (
        !(a instanceof Float32Array || a instanceof Float64Array) ||
        a.constructor !== mine.constructor ||
        a.length !== mine.length
      )
        bad(
          `averages[${i}]: expected a ${mine.constructor.name} of length ${mine.length}, got ${describe(a)}`,
        );
    });
  }
}

/** [0, 1] as torch's get_ema_multi_avg_fn (1 freezes the first copy); below 1 with bias correction (1 − decayᵗ = 0). */
function checkDecay(decay: unknown, biasCorrection: boolean): number {
  return inRange(decay, 0, 1, "decay value", !biasCorrection);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}
