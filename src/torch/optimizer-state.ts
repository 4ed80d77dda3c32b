// torch's `optimizer.state_dict()` ↔ descent's `OptimizerStateDict`, for every optimizer torch.optim has.
//
// Both number params by position across the groups and keep per-param state and per-group options; they
// differ in vocabulary and representation. Names: snake_case ↔ camelCase (exp_avg_sq ↔ expAvgSq,
// weight_decay ↔ weightDecay, H_diag ↔ hDiag). Values: torch keeps buffers as tensors shaped like the param
// (descent: flat typed arrays), scalars such as `step`, `mu_product`, `eta`, `mu` as 0-dim tensors (descent:
// numbers) — except SparseAdam's and torch 1.13's RMSprop, Adadelta and Rprop, whose `step` is a Python int — and tuples for
// betas/etas/step_sizes/eps. torch's groups also carry switches that only pick its code path (foreach,
// fused, capturable, differentiable); they are dropped on the way in and written with torch's defaults for
// the target version on the way out.

import type { OptimizerLike, OptimizerStateDict } from "../core/optimizer.js";
import type { StateRecord, StateValue } from "../core/state.js";
import { type PickleValue, Tuple } from "./pickle.js";
import { TorchTensor, torchTensor } from "./tensor.js";
import { fail } from "./torch-format-error.js";

/** The torch layouts toTorchOptimizerState writes: "1.13" (Debian 12) or any 2.x ("2.6", Debian 13). */
export type TorchVersion = string;

/** Flag names and their defaults. @inline */
type Flags = Record<string, null | boolean>;
/**
 * What descent knows of one torch optimizer class to write torch's layout: its flag defaults per torch
 * version.
 */
export interface TorchOptimizerInfo {
  /** The switches torch's groups carry that only pick a code path, with their defaults. */
  flags: { "1": Flags; "2": Flags };
  /** Options torch 1.13 does not have (writing a non-default value for 1.13 is refused). */
  newIn2?: Record<string, unknown>;
  /** torch 1.13 keeps `step` as a Python int rather than a tensor. */
  intStep1?: boolean;
  /** Every torch version keeps `step` as a Python int (SparseAdam). */
  intStep?: boolean;
}

const F = { foreach: null };
const FD = { foreach: null, differentiable: false };
const FCD = { foreach: null, capturable: false, differentiable: false };

/** Every torch.optim optimizer, by class name, as torch 1.13 and 2.6 write them (recorded from both). */
export const TORCH_OPTIMIZERS: Readonly<Record<string, TorchOptimizerInfo>> = {
  SGD: { flags: { "1": FD, "2": { ...FD, fused: null } } },
  Adam: { flags: { "1": { ...FCD, fused: false }, "2": { ...FCD, fused: null } } },
  AdamW: { flags: { "1": { foreach: null, capturable: false }, "2": { ...FCD, fused: null } } },
  Adagrad: { flags: { "1": F, "2": { ...FD, fused: null } } },
  RMSprop: { flags: { "1": FD, "2": FCD }, intStep1: true },
  Adadelta: { flags: { "1": F, "2": FCD }, intStep1: true },
  Adamax: { flags: { "1": F, "2": FCD } },
  NAdam: { flags: { "1": F, "2": FCD }, newIn2: { decoupledWeightDecay: false, maximize: false } },
  RAdam: { flags: { "1": F, "2": FCD }, newIn2: { decoupledWeightDecay: false, maximize: false } },
  Rprop: { flags: { "1": F, "2": FCD }, intStep1: true },
  ASGD: { flags: { "1": F, "2": FCD } },
  Adafactor: { flags: { "1": {}, "2": F } },
  LBFGS: { flags: { "1": {}, "2": {} } },
  SparseAdam: { flags: { "1": {}, "2": {} }, intStep: true },
};

const TORCH_ONLY = new Set(["foreach", "fused", "capturable", "differentiable"]);
/** State scalars that torch keeps as 0-dim tensors of its default scalar dtype. */
const SCALAR_TENSORS = new Set(["step", "muProduct", "eta", "mu"]);
const SPECIAL_NAMES: Record<string, string> = { H_diag: "hDiag" };
const SPECIAL_TORCH_NAMES: Record<string, string> = { hDiag: "H_diag" };

/** exp_avg_sq → expAvgSq, H_diag → hDiag. */
export function camelName(torchName: string): string {
  const special = SPECIAL_NAMES[torchName];
  if (special !== undefined) return special;
  return torchName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** expAvgSq → exp_avg_sq, hDiag → H_diag. */
export function torchName(camel: string): string {
  const special = SPECIAL_TORCH_NAMES[camel];
  if (special !== undefined) return special;
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function entries(v: PickleValue, where: string): Array<[PickleValue, PickleValue]> {
  if (v instanceof Map) return [...v];
  if (
    v !== null &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype
  ) {
    return Object.entries(v);
  }
  return fail("mismatch", `${where} is not a dict`);
}

function stateValue(v: PickleValue, where: string): StateValue {
  if (v instanceof TorchTensor) {
    const dtype = v.dtype;
    if (v.shape.length === 0) return v.toNumbers({ widen: true })[0]!;
    if (dtype === "float32" || dtype === "float64") return v.toArray() as Float32Array | Float64Array;
    return fail("mismatch", `${where} is a ${dtype} tensor; descent keeps float32 and float64 state`);
  }
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "string" || v === null) return v;
  if (Array.isArray(v)) return v.map((x, i) => stateValue(x, `${where}[${i}]`));
  if (typeof v === "bigint") return fail("mismatch", `${where} is the integer ${v}, beyond exact numbers`);
  return fail("mismatch", `${where} holds a value descent's state has no place for`);
}

/**
 * torch's `optimizer.state_dict()` (as torchLoad reads it) → descent's state dict for the same optimizer
 * class over the same params: `opt.loadStateDict(fromTorchOptimizerState(torchLoad(bytes)))`.
 * @example
 * // what torch.save(torch.optim.SGD([w], lr=0.1, momentum=0.9).state_dict()) holds after one step
 * const torchState = {
 *   state: new Map([[0, { momentum_buffer: torchTensor(new Float64Array([0.5, -1]), [2]) }]]),
 *   param_groups: [{ lr: 0.1, momentum: 0.9, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false, fused: null, params: [0] }],
 * };
 * const w = param([1, 2], { dtype: "float64" });
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
 * opt.loadStateDict(fromTorchOptimizerState(torchState));
 * Array.from(opt.state.get(w)!.momentumBuffer as Float64Array); // → [0.5, -1]
 */
export function fromTorchOptimizerState(torchState: unknown): OptimizerStateDict {
  const sd = torchState as { state?: PickleValue; param_groups?: PickleValue };
  if (sd === null || typeof sd !== "object" || !("state" in sd) || !("param_groups" in sd)) {
    fail("mismatch", "an optimizer state dict has 'state' and 'param_groups'");
  }
  const state: Record<number, StateRecord> = {};
  for (const [key, record] of entries(sd.state!, "state")) {
    const index = typeof key === "string" && /^\d+$/.test(key) ? Number(key) : key;
    if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
      fail("mismatch", `state key ${String(key)} is not a param index`);
    }
    const out: Record<string, StateValue> = {};
    for (const [name, value] of entries(record, `state[${index}]`)) {
      // torch 1.13's SGD without momentum keeps {momentum_buffer: None}; 2.x and descent keep nothing
      if (value === null) continue;
      out[camelName(String(name))] = stateValue(value, `state[${index}].${String(name)}`);
    }
    if (Object.keys(out).length > 0) state[index] = out;
  }
  if (!Array.isArray(sd.param_groups)) fail("mismatch", "param_groups is not a list");
  const paramGroups = sd.param_groups.map((group, gi) => {
    const out: Record<string, StateValue> & { params: number[] } = { params: [] };
    for (const [name, value] of entries(group, `param_groups[${gi}]`)) {
      const key = String(name);
      if (TORCH_ONLY.has(key)) continue;
      if (key === "params") {
        if (!Array.isArray(value) || !value.every((i) => typeof i === "number")) {
          fail("mismatch", `param_groups[${gi}].params is not a list of indices`);
        }
        out.params = [...(value as number[])];
        continue;
      }
      out[camelName(key)] = stateValue(value, `param_groups[${gi}].${key}`);
    }
    return out;
  });
  return { state, paramGroups };
}

/** Options of `toTorchOptimizerState`. */
export interface ToTorchOptimizerOptions {
  /** The torch version whose layout to write: "1.13" or "2.x" (default "2.6"). */
  torchVersion?: TorchVersion;
  /**
   * The dtype of torch's 0-dim scalar state (`step`, NAdam's `mu_product`, ASGD's `eta`, `mu`): torch's
   * default dtype, float32 unless the run called `torch.set_default_dtype(torch.float64)`. Default "float32".
   */
  scalarDtype?: "float32" | "float64";
  /** The optimizer's torch class name, when a state dict rather than an optimizer is passed. */
  type?: string;
  /** Each param's shape, in state-dict order, when a state dict rather than an optimizer is passed. */
  shapes?: ReadonlyArray<readonly number[]>;
}

function major(version: TorchVersion): "1" | "2" {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (m === null) fail("mismatch", `torchVersion '${version}' (expected e.g. "1.13" or "2.6")`);
  if (m[1] === "1" && Number(m[2]) >= 13) return "1";
  if (m[1] === "2") return "2";
  return fail("mismatch", `torchVersion '${version}': the layouts written are torch 1.13's and 2.x's`);
}

/**
 * descent's optimizer state → torch's `optimizer.state_dict()` layout for `torchVersion`, ready for
 * `torchSave` and `torch.load(...)` + `optimizer.load_state_dict(...)` in Python.
 * @example
 * const w = param([1, 2, 3, 4], { shape: [2, 2], dtype: "float64" });
 * const opt = new Adam([w], { lr: 0.01 });
 * w.grad = new Float64Array([0.1, 0.2, 0.3, 0.4]);
 * opt.step();
 * const torchState = toTorchOptimizerState(opt, { torchVersion: "2.6" }) as any;
 * torchState.state.get(0).exp_avg.shape; // → [2, 2]
 * torchState.state.get(0).step.toNumbers(); // → [1]
 * torchState.param_groups[0].fused; // → null
 */
export function toTorchOptimizerState(
  source: OptimizerLike | OptimizerStateDict,
  options: ToTorchOptimizerOptions = {},
): { state: Map<number, Record<string, PickleValue>>; param_groups: Array<Record<string, PickleValue>> } {
  const isOptimizer = typeof (source as OptimizerLike).stateDict === "function";
  const sd = isOptimizer ? (source as OptimizerLike).stateDict() : (source as OptimizerStateDict);
  const type = options.type ?? (isOptimizer ? source.constructor.name : undefined);
  if (type === undefined) fail("mismatch", "a state dict needs options.type (its torch optimizer class)");
  const info = TORCH_OPTIMIZERS[type];
  if (info === undefined) fail("mismatch", `${type} has no torch.optim equivalent`);
  const shapes =
    options.shapes ??
    (isOptimizer
      ? (source as OptimizerLike).paramGroups.flatMap((g) => g.params.map((p) => p.shape))
      : undefined);
  if (shapes === undefined) fail("mismatch", "a state dict needs options.shapes (each param's shape)");
  const version = major(options.torchVersion ?? "2.6");
  if (version === "1" && type === "Adafactor") fail("mismatch", "torch 1.13 has no Adafactor");
  if (sd.attached !== undefined) {
    fail("mismatch", `attached['${Object.keys(sd.attached)[0]}'] has no place in torch's optimizer state`);
  }
  const scalarDtype = options.scalarDtype ?? "float32";
  const scalar = (v: number, dtype: "float32" | "float64"): TorchTensor =>
    torchTensor(dtype === "float64" ? Float64Array.of(v) : Float32Array.of(v), []);

  const state = new Map<number, Record<string, PickleValue>>();
  for (const [key, record] of Object.entries(sd.state)) {
    const index = Number(key);
    const shape = shapes[index];
    if (shape === undefined) fail("mismatch", `state[${key}] refers to a param there is no shape for`);
    const numel = shape.reduce((a, b) => a * b, 1);
    const out: Record<string, PickleValue> = {};
    for (const [name, value] of Object.entries(record)) {
      const where = `state[${key}].${name}`;
      const tname = torchName(name);
      if (typeof value === "number") {
        if (name === "step" && (info.intStep || (version === "1" && info.intStep1))) out[tname] = value;
        else if (SCALAR_TENSORS.has(name)) out[tname] = scalar(value, scalarDtype);
        else if (name === "hDiag") out[tname] = scalar(value, paramDtype(record));
        else out[tname] = value;
      } else if (value instanceof Float32Array || value instanceof Float64Array) {
        out[tname] = torchTensor(value, bufferShape(type, name, shape, numel, value.length, where));
      } else if (Array.isArray(value)) {
        // LBFGS history: old_dirs/old_stps flat tensors, ro/al 0-dim tensors (al: None where never written)
        const dtype = paramDtype(record);
        out[tname] = value.map((x, i) => {
          if (x instanceof Float32Array || x instanceof Float64Array) return torchTensor(x, [x.length]);
          if (typeof x === "number") return scalar(x, dtype);
          if (x === null) return null;
          return fail("mismatch", `${where}[${i}] has no torch form`);
        });
      } else if (value === null || typeof value === "boolean" || typeof value === "string") {
        out[tname] = value;
      } else {
        fail("mismatch", `${where} has no torch form`);
      }
    }
    state.set(index, out);
  }
  const paramGroups = sd.paramGroups.map((group, gi) => {
    const out: Record<string, PickleValue> = {};
    for (const [name, value] of Object.entries(group)) {
      if (name === "params") continue;
      const newIn2 = info.newIn2?.[name];
      if (version === "1" && newIn2 !== undefined) {
        if (value !== newIn2)
          fail(
            "mismatch",
            `param_groups[${gi}].${name} = ${String(value)}: torch 1.13's ${type} has no ${torchName(name)}`,
          );
        continue;
      }
      out[torchName(name)] = Array.isArray(value)
        ? Tuple.fromArray(value as PickleValue[])
        : (value as PickleValue);
    }
    Object.assign(out, info.flags[version]);
    out.params = [...group.params];
    return out;
  });
  return { state, param_groups: paramGroups };
}

function paramDtype(record: StateRecord): "float32" | "float64" {
  for (const v of Object.values(record)) {
    if (v instanceof Float32Array) return "float32";
    if (v instanceof Float64Array) return "float64";
  }
  return "float64";
}

function bufferShape(
  type: string,
  name: string,
  shape: readonly number[],
  numel: number,
  length: number,
  where: string,
): number[] {
  if (type === "LBFGS") return [length]; // flat over all params
  if (type === "Adafactor" && shape.length >= 2) {
    if (name === "rowVar") return [...shape.slice(0, -1), 1];
    if (name === "colVar") return [...shape.slice(0, -2), 1, shape[shape.length - 1]!];
  }
  if (length !== numel)
    fail("mismatch", `${where} has ${length} elements, its param [${shape}] has ${numel}`);
  return [...shape];
}
