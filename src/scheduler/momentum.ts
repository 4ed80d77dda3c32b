// Momentum cycling (OneCycleLR, CyclicLR): a group's `momentum`, or β₁ of its `betas`, read and written as
// torch does, and kept in the scheduler's state dict.

import type { SchedulableGroup } from "./lr-scheduler.js";
import { describe } from "../core/param.js";
import { optionError } from "../core/validate.js";
import { decodeNumber, stateError } from "./scheduler-state.js";

/** Reads a group's momentum for cycling: `momentum`, or β₁ of `betas`. */
export function cyclesBeta1(group: SchedulableGroup): boolean {
  return Array.isArray(group.betas);
}

export function checkCanCycleMomentum(groups: readonly SchedulableGroup[], where: string): boolean {
  const useBeta1 = groups.some(cyclesBeta1);
  for (const g of groups) {
    if (useBeta1 ? !cyclesBeta1(g) : typeof g.momentum !== "number") {
      optionError(
        `${where}: optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled`,
      );
    }
  }
  return useBeta1;
}

/**
 * Momentum values a scheduler will write as β₁ must be valid betas: the optimizer refuses β₁ outside [0, 1)
 * at construction (torch's "Invalid beta parameter at index 0"), and a scheduler must not slip one past it.
 */
export function checkCycledMomentum(
  values: readonly number[],
  useBeta1: boolean,
  label: string,
  where: string,
): void {
  if (!useBeta1) return;
  values.forEach((v, i) => {
    if (!(v >= 0 && v < 1)) {
      optionError(
        `${where}: Invalid ${label}[${i}]: ${v} (it is written as β₁ of the group's betas: Invalid beta parameter at index 0: ${v})`,
      );
    }
  });
}

/** Writes momentum, or β₁ (a new betas array, the rest kept), as torch does. */
export function writeMomentum(group: SchedulableGroup, value: number, useBeta1: boolean): void {
  if (useBeta1) {
    const betas = group.betas as readonly number[];
    group.betas = [value, ...betas.slice(1)];
  } else {
    group.momentum = value;
  }
}

export function readMomentum(group: SchedulableGroup, useBeta1: boolean): number {
  return useBeta1 ? ((group.betas as readonly number[])[0] as number) : (group.momentum as number);
}

/** The cycled momentum of each group, for the state dict of a scheduler that cycles it. */
export function momentumState(
  groups: readonly SchedulableGroup[],
  useBeta1: boolean,
): Record<string, unknown> {
  return { lastMomentum: groups.map((g) => readMomentum(g, useBeta1)) };
}

/** Checks a saved `lastMomentum` and returns what writes it back into the groups. */
export function prepareMomentum(
  sd: Record<string, unknown>,
  groups: readonly SchedulableGroup[],
  useBeta1: boolean,
  where: string,
): () => void {
  const saved = sd.lastMomentum;
  // a state dict converted from torch has none (torch keeps it in the optimizer); the next step recomputes it
  if (saved === undefined) return () => {};
  if (!Array.isArray(saved) || saved.length !== groups.length) {
    stateError(where, `lastMomentum must be an array of ${groups.length} numbers, got ${describe(saved)}`);
  }
  const values = Array.from(saved as unknown[], (v, i) => decodeNumber(v, `lastMomentum[${i}]`, where));
  return () => {
    groups.forEach((g, i) => {
      writeMomentum(g, values[i] as number, useBeta1);
    });
  };
}
