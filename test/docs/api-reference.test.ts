// The API reference (`npm run docs`): TypeDoc over every entry of package.json "exports" builds without a
// warning (typedoc.json treats warnings as errors: an exported symbol without a doc comment, a type used by
// the API but not exported, a {@link} to nothing), every property of an *Options interface (each option) has a
// doc comment, and no local link of the site or of the Markdown is broken.
// TypeDoc runs once here (about 20 s of CPU); a second, tiny run shows that the same options catch each fault.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { brokenHtmlLinks, brokenMarkdownLinks, repositoryMarkdown } from "../../scripts/check-doc-links.js";
import { plainEnv } from "../helpers/child-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const typedocBin = join(root, "node_modules", "typedoc", "bin", "typedoc");
const config = JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")) as Record<string, unknown> & {
  entryPoints: string[];
};
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, { import: string }>;
};

function typedoc(args: string[]) {
  return spawnSync(process.execPath, [typedocBin, ...args], {
    cwd: root,
    encoding: "utf8",
    env: plainEnv(),
    // about 25 s of CPU, but over 5 min of wall time at load 25 on 2 cores: the limit only stops a hang
    timeout: 900_000,
  });
}

describe("the API reference", () => {
  it('documents every entry of package.json "exports", from its source', () => {
    const fromExports = Object.values(pkg.exports).map((e) =>
      e.import.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"),
    );
    assert.deepEqual([...config.entryPoints].sort(), fromExports.sort());
  });

  const site = mkdtempSync(join(tmpdir(), "descent-api-"));
  it("builds with no warning: every export documented, every type it uses exported, every {@link} valid", () => {
    const run = typedoc(["--out", site, "--json", join(site, "api.json")]);
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, `typedoc failed (${run.signal ?? `exit ${run.status}`}):\n${output}`);
    assert.doesNotMatch(output, /\[(warning|error)\]/, output);
    // a page per export, with its doc comment: Adam's, for one
    assert.match(
      readFileSync(join(site, "classes", "index.Adam.html"), "utf8"),
      /normalised by the running RMS/,
    );
  });

  it("documents every option: each property of an exported *Options interface has a doc comment", () => {
    interface Reflection {
      name: string;
      kind: number;
      comment?: { summary?: unknown[] };
      children?: Reflection[];
    }
    const INTERFACE = 256;
    const PROPERTY = 1024;
    const undocumented: string[] = [];
    const walk = (node: Reflection, where: string): void => {
      for (const child of node.children ?? []) {
        if (child.kind === INTERFACE && child.name.endsWith("Options")) {
          for (const p of child.children ?? []) {
            if (p.kind === PROPERTY && !p.comment?.summary?.length)
              undocumented.push(`${where}${child.name}.${p.name}`);
          }
        }
        walk(child, `${child.name}.`);
      }
    };
    walk(JSON.parse(readFileSync(join(site, "api.json"), "utf8")) as Reflection, "");
    assert.deepEqual(undocumented, []);
  });

  it("has no broken local link in its pages", () => {
    assert.deepEqual(brokenHtmlLinks(site), []);
  });

  it("has no broken relative link in the repository's Markdown", () => {
    assert.deepEqual(brokenMarkdownLinks(repositoryMarkdown(root)), []);
  });

  it("fails on an undocumented export, an unexported type in the API and a {@link} to nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-api-faults-"));
    writeFileSync(
      join(dir, "entry.ts"),
      [
        'import type { Hidden } from "./hidden.js";',
        "/** Links to {@link Nowhere}. */",
        "export function linked(h: Hidden): number { return h.a; }",
        "export const undocumented = 1;",
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "faults", type: "module" }));
    writeFileSync(join(dir, "hidden.ts"), "export interface Hidden {\n  a: number;\n}\n");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, module: "NodeNext" },
        files: ["entry.ts", "hidden.ts"],
      }),
    );
    // the repository's options (validation, what must be documented, warnings as errors) over this entry
    writeFileSync(
      join(dir, "typedoc.json"),
      JSON.stringify({ ...config, entryPoints: ["entry.ts"], tsconfig: "tsconfig.json" }),
    );
    const run = typedoc(["--options", join(dir, "typedoc.json"), "--emit", "none"]);
    const output = `${run.stdout}${run.stderr}`;
    assert.notEqual(run.status, 0, output);
    assert.match(output, /undocumented .*does not have any documentation/);
    assert.match(output, /Hidden.*not included in the documentation/);
    assert.match(output, /Nowhere/);
  });

  it("the link check finds a link to a missing page, a missing anchor and a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-links-"));
    writeFileSync(join(dir, "index.html"), '<a href="a.html">a</a>');
    writeFileSync(
      join(dir, "a.html"),
      '<a href="b.html#there">ok</a> <a href="b.html#gone">x</a> <a href="c.html">y</a>',
    );
    writeFileSync(
      join(dir, "b.html"),
      '<h2 id="there">there</h2> <a href="https://example.org/">external</a>',
    );
    assert.deepEqual(brokenHtmlLinks(dir), ["a.html: b.html#gone", "a.html: c.html"]);
    writeFileSync(
      join(dir, "notes.md"),
      "[ok](b.html) and [gone](docs/none.md)\n```\n[not a link](x.md)\n```\n",
    );
    assert.deepEqual(brokenMarkdownLinks([join(dir, "notes.md")]), [
      `${join(dir, "notes.md")}:1: docs/none.md`,
    ]);
  });
});
