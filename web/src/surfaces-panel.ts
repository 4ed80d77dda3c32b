// The surfaces panel: a lab test function or a typed formula drawn as a heat map with contours; chosen
// optimizers run real descent steps from a clicked start point, a few steps per animation frame, and their
// paths and losses update live. With "Step on the GPU" they step on WebGPU (gpu-race.ts, loaded only then,
// with its WGSL kernels), where the browser has an adapter; the panel says where they ran, and falls back to
// the CPU saying why.

import type { TestFunction } from "../../src/lab/functions.js";
import { type Domain, testFunctions } from "../../src/lab/functions.js";
import { RaceRunner } from "../../src/lab/race.js";
import type { LevelScale } from "./contour.js";
import { type Lang, surfaceText } from "../../src/lab/i18n.js";
import { h, inputNumber, show, Words } from "./dom.js";
import { FormulaError, parseFormula } from "./formula.js";
import type { GpuRaceRunner, NoGpu } from "./gpu-race.js";
import { defaultLr, type OptimizerSpec, type OptionValues } from "./optimizer-catalog.js";
import { type DrawnPath, SurfaceRenderer } from "./surface-renderer.js";
import {
  buildControls,
  type OptimizerRow,
  type SurfacesControls,
  type SurfacesWords,
  surfacesWords,
} from "./surfaces-controls.js";
import { readSurfacesState, writeSurfacesState } from "./surfaces-url.js";
import { readNumber } from "./url-state.js";

/** An optimizer running on the surface; `xs`, `ys`, `losses` are its runner's growing arrays. */
type Run = DrawnPath & { readonly spec: OptimizerSpec } & (
    | { readonly onGpu: false; readonly runner: RaceRunner }
    | { readonly onGpu: true; readonly runner: GpuRaceRunner }
  );

function isDevice(d: GPUDevice | NoGpu | null): d is GPUDevice {
  return d !== null && !("reason" in d);
}

export class SurfacesPanel {
  readonly root: HTMLElement;
  #onChange: () => void;
  readonly #words: SurfacesWords = new Words(surfacesWords("en"));
  readonly #c: SurfacesControls = buildControls(this.#words);
  #canvas!: HTMLCanvasElement;
  #lossCanvas!: HTMLCanvasElement;
  #table!: HTMLTableSectionElement;
  #stage!: HTMLElement;

  /** The surface on screen (the last valid one when the typed formula is bad). */
  #surface: TestFunction;
  #levelScale: LevelScale = "log";
  #renderer!: SurfaceRenderer;
  /** A new array per restart (the renderer starts a new paths layer for it). */
  #runs: Run[] = [];
  #frame = 0;
  #sideDrawn = 0;
  #paused = false;
  #visible = false;
  /** The typed formula's parse error (the reader's words), or null. */
  #formulaProblem: string | null = null;
  readonly #rowProblems = new Map<OptimizerRow, { kind: "lr" } | { kind: "optimizer"; message: string }>();
  /** The lab's GPU device, why there is none, or null: not asked yet (the toggle was never on). */
  #gpu: GPUDevice | NoGpu | null = null;
  /** gpu-race.ts, once the toggle was on. */
  #gpuRace: typeof import("./gpu-race.js") | null = null;
  #gpuAsking = false;
  /** The message of a GPU step that failed (the runs then went back to the CPU). */
  #gpuFailure: string | null = null;
  /** A frame's GPU steps are under way (the next frame waits for them). */
  #stepping = false;

  constructor(root: HTMLElement, onChange: () => void) {
    this.root = root;
    this.#onChange = onChange;
    this.#surface = testFunctions[0]!;
    this.#build();
    new ResizeObserver(() => this.#draw()).observe(this.#canvas);
  }

  #build(): void {
    const form = this.#c.form;
    const w = this.#words;
    this.#canvas = h("canvas", {
      id: "surface-canvas",
      tabindex: 0,
      role: "img",
      "aria-label": w.current.canvasAria,
    });
    this.#lossCanvas = w.attr(
      h("canvas", { id: "loss-canvas", role: "img" }),
      "aria-label",
      (t) => t.lossAria,
    );
    this.#renderer = new SurfaceRenderer(this.#canvas, this.#lossCanvas, w.current);
    this.#table = h("tbody", {});
    const table = h(
      "table",
      { class: "losses", id: "loss-table" },
      h(
        "caption",
        {},
        w.text((t) => t.tableCaption),
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...[0, 1, 2, 3, 4].map((i) =>
            h(
              "th",
              { scope: "col" },
              w.text((t) => t.columns[i]!),
            ),
          ),
        ),
      ),
      this.#table,
    );
    this.#stage = h(
      "div",
      { class: "stage", "data-running": "false" },
      h(
        "p",
        { class: "hint" },
        w.text((t) => t.hint),
      ),
      this.#canvas,
      table,
      this.#lossCanvas,
    );
    this.root.append(h("div", { class: "layout" }, form, this.#stage));

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.restart();
    });
    this.#c.fnSelect.addEventListener("change", () => {
      this.#selectSurface(true);
    });
    this.#c.formula.addEventListener("input", () => this.#selectSurface(true));
    for (const input of Object.values(this.#c.range))
      input.addEventListener("change", () => this.#selectSurface(true));
    for (const row of this.#c.rows) {
      for (const input of [row.enabled, row.lr, ...row.inputs.values()]) {
        input.addEventListener("change", () => this.restart());
      }
    }
    for (const input of [this.#c.startX, this.#c.startY, this.#c.steps]) {
      input.addEventListener("change", () => this.restart());
    }
    this.#c.speed.addEventListener("change", () => this.#onChange());
    this.#c.gpu.addEventListener("change", () => {
      // asked again after a failure: a device may be there now
      if (this.#c.gpu.checked && !isDevice(this.#gpu)) this.#gpu = null;
      this.#gpuFailure = null;
      this.restart();
    });
    this.#c.pause.addEventListener("click", () => this.#togglePause());
    this.#canvas.addEventListener("click", (e) => {
      const rect = this.#canvas.getBoundingClientRect();
      const view = this.#renderer.view(this.#surface.domain);
      const pt = this.#renderer.toData(e.clientX - rect.left, e.clientY - rect.top, view);
      this.#setStart(pt.x, pt.y);
      this.restart();
    });
    this.#canvas.addEventListener("keydown", (e) => this.#onKey(e));
  }

  /** Says everything in `lang`: labels, the surface's name and description, messages, the table, the charts. */
  setLang(lang: Lang): void {
    this.#words.set(surfacesWords(lang));
    this.#renderer.text = this.#words.current;
    this.#c.pause.textContent = this.#paused ? this.#words.current.resume : this.#words.current.pause;
    this.#describe();
    this.#showRowErrors();
    this.#showGpu();
    this.#renderTable();
    this.#draw();
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
    this.#c.pause.textContent = this.#paused ? this.#words.current.resume : this.#words.current.pause;
    // the table is drawn a few times a second: show where the paths stopped
    this.#renderTable();
    this.#schedule();
  }

  #setStart(x: number, y: number): void {
    const round = (v: number, span: number) =>
      Number(v.toFixed(Math.max(0, 3 - Math.floor(Math.log10(span)))));
    const d = this.#surface.domain;
    this.#c.startX.value = String(round(x, d.x[1] - d.x[0]));
    this.#c.startY.value = String(round(y, d.y[1] - d.y[0]));
  }

  #start(): { x: number; y: number } {
    const x = inputNumber(this.#c.startX);
    const y = inputNumber(this.#c.startY);
    return { x: x ?? this.#surface.defaultStart.x, y: y ?? this.#surface.defaultStart.y };
  }

  /** Reads the surface controls; on a bad formula shows the error and keeps the previous surface. */
  #selectSurface(resetStart: boolean): void {
    const name = this.#c.fnSelect.value;
    this.#c.custom.hidden = name !== "custom";
    let next: TestFunction;
    if (name === "custom") {
      const domain: Domain = {
        x: [inputNumber(this.#c.range.x0) ?? Number.NaN, inputNumber(this.#c.range.x1) ?? Number.NaN],
        y: [inputNumber(this.#c.range.y0) ?? Number.NaN, inputNumber(this.#c.range.y1) ?? Number.NaN],
      };
      try {
        const surface = parseFormula(this.#c.formula.value, domain);
        this.#formulaProblem = null;
        this.#c.formula.removeAttribute("aria-invalid");
        next = surface;
        this.#levelScale = "quantile";
      } catch (error) {
        if (!(error instanceof FormulaError)) throw error;
        this.#formulaProblem = error.message;
        this.#c.formula.setAttribute("aria-invalid", "true");
        this.#describe();
        this.#onChange();
        return;
      }
    } else {
      this.#formulaProblem = null;
      next = testFunctions.find((fn) => fn.name === name) ?? testFunctions[0]!;
      this.#levelScale = next.contourScale;
    }
    const changed = next !== this.#surface;
    this.#surface = next;
    this.#describe();
    if (changed) this.#renderer.resetGrid();
    if (resetStart) {
      this.#setStart(next.defaultStart.x, next.defaultStart.y);
      this.#fillDefaultLrs(true);
    }
    this.restart();
  }

  /** The surface's description, the formula's gradient line and its error, in the current words. */
  #describe(): void {
    const t = this.#words.current;
    const custom = this.#c.fnSelect.value === "custom";
    const problem = custom ? this.#formulaProblem : null;
    this.#c.formulaError.textContent = problem === null ? "" : t.formulaError(problem);
    this.#c.gradText.textContent = custom && problem === null ? t.gradExact : "";
    // on a bad formula the description stays that of the surface still shown
    if (problem !== null) return;
    this.#c.description.textContent = custom
      ? t.customDescription
      : surfaceText(this.#surface, t.lang).description;
  }

  /** Each optimizer row's error (a bad lr, or the optimizer's own message), in the current words. */
  #showRowErrors(): void {
    const t = this.#words.current;
    for (const row of this.#c.rows) {
      const problem = this.#rowProblems.get(row);
      row.error.textContent =
        problem === undefined
          ? ""
          : problem.kind === "lr"
            ? t.lrNotNumber
            : t.optimizerError(problem.message);
    }
  }

  /** Sets each optimizer's lr input to the surface's suggestion (or only the empty ones). */
  #fillDefaultLrs(overwrite: boolean): void {
    for (const row of this.#c.rows) {
      if (overwrite || row.lr.value === "") row.lr.value = String(defaultLr(row.spec, this.#surface));
    }
  }

  /**
   * Builds a run per enabled optimizer (showing construction errors by the optimizer) and animates; on the
   * GPU when the toggle is on and there is a device (asked for first, once).
   */
  restart(): void {
    for (const run of this.#runs) if (run.onGpu) run.runner.destroy();
    this.#runs = [];
    if (this.#c.gpu.checked && this.#gpu === null) {
      if (!this.#gpuAsking) {
        this.#gpuAsking = true;
        void import("./gpu-race.js")
          .then((m) => {
            this.#gpuRace = m;
            return m.labDevice();
          })
          .catch(
            (e: unknown): NoGpu => ({
              reason: "device-failed",
              message: e instanceof Error ? e.message : String(e),
            }),
          )
          .then((d) => {
            this.#gpuAsking = false;
            this.#gpu = d;
            this.restart();
          });
      }
      this.#showGpu();
      this.#renderTable();
      this.#draw();
      return;
    }
    const gpu =
      this.#c.gpu.checked && isDevice(this.#gpu) && this.#gpuRace !== null
        ? { device: this.#gpu, race: this.#gpuRace }
        : null;
    const start = this.#start();
    if (this.#c.startX.value === "") this.#setStart(start.x, start.y);
    this.#rowProblems.clear();
    this.#c.rows.forEach((row) => {
      row.lr.removeAttribute("aria-invalid");
      if (!row.enabled.checked) return;
      const lr = inputNumber(row.lr);
      if (lr === null) {
        this.#rowProblems.set(row, { kind: "lr" });
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
        const path = { spec: row.spec, color: row.color };
        if (gpu?.race.runsOnGpu(row.spec)) {
          const runner = new gpu.race.GpuRaceRunner(
            gpu.device,
            this.#surface,
            row.spec,
            lr,
            values,
            start,
            this.#maxSteps(),
          );
          this.#runs.push({
            ...path,
            onGpu: true,
            runner,
            xs: runner.xs,
            ys: runner.ys,
            losses: runner.losses,
          });
        } else {
          const runner = new RaceRunner(
            this.#surface,
            (params) => row.spec.make(params, lr, values),
            start,
            this.#maxSteps(),
          );
          this.#runs.push({
            ...path,
            onGpu: false,
            runner,
            xs: runner.xs,
            ys: runner.ys,
            losses: runner.losses,
          });
        }
      } catch (error) {
        this.#rowProblems.set(row, {
          kind: "optimizer",
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
    this.#showRowErrors();
    this.#showGpu();
    this.#onChange();
    this.#renderTable();
    this.#draw();
    this.#schedule();
  }

  /** Where the runs step: nothing when the toggle is off, else the GPU's message, or why not. */
  #showGpu(): void {
    const t = this.#words.current;
    const status = this.#c.gpuStatus;
    status.textContent = "";
    if (!this.#c.gpu.checked) return;
    if (this.#gpuFailure !== null) status.textContent = t.gpuFailed(this.#gpuFailure);
    else if (this.#gpu === null) status.textContent = t.gpuLooking;
    else if (!isDevice(this.#gpu)) status.textContent = t.gpuUnavailable(this.#gpu);
    else {
      const onGpu = this.#runs.filter((r) => r.onGpu).length;
      const cpu = this.#runs.filter((r) => !r.onGpu).map((r) => r.spec.label);
      status.textContent = t.gpuOn(onGpu, cpu);
    }
    status.dataset.where =
      this.#c.gpu.checked && isDevice(this.#gpu) && this.#gpuFailure === null ? "gpu" : "cpu";
  }

  #maxSteps(): number {
    return readNumber(this.#c.steps.value, 300, { min: 1, max: 5000, integer: true });
  }

  #schedule(): void {
    const running = this.#runs.some((r) => r.runner.status === "running");
    this.#stage.dataset.running = String(running && !this.#paused);
    if (this.#frame !== 0 || this.#stepping || !running || this.#paused || !this.#visible) return;
    this.#frame = requestAnimationFrame((now) => {
      this.#frame = 0;
      // a frame asked for before a pause (or a hidden tab) does not step
      if (this.#paused || !this.#visible) return;
      const runs = this.#runs;
      const gpuSteps = this.#advance(Number(this.#c.speed.value) || 1);
      if (gpuSteps === null) {
        this.#stepped(now);
        return;
      }
      this.#stepping = true;
      gpuSteps.then(
        () => {
          this.#stepping = false;
          // a restart while the steps ran has drawn (and scheduled) its own runs
          if (runs === this.#runs) this.#stepped(now);
          else this.#schedule();
        },
        (error: unknown) => {
          this.#stepping = false;
          this.#gpuFailure = error instanceof Error ? error.message : String(error);
          this.#gpu = { reason: "device-failed", message: this.#gpuFailure };
          this.restart();
        },
      );
    });
  }

  /** After a frame's steps: the paths move every frame; the table and loss chart ~8 times a second (and at the end). */
  #stepped(now: number): void {
    const finished = !this.#runs.some((r) => r.runner.status === "running");
    const side = finished || now - this.#sideDrawn > 120;
    if (side) {
      this.#sideDrawn = now;
      this.#renderTable();
    }
    this.#draw(side);
    this.#schedule();
  }

  /** Runs up to `k` optimizer steps for each running optimizer; the GPU runs' steps resolve later. */
  #advance(k: number): Promise<unknown> | null {
    const gpu: Promise<void>[] = [];
    for (const run of this.#runs) {
      if (run.onGpu) gpu.push(run.runner.advance(k));
      else run.runner.advance(k);
    }
    return gpu.length === 0 ? null : Promise.all(gpu);
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
          run.onGpu ? h("span", { class: "badge" }, "GPU") : null,
        ),
        h("td", {}, String(n)),
        h("td", { class: "loss" }, show(run.losses[n]!)),
        h("td", {}, `(${show(run.xs[n]!)}, ${show(run.ys[n]!)})`),
        h("td", { "data-status": run.runner.status }, this.#words.current.status[run.runner.status]),
      );
    });
    this.#table.replaceChildren(...rows);
  }

  #draw(withLoss = true): void {
    if (!this.#visible) return;
    this.#renderer.draw(this.#surface, this.#levelScale, this.#runs, this.#start(), withLoss);
  }

  /** Writes the panel's state into the URL parameters. */
  write(params: URLSearchParams): void {
    writeSurfacesState(this.#c, params);
  }

  /** Restores the panel from URL parameters (anything missing or invalid takes its default). */
  read(params: URLSearchParams): void {
    const { start } = readSurfacesState(this.#c, params);
    this.#selectSurface(false);
    if (start === null) this.#setStart(this.#surface.defaultStart.x, this.#surface.defaultStart.y);
  }
}
