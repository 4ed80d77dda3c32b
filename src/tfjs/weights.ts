// The descent state dict as TF.js optimizer weights: each state buffer a float32 tensor named
// `<variable>/<key>`, everything else (step counts, group options, a scheduler's lr) in one JSON string
// tensor named `descent/state` that refers to the buffers by index.

import { type Tensor, tensor } from "@tensorflow/tfjs-core";
import type { OptimizerStateDict } from "../core/optimizer.js";
import { describe } from "../core/param.js";
import type { StateRecord, StateValue } from "../core/state.js";
import { tagNumber } from "../core/json-number.js";
import { optionError } from "../core/validate.js";
import { untagged } from "./config-codec.js";

/** A tensor with a name (tfjs-core does not export its own NamedTensor). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

export const MANIFEST = "descent/state";

/** The manifest tensor and the state buffers' tensors (after the iterations, in this order). */
export function encodeState(
  sd: OptimizerStateDict,
  labels: readonly string[],
  optimizer: string | null,
): NamedTensor[] {
  const tensors: NamedTensor[] = [];
  const encode = (value: StateValue, path: string): unknown => {
    if (value instanceof Float32Array || value instanceof Float64Array) {
      const index = tensors.length;
      tensors.push({ name: path, tensor: tensor(Float32Array.from(value), [value.length], "float32") });
      return { $tensor: index, dtype: value instanceof Float64Array ? "float64" : "float32" };
    }
    if (typeof value === "number") return tagNumber(value);
    if (Array.isArray(value)) return value.map((v, i) => encode(v as StateValue, `${path}/${i}`));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = encode(v as StateValue, `${path}/${k}`);
      return out;
    }
    return value;
  };
  const state: Record<string, unknown> = {};
  for (const [i, s] of Object.entries(sd.state))
    state[i] = encode(s as StateValue, labels[Number(i)] ?? `param${i}`);
  const paramGroups = sd.paramGroups.map((g) => encode(g as unknown as StateValue, "group"));
  const manifest = JSON.stringify({
    format: 1,
    optimizer,
    labels,
    state,
    paramGroups,
  });
  return [{ name: MANIFEST, tensor: tensor([manifest], [1], "string") }, ...tensors];
}

export interface DecodedWeights {
  iterations: unknown;
  stateDict: OptimizerStateDict;
  /** The optimizer the state was saved from, when the manifest names it. */
  optimizer: string | null;
  labels: string[];
}

/**
 * Reads what `encodeState` made, after the iterations weight; checked fully, throwing (messages start with
 * `where`) before any use.
 */
export async function decodeState(
  weightValues: NamedTensor[],
  where = "TfjsOptimizer.setWeights",
): Promise<DecodedWeights> {
  if (!Array.isArray(weightValues) || weightValues.length < 2) {
    optionError(`${where}: expected the weights getWeights() made, got ${describe(weightValues)}`);
  }
  const head = weightValues[1]!;
  if (head?.name !== MANIFEST || head.tensor?.dtype !== "string") {
    optionError(
      `${where}: expected '${MANIFEST}' as the second weight, got ${describe(head?.name)} (weights saved by another optimizer?)`,
    );
  }
  const iterations = (await weightValues[0]!.tensor.data())[0];
  const text = (await head.tensor.data())[0] as unknown;
  let manifest: { optimizer?: unknown; state?: unknown; paramGroups?: unknown; labels?: unknown };
  try {
    manifest = JSON.parse(typeof text === "string" ? text : new TextDecoder().decode(text as Uint8Array));
  } catch (e) {
    optionError(`${where}: the '${MANIFEST}' weight is not valid JSON (${(e as Error).message})`);
  }
  const rest = weightValues.slice(2);
  const arrays = await Promise.all(rest.map((w) => w.tensor.data()));
  const decode = (value: unknown): StateValue => {
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === "object") {
      const o = value as Record<string, unknown>;
      if (typeof o.$tensor === "number") {
        const data = arrays[o.$tensor];
        if (!(data instanceof Float32Array))
          optionError(`${where}: state refers to tensor ${o.$tensor}, which is missing or not float32`);
        return o.dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data);
      }
      if ("$number" in o) return untagged(o.$number, where);
      const out: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(o)) out[k] = decode(v);
      return out as StateRecord;
    }
    return value as StateValue;
  };
  if (typeof manifest.state !== "object" || manifest.state === null || !Array.isArray(manifest.paramGroups)) {
    optionError(`${where}: the '${MANIFEST}' weight has no state or paramGroups`);
  }
  const stateDict = {
    state: decode(manifest.state) as unknown as OptimizerStateDict["state"],
    paramGroups: decode(manifest.paramGroups) as unknown as OptimizerStateDict["paramGroups"],
  };
  return {
    iterations,
    stateDict,
    optimizer: typeof manifest.optimizer === "string" ? manifest.optimizer : null,
    labels: Array.isArray(manifest.labels) ? manifest.labels.map(String) : [],
  };
}
