// Finds broken local links in the generated API reference (every href/src of every page must name a file
// of the site, and its #fragment an id on that page) and in the repository's Markdown (a relative link
// must name a file of the tree). External links (http:, https:, mailto:) are not fetched.
//   node --import tsx scripts/check-doc-links.ts docs/api     (npm run docs runs this after typedoc)

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ext))
    .map((f) => join(dir, f));
}

function decode(s: string): string {
  return decodeURIComponent(s.replaceAll("&amp;", "&"));
}

const idCache = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let ids = idCache.get(file);
  if (ids === undefined) {
    ids = new Set(Array.from(readFileSync(file, "utf8").matchAll(/\sid="([^"]*)"/g), (m) => decode(m[1]!)));
    idCache.set(file, ids);
  }
  return ids;
}

/** Every local link of the HTML site in `dir` that names no file or no id: "page.html: href". */
export function brokenHtmlLinks(dir: string): string[] {
  if (!existsSync(join(dir, "index.html")))
    throw new Error(`no site in ${dir}: build it first (npm run docs)`);
  const broken: string[] = [];
  for (const page of filesUnder(dir, ".html")) {
    const html = readFileSync(page, "utf8");
    for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const link = m[1]!;
      if (link === "" || EXTERNAL.test(link)) continue;
      const [path = "", fragment] = link.split("#");
      const target = path === "" ? page : resolve(dirname(page), decode(path.split("?")[0]!));
      const ok =
        existsSync(target) &&
        (fragment === undefined ||
          fragment === "" ||
          !target.endsWith(".html") ||
          idsOf(target).has(decode(fragment)));
      if (!ok) broken.push(`${relative(dir, page)}: ${link}`);
    }
  }
  return broken;
}

/** Every relative link or image of the Markdown files that names no file: "file.md:line: target". */
export function brokenMarkdownLinks(files: readonly string[]): string[] {
  const broken: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    let fenced = false;
    lines.forEach((line, i) => {
      if (line.trimStart().startsWith("```")) fenced = !fenced;
      if (fenced) return;
      for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const link = m[1]!;
        if (EXTERNAL.test(link) || link.startsWith("#")) continue;
        const target = resolve(dirname(file), decode(link.split("#")[0]!));
        if (!existsSync(target)) broken.push(`${file}:${i + 1}: ${link}`);
      }
    });
  }
  return broken;
}

/** The repository's own Markdown: the README, the top-level notes and docs/ (not node_modules or fixtures). */
export function repositoryMarkdown(root: string): string[] {
  const top = readdirSync(root).filter((f) => f.endsWith(".md") && statSync(join(root, f)).isFile());
  return [
    ...top.map((f) => join(root, f)),
    ...filesUnder(join(root, "docs"), ".md").filter((f) => !f.includes("/api/")),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const site = process.argv[2] ?? "docs/api";
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const broken = [...brokenHtmlLinks(site), ...brokenMarkdownLinks(repositoryMarkdown(root))];
  for (const b of broken) console.error(`broken link: ${b}`);
  if (broken.length > 0) process.exit(1);
  console.log(`links: every local link of ${site} and of the Markdown resolves`);
}
