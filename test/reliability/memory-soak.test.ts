// Issue 17: memory comes back (thousands of optimizer lifetimes keep the arena flat) and no view is
// reused while a user holds it, under forced collections. The figures come from a child process run with
// --expose-gc (memory-soak-child.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("memory soak (3000 Adam lifetimes of 1e5 elements each way)", () => {
  const run = spawnSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", join(here, "memory-soak-child.ts"), "3000"],
    { encoding: "utf8", timeout: 240_000, env: plainEnv() },
  );
  const lines = run.stdout.trim().split("\n");
  const result = run.status === 0 ? JSON.parse(lines[lines.length - 1]!) : null;

  it("runs", () => {
    assert.equal(run.status, 0, run.stderr);
  });

  it("a clone of a dropped param keeps its values; a kept view is detached, never reused", () => {
    const { repro } = result;
    assert.equal(repro.savedReads, 7);
    assert.equal(repro.nextAfterWritingSaved, -1, "writing the clone does not reach the new param");
    assert.ok(repro.keptReads === "detached" || repro.keptReads === 7, `kept view reads ${repro.keptReads}`);
  });

  it("with dispose, memory stays flat in synchronous code", () => {
    const { disposed } = result;
    assert.ok(
      disposed.memoryBytesAfter <= disposed.memoryBytesBefore + 4 * 1024 * 1024,
      `memory grew from ${disposed.memoryBytesBefore} to ${disposed.memoryBytesAfter} bytes`,
    );
    assert.ok(disposed.rssGrowthBytes < 256 * 1024 * 1024, `RSS grew by ${disposed.rssGrowthBytes} bytes`);
  });

  it("without dispose, collected params' memory is reused and no kept view shows another param's data", () => {
    const { collected } = result;
    // 50 lifetimes between collections hold 50 × 1.6 MB; the memory never nears 3000 × 1.6 MB = 4.8 GB
    assert.ok(
      collected.memoryBytesPeak <= 512 * 1024 * 1024,
      `memory peaked at ${collected.memoryBytesPeak}`,
    );
    assert.equal(collected.viewsShowingOtherData, 0);
    assert.equal(collected.keptViews, 300);
  });
});
