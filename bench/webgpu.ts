// `npm run bench:webgpu`: descent's WGSL optimizers in headless Chromium's WebGPU (SwiftShader here: a
// software Vulkan on the CPU), per step, as Melem/s and as a ratio to a WGSL copy kernel moving the same
// bytes on the same device (and to a kernel with the optimizer's accesses and no arithmetic), and tf.train.adam vs descent's TF.js adapter on the webgpu backend, in one run.
// Then the multi-pass steps (clipGradNorm + step, clippedStep, the SkipNonFinite gate, LAMB) as ratios to the plain Adam
// step timed in the same rounds.
// Options: --elements 1e6,1e7 (default), --steps N a round (default 3), --rounds N (default 3, the median),
// --tables kernels,passes (default both). Prints markdown tables with the load.

import { execSync } from "node:child_process";
import { openWebGpuPage } from "../test/helpers/webgpu-browser.js";

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1]! : fallback;
}

const sizes = option("--elements", "1e6,1e7").split(",").map(Number);
const steps = Number(option("--steps", "3"));
const rounds = Number(option("--rounds", "3"));
const tables = option("--tables", "kernels,passes").split(",");
for (const t of tables)
  if (t !== "kernels" && t !== "passes") throw new Error(`--tables: unknown table '${t}'`);
for (const n of sizes) if (!Number.isInteger(n) || n < 1) throw new Error(`--elements: bad size ${n}`);
if (!Number.isInteger(steps) || steps < 1)
  throw new Error(`--steps must be a positive integer, got ${steps}`);

interface Row {
  what: string;
  elements: number;
  msPerStep: number;
  melemPerS: number;
  copyMs: number | null;
  ofCopyBound: number | null;
  streamMs: number | null;
  ofStreamBound: number | null;
}

const page = await openWebGpuPage("bench/webgpu/page.ts");
try {
  const adapter = await page.call<string>("adapterInfo");
  const load = () =>
    execSync("uptime")
      .toString()
      .trim()
      .replace(/.*load average: /, "");
  console.log(`adapter: ${adapter}; median of ${rounds} rounds of ${steps} steps; load before: ${load()}\n`);
  if (tables.includes("kernels")) await kernelTable();
  if (tables.includes("passes")) await passTable(load);
  console.log(`\nload after: ${load()} (the machine is shared: SwiftShader runs on its CPU cores)`);
  if (page.problems.length > 0) console.log(`page problems: ${page.problems.join("; ")}`);
} finally {
  await page.close();
}

async function kernelTable(): Promise<void> {
  console.log(
    "| what | elements | ms/step | Melem/s | copy ms (same bytes) | of copy bound | stream ms (same accesses) | of stream bound | vs tf.train.adam |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const elements of sizes) {
    const rows = [
      ...(await page.call<Row[]>("kernels", { elements, steps, rounds })),
      ...(await page.call<Row[]>("tfjs", { elements, steps, rounds })),
    ];
    const tfAdam = rows.find((r) => r.what === "tf.train.adam")!.msPerStep;
    for (const r of rows) {
      console.log(
        `| ${r.what} | ${elements.toExponential(0)} | ${r.msPerStep.toFixed(2)} | ${r.melemPerS.toFixed(1)} | ${r.copyMs === null ? "" : r.copyMs.toFixed(2)} | ${r.ofCopyBound === null ? "" : `${r.ofCopyBound.toFixed(2)}×`} | ${r.streamMs === null ? "" : r.streamMs.toFixed(2)} | ${r.ofStreamBound === null ? "" : `${r.ofStreamBound.toFixed(2)}×`} | ${r.what.includes("Adam") ? `${(tfAdam / r.msPerStep).toFixed(2)}×` : ""} |`,
      );
    }
  }
}

async function passTable(load: () => string): Promise<void> {
  console.log(`\nmulti-pass steps (4 params of a quarter each; clipping every step), load: ${load()}\n`);
  console.log("| what | elements | ms/step | vs | ratio (median of rounds) |");
  console.log("|---|---:|---:|---|---:|");
  for (const elements of sizes) {
    for (const r of await page.call<
      Array<{ what: string; msPerStep: number; ratio: number; versus: string }>
    >("passes", { elements, steps, rounds })) {
      console.log(
        `| ${r.what} | ${elements.toExponential(0)} | ${r.msPerStep.toFixed(2)} | ${r.versus} | ${r.ratio.toFixed(2)}× |`,
      );
    }
  }
}
