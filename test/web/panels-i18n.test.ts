// The Surfaces, EWMA and Schedule panels in English and Korean, in real headless Chromium: each renders in
// both languages, no English is left in Korean mode (text nodes and labels against an allowlist of code,
// names and the English words the seed note itself keeps), no Hangul glyph is missing, messages follow the
// language, and a switch keeps each panel's state. Screenshots: test-artifacts/panel-<panel>-<lang>.png.

import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import assert from "node:assert/strict";
import { ARTIFACTS, missingHangul, noBrowser, paintedPixels, useLab } from "../helpers/web-lab.js";
import { testFunctions } from "../../src/lab/functions.js";
import { surfaceText } from "../../src/lab/i18n.js";
import { LAB_TEXT } from "../../web/src/lab-text.js";
import { OPTIMIZERS } from "../../web/src/optimizer-catalog.js";
import { SCHEDULES } from "../../web/src/schedule-catalog.js";

const PANELS = ["surfaces", "ewma", "schedule"] as const;

/**
 * Latin-script words allowed in Korean mode: names (optimizers, schedulers, surfaces, Wolfe), code
 * (lr, loss as torch's variable, scheduler.step()), the key Enter, the English the seed note keeps as it is
 * (optimizer, Gradient, Learning rate, Biased), and WebGPU, GPU and CPU, which Korean writes in Latin too.
 * Single letters are math (x, y, t, f) and pass.
 */
const ALLOWED = new Set([
  ...OPTIMIZERS.flatMap((o) => o.label.split(/[^A-Za-z0-9]+/)),
  ...SCHEDULES.map((s) => s.id),
  ...testFunctions.flatMap((fn) => surfaceText(fn, "ko").title.split(/[^A-Za-z0-9]+/)),
  "SequentialLR",
  "AMSGrad",
  "Wolfe",
  "lr",
  "loss",
  "scheduler",
  "step",
  "Enter",
  "optimizer",
  "Optimizer",
  "Gradient",
  "Learning",
  "rate",
  "Biased",
  "descent",
  "TypeScript",
  "PyTorch",
  "WebGPU",
  "GPU",
  "CPU",
]);

/** The page's visible words: text nodes (not in code) and labelling attributes, under `selector`. */
const WORDS = (selector: string) => `(() => {
  const out = [];
  for (const root of document.querySelectorAll(${JSON.stringify(selector)})) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n !== null; n = walk.nextNode()) {
      if (n.parentElement.closest("code, pre, [translate=no]") !== null) continue;
      if (n.data.trim() !== "") out.push(n.data.trim());
    }
    for (const el of [root, ...root.querySelectorAll("[aria-label]")]) {
      const label = el.getAttribute("aria-label");
      if (label !== null) out.push(label);
    }
  }
  return out;
})()`;

/** The Latin words of `text` that are not allowed in Korean mode. */
const english = (text: string) =>
  (text.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []).filter((w) => w.length > 1 && !ALLOWED.has(w));

describe("the Surfaces, EWMA and Schedule panels in English and Korean", {
  skip: noBrowser,
}, () => {
  const lab = useLab({ selector: "#loss-table", state: "attached" });
  const { open, href, problems } = lab;

  /** Waits until `selector` reads `text` (a loaded machine may be slow to run the page's handlers). */
  const shows = async (page: Page, selector: string, text: string) => {
    await page
      .waitForFunction(
        `document.querySelector(${JSON.stringify(selector)})?.textContent === ${JSON.stringify(text)}`,
        undefined,
        { timeout: 20_000 },
      )
      .catch(() => undefined);
    assert.equal(await page.textContent(selector), text);
  };

  test("each panel renders in both languages, with no English left in Korean mode", async () => {
    const page = await open("#tab=surfaces");
    for (const lang of ["en", "ko"] as const) {
      for (const panel of PANELS) {
        await page.goto(`${lab.base}/#tab=${panel}&lang=${lang}`);
        await page.reload();
        await page.waitForSelector(`#panel-${panel}:not([hidden])`);
        assert.equal(await page.getAttribute("html", "lang"), lang);
        assert.deepEqual(await page.locator("[role=tab]").allTextContents(), [
          lang === "ko" ? "노트 따라가기" : "Tour of the note",
          LAB_TEXT[lang].tabs.surfaces,
          LAB_TEXT[lang].tabs.ewma,
          LAB_TEXT[lang].tabs.schedule,
        ]);
        if (panel === "surfaces") {
          // let the race run a little so the table and its statuses are filled in
          await page.waitForFunction(
            `[...document.querySelectorAll("#loss-table tbody td:nth-child(2)")].some((td) => Number(td.textContent) > 5)`,
          );
        }
        const words: string[] = await page.evaluate(WORDS(`#panel-${panel}, header h1, header p, #tabs`));
        const all = words.join("\n");
        if (lang === "ko") {
          const left = words.flatMap((w) => english(w).map((e) => `${e} in ${JSON.stringify(w)}`));
          assert.deepEqual(left, [], `${panel}: English left in Korean mode`);
          assert.ok((all.match(/[\uac00-\ud7a3]/g) ?? []).length > 40, `${panel}: Korean text`);
        } else {
          assert.doesNotMatch(all, /[\uac00-\ud7a3]/, `${panel}: Hangul in English mode`);
        }
        const canvas = { surfaces: "#surface-canvas", ewma: "#ewma-canvas", schedule: "#lr-canvas" }[panel];
        const ink = await paintedPixels(page, canvas);
        assert.ok(ink > 1000, `${panel} (${lang}): ${ink} painted pixels`);
        await page.screenshot({ path: join(ARTIFACTS, `panel-${panel}-${lang}.png`), fullPage: true });
      }
    }
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("no Hangul glyph on the Korean panels falls back to a missing-glyph box", async () => {
    const page = await open("#tab=surfaces&lang=ko");
    const missing: string[] = [];
    for (const panel of PANELS) {
      await page.goto(`${lab.base}/#tab=${panel}&lang=ko`);
      await page.waitForSelector(`#panel-${panel}:not([hidden])`);
      const bad = await missingHangul(page, `#panel-${panel}`);
      missing.push(...bad.map((ch) => `${panel}: ${ch}`));
    }
    assert.deepEqual(missing, []);
    await page.close();
  });

  test("messages are in the page's language", async () => {
    const page = await open("#tab=surfaces&lang=ko");
    const ko = LAB_TEXT.ko;
    // a bad formula: the panel's sentence around the reader's own message
    await page.selectOption("#fn", "custom");
    await page.fill("#formula", "x +* y");
    await page.waitForFunction(`document.querySelector("#formula-error").textContent !== ""`);
    assert.match((await page.textContent("#formula-error"))!, /^수식 오류: /);
    // an lr that is not a number
    await page.selectOption("#fn", "rosenbrock");
    await page.fill("#opt-adam-lr", "");
    await page.locator("#opt-adam-lr").dispatchEvent("change");
    await shows(page, "#opt-adam-error", ko.surfaces.lrNotNumber);
    // switching to English rewrites the standing messages too
    await page.selectOption("#lang", "en");
    await shows(page, "#opt-adam-error", LAB_TEXT.en.surfaces.lrNotNumber);
    await page.selectOption("#lang", "ko");
    // the schedule designer: its own checks and an option outside its range
    await page.goto(`${lab.base}/#tab=schedule&lang=ko&sched=StepLR(stepSize=0;gamma=0.5)`);
    await page.waitForSelector("#panel-schedule:not([hidden])");
    await page.fill("#sched-first-stepSize", "0");
    await page.locator("#sched-first-stepSize").dispatchEvent("input");
    await shows(page, "#sched-error", "StepLR: stepSize는 1 이상의 정수여야 한다 (입력: 0)");
    await page.fill("#sched-first-stepSize", "3");
    await page.fill("#sched-steps", "9000");
    await page.locator("#sched-steps").dispatchEvent("input");
    await shows(page, "#sched-error", ko.schedule.stepsAtMost(5000, 9000));
    await page.fill("#sched-steps", "100");
    await page.locator("#sched-steps").dispatchEvent("input");
    await shows(page, "#sched-error", "");
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("a language switch keeps each panel's state and rewrites its words", async () => {
    const page = await open("#tab=surfaces&fn=rosenbrock");
    await page.waitForFunction(
      `[...document.querySelectorAll("#loss-table tbody td:nth-child(2)")].some((td) => Number(td.textContent) > 5)`,
    );
    await page.click("#pause");
    assert.equal(await page.textContent("#pause"), "Resume");
    const start = [await page.inputValue("#start-x"), await page.inputValue("#start-y")];
    const steps = await page.locator("#loss-table tbody td:nth-child(2)").allTextContents();
    await page.selectOption("#lang", "ko");
    assert.equal(await page.textContent("#pause"), LAB_TEXT.ko.surfaces.resume);
    assert.deepEqual([await page.inputValue("#start-x"), await page.inputValue("#start-y")], start);
    // paused: the same steps, now with Korean statuses
    assert.deepEqual(await page.locator("#loss-table tbody td:nth-child(2)").allTextContents(), steps);
    const statuses = await page.locator("#loss-table tbody td:nth-child(5)").allTextContents();
    assert.ok(statuses.length > 0);
    for (const s of statuses) assert.ok(Object.values(LAB_TEXT.ko.surfaces.status).includes(s), s);
    assert.equal(
      await page.textContent("#fn-description"),
      surfaceText(testFunctions.find((f) => f.name === "rosenbrock")!, "ko").description,
    );
    assert.match(await href(page), /lang=ko/);
    // the other panels follow the same switch
    await page.click("#tab-ewma");
    await page.fill("#days", "60");
    await page.locator("#days").dispatchEvent("input");
    assert.match((await page.textContent("#ewma-summary"))!, /일을 평균한다/);
    await page.selectOption("#lang", "en");
    assert.match((await page.textContent("#ewma-summary"))!, /days averaged/);
    assert.equal(await page.inputValue("#days"), "60");
    await page.close();
    assert.deepEqual(problems, []);
  });
});
