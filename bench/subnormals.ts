// `npm run bench:subnormals` (also part of `npm run bench`): Adam's step time when the numbers in it are
// subnormal, for descent (wasm kernels and the TypeScript path) and PyTorch (Debian's python3-torch, one
// thread) on the same inputs. Three gradients per dtype, 1e6 elements: "normal" (|g| ≈ 0.5), "tiny"
// (|g| ≈ 1e-20 in float32, 1e-160 in float64: g² is subnormal) and "zero after tiny" (3 tiny steps, then 400
// with g = 0: the moments decay into the subnormals, where torch's exp_avg_sq stays for good). Prints each
// time (median and minimum of the steps: on a shared machine the minimum is the steadier figure) and the
// ratios to the same column's "normal" row, with the load average at start and end.

import { execFileSync, spawnSync } from "node:child_process";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { param } from "../src/core/param.js";
import { setKernelMode } from "../src/kernels/runtime.js";
import { Adam } from "../src/optim/adam.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const N = 1_000_000;
const REPS = { wasm: 31, ts: 7 };
const CASES = ["normal", "tiny", "zero-after-tiny"] as const;
type Case = (typeof CASES)[number];
type Dtype = "float32" | "float64";
const TINY: Record<Dtype, number> = { float32: 1e-20, float64: 1e-160 };
const ZERO_STEPS = 400;

interface Timing {
  median: number;
  min: number;
}

function time(step: () => void, warmup: number, reps: number): Timing {
  for (let i = 0; i < warmup; i++) step();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    ts.push((performance.now() - t0) / 1000);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[ts.length >> 1]!, min: ts[0]! };
}

/** The values torch_bench.py makes for the same case: θᵢ = ((7919·i) mod 1000)/1000 − 0.5, gᵢ = ±(θᵢ + 0.5001)·scale. */
function descentTime(dtype: Dtype, c: Case, mode: "auto" | "typescript"): Timing {
  const values = dtype === "float32" ? new Float32Array(N) : new Float64Array(N);
  for (let i = 0; i < N; i++) values[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const p = param(values, { dtype });
  const g = p.gradBuffer();
  const scale = c === "normal" ? 1 : TINY[dtype];
  for (let i = 0; i < N; i++) g[i] = (values[i]! + 0.5001) * scale * (i % 2 ? 1 : -1);
  const opt = new Adam([p], { lr: 1e-3 });
  if (c === "zero-after-tiny") {
    for (let i = 0; i < 3; i++) opt.step();
    p.gradBuffer().fill(0);
    for (let i = 0; i < ZERO_STEPS; i++) opt.step();
  }
  setKernelMode(mode);
  const t = time(() => opt.step(), 3, mode === "auto" ? REPS.wasm : REPS.ts);
  setKernelMode("auto");
  opt.dispose();
  p.dispose();
  return t;
}

function torchPython(): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}

export interface SubnormalRow {
  dtype: Dtype;
  grad: Case;
  wasm: Timing;
  ts: Timing;
  torch?: Timing;
}

export function subnormalBench(): { rows: SubnormalRow[]; torch: string | null; load: number[][] } {
  const load = [os.loadavg()];
  const rows: SubnormalRow[] = [];
  for (const dtype of ["float32", "float64"] as const) {
    for (const grad of CASES) {
      rows.push({
        dtype,
        grad,
        wasm: descentTime(dtype, grad, "auto"),
        ts: descentTime(dtype, grad, "typescript"),
      });
    }
  }
  let torch: string | null = null;
  const py = torchPython();
  if (py !== null) {
    const cases = rows.map((r, id) => ({
      id,
      optimizer: "adam",
      dtype: r.dtype,
      count: 1,
      size: N,
      warmup: 3,
      reps: 15,
      grad: r.grad,
      tiny: TINY[r.dtype],
      zeroSteps: ZERO_STEPS,
    }));
    const out = execFileSync(py, [join(ROOT, "bench/torch_bench.py"), JSON.stringify(cases)], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    const parsed = JSON.parse(out) as {
      version: string;
      results: Array<{ id: number; seconds: number; min: number }>;
    };
    torch = parsed.version;
    for (const r of parsed.results) rows[r.id]!.torch = { median: r.seconds, min: r.min };
  }
  load.push(os.loadavg());
  return { rows, torch, load };
}

export function formatSubnormals({ rows, torch, load }: ReturnType<typeof subnormalBench>): string {
  const ms = (t?: Timing) =>
    t === undefined ? "—" : `${(t.median * 1e3).toFixed(2)} / ${(t.min * 1e3).toFixed(2)}`;
  const ratio = (a?: Timing, b?: Timing) =>
    a === undefined || b === undefined ? "—" : (a.min / b.min).toFixed(2);
  const header = [
    "dtype",
    "grad",
    "wasm ms",
    "×normal",
    "TS ms",
    "×normal",
    "torch ms",
    "×normal",
    "wasm/torch",
  ];
  const lines = rows.map((r) => {
    const normal = rows.find((x) => x.dtype === r.dtype && x.grad === "normal")!;
    return [
      r.dtype,
      r.grad,
      ms(r.wasm),
      ratio(r.wasm, normal.wasm),
      ms(r.ts),
      ratio(r.ts, normal.ts),
      ms(r.torch),
      ratio(r.torch, normal.torch),
      ratio(r.wasm, r.torch),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const avg = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  return [
    `Adam, 1e6 elements, subnormal inputs: ms per step as median / minimum; ratios of minima (torch ${torch ?? "not installed"})`,
    `load average at start ${avg(load[0]!)}, at end ${avg(load[1]!)}`,
    fmt(header),
    ...lines.map(fmt),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(formatSubnormals(subnormalBench()));
}
