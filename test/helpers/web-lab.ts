// The web lab as a browser test sees it: built with Vite's JS API into a temp folder, served by a tiny
// static server on 127.0.0.1, and opened in Debian's headless Chromium through playwright-core.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { build } from "vite";

export const CHROMIUM = "/usr/bin/chromium";

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

/** Builds the lab, serves it and opens a persistent headless Chromium context (1280 × 900). */
export async function serveLab(): Promise<ServedLab> {
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
      "--disable-gpu",
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
