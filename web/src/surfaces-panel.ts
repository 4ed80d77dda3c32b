// The surfaces panel: a lab test function or a typed formula drawn as a heat map with contours; chosen
// optimizers run real descent steps from a clicked start point, a few steps per animation frame, and their
// paths and losses update live.

import type { OptimizerLike } from "../../src/core/optimizer.js";
import { type Parameter, param } from "../../src/core/param.js";
import { type Domain, globalMinimum, type TestFunction, testFunctions } from "../../src/lab/functions.js";
import { drawChart, fitCanvas } from "./chart.js";
import {
  colorPosition,
  contourLevels,
  type Grid,
  isoSegments,
  type LevelScale,
  sampleGrid,
} from "./contour.js";
import { h, inputNumber, show } from "./dom.js";
import { FormulaError, parseFormula } from "./formula.js";
import {
  defaultLr,
  defaultValues,
  OPTIMIZERS,
  type OptimizerSpec,
  type OptionValues,
  optimizerSpec,
} from "./optimizer-catalog.js";
import { decodeItems, encodeItems, formatNumber, type Item, readNumber, readPair } from "./url-state.js";

/** Path colors, one per optimizer in catalog order (Observable's categorical palette, as the CLI figures). */
const COLORS = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
];
const DEFAULT_FORMULA = "x^2 + 3*y^2 + 2*sin(2*x)";
const DEFAULT_DOMAIN: Domain = { x: [-3, 3], y: [-3, 3] };
const DEFAULT_OPTIMIZERS = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];
const SPEEDS = [1, 2, 5, 10, 25];
const GRID = 160;

interface Run {
  readonly spec: OptimizerSpec;
  readonly color: string;
  readonly p: Parameter;
  readonly opt: OptimizerLike;
  readonly xs: number[];
  readonly ys: number[];
  readonly losses: number[];
  status: "running" | "done" | "diverged";
}

interface Row {
  readonly spec: OptimizerSpec;
  readonly color: string;
  readonly enabled: HTMLInputElement;
  readonly lr: HTMLInputElement;
  readonly inputs: Map<string, HTMLInputElement>;
  readonly error: HTMLElement;
}

/** A view of the surface: the plot rectangle in CSS pixels. */
interface View {
  readonly width: number;
  readonly height: number;
  readonly domain: Domain;
}

export class SurfacesPanel {
  readonly root: HTMLElement;
  #onChange: () => void;
  #fnSelect!: HTMLSelectElement;
  #description!: HTMLElement;
  #custom!: HTMLElement;
  #formula!: HTMLInputElement;
  #range!: { x0: HTMLInputElement; x1: HTMLInputElement; y0: HTMLInputElement; y1: HTMLInputElement };
  #formulaError!: HTMLElement;
  #gradText!: HTMLElement;
  #rows: Row[] = [];
  #startX!: HTMLInputElement;
  #startY!: HTMLInputElement;
  #steps!: HTMLInputElement;
  #speed!: HTMLSelectElement;
  #pause!: HTMLButtonElement;
  #canvas!: HTMLCanvasElement;
  #lossCanvas!: HTMLCanvasElement;
  #table!: HTMLTableSectionElement;
  #stage!: HTMLElement;

  /** The surface on screen (the last valid one when the typed formula is bad). */
  #surface: TestFunction;
  #levelScale: LevelScale = "log";
  #grid: Grid | null = null;
  #background: HTMLCanvasElement | null = null;
  #backgroundKey = "";
  #paths: HTMLCanvasElement | null = null;
  #pathsKey = "";
  #pathsRuns: Run[] | null = null;
  #pathsDrawn: number[] = [];
  #runs: Run[] = [];
  #frame = 0;
  #sideDrawn = 0;
  #paused = false;
  #visible = false;

  constructor(root: HTMLElement, onChange: () => void) {
    this.root = root;
    this.#onChange = onChange;
    this.#surface = testFunctions[0]!;
    this.#build();
    new ResizeObserver(() => this.#draw()).observe(this.#canvas);
  }

  #build(): void {
    const fnOptions = testFunctions.map((fn) => h("option", { value: fn.name }, fn.title));
    this.#fnSelect = h(
      "select",
      { id: "fn" },
      ...fnOptions,
      h("option", { value: "custom" }, "Custom formula…"),
    );
    this.#description = h("p", { class: "muted", id: "fn-description" });
    this.#formula = h("input", {
      id: "formula",
      type: "text",
      spellcheck: "false",
      autocomplete: "off",
      "aria-describedby": "formula-error formula-grad",
      value: DEFAULT_FORMULA,
    });
    const rangeInput = (id: string, label: string, value: number) =>
      h("input", { id, type: "number", step: "any", value, "aria-label": label });
    this.#range = {
      x0: rangeInput("x0", "x from", DEFAULT_DOMAIN.x[0]),
      x1: rangeInput("x1", "x to", DEFAULT_DOMAIN.x[1]),
      y0: rangeInput("y0", "y from", DEFAULT_DOMAIN.y[0]),
      y1: rangeInput("y1", "y to", DEFAULT_DOMAIN.y[1]),
    };
    this.#formulaError = h("p", { id: "formula-error", class: "error", role: "alert" });
    this.#gradText = h("p", { id: "formula-grad", class: "muted mono" });
    this.#custom = h(
      "div",
      { id: "custom-fields", hidden: true },
      h("label", { for: "formula" }, "f(x, y) ="),
      this.#formula,
      h("div", { class: "range" }, h("span", {}, "x ∈ ["), this.#range.x0, ",", this.#range.x1, "]"),
      h("div", { class: "range" }, h("span", {}, "y ∈ ["), this.#range.y0, ",", this.#range.y1, "]"),
      this.#formulaError,
      this.#gradText,
    );
    const surfaceSet = h(
      "fieldset",
      {},
      h("legend", {}, "Surface"),
      h("label", { for: "fn" }, "Function"),
      this.#fnSelect,
      this.#description,
      this.#custom,
    );

    const optSet = h("fieldset", { class: "optimizers" }, h("legend", {}, "Optimizers"));
    OPTIMIZERS.forEach((spec, i) => {
      const color = COLORS[i % COLORS.length]!;
      const id = `opt-${spec.id}`;
      const enabled = h("input", { type: "checkbox", id, checked: DEFAULT_OPTIMIZERS.includes(spec.id) });
      const lr = h("input", { type: "number", id: `${id}-lr`, step: "any", min: 0, class: "lr" });
      const inputs = new Map<string, HTMLInputElement>();
      const extra = spec.options.map((o) => {
        const input =
          o.kind === "boolean"
            ? h("input", { type: "checkbox", id: `${id}-${o.key}`, checked: o.default })
            : h("input", {
                type: "number",
                id: `${id}-${o.key}`,
                step: "any",
                min: o.min,
                max: o.max,
                value: o.default,
              });
        inputs.set(o.key, input);
        return h("label", { class: o.kind === "boolean" ? "check" : "" }, `${o.label} `, input);
      });
      const error = h("p", { class: "error", role: "alert", id: `${id}-error` });
      const row = h(
        "div",
        { class: "opt-row" },
        h(
          "div",
          { class: "opt-head" },
          enabled,
          h("label", { for: id }, h("span", { class: "swatch", style: `background:${color}` }), spec.label),
          h("label", { for: `${id}-lr`, class: "lr-label" }, "lr"),
          lr,
        ),
        extra.length > 0 ? h("details", {}, h("summary", {}, `${spec.label} options`), ...extra) : null,
        error,
      );
      optSet.append(row);
      this.#rows.push({ spec, color, enabled, lr, inputs, error });
    });

    this.#startX = h("input", { type: "number", id: "start-x", step: "any" });
    this.#startY = h("input", { type: "number", id: "start-y", step: "any" });
    this.#steps = h("input", { type: "number", id: "steps", min: 1, max: 5000, step: 1, value: 300 });
    this.#speed = h(
      "select",
      { id: "speed" },
      ...SPEEDS.map((s) => h("option", { value: s, selected: s === 2 }, `${s} per frame`)),
    );
    const run = h("button", { type: "submit", id: "run" }, "Run from start");
    this.#pause = h("button", { type: "button", id: "pause" }, "Pause");
    const runSet = h(
      "fieldset",
      { class: "run" },
      h("legend", {}, "Run"),
      h(
        "div",
        { class: "pair" },
        h("label", {}, "start x ", this.#startX),
        h("label", {}, "start y ", this.#startY),
      ),
      h(
        "div",
        { class: "pair" },
        h("label", {}, "steps ", this.#steps),
        h("label", {}, "speed ", this.#speed),
      ),
      h("div", { class: "buttons" }, run, this.#pause),
    );

    const form = h(
      "form",
      { class: "controls", "aria-label": "Surface and optimizers" },
      surfaceSet,
      optSet,
      runSet,
    );
    this.#canvas = h("canvas", {
      id: "surface-canvas",
      tabindex: 0,
      role: "img",
      "aria-label":
        "contour plot; click or press Enter to start the optimizers here, arrow keys move the start",
    });
    this.#lossCanvas = h("canvas", { id: "loss-canvas", role: "img", "aria-label": "loss over steps" });
    this.#table = h("tbody", {});
    const table = h(
      "table",
      { class: "losses", id: "loss-table" },
      h("caption", {}, "Live loss per optimizer"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "optimizer"),
          h("th", { scope: "col" }, "step"),
          h("th", { scope: "col" }, "loss"),
          h("th", { scope: "col" }, "(x, y)"),
          h("th", { scope: "col" }, "status"),
        ),
      ),
      this.#table,
    );
    this.#stage = h(
      "div",
      { class: "stage", "data-running": "false" },
      h("p", { class: "hint" }, "Click the map to start every optimizer there."),
      this.#canvas,
      table,
      this.#lossCanvas,
    );
    this.root.append(h("div", { class: "layout" }, form, this.#stage));

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.restart();
    });
    this.#fnSelect.addEventListener("change", () => {
      this.#selectSurface(true);
    });
    this.#formula.addEventListener("input", () => this.#selectSurface(true));
    for (const input of Object.values(this.#range))
      input.addEventListener("change", () => this.#selectSurface(true));
    for (const row of this.#rows) {
      for (const input of [row.enabled, row.lr, ...row.inputs.values()]) {
        input.addEventListener("change", () => this.restart());
      }
    }
    for (const input of [this.#startX, this.#startY, this.#steps]) {
      input.addEventListener("change", () => this.restart());
    }
    this.#speed.addEventListener("change", () => this.#onChange());
    this.#pause.addEventListener("click", () => this.#togglePause());
    this.#canvas.addEventListener("click", (e) => {
      const rect = this.#canvas.getBoundingClientRect();
      const pt = this.#toData(e.clientX - rect.left, e.clientY - rect.top, this.#view());
      this.#setStart(pt.x, pt.y);
      this.restart();
    });
    this.#canvas.addEventListener("keydown", (e) => this.#onKey(e));
  }

  /** Shows or hides the panel; animation runs only while it is shown. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) {
      this.#draw();
      this.#schedule();
    }
  }

  #onKey(e: KeyboardEvent): void {
    const d = this.#surface.domain;
    const dx = (d.x[1] - d.x[0]) / 50;
    const dy = (d.y[1] - d.y[0]) / 50;
    const start = this.#start();
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-dx, 0],
      ArrowRight: [dx, 0],
      ArrowUp: [0, dy],
      ArrowDown: [0, -dy],
    };
    const move = moves[e.key];
    if (move !== undefined) {
      e.preventDefault();
      this.#setStart(start.x + move[0], start.y + move[1]);
      this.#runs = [];
      this.#draw();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      this.restart();
    }
  }

  #togglePause(): void {
    this.#paused = !this.#paused;
    this.#pause.textContent = this.#paused ? "Resume" : "Pause";
    this.#schedule();
  }

  #setStart(x: number, y: number): void {
    const round = (v: number, span: number) =>
      Number(v.toFixed(Math.max(0, 3 - Math.floor(Math.log10(span)))));
    const d = this.#surface.domain;
    this.#startX.value = String(round(x, d.x[1] - d.x[0]));
    this.#startY.value = String(round(y, d.y[1] - d.y[0]));
  }

  #start(): { x: number; y: number } {
    const x = inputNumber(this.#startX);
    const y = inputNumber(this.#startY);
    return { x: x ?? this.#surface.defaultStart.x, y: y ?? this.#surface.defaultStart.y };
  }

  /** Reads the surface controls; on a bad formula shows the error and keeps the previous surface. */
  #selectSurface(resetStart: boolean): void {
    const name = this.#fnSelect.value;
    this.#custom.hidden = name !== "custom";
    let next: TestFunction;
    if (name === "custom") {
      const domain: Domain = {
        x: [inputNumber(this.#range.x0) ?? Number.NaN, inputNumber(this.#range.x1) ?? Number.NaN],
        y: [inputNumber(this.#range.y0) ?? Number.NaN, inputNumber(this.#range.y1) ?? Number.NaN],
      };
      try {
        const surface = parseFormula(this.#formula.value, domain);
        this.#formulaError.textContent = "";
        this.#formula.removeAttribute("aria-invalid");
        this.#gradText.textContent = `∂f/∂x = ${surface.gradText[0]};  ∂f/∂y = ${surface.gradText[1]}`;
        next = surface;
        this.#levelScale = "quantile";
      } catch (error) {
        if (!(error instanceof FormulaError)) throw error;
        this.#formulaError.textContent = `Formula error: ${error.message}. The map keeps the last valid surface.`;
        this.#formula.setAttribute("aria-invalid", "true");
        this.#gradText.textContent = "";
        this.#onChange();
        return;
      }
      this.#description.textContent = "Your formula; the gradient is its symbolic derivative.";
    } else {
      next = testFunctions.find((fn) => fn.name === name) ?? testFunctions[0]!;
      this.#levelScale = next.contourScale;
      this.#description.textContent = next.description;
    }
    const changed = next !== this.#surface;
    this.#surface = next;
    if (changed) this.#grid = null;
    if (resetStart) {
      this.#setStart(next.defaultStart.x, next.defaultStart.y);
      this.#fillDefaultLrs(true);
    }
    this.restart();
  }

  /** Sets each optimizer's lr input to the surface's suggestion (or only the empty ones). */
  #fillDefaultLrs(overwrite: boolean): void {
    for (const row of this.#rows) {
      if (overwrite || row.lr.value === "") row.lr.value = String(defaultLr(row.spec, this.#surface));
    }
  }

  /** Builds a run per enabled optimizer (showing construction errors by the optimizer) and animates. */
  restart(): void {
    this.#runs = [];
    const start = this.#start();
    if (this.#startX.value === "") this.#setStart(start.x, start.y);
    this.#rows.forEach((row) => {
      row.error.textContent = "";
      row.lr.removeAttribute("aria-invalid");
      if (!row.enabled.checked) return;
      const lr = inputNumber(row.lr);
      if (lr === null) {
        row.error.textContent = "lr must be a number";
        row.lr.setAttribute("aria-invalid", "true");
        return;
      }
      const values: OptionValues = {};
      for (const o of row.spec.options) {
        const input = row.inputs.get(o.key)!;
        if (o.kind === "boolean") values[o.key] = input.checked;
        else values[o.key] = inputNumber(input) ?? Number.NaN;
      }
      try {
        const p = param(new Float64Array([start.x, start.y]), { name: "xy" });
        const opt = row.spec.make([p], lr, values);
        const loss = this.#surface.f(start.x, start.y);
        this.#runs.push({
          spec: row.spec,
          color: row.color,
          p,
          opt,
          xs: [start.x],
          ys: [start.y],
          losses: [loss],
          status: "running",
        });
      } catch (error) {
        row.error.textContent = error instanceof Error ? error.message : String(error);
      }
    });
    this.#onChange();
    this.#renderTable();
    this.#draw();
    this.#schedule();
  }

  #maxSteps(): number {
    return readNumber(this.#steps.value, 300, { min: 1, max: 5000, integer: true });
  }

  #schedule(): void {
    const running = this.#runs.some((r) => r.status === "running");
    this.#stage.dataset.running = String(running && !this.#paused);
    if (this.#frame !== 0 || !running || this.#paused || !this.#visible) return;
    this.#frame = requestAnimationFrame((now) => {
      this.#frame = 0;
      this.#advance(Number(this.#speed.value) || 1);
      // the paths move every frame; the table and loss chart ~8 times a second (and at the end)
      const finished = !this.#runs.some((r) => r.status === "running");
      const side = finished || now - this.#sideDrawn > 120;
      if (side) {
        this.#sideDrawn = now;
        this.#renderTable();
      }
      this.#draw(side);
      this.#schedule();
    });
  }

  /** Runs up to `k` optimizer steps for each running optimizer. */
  #advance(k: number): void {
    const fn = this.#surface;
    const limit = 1e3 * Math.hypot(fn.domain.x[1] - fn.domain.x[0], fn.domain.y[1] - fn.domain.y[0]);
    const steps = this.#maxSteps();
    for (const run of this.#runs) {
      for (let s = 0; s < k && run.status === "running"; s++) {
        const data = run.p.data;
        run.opt.step(() => {
          fn.grad(data[0]!, data[1]!, run.p.gradBuffer());
          return fn.f(data[0]!, data[1]!);
        });
        const x = data[0]!;
        const y = data[1]!;
        const loss = fn.f(x, y);
        run.xs.push(x);
        run.ys.push(y);
        run.losses.push(loss);
        if (!Number.isFinite(loss) || !Number.isFinite(x) || Math.abs(x) > limit || Math.abs(y) > limit) {
          run.status = "diverged";
        } else if (run.xs.length > steps) {
          run.status = "done";
        }
      }
    }
  }

  #renderTable(): void {
    const rows = this.#runs.map((run) => {
      const n = run.losses.length - 1;
      return h(
        "tr",
        { "data-optimizer": run.spec.id },
        h(
          "th",
          { scope: "row" },
          h("span", { class: "swatch", style: `background:${run.color}` }),
          run.spec.label,
        ),
        h("td", {}, String(n)),
        h("td", { class: "loss" }, show(run.losses[n]!)),
        h("td", {}, `(${show(run.xs[n]!)}, ${show(run.ys[n]!)})`),
        h("td", {}, run.status),
      );
    });
    this.#table.replaceChildren(...rows);
  }

  #view(): View {
    const width = this.#canvas.clientWidth || 600;
    return { width, height: this.#canvas.clientHeight || width * 0.8, domain: this.#surface.domain };
  }

  #toPixel(x: number, y: number, v: View): [number, number] {
    const d = v.domain;
    return [((x - d.x[0]) / (d.x[1] - d.x[0])) * v.width, (1 - (y - d.y[0]) / (d.y[1] - d.y[0])) * v.height];
  }

  #toData(px: number, py: number, v: View): { x: number; y: number } {
    const d = v.domain;
    return {
      x: d.x[0] + (px / v.width) * (d.x[1] - d.x[0]),
      y: d.y[0] + (1 - py / v.height) * (d.y[1] - d.y[0]),
    };
  }

  /** The heat map and contour lines, drawn once per surface and size into an offscreen canvas. */
  #backgroundFor(v: View, dpr: number): HTMLCanvasElement {
    const d = this.#surface.domain;
    const key = `${this.#surface.title}|${d.x}|${d.y}|${v.width}x${v.height}|${dpr}`;
    if (this.#background !== null && this.#backgroundKey === key) return this.#background;
    const fn = this.#surface;
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
    const pos = colorPosition(grid.values, this.#levelScale);
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
    for (const level of contourLevels(grid.values, 18, this.#levelScale)) {
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
  #pathsFor(v: View, dpr: number): HTMLCanvasElement {
    const d = v.domain;
    const key = `${this.#surface.title}|${d.x}|${d.y}|${v.width}x${v.height}|${dpr}`;
    let layer = this.#paths;
    if (layer === null || this.#pathsKey !== key || this.#pathsRuns !== this.#runs) {
      layer ??= document.createElement("canvas");
      layer.width = Math.round(v.width * dpr);
      layer.height = Math.round(v.height * dpr);
      this.#paths = layer;
      this.#pathsKey = key;
      this.#pathsRuns = this.#runs;
      this.#pathsDrawn = this.#runs.map(() => 0);
    }
    const ctx = layer.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    ctx.lineWidth = 2.5;
    this.#runs.forEach((run, k) => {
      const from = Math.max(0, (this.#pathsDrawn[k] ?? 0) - 1);
      if (run.xs.length - from < 2) return;
      ctx.strokeStyle = run.color;
      ctx.beginPath();
      for (let i = from; i < run.xs.length; i++) {
        const [x, y] = this.#toPixel(run.xs[i]!, run.ys[i]!, v);
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

  #draw(withLoss = true): void {
    if (!this.#visible) return;
    const { width, height } = fitCanvas(this.#canvas);
    const ctx = this.#canvas.getContext("2d");
    if (ctx === null) return;
    const v: View = { width, height, domain: this.#surface.domain };
    const dpr = this.#canvas.width / width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.#backgroundFor(v, dpr), 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const m of this.#surface.minima) {
      const [x, y] = this.#toPixel(m.x, m.y, v);
      star(ctx, x, y, m.global ? 7 : 5, m.global ? "#111" : "#555");
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.#pathsFor(v, dpr), 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (const run of this.#runs) {
      const last = run.xs.length - 1;
      const [x, y] = this.#toPixel(run.xs[last]!, run.ys[last]!, v);
      if (Number.isFinite(x) && Number.isFinite(y)) {
        ctx.fillStyle = run.color;
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
    const start = this.#start();
    const [sx, sy] = this.#toPixel(start.x, start.y, v);
    ctx.fillStyle = "#fff";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
    this.#canvas.setAttribute(
      "aria-label",
      `${this.#surface.title}: contour plot with ${this.#runs.length} optimizer paths from (${show(start.x)}, ${show(start.y)}). Click or press Enter to start the optimizers there; arrow keys move the start.`,
    );
    if (withLoss) this.#drawLoss();
  }

  #drawLoss(): void {
    const fStar = globalMinimum(this.#surface);
    const known = Number.isFinite(fStar);
    const series = this.#runs.map((run) => ({
      values: known ? run.losses.map((l) => Math.max(l - fStar, 1e-16)) : run.losses,
      color: run.color,
      width: 2,
    }));
    drawChart(this.#lossCanvas, series, {
      xLabel: "step",
      yLabel: known ? "loss − min (log)" : "loss",
      logY: known,
      height: 200,
    });
  }

  /** Writes the panel's state into the URL parameters. */
  write(params: URLSearchParams): void {
    const name = this.#fnSelect.value;
    params.set("fn", name);
    if (name === "custom") {
      params.set("f", this.#formula.value);
      params.set("xr", `${this.#range.x0.value},${this.#range.x1.value}`);
      params.set("yr", `${this.#range.y0.value},${this.#range.y1.value}`);
    }
    const items = this.#rows
      .filter((row) => row.enabled.checked)
      .map((row) => {
        const values: Record<string, string> = { lr: row.lr.value };
        for (const o of row.spec.options) {
          const input = row.inputs.get(o.key)!;
          const value = o.kind === "boolean" ? (input.checked ? "1" : "0") : input.value;
          const isDefault = o.kind === "boolean" ? input.checked === o.default : Number(value) === o.default;
          if (!isDefault) values[o.key] = value;
        }
        return { id: row.spec.id, values };
      });
    params.set("opt", encodeItems(items));
    params.set("start", `${this.#startX.value},${this.#startY.value}`);
    params.set("steps", this.#steps.value);
    params.set("speed", this.#speed.value);
  }

  /** Restores the panel from URL parameters (anything missing or invalid takes its default). */
  read(params: URLSearchParams): void {
    const name = params.get("fn");
    const known = name === "custom" || testFunctions.some((fn) => fn.name === name);
    this.#fnSelect.value = known && name !== null ? name : testFunctions[0]!.name;
    if (this.#fnSelect.value === "custom") {
      this.#formula.value = params.get("f") ?? DEFAULT_FORMULA;
      const xr = readPair(params.get("xr")) ?? DEFAULT_DOMAIN.x;
      const yr = readPair(params.get("yr")) ?? DEFAULT_DOMAIN.y;
      this.#range.x0.value = formatNumber(xr[0]);
      this.#range.x1.value = formatNumber(xr[1]);
      this.#range.y0.value = formatNumber(yr[0]);
      this.#range.y1.value = formatNumber(yr[1]);
    }
    const fn = testFunctions.find((f) => f.name === this.#fnSelect.value);
    const suggested = fn ?? { suggestedLr: { sgd: 0.01, adaptive: 0.05 } };
    const items: Item[] = params.has("opt")
      ? decodeItems(params.get("opt"))
      : DEFAULT_OPTIMIZERS.map((id) => ({ id, values: {} }));
    for (const row of this.#rows) {
      const item = items.find((it) => it.id === row.spec.id && optimizerSpec(it.id) !== undefined);
      row.enabled.checked = item !== undefined;
      const lr = readNumber(item?.values.lr, Number.NaN, { min: 0 });
      row.lr.value = String(Number.isNaN(lr) ? defaultLr(row.spec, suggested) : lr);
      const defaults = defaultValues(row.spec);
      for (const o of row.spec.options) {
        const input = row.inputs.get(o.key)!;
        const text = item?.values[o.key];
        if (o.kind === "boolean") input.checked = text === undefined ? o.default : text === "1";
        else input.value = String(readNumber(text, defaults[o.key] as number));
      }
    }
    const start = readPair(params.get("start"));
    this.#startX.value = start === null ? "" : formatNumber(start[0]);
    this.#startY.value = start === null ? "" : formatNumber(start[1]);
    this.#steps.value = String(readNumber(params.get("steps"), 300, { min: 1, max: 5000, integer: true }));
    const speed = readNumber(params.get("speed"), 2);
    this.#speed.value = String(SPEEDS.includes(speed) ? speed : 2);
    this.#selectSurface(false);
    if (start === null) this.#setStart(this.#surface.defaultStart.x, this.#surface.defaultStart.y);
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
