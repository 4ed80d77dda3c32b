// `node --import tsx bench/browser-arena.ts`: a 1e6-element float32 Adam step in headless Chromium, on a
// plain static page (no COOP/COEP, so not cross-origin isolated: most pages) and on the same page served
// cross-origin isolated. descent's kernels need only WebAssembly memory, not shared memory, so both pages
// should run the wasm path at the same speed (issue 17: plain ≥ 0.9× isolated). The TS column is the
// portable path on the same page. Rounds alternate between the pages; medians of per-step times.
// Prints one table and a JSON line (`browser-arena: {...}`). Needs /usr/bin/chromium and playwright-core.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ROUNDS = 3;

const PAGE = `<!doctype html><meta charset="utf-8"><title>descent arena bench</title>
<script type="module">
import * as d from "./descent.js";
const N = 1_000_000;
const values = new Float32Array(N);
for (let i = 0; i < N; i++) values[i] = ((i * 7919) % 1000) / 1000 - 0.5;
const p = d.param(values);
p.grad = values;
const opt = new d.Adam([p], { lr: 1e-3 });
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
function time(reps) {
  for (let i = 0; i < 5; i++) opt.step();
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    opt.step();
    t.push(performance.now() - t0);
  }
  return median(t);
}
window.measure = () => {
  d.setKernelMode("auto");
  const wasmMs = time(31);
  d.setKernelMode("typescript");
  const tsMs = time(11);
  d.setKernelMode("auto");
  return { isolated: self.crossOriginIsolated, kernels: d.kernelsAvailable(), wasmMs, tsMs };
};
window.ready = true;
</script>`;

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, "src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

function serve(js: string, isolated: boolean): Promise<Server> {
  const headers: Record<string, string> = isolated
    ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" }
    : {};
  const server = createServer((req, res) => {
    if (req.url === "/descent.js")
      res.writeHead(200, { "content-type": "text/javascript", ...headers }).end(js);
    else res.writeHead(200, { "content-type": "text/html", ...headers }).end(PAGE);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Figures {
  isolated: boolean;
  kernels: boolean;
  wasmMs: number;
  tsMs: number;
}

export async function browserArenaBench(): Promise<{
  plain: Figures;
  isolated: Figures;
  ratio: number;
  load: number;
}> {
  const js = await bundle();
  const servers = await Promise.all([serve(js, false), serve(js, true)]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const load = os.loadavg()[0]!;
  try {
    const pages = await Promise.all(
      servers.map(async (server) => {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
        return page;
      }),
    );
    const runs: Figures[][] = [[], []];
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < 2; k++) {
        runs[k]!.push(
          await pages[k]!.evaluate(() => (window as unknown as { measure(): Figures }).measure()),
        );
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const summary = (rs: Figures[]): Figures => ({
      isolated: rs[0]!.isolated,
      kernels: rs[0]!.kernels,
      wasmMs: med(rs.map((x) => x.wasmMs)),
      tsMs: med(rs.map((x) => x.tsMs)),
    });
    const plain = summary(runs[0]!);
    const isolated = summary(runs[1]!);
    // the ratio of speeds: plain page over isolated page (1 = the same)
    return { plain, isolated, ratio: isolated.wasmMs / plain.wasmMs, load };
  } finally {
    await browser.close();
    for (const s of servers) s.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await browserArenaBench();
  const row = (name: string, f: Figures) =>
    `${name.padEnd(22)} isolated=${String(f.isolated).padEnd(5)} kernels=${String(f.kernels).padEnd(5)} wasm ${f.wasmMs.toFixed(2)} ms/step  TS ${f.tsMs.toFixed(2)} ms/step`;
  console.log("headless Chromium, Adam float32 1e6, medians");
  console.log(row("plain static page", r.plain));
  console.log(row("COOP/COEP page", r.isolated));
  console.log(
    `plain page speed / isolated page speed: ${r.ratio.toFixed(2)}× (load average ${r.load.toFixed(2)})`,
  );
  console.log(`browser-arena: ${JSON.stringify(r)}`);
}
