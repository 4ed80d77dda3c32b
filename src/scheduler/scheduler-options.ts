// Checks of a scheduler's constructor arguments: the optimizer, the `groups` selection, per-group lists,
// rates and integers, and the options object itself (torch's messages where torch has one).

import { describe } from "../core/param.js";
import { knownKeys, optionError } from "../core/validate.js";
import type { SchedulableOptimizer } from "./lr-scheduler.js";

export function checkOptimizer(optimizer: unknown, where: string): SchedulableOptimizer {
  const o = optimizer as SchedulableOptimizer | null;
  if (o === null || typeof o !== "object" || !Array.isArray(o.paramGroups)) {
    optionError(`${where}: expected an optimizer (an object with paramGroups), got ${describe(optimizer)}`);
  }
  if (o.paramGroups.length === 0) optionError(`${where}: the optimizer has no param groups`);
  return o;
}

/** Checks the `groups` option; null means every group. */
export function checkGroupSelection(
  groups: unknown,
  optimizer: SchedulableOptimizer,
  where: string,
): readonly number[] | null {
  if (groups === undefined) return null;
  if (!Array.isArray(groups) || groups.length === 0) {
    optionError(`${where}: groups must be a non-empty array of param group indices, got ${describe(groups)}`);
  }
  const n = optimizer.paramGroups.length;
  const seen = new Set<number>();
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 0 || g >= n) {
      optionError(`${where}: groups lists ${describe(g)}, but the optimizer has param groups 0..${n - 1}`);
    }
    if (seen.has(g)) optionError(`${where}: groups lists param group ${g} twice`);
    seen.add(g);
  }
  return Object.freeze([...groups] as number[]);
}

/** torch's `_format_param`: one value for every group, or a list with exactly one per group. */
export function perGroup(value: unknown, name: string, count: number, where: string): number[] {
  if (Array.isArray(value)) {
    if (value.length !== count) {
      optionError(
        `${where}: ${name} must have the same length as optimizer.param_groups. ${name} has ${value.length} values, param_groups has ${count}.`,
      );
    }
    return [...value] as number[];
  }
  return new Array<number>(count).fill(value as number);
}

/** A finite number ≥ 0 (a rate or a factor); NaN, ±Infinity and negatives are refused. */
export function rate(value: unknown, label: string, where: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a finite number ≥ 0)`);
  }
  return value;
}

export function positiveInteger(value: unknown, label: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) <= 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected a positive integer)`);
  }
  return value as number;
}

export function nonNegativeInteger(value: unknown, label: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    optionError(`${where}: Invalid ${label}: ${describe(value)} (expected an integer ≥ 0)`);
  }
  return value as number;
}

/** Checks an options object: an object, only known keys (typos such as `step_size` are caught). */
export function checkOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  where: string,
): T {
  const o = (options ?? {}) as T;
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    optionError(`${where}: options must be an object, got ${describe(options)}`);
  }
  knownKeys(o, [...known, "groups"], where);
  return o;
}
