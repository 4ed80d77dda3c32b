// The optimizers the surfaces panel can race, each with the options it shows (label, default, input range)
// and how those become descent's constructor options. Learning rates default to the surface's suggestion,
// as the CLI race does.

import type { OptimizerLike } from "../../src/core/optimizer.js";
import type { Param } from "../../src/core/param.js";
import type { TestFunction } from "../../src/lab/functions.js";
import { Adadelta } from "../../src/optim/adadelta.js";
import { Adagrad } from "../../src/optim/adagrad.js";
import { Adam } from "../../src/optim/adam.js";
import { Adamax } from "../../src/optim/adamax.js";
import { AdamW } from "../../src/optim/adamw.js";
import { ASGD } from "../../src/optim/asgd.js";
import { LAMB } from "../../src/optim/lamb.js";
import { LBFGS } from "../../src/optim/lbfgs.js";
import { Lion } from "../../src/optim/lion.js";
import { NAdam } from "../../src/optim/nadam.js";
import { RAdam } from "../../src/optim/radam.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { Rprop } from "../../src/optim/rprop.js";
import { SGD } from "../../src/optim/sgd.js";

export interface NumberOption {
  readonly key: string;
  readonly label: string;
  readonly kind: "number";
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step: number;
}

export interface BooleanOption {
  readonly key: string;
  readonly label: string;
  readonly kind: "boolean";
  readonly default: boolean;
}

export type OptionSpec = NumberOption | BooleanOption;
export type OptionValues = Record<string, number | boolean>;

export interface OptimizerSpec {
  /** Short id used in the URL ("adam", "momentum"). */
  readonly id: string;
  readonly label: string;
  /** Which of the surface's suggested learning rates applies, and a multiple of it ("fixed": lrScale is the lr). */
  readonly lrKind: "sgd" | "adaptive" | "fixed";
  readonly lrScale: number;
  /** Options besides lr. */
  readonly options: readonly OptionSpec[];
  readonly make: (params: Param[], lr: number, values: OptionValues) => OptimizerLike;
}

const num = (
  key: string,
  label: string,
  def: number,
  step: number,
  min?: number,
  max?: number,
): NumberOption => {
  const spec: { -readonly [K in keyof NumberOption]: NumberOption[K] } = {
    key,
    label,
    kind: "number",
    default: def,
    step,
  };
  if (min !== undefined) spec.min = min;
  if (max !== undefined) spec.max = max;
  return spec;
};
const bool = (key: string, label: string, def: boolean): BooleanOption => ({
  key,
  label,
  kind: "boolean",
  default: def,
});

const n = (values: OptionValues, key: string) => values[key] as number;
const b = (values: OptionValues, key: string) => values[key] as boolean;

const betas = [num("beta1", "β₁", 0.9, 0.01, 0, 1), num("beta2", "β₂", 0.999, 0.001, 0, 1)];

/** Every optimizer the lab offers, in the order it lists them. */
export const OPTIMIZERS: readonly OptimizerSpec[] = Object.freeze([
  {
    id: "sgd",
    label: "SGD",
    lrKind: "sgd",
    lrScale: 1,
    options: [num("weightDecay", "weight decay", 0, 0.001, 0)],
    make: (p, lr, v) => new SGD(p, { lr, weightDecay: n(v, "weightDecay") }),
  },
  {
    id: "momentum",
    label: "Momentum",
    lrKind: "sgd",
    lrScale: 1,
    options: [num("momentum", "momentum", 0.9, 0.01, 0, 1), num("dampening", "dampening", 0, 0.01, 0, 1)],
    make: (p, lr, v) => new SGD(p, { lr, momentum: n(v, "momentum"), dampening: n(v, "dampening") }),
  },
  {
    id: "nesterov",
    label: "Nesterov",
    lrKind: "sgd",
    lrScale: 1,
    options: [num("momentum", "momentum", 0.9, 0.01, 0, 1)],
    make: (p, lr, v) => new SGD(p, { lr, momentum: n(v, "momentum"), nesterov: true }),
  },
  {
    id: "adagrad",
    label: "Adagrad",
    lrKind: "adaptive",
    lrScale: 10,
    options: [num("lrDecay", "lr decay", 0, 0.001, 0), num("eps", "ε", 1e-10, 1e-10, 0)],
    make: (p, lr, v) => new Adagrad(p, { lr, lrDecay: n(v, "lrDecay"), eps: n(v, "eps") }),
  },
  {
    id: "rmsprop",
    label: "RMSprop",
    lrKind: "adaptive",
    lrScale: 0.2,
    options: [
      num("alpha", "α", 0.99, 0.01, 0, 1),
      num("momentum", "momentum", 0, 0.01, 0, 1),
      bool("centered", "centered", false),
      num("eps", "ε", 1e-8, 1e-8, 0),
    ],
    make: (p, lr, v) =>
      new RMSprop(p, {
        lr,
        alpha: n(v, "alpha"),
        momentum: n(v, "momentum"),
        centered: b(v, "centered"),
        eps: n(v, "eps"),
      }),
  },
  {
    id: "adam",
    label: "Adam",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas, bool("amsgrad", "AMSGrad", false), num("eps", "ε", 1e-8, 1e-8, 0)],
    make: (p, lr, v) =>
      new Adam(p, {
        lr,
        betas: [n(v, "beta1"), n(v, "beta2")],
        amsgrad: b(v, "amsgrad"),
        eps: n(v, "eps"),
      }),
  },
  {
    id: "adamw",
    label: "AdamW",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas, num("weightDecay", "weight decay", 1e-2, 0.001, 0), num("eps", "ε", 1e-8, 1e-8, 0)],
    make: (p, lr, v) =>
      new AdamW(p, {
        lr,
        betas: [n(v, "beta1"), n(v, "beta2")],
        weightDecay: n(v, "weightDecay"),
        eps: n(v, "eps"),
      }),
  },
  {
    id: "adadelta",
    label: "Adadelta",
    lrKind: "fixed",
    lrScale: 1,
    options: [num("rho", "ρ", 0.9, 0.01, 0, 1), num("eps", "ε", 1e-6, 1e-6, 0)],
    make: (p, lr, v) => new Adadelta(p, { lr, rho: n(v, "rho"), eps: n(v, "eps") }),
  },
  {
    id: "adamax",
    label: "Adamax",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas, num("eps", "ε", 1e-8, 1e-8, 0)],
    make: (p, lr, v) => new Adamax(p, { lr, betas: [n(v, "beta1"), n(v, "beta2")], eps: n(v, "eps") }),
  },
  {
    id: "nadam",
    label: "NAdam",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas, num("momentumDecay", "momentum decay", 4e-3, 1e-3, 0)],
    make: (p, lr, v) =>
      new NAdam(p, { lr, betas: [n(v, "beta1"), n(v, "beta2")], momentumDecay: n(v, "momentumDecay") }),
  },
  {
    id: "radam",
    label: "RAdam",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas],
    make: (p, lr, v) => new RAdam(p, { lr, betas: [n(v, "beta1"), n(v, "beta2")] }),
  },
  {
    id: "rprop",
    label: "Rprop",
    lrKind: "adaptive",
    lrScale: 0.2,
    options: [
      num("etaMinus", "η−", 0.5, 0.05, 0, 1),
      num("etaPlus", "η+", 1.2, 0.05, 1),
      num("stepMin", "min step", 1e-6, 1e-6, 0),
      num("stepMax", "max step", 50, 1, 0),
    ],
    make: (p, lr, v) =>
      new Rprop(p, {
        lr,
        etas: [n(v, "etaMinus"), n(v, "etaPlus")],
        stepSizes: [n(v, "stepMin"), n(v, "stepMax")],
      }),
  },
  {
    id: "asgd",
    label: "ASGD",
    lrKind: "sgd",
    lrScale: 1,
    options: [num("lambd", "λ", 1e-4, 1e-4, 0), num("alpha", "α", 0.75, 0.05, 0), num("t0", "t₀", 1e6, 1, 0)],
    make: (p, lr, v) => new ASGD(p, { lr, lambd: n(v, "lambd"), alpha: n(v, "alpha"), t0: n(v, "t0") }),
  },
  {
    id: "lion",
    label: "Lion",
    lrKind: "adaptive",
    lrScale: 0.5,
    options: [num("beta1", "β₁", 0.9, 0.01, 0, 1), num("beta2", "β₂", 0.99, 0.001, 0, 1)],
    make: (p, lr, v) => new Lion(p, { lr, betas: [n(v, "beta1"), n(v, "beta2")] }),
  },
  {
    id: "lamb",
    label: "LAMB",
    lrKind: "adaptive",
    lrScale: 1,
    options: [...betas, num("weightDecay", "weight decay", 0, 0.001, 0)],
    make: (p, lr, v) =>
      new LAMB(p, { lr, betas: [n(v, "beta1"), n(v, "beta2")], weightDecay: n(v, "weightDecay") }),
  },
  {
    // one lab step is one LBFGS step with maxIter iterations (torch's default is 20; 1 animates each one)
    id: "lbfgs",
    label: "L-BFGS",
    lrKind: "fixed",
    lrScale: 1,
    options: [
      num("maxIter", "iterations per step", 1, 1, 1),
      num("historySize", "history size", 10, 1, 1),
      bool("strongWolfe", "strong Wolfe line search", true),
    ],
    make: (p, lr, v) =>
      new LBFGS(p, {
        lr,
        maxIter: n(v, "maxIter"),
        historySize: n(v, "historySize"),
        lineSearchFn: b(v, "strongWolfe") ? "strong_wolfe" : null,
      }),
  },
]);

/** The optimizer spec with this id, or undefined. */
export function optimizerSpec(id: string): OptimizerSpec | undefined {
  return OPTIMIZERS.find((o) => o.id === id);
}

/** The learning rate an optimizer starts with on `fn`. */
export function defaultLr(spec: OptimizerSpec, fn: Pick<TestFunction, "suggestedLr">): number {
  if (spec.lrKind === "fixed") return spec.lrScale;
  return Number((fn.suggestedLr[spec.lrKind] * spec.lrScale).toPrecision(6));
}

/** Every option's default (lr excluded). */
export function defaultValues(spec: OptimizerSpec): OptionValues {
  const out: OptionValues = {};
  for (const o of spec.options) out[o.key] = o.default;
  return out;
}
