// The CLI never dies with a stack trace: bad output paths and out-of-range numbers are answered with one
// line naming the flag or the path (exit 2), before any work is done.

import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runCli } from "../../src/cli/program.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const sink = (add: (s: string) => void) => ({
    write: (s: string) => {
      add(s);
      return true;
    },
  });
  const code = await runCli(argv, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

/** One line on stderr, exit 2, naming `expected`. */
function refused(r: { code: number; stderr: string }, expected: string | RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, r.stderr);
  assert.match(r.stderr, /^descent: error: /);
  if (typeof expected === "string") assert.ok(r.stderr.includes(expected), r.stderr);
  else assert.match(r.stderr, expected);
}

const dir = mkdtempSync(join(tmpdir(), "descent-cli-paths-"));
after(() => {
  chmodSync(readOnlyDir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});
const aFile = join(dir, "notes.txt");
writeFileSync(aFile, "not a directory");
const aDir = join(dir, "figures");
mkdirSync(aDir);
// root writes through a mode-0555 directory; sysfs refuses new files even to root
const readOnlyDir = join(dir, "read-only");
mkdirSync(readOnlyDir);
chmodSync(readOnlyDir, 0o555);
const unwritable = process.getuid?.() === 0 ? "/sys" : readOnlyDir;

describe("CLI output paths", () => {
  const cases: Array<[string, string, string]> = [
    [
      "into a missing directory",
      join(dir, "missing", "race.svg"),
      `directory "${join(dir, "missing")}" does not exist`,
    ],
    ["onto a directory", aDir, `"${aDir}" is a directory`],
    ["under a regular file", join(aFile, "race.svg"), `"${aFile}" is a file, not a directory`],
    ["into a read-only directory", join(unwritable, "race.svg"), `directory "${unwritable}" is not writable`],
  ];
  for (const [what, out, message] of cases) {
    const path = out.endsWith(".svg") ? out : `${out}.svg`;
    test(`race --out ${what}: exit 2, one line naming the path`, async () => {
      const target = what === "onto a directory" ? join(dir, "dir.svg") : path;
      if (what === "onto a directory") mkdirSync(target, { recursive: true });
      const r = await cli("race", "booth", "--steps", "5", "--out", target);
      refused(r, what === "onto a directory" ? `--out "${target}" is a directory` : message);
      assert.equal(r.stdout, "", "nothing ran");
    });
  }

  test("ewma --out and schedule --out are checked the same way", async () => {
    refused(await cli("ewma", "--out", join(dir, "missing", "e.svg")), "does not exist");
    refused(await cli("schedule", "step", "--step-size", "3", "--out", join(aFile, "s.png")), "is a file");
  });

  test("demo --out-dir is checked before training: under a regular file, exit 2 at once", async () => {
    const r = await cli("demo", "--quick", "--out-dir", join(aFile, "report"));
    refused(r, `--out-dir "${join(aFile, "report")}": "${aFile}" is a file, not a directory`);
  });

  test("demo --out-dir in a read-only place is refused before training", async () => {
    refused(await cli("demo", "--quick", "--out-dir", join(unwritable, "report")), "is not writable");
  });
});

describe("CLI numeric flags have bounds that name the flag", () => {
  test("race --steps beyond 2^53 or 1e8 is refused (it used to allocate GBs or fail as a typed array)", async () => {
    for (const steps of ["9007199254740993", "1e8", "100001", "0", "2.5"]) {
      refused(
        await cli("race", "booth", "--steps", steps),
        `--steps must be an integer from 1 to 100000, got "${steps}"`,
      );
    }
  });

  test("schedule cosine --t-max 1e9 would draw 2e9 steps: refused, pointing at --steps", async () => {
    refused(await cli("schedule", "cosine", "--t-max", "1e9"), /cosine .* 2000000000 steps.*--steps/);
    refused(
      await cli("schedule", "cosine", "--t-max", "10", "--steps", "1e9"),
      "--steps must be an integer from 1",
    );
    const ok = await cli("schedule", "cosine", "--t-max", "1e9", "--steps", "20", "--json");
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).lr.length, 20);
  });

  test("ewma --length 1e9 and seeds past 32 bits are refused", async () => {
    refused(await cli("ewma", "--length", "1e9"), '--length must be an integer from 1 to 100000, got "1e9"');
    refused(await cli("ewma", "--seed", "4294967296"), "--seed must be an integer from 0 to 4294967295");
    refused(await cli("demo", "--seed", "-1"), "--seed must be an integer from 0 to 4294967295");
  });
});

describe("descent --version and PNG export", () => {
  test("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    for (const flag of ["--version", "-V"]) {
      const r = await cli(flag);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${version}\n`);
    }
  });

  test("a PNG of a race where SGD diverges is written (the rasteriser used to abort, exit 134)", async () => {
    const out = join(dir, "diverged.png");
    const r = await cli(
      "race",
      "elongated",
      "--optimizers",
      "sgd,momentum,adam",
      "--lr",
      "0.6",
      "--out",
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sgd .* diverged$/m);
    assert.deepEqual([...readFileSync(out).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });
});
