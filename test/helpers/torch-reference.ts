// Reading the PyTorch reference traces in test/fixtures/torch (copied from PyTorch 2.6.0 recordings; see
// scripts/gen_reference.py for how they are made). Fixtures are never hand-edited.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, "..", "fixtures", "torch");

/** The JSON of a fixture file, with "NaN"/"Infinity" strings turned back into numbers. */
export function loadFixture<T = any>(file: string): T {
  const text = readFileSync(join(FIXTURES, file), "utf8");
  return JSON.parse(text, (_k, v) =>
    v === "NaN"
      ? Number.NaN
      : v === "Infinity"
        ? Number.POSITIVE_INFINITY
        : v === "-Infinity"
          ? Number.NEGATIVE_INFINITY
          : v,
  );
}

/** weight_decay → weightDecay, T_max → tMax, T_0 → t0, eta_min → etaMin. */
export function camel(key: string): string {
  if (key === "T_max") return "tMax";
  if (key === "T_0") return "t0";
  if (key === "T_mult") return "tMult";
  if (key === "T_cur") return "tCur";
  if (key === "T_i") return "tI";
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Options for descent from a fixture's torch kwargs (keys camelCased, torch-only switches dropped). */
export function camelOptions(
  options: Record<string, unknown>,
  drop: readonly string[] = TORCH_ONLY,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (drop.includes(k)) continue;
    out[camel(k)] = v;
  }
  return out;
}

/** Keys that only choose torch's code path. */
export const TORCH_ONLY = ["foreach", "capturable", "differentiable", "fused"];

/** A torch state-dict tensor {__tensor__, dtype, shape, data} → its flat data; other values unchanged. */
export function untensor(value: any): any {
  if (value && typeof value === "object" && value.__tensor__) {
    return value.shape.length === 0 ? value.data[0] : value.data;
  }
  if (Array.isArray(value)) return value.map(untensor);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[camel(k)] = untensor(v);
    return out;
  }
  return value;
}

/** |a − b| ≤ tol·max(1, |b|), elementwise; returns a message for the first failure or null. */
export function closeTo(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): string | null {
  if (actual.length !== expected.length) return `${what}: length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b))))
      return `${what}[${i}]: got ${a}, torch has ${b} (tol ${tol})`;
  }
  return null;
}
