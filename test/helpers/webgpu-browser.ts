// A real browser with WebGPU for tests: Debian's headless Chromium (playwright-core) on SwiftShader, the
// software Vulkan device, so WGSL kernels run on any CI machine. A test names a page module (TypeScript
// under test/webgpu/pages/); it is bundled with esbuild into an IIFE that puts its exports on
// `globalThis.suite`, served from 127.0.0.1, and each export is called with `call(name, arg)`. Arguments and
// results cross as JSON (typed arrays as plain arrays), so keep buffers small: SwiftShader is a CPU.

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or false (the `skip` option of a describe). */
export const noBrowser: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed`;

/** Chromium's flags for WebGPU on SwiftShader (the headless default has no adapter). */
export const WEBGPU_FLAGS = [
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-vulkan=swiftshader",
  "--use-webgpu-adapter=swiftshader",
];

export interface WebGpuPage {
  page: Page;
  /** Calls `suite[name](arg)` in the page and returns its (JSON-able) result. */
  call<T = unknown>(name: string, arg?: unknown): Promise<T>;
  /** Console errors and page errors seen so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Bundles a page module (for the browser, ES2022) into one IIFE script. */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: "suite",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]!.text;
}

/**
 * Opens `entry` (a page module path) in headless Chromium with WebGPU. The page's `navigator.gpu` must give
 * an adapter, or this throws (the caller's test then fails, it is not skipped: CI must have WebGPU).
 */
export async function openWebGpuPage(entry: string, html = ""): Promise<WebGpuPage> {
  const script = await bundlePage(entry);
  const index = `<!doctype html><html><head><meta charset="utf-8"><title>descent webgpu</title></head><body>${html}<script src="/main.js"></script></body></html>`;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split(/[?#]/)[0];
    if (path === "/" || path === "/index.html")
      res.writeHead(200, { "content-type": "text/html" }).end(index);
    else if (path === "/main.js") res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    else if (path === "/favicon.ico") res.writeHead(204).end();
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profile = await mkdtemp(join(tmpdir(), "descent-webgpu-profile-"));
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        ...WEBGPU_FLAGS,
      ],
      viewport: { width: 1000, height: 700 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${base}/`);
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      if (gpu === undefined) return "navigator.gpu is undefined";
      const a = await gpu.requestAdapter();
      return a === null ? "requestAdapter() gave null" : "ok";
    });
    if (adapter !== "ok") throw new Error(`no WebGPU in headless Chromium: ${adapter}`);
    await page.waitForFunction(() => (globalThis as { suite?: unknown }).suite !== undefined);
    return {
      page,
      problems,
      close,
      call: <T>(name: string, arg?: unknown) =>
        page.evaluate(
          async ([n, a]) => {
            const suite = (globalThis as unknown as { suite: Record<string, (x: unknown) => unknown> }).suite;
            const f = suite[n as string];
            if (typeof f !== "function") throw new Error(`the page exports no function '${n}'`);
            return await f(a);
          },
          [name, arg] as const,
        ) as Promise<T>,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
