// The optimizers the surfaces panel can race, each with the options it shows (label, default, input range)
// and how those become descent's constructor options: the lab presets of src/optim/registry.ts, in its
// order. Learning rates default to the surface's suggestion, as the CLI race does.

import type { OptimizerLike } from "../../src/core/optimizer.js";
import type { Param } from "../../src/core/param.js";
import type { TestFunction } from "../../src/lab/functions.js";
import { makePreset, presetDefaults, presetLr } from "../../src/lab/optimizers.js";
import {
  type BooleanControl,
  type LabControl,
  type LabPreset,
  type LabValues,
  type NumberControl,
  OPTIMIZER_REGISTRY,
} from "../../src/optim/registry.js";

export type NumberOption = NumberControl;
export type BooleanOption = BooleanControl;
export type OptionSpec = LabControl;
export type OptionValues = LabValues;

export interface OptimizerSpec {
  /** Short id used in the URL ("adam", "momentum"). */
  readonly id: string;
  readonly label: string;
  /** The optimizer's class name ("Adam"; several presets share one: SGD, momentum and Nesterov are SGD). */
  readonly className: string;
  /** Which of the surface's suggested learning rates applies, and a multiple of it ("fixed": lrScale is the lr). */
  readonly lrKind: "sgd" | "adaptive" | "fixed";
  readonly lrScale: number;
  /** The path colour. */
  readonly color: string;
  /** Options besides lr. */
  readonly options: readonly OptionSpec[];
  readonly make: (params: Param[], lr: number, values: OptionValues) => OptimizerLike;
  readonly preset: LabPreset;
}

/** Every optimizer the lab offers, in the order it lists them. */
export const OPTIMIZERS: readonly OptimizerSpec[] = Object.freeze(
  OPTIMIZER_REGISTRY.flatMap((row) =>
    row.lab.map((preset) => ({
      id: preset.id,
      label: preset.label,
      className: row.name,
      lrKind: preset.lrKind,
      lrScale: preset.lrScale,
      color: preset.color,
      options: preset.controls,
      make: (params: Param[], lr: number, values: OptionValues) =>
        makePreset(row, preset, params, lr, values),
      preset,
    })),
  ),
);

/** The optimizer spec with this id, or undefined. */
export function optimizerSpec(id: string): OptimizerSpec | undefined {
  return OPTIMIZERS.find((o) => o.id === id);
}

/** The learning rate an optimizer starts with on `fn`. */
export function defaultLr(spec: OptimizerSpec, fn: Pick<TestFunction, "suggestedLr" | "lrFor">): number {
  return presetLr(spec.preset, fn);
}

/** Every option's default (lr excluded). */
export function defaultValues(spec: OptimizerSpec): OptionValues {
  return presetDefaults(spec.preset);
}
