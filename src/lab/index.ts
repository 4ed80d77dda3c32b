// descent-optim/lab: test surfaces, optimizer races, figures and the demo. Named re-exports only.

export {
  type DemoConfig,
  type DemoEvent,
  type DemoMode,
  type DemoOptions,
  type DemoResult,
  DEMO_MODES,
  demoEntries,
  runDemo,
} from "./demo.js";
export { effectiveStep, type StepDirection } from "./effective-step.js";
export { DIGIT_PIXELS, DIGITS_AVAILABLE, type DigitSet, loadDigits } from "./digits.js";
export {
  biasCorrectionFigure,
  type Curve,
  type EffectiveStepFigureOptions,
  effectiveStepFigure,
  ewmaFigure,
  type RaceFigureOptions,
  raceFigure,
  raceLossFigure,
  SERIES_COLORS,
  seriesColors,
  type SeriesFigureOptions,
  scheduleFigure,
  trainingFigure,
} from "./figures.js";
export {
  ackley,
  beale,
  booth,
  type Domain,
  elongated,
  globalMinimum,
  himmelblau,
  type Minimum,
  type Point,
  plateau,
  rastrigin,
  rosenbrock,
  saddle,
  styblinskiTang,
  type TestFunction,
  testFunction,
  testFunctions,
  type Vec2,
} from "./functions.js";
export { MLP, type MLPOptions } from "./mlp.js";
export {
  defaultRaceLr,
  describeRaceOptimizer,
  labColor,
  raceOptimizer,
  raceOptimizerNames,
} from "./optimizers.js";
export {
  curvature,
  type Outcome,
  type RaceEntry,
  type RaceOptions,
  type RaceResult,
  type RaceRun,
  RacePath,
  RaceRunner,
  type RaceRunnerStatus,
  type RaceSummary,
  race,
  type Trajectory,
  type Verdict,
} from "./race.js";
export { mulberry32, noisySeries, normal, type Rng, shuffle } from "./random.js";
export {
  FIGURE_FONT,
  HANGUL_BOLD_FONT_FILE,
  HANGUL_FONT_FILE,
  type PngOptions,
  renderPlot,
  svgToPng,
} from "./render.js";
export {
  type ReportFigure,
  type ReportOptions,
  type ReportSection,
  type ReportTable,
  reportHtml,
} from "./report.js";
export { REPORT_TEXT, type ReportText } from "./report-text.js";
export {
  checkLang,
  FIGURE_TEXT,
  type FigureText,
  LANG_NAMES,
  LANGS,
  type Lang,
  outcomeText,
  verdictText,
  surfaceText,
} from "./i18n.js";
export {
  batchKind,
  batchSampler,
  type GradientNoiseOptions,
  isSumOfExamples,
  type LeastSquares,
  type LeastSquaresOptions,
  leastSquares,
  type SumOfExamples,
  withGradientNoise,
} from "./stochastic.js";
export {
  type EpochRecord,
  type SchedulerLike,
  type TrainEntry,
  type TrainOptions,
  type TrainRun,
  trainMLP,
} from "./train.js";
