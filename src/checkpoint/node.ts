// Checkpoint files in Node (the "descent-optim/node" entry; the core stays browser-safe). Writes are atomic:
// the bytes go to a temporary file beside the target, are fsynced, and the file is renamed over the
// target (then the directory is fsynced), so a crash leaves either the old checkpoint or the new one,
// never a torn file.

import { randomBytes } from "node:crypto";
import { lstat, open, readFile, readlink, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  type CheckpointTarget,
  type LoadedCheckpoint,
  loadCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from "./checkpoint.js";

/** The longest file name most file systems take, in bytes. */
const NAME_MAX = 255;

/** The file a write to `path` lands in: a symlink's target (followed to the end, dangling or not). */
async function writeTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const info = await lstat(current).catch(() => null);
    if (info === null || !info.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  const error = new Error(`too many levels of symbolic links: ${path}`) as NodeJS.ErrnoException;
  error.code = "ELOOP";
  throw error;
}

/** `.<name>.<pid>.<random>.tmp` beside the target, the name cut so the whole stays within NAME_MAX bytes. */
function tempName(target: string): string {
  const tail = `.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  let name = basename(target);
  while (Buffer.byteLength(`.${name}${tail}`) > NAME_MAX) name = name.slice(0, -1);
  return join(dirname(target), `.${name}${tail}`);
}

/**
 * Writes `bytes` to `path` atomically (temp file, fsync, rename, fsync of the directory). A symlink is
 * written through (its target is replaced, the link stays); an existing file keeps its permission bits.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const target = await writeTarget(path);
  const dir = dirname(target);
  const temp = tempName(target);
  const mode = await stat(target).then(
    (s) => s.mode & 0o7777,
    () => null,
  );
  const handle = await open(temp, "wx");
  try {
    try {
      if (mode !== null) await handle.chmod(mode);
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
  // make the rename itself durable; some platforms (Windows) cannot open a directory, which is fine there
  const dirHandle = await open(dir, "r").catch(() => null);
  if (dirHandle !== null) {
    try {
      await dirHandle.sync().catch(() => {});
    } finally {
      await dirHandle.close();
    }
  }
}

/**
 * Saves a checkpoint to a file, atomically: a crash mid-write never leaves a torn checkpoint.
 * @example
 * const { mkdtempSync } = await import("node:fs");
 * const { tmpdir } = await import("node:os");
 * const { join } = await import("node:path");
 * const path = join(mkdtempSync(join(tmpdir(), "descent-")), "run.safetensors");
 * const w = param([1, 2]);
 * const opt = new SGD([w], { lr: 0.1 });
 * const sched = new ExponentialLR(opt, { gamma: 0.5 });
 * sched.step();
 * await saveCheckpointFile(path, { params: [w], optimizer: opt, scheduler: sched }, { extra: { epoch: 1 } });
 * const opt2 = new SGD([param([0, 0])], { lr: 0.1 });
 * const sched2 = new ExponentialLR(opt2, { gamma: 0.5 });
 * const { extra } = await loadCheckpointFile(path, { params: opt2.paramGroups[0]!.params, optimizer: opt2, scheduler: sched2 });
 * extra?.epoch; // → 1
 * sched2.getLastLr(); // → [0.05]
 */
export async function saveCheckpointFile(
  path: string,
  target: CheckpointTarget,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  await writeFileAtomic(path, saveCheckpoint(target, options));
}

/**
 * Restores a checkpoint file into params/optimizers/schedulers of the same shape; on any error (a
 * CheckpointError naming the problem) nothing has changed.
 * @example
 * const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
 * const { tmpdir } = await import("node:os");
 * const { join } = await import("node:path");
 * const path = join(mkdtempSync(join(tmpdir(), "descent-")), "run.safetensors");
 * const w = param([1, 2]);
 * await saveCheckpointFile(path, { params: [w] }, { extra: { epoch: 7 } });
 * const restored = param([0, 0]);
 * const { extra } = await loadCheckpointFile(path, { params: [restored] });
 * extra?.epoch; // → 7
 * restored.data; // → [1, 2]
 * writeFileSync(path, readFileSync(path).subarray(0, 100)); // a copy cut short
 * await loadCheckpointFile(path, { params: [restored] }).catch((e) => e.code); // → "truncated"
 */
export async function loadCheckpointFile(path: string, target: CheckpointTarget): Promise<LoadedCheckpoint> {
  return loadCheckpoint(await readFile(path), target);
}
