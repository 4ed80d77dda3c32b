// torch trained each reference case k steps and saved the run; a fresh torch loaded that file and trained
// the remaining n (scripts/gen_torch_files.py, with torch 1.13 and 2.6). descent, loading the same runs,
// trains the same n and must agree: params and every state entry to 1e-12 in float64, float32's rounding
// in float32. Schedulers the same way, on the lr of every group at every iteration.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { torchLoad } from "../../src/torch/index.js";
import {
  assertAgrees,
  assertLrs,
  continueFromTorch,
  continueSchedulersFromTorch,
  optimizerCases,
  schedulerCases,
} from "./cases.js";
import { TORCH_FILES } from "./helpers.js";

for (const version of ["1.13", "2.6"]) {
  describe(`runs saved by torch ${version}, continued in descent`, () => {
    const optimizers = torchLoad(readFileSync(join(TORCH_FILES, version, "optimizers.pt"))) as any;
    const schedulers = torchLoad(readFileSync(join(TORCH_FILES, version, "schedulers.pt"))) as any;

    it(`were recorded by torch ${version}`, () => {
      assert.ok(String(optimizers.torch_version).startsWith(version));
      assert.ok(String(schedulers.torch_version).startsWith(version));
    });

    for (const [name, run] of Object.entries(optimizers.runs as Record<string, unknown>)) {
      it(`${name}: descent continues torch's run as torch does`, () => {
        const c = optimizerCases.get(name)!;
        const { params, opt } = continueFromTorch(c, run, optimizers.k[name]);
        assertAgrees(c, params, opt, optimizers.expected[name], `after torch ${version}'s run`);
      });
    }

    for (const [name, run] of Object.entries(schedulers.runs as Record<string, unknown>)) {
      it(`${name}: descent's schedulers continue torch's as torch does`, () => {
        const lrs = continueSchedulersFromTorch(schedulerCases.get(name)!, run, schedulers.k[name]);
        assertLrs(lrs, schedulers.expected[name].lrs, name);
      });
    }
  });
}
