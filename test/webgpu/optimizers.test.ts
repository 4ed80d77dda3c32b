// descent-optim/webgpu in headless Chromium (WebGPU on SwiftShader): every GPU optimizer against its CPU
// class step by step (a few float32 ulps), against the recorded float32 torch traces, resumed exactly
// GPU → CPU → GPU, chunked past the binding size, under a scheduler, and refusing bad input by name.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BLOCK_ELEMENTS } from "../../src/kernels/wgsl-types.js";
import { GPU_OPTIMIZERS } from "../../src/webgpu/index.js";
import { camelOptions, closeTo, loadFixture } from "../helpers/torch-reference.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

/** Per step, the WGSL kernel vs the rule's float32 reference (reference-f32.ts: every operation rounded). */
const MAX_ULPS_PER_STEP = 4;
/**
 * Per step, the WGSL kernel vs the CPU class (the rule in float64 math, rounded once on store): the float32
 * kernel rounds its constants first, e.g. 1 − fround(0.999) is 1.3e-5 (≈ 100 ulps) off 0.001.
 */
const MAX_CPU_ULPS_PER_STEP = 128;

/**
 * LAMB's step size lr·‖θ‖/‖r‖ comes from sums over the param: float32 tree sums on the GPU (256 per
 * workgroup, then the partials), sequential ones in the references. The ratio differs by a few ulps of
 * itself, and every element moves by it: where the move (≈ lr·ratio) is as large as θ and g, that shows as
 * ~10 ulps of the element (observed: 10 at most over 300 elements).
 */
const MAX_REDUCTION_ULPS_PER_STEP = 32;

/** Every option torch has for each GPU optimizer, in some case (5 steps unless said). */
const CASES: Array<{
  name: string;
  options: Record<string, unknown>;
  changes?: Record<number, Record<string, unknown>>;
  steps?: number;
  maxUlps?: number;
}> = [
  { name: "Adam", options: { lr: 0.01 } },
  { name: "Adam", options: { lr: 0.01, weightDecay: 0.1, maximize: true } },
  { name: "Adam", options: { lr: 0.01, amsgrad: true, betas: [0.8, 0.99] } },
  { name: "Adam", options: { lr: 0.01 }, changes: { 3: { amsgrad: true } } },
  { name: "AdamW", options: { lr: 0.01, weightDecay: 0.1 } },
  { name: "AdamW", options: { lr: 0.02, weightDecay: 0.05, amsgrad: true, maximize: true } },
  { name: "SGD", options: { lr: 0.05 } },
  { name: "SGD", options: { lr: 0.05, momentum: 0.9, weightDecay: 0.01 } },
  { name: "SGD", options: { lr: 0.05, momentum: 0.9, nesterov: true, maximize: true } },
  { name: "SGD", options: { lr: 0.05, momentum: 0.5, dampening: 0.3 }, changes: { 3: { momentum: 0 } } },
  { name: "Lion", options: { lr: 0.01 } },
  { name: "Lion", options: { lr: 0.01, weightDecay: 0.1, betas: [0.95, 0.98], maximize: true } },
  { name: "RMSprop", options: { lr: 0.01 } },
  { name: "RMSprop", options: { lr: 0.004, centered: true, momentum: 0.5, weightDecay: 0.1 } },
  { name: "RMSprop", options: { lr: 0.01, alpha: 0.9, eps: 1e-6, momentum: 0.3, maximize: true } },
  { name: "RMSprop", options: { lr: 0.01 }, changes: { 3: { centered: true, momentum: 0.9 } } },
  { name: "Adagrad", options: { lr: 0.1 } },
  {
    name: "Adagrad",
    options: {
      lr: 0.08,
      lrDecay: 0.02,
      initialAccumulatorValue: 0.2,
      weightDecay: 0.05,
      eps: 1e-6,
      maximize: true,
    },
  },
  { name: "Adadelta", options: { lr: 1 } },
  { name: "Adadelta", options: { lr: 0.5, rho: 0.95, eps: 1e-4, weightDecay: 0.1, maximize: true } },
  { name: "Adamax", options: { lr: 0.05 } },
  { name: "Adamax", options: { lr: 0.04, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, maximize: true } },
  { name: "NAdam", options: { lr: 0.05 } },
  { name: "NAdam", options: { lr: 0.04, momentumDecay: 0.01, betas: [0.85, 0.99], weightDecay: 0.1 } },
  { name: "NAdam", options: { lr: 0.04, weightDecay: 0.1, decoupledWeightDecay: true, maximize: true } },
  // ρt > 5 from step 6 on: the unrectified and the rectified variant
  { name: "RAdam", options: { lr: 0.05, weightDecay: 0.1, maximize: true }, steps: 8 },
  {
    name: "RAdam",
    options: { lr: 0.04, weightDecay: 0.2, decoupledWeightDecay: true, betas: [0.9, 0.95], eps: 1e-6 },
    steps: 8,
  },
  { name: "Rprop", options: { lr: 0.01 } },
  // lr only seeds the step sizes: changing it later changes nothing, as in torch
  {
    name: "Rprop",
    options: { lr: 0.05, etas: [0.4, 1.3], stepSizes: [0.001, 0.2], maximize: true },
    changes: { 3: { lr: 0.5 } },
  },
  { name: "ASGD", options: { lr: 0.011 } },
  // averaging from step t0 + 2 on (μ ≠ 1)
  { name: "ASGD", options: { lr: 0.01, lambd: 0.01, alpha: 0.6, t0: 2 }, steps: 7 },
  { name: "ASGD", options: { lr: 0.008, lambd: 0.001, t0: 1, weightDecay: 0.1, maximize: true }, steps: 6 },
  { name: "ScheduleFreeAdamW", options: { lr: 0.01 } },
  {
    name: "ScheduleFreeAdamW",
    options: {
      lr: 0.02,
      betas: [0.8, 0.99],
      eps: 1e-6,
      weightDecay: 0.1,
      warmupSteps: 3,
      r: 0.5,
      weightLrPower: 1,
    },
    steps: 6,
  },
  { name: "ScheduleFreeSGD", options: { lr: 0.1 } },
  {
    name: "ScheduleFreeSGD",
    options: { lr: 0.2, momentum: 0.8, weightDecay: 0.05, warmupSteps: 2, r: 1, weightLrPower: 3 },
    changes: { 4: { lr: 0.1 } },
    steps: 6,
  },
  { name: "LAMB", options: { lr: 0.01 }, maxUlps: MAX_REDUCTION_ULPS_PER_STEP },
  {
    name: "LAMB",
    options: { lr: 0.02, weightDecay: 0.05, betas: [0.8, 0.99], maximize: true },
    maxUlps: MAX_REDUCTION_ULPS_PER_STEP,
  },
];

describe("descent-optim/webgpu optimizers", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/optimizers.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const c of CASES) {
    const bound = c.maxUlps ?? MAX_ULPS_PER_STEP;
    test(`${c.name} ${JSON.stringify(c.options)}${c.changes ? ` then ${JSON.stringify(Object.values(c.changes)[0])}` : ""}: each step within ${bound} ulps of the float32 rule, no map in step()`, async () => {
      const steps = c.steps ?? 5;
      const r = await gpu.call<{ maxUlps: number[]; maxCpuUlps: number[]; maps: number }>("againstCpu", {
        ...c,
        sizes: [300, 7, 1],
        steps,
        seed: 3,
      });
      assert.equal(r.maps, 0);
      assert.equal(r.maxUlps.length, steps);
      for (const [i, u] of r.maxUlps.entries()) assert.ok(u <= bound, `step ${i + 1}: ${u} ulps`);
      for (const [i, u] of r.maxCpuUlps.entries())
        assert.ok(u <= MAX_CPU_ULPS_PER_STEP, `step ${i + 1}: ${u} ulps from the CPU class`);
    });
  }

  const traces = ["optimizers_float32.json", "project_optimizers.json"]
    .flatMap((f) => loadFixture<{ cases: any[] }>(f).cases)
    // GPUs may flush float32 subnormals (WGSL allows it; swiftshader does): with eps 0 the subnormal exp_avg_sq
    // decides the update, so that case is for the CPU only (test/optim/subnormal.test.ts)
    .filter((c) => c.dtype === "float32" && c.name !== "adam_subnormal_grad_eps0_float32");
  for (const c of traces) {
    if (!GPU_OPTIMIZERS.includes(c.optimizer)) {
      test(`torch float32 trace ${c.name}: ${c.optimizer} is refused by name (it runs on the CPU)`, async () => {
        const m = await gpu.call<Record<string, string>>("refusals", { name: c.optimizer });
        assert.match(
          m.named!,
          new RegExp(`^${c.optimizer} has no WebGPU kernel: .*${c.optimizer} runs on the CPU`),
        );
      });
      continue;
    }
    test(`torch float32 trace ${c.name}`, async () => {
      const params = await gpu.call<number[][][]>("torchTrace", {
        optimizer: c.optimizer,
        options: camelOptions(c.options),
        groups: c.param_groups.map((g: any) => camelOptions(g)),
        params: c.params,
        trace: c.trace.map((e: any) => ({ grads: e.grads })),
      });
      c.trace.forEach((entry: any, s: number) => {
        entry.params.forEach((want: number[], i: number) => {
          const why = closeTo(params[s]![i]!, want, 1e-5, `${c.name} step ${entry.step} param ${i}`);
          assert.equal(why, null, why ?? "");
        });
      });
    });
  }

  for (const [name, options, k] of [
    ["Adam", { lr: 0.01, amsgrad: true }, 3],
    ["AdamW", { lr: 0.01 }, 3],
    ["SGD", { lr: 0.01, momentum: 0.9, nesterov: true }, 3],
    ["Lion", { lr: 0.01, weightDecay: 0.1 }, 3],
    ["RMSprop", { lr: 0.01, centered: true, momentum: 0.5 }, 3],
    ["Adagrad", { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 }, 3],
    ["Adadelta", { lr: 1, weightDecay: 0.05 }, 3],
    ["Adamax", { lr: 0.05 }, 3],
    ["NAdam", { lr: 0.04, momentumDecay: 0.01, decoupledWeightDecay: true, weightDecay: 0.1 }, 3],
    ["RAdam", { lr: 0.05 }, 4], // the resumed part crosses ρt > 5
    ["Rprop", { lr: 0.01, etas: [0.4, 1.3] }, 3],
    ["ASGD", { lr: 0.01, lambd: 0.01, t0: 2 }, 4], // saved while μ ≠ 1
    ["LAMB", { lr: 0.01, weightDecay: 0.01 }, 3],
    ["ScheduleFreeAdamW", { lr: 0.01, warmupSteps: 2, weightDecay: 0.01 }, 3],
    ["ScheduleFreeSGD", { lr: 0.1, r: 1 }, 3],
  ] as const) {
    test(`${name}: GPU → CPU → GPU resumes exactly`, async () => {
      const r = await gpu.call<any>("resume", { name, options, sizes: [100, 3], k, m: 4 });
      assert.deepEqual(r.cpuState, r.gpuState, "the CPU optimizer's state dict is the GPU's");
      assert.deepEqual(r.again, r.gpuState, "the state dict survives the trip back");
      assert.deepEqual(r.resumed, r.straight, "the resumed run is bit-identical");
    });
  }

  for (const [name, options] of [
    ["AdamW", { lr: 0.01, amsgrad: true }],
    ["LAMB", { lr: 0.01, weightDecay: 0.01 }],
    ["ScheduleFreeAdamW", { lr: 0.01 }],
  ] as const) {
    test(`${name}: buffers bound in chunks step exactly as whole ones`, async () => {
      const r = await gpu.call<{ whole: number[]; inChunks: number[] }>("chunked", {
        name,
        options,
        size: 40000,
        chunk: BLOCK_ELEMENTS,
        steps: 3,
      });
      assert.deepEqual(r.inChunks, r.whole);
    });
  }

  for (const [name, options] of [
    ["ScheduleFreeAdamW", { lr: 0.02, warmupSteps: 2, weightDecay: 0.05 }],
    ["ScheduleFreeSGD", { lr: 0.1, momentum: 0.8 }],
  ] as const) {
    test(`${name}: train()/eval() switched mid-run move y ↔ x as the CPU class does`, async () => {
      const actions = [
        "train",
        "step",
        "step",
        "eval",
        "train",
        "step",
        "eval",
        "eval",
        "train",
        "train",
        "step",
        "step",
        "eval",
      ];
      const r = await gpu.call<{
        maxUlps: number[];
        maxCpuUlps: number[];
        worstRelative: number;
        gpuGroups: string;
        cpuGroups: string;
        gpuRefusal: string;
        cpuRefusal: string;
      }>("scheduleFreeModes", { name, options, sizes: [200, 5], actions, seed: 9 });
      for (const [a, u] of r.maxUlps.entries())
        assert.ok(u <= MAX_ULPS_PER_STEP, `${actions[a]} (action ${a}): ${u} ulps from lerp in float32`);
      for (const [a, u] of r.maxCpuUlps.entries())
        assert.ok(u <= MAX_CPU_ULPS_PER_STEP, `${actions[a]} (action ${a}): ${u} ulps from the CPU class`);
      assert.ok(r.worstRelative < 1e-5, `uninterrupted run: ${r.worstRelative} relative from the CPU class`);
      assert.equal(r.gpuGroups, r.cpuGroups, "the group counters (k, weightSum, lrMax, trainMode…)");
      assert.equal(r.gpuRefusal, r.cpuRefusal);
      assert.match(r.gpuRefusal, new RegExp(`^${name}\\.step: the optimizer is not in train mode`));
    });
  }

  test("a scheduler's lr reaches the kernel on the next step", async () => {
    const r = await gpu.call<{ lrs: number[][]; got: number[]; want: number[] }>("scheduled", {
      name: "Adam",
      options: { lr: 0.1 },
      size: 50,
      steps: 6,
    });
    assert.deepEqual(
      r.lrs.map(([c]) => c),
      [0.1, 0.1, 0.05, 0.05, 0.025, 0.025],
    );
    assert.deepEqual(
      r.lrs.map(([, g]) => g),
      r.lrs.map(([c]) => c),
    );
    const why = closeTo(r.got, r.want, 1e-5, "params after 6 scheduled steps");
    assert.equal(why, null, why ?? "");
  });

  test("bad input is refused with a message naming it", async () => {
    const m = await gpu.call<Record<string, string>>("refusals");
    assert.match(m.cpuOnly!, /^LBFGS has no WebGPU kernel: .*LBFGS runs on the CPU/);
    assert.match(m.unknown!, /'Adma' is not a descent optimizer/);
    assert.equal(m.badLr, m.cpuBadLr);
    assert.match(m.badLr!, /Invalid learning rate: -1/);
    assert.match(m.notAParam!, /params\[0\] is not a GpuParam/);
    assert.match(m.smallBuffer!, /16 bytes, fewer than the 64/);
    assert.match(m.noStorage!, /STORAGE/);
    assert.match(m.smallGrad!, /grad of param 0 \('w'\) has 32 bytes/);
    assert.match(m.lrSetBad!, /Invalid learning rate: NaN/);
  });

  test("a bad state dict is refused by the CPU class's checks and changes nothing", async () => {
    const r = await gpu.call<{ message: string; unchanged: boolean }>("badLoad");
    assert.match(r.message, /state\[0\]\.expAvg: expected 8 elements, got 7/);
    assert.ok(r.unchanged);
    assert.deepEqual(gpu.problems, []);
  });
});
