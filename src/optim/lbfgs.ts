// L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), as torch.optim.LBFGS computes it (itself a port of minFunc):
// one step(closure) runs up to maxIter iterations of
//   d = −H·g  (two-loop recursion over the last historySize pairs y = gₖ − gₖ₋₁, s = tₖ₋₁·dₖ₋₁, skipped when
//              y·s ≤ 1e−10; H₀ = (y·s)/(y·y) of the newest pair)
//   t = lr (the very first iteration: min(1, 1/‖g‖₁)·lr), or a strong-Wolfe line search along d
//   θ = θ + t·d
// stopping on maxIter, maxEval closure calls, max|g| ≤ toleranceGrad, g·d > −toleranceChange,
// max|t·d| ≤ toleranceChange or |Δloss| < toleranceChange.
// Torch's behaviour kept, surprising bits included: the state lives on the first param (one group only);
// without a line search the last iteration does not re-evaluate, so the loss/grad it remembers are one move
// stale; the line search ignores toleranceChange and maxEval (its own 1e−9 and 25 trials, so a step can
// exceed maxEval); a step whose first evaluation already meets toleranceGrad returns without moving.

import type { Buffer } from "../core/arena.js";
import { type Dtype, dtypeOf, plainBuffer } from "../core/arena.js";
import {
  type BaseOptions,
  Optimizer,
  type ParamGroup,
  type ParamGroupInit,
  paramLabel,
} from "../core/optimizer.js";
import { describe, type Param } from "../core/param.js";
import { cloneState, type StateRecord, type StateValue } from "../core/state.js";
import { integer, nonNegative, optionError } from "../core/validate.js";

/** Options of `LBFGS`: torch.optim.LBFGS's, camelCased, with its defaults. */
export interface LBFGSOptions extends BaseOptions {
  /** The step length (on the first iteration, min(1, 1/‖g‖₁)·lr). Default 1. */
  lr: number;
  /** Iterations per `step()`. Default 20 (torch's `max_iter`). */
  maxIter: number;
  /** Closure calls per step; null means floor(maxIter·5/4), resolved at construction as torch does. */
  maxEval: number | null;
  /**
   * Stop when the gradient's largest absolute element is at most this. Default 1e-7 (torch's
   * `tolerance_grad`).
   */
  toleranceGrad: number;
  /** Stop when the loss or the params change by at most this. Default 1e-9 (torch's `tolerance_change`). */
  toleranceChange: number;
  /** Curvature pairs kept. Default 100 (torch's `history_size`). */
  historySize: number;
  /** `"strong_wolfe"`, or null for a fixed step of lr. Default null (torch's `line_search_fn`). */
  lineSearchFn: "strong_wolfe" | null;
}

export const LBFGS_DEFAULTS: Readonly<LBFGSOptions> = Object.freeze({
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
});

/** torch's LBFGS state (kept on the first param), camelCased. Entries after funcEvals/nIter appear after a step. */
export type LBFGSState = {
  funcEvals: number;
  nIter: number;
  d?: Buffer;
  t?: number;
  oldDirs?: Buffer[];
  oldStps?: Buffer[];
  ro?: number[];
  hDiag?: number;
  prevFlatGrad?: Buffer;
  prevLoss?: number;
  al?: (number | null)[];
};

function numel(params: readonly Param[]): number {
  let n = 0;
  for (const p of params) n += p.data.length;
  return n;
}

/** What the entries a step adds look like (buffers over all params; history and `al` of any length). */
function historyTemplate(n: number, dtype: Dtype): Record<string, StateValue> {
  const flat = plainBuffer(n, dtype);
  return {
    d: flat,
    t: 0,
    oldDirs: [flat],
    oldStps: [flat],
    ro: [0],
    hDiag: 0,
    prevFlatGrad: flat,
    prevLoss: 0,
    al: [0],
  };
}

function validate(o: LBFGSOptions): void {
  nonNegative(o.lr, "learning rate");
  integer(o.maxIter, "max_iter value", 1);
  if (o.maxEval !== null) integer(o.maxEval, "max_eval value", 1);
  nonNegative(o.toleranceGrad, "tolerance_grad value");
  nonNegative(o.toleranceChange, "tolerance_change value");
  integer(o.historySize, "history_size value", 1);
  if (o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe") {
    optionError(
      `Invalid line_search_fn: ${describe(o.lineSearchFn)} (only 'strong_wolfe' is supported, or null)`,
    );
  }
}

const C1 = 1e-4;
const C2 = 0.9;
const LS_TOLERANCE_CHANGE = 1e-9;
const MAX_LS = 25;

// Python's min/max (first argument wins ties and NaN comparisons), which torch's line search uses
// biome-ignore lint/complexity/useMathMinMax: Math.max differs on NaN; this is Python's max
const pyMax = (a: number, b: number): number => (b > a ? b : a);
// biome-ignore lint/complexity/useMathMinMax: Math.min differs on NaN; this is Python's min
const pyMin = (a: number, b: number): number => (b < a ? b : a);

/** Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds` (torch's _cubic_interpolate). */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: readonly [number, number],
): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return pyMin(pyMax(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

function dot(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Buffer, scale = 1): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]! * scale);
    if (!(v <= m)) m = v; // NaN wins, as torch's max does
  }
  return m;
}

/** y += alpha·x */
function axpy(y: Buffer, alpha: number, x: Buffer): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + alpha * x[i]!;
}

/**
 * L-BFGS: a quasi-Newton method for deterministic (full-batch) problems; each `step(closure)` runs a small
 * optimisation loop that calls the closure several times.
 * @example
 * const x = param([-1.5, 2], { dtype: "float64" });
 * const opt = new LBFGS([x], { lineSearchFn: "strong_wolfe" });
 * const closure = () => {
 *   const [a, b] = [x.data[0]!, x.data[1]!];
 *   x.grad = new Float64Array([2 * (a - 1), 20 * (b - 2)]);
 *   return (a - 1) ** 2 + 10 * (b - 2) ** 2;
 * };
 * for (let i = 0; i < 5; i++) opt.step(closure);
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  #closure: (() => number) | undefined;
  #firstLoss = Number.NaN;
  // scratch (not state): gradient buffers the line search rotates through, the params at the line-search
  // start, and the next history pair before it is accepted
  #pool: Buffer[] = [];
  #x: Buffer | undefined;
  #y: Buffer | undefined;
  #s: Buffer | undefined;

  constructor(params: readonly Param[] | readonly ParamGroupInit[], options: Partial<LBFGSOptions> = {}) {
    const resolved: Partial<LBFGSOptions> = { ...options };
    if (resolved !== null && typeof resolved === "object" && (options?.maxEval ?? null) === null) {
      const maxIter = options?.maxIter ?? LBFGS_DEFAULTS.maxIter;
      if (Number.isInteger(maxIter)) resolved.maxEval = Math.floor((maxIter * 5) / 4);
    }
    super(params, options === null || typeof options !== "object" ? options : resolved, {
      name: "LBFGS",
      defaults: LBFGS_DEFAULTS,
      validate,
      optionalState: (p, group) => historyTemplate(numel(group.params), dtypeOf(p.data)),
      flexibleArrays: true,
    });
    if (this.paramGroups.length !== 1) {
      optionError("LBFGS doesn't support per-parameter options (parameter groups)");
    }
    const ps = this.paramGroups[0]!.params;
    const dtype = dtypeOf(ps[0]!.data);
    ps.forEach((p, i) => {
      if (dtypeOf(p.data) !== dtype) {
        optionError(
          `LBFGS: all params must have one dtype; ${paramLabel(p, i)} is ${dtypeOf(p.data)}, not ${dtype}`,
        );
      }
    });
  }

  override addParamGroup(_group: ParamGroupInit): void {
    optionError("LBFGS doesn't support per-parameter options (parameter groups)");
  }

  /**
   * Runs up to maxIter L-BFGS iterations. `closure` is required: it must recompute the loss and write the
   * grads (it is called several times). Returns the loss of the first evaluation, as torch does.
   */
  override step(closure?: () => number): number | undefined {
    if (typeof closure !== "function") {
      optionError(
        `LBFGS.step: a closure is required (a function that recomputes the loss, writes the grads and returns the loss), got ${describe(closure)}`,
      );
    }
    this.#closure = closure;
    try {
      return super.step(() => {
        this.#firstLoss = this.#evaluate();
        return this.#firstLoss;
      });
    } finally {
      this.#closure = undefined;
    }
  }

  #evaluate(): number {
    const loss = this.#closure!();
    if (typeof loss !== "number") {
      optionError(`LBFGS.step: the closure must return the loss as a number, got ${describe(loss)}`);
    }
    return loss;
  }

  // LBFGS keeps its state on the first param and creates it itself (in updateGroup)
  protected override needsAllocation(): boolean {
    return false;
  }

  // plain arrays: no kernel reads them, and the closure may allocate (a growth would detach arena views)
  protected override materializeLoaded(loaded: LBFGSState): LBFGSState {
    return cloneState(loaded as unknown as StateRecord) as unknown as LBFGSState;
  }

  protected initState(): LBFGSState {
    return { funcEvals: 0, nIter: 0 };
  }

  protected update(): void {
    throw new Error("LBFGS updates all its params together in updateGroup; update() is not used");
  }

  #scratch(n: number, dtype: Dtype): void {
    if (this.#x?.length === n && dtypeOf(this.#x) === dtype) return;
    this.#pool = [0, 1, 2, 3].map(() => plainBuffer(n, dtype));
    this.#x = plainBuffer(n, dtype);
    this.#y = plainBuffer(n, dtype);
    this.#s = plainBuffer(n, dtype);
  }

  /** A pool buffer that none of `live` is. */
  #free(...live: (Buffer | undefined)[]): Buffer {
    for (const b of this.#pool) if (!live.includes(b)) return b;
    throw new Error("LBFGS: internal error, no free gradient buffer");
  }

  /** The params' grads, concatenated into `out` (a null grad counts as zeros, as in torch). */
  #gather(params: readonly Param[], out: Buffer): Buffer {
    let offset = 0;
    params.forEach((p, i) => {
      const g = p.grad;
      const len = p.data.length;
      if (g === null || g === undefined) {
        out.fill(0, offset, offset + len);
      } else {
        if (g.length !== len) {
          optionError(
            `LBFGS.step: grad of ${paramLabel(p, i)} has ${g.length} elements but the param has ${len}`,
          );
        }
        out.set(g, offset);
      }
      offset += len;
    });
    return out;
  }

  /** θ += t·d over the concatenated params. */
  #addGrad(params: readonly Param[], t: number, d: Buffer): void {
    let offset = 0;
    for (const p of params) {
      const data = p.data;
      for (let i = 0; i < data.length; i++) data[i] = data[i]! + t * d[offset + i]!;
      offset += data.length;
    }
  }

  #copyParams(params: readonly Param[], out: Buffer): void {
    let offset = 0;
    for (const p of params) {
      out.set(p.data, offset);
      offset += p.data.length;
    }
  }

  #setParams(params: readonly Param[], x: Buffer): void {
    let offset = 0;
    for (const p of params) {
      p.data.set(x.subarray(offset, offset + p.data.length));
      offset += p.data.length;
    }
  }

  /** Loss and flat grad at x + t·d; the params are put back to x afterwards. */
  #directionalEvaluate(params: readonly Param[], x: Buffer, t: number, d: Buffer, out: Buffer): number {
    this.#addGrad(params, t, d);
    const loss = this.#evaluate();
    this.#gather(params, out);
    this.#setParams(params, x);
    return loss;
  }

  protected override updateGroup(group: ParamGroup<LBFGSOptions>): void {
    const params = group.params;
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearchFn } = group;
    const maxEval = group.maxEval ?? Math.floor((maxIter * 5) / 4);
    const n = numel(params);
    const dtype = dtypeOf(params[0]!.data);
    this.#scratch(n, dtype);
    const first = params[0]!;
    let state = this.state.get(first);
    if (state === undefined) {
      state = this.initState();
      this.state.set(first, state);
    }

    let loss = this.#firstLoss;
    let currentEvals = 1;
    state.funcEvals += 1;
    let flatGrad = this.#gather(params, this.#free());
    let optCond = maxAbs(flatGrad) <= toleranceGrad;
    if (optCond) return;

    let d = state.d;
    let t = state.t ?? 0;
    let oldDirs = state.oldDirs ?? [];
    let oldStps = state.oldStps ?? [];
    let ro = state.ro ?? [];
    let hDiag = state.hDiag ?? 1;
    let prevFlatGrad = state.prevFlatGrad;
    let prevLoss = state.prevLoss ?? Number.NaN;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;

      // direction
      if (state.nIter === 1 || d === undefined || prevFlatGrad === undefined) {
        d ??= plainBuffer(n, dtype);
        for (let i = 0; i < n; i++) d[i] = -flatGrad[i]!;
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = this.#y!;
        const s = this.#s!;
        for (let i = 0; i < n; i++) {
          y[i] = flatGrad[i]! - prevFlatGrad[i]!;
          s[i] = d[i]! * t;
        }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          let recycledY: Buffer | undefined;
          let recycledS: Buffer | undefined;
          if (oldDirs.length >= historySize) {
            // shift the history by one; the dropped pair's buffers hold the next candidate pair
            recycledY = oldDirs.shift();
            recycledS = oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y);
          this.#y = recycledY ?? plainBuffer(n, dtype);
          this.#s = recycledS ?? plainBuffer(n, dtype);
        }
        const numOld = oldDirs.length;
        state.al ??= new Array<number | null>(historySize).fill(null);
        const al = state.al;
        // two-loop recursion, in torch's single buffer: q starts as −g and ends as d
        for (let i = 0; i < n; i++) d[i] = -flatGrad[i]!;
        for (let i = numOld - 1; i >= 0; i--) {
          const a = dot(oldStps[i]!, d) * ro[i]!;
          al[i] = a;
          axpy(d, -a, oldDirs[i]!);
        }
        for (let i = 0; i < n; i++) d[i] = d[i]! * hDiag;
        for (let i = 0; i < numOld; i++) {
          const be = dot(oldDirs[i]!, d) * ro[i]!;
          axpy(d, al[i]! - be, oldStps[i]!);
        }
      }
      prevFlatGrad ??= plainBuffer(n, dtype);
      prevFlatGrad.set(flatGrad);
      prevLoss = loss;

      // step length
      if (state.nIter === 1) {
        let sumAbs = 0;
        for (let i = 0; i < n; i++) sumAbs += Math.abs(flatGrad[i]!);
        t = pyMin(1, 1 / sumAbs) * lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn === "strong_wolfe") {
        const x = this.#x!;
        this.#copyParams(params, x);
        const result = this.#strongWolfe(params, x, t, d, loss, flatGrad, gtd);
        loss = result.loss;
        flatGrad = result.grad;
        t = result.t;
        lsFuncEvals = result.evals;
        this.#addGrad(params, t, d);
        optCond = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.#addGrad(params, t, d);
        if (nIter !== maxIter) {
          // re-evaluate only if not in the last iteration (torch: no use in a stochastic setting)
          loss = this.#evaluate();
          flatGrad = this.#gather(params, this.#free(flatGrad));
          optCond = maxAbs(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;

      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (maxAbs(d, t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.oldDirs = oldDirs;
    state.oldStps = oldStps;
    state.ro = ro;
    state.hDiag = hDiag;
    state.prevFlatGrad = prevFlatGrad;
    state.prevLoss = prevLoss;
  }

  /** torch's _strong_wolfe (a port of lswolfe.lua): bracketing, then zoom with cubic interpolation. */
  #strongWolfe(
    params: readonly Param[],
    x: Buffer,
    tInit: number,
    d: Buffer,
    f: number,
    g: Buffer,
    gtd: number,
  ): { loss: number; grad: Buffer; t: number; evals: number } {
    let t = tInit;
    const dNorm = maxAbs(d);
    let gNew = this.#free(g);
    let fNew = this.#directionalEvaluate(params, x, t, d, gNew);
    let evals = 1;
    let gtdNew = dot(gNew, d);

    let tPrev = 0;
    let fPrev = f;
    let gPrev = g;
    let gtdPrev = gtd;
    let done = false;
    let lsIter = 0;
    let bracket: number[] = [];
    let bracketF: number[] = [];
    let bracketG: Buffer[] = [];
    let bracketGtd: number[] = [];
    while (lsIter < MAX_LS) {
      if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      if (Math.abs(gtdNew) <= -C2 * gtd) {
        bracket = [t];
        bracketF = [fNew];
        bracketG = [gNew];
        done = true;
        break;
      }
      if (gtdNew >= 0) {
        bracket = [tPrev, t];
        bracketF = [fPrev, fNew];
        bracketG = [gPrev, gNew];
        bracketGtd = [gtdPrev, gtdNew];
        break;
      }
      const minStep = t + 0.01 * (t - tPrev);
      const maxStep = t * 10;
      const tmp = t;
      t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
      tPrev = tmp;
      fPrev = fNew;
      gPrev = gNew;
      gtdPrev = gtdNew;
      gNew = this.#free(g, gPrev);
      fNew = this.#directionalEvaluate(params, x, t, d, gNew);
      evals += 1;
      gtdNew = dot(gNew, d);
      lsIter += 1;
    }
    if (lsIter === MAX_LS) {
      bracket = [0, t];
      bracketF = [f, fNew];
      bracketG = [g, gNew];
    }

    // zoom: refine the bracket until a point satisfies the strong Wolfe conditions
    let insufProgress = false;
    let [low, high] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
    while (!done && lsIter < MAX_LS) {
      if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < LS_TOLERANCE_CHANGE) break;
      t = cubicInterpolate(
        bracket[0]!,
        bracketF[0]!,
        bracketGtd[0]!,
        bracket[1]!,
        bracketF[1]!,
        bracketGtd[1]!,
      );
      const bMax = pyMax(bracket[0]!, bracket[1]!);
      const bMin = pyMin(bracket[0]!, bracket[1]!);
      const eps = 0.1 * (bMax - bMin);
      if (pyMin(bMax - t, t - bMin) < eps) {
        // close to a boundary: after insufficient progress (or outside), move 0.1·width inside
        if (insufProgress || t >= bMax || t <= bMin) {
          t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
          insufProgress = false;
        } else {
          insufProgress = true;
        }
      } else {
        insufProgress = false;
      }
      gNew = this.#free(g, bracketG[0], bracketG[1]);
      fNew = this.#directionalEvaluate(params, x, t, d, gNew);
      evals += 1;
      gtdNew = dot(gNew, d);
      lsIter += 1;

      if (fNew > f + C1 * t * gtd || fNew >= bracketF[low]!) {
        // Armijo fails or no lower than the low end: the new point becomes the high end
        bracket[high] = t;
        bracketF[high] = fNew;
        bracketG[high] = gNew;
        bracketGtd[high] = gtdNew;
        [low, high] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
      } else {
        if (Math.abs(gtdNew) <= -C2 * gtd) {
          done = true;
        } else if (gtdNew * (bracket[high]! - bracket[low]!) >= 0) {
          // the old high end becomes the new low end
          bracket[high] = bracket[low]!;
          bracketF[high] = bracketF[low]!;
          bracketG[high] = bracketG[low]!;
          bracketGtd[high] = bracketGtd[low]!;
        }
        bracket[low] = t;
        bracketF[low] = fNew;
        bracketG[low] = gNew;
        bracketGtd[low] = gtdNew;
      }
    }
    return { loss: bracketF[low]!, grad: bracketG[low]!, t: bracket[low]!, evals };
  }

  // the entries a step adds are checked by the base against historyTemplate (arrays of any length); what a
  // template cannot say is checked here
  protected override checkLoadedState(
    p: Param,
    loaded: unknown,
    group: ParamGroup<LBFGSOptions>,
    path: string,
  ): string | null {
    if (p !== group.params[0]) return `${path}: LBFGS keeps its state on the first param only`;
    const why = super.checkLoadedState(p, loaded, group, path);
    if (why !== null) return why;
    const s = loaded as Record<string, unknown>;
    for (const key of ["funcEvals", "nIter"]) {
      if (!Number.isInteger(s[key]) || (s[key] as number) < 0) {
        return `${path}.${key}: expected a non-negative integer, got ${describe(s[key])}`;
      }
    }
    for (const key of ["t", "hDiag", "prevLoss"]) {
      if (key in s && typeof s[key] !== "number")
        return `${path}.${key}: expected a number, got ${describe(s[key])}`;
    }
    const history = ["oldDirs", "oldStps", "ro"].filter((k) => k in s);
    if (history.length !== 0 && history.length !== 3) return `${path}: oldDirs, oldStps and ro go together`;
    const [dirs, stps, ro] = [s.oldDirs, s.oldStps, s.ro] as unknown[][];
    if (history.length === 3 && (dirs!.length !== stps!.length || dirs!.length !== ro!.length)) {
      return `${path}: oldDirs, oldStps and ro have different lengths (${dirs!.length}, ${stps!.length}, ${ro!.length})`;
    }
    const badRo = ro?.findIndex((v) => typeof v !== "number") ?? -1;
    if (badRo >= 0) return `${path}.ro[${badRo}]: expected a number, got ${describe(ro![badRo])}`;
    return null;
  }
}
