// SkipNonFinite on the GPU (descent-optim/webgpu) in headless Chromium (WebGPU on SwiftShader): a run
// with NaN/∞ grads injected equals the same optimizer fed only the finite steps, bit for bit, and
// descent-optim's SkipNonFinite on the CPU in its step counts, skipped count and state; it resumes
// exactly GPU → CPU → GPU; nothing is mapped in step(); past the window the counts stay exact.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BLOCK_ELEMENTS } from "../../src/kernels/wgsl-types.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

/** GPU vs CPU class, as in test/webgpu/optimizers.test.ts (the CPU rounds its constants later). */
const MAX_CPU_RELATIVE = 1e-5;

type Run = { params: number[][]; state: any };
type Gated = { gpu: Run; finiteOnly: Run; cpu: Run; maps: number; skipped: number };

/** The state dict with every buffer replaced by its length: what must be equal exactly across GPU and CPU. */
function shape(sd: any): unknown {
  return JSON.parse(JSON.stringify(sd, (_k, v) => (v && Array.isArray(v.f32) ? `f32[${v.f32.length}]` : v)));
}

function closeRuns(a: Run, b: Run, what: string): void {
  const close = (x: number[], y: number[], where: string) => {
    x.forEach((v, k) => {
      const w = y[k]!;
      assert.ok(
        Math.abs(v - w) <= MAX_CPU_RELATIVE * Math.max(1, Math.abs(w)),
        `${what} ${where}[${k}]: ${v} vs ${w}`,
      );
    });
  };
  for (const [i, p] of a.params.entries()) close(p, b.params[i]!, `param ${i}`);
  for (const [i, record] of Object.entries(a.state.state as Record<string, Record<string, any>>)) {
    for (const [key, value] of Object.entries(record)) {
      if (value?.f32) close(value.f32, b.state.state[i][key].f32, `state ${i}.${key}`);
    }
  }
}

const CASES = [
  { name: "Adam", options: { lr: 0.01 } },
  { name: "AdamW", options: { lr: 0.01, weightDecay: 0.1, amsgrad: true } },
  { name: "LAMB", options: { lr: 0.01, weightDecay: 0.01 } },
  { name: "Lion", options: { lr: 0.001, weightDecay: 0.1 } },
  { name: "SGD", options: { lr: 0.05, weightDecay: 0.01 } },
  { name: "SGD", options: { lr: 0.05, momentum: 0.9, dampening: 0.1, nesterov: false } },
  { name: "SGD", options: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 } },
  { name: "RMSprop", options: { lr: 0.01, centered: true, momentum: 0.5 } },
  { name: "Adagrad", options: { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1 } },
  { name: "Adadelta", options: { lr: 1, weightDecay: 0.05 } },
  { name: "Adamax", options: { lr: 0.05, weightDecay: 0.01 } },
  // 11 steps, 3 skipped: the GPU's count crosses ρt > 5 (t = 6) with skips in the window
  { name: "RAdam", options: { lr: 0.05 }, steps: 11 },
  { name: "RAdam", options: { lr: 0.04, weightDecay: 0.1, decoupledWeightDecay: true }, steps: 11 },
  { name: "Rprop", options: { lr: 0.01, etas: [0.4, 1.3] } },
];

/** A first step skipped: no momentum buffer yet (SGD's next step is its first), Adagrad's state at step 0. */
const FIRST_SKIPPED = { 0: [0, 1, "NaN"], 3: [1, 5, "Infinity"] };

/** NaN at step 2, +∞ at step 4, −∞ at step 5 (0-based), in different params. */
const BAD = { 2: [0, 17, "NaN"], 4: [1, 3, "Infinity"], 5: [0, 299, "-Infinity"] };

describe("SkipNonFinite on the GPU", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/skip.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const c of CASES) {
    test(`${c.name}: skipped steps change nothing, counts as on the CPU, nothing mapped`, async () => {
      const r = await gpu.call<Gated>("gated", { steps: 8, ...c, sizes: [300, 7], bad: BAD });
      assert.equal(r.maps, 0);
      assert.equal(r.skipped, 3);
      assert.deepEqual(r.gpu, r.finiteOnly, "bit for bit the run without the bad steps");
      assert.deepEqual(shape(r.gpu.state), shape(r.cpu.state), "step counts, skipped and keys as on the CPU");
      closeRuns(r.gpu, r.cpu, c.name);
    });
  }

  for (const c of [
    { name: "SGD", options: { lr: 0.05, momentum: 0.9, dampening: 0.3 } },
    { name: "Adagrad", options: { lr: 0.1, initialAccumulatorValue: 0.2 } },
    { name: "RAdam", options: { lr: 0.05 } },
    { name: "Rprop", options: { lr: 0.01 } },
  ]) {
    test(`${c.name}: a first step skipped, as on the CPU`, async () => {
      const r = await gpu.call<Gated>("gated", { ...c, sizes: [300, 7], steps: 8, bad: FIRST_SKIPPED });
      assert.equal(r.skipped, 2);
      assert.deepEqual(r.gpu, r.finiteOnly, "bit for bit the run without the bad steps");
      assert.deepEqual(shape(r.gpu.state), shape(r.cpu.state));
      closeRuns(r.gpu, r.cpu, c.name);
    });
  }

  test("a first step skipped leaves no state; a param without a grad keeps its own count", async () => {
    const r = await gpu.call<Gated>("gated", {
      name: "Adam",
      options: { lr: 0.01 },
      sizes: [300, 7],
      steps: 5,
      bad: { 0: [0, 1, "NaN"], 3: [0, 5, "NaN"] },
      noGrad: [1, 2],
    });
    assert.equal(r.skipped, 2);
    assert.deepEqual(r.gpu, r.finiteOnly);
    assert.deepEqual(shape(r.gpu.state), shape(r.cpu.state));
    assert.deepEqual([r.gpu.state.state[0].step, r.gpu.state.state[1].step], [3, 1]);
    closeRuns(r.gpu, r.cpu, "Adam");
  });

  test("chunked buffers (LAMB's finish included) gate as whole ones", async () => {
    const c = { name: "LAMB", options: { lr: 0.01 }, sizes: [40000, 300], steps: 6, bad: BAD };
    const whole = await gpu.call<Gated>("gated", c);
    const inChunks = await gpu.call<Gated>("gated", { ...c, chunk: BLOCK_ELEMENTS });
    assert.deepEqual(inChunks.gpu, whole.gpu);
    assert.deepEqual(inChunks.gpu, inChunks.finiteOnly);
  });

  for (const [name, options, steps] of [
    ["Adam", { lr: 0.01 }, 8],
    ["Adagrad", { lr: 0.1, lrDecay: 0.05 }, 8],
    ["Adamax", { lr: 0.05 }, 8],
    ["RAdam", { lr: 0.05 }, 11],
  ] as const) {
    test(`${name}: past the window of exact steps the counts stay exact and the scalars come from the GPU`, async () => {
      const r = await gpu.call<Gated>("gated", {
        name,
        options,
        sizes: [300, 7],
        steps,
        bad: BAD,
        window: 1,
      });
      assert.equal(r.skipped, 3);
      assert.deepEqual(shape(r.gpu.state), shape(r.cpu.state));
      assert.notDeepEqual(r.gpu.params, r.finiteOnly.params, "the float32 fallback ran");
      closeRuns(r.gpu, r.cpu, `${name} past the window`);
    });
  }

  test("SGD's first momentum step past the window: the GPU's count decides it", async () => {
    const c = {
      name: "SGD",
      options: { lr: 0.05, momentum: 0.9, dampening: 0.3 },
      sizes: [300, 7],
      steps: 8,
    };
    const r = await gpu.call<Gated>("gated", { ...c, bad: FIRST_SKIPPED, window: 1 });
    assert.deepEqual(r.gpu, r.finiteOnly, "no step-dependent scalars: still bit for bit");
  });

  for (const [name, options] of [
    ["Adam", { lr: 0.01, amsgrad: true }],
    ["LAMB", { lr: 0.01 }],
    ["Lion", { lr: 0.001 }],
    ["SGD", { lr: 0.05, momentum: 0.9 }],
    ["Adagrad", { lr: 0.1, lrDecay: 0.05 }],
    ["RAdam", { lr: 0.05 }],
  ] as const) {
    test(`${name}: GPU → CPU → GPU resumes exactly, skips on both sides`, async () => {
      const r = await gpu.call<any>("resume", { name, options, sizes: [100, 3], steps: 8, bad: BAD, k: 3 });
      assert.deepEqual(r.cpuState, r.gpuState, "the CPU SkipNonFinite takes the GPU's state dict as it is");
      assert.deepEqual(r.resumed, r.straight, "the resumed run is bit-identical");
      assert.deepEqual(r.resumedState, r.straightState);
    });
  }

  test("bad input is refused by name", async () => {
    const m = await gpu.call<Record<string, string>>("refusals");
    assert.match(m.error!, /onNonFinite "error" needs the check's result on the CPU/);
    assert.match(m.badKey!, /onNonfinite/);
    assert.match(m.cpuOptimizer!, /expected a descent-optim\/webgpu optimizer/);
    assert.match(
      m.nadam!,
      /NAdam cannot be gated on the GPU \(its momentum-decay product .*\); the GPU gate runs Adam, AdamW, SGD, .* and LAMB$/,
    );
    assert.match(m.asgd!, /ASGD cannot be gated on the GPU \(its η and μ/);
    assert.match(m.scheduleFree!, /ScheduleFreeAdamW cannot be gated on the GPU \(its group counters/);
    assert.match(m.loadInner!, /missing 'skipNonFinite'/);
    assert.match(m.loadBadSkipped!, /skipNonFinite\.skipped must be a non-negative integer, got -1/);
    assert.deepEqual(gpu.problems, []);
  });
});
