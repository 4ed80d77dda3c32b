// The main job: train a small MLP on the packaged MNIST digits with SGD, SGD+momentum, Adagrad, RMSprop,
// Adam and AdamW (with a one-cycle schedule), race optimizers on two surfaces, draw the EWMA figures, and
// write everything into one self-contained report/index.html.

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Adagrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { AdamW } from "../optim/adamw.js";
import { RMSprop } from "../optim/rmsprop.js";
import { SGD } from "../optim/sgd.js";
import { OneCycleLR } from "../scheduler/one-cycle-lr.js";
import { loadDigits } from "./digits.js";
import { biasCorrectionFigure, ewmaFigure, raceFigure, scheduleFigure, trainingFigure } from "./figures.js";
import { testFunction } from "./functions.js";
import { defaultRaceLr, raceOptimizer } from "./optimizers.js";
import { type RaceResult, race } from "./race.js";
import { noisySeries } from "./random.js";
import { type ReportSection, reportHtml } from "./report.js";
import { type TrainEntry, type TrainOptions, type TrainRun, trainMLP } from "./train.js";

export type DemoMode = "quick" | "default" | "full";

export interface DemoConfig {
  readonly train: number;
  readonly test: number;
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly raceSteps: number;
}

/** What each mode trains: quick is for CI (seconds), default fits ~3 minutes on 2 cores, full goes further. */
export const DEMO_MODES: Readonly<Record<DemoMode, DemoConfig>> = Object.freeze({
  quick: { train: 2000, test: 500, hidden: [32], epochs: 2, batchSize: 32, raceSteps: 200 },
  default: { train: 8000, test: 2000, hidden: [64], epochs: 8, batchSize: 64, raceSteps: 500 },
  full: { train: 8500, test: 1500, hidden: [128], epochs: 15, batchSize: 64, raceSteps: 1000 },
});

export type DemoEvent =
  | { readonly kind: "load"; readonly train: number; readonly test: number }
  | { readonly kind: "train-start"; readonly label: string; readonly index: number; readonly of: number }
  | {
      readonly kind: "train-step";
      readonly label: string;
      readonly step: number;
      readonly total: number;
      readonly loss: number;
    }
  | { readonly kind: "train-done"; readonly run: TrainRun }
  | { readonly kind: "race"; readonly surface: string }
  | { readonly kind: "report"; readonly path: string };

export interface DemoOptions {
  readonly mode?: DemoMode;
  /**
   * "arrays" (default): the MLP on plain typed arrays; "tfjs": a tf.sequential model trained with model.fit
   * through descent-optim/tfjs's TfjsOptimizer on TF.js's cpu backend (several times slower).
   */
  readonly backend?: "arrays" | "tfjs";
  /** Directory for index.html (default "report"). */
  readonly outDir?: string;
  readonly seed?: number;
  readonly onEvent?: (event: DemoEvent) => void;
}

export interface DemoResult {
  readonly mode: DemoMode;
  readonly backend: "arrays" | "tfjs";
  readonly config: DemoConfig;
  readonly runs: readonly TrainRun[];
  readonly races: readonly RaceResult[];
  readonly reportPath: string;
}

/** The demo's six training runs, in the order they are trained and listed. */
export function demoEntries(): TrainEntry[] {
  return [
    { label: "SGD lr=0.1", create: (p) => new SGD(p, { lr: 0.1 }) },
    { label: "SGD+momentum lr=0.02 m=0.9", create: (p) => new SGD(p, { lr: 0.02, momentum: 0.9 }) },
    { label: "Adagrad lr=0.02", create: (p) => new Adagrad(p, { lr: 0.02 }) },
    { label: "RMSprop lr=1e-3", create: (p) => new RMSprop(p, { lr: 1e-3 }) },
    { label: "Adam lr=1e-3", create: (p) => new Adam(p, { lr: 1e-3 }) },
    {
      label: "AdamW + one-cycle max lr=3e-3",
      create: (p) => new AdamW(p, { lr: 3e-3, weightDecay: 1e-2 }),
      scheduler: (optimizer, totalSteps) => new OneCycleLR(optimizer, { maxLr: 3e-3, totalSteps }),
    },
  ];
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const short = (v: number) =>
  !Number.isFinite(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(2)
      : v.toFixed(4);

/** The optimizers raced on each surface in the report. */
const raceNames = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];

/**
 * Runs the demo and writes the report.
 * @example
 * // a real run trains six MLPs and writes report/index.html: `await runDemo({ mode: "quick" })`
 * DEMO_MODES.quick.epochs; // → 2
 * demoEntries()[4]?.label; // → "Adam lr=1e-3"
 * await runDemo({ mode: "instant" as never }).catch((e) => e instanceof RangeError); // → true (valid: quick, default, full)
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const mode = options.mode ?? "default";
  const config = DEMO_MODES[mode];
  if (config === undefined) {
    throw new RangeError(
      `runDemo: unknown mode ${JSON.stringify(mode)}; valid modes: ${Object.keys(DEMO_MODES).join(", ")}`,
    );
  }
  const backend = options.backend ?? "arrays";
  if (backend !== "arrays" && backend !== "tfjs") {
    throw new RangeError(`runDemo: unknown backend ${JSON.stringify(backend)}; valid backends: arrays, tfjs`);
  }
  const emit = options.onEvent ?? (() => {});
  const seed = options.seed ?? 1;
  const outDir = resolve(options.outDir ?? "report");
  const { train, test } = loadDigits({ train: config.train, test: config.test, seed });
  emit({ kind: "load", train: train.count, test: test.count });

  let train$ = async (entry: TrainEntry, o: TrainOptions): Promise<TrainRun> => trainMLP(entry, o);
  if (backend === "tfjs") {
    // loaded only here, so the default path never loads TensorFlow.js
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    const { trainTfjs } = await import("./train-tfjs.js");
    train$ = trainTfjs;
  }
  const entries = demoEntries();
  const runs: TrainRun[] = [];
  for (const [index, entry] of entries.entries()) {
    emit({ kind: "train-start", label: entry.label, index, of: entries.length });
    const run = await train$(entry, {
      train,
      test,
      hidden: config.hidden,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed,
      onStep: (step, total, loss) => emit({ kind: "train-step", label: entry.label, step, total, loss }),
    });
    runs.push(run);
    emit({ kind: "train-done", run });
  }

  const races: RaceResult[] = [];
  for (const name of ["rosenbrock", "plateau"]) {
    emit({ kind: "race", surface: name });
    const fn = testFunction(name);
    races.push(
      race(
        fn,
        raceNames.map((n) => raceOptimizer(n, fn)),
        { steps: config.raceSteps },
      ),
    );
  }

  const series = noisySeries({ length: 365, seed });
  const batchesPerEpoch = Math.floor(config.train / config.batchSize);
  const sections: ReportSection[] = [
    {
      heading: "Training a small MLP on MNIST digits",
      intro: `${config.train} training and ${config.test} test digits from the mnist package; an MLP 784 → ${config.hidden.join(" → ")} → 10 (ReLU, softmax cross-entropy) ${backend === "tfjs" ? "as a tf.sequential model trained with model.fit through descent-optim/tfjs's TfjsOptimizer" : "on plain typed arrays"}, ${config.epochs} epoch(s) of batches of ${config.batchSize}; every optimizer starts from the same weights and sees the same batches.`,
      tables: [
        {
          title: "Summary",
          caption: "after the last epoch",
          columns: ["optimizer", "train acc", "test acc", "train loss", "test loss", "seconds"],
          rows: runs.map((r) => [
            r.label,
            pct(r.final.trainAccuracy),
            pct(r.final.testAccuracy),
            r.final.trainLoss.toFixed(4),
            r.final.testLoss.toFixed(4),
            r.seconds.toFixed(1),
          ]),
        },
      ],
      figures: [
        {
          title: "Training loss per batch",
          caption:
            "The loss of every mini-batch (faint) is noisy; its bias-corrected EWMA (β = 0.95, solid) shows each optimizer's trend.",
          svg: trainingFigure(
            runs.map((r) => ({ label: r.label, values: r.batchLoss })),
            { yLabel: "loss", xLabel: "step", beta: 0.95, logY: true },
          ),
        },
        {
          title: "Training accuracy per batch",
          caption:
            "The share of each mini-batch classified correctly before its step (faint), and its bias-corrected EWMA (β = 0.95, solid).",
          svg: trainingFigure(
            runs.map((r) => ({ label: r.label, values: r.batchAccuracy })),
            { yLabel: "batch accuracy", xLabel: "step", beta: 0.95 },
          ),
        },
        {
          title: "Test accuracy per epoch",
          caption: "Accuracy on the held-out digits after each epoch: what generalizes, not just what fits.",
          svg: scheduleFigure(
            runs.map((r) => ({ label: r.label, values: r.epochs.map((e) => e.testAccuracy), first: 1 })),
            {
              yLabel: "test accuracy",
              xLabel: "epoch",
              curve: "linear",
              zero: false,
              title: "test accuracy per epoch",
            },
          ),
        },
      ],
    },
    {
      heading: "Learning-rate schedules",
      figures: [
        {
          title: "Learning rate per step",
          caption: `The lr each run used at every step (${batchesPerEpoch} steps an epoch): constant, except AdamW's one-cycle warm-up and annealing.`,
          svg: scheduleFigure(
            runs.map((r) => ({ label: r.label, values: r.lr })),
            { yLabel: "lr", logY: true, title: "lr per step (log scale)" },
          ),
        },
        ...momentumFigure(runs),
      ],
    },
    ...races.map(
      (r): ReportSection => ({
        heading: `Race on ${r.fn.title}`,
        intro: `Every optimizer starts at (${r.start.x}, ${r.start.y}) and takes ${r.steps} steps with the lr the surface suggests for its kind; the verdict comes from the trajectory and the surface around its end.`,
        tables: [
          {
            title: "Outcomes",
            columns: [
              "optimizer",
              "lr",
              "final loss",
              "distance to minimum",
              "steps to tolerance",
              "outcome",
              "why",
            ],
            rows: r.runs.map((run, k) => [
              run.label,
              defaultRaceLr(raceNames[k]!, r.fn),
              short(run.summary.finalLoss),
              short(run.summary.distanceToMinimum),
              run.summary.stepsToTolerance ?? "—",
              run.summary.outcome,
              run.summary.reason,
            ]),
          },
        ],
        figures: [
          {
            title: `${r.fn.title}: paths over the contours`,
            caption: `${r.fn.title}: ${r.fn.description}. ${r.runs.map((run) => `${run.label} ${run.summary.outcome}`).join(", ")}.`,
            svg: raceFigure(r),
          },
        ],
      }),
    ),
    {
      heading: "Exponentially weighted averages",
      figures: [
        {
          title: "EWMA for β = 0.5, 0.9, 0.98",
          caption:
            "β averages roughly the last 1/(1 − β) values: β = 0.5 follows the noise, β = 0.98 is smooth but lags behind the trend.",
          svg: ewmaFigure(series, [0.5, 0.9, 0.98]),
        },
        {
          title: "Bias correction",
          caption:
            "Started at v₀ = 0, the uncorrected EWMA (β = 0.98) begins far below the data; dividing by 1 − βᵗ fixes the start and changes nothing later.",
          svg: biasCorrectionFigure(series, 0.98),
        },
      ],
    },
  ];
  mkdirSync(outDir, { recursive: true });
  const reportPath = join(outDir, "index.html");
  writeFileSync(
    reportPath,
    reportHtml(
      `descent demo (${mode}${backend === "tfjs" ? ", TF.js" : ""})`,
      sections,
      `Generated by descent demo --${mode}${backend === "tfjs" ? " --tfjs" : ""} with seed ${seed}.`,
    ),
  );
  emit({ kind: "report", path: reportPath });
  return { mode, backend, config, runs, races, reportPath };
}

function momentumFigure(runs: readonly TrainRun[]): { title: string; caption: string; svg: string }[] {
  const cycled = runs.filter((r) => r.momentum !== null && new Set(r.momentum).size > 1);
  if (cycled.length === 0) return [];
  return [
    {
      title: "Momentum (β₁) per step",
      caption:
        "One-cycle moves momentum opposite to the lr: low while the lr is high, back up as it anneals.",
      svg: scheduleFigure(
        cycled.map((r) => ({ label: r.label, values: r.momentum! })),
        { yLabel: "momentum / β₁", title: "momentum (β₁) per step", zero: false },
      ),
    },
  ];
}
