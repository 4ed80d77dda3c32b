// Where the lab and the CLI write: checked before any work is done, so that an hour of training is not
// lost to a missing directory, and answered with one line naming the path.

import { closeSync, openSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** A path that cannot be written; the message names the flag or option and the path. */
export class OutputPathError extends Error {
  override name = "OutputPathError";
}

function kind(path: string): "dir" | "file" | "missing" | "blocked" {
  try {
    return statSync(path).isDirectory() ? "dir" : "file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "missing" : code === "ENOTDIR" ? "blocked" : "file";
  }
}

/** The nearest ancestor of `path` (itself included) that exists, and what it is. */
function nearestExisting(path: string): { at: string; kind: "dir" | "file" } {
  let at = resolve(path);
  for (;;) {
    const k = kind(at);
    if (k === "dir" || k === "file") return { at, kind: k };
    const up = dirname(at);
    if (up === at) return { at, kind: "dir" };
    at = up;
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Creates and removes a file in `dir`: the one check that answers for permissions, mounts and ACLs. */
function checkWritableDir(dir: string, label: string): void {
  const probe = join(dir, `.descent-write-check-${process.pid}`);
  try {
    writeFileSync(probe, "", { flag: "wx" });
    unlinkSync(probe);
  } catch (error) {
    throw new OutputPathError(
      `${label}: directory ${JSON.stringify(dir)} is not writable (${errorCode(error)})`,
    );
  }
}

/**
 * Throws OutputPathError unless a file can be written at `path`: its directory exists and is writable,
 * and `path` is not a directory. `what` names the option in the message (e.g. "--out").
 * @example
 * import { tmpdir } from "node:os";
 * checkOutputFile(`${tmpdir()}/race.svg`, "--out"); // fine, and nothing is written
 * let message = "";
 * try {
 *   checkOutputFile(`${tmpdir()}/no-such-dir/race.svg`, "--out");
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * message.endsWith("/no-such-dir\" does not exist"); // → true
 */
export function checkOutputFile(path: string, what: string): void {
  const label = `${what} ${JSON.stringify(path)}`;
  const k = kind(path);
  if (k === "dir") throw new OutputPathError(`${label} is a directory`);
  if (k === "file") {
    try {
      closeSync(openSync(path, "a"));
    } catch (error) {
      throw new OutputPathError(`${label} cannot be written (${errorCode(error)})`);
    }
    return;
  }
  const dir = dirname(resolve(path));
  const existing = nearestExisting(dir);
  if (existing.kind === "file") {
    throw new OutputPathError(`${label}: ${JSON.stringify(existing.at)} is a file, not a directory`);
  }
  if (existing.at !== dir)
    throw new OutputPathError(`${label}: directory ${JSON.stringify(dir)} does not exist`);
  checkWritableDir(dir, label);
}

/**
 * Throws OutputPathError unless `path` is a writable directory or can be created as one (everything above
 * it that exists is a directory, and the nearest one is writable).
 */
export function checkOutputDir(path: string, what: string): void {
  const label = `${what} ${JSON.stringify(path)}`;
  const existing = nearestExisting(path);
  if (existing.kind === "file") {
    throw new OutputPathError(`${label}: ${JSON.stringify(existing.at)} is a file, not a directory`);
  }
  checkWritableDir(existing.at, label);
}

/** writeFileSync, with a failure (disk full, a race with another process) answered as OutputPathError. */
export function writeOutputFile(path: string, data: string | Uint8Array, what: string): void {
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new OutputPathError(`${what} ${JSON.stringify(path)} cannot be written (${errorCode(error)})`);
  }
}
