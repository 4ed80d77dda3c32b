// The package as a stranger gets it: a fresh clone (the tracked and new files, no dist/) is packed with
// `npm pack` (its prepack builds), the tarball is installed into an empty project from the npm cache, and
// the README's quick start, TensorFlow.js example and checkpoint example run there as written.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { plainEnv } from "../helpers/child-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version: string }>;
};
const locked = (name: string) => `${name}@${lock.packages[`node_modules/${name}`]!.version}`;

/** The first ```ts block after a README heading, as the reader copies it. */
function readmeBlock(heading: string): string {
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README.md has no "${heading}"`);
  const start = readme.indexOf("```ts\n", at) + 6;
  return readme.slice(start, readme.indexOf("\n```", start));
}

// tsc in `npm pack` takes 25 s of CPU but ran past 4 min of wall time at load 25 on 2 cores: the limit only stops a hang
function start(command: string, args: string[], cwd: string, timeout = 900_000) {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: plainEnv(), timeout });
}

function run(command: string, args: string[], cwd: string, timeout = 900_000) {
  const result = start(command, args, cwd, timeout);
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(" ")} failed (${result.signal ?? `exit ${result.status}`}):\n${result.stderr}\n${result.stdout}`,
  );
  return result.stdout;
}

const work = mkdtempSync(join(tmpdir(), "descent-pack-"));
const clone = join(work, "clone");
const project = join(work, "project");
const examples = [
  ["the quick start", "## Quick start", "quick-start.ts"],
  ["the TensorFlow.js example", "## With TensorFlow.js", "tfjs.ts"],
  ["the checkpoint example", "## Reliability", "checkpoint.ts"],
] as const;
let tarball = "";
let packed: string[] = [];

describe("npm pack from a fresh clone, installed into an empty project", () => {
  before(() => {
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      env: plainEnv(),
    });
    for (const file of files.split("\0").filter((f) => f && existsSync(join(root, f)))) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(root, file), join(clone, file));
    }
    assert.ok(!existsSync(join(clone, "dist")), "a fresh clone has no dist/");
    // the same dependencies `npm ci` would install from the lock file
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir");
    const [info] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], clone)) as [
      { filename: string; files: { path: string }[] },
    ];
    tarball = join(work, info.filename);
    packed = info.files.map((f) => f.path).sort();

    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "fresh", private: true, type: "module" }),
    );
    const deps = ["@tensorflow/tfjs", "tsx", "typescript", "@types/node"].map(locked);
    run("npm", ["install", tarball, ...deps, "--prefer-offline", "--no-audit", "--no-fund"], project);
    for (const [, heading, file] of examples) writeFileSync(join(project, file), readmeBlock(heading));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("the tarball holds the built package (no sources, tests or maps), its fonts, README, LICENSE and CHANGELOG", () => {
    const extra = packed.filter(
      (f) =>
        !/^dist\/.*\.(js|d\.ts)$/.test(f) &&
        !/^fonts\/[\w.-]+$/.test(f) &&
        !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f),
    );
    assert.deepEqual(extra, []);
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const targets = [
      manifest.bin.descent,
      ...Object.values(manifest.exports).flatMap((e) => Object.values(e as object)),
    ];
    for (const target of targets)
      assert.ok(packed.includes(target.replace(/^\.\//, "")), `${target} is not packed`);
    assert.match(readFileSync(join(project, "node_modules/descent-optim/LICENSE"), "utf8"), /^MIT License/);
    assert.match(
      readFileSync(join(project, "node_modules/descent-optim/dist/cli/main.js"), "utf8"),
      /^#!\/usr\/bin\/env node\n/,
    );
  });

  for (const [what, , file] of examples) {
    test(`the README's ${what} runs there as written`, () => {
      run(process.execPath, ["--import", "tsx", file], project);
    });
  }

  test("the README's examples typecheck against the packed declarations (strict, NodeNext)", () => {
    const compilerOptions = {
      target: "ES2022",
      module: "NodeNext",
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
    };
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: examples.map((e) => e[2]) }),
    );
    run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "."], project);
  });

  test('a bundler keeps `import "descent-optim/tfjs"`, which registers the optimizer for loadLayersModel', () => {
    writeFileSync(
      join(project, "reload.js"),
      'import "descent-optim/tfjs";\nimport * as tf from "@tensorflow/tfjs";\n' +
        "console.log(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap).join());\n",
    );
    const esbuild = join(root, "node_modules/.bin/esbuild");
    const bundle = ["reload.js", "--bundle", "--platform=node", "--format=esm", "--external:@tensorflow/*"];
    run(esbuild, [...bundle, "--log-level=error", "--outfile=reload.bundle.js"], project);
    const registered = run(process.execPath, ["reload.bundle.js"], project);
    assert.match(registered, /\bDescentOptimizer\b/);
  });

  // the project installed descent-optim alone: none of the lab's and the CLI's optional peers
  test("without its optional peers, `descent` answers with one line naming the packages to add (exit 1)", () => {
    const cli = start(join(project, "node_modules/.bin/descent"), ["list"], project);
    assert.equal(
      cli.stderr,
      "descent: the CLI needs commander, @observablehq/plot and linkedom: npm i commander @observablehq/plot linkedom\n",
    );
    assert.equal(cli.status, 1);
  });

  test("without its optional peers, descent-optim/lab races, and its figures and PNGs name what to install", () => {
    writeFileSync(
      join(project, "lab.js"),
      `import { race, raceFigure, raceOptimizer, svgToPng, testFunction } from "descent-optim/lab";
const fn = testFunction("booth");
const result = race(fn, [raceOptimizer("adam", fn)], { steps: 20 });
console.log(result.runs.length, "run");
try { raceFigure(result); } catch (error) { console.log(\`\${error.name}: \${error.message}\`); }
try { await svgToPng("<svg/>"); } catch (error) { console.log(\`\${error.name}: \${error.message}\`); }
`,
    );
    assert.equal(
      run(process.execPath, ["lab.js"], project),
      "1 run\n" +
        "MissingPeerError: a descent-optim/lab figure needs @observablehq/plot and linkedom: npm i @observablehq/plot linkedom\n" +
        "MissingPeerError: svgToPng needs @resvg/resvg-js: npm i @resvg/resvg-js\n",
    );
  });
});
