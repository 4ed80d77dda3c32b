// torchLoad: the bytes of a torch.save file → plain values (objects, arrays, Tuples, Maps for dicts with
// non-string keys) and TorchTensors. Both formats torch.load reads: the zip archive (torch ≥ 1.6) and the
// legacy one (a magic-number pickle, a protocol version, a sys_info dict, the object's pickle, the list of
// storage keys, then each storage as an int64 element count followed by its bytes). Nothing is executed:
// see pickle.ts for the allow-list and docs/torch-format.md for the limits.

import {
  DEFAULT_PICKLE_LIMITS,
  type PickleLimits,
  type PickleValue,
  skipPickle,
  type Tuple,
  unpickle,
} from "./pickle.js";
import { DTYPES, type TorchDtype, TorchStorage } from "./tensor.js";
import { fail, TorchFormatError } from "./torch-format-error.js";
import { DEFAULT_ZIP_LIMITS, isZip, readZip, type ZipLimits } from "./zip.js";

/** Options of `torchLoad`. */
export interface TorchLoadOptions {
  /** Overrides of the reader's limits (depth, nodes, integer length, zip members). */
  limits?: Partial<PickleLimits & ZipLimits>;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

function toBytes(input: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (
    input instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && input instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(input);
  }
  return fail("unsupported", "torchLoad takes bytes (a Uint8Array, another typed array or an ArrayBuffer)");
}

function storageId(
  pid: Tuple,
  legacy: boolean,
): { dtype: TorchDtype; key: string; location: string; numel: number } {
  const [, dtype, key, location, numel] = pid;
  if (typeof dtype !== "string" || !(dtype in DTYPES)) fail("corrupt", `a storage of type ${String(dtype)}`);
  if (typeof key !== "string") fail("corrupt", "a storage key that is not a string");
  if (typeof location !== "string") fail("corrupt", `storage '${key}' has a location that is not a string`);
  if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) {
    fail("corrupt", `storage '${key}' has ${String(numel)} elements`);
  }
  if (pid.length !== (legacy ? 6 : 5))
    fail("corrupt", `storage '${key}' has a persistent id of ${pid.length} fields`);
  return { dtype: dtype as TorchDtype, key, location, numel };
}

/**
 * Reads a `torch.save` file (zip or legacy format) without executing anything.
 * @example
 * const bytes = torchSave({ step: 3, weight: torchTensor(new Float64Array([1, 2, 3, 4]), [2, 2]) });
 * const loaded = torchLoad(bytes) as { step: number; weight: TorchTensor };
 * loaded.step; // → 3
 * loaded.weight.shape; // → [2, 2]
 * Array.from(loaded.weight.toArray()); // → [1, 2, 3, 4]
 */
export function torchLoad(
  input: ArrayBufferLike | ArrayBufferView,
  options: TorchLoadOptions = {},
): PickleValue {
  const bytes = toBytes(input);
  const limits = { ...DEFAULT_PICKLE_LIMITS, ...DEFAULT_ZIP_LIMITS, ...options.limits };
  try {
    return isZip(bytes) ? loadZip(bytes, limits) : loadLegacy(bytes, limits);
  } catch (e) {
    if (e instanceof TorchFormatError) throw e;
    if (e instanceof RangeError) throw new TorchFormatError("limit", e.message, { cause: e });
    throw e;
  }
}

function loadZip(bytes: Uint8Array, limits: PickleLimits & ZipLimits): PickleValue {
  const members = readZip(bytes, limits);
  const first = members.keys().next();
  if (first.done) fail("corrupt", "an empty zip");
  const prefix = first.value.slice(0, first.value.indexOf("/") + 1);
  const data = members.get(`${prefix}data.pkl`);
  if (prefix === "" || data === undefined) fail("corrupt", "the zip has no data.pkl (not a torch.save file)");
  const byteorder = members.get(`${prefix}byteorder`);
  if (byteorder !== undefined && new TextDecoder().decode(byteorder) !== "little") {
    fail("unsupported", "big-endian storages (byteorder 'big')");
  }
  const storages = new Map<string, TorchStorage>();
  const { value, end } = unpickle(
    data,
    (pid) => {
      const { dtype, key, location, numel } = storageId(pid, false);
      const cached = storages.get(key);
      if (cached !== undefined) {
        if (cached.dtype !== dtype)
          fail("unsupported", `storage '${key}' is viewed as ${cached.dtype} and ${dtype}`);
        return cached;
      }
      const member = members.get(`${prefix}data/${key}`);
      if (member === undefined) fail("corrupt", `storage '${key}' has no member data/${key}`);
      const size = numel * DTYPES[dtype].itemSize;
      if (member.length !== size) {
        fail(
          "corrupt",
          `storage '${key}' holds ${member.length} bytes, but ${numel} ${dtype} elements need ${size}`,
        );
      }
      const storage = new TorchStorage(dtype, member, location);
      storages.set(key, storage);
      return storage;
    },
    limits,
  );
  if (end !== data.length) fail("corrupt", `data.pkl has ${data.length - end} bytes after its STOP`);
  return value;
}

function loadLegacy(bytes: Uint8Array, limits: PickleLimits): PickleValue {
  const noStorage = (): never => fail("corrupt", "a storage before the legacy file's object pickle");
  if (bytes.length === 0 || bytes[0] !== 0x80)
    fail("unsupported", "neither a zip nor a legacy torch.save file");
  const magic = unpickle(bytes, noStorage, limits, 0);
  if (magic.value !== LEGACY_MAGIC)
    fail("unsupported", "neither a zip nor a legacy torch.save file (no magic number)");
  const protocol = unpickle(bytes, noStorage, limits, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL)
    fail("unsupported", `legacy protocol version ${String(protocol.value)}`);
  const sysInfo = unpickle(bytes, noStorage, limits, protocol.end);
  const info = sysInfo.value as { little_endian?: unknown } | null;
  if (info === null || typeof info !== "object" || info.little_endian !== true) {
    fail("unsupported", "a legacy file written on a big-endian machine");
  }
  const objectStart = sysInfo.end;
  const keysAt = skipPickle(bytes, objectStart);
  const keys = unpickle(bytes, noStorage, limits, keysAt);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) {
    fail("corrupt", "the legacy storage key list is not a list of strings");
  }
  // the storages' dtypes are in the object pickle, their bytes after the key list: read the pickle once
  // for the dtypes (tensors over unread storages, discarded), then the data, then the pickle for the value
  const declared = new Map<string, { dtype: TorchDtype; numel: number; location: string }>();
  const legacyId = (pid: Tuple) => {
    const id = storageId(pid, true);
    if (pid[5] !== null) fail("unsupported", `storage '${id.key}' is a legacy storage view`);
    const seen = declared.get(id.key);
    if (seen !== undefined && (seen.dtype !== id.dtype || seen.numel !== id.numel)) {
      fail("corrupt", `storage '${id.key}' is declared twice, differently`);
    }
    declared.set(id.key, id);
    return id;
  };
  unpickle(
    bytes,
    (pid) => {
      const { dtype, numel } = legacyId(pid);
      return TorchStorage.unread(dtype, numel);
    },
    limits,
    objectStart,
  );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, TorchStorage>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const d = declared.get(key);
    if (d === undefined) fail("corrupt", `the legacy file stores '${key}', which no tensor uses`);
    if (storages.has(key)) fail("corrupt", `the legacy file stores '${key}' twice`);
    if (at + 8 > bytes.length) fail("truncated", `storage '${key}' has no element count`);
    const numel = view.getBigInt64(at, true);
    if (numel !== BigInt(d.numel))
      fail("corrupt", `storage '${key}' stores ${numel} elements, the pickle says ${d.numel}`);
    const size = d.numel * DTYPES[d.dtype].itemSize;
    if (size > bytes.length - at - 8)
      fail("truncated", `storage '${key}' (${size} bytes) runs past the end of the file`);
    storages.set(key, new TorchStorage(d.dtype, bytes.subarray(at + 8, at + 8 + size), d.location));
    at += 8 + size;
  }
  if (at !== bytes.length) fail("corrupt", `${bytes.length - at} bytes after the last storage`);
  return unpickle(
    bytes,
    (pid) => {
      const { key } = legacyId(pid);
      const storage = storages.get(key);
      if (storage === undefined) fail("corrupt", `storage '${key}' is not in the file`);
      return storage;
    },
    limits,
    objectStart,
  ).value;
}
