// Every `@example` in a JSDoc comment under SOURCE_DIRS is a program: it runs with every value
// descent exports in scope, plus its own file's exports (internal helpers such as crc32, or the
// descent-optim/node entry's file functions) and the exports of its folder's index.ts where there is one
// (so a src/lab example sees all of descent-optim/lab, a src/tfjs one all of descent-optim/tfjs), and must finish
// without throwing. An example may `import` packages itself (`import * as tf from "@tensorflow/tfjs"`):
// the programs are written under node_modules/.cache/descent-examples so bare specifiers resolve.
// A line `expr; // → value` (or `const x = ...; // → value`) is also a claim: the value is checked,
// exactly as printed: an integer claim holds for that integer only, a decimal one for values that round to
// the digits printed (→ 0.25 holds for 0.2503, not for 0.26).
// All examples run in one child process (tsx startup is the slow part); each gets its own test.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

/** Folders whose examples are run; add a folder once its examples are self-contained. */
export const SOURCE_DIRS = [
  "src/core",
  "src/optim",
  "src/average",
  "src/clip",
  "src/scheduler",
  "src/schedule",
  "src/checkpoint",
  "src/lab",
  "src/kernels",
  "src/tfjs",
  "src/torch",
] as const;

/** Examples that still need the reader's context (`params`, `model`, loops): reported as todo until rewritten. */
const NOT_YET_SELF_CONTAINED = new Set<string>();

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const indexUrl = pathToFileURL(join(root, "src/index.ts")).href;

export interface Example {
  /** `src/optim/adam.ts:131`: the file and the line of the `@example` tag. */
  where: string;
  code: string;
}

/** The `@example` blocks of one source file, with the leading ` * ` stripped. */
export function extractExamples(source: string, file: string): Example[] {
  const out: Example[] = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i]!)) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (/^\s*\*\//.test(line) || /^\s*\*\s*@\w/.test(line)) break;
      body.push(line.replace(/^\s*\* ?/, ""));
    }
    out.push({ where: `${file}:${i + 1}`, code: body.join("\n").trim() });
    i = j - 1;
  }
  return out;
}

/** Turns `// → value` claims into checks; leaves every other line as written. */
export function withChecks(code: string): string {
  return code
    .split("\n")
    .map((line) => {
      const m = /^(\s*)(.*?);?\s*\/\/ → (.*)$/.exec(line);
      if (!m) return line;
      const [, indent, stmt, claim] = m as unknown as [string, string, string, string];
      const expected = JSON.stringify(claimValue(claim));
      const decl = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=/.exec(stmt);
      if (decl) return `${indent}${stmt}; __expect(${decl[1]}, ${expected});`;
      return `${indent}__expect((${stmt}), ${expected});`;
    })
    .join("\n");
}

/** The value text at the start of a claim: a bracketed list, or the first token; prose may follow. */
export function claimValue(claim: string): string {
  const text = claim.trim();
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end > 0) return text.slice(0, end + 1);
  }
  if (text.startsWith('"')) {
    const end = text.indexOf('"', 1);
    if (end > 0) return text.slice(0, end + 1);
  }
  return (text.split(/\s/)[0] ?? "").replace(/[,.;:]$/, "");
}

// Runs inside the child: compares a value with the text the doc prints.
const EXPECT_SOURCE = `
function __digits(text) { const m = /\\.(\\d+)/.exec(text.split(/e/i)[0]); return m ? m[1].length : 0; }
function __num(actual, text) {
  if (text === "NaN") return Number.isNaN(actual);
  if (text === "Infinity" || text === "-Infinity") return actual === Number(text);
  const want = Number(text);
  if (text.trim() === "" || Number.isNaN(want)) throw new Error("a // → claim that is not a number: " + text);
  if (typeof actual !== "number") return false;
  // exact as printed: an integer is that integer; a decimal is the value rounded to the digits shown
  if (/^-?\\d+$/.test(text)) return actual === want;
  const exp = /e(-?\\d+)/i.exec(text);
  const half = 0.5 * 10 ** -(__digits(text) - (exp ? Number(exp[1]) : 0));
  return Math.abs(actual - want) <= half * (1 + 1e-9);
}
function __expect(actual, text) {
  let ok;
  if (text.startsWith("[")) {
    const items = text.slice(1, -1).split(",").map((s) => s.trim()).filter((s) => s !== "");
    const got = Array.from(actual ?? []);
    ok = got.length === items.length && items.every((t, i) => __num(got[i], t));
  } else if (text.startsWith('"')) ok = actual === JSON.parse(text);
  else if (text === "true" || text === "false" || text === "null") ok = actual === JSON.parse(text);
  else ok = __num(actual, text);
  if (!ok) throw new Error("the example claims → " + text + " but the value is " + (ArrayBuffer.isView(actual) ? "[" + Array.from(actual).join(", ") + "]" : String(actual)));
}
`;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

interface Outcome {
  ok: boolean;
  error?: string;
}

async function runAll(examples: readonly Example[]): Promise<Map<string, Outcome>> {
  const descent = await import(indexUrl);
  const names = Object.keys(descent).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const header = `import { ${names.join(", ")} } from ${JSON.stringify(indexUrl)};\n${EXPECT_SOURCE}\n`;
  // Inside the repo, not os.tmpdir(): an example's own `import "@tensorflow/tfjs"` must resolve.
  const cache = join(root, "node_modules", ".cache", "descent-examples");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "run-"));
  const ownImports = new Map<string, string>();
  for (const source of new Set(examples.map((e) => e.where.split(":")[0]!))) {
    const seen = new Set(names);
    let imports = "";
    const folderIndex = join(dirname(source), "index.ts");
    for (const module of [source, ...(existsSync(join(root, folderIndex)) ? [folderIndex] : [])]) {
      const url = pathToFileURL(join(root, module)).href;
      const more = Object.keys(await import(url)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !seen.has(n));
      for (const n of more) seen.add(n);
      if (more.length > 0) imports += `import { ${more.join(", ")} } from ${JSON.stringify(url)};\n`;
    }
    ownImports.set(source, imports);
  }
  const files = examples.map((example, i) => {
    const file = join(dir, `example-${i}.mts`);
    const own = ownImports.get(example.where.split(":")[0]!) ?? "";
    writeFileSync(file, `${header}${own}// ${example.where}\n${withChecks(example.code)}\nexport {};\n`);
    return { where: example.where, url: pathToFileURL(file).href };
  });
  const resultsFile = join(dir, "results.json");
  const runner = join(dir, "runner.mts");
  writeFileSync(
    runner,
    `import { writeFileSync } from "node:fs";
const files = ${JSON.stringify(files)};
const results = {};
for (const { where, url } of files) {
  try { await import(url); results[where] = { ok: true }; }
  catch (e) { results[where] = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }; }
}
writeFileSync(${JSON.stringify(resultsFile)}, JSON.stringify(results));
`,
  );
  const run = spawnSync(process.execPath, ["--import", "tsx", runner], {
    cwd: root,
    encoding: "utf8",
    env: plainEnv(),
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `the example runner failed:\n${run.stderr}`);
  const results = JSON.parse(readFileSync(resultsFile, "utf8")) as Record<string, Outcome>;
  rmSync(dir, { recursive: true, force: true });
  return new Map(Object.entries(results));
}

describe("JSDoc @example blocks", async () => {
  const examples = SOURCE_DIRS.flatMap((dir) =>
    sourceFiles(dir).flatMap((file) =>
      extractExamples(readFileSync(join(root, file), "utf8"), relative(root, join(root, file))),
    ),
  );
  const outcomes = await runAll(examples);

  it("finds examples in every listed folder", () => {
    for (const dir of SOURCE_DIRS)
      assert.ok(
        examples.some((e) => e.where.startsWith(`${dir}/`)),
        dir,
      );
  });

  for (const example of examples) {
    const todo = NOT_YET_SELF_CONTAINED.has(example.where.split(":")[0]!)
      ? "needs a self-contained rewrite"
      : false;
    it(`the example at ${example.where} runs and its → claims hold`, { todo }, () => {
      const outcome = outcomes.get(example.where);
      assert.ok(outcome, `${example.where} did not run`);
      assert.ok(outcome.ok, `${example.where} failed:\n${example.code}\n\n${outcome.error}`);
    });
  }
});

describe("the example extractor", () => {
  it("holds integer claims exactly and decimal ones to the digits printed", () => {
    const expect = new Function(`${EXPECT_SOURCE}; return __expect;`)() as (
      actual: unknown,
      text: string,
    ) => void;
    expect(1, "1");
    assert.throws(() => expect(0, "1"), /claims → 1 but the value is 0/);
    assert.throws(() => expect(2, "1"), /claims → 1 but the value is 2/);
    expect(0.2503, "0.25");
    assert.throws(() => expect(0.26, "0.25"), /claims → 0.25/);
    expect([0.2499999999875, 0.9999999998], "[0.25, 1.0]");
    assert.throws(() => expect([0.25, 0.9999999998], "[0.25, 1]"), /claims → \[0.25, 1\]/);
    expect(1.04e-8, "1e-8");
    assert.throws(() => expect(2e-8, "1e-8"), /claims → 1e-8/);
  });

  it("strips the leading ' * ' and stops at the end of the comment or the next tag", () => {
    const src = "/**\n * Claim.\n * @example\n * const a = 1;\n *   a + 1;\n * @see x\n */\n";
    assert.deepEqual(extractExamples(src, "f.ts"), [{ where: "f.ts:3", code: "const a = 1;\n  a + 1;" }]);
  });
  it("turns a → claim on an expression or a declaration into a check and leaves prose after it", () => {
    assert.equal(withChecks("f(2); // → 0.5 (half)"), '__expect((f(2)), "0.5");');
    assert.equal(withChecks("const t = g(); // → [1, 2]"), 'const t = g(); __expect(t, "[1, 2]");');
    assert.equal(withChecks("h(); // a plain comment"), "h(); // a plain comment");
  });
});
