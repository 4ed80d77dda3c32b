// The surfaces panel's drawing: the heat map with contour lines (cached per surface and size), the paths
// (an incremental layer), the minima, the start point, and the loss chart.

import type { Domain, TestFunction } from "../../src/lab/functions.js";
import { globalMinimum } from "../../src/lab/functions.js";
import { drawChart, fitCanvas } from "./chart.js";
import {
  colorPosition,
  contourLevels,
  type Grid,
  isoSegments,
  type LevelScale,
  sampleGrid,
} from "./contour.js";
import { show } from "./dom.js";
import type { SurfacesText } from "./lab-text.js";
import { type Lang, surfaceText } from "../../src/lab/i18n.js";

const GRID = 160;

/** A path to draw: positions after 0, 1, … steps and its colour. */
export interface DrawnPath {
  readonly color: string;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly losses: readonly number[];
}

/** A view of the surface: the plot rectangle in CSS pixels. */
export interface View {
  readonly width: number;
  readonly height: number;
  readonly domain: Domain;
}

export class SurfaceRenderer {
  readonly #canvas: HTMLCanvasElement;
  readonly #lossCanvas: HTMLCanvasElement;
  #grid: Grid | null = null;
  #background: HTMLCanvasElement | null = null;
  #backgroundKey = "";
  #paths: HTMLCanvasElement | null = null;
  #pathsKey = "";
  #pathsRuns: readonly DrawnPath[] | null = null;
  #pathsDrawn: number[] = [];

  /** The words of the canvas's description and the loss chart's axes (the panel sets them on a switch). */
  text: SurfacesText & { readonly lang: Lang };

  constructor(
    canvas: HTMLCanvasElement,
    lossCanvas: HTMLCanvasElement,
    text: SurfacesText & { readonly lang: Lang },
  ) {
    this.#canvas = canvas;
    this.#lossCanvas = lossCanvas;
    this.text = text;
  }

  /** Forgets the sampled grid (the surface changed). */
  resetGrid(): void {
    this.#grid = null;
  }

  view(domain: Domain): View {
    const width = this.#canvas.clientWidth || 600;
    return { width, height: this.#canvas.clientHeight || width * 0.8, domain };
  }

  toPixel(x: number, y: number, v: View): [number, number] {
    const d = v.domain;
    return [((x - d.x[0]) / (d.x[1] - d.x[0])) * v.width, (1 - (y - d.y[0]) / (d.y[1] - d.y[0])) * v.height];
  }

  toData(px: number, py: number, v: View): { x: number; y: number } {
    const d = v.domain;
    return {
      x: d.x[0] + (px / v.width) * (d.x[1] - d.x[0]),
      y: d.y[0] + (1 - py / v.height) * (d.y[1] - d.y[0]),
    };
  }

  /** The heat map and contour lines, drawn once per surface and size into an offscreen canvas. */
  #backgroundFor(surface: TestFunction, levelScale: LevelScale, v: View, dpr: number): HTMLCanvasElement {
    const d = surface.domain;
    const key = `${surface.title}|${d.x}|${d.y}|${v.width}x${v.height}|${dpr}`;
    if (this.#background !== null && this.#backgroundKey === key) return this.#background;
    const fn = surface;
    this.#grid ??= sampleGrid(fn.f, fn.domain, GRID, GRID);
    const grid = this.#grid;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(v.width * dpr);
    canvas.height = Math.round(v.height * dpr);
    const ctx = canvas.getContext("2d")!;
    // heat map: one pixel per grid cell, scaled up smoothly
    const cells = document.createElement("canvas");
    cells.width = grid.nx;
    cells.height = grid.ny;
    const cctx = cells.getContext("2d")!;
    const image = cctx.createImageData(grid.nx, grid.ny);
    const pos = colorPosition(grid.values, levelScale);
    for (let j = 0; j < grid.ny; j++) {
      for (let i = 0; i < grid.nx; i++) {
        const value = grid.values[j * grid.nx + i]!;
        const o = ((grid.ny - 1 - j) * grid.nx + i) * 4;
        const [r, g, b] = Number.isFinite(value) ? ramp(pos(value)) : [235, 235, 235];
        image.data[o] = r;
        image.data[o + 1] = g;
        image.data[o + 2] = b;
        image.data[o + 3] = 255;
      }
    }
    cctx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(cells, 0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const sx = v.width / (grid.nx - 1);
    const sy = v.height / (grid.ny - 1);
    ctx.strokeStyle = "rgba(40, 40, 60, 0.35)";
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (const level of contourLevels(grid.values, 18, levelScale)) {
      for (const [x1, y1, x2, y2] of isoSegments(grid, level)) {
        ctx.moveTo(x1 * sx, v.height - y1 * sy);
        ctx.lineTo(x2 * sx, v.height - y2 * sy);
      }
    }
    ctx.stroke();
    this.#background = canvas;
    this.#backgroundKey = key;
    return canvas;
  }

  /**
   * The paths, drawn incrementally into their own layer: each frame adds only the new segments, so a frame
   * costs the same after 5000 steps as after 5. The layer is redrawn whole on a new run, surface or size.
   */
  #pathsFor(surface: TestFunction, runs: readonly DrawnPath[], v: View, dpr: number): HTMLCanvasElement {
    const d = v.domain;
    const key = `${surface.title}|${d.x}|${d.y}|${v.width}x${v.height}|${dpr}`;
    let layer = this.#paths;
    if (layer === null || this.#pathsKey !== key || this.#pathsRuns !== runs) {
      layer ??= document.createElement("canvas");
      layer.width = Math.round(v.width * dpr);
      layer.height = Math.round(v.height * dpr);
      this.#paths = layer;
      this.#pathsKey = key;
      this.#pathsRuns = runs;
      this.#pathsDrawn = runs.map(() => 0);
    }
    const ctx = layer.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    ctx.lineWidth = 2.5;
    runs.forEach((run, k) => {
      const from = Math.max(0, (this.#pathsDrawn[k] ?? 0) - 1);
      if (run.xs.length - from < 2) return;
      ctx.strokeStyle = run.color;
      ctx.beginPath();
      for (let i = from; i < run.xs.length; i++) {
        const [x, y] = this.toPixel(run.xs[i]!, run.ys[i]!, v);
        if (!Number.isFinite(x) || !Number.isFinite(y)) break;
        // keep far-off points drawable: the canvas clips, but huge coordinates break some renderers
        const cx = Math.max(-1e4, Math.min(1e4, x));
        const cy = Math.max(-1e4, Math.min(1e4, y));
        if (i === from) ctx.moveTo(cx, cy);
        else ctx.lineTo(cx, cy);
      }
      ctx.stroke();
      this.#pathsDrawn[k] = run.xs.length;
    });
    return layer;
  }

  /** Draws the map, the paths so far and the start point (and the loss chart unless `withLoss` is false). */
  draw(
    surface: TestFunction,
    levelScale: LevelScale,
    runs: readonly DrawnPath[],
    start: { x: number; y: number },
    withLoss = true,
  ): void {
    const { width, height } = fitCanvas(this.#canvas);
    const ctx = this.#canvas.getContext("2d");
    if (ctx === null) return;
    const v: View = { width, height, domain: surface.domain };
    const dpr = this.#canvas.width / width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.#backgroundFor(surface, levelScale, v, dpr), 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const m of surface.minima) {
      const [x, y] = this.toPixel(m.x, m.y, v);
      star(ctx, x, y, m.global ? 7 : 5, m.global ? "#111" : "#555");
    }
    // the start goes under the paths and ends, so a run that never leaves it still shows
    const [sx, sy] = this.toPixel(start.x, start.y, v);
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    let startRing = 0;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.#pathsFor(surface, runs, v, dpr), 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const ends = runs.map((run) => {
      const last = run.xs.length - 1;
      return this.toPixel(run.xs[last]!, run.ys[last]!, v);
    });
    runs.forEach((run, k) => {
      const [x, y] = ends[k]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      // ends on the same spot nest: each later run there draws a smaller dot over this one
      const coveredBy = ends.slice(k + 1).filter(([ex, ey]) => Math.hypot(ex - x, ey - y) < 4).length;
      ctx.fillStyle = run.color;
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      const r = 4.5 + 3 * coveredBy;
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      if (Math.hypot(x - sx, y - sy) < 4) startRing = Math.max(startRing, r + 2.5);
    });
    if (startRing > 0) {
      // runs cover the start: its outline is drawn again, around them
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(sx, sy, startRing, 0, 2 * Math.PI);
      ctx.stroke();
    }
    this.#canvas.setAttribute(
      "aria-label",
      this.text.canvasDrawnAria(
        surfaceText(surface, this.text.lang).title,
        runs.length,
        `(${show(start.x)}, ${show(start.y)})`,
      ),
    );
    if (withLoss) this.#drawLoss(surface, runs);
  }

  #drawLoss(surface: TestFunction, runs: readonly DrawnPath[]): void {
    const fStar = globalMinimum(surface);
    const known = Number.isFinite(fStar);
    const series = runs.map((run) => ({
      values: known ? run.losses.map((l) => Math.max(l - fStar, 1e-16)) : run.losses,
      color: run.color,
      width: 2,
    }));
    drawChart(this.#lossCanvas, series, {
      xLabel: this.text.step,
      yLabel: known ? this.text.lossGap : this.text.loss,
      logY: known,
      height: 200,
    });
  }
}

/** A light-to-dark blue–green–yellow ramp (viridis, lightened so paths stay visible). */
function ramp(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const s = Math.min(stops.length - 1.0001, Math.max(0, t * (stops.length - 1)));
  const k = Math.floor(s);
  const f = s - k;
  const a = stops[k]!;
  const b = stops[k + 1]!;
  const mix = (c: number) => Math.round(0.45 * (a[c]! + (b[c]! - a[c]!) * f) + 0.55 * 255);
  return [mix(0), mix(1), mix(2)];
}

function star(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, color: string): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    const rr = k % 2 === 0 ? r : r * 0.45;
    if (k === 0) ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
    else ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fill();
}
