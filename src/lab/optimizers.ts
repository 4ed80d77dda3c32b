// Optimizers by short name, for races and the CLI: "sgd", "momentum", "adam", … each with a learning rate
// taken from the surface's suggestion unless one is given.

import type { OptimizerLike } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { Adadelta } from "../optim/adadelta.js";
import { Adagrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { Adamax } from "../optim/adamax.js";
import { AdamW } from "../optim/adamw.js";
import { LBFGS } from "../optim/lbfgs.js";
import { Lion } from "../optim/lion.js";
import { NAdam } from "../optim/nadam.js";
import { RAdam } from "../optim/radam.js";
import { RMSprop } from "../optim/rmsprop.js";
import { Rprop } from "../optim/rprop.js";
import { SGD } from "../optim/sgd.js";
import type { TestFunction } from "./functions.js";
import type { RaceEntry } from "./race.js";

interface Preset {
  /** Which of the surface's suggested learning rates applies ("fixed": always `lrScale`). */
  readonly kind: "sgd" | "adaptive" | "fixed";
  /** Adagrad's steps shrink as 1/√t, so it starts from a larger multiple of the suggestion. */
  readonly lrScale: number;
  readonly make: (params: Param[], lr: number) => OptimizerLike;
  readonly description: string;
}

const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  sgd: {
    kind: "sgd",
    lrScale: 1,
    make: (p, lr) => new SGD(p, { lr }),
    description: "plain gradient descent",
  },
  momentum: {
    kind: "sgd",
    lrScale: 1,
    make: (p, lr) => new SGD(p, { lr, momentum: 0.9 }),
    description: "SGD with heavy-ball momentum 0.9",
  },
  nesterov: {
    kind: "sgd",
    lrScale: 1,
    make: (p, lr) => new SGD(p, { lr, momentum: 0.9, nesterov: true }),
    description: "SGD with Nesterov momentum 0.9",
  },
  adagrad: {
    kind: "adaptive",
    lrScale: 10,
    make: (p, lr) => new Adagrad(p, { lr }),
    description: "Adagrad (per-coordinate steps shrinking with the summed squared gradients)",
  },
  rmsprop: {
    kind: "adaptive",
    lrScale: 0.2,
    make: (p, lr) => new RMSprop(p, { lr }),
    description: "RMSprop (steps scaled by a running RMS of the gradient)",
  },
  adam: {
    kind: "adaptive",
    lrScale: 1,
    make: (p, lr) => new Adam(p, { lr }),
    description: "Adam (momentum + RMS scaling, bias-corrected)",
  },
  adamw: {
    kind: "adaptive",
    lrScale: 1,
    make: (p, lr) => new AdamW(p, { lr, weightDecay: 1e-2 }),
    description: "AdamW (Adam with decoupled weight decay 0.01)",
  },
  adamax: {
    kind: "adaptive",
    lrScale: 1,
    make: (p, lr) => new Adamax(p, { lr }),
    description: "Adamax (Adam with an infinity-norm second moment)",
  },
  nadam: {
    kind: "adaptive",
    lrScale: 1,
    make: (p, lr) => new NAdam(p, { lr }),
    description: "NAdam (Adam with Nesterov momentum)",
  },
  radam: {
    kind: "adaptive",
    lrScale: 1,
    make: (p, lr) => new RAdam(p, { lr }),
    description: "RAdam (Adam with the variance of the adaptive lr rectified early on)",
  },
  adadelta: {
    kind: "fixed",
    lrScale: 1,
    make: (p, lr) => new Adadelta(p, { lr }),
    description: "Adadelta (steps scaled by the ratio of running RMS of updates and gradients; lr 1)",
  },
  lion: {
    kind: "adaptive",
    lrScale: 0.3,
    make: (p, lr) => new Lion(p, { lr }),
    description: "Lion (the sign of an interpolated momentum: every coordinate moves by lr)",
  },
  rprop: {
    kind: "adaptive",
    lrScale: 0.2,
    make: (p, lr) => new Rprop(p, { lr }),
    description: "Rprop (per-coordinate step sizes that grow while the gradient sign holds)",
  },
  lbfgs: {
    kind: "fixed",
    lrScale: 1,
    make: (p, lr) => new LBFGS(p, { lr, lineSearchFn: "strong_wolfe" }),
    description: "L-BFGS with a strong-Wolfe line search (several evaluations a step; lr 1)",
  },
});

/** The short optimizer names a race accepts. */
export const raceOptimizerNames: readonly string[] = Object.freeze(Object.keys(PRESETS));

/** A one-line description of a race optimizer name. */
export function describeRaceOptimizer(name: string): string {
  return preset(name).description;
}

function preset(name: string): Preset {
  const found = typeof name === "string" ? PRESETS[name.toLowerCase()] : undefined;
  if (found === undefined) {
    throw new RangeError(
      `unknown optimizer ${JSON.stringify(name)}; valid names: ${raceOptimizerNames.join(", ")}`,
    );
  }
  return found;
}

/** The learning rate a named optimizer uses on `fn` when none is given. */
export function defaultRaceLr(name: string, fn: TestFunction): number {
  const p = preset(name);
  const base = p.kind === "fixed" ? 1 : fn.suggestedLr[p.kind];
  return Number((base * p.lrScale).toPrecision(12));
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
  const p = preset(name);
  const lr = options.lr ?? defaultRaceLr(name, fn);
  if (!(typeof lr === "number" && lr >= 0 && Number.isFinite(lr))) {
    throw new RangeError(`Invalid learning rate: ${lr}`);
  }
  return { label: options.label ?? name.toLowerCase(), create: (params) => p.make(params, lr) };
}
