// Exact resume: N steps straight equal k steps, a checkpoint file, a restore in a fresh Node process and
// N − k more steps, bit for bit (params, optimizer state and scheduler state), for every optimizer in the
// conformance table (every option set, float32 and float64) and every scheduler case. One child process
// runs all the cases.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Checkpoint, readCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { saveCheckpointFile } from "../../src/checkpoint/node.js";
import { CONFORMANCE, sameBits, stateFingerprint } from "../helpers/conformance-table.js";
import { OPTIMIZERS } from "../helpers/optimizers.js";
import { CHECKPOINT_AT, type ResumeRun, resumeCases, TOTAL_STEPS } from "./resume-cases.js";
import { SCHEDULER_CASES } from "./scheduler-cases.js";
import { plainEnv } from "../helpers/child-env.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "descent-resume-"));
const cases = resumeCases();
const straight: ResumeRun[] = [];
let child: { status: number | null; stdout: string; stderr: string };

before(async () => {
  for (const [i, c] of cases.entries()) {
    const run = c.build();
    for (let s = 0; s < CHECKPOINT_AT; s++) run.step();
    await saveCheckpointFile(join(dir, `${i}.safetensors`), {
      params: run.params,
      optimizer: run.optimizer,
      schedulers: run.schedulers,
    });
    for (let s = CHECKPOINT_AT; s < TOTAL_STEPS; s++) run.step();
    straight.push(run);
  }
  writeFileSync(
    join(dir, "cases.json"),
    JSON.stringify({ ids: cases.map((c) => c.id), remaining: TOTAL_STEPS - CHECKPOINT_AT }),
  );
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(root, "test/reliability/resume-child.ts"), dir],
    { cwd: root, encoding: "utf8", env: plainEnv(), timeout: 60_000 },
  );
  child = { status: result.status, stdout: result.stdout, stderr: result.stderr };
});

after(() => rmSync(dir, { recursive: true, force: true }));

function resumed(i: number): Checkpoint {
  return readCheckpoint(readFileSync(join(dir, `${i}.after.safetensors`)));
}

describe("exact resume in a fresh process", () => {
  it("the child process restores and finishes every case", () => {
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, new RegExp(`resumed ${cases.length} cases`));
  });

  for (const [i, c] of cases.entries()) {
    it(`${c.id}: k steps + checkpoint + fresh process + N−k steps = N steps, bit for bit`, () => {
      assert.equal(child.status, 0, "the child process failed");
      const ckpt = resumed(i);
      const run = straight[i]!;
      run.params.forEach((p, k) => {
        assert.ok(sameBits(ckpt.params[k]!.data, p.data), `param ${k} differs`);
      });
      assert.deepEqual(
        stateFingerprint(ckpt.optimizers.optimizer!.stateDict),
        stateFingerprint(run.optimizer.stateDict()),
        "optimizer state differs",
      );
      for (const [name, s] of Object.entries(run.schedulers)) {
        assert.deepEqual(
          stateFingerprint(ckpt.schedulers[name]!.stateDict),
          stateFingerprint(s.stateDict()),
          `${name} state differs`,
        );
      }
    });
  }

  it("tells a real resume from a restart: dropping the optimizer state changes the result", () => {
    const c = cases.find((x) => x.id.startsWith("Adam#0 float64"))!;
    const run = c.build();
    for (let s = 0; s < CHECKPOINT_AT; s++) run.step();
    const fresh = c.build();
    fresh.params.forEach((p, k) => {
      p.data.set(run.params[k]!.data);
    });
    for (let s = CHECKPOINT_AT; s < TOTAL_STEPS; s++) {
      run.step();
      fresh.step();
    }
    assert.ok(!sameBits(fresh.params[0]!.data, run.params[0]!.data));
  });

  it("covers every optimizer in the torch-reference map and every scheduler case", () => {
    const names = new Set(CONFORMANCE.map((r) => r.name));
    for (const name of Object.keys(OPTIMIZERS)) assert.ok(names.has(name), `${name} has no conformance row`);
    for (const s of SCHEDULER_CASES) assert.ok(cases.some((c) => c.id.startsWith(s.name)));
  });
});
