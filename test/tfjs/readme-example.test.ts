import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const examplePath = join(root, "examples", "tfjs.ts");

/** The example as the README shows it: without its header comment. */
function asInReadme(source: string): string {
  return source.replace(/^(\/\/.*\n)+/, "").trim();
}

/** The first ```ts block after the "With TensorFlow.js" heading. */
function readmeBlock(readme: string): string {
  const heading = readme.search(/^## With TensorFlow\.js/m);
  assert.ok(heading >= 0, 'README.md has no "## With TensorFlow.js" section');
  const start = readme.indexOf("```ts\n", heading);
  assert.ok(start >= 0, "the TensorFlow.js section has no ```ts block");
  const end = readme.indexOf("\n```", start + 6);
  return readme.slice(start + 6, end).trim();
}

describe("examples/tfjs.ts (the README's TensorFlow.js example)", () => {
  it("is what the README's With TensorFlow.js section shows", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    assert.equal(readmeBlock(readme), asInReadme(readFileSync(examplePath, "utf8")));
  });

  it("trains, schedules, saves and resumes exactly (its own assertions pass)", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", examplePath], {
      cwd: root,
      encoding: "utf8",
      env: plainEnv(),
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `examples/tfjs.ts failed:\n${run.stderr}\n${run.stdout}`);
    // one lr per epoch in the history, as OneCycleLR moved it: up to maxLr, then annealed far below
    const lr = /lr\s+\[([^\]]*)\]/.exec(run.stdout)?.[1]?.split(",").map(Number);
    assert.ok(lr !== undefined && lr.length === 4, `no lr history in:\n${run.stdout}`);
    assert.ok(
      lr.every((x, i) => i === 0 || x < lr[i - 1]!),
      `lr ${lr}`,
    );
    assert.ok(lr[3]! < 0.01 * 0.05, `lr ${lr}`);
  });
});
