// TfjsOptimizer makes descent's memory big enough for the model at once, so training never grows it: a
// growth detaches the memory's buffer, and after one detach V8's typed-array code, TF.js's cpu kernels
// included, runs slower for the rest of the process (docs/ARCHITECTURE.md, "What detaching costs").
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("TfjsOptimizer in a fresh process", () => {
  it("trains a 0.8 MB-a-buffer model without ever growing (or detaching) descent's memory", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(here, "arena-reserve-child.ts")], {
      encoding: "utf8",
      env: plainEnv(),
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    assert.equal(result.trained, true);
    assert.equal(result.generation, 0, "the memory was detached");
    // params, grads and Adam's three state buffers: 5 × 0.8 MB, and not far beyond (the room is not touched)
    assert.ok(result.bytes >= 5 * 4 * 203_530 && result.bytes < 16 * 1024 * 1024, `${result.bytes} bytes`);
  });
});
