// A pickle reader that never executes anything, and the writer torchSave uses.
//
// The reader is a stack machine over the opcodes of protocols 2–5 that torch's own weights_only unpickler
// accepts (plus the protocol-4 framing ones): containers and scalars are built as data, and the only names
// a GLOBAL may bring in are on a fixed allow-list (OrderedDict, torch's tensor rebuild functions, storage
// types, torch.Size, dtypes …); each of those is a JavaScript function here that builds data, never a
// lookup of a name. Any other global is refused with its name; so are REDUCE, NEWOBJ and BUILD on anything
// but an allowed target. The text opcodes of protocol 0/1 (INST, OBJ, PERSID, …) are refused as well.
//
// Limits bound what a hostile file can make the reader do (see docs/torch-format.md): strings and integers
// may not claim more bytes than remain, MARK nesting and the result's depth are bounded, and the result is
// walked once after parsing to reject cycles and shared-reference blow-ups before anyone else walks it.

import { fail } from "./torch-format-error.js";
import {
  DTYPE_OF_STORAGE,
  DTYPES,
  type TensorArray,
  type TorchDtype,
  TorchStorage,
  TorchTensor,
  torchTensor,
} from "./tensor.js";

/** A Python tuple: an array that remembers it was a tuple, so torchSave writes it back as one. */
export class Tuple<T = PickleValue> extends Array<T> {
  static override of<T>(...items: T[]): Tuple<T> {
    return Tuple.fromArray(items);
  }
  /** A Tuple holding `items`, in order. */
  static fromArray<T>(items: readonly T[]): Tuple<T> {
    const t = new Tuple<T>();
    for (const x of items) t.push(x);
    return t;
  }
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** A name from the allow-list that was never called (a dtype such as torch.float32, a storage type). */
export class TorchGlobal {
  constructor(readonly name: string) {}
}

/** Anything the reader produces (and torchSave writes). Dicts with only string keys are plain objects. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | TorchTensor
  | TorchStorage
  | TorchGlobal
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | { [key: string]: PickleValue };

/** What a file may ask of the reader before it is refused with code "limit". */
export interface PickleLimits {
  /** Deepest nesting of containers in the result (torch state dicts nest 4 or 5 deep). */
  maxDepth: number;
  /** Most nodes in the result counted as a tree (shared references counted each time they are reached). */
  maxNodes: number;
  /** Longest integer (LONG1/LONG4), in bytes. */
  maxIntBytes: number;
}

/** The pickle reader's default limits: nesting depth 256, 10 million values, integers of 64 bytes. */
export const DEFAULT_PICKLE_LIMITS: PickleLimits = { maxDepth: 256, maxNodes: 10_000_000, maxIntBytes: 64 };

/** Resolves a persistent id (torch's ('storage', type, key, location, numel) tuples) to a storage. */
export type PersistentLoad = (pid: Tuple) => PickleValue;

// A callable global: a JavaScript builder named like the Python one.
class Callable {
  constructor(
    readonly name: string,
    readonly call: (args: PickleValue[]) => PickleValue,
  ) {}
}

class StorageType {
  constructor(readonly dtype: TorchDtype) {}
}

const MARK = Symbol("mark");
type Item = PickleValue | Callable | StorageType | typeof MARK;

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    fail("corrupt", `${what} must be an integer, got ${show(v)}`);
  return v;
}

function ints(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) fail("corrupt", `${what} must be a tuple of integers, got ${show(v)}`);
  return v.map((x, i) => int(x, `${what}[${i}]`));
}

function show(v: unknown): string {
  if (v instanceof Callable) return v.name;
  if (v instanceof TorchTensor) return `a tensor of shape [${v.shape}]`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return v instanceof Tuple ? `a tuple of ${v.length}` : `a list of ${v.length}`;
  if (v instanceof Map) return "a dict";
  if (v === null) return "None";
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : String(v);
}

function storageOf(v: unknown, what: string): TorchStorage {
  if (!(v instanceof TorchStorage)) fail("corrupt", `${what} expects a storage, got ${show(v)}`);
  return v;
}

function rebuildTensor(args: PickleValue[], name: string, requiresGradAt: number | null): TorchTensor {
  if (args.length < 4) fail("corrupt", `${name} called with ${args.length} arguments`);
  const requiresGrad = requiresGradAt === null ? false : args[requiresGradAt] === true;
  return new TorchTensor(
    storageOf(args[0], name),
    int(args[1], `${name} storage offset`),
    ints(args[2], `${name} size`),
    ints(args[3], `${name} stride`),
    requiresGrad,
  );
}

function asTensor(v: unknown, what: string): TorchTensor {
  if (!(v instanceof TorchTensor)) fail("corrupt", `${what} expects a tensor, got ${show(v)}`);
  return v;
}

function withGrad(t: TorchTensor, requiresGrad: unknown): TorchTensor {
  return new TorchTensor(t.storage, t.storageOffset, t.shape, t.stride, requiresGrad === true);
}

function orderedDict(args: PickleValue[]): PickleValue {
  const out = new Map<PickleValue, PickleValue>();
  const pairs = args[0];
  if (pairs === undefined) return out;
  if (!Array.isArray(pairs)) fail("corrupt", `collections.OrderedDict called with ${show(pairs)}`);
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2) fail("corrupt", "collections.OrderedDict items must be pairs");
    out.set(p[0]!, p[1]!);
  }
  return out;
}

const TENSOR_CLASS = new Callable("torch.Tensor", () =>
  fail("refused", "torch.Tensor() is not called by torch files"),
);
const PARAMETER_CLASS = new Callable("torch.nn.parameter.Parameter", (args) =>
  withGrad(asTensor(args[0], "torch.nn.parameter.Parameter"), args[1] ?? true),
);

const NEWOBJ_CLASSES = new Set(["torch.nn.parameter.Parameter", "torch.torch_version.TorchVersion"]);

const REBUILDERS: Callable[] = [
  new Callable("torch._utils._rebuild_tensor_v2", (a) => rebuildTensor(a, "_rebuild_tensor_v2", 4)),
  new Callable("torch._utils._rebuild_tensor", (a) => rebuildTensor(a, "_rebuild_tensor", null)),
  new Callable("torch._utils._rebuild_parameter", (a) =>
    withGrad(asTensor(a[0], "_rebuild_parameter"), a[1]),
  ),
  new Callable("torch._utils._rebuild_parameter_with_state", (a) =>
    withGrad(asTensor(a[0], "_rebuild_parameter_with_state"), a[1]),
  ),
];

function buildAllowList(): Map<string, Callable | StorageType | TorchGlobal> {
  const allowed = new Map<string, Callable | StorageType | TorchGlobal>();
  for (const c of REBUILDERS) allowed.set(c.name, c);
  allowed.set(TENSOR_CLASS.name, TENSOR_CLASS);
  allowed.set(PARAMETER_CLASS.name, PARAMETER_CLASS);
  allowed.set("collections.OrderedDict", new Callable("collections.OrderedDict", orderedDict));
  // MultiStepLR keeps its milestones in a Counter: Counter({milestone: count}) is read as that dict
  allowed.set(
    "collections.Counter",
    new Callable("collections.Counter", (a) => {
      const counts = a[0] ?? new Map();
      if (!(counts instanceof Map)) fail("corrupt", `collections.Counter(${show(counts)})`);
      return counts;
    }),
  );
  allowed.set(
    "torch._tensor._rebuild_from_type_v2",
    new Callable("torch._tensor._rebuild_from_type_v2", (a) => {
      const [func, type, args] = a as unknown as [unknown, unknown, unknown];
      if (!(func instanceof Callable) || !REBUILDERS.includes(func)) {
        fail("refused", `_rebuild_from_type_v2 of ${show(func)}`);
      }
      if (type !== (TENSOR_CLASS as unknown) && type !== (PARAMETER_CLASS as unknown)) {
        fail("refused", `_rebuild_from_type_v2 to the class ${show(type)}`);
      }
      if (!Array.isArray(args)) fail("corrupt", "_rebuild_from_type_v2 arguments are not a tuple");
      const t = func.call(args);
      return type === (PARAMETER_CLASS as unknown) ? withGrad(t as TorchTensor, true) : t;
    }),
  );
  allowed.set(
    "torch.Size",
    new Callable("torch.Size", (a) => Tuple.fromArray(ints(a[0] ?? [], "torch.Size"))),
  );
  allowed.set(
    "torch.torch_version.TorchVersion",
    new Callable("torch.torch_version.TorchVersion", (a) => {
      if (typeof a[0] !== "string") fail("corrupt", `TorchVersion(${show(a[0])})`);
      return a[0];
    }),
  );
  allowed.set(
    "torch.device",
    new Callable("torch.device", (a) => {
      if (typeof a[0] !== "string") fail("corrupt", `torch.device(${show(a[0])})`);
      return a.length > 1 ? `${a[0]}:${int(a[1], "device index")}` : a[0];
    }),
  );
  allowed.set(
    "_codecs.encode",
    new Callable("_codecs.encode", (a) => {
      const [text, encoding] = a;
      if (typeof text !== "string" || (encoding !== "latin1" && encoding !== "latin-1")) {
        fail("refused", `_codecs.encode(${show(text)}, ${show(encoding)})`);
      }
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c > 255) fail("corrupt", "_codecs.encode: a latin-1 string with a character above 255");
        out[i] = c;
      }
      return out;
    }),
  );
  for (const [storage, dtype] of DTYPE_OF_STORAGE) allowed.set(`torch.${storage}`, new StorageType(dtype));
  for (const dtype of Object.keys(DTYPES)) allowed.set(`torch.${dtype}`, new TorchGlobal(`torch.${dtype}`));
  return allowed;
}

let allowList: Map<string, Callable | StorageType | TorchGlobal> | null = null;

/** The globals a pickle may name (what torch's weights_only unpickler allows for plain tensors and containers). */
export function allowedGlobals(): string[] {
  allowList ??= buildAllowList();
  return [...allowList.keys()];
}

const UNSUPPORTED_GLOBALS: Record<string, string> = {
  "torch._utils._rebuild_sparse_tensor": "sparse tensors",
  "torch._utils._rebuild_sparse_csr_tensor": "sparse tensors",
  "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors",
  "torch._utils._rebuild_qtensor": "quantized tensors",
  "torch._utils._rebuild_wrapper_subclass": "tensor subclasses",
  "torch._utils._rebuild_device_tensor_from_numpy": "numpy-backed tensors",
  "torch.storage._load_from_bytes":
    "storages saved outside torch.save's zip (torch.save of a storage object)",
};

/**
 * Reads one pickle from `bytes` at `start`, building data only. Returns the value and where the pickle
 * ended (the legacy torch format has several pickles back to back).
 */
export function unpickle(
  bytes: Uint8Array,
  persistentLoad: PersistentLoad,
  limits: PickleLimits = DEFAULT_PICKLE_LIMITS,
  start = 0,
): { value: PickleValue; end: number } {
  allowList ??= buildAllowList();
  const globals = allowList;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let pos = start;
  let stack: Item[] = [];
  const marks: Item[][] = [];
  const memo = new Map<number, Item>();

  const need = (k: number, what: string): number => {
    if (k > n - pos) fail("truncated", `${what} of ${k} bytes at offset ${pos}, but ${n - pos} remain`);
    const at = pos;
    pos += k;
    return at;
  };
  const pop = (what: string): Item => {
    if (stack.length === 0) fail("corrupt", `${what} on an empty stack at offset ${pos - 1}`);
    return stack.pop()!;
  };
  const top = (what: string): Item => {
    if (stack.length === 0) fail("corrupt", `${what} on an empty stack at offset ${pos - 1}`);
    return stack[stack.length - 1]!;
  };
  const popMark = (what: string): Item[] => {
    const items = stack;
    const outer = marks.pop();
    if (outer === undefined) fail("corrupt", `${what} without a MARK at offset ${pos - 1}`);
    stack = outer;
    return items;
  };
  const value = (v: Item, what: string): PickleValue => {
    if (v === MARK || v instanceof Callable || v instanceof StorageType) {
      fail(
        "corrupt",
        `${what} got ${v === MARK ? "a MARK" : v.constructor === StorageType ? "a storage type" : (v as Callable).name} where a value belongs`,
      );
    }
    return v;
  };
  // tuples may hold allowed functions and storage types (rebuild arguments, persistent ids)
  const item = (v: Item, what: string): PickleValue => {
    if (v === MARK) fail("corrupt", `${what} got a MARK where a value belongs`);
    return v as PickleValue;
  };
  const text = (at: number, k: number, what: string): string => {
    try {
      return utf8.decode(bytes.subarray(at, at + k));
    } catch {
      fail("corrupt", `${what} at offset ${at} is not UTF-8`);
    }
  };
  const line = (what: string): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0 || nl - pos > 4096) fail("truncated", `${what} has no end of line`);
    const s = text(pos, nl - pos, what);
    pos = nl + 1;
    return s;
  };
  const long = (k: number, what: string): number | bigint => {
    if (k > limits.maxIntBytes) fail("limit", `${what} of ${k} bytes (the limit is ${limits.maxIntBytes})`);
    const at = need(k, what);
    if (k === 0) return 0;
    let v = 0n;
    for (let i = k - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
    if (bytes[at + k - 1]! & 0x80) v -= 1n << BigInt(8 * k);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (name: string): Item => {
    const found = globals.get(name);
    if (found !== undefined) return found;
    const why = UNSUPPORTED_GLOBALS[name];
    if (why !== undefined) fail("unsupported", `${why} (${name}) are not read`);
    return fail("refused", `the global '${name}' is not on the allow-list (nothing was executed)`);
  };
  const setItems = (target: Item, items: Item[], what: string): void => {
    if (!(target instanceof Map)) fail("corrupt", `${what} on ${show(target)}, not a dict`);
    if (items.length % 2 !== 0) fail("corrupt", `${what} with an odd number of items`);
    for (let i = 0; i < items.length; i += 2) target.set(value(items[i]!, what), value(items[i + 1]!, what));
  };

  for (;;) {
    if (pos >= n) fail("truncated", "the pickle ends without STOP");
    const op = bytes[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        need(1, "PROTO");
        if (bytes[pos - 1]! > 5) fail("unsupported", `pickle protocol ${bytes[pos - 1]}`);
        break;
      case 0x95: // FRAME: only a size hint
        need(8, "FRAME");
        break;
      case 0x2e: {
        // STOP
        if (marks.length > 0) fail("corrupt", "STOP inside a MARK");
        const result = value(pop("STOP"), "STOP");
        return { value: finish(result, limits), end: pos };
      }
      case 0x28: // MARK
        if (marks.length >= limits.maxDepth)
          fail("limit", `MARKs nested ${marks.length + 1} deep (the limit is ${limits.maxDepth})`);
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop("POP");
        break;
      case 0x31: // POP_MARK
        popMark("POP_MARK");
        break;
      case 0x32: // DUP
        stack.push(top("DUP"));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4, "BININT"), true));
        break;
      case 0x4b: // BININT1
        stack.push(bytes[need(1, "BININT1")]!);
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2, "BININT2"), true));
        break;
      case 0x8a: // LONG1
        stack.push(long(bytes[need(1, "LONG1")]!, "LONG1"));
        break;
      case 0x8b: // LONG4
        stack.push(long(view.getUint32(need(4, "LONG4"), true), "LONG4"));
        break;
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8, "BINFLOAT"), false));
        break;
      case 0x58: {
        // BINUNICODE
        const k = view.getUint32(need(4, "BINUNICODE"), true);
        stack.push(text(need(k, "BINUNICODE string"), k, "BINUNICODE"));
        break;
      }
      case 0x8c: {
        // SHORT_BINUNICODE
        const k = bytes[need(1, "SHORT_BINUNICODE")]!;
        stack.push(text(need(k, "SHORT_BINUNICODE string"), k, "SHORT_BINUNICODE"));
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        const k = Number(view.getBigUint64(need(8, "BINUNICODE8"), true));
        stack.push(text(need(k, "BINUNICODE8 string"), k, "BINUNICODE8"));
        break;
      }
      case 0x55: // SHORT_BINSTRING
      case 0x43: {
        // SHORT_BINBYTES
        const k = bytes[need(1, "SHORT_BINBYTES")]!;
        stack.push(bytes.slice(need(k, "SHORT_BINBYTES data"), pos));
        break;
      }
      case 0x54: // BINSTRING
      case 0x42: {
        // BINBYTES
        const k = view.getUint32(need(4, "BINBYTES"), true);
        stack.push(bytes.slice(need(k, "BINBYTES data"), pos));
        break;
      }
      case 0x8e: {
        // BINBYTES8
        const k = Number(view.getBigUint64(need(8, "BINBYTES8"), true));
        stack.push(bytes.slice(need(k, "BINBYTES8 data"), pos));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(Tuple.of());
        break;
      case 0x85: // TUPLE1
        stack.push(Tuple.of(item(pop("TUPLE1"), "TUPLE1")));
        break;
      case 0x86: {
        // TUPLE2
        const b = item(pop("TUPLE2"), "TUPLE2");
        stack.push(Tuple.of(item(pop("TUPLE2"), "TUPLE2"), b));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = item(pop("TUPLE3"), "TUPLE3");
        const b = item(pop("TUPLE3"), "TUPLE3");
        stack.push(Tuple.of(item(pop("TUPLE3"), "TUPLE3"), b, c));
        break;
      }
      case 0x74: // TUPLE
        {
          const t = Tuple.fromArray(popMark("TUPLE").map((v) => item(v, "TUPLE")));
          stack.push(t);
        }
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        {
          const l = popMark("LIST").map((v) => value(v, "LIST"));
          stack.push(l);
        }
        break;
      case 0x61: {
        // APPEND
        const item = value(pop("APPEND"), "APPEND");
        const list = top("APPEND");
        if (!Array.isArray(list) || list instanceof Tuple)
          fail("corrupt", `APPEND to ${show(list)}, not a list`);
        list.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark("APPENDS");
        const list = top("APPENDS");
        if (!Array.isArray(list) || list instanceof Tuple)
          fail("corrupt", `APPENDS to ${show(list)}, not a list`);
        for (const v of items) list.push(value(v, "APPENDS"));
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const d = new Map<PickleValue, PickleValue>();
        setItems(d, popMark("DICT"), "DICT");
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop("SETITEM");
        const k = pop("SETITEM");
        setItems(top("SETITEM"), [k, v], "SETITEM");
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark("SETITEMS");
        setItems(top("SETITEMS"), items, "SETITEMS");
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark("ADDITEMS");
        const set = top("ADDITEMS");
        if (!(set instanceof Set)) fail("corrupt", `ADDITEMS to ${show(set)}, not a set`);
        for (const v of items) set.add(value(v, "ADDITEMS"));
        break;
      }
      case 0x91: // FROZENSET
        {
          const f = new Set(popMark("FROZENSET").map((v) => value(v, "FROZENSET")));
          stack.push(f);
        }
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x68 ? bytes[need(1, "BINGET")]! : view.getUint32(need(4, "LONG_BINGET"), true);
        const v = memo.get(i);
        if (v === undefined) fail("corrupt", `memo ${i} is read before it is written`);
        stack.push(v);
        break;
      }
      case 0x71: // BINPUT
      case 0x72: {
        // LONG_BINPUT
        const i = op === 0x71 ? bytes[need(1, "BINPUT")]! : view.getUint32(need(4, "LONG_BINPUT"), true);
        memo.set(i, top("BINPUT"));
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top("MEMOIZE"));
        break;
      case 0x63: {
        // GLOBAL
        const module = line("GLOBAL module");
        const name = line("GLOBAL name");
        stack.push(global(`${module}.${name}`));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop("STACK_GLOBAL");
        const module = pop("STACK_GLOBAL");
        if (typeof module !== "string" || typeof name !== "string")
          fail("corrupt", "STACK_GLOBAL of non-strings");
        stack.push(global(`${module}.${name}`));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop("REDUCE");
        const func = pop("REDUCE");
        if (!(func instanceof Callable))
          fail("refused", `REDUCE calls ${show(func)}, which is not an allowed function`);
        if (!Array.isArray(args)) fail("corrupt", `REDUCE of ${func.name} with ${show(args)} for arguments`);
        stack.push(func.call(args as PickleValue[]));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop("NEWOBJ");
        const cls = pop("NEWOBJ");
        if (!(cls instanceof Callable) || !NEWOBJ_CLASSES.has(cls.name)) {
          fail("refused", `NEWOBJ of ${show(cls)} (only ${[...NEWOBJ_CLASSES].join(" and ")} are built)`);
        }
        if (!Array.isArray(args)) fail("corrupt", "NEWOBJ arguments are not a tuple");
        stack.push(cls.call(args as PickleValue[]));
        break;
      }
      case 0x62: {
        // BUILD: the state of an OrderedDict (its _metadata) or a tensor's extra state is dropped
        const state = pop("BUILD");
        const target = top("BUILD");
        if (!(target instanceof Map) && !(target instanceof TorchTensor)) {
          fail("refused", `BUILD on ${show(target)} (only dicts and tensors take state)`);
        }
        value(state, "BUILD");
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop("BINPERSID");
        if (!(pid instanceof Tuple) || pid[0] !== "storage") {
          fail("refused", `a persistent id other than a storage: ${show(pid)}`);
        }
        const storageType = pid[1] as unknown;
        if (!(storageType instanceof StorageType))
          fail("corrupt", `a storage persistent id names ${show(storageType)}`);
        const resolved = Tuple.fromArray<PickleValue>(pid);
        resolved[1] = storageType.dtype;
        stack.push(persistentLoad(resolved));
        break;
      }
      default:
        fail(
          "corrupt",
          `opcode 0x${op.toString(16).padStart(2, "0")} at offset ${pos - 1} is not one this reader accepts`,
        );
    }
  }
}

// One pass over the result: dicts with only string keys become plain objects; cycles, depth beyond the
// limit and shared-reference blow-ups (a DAG whose tree is huge) are refused. Iterative, so a deep file
// cannot overflow the JavaScript stack.
function finish(root: PickleValue, limits: PickleLimits): PickleValue {
  type Container = PickleValue[] | Map<PickleValue, PickleValue> | Set<PickleValue>;
  const isContainer = (v: unknown): v is Container =>
    Array.isArray(v) || v instanceof Map || v instanceof Set;
  if (!isContainer(root)) return leaf(root);
  const done = new Map<Container, { value: PickleValue; depth: number; nodes: number }>();
  const open = new Set<Container>();
  const children = (c: Container): PickleValue[] =>
    c instanceof Map ? [...c].flat() : c instanceof Set ? [...c] : c;
  const frames: Array<{ node: Container; kids: PickleValue[]; i: number }> = [
    { node: root, kids: children(root), i: 0 },
  ];
  open.add(root);
  while (frames.length > 0) {
    const f = frames[frames.length - 1]!;
    if (f.i < f.kids.length) {
      const kid = f.kids[f.i++]!;
      if (!isContainer(kid) || done.has(kid)) continue;
      if (open.has(kid)) fail("limit", "the pickle refers to a container from inside itself (a cycle)");
      if (frames.length >= limits.maxDepth) fail("limit", `containers nested over ${limits.maxDepth} deep`);
      open.add(kid);
      frames.push({ node: kid, kids: children(kid), i: 0 });
      continue;
    }
    frames.pop();
    open.delete(f.node);
    let depth = 1;
    let nodes = 1;
    const conv = f.kids.map((k) => {
      if (!isContainer(k)) {
        nodes++;
        return leaf(k);
      }
      const d = done.get(k)!;
      depth = Math.max(depth, d.depth + 1);
      nodes += d.nodes;
      return d.value;
    });
    if (nodes > limits.maxNodes)
      fail("limit", `the result has over ${limits.maxNodes} nodes counting shared references`);
    let out: PickleValue;
    const node = f.node;
    if (node instanceof Map) {
      const keys = conv.filter((_, i) => i % 2 === 0);
      if (keys.every((k) => typeof k === "string")) {
        const obj: { [key: string]: PickleValue } = {};
        for (let i = 0; i < conv.length; i += 2) {
          Object.defineProperty(obj, conv[i] as string, {
            value: conv[i + 1],
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        out = obj;
      } else {
        const m = new Map<PickleValue, PickleValue>();
        for (let i = 0; i < conv.length; i += 2) m.set(conv[i]!, conv[i + 1]!);
        out = m;
      }
    } else if (node instanceof Set) {
      out = new Set(conv);
    } else {
      out = node instanceof Tuple ? Tuple.fromArray(conv) : conv;
    }
    done.set(node, { value: out, depth, nodes });
  }
  return done.get(root)!.value;
}

// an allowed function or storage type that was never called stays a name
function leaf(v: unknown): PickleValue {
  if (v instanceof Callable) return new TorchGlobal(v.name);
  if (v instanceof StorageType) return new TorchGlobal(`torch.${DTYPES[v.dtype].storage}`);
  return v as PickleValue;
}

// ——— the writer ———

/** How torchSave names a storage in the pickle: its dtype, key and element count. */
export type StorageId = (storage: TorchStorage) => { key: string; numel: number };

/** Pickles `value` with protocol 2, using only opcodes torch's weights_only unpickler accepts. */
export function pickle(value: unknown, storageId: StorageId): Uint8Array {
  const out = new Writer();
  out.byte(0x80, 2);
  const active = new Set<object>();
  const encoder = new TextEncoder();
  const str = (s: string): void => {
    const b = encoder.encode(s);
    out.byte(0x58);
    out.u32(b.length);
    out.bytes(b);
  };
  const global = (module: string, name: string): void => {
    out.byte(0x63);
    out.bytes(encoder.encode(`${module}\n${name}\n`));
  };
  const num = (v: number): void => {
    if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER && !Object.is(v, -0)) {
      if (v >= 0 && v < 256) out.byte(0x4b, v);
      else if (v >= 0 && v < 65536) {
        out.byte(0x4d);
        out.u16(v);
      } else if (v >= -(2 ** 31) && v < 2 ** 31) {
        out.byte(0x4a);
        out.i32(v);
      } else bigint(BigInt(v));
      return;
    }
    out.byte(0x47);
    out.f64be(v);
  };
  const bigint = (v: bigint): void => {
    const b: number[] = [];
    let x = v;
    while (true) {
      b.push(Number(x & 0xffn));
      x >>= 8n;
      const sign = (b[b.length - 1]! & 0x80) !== 0;
      if ((x === 0n && !sign) || (x === -1n && sign)) break;
      if (b.length > 255) fail("unserializable", `the integer ${v} is too long`);
    }
    out.byte(0x8a, b.length, ...b);
  };
  const tuple = (items: readonly unknown[], path: string): void => {
    if (items.length === 0) {
      out.byte(0x29);
      return;
    }
    if (items.length > 3) out.byte(0x28);
    for (let i = 0; i < items.length; i++) write(items[i], `${path}[${i}]`);
    out.byte(items.length === 1 ? 0x85 : items.length === 2 ? 0x86 : items.length === 3 ? 0x87 : 0x74);
  };
  const tensor = (t: TorchTensor, path: string): void => {
    const { key, numel } = storageId(t.storage);
    global("torch._utils", "_rebuild_tensor_v2");
    out.byte(0x28, 0x28); // MARK (args) MARK (persistent id)
    str("storage");
    global("torch", DTYPES[t.dtype].storage);
    str(key);
    str(t.storage.location);
    num(numel);
    out.byte(0x74, 0x51); // TUPLE BINPERSID
    num(t.storageOffset);
    tuple(t.shape, `${path}.shape`);
    tuple(t.stride, `${path}.stride`);
    out.byte(t.requiresGrad ? 0x88 : 0x89);
    global("collections", "OrderedDict");
    out.byte(0x29, 0x52, 0x74, 0x52); // () REDUCE, TUPLE, REDUCE
  };
  const write = (v: unknown, path: string): void => {
    if (v === null || v === undefined || typeof v === "boolean") {
      out.byte(v === true ? 0x88 : v === false ? 0x89 : 0x4e);
      return;
    }
    if (typeof v === "number") {
      num(v);
      return;
    }
    if (typeof v === "bigint") {
      bigint(v);
      return;
    }
    if (typeof v === "string") {
      str(v);
      return;
    }
    if (typeof v !== "object") fail("unserializable", `${path} is a ${typeof v}`);
    if (v instanceof TorchTensor) {
      tensor(v, path);
      return;
    }
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      tensor(torchTensor(v as TensorArray), path);
      return;
    }
    if (active.has(v)) fail("unserializable", `${path} contains itself`);
    if (active.size > 1000) fail("unserializable", `${path} is nested over 1000 deep`);
    active.add(v);
    if (v instanceof Tuple) tuple(v, path);
    else if (Array.isArray(v)) {
      out.byte(0x5d);
      if (v.length > 0) {
        out.byte(0x28);
        for (let i = 0; i < v.length; i++) write(v[i], `${path}[${i}]`);
        out.byte(0x65);
      }
    } else if (v instanceof Map) {
      out.byte(0x7d);
      if (v.size > 0) {
        out.byte(0x28);
        for (const [k, x] of v) {
          write(k, `${path} key`);
          write(x, `${path}[${String(k)}]`);
        }
        out.byte(0x75);
      }
    } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      out.byte(0x7d);
      const entries = Object.entries(v);
      if (entries.length > 0) {
        out.byte(0x28);
        for (const [k, x] of entries) {
          str(k);
          write(x, `${path}.${k}`);
        }
        out.byte(0x75);
      }
    } else {
      fail("unserializable", `${path} is a ${(v as object).constructor?.name ?? "non-plain object"}`);
    }
    active.delete(v);
  };
  write(value, "value");
  out.byte(0x2e);
  return out.result();
}

class Writer {
  #buf = new Uint8Array(1024);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  #grow(k: number): void {
    if (this.#len + k <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
  byte(...b: number[]): void {
    this.#grow(b.length);
    for (const x of b) this.#buf[this.#len++] = x;
  }
  bytes(b: Uint8Array): void {
    this.#grow(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }
  u16(v: number): void {
    this.#grow(2);
    this.#view.setUint16(this.#len, v, true);
    this.#len += 2;
  }
  u32(v: number): void {
    this.#grow(4);
    this.#view.setUint32(this.#len, v, true);
    this.#len += 4;
  }
  i32(v: number): void {
    this.#grow(4);
    this.#view.setInt32(this.#len, v, true);
    this.#len += 4;
  }
  f64be(v: number): void {
    this.#grow(8);
    this.#view.setFloat64(this.#len, v, false);
    this.#len += 8;
  }
  result(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Where the pickle starting at `start` ends, found by walking its opcodes without interpreting them. */
export function skipPickle(bytes: Uint8Array, start: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = start;
  const need = (k: number): void => {
    if (k > n - pos)
      fail("truncated", `a pickle argument of ${k} bytes at offset ${pos}, but ${n - pos} remain`);
    pos += k;
  };
  const FIXED: Record<number, number> = {
    128: 1,
    149: 8,
    74: 4,
    75: 1,
    77: 2,
    71: 8,
    104: 1,
    106: 4,
    113: 1,
    114: 4,
  };
  const ZERO = new Set([
    0x2e, 0x28, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x29, 0x85, 0x86, 0x87, 0x74, 0x5d, 0x6c, 0x61, 0x65,
    0x7d, 0x64, 0x73, 0x75, 0x8f, 0x90, 0x91, 0x94, 0x93, 0x52, 0x81, 0x62, 0x51,
  ]);
  for (;;) {
    if (pos >= n) fail("truncated", "the pickle ends without STOP");
    const op = bytes[pos++]!;
    if (op === 0x2e) return pos;
    const fixed = FIXED[op];
    if (fixed !== undefined) need(fixed);
    else if (ZERO.has(op)) continue;
    else if (op === 0x8a || op === 0x8c || op === 0x55 || op === 0x43) {
      need(1);
      need(bytes[pos - 1]!);
    } else if (op === 0x8b || op === 0x58 || op === 0x54 || op === 0x42) {
      need(4);
      need(view.getUint32(pos - 4, true));
    } else if (op === 0x8d || op === 0x8e) {
      need(8);
      const k = view.getBigUint64(pos - 8, true);
      if (k > BigInt(n)) fail("truncated", `a pickle string of ${k} bytes`);
      need(Number(k));
    } else if (op === 0x63) {
      for (let line = 0; line < 2; line++) {
        const nl = bytes.indexOf(0x0a, pos);
        if (nl < 0) fail("truncated", "GLOBAL has no end of line");
        pos = nl + 1;
      }
    } else
      fail(
        "corrupt",
        `opcode 0x${op.toString(16).padStart(2, "0")} at offset ${pos - 1} is not one this reader accepts`,
      );
  }
}
