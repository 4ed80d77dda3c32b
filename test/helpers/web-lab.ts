// The web lab as a browser test sees it: built with Vite's JS API into a temp folder, served by a tiny
// static server on 127.0.0.1, and opened in Debian's headless Chromium through playwright-core.
// `useLab()` gives a describe block all of it: the lab served before its tests and closed after them, and
// pages that record their console and page errors.

import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { CHROMIUM, noBrowser, WEBGPU_FLAGS } from "./webgpu-browser.js";

export { CHROMIUM, noBrowser };

/** Where browser tests write their screenshots. */
export const ARTIFACTS = "test-artifacts";

const TYPES: Record<string, string> = {
  ".ttf": "font/ttf",
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface ServedLab {
  /** The lab's origin, e.g. http://127.0.0.1:41234 */
  readonly base: string;
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Builds the lab, serves it and opens a persistent headless Chromium context (1280 × 900): with no GPU, or
 * with `webgpu`, WebGPU on SwiftShader.
 */
export async function serveLab(options: { webgpu?: boolean } = {}): Promise<ServedLab> {
  const outDir = await mkdtemp(join(tmpdir(), "descent-lab-build-"));
  const profile = await mkdtemp(join(tmpdir(), "descent-lab-profile-"));
  await build({ configFile: "web/vite.config.ts", logLevel: "error", build: { outDir, emptyOutDir: true } });
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? "/").split(/[?#]/)[0]!));
    const file = join(outDir, path === "/" ? "index.html" : path);
    if (!file.startsWith(outDir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      ...(options.webgpu ? WEBGPU_FLAGS : ["--disable-gpu"]),
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    base,
    context,
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(outDir, { recursive: true, force: true });
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** What `useLab()` gives the tests of a describe block. */
export interface LabSession {
  /** The lab's origin (set once the describe's `before` has run). */
  readonly base: string;
  /** Console errors and page errors of every page `open` made. */
  readonly problems: string[];
  /**
   * A new page at the lab's `hash` (by default the session's), once `ready` is on the page; `init` runs
   * in the page before its own scripts (to take a browser feature away, say).
   */
  open(hash?: string, init?: string): Promise<Page>;
  /** The page's own URL (page.url() may lag behind history.replaceState). */
  href(page: Page): Promise<string>;
}

/** What the lab's pages wait for before a test looks at them. */
export interface LabReady {
  /** The selector that shows the page is up. */
  readonly selector: string;
  /** "attached" for an element that may be hidden; default "visible". */
  readonly state?: "attached" | "visible";
  /** The hash `open()` uses when given none (default ""). */
  readonly hash?: string;
}

/**
 * Serves the lab for the tests of the describe block it is called in: its `before` builds and serves the
 * lab (and makes the screenshot folder), its `after` closes it. `webgpu`: in a browser with WebGPU.
 */
export function useLab(
  { selector, state = "visible", hash: home = "" }: LabReady,
  options: { webgpu?: boolean } = {},
): LabSession {
  let lab: ServedLab | undefined;
  const problems: string[] = [];
  before(async () => {
    lab = await serveLab(options);
    await mkdir(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await lab?.close();
  });
  const served = (): ServedLab => {
    if (lab === undefined) throw new Error("useLab: the lab is served in before(); use it inside a test");
    return lab;
  };
  return {
    get base() {
      return served().base;
    },
    problems,
    async open(hash = home, init) {
      const page = await served().context.newPage();
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
      });
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      if (init !== undefined) await page.addInitScript(init);
      await page.goto(`${served().base}/${hash}`);
      await page.waitForSelector(selector, { state });
      return page;
    },
    href: (page) => page.evaluate("location.href"),
  };
}

/** How many pixels of the canvas at `selector` have been painted (alpha above 0). */
export function paintedPixels(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

/**
 * The Hangul syllables in the text under `selector` (its textContent, hidden parts too) that the page's font
 * draws as the missing-glyph box: each is drawn against a private-use code point, which is always a missing
 * glyph. Waits for the fonts first.
 */
export async function missingHangul(page: Page, selector: string): Promise<string[]> {
  await page.evaluate("document.fonts.ready");
  return page.evaluate(`(() => {
    const chars = [...new Set(document.querySelector(${JSON.stringify(selector)}).textContent.match(/[\uac00-\ud7a3]/g) ?? [])];
    const font = "32px " + getComputedStyle(document.body).fontFamily;
    const draw = (ch) => {
      const c = document.createElement("canvas");
      c.width = 48; c.height = 48;
      const ctx = c.getContext("2d");
      ctx.font = font;
      ctx.fillText(ch, 4, 38);
      return c.toDataURL();
    };
    const tofu = draw("\ue000");
    return chars.filter((ch) => draw(ch) === tofu);
  })()`);
}
