// A scheduler's state dict: its shape, JSON-safe numbers, and the checks `loadStateDict` runs before it
// changes anything.

import { bareNumber, unbareNumber } from "../core/json-number.js";
import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";

/** A scheduler's state: JSON values only (non-finite numbers as the strings "Infinity", "-Infinity", "NaN"). */
export interface SchedulerStateDict {
  type: string;
  [key: string]: unknown;
}

/** Non-finite numbers as strings, so a state dict survives JSON.stringify/parse. */
export function encodeNumber(x: number): number | string {
  return bareNumber(x);
}

export function decodeNumber(value: unknown, label: string, where: string): number {
  const n = unbareNumber(value);
  if (n !== undefined) return n;
  return stateError(where, `${label} must be a number, got ${describe(value)}`);
}

export function stateError(where: string, message: string): never {
  return optionError(`${where}.loadStateDict: ${message}`);
}

export function numberList(value: unknown, length: number, label: string, where: string): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    stateError(where, `${label} must be an array of ${length} numbers, got ${describe(value)}`);
  }
  // Array.from, not map: an array given an own 'constructor' key would make map construct through it
  return Array.from(value as unknown[], (v, i) => decodeNumber(v, `${label}[${i}]`, where));
}

export function stateInteger(
  value: unknown,
  label: string,
  where: string,
  min = Number.NEGATIVE_INFINITY,
): number {
  if (!Number.isInteger(value) || (value as number) < min) {
    stateError(
      where,
      `${label} must be an integer${min > -Infinity ? ` ≥ ${min}` : ""}, got ${describe(value)}`,
    );
  }
  return value as number;
}

export function checkStateDict(stateDict: unknown, type: string): Record<string, unknown> {
  if (stateDict === null || typeof stateDict !== "object" || Array.isArray(stateDict)) {
    stateError(type, `expected a state dict object, got ${describe(stateDict)}`);
  }
  const sd = stateDict as Record<string, unknown>;
  if (sd.type !== type) stateError(type, `this state dict is from ${describe(sd.type)}, not ${type}`);
  return sd;
}
