// The tour of the seed note: one view per section (EWMA, batch size, momentum, Adagrad, RMSprop, Adam, the
// PyTorch loop, schedulers), each with its live figure computed by descent's own code (race, leastSquares,
// ewma, the optimizers and schedulers), the formula in the note's notation, the PyTorch code and the descent
// code that produce it, and a control or two. The section and its controls live in the URL hash.

import { ewma } from "../../src/average/ewma.js";
import type { Lang } from "../../src/lab/i18n.js";
import { elongated, rosenbrock } from "../../src/lab/functions.js";
import { raceOptimizer } from "../../src/lab/optimizers.js";
import { type RaceEntry, race } from "../../src/lab/race.js";
import { noisySeries } from "../../src/lab/random.js";
import { leastSquares } from "../../src/lab/stochastic.js";
import { Adagrad } from "../../src/optim/adagrad.js";
import { Adam } from "../../src/optim/adam.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { SGD } from "../../src/optim/sgd.js";
import { param } from "../../src/core/param.js";
import { ExponentialLR } from "../../src/scheduler/exponential-lr.js";
import { MultiStepLR } from "../../src/scheduler/multi-step-lr.js";
import { drawChart, type Series } from "./chart.js";
import { h, show } from "./dom.js";
import { SECTION_IDS, type SectionId, TOUR_TEXT, type TourText } from "./tour-text.js";
import { readBoolean, readNumber } from "./url-state.js";

const COLORS = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#a463f2"];
const DATA = "#9498a0";

interface Control {
  readonly key: string;
  /** Key of the label in the text's `control` table. */
  readonly label: string;
  readonly kind: "range" | "checkbox" | "select";
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly value: number;
  readonly options?: readonly { value: number; label: string }[];
}

type Values = Readonly<Record<string, number>>;

interface View {
  readonly series: Series[];
  readonly legend: { label: string; color: string; dashed?: boolean }[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly summary: string;
  /** The numbers the summary shows, as the library computed them (for tests and screen readers). */
  readonly numbers: Record<string, number>;
  readonly torch: string;
  readonly descent: string;
}

const CONTROLS: Readonly<Record<SectionId, readonly Control[]>> = {
  ewma: [
    { key: "beta", label: "beta", kind: "range", min: 0, max: 0.99, step: 0.01, value: 0.9 },
    { key: "bc", label: "bias", kind: "checkbox", value: 0 },
  ],
  batch: [
    {
      key: "batch",
      label: "batch",
      kind: "select",
      value: 8,
      options: [2, 4, 8, 16, 24].map((b) => ({ value: b, label: String(b) })),
    },
    { key: "lr", label: "lr", kind: "range", min: 0.02, max: 0.4, step: 0.02, value: 0.1 },
  ],
  momentum: [
    { key: "momentum", label: "momentum", kind: "range", min: 0, max: 0.95, step: 0.05, value: 0.9 },
  ],
  adagrad: [{ key: "lr", label: "eta", kind: "range", min: 0.01, max: 0.2, step: 0.01, value: 0.05 }],
  rmsprop: [{ key: "alpha", label: "alpha", kind: "range", min: 0.5, max: 0.999, step: 0.001, value: 0.99 }],
  adam: [
    { key: "beta1", label: "beta1", kind: "range", min: 0, max: 0.99, step: 0.01, value: 0.9 },
    { key: "beta2", label: "beta2", kind: "range", min: 0.9, max: 0.9999, step: 0.0001, value: 0.999 },
  ],
  pytorch: [
    {
      key: "opt",
      label: "optimizer",
      kind: "select",
      value: 0,
      options: ["SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam"].map((label, value) => ({
        value,
        label,
      })),
    },
    { key: "lr", label: "lr", kind: "range", min: 0.005, max: 0.3, step: 0.005, value: 0.05 },
  ],
  schedulers: [{ key: "gamma", label: "gamma", kind: "range", min: 0.5, max: 0.99, step: 0.01, value: 0.9 }],
};

const fmt = (v: number) => show(v);
const lossGap = (values: Float64Array, min: number) => Array.from(values, (v) => Math.max(v - min, 1e-16));

function paths(
  runs: { x: Float64Array; y: Float64Array }[],
  labels: string[],
): Pick<View, "series" | "legend"> {
  return {
    series: runs.map((r, i) => ({ values: r.y, xs: r.x, color: COLORS[i]!, width: 2 })),
    legend: labels.map((label, i) => ({ label, color: COLORS[i]! })),
  };
}

/** Each section's figure, numbers and code, from the control values. */
function compute(id: SectionId, v: Values, text: TourText): View {
  const s = text.series;
  switch (id) {
    case "ewma": {
      const data = noisySeries({ length: 120, seed: 7 });
      const bias = v.bc === 1;
      const avg = ewma(data, v.beta!, { biasCorrection: bias });
      const series: Series[] = [{ values: data, x0: 1, color: DATA, kind: "dots", width: 2 }];
      const legend = [{ label: s.data!, color: DATA }];
      if (bias) {
        series.push({ values: ewma(data, v.beta!), x0: 1, color: COLORS[0]!, width: 1.5, dash: [5, 4] });
        legend.push({ label: s.uncorrected!, color: COLORS[0]!, dashed: true } as never);
      }
      series.push({ values: avg, x0: 1, color: COLORS[2]!, width: 2.5 });
      legend.push({ label: s.ewma!, color: COLORS[2]! });
      return {
        series,
        legend,
        xLabel: "t",
        yLabel: "θ",
        summary: text.summary.ewma(v.beta!, Math.round(1 / (1 - v.beta!)), fmt(avg[0]!), fmt(data[0]!)),
        numbers: { first: avg[0]!, last: avg[avg.length - 1]! },
        torch: `# the EWMA the optimizers keep (torch's lerp):\nv = torch.zeros(())\nfor t, theta in enumerate(data, 1):\n    v.lerp_(theta, 1 - ${v.beta})  # v = β·v + (1 − β)·θ${bias ? `\n    v_hat = v / (1 - ${v.beta} ** t)  # bias correction` : ""}`,
        descent: `import { ewma } from "descent-optim";\n\nconst averaged = ewma(data, ${v.beta}, { biasCorrection: ${bias} });`,
      };
    }
    case "batch": {
      const fn = leastSquares({ seed: 1 });
      const lr = v.lr!;
      const sizes = [fn.examples, v.batch!, 1];
      const labels = [s.full!, `${s.mini} (B = ${v.batch})`, s.sgd1!];
      const result = race(
        fn,
        sizes.map(
          (b, i): RaceEntry => ({ ...raceOptimizer("sgd", fn, { lr, label: labels[i] }), batchSize: b }),
        ),
        { steps: 200, seed: 1 },
      );
      const losses = result.runs.map((r) => r.summary.finalLoss);
      return {
        ...paths(
          result.runs.map((r) => r.trajectory),
          labels,
        ),
        xLabel: "w",
        yLabel: "b",
        summary: text.summary.batch(losses.map(fmt) as [string, string, string]),
        numbers: { full: losses[0]!, mini: losses[1]!, sgd: losses[2]! },
        torch: `loader = DataLoader(TensorDataset(x, y), batch_size=${v.batch}, shuffle=True)\nopt = torch.optim.SGD([w, b], lr=${lr})\nfor xb, yb in loader:\n    opt.zero_grad()\n    loss = 0.5 * ((w * xb + b - yb) ** 2).mean()\n    loss.backward()\n    opt.step()`,
        descent: `import { leastSquares, race, raceOptimizer } from "descent-optim/lab";\n\nconst fn = leastSquares({ seed: 1 });\nconst result = race(\n  fn,\n  [48, ${v.batch}, 1].map((b) => ({ ...raceOptimizer("sgd", fn, { lr: ${lr}, label: \`B=\${b}\` }), batchSize: b })),\n  { steps: 200, seed: 1 },\n);`,
      };
    }
    case "momentum": {
      const lr = 0.3;
      const result = race(
        elongated,
        [
          { label: s.gd!, create: (p) => new SGD(p, { lr }) },
          { label: s.momentum!, create: (p) => new SGD(p, { lr, momentum: v.momentum! }) },
        ],
        { steps: 150 },
      );
      const [gd, mom] = result.runs.map((r) => r.summary.stepsToTolerance);
      return {
        series: result.runs.map((r, i) => ({
          values: lossGap(r.trajectory.loss, 0),
          color: COLORS[i]!,
          width: 2,
        })),
        legend: [s.gd!, s.momentum!].map((label, i) => ({ label, color: COLORS[i]! })),
        xLabel: text.step,
        yLabel: "L",
        logY: true,
        summary: text.summary.momentum(gd === null ? "" : String(gd), mom === null ? "" : String(mom)),
        numbers: { gd: gd ?? Number.NaN, momentum: mom ?? Number.NaN },
        torch: `# torch keeps V = β·V + dw (dampening=0): the note's form with α scaled by 1/(1 − β)\nopt = torch.optim.SGD([w], lr=${lr}, momentum=${v.momentum})`,
        descent: `import { SGD } from "descent-optim";\n\nconst opt = new SGD([w], { lr: ${lr}, momentum: ${v.momentum} });`,
      };
    }
    case "adagrad": {
      const fn = leastSquares({ seed: 1 });
      const lr = v.lr!;
      const result = race(
        fn,
        [
          { label: "adagrad", create: (p) => new Adagrad(p, { lr }), batchSize: 1 },
          { label: "rmsprop", create: (p) => new RMSprop(p, { lr }), batchSize: 1 },
        ],
        { steps: 1000, seed: 1 },
      );
      const [a, r] = result.runs.map((run) => run.trajectory.effectiveStep!);
      const series: Series[] = [
        { values: a!.x, color: COLORS[0]!, width: 2 },
        { values: a!.y, color: COLORS[0]!, width: 2, dash: [6, 4] },
        { values: r!.x, color: COLORS[1]!, width: 2 },
        { values: r!.y, color: COLORS[1]!, width: 2, dash: [6, 4] },
      ];
      return {
        series,
        legend: [
          { label: s.adagradW!, color: COLORS[0]! },
          { label: s.adagradB!, color: COLORS[0]!, dashed: true },
          { label: s.rmspropW!, color: COLORS[1]! },
          { label: s.rmspropB!, color: COLORS[1]!, dashed: true },
        ],
        xLabel: text.step,
        yLabel: "η/(√h + ε)",
        logY: true,
        summary: text.summary.adagrad(1000, fmt(a!.x[1000]!), fmt(r!.x[1000]!)),
        numbers: { adagrad: a!.x[1000]!, rmsprop: r!.x[1000]! },
        torch: `opt = torch.optim.Adagrad([w, b], lr=${lr})\n# after opt.step(): the effective step of each parameter\nh = opt.state[w]["sum"]\nstep = ${lr} / (h.sqrt() + 1e-10)`,
        descent: `import { Adagrad } from "descent-optim";\nimport { effectiveStep } from "descent-optim/lab";\n\nconst opt = new Adagrad([wb], { lr: ${lr} });\n// after opt.step():\neffectiveStep(opt, wb)?.values; // lr / (√sum + ε) per parameter`,
      };
    }
    case "rmsprop": {
      const result = race(
        elongated,
        [
          raceOptimizer("sgd", elongated),
          { label: "rmsprop", create: (p) => new RMSprop(p, { lr: 0.06, alpha: v.alpha! }) },
        ],
        { steps: 40 },
      );
      const ratio = (i: number) => {
        const tr = result.runs[i]!.trajectory;
        return Math.abs(tr.y[1]! - tr.y[0]!) / Math.abs(tr.x[1]! - tr.x[0]!);
      };
      return {
        ...paths(
          result.runs.map((r) => r.trajectory),
          [s.sgd!, s.rmsprop!],
        ),
        xLabel: "x",
        yLabel: "y",
        summary: text.summary.rmsprop(fmt(ratio(0)), fmt(ratio(1))),
        numbers: { sgd: ratio(0), rmsprop: ratio(1) },
        torch: `opt = torch.optim.RMSprop([xy], lr=0.06, alpha=${v.alpha})  # torch calls β alpha`,
        descent: `import { RMSprop } from "descent-optim";\n\nconst opt = new RMSprop([xy], { lr: 0.06, alpha: ${v.alpha} });`,
      };
    }
    case "adam": {
      const betas: [number, number] = [v.beta1!, v.beta2!];
      const result = race(
        rosenbrock,
        [
          { label: "adam", create: (p) => new Adam(p, { lr: 0.05, betas }) },
          raceOptimizer("momentum", rosenbrock),
        ],
        { steps: 500 },
      );
      const [adam, momentum] = result.runs.map((r) => r.summary.finalLoss);
      return {
        series: result.runs.map((r, i) => ({
          values: lossGap(r.trajectory.loss, 0),
          color: COLORS[i]!,
          width: 2,
        })),
        legend: [s.adam!, s.momentum!].map((label, i) => ({ label, color: COLORS[i]! })),
        xLabel: text.step,
        yLabel: "L",
        logY: true,
        summary: text.summary.adam(fmt(adam!), fmt(momentum!)),
        numbers: { adam: adam!, momentum: momentum! },
        torch: `opt = torch.optim.Adam([xy], lr=0.05, betas=(${betas[0]}, ${betas[1]}))`,
        descent: `import { Adam } from "descent-optim";\n\nconst opt = new Adam([xy], { lr: 0.05, betas: [${betas[0]}, ${betas[1]}] });`,
      };
    }
    case "pytorch": {
      const fn = leastSquares({ seed: 1 });
      const lr = v.lr!;
      const names = ["SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam"];
      const index = Math.min(names.length - 1, Math.max(0, Math.round(v.opt!)));
      const make = [
        (p: Parameters<RaceEntry["create"]>[0]) => new SGD(p, { lr }),
        (p: Parameters<RaceEntry["create"]>[0]) => new SGD(p, { lr, momentum: 0.9 }),
        (p: Parameters<RaceEntry["create"]>[0]) => new Adagrad(p, { lr }),
        (p: Parameters<RaceEntry["create"]>[0]) => new RMSprop(p, { lr }),
        (p: Parameters<RaceEntry["create"]>[0]) => new Adam(p, { lr }),
      ][index]!;
      const result = race(fn, [{ label: names[index]!, create: make, batchSize: 8 }], {
        steps: 300,
        seed: 1,
      });
      const run = result.runs[0]!;
      const torchCtor = [
        "SGD(params, lr=LR)",
        "SGD(params, lr=LR, momentum=0.9)",
        "Adagrad(params, lr=LR)",
        "RMSprop(params, lr=LR)",
        "Adam(params, lr=LR)",
      ][index]!.replace("LR", String(lr));
      const descentCtor = [
        `SGD(params, { lr: ${lr} })`,
        `SGD(params, { lr: ${lr}, momentum: 0.9 })`,
        `Adagrad(params, { lr: ${lr} })`,
        `RMSprop(params, { lr: ${lr} })`,
        `Adam(params, { lr: ${lr} })`,
      ][index]!;
      return {
        series: [{ values: lossGap(run.trajectory.loss, fn.minima[0]!.f), color: COLORS[0]!, width: 2 }],
        legend: [{ label: `${names[index]} · L − L*`, color: COLORS[0]! }],
        xLabel: text.step,
        yLabel: "L − L*",
        logY: true,
        summary: text.summary.pytorch(names[index]!, fmt(run.summary.finalLoss)),
        numbers: { loss: run.summary.finalLoss },
        torch: `model = torch.nn.Linear(1, 1)\ncriterion = torch.nn.MSELoss()\noptimizer = torch.optim.${torchCtor.replace("params", "model.parameters()")}\nfor xb, yb in DataLoader(data, batch_size=8, shuffle=True):\n    optimizer.zero_grad()\n    loss = criterion(model(xb), yb)\n    loss.backward()\n    optimizer.step()`,
        descent: `import { ${descentCtor.split("(")[0]}, param } from "descent-optim";\n\nconst params = [param(new Float64Array([w0, b0]))];\nconst optimizer = new ${descentCtor};\nfor (const batch of batches) {\n  optimizer.zeroGrad();\n  params[0].gradBuffer().set(gradientOf(batch)); // dL/dw, dL/db\n  optimizer.step();\n}`,
      };
    }
    case "schedulers": {
      const gamma = v.gamma!;
      const curve = (make: (o: SGD) => { step(): void }) => {
        const opt = new SGD([param([0])], { lr: 0.1 });
        const scheduler = make(opt);
        const values = new Float64Array(30);
        for (let e = 0; e < 30; e++) {
          values[e] = opt.paramGroups[0]!.lr;
          scheduler.step();
        }
        return values;
      };
      const exp = curve((o) => new ExponentialLR(o, { gamma }));
      const multi = curve((o) => new MultiStepLR(o, { milestones: [10, 20], gamma }));
      return {
        series: [
          { values: exp, color: COLORS[0]!, kind: "steps", width: 2 },
          { values: multi, color: COLORS[1]!, kind: "steps", width: 2 },
        ],
        legend: [s.exponential!, s.multistep!].map((label, i) => ({ label, color: COLORS[i]! })),
        xLabel: "epoch",
        yLabel: "lr",
        summary: text.summary.schedulers(fmt(exp[29]!), fmt(multi[29]!)),
        numbers: { exponential: exp[29]!, multistep: multi[29]! },
        torch: `opt = torch.optim.SGD(model.parameters(), lr=0.1)\nscheduler = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=${gamma})\n# or MultiStepLR(opt, milestones=[10, 20], gamma=${gamma})\nfor epoch in range(30):\n    train(...)\n    scheduler.step()`,
        descent: `import { ExponentialLR, MultiStepLR, SGD } from "descent-optim";\n\nconst opt = new SGD(params, { lr: 0.1 });\nconst scheduler = new ExponentialLR(opt, { gamma: ${gamma} });\n// or new MultiStepLR(opt, { milestones: [10, 20], gamma: ${gamma} })\nfor (let epoch = 0; epoch < 30; epoch++) {\n  train();\n  scheduler.step();\n}`,
      };
    }
  }
}

export class TourPanel {
  readonly root: HTMLElement;
  #onChange: () => void;
  #lang: Lang = "en";
  #section: SectionId = "ewma";
  #values: Record<SectionId, Record<string, number>>;
  #visible = false;

  constructor(root: HTMLElement, onChange: () => void) {
    this.root = root;
    this.#onChange = onChange;
    this.#values = Object.fromEntries(
      SECTION_IDS.map((id) => [id, Object.fromEntries(CONTROLS[id].map((c) => [c.key, c.value]))]),
    ) as Record<SectionId, Record<string, number>>;
    new ResizeObserver(() => this.#drawChart()).observe(this.root);
  }

  get section(): SectionId {
    return this.#section;
  }

  setLang(lang: Lang): void {
    this.#lang = lang;
    if (this.#visible) this.#render();
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) this.#render();
  }

  #go(section: SectionId): void {
    this.#section = section;
    this.#render();
    this.#onChange();
    this.root.querySelector<HTMLElement>(`#tour-${section}`)?.focus();
  }

  #view: View | null = null;

  #render(): void {
    const text = TOUR_TEXT[this.#lang];
    const id = this.#section;
    const sectionText = text.section[id];
    const values = this.#values[id];
    const view = compute(id, values, text);
    this.#view = view;
    const nav = h(
      "ol",
      { class: "tour-nav", "aria-label": text.sections },
      ...SECTION_IDS.map((sid) => {
        const link = h(
          "a",
          {
            href: `#tab=tour&section=${sid}&lang=${this.#lang}`,
            "data-section": sid,
            "aria-current": sid === id ? "page" : undefined,
          },
          text.section[sid].title,
        );
        link.addEventListener("click", (e) => {
          e.preventDefault();
          this.#go(sid);
        });
        return h("li", {}, link);
      }),
    );
    const controls = CONTROLS[id].map((c) => this.#control(c, values, text));
    const index = SECTION_IDS.indexOf(id);
    const prev = h("button", { type: "button", id: "tour-prev", disabled: index === 0 }, text.previous);
    const next = h(
      "button",
      { type: "button", id: "tour-next", disabled: index === SECTION_IDS.length - 1 },
      text.next,
    );
    prev.addEventListener("click", () => this.#go(SECTION_IDS[index - 1]!));
    next.addEventListener("click", () => this.#go(SECTION_IDS[index + 1]!));
    const canvas = h("canvas", { id: "tour-canvas", role: "img", "aria-label": sectionText.title });
    const legend = h(
      "ul",
      { class: "legend", id: "tour-legend" },
      ...view.legend.map((item) =>
        h(
          "li",
          {},
          h("span", {
            class: "swatch",
            style: item.dashed
              ? `background: repeating-linear-gradient(90deg, ${item.color} 0 5px, transparent 5px 8px)`
              : `background:${item.color}`,
          }),
          item.label,
        ),
      ),
    );
    const summary = h(
      "p",
      { id: "tour-summary", "aria-live": "polite", "data-numbers": JSON.stringify(view.numbers) },
      view.summary,
    );
    const article = h(
      "article",
      { id: `tour-${id}`, class: "tour-section", tabindex: -1, "data-section": id },
      h("h2", {}, sectionText.title),
      h("p", { class: "lead" }, sectionText.lead),
      h(
        "div",
        { class: "layout" },
        h(
          "div",
          { class: "controls" },
          h(
            "fieldset",
            {},
            h("legend", {}, text.formula),
            h("pre", { class: "formula" }, sectionText.formula.join("\n")),
            ...controls,
          ),
          h("div", { class: "buttons" }, prev, next),
        ),
        h("div", { class: "stage tour-stage" }, canvas, legend, summary),
      ),
      h(
        "div",
        { class: "code-pair" },
        h(
          "figure",
          {},
          h("figcaption", {}, text.pytorch),
          h("pre", { class: "code", id: "tour-torch" }, view.torch),
        ),
        h(
          "figure",
          {},
          h("figcaption", {}, text.descent),
          h("pre", { class: "code", id: "tour-descent" }, view.descent),
        ),
      ),
    );
    this.root.replaceChildren(h("div", { class: "tour" }, h("nav", { class: "tour-toc" }, nav), article));
    this.#drawChart();
  }

  #control(c: Control, values: Record<string, number>, text: TourText): HTMLElement {
    const id = `control-${c.key}`;
    const label = text.control[c.label] ?? c.label;
    const update = (v: number) => {
      values[c.key] = v;
      this.#render();
      this.#onChange();
      this.root.querySelector<HTMLElement>(`#${id}`)?.focus();
    };
    if (c.kind === "checkbox") {
      const input = h("input", { type: "checkbox", id, checked: values[c.key] === 1 });
      input.addEventListener("change", () => update(input.checked ? 1 : 0));
      return h("label", { class: "check" }, input, ` ${label}`);
    }
    if (c.kind === "select") {
      const select = h(
        "select",
        { id },
        ...(c.options ?? []).map((o) =>
          h("option", { value: o.value, selected: o.value === values[c.key] }, o.label),
        ),
      );
      select.addEventListener("change", () => update(Number(select.value)));
      return h("div", {}, h("label", { for: id }, label), select);
    }
    const input = h("input", {
      type: "range",
      id,
      min: c.min,
      max: c.max,
      step: c.step,
      value: values[c.key],
    });
    const out = h("output", { for: id, id: `${id}-value` }, String(values[c.key]));
    input.addEventListener("change", () => update(Number(input.value)));
    input.addEventListener("input", () => {
      out.value = input.value;
    });
    return h("div", {}, h("label", { for: id }, `${label} `), input, out);
  }

  #drawChart(): void {
    const canvas = this.root.querySelector<HTMLCanvasElement>("#tour-canvas");
    const view = this.#view;
    if (!this.#visible || canvas === null || view === null) return;
    drawChart(canvas, view.series, {
      xLabel: view.xLabel,
      yLabel: view.yLabel,
      logY: view.logY,
      height: 360,
    });
  }

  write(params: URLSearchParams): void {
    params.set("section", this.#section);
    for (const c of CONTROLS[this.#section]) {
      const v = this.#values[this.#section][c.key]!;
      if (v !== c.value) params.set(c.key, String(v));
    }
  }

  read(params: URLSearchParams): void {
    const requested = params.get("section");
    this.#section = SECTION_IDS.find((s) => s === requested) ?? "ewma";
    for (const c of CONTROLS[this.#section]) {
      const text = params.get(c.key);
      let v: number;
      if (c.kind === "checkbox") v = readBoolean(text, c.value === 1) ? 1 : 0;
      else if (c.kind === "select") {
        const n = readNumber(text, c.value);
        v = (c.options ?? []).some((o) => o.value === n) ? n : c.value;
      } else v = readNumber(text, c.value, { min: c.min, max: c.max });
      this.#values[this.#section][c.key] = v;
    }
    if (this.#visible) this.#render();
  }
}
