// Tensors as torch.save stores them: a storage (one typed block of bytes, shared by every tensor that views
// it) and a view of it (offset, shape and strides in elements). Reading a tensor's values walks the strides;
// nothing is copied until then, and tensors that shared a storage in torch share one TorchStorage here.

import { fail } from "./torch-format-error.js";

/** The dtypes torch.save files carry, by torch's name. */
export type TorchDtype =
  | "float32"
  | "float64"
  | "float16"
  | "bfloat16"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint8"
  | "bool"
  | "complex64"
  | "complex128";

/** A dtype's legacy storage class name and element size in bytes. */
export interface DtypeInfo {
  storage: string;
  itemSize: number;
}

/** Each dtype's legacy storage class (what the pickle names) and element size. */
export const DTYPES: Readonly<Record<TorchDtype, DtypeInfo>> = {
  float32: { storage: "FloatStorage", itemSize: 4 },
  float64: { storage: "DoubleStorage", itemSize: 8 },
  float16: { storage: "HalfStorage", itemSize: 2 },
  bfloat16: { storage: "BFloat16Storage", itemSize: 2 },
  int64: { storage: "LongStorage", itemSize: 8 },
  int32: { storage: "IntStorage", itemSize: 4 },
  int16: { storage: "ShortStorage", itemSize: 2 },
  int8: { storage: "CharStorage", itemSize: 1 },
  uint8: { storage: "ByteStorage", itemSize: 1 },
  bool: { storage: "BoolStorage", itemSize: 1 },
  complex64: { storage: "ComplexFloatStorage", itemSize: 8 },
  complex128: { storage: "ComplexDoubleStorage", itemSize: 16 },
};

export const DTYPE_OF_STORAGE: ReadonlyMap<string, TorchDtype> = new Map(
  (Object.entries(DTYPES) as Array<[TorchDtype, DtypeInfo]>).map(([d, i]) => [i.storage, d]),
);

/** The typed arrays that tensor values come out as (and that torchSave takes as 1-D tensors). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

/** One block of a dtype's elements, little-endian, as torch stores it (`data/<key>` in the zip). */
export class TorchStorage {
  readonly dtype: TorchDtype;
  /** The storage's element count. */
  readonly numel: number;
  /** The raw little-endian bytes (a view into the file when read). */
  readonly bytes: Uint8Array;
  /** Where torch had it ("cpu", "cuda:0", …); descent reads every location into memory. */
  readonly location: string;

  constructor(dtype: TorchDtype, bytes: Uint8Array, location = "cpu", numel?: number) {
    const size = DTYPES[dtype].itemSize;
    if (bytes.length % size !== 0) fail("corrupt", `a ${dtype} storage of ${bytes.length} bytes`);
    this.dtype = dtype;
    this.bytes = bytes;
    this.numel = numel ?? bytes.length / size;
    this.location = location;
  }

  /** A storage whose bytes are not read yet (the legacy reader's first pass); its values are never used. */
  static unread(dtype: TorchDtype, numel: number): TorchStorage {
    return new TorchStorage(dtype, new Uint8Array(0), "unread", numel);
  }
}

/** Options of `TorchTensor.toArray`. */
export interface ToArrayOptions {
  /** Return float16 and bfloat16 values as a Float32Array (exact: both widen without rounding). */
  widen?: boolean;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor: a strided view of a storage, as `torch._utils._rebuild_tensor_v2` builds it. */
export class TorchTensor {
  readonly storage: TorchStorage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly requiresGrad: boolean;

  constructor(
    storage: TorchStorage,
    storageOffset: number,
    shape: readonly number[],
    stride: readonly number[],
    requiresGrad = false,
  ) {
    const where = `a tensor of shape [${shape}]`;
    if (!Number.isSafeInteger(storageOffset) || storageOffset < 0)
      fail("corrupt", `${where} has storage offset ${storageOffset}`);
    if (shape.length !== stride.length) fail("corrupt", `${where} has ${stride.length} strides`);
    let last = storageOffset;
    let numel = 1;
    for (let d = 0; d < shape.length; d++) {
      const n = shape[d]!;
      const s = stride[d]!;
      if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(s) || s < 0) {
        fail("corrupt", `${where} has size ${n} / stride ${s} in dim ${d}`);
      }
      numel *= n;
      last += (n - 1) * s;
    }
    if (numel > 0 && last >= storage.numel) {
      fail(
        "corrupt",
        `${where} (offset ${storageOffset}, strides [${stride}]) reaches element ${last} of a storage of ${storage.numel}`,
      );
    }
    this.storage = storage;
    this.storageOffset = storageOffset;
    this.shape = Object.freeze([...shape]);
    this.stride = Object.freeze([...stride]);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): TorchDtype {
    return this.storage.dtype;
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Whether the elements lie row-major and back to back in the storage. */
  get isContiguous(): boolean {
    let expected = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.stride[d] !== expected) return false;
      expected *= this.shape[d]!;
    }
    return true;
  }

  /**
   * The values, row-major, in a fresh typed array: Float32Array / Float64Array, BigInt64Array for int64,
   * Int32Array …, Uint8Array for uint8 and bool. float16 and bfloat16 need `{ widen: true }`.
   */
  toArray(options: ToArrayOptions = {}): TensorArray {
    const dtype = this.dtype;
    const n = this.numel;
    const half = dtype === "float16" || dtype === "bfloat16";
    if (half && !options.widen) {
      fail("unsupported", `a ${dtype} tensor is read with toArray({ widen: true }) (to a Float32Array)`);
    }
    if (dtype === "complex64" || dtype === "complex128")
      fail("unsupported", `${dtype} tensors are not converted`);
    const size = DTYPES[dtype].itemSize;
    const raw = new Uint8Array(n * size);
    const src = this.storage.bytes;
    if (this.isContiguous) {
      raw.set(src.subarray(this.storageOffset * size, (this.storageOffset + n) * size));
    } else {
      const index = new Array<number>(this.shape.length).fill(0);
      let at = this.storageOffset;
      for (let i = 0; i < n; i++) {
        raw.set(src.subarray(at * size, at * size + size), i * size);
        for (let d = this.shape.length - 1; d >= 0; d--) {
          index[d]!++;
          at += this.stride[d]!;
          if (index[d]! < this.shape[d]!) break;
          at -= this.stride[d]! * this.shape[d]!;
          index[d] = 0;
        }
      }
    }
    if (!littleEndian && size > 1) swapBytes(raw, size);
    const buffer = raw.buffer;
    switch (dtype) {
      case "float32":
        return new Float32Array(buffer);
      case "float64":
        return new Float64Array(buffer);
      case "int64":
        return new BigInt64Array(buffer);
      case "int32":
        return new Int32Array(buffer);
      case "int16":
        return new Int16Array(buffer);
      case "int8":
        return new Int8Array(buffer);
      case "uint8":
      case "bool":
        return raw;
      default:
        return widenHalf(new Uint16Array(buffer), dtype === "bfloat16");
    }
  }

  /** The values as plain numbers (int64 beyond 2^53 is refused rather than rounded). */
  toNumbers(options: ToArrayOptions = {}): number[] {
    const values = this.toArray(options);
    if (values instanceof BigInt64Array) {
      return Array.from(values, (v) => {
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail("unsupported", `int64 value ${v} has no exact number`);
        }
        return Number(v);
      });
    }
    return Array.from(values as ArrayLike<number>);
  }
}

function swapBytes(raw: Uint8Array, size: number): void {
  for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
}

function widenHalf(bits: Uint16Array, bfloat: boolean): Float32Array {
  const out = new Float32Array(bits.length);
  if (bfloat) {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < bits.length; i++) u[i] = bits[i]! << 16;
    return out;
  }
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function dtypeOfArray(data: TensorArray): TorchDtype {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint8Array) return "uint8";
  return fail("unserializable", `a ${(data as object).constructor?.name} is not a tensor dtype`);
}

/**
 * A contiguous tensor holding a copy of `data`, shaped `shape` (1-D by default), for `torchSave`.
 * @example
 * const weight = torchTensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * weight.stride; // → [3, 1]
 * Array.from(weight.toArray()); // → [1, 2, 3, 4, 5, 6]
 */
export function torchTensor(data: TensorArray, shape: readonly number[] = [data.length]): TorchTensor {
  const dtype = dtypeOfArray(data);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== data.length)
    fail("unserializable", `shape [${shape}] holds ${numel} elements, the data has ${data.length}`);
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!littleEndian) swapBytes(bytes, DTYPES[dtype].itemSize);
  const stride: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d]!;
  }
  return new TorchTensor(new TorchStorage(dtype, bytes), 0, shape, stride);
}
