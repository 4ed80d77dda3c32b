// Adafactor on the GPU (descent-optim/webgpu) in headless Chromium (WebGPU on SwiftShader): against the CPU
// class step by step (factored ≥2-D params, 1-D and 0-D ones), resumed GPU → CPU → GPU, params sharing the
// scratch, a bad state dict refused with nothing changed. Torch's float32 traces run in optimizers.test.ts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

/**
 * Per step, params (in ulps of the larger of |θ| and the move) and state (rowVar, colVar, variance) against
 * the CPU class (float64 sums, rounded once on store). The row and column means, RMS(θ) and RMS(U) are
 * float32 sums on the GPU (a tree per workgroup, then the partials), sequential float64 ones on the CPU;
 * each is a few ulps off and the update is their product and quotient. Observed on these cases: 5 ulps at
 * most (13 on the factors of a 300 × 500 matrix, measured 2026-12-01, SwiftShader).
 */
const MAX_ULPS_PER_STEP = 16;

const CASES: Array<{
  shapes: number[][];
  options: Record<string, unknown>;
  steps?: number;
  changes?: Record<number, Record<string, unknown>>;
}> = [
  { shapes: [[6, 10], [10, 6], [7], []], options: { lr: 0.01 } },
  { shapes: [[2, 3, 5], [300]], options: { lr: 0.05, weightDecay: 0.1, maximize: true } },
  { shapes: [[40, 300]], options: { lr: 0.02, beta2Decay: -0.5, eps: [1e-6, 1e-2], d: 2 } },
  // d = 1 clips from the first step (RMS(U) > 1), and a tiny ε2 makes RMS(θ) decide α
  { shapes: [[5, 4], [9]], options: { lr: 0.5, eps: [null, 1e-8] }, steps: 6 },
  {
    shapes: [
      [3, 1, 8],
      [1, 5],
    ],
    options: { lr: 0.01 },
    changes: { 3: { lr: 0.1, weightDecay: 0.2 } },
  },
];

describe("Adafactor on the GPU", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/adafactor.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const c of CASES) {
    test(`${JSON.stringify(c.shapes)} ${JSON.stringify(c.options)}${c.changes ? ` then ${JSON.stringify(Object.values(c.changes)[0])}` : ""}: each step within ${MAX_ULPS_PER_STEP} ulps of the CPU class, no map in step()`, async () => {
      const steps = c.steps ?? 5;
      const r = await gpu.call<{ paramUlps: number[]; stateUlps: number[]; steps: number[][]; maps: number }>(
        "againstCpu",
        { ...c, steps, seed: 3 },
      );
      assert.equal(r.maps, 0);
      assert.equal(r.paramUlps.length, steps);
      for (const [i, counts] of r.steps.entries())
        assert.deepEqual(
          counts,
          counts.map(() => i + 1),
        );
      for (const [i, u] of r.paramUlps.entries())
        assert.ok(u <= MAX_ULPS_PER_STEP, `step ${i + 1}: params ${u} ulps`);
      for (const [i, u] of r.stateUlps.entries())
        assert.ok(u <= MAX_ULPS_PER_STEP, `step ${i + 1}: state ${u} ulps`);
    });
  }

  test("GPU → CPU → GPU resumes exactly", async () => {
    const r = await gpu.call<any>("resume", {
      shapes: [[6, 10], [2, 3, 4], [5]],
      options: { lr: 0.02, weightDecay: 0.01 },
      k: 3,
      m: 3,
    });
    assert.deepEqual(r.cpuState, r.gpuState, "the CPU optimizer's state dict is the GPU's");
    assert.deepEqual(r.again, r.gpuState, "the state dict survives the trip back");
    assert.deepEqual(r.resumed, r.straight, "the resumed run is bit-identical");
  });

  test("params in one optimizer (scratch shared) step as each alone", async () => {
    const r = await gpu.call<{ alone: number[][]; together: number[][] }>("shared", {
      shapes: [[4, 6], [30, 20], [700], [2, 2, 3]],
      options: { lr: 0.02 },
      steps: 3,
    });
    assert.deepEqual(r.together, r.alone);
  });

  test("a state dict with a rowVar of the wrong length is refused by the CPU class, nothing changed", async () => {
    const r = await gpu.call<{ message: string; unchanged: boolean }>("badLoad");
    assert.match(r.message, /rowVar/);
    assert.ok(r.unchanged);
  });
});
