// Adam with gradients so small that (1 − β2)·g² is subnormal, against PyTorch 2.6 (cases recorded by
// scripts/gen_reference.py with params near 0, so that the tiny updates show). descent flushes a subnormal
// float64 expAvgSq to 0 only where that cannot change the update (eps 1e-8 here), so the params must match
// torch relatively (the shared trace test compares them absolutely, which at 1e-12 proves nothing); with
// eps 0 the subnormal decides the update and must be kept, as torch keeps it; float32 is never flushed.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setKernelMode } from "../../src/kernels/runtime.js";
import { Adam, AdamW, param } from "../../src/index.js";
import { expAvgSqFloor } from "../../src/optim/adam.js";
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
