// The EWMA playground: the seed's noisy daily temperatures with their exponentially weighted average for a
// chosen β, with and without bias correction (V_t / (1 − βᵗ)), computed by descent's `ewma`.

import { ewma } from "../../src/average/ewma.js";
import { noisySeries } from "../../src/lab/random.js";
import { drawChart } from "./chart.js";
import { h, show, Words } from "./dom.js";
import { type EwmaText, LAB_TEXT } from "./lab-text.js";
import type { Lang } from "../../src/lab/i18n.js";
import { readBoolean, readNumber } from "./url-state.js";

const DATA = "#9498a0";
const AVERAGE = "#d62728";
const UNCORRECTED = "#4269d0";

export class EwmaPanel {
  readonly root: HTMLElement;
  #onChange: () => void;
  #beta: HTMLInputElement;
  #betaOut: HTMLOutputElement;
  #bias: HTMLInputElement;
  #noise: HTMLInputElement;
  #days: HTMLInputElement;
  #canvas: HTMLCanvasElement;
  #summary: HTMLElement;
  #visible = false;
  readonly #words = new Words<EwmaText>(LAB_TEXT.en.ewma);

  constructor(root: HTMLElement, onChange: () => void) {
    this.root = root;
    this.#onChange = onChange;
    this.#beta = h("input", { type: "range", id: "beta", min: 0, max: 0.99, step: 0.01, value: 0.9 });
    this.#betaOut = h("output", { for: "beta", id: "beta-value" }, "0.9");
    this.#bias = h("input", { type: "checkbox", id: "bias-correction" });
    this.#noise = h("input", { type: "range", id: "noise", min: 0, max: 10, step: 0.5, value: 4 });
    this.#days = h("input", { type: "number", id: "days", min: 10, max: 2000, step: 1, value: 120 });
    const w = this.#words;
    this.#canvas = h("canvas", { id: "ewma-canvas", role: "img" });
    this.#summary = h("p", { id: "ewma-summary", "aria-live": "polite" });
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
            w.text((t) => t.legend),
          ),
          h(
            "p",
            { class: "muted" },
            w.text((t) => t.formula),
          ),
          h("label", { for: "beta" }, "β "),
          this.#beta,
          this.#betaOut,
          h(
            "label",
            { class: "check" },
            this.#bias,
            " ",
            w.text((t) => t.bias),
          ),
          h(
            "label",
            { for: "noise" },
            w.text((t) => t.noise),
            " ",
          ),
          this.#noise,
          h(
            "label",
            { for: "days" },
            w.text((t) => t.days),
            " ",
          ),
          this.#days,
        ),
      ),
      "aria-label",
      (t) => t.formAria,
    );
    const legend = h(
      "ul",
      { class: "legend" },
      h(
        "li",
        {},
        h("span", { class: "swatch", style: `background:${DATA}` }),
        w.text((t) => t.data),
      ),
      h(
        "li",
        {},
        h("span", { class: "swatch", style: `background:${AVERAGE}` }),
        w.text((t) => t.average),
      ),
      h(
        "li",
        { id: "uncorrected-legend" },
        h("span", { class: "swatch", style: `background:${UNCORRECTED}` }),
        w.text((t) => t.uncorrected),
      ),
    );
    form.addEventListener("submit", (e) => e.preventDefault());
    for (const input of [this.#beta, this.#bias, this.#noise, this.#days]) {
      input.addEventListener("input", () => {
        this.#draw();
        this.#onChange();
      });
    }
    this.root.append(
      h("div", { class: "layout" }, form, h("div", { class: "stage" }, this.#canvas, legend, this.#summary)),
    );
    new ResizeObserver(() => this.#draw()).observe(this.#canvas);
  }

  setLang(lang: Lang): void {
    this.#words.set(LAB_TEXT[lang].ewma);
    this.#draw();
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) this.#draw();
  }

  #draw(): void {
    const beta = Number(this.#beta.value);
    const bias = this.#bias.checked;
    const days = readNumber(this.#days.value, 120, { min: 10, max: 2000, integer: true });
    const data = noisySeries({ length: days, noise: Number(this.#noise.value), seed: 7 });
    const avg = ewma(data, beta, { biasCorrection: bias });
    this.#betaOut.value = String(beta);
    const legendRaw = document.getElementById("uncorrected-legend");
    if (legendRaw !== null) legendRaw.hidden = !bias;
    const last = avg[avg.length - 1]!;
    const t = this.#words.current;
    this.#summary.textContent =
      t.summary(beta, show(1 / (1 - beta)), show(avg[0]!), show(data[0]!), show(last)) +
      (bias ? "" : ` ${t.catchUp}`);
    this.#canvas.setAttribute("aria-label", t.canvasAria(beta, bias));
    if (!this.#visible) return;
    const series = [
      { values: data, x0: 1, color: DATA, kind: "dots" as const, width: 2 },
      ...(bias ? [{ values: ewma(data, beta), x0: 1, color: UNCORRECTED, width: 1.5, dash: [5, 4] }] : []),
      { values: avg, x0: 1, color: AVERAGE, width: 2.5 },
    ];
    drawChart(this.#canvas, series, { xLabel: t.day, yLabel: t.temperature, height: 340 });
  }

  write(params: URLSearchParams): void {
    params.set("beta", this.#beta.value);
    params.set("bc", this.#bias.checked ? "1" : "0");
    params.set("noise", this.#noise.value);
    params.set("days", this.#days.value);
  }

  read(params: URLSearchParams): void {
    this.#beta.value = String(readNumber(params.get("beta"), 0.9, { min: 0, max: 0.99 }));
    this.#bias.checked = readBoolean(params.get("bc"), false);
    this.#noise.value = String(readNumber(params.get("noise"), 4, { min: 0, max: 10 }));
    this.#days.value = String(readNumber(params.get("days"), 120, { min: 10, max: 2000, integer: true }));
    this.#draw();
  }
}
