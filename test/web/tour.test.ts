// The tour of the seed note in real headless Chromium: every section renders in English and Korean, its
// controls change the figure, no Hangul glyph is missing, and the numbers shown are the library's.
// Screenshots of every section in both languages go to test-artifacts/tour-<section>-<lang>.png.

import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import assert from "node:assert/strict";
import { ARTIFACTS, missingHangul, noBrowser, paintedPixels, useLab } from "../helpers/web-lab.js";
import { elongated, leastSquares, race, raceOptimizer } from "../../src/lab/index.js";
import { SECTION_IDS, TOUR_TEXT } from "../../web/src/tour-text.js";

describe("the tour in headless Chromium", {
  skip: noBrowser,
}, () => {
  const lab = useLab({ selector: "#tour-summary", hash: "#tab=tour" });
  const { open, href, problems } = lab;

  const numbers = async (page: Page): Promise<Record<string, number>> =>
    JSON.parse((await page.getAttribute("#tour-summary", "data-numbers")) ?? "{}");
  const picture = (page: Page) =>
    page.locator("#tour-canvas").evaluate((c: HTMLCanvasElement) => c.toDataURL());

  test("every section renders its figure, formula and both codes, in English and in Korean", async () => {
    const page = await open();
    for (const lang of ["en", "ko"] as const) {
      for (const id of SECTION_IDS) {
        await page.goto(`${lab.base}/#tab=tour&section=${id}&lang=${lang}`);
        await page.waitForSelector(`#tour-${id}`);
        const text = TOUR_TEXT[lang];
        assert.equal(await page.textContent(`#tour-${id} h2`), text.section[id].title);
        assert.equal(await page.getAttribute("html", "lang"), lang);
        assert.equal(await page.getAttribute("#tab-tour", "aria-selected"), "true");
        assert.ok((await page.textContent(".formula"))!.includes(text.section[id].formula[0]!));
        assert.match((await page.textContent("#tour-descent"))!, /from "descent-optim/);
        assert.match((await page.textContent("#tour-torch"))!, /torch|optimizer|DataLoader/);
        assert.ok((await page.textContent("#tour-summary"))!.length > 10);
        const ink = await paintedPixels(page, "#tour-canvas");
        assert.ok(ink > 1000, `${id} (${lang}): ${ink} painted pixels`);
        await page.screenshot({ path: join(ARTIFACTS, `tour-${id}-${lang}.png`), fullPage: true });
      }
    }
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("no Hangul glyph on the Korean pages falls back to a missing-glyph box", async () => {
    const page = await open();
    const missing: string[] = [];
    for (const id of SECTION_IDS) {
      await page.goto(`${lab.base}/#tab=tour&section=${id}&lang=ko`);
      await page.waitForSelector(`#tour-${id}`);
      missing.push(...(await missingHangul(page, "body")));
      assert.ok(((await page.textContent("body"))!.match(/[\uac00-\ud7a3]/g) ?? []).length > 20, id);
    }
    assert.deepEqual(missing, []);
    await page.close();
  });

  test("the controls change the figure and the numbers, and the URL keeps them", async () => {
    const page = await open("#tab=tour&section=ewma");
    const before = await picture(page);
    const first = (await numbers(page)).first!;
    await page.check("#control-bc");
    assert.notEqual(await picture(page), before);
    // bias-corrected, the first average equals the first data point
    assert.ok(Math.abs((await numbers(page)).first! - first / (1 - 0.9)) < 1e-9);
    assert.match(await href(page), /section=ewma.*bc=1/);
    for (const [section, control, value] of [
      ["batch", "#control-batch", "2"],
      ["momentum", "#control-momentum", "0.7"],
      ["adagrad", "#control-lr", "0.1"],
      ["rmsprop", "#control-alpha", "0.9"],
      ["adam", "#control-beta1", "0.5"],
      ["pytorch", "#control-opt", "4"],
      ["schedulers", "#control-gamma", "0.7"],
    ] as const) {
      await page.goto(`${lab.base}/#tab=tour&section=${section}`);
      await page.waitForSelector(`#tour-${section}`);
      const shown = await picture(page);
      const numbersBefore = await numbers(page);
      const code = await page.textContent("#tour-descent");
      if (control === "#control-batch" || control === "#control-opt") await page.selectOption(control, value);
      else {
        // a slider redraws when it is let go (its change event), as after a drag
        await page.locator(control).fill(value);
        await page.locator(control).dispatchEvent("change");
      }
      // a string, not a function: tsx's transpiled functions reference helpers the page lacks
      await page.waitForFunction(
        `document.querySelector("#tour-summary")?.getAttribute("data-numbers") !== ${JSON.stringify(JSON.stringify(numbersBefore))}`,
      );
      assert.notEqual(await picture(page), shown, section);
      assert.notDeepEqual(await numbers(page), numbersBefore, section);
      assert.notEqual(
        await page.textContent("#tour-descent"),
        code,
        `${section}: the code follows the control`,
      );
      const key = control.slice("#control-".length);
      assert.ok((await href(page)).includes(`${key}=${value}`), `${section}: ${await href(page)}`);
    }
    // a deep link restores section, control and language
    await page.goto(`${lab.base}/#tab=tour&section=schedulers&gamma=0.7&lang=ko`);
    await page.waitForSelector("#tour-schedulers");
    assert.equal(await page.inputValue("#control-gamma"), "0.7");
    assert.equal(await page.inputValue("#lang"), "ko");
    assert.ok(Math.abs((await numbers(page)).exponential! - 0.1 * 0.7 ** 29) < 1e-15);
    await page.selectOption("#lang", "en");
    assert.equal(await page.textContent("#tour-schedulers h2"), TOUR_TEXT.en.section.schedulers.title);
    assert.match(await href(page), /section=schedulers/);
    assert.doesNotMatch(await href(page), /lang=ko/);
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("the numbers shown are the library's own", async () => {
    const page = await open("#tab=tour&section=batch");
    const fn = leastSquares({ seed: 1 });
    const result = race(
      fn,
      [48, 8, 1].map((b) => ({ ...raceOptimizer("sgd", fn, { lr: 0.1 }), label: `B=${b}`, batchSize: b })),
      { steps: 200, seed: 1 },
    );
    const shown = await numbers(page);
    // the same code in the page and here; the browser's engine may round the last bit differently
    [shown.full, shown.mini, shown.sgd].forEach((v, i) => {
      const want = result.runs[i]!.summary.finalLoss;
      assert.ok(Math.abs(v! - want) <= 1e-12 * want, `${result.runs[i]!.label}: page ${v}, library ${want}`);
    });
    await page.goto(`${lab.base}/#tab=tour&section=rmsprop`);
    await page.waitForSelector("#tour-rmsprop");
    const sgd = race(elongated, [raceOptimizer("sgd", elongated)], { steps: 1 }).runs[0]!.trajectory;
    const ratio = Math.abs(sgd.y[1]! - sgd.y[0]!) / Math.abs(sgd.x[1]! - sgd.x[0]!);
    assert.equal((await numbers(page)).sgd, ratio);
    assert.ok(Math.abs((await numbers(page)).rmsprop! - 1) < 1e-6);
    await page.close();
    assert.deepEqual(problems, []);
  });
});
