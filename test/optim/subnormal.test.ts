// Adam with gradients so small that (1 − β2)·g² is subnormal, against PyTorch 2.6 (cases recorded by
// scripts/gen_reference.py with params near 0, so that the tiny updates show). descent flushes a subnormal
// float64 expAvgSq to 0 only where that cannot change the update (eps 1e-8 here), so the params must match
// torch relatively (the shared trace test compares them absolutely, which at 1e-12 proves nothing); with
// eps 0 the subnormal decides the update and must be kept, as torch keeps it; float32 is never flushed.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setKernelMode } from "../../src/kernels/runtime.js";
import { Adam, AdamW, param } from "../../src/index.js";
import { adamScalars, adamUpdate, expAvgSqFloor, tinyGradFloor } from "../../src/optim/adam.js";
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
              if (c.dtype === "float64") {
                // flushed where eps makes it invisible; kept (torch's own subnormal) where eps is 0
                assert.equal(mine[k], eps === 0 ? v : 0, `${c.name} expAvgSq[${k}]`);
              } else {
                // kept: torch's subnormal, to within its rounding (the TypeScript path rounds once)
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
    assert.equal(expAvgSqFloor(1e-8, c1, "float32"), 0); // float32 is not flushed (measured slower)
    assert.equal(expAvgSqFloor(1e-8, c1, "float32", true), 2 ** -126);
    assert.equal(expAvgSqFloor(1e-8, c1, "float64"), 2 ** -1022);
    assert.equal(expAvgSqFloor(0, 1, "float32"), 0);
    assert.equal(expAvgSqFloor(0, 1, "float64"), 0);
    // float32: √(2⁻¹²⁶)·c·2 must stay below eps·2⁻²⁵: eps 1e-10 at step 1 does not, at c = 1 it does
    assert.equal(expAvgSqFloor(1e-10, c1, "float32", true), 0);
    assert.equal(expAvgSqFloor(1e-10, 1, "float32", true), 2 ** -126);
    // float64: eps 1e-140 at step 1 is too small for the criterion, 1e-130 is not
    assert.equal(expAvgSqFloor(1e-140, c1, "float64"), 0);
    assert.equal(expAvgSqFloor(1e-130, c1, "float64"), 2 ** -1022);
    // β2 so near 1 that c is 1e4 at first
    assert.equal(expAvgSqFloor(1e-8, 1 / Math.sqrt(1 - 0.99999999), "float32", true), 0);
  });
});

describe("tinyGradFloor", () => {
  const c1 = 1 / Math.sqrt(1 - 0.999);
  it("drops (1 − β2)·g² only where it is under the smallest normal and the update cannot see it", () => {
    const floor = tinyGradFloor(1e-8, c1, 0.999, "float64");
    assert.equal(floor, Math.sqrt(2 ** -1022 / (1 - 0.999)));
    assert.ok((1 - 0.999) * floor * floor <= 2 ** -1022 * (1 + 1e-15));
    assert.equal(tinyGradFloor(1e-8, c1, 0.999, "float32"), 0); // float32 is not flushed
    assert.equal(tinyGradFloor(0, c1, 0.999, "float64"), 0); // eps 0: the subnormal decides the update
    assert.equal(tinyGradFloor(1e-8, c1, 1, "float64"), 0); // β2 = 1: 0·g², NaN for an infinite g
    // the criterion is stricter than the flush's: √(2⁻⁹⁶⁸)·c·2 under eps·2⁻⁵⁴
    assert.equal(expAvgSqFloor(1e-130, c1, "float64"), 2 ** -1022);
    assert.equal(tinyGradFloor(1e-130, c1, 0.999, "float64"), 0);
    assert.ok(tinyGradFloor(1e-100, c1, 0.999, "float64") > 0);
  });

  // Gradients from the smallest subnormal to normal sizes, many right at the floor: the kernels (which
  // drop the term and flush) against the rule run with nothing dropped or flushed, torch's arithmetic.
  function gradients(n: number, seed: number): Float64Array {
    const floor = Math.sqrt(2 ** -1022 / (1 - 0.999));
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
      else if (r < 0.8)
        g[i] = sign * 10 ** (-323 + 183 * rand()); // 1e-323 … 1e-140
      else if (r < 0.9) g[i] = 0;
      else g[i] = sign * rand(); // normal
    }
    return g;
  }
  for (const mode of ["auto", "typescript"] as const) {
    for (const options of [{ lr: 1e-3 }, { lr: 1e-3, amsgrad: true, maximize: true, weightDecay: 1e-8 }]) {
      it(`params bit-identical to torch's arithmetic over 40 steps (${mode}, ${JSON.stringify(options)})`, () => {
        setKernelMode(mode);
        try {
          const n = 4096;
          const init = new Float64Array(n).map((_, i) => (i % 7) * 1e-160 - 2e-160);
          const p = param(init, { dtype: "float64" });
          const opt = new Adam([p], options);
          const group = opt.paramGroups[0]!;
          const ref = {
            param: Float64Array.from(init),
            grad: new Float64Array(n),
            expAvg: new Float64Array(n),
            expAvgSq: new Float64Array(n),
            maxExpAvgSq: new Float64Array(n),
          };
          let dropped = 0;
          for (let step = 1; step <= 40; step++) {
            const g = step > 30 ? new Float64Array(n) : gradients(n, step);
            ref.grad.set(g);
            p.grad = Float64Array.from(g);
            const scalars = adamScalars(group, step, 1, group.weightDecay, "float64");
            if (scalars.tinyGradFloor > 0) dropped++;
            opt.step();
            adamUpdate(
              n,
              ref,
              { amsgrad: group.amsgrad, maximize: group.maximize, flushSubnormals: false },
              scalars,
            );
            for (let i = 0; i < n; i++) {
              assert.equal(p.data[i], ref.param[i], `step ${step} param[${i}]`);
            }
          }
          assert.equal(dropped, 40);
          // what was dropped or flushed: terms under 2⁻¹⁰²² each, decaying by β2, so under 2⁻¹⁰²²/(1 − β2)
          const state = opt.state.get(p) as { expAvgSq: Float64Array };
          let differs = 0;
          for (let i = 0; i < n; i++) {
            const d = Math.abs(state.expAvgSq[i]! - ref.expAvgSq[i]!);
            assert.ok(d < 2 ** -1022 / (1 - 0.999), `expAvgSq[${i}] differs by ${d}`);
            if (d > 0) differs++;
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
});
