// A gradient that touches only some rows of a param, as torch's sparse COO gradients of
// `nn.Embedding(sparse=True)`: row `indices[k]` (along the param's first dimension) receives the k-th row of
// `values` (`rowSize` elements, the product of the param's other dimensions). A row may appear more than
// once: its rows add up, in the order given, exactly as torch's `coalesce()` sums them.

import type { Buffer } from "./arena.js";
import { describe } from "./param.js";
import { optionError } from "./validate.js";

/**
 * A sparse gradient over the rows of a param, set as `p.sparseGrad` (the dense `p.grad` stays null). Only
 * `SparseAdam` reads it; every other optimizer refuses a param that carries one.
 */
export interface SparseGrad {
  /** Row indices into the param's first dimension, repeats allowed. */
  readonly indices: Int32Array;
  /** `indices.length` rows of the param's row size, row-major, in the param's dtype. */
  readonly values: Buffer;
}

/**
 * Makes a sparse gradient from row indices and their rows of values (copied; `values` keeps its dtype).
 * @example
 * const table = param(new Float64Array(5 * 2), { shape: [5, 2] }); // 5 rows of 2
 * // rows 3, 0 and 3 again were looked up: row 3 gets the sum of its two rows
 * table.sparseGrad = sparseGrad([3, 0, 3], new Float64Array([0.1, 0.2, 1, 1, 0.3, 0.4]));
 */
export function sparseGrad(indices: ArrayLike<number>, values: Buffer): SparseGrad {
  if (!(values instanceof Float32Array || values instanceof Float64Array))
    optionError(`sparseGrad: values must be a Float32Array or Float64Array, got ${describe(values)}`);
  if (indices === null || typeof indices !== "object" || typeof indices.length !== "number")
    optionError(`sparseGrad: indices must be an array of row indices, got ${describe(indices)}`);
  const rows = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const r = indices[k];
    if (!Number.isInteger(r) || (r as number) < 0 || (r as number) > 2 ** 31 - 1)
      optionError(`sparseGrad: indices[${k}] is ${describe(r)}, not a row index (an integer ≥ 0)`);
    rows[k] = r as number;
  }
  if (rows.length === 0 ? values.length !== 0 : values.length % rows.length !== 0)
    optionError(`sparseGrad: ${values.length} values do not split into ${rows.length} rows of equal length`);
  return { indices: rows, values: values.slice() };
}

/** The param's row count and row size: its first dimension, and the product of the others. */
export function rowLayout(shape: readonly number[]): { rows: number; rowSize: number } {
  let rowSize = 1;
  for (let d = 1; d < shape.length; d++) rowSize *= shape[d]!;
  return { rows: shape[0] ?? 1, rowSize };
}

/**
 * Why `grad` is not a valid sparse gradient for a param of `shape` and `length` elements in `dtype`'s
 * array type, or null. Checked at every step, before anything changes.
 */
export function sparseGradMismatch(grad: unknown, shape: readonly number[], data: Buffer): string | null {
  const g = grad as Partial<SparseGrad> | null;
  if (g === null || typeof g !== "object") return `is ${describe(grad)}, not a sparse grad`;
  if (!(g.indices instanceof Int32Array))
    return `has indices ${describe(g.indices)}, not an Int32Array (make it with sparseGrad(indices, values))`;
  if (!(g.values instanceof Float32Array || g.values instanceof Float64Array))
    return `has values ${describe(g.values)}, not a Float32Array or Float64Array`;
  if (g.values.constructor !== data.constructor)
    return `has ${g.values instanceof Float32Array ? "float32" : "float64"} values but the param is ${
      data instanceof Float32Array ? "float32" : "float64"
    }`;
  const { rows, rowSize } = rowLayout(shape);
  const nnz = g.indices.length;
  if (g.values.length !== nnz * rowSize)
    return `has ${g.values.length} values for ${nnz} rows, but a row of the param has ${rowSize} elements`;
  for (let k = 0; k < nnz; k++) {
    const r = g.indices[k]!;
    if (r < 0 || r >= rows) return `has row index ${r} at indices[${k}], but the param has ${rows} rows`;
  }
  return null;
}

/** A gradient with each row once, in increasing row order: what torch's `coalesce()` gives. */
export interface CoalescedGrad {
  readonly rows: Int32Array;
  readonly values: Buffer;
}

/**
 * Sums repeated rows (in the order given, as torch's coalesce: a stable sort by row, then each repeat added
 * to the first) and sorts the rows; `negate` flips the sign of every value first (maximize).
 */
export function coalesce(grad: SparseGrad, rowSize: number, negate = false): CoalescedGrad {
  const { indices, values } = grad;
  const nnz = indices.length;
  const order = Array.from({ length: nnz }, (_, k) => k);
  order.sort((a, b) => indices[a]! - indices[b]! || a - b);
  let unique = 0;
  for (let k = 0; k < nnz; k++) if (k === 0 || indices[order[k]!] !== indices[order[k - 1]!]) unique++;
  const rows = new Int32Array(unique);
  const summed = new (values.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(
    unique * rowSize,
  );
  const sign = negate ? -1 : 1;
  let u = -1;
  for (let k = 0; k < nnz; k++) {
    const source = order[k]!;
    const from = source * rowSize;
    if (k === 0 || indices[source] !== rows[u]) {
      u++;
      rows[u] = indices[source]!;
      const to = u * rowSize;
      for (let j = 0; j < rowSize; j++) summed[to + j] = sign * values[from + j]!;
    } else {
      // the typed array rounds each sum to the dtype, as torch adds in the tensor's dtype
      const to = u * rowSize;
      for (let j = 0; j < rowSize; j++) summed[to + j] = summed[to + j]! + sign * values[from + j]!;
    }
  }
  return { rows, values: summed };
}

/** A sparse grad of no rows in `like`'s dtype (what torch's `zero_()` leaves of a sparse grad). */
export function emptySparseGrad(like: SparseGrad): SparseGrad {
  const values = like.values instanceof Float32Array ? new Float32Array(0) : new Float64Array(0);
  return { indices: new Int32Array(0), values };
}
