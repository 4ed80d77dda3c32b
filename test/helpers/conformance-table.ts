// The optimizer conformance table: one row per optimizer (or wrapper), driving the generic tests in
// test/optim/conformance.test.ts (direction, lr = 0, state round trip, dtypes, option and grad errors),
// the property tests and the exact-resume checks. Adding an optimizer means adding its row here.

// Imports name source files rather than src/index.ts, so one half-written export elsewhere cannot stop
// every row from running.
import type { OptimizerLike, ParamGroupInit } from "../../src/core/optimizer.js";
import type { Param } from "../../src/core/param.js";
import { Adadelta } from "../../src/optim/adadelta.js";
import { Adafactor } from "../../src/optim/adafactor.js";
import { Adagrad } from "../../src/optim/adagrad.js";
import { Adam } from "../../src/optim/adam.js";
import { AdamW } from "../../src/optim/adamw.js";
import { Adamax } from "../../src/optim/adamax.js";
import { ASGD } from "../../src/optim/asgd.js";
import { LAMB } from "../../src/optim/lamb.js";
import { Lion } from "../../src/optim/lion.js";
import { GradientAccumulation } from "../../src/optim/gradient-accumulation.js";
import { LBFGS } from "../../src/optim/lbfgs.js";
import { Lookahead } from "../../src/optim/lookahead.js";
import { Muon } from "../../src/optim/muon.js";
import { ScheduleFreeAdamW } from "../../src/optim/schedule-free-adamw.js";
import { ScheduleFreeSGD } from "../../src/optim/schedule-free-sgd.js";
import { NAdam } from "../../src/optim/nadam.js";
import { RAdam } from "../../src/optim/radam.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { Rprop } from "../../src/optim/rprop.js";
import { SGD } from "../../src/optim/sgd.js";
import { SkipNonFinite } from "../../src/optim/skip-non-finite.js";
import { SparseAdam } from "../../src/optim/sparse-adam.js";
import { type SparseGrad, sparseGrad } from "../../src/core/sparse-grad.js";

export type Options = Record<string, unknown>;

export interface BadOption {
  /** Options merged over the row's `validOptions`. */
  options: Options;
  /** What the error must say (torch's wording where torch has one). */
  message: RegExp;
}

export interface ConformanceRow {
  name: string;
  /** Builds the optimizer (a wrapper builds its inner optimizer from the same options). */
  make(params: Param[] | ParamGroupInit[], options: Options): OptimizerLike;
  /** Options the generic tests train with: valid, not all defaults, with every state buffer in use. */
  validOptions: Options;
  /** More valid option sets the round-trip, dtype and resume tests also cover (amsgrad, nesterov, …). */
  variants?: Options[];
  badOptions: BadOption[];
  /** Param shape for the tests (Muon wants 2-D). Default [6]. */
  shape?: readonly number[];
  /**
   * What lr = 0 does: "noop" (params unchanged, the default: true of every rule whose every term is
   * scaled by lr, decoupled decay included), "moves" (the algorithm moves params without lr), or "refused"
   * (the constructor refuses lr = 0, as torch's SparseAdam; a group's lr set to 0 later is a no-op).
   */
  lrZero?: "noop" | "moves" | "refused";
  /**
   * The optimizer reads sparse grads (SparseAdam): `make` gives it the tests' dense grads as torch's
   * `grad.to_sparse(1)` would, and the wrong-grad test feeds it wrong sparse grads instead.
   */
  sparseGrads?: boolean;
  /** The option that is the step size, when it is not `lr` (null: none). */
  lrKey?: string | null;
  /** Whether `maximize: true` negates the gradient exactly (every rule in torch.optim). Default: the option exists. */
  maximize?: boolean;
  /** State keys whose absence is valid state (torch creates them lazily, e.g. SGD's momentumBuffer). */
  optionalStateKeys?: readonly string[];
  /** The optimizer takes one param group only (LBFGS, as torch). */
  singleGroup?: boolean;
  /** Calls of step() per update of the params (GradientAccumulation). Default 1. */
  stepsPerUpdate?: number;
  /** Options for which null is a valid value (a default resolved later, as LBFGS's maxEval). */
  nullableOptions?: readonly string[];
  /** Options under which float32 and float64 runs compute the same rule, where validOptions' do not. */
  sameRuleOptions?: Options;
}

/** Every option-validation row starts from these: the errors every optimizer shares with torch. */
function common(lrName = "learning rate"): BadOption[] {
  return [
    { options: { lr: -1 }, message: new RegExp(`Invalid ${lrName}: -1`) },
    { options: { lr: Number.NaN }, message: new RegExp(`Invalid ${lrName}: NaN`) },
    { options: { lr: Number.POSITIVE_INFINITY }, message: new RegExp(`Invalid ${lrName}: Infinity`) },
    { options: { lr: "0.1" }, message: new RegExp(`Invalid ${lrName}: "0.1"`) },
    { options: { maximize: 1 }, message: /Invalid maximize value: 1/ },
    { options: { weight_decay: 0.1 }, message: /unknown option 'weight_decay'/ },
  ];
}

const weightDecay: BadOption[] = [
  { options: { weightDecay: -0.1 }, message: /Invalid weight_decay value: -0.1/ },
  { options: { weightDecay: Number.NaN }, message: /Invalid weight_decay value: NaN/ },
  { options: { weightDecay: Number.POSITIVE_INFINITY }, message: /Invalid weight_decay value: Infinity/ },
];

const eps: BadOption[] = [
  { options: { eps: -1e-8 }, message: /Invalid epsilon value: -1e-8/ },
  { options: { eps: Number.NaN }, message: /Invalid epsilon value: NaN/ },
  { options: { eps: null }, message: /Invalid epsilon value: null/ },
];

/** Betas checks as torch words them; `key` is the option name (Adam's betas, Rprop's etas differ). */
export function betaErrors(key = "betas"): BadOption[] {
  return [
    { options: { [key]: [1, 0.999] }, message: /Invalid beta parameter at index 0: 1/ },
    { options: { [key]: [-0.1, 0.999] }, message: /Invalid beta parameter at index 0: -0.1/ },
    { options: { [key]: [0.9, 1.5] }, message: /Invalid beta parameter at index 1: 1.5/ },
    { options: { [key]: [0.9, Number.NaN] }, message: /Invalid beta parameter at index 1: NaN/ },
    { options: { [key]: [0.9] }, message: /Invalid betas: array of length 1 \(expected a pair/ },
    { options: { [key]: [0.9, 0.99, 0.999] }, message: /Invalid betas: array of length 3/ },
    { options: { [key]: 0.9 }, message: /Invalid betas: 0.9/ },
  ];
}

const amsgradAndMaximize: BadOption[] = [
  { options: { amsgrad: "yes" }, message: /Invalid amsgrad value: "yes"/ },
];

export const CONFORMANCE: ConformanceRow[] = [
  {
    name: "SGD",
    make: (p, o) => new SGD(p, o),
    optionalStateKeys: ["momentumBuffer"],
    validOptions: { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 },
    variants: [{ lr: 0.05 }, { lr: 0.05, momentum: 0.9, nesterov: true, maximize: false }],
    badOptions: [
      ...common(),
      ...weightDecay,
      { options: { momentum: -0.5 }, message: /Invalid momentum value: -0.5/ },
      { options: { momentum: Number.NaN }, message: /Invalid momentum value: NaN/ },
      { options: { dampening: Number.NaN }, message: /Invalid dampening value: NaN/ },
      { options: { nesterov: "true" }, message: /Invalid nesterov value: "true"/ },
      {
        options: { nesterov: true, momentum: 0, dampening: 0 },
        message: /Nesterov momentum requires a momentum and zero dampening/,
      },
      {
        options: { nesterov: true, momentum: 0.9, dampening: 0.1 },
        message: /Nesterov momentum requires a momentum and zero dampening/,
      },
    ],
  },
  {
    name: "Adam",
    make: (p, o) => new Adam(p, o),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.01 },
    variants: [
      { lr: 0.05, amsgrad: true },
      { lr: 0.05, maximize: true },
    ],
    badOptions: [...common(), ...weightDecay, ...eps, ...betaErrors(), ...amsgradAndMaximize],
  },
  {
    name: "AdamW",
    make: (p, o) => new AdamW(p, o),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 },
    variants: [{ lr: 0.05, amsgrad: true, weightDecay: 0.5 }],
    badOptions: [...common(), ...weightDecay, ...eps, ...betaErrors(), ...amsgradAndMaximize],
  },
  {
    name: "Adagrad",
    make: (p, o) => new Adagrad(p, o),
    validOptions: { lr: 0.1, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1 },
    variants: [{ lr: 0.1, eps: 1e-6 }],
    badOptions: [
      ...common(),
      ...weightDecay,
      ...eps,
      { options: { lrDecay: -1 }, message: /Invalid lr_decay value: -1/ },
      { options: { lrDecay: Number.NaN }, message: /Invalid lr_decay value: NaN/ },
      { options: { initialAccumulatorValue: -1 }, message: /Invalid initial_accumulator_value value: -1/ },
      {
        options: { initialAccumulatorValue: Number.POSITIVE_INFINITY },
        message: /Invalid initial_accumulator_value value: Infinity/,
      },
    ],
  },
  {
    name: "RMSprop",
    make: (p, o) => new RMSprop(p, o),
    validOptions: { lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.01 },
    variants: [{ lr: 0.01 }, { lr: 0.01, momentum: 0.9 }],
    badOptions: [
      ...common(),
      ...weightDecay,
      ...eps,
      { options: { alpha: -0.1 }, message: /Invalid alpha value: -0.1/ },
      { options: { alpha: Number.NaN }, message: /Invalid alpha value: NaN/ },
      { options: { momentum: -1 }, message: /Invalid momentum value: -1/ },
      { options: { momentum: Number.POSITIVE_INFINITY }, message: /Invalid momentum value: Infinity/ },
      { options: { centered: 0 }, message: /Invalid centered value: 0/ },
    ],
  },
  {
    name: "Adadelta",
    make: (p, o) => new Adadelta(p, o),
    validOptions: { lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.01 },
    variants: [{ lr: 1, maximize: false }],
    badOptions: [
      ...common(),
      ...weightDecay,
      ...eps,
      { options: { rho: 1.5 }, message: /Invalid rho value: 1.5/ },
      { options: { rho: -0.1 }, message: /Invalid rho value: -0.1/ },
      { options: { rho: Number.NaN }, message: /Invalid rho value: NaN/ },
    ],
  },
  {
    name: "Adamax",
    make: (p, o) => new Adamax(p, o),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.01 },
    variants: [{ lr: 0.05, maximize: false }],
    badOptions: [...common(), ...weightDecay, ...eps, ...betaErrors()],
  },
  {
    name: "NAdam",
    make: (p, o) => new NAdam(p, o),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.01, momentumDecay: 0.01 },
    variants: [{ lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true }],
    badOptions: [
      ...common(),
      ...weightDecay,
      ...eps,
      ...betaErrors(),
      { options: { momentumDecay: -1 }, message: /Invalid momentum_decay value: -1/ },
      { options: { momentumDecay: Number.NaN }, message: /Invalid momentum_decay value: NaN/ },
      { options: { decoupledWeightDecay: "yes" }, message: /Invalid decoupled_weight_decay value: "yes"/ },
    ],
  },
  {
    name: "RAdam",
    make: (p, o) => new RAdam(p, o),
    // β2 = 0.9 makes ρt > 5 from step 6, so the runs cover both the plain and the rectified update
    validOptions: { lr: 0.05, betas: [0.8, 0.9], eps: 1e-6, weightDecay: 0.01 },
    variants: [{ lr: 0.05, betas: [0.9, 0.9], weightDecay: 0.1, decoupledWeightDecay: true }],
    badOptions: [
      ...common(),
      ...weightDecay,
      ...eps,
      ...betaErrors(),
      { options: { decoupledWeightDecay: 1 }, message: /Invalid decoupled_weight_decay value: 1/ },
    ],
  },
  {
    name: "Rprop",
    make: (p, o) => new Rprop(p, o),
    // lr is only the initial step size: with lr = 0 the step size is clamped up to stepSizes[0] and moves
    lrZero: "moves",
    validOptions: { lr: 0.05, etas: [0.4, 1.3], stepSizes: [1e-4, 0.5] },
    variants: [{ lr: 0.05, maximize: false }],
    badOptions: [
      ...common(),
      { options: { etas: [1.5, 1.2] }, message: /Invalid eta values: 1.5, 1.2/ },
      { options: { etas: [0.5, 0.9] }, message: /Invalid eta values: 0.5, 0.9/ },
      { options: { etas: [0, 1.2] }, message: /Invalid eta values: 0, 1.2/ },
      { options: { etas: [0.5, Number.NaN] }, message: /Invalid eta values: 0.5, NaN/ },
      { options: { etas: 0.5 }, message: /Invalid etas: 0.5 \(expected a pair/ },
      {
        options: { stepSizes: [1, 0.1] },
        message: /Invalid step_sizes: minimum 1 is larger than maximum 0.1/,
      },
      { options: { stepSizes: [-1, 1] }, message: /Invalid step_sizes minimum: -1/ },
    ],
  },
  {
    name: "ASGD",
    make: (p, o) => new ASGD(p, o),
    // t0 = 2: the running average in state.ax is active from step 3
    validOptions: { lr: 0.05, lambd: 1e-3, alpha: 0.6, t0: 2, weightDecay: 0.01 },
    variants: [{ lr: 0.05 }],
    badOptions: [
      ...common(),
      ...weightDecay,
      { options: { lambd: Number.NaN }, message: /Invalid lambd value: NaN/ },
      { options: { alpha: "0.75" }, message: /Invalid alpha value: "0.75"/ },
      { options: { t0: Number.NaN }, message: /Invalid t0 value: NaN/ },
      { options: { t0: "5" }, message: /Invalid t0 value: "5"/ },
    ],
  },
  {
    name: "Adafactor",
    make: (p, o) => new Adafactor(p, o),
    // the default 1-D shape (variance): the generic loadStateDict test expects the first state buffer to have
    // the param's size, which rowVar does not; the factored path has the same checks in adafactor.test.ts
    validOptions: { lr: 0.05, beta2Decay: -0.6, d: 1.5, weightDecay: 0.01 },
    variants: [{ lr: 0.05, eps: [1e-12, 1e-2] }],
    // eps1 defaults to the dtype's machine epsilon, so float32 and float64 differ by design unless it is set
    sameRuleOptions: { lr: 0.05, beta2Decay: -0.6, d: 1.5, weightDecay: 0.01, eps: [1e-7, 1e-3] },
    badOptions: [
      { options: { lr: -1 }, message: /Learning rate should be >= 0 but is: -1/ },
      { options: { lr: Number.NaN }, message: /Learning rate should be >= 0 but is: NaN/ },
      { options: { beta2Decay: 0.5 }, message: /beta2_decay should be <= 0 but is: 0.5/ },
      { options: { eps: [-1, 1e-3] }, message: /epsilon1 should be >= 0 but is: -1/ },
      { options: { eps: [null, -1] }, message: /epsilon2 should be >= 0 but is: -1/ },
      { options: { eps: 1e-3 }, message: /Invalid eps: 0.001 \(expected a pair/ },
      { options: { d: 0.5 }, message: /Clipping threshold d should be >= 1 but is: 0.5/ },
      { options: { weightDecay: -0.1 }, message: /weight_decay should be >= 0 but is: -0.1/ },
      { options: { maximize: 1 }, message: /Invalid maximize value: 1/ },
      { options: { weight_decay: 0.1 }, message: /unknown option 'weight_decay'/ },
    ],
  },
  {
    name: "Lion",
    make: (p, o) => new Lion(p, o),
    validOptions: { lr: 0.01, betas: [0.8, 0.95], weightDecay: 0.1 },
    variants: [{ lr: 0.01, maximize: true }],
    badOptions: [...common(), ...weightDecay, ...betaErrors()],
  },
  {
    name: "SparseAdam",
    make: (p, o) => new SparseAdamOverDenseGrads(p, o),
    lrZero: "refused",
    sparseGrads: true,
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6 },
    variants: [{ lr: 0.05, maximize: true }],
    shape: [3, 2],
    badOptions: [
      ...common(),
      ...eps,
      { options: { eps: 0 }, message: /Invalid epsilon value: 0/ },
      ...betaErrors(),
      { options: { weightDecay: 0.1 }, message: /unknown option 'weightDecay'/ },
    ],
  },
  {
    name: "LAMB",
    make: (p, o) => new LAMB(p, o),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-4, weightDecay: 0.01 },
    variants: [{ lr: 0.05, maximize: true }],
    badOptions: [...common(), ...weightDecay, ...eps, ...betaErrors()],
  },
  {
    name: "Muon",
    make: (p, o) => new Muon(p, o),
    // one row: the orthogonalised update of a 1×n matrix is the momentum's direction, so "moves every
    // coordinate against its gradient" holds; general shapes are checked against torch's algorithm in muon.test.ts
    shape: [1, 6],
    validOptions: { lr: 0.05, weightDecay: 0.01, momentum: 0.9 },
    variants: [{ lr: 0.05, nesterov: false, adjustLrFn: "match_rms_adamw", nsSteps: 3 }],
    badOptions: [
      { options: { lr: -1 }, message: /Learning rate should be >= 0 but is: -1/ },
      { options: { lr: Number.NaN }, message: /Learning rate should be >= 0 but is: NaN/ },
      { options: { lr: "0.1" }, message: /Learning rate should be >= 0 but is: "0.1"/ },
      { options: { momentum: -0.5 }, message: /momentum should be >= 0 but is: -0.5/ },
      { options: { weightDecay: -0.1 }, message: /weight decay should be >= 0 but is: -0.1/ },
      { options: { adjustLrFn: "none" }, message: /Invalid adjust_lr_fn value: "none"/ },
      { options: { nsSteps: 100 }, message: /Number of steps must be less than 100/ },
      { options: { nsCoefficients: [1, 2] }, message: /Coefficients must be a tuple of exactly 3 values/ },
      { options: { nesterov: 1 }, message: /Invalid nesterov value: 1/ },
      { options: { maximize: true }, message: /unknown option 'maximize'/ },
    ],
  },
  {
    name: "ScheduleFreeAdamW",
    make: (p, o) => {
      const opt = new ScheduleFreeAdamW(p, o);
      opt.train();
      return opt;
    },
    validOptions: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.01, warmupSteps: 2 },
    variants: [{ lr: 0.05, r: 1, weightLrPower: 1 }],
    badOptions: [
      ...common().filter((b) => !("maximize" in b.options)),
      ...weightDecay,
      ...eps,
      ...betaErrors().filter((b) => !/index 0: -0.1/.test(b.message.source)),
      { options: { betas: [0, 0.9] }, message: /Invalid beta parameter at index 0: 0/ },
      { options: { warmupSteps: -1 }, message: /Invalid warmup_steps value: -1/ },
      { options: { r: Number.NaN }, message: /Invalid r value: NaN/ },
      {
        options: { weightLrPower: Number.POSITIVE_INFINITY },
        message: /Invalid weight_lr_power value: Infinity/,
      },
    ],
  },
  {
    name: "ScheduleFreeSGD",
    make: (p, o) => {
      const opt = new ScheduleFreeSGD(p, o);
      opt.train();
      return opt;
    },
    validOptions: { lr: 0.05, momentum: 0.8, weightDecay: 0.01, warmupSteps: 2 },
    variants: [{ lr: 0.05, r: 1, weightLrPower: 0 }],
    badOptions: [
      ...common().filter((b) => !("maximize" in b.options)),
      ...weightDecay,
      { options: { momentum: 0 }, message: /Momentum must be between 0 and 1 exclusive: 0/ },
      { options: { momentum: 1 }, message: /Momentum must be between 0 and 1 exclusive: 1/ },
      { options: { warmupSteps: 1.5 }, message: /Invalid warmup_steps value: 1.5/ },
    ],
  },
  {
    name: "LBFGS",
    make: (p, o) => new LBFGS(p, o),
    singleGroup: true,
    nullableOptions: ["maxEval"],
    // like torch, a state without a direction yet restarts from steepest descent
    optionalStateKeys: ["d", "prevFlatGrad"],
    validOptions: { lr: 0.5, maxIter: 3, historySize: 4 },
    variants: [{ lr: 1, maxIter: 4, lineSearchFn: "strong_wolfe" }],
    badOptions: [
      ...common().filter((b) => !("maximize" in b.options)),
      { options: { maxIter: 0 }, message: /Invalid max_iter value: 0/ },
      { options: { maxIter: 2.5 }, message: /Invalid max_iter value: 2.5/ },
      { options: { maxEval: -1 }, message: /Invalid max_eval value: -1/ },
      { options: { historySize: Number.NaN }, message: /Invalid history_size value: NaN/ },
      { options: { toleranceGrad: -1 }, message: /Invalid tolerance_grad value: -1/ },
      { options: { toleranceChange: Number.NaN }, message: /Invalid tolerance_change value: NaN/ },
      { options: { lineSearchFn: "armijo" }, message: /Invalid line_search_fn: "armijo"/ },
    ],
  },
  {
    name: "GradientAccumulation(SGD)",
    make: (p, o) => {
      const { steps = 2, ...inner } = o;
      return new GradientAccumulation(new SGD(p, inner), { steps: steps as number });
    },
    stepsPerUpdate: 2,
    optionalStateKeys: ["momentumBuffer"],
    validOptions: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
    badOptions: [
      ...common(),
      ...weightDecay,
      { options: { momentum: -0.5 }, message: /Invalid momentum value: -0.5/ },
      { options: { steps: 0 }, message: /Invalid accumulation steps: 0/ },
      { options: { steps: 1.5 }, message: /Invalid accumulation steps: 1.5/ },
    ],
  },
  {
    name: "Lookahead(Adam)",
    make: (p, o) => new Lookahead(new Adam(p, o), { k: 2, alpha: 0.5 }),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], weightDecay: 0.01 },
    badOptions: [...common(), ...weightDecay, ...betaErrors()],
  },
  {
    name: "SkipNonFinite(AdamW)",
    make: (p, o) => new SkipNonFinite(new AdamW(p, o)),
    validOptions: { lr: 0.05, betas: [0.8, 0.95], weightDecay: 0.1 },
    badOptions: [...common(), ...weightDecay, ...betaErrors()],
  },
];

/**
 * The rows of `dense` (a grad of a param of `shape`) that have a nonzero element, as a sparse grad: what
 * torch's `grad.to_sparse(1)` gives, the conversion torch's SparseAdam docs suggest for dense grads.
 */
export function denseToSparse(dense: Float32Array | Float64Array, shape: readonly number[]): SparseGrad {
  const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
  const rows: number[] = [];
  const values: number[] = [];
  for (let r = 0; r * rowSize < dense.length; r++) {
    const row = dense.subarray(r * rowSize, (r + 1) * rowSize);
    if (row.every((x) => x === 0)) continue;
    rows.push(r);
    values.push(...row);
  }
  const Ctor = dense instanceof Float32Array ? Float32Array : Float64Array;
  return sparseGrad(rows, Ctor.from(values));
}

/**
 * SparseAdam fed the generic tests' dense grads: each step, after the closure, every well-formed dense grad
 * becomes its `denseToSparse` (and the dense grad null). Anything else is left for SparseAdam to judge.
 */
class SparseAdamOverDenseGrads extends SparseAdam {
  protected override checkReady(): void {
    const groups = this.paramGroups as unknown;
    if (Array.isArray(groups)) {
      for (const group of groups) {
        const params = (group as { params?: unknown } | null)?.params;
        if (!Array.isArray(params)) continue;
        for (const p of params as Param[]) {
          const g = p?.grad;
          const data = p?.data;
          if (!(g instanceof Float32Array || g instanceof Float64Array)) continue;
          if (g.constructor !== data?.constructor || g.length !== data.length) continue;
          p.sparseGrad = denseToSparse(g, p.shape);
          p.grad = null;
        }
      }
    }
    super.checkReady();
  }
}
Object.defineProperty(SparseAdamOverDenseGrads, "name", { value: "SparseAdam" });

/** Builds `row`'s optimizer with a step size of 0 (set in every group after construction where "refused"). */
export function makeWithLrZero(
  row: ConformanceRow,
  params: Param[] | ParamGroupInit[],
  options: Options,
): OptimizerLike {
  const lrKey = row.lrKey ?? "lr";
  if (row.lrZero !== "refused") return row.make(params, { ...options, [lrKey]: 0 });
  const opt = row.make(params, options);
  for (const group of opt.paramGroups) group[lrKey] = 0;
  return opt;
}

// ---- the shared problem the generic tests train on ----

/** Per-coordinate curvatures and centres of f(x) = Σ aᵢ(xᵢ − cᵢ)²/2 (varied, so no coordinate is special). */
export function quadratic(n: number): { a: Float64Array; c: Float64Array } {
  const a = new Float64Array(n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = 0.5 + ((i * 7) % 5) / 2;
    c[i] = ((i * 3) % 7) / 3 - 1;
  }
  return { a, c };
}

/** Starting values, deterministic, each 1 to 2.5 away from its centre (so no gradient is near zero). */
export function startValues(n: number, seed = 0): number[] {
  const { c } = quadratic(n);
  return Array.from(c, (ci, i) => ci + (i % 2 === 0 ? 1 : -1) * (1 + ((i * 5 + seed) % 4) / 2));
}

/** Writes ∇f into each param's grad (in the param's dtype) and returns f. */
export function quadraticGrad(params: readonly Param[], scale = 1): number {
  let loss = 0;
  for (const p of params) {
    const { a, c } = quadratic(p.data.length);
    const g =
      p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
    for (let i = 0; i < g.length; i++) {
      const d = p.data[i]! - c[i]!;
      g[i] = scale * a[i]! * d;
      loss += (scale * a[i]! * d * d) / 2;
    }
    p.grad = g;
  }
  return loss;
}

/** One step with a closure that recomputes the loss and grads (what LBFGS needs; harmless for the rest). */
export function stepOnQuadratic(opt: OptimizerLike, params: readonly Param[], scale = 1): void {
  quadraticGrad(params, scale);
  opt.step(() => quadraticGrad(params, scale));
}

/** True when two buffers hold the same bits (so NaN = NaN and 0 ≠ −0). */
export function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A JSON-able picture of a state dict (buffers as bit patterns) for deep comparisons. */
export function stateFingerprint(value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Float64Array) {
    const bits =
      value instanceof Float32Array
        ? Array.from(new Uint32Array(value.slice().buffer))
        : Array.from(new BigUint64Array(value.slice().buffer), String);
    return { [value.constructor.name]: bits };
  }
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : Object.is(value, -0) ? "-0" : value;
  if (Array.isArray(value)) return Array.from(value, (v) => stateFingerprint(v));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Options)[key];
      if (v !== undefined) out[key] = stateFingerprint(v); // as a checkpoint (and JSON) leaves them out
    }
    return out;
  }
  return value;
}
