import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { readCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { loadCheckpointFile, saveCheckpointFile, writeFileAtomic } from "../../src/checkpoint/node.js";
import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { sameBits, stepOnQuadratic } from "../helpers/conformance-table.js";

const dir = mkdtempSync(join(tmpdir(), "descent-ckpt-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("saveCheckpointFile / loadCheckpointFile", () => {
  it("write a checkpoint file and restore it into fresh objects", async () => {
    const p = param([1, -2, 3], { dtype: "float64" });
    const opt = new Adam([p], { lr: 0.1 });
    for (let s = 0; s < 3; s++) stepOnQuadratic(opt, [p]);
    const path = join(dir, "a.safetensors");
    await saveCheckpointFile(path, { params: [p], optimizer: opt }, { extra: { epoch: 3 } });
    const q = param([0, 0, 0], { dtype: "float64" });
    const opt2 = new Adam([q]);
    const { extra } = await loadCheckpointFile(path, { params: [q], optimizer: opt2 });
    assert.deepEqual(extra, { epoch: 3 });
    assert.ok(sameBits(q.data, p.data));
    assert.deepEqual(readdirSync(dir), ["a.safetensors"], "no temporary file is left behind");
  });

  it("replaces an existing checkpoint whole, and leaves it intact when saving fails", async () => {
    const path = join(dir, "b.safetensors");
    const p = param([1, 2]);
    await saveCheckpointFile(path, { params: [p] });
    const first = readFileSync(path);
    p.data.set([5, 6]);
    await saveCheckpointFile(path, { params: [p] });
    assert.deepEqual(Array.from(readCheckpoint(readFileSync(path)).params[0]!.data), [5, 6]);
    const second = readFileSync(path);
    assert.notDeepEqual(second, first);
    await assert.rejects(
      saveCheckpointFile(path, { params: [p] }, { extra: { f: () => 0 } }),
      /cannot save checkpoint: extra at f is a function/,
    );
    assert.deepEqual(readFileSync(path), second, "a failed save leaves the old checkpoint");
    assert.deepEqual(readdirSync(dir).sort(), ["a.safetensors", "b.safetensors"]);
  });

  it("removes its temporary file when the rename fails", async () => {
    const target = join(dir, "a-directory");
    mkdirSync(join(target, "inside"), { recursive: true });
    await assert.rejects(writeFileAtomic(target, new Uint8Array([1, 2, 3])));
    assert.ok(!readdirSync(dir).some((f) => f.endsWith(".tmp")), "temporary file left behind");
    rmSync(target, { recursive: true });
  });

  it("answers a missing file with the file system's error and a damaged one with a CheckpointError", async () => {
    await assert.rejects(loadCheckpointFile(join(dir, "nope.safetensors"), {}), /ENOENT/);
    const path = join(dir, "c.safetensors");
    const p = param([1, 2]);
    await saveCheckpointFile(path, { params: [p] });
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(path, bytes);
    await assert.rejects(
      loadCheckpointFile(path, { params: [p] }),
      (e) => e instanceof CheckpointError && e.code === "corrupt" && /checksum mismatch/.test(e.message),
    );
    rmSync(path);
  });
});
