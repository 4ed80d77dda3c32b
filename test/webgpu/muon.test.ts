// Muon on the GPU (descent-optim/webgpu) in headless Chromium (WebGPU on SwiftShader): against the CPU class
// step by step, resumed GPU → CPU → GPU, params of several shapes sharing the scratch, refusals by name.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

/**
 * The GPU's orthogonalised update O against the CPU's (float64 Newton–Schulz), as max |ΔO| / max |O|.
 * Newton–Schulz in float32 moves O by itself: the CPU's own loops with every operation rounded to float32
 * land 5e-8 to 5e-6 from float64 on these cases (`f32Spread`, growing with the matrix: 5e-6 at 128 × 300),
 * and the GPU's tiled float32 matmuls 1e-7 to 3.1e-6 (measured 2026-12-01, SwiftShader). The bound is 4×
 * the worst spread measured.
 */
const MAX_UPDATE_ERROR = 2e-5;
/**
 * And per case, the GPU is about as far from float64 as float32 arithmetic is: within 4× the float32
 * rendering's spread, plus 1e-6 for the roundings that rendering leaves out (1/‖U‖ and θ's store).
 */
const SPREAD_FACTOR = 4;
const SPREAD_SLACK = 1e-6;
/** Params, in float32 ulps of the larger of |θ'| and the move (observed: 13 at most). */
const MAX_PARAM_ULPS = 64;
/**
 * The momentum buffer (element-wise: float32 on the GPU, float64 math rounded once on the CPU), in ulps of
 * the larger of |g| and |B| (observed: 1 at most).
 */
const MAX_MOMENTUM_ULPS = 2;

const CASES: Array<{ shapes: number[][]; options: Record<string, unknown>; steps?: number }> = [
  {
    shapes: [
      [8, 20],
      [20, 8],
      [16, 16],
    ],
    options: { lr: 0.02 },
  },
  {
    shapes: [
      [3, 4, 5],
      [1, 7],
      [7, 1],
    ],
    options: { lr: 0.02, weightDecay: 0.01 },
  },
  { shapes: [[33, 70]], options: { lr: 0.01, nesterov: false, momentum: 0.9 } },
  { shapes: [[40, 17]], options: { lr: 0.01, adjustLrFn: "match_rms_adamw", weightDecay: 0 } },
  { shapes: [[12, 9]], options: { lr: 0.05, nsSteps: 1, eps: 1e-3 } },
  { shapes: [[12, 9]], options: { lr: 0.05, nsSteps: 0 } },
  { shapes: [[9, 12]], options: { lr: 0.05, nsSteps: 3, nsCoefficients: [2, -1.5, 0.5], momentum: 0 } },
  { shapes: [[128, 300]], options: { lr: 0.02 }, steps: 2 },
];

describe("Muon on the GPU", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/muon.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const c of CASES) {
    const what = `${JSON.stringify(c.shapes)} ${JSON.stringify(c.options)}`;
    test(`${what}: the update O is within ${MAX_UPDATE_ERROR} of the CPU's, no map in step()`, async () => {
      const steps = c.steps ?? 4;
      const r = await gpu.call<{
        update: number[];
        f32Spread: number[];
        momentumUlps: number[];
        maps: number;
      }>("againstCpu", { ...c, steps, seed: 3, zeroParams: true });
      assert.equal(r.maps, 0);
      assert.equal(r.update.length, steps);
      r.update.forEach((e, i) => {
        assert.ok(e <= MAX_UPDATE_ERROR, `step ${i + 1}: ${e}`);
        const spread = r.f32Spread[i]!;
        assert.ok(e <= SPREAD_FACTOR * spread + SPREAD_SLACK, `step ${i + 1}: ${e}, float32 alone ${spread}`);
      });
      for (const [i, u] of r.momentumUlps.entries())
        assert.ok(u <= MAX_MOMENTUM_ULPS, `step ${i + 1}: momentum ${u} ulps`);
    });
    test(`${what}: params within ${MAX_PARAM_ULPS} ulps (of |θ| or their move), momentum within ${MAX_MOMENTUM_ULPS}`, async () => {
      const steps = c.steps ?? 4;
      const r = await gpu.call<{ paramUlps: number[]; momentumUlps: number[] }>("againstCpu", {
        ...c,
        steps,
        seed: 5,
      });
      for (const [i, u] of r.paramUlps.entries())
        assert.ok(u <= MAX_PARAM_ULPS, `step ${i + 1}: params ${u} ulps`);
      for (const [i, u] of r.momentumUlps.entries())
        assert.ok(u <= MAX_MOMENTUM_ULPS, `step ${i + 1}: momentum ${u} ulps`);
    });
  }

  test("GPU → CPU → GPU resumes exactly", async () => {
    const r = await gpu.call<any>("resume", {
      shapes: [
        [6, 10],
        [10, 6],
        [2, 3, 4],
      ],
      options: { lr: 0.02, weightDecay: 0.01 },
      k: 3,
      m: 3,
    });
    assert.deepEqual(r.cpuState, r.gpuState, "the CPU optimizer's state dict is the GPU's");
    assert.deepEqual(r.again, r.gpuState, "the state dict survives the trip back");
    assert.deepEqual(r.resumed, r.straight, "the resumed run is bit-identical");
  });

  test("params in one optimizer (scratch shared, grown by a later group) step as each alone", async () => {
    const r = await gpu.call<{ alone: number[][]; together: number[][] }>("shared", {
      shapes: [
        [4, 6],
        [30, 20],
        [5, 5],
      ],
      options: { lr: 0.02 },
      steps: 3,
    });
    assert.deepEqual(r.together, r.alone);
  });

  test("refuses what the CPU Muon refuses, with its messages; SkipNonFinite refuses Muon by name", async () => {
    const m = await gpu.call<Record<string, string>>("refusals");
    assert.equal(m.vector, m.cpuVector);
    assert.match(m.vector!, /^Muon only supports parameters with 2 or more dimensions .*size: \[4\]/);
    assert.match(m.scalar!, /^Muon only supports parameters with 2 or more dimensions .*size: \[\]/);
    assert.match(m.addedVector!, /^Muon only supports parameters with 2 or more dimensions/);
    assert.equal(m.badSteps, m.cpuBadSteps);
    assert.match(m.gate!, /Muon cannot be gated on the GPU/);
    assert.equal(m.built, "Muon");
  });

  test("a param larger than one storage binding is refused by name when added (Muon and Adafactor)", async () => {
    const m = await gpu.call<Record<string, string>>("refusals");
    assert.match(
      m.tooBig!,
      /^Muon on the GPU: param 'big' has 100 elements, more than one storage binding holds \(64\); .*descent-optim's Muon/,
    );
    assert.match(m.tooBigAdafactor!, /^Adafactor on the GPU: param 'big' has 100 elements, .*\(64\)/);
  });
});
