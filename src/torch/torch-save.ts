// torchSave: values → the bytes of a torch.save zip file that `torch.load(f, weights_only=True)` reads
// (torch ≥ 2.0; torch 1.13's weights_only reader lacks the float opcode, so there use weights_only=False).
// The layout is torch's: <archive>/data.pkl (protocol 2), <archive>/byteorder, <archive>/data/<key> per
// storage, <archive>/version, every member stored and 64-byte aligned. Tensors sharing a storage share it
// in the file, as torch writes them.

import { pickle } from "./pickle.js";
import type { TorchStorage } from "./tensor.js";
import { fail } from "./torch-format-error.js";
import { writeZip } from "./zip.js";

/** Options of `torchSave`. */
export interface TorchSaveOptions {
  /** The folder inside the zip (torch uses the file's base name; any name loads). Default "archive". */
  archiveName?: string;
}

/**
 * Writes `value` (objects, arrays, Tuples, Maps, numbers, strings, booleans, null, TorchTensors and typed
 * arrays as 1-D tensors) as a torch.save file. Integral numbers are written as Python ints, others as floats.
 * @example
 * const bytes = torchSave({ lr: 0.01, weight: torchTensor(new Float32Array([1, 2]), [1, 2]) });
 * // python: torch.load(io.BytesIO(bytes), weights_only=True) → {'lr': 0.01, 'weight': tensor([[1., 2.]])}
 * const back = torchLoad(bytes) as { lr: number; weight: TorchTensor };
 * back.weight.dtype; // → "float32"
 */
export function torchSave(value: unknown, options: TorchSaveOptions = {}): Uint8Array {
  const archive = options.archiveName ?? "archive";
  if (!/^[A-Za-z0-9_.-]+$/.test(archive) || archive === "." || archive === "..") {
    fail("unserializable", `archiveName '${archive}' (letters, digits, '_', '.', '-' only)`);
  }
  const keys = new Map<TorchStorage, string>();
  const data = pickle(value, (storage) => {
    let key = keys.get(storage);
    if (key === undefined) {
      key = String(keys.size);
      keys.set(storage, key);
    }
    return { key, numel: storage.numel };
  });
  const encoder = new TextEncoder();
  const members: Array<[string, Uint8Array]> = [
    [`${archive}/data.pkl`, data],
    [`${archive}/byteorder`, encoder.encode("little")],
  ];
  for (const [storage, key] of keys) members.push([`${archive}/data/${key}`, storage.bytes]);
  members.push([`${archive}/version`, encoder.encode("3\n")]);
  return writeZip(members);
}
