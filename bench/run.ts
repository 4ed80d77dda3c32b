// `npm run bench`: one run measures optimizer steps in elements per second for descent (wasm SIMD kernels,
// two threads, and the pure-TypeScript fallback) beside the bandwidth bound (a C stream moving the same
// bytes), a fused C loop (gcc -O3 -march=native -fno-math-errno), PyTorch CPU (Debian's python3-torch, one
// thread) and TF.js (cpu and wasm backends). Medians after warm-up. Prints a table of ratios and writes
// bench-results/bench-<time>.json. Options: --quick (fewer reps, no 5e7).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { releaseBuffer } from "../src/core/arena.js";
import type { Optimizer } from "../src/core/optimizer.js";
import { type Parameter, param } from "../src/core/param.js";
import { kernelsAvailable, setKernelMode } from "../src/kernels/runtime.js";
import { useThreads } from "../src/kernels/threads.js";
import { Adagrad } from "../src/optim/adagrad.js";
import { Adam } from "../src/optim/adam.js";
import { AdamW } from "../src/optim/adamw.js";
import { RMSprop } from "../src/optim/rmsprop.js";
import { SGD } from "../src/optim/sgd.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench-results");
const quick = process.argv.includes("--quick");

type Dtype = "float32" | "float64";
type OptName = "adam" | "adamw" | "sgd-momentum" | "rmsprop" | "adagrad";
interface Shape {
  id: string;
  count: number;
  size: number;
  warmup: number;
  reps: number;
}

const SHAPES: Shape[] = [
  { id: "1e6", count: 1, size: 1_000_000, warmup: 5, reps: quick ? 10 : 31 },
  { id: "5e7", count: 1, size: 50_000_000, warmup: 1, reps: quick ? 0 : 3 },
  { id: "200x5e4", count: 200, size: 50_000, warmup: 3, reps: quick ? 5 : 11 },
  { id: "1000x1e3", count: 1000, size: 1000, warmup: 5, reps: quick ? 5 : 21 },
].filter((s) => s.reps > 0);

const CASES: Array<{ opt: OptName; dtype: Dtype }> = [
  { opt: "adam", dtype: "float32" },
  { opt: "adamw", dtype: "float32" },
  { opt: "sgd-momentum", dtype: "float32" },
  { opt: "rmsprop", dtype: "float32" },
  { opt: "adagrad", dtype: "float32" },
  { opt: "adam", dtype: "float64" },
];

/** Arrays read and written per element: Adam reads p, g, m, v and writes p, m, v; the others p, g, s → p, s. */
const TRAFFIC: Record<OptName, { reads: number; writes: number }> = {
  adam: { reads: 4, writes: 3 },
  adamw: { reads: 4, writes: 3 },
  "sgd-momentum": { reads: 3, writes: 2 },
  rmsprop: { reads: 3, writes: 2 },
  adagrad: { reads: 3, writes: 2 },
};

function makeOptimizer(name: OptName, params: Parameter[]): Optimizer {
  switch (name) {
    case "adam":
      return new Adam(params, { lr: 1e-3 });
    case "adamw":
      return new AdamW(params, { lr: 1e-3, weightDecay: 1e-2 });
    case "sgd-momentum":
      return new SGD(params, { lr: 1e-2, momentum: 0.9 });
    case "rmsprop":
      return new RMSprop(params, { lr: 1e-2 });
    case "adagrad":
      return new Adagrad(params, { lr: 1e-2 });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function timeSteps(step: () => void, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

function makeParams(shape: Shape, dtype: Dtype): Parameter[] {
  const values = dtype === "float32" ? new Float32Array(shape.size) : new Float64Array(shape.size);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const out: Parameter[] = [];
  for (let k = 0; k < shape.count; k++) {
    const p = param(values, { dtype });
    p.gradBuffer().set(values);
    out.push(p);
  }
  return out;
}

function releaseState(opt: Optimizer): void {
  for (const s of opt.state.values()) {
    for (const v of Object.values(s)) if (ArrayBuffer.isView(v)) releaseBuffer(v as Float32Array);
  }
}

function releaseParams(ps: Parameter[]): void {
  for (const p of ps) {
    releaseBuffer(p.data);
    releaseBuffer(p.gradBuffer());
  }
}

// ---------------------------------------------------------------- native

function buildNative(): string | null {
  const exe = join(OUT, "native");
  const r = spawnSync(
    "gcc",
    ["-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-o", exe, join(ROOT, "bench/native.c"), "-lm"],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) {
    console.log(`note: gcc failed, no C columns: ${r.stderr || r.error}`);
    return null;
  }
  return exe;
}

function native(exe: string, kind: string, shape: Shape, scale = 1, threads = 1): number {
  const reps = Math.max(3, shape.reps);
  const out = execFileSync(exe, [kind, String(shape.count), String(shape.size * scale), String(reps)], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_PROC_BIND: "true" },
  });
  return Number(out.trim());
}

// ---------------------------------------------------------------- torch

function torchPython(): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import torch"], { encoding: "utf8" });
    if (r.status === 0) return py;
  }
  return null;
}

// ---------------------------------------------------------------- tfjs

async function tfjsTimes(backend: "cpu" | "wasm", shapes: Shape[]): Promise<Map<string, number> | string> {
  try {
    const tf = await import("@tensorflow/tfjs");
    if (backend === "wasm") {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(`${join(ROOT, "node_modules/@tensorflow/tfjs-backend-wasm/dist")}/`);
    }
    if (!(await tf.setBackend(backend))) return `backend ${backend} unavailable`;
    await tf.ready();
    const out = new Map<string, number>();
    const makers: Partial<Record<OptName, () => import("@tensorflow/tfjs").Optimizer>> = {
      adam: () => tf.train.adam(1e-3),
      "sgd-momentum": () => tf.train.momentum(1e-2, 0.9),
      rmsprop: () => tf.train.rmsprop(1e-2),
      adagrad: () => tf.train.adagrad(1e-2),
    };
    for (const shape of shapes) {
      for (const [name, make] of Object.entries(makers)) {
        const vars = Array.from({ length: shape.count }, (_, k) =>
          tf.variable(tf.randomUniform([shape.size]), true, `v${k}_${name}_${shape.id}`),
        );
        const grads: Record<string, import("@tensorflow/tfjs").Tensor> = {};
        for (const v of vars) grads[v.name] = tf.randomUniform([shape.size]);
        const opt = make!();
        const seconds = timeSteps(
          () => opt.applyGradients(grads),
          shape.size >= 1e7 ? 1 : 2,
          shape.size >= 1e7 ? 3 : Math.min(shape.reps, 7),
        );
        out.set(`${name}/${shape.id}`, seconds);
        opt.dispose();
        for (const v of vars) v.dispose();
        for (const g of Object.values(grads)) g.dispose();
      }
    }
    return out;
  } catch (e) {
    return `failed: ${(e as Error).message}`;
  }
}

// ---------------------------------------------------------------- heap growth

function heapGrowth(shape: Shape): { shape: string; bytes: number; steps: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const ps = makeParams(shape, "float32");
  const opt = makeOptimizer("adam", ps);
  for (let i = 0; i < 300; i++) opt.step(); // past JIT tier-up, whose code and feedback are heap too
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) opt.step();
  const bytes = process.memoryUsage().heapUsed - before;
  releaseState(opt);
  releaseParams(ps);
  return { shape: shape.id, bytes, steps: 1000 };
}

// ---------------------------------------------------------------- main

interface Row {
  optimizer: OptName;
  dtype: Dtype;
  shape: string;
  elements: number;
  bytesPerElement: number;
  /** elements per second */
  bound?: number;
  /** the same stream on two threads (where descent's 2-thread step was measured) */
  bound2?: number;
  c?: number;
  wasm?: number;
  wasm2?: number;
  ts?: number;
  torch?: number;
  tfjsWasm?: number;
  tfjsCpu?: number;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  const load = os.loadavg();
  console.log(
    `descent bench: ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, node ${process.version}, load ${load.map((x) => x.toFixed(2)).join(" ")}${quick ? " (quick)" : ""}`,
  );
  if (!kernelsAvailable())
    console.log("note: wasm SIMD kernels unavailable here; the wasm column is the TS path");
  const exe = buildNative();
  const py = torchPython();
  if (py === null)
    console.log("note: PyTorch not installed (apt-get install python3-torch): no torch column");

  const rows: Row[] = [];
  for (const { opt, dtype } of CASES) {
    for (const shape of SHAPES) {
      const t = TRAFFIC[opt];
      const width = dtype === "float32" ? 4 : 8;
      rows.push({
        optimizer: opt,
        dtype,
        shape: shape.id,
        elements: shape.count * shape.size,
        bytesPerElement: (t.reads + t.writes) * width,
      });
    }
  }
  const rowOf = (opt: OptName, dtype: Dtype, shape: string) =>
    rows.find((r) => r.optimizer === opt && r.dtype === dtype && r.shape === shape)!;

  // descent
  for (const dtype of ["float32", "float64"] as const) {
    for (const shape of SHAPES) {
      const ps = makeParams(shape, dtype);
      for (const { opt: name } of CASES.filter((c) => c.dtype === dtype)) {
        const row = rowOf(name, dtype, shape.id);
        const el = row.elements;
        let opt = makeOptimizer(name, ps);
        row.wasm = el / timeSteps(() => opt.step(), shape.warmup, shape.reps);
        if (shape.count === 1 && (name === "adam" || name === "sgd-momentum") && dtype === "float32") {
          const pool = await useThreads(opt, 2);
          // more warm-up: each worker is its own isolate, running baseline wasm code until it tiers up
          row.wasm2 = el / timeSteps(() => opt.step(), shape.size >= 1e7 ? 3 : 40, shape.reps);
          await pool.close();
        }
        releaseState(opt);
        opt = makeOptimizer(name, ps);
        setKernelMode("typescript");
        row.ts = el / timeSteps(() => opt.step(), Math.min(2, shape.warmup), Math.min(shape.reps, 11));
        setKernelMode("auto");
        releaseState(opt);
        process.stdout.write(".");
      }
      releaseParams(ps);
    }
  }
  console.log(" descent done");

  // C: bound (stream of the same bytes) and fused loop (float32 only; the float64 bound streams 2× the floats)
  if (exe) {
    for (const row of rows) {
      const shape = SHAPES.find((s) => s.id === row.shape)!;
      const t = TRAFFIC[row.optimizer];
      const scale = row.dtype === "float64" ? 2 : 1;
      row.bound = row.elements / native(exe, `stream-${t.reads}-${t.writes}`, shape, scale);
      if (row.wasm2 !== undefined) {
        row.bound2 = row.elements / native(exe, `stream-${t.reads}-${t.writes}`, shape, scale, 2);
      }
      if (row.dtype === "float32") {
        const kind = row.optimizer === "sgd-momentum" ? "sgd" : row.optimizer;
        row.c = row.elements / native(exe, kind, shape);
      }
    }
    console.log("C done");
  }

  // torch
  let torchVersion: string | null = null;
  if (py) {
    const cases = rows.map((r, i) => {
      const s = SHAPES.find((x) => x.id === r.shape)!;
      return {
        id: i,
        optimizer: r.optimizer,
        dtype: r.dtype,
        count: s.count,
        size: s.size,
        warmup: Math.min(s.warmup, 3),
        reps: Math.min(s.reps, 11),
      };
    });
    const out = execFileSync(py, [join(ROOT, "bench/torch_bench.py"), JSON.stringify(cases)], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    const parsed = JSON.parse(out) as { version: string; results: Array<{ id: number; seconds: number }> };
    torchVersion = parsed.version;
    for (const r of parsed.results) rows[r.id]!.torch = rows[r.id]!.elements / r.seconds;
    console.log(`torch ${torchVersion} done`);
  }

  // tfjs: the cpu backend only at 1e6 and the small shapes (5e7 would take minutes per step)
  const tfNotes: string[] = [];
  for (const backend of ["wasm", "cpu"] as const) {
    const shapes = SHAPES.filter((s) => backend === "wasm" || s.size * s.count <= 1e6);
    const res = await tfjsTimes(backend, shapes);
    if (typeof res === "string") {
      tfNotes.push(`tfjs ${backend}: ${res}`);
      continue;
    }
    for (const [key, seconds] of res) {
      const [name, shape] = key.split("/") as [OptName, string];
      const row = rowOf(name, "float32", shape);
      if (backend === "wasm") row.tfjsWasm = row.elements / seconds;
      else row.tfjsCpu = row.elements / seconds;
    }
    console.log(`tfjs ${backend} done`);
  }

  const heap = ["1e6", "1000x1e3"].map((id) => heapGrowth(SHAPES.find((s) => s.id === id)!));

  let overhead: string | null = null;
  if (existsSync(join(ROOT, "bench/tfjs-overhead.ts"))) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/tfjs-overhead.ts")], {
      encoding: "utf8",
      cwd: ROOT,
    });
    overhead = (r.stdout || "") + (r.status === 0 ? "" : `\n(tfjs-overhead exited ${r.status}: ${r.stderr})`);
  }

  // Adam on subnormal numbers, descent and torch on the same inputs (issue 17)
  const subnormals = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/subnormals.ts")], {
    encoding: "utf8",
    cwd: ROOT,
  });
  const subnormalTable =
    (subnormals.stdout || "") +
    (subnormals.status === 0 ? "" : `\n(subnormals exited ${subnormals.status}: ${subnormals.stderr})`);

  // the wasm path in headless Chromium on a plain page vs a cross-origin isolated one (issue 17)
  let browser: string | null = null;
  if (existsSync("/usr/bin/chromium") || process.env.CHROMIUM) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/browser-arena.ts")], {
      encoding: "utf8",
      cwd: ROOT,
    });
    browser = (r.stdout || "") + (r.status === 0 ? "" : `\n(browser-arena exited ${r.status}: ${r.stderr})`);
  }

  // table
  const M = (x?: number) => (x === undefined ? "—" : (x / 1e6).toFixed(0));
  const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? "—" : (a / b).toFixed(2));
  const header = [
    "optimizer",
    "dtype",
    "shape",
    "bound",
    "C",
    "wasm",
    "wasm/bound",
    "wasm/C",
    "2thr",
    "bound2",
    "2thr/b2",
    "TS",
    "torch",
    "wasm/torch",
    "TS/torch",
    "tfjs-wasm",
    "tfjs-cpu",
    "wasm/tfw",
    "wasm/tfc",
  ];
  const lines = rows.map((r) => [
    r.optimizer,
    r.dtype === "float32" ? "f32" : "f64",
    r.shape,
    M(r.bound),
    M(r.c),
    M(r.wasm),
    ratio(r.wasm, r.bound),
    ratio(r.wasm, r.c),
    M(r.wasm2),
    M(r.bound2),
    ratio(r.wasm2, r.bound2),
    M(r.ts),
    M(r.torch),
    ratio(r.wasm, r.torch),
    ratio(r.ts, r.torch),
    M(r.tfjsWasm),
    M(r.tfjsCpu),
    ratio(r.wasm, r.tfjsWasm),
    ratio(r.wasm, r.tfjsCpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(
    `\nMelem/s (million elements per step-second), medians; ratios are descent wasm over the column`,
  );
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
  for (const r of rows.filter((x) => x.shape === "1000x1e3" && x.torch && x.wasm)) {
    console.log(
      `1000×1K ${r.optimizer} ${r.dtype}: ${((r.elements / r.wasm!) * 1e3).toFixed(2)} ms/step vs torch ${((r.elements / r.torch!) * 1e3).toFixed(2)} ms`,
    );
  }
  for (const h of heap) {
    console.log(
      `heap growth over ${h.steps} Adam steps after warm-up, ${h.shape}: ${h.bytes} bytes (${(h.bytes / h.steps).toFixed(0)} B/step)`,
    );
  }
  for (const n of tfNotes) console.log(`note: ${n}`);
  if (overhead !== null) console.log(`\nbench/tfjs-overhead.ts:\n${overhead}`);
  console.log(`\nbench/subnormals.ts:\n${subnormalTable}`);
  if (browser !== null) console.log(`\nbench/browser-arena.ts:\n${browser}`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${seconds.toFixed(0)} s; load average at the end ${os.loadavg()[0]!.toFixed(2)}`);
  const file = join(OUT, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: {
          cpu: os.cpus()[0]?.model,
          cores: os.cpus().length,
          node: process.version,
          loadStart: load,
        },
        torch: torchVersion,
        quick,
        unit: "elements per second",
        rows,
        heapGrowth: heap,
        notes: tfNotes,
        tfjsOverhead: overhead,
        subnormals: subnormalTable,
        browserArena: browser,
        seconds,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(OUT, "latest.json"), JSON.stringify({ file }));
  console.log(`wrote ${file}`);
}

await main();
