// Command-line values: parsed and checked, or a UsageError naming the flag and the value.

import { readFileSync } from "node:fs";
import { checkLang, type Lang } from "../lab/i18n.js";

/** Bad command-line input: reported with exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function parseNumber(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** The most steps a race or a schedule draws: far past what a figure shows, and a few MB of memory. */
export const MAX_STEPS = 100_000;
/** Seeds are 32-bit (mulberry32). */
export const MAX_SEED = 2 ** 32 - 1;

export function parseInteger(value: string, what: string, min: number, max: number): number {
  const n = parseNumber(value, what);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max >= Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${what} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseList(value: string, what: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0)
    throw new UsageError(`${what} must be a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}

export function parseBetas(value: string): number[] {
  return parseList(value, "--beta").map((b) => {
    const beta = parseNumber(b, "--beta");
    if (!(beta >= 0 && beta < 1)) throw new UsageError(`--beta values must be in [0, 1), got ${b}`);
    return beta;
  });
}

/** Numbers from a file (or stdin for "-"), separated by whitespace or commas. */
export function readSeries(path: string): Float64Array {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read --input ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const tokens = text.split(/[\s,]+/).filter((t) => t !== "");
  if (tokens.length === 0) throw new UsageError(`--input ${JSON.stringify(path)} holds no numbers`);
  return Float64Array.from(tokens, (t, i) => {
    const v = Number(t);
    if (!Number.isFinite(v))
      throw new UsageError(`--input: value ${i + 1} is not a number: ${JSON.stringify(t)}`);
    return v;
  });
}

/** `--lang`: a language of the lab's figures. */
export function parseLang(value: string): Lang {
  try {
    return checkLang(value);
  } catch (e) {
    throw new UsageError(`--lang: ${(e as Error).message}`);
  }
}
