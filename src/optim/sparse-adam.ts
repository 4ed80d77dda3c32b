// SparseAdam, as torch.optim.SparseAdam computes it (torch/optim/_functional.py `sparse_adam`): Adam for
// params whose gradient touches only some rows (an embedding table looked up by a batch), updating only
// those rows. The gradient is `p.sparseGrad` (row indices + their rows); per param, at every step:
//   t += 1                                   (also when the grad has no rows: then nothing else changes)
//   g = coalesce(±grad)                      (negated when maximize; repeated rows summed, sorted)
//   on the rows of g only:
//     m = m + (g − m)·(1−β1)        v = v + (g² − v)·(1−β2)
//     θ = θ − lr·sqrt(1−β2ᵗ)/(1−β1ᵗ) · m / (sqrt(v) + ε)
// Rows the gradient does not name keep their θ, m and v, however many steps pass (torch's masked Adam: the
// moments of an untouched row do not decay). Unlike Adam, ε is added to the uncorrected sqrt(v) and the bias
// correction of v sits in the step size; there is no weight decay and no amsgrad. Every operation runs in
// the param's dtype in torch's order, so float32 runs round as torch's do. A dense `p.grad` is refused.

import type { Buffer } from "../core/arena.js";
import { zerosLike } from "../core/arena.js";
import {
  type BaseOptions,
  Optimizer,
  type ParamGroup,
  type ParamGroupInit,
  paramLabel,
} from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { coalesce, rowLayout, type SparseGrad, sparseGradMismatch } from "../core/sparse-grad.js";
import { betas, boolean, nonNegative, optionError, positive } from "../core/validate.js";

/** Options of `SparseAdam` (torch's names and defaults: no weight decay, no amsgrad). */
export interface SparseAdamOptions extends BaseOptions {
  /** Default 1e-3; must be > 0 at construction, as torch checks (a group's lr may fall to 0 later). */
  lr: number;
  /** β1, β2: decay of the touched rows' first and second moments. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the uncorrected sqrt(v), torch's SparseAdam form; must be > 0. Default 1e-8. */
  eps: number;
  /** Ascend instead of descend (negate the gradient). Default false. */
  maximize: boolean;
}

/** torch's defaults. */
export const SPARSE_ADAM_DEFAULTS: Readonly<SparseAdamOptions> = Object.freeze({
  lr: 1e-3,
  betas: [0.9, 0.999] as const,
  eps: 1e-8,
  maximize: false,
});

/** A param's SparseAdam state, as torch's: its step count and both moments over all its rows. */
export type SparseAdamState = { step: number; expAvg: Buffer; expAvgSq: Buffer };

// torch refuses lr = 0 only in the constructor (`0.0 < lr`); a group's lr may reach 0 later (a scheduler
// annealing to 0), so the checks that run again at each step allow it
function validate(o: SparseAdamOptions): void {
  nonNegative(o.lr, "learning rate");
  positive(o.eps, "epsilon value");
  betas(o.betas);
  boolean(o.maximize, "maximize value");
}

function validateParam(p: Param): void {
  if (p.shape.length === 0)
    optionError(`SparseAdam: a param of shape [] has no rows for a sparse gradient to index`);
}

/** The buffers of `sparseAdamUpdate`: the param's and its moments' full rows. */
export interface SparseAdamBuffers {
  param: Buffer;
  expAvg: Buffer;
  expAvgSq: Buffer;
}

/** The per-call scalars of `sparseAdamUpdate`. */
export interface SparseAdamScalars {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr·sqrt(1−β2ᵗ)/(1−β1ᵗ), computed in float64 as torch computes it in Python. */
  stepSize: number;
}

/**
 * The update of the rows `rows` (each once), whose gradient rows are `values` (`rowSize` each): the same
 * operations as torch's `sparse_adam`, each rounded to the buffers' dtype.
 */
export function sparseAdamUpdate(
  rows: Int32Array,
  values: Buffer,
  rowSize: number,
  { param, expAvg, expAvgSq }: SparseAdamBuffers,
  { beta1, beta2, eps, stepSize }: SparseAdamScalars,
): void {
  // float32 tensors compute in float32, their Python-float scalars rounded to float32 first
  const round = param instanceof Float32Array ? Math.fround : (x: number) => x;
  const oneMinusBeta1 = round(1 - beta1);
  const oneMinusBeta2 = round(1 - beta2);
  const epsilon = round(eps);
  const negativeStepSize = round(-stepSize);
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k]! * rowSize;
    for (let j = 0; j < rowSize; j++) {
      const i = base + j;
      const g = values[k * rowSize + j]!;
      const m = expAvg[i]!;
      const v = expAvgSq[i]!;
      const mUpdate = round(round(g - m) * oneMinusBeta1);
      const vUpdate = round(round(round(g * g) - v) * oneMinusBeta2);
      const mNew = round(m + mUpdate);
      const vNew = round(v + vUpdate);
      expAvg[i] = mNew;
      expAvgSq[i] = vNew;
      const denom = round(round(Math.sqrt(vNew)) + epsilon);
      param[i] = round(param[i]! + round(negativeStepSize * round(mNew / denom)));
    }
  }
}

/**
 * SparseAdam: Adam for embedding-like params, updating only the rows a sparse gradient names (set
 * `p.sparseGrad`, e.g. with `sparseGrad(indices, values)`; a dense `p.grad` is refused, as torch refuses it).
 * @example
 * const table = param(new Float32Array(4 * 2), { shape: [4, 2] }); // 4 embeddings of size 2
 * const opt = new SparseAdam([table], { lr: 0.1 });
 * table.sparseGrad = sparseGrad([2, 0, 2], new Float32Array([1, -1, 0.5, 0.5, 1, 1]));
 * opt.step(); // rows 0 and 2 move (row 2 by its summed gradient [2, 0], so only its first element)
 * Array.from(table.data); // → [-0.09999992698431015, -0.09999992698431015, 0, 0, -0.09999997913837433, 0, 0, 0]
 * opt.zeroGrad(); // the sparse grad is null again
 */
export class SparseAdam extends Optimizer<SparseAdamOptions, SparseAdamState> {
  constructor(
    params: readonly Param[] | readonly ParamGroupInit[],
    options: Partial<SparseAdamOptions> = {},
  ) {
    const lr = (options as { lr?: unknown } | null)?.lr;
    if (typeof lr === "number") positive(lr, "learning rate");
    super(params, options, {
      name: "SparseAdam",
      defaults: SPARSE_ADAM_DEFAULTS,
      validate,
      validateParam,
      nonNegativeState: ["expAvgSq"],
    });
  }

  protected initState(p: Param): SparseAdamState {
    return { step: 0, expAvg: zerosLike(p.data), expAvgSq: zerosLike(p.data) };
  }

  protected override hasGrad(p: Param): boolean {
    return p.sparseGrad !== null && p.sparseGrad !== undefined;
  }

  protected override checkGrad(p: Param, i: number): void {
    if (p.grad !== null && p.grad !== undefined)
      optionError(
        `SparseAdam does not support dense gradients, please consider Adam instead (${paramLabel(p, i)} has a dense grad)`,
      );
    if (!this.hasGrad(p)) return;
    const why = sparseGradMismatch(p.sparseGrad, p.shape, p.data);
    if (why !== null) optionError(`SparseAdam.step: the sparseGrad of ${paramLabel(p, i)} ${why}`);
  }

  protected override updateGroup(group: ParamGroup<SparseAdamOptions>): void {
    const [beta1, beta2] = group.betas;
    for (const p of group.params) {
      if (!this.hasGrad(p)) continue;
      let state = this.state.get(p);
      if (state === undefined) {
        state = this.initState(p);
        this.state.set(p, state);
      }
      state.step += 1;
      const { rowSize } = rowLayout(p.shape);
      const { rows, values } = coalesce(p.sparseGrad as SparseGrad, rowSize, group.maximize);
      if (values.length === 0) continue; // torch skips an empty grad's update, but has counted the step
      const biasCorrection1 = 1 - beta1 ** state.step;
      const biasCorrection2 = 1 - beta2 ** state.step;
      const stepSize = (group.lr * Math.sqrt(biasCorrection2)) / biasCorrection1;
      sparseAdamUpdate(
        rows,
        values,
        rowSize,
        { param: p.data, expAvg: state.expAvg, expAvgSq: state.expAvgSq },
        { beta1, beta2, eps: group.eps, stepSize },
      );
    }
  }

  /** Never called: `updateGroup` steps each param through its sparse gradient. */
  protected update(): void {
    throw new Error("SparseAdam.update: SparseAdam steps through sparse gradients only");
  }
}
