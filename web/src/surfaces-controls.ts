// The surfaces panel's controls: the surface (a test function or a typed formula), one row per optimizer
// (enabled, lr, its options) and the run settings, as a form; the panel wires their events.

import type { Domain } from "../../src/lab/functions.js";
import { testFunctions } from "../../src/lab/functions.js";
import { type Lang, surfaceText } from "../../src/lab/i18n.js";
import { h, type Words } from "./dom.js";
import { LAB_TEXT, type SurfacesText } from "./lab-text.js";
import { OPTIMIZERS, type OptimizerSpec } from "./optimizer-catalog.js";

export const DEFAULT_FORMULA = "x^2 + 3*y^2 + 2*sin(2*x)";
export const DEFAULT_DOMAIN: Domain = { x: [-3, 3], y: [-3, 3] };
export const DEFAULT_OPTIMIZERS = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];
export const SPEEDS = [1, 2, 5, 10, 25];
/** One optimizer's controls. */
export interface OptimizerRow {
  readonly spec: OptimizerSpec;
  readonly color: string;
  readonly enabled: HTMLInputElement;
  readonly lr: HTMLInputElement;
  readonly inputs: Map<string, HTMLInputElement>;
  readonly error: HTMLElement;
}

export interface SurfacesControls {
  readonly form: HTMLFormElement;
  readonly fnSelect: HTMLSelectElement;
  readonly description: HTMLElement;
  readonly custom: HTMLElement;
  readonly formula: HTMLInputElement;
  readonly range: { x0: HTMLInputElement; x1: HTMLInputElement; y0: HTMLInputElement; y1: HTMLInputElement };
  readonly formulaError: HTMLElement;
  readonly gradText: HTMLElement;
  readonly rows: readonly OptimizerRow[];
  readonly startX: HTMLInputElement;
  readonly startY: HTMLInputElement;
  readonly steps: HTMLInputElement;
  readonly speed: HTMLSelectElement;
  readonly pause: HTMLButtonElement;
  /** Step the optimizers on WebGPU; `gpuStatus` says where they run. */
  readonly gpu: HTMLInputElement;
  readonly gpuStatus: HTMLElement;
}

/** The panel's words (`words.current.lang` is the language the surfaces' names are in). */
export type SurfacesWords = Words<SurfacesText & { readonly lang: Lang }>;

export const surfacesWords = (lang: Lang) => ({ ...LAB_TEXT[lang].surfaces, lang });

export function buildControls(w: SurfacesWords): SurfacesControls {
  const fnOptions = testFunctions.map((fn) =>
    h(
      "option",
      { value: fn.name },
      w.text((t) => surfaceText(fn, t.lang).title),
    ),
  );
  const fnSelect = h(
    "select",
    { id: "fn" },
    ...fnOptions,
    h(
      "option",
      { value: "custom" },
      w.text((t) => t.customFormula),
    ),
  );
  const description = h("p", { class: "muted", id: "fn-description" });
  const formula = h("input", {
    id: "formula",
    type: "text",
    spellcheck: "false",
    autocomplete: "off",
    "aria-describedby": "formula-error formula-grad",
    value: DEFAULT_FORMULA,
  });
  const rangeInput = (id: string, label: (t: SurfacesText) => string, value: number) =>
    w.attr(h("input", { id, type: "number", step: "any", value }), "aria-label", label);
  const range = {
    x0: rangeInput("x0", (t) => t.rangeFrom("x"), DEFAULT_DOMAIN.x[0]),
    x1: rangeInput("x1", (t) => t.rangeTo("x"), DEFAULT_DOMAIN.x[1]),
    y0: rangeInput("y0", (t) => t.rangeFrom("y"), DEFAULT_DOMAIN.y[0]),
    y1: rangeInput("y1", (t) => t.rangeTo("y"), DEFAULT_DOMAIN.y[1]),
  };
  const formulaError = h("p", { id: "formula-error", class: "error", role: "alert" });
  const gradText = h("p", { id: "formula-grad", class: "muted mono" });
  const custom = h(
    "div",
    { id: "custom-fields", hidden: true },
    h("label", { for: "formula" }, "f(x, y) ="),
    formula,
    h("div", { class: "range" }, h("span", {}, "x ∈ ["), range.x0, ",", range.x1, "]"),
    h("div", { class: "range" }, h("span", {}, "y ∈ ["), range.y0, ",", range.y1, "]"),
    formulaError,
    gradText,
  );
  const surfaceSet = h(
    "fieldset",
    {},
    h(
      "legend",
      {},
      w.text((t) => t.surface),
    ),
    h(
      "label",
      { for: "fn" },
      w.text((t) => t.function),
    ),
    fnSelect,
    description,
    custom,
  );

  const rows: OptimizerRow[] = [];
  const optSet = h(
    "fieldset",
    { class: "optimizers" },
    h(
      "legend",
      {},
      w.text((t) => t.optimizers),
    ),
  );
  OPTIMIZERS.forEach((spec) => {
    const color = spec.color;
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
      const label = w.text((t) => t.option[o.key] ?? o.label);
      return h("label", { class: o.kind === "boolean" ? "check" : "" }, label, " ", input);
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
      extra.length > 0
        ? h(
            "details",
            {},
            h(
              "summary",
              {},
              w.text((t) => t.optionsOf(spec.label)),
            ),
            ...extra,
          )
        : null,
      error,
    );
    optSet.append(row);
    rows.push({ spec, color, enabled, lr, inputs, error });
  });

  const startX = h("input", { type: "number", id: "start-x", step: "any" });
  const startY = h("input", { type: "number", id: "start-y", step: "any" });
  const steps = h("input", { type: "number", id: "steps", min: 1, max: 5000, step: 1, value: 300 });
  const speed = h(
    "select",
    { id: "speed" },
    ...SPEEDS.map((s) =>
      h(
        "option",
        { value: s, selected: s === 2 },
        w.text((t) => t.perFrame(s)),
      ),
    ),
  );
  const runButton = h(
    "button",
    { type: "submit", id: "run" },
    w.text((t) => t.runFromStart),
  );
  const pause = h("button", { type: "button", id: "pause" }, w.current.pause);
  const gpu = h("input", { type: "checkbox", id: "gpu" });
  const gpuStatus = h("p", { id: "gpu-status", class: "muted", role: "status" });
  const labelled = (pick: (t: SurfacesText) => string, input: HTMLElement) =>
    h("label", {}, w.text(pick), " ", input);
  const runSet = h(
    "fieldset",
    { class: "run" },
    h(
      "legend",
      {},
      w.text((t) => t.run),
    ),
    h(
      "div",
      { class: "pair" },
      labelled((t) => t.startX, startX),
      labelled((t) => t.startY, startY),
    ),
    h(
      "div",
      { class: "pair" },
      labelled((t) => t.steps, steps),
      labelled((t) => t.speed, speed),
    ),
    h("div", { class: "buttons" }, runButton, pause),
    h(
      "label",
      { class: "check gpu" },
      gpu,
      " ",
      w.text((t) => t.gpu),
    ),
    gpuStatus,
  );

  const form = w.attr(
    h("form", { class: "controls" }, surfaceSet, optSet, runSet),
    "aria-label",
    (t) => t.formAria,
  );
  return {
    form,
    fnSelect,
    description,
    custom,
    formula,
    range,
    formulaError,
    gradText,
    rows,
    startX,
    startY,
    steps,
    speed,
    pause,
    gpu,
    gpuStatus,
  };
}
