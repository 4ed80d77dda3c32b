// descent-optim/webgpu where there is no WebGPU (Node): it imports without touching GPU globals, and an
// optimizer without a GPU kernel is refused by name before anything else is looked at.

import assert from "node:assert/strict";
import { test } from "node:test";
import { OPTIMIZER_REGISTRY } from "../../src/optim/registry.js";
import { CPU_ONLY_OPTIMIZERS, GPU_OPTIMIZERS, gpuOptimizer } from "../../src/webgpu/index.js";

test("GPU and CPU-only optimizer lists are disjoint and name descent's classes", async () => {
  const descent = (await import("../../src/index.js")) as Record<string, unknown>;
  for (const name of [...GPU_OPTIMIZERS, ...CPU_ONLY_OPTIMIZERS])
    assert.equal(typeof descent[name], "function", name);
  assert.deepEqual(
    GPU_OPTIMIZERS.filter((n) => CPU_ONLY_OPTIMIZERS.includes(n)),
    [],
  );
  assert.ok(GPU_OPTIMIZERS.includes("Adam"));
  // every registered optimizer is in exactly one list: a new one is CPU-only until it has a GPU class
  assert.deepEqual(
    [...GPU_OPTIMIZERS, ...CPU_ONLY_OPTIMIZERS].sort(),
    OPTIMIZER_REGISTRY.map((row) => row.name).sort(),
  );
});

test("an optimizer without a GPU kernel is refused by name", () => {
  for (const name of CPU_ONLY_OPTIMIZERS) {
    assert.throws(
      () => gpuOptimizer(name, []),
      new RegExp(`${name} has no WebGPU kernel: .*${name} runs on the CPU`),
    );
  }
  assert.throws(() => gpuOptimizer("Adma", []), /'Adma' is not a descent optimizer/);
});
