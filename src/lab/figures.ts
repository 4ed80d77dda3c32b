// The lab's figures, drawn with Observable Plot from real runs: a race's paths over the surface's contours,
// the EWMA of a noisy series for several β and with/without bias correction, learning-rate (and momentum)
// curves of schedules, and training curves raw and EWMA-smoothed. Each returns a standalone SVG string.

import type { Markish } from "@observablehq/plot";
import { ewma } from "../average/ewma.js";
import { clipPolyline } from "./clip-polyline.js";
import { globalMinimum, type TestFunction } from "./functions.js";
import { FIGURE_TEXT, type Lang, outcomeText, surfaceText } from "./i18n.js";
import type { RaceResult } from "./race.js";
import { Plot, renderPlot } from "./render.js";

/** Colors for series, in order (Observable's categorical palette). */
export const SERIES_COLORS: readonly string[] = Object.freeze([
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
]);

const colorAt = (i: number) => SERIES_COLORS[i % SERIES_COLORS.length]!;

/**
 * One colour per series: its own (an optimizer's colour in the registry, the same in every figure, the CLI
 * and the web lab) unless an earlier series of this figure already has it; then, and for series without
 * one, the first palette colour no series of the figure has taken.
 */
export function seriesColors(series: readonly { readonly color?: string | undefined }[]): string[] {
  const taken = new Set<string>();
  const out: (string | undefined)[] = series.map((s) => {
    if (s.color === undefined || taken.has(s.color)) return undefined;
    taken.add(s.color);
    return s.color;
  });
  let next = 0;
  return out.map((c) => {
    if (c !== undefined) return c;
    while (next < SERIES_COLORS.length && taken.has(colorAt(next))) next++;
    const color = next < SERIES_COLORS.length ? colorAt(next) : colorAt(taken.size);
    taken.add(color);
    return color;
  });
}

interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly symbol?: "line" | "dot" | "dash";
}

/** A legend drawn as marks in the right margin, so the figure stays one SVG (and renders to PNG). */
function legend(items: readonly LegendItem[], title?: string): Markish[] {
  const marks: Markish[] = [];
  const top = title === undefined ? 4 : 20;
  if (title !== undefined) {
    marks.push(
      Plot.text([title], {
        frameAnchor: "top-right",
        dx: 12,
        dy: 4,
        textAnchor: "start",
        fontWeight: "bold",
      }),
    );
  }
  items.forEach((item, i) => {
    const dy = top + i * 16;
    marks.push(
      Plot.text([item.symbol === "dot" ? "●" : item.symbol === "dash" ? "╍╍" : "━━"], {
        frameAnchor: "top-right",
        dx: 12,
        dy,
        textAnchor: "start",
        fill: item.color,
      }),
      Plot.text([item.label], { frameAnchor: "top-right", dx: 34, dy, textAnchor: "start" }),
    );
  });
  return marks;
}

/** A label's width in 11 px text: Hangul (and other wide characters) take about twice a Latin letter's. */
const textWidth = (label: string) => {
  let width = 0;
  for (const ch of label) width += ch.codePointAt(0)! >= 0x1100 ? 11 : 6.5;
  return width;
};
const legendWidth = (labels: readonly string[]) => 44 + Math.max(52, ...labels.map(textWidth));

/** Every k-th point (and the last), so long runs stay small files; non-finite points are dropped. */
function thin(count: number, limit: number): number[] {
  const stride = Math.max(1, Math.ceil(count / limit));
  const idx: number[] = [];
  for (let i = 0; i < count; i += stride) idx.push(i);
  if (idx[idx.length - 1] !== count - 1) idx.push(count - 1);
  return idx;
}

/** Options of `raceFigure`: size in pixels, title, points per path, language. */
export interface RaceFigureOptions {
  /** Width in pixels (default 640 plus the legend's width). */
  width?: number;
  /** Height in pixels (default 520). */
  height?: number;
  /** The title above the plot (default: the surface's name and description). */
  title?: string;
  /** Most points drawn per path (default 400). */
  maxPoints?: number;
  /** The language of the figure's words (default "en"). */
  lang?: Lang;
}

/**
 * Contours of the race's surface with each optimizer's path, the shared start (white circle), each end
 * (a colored cross), the known minima (stars) and a legend with each run's outcome. The start and the
 * minima are drawn under the paths and ends, so a run that stays where it started (or ends on a minimum)
 * shows; ends that fall on the same spot are drawn as nested crosses, the earlier run's larger.
 * @example
 * const result = race(himmelblau, [raceOptimizer("sgd", himmelblau), raceOptimizer("adam", himmelblau)], { steps: 50 });
 * raceFigure(result).includes("<svg"); // → true (write it to race.svg to look at it)
 */
export function raceFigure(result: RaceResult, options: RaceFigureOptions = {}): string {
  const fn = result.fn;
  const lang = options.lang ?? "en";
  const labels = result.runs.map((r) => `${r.label}: ${outcomeText(r.summary.outcome, lang)}`);
  const marginRight = legendWidth(labels);
  const marginTop = 28;
  const width = options.width ?? 640 + marginRight;
  const height = options.height ?? 520;
  const limit = options.maxPoints ?? 400;
  const [x1, x2] = fn.domain.x;
  const [y1, y2] = fn.domain.y;
  const marks: Markish[] = [
    contour(fn),
    Plot.dot(fn.minima, { x: "x", y: "y", symbol: "star", fill: "white", stroke: "black", r: 6 }),
    Plot.dot([[result.start.x, result.start.y]], { fill: "white", stroke: "black", strokeWidth: 1.5, r: 5 }),
  ];
  const ends: { x: number; y: number; color: string }[] = [];
  const colors = seriesColors(result.runs);
  result.runs.forEach((run, i) => {
    const { x, y } = run.trajectory;
    // cut to the frame: a diverged path's huge coordinates would crash the PNG rasteriser
    const pieces = clipPolyline(
      thin(x.length, limit).map((t) => [x[t]!, y[t]!] as const),
      [x1, x2],
      [y1, y2],
    );
    const points = pieces.flatMap((piece, k) => piece.map(([px, py]) => ({ x: px, y: py, piece: k })));
    const color = colors[i]!;
    marks.push(
      Plot.line(points, { x: "x", y: "y", z: "piece", stroke: color, strokeWidth: 2, curve: "linear" }),
    );
    const last = points[points.length - 1];
    if (last !== undefined) ends.push({ x: last.x, y: last.y, color });
  });
  // about the frame's pixels per unit (Plot's default left and bottom margins are 40 and 30)
  const px = (width - marginRight - 40) / (x2 - x1);
  const py = (height - marginTop - 30) / (y2 - y1);
  const near = (a: { x: number; y: number }, b: { x: number; y: number }) =>
    Math.hypot((a.x - b.x) * px, (a.y - b.y) * py) < 6;
  ends.forEach((end, i) => {
    const coveredBy = ends.slice(i + 1).filter((later) => near(end, later)).length;
    marks.push(
      Plot.dot([end], {
        x: "x",
        y: "y",
        symbol: "times",
        stroke: end.color,
        strokeWidth: 3,
        r: 6 + 4 * coveredBy,
      }),
    );
  });
  marks.push(
    ...legend(
      labels.map((label, i) => ({ label, color: colors[i]! })),
      FIGURE_TEXT[lang].steps(result.steps),
    ),
  );
  return renderPlot({
    width,
    height,
    marginRight,
    x: { domain: [x1, x2], label: axesOf(fn)[0] },
    y: { domain: [y1, y2], label: axesOf(fn)[1] },
    color: { type: "linear", scheme: "blues" },
    marks: [
      ...marks,
      Plot.text([options.title ?? `${surfaceText(fn, lang).title}: ${surfaceText(fn, lang).description}`], {
        frameAnchor: "top-left",
        dy: -14,
        textAnchor: "start",
        fontWeight: "bold",
      }),
    ],
    marginTop,
  });
}

/** Filled contours of the surface's `contourValue`, 18 bands. */
function contour(fn: TestFunction): Markish {
  return Plot.contour({
    fill: contourValue(fn),
    x1: fn.domain.x[0],
    x2: fn.domain.x[1],
    y1: fn.domain.y[0],
    y2: fn.domain.y[1],
    thresholds: 18,
    stroke: "white",
    strokeOpacity: 0.35,
    fillOpacity: 0.55,
    pixelSize: 3,
  });
}

/**
 * What a race figure's contours and colours are drawn of, by the surface's `contourScale`: f ("linear");
 * log10(f − min + 1) ("log", for values that span decades); or f's rank among its values on a 121 × 121
 * grid over the domain, from 0 to 1 ("quantile": evenly spaced thresholds are then quantiles, so a plateau
 * whose values differ by 1e-7 gets as many bands as the well beside it).
 * @example
 * const rank = contourValue(plateau);
 * rank(-1.4, 0.6) > rank(-1, 0.6); // → true (both on the plateau: f = 1 − 2.9e-8 and 1 − 3e-4)
 */
export function contourValue(fn: TestFunction): (x: number, y: number) => number {
  if (fn.contourScale === "log") {
    const fStar = globalMinimum(fn);
    const shift = Number.isFinite(fStar) ? fStar : 0;
    return (x, y) => Math.log10(fn.f(x, y) - shift + 1);
  }
  if (fn.contourScale !== "quantile") return (x, y) => fn.f(x, y);
  const n = 121;
  const [x0, x1] = fn.domain.x;
  const [y0, y1] = fn.domain.y;
  const sampled: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const v = fn.f(x0 + ((x1 - x0) * i) / (n - 1), y0 + ((y1 - y0) * j) / (n - 1));
      if (Number.isFinite(v)) sampled.push(v);
    }
  }
  const sorted = Float64Array.from(sampled).sort();
  const last = sorted.length - 1;
  return (x, y) => {
    const v = fn.f(x, y);
    if (!(v > sorted[0]!)) return 0;
    if (!(v < sorted[last]!)) return 1;
    // the first sample ≥ v, then linear between it and the one below: a continuous, increasing rank
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const below = sorted[lo - 1]!;
    return (lo - 1 + (v - below) / (sorted[lo]! - below)) / last;
  };
}

/** Options of the line figures (EWMA, bias correction, training curves): size in pixels, title, language. */
export interface SeriesFigureOptions {
  /** Width in pixels (default 640 plus the legend's width). */
  width?: number;
  /** Height in pixels (default 360). */
  height?: number;
  /** The title above the plot (default: each figure's own). */
  title?: string;
  /** The language of the figure's words (default "en"). */
  lang?: Lang;
}

/**
 * A noisy series (gray dots) and its EWMA for each β: larger β is smoother and lags more.
 * @example
 * ewmaFigure(noisySeries({ length: 100 }), [0.5, 0.9, 0.98]).includes("<svg"); // → true
 */
export function ewmaFigure(
  series: ArrayLike<number>,
  betas: readonly number[],
  options: SeriesFigureOptions & { biasCorrection?: boolean } = {},
): string {
  if (betas.length === 0) throw new RangeError("ewmaFigure: expected at least one beta");
  const correct = options.biasCorrection ?? false;
  const text = FIGURE_TEXT[options.lang ?? "en"];
  const items: LegendItem[] = [{ label: text.data, color: "#9498a0", symbol: "dot" }];
  const marks: Markish[] = [
    Plot.dot(Array.from(series), { x: (_d, i) => i + 1, y: (d) => d, r: 1.5, fill: "#9498a0" }),
  ];
  betas.forEach((beta, i) => {
    const avg = ewma(series, beta, { biasCorrection: correct });
    const color = colorAt(i);
    items.push({ label: `β = ${beta}`, color });
    marks.push(Plot.lineY(avg, { x: (_d, t) => t + 1, stroke: color, strokeWidth: 2 }));
  });
  return seriesPlot(marks, items, {
    ...options,
    title: options.title ?? text.ewmaTitle(correct),
    xLabel: "t",
    yLabel: "θ",
  });
}

/**
 * The EWMA with β (default 0.98) started at v₀ = 0, with and without bias correction v_t / (1 − βᵗ):
 * uncorrected, the first ~1/(1 − β) values are pulled toward zero.
 * @example
 * biasCorrectionFigure(noisySeries({ length: 100 }), 0.98).includes("<svg"); // → true
 */
export function biasCorrectionFigure(
  series: ArrayLike<number>,
  beta = 0.98,
  options: SeriesFigureOptions = {},
): string {
  const raw = ewma(series, beta);
  const corrected = ewma(series, beta, { biasCorrection: true });
  const text = FIGURE_TEXT[options.lang ?? "en"];
  const marks: Markish[] = [
    Plot.dot(Array.from(series), { x: (_d, i) => i + 1, y: (d) => d, r: 1.5, fill: "#9498a0" }),
    Plot.lineY(raw, { x: (_d, t) => t + 1, stroke: colorAt(2), strokeWidth: 2 }),
    Plot.lineY(corrected, { x: (_d, t) => t + 1, stroke: colorAt(0), strokeWidth: 2 }),
  ];
  return seriesPlot(
    marks,
    [
      { label: text.data, color: "#9498a0", symbol: "dot" },
      { label: text.uncorrected(beta), color: colorAt(2) },
      { label: text.biasCorrected, color: colorAt(0) },
    ],
    {
      ...options,
      title: options.title ?? text.biasTitle(beta),
      xLabel: "t",
      yLabel: "θ",
    },
  );
}

/** A named curve over steps (an lr schedule, a momentum schedule, a loss). */
export interface Curve {
  readonly label: string;
  /** Its colour (default: the palette in order; see `seriesColors`). */
  readonly color?: string;
  readonly values: ArrayLike<number>;
  /** The x value of values[0] (default 0). */
  readonly first?: number;
}

/**
 * Curves of a hyperparameter over steps, e.g. the lr of one or more schedules.
 * @example
 * const { lr } = preview((opt) => new OneCycleLR(opt, { maxLr: 0.01, totalSteps: 50 }), 50);
 * scheduleFigure([{ label: "onecycle", values: lr }], { yLabel: "lr" }).includes("<svg"); // → true
 */
export function scheduleFigure(
  curves: readonly Curve[],
  options: SeriesFigureOptions & {
    yLabel?: string;
    xLabel?: string;
    logY?: boolean;
    /** Include 0 in the y axis (default true on a linear axis). */
    zero?: boolean;
    /** "step-after" (default: a value holds for its whole step) or "linear" with a dot per value. */
    curve?: "step-after" | "linear";
  } = {},
): string {
  if (curves.length === 0) throw new RangeError("scheduleFigure: expected at least one curve");
  const linear = options.curve === "linear";
  const colors = seriesColors(curves);
  const marks: Markish[] = curves.flatMap((c, i) => {
    const values = Array.from(c.values);
    const x = (_d: unknown, t: number) => t + (c.first ?? 0);
    const line = Plot.lineY(values, {
      x,
      stroke: colors[i],
      strokeWidth: 2,
      curve: linear ? "linear" : "step-after",
    });
    return linear ? [line, Plot.dotY(values, { x, fill: colors[i], r: 3 })] : [line];
  });
  const logY = options.logY ?? false;
  const text = FIGURE_TEXT[options.lang ?? "en"];
  return seriesPlot(
    marks,
    curves.map((c, i) => ({ label: c.label, color: colors[i]! })),
    {
      ...options,
      title: options.title ?? text.perStep(options.yLabel ?? "lr"),
      xLabel: options.xLabel ?? text.step,
      yLabel: options.yLabel ?? "lr",
      logY,
      zero: !logY && (options.zero ?? true),
      integerX: linear,
    },
  );
}

/**
 * Training curves: each raw series drawn faint, its EWMA (β, default 0.9, bias-corrected) solid on top.
 * @example
 * const losses = Array.from({ length: 60 }, (_, i) => 2.3 * Math.exp(-i / 20) + 0.1 * Math.sin(i));
 * trainingFigure([{ label: "adam", values: losses }], { yLabel: "loss", beta: 0.95 }).includes("<svg"); // → true
 */
export function trainingFigure(
  curves: readonly Curve[],
  options: SeriesFigureOptions & { yLabel?: string; xLabel?: string; beta?: number; logY?: boolean } = {},
): string {
  if (curves.length === 0) throw new RangeError("trainingFigure: expected at least one curve");
  const beta = options.beta ?? 0.9;
  const text = FIGURE_TEXT[options.lang ?? "en"];
  const marks: Markish[] = [];
  const colors = seriesColors(curves);
  curves.forEach((c, i) => {
    const xOf = (_d: unknown, t: number) => t + (c.first ?? 0);
    const raw = Array.from(c.values);
    marks.push(
      Plot.lineY(raw, { x: xOf, stroke: colors[i], strokeOpacity: 0.25, strokeWidth: 1 }),
      Plot.lineY(ewma(raw, beta, { biasCorrection: true }), { x: xOf, stroke: colors[i], strokeWidth: 2 }),
    );
  });
  return seriesPlot(
    marks,
    curves.map((c, i) => ({ label: c.label, color: colors[i]! })),
    {
      ...options,
      title: options.title ?? text.trainingTitle(options.yLabel ?? "loss", beta),
      xLabel: options.xLabel ?? text.step,
      yLabel: options.yLabel ?? "loss",
      logY: options.logY ?? false,
      zero: false,
    },
  );
}

/** Tick labels that fit a narrow margin: 0.1, 0.01, 1e-3, 1e-4, … */
const compactNumber = (v: number) =>
  v !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e5)
    ? v.toExponential(0)
    : String(Number(v.toPrecision(3)));

function seriesPlot(
  marks: Markish[],
  items: readonly LegendItem[],
  options: SeriesFigureOptions & {
    xLabel: string;
    yLabel: string;
    logY?: boolean;
    zero?: boolean;
    integerX?: boolean;
  },
): string {
  const marginRight = legendWidth(items.map((i) => i.label));
  return renderPlot({
    width: options.width ?? 640 + marginRight,
    height: options.height ?? 360,
    marginRight,
    marginTop: 46,
    x: { label: options.xLabel, ...(options.integerX ? { interval: 1 } : {}) },
    y: {
      label: options.yLabel,
      grid: true,
      type: options.logY ? "log" : "linear",
      ...(options.logY ? { tickFormat: compactNumber } : {}),
      ...(options.zero === undefined || options.logY ? {} : { zero: options.zero }),
    },
    marks: [
      ...marks,
      ...legend(items),
      // centered, so it never runs into the y-axis label in the top-left corner
      Plot.text([options.title ?? ""], {
        frameAnchor: "top",
        dy: -34,
        fontWeight: "bold",
      }),
    ],
  });
}

/** x-axis and y-axis names of a race's surface ("w", "b" on least squares). */
const axesOf = (fn: TestFunction): readonly [string, string] =>
  (fn as { axes?: readonly [string, string] }).axes ?? ["x", "y"];

/**
 * The full objective's loss after each step of every run of a race (log scale, gap to the minimum when
 * the surface has one): on a sum-of-examples surface, full batch descends smoothly, SGD noisily.
 * @example
 * const fn = leastSquares();
 * const result = race(fn, [1, 48].map((b) => ({ ...raceOptimizer("sgd", fn, { label: `B=${b}` }), batchSize: b })), { steps: 50 });
 * raceLossFigure(result).includes("<svg"); // → true
 */
export function raceLossFigure(result: RaceResult, options: SeriesFigureOptions = {}): string {
  const fStar = globalMinimum(result.fn);
  const shift = Number.isFinite(fStar) ? fStar : 0;
  const gap = Number.isFinite(fStar);
  const text = FIGURE_TEXT[options.lang ?? "en"];
  const colors = seriesColors(result.runs);
  const marks: Markish[] = result.runs.map((run, i) => {
    const points = Array.from(run.trajectory.loss, (l, t) => [t, l - shift] as [number, number]).filter(
      ([, v]) => Number.isFinite(v) && (!gap || v > 0),
    );
    return Plot.line(points, { stroke: colors[i], strokeWidth: 1.5 });
  });
  return seriesPlot(
    marks,
    result.runs.map((r, i) => ({ label: r.label, color: colors[i]! })),
    {
      ...options,
      title: options.title ?? (gap ? text.lossGapTitle : text.lossTitle),
      xLabel: text.step,
      yLabel: gap ? "f − f*" : "f",
      logY: gap,
    },
  );
}

/** Options of `effectiveStepFigure`: the line-figure options plus which quantity to draw. */
export interface EffectiveStepFigureOptions extends SeriesFigureOptions {
  /**
   * "effective" (default): the effective step the optimizer's state gives each coordinate (lr/(√v + ε) …);
   * "move": how far each coordinate actually moved, |Δx| and |Δy| per step.
   */
  quantity?: "effective" | "move";
  /** Legend text for the two coordinates (default: the surface's axes, "x" and "y"). */
  axisNames?: readonly [string, string];
  /** Draw only the first `steps` steps (default: all). */
  steps?: number;
}

/**
 * Per-coordinate step sizes over the steps of a race, log scale: each run one colour, its first coordinate
 * solid and its second dashed. Adagrad's effective step only falls; RMSprop's levels off; on the elongated
 * bowl RMSprop and Adam move both coordinates by similar amounts where SGD's moves differ by the curvature.
 * @example
 * const result = race(elongated, ["adagrad", "rmsprop"].map((n) => raceOptimizer(n, elongated)), { steps: 60 });
 * effectiveStepFigure(result).includes("<svg"); // → true
 */
export function effectiveStepFigure(result: RaceResult, options: EffectiveStepFigureOptions = {}): string {
  const quantity = options.quantity ?? "effective";
  const text = FIGURE_TEXT[options.lang ?? "en"];
  const [ax, ay] = options.axisNames ?? axesOf(result.fn);
  const marks: Markish[] = [];
  const items: LegendItem[] = [];
  const colors = seriesColors(result.runs);
  result.runs.forEach((run, i) => {
    const tr = run.trajectory;
    let sx: ArrayLike<number>;
    let sy: ArrayLike<number>;
    if (quantity === "effective") {
      if (tr.effectiveStep === undefined) return;
      sx = tr.effectiveStep.x;
      sy = tr.effectiveStep.y;
    } else {
      sx = Array.from(tr.x, (v, t) => (t === 0 ? Number.NaN : Math.abs(v - tr.x[t - 1]!)));
      sy = Array.from(tr.y, (v, t) => (t === 0 ? Number.NaN : Math.abs(v - tr.y[t - 1]!)));
    }
    const last = options.steps ?? Number.POSITIVE_INFINITY;
    const positive = (values: ArrayLike<number>) =>
      Array.from(values, (v, t) => [t, v] as [number, number]).filter(
        ([t, v]) => t <= last && Number.isFinite(v) && v > 0,
      );
    const color = colors[i]!;
    marks.push(
      Plot.line(positive(sx), { stroke: color, strokeWidth: 2 }),
      Plot.line(positive(sy), { stroke: color, strokeWidth: 2, strokeDasharray: "6,4" }),
    );
    items.push(
      { label: `${run.label} · ${ax}`, color },
      { label: `${run.label} · ${ay}`, color, symbol: "dash" },
    );
  });
  if (marks.length === 0) {
    throw new RangeError("effectiveStepFigure: no run of this race has an effective step (L-BFGS has none)");
  }
  return seriesPlot(marks, items, {
    ...options,
    title: options.title ?? (quantity === "effective" ? text.effectiveTitle : text.moveTitle(ax, ay)),
    xLabel: text.step,
    yLabel: quantity === "effective" ? text.effectiveLabel : text.moveLabel,
    logY: true,
  });
}
