// TF.js's webgpu backend trained by descent's GPU kernels in headless Chromium: no bytes read back per
// step, a model fitted on webgpu within float32 tolerance of the same fit on the cpu backend, and TF.js's
// tensor semantics kept when a variable is cloned or assigned between steps.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeTo } from "../helpers/torch-reference.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

interface FitResult {
  weights: number[][];
  loss: number[];
  readBackPerStep: number[];
}

describe("TF.js on webgpu with descent's GPU optimizers", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/tfjs.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const optimizer of ["Adam", "AdamW"]) {
    test(`${optimizer}: an epoch slice on webgpu matches the cpu backend, reading back nothing`, async () => {
      const r = await gpu.call<{ cpu: FitResult; webgpu: FitResult }>("fitBoth", { optimizer, epochs: 2 });
      assert.equal(r.webgpu.readBackPerStep.length, 8, "2 epochs of 4 batches");
      assert.deepEqual(r.webgpu.readBackPerStep, [0, 0, 0, 0, 0, 0, 0, 0]);
      assert.ok(r.webgpu.loss[1]! < r.webgpu.loss[0]!, `loss ${r.webgpu.loss}`);
      r.webgpu.weights.forEach((w, i) => {
        const why = closeTo(w, r.cpu.weights[i]!, 1e-4, `${optimizer} weight ${i}`);
        assert.equal(why, null, why ?? "");
      });
    });
  }

  test("a cloned variable keeps its values; an assigned one is trained from its new values", async () => {
    const r = await gpu.call<any>("sharedAndAssigned", "webgpu");
    const onCpu = await gpu.call<any>("sharedAndAssigned", "cpu");
    assert.deepEqual(r.cloneAfter, r.cloneBefore);
    assert.deepEqual(onCpu.cloneAfter, onCpu.cloneBefore);
    assert.ok(
      r.afterAssign.every((v: number) => v > 9 && v < 10),
      String(r.afterAssign),
    );
    const why = closeTo(r.afterAssign, onCpu.afterAssign, 1e-5, "after the assign");
    assert.equal(why, null, why ?? "");
    assert.equal(r.resyncs, 2);
    assert.deepEqual(r.readBackPerStep, [0, 0, 0]);
  });

  test("another backend is refused, naming it and the CPU adapter", async () => {
    assert.match(
      await gpu.call<string>("refusesOtherBackends"),
      /backend is 'cpu', not 'webgpu'.*TfjsOptimizer/,
    );
    assert.deepEqual(gpu.problems, []);
  });
});
