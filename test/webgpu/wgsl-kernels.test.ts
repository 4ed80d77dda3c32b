// The generated WGSL kernels in headless Chromium's WebGPU (SwiftShader): every shader compiles and makes a
// pipeline with the layout its bindings declare; every rule's kernel, for every flag combination, steps
// like its float32 reference (src/kernels/generated/reference-f32.ts: the rule rounded to float32 after
// every operation) within a few ulp per step, and like the TypeScript rule within float32 rounding.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { KERNEL_TABLE } from "../../src/kernels/generated/kernels-wasm.js";
import * as reference from "../../src/kernels/generated/reference-f32.js";
import { WGSL_KERNELS } from "../../src/kernels/generated/wgsl.js";
import { clipGradNorm } from "../../src/clip/clip-grad.js";
import { param } from "../../src/core/param.js";
import { nonFiniteCount } from "../../src/optim/skip-non-finite.js";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";

type AnyFn = (...args: unknown[]) => void;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distance in float32 units in the last place (ordered bit patterns), NaN = NaN. */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (x: number) => (x < 0 ? -0x80000000 - x : x);
  return Math.abs(ordered(bits[0]!) - ordered(bits[1]!));
}

/** Per step, this far from the float32 reference: a few ulp, or a few ulp of 1 where a result cancels. */
const ULPS = 4;
const nearReference = (gpu: number, ref: number) =>
  ulps(gpu, ref) <= ULPS || Math.abs(gpu - ref) <= ULPS * 2 ** -23 * Math.min(1, Math.abs(ref) + 1);

describe("the generated WGSL kernels on WebGPU (SwiftShader)", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/wgsl-kernels.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  test("every shader of every rule, pass and flag combination compiles and builds its declared layout", async () => {
    const { shaders, problems } = await gpu.call<{ shaders: number; problems: string[] }>("compileAll");
    const expected = Object.values(WGSL_KERNELS).reduce(
      (sum, k) => sum + k.passes.reduce((s, p) => s + p.variants.length, 0),
      0,
    );
    assert.equal(shaders, expected);
    assert.deepEqual(problems, []);
    assert.deepEqual(gpu.problems, []);
  });

  for (const entry of KERNEL_TABLE.filter((e) => e.dtype === "float32")) {
    const kernel = WGSL_KERNELS[entry.rule]!;
    test(`${entry.rule}: every flag combination steps like the float32 reference (≤ ${ULPS} ulp per step) and the TS rule`, async (t) => {
      const tsRule = ((await import(`../../src/optim/${entry.file}.js`)) as Record<string, AnyFn>)[
        entry.rule
      ]!;
      const refRule = (reference as unknown as Record<string, AnyFn>)[`${entry.rule}F32`]!;
      let worst = 0;
      for (let variant = 0; variant < 1 << kernel.flags.length; variant++) {
        const n = 300; // one full workgroup and a partial one
        const random = rng(7919 * variant + entry.rule.length);
        const buffers: Record<string, Float32Array> = {};
        kernel.buffers.forEach((name, b) => {
          const a = new Float32Array(n);
          for (let i = 0; i < n; i++) a[i] = b < 2 ? random() * 2 - 1 : random();
          if (b === 0) a[3] = 0;
          buffers[name] = a;
        });
        const scalars = kernel.scalars.map(() => 0.05 + random() * 0.9);
        const flags = Object.fromEntries(kernel.flags.map((f, j) => [f, ((variant >> j) & 1) === 1]));
        const named = Object.fromEntries(kernel.scalars.map((s, j) => [s, scalars[j]!]));
        for (let stepIndex = 0; stepIndex < 3; stepIndex++) {
          const out = await gpu.call<Record<string, number[]>>("step", {
            rule: entry.rule,
            variant,
            n,
            buffers: Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, Array.from(v)])),
            scalars,
          });
          const ref = Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, v.slice()]));
          const groups = kernel.flags.length > 0 ? [flags, named] : [named]; // a rule without flags has no flags group
          refRule(n, ref, ...groups);
          const ts = Object.fromEntries(Object.entries(buffers).map(([k, v]) => [k, v.slice()]));
          tsRule(n, ts, ...groups);
          for (const name of kernel.buffers) {
            const g = out[name]!;
            for (let i = 0; i < n; i++) {
              const r = ref[name]![i]!;
              const where = `${entry.rule} variant ${variant} step ${stepIndex} ${name}[${i}]`;
              assert.ok(
                nearReference(g[i]!, r),
                `${where}: gpu ${g[i]} vs reference ${r} (${ulps(g[i]!, r)} ulp)`,
              );
              // in ulps of the larger of the result and the value it replaced (a cancelling result's own ulp
              // is tiny): a few at most
              const scale = Math.max(Math.abs(r), Math.abs(buffers[name]![i]!), 2 ** -10);
              const ulpOfScale = 2 ** (Math.floor(Math.log2(scale)) - 23);
              if (!Number.isNaN(r)) worst = Math.max(worst, Math.abs(g[i]! - r) / ulpOfScale);
              const t = ts[name]![i]!;
              assert.ok(
                (Number.isNaN(t) && Number.isNaN(g[i]!)) ||
                  Math.abs(g[i]! - t) <= 1e-5 * Math.max(1, Math.abs(t)),
                `${where}: gpu ${g[i]} vs TS ${t}`,
              );
            }
          }
          assert.ok(
            out.param!.some((x, i) => !Object.is(x, buffers.param![i])),
            `${entry.rule} variant ${variant}: the step moved the param`,
          );
          // the next step starts from what the GPU computed
          for (const name of kernel.buffers) buffers[name] = new Float32Array(out[name]!);
        }
      }
      t.diagnostic(`${entry.rule}: worst ${worst.toFixed(2)} ulps of the operands per step`);
      // LAMB's trust ratio sums in a tree in float32 where the reference sums in float64: more room
      assert.ok(worst <= (kernel.reductions > 0 ? 16 : ULPS), `worst ${worst} ulps of the operands`);
    });
  }

  for (const entry of KERNEL_TABLE.filter((e) => e.dtype === "float32")) {
    const kernel = WGSL_KERNELS[entry.rule]!;
    if (!kernel.passes.some((p) => p.variants.some((v) => v.bindings.some((b) => b.name === "clip"))))
      continue;
    test(`${entry.rule}: a clip coefficient steps every flag combination as the grad clipGradNorm would leave`, async () => {
      for (let variant = 0; variant < 1 << kernel.flags.length; variant++) {
        const n = 300;
        const random = rng(31 * variant + entry.rule.length);
        const buffers: Record<string, number[]> = {};
        kernel.buffers.forEach((name, b) => {
          buffers[name] = Array.from({ length: n }, () => Math.fround(b < 2 ? random() * 2 - 1 : random()));
        });
        const scalars = kernel.scalars.map(() => 0.05 + random() * 0.9);
        // clipping (coef < 1), not clipping (coef ≥ 1: the grad as it is) and a NaN norm (every grad NaN)
        for (const coef of [0.37, 2, "NaN"] as const) {
          const c = Math.fround(coef === "NaN" ? Number.NaN : coef); // as the clip buffer holds it
          const clipped = buffers.grad!.map((g) => (c < 1 || Number.isNaN(c) ? Math.fround(g * c) : g));
          const fused = await gpu.call<Record<string, number[]>>("step", {
            rule: entry.rule,
            variant,
            n,
            buffers,
            scalars,
            clip: coef,
          });
          const separate = await gpu.call<Record<string, number[]>>("step", {
            rule: entry.rule,
            variant,
            n,
            buffers: { ...buffers, grad: clipped },
            scalars,
          });
          for (const name of kernel.buffers) {
            if (name === "grad")
              assert.deepEqual(fused.grad, buffers.grad, "the grad itself is left as it is");
            else assert.deepEqual(fused[name], separate[name], `variant ${variant}, coef ${coef}: ${name}`);
          }
        }
      }
    });
  }

  test("a non-zero gate makes an update pass write nothing", async () => {
    const n = 40;
    const buffers = Object.fromEntries(
      WGSL_KERNELS.adamUpdate!.buffers.map((name, b) => [
        name,
        Array.from({ length: n }, (_, i) => (b + 1) * 0.01 * (i + 1)),
      ]),
    );
    const out = await gpu.call<Record<string, number[]>>("step", {
      rule: "adamUpdate",
      variant: 1,
      n,
      buffers,
      scalars: [1, 0, 0.9, 0.999, 0.1, 1, 1e-8],
      gate: 1,
    });
    for (const name of WGSL_KERNELS.adamUpdate!.buffers) {
      assert.deepEqual(out[name], Array.from(new Float32Array(buffers[name]!)), name);
    }
  });

  test("clipGradNorm across two grads (partials per grad, one finish, a scale per grad) matches clipGradNorm", async () => {
    const random = rng(99);
    const values = [300, 77].map((n) => Array.from({ length: n }, () => Math.fround(random() * 4 - 2)));
    const kernel = WGSL_KERNELS.clipGradNormUpdate!;
    assert.deepEqual(kernel.flags, ["infNorm", "l1"]);
    for (const [variant, normType] of [
      [0, 2],
      [1, Number.POSITIVE_INFINITY],
      [2, 1],
    ] as const) {
      for (const maxNorm of [0.5, 1e6]) {
        const gpuOut = await gpu.call<{ params: number[][]; results: number[] }>("across", {
          rule: "clipGradNormUpdate",
          variant,
          params: values,
          scalars: [maxNorm],
        });
        const params = values.map((v) => param(v));
        params.forEach((p, j) => {
          p.grad = new Float32Array(values[j]!);
        });
        const total = clipGradNorm(params, maxNorm, { normType });
        const what = `normType ${normType}, maxNorm ${maxNorm}`;
        assert.ok(
          Math.abs(gpuOut.results[0]! - total) <= 1e-5 * total,
          `${what}: total ${gpuOut.results[0]} vs ${total}`,
        );
        params.forEach((p, j) => {
          const cpu = p.grad!;
          const g = gpuOut.params[j]!;
          for (let i = 0; i < cpu.length; i++) {
            assert.ok(
              Math.abs(g[i]! - cpu[i]!) <= 1e-5 * Math.abs(cpu[i]!) + 1e-30,
              `${what}: grad ${j}[${i}] ${g[i]} vs ${cpu[i]}`,
            );
          }
          if (maxNorm > total)
            assert.deepEqual(g, Array.from(cpu), `${what}: unclipped grads stay as they are`);
        });
      }
    }
  });

  test("a NaN grad makes the clip's total norm NaN on the GPU too (max and sums propagate it), as in torch", async () => {
    const values = [Array.from({ length: 300 }, (_, i) => i / 300), [1, 2, Number.NaN, 4]];
    for (const variant of [0, 1, 2]) {
      const out = await gpu.call<{ results: number[] }>("across", {
        rule: "clipGradNormUpdate",
        variant,
        params: values,
        scalars: [1],
      });
      assert.ok(Number.isNaN(out.results[0]), `variant ${variant}: total ${out.results[0]}`);
    }
  });

  test("the non-finite count across grads is what SkipNonFinite's check counts, and zero for finite grads", async () => {
    const values = [
      Array.from({ length: 300 }, (_, i) => i / 300 - 0.5),
      Array.from({ length: 77 }, (_, i) => i),
    ];
    const finite = await gpu.call<{ results: number[] }>("across", {
      rule: "nonFiniteCount",
      variant: 0,
      params: values,
      scalars: [],
    });
    assert.deepEqual(finite.results, [0]);
    values[0]![5] = Number.NaN;
    values[0]![299] = Number.POSITIVE_INFINITY;
    values[1]![0] = Number.NEGATIVE_INFINITY;
    const bad = await gpu.call<{ results: number[] }>("across", {
      rule: "nonFiniteCount",
      variant: 0,
      params: values,
      scalars: [],
    });
    const cpu = values.reduce((sum, v) => sum + nonFiniteCount(v.length, { grad: new Float32Array(v) }), 0);
    assert.equal(cpu, 3);
    assert.deepEqual(bad.results, [cpu]);
  });
});
