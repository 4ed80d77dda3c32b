// Adam with gradients so small that (1 − β2)·g² is subnormal, against PyTorch 2.6 (cases recorded by
// scripts/gen_reference.py with params near 0, so that the tiny updates show). descent flushes a subnormal
// expAvgSq to 0 only where that cannot change the update (eps 1e-8 here), so the params must match torch
// relatively (the shared trace test compares them absolutely, which at 1e-12 proves nothing); with eps 0
// the subnormal decides the update and must be kept, as torch keeps it. Then the flushes against the rule
// run without them, in both dtypes, and the per-step choice of the flushing loop.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setKernelMode } from "../../src/kernels/runtime.js";
import { Adam, AdamW, param } from "../../src/index.js";
import {
  adamScalars,
  adamUpdate,
  expAvgFloor,
  expAvgFlushAbove,
  expAvgSqFloor,
  sampleSeesSubnormals,
  tinyGradFloor,
} from "../../src/optim/adam.js";
import type { AdamBuffers, AdamFlags, AdamScalars } from "../../src/optim/adam.js";
import type { Buffer, Dtype } from "../../src/core/arena.js";
import { adamUpdateF32 } from "../../src/kernels/generated/reference-f32.js";
import { camelOptions, loadFixture, untensor } from "../helpers/torch-reference.js";

interface Case {
  name: string;
  optimizer: "Adam" | "AdamW";
  dtype: "float32" | "float64";
  options: Record<string, unknown>;
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  trace: Array<{ step: number; grads: number[][]; params: number[][] }>;
  checkpoints: Array<{ after_step: number; state_dict: { state: Record<string, any> } }>;
}

const cases = loadFixture<{ cases: Case[] }>("project_optimizers.json").cases.filter((c) =>
  c.name.includes("subnormal"),
);
const SMALLEST_NORMAL = { float32: 2 ** -126, float64: 2 ** -1022 };
/**
 * float32 kernels: a few ulps; the TypeScript path computes float32 rules in float64 (rounding only when it
 * stores), so over 20 steps it drifts by some more ulps; float64: the project's 1e-10, here relative.
 */
const RELATIVE = { float32: 2 ** -21, float32Ts: 2 ** -18, float64: 1e-10 };

type P = ReturnType<typeof param>;

function run(c: Case, tolerance: number): { params: P[]; opt: Adam | AdamW; worst: string | null } {
  const params = c.params.map((p) => param(p.init, { shape: p.shape, name: p.name, dtype: c.dtype }));
  const Ctor = c.optimizer === "Adam" ? Adam : AdamW;
  const opt = new Ctor(params, camelOptions(c.options));
  const C = c.dtype === "float32" ? Float32Array : Float64Array;
  let worst: string | null = null;
  for (const entry of c.trace) {
    params.forEach((p, i) => {
      p.grad = C.from(entry.grads[i]!);
    });
    opt.step();
    params.forEach((p, i) => {
      entry.params[i]!.forEach((b, k) => {
        const a = p.data[k]!;
        const same =
          a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tolerance * Math.abs(b);
        worst ??= same ? null : `step ${entry.step} param ${i}[${k}]: ${a}, torch ${b}`;
      });
    });
  }
  return { params, opt, worst };
}

describe("Adam on subnormal gradients matches torch relatively", () => {
  it("has the recorded cases", () => assert.equal(cases.length, 5));
  it("they are subnormal: torch's exp_avg_sq is below the smallest normal, and nonzero somewhere", () => {
    for (const c of cases) {
      const state = untensor(c.checkpoints.at(-1)!.state_dict.state) as Record<
        string,
        { expAvgSq: number[] }
      >;
      const all = Object.values(state).flatMap((s) => s.expAvgSq);
      assert.ok(all.some((v) => v > 0) && all.every((v) => v < SMALLEST_NORMAL[c.dtype]), c.name);
    }
  });
  for (const c of cases) {
    const eps = (camelOptions(c.options).eps as number | undefined) ?? 1e-8;
    for (const mode of ["auto", "typescript"] as const) {
      // with eps 0 in float32 the update is m/√v of torch's float32 subnormals (a few bits of precision):
      // only the float32 kernels compute those as torch does
      if (mode === "typescript" && c.dtype === "float32" && eps === 0) continue;
      it(`${c.name} (${mode === "auto" ? "wasm kernels" : "TypeScript path"})`, () => {
        setKernelMode(mode);
        try {
          const tolerance =
            c.dtype === "float64"
              ? RELATIVE.float64
              : mode === "auto"
                ? RELATIVE.float32
                : RELATIVE.float32Ts;
          const { params, opt, worst } = run(c, tolerance);
          assert.equal(worst, null, worst ?? "");
          const torchState = untensor(c.checkpoints.at(-1)!.state_dict.state) as Record<
            string,
            { expAvgSq: number[] }
          >;
          params.forEach((p, i) => {
            const mine = (opt.state.get(p) as { expAvgSq: Float32Array | Float64Array }).expAvgSq;
            const theirs = torchState[String(i)]!.expAvgSq;
            theirs.forEach((v, k) => {
              assert.ok(v >= 0 && v < SMALLEST_NORMAL[c.dtype], `torch's exp_avg_sq ${v} is subnormal or 0`);
              if (eps > 0) {
                assert.equal(mine[k], 0, `${c.name} expAvgSq[${k}]`); // flushed: eps makes it invisible
              } else if (c.dtype === "float64") {
                assert.equal(mine[k], v, `${c.name} expAvgSq[${k}]`); // kept: torch's own subnormal
              } else {
                // kept: torch's subnormal, to within its rounding
                assert.ok(
                  Math.abs(mine[k]! - v) <= 0.01 * v,
                  `${c.name} expAvgSq[${k}] ${mine[k]}, torch ${v}`,
                );
              }
            });
            p.dispose();
          });
          opt.dispose();
        } finally {
          setKernelMode("auto");
        }
      });
    }
  }
});

describe("expAvgSqFloor", () => {
  it("flushes below the smallest normal only where √v̂·c stays under half an ulp of eps", () => {
    const c1 = 1 / Math.sqrt(1 - 0.999); // the first step's 1/√(1 − β2ᵗ), β2 = 0.999
    assert.equal(expAvgSqFloor(1e-8, c1, "float32"), 2 ** -126);
    assert.equal(expAvgSqFloor(1e-8, c1, "float64"), 2 ** -1022);
    assert.equal(expAvgSqFloor(0, 1, "float32"), 0);
    assert.equal(expAvgSqFloor(0, 1, "float64"), 0);
    // float32: √(2⁻¹²⁶)·c·2 must stay below eps·2⁻²⁵: eps 1e-10 at step 1 does not, at c = 1 it does
    assert.equal(expAvgSqFloor(1e-10, c1, "float32"), 0);
    assert.equal(expAvgSqFloor(1e-10, 1, "float32"), 2 ** -126);
    // float64: eps 1e-140 at step 1 is too small for the criterion, 1e-130 is not
    assert.equal(expAvgSqFloor(1e-140, c1, "float64"), 0);
    assert.equal(expAvgSqFloor(1e-130, c1, "float64"), 2 ** -1022);
    // β2 so near 1 that c is 1e4 at first
    assert.equal(expAvgSqFloor(1e-8, 1 / Math.sqrt(1 - 0.99999999), "float32"), 0);
  });
  it("switches the first moment's flush on and off with it", () => {
    const c1 = 1 / Math.sqrt(1 - 0.999);
    assert.equal(expAvgFloor(1e-8, c1, "float32"), 2 ** -126);
    assert.equal(expAvgFloor(1e-8, c1, "float64"), 2 ** -1022);
    assert.equal(expAvgFloor(0, c1, "float32"), 0);
    assert.equal(expAvgFloor(1e-10, c1, "float32"), 0);
    // no |θ| is safe without eps; with it, the bound is stepSize·floor/eps over half an ulp, twice
    assert.equal(expAvgFlushAbove(1e-3, 0, "float32"), Number.POSITIVE_INFINITY);
    assert.equal(expAvgFlushAbove(1e-3, 1e-8, "float32"), (2 * 1e-3 * 2 ** -126) / (1e-8 * 2 ** -25));
  });
});

describe("tinyGradFloor", () => {
  const c1 = 1 / Math.sqrt(1 - 0.999);
  it("drops (1 − β2)·g² only where it is under the smallest normal and the update cannot see it", () => {
    const floor = tinyGradFloor(1e-8, c1, 0.999, "float64");
    assert.equal(floor, Math.sqrt(2 ** -1022 / (1 - 0.999)));
    assert.ok((1 - 0.999) * floor * floor <= 2 ** -1022 * (1 + 1e-15));
    assert.equal(tinyGradFloor(1e-8, c1, 0.999, "float32"), Math.sqrt(2 ** -126 / (1 - 0.999)));
    assert.equal(tinyGradFloor(0, c1, 0.999, "float64"), 0); // eps 0: the subnormal decides the update
    assert.equal(tinyGradFloor(1e-8, c1, 1, "float64"), 0); // β2 = 1: 0·g², NaN for an infinite g
    // the criterion is stricter than the flush's: √(2⁻⁹⁶⁸)·c·2 under eps·2⁻⁵⁴
    assert.equal(expAvgSqFloor(1e-130, c1, "float64"), 2 ** -1022);
    assert.equal(tinyGradFloor(1e-130, c1, 0.999, "float64"), 0);
    assert.ok(tinyGradFloor(1e-100, c1, 0.999, "float64") > 0);
    // float32: what the drops leave out, 2⁻¹²⁶/(1 − β2) under the root, must move √v̂·c under half an ulp
    // of eps: at eps 1e-8 it does from the first step, at 5e-9 only once c has come down
    assert.equal(tinyGradFloor(5e-9, c1, 0.999, "float32"), 0);
    assert.ok(tinyGradFloor(5e-9, 1, 0.999, "float32") > 0);
  });
});

describe("flushing the moments, against the rule run without the flushes", () => {
  const SMALLEST = { float32: 2 ** -126, float64: 2 ** -1022 };
  // Gradients from the smallest subnormal to normal sizes, many right at the floor: the kernels (which
  // drop the term and flush) against the rule run with nothing dropped or flushed, torch's arithmetic.
  function gradients(n: number, seed: number, dtype: Dtype): Float64Array {
    const floor = Math.sqrt(SMALLEST[dtype] / (1 - 0.999));
    const [low, span] = dtype === "float64" ? [-323, 183] : [-45, 35]; // 1e-323 … 1e-140, 1e-45 … 1e-10
    let s = seed;
    const rand = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    };
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rand();
      const sign = rand() < 0.5 ? -1 : 1;
      if (r < 0.3)
        g[i] = sign * floor * (0.999 + 0.002 * rand()); // straddling the floor
      else if (r < 0.8) g[i] = sign * 10 ** (low + span * rand());
      else if (r < 0.9) g[i] = 0;
      else g[i] = sign * rand(); // normal
    }
    return g;
  }
  /** The rule with nothing dropped or flushed: float64 as the rule, float32 rounded at every operation. */
  function unflushed(dtype: Dtype) {
    return (n: number, b: AdamBuffers, flags: AdamFlags, scalars: AdamScalars) => {
      const off = { ...flags, flushSubnormals: false };
      if (dtype === "float64") adamUpdate(n, b, off, scalars);
      else adamUpdateF32(n, b as never, off, scalars);
    };
  }
  /** The buffers of the run without flushes, from `init`, in `dtype`. */
  function referenceBuffers(init: Float64Array, dtype: Dtype): AdamBuffers {
    const C = dtype === "float64" ? Float64Array : Float32Array;
    const n = init.length;
    return {
      param: C.from(init),
      grad: new C(n),
      expAvg: new C(n),
      expAvgSq: new C(n),
      maxExpAvgSq: new C(n),
    };
  }
  const ulps = (a: number, b: number) => {
    const f = new Float32Array([a, b]);
    const i = new Int32Array(f.buffer);
    return Math.abs(i[0]! - i[1]!);
  };
  for (const dtype of ["float64", "float32"] as const) {
    for (const mode of ["auto", "typescript"] as const) {
      // the TypeScript path computes float32 rules in float64, so only its float64 is torch's arithmetic
      if (dtype === "float32" && mode === "typescript") continue;
      for (const options of [{ lr: 1e-3 }, { lr: 1e-3, amsgrad: true, maximize: true, weightDecay: 1e-8 }]) {
        const claim = dtype === "float64" ? "bit-identical" : "within an ulp";
        it(`${dtype} params ${claim} to torch's arithmetic over 40 steps (${mode}, ${JSON.stringify(options)})`, () => {
          setKernelMode(mode);
          try {
            const n = 4096;
            const unit = dtype === "float64" ? 1e-160 : 1e-3;
            const init = new Float64Array(n).map((_, i) => (i % 7) * unit - 2 * unit); // a seventh at 0
            const p = param(init, { dtype });
            const opt = new Adam([p], options);
            const group = opt.paramGroups[0]!;
            const C = dtype === "float64" ? Float64Array : Float32Array;
            const ref = referenceBuffers(init, dtype);
            const flags = { amsgrad: group.amsgrad, maximize: group.maximize, flushSubnormals: false };
            let dropped = 0;
            let offByOne = 0;
            for (let step = 1; step <= 40; step++) {
              const g = step > 30 ? new Float64Array(n) : gradients(n, step, dtype);
              ref.grad.set(g);
              p.grad = C.from(g);
              const scalars = adamScalars(group, step, 1, group.weightDecay, dtype);
              if (scalars.tinyGradFloor > 0) dropped++;
              opt.step();
              unflushed(dtype)(n, ref, flags, scalars);
              for (let i = 0; i < n; i++) {
                if (dtype === "float64") assert.equal(p.data[i], ref.param[i], `step ${step} param[${i}]`);
                else {
                  const d = ulps(p.data[i]!, ref.param[i]!);
                  assert.ok(d <= 1, `step ${step} param[${i}]: ${p.data[i]} against ${ref.param[i]}`);
                  offByOne += d;
                }
              }
            }
            assert.equal(dropped, 40);
            if (dtype === "float32") assert.ok(offByOne < n / 100, `${offByOne} params an ulp off`);
            // what was dropped or flushed: terms under the smallest normal each, decaying by β2
            const state = opt.state.get(p) as { expAvg: Buffer; expAvgSq: Buffer };
            let differs = 0;
            for (let i = 0; i < n; i++) {
              const d = Math.abs(state.expAvgSq[i]! - ref.expAvgSq[i]!);
              assert.ok(d < SMALLEST[dtype] / (1 - 0.999), `expAvgSq[${i}] differs by ${d}`);
              if (d > 0) differs++;
              const dm = Math.abs(state.expAvg[i]! - ref.expAvg[i]!);
              assert.ok(dm < SMALLEST[dtype], `expAvg[${i}] differs by ${dm}`);
            }
            assert.ok(differs > 0); // the test reaches the drop and the flush
            opt.dispose();
            p.dispose();
          } finally {
            setKernelMode("auto");
          }
        });
      }
    }
  }

  // A gradient that dies: three tiny steps, then g = 0 until both moments are subnormal in torch (β·m
  // rounds back to m there, so they stay). descent stores them as 0 where |θ| is large enough that no
  // subnormal m can move it, keeps them where θ is 0 (there a subnormal update shows), and the params come
  // out as the unflushed rule's, bit for bit.
  for (const dtype of ["float32", "float64"] as const) {
    for (const mode of ["auto", "typescript"] as const) {
      it(`a dead gradient's moments go to 0, the params stay torch's (${dtype}, ${mode})`, () => {
        setKernelMode(mode);
        try {
          const n = 1000;
          const tiny = dtype === "float32" ? 1e-36 : 1e-306;
          const init = new Float64Array(n).map((_, i) => (i % 10 === 0 ? 0 : ((i % 13) - 6) * 0.1));
          const p = param(init, { dtype });
          const opt = new AdamW([p], { lr: 1e-3, weightDecay: 1e-2 });
          const group = opt.paramGroups[0]!;
          const C = dtype === "float64" ? Float64Array : Float32Array;
          const ref = referenceBuffers(init, dtype);
          const flags = { amsgrad: false, maximize: false, flushSubnormals: false };
          const rule = mode === "typescript" || dtype === "float64" ? adamUpdate : adamUpdateF32;
          for (let step = 1; step <= 120; step++) {
            const g =
              step <= 3 ? new Float64Array(n).map((_, i) => (i % 2 ? tiny : -tiny)) : new Float64Array(n);
            ref.grad.set(g);
            p.grad = C.from(g);
            opt.step();
            const scalars = adamScalars(group, step, 1 - group.lr * group.weightDecay, 0, dtype);
            rule(n, ref as never, flags, scalars);
            for (let i = 0; i < n; i++) assert.equal(p.data[i], ref.param[i], `step ${step} param[${i}]`);
          }
          const state = opt.state.get(p) as { expAvg: Buffer; expAvgSq: Buffer };
          for (let i = 0; i < n; i++) {
            const refM = ref.expAvg[i]!;
            assert.ok(refM !== 0 && Math.abs(refM) < SMALLEST[dtype], `the unflushed m[${i}] is subnormal`);
            if (init[i] === 0) assert.equal(state.expAvg[i], refM, `m[${i}] kept where θ is 0`);
            else assert.equal(state.expAvg[i], 0, `m[${i}] flushed`);
            assert.equal(state.expAvgSq[i], 0, `v[${i}] flushed`);
          }
          opt.dispose();
          p.dispose();
        } finally {
          setKernelMode("auto");
        }
      });
    }
  }
});

describe("the choice of the flushing loop", () => {
  const floor = 2 ** -126;
  function buffers(n: number) {
    const b = () => new Float32Array(n);
    return { param: b(), grad: b(), expAvg: b(), expAvgSq: b(), maxExpAvgSq: b() };
  }
  it("is false on normal numbers and on exact zeros, true on a subnormal moment in the block", () => {
    const b = buffers(1000);
    b.expAvg.fill(0.1);
    b.expAvgSq.fill(0.01);
    for (let step = 1; step <= 100; step++) assert.equal(sampleSeesSubnormals(b, step, floor), false);
    const zero = buffers(1000);
    for (let step = 1; step <= 100; step++) assert.equal(sampleSeesSubnormals(zero, step, floor), false);
    for (const [key, value] of [
      ["expAvg", -1e-40],
      ["expAvgSq", 1e-40],
      ["maxExpAvgSq", 1e-40],
    ] as const) {
      const one = buffers(40);
      one.expAvg.fill(0.1);
      one.expAvgSq.fill(0.01);
      one.maxExpAvgSq.fill(0.01);
      one[key].fill(value);
      assert.equal(sampleSeesSubnormals(one, 7, floor), true, key);
    }
    // what the flushing loop leaves where it drops tiny gradients' squares: m ≠ 0 over v = 0
    const dropped = buffers(40);
    dropped.expAvg.fill(1e-21);
    assert.equal(sampleSeesSubnormals(dropped, 7, floor), true);
  });
  it("visits every block of a param as the steps go on", () => {
    const n = 16 * 300 + 5; // 301 blocks, the last one short
    for (const at of [0, 16 * 150 + 3, n - 1]) {
      const b = buffers(n);
      b.expAvg[at] = 1e-40;
      let seen = 0;
      for (let step = 1; step <= 2000; step++) if (sampleSeesSubnormals(b, step, floor)) seen++;
      assert.ok(seen > 0, `element ${at} found`);
    }
  });
  it("runs the flushing loop only on the steps whose block holds a subnormal", () => {
    const blocks = 64;
    const n = 16 * blocks;
    const at = 16 * 37 + 5; // the one subnormal moment, in block 37
    const p = param(new Float32Array(n).map((_, i) => ((i % 13) - 6) * 0.1 + 0.05));
    const opt = new Adam([p], { lr: 1e-3 });
    const grad = () => new Float32Array(n).map((_, i) => (i === at ? 0 : 0.5 + (i % 5) * 0.1));
    p.grad = grad();
    opt.step();
    const saved = opt.stateDict();
    (saved.state[0] as { expAvg: Float32Array }).expAvg[at] = -1e-40;
    opt.loadStateDict(saved);
    const golden = (Math.sqrt(5) - 1) / 2;
    let due = false;
    for (let step = 2; step <= 200; step++) {
      due ||= Math.floor(((step * golden) % 1) * blocks) === 37;
      p.grad = grad();
      opt.step();
      const m = (opt.state.get(p) as { expAvg: Float32Array }).expAvg[at]!;
      // g = 0 there: the moment decays in the subnormals (to its fixed point) until a step's block finds it
      assert.equal(m === 0, due, `step ${step}: m = ${m}`);
      if (due) break;
    }
    assert.ok(due, "block 37 came up");
    opt.dispose();
    p.dispose();
  });
  it("depends on the state only: a resumed run flushes as the uninterrupted one, bit for bit", () => {
    const n = 4096;
    const grads = (step: number) =>
      new Float32Array(n).map((_, i) => (step <= 3 ? (i % 3 ? 1e-30 : 1e-19) * (i % 2 ? 1 : -1) : 0));
    const init = new Float32Array(n).map((_, i) => ((i % 13) - 6) * 0.1);
    const a = param(init);
    const optA = new Adam([a], { lr: 1e-3 });
    let b = param(init);
    let optB = new Adam([b], { lr: 1e-3 });
    for (let step = 1; step <= 60; step++) {
      a.grad = grads(step);
      optA.step();
      if (step % 7 === 0) {
        // what a new process does: a fresh param and optimizer, loaded from the saved state
        const saved = optB.stateDict();
        const values = b.data.slice();
        optB.dispose();
        b.dispose();
        b = param(values);
        optB = new Adam([b], { lr: 1e-3 });
        optB.loadStateDict(saved);
      }
      b.grad = grads(step);
      optB.step();
      assert.deepEqual(b.data, a.data, `step ${step}`);
      const [sa, sb] = [optA.state.get(a), optB.state.get(b)] as Array<{ expAvg: Buffer; expAvgSq: Buffer }>;
      assert.deepEqual(sb!.expAvg, sa!.expAvg, `step ${step} expAvg`);
      assert.deepEqual(sb!.expAvgSq, sa!.expAvgSq, `step ${step} expAvgSq`);
    }
    const state = optA.state.get(a) as { expAvg: Float32Array };
    assert.ok(
      state.expAvg.every((m) => m === 0 || Math.abs(m) >= floor),
      "the moments were flushed",
    );
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });
});
