// The options the Adam family shares (Adam, AdamW, Adamax, NAdam, RAdam, LAMB), declared and checked once:
// torch's names camelCased, torch's defaults, torch's messages. Each optimizer adds its own options and
// differing defaults through `adamFamilyDefaults`.

import type { BaseOptions } from "../core/optimizer.js";
import { betas, boolean, nonNegative } from "../core/validate.js";

/** The options every Adam-family optimizer takes (`AdamOptions`, `NAdamOptions`, … extend it). */
export interface AdamFamilyOptions extends BaseOptions {
  /** Default 1e-3 (Adamax and NAdam: 2e-3). */
  lr: number;
  /** β1, β2 of the moving averages, each in [0, 1). Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator. Default 1e-8 (LAMB: 1e-6). */
  eps: number;
  /** Default 0 (AdamW: 1e-2). */
  weightDecay: number;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

export const ADAM_FAMILY_DEFAULTS: Readonly<AdamFamilyOptions> = Object.freeze({
  lr: 1e-3,
  betas: [0.9, 0.999] as const,
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
});

/**
 * The family's defaults with an optimizer's own: its differing values and its extra options, which stand
 * before `maximize`, in torch's order (so param groups and state dicts list keys as torch does).
 */
export function adamFamilyDefaults<O extends AdamFamilyOptions>(
  own: Omit<O, keyof AdamFamilyOptions> & Partial<AdamFamilyOptions>,
): Readonly<O> {
  const { maximize, ...rest } = { ...ADAM_FAMILY_DEFAULTS, ...own };
  return Object.freeze({ ...rest, maximize }) as unknown as Readonly<O>;
}

/** Checks the shared options in torch's order: lr, eps, betas, weight decay; then maximize. */
export function validateAdamFamily(o: AdamFamilyOptions): void {
  nonNegative(o.lr, "learning rate");
  nonNegative(o.eps, "epsilon value");
  betas(o.betas);
  nonNegative(o.weightDecay, "weight_decay value");
  boolean(o.maximize, "maximize value");
}
