import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { plainEnv } from "./child-env.js";

const testRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const printArray = ["--input-type=module", "-e", "console.log([0.5, 0.25])"];

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testSources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("plainEnv (children whose output a test reads)", () => {
  test("a child that inherits FORCE_COLOR=1 (as under `node --test` in a terminal) prints colour codes", () => {
    const run = spawnSync(process.execPath, printArray, {
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "1" }, // env not plain: this shows what plainEnv() prevents
    });
    assert.ok(run.stdout.includes("\u001b["), run.stdout);
  });

  test("a child started with plainEnv() prints plain text even when the parent has FORCE_COLOR=1", () => {
    const saved = process.env.FORCE_COLOR;
    process.env.FORCE_COLOR = "1";
    try {
      const run = spawnSync(process.execPath, printArray, { encoding: "utf8", env: plainEnv() });
      assert.equal(run.stdout, "[ 0.5, 0.25 ]\n");
    } finally {
      if (saved === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = saved;
    }
  });

  test("every child process started under test/ gets env: plainEnv()", () => {
    const starts = /(?<![.\w])(spawnSync|spawn|execFileSync|execFile|execSync|exec|fork)\(/g;
    const unplain: string[] = [];
    for (const file of testSources(testRoot)) {
      const text = readFileSync(file, "utf8");
      if (!/from "node:child_process"/.test(text)) continue;
      // Quoted text is not code: a Python script a test runs may call its own exec.
      const source = text.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
      const calls = [...source.matchAll(starts)].filter(
        (m) => !/function\s*$/.test(source.slice(0, m.index)),
      );
      const plain = source.match(/env: plainEnv\(|\/\/ env not plain: /g)?.length ?? 0;
      if (calls.length > plain)
        unplain.push(`${relative(testRoot, file)}: ${calls.length} starts, ${plain} plain`);
    }
    assert.deepEqual(unplain, []);
  });
});
