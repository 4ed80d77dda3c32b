// The one set of checks for options of optimizers, schedulers and schedules. Every fault reads
// "[where: ]Invalid <label>: <value> (expected <what>)", with torch's label where torch has one
// ("Invalid learning rate: -1 (…)", "Invalid beta parameter at index 0: 1.5 (…)"); optimizers leave out
// `where`, as torch does. Options are checked at construction and again where a user can change them.

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

function invalid(value: unknown, label: string, expected: string, where: string | undefined): never {
  fail(
    `${where === undefined ? "" : `${where}: `}Invalid ${label}: ${describe(value)} (expected ${expected})`,
  );
}

function isNumber(x: unknown): x is number {
  return typeof x === "number" && !Number.isNaN(x);
}

/** A finite number ≥ 0 (`lr`, `weightDecay`, `eps`, a scheduler's rate, …); `label` is torch's wording. */
export function nonNegative(value: unknown, label: string, where?: string): number {
  if (!isNumber(value) || !Number.isFinite(value) || value < 0) {
    invalid(value, label, "a finite number ≥ 0", where);
  }
  return value;
}

/** A finite number > 0. */
export function positive(value: unknown, label: string, where?: string): number {
  if (!isNumber(value) || !Number.isFinite(value) || value <= 0) {
    invalid(value, label, "a finite number > 0", where);
  }
  return value;
}

/** A finite number (any sign). */
export function finite(value: unknown, label: string, where?: string): number {
  if (!isNumber(value) || !Number.isFinite(value)) invalid(value, label, "a finite number", where);
  return value;
}

/** A number in [lo, hi) (or [lo, hi] with `closedHigh`). */
export function inRange(
  value: unknown,
  lo: number,
  hi: number,
  label: string,
  closedHigh = false,
  where?: string,
): number {
  const ok = isNumber(value) && value >= lo && (closedHigh ? value <= hi : value < hi);
  if (!ok) invalid(value, label, `a number in [${lo}, ${hi}${closedHigh ? "]" : ")"}`, where);
  return value as number;
}

/** An integer ≥ `min` (a count of steps, a history size, …). */
export function integer(value: unknown, label: string, min = 0, where?: string): number {
  if (!Number.isInteger(value) || (value as number) < min)
    invalid(value, label, `an integer ≥ ${min}`, where);
  return value as number;
}

export function boolean(value: unknown, label: string, where?: string): boolean {
  if (typeof value !== "boolean") invalid(value, label, "true or false", where);
  return value;
}

export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  label: string,
  where?: string,
): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    invalid(value, label, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, where);
  }
  return value as T;
}

/** A pair such as Adam's betas (its entries are checked by the caller). */
export function pair(value: unknown, label: string, where?: string): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) invalid(value, label, "a pair [a, b]", where);
  return value as unknown as readonly [number, number];
}

/** Betas in [0, 1): "Invalid beta parameter at index 1: 1.5", as torch says. */
export function betas(value: unknown): readonly [number, number] {
  const b = pair(value, "betas");
  inRange(b[0], 0, 1, "beta parameter at index 0");
  inRange(b[1], 0, 1, "beta parameter at index 1");
  return b;
}

export function checkFunction(value: unknown, label: string, where?: string): void {
  if (typeof value !== "function") invalid(value, label, "a function", where);
}

/** Rejects option names that are not in `known` (catches typos such as `weight_decay` or `beta1`). */
export function knownKeys(options: object, known: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      fail(`${where}: unknown option '${key}' (valid options: ${known.join(", ")})`);
    }
  }
}

/** An options object (not null, not an array) whose keys are all in `known`. */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  where: string,
): T {
  const o = (options === undefined ? {} : options) as T;
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    fail(`${where}: options must be an object, got ${describe(options)}`);
  }
  knownKeys(o, known, where);
  return o;
}

export { fail as optionError };
