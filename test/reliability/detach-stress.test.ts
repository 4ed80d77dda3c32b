// Every exact-resume case (each optimizer's option sets, float32 and float64, every scheduler case) again,
// with the arena's memory detached at every allocation. A view held across an allocation then fails on
// every run, where normally it fails only when garbage collection happened to free a block just before.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadCheckpointFile, saveCheckpointFile } from "../../src/checkpoint/node.js";
import { arenaStress } from "../../src/core/arena.js";
import { param } from "../../src/core/param.js";
import { sameBits, stateFingerprint } from "../helpers/conformance-table.js";
import { CHECKPOINT_AT, resumeCases, TOTAL_STEPS } from "./resume-cases.js";

const dir = mkdtempSync(join(tmpdir(), "descent-detach-"));
after(() => {
  arenaStress.detachEveryAllocation = false;
  rmSync(dir, { recursive: true, force: true });
});

describe("a detach at every allocation changes no step and no resume", () => {
  it("the stress is real: a view held across an allocation is detached", () => {
    arenaStress.detachEveryAllocation = true;
    try {
      const held = param(new Float32Array(4)).data;
      param(new Float32Array(4));
      assert.equal(held.length, 0);
    } finally {
      arenaStress.detachEveryAllocation = false;
    }
  });
  for (const [i, c] of resumeCases().entries()) {
    it(c.id, async () => {
      arenaStress.detachEveryAllocation = false;
      const calm = c.build();
      for (let s = 0; s < TOTAL_STEPS; s++) calm.step();
      arenaStress.detachEveryAllocation = true;
      try {
        const run = c.build();
        for (let s = 0; s < CHECKPOINT_AT; s++) run.step();
        const file = join(dir, `${i}.safetensors`);
        await saveCheckpointFile(file, {
          params: run.params,
          optimizer: run.optimizer,
          schedulers: run.schedulers,
        });
        const resumed = c.build();
        await loadCheckpointFile(file, {
          params: resumed.params,
          optimizer: resumed.optimizer,
          schedulers: resumed.schedulers,
        });
        for (let s = CHECKPOINT_AT; s < TOTAL_STEPS; s++) resumed.step();
        for (const [k, p] of calm.params.entries())
          assert.ok(sameBits(p.data, resumed.params[k]!.data), `param ${k}`);
        assert.deepEqual(
          stateFingerprint(resumed.optimizer.stateDict()),
          stateFingerprint(calm.optimizer.stateDict()),
        );
      } finally {
        arenaStress.detachEveryAllocation = false;
      }
    });
  }
});
