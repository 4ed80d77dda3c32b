// Param groups from variable names: each variable joins the first group spec whose `match` takes its name;
// the rest form a default group, first, left out when empty.

import type { ParamGroupInit } from "../core/optimizer.js";
import type { Parameter } from "../core/param.js";
import { optionError } from "../core/validate.js";

/** A param group built from variable names: the variables it takes and its option overrides. */
export interface TfjsGroupSpec {
  /**
   * Which variables: a RegExp tested against the variable's name (a layer weight's canonical name, e.g.
   * `dense_Dense1/bias`), or a layer name (takes the variables named `<layer>/…`).
   */
  match: RegExp | string;
  [option: string]: unknown;
}

export function matches(spec: TfjsGroupSpec, name: string): boolean {
  const m = spec.match;
  if (m instanceof RegExp) {
    m.lastIndex = 0;
    return m.test(name);
  }
  return name === m || name.startsWith(`${m}/`);
}

/** The params as the factory receives them: a plain list without specs, else groups (a spec matching none throws). */
export function groupParams(
  entries: readonly { readonly label: string; readonly param: Parameter }[],
  specs: readonly TfjsGroupSpec[] | undefined,
): Parameter[] | ParamGroupInit[] {
  if (specs === undefined || specs.length === 0) return entries.map((e) => e.param);
  const members: Parameter[][] = specs.map(() => []);
  const rest: Parameter[] = [];
  for (const e of entries) {
    const gi = specs.findIndex((s) => matches(s, e.label));
    if (gi < 0) rest.push(e.param);
    else members[gi]!.push(e.param);
  }
  const groups: ParamGroupInit[] = rest.length > 0 ? [{ params: rest }] : [];
  specs.forEach((spec, gi) => {
    if (members[gi]!.length === 0) {
      optionError(
        `TfjsOptimizer: groups[${gi}] (match ${String(spec.match)}) matches no variable; names are ${entries.map((e) => e.label).join(", ")}`,
      );
    }
    const { match: _m, ...overrides } = spec;
    groups.push({ ...overrides, params: members[gi]! });
  });
  return groups;
}
