// The web lab's races on WebGPU (web/src/gpu-race.ts) against the same races on the CPU (RaceRunner), in
// float32 (what the GPU computes in) and in float64 (what the lab runs on the CPU).
/// <reference types="@webgpu/types" />

import { testFunctions } from "../../../src/lab/functions.js";
import { RaceRunner } from "../../../src/lab/race.js";
import { GpuRaceRunner, labDevice, runsOnGpu } from "../../../web/src/gpu-race.js";
import { defaultLr, defaultValues, OPTIMIZERS } from "../../../web/src/optimizer-catalog.js";

export interface RacePaths {
  id: string;
  onGpu: boolean;
  gpu?: { xs: number[]; ys: number[]; status: string };
  float32: { xs: number[]; ys: number[]; status: string };
  float64: { xs: number[]; ys: number[]; status: string };
}

const path = (r: { xs: number[]; ys: number[]; status: string }) => ({
  xs: r.xs,
  ys: r.ys,
  status: r.status,
});

/** Every lab optimizer on `surface` from its default start for `steps` steps: on the GPU and on the CPU. */
export async function racePaths(c: { surface: string; steps: number }): Promise<RacePaths[]> {
  const device = await labDevice();
  if ("reason" in device) throw new Error(`no GPU device: ${JSON.stringify(device)}`);
  const fn = testFunctions.find((f) => f.name === c.surface);
  if (fn === undefined) throw new Error(`no surface ${c.surface}`);
  const out: RacePaths[] = [];
  for (const spec of OPTIMIZERS) {
    const lr = defaultLr(spec, fn);
    const values = defaultValues(spec);
    const cpu = (dtype: "float32" | "float64") => {
      const r = new RaceRunner(fn, (ps) => spec.make(ps, lr, values), fn.defaultStart, c.steps, dtype);
      r.advance(c.steps);
      return path(r);
    };
    const entry: RacePaths = {
      id: spec.id,
      onGpu: runsOnGpu(spec),
      float32: cpu("float32"),
      float64: cpu("float64"),
    };
    if (entry.onGpu) {
      const gpu = new GpuRaceRunner(device, fn, spec, lr, values, fn.defaultStart, c.steps);
      while (gpu.status === "running") await gpu.advance(25);
      gpu.destroy();
      entry.gpu = path(gpu);
    }
    out.push(entry);
  }
  return out;
}

/** A factory that throws (a bad option) leaves nothing on the GPU and gives the CPU class's message. */
export async function badOption(): Promise<string> {
  const device = await labDevice();
  if ("reason" in device) throw new Error("no GPU device");
  const fn = testFunctions[0]!;
  const spec = OPTIMIZERS.find((o) => o.id === "adam")!;
  try {
    new GpuRaceRunner(device, fn, spec, -1, defaultValues(spec), fn.defaultStart, 10);
    return "no error";
  } catch (e) {
    return (e as Error).message;
  }
}
