// The effective step size of an optimizer, per coordinate, read from its real state after a step: the
// factor its update multiplies its direction by, θ ← θ − (effective step)·(direction). In the seed note's
// terms, Adagrad's η/√h shrinks for good because h only grows, RMSprop's α/√(S + ε) follows a moving
// average and stays alive, and Adam's α/(√Ŝ + ε) multiplies the bias-corrected momentum V̂.
//   SGD (with or without momentum)  lr                          direction g (or the momentum buffer)
//   Adagrad                         clr/(√sum + ε)               g
//   RMSprop                         lr/(√squareAvg + ε)          g (centered: √(squareAvg − gradAvg²))
//   Adam, AdamW (amsgrad)           lr/(√v̂ + ε), v̂ = v/(1 − β2ᵗ) m̂ = m/(1 − β1ᵗ)
//   Adamax                          lr/u                         m̂
//   NAdam                           lr/(√v̂ + ε)                  its blend of g and m
//   RAdam                           lr·r·√(1 − β2ᵗ)/(√v + ε), or lr while unrectified   m̂
//   Adadelta                        lr·√(accDelta + ε)/√(squareAvg + ε)                g
//   Rprop                           stepSize (the per-coordinate step itself)           sign(g)
//   Lion                            lr                                                  sign(c)

import type { OptimizerLike } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { Adadelta } from "../optim/adadelta.js";
import { Adagrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { Adamax } from "../optim/adamax.js";
import { AdamW } from "../optim/adamw.js";
import { Lion } from "../optim/lion.js";
import { NAdam } from "../optim/nadam.js";
import { RAdam } from "../optim/radam.js";
import { RMSprop } from "../optim/rmsprop.js";
import { Rprop } from "../optim/rprop.js";
import { SGD } from "../optim/sgd.js";

type Buf = Float32Array | Float64Array;
type Group = Record<string, unknown> & { lr: number; params: Param[] };

/** What the effective step multiplies, for captions: "g", "m̂", "sign(g)", … */
export type StepDirection = "g" | "momentum" | "m̂" | "sign(g)" | "sign(c)" | "blend";

/**
 * The per-coordinate effective step of `optimizer` for `p`, from its current state, and what it multiplies;
 * null when the optimizer has no such factor (L-BFGS, wrappers) or `p` has no state yet.
 * @example
 * const p = param([1, 1]);
 * const opt = new Adagrad([p], { lr: 0.5 });
 * p.gradBuffer().set([2, 0.5]);
 * opt.step();
 * effectiveStep(opt, p)?.values; // → [0.25, 1.0] (0.5/(√4 + ε) and 0.5/(√0.25 + ε))
 */
export function effectiveStep(
  optimizer: OptimizerLike,
  p: Param,
): { values: Float64Array; direction: StepDirection } | null {
  const group = optimizer.paramGroups.find((g) => g.params.includes(p)) as Group | undefined;
  if (group === undefined)
    throw new RangeError("effectiveStep: the param is not in any of the optimizer's groups");
  const state = (optimizer as { state?: Map<Param, Record<string, unknown>> }).state?.get(p);
  const n = p.data.length;
  const out = new Float64Array(n);
  const lr = group.lr;
  const eps = group.eps as number;
  const fill = (f: (i: number) => number) => {
    for (let i = 0; i < n; i++) out[i] = f(i);
    return out;
  };
  if (optimizer instanceof SGD) {
    return { values: out.fill(lr), direction: (group.momentum as number) > 0 ? "momentum" : "g" };
  }
  if (state === undefined) return null;
  const step = state.step as number;
  if (optimizer instanceof Adagrad) {
    if (step === 0) return null;
    const sum = state.sum as Buf;
    const clr = lr / (1 + (step - 1) * (group.lrDecay as number));
    return { values: fill((i) => clr / (Math.sqrt(sum[i]!) + eps)), direction: "g" };
  }
  if (optimizer instanceof RMSprop) {
    const s = state.squareAvg as Buf;
    const avg = state.gradAvg as Buf | undefined;
    const values = fill((i) => lr / (Math.sqrt(avg ? s[i]! - avg[i]! * avg[i]! : s[i]!) + eps));
    return { values, direction: (group.momentum as number) > 0 ? "momentum" : "g" };
  }
  if (optimizer instanceof Adam || optimizer instanceof AdamW || optimizer instanceof NAdam) {
    const [, beta2] = group.betas as [number, number];
    const v = (group.amsgrad === true ? state.maxExpAvgSq : state.expAvgSq) as Buf;
    const c2 = 1 - beta2 ** step;
    const values = fill((i) => lr / (Math.sqrt(v[i]! / c2) + eps));
    return { values, direction: optimizer instanceof NAdam ? "blend" : "m̂" };
  }
  if (optimizer instanceof Adamax) {
    const u = state.expInf as Buf;
    return { values: fill((i) => lr / u[i]!), direction: "m̂" };
  }
  if (optimizer instanceof RAdam) {
    const [, beta2] = group.betas as [number, number];
    const v = state.expAvgSq as Buf;
    const c2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2 ** step) / c2;
    if (!(rhoT > 5)) return { values: out.fill(lr), direction: "m̂" };
    const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    return { values: fill((i) => (lr * r * Math.sqrt(c2)) / (Math.sqrt(v[i]!) + eps)), direction: "m̂" };
  }
  if (optimizer instanceof Adadelta) {
    const s = state.squareAvg as Buf;
    const u = state.accDelta as Buf;
    return { values: fill((i) => (lr * Math.sqrt(u[i]! + eps)) / Math.sqrt(s[i]! + eps)), direction: "g" };
  }
  if (optimizer instanceof Rprop) {
    const sizes = state.stepSize as Buf;
    return { values: fill((i) => sizes[i]!), direction: "sign(g)" };
  }
  if (optimizer instanceof Lion) return { values: out.fill(lr), direction: "sign(c)" };
  return null;
}
