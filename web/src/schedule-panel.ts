// The schedule designer: pick a schedule (optionally followed by a second at a milestone, as SequentialLR),
// set its options, see lr and momentum over the steps, and copy the same design as descent or PyTorch code.

import { drawChart } from "./chart.js";
import { h, inputNumber, Words } from "./dom.js";
import { LAB_TEXT, type ScheduleText } from "./lab-text.js";
import type { Lang } from "../../src/lab/i18n.js";
import {
  type Configured,
  type Design,
  preview,
  ScheduleOptionError,
  pytorchCode,
  SCHEDULES,
  type ScheduleSpec,
  type ScheduleValues,
  scheduleSpec,
  typescriptCode,
} from "./schedule-catalog.js";
import { decodeItems, encodeItems, formatNumber, readNumber } from "./url-state.js";

const MAX_STEPS = 5000;

interface Picker {
  readonly select: HTMLSelectElement;
  readonly fields: HTMLElement;
  inputs: Map<string, HTMLInputElement>;
}

export class SchedulePanel {
  readonly root: HTMLElement;
  #onChange: () => void;
  #first: Picker;
  #then: Picker;
  #useThen: HTMLInputElement;
  #milestone: HTMLInputElement;
  #lr: HTMLInputElement;
  #momentum: HTMLInputElement;
  #steps: HTMLInputElement;
  #error: HTMLElement;
  #lrCanvas: HTMLCanvasElement;
  #momentumCanvas: HTMLCanvasElement;
  #ts: HTMLElement;
  #py: HTMLElement;
  #visible = false;
  readonly #words = new Words<ScheduleText>(LAB_TEXT.en.schedule);

  constructor(root: HTMLElement, onChange: () => void) {
    this.root = root;
    this.#onChange = onChange;
    const w = this.#words;
    this.#first = this.#picker("sched-first", "CosineAnnealingLR");
    this.#then = this.#picker("sched-then", "CosineAnnealingLR");
    this.#useThen = h("input", { type: "checkbox", id: "sched-use-then" });
    this.#milestone = h("input", { type: "number", id: "sched-milestone", min: 1, step: 1, value: 10 });
    this.#lr = h("input", { type: "number", id: "sched-lr", min: 0, step: "any", value: 0.1 });
    this.#momentum = h("input", {
      type: "number",
      id: "sched-momentum",
      min: 0,
      max: 1,
      step: 0.01,
      value: 0.9,
    });
    this.#steps = h("input", { type: "number", id: "sched-steps", min: 1, max: 5000, step: 1, value: 100 });
    this.#error = h("p", { class: "error", role: "alert", id: "sched-error" });
    this.#lrCanvas = w.attr(h("canvas", { id: "lr-canvas", role: "img" }), "aria-label", (t) => t.lrAria);
    this.#momentumCanvas = w.attr(
      h("canvas", { id: "momentum-canvas", role: "img" }),
      "aria-label",
      (t) => t.momentumAria,
    );
    this.#ts = h("code", { id: "code-ts" });
    this.#py = h("code", { id: "code-py" });
    const copy = (code: HTMLElement, label: string) => {
      const button = h("button", { type: "button", class: "copy" });
      w.on((t) => {
        button.textContent = t.copy(label);
      });
      button.addEventListener("click", () => {
        void navigator.clipboard?.writeText(code.textContent ?? "").then(
          () => {
            button.textContent = w.current.copied;
            setTimeout(() => (button.textContent = w.current.copy(label)), 1200);
          },
          () => undefined,
        );
      });
      return button;
    };
    const form = w.attr(
      h(
        "form",
        { class: "controls" },
        h(
          "fieldset",
          {},
          h(
            "legend",
            {},
            w.text((t) => t.optimizer),
          ),
          h(
            "div",
            { class: "pair" },
            h(
              "label",
              {},
              w.text((t) => t.initialLr),
              " ",
              this.#lr,
            ),
            h(
              "label",
              {},
              w.text((t) => t.momentum),
              " ",
              this.#momentum,
            ),
          ),
          h(
            "label",
            {},
            w.text((t) => t.schedulerSteps),
            " ",
            this.#steps,
          ),
        ),
        h(
          "fieldset",
          {},
          h(
            "legend",
            {},
            w.text((t) => t.schedule),
          ),
          this.#first.select,
          this.#first.fields,
        ),
        h(
          "fieldset",
          {},
          h(
            "legend",
            {},
            w.text((t) => t.sequel),
          ),
          h(
            "label",
            { class: "check" },
            this.#useThen,
            " ",
            w.text((t) => t.useThen),
          ),
          h(
            "label",
            {},
            w.text((t) => t.atStep),
            " ",
            this.#milestone,
          ),
          this.#then.select,
          this.#then.fields,
        ),
        this.#error,
      ),
      "aria-label",
      (t) => t.formAria,
    );
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("input", (e) => {
      if (e.target instanceof HTMLSelectElement) return;
      this.#update();
    });
    for (const p of [this.#first, this.#then]) {
      p.select.addEventListener("change", () => {
        this.#fill(p, scheduleSpec(p.select.value)!, {});
        this.#update();
      });
    }
    const stage = h(
      "div",
      { class: "stage" },
      h(
        "h3",
        {},
        w.text((t) => t.lrHeading),
      ),
      this.#lrCanvas,
      h(
        "h3",
        {},
        w.text((t) => t.momentumHeading),
      ),
      this.#momentumCanvas,
      h("div", { class: "code-head" }, h("h3", {}, "descent (TypeScript)"), copy(this.#ts, "TypeScript")),
      h("pre", {}, this.#ts),
      h("div", { class: "code-head" }, h("h3", {}, "PyTorch"), copy(this.#py, "PyTorch")),
      h("pre", {}, this.#py),
    );
    this.root.append(h("div", { class: "layout" }, form, stage));
    new ResizeObserver(() => this.#update()).observe(this.#lrCanvas);
  }

  #picker(id: string, initial: string): Picker {
    const select = this.#words.attr(
      h(
        "select",
        { id, translate: "no" },
        ...SCHEDULES.map((s) => h("option", { value: s.id, selected: s.id === initial }, s.id)),
      ),
      "aria-label",
      (t) => t.selectAria,
    );
    const picker: Picker = { select, fields: h("div", { class: "fields" }), inputs: new Map() };
    this.#fill(picker, scheduleSpec(initial)!, {});
    return picker;
  }

  #fill(p: Picker, spec: ScheduleSpec, values: Record<string, string>): void {
    p.select.value = spec.id;
    p.inputs = new Map();
    const labels = spec.options.map((o) => {
      const value = readNumber(values[o.key], o.default, { min: o.min, max: o.max, integer: o.integer });
      const input = h("input", {
        type: "number",
        id: `${p.select.id}-${o.key}`,
        step: o.integer ? 1 : "any",
        min: o.min,
        max: o.max,
        value: formatNumber(value),
      });
      p.inputs.set(o.key, input);
      return h("label", {}, h("code", {}, o.key), " ", input);
    });
    p.fields.replaceChildren(...labels);
  }

  #configured(p: Picker): Configured {
    const spec = scheduleSpec(p.select.value)!;
    const values: ScheduleValues = {};
    for (const o of spec.options) values[o.key] = inputNumber(p.inputs.get(o.key)!) ?? Number.NaN;
    return { spec, values };
  }

  setLang(lang: Lang): void {
    this.#words.set(LAB_TEXT[lang].schedule);
    this.#update();
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) this.#update();
  }

  #design(): Design {
    return {
      lr: inputNumber(this.#lr) ?? Number.NaN,
      momentum: inputNumber(this.#momentum) ?? Number.NaN,
      steps: inputNumber(this.#steps) ?? Number.NaN,
      first: this.#configured(this.#first),
      next: this.#useThen.checked ? this.#configured(this.#then) : null,
      milestone: inputNumber(this.#milestone) ?? Number.NaN,
    };
  }

  #update(): void {
    this.#onChange();
    const d = this.#design();
    this.#then.select.disabled = !this.#useThen.checked;
    this.#milestone.disabled = !this.#useThen.checked;
    const t = this.#words.current;
    const problem = this.#problem(d, t);
    if (problem !== null) {
      this.#error.textContent = problem;
      return;
    }
    let curves: { lr: Float64Array; momentum: Float64Array };
    try {
      curves = preview(d);
    } catch (error) {
      if (!(error instanceof ScheduleOptionError)) {
        // a scheduler's own check (torch's message)
        this.#error.textContent = error instanceof Error ? error.message : String(error);
        return;
      }
      const o = error.option;
      this.#error.textContent = t.optionRange(
        error.schedule,
        o.key,
        { integer: o.integer === true, min: o.min, ...(o.max === undefined ? {} : { max: o.max }) },
        error.value,
      );
      return;
    }
    this.#error.textContent = "";
    this.#ts.textContent = typescriptCode(d);
    this.#py.textContent = pytorchCode(d);
    if (!this.#visible) return;
    drawChart(this.#lrCanvas, [{ values: curves.lr, color: "#4269d0", kind: "steps" }], {
      xLabel: t.schedulerStep,
      yLabel: "lr",
      height: 220,
    });
    drawChart(this.#momentumCanvas, [{ values: curves.momentum, color: "#ff725c", kind: "steps" }], {
      xLabel: t.schedulerStep,
      yLabel: t.momentum,
      height: 140,
    });
  }

  /** What is wrong with the design's own numbers in the panel's words, or null (options: ScheduleOptionError). */
  #problem(d: Design, t: ScheduleText): string | null {
    if (!(Number.isFinite(d.lr) && d.lr > 0)) return t.lrPositive(d.lr);
    if (!(Number.isInteger(d.steps) && d.steps >= 1)) return t.stepsPositive(d.steps);
    if (d.steps > MAX_STEPS) return t.stepsAtMost(MAX_STEPS, d.steps);
    if (d.next !== null && !(Number.isInteger(d.milestone) && d.milestone >= 1 && d.milestone < d.steps)) {
      return t.milestone(d.milestone);
    }
    return null;
  }

  write(params: URLSearchParams): void {
    const item = (p: Picker) => {
      const values: Record<string, string> = {};
      for (const [k, input] of p.inputs) values[k] = input.value;
      return { id: p.select.value, values };
    };
    params.set(
      "sched",
      encodeItems(this.#useThen.checked ? [item(this.#first), item(this.#then)] : [item(this.#first)]),
    );
    if (this.#useThen.checked) params.set("ms", this.#milestone.value);
    params.set("lr", this.#lr.value);
    params.set("mom", this.#momentum.value);
    params.set("ssteps", this.#steps.value);
  }

  read(params: URLSearchParams): void {
    const items = decodeItems(params.get("sched")).filter((it) => scheduleSpec(it.id) !== undefined);
    const [a, b] = items;
    this.#fill(this.#first, scheduleSpec(a?.id ?? "CosineAnnealingLR")!, a?.values ?? {});
    this.#fill(this.#then, scheduleSpec(b?.id ?? "CosineAnnealingLR")!, b?.values ?? {});
    this.#useThen.checked = b !== undefined;
    this.#milestone.value = String(readNumber(params.get("ms"), 10, { min: 1, integer: true }));
    this.#lr.value = String(readNumber(params.get("lr"), 0.1, { min: 0 }));
    this.#momentum.value = String(readNumber(params.get("mom"), 0.9, { min: 0, max: 1 }));
    this.#steps.value = String(readNumber(params.get("ssteps"), 100, { min: 1, max: 5000, integer: true }));
    this.#update();
  }
}
