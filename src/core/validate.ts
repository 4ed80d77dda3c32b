// One small set of checks with PyTorch's messages ("Invalid learning rate: -1"). Every option of every
// optimizer and scheduler goes through these, at construction and again where a user can change it.

import { describe } from "./param.js";

/**
 * The error an optimizer, scheduler or wrapper throws for a bad option, with torch's message where torch has
 * one (a RangeError).
 */
export class OptionError extends RangeError {
  override name = "OptionError";
}

function fail(message: string): never {
  throw new OptionError(message);
}

function isNumber(x: unknown): x is number {
  return typeof x === "number" && !Number.isNaN(x);
}

/** A finite number ≥ 0 (`lr`, `weightDecay`, `eps`, …); `label` is torch's wording. */
export function nonNegative(value: unknown, label: string): number {
  if (!isNumber(value) || !Number.isFinite(value) || value < 0) fail(`Invalid ${label}: ${describe(value)}`);
  return value;
}

/** A finite number > 0. */
export function positive(value: unknown, label: string): number {
  if (!isNumber(value) || !Number.isFinite(value) || value <= 0) fail(`Invalid ${label}: ${describe(value)}`);
  return value;
}

/** A finite number (any sign). */
export function finite(value: unknown, label: string): number {
  if (!isNumber(value) || !Number.isFinite(value)) fail(`Invalid ${label}: ${describe(value)}`);
  return value;
}

/** A number in [lo, hi) (or [lo, hi] with `closedHigh`). */
export function inRange(value: unknown, lo: number, hi: number, label: string, closedHigh = false): number {
  const ok = isNumber(value) && value >= lo && (closedHigh ? value <= hi : value < hi);
  if (!ok) fail(`Invalid ${label}: ${describe(value)}`);
  return value as number;
}

export function integer(value: unknown, label: string, min = 0): number {
  if (!Number.isInteger(value) || (value as number) < min) fail(`Invalid ${label}: ${describe(value)}`);
  return value as number;
}

export function boolean(value: unknown, label: string): boolean {
  if (typeof value !== "boolean") fail(`Invalid ${label}: ${describe(value)} (expected true or false)`);
  return value;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], label: string): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    fail(
      `Invalid ${label}: ${describe(value)} (expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")})`,
    );
  }
  return value as T;
}

/** A pair such as Adam's betas: each entry checked by `check(entry, index)`. */
export function pair(value: unknown, label: string): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    fail(`Invalid ${label}: ${describe(value)} (expected a pair [a, b])`);
  }
  return value as unknown as readonly [number, number];
}

/** Betas in [0, 1): "Invalid beta parameter at index 1: 1.5", as torch says. */
export function betas(value: unknown): readonly [number, number] {
  const b = pair(value, "betas");
  inRange(b[0], 0, 1, "beta parameter at index 0");
  inRange(b[1], 0, 1, "beta parameter at index 1");
  return b;
}

/** Rejects option names that are not in `known` (catches typos such as `weight_decay` or `beta1`). */
export function knownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      fail(`${where}: unknown option '${key}' (valid options: ${known.join(", ")})`);
    }
  }
}

export function checkFunction(value: unknown, label: string): void {
  if (typeof value !== "function") fail(`Invalid ${label}: ${describe(value)} (expected a function)`);
}

export { fail as optionError };
