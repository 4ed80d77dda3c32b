// Optimizers by short name, for races and the CLI: "sgd", "momentum", "adam", … each with a learning rate
// taken from the surface's suggestion unless one is given. The names and their options are the lab presets
// of src/optim/registry.ts (the web lab's catalog derives from the same rows).

import type { Param } from "../core/param.js";
import { type LabPreset, type LabValues, OPTIMIZER_REGISTRY, type OptimizerRow } from "../optim/registry.js";
import type { TestFunction } from "./functions.js";
import type { RaceEntry } from "./race.js";

/** The registry's lab presets by id, in the registry's order. */
const PRESETS: ReadonlyMap<string, { readonly row: OptimizerRow; readonly preset: LabPreset }> = new Map(
  OPTIMIZER_REGISTRY.flatMap((row) => row.lab.map((preset) => [preset.id, { row, preset }] as const)),
);

/** Every control's default (lr excluded). */
export function presetDefaults(preset: LabPreset): LabValues {
  const out: LabValues = {};
  for (const c of preset.controls) out[c.key] = c.default;
  return out;
}

/**
 * The learning rate a preset starts with on `fn`: the surface's measured rate for it where it lists one,
 * otherwise the surface's suggestion times the preset's scale.
 */
export function presetLr(preset: LabPreset, fn: Pick<TestFunction, "suggestedLr" | "lrFor">): number {
  const measured = fn.lrFor?.[preset.id];
  if (measured !== undefined) return measured;
  const base = preset.lrKind === "fixed" ? 1 : fn.suggestedLr[preset.lrKind];
  return Number((base * preset.lrScale).toPrecision(12));
}

/** A preset's optimizer over `params` for control values (the web lab's inputs). */
export function makePreset(
  row: OptimizerRow,
  preset: LabPreset,
  params: Param[],
  lr: number,
  values: LabValues,
) {
  return new row.cls(params, { lr, ...preset.fromControls(values) });
}

/** The short optimizer names a race accepts. */
export const raceOptimizerNames: readonly string[] = Object.freeze([...PRESETS.keys()]);

/** A one-line description of a race optimizer name. */
export function describeRaceOptimizer(name: string): string {
  return preset(name).preset.description;
}

function preset(name: string): { row: OptimizerRow; preset: LabPreset } {
  const found = typeof name === "string" ? PRESETS.get(name.toLowerCase()) : undefined;
  if (found === undefined) {
    throw new RangeError(
      `unknown optimizer ${JSON.stringify(name)}; valid names: ${raceOptimizerNames.join(", ")}`,
    );
  }
  return found;
}

/** A named optimizer's colour ("adam", "momentum"): the same in every figure, the CLI and the web lab. */
export function labColor(name: string): string {
  return preset(name).preset.color;
}

/** The learning rate a named optimizer uses on `fn` when none is given. */
export function defaultRaceLr(name: string, fn: TestFunction): number {
  return presetLr(preset(name).preset, fn);
}

/**
 * A race entry for a named optimizer; `lr` overrides the surface's suggestion.
 * @example
 * const result = race(himmelblau, ["sgd", "adam"].map((n) => raceOptimizer(n, himmelblau)), { steps: 100 });
 * result.runs[1]?.label; // → "adam"
 */
export function raceOptimizer(
  name: string,
  fn: TestFunction,
  options: { lr?: number; label?: string } = {},
): RaceEntry {
  const { row, preset: p } = preset(name);
  const lr = options.lr ?? defaultRaceLr(name, fn);
  if (!(typeof lr === "number" && lr >= 0 && Number.isFinite(lr))) {
    throw new RangeError(`Invalid learning rate: ${lr}`);
  }
  const ctorOptions = { lr, ...p.fromControls(presetDefaults(p)), ...p.raceOptions };
  return {
    label: options.label ?? name.toLowerCase(),
    color: p.color,
    create: (params) => new row.cls(params, ctorOptions),
  };
}
