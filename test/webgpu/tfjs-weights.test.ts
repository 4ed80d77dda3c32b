// TfjsWebGpuOptimizer's getWeights/setWeights in headless Chromium (SwiftShader): model.save with the
// optimizer on webgpu and tf.loadLayersModel resume exactly on webgpu, within float32 tolerance on cpu (the
// saved config rebuilds a TfjsOptimizer there), a cpu-saved model moves onto the GPU through setWeights, and
// a bad checkpoint is refused by name with nothing changed.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { closeTo } from "../helpers/torch-reference.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

interface Resumed {
  straight: number[][];
  resumed: number[][];
  loadedClass: string;
  loadedIsGpu: boolean;
  loadedIterations: number;
  stateAfterLoad: unknown;
  stateSaved: unknown;
}

describe("TfjsWebGpuOptimizer: optimizer weights through model.save and tf.loadLayersModel", {
  skip: noBrowser,
}, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/tfjs-weights.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const name of ["Adam", "AdamW"]) {
    test(`${name}: saved and resumed on webgpu, bit for bit the uninterrupted run`, async () => {
      const r = await gpu.call<Resumed>("saveAndResume", { name, from: "webgpu", to: "webgpu" });
      assert.equal(r.loadedClass, "DescentWebGpuOptimizer");
      assert.equal(r.loadedIsGpu, true);
      assert.equal(r.loadedIterations, 4, "1 epoch of 4 batches");
      assert.deepEqual(r.stateAfterLoad, r.stateSaved);
      assert.deepEqual(r.resumed, r.straight);
    });

    test(`${name}: saved on webgpu, resumed on cpu by TfjsOptimizer within float32 tolerance`, async () => {
      const r = await gpu.call<Resumed>("saveAndResume", { name, from: "webgpu", to: "cpu" });
      assert.equal(r.loadedClass, "DescentOptimizer");
      assert.equal(r.loadedIsGpu, false);
      assert.equal(r.loadedIterations, 4);
      assert.deepEqual(r.stateAfterLoad, r.stateSaved);
      r.resumed.forEach((w, i) => {
        const why = closeTo(w, r.straight[i]!, 1e-4, `${name} weight ${i}`);
        assert.equal(why, null, why ?? "");
      });
    });

    test(`${name}: saved on cpu, moved onto the GPU with setWeights, within float32 tolerance`, async () => {
      const r = await gpu.call<{ straight: number[][]; resumed: number[][] }>("cpuToGpuBySetWeights", name);
      r.resumed.forEach((w, i) => {
        const why = closeTo(w, r.straight[i]!, 1e-4, `${name} weight ${i}`);
        assert.equal(why, null, why ?? "");
      });
    });
  }

  test("a bad checkpoint is refused naming the bad value, and nothing changes", async () => {
    const r = await gpu.call<{
      messages: Record<string, string>;
      unchanged: boolean;
      iterations: number[];
      pendingMessage: string;
      pendingVariablesUnchanged: boolean;
    }>("refused");
    const m = r.messages;
    assert.match(
      m["no manifest"]!,
      /^TfjsWebGpuOptimizer\.setWeights: expected 'descent\/state' as the second weight/,
    );
    assert.match(m["another optimizer"]!, /the weights are RMSprop state but this optimizer is Adam/);
    assert.match(
      m["a fractional iteration count"]!,
      /iteration count must be a non-negative integer, got 2\.5/,
    );
    assert.match(
      m["a short state buffer"]!,
      /^Adam\.loadStateDict: state\[0\]\.expAvg: expected 128 elements, got 3$/,
    );
    assert.match(m["a negative step"]!, /state\[0\]\.step: expected a non-negative integer, got -3/);
    assert.equal(r.unchanged, true, "the state dict and the iteration count are as before");
    assert.equal(r.iterations[0], 4);
    assert.equal(r.pendingMessage, m["a short state buffer"]);
    assert.equal(r.pendingVariablesUnchanged, true);
    assert.deepEqual(gpu.problems, []);
  });
});
