// Atomic checkpoint files under real crashes: a child process saves checkpoint after checkpoint to one
// path and is killed with SIGKILL at varied moments, mid-write included. Every time, the file at the path
// must be a whole, valid checkpoint (the previous or the next one, never a torn mix).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { readCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { plainEnv } from "../helpers/child-env.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "descent-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer; resolves once it has saved `afterSaves` checkpoints, then kills it `delayMs` later. */
function crashAfter(path: string, afterSaves: number, delayMs: number): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "test/reliability/crash-writer.ts"), path, String(1 << 20)],
      { cwd: root, env: plainEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let saved = 0;
    let stderr = "";
    let stdout = "";
    let killing = false;
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // A chunk may carry several counts, or part of one (a loaded machine batches the writes): read the
    // last whole line, and kill once the count has reached afterSaves.
    child.stdout.on("data", (d: Buffer) => {
      stdout += String(d);
      const lines = stdout.split("\n");
      const last = lines.length >= 2 ? lines[lines.length - 2]! : "";
      if (last !== "") saved = Number(last);
      if (!killing && saved >= afterSaves) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") done(saved);
      else fail(new Error(`the writer exited by itself (${code}): ${stderr}`));
    });
  });
}

describe("saveCheckpointFile under SIGKILL", () => {
  it("always leaves a whole checkpoint at the path, whenever the writer dies", async () => {
    const path = join(dir, "run.safetensors");
    // kill moments spread over more than one save cycle (encode ≈ 16 ms, write ≈ 6 ms on 2 cores)
    for (let round = 0; round < 10; round++) {
      const delay = 2 + 4 * round;
      const lastReported = await crashAfter(path, 1 + (round % 2), delay);
      const ckpt = readCheckpoint(readFileSync(path));
      const version = ckpt.extra!.version as number;
      assert.ok(
        version >= lastReported,
        `version ${version} is older than the last save reported (${lastReported})`,
      );
      const data = ckpt.params[0]!.data;
      assert.equal(data.length, 1 << 20);
      assert.ok(
        data.every((x) => x === version),
        `round ${round}: a torn checkpoint (values of several versions)`,
      );
    }
    // a killed writer may leave its temporary file (never the target) behind, named so it is never mistaken
    for (const f of readdirSync(dir))
      assert.ok(f === "run.safetensors" || /^\.run\.safetensors\.\d+\.[0-9a-f]+\.tmp$/.test(f), f);
  });
});
