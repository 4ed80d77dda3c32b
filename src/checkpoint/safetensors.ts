// The safetensors container (https://huggingface.co/docs/safetensors, format spec in its README):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   UTF-8 JSON: { "__metadata__": { string: string }, name: { dtype, shape, data_offsets: [b, e] }, … }
//             padded with spaces so the data starts 8-byte aligned
//   the rest  the tensors' bytes, little-endian, back to back: offsets relative to here, covering it exactly
// descent adds one metadata entry, written first: "checksum": "crc32:xxxxxxxx", the CRC-32 of the whole file
// with those eight hex digits read as "00000000". Any other safetensors reader ignores it.

import { CheckpointError } from "./checkpoint-error.js";
import { crc32 } from "./crc32.js";
import { jsonShapeProblem } from "./json-shape.js";

export type TensorDtype = "F32" | "F64";

export interface Tensor {
  dtype: TensorDtype;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsContents {
  /** `__metadata__` without the checksum entry. */
  metadata: Record<string, string>;
  tensors: Map<string, Tensor>;
  /** Whether a descent checksum was present (it is always verified when present). */
  checksummed: boolean;
}

const BYTES: Record<TensorDtype, number> = { F32: 4, F64: 8 };
const CHECKSUM_PREFIX = '{"__metadata__":{"checksum":"crc32:';
const CHECKSUM_PLACEHOLDER = "00000000";
/**
 * Limits checked before the header is parsed, so that a forged header costs one linear scan: its length
 * (a real header is about 160 bytes per tensor), its tensor count, and its nesting (the format's own: the
 * header object, a tensor's entry, its shape). docs/checkpoint-format.md states them.
 */
export const MAX_HEADER_BYTES = 32 * 1024 * 1024;
export const MAX_TENSORS = 100_000;
const HEADER_DEPTH = 3;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function tensorBytes(data: Float32Array | Float64Array): Uint8Array {
  if (littleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const f32 = data instanceof Float32Array;
  for (let i = 0; i < data.length; i++) {
    if (f32) view.setFloat32(i * 4, data[i]!, true);
    else view.setFloat64(i * 8, data[i]!, true);
  }
  return out;
}

function tensorFromBytes(dtype: TensorDtype, bytes: Uint8Array): Float32Array | Float64Array {
  const count = bytes.length / BYTES[dtype];
  const out = dtype === "F32" ? new Float32Array(count) : new Float64Array(count);
  if (littleEndian) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    out[i] = dtype === "F32" ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  }
  return out;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Writes tensors and string metadata as one safetensors file with a descent checksum.
 * @example
 * const bytes = encodeSafetensors(new Map([["w", { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) }]]), {});
 * decodeSafetensors(bytes).tensors.get("w")?.data; // → [1, 2]
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, Tensor>,
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const metaParts = [`"checksum":"crc32:${CHECKSUM_PLACEHOLDER}"`];
  for (const [key, value] of Object.entries(metadata)) {
    if (key === "checksum") continue;
    metaParts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  const parts = [`{"__metadata__":{${metaParts.join(",")}}`];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__")
      throw new CheckpointError("unserializable", "no tensor may be named __metadata__");
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new CheckpointError(
        "unserializable",
        `tensor '${name}' has shape [${t.shape.join(", ")}] but ${t.data.length} elements`,
      );
    }
    const end = offset + t.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":${JSON.stringify(t.shape)},"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  let header = `${parts.join(",")}}`;
  const headerBytes0 = new TextEncoder().encode(header);
  const pad = (8 - ((8 + headerBytes0.length) % 8)) % 8;
  header += " ".repeat(pad);
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(tensorBytes(t.data), at);
    at += t.data.byteLength;
  }
  const digits = 8 + CHECKSUM_PREFIX.length;
  out.set(new TextEncoder().encode(hex8(crc32(out))), digits);
  return out;
}

function corrupt(message: string): never {
  throw new CheckpointError("corrupt", message);
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Reads a safetensors file, checking its structure (and the descent checksum when present) before
 * returning anything. Throws a CheckpointError ("truncated", "corrupt" or "unsupported").
 */
export function decodeSafetensors(input: Uint8Array): SafetensorsContents {
  if (input.length < 8) {
    throw new CheckpointError("truncated", `${input.length} bytes is too short for a safetensors header`);
  }
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    corrupt(`the header length field says ${headerLength} bytes (at most ${MAX_HEADER_BYTES} allowed)`);
  }
  const n = Number(headerLength);
  if (n < 2) corrupt(`the header length field says ${n} bytes`);
  if (8 + n > input.length) {
    throw new CheckpointError(
      "truncated",
      `the header needs ${8 + n} bytes but the file has only ${input.length}`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input.subarray(8, 8 + n));
  } catch {
    corrupt("the header is not valid UTF-8");
  }
  // the checksum is computed first so that damage is reported as damage (a flipped dtype letter is
  // corruption, not an unsupported file), except truncation, which the structure names more precisely
  const checksum = checksumStatus(input, text);
  let parsed: Structure;
  try {
    parsed = structure(input, n, text);
  } catch (e) {
    if (checksum.ok === false && !(e instanceof CheckpointError && e.code === "truncated"))
      corrupt(checksum.why);
    throw e;
  }
  if (checksum.ok === false) corrupt(checksum.why);
  const { metadata, tensorsInfo, dataStart } = parsed;
  const checksummed = checksum.ok === true;
  delete metadata.checksum;

  const tensors = new Map<string, Tensor>();
  for (const t of tensorsInfo) {
    const bytes = input.subarray(dataStart + t.begin, dataStart + t.end);
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data: tensorFromBytes(t.dtype, bytes) });
  }
  return { metadata, tensors, checksummed };
}

interface Structure {
  metadata: Record<string, string>;
  tensorsInfo: Array<{ name: string; dtype: TensorDtype; shape: number[]; begin: number; end: number }>;
  dataStart: number;
}

function checksumStatus(input: Uint8Array, text: string): { ok: boolean | null; why: string } {
  if (!text.startsWith(CHECKSUM_PREFIX)) return { ok: null, why: "" };
  const at = 8 + CHECKSUM_PREFIX.length;
  const stored = text.slice(CHECKSUM_PREFIX.length, CHECKSUM_PREFIX.length + 8);
  if (!/^[0-9a-f]{8}$/.test(stored))
    return { ok: false, why: `the checksum field "${stored}" is not 8 hex digits` };
  let c = crc32(input.subarray(0, at));
  c = crc32(new TextEncoder().encode(CHECKSUM_PLACEHOLDER), c);
  c = crc32(input.subarray(at + 8), c);
  if (hex8(c) !== stored) {
    return {
      ok: false,
      why: `checksum mismatch (stored crc32 ${stored}, computed ${hex8(c)}): the file was damaged`,
    };
  }
  return { ok: true, why: "" };
}

/** The header's metadata and tensor layout, checked against the file's length. */
function structure(input: Uint8Array, n: number, text: string): Structure {
  const problem = jsonShapeProblem(text, { maxDepth: HEADER_DEPTH, maxTopLevelMembers: MAX_TENSORS + 1 });
  if (problem !== null)
    corrupt(
      `the header is refused before parsing: ${problem} (at most ${MAX_TENSORS} tensors, nesting ${HEADER_DEPTH})`,
    );
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    corrupt(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    corrupt("the header is not a JSON object");
  }
  const metadata: Record<string, string> = {};
  const tensorsInfo: Array<{
    name: string;
    dtype: TensorDtype;
    shape: number[];
    begin: number;
    end: number;
  }> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        corrupt("__metadata__ is not an object of strings");
      }
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== "string") corrupt(`__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    if (entry === null || typeof entry !== "object") corrupt(`tensor '${name}' has no description`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (dtype !== "F32" && dtype !== "F64") {
      if (typeof dtype === "string" && /^[A-Z]+[0-9]*(_[A-Z0-9]+)?$/.test(dtype)) {
        throw new CheckpointError(
          "unsupported",
          `tensor '${name}' has dtype ${dtype} (descent reads F32 and F64)`,
        );
      }
      corrupt(`tensor '${name}' has no valid dtype`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInt))
      corrupt(`tensor '${name}' has no valid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
      corrupt(`tensor '${name}' has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    let count = 1;
    for (const d of shape as number[]) count *= d;
    if (!Number.isSafeInteger(count) || end < begin || end - begin !== count * BYTES[dtype]) {
      corrupt(
        `tensor '${name}' has shape [${(shape as number[]).join(", ")}] of ${dtype} but data_offsets [${begin}, ${end}]`,
      );
    }
    tensorsInfo.push({ name, dtype, shape: shape as number[], begin, end });
  }
  tensorsInfo.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of tensorsInfo) {
    if (t.begin !== expected) {
      corrupt(
        `tensor '${t.name}' starts at byte ${t.begin} of the data but the previous one ends at ${expected}`,
      );
    }
    expected = t.end;
  }
  const dataStart = 8 + n;
  const available = input.length - dataStart;
  if (available < expected) {
    throw new CheckpointError(
      "truncated",
      `the tensors need ${expected} bytes of data but the file has only ${available}`,
    );
  }
  if (available > expected) corrupt(`${available - expected} bytes after the last tensor`);

  return { metadata, tensorsInfo, dataStart };
}
