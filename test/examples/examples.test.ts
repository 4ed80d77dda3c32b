// The programs in examples/ run as a user runs them: they import "descent-optim" and its entries, which Node
// resolves through package.json "exports" to the built dist/ (npm test builds first). Each is checked by
// what it prints or writes; each .mjs is its .ts without the types; the .ts files typecheck against the
// package's published types. examples/tfjs.ts runs in test/tfjs/readme-example.test.ts, and
// examples/webgpu-tfjs.ts in test/webgpu/example.test.ts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { plainEnv } from "../helpers/child-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const examples = join(root, "examples");

/** Runs an example in a new process: a .mjs with plain node, a .ts with tsx. */
function run(file: string, args: string[] = []): string {
  const path = join(examples, file);
  const argv = file.endsWith(".ts") ? ["--import", "tsx", path, ...args] : [path, ...args];
  const child = spawnSync(process.execPath, argv, {
    cwd: root,
    encoding: "utf8",
    env: plainEnv(),
    timeout: 600_000, // seconds of CPU, but minutes of wall time on a loaded machine: the limit only stops a hang
  });
  assert.equal(child.status, 0, `${file} ${args.join(" ")} failed:\n${child.stderr}\n${child.stdout}`);
  return child.stdout;
}

/** The code with types, comments and layout removed: what must be the same in a .ts and its .mjs. */
function code(source: string, fileName: string): string {
  const js = ts.transpileModule(source, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true },
  }).outputText;
  return js.replace(/\s+/g, "").replace(/,([)\]}])/g, "$1");
}

before(() => {
  assert.ok(
    existsSync(join(root, "dist", "index.js")),
    "the examples import the built package: npm run build",
  );
});

describe("examples/", () => {
  const pairs = readdirSync(examples)
    .filter((f) => f.endsWith(".mjs"))
    .map((f) => f.slice(0, -".mjs".length));

  it("has each program in JS and TypeScript", () => {
    assert.deepEqual(pairs.sort(), ["checkpoint-resume", "quick-start", "race", "tfjs"]);
    for (const name of pairs) assert.ok(existsSync(join(examples, `${name}.ts`)), `${name}.ts`);
  });

  for (const name of pairs) {
    it(`${name}.mjs is ${name}.ts without the types`, () => {
      const mjs = readFileSync(join(examples, `${name}.mjs`), "utf8");
      const tsSource = readFileSync(join(examples, `${name}.ts`), "utf8");
      assert.equal(code(mjs, `${name}.mjs`), code(tsSource, `${name}.ts`));
    });
  }

  it("the .ts programs typecheck against the package's types (dist/*.d.ts), as a user's code", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const child = spawnSync(process.execPath, [tsc, "-p", join(examples, "tsconfig.json")], {
      cwd: root,
      encoding: "utf8",
      env: plainEnv(),
      timeout: 900_000,
    });
    assert.equal(child.status, 0, `${child.stdout}${child.stderr}`);
  });

  it("quick-start fits y = 3x − 1 while the cosine schedule takes the lr from 0.1 to 0", () => {
    const out = run("quick-start.mjs");
    assert.equal(run("quick-start.ts"), out);
    const logged = Array.from(out.matchAll(/^step (\d+): loss (\S+), lr (\S+)$/gm), (m) =>
      m.slice(1).map(Number),
    );
    assert.deepEqual(
      logged.map(([step]) => step),
      [0, 50, 100, 150, 200, 250],
    );
    // the lr each step used is CosineAnnealingLR's closed form 0.1·(1 + cos(π t / 300)) / 2
    for (const [step, , lr] of logged) {
      const closedForm = (0.1 * (1 + Math.cos((Math.PI * step!) / 300))) / 2;
      assert.ok(Math.abs(lr! - closedForm) <= 1e-15, `lr ${lr} at step ${step}, closed form ${closedForm}`);
    }
    const losses = logged.map(([, loss]) => loss!);
    assert.ok(
      losses.every((l, i) => i === 0 || l < losses[i - 1]!),
      `losses ${losses}`,
    );
    assert.ok(losses[0]! > 10 && losses.at(-1)! < 1e-8, `losses ${losses}`);
    const [, slope, intercept] = /^slope (\S+), intercept (\S+)$/m.exec(out)!.map(Number);
    assert.ok(Math.abs(slope! - 3) < 1e-4 && Math.abs(intercept! + 1) < 1e-4, out);
  });

  it("tfjs.mjs trains with its scheduler callbacks and resumes exactly after a save (its assertions pass)", () => {
    const out = run("tfjs.mjs");
    const lr = /lr\s+\[([^\]]*)\]/.exec(out)?.[1]?.split(",").map(Number);
    const loss = /loss\s+\[([^\]]*)\]/.exec(out)?.[1]?.split(",").map(Number);
    assert.ok(lr?.length === 4 && loss?.length === 4, out);
    // OneCycleLR over 4 epochs of 8 batches, read at each epoch's end: falling from near maxLr 0.05
    assert.ok(lr[0]! > 0.04 && lr[0]! <= 0.05, `lr ${lr}`);
    assert.ok(
      lr.every((x, i) => i === 0 || x < lr[i - 1]!),
      `lr ${lr}`,
    );
    assert.ok(loss.at(-1)! < loss[0]!, `loss ${loss}`);
  });

  for (const ext of ["mjs", "ts"]) {
    it(`checkpoint-resume.${ext}: stopped at step 25 and resumed in a new process, it ends as an uninterrupted run`, () => {
      const dir = mkdtempSync(join(tmpdir(), "descent-example-resume-"));
      const file = `checkpoint-resume.${ext}`;
      const uninterrupted = run(file, [join(dir, "straight.safetensors")]);
      const saved = run(file, [join(dir, "run.safetensors"), "25"]);
      assert.match(saved, /^saved at step 25 to /);
      assert.ok(existsSync(join(dir, "run.safetensors")));
      const resumed = run(file, [join(dir, "run.safetensors")]);
      assert.match(resumed, /^resumed from step 25\n/);
      const end = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!) as { lr: number; w: number[] };
      // the same numbers, bit for bit: params, and the scheduler's lr after 60 steps
      assert.deepEqual(end(resumed), end(uninterrupted));
      assert.equal(end(resumed).w.length, 6);
      // and the run did move: a resume that lost the optimizer or scheduler state would end elsewhere
      assert.notDeepEqual(end(resumed).w, [1.5, -0.5, 2, 0.25, -1, 3]);
    });
  }

  for (const ext of ["mjs", "ts"]) {
    it(`race.${ext} writes the figure; momentum and Adam reach Rosenbrock's minimum, SGD does not`, () => {
      const dir = mkdtempSync(join(tmpdir(), "descent-example-race-"));
      const out = run(`race.${ext}`, [dir]);
      const runs = Array.from(out.matchAll(/^(.+): (\S+), loss (\S+), steps to tolerance (\S+)$/gm), (m) => ({
        label: m[1],
        outcome: m[2],
        loss: Number(m[3]),
        stepsToTolerance: m[4] === "null" ? null : Number(m[4]),
      }));
      assert.deepEqual(
        runs.map((r) => [r.label, r.outcome]),
        [
          ["SGD lr 1e-3", "moving"],
          ["momentum 0.9, lr 1e-3", "converged"],
          ["Adam lr 0.05", "converged"],
        ],
      );
      assert.ok(runs[0]!.loss > 1 && runs[0]!.stepsToTolerance === null, out);
      for (const r of runs.slice(1)) assert.ok(r.loss < 1e-3 && r.stepsToTolerance! < 1000, out);
      const svg = readFileSync(join(dir, "race.svg"), "utf8");
      for (const r of runs) assert.ok(svg.includes(`${r.label}: ${r.outcome}`), `legend of ${r.label}`);
      const png = readFileSync(join(dir, "race.png"));
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.equal(png.readUInt32BE(16), 900); // the width asked for
    });
  }
});
