// The optimizer registry is the one list: every optimizer the package exports has a row, and each row is
// everywhere it says it should be (the TF.js class list, the kernel rules, the torch fixtures, the
// conformance table, the lab's presets and the web lab's catalog).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { KERNEL_RULES } from "../../scripts/build-kernels.js";
import { Optimizer, OptimizerWrapper, param } from "../../src/index.js";
import * as descent from "../../src/index.js";
import { raceOptimizer, raceOptimizerNames, testFunction } from "../../src/lab/index.js";
import { OPTIMIZER_REGISTRY } from "../../src/optim/registry.js";
import { optimizerClass } from "../../src/tfjs/config-codec.js";
import { OPTIMIZERS as WEB_OPTIMIZERS } from "../../web/src/optimizer-catalog.js";
import { CONFORMANCE } from "../helpers/conformance-table.js";
import { OPTIMIZERS as TORCH_OPTIMIZERS } from "../helpers/optimizers.js";

const exportedOptimizers = Object.entries(descent).filter(
  ([, value]) =>
    typeof value === "function" &&
    value.prototype instanceof Optimizer &&
    !(value.prototype instanceof OptimizerWrapper),
);

describe("the optimizer registry", () => {
  test("every optimizer class the package exports has exactly one row, under its own name", () => {
    assert.ok(exportedOptimizers.length >= 18);
    for (const [name, cls] of exportedOptimizers) {
      const rows = OPTIMIZER_REGISTRY.filter((r) => r.cls === cls);
      assert.equal(rows.length, 1, `${name} has ${rows.length} registry rows`);
      assert.equal(rows[0]!.name, name);
    }
    assert.equal(
      OPTIMIZER_REGISTRY.length,
      exportedOptimizers.length,
      "a row names a class the package does not export",
    );
  });

  test("each row's defaults are the ones its class uses", () => {
    const made = (row: (typeof OPTIMIZER_REGISTRY)[number], options?: object) =>
      (
        new row.cls(
          [param(new Float64Array(4), { shape: [2, 2] })],
          options as Record<string, unknown>,
        ) as unknown as {
          defaults: object;
        }
      ).defaults;
    for (const row of OPTIMIZER_REGISTRY) {
      assert.deepEqual(made(row, row.defaults), made(row), row.name);
      // and every key the class takes (LBFGS resolves maxEval: null to 1.25 maxIter, as torch does)
      assert.deepEqual(Object.keys(row.defaults).sort(), Object.keys(made(row)).sort(), row.name);
    }
  });

  test("the kernel generator compiles exactly the element-wise rules, and each names an exported rule function", async () => {
    const rules = new Map<string, string>();
    for (const row of OPTIMIZER_REGISTRY) {
      if (row.rule.kind !== "elementwise") continue;
      const { file, fn } = row.rule;
      rules.set(`${file}:${fn}`, row.name);
      const module = (await import(`../../src/optim/${file}.js`)) as Record<string, unknown>;
      assert.equal(typeof module[fn], "function", `${row.name}: src/optim/${file}.ts exports no ${fn}`);
      assert.ok(
        existsSync(`src/kernels/generated/${file}.ts`),
        `${row.name}: no generated kernel for ${file}`,
      );
    }
    assert.deepEqual(
      KERNEL_RULES.map(({ file, fn }) => `${file}:${fn}`).sort(),
      [...rules.keys()].sort(),
      "scripts/build-kernels.ts KERNEL_RULES and the registry's element-wise rules differ",
    );
  });

  test("every row torch has is in the fixture helpers and has recorded torch cases; the others are not", () => {
    // the shared set's cases, and SparseAdam's (sparse grads, recorded by scripts/gen_reference.py)
    const files = ["optimizers.json", "project_sparse_adam.json"];
    const recorded = new Set(
      files.flatMap((file) =>
        (
          JSON.parse(readFileSync(`test/fixtures/torch/${file}`, "utf8")) as {
            cases: { optimizer: string }[];
          }
        ).cases.map((c) => c.optimizer),
      ),
    );
    for (const row of OPTIMIZER_REGISTRY) {
      assert.equal(row.name in TORCH_OPTIMIZERS, row.torch, `${row.name} in test/helpers/optimizers.ts`);
      assert.equal(recorded.has(row.name), row.torch, `${row.name} in test/fixtures/torch/ ${files}`);
    }
  });

  test("TF.js rebuilds exactly the rows marked tfjs", () => {
    for (const row of OPTIMIZER_REGISTRY) {
      assert.equal(optimizerClass(row.name) === row.cls, row.tfjs, `${row.name} in the TF.js class list`);
    }
  });

  test("every row is in the conformance table", () => {
    const names = new Set(CONFORMANCE.map((c) => c.name));
    for (const row of OPTIMIZER_REGISTRY)
      assert.ok(names.has(row.name), `${row.name} has no conformance row`);
  });

  test("every lab preset is a CLI race name and a web lab entry, with the same lr and options", () => {
    const fn = testFunction("rosenbrock");
    const presets = OPTIMIZER_REGISTRY.flatMap((row) => row.lab.map((preset) => ({ row, preset })));
    assert.deepEqual(
      [...raceOptimizerNames],
      presets.map(({ preset }) => preset.id),
    );
    assert.deepEqual(
      WEB_OPTIMIZERS.map((o) => o.id),
      presets.map(({ preset }) => preset.id),
    );
    for (const { row, preset } of presets) {
      const made = raceOptimizer(preset.id, fn).create([param([0, 0])]);
      assert.ok(made instanceof row.cls, `${preset.id} races a ${row.name}`);
      const web = WEB_OPTIMIZERS.find((o) => o.id === preset.id)!;
      assert.equal(web.label, preset.label);
      assert.equal(web.color, preset.color);
    }
  });
});
