// Every optimizer descent ships, one row each: its class, its defaults, what kind of update rule it has
// (the kernel generator compiles the element-wise ones), whether torch.optim has it (then fixtures are
// recorded for it) and whether the TF.js adapter rebuilds it from a saved model, and its lab presets (what
// the CLI race and the web lab offer). The TF.js class list, the lab's presets, the web lab's catalog and
// the test helpers derive from this table, so adding an optimizer is one row here; test/optim/registry
// fails when an exported optimizer has no row, or a row is missing where it says it should be.
// Wrappers (Lookahead, GradientAccumulation, SkipNonFinite) wrap these and have no row.

import type { OptimizerLike, ParamGroupInit } from "../core/optimizer.js";
import type { Param } from "../core/param.js";
import { ADADELTA_DEFAULTS, Adadelta } from "./adadelta.js";
import { ADAFACTOR_DEFAULTS, Adafactor } from "./adafactor.js";
import { ADAGRAD_DEFAULTS, Adagrad } from "./adagrad.js";
import { ADAM_DEFAULTS, Adam } from "./adam.js";
import { ADAMAX_DEFAULTS, Adamax } from "./adamax.js";
import { ADAMW_DEFAULTS, AdamW } from "./adamw.js";
import { ASGD, ASGD_DEFAULTS } from "./asgd.js";
import { LAMB, LAMB_DEFAULTS } from "./lamb.js";
import { LBFGS, LBFGS_DEFAULTS } from "./lbfgs.js";
import { LION_DEFAULTS, Lion } from "./lion.js";
import { MUON_DEFAULTS, Muon } from "./muon.js";
import { NADAM_DEFAULTS, NAdam } from "./nadam.js";
import { RADAM_DEFAULTS, RAdam } from "./radam.js";
import { RMSPROP_DEFAULTS, RMSprop } from "./rmsprop.js";
import { RPROP_DEFAULTS, Rprop } from "./rprop.js";
import { SCHEDULE_FREE_ADAMW_DEFAULTS, ScheduleFreeAdamW } from "./schedule-free-adamw.js";
import { SCHEDULE_FREE_SGD_DEFAULTS, ScheduleFreeSGD } from "./schedule-free-sgd.js";
import { SGD, SGD_DEFAULTS } from "./sgd.js";
import { SPARSE_ADAM_DEFAULTS, SparseAdam } from "./sparse-adam.js";

/** A registered optimizer class: `new C(params, options)`. */
export type OptimizerClass = new (
  params: readonly Param[] | readonly ParamGroupInit[],
  options?: Record<string, unknown>,
) => OptimizerLike;

/**
 * The shape of an optimizer's update. "elementwise": one fused loop over the buffers, the exported function
 * `fn` in `src/optim/<file>.ts`, which scripts/build-kernels.ts compiles to WebAssembly (its KERNEL_RULES
 * are these rows' rules, in table order, each pair once). "factored": row/column statistics (Adafactor).
 * "matrix": whole-matrix arithmetic per param (Muon's orthogonalisation). "closure": re-evaluates the loss
 * within a step (L-BFGS). "sparse": only the rows a sparse gradient names (SparseAdam). The last four have no
 * generated kernel: they run on the CPU in their own TypeScript.
 */
export type UpdateRule =
  | { readonly kind: "elementwise"; readonly file: string; readonly fn: string }
  | { readonly kind: "factored" | "matrix" | "closure" | "sparse" };

/** A number input of the web lab. */
export interface NumberControl {
  readonly key: string;
  readonly label: string;
  readonly kind: "number";
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step: number;
}

/** A checkbox of the web lab. */
export interface BooleanControl {
  readonly key: string;
  readonly label: string;
  readonly kind: "boolean";
  readonly default: boolean;
}

export type LabControl = NumberControl | BooleanControl;
export type LabValues = Record<string, number | boolean>;

/** An optimizer as the lab offers it: a short name, its learning rate, its options. */
export interface LabPreset {
  /** The name the CLI race and the web lab's URL use ("adam", "momentum"). */
  readonly id: string;
  /** The web lab's label. */
  readonly label: string;
  /** One line for `descent list`. */
  readonly description: string;
  /** Which of the surface's suggested learning rates applies, times `lrScale` ("fixed": lrScale is the lr). */
  readonly lrKind: "sgd" | "adaptive" | "fixed";
  readonly lrScale: number;
  /** The web lab's path colour. */
  readonly color: string;
  /** The options the web lab shows besides lr, with their defaults (the race's options too). */
  readonly controls: readonly LabControl[];
  /** The constructor options (lr aside) for control values. */
  readonly fromControls: (values: LabValues) => Record<string, unknown>;
  /** Options the CLI race sets over the controls' defaults. */
  readonly raceOptions?: Readonly<Record<string, unknown>>;
}

export interface OptimizerRow {
  /** The class name: torch's name where torch has it (also the fixture key and the TF.js config name). */
  readonly name: string;
  readonly cls: OptimizerClass;
  readonly defaults: Readonly<object>;
  readonly rule: UpdateRule;
  /** torch.optim has it: scripts/gen_reference.py records fixtures and the torch-reference tests run them. */
  readonly torch: boolean;
  /** The TF.js adapter rebuilds it from a saved model (a gradient step: no closure, no train/eval switch). */
  readonly tfjs: boolean;
  readonly lab: readonly LabPreset[];
}

const num = (
  key: string,
  label: string,
  def: number,
  step: number,
  min?: number,
  max?: number,
): NumberControl => {
  const spec: { -readonly [K in keyof NumberControl]: NumberControl[K] } = {
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
const bool = (key: string, label: string, def: boolean): BooleanControl => ({
  key,
  label,
  kind: "boolean",
  default: def,
});
const n = (values: LabValues, key: string) => values[key] as number;
const b = (values: LabValues, key: string) => values[key] as boolean;
const betaControls = [num("beta1", "β₁", 0.9, 0.01, 0, 1), num("beta2", "β₂", 0.999, 0.001, 0, 1)];
const betasOf = (v: LabValues) => [n(v, "beta1"), n(v, "beta2")];
const elementwise = (file: string, fn: string): UpdateRule => ({ kind: "elementwise", file, fn });
const cls = (c: unknown) => c as OptimizerClass;

/**
 * Every optimizer, one row each, in the lab's listing order (its colours are Observable's categorical
 * palette taken in that order, as the CLI figures take it).
 */
export const OPTIMIZER_REGISTRY: readonly OptimizerRow[] = Object.freeze([
  {
    name: "SGD",
    cls: cls(SGD),
    defaults: SGD_DEFAULTS,
    rule: elementwise("sgd", "sgdUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "sgd",
        label: "SGD",
        description: "plain gradient descent",
        lrKind: "sgd",
        lrScale: 1,
        color: "#4269d0",
        controls: [num("weightDecay", "weight decay", 0, 0.001, 0)],
        fromControls: (v) => ({ weightDecay: n(v, "weightDecay") }),
      },
      {
        id: "momentum",
        label: "Momentum",
        description: "SGD with heavy-ball momentum 0.9",
        lrKind: "sgd",
        lrScale: 1,
        color: "#efb118",
        controls: [
          num("momentum", "momentum", 0.9, 0.01, 0, 1),
          num("dampening", "dampening", 0, 0.01, 0, 1),
        ],
        fromControls: (v) => ({ momentum: n(v, "momentum"), dampening: n(v, "dampening") }),
      },
      {
        id: "nesterov",
        label: "Nesterov",
        description: "SGD with Nesterov momentum 0.9",
        lrKind: "sgd",
        lrScale: 1,
        color: "#ff725c",
        controls: [num("momentum", "momentum", 0.9, 0.01, 0, 1)],
        fromControls: (v) => ({ momentum: n(v, "momentum"), nesterov: true }),
      },
    ],
  },
  {
    name: "Adagrad",
    cls: cls(Adagrad),
    defaults: ADAGRAD_DEFAULTS,
    rule: elementwise("adagrad", "adagradUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "adagrad",
        label: "Adagrad",
        description: "Adagrad (per-coordinate steps shrinking with the summed squared gradients)",
        lrKind: "adaptive",
        // its steps shrink as 1/√t, so it starts from a larger multiple of the suggestion
        lrScale: 10,
        color: "#6cc5b0",
        controls: [num("lrDecay", "lr decay", 0, 0.001, 0), num("eps", "ε", 1e-10, 1e-10, 0)],
        fromControls: (v) => ({ lrDecay: n(v, "lrDecay"), eps: n(v, "eps") }),
      },
    ],
  },
  {
    name: "RMSprop",
    cls: cls(RMSprop),
    defaults: RMSPROP_DEFAULTS,
    rule: elementwise("rmsprop", "rmspropUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "rmsprop",
        label: "RMSprop",
        description: "RMSprop (steps scaled by a running RMS of the gradient)",
        lrKind: "adaptive",
        lrScale: 0.2,
        color: "#3ca951",
        controls: [
          num("alpha", "α", 0.99, 0.01, 0, 1),
          num("momentum", "momentum", 0, 0.01, 0, 1),
          bool("centered", "centered", false),
          num("eps", "ε", 1e-8, 1e-8, 0),
        ],
        fromControls: (v) => ({
          alpha: n(v, "alpha"),
          momentum: n(v, "momentum"),
          centered: b(v, "centered"),
          eps: n(v, "eps"),
        }),
      },
    ],
  },
  {
    name: "Adam",
    cls: cls(Adam),
    defaults: ADAM_DEFAULTS,
    rule: elementwise("adam", "adamUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "adam",
        label: "Adam",
        description: "Adam (momentum + RMS scaling, bias-corrected)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#ff8ab7",
        controls: [...betaControls, bool("amsgrad", "AMSGrad", false), num("eps", "ε", 1e-8, 1e-8, 0)],
        fromControls: (v) => ({ betas: betasOf(v), amsgrad: b(v, "amsgrad"), eps: n(v, "eps") }),
      },
    ],
  },
  {
    name: "AdamW",
    cls: cls(AdamW),
    defaults: ADAMW_DEFAULTS,
    rule: elementwise("adam", "adamUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "adamw",
        label: "AdamW",
        description: "AdamW (Adam with decoupled weight decay 0.01)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#a463f2",
        controls: [
          ...betaControls,
          num("weightDecay", "weight decay", 1e-2, 0.001, 0),
          num("eps", "ε", 1e-8, 1e-8, 0),
        ],
        fromControls: (v) => ({ betas: betasOf(v), weightDecay: n(v, "weightDecay"), eps: n(v, "eps") }),
      },
    ],
  },
  {
    name: "Adadelta",
    cls: cls(Adadelta),
    defaults: ADADELTA_DEFAULTS,
    rule: elementwise("adadelta", "adadeltaUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "adadelta",
        label: "Adadelta",
        description: "Adadelta (steps scaled by the ratio of running RMS of updates and gradients; lr 1)",
        lrKind: "fixed",
        lrScale: 1,
        color: "#97bbf5",
        controls: [num("rho", "ρ", 0.9, 0.01, 0, 1), num("eps", "ε", 1e-6, 1e-6, 0)],
        fromControls: (v) => ({ rho: n(v, "rho"), eps: n(v, "eps") }),
      },
    ],
  },
  {
    name: "Adamax",
    cls: cls(Adamax),
    defaults: ADAMAX_DEFAULTS,
    rule: elementwise("adamax", "adamaxUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "adamax",
        label: "Adamax",
        description: "Adamax (Adam with an infinity-norm second moment)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#9c6b4e",
        controls: [...betaControls, num("eps", "ε", 1e-8, 1e-8, 0)],
        fromControls: (v) => ({ betas: betasOf(v), eps: n(v, "eps") }),
      },
    ],
  },
  {
    name: "NAdam",
    cls: cls(NAdam),
    defaults: NADAM_DEFAULTS,
    rule: elementwise("nadam", "nadamUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "nadam",
        label: "NAdam",
        description: "NAdam (Adam with Nesterov momentum)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#1f3b73",
        controls: [...betaControls, num("momentumDecay", "momentum decay", 4e-3, 1e-3, 0)],
        fromControls: (v) => ({ betas: betasOf(v), momentumDecay: n(v, "momentumDecay") }),
      },
    ],
  },
  {
    name: "RAdam",
    cls: cls(RAdam),
    defaults: RADAM_DEFAULTS,
    rule: elementwise("radam", "radamUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "radam",
        label: "RAdam",
        description: "RAdam (Adam with the variance of the adaptive lr rectified early on)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#b8860b",
        controls: [...betaControls],
        fromControls: (v) => ({ betas: betasOf(v) }),
      },
    ],
  },
  {
    name: "Rprop",
    cls: cls(Rprop),
    defaults: RPROP_DEFAULTS,
    rule: elementwise("rprop", "rpropUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "rprop",
        label: "Rprop",
        description: "Rprop (per-coordinate step sizes that grow while the gradient sign holds)",
        lrKind: "adaptive",
        lrScale: 0.2,
        color: "#c21d3a",
        controls: [
          num("etaMinus", "η−", 0.5, 0.05, 0, 1),
          num("etaPlus", "η+", 1.2, 0.05, 1),
          num("stepMin", "min step", 1e-6, 1e-6, 0),
          num("stepMax", "max step", 50, 1, 0),
        ],
        fromControls: (v) => ({
          etas: [n(v, "etaMinus"), n(v, "etaPlus")],
          stepSizes: [n(v, "stepMin"), n(v, "stepMax")],
        }),
      },
    ],
  },
  {
    name: "ASGD",
    cls: cls(ASGD),
    defaults: ASGD_DEFAULTS,
    rule: elementwise("asgd", "asgdUpdate"),
    torch: true,
    tfjs: true,
    lab: [
      {
        id: "asgd",
        label: "ASGD",
        description: "ASGD (SGD with a decaying step and a running average of the iterates)",
        lrKind: "sgd",
        lrScale: 1,
        color: "#2a7f6f",
        controls: [
          num("lambd", "λ", 1e-4, 1e-4, 0),
          num("alpha", "α", 0.75, 0.05, 0),
          num("t0", "t₀", 1e6, 1, 0),
        ],
        fromControls: (v) => ({ lambd: n(v, "lambd"), alpha: n(v, "alpha"), t0: n(v, "t0") }),
      },
    ],
  },
  {
    name: "Lion",
    cls: cls(Lion),
    defaults: LION_DEFAULTS,
    rule: elementwise("lion", "lionUpdate"),
    torch: false,
    tfjs: true,
    lab: [
      {
        id: "lion",
        label: "Lion",
        description: "Lion (the sign of an interpolated momentum: every coordinate moves by lr)",
        lrKind: "adaptive",
        lrScale: 0.3,
        color: "#7a9a01",
        controls: [num("beta1", "β₁", 0.9, 0.01, 0, 1), num("beta2", "β₂", 0.99, 0.001, 0, 1)],
        fromControls: (v) => ({ betas: betasOf(v) }),
      },
    ],
  },
  {
    name: "LAMB",
    cls: cls(LAMB),
    defaults: LAMB_DEFAULTS,
    rule: elementwise("lamb", "lambUpdate"),
    torch: false,
    tfjs: true,
    lab: [
      {
        id: "lamb",
        label: "LAMB",
        description: "LAMB (Adam's step rescaled per param by the trust ratio ‖θ‖ / ‖update‖)",
        lrKind: "adaptive",
        lrScale: 1,
        color: "#c2185b",
        controls: [...betaControls, num("weightDecay", "weight decay", 0, 0.001, 0)],
        fromControls: (v) => ({ betas: betasOf(v), weightDecay: n(v, "weightDecay") }),
      },
    ],
  },
  {
    name: "LBFGS",
    cls: cls(LBFGS),
    defaults: LBFGS_DEFAULTS,
    rule: { kind: "closure" },
    torch: true,
    tfjs: false,
    lab: [
      {
        // one web lab step is one L-BFGS step of maxIter iterations (1 animates each); the CLI race runs
        // torch's defaults (20 iterations, history 100)
        id: "lbfgs",
        label: "L-BFGS",
        description: "L-BFGS with a strong-Wolfe line search (several evaluations a step; lr 1)",
        lrKind: "fixed",
        lrScale: 1,
        color: "#5b2a86",
        controls: [
          num("maxIter", "iterations per step", 1, 1, 1),
          num("historySize", "history size", 10, 1, 1),
          bool("strongWolfe", "strong Wolfe line search", true),
        ],
        fromControls: (v) => ({
          maxIter: n(v, "maxIter"),
          historySize: n(v, "historySize"),
          lineSearchFn: b(v, "strongWolfe") ? "strong_wolfe" : null,
        }),
        raceOptions: { maxIter: LBFGS_DEFAULTS.maxIter, historySize: LBFGS_DEFAULTS.historySize },
      },
    ],
  },
  {
    name: "Adafactor",
    cls: cls(Adafactor),
    defaults: ADAFACTOR_DEFAULTS,
    rule: { kind: "factored" },
    torch: true,
    tfjs: true,
    lab: [],
  },
  {
    // CPU only: no kernel gathers rows yet; TF.js gives dense gradients (tf.gather's too), which SparseAdam
    // refuses; the lab races on dense surfaces. Its torch traces are test/fixtures/torch/project_sparse_adam.json.
    name: "SparseAdam",
    cls: cls(SparseAdam),
    defaults: SPARSE_ADAM_DEFAULTS,
    rule: { kind: "sparse" },
    torch: true,
    tfjs: false,
    lab: [],
  },
  {
    name: "ScheduleFreeAdamW",
    cls: cls(ScheduleFreeAdamW),
    defaults: SCHEDULE_FREE_ADAMW_DEFAULTS,
    rule: elementwise("schedule-free-adamw", "scheduleFreeAdamWUpdate"),
    torch: false,
    tfjs: false,
    lab: [],
  },
  {
    name: "ScheduleFreeSGD",
    cls: cls(ScheduleFreeSGD),
    defaults: SCHEDULE_FREE_SGD_DEFAULTS,
    rule: elementwise("schedule-free-sgd", "scheduleFreeSgdUpdate"),
    torch: false,
    tfjs: false,
    lab: [],
  },
  {
    name: "Muon",
    cls: cls(Muon),
    defaults: MUON_DEFAULTS,
    rule: { kind: "matrix" },
    torch: false,
    tfjs: false,
    lab: [],
  },
]);
