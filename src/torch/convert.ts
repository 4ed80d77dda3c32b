// torch.save files ↔ safetensors, both ways, losslessly for what both can hold.
//
// torch → safetensors: every tensor becomes a safetensors tensor named by its path in the file
// ("model/fc.weight", "optimizer/state/0/exp_avg"), values in row-major order; everything else (numbers,
// strings, tuples, int-keyed dicts …) goes into the metadata entry "torch", a JSON skeleton in which each
// tensor is {"$tensor": name}. safetensors → torch rebuilds the same value from that skeleton; a
// safetensors file without one (e.g. model weights from elsewhere) becomes a flat dict name → tensor, which
// `model.load_state_dict` reads. Refused, naming the key: tensors of dtypes other than float32/float64
// (descent's safetensors holds those two) and values neither side can hold.

import { decodeSafetensors, encodeSafetensors, type Tensor } from "../checkpoint/safetensors.js";
import { type PickleValue, Tuple } from "./pickle.js";
import { TorchTensor, torchTensor } from "./tensor.js";
import { fail } from "./torch-format-error.js";
import { torchLoad } from "./torch-load.js";
import { torchSave } from "./torch-save.js";

const SKELETON = "torch";

type Skeleton = null | boolean | number | string | Skeleton[] | { [key: string]: Skeleton };

/**
 * A torch.save file's bytes as a safetensors file's bytes (see the header for the mapping).
 * @example
 * const pt = torchSave({ model: { w: torchTensor(new Float32Array([1, 2]), [1, 2]) }, epoch: 3 });
 * const st = torchToSafetensors(pt);
 * const back = torchLoad(safetensorsToTorch(st)) as any;
 * back.epoch; // → 3
 * back.model.w.shape; // → [1, 2]
 */
export function torchToSafetensors(torchBytes: Uint8Array): Uint8Array {
  const tensors = new Map<string, Tensor>();
  const nameFor = (path: string): string => {
    let name = path;
    for (let n = 2; tensors.has(name) || name === "__metadata__"; n++) name = `${path}#${n}`;
    return name;
  };
  const walk = (v: PickleValue, path: string): Skeleton => {
    if (v instanceof TorchTensor) {
      if (v.dtype !== "float32" && v.dtype !== "float64") {
        fail("mismatch", `'${path}' is a ${v.dtype} tensor; the safetensors side holds float32 and float64`);
      }
      const name = nameFor(path);
      const data = v.toArray() as Float32Array | Float64Array;
      tensors.set(name, { dtype: v.dtype === "float32" ? "F32" : "F64", shape: [...v.shape], data });
      return { $tensor: name };
    }
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : { $float: String(v) };
    if (typeof v === "bigint") return { $int: String(v) };
    if (v instanceof Tuple) return { $tuple: v.map((x, i) => walk(x, `${path}/${i}`)) };
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}/${i}`));
    const pairs: Array<[PickleValue, PickleValue]> =
      v instanceof Map ? [...v] : Object.getPrototypeOf(v) === Object.prototype ? Object.entries(v) : [];
    if (pairs.length === 0 && !(v instanceof Map) && Object.getPrototypeOf(v) !== Object.prototype) {
      fail("mismatch", `'${path}' (${(v as object).constructor?.name}) has no safetensors form`);
    }
    return {
      $dict: pairs.map(([k, x]) => {
        if (typeof k !== "string" && typeof k !== "number")
          fail("mismatch", `'${path}' has a key of type ${typeof k}`);
        return [k, walk(x, path === "" ? String(k) : `${path}/${String(k)}`)];
      }),
    };
  };
  const skeleton = walk(torchLoad(torchBytes), "");
  return encodeSafetensors(tensors, { [SKELETON]: JSON.stringify(skeleton) });
}

/** A safetensors file's bytes as a torch.save file's bytes (see the header for the mapping). */
export function safetensorsToTorch(safetensorsBytes: Uint8Array): Uint8Array {
  const { metadata, tensors } = decodeSafetensors(safetensorsBytes);
  const tensorOf = (name: string): TorchTensor => {
    const t = tensors.get(name);
    if (t === undefined)
      fail("mismatch", `the skeleton refers to tensor '${name}', which the file does not have`);
    return torchTensor(t.data, t.shape);
  };
  const skeleton = metadata[SKELETON];
  if (skeleton === undefined) {
    const flat: Record<string, TorchTensor> = {};
    for (const name of tensors.keys()) {
      Object.defineProperty(flat, name, {
        value: tensorOf(name),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return torchSave(flat);
  }
  const build = (s: Skeleton): unknown => {
    if (s === null || typeof s !== "object") return s;
    if (Array.isArray(s)) return s.map(build);
    if (typeof s.$tensor === "string") return tensorOf(s.$tensor);
    if (typeof s.$float === "string") return Number(s.$float);
    if (typeof s.$int === "string") return BigInt(s.$int);
    if (Array.isArray(s.$tuple)) return Tuple.fromArray(s.$tuple.map(build) as PickleValue[]);
    if (Array.isArray(s.$dict)) {
      const pairs = (s.$dict as Skeleton[][]).map(([k, v]) => [k, build(v as Skeleton)] as const);
      if (pairs.every(([k]) => typeof k === "string")) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of pairs)
          Object.defineProperty(out, k as string, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return out;
      }
      return new Map(pairs);
    }
    return fail(
      "mismatch",
      `the '${SKELETON}' metadata has a value it does not describe: ${JSON.stringify(s).slice(0, 60)}`,
    );
  };
  let parsed: Skeleton;
  try {
    parsed = JSON.parse(skeleton) as Skeleton;
  } catch {
    fail("corrupt", `the '${SKELETON}' metadata is not JSON`);
  }
  return torchSave(build(parsed));
}
