import {
  allocBuffer,
  arenaClock,
  type Buffer,
  currentBuffer,
  type Dtype,
  dtypeOf,
  releaseBuffer,
} from "./arena.js";

import type { SparseGrad } from "./sparse-grad.js";

export type { Buffer, Dtype } from "./arena.js";

/**
 * A trainable tensor: flat `data` updated in place by `step()`, and `grad` written by the user (or an
 * adapter) and read by `step()`. A param whose `grad` is `null` is skipped, as in PyTorch.
 *
 * Any object of this shape works with every optimizer; `param()` makes one whose buffers live in
 * descent's arena, where the WebAssembly kernels work without copying.
 */
export interface Param {
  data: Buffer;
  grad: Buffer | null;
  readonly shape: readonly number[];
  /** A name for messages, checkpoints and torch files (torch's parameter name). */
  name?: string;
  /** A gradient over some rows only, for `SparseAdam` (see `sparseGrad`); every other optimizer refuses it. */
  sparseGrad?: SparseGrad | null;
}

/**
 * Options of `param()`: the shape (default: flat), a name (used in messages and checkpoints) and the dtype.
 */
export interface ParamOptions {
  /** The param's shape (default: one dimension, the data's length); its product must equal the length. */
  shape?: readonly number[];
  /** A name for messages, checkpoints and torch files (torch's parameter name). */
  name?: string;
  /** The element type (default: the data's, float32 for a number[]). */
  dtype?: Dtype;
}

/**
 * A param in descent's memory. `data` is a view into descent's WebAssembly memory, updated in place by
 * `step()`; read it from the param when you use it: a view kept across something that allocates (a new
 * param, an optimizer's first step) is detached (length 0) when the memory grows. `p.data.slice()` is an
 * independent copy. `grad` is preallocated beside `data`: writing gradients in place (`p.grad.set(g)`, or
 * `p.gradBuffer().set(g)` after `zeroGrad()` set it to null) is the zero-copy path. Assigning `p.grad = g`
 * copies `g` into that buffer (it must have the param's length and dtype); assigning `null` marks the grad
 * absent. `dispose()` (or `using`) returns the memory; the param cannot be used afterwards.
 */
export class Parameter implements Param {
  readonly shape: readonly number[];
  /** The param's name, if it was given one. */
  name?: string;
  /** The sparse gradient `SparseAdam` reads (null: none); kept as given, checked at `step()`. */
  sparseGrad: SparseGrad | null = null;
  #data: Buffer;
  #grad: Buffer | null = null;
  #hasGrad = false;
  /** The arena generation the views were derived in; -1 once disposed. */
  #generation = arenaClock.generation;
  readonly #length: number;

  constructor(data: Buffer, shape: readonly number[], name?: string, grad?: Buffer) {
    this.#data = data;
    this.#length = data.length;
    if (grad !== undefined) this.#grad = grad;
    this.shape = Object.freeze([...shape]);
    if (name !== undefined) this.name = name;
  }

  get dtype(): Dtype {
    return dtypeOf(this.#data);
  }

  get size(): number {
    return this.#length;
  }

  get data(): Buffer {
    if (this.#generation !== arenaClock.generation) this.#refresh();
    return this.#data;
  }

  /** Copies `values` into the param's memory (the buffer itself is never replaced). */
  set data(values: Buffer) {
    checkSameLayout(this, values, "data");
    this.data.set(values);
  }

  get grad(): Buffer | null {
    if (!this.#hasGrad) return null;
    if (this.#generation !== arenaClock.generation) this.#refresh();
    return this.#grad;
  }

  set grad(values: Buffer | null) {
    if (values === null) {
      this.#hasGrad = false;
      return;
    }
    checkSameLayout(this, values, "grad");
    const buffer = this.gradBuffer();
    if (values !== buffer) buffer.set(values);
  }

  /** The param's own grad buffer (allocated on first use); marks the grad present. */
  gradBuffer(): Buffer {
    if (this.#generation !== arenaClock.generation) this.#refresh();
    if (this.#grad === null) {
      this.#grad = allocBuffer(this.#length, this.dtype);
      this.#data = currentBuffer(this.#data); // the allocation may have grown (and detached) the memory
      this.#generation = arenaClock.generation;
    }
    this.#hasGrad = true;
    return this.#grad;
  }

  /** True once `dispose()` has returned the param's memory. */
  get disposed(): boolean {
    return this.#generation === -1;
  }

  /**
   * Returns the param's memory (data and grad) to descent now. Views of it that were kept are never
   * handed to anyone else while they can still reach it. Reading `data` or `grad` afterwards throws.
   * Optimizers holding the param should be disposed too (their state is theirs to free).
   * @example
   * {
   *   using w = param([1, 2, 3]);
   *   w.data[0]; // → 1
   * } // w's memory is returned here
   */
  dispose(): void {
    if (this.#generation === -1) return;
    releaseBuffer(this.#data);
    if (this.#grad !== null) releaseBuffer(this.#grad);
    this.#generation = -1;
  }

  /** `using p = param(…)` disposes the param at the end of the scope (see `dispose()`). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #refresh(): void {
    if (this.#generation === -1) {
      const label = this.name === undefined ? "param" : `param '${this.name}'`;
      throw new Error(`${label} was disposed: its memory was returned with dispose()`);
    }
    this.#data = currentBuffer(this.#data);
    if (this.#grad !== null) this.#grad = currentBuffer(this.#grad);
    this.#generation = arenaClock.generation;
  }
}

function checkSameLayout(p: Parameter, values: unknown, what: string): void {
  const label = p.name === undefined ? "param" : `param '${p.name}'`;
  if (!(values instanceof Float32Array || values instanceof Float64Array)) {
    throw new TypeError(
      `${what} of ${label} must be a Float32Array or Float64Array, got ${describe(values)}`,
    );
  }
  if (dtypeOf(values) !== p.dtype) {
    throw new TypeError(`${what} of ${label} has dtype ${dtypeOf(values)} but the param is ${p.dtype}`);
  }
  if (values.length !== p.size) {
    throw new RangeError(`${what} of ${label} has ${values.length} elements but the param has ${p.size}`);
  }
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as Buffer).length}`;
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}

/**
 * Makes a param whose values are a copy of `data`, living in descent's memory.
 * @example
 * const w = param([0.5, -1.2], { name: "w" });          // float32 by default for number[]
 * const b = param(new Float64Array([0]), { name: "b" }); // dtype follows the typed array
 */
export function param(data: Buffer | readonly number[], opts: ParamOptions = {}): Parameter {
  const isTyped = data instanceof Float32Array || data instanceof Float64Array;
  if (!isTyped && !Array.isArray(data)) {
    throw new TypeError(
      `param: data must be a Float32Array, Float64Array or number[], got ${describe(data)}`,
    );
  }
  const fromType: Dtype = data instanceof Float64Array ? "float64" : "float32";
  const dtype = opts.dtype ?? fromType;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(`param: dtype must be "float32" or "float64", got ${describe(dtype)}`);
  }
  const length = data.length;
  const shape = opts.shape ?? [length];
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(
      `param: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== length) {
    throw new RangeError(`param: shape [${shape.join(", ")}] has ${count} elements but data has ${length}`);
  }
  for (let i = 0; i < length; i++) {
    if (typeof data[i] !== "number") {
      throw new TypeError(`param: data[${i}] is not a number (${describe(data[i])})`);
    }
  }
  const buffer = allocBuffer(length, dtype);
  buffer.set(data);
  // the grad buffer is allocated now, so that writing the first gradient allocates nothing (an allocation
  // may grow descent's memory, which detaches views a caller holds)
  const grad = allocBuffer(length, dtype);
  return new Parameter(currentBuffer(buffer), shape, opts.name, grad);
}

/** The dtype of any Param's data. */
export function paramDtype(p: Param): Dtype {
  return dtypeOf(p.data);
}
