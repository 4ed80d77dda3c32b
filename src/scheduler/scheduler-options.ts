// Checks of a scheduler's constructor arguments: the optimizer, the `groups` selection, per-group lists,
// and the options object itself. Numbers are checked by core/validate.ts, as everywhere.

import { describe } from "../core/param.js";
import { checkOptions, optionError } from "../core/validate.js";
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

/** Checks a scheduler's options object: an object whose keys are its own options or `groups`. */
export function checkSchedulerOptions<T extends object>(
  options: T | undefined,
  known: readonly string[],
  where: string,
): T {
  return checkOptions(options, [...known, "groups"], where);
}
