// The web lab's races through the GPU path: every lab optimizer with a WebGPU kernel stepped on SwiftShader
// by web/src/gpu-race.ts follows the CPU's float32 path (RaceRunner with a float32 point) bit for bit (LAMB:
// within float32 rounding) and ends as it does; L-BFGS, which has no kernel, stays on the CPU.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { noBrowser, openWebGpuPage, type WebGpuPage } from "../helpers/webgpu-browser.js";
import { testFunctions } from "../../src/lab/functions.js";

interface Path {
  xs: number[];
  ys: number[];
  status: string;
}
interface RacePaths {
  id: string;
  onGpu: boolean;
  gpu?: Path;
  float32: Path;
  float64: Path;
}

/** The largest difference of a coordinate between two paths, step by step (over the first `steps` steps). */
function gap(a: Path, b: Path, steps = Number.POSITIVE_INFINITY): number {
  let worst = 0;
  const n = Math.min(a.xs.length, b.xs.length, steps + 1);
  for (let i = 0; i < n; i++)
    worst = Math.max(worst, Math.abs(a.xs[i]! - b.xs[i]!), Math.abs(a.ys[i]! - b.ys[i]!));
  return worst;
}

/** The steps where two paths' points differ (values both below 2^-100 in magnitude count as equal). */
function unequalSteps(a: Path, b: Path): number[] {
  const tiny = (u: number, v: number) => Math.abs(u) < 2 ** -100 && Math.abs(v) < 2 ** -100;
  const same = (u: number, v: number) => u === v || tiny(u, v);
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.xs.length, b.xs.length); i++)
    if (!same(a.xs[i]!, b.xs[i]!) || !same(a.ys[i]!, b.ys[i]!)) out.push(i);
  return out;
}

const SURFACES = ["himmelblau", "rosenbrock", "beale", "elongated", "saddle"];

describe("the web lab's races on WebGPU", { skip: noBrowser }, () => {
  let gpu: WebGpuPage;
  before(async () => {
    gpu = await openWebGpuPage("test/webgpu/pages/lab-race.ts");
  });
  after(async () => {
    await gpu?.close();
  });

  for (const surface of SURFACES) {
    test(`${surface}: GPU paths match the CPU's float32 paths`, async () => {
      const fn = testFunctions.find((f) => f.name === surface)!;
      const diagonal = Math.hypot(fn.domain.x[1] - fn.domain.x[0], fn.domain.y[1] - fn.domain.y[0]);
      const runs = await gpu.call<RacePaths[]>("racePaths", { surface, steps: 200 });
      assert.deepEqual(
        runs.filter((r) => !r.onGpu).map((r) => r.id),
        ["lbfgs"],
      );
      for (const r of runs.filter((x) => x.onGpu)) {
        assert.equal(r.gpu!.status, r.float32.status, `${r.id}: status`);
        assert.equal(r.gpu!.xs.length, r.float32.xs.length, `${r.id}: steps`);
        if (r.id === "lamb") {
          // LAMB's norms are reduced in another order on the GPU (some ulps a step from the CPU's): compared
          // over the first steps, before a chaotic path (LAMB circles himmelblau's minimum) amplifies that
          const g = gap(r.gpu!, r.float32, 20) / diagonal;
          assert.ok(g < 1e-5, `lamb: ${g} of the diagonal apart in 20 steps`);
        } else {
          // bit for bit, but near float32's underflow, where the GPU flushes subnormals to zero
          assert.deepEqual(unequalSteps(r.gpu!, r.float32), [], `${r.id}: steps where the points differ`);
        }
      }
    });
  }

  test("a bad option is refused with the CPU class's message", async () => {
    assert.equal(
      await gpu.call<string>("badOption"),
      "Invalid learning rate: -1 (expected a finite number ≥ 0)",
    );
    assert.deepEqual(gpu.problems, []);
  });
});
