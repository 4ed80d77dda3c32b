// clipGradNorm on the GPU (descent-optim/webgpu) in headless Chromium (WebGPU on SwiftShader): the total
// norm and the clipped grads against descent's CPU clipGradNorm and torch's clip_grad_norm_ (float32
// fixtures), for p = 1, 2, ∞, across several grads, chunked, with null and NaN grads; clip + step against
// the CPU doing the same, with no read-back; refusals by name.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BLOCK_ELEMENTS } from "../../src/kernels/wgsl-types.js";
import { closeTo, loadFixture } from "../helpers/torch-reference.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";
import type { FusedResult } from "./pages/clip.js";

/**
 * The total is a float32 sum on the GPU (each invocation's 64 elements in order, then a tree over the
 * partials) and a float64 sum on the CPU: within float32 rounding of the sum, a few ulps relative.
 */
const TOTAL_RELATIVE = 2e-6;
/** A clipped grad is g·coef with coef from that total: an ulp of the product, plus coef's few ulps. */
const MAX_GRAD_ULPS = 8;

/**
 * Clip + step vs the CPU doing both: the CPU optimizer computes in float64, the kernel in float32 with its
 * constants rounded first (1 − fround(0.999) is 1.3e-5 off 0.001), as in test/webgpu/optimizers.test.ts;
 * in ulps of what the step worked on (old value, clipped grad, move). Observed: Adam 1, LAMB 105.
 */
const MAX_STEP_ULPS = 128;

type Result = { cpuTotal: number; gpuTotal: number; coef: number; maxUlps: number; bitIdentical: boolean };

describe("clipGradNorm on the GPU", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/clip.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const norm of ["1", "2", "inf"]) {
    for (const [maxNorm, clipped] of [
      [0.5, true],
      [1e6, false],
    ] as const) {
      test(`p = ${norm}, ${clipped ? "clipping" : "not clipping"}: as the CPU clipGradNorm`, async () => {
        const r = await gpu.call<Result>("againstCpu", { sizes: [300, 77, 1000, 1], norm, maxNorm });
        const relative = Math.abs(r.gpuTotal - r.cpuTotal) / r.cpuTotal;
        assert.ok(relative <= TOTAL_RELATIVE, `total ${r.gpuTotal} vs ${r.cpuTotal} (${relative})`);
        if (norm === "inf") assert.equal(r.gpuTotal, r.cpuTotal, "max |g| is exact");
        assert.equal(r.coef < 1, clipped);
        if (clipped) assert.ok(r.maxUlps <= MAX_GRAD_ULPS, `${r.maxUlps} ulps`);
        else assert.ok(r.bitIdentical, "grads not clipped are left bit for bit");
      });
    }
  }

  test("buffers bound in chunks reduce as whole ones", async () => {
    // chunks of one reduction block (16384 elements): three chunks of the first grad
    const c = { sizes: [40000, 600], norm: "2", maxNorm: 0.5 };
    const whole = await gpu.call<Result>("againstCpu", c);
    const inChunks = await gpu.call<Result>("againstCpu", { ...c, chunk: BLOCK_ELEMENTS });
    // the blocks and their partials are the same either way: so is every bit
    assert.deepEqual(inChunks, whole);
  });

  test("params without a grad are ignored; none at all gives 0", async () => {
    const some = await gpu.call<Result>("againstCpu", {
      sizes: [300, 50, 20],
      norm: "2",
      maxNorm: 0.5,
      noGrad: [1],
    });
    assert.ok(Math.abs(some.gpuTotal - some.cpuTotal) / some.cpuTotal <= TOTAL_RELATIVE);
    assert.ok(some.maxUlps <= MAX_GRAD_ULPS);
    const none = await gpu.call<Result>("againstCpu", { sizes: [3], norm: "2", maxNorm: 0.5, noGrad: [0] });
    assert.deepEqual([none.gpuTotal, none.cpuTotal], [0, 0]);
  });

  test("a NaN grad gives a NaN total and NaN grads, as on the CPU", async () => {
    for (const norm of ["1", "2", "inf"]) {
      const r = await gpu.call<Result>("againstCpu", {
        sizes: [300, 20],
        norm,
        maxNorm: 0.5,
        nan: [1, 3],
      });
      assert.ok(Number.isNaN(r.cpuTotal) && Number.isNaN(r.gpuTotal), `p = ${norm}: ${r.gpuTotal}`);
      assert.ok(r.bitIdentical, `p = ${norm}: every grad NaN on both`);
    }
  });

  const cases = loadFixture<{ cases: any[] }>("clip_grad.json").cases.filter(
    (c) => c.fn === "clip_grad_norm_" && c.dtype === "float32",
  );
  for (const c of cases) {
    test(`torch ${c.name}`, async () => {
      const r = await gpu.call<{ total: number; grads: Array<number[] | null> }>("torchCase", c);
      const why = closeTo([r.total], [c.total_norm], 1e-6, `${c.name} total`);
      assert.equal(why, null, why ?? "");
      c.grads_after.forEach((want: number[] | null, i: number) => {
        if (want === null) {
          assert.equal(r.grads[i], null);
          return;
        }
        const w = closeTo(r.grads[i]!, want, 1e-6, `${c.name} grad ${i}`);
        assert.equal(w, null, w ?? "");
      });
    });
  }

  for (const [name, options] of [
    ["Adam", { lr: 0.01 }],
    ["LAMB", { lr: 0.01, weightDecay: 0.01 }],
  ] as const) {
    test(`clipGradNorm then ${name}.step on the GPU: as on the CPU, nothing mapped`, async () => {
      const r = await gpu.call<{ maxUlps: number[]; maps: number; totals: number[][] }>("clipThenStep", {
        name,
        options,
        sizes: [300, 40],
        maxNorm: 1,
        steps: 4,
      });
      assert.equal(r.maps, 0);
      for (const [cpuTotal, gpuTotal] of r.totals) {
        assert.ok(cpuTotal! > 1, "the grads were clipped");
        assert.ok(Math.abs(gpuTotal! - cpuTotal!) / cpuTotal! <= TOTAL_RELATIVE);
      }
      for (const [s, u] of r.maxUlps.entries())
        assert.ok(u <= MAX_STEP_ULPS, `step ${s + 1}: ${u} ulps from the CPU`);
    });
  }

  const fusedCases: Array<[string, Record<string, unknown>]> = [
    ["Adam", { norm: "2", name: "Adam", options: { lr: 0.01 } }],
    [
      "AdamW amsgrad maximize, p = 1",
      { norm: "1", name: "AdamW", options: { lr: 0.01, amsgrad: true, maximize: true } },
    ],
    ["SGD with momentum, p = ∞", { norm: "inf", name: "SGD", options: { lr: 0.05, momentum: 0.9 } }],
    // LAMB reads the grads in its own partials pass too
    ["LAMB", { norm: "2", name: "LAMB", options: { lr: 0.01, weightDecay: 0.01 } }],
    [
      "RMSprop centered, a param without a grad",
      { norm: "2", name: "RMSprop", options: { lr: 0.01, centered: true }, noGrad: [1] },
    ],
  ];
  for (const [what, c] of fusedCases) {
    test(`clippedStep is clipGradNorm then step() bit for bit, grads untouched: ${what}`, async () => {
      // maxNorm 1000, 250, …, 0.98 against norms of about 550 (p = 1), 37 (2), 6 (∞): clipped and not
      const r = await gpu.call<FusedResult>("fusedAgainstSeparate", {
        sizes: [300, 40, 7],
        start: 4000,
        shrink: 4,
        steps: 6,
        ...c,
      });
      assert.deepEqual(r.firstDifference, [], "params bit-identical after every step");
      assert.ok(r.sameState, "state bit-identical");
      for (const [separate, fused] of r.totals) assert.equal(fused, separate);
      assert.ok(
        r.coefs.some(([, coef]) => coef >= 1) && r.coefs.some(([, coef]) => coef < 1),
        "clipped and not",
      );
      assert.ok(r.gradsKept, "clippedStep leaves the grads as they were");
      assert.equal(r.maps, 0);
      assert.deepEqual(r.hooks, [6, 6]);
    });
  }

  test("clippedStep: in chunks as whole, and a NaN grad as clipGradNorm then step()", async () => {
    const c = {
      name: "LAMB",
      options: { lr: 0.01 },
      sizes: [40000, 300],
      norm: "2",
      start: 2,
      shrink: 2,
      steps: 3,
    };
    const inChunks = await gpu.call<FusedResult>("fusedAgainstSeparate", { ...c, chunk: BLOCK_ELEMENTS });
    assert.deepEqual(inChunks.firstDifference, []);
    assert.ok(inChunks.sameState);
    const whole = await gpu.call<FusedResult>("fusedAgainstSeparate", c);
    assert.deepEqual(inChunks.totals, whole.totals);
    const nan = await gpu.call<FusedResult>("fusedAgainstSeparate", {
      ...c,
      name: "Adam",
      sizes: [300, 40],
      nanAt: 1,
    });
    assert.deepEqual(nan.firstDifference, []);
    assert.ok(nan.sameState);
    assert.ok(Number.isNaN(nan.totals[1]![1]) || nan.totals[1]![1] === null, "the NaN reaches the norm");
  });

  test("bad input is refused by name", async () => {
    const m = await gpu.call<Record<string, string>>("refusals");
    assert.match(m.p3!, /normType 3 has no WGSL kernel \(1, 2 and Infinity do\)/);
    assert.equal(m.negative, m.cpuNegative);
    assert.match(m.badNorm!, /Invalid norm_type value: 0/);
    assert.match(m.errorIfNonfinite!, /errorIfNonfinite needs the norm on the CPU/);
    assert.match(m.notAParam!, /params\[0\] is not a GpuParam/);
    assert.match(m.smallGrad!, /grad of params\[0\] has 16 bytes/);
    assert.match(m.stepP3!, /clippedStep on the GPU: normType 3 has no WGSL kernel/);
    assert.equal(m.stepNegative, m.cpuNegative);
    assert.match(
      m.stepErrorIfNonfinite!,
      /clippedStep on the GPU: errorIfNonfinite needs the norm on the CPU/,
    );
    assert.match(
      m.stepWrapped!,
      /clippedStep: expected a descent-optim\/webgpu optimizer \(for SkipNonFinite/,
    );
    assert.match(m.stepCpu!, /clippedStep: expected a descent-optim\/webgpu optimizer/);
    assert.match(m.stepMuon!, /clippedStep: Muon's GPU kernels do not take a clip coefficient/);
    assert.deepEqual(gpu.problems, []);
  });
});
