// A torch `model.state_dict()` (parameter name → tensor) ↔ descent params, matched by `param.name`
// (torch's dotted names: "0.weight", "encoder.layer1.bias").

import type { Param } from "../core/param.js";
import type { PickleValue } from "./pickle.js";
import { TorchTensor, torchTensor } from "./tensor.js";
import { fail } from "./torch-format-error.js";

/** Options of `fromTorchModelState`. */
export interface FromTorchModelOptions {
  /**
   * Refuse entries of the file that no param is named for (torch's `strict=True`). Buffers such as
   * BatchNorm's `running_mean` are entries too. Default true.
   */
  strict?: boolean;
}

function nameOf(p: Param, i: number): string {
  if (p.name === undefined || p.name === "")
    fail("mismatch", `param ${i} has no name to match torch's state dict by`);
  return p.name;
}

/** The tensors of a model state dict by name, whatever dict form torchLoad gave. */
function tensorsOf(modelState: unknown): Map<string, TorchTensor> {
  const out = new Map<string, TorchTensor>();
  const list =
    modelState instanceof Map
      ? [...modelState]
      : modelState !== null && typeof modelState === "object" && !Array.isArray(modelState)
        ? Object.entries(modelState)
        : fail("mismatch", "a model state dict is a dict of tensors");
  for (const [k, v] of list as Array<[PickleValue, PickleValue]>) {
    if (typeof k !== "string") fail("mismatch", `model state key ${String(k)} is not a name`);
    if (!(v instanceof TorchTensor)) fail("mismatch", `model state '${k}' is not a tensor`);
    out.set(k, v);
  }
  return out;
}

/**
 * Copies a torch `model.state_dict()` (as torchLoad reads it) into `params` by name, converting dtypes as
 * torch's `load_state_dict` does (`copy_`). Everything is checked before any param changes.
 * @example
 * const torchState = { weight: torchTensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]), bias: torchTensor(new Float32Array([7, 8])) };
 * const weight = param(new Float32Array(6), { shape: [2, 3], name: "weight" });
 * const bias = param(new Float32Array(2), { name: "bias" });
 * fromTorchModelState(torchState, [weight, bias]);
 * Array.from(bias.data); // → [7, 8]
 */
export function fromTorchModelState(
  modelState: unknown,
  params: readonly Param[],
  options: FromTorchModelOptions = {},
): void {
  const tensors = tensorsOf(modelState);
  const plan: Array<[Param, ArrayLike<number>]> = [];
  const used = new Set<string>();
  params.forEach((p, i) => {
    const name = nameOf(p, i);
    const t = tensors.get(name);
    if (t === undefined) fail("mismatch", `the torch state dict has no '${name}'`);
    const same = t.shape.length === p.shape.length && t.shape.every((n, d) => n === p.shape[d]);
    const scalarVsOne = t.shape.length === 0 && p.data.length === 1;
    if (!same && !scalarVsOne)
      fail("mismatch", `'${name}' is [${t.shape}] in the torch state dict, [${p.shape}] here`);
    if (t.dtype !== "float32" && t.dtype !== "float64" && t.dtype !== "float16" && t.dtype !== "bfloat16") {
      fail("mismatch", `'${name}' is a ${t.dtype} tensor; params are float`);
    }
    plan.push([p, t.toArray({ widen: true }) as Float32Array | Float64Array]);
    used.add(name);
  });
  if (options.strict ?? true) {
    for (const name of tensors.keys()) {
      if (!used.has(name))
        fail("mismatch", `the torch state dict has '${name}', which no param is named for (strict)`);
    }
  }
  for (const [p, values] of plan) p.data.set(values);
}

/**
 * `params` as a torch `model.state_dict()`: name → tensor with the param's shape and dtype (copies), for
 * `torchSave` and `model.load_state_dict(torch.load(...))` in Python.
 * @example
 * const w = param([1, 2, 3, 4], { shape: [2, 2], name: "fc.weight", dtype: "float64" });
 * const state = toTorchModelState([w]);
 * state["fc.weight"].shape; // → [2, 2]
 */
export function toTorchModelState(params: readonly Param[]): Record<string, TorchTensor> {
  const out: Record<string, TorchTensor> = {};
  params.forEach((p, i) => {
    const name = nameOf(p, i);
    if (Object.hasOwn(out, name)) fail("mismatch", `two params are named '${name}'`);
    Object.defineProperty(out, name, {
      value: torchTensor(p.data, p.shape),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return out;
}
