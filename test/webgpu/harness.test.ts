// The WebGPU test harness itself (test/helpers/webgpu-browser.ts): headless Chromium on SwiftShader gives
// an adapter, bundles a page module and runs a compute shader whose result comes back.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

describe("WebGPU in headless Chromium", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/probe.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  test("navigator.gpu gives an adapter with storage buffers of at least 128 MiB", async () => {
    const info = await gpu.call<{ architecture: string; maxStorageBufferBindingSize: number }>("adapterInfo");
    assert.ok(info.maxStorageBufferBindingSize >= 128 * 2 ** 20, JSON.stringify(info));
  });

  test("a compute shader runs on the page's device and its result reads back", async () => {
    const values = Array.from({ length: 200 }, (_, i) => i - 100.25);
    assert.deepEqual(
      await gpu.call("double", values),
      values.map((v) => 2 * v),
    );
    assert.deepEqual(gpu.problems, []);
  });
});
