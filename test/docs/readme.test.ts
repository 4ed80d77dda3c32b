// The README's TypeScript examples are programs: each ```ts block runs (imports of "descent-optim",
// "descent-optim/tfjs" and "descent-optim/lab" point at the sources) and must exit cleanly. A block preceded by
// `<!-- not-run: reason -->` is skipped and says why.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

const ENTRIES: Record<string, string> = {
  "descent-optim": "src/index.ts",
  "descent-optim/tfjs": "src/tfjs/index.ts",
  "descent-optim/lab": "src/lab/index.ts",
  "descent-optim/node": "src/checkpoint/node.ts",
  "descent-optim/torch": "src/torch/index.ts",
};

interface Block {
  line: number;
  code: string;
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```ts") continue;
    const skipped = /<!--\s*not-run/.test(lines[i - 1] ?? "") || /<!--\s*not-run/.test(lines[i - 2] ?? "");
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== "```") end++;
    if (!skipped) out.push({ line: start, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return out;
}

describe("README examples", () => {
  const found = blocks(readme);
  it("has at least the quick start", () => {
    assert.ok(found.length >= 1);
  });
  const dir = mkdtempSync(join(tmpdir(), "descent-readme-"));
  // an ES module project, as the README's imports assume (the lab loads its optional peers with top-level await)
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  for (const block of found) {
    it(`the block at README.md:${block.line} runs`, () => {
      const code = block.code.replace(/from "(descent-optim(?:\/[a-z]+)?)"/g, (m, name: string) => {
        const target = ENTRIES[name];
        return target ? `from ${JSON.stringify(pathToFileURL(join(root, target)).href)}` : m;
      });
      const file = join(dir, `block-${block.line}.ts`);
      writeFileSync(file, code);
      const run = spawnSync(process.execPath, ["--import", "tsx", file], {
        cwd: root,
        encoding: "utf8",
        env: plainEnv(),
        timeout: 120_000,
      });
      assert.equal(run.status, 0, `README.md:${block.line} failed:\n${run.stderr}\n${run.stdout}`);
    });
  }
});
