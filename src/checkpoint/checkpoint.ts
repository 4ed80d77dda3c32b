// Checkpoints: params, optimizers and schedulers saved together as one safetensors file (every typed array
// a tensor) whose `__metadata__` carries the rest as JSON (classes, param groups, scalar state, scheduler
// state, format version) and a CRC-32 of the whole file. The format is documented in
// docs/checkpoint-format.md. Browser-safe: bytes in, bytes out; files are in ./node.ts.

import { type Buffer, type Dtype, dtypeOf } from "../core/arena.js";
import { tagNumber, untagNumber } from "../core/json-number.js";
import type { OptimizerLike, OptimizerStateDict } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { CheckpointError } from "./checkpoint-error.js";
import { jsonDepth, jsonShapeProblem } from "./json-shape.js";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "./safetensors.js";

export const CHECKPOINT_FORMAT = "descent-checkpoint";

/**
 * Set (to the variable's name) on the params a TF.js adapter keeps as copies of a model's variables. A plain
 * checkpoint of those copies would resume them but not the model, so only `saveTfjsCheckpoint` /
 * `loadTfjsCheckpoint` (which write the variables too) may take them: they set `TFJS_ROUTE` on the target.
 */
export const TFJS_MIRROR: unique symbol = Symbol.for("descent-optim.tfjsMirror");
export const TFJS_ROUTE: unique symbol = Symbol.for("descent-optim.tfjsCheckpoint");

function refuseMirrors(target: CheckpointTarget, word: string): void {
  if ((target as { [TFJS_ROUTE]?: boolean })[TFJS_ROUTE] === true) return;
  for (const [key, p] of paramEntries(target.params)) {
    const variable = (p as { [TFJS_MIRROR]?: string } | null)?.[TFJS_MIRROR];
    if (variable !== undefined) {
      throw new CheckpointError(
        word === "save" ? "unserializable" : "mismatch",
        `param '${key}' is a TfjsOptimizer's copy of the TF.js variable '${variable}': ${word === "save" ? "saving" : "loading"} it would not ${word === "save" ? "capture" : "restore"} the model's variables; use ${word === "save" ? "saveTfjsCheckpoint(tfOpt)" : "loadTfjsCheckpoint(bytes, tfOpt)"} from descent-optim/tfjs`,
      );
    }
  }
}
export const CHECKPOINT_VERSION = 1;

/** Anything with a torch-style state dict (every scheduler, EMA/SWA averages, wrappers). */
export interface Stateful {
  /** The state to save (JSON values, non-finite numbers and typed arrays). */
  stateDict(): unknown;
  /** Restores what `stateDict()` returned. */
  loadStateDict(stateDict: never): void;
}

/** What a checkpoint holds; give the same shape to `loadCheckpoint` to restore it. */
export interface CheckpointTarget {
  /** Params, by position or by name. Their values are saved (grads are not, as in torch). */
  params?: readonly Param[] | Readonly<Record<string, Param>>;
  /** Stored under the name "optimizer". */
  optimizer?: OptimizerLike;
  optimizers?: Readonly<Record<string, OptimizerLike>>;
  /** Stored under the name "scheduler". */
  scheduler?: Stateful;
  schedulers?: Readonly<Record<string, Stateful>>;
}

/** Options of `saveCheckpoint` and `saveCheckpointFile`. */
export interface SaveCheckpointOptions {
  /** Your own data (epoch, metrics, config): JSON values, non-finite numbers and typed arrays allowed. */
  extra?: Record<string, unknown>;
}

/** One saved param in a decoded `Checkpoint`: its key (position or name), dtype, shape and values. */
export interface SavedParam {
  key: string;
  name?: string;
  dtype: Dtype;
  shape: number[];
  data: Buffer;
}

/** One saved optimizer or scheduler in a decoded `Checkpoint`: its class name and state dict. */
export interface SavedComponent<S = unknown> {
  class: string;
  stateDict: S;
  /**
   * An optimizer's params, in its state dict's order, as the checkpoint's param keys (present when every
   * param of the optimizer was saved): loading moves the state to follow the keys.
   */
  paramKeys?: string[];
}

/** A decoded, verified checkpoint (nothing applied yet). */
export interface Checkpoint {
  version: number;
  params: SavedParam[];
  optimizers: Record<string, SavedComponent<OptimizerStateDict>>;
  schedulers: Record<string, SavedComponent>;
  extra: Record<string, unknown> | undefined;
}

/**
 * What `loadCheckpoint` returns once it has restored everything: the format version and your `extra` data.
 */
export interface LoadedCheckpoint {
  version: number;
  extra: Record<string, unknown> | undefined;
}

// ---- value encoding: JSON plus typed arrays (as tensors) and the numbers JSON cannot hold ----

/**
 * The deepest the JSON section may nest (objects and arrays; the section itself is level 1, an optimizer's
 * param group options level 6). Saving refuses a deeper value, reading refuses a deeper file before parsing
 * it, so whatever saves loads. docs/checkpoint-format.md states it.
 */
export const MAX_JSON_DEPTH = 64;

/** RFC 6901 escaping, so a key containing "/" cannot make two paths collide. */
function pointer(parts: readonly (string | number)[]): string {
  return parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

function unserializable(where: string, what: string): never {
  throw new CheckpointError("unserializable", `${where} is ${what}`);
}

function encodeValue(
  value: unknown,
  path: (string | number)[],
  tensors: Map<string, Tensor>,
  where: string,
): unknown {
  const at = () => `${where}${path.length > 2 ? ` at ${pointer(path.slice(2))}` : ""}`;
  // a cycle guard only: the section's depth is checked exactly once it is built
  if (path.length > 2 * MAX_JSON_DEPTH)
    unserializable(at(), `nested more than ${MAX_JSON_DEPTH} levels deep (a cycle?)`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return tagNumber(value);
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const name = pointer(path);
    tensors.set(name, {
      dtype: value instanceof Float32Array ? "F32" : "F64",
      shape: [value.length],
      data: value.slice(),
    });
    return { $tensor: name };
  }
  if (ArrayBuffer.isView(value))
    unserializable(at(), `a ${value.constructor.name} (only Float32Array and Float64Array are stored)`);
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (v === undefined) unserializable(`${at()}[${i}]`, "undefined");
      return encodeValue(v, [...path, i], tensors, where);
    });
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      unserializable(
        at(),
        `a ${value.constructor?.name ?? "non-plain object"} (only plain objects are stored)`,
      );
    }
    const out: Record<string, unknown> = {};
    let dollar = false;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k === "__proto__") unserializable(at(), "an object with an own key named __proto__");
      if (k.startsWith("$")) dollar = true;
      out[k] = encodeValue(v, [...path, k], tensors, where);
    }
    return dollar ? { $object: out } : out;
  }
  return unserializable(at(), typeof value === "function" ? "a function" : `a ${typeof value}`);
}

class Decoder {
  readonly used = new Set<string>();
  constructor(readonly tensors: ReadonlyMap<string, Tensor>) {}

  value(encoded: unknown, where: string): unknown {
    if (encoded === null || typeof encoded !== "object") return encoded;
    if (Array.isArray(encoded)) return encoded.map((v, i) => this.value(v, `${where}[${i}]`));
    const obj = encoded as Record<string, unknown>;
    const keys = Object.keys(obj);
    const only = keys.length === 1 ? keys[0] : undefined;
    if (only === "$tensor") return this.tensor(obj.$tensor, where, null);
    if (only === "$number") {
      const n = untagNumber(obj.$number);
      if (n === undefined) corrupt(`${where}: unknown special number ${JSON.stringify(obj.$number)}`);
      return n;
    }
    const body = only === "$object" ? obj.$object : obj;
    if (body === null || typeof body !== "object" || Array.isArray(body))
      corrupt(`${where}: malformed $object`);
    if (body === obj && keys.some((k) => k.startsWith("$")))
      corrupt(`${where}: unknown key ${keys.find((k) => k.startsWith("$"))}`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      // JSON.parse makes "__proto__" an own key; assigning it would swap the object's prototype instead
      if (k === "__proto__") corrupt(`${where} has a key named __proto__`);
      out[k] = this.value(v, `${where}.${k}`);
    }
    return out;
  }

  /** The tensor `name` refers to; its header shape must be `shape` (null: flat, as state buffers are stored). */
  tensor(name: unknown, where: string, shape: readonly number[] | null): Buffer {
    if (typeof name !== "string") corrupt(`${where}: malformed tensor reference`);
    const t = this.tensors.get(name);
    if (t === undefined) corrupt(`${where} refers to tensor '${name}', which is not in the file`);
    if (this.used.has(name)) corrupt(`tensor '${name}' is referred to twice`);
    this.used.add(name);
    const expected = shape ?? [t.data.length];
    if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
      corrupt(
        `tensor '${name}' has shape [${t.shape.join(", ")}] in the header but ${where} says [${expected.join(", ")}]`,
      );
    }
    return t.data;
  }
}

function corrupt(message: string): never {
  throw new CheckpointError("corrupt", message);
}

function mismatch(message: string, cause?: unknown): never {
  throw new CheckpointError("mismatch", message, cause === undefined ? undefined : { cause });
}

function className(x: unknown): string {
  return (x as { constructor?: { name?: string } })?.constructor?.name ?? "Object";
}

function paramEntries(params: CheckpointTarget["params"]): Array<[string, Param]> {
  if (params === undefined) return [];
  if (Array.isArray(params)) return (params as readonly Param[]).map((p, i) => [String(i), p]);
  return Object.entries(params as Readonly<Record<string, Param>>);
}

function components<T>(single: T | undefined, many: Readonly<Record<string, T>> | undefined, word: string) {
  const out = new Map<string, T>();
  if (single !== undefined) out.set(word, single);
  for (const [name, c] of Object.entries(many ?? {})) {
    if (out.has(name)) {
      throw new CheckpointError(
        "mismatch",
        `two ${word}s named '${name}' (the single '${word}' option uses that name)`,
      );
    }
    if (c === undefined || c === null) continue;
    out.set(name, c);
  }
  return out;
}

/** An optimizer's params in state-dict order, as keys of `keyOf`; null unless every one has a key. */
function paramKeysOf(optimizer: OptimizerLike, keyOf: ReadonlyMap<Param, string>): string[] | null {
  const groups = (optimizer as { paramGroups?: unknown }).paramGroups;
  if (!Array.isArray(groups)) return null;
  const keys: string[] = [];
  for (const g of groups) {
    const params = (g as { params?: unknown } | null)?.params;
    if (!Array.isArray(params)) return null;
    for (const p of params) {
      const key = keyOf.get(p as Param);
      if (key === undefined) return null;
      keys.push(key);
    }
  }
  return keys.length > 0 ? keys : null;
}

/**
 * The saved optimizer state dict with its per-param state moved from the saved params' order to the
 * target's (matched by key), or a mismatch naming both orders when it cannot be moved.
 */
function followNames(
  label: string,
  sd: unknown,
  savedKeys: readonly string[],
  targetKeys: readonly string[],
  groupSizes: readonly number[],
): unknown {
  if (savedKeys.length === targetKeys.length && savedKeys.every((k, i) => k === targetKeys[i])) return sd;
  const at = savedKeys.findIndex((k, i) => k !== targetKeys[i]);
  const both =
    at === -1 || at >= savedKeys.length || at >= targetKeys.length
      ? `holds ${savedKeys.length} params in the checkpoint but ${targetKeys.length} here`
      : `holds param '${savedKeys[at]}' at position ${at} in the checkpoint but param '${targetKeys[at]}' there here`;
  const refuse: (why: string) => never = (why) =>
    mismatch(`${label} ${both}, and its state cannot follow the names: ${why}`);
  const savedSet = new Set(savedKeys);
  const missing = targetKeys.find((k) => !savedSet.has(k));
  if (missing !== undefined || savedKeys.length !== targetKeys.length)
    refuse(`param '${missing ?? savedKeys.find((k) => !targetKeys.includes(k))}' is in only one of them`);
  if (!isRecord(sd) || Object.keys(sd).some((k) => k !== "state" && k !== "paramGroups"))
    refuse("its state dict has sections besides 'state' and 'paramGroups' that are per param too");
  const { state, paramGroups } = sd;
  if (!isRecord(state) || !Array.isArray(paramGroups)) return sd; // loadStateDict names it
  let start = 0;
  for (const [gi, size] of groupSizes.entries()) {
    const savedGroup = new Set(savedKeys.slice(start, start + size));
    const moved = targetKeys.slice(start, start + size).find((k) => !savedGroup.has(k));
    if (moved !== undefined)
      refuse(`param '${moved}' is in param group ${gi} here but in another in the checkpoint`);
    start += size;
  }
  const savedIndex = new Map(savedKeys.map((k, i) => [k, i]));
  const moved: Record<string, unknown> = {};
  for (const [j, key] of targetKeys.entries()) {
    const i = String(savedIndex.get(key));
    if (Object.hasOwn(state, i)) moved[String(j)] = state[i];
  }
  for (const k of Object.keys(state))
    if (!/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= savedKeys.length) return sd;
  return { ...sd, state: moved };
}

/**
 * Where a scheduler's saved last lrs differ from the lrs its optimizer's saved groups hold (the file
 * disagrees with itself: loading would train with the scheduler's), or null.
 */
function lrDisagreement(
  schedulers: ReadonlyMap<string, Stateful>,
  optimizers: ReadonlyMap<string, OptimizerLike>,
  ckpt: Checkpoint,
): string | null {
  for (const [name, s] of schedulers) {
    const sched = s as { optimizer?: { paramGroups?: unknown }; groupIndices?: unknown; getLastLr?: unknown };
    if (typeof sched.getLastLr !== "function" || !Array.isArray(sched.groupIndices)) continue;
    const lastLr = (sched.getLastLr as () => number[]).call(s);
    for (const [optName, o] of optimizers) {
      if (sched.optimizer?.paramGroups !== o.paramGroups) continue;
      const groups = (ckpt.optimizers[optName]?.stateDict as { paramGroups?: Array<{ lr?: unknown }> })
        ?.paramGroups;
      if (!Array.isArray(groups)) continue;
      for (const [k, gi] of (sched.groupIndices as number[]).entries()) {
        const savedLr = groups[gi]?.lr;
        if (typeof savedLr === "number" && !Object.is(savedLr, lastLr[k])) {
          return `scheduler '${name}' saved lr ${lastLr[k]} for param group ${gi} but optimizer '${optName}' saved ${savedLr}: the checkpoint disagrees with itself`;
        }
      }
    }
  }
  return null;
}

function isDataParam(p: unknown): p is Param {
  const data = (p as Param | null)?.data;
  return data instanceof Float32Array || data instanceof Float64Array;
}

/**
 * Saves params, optimizers and schedulers (and your `extra` data) as one checkpoint, a safetensors file.
 * `bytes.buffer` is an ArrayBuffer of exactly the file.
 * @example
 * const w = param([1, 2]);
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
 * w.grad = new Float32Array([1, 1]);
 * opt.step();
 * sched.step();
 * const bytes = saveCheckpoint({ params: [w], optimizer: opt, scheduler: sched }, { extra: { epoch: 3 } });
 * // later, or in another process, with freshly built objects of the same shape:
 * const w2 = param([0, 0]);
 * const opt2 = new SGD([w2], { lr: 0.1, momentum: 0.9 });
 * const sched2 = new StepLR(opt2, { stepSize: 1, gamma: 0.5 });
 * const { extra } = loadCheckpoint(bytes, { params: [w2], optimizer: opt2, scheduler: sched2 });
 * extra?.epoch; // → 3
 * w2.data; // → [0.9, 1.9]
 * opt2.paramGroups[0]!.lr; // → 0.05
 */
export function saveCheckpoint(target: CheckpointTarget, options: SaveCheckpointOptions = {}): Uint8Array {
  if (target === null || typeof target !== "object") {
    throw new CheckpointError(
      "unserializable",
      `saveCheckpoint: expected { params, optimizer, scheduler, … }`,
    );
  }
  refuseMirrors(target, "save");
  const tensors = new Map<string, Tensor>();
  const params = paramEntries(target.params).map(([key, p]) => {
    if (!isDataParam(p)) unserializable(`param '${key}'`, "not a param with Float32Array/Float64Array data");
    const name = pointer(["params", key]);
    const shape = p.shape === undefined ? [p.data.length] : [...p.shape];
    if (
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      shape.reduce((a, b) => a * b, 1) !== p.data.length
    ) {
      unserializable(`param '${key}'`, `of shape ${JSON.stringify(p.shape)} with ${p.data.length} values`);
    }
    tensors.set(name, { dtype: p.data instanceof Float32Array ? "F32" : "F64", shape, data: p.data.slice() });
    const entry: Record<string, unknown> = { key, dtype: dtypeOf(p.data), shape, tensor: name };
    if (p.name !== undefined) entry.name = p.name;
    return entry;
  });
  const keyOf = new Map<Param, string>();
  for (const [key, p] of paramEntries(target.params)) keyOf.set(p, key);
  const encodeAll = (items: Map<string, { stateDict(): unknown }>, word: string) => {
    const out: Record<string, unknown> = {};
    for (const [name, c] of items) {
      if (name === "__proto__") unserializable(`a ${word}`, "named __proto__");
      const entry: Record<string, unknown> = {
        class: className(c),
        stateDict: encodeValue(c.stateDict(), [`${word}s`, name], tensors, `${word} '${name}' state dict`),
      };
      if (word === "optimizer") {
        const keys = paramKeysOf(c as OptimizerLike, keyOf);
        if (keys !== null) entry.paramKeys = keys;
      }
      out[name] = entry;
    }
    return out;
  };
  const body: Record<string, unknown> = {
    params,
    optimizers: encodeAll(components(target.optimizer, target.optimizers, "optimizer"), "optimizer"),
    schedulers: encodeAll(components(target.scheduler, target.schedulers, "scheduler"), "scheduler"),
  };
  if (options.extra !== undefined)
    body.extra = encodeValue(options.extra, ["extra", "data"], tensors, "extra");
  if (jsonDepth(body, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH) {
    unserializable("the checkpoint's JSON section", `nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    descent: JSON.stringify(body),
  });
}

function asBytes(bytes: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (
    bytes instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && bytes instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(bytes);
  }
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new CheckpointError("corrupt", `expected an ArrayBuffer or a Uint8Array, got ${className(bytes)}`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/**
 * Decodes and verifies a checkpoint (structure, checksum, format version) without applying it.
 * Throws a CheckpointError ("truncated", "corrupt" or "unsupported") naming the problem.
 */
export function readCheckpoint(bytes: ArrayBufferLike | ArrayBufferView): Checkpoint {
  const { metadata, tensors, checksummed } = decodeSafetensors(asBytes(bytes));
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      "unsupported",
      `not a descent checkpoint (__metadata__.format is ${JSON.stringify(metadata.format ?? null)})`,
    );
  }
  const version = Number(metadata.version);
  if (!Number.isInteger(version) || version < 1)
    corrupt(`format version ${JSON.stringify(metadata.version)}`);
  if (version > CHECKPOINT_VERSION) {
    throw new CheckpointError(
      "unsupported",
      `format version ${version} is newer than this descent reads (${CHECKPOINT_VERSION})`,
    );
  }
  if (!checksummed) corrupt("the checksum entry is missing");
  const problem = jsonShapeProblem(metadata.descent ?? "", {
    maxDepth: MAX_JSON_DEPTH,
    maxTopLevelMembers: 16,
  });
  if (problem !== null) corrupt(`__metadata__.descent is refused before parsing: ${problem}`);
  let body: unknown;
  try {
    body = JSON.parse(metadata.descent ?? "");
  } catch {
    corrupt("__metadata__.descent is not valid JSON");
  }
  if (!isRecord(body)) corrupt("__metadata__.descent is not a JSON object");
  const decoder = new Decoder(tensors);

  if (!Array.isArray(body.params)) corrupt("the params list is missing");
  const keys = new Set<string>();
  const params = body.params.map((entry, i): SavedParam => {
    if (!isRecord(entry)) corrupt(`params[${i}] is not an object`);
    const { key, name, dtype, shape, tensor } = entry;
    if (typeof key !== "string" || keys.has(key)) corrupt(`params[${i}] has a missing or repeated key`);
    keys.add(key);
    if (dtype !== "float32" && dtype !== "float64")
      corrupt(`param '${key}' has dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      corrupt(`param '${key}' has no valid shape`);
    }
    if (name !== undefined && typeof name !== "string")
      corrupt(`param '${key}' has a name that is not a string`);
    const data = decoder.tensor(tensor, `param '${key}'`, shape as number[]);
    if (dtypeOf(data) !== dtype) corrupt(`param '${key}' says ${dtype} but its tensor is ${dtypeOf(data)}`);
    if ((shape as number[]).reduce((a, b) => a * b, 1) !== data.length) {
      corrupt(`param '${key}' has shape [${shape.join(", ")}] but ${data.length} values`);
    }
    const out: SavedParam = { key, dtype, shape: shape as number[], data };
    if (name !== undefined) out.name = name as string;
    return out;
  });

  const decodeAll = (value: unknown, word: string) => {
    if (!isRecord(value)) corrupt(`the ${word}s section is missing`);
    const out: Record<string, SavedComponent> = {};
    for (const [name, c] of Object.entries(value)) {
      if (name === "__proto__") corrupt(`the ${word}s section has a ${word} named __proto__`);
      if (!isRecord(c) || typeof c.class !== "string" || !Object.hasOwn(c, "stateDict")) {
        corrupt(`${word} '${name}' is not { class, stateDict }`);
      }
      const entry: SavedComponent = {
        class: c.class,
        stateDict: decoder.value(c.stateDict, `${word} '${name}'`),
      };
      if (c.paramKeys !== undefined) {
        const pk = c.paramKeys;
        if (
          word !== "optimizer" ||
          !Array.isArray(pk) ||
          !pk.every((k) => typeof k === "string" && keys.has(k)) ||
          new Set(pk).size !== pk.length
        )
          corrupt(`${word} '${name}' has paramKeys that are not distinct keys of saved params`);
        entry.paramKeys = pk as string[];
      }
      out[name] = entry;
    }
    return out;
  };
  const optimizers = decodeAll(body.optimizers, "optimizer") as Record<
    string,
    SavedComponent<OptimizerStateDict>
  >;
  const schedulers = decodeAll(body.schedulers, "scheduler");
  let extra: Record<string, unknown> | undefined;
  if (body.extra !== undefined) {
    const e = decoder.value(body.extra, "extra");
    if (!isRecord(e)) corrupt("extra is not an object");
    extra = e;
  }
  for (const name of tensors.keys()) {
    if (!decoder.used.has(name)) corrupt(`tensor '${name}' is not referred to by the checkpoint`);
  }
  return { version, params, optimizers, schedulers, extra };
}

function matchNames(saved: Record<string, unknown>, given: Map<string, unknown>, word: string): void {
  for (const name of given.keys()) {
    if (!Object.hasOwn(saved, name)) {
      const have = Object.keys(saved);
      mismatch(
        `no ${word} named '${name}' in the checkpoint (it has ${have.length === 0 ? "none" : have.map((n) => `'${n}'`).join(", ")})`,
      );
    }
  }
  for (const name of Object.keys(saved)) {
    if (!given.has(name)) mismatch(`the checkpoint has ${word} '${name}' but none was given to load it into`);
  }
}

/**
 * Restores a checkpoint into params, optimizers and schedulers of the same shape (same names, classes,
 * group counts, param sizes and dtypes). Everything is verified first; if anything does not fit, a
 * CheckpointError names the problem and nothing has changed.
 * @example
 * const w = param([1, 2]);
 * const bytes = saveCheckpoint({ params: { w }, optimizer: new AdamW([w], { lr: 1e-3 }) }); // or a fetched file's bytes
 * const restored = param([0, 0]);
 * const opt = new AdamW([restored], { lr: 1e-3 });
 * loadCheckpoint(bytes, { params: { w: restored }, optimizer: opt });
 * restored.data; // → [1, 2]
 * let error = "";
 * try {
 *   loadCheckpoint(bytes, { params: { w: param([0, 0, 0]) } }); // the wrong size: nothing changes
 * } catch (e) {
 *   error = e instanceof CheckpointError ? e.code : "";
 * }
 * error; // → "mismatch"
 */
export function loadCheckpoint(
  bytes: ArrayBufferLike | ArrayBufferView,
  target: CheckpointTarget,
): LoadedCheckpoint {
  const ckpt = readCheckpoint(bytes);
  if (target === null || typeof target !== "object")
    mismatch("expected { params, optimizer, scheduler, … } to load into");
  refuseMirrors(target, "load");
  const params = paramEntries(target.params);
  const optimizers = components(target.optimizer, target.optimizers, "optimizer");
  const schedulers = components(target.scheduler, target.schedulers, "scheduler");

  // everything that can be checked without touching anything
  const saved = new Map(ckpt.params.map((p) => [p.key, p]));
  const givenKeys = new Set(params.map(([k]) => k));
  for (const p of ckpt.params) {
    if (!givenKeys.has(p.key)) mismatch(`the checkpoint has param '${p.key}' but no such param was given`);
  }
  for (const [key, p] of params) {
    const s = saved.get(key);
    if (s === undefined)
      mismatch(`param '${key}' is not in the checkpoint (it has ${ckpt.params.length} params)`);
    if (!isDataParam(p)) mismatch(`param '${key}' is not a param with Float32Array/Float64Array data`);
    const dtype = dtypeOf(p.data);
    if (dtype !== s.dtype) mismatch(`param '${key}' is ${s.dtype} in the checkpoint but ${dtype} here`);
    if (p.data.length !== s.data.length) {
      mismatch(`param '${key}' has ${s.data.length} elements in the checkpoint but ${p.data.length} here`);
    }
    const shape = p.shape ?? [p.data.length];
    if (shape.join(",") !== s.shape.join(",")) {
      mismatch(
        `param '${key}' has shape [${s.shape.join(", ")}] in the checkpoint but [${shape.join(", ")}] here`,
      );
    }
    if (s.name !== undefined && p.name !== undefined && s.name !== p.name) {
      mismatch(`param '${key}' is named '${s.name}' in the checkpoint but '${p.name}' here`);
    }
  }
  matchNames(ckpt.optimizers, optimizers, "optimizer");
  matchNames(ckpt.schedulers, schedulers, "scheduler");
  const all: Array<[string, Stateful | OptimizerLike, SavedComponent]> = [
    ...[...optimizers].map(([n, o]): [string, OptimizerLike, SavedComponent] => [
      `optimizer '${n}'`,
      o,
      ckpt.optimizers[n]!,
    ]),
    ...[...schedulers].map(([n, s]): [string, Stateful, SavedComponent] => [
      `scheduler '${n}'`,
      s,
      ckpt.schedulers[n]!,
    ]),
  ];
  for (const [label, obj, s] of all) {
    if (className(obj) !== s.class)
      mismatch(`${label} is a ${s.class} in the checkpoint but a ${className(obj)} here`);
  }
  // state follows param keys: an optimizer built over the same params in another order gets each param's own
  const keyOf = new Map<Param, string>();
  for (const [key, p] of params) keyOf.set(p, key);
  const stateDicts = all.map(([label, obj, s]) => {
    if (s.paramKeys === undefined) return s.stateDict;
    const targetKeys = paramKeysOf(obj as OptimizerLike, keyOf);
    if (targetKeys === null) return s.stateDict;
    const sizes = (obj as OptimizerLike).paramGroups.map((g) => g.params.length);
    return followNames(label, s.stateDict, s.paramKeys, targetKeys, sizes);
  });

  // apply; each loadStateDict validates before changing anything, and a later refusal undoes the earlier ones
  const before = all.map(([, obj]) => obj.stateDict());
  for (let i = 0; i < all.length; i++) {
    const [label, obj] = all[i]!;
    try {
      (obj as Stateful).loadStateDict(stateDicts[i] as never);
    } catch (e) {
      for (let j = i - 1; j >= 0; j--) (all[j]![1] as Stateful).loadStateDict(before[j] as never);
      mismatch(`${label}: ${(e as Error)?.message ?? String(e)}`, e);
    }
  }
  // a scheduler writes its saved lrs into its optimizer's groups: they must be the lrs that optimizer saved
  const disagreement = lrDisagreement(schedulers, optimizers, ckpt);
  if (disagreement !== null) {
    for (let j = all.length - 1; j >= 0; j--) (all[j]![1] as Stateful).loadStateDict(before[j] as never);
    mismatch(disagreement);
  }
  for (const [key, p] of params) p.data.set(saved.get(key)!.data);
  return { version: ckpt.version, extra: ckpt.extra };
}
