// The web lab's "Step on the GPU" toggle in headless Chromium with WebGPU on SwiftShader: the race's
// optimizers step on the GPU (a GPU badge on each row, the panel says so and why L-BFGS stays on the CPU),
// in English and Korean; where the browser has no WebGPU, or no adapter, the panel says so and the race runs
// on the CPU. Screenshots: test-artifacts/lab-gpu-<case>.png.

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, noBrowser, useLab } from "../helpers/web-lab.js";
import { LAB_TEXT } from "../../web/src/lab-text.js";

const DEFAULT_OPTIMIZERS = 6;

describe("the web lab's races on the GPU", { skip: noBrowser }, () => {
  const lab = useLab({ selector: "#loss-table", state: "attached" }, { webgpu: true });
  const { problems } = lab;

  /** Waits until every row of the loss table has finished (done or diverged); returns the rows. */
  async function finished(page: Page, rows: number) {
    await page.waitForFunction(
      `(() => { const s = [...document.querySelectorAll("#loss-table tbody td[data-status]")];
        return s.length === ${rows} && s.every((td) => td.dataset.status !== "running"); })()`,
      undefined,
      { timeout: 120_000 },
    );
    return page.$$eval("#loss-table tbody tr", (trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute("data-optimizer"),
        badge: tr.querySelector(".badge")?.textContent ?? null,
        steps: Number(tr.querySelector("td")!.textContent),
      })),
    );
  }

  test("with WebGPU the optimizers step on the GPU, and L-BFGS on the CPU, saying so", async () => {
    const page = await lab.open("#tab=surfaces&fn=himmelblau&gpu=1&speed=25");
    assert.equal(await page.isChecked("#gpu"), true);
    const rows = await finished(page, DEFAULT_OPTIMIZERS);
    assert.deepEqual(
      rows.map((r) => r.badge),
      Array(DEFAULT_OPTIMIZERS).fill("GPU"),
    );
    assert.ok(
      rows.every((r) => r.steps === 300),
      JSON.stringify(rows),
    );
    assert.equal(await page.getAttribute("#gpu-status", "data-where"), "gpu");
    assert.equal(await page.textContent("#gpu-status"), LAB_TEXT.en.surfaces.gpuOn(DEFAULT_OPTIMIZERS, []));
    await page.check("#opt-lbfgs");
    const withLbfgs = await finished(page, DEFAULT_OPTIMIZERS + 1);
    assert.deepEqual(
      withLbfgs.filter((r) => r.badge === null).map((r) => r.id),
      ["lbfgs"],
    );
    assert.equal(
      await page.textContent("#gpu-status"),
      LAB_TEXT.en.surfaces.gpuOn(DEFAULT_OPTIMIZERS, ["L-BFGS"]),
    );
    assert.match(await page.evaluate("location.hash"), /gpu=1/);
    await page.locator("#panel-surfaces").screenshot({ path: join(ARTIFACTS, "lab-gpu-en.png") });
    // off again: the same race on the CPU, no badges, no message
    await page.uncheck("#gpu");
    const onCpu = await finished(page, DEFAULT_OPTIMIZERS + 1);
    assert.ok(onCpu.every((r) => r.badge === null));
    assert.equal(await page.textContent("#gpu-status"), "");
    assert.doesNotMatch(await page.evaluate("location.hash"), /gpu=1/);
    await page.close();
    assert.deepEqual(problems, []);
  });

  test("in Korean the GPU messages are Korean", async () => {
    const page = await lab.open("#tab=surfaces&fn=himmelblau&gpu=1&speed=25&lang=ko");
    await page.check("#opt-lbfgs");
    await finished(page, DEFAULT_OPTIMIZERS + 1);
    const status = (await page.textContent("#gpu-status"))!;
    assert.equal(status, LAB_TEXT.ko.surfaces.gpuOn(DEFAULT_OPTIMIZERS, ["L-BFGS"]));
    const latin = (status.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []).filter(
      (w) => !["GPU", "CPU", "WebGPU", "optimizer", "Gradient", "descent", "L", "BFGS"].includes(w),
    );
    assert.deepEqual(latin, []);
    assert.match(
      (await page.textContent("label.gpu"))!,
      new RegExp(LAB_TEXT.ko.surfaces.gpu.replace(/[()]/g, "\\$&")),
    );
    await page.locator("#panel-surfaces").screenshot({ path: join(ARTIFACTS, "lab-gpu-ko.png") });
    await page.close();
    assert.deepEqual(problems, []);
  });

  for (const [what, init, reason] of [
    [
      "no WebGPU",
      "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });",
      "no-webgpu",
    ],
    ["no adapter", "navigator.gpu.requestAdapter = async () => null;", "no-adapter"],
  ] as const) {
    test(`with ${what} the panel says so and the race runs on the CPU`, async () => {
      const page = await lab.open("#tab=surfaces&fn=himmelblau&gpu=1&speed=25", init);
      const rows = await finished(page, DEFAULT_OPTIMIZERS);
      assert.ok(
        rows.every((r) => r.badge === null && r.steps === 300),
        JSON.stringify(rows),
      );
      assert.equal(await page.textContent("#gpu-status"), LAB_TEXT.en.surfaces.gpuUnavailable({ reason }));
      assert.equal(await page.getAttribute("#gpu-status", "data-where"), "cpu");
      await page.locator("#panel-surfaces").screenshot({ path: join(ARTIFACTS, `lab-gpu-${reason}.png`) });
      await page.close();
      assert.deepEqual(problems, []);
    });
  }
});
