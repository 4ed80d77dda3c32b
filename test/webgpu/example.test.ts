// examples/webgpu-tfjs.ts in headless Chromium: a TF.js model trained on the webgpu backend by descent's
// WGSL AdamW under a cosine schedule; its loss must fall, and the page with its loss curve is screenshot
// to test-artifacts/webgpu-tfjs-loss.png.

import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { test } from "node:test";
import { noBrowser, openWebGpuPage } from "../helpers/webgpu-browser.js";

test("examples/webgpu-tfjs.ts trains on webgpu and draws its loss curve", { skip: noBrowser }, async () => {
  const gpu = await openWebGpuPage(
    "examples/webgpu-tfjs.ts",
    `<canvas id="loss" width="720" height="360"></canvas><p id="status"></p>`,
  );
  try {
    const r = await gpu.call<{ losses: number[]; backend: string }>("train");
    await mkdir("test-artifacts", { recursive: true });
    await gpu.page.screenshot({ path: "test-artifacts/webgpu-tfjs-loss.png" });
    assert.equal(r.backend, "webgpu");
    assert.equal(r.losses.length, 30);
    assert.ok(r.losses.at(-1)! < r.losses[0]! / 5, `loss ${r.losses[0]} → ${r.losses.at(-1)}`);
    assert.match((await gpu.page.textContent("#status")) ?? "", /^epoch 30\/30: loss /);
    assert.deepEqual(gpu.problems, []);
  } finally {
    await gpu.close();
  }
});
