/// <reference types="@webgpu/types" />
// The surfaces panel's races on WebGPU: each optimizer's point is a 2-element float32 GPUBuffer stepped by
// descent-optim/webgpu's WGSL kernel of the same optimizer, options and lr as the CPU run. The surfaces'
// gradients are formulas of (x, y) evaluated on the CPU, so each step writes the gradient to the GPU and
// reads the point back (8 bytes each way), which the next gradient and the drawing need. A training loop
// with its gradients on the GPU reads nothing back (TfjsWebGpuOptimizer); for a lab the two small copies a
// step are fine.

import type { Point, TestFunction } from "../../src/lab/functions.js";
import { RacePath } from "../../src/lab/race.js";
import type { WebGpuOptimizer } from "../../src/webgpu/optimizer.js";
import { GPU_OPTIMIZERS, gpuOptimizer } from "../../src/webgpu/optimizers.js";
import { GpuParam, storageUsage } from "../../src/webgpu/param.js";
import type { OptimizerSpec, OptionValues } from "./optimizer-catalog.js";

/** Why there is no GPU to run on: no WebGPU in this browser, no adapter, or a device that failed. */
export type NoGpu =
  | { readonly reason: "no-webgpu" }
  | { readonly reason: "no-adapter" }
  | { readonly reason: "device-failed"; readonly message: string };

let asked: Promise<GPUDevice | NoGpu> | null = null;

/** The lab's GPUDevice (asked for once; asked again after a loss), or why there is none. */
export function labDevice(): Promise<GPUDevice | NoGpu> {
  asked ??= (async () => {
    const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
    if (gpu === undefined) return { reason: "no-webgpu" } as const;
    try {
      const adapter = await gpu.requestAdapter();
      if (adapter === null) return { reason: "no-adapter" } as const;
      const device = await adapter.requestDevice();
      void device.lost.then(() => {
        asked = null;
      });
      return device;
    } catch (e) {
      return { reason: "device-failed", message: e instanceof Error ? e.message : String(e) } as const;
    }
  })();
  return asked;
}

/** Whether descent-optim/webgpu has a kernel for this lab optimizer (L-BFGS has none). */
export function runsOnGpu(spec: OptimizerSpec): boolean {
  return GPU_OPTIMIZERS.includes(spec.className);
}

/**
 * One optimizer on a surface with its point on the GPU, stepped a few steps at a time as `RaceRunner` is
 * (the same path, status and judging; float32, as the GPU computes). `advance` resolves when the steps'
 * points are back.
 */
export class GpuRaceRunner extends RacePath {
  readonly optimizer: WebGpuOptimizer;
  readonly #device: GPUDevice;
  readonly #point: GPUBuffer;
  readonly #grad: GPUBuffer;
  readonly #readback: GPUBuffer;
  readonly #g = new Float64Array(2);
  #stepping: Promise<void> | null = null;
  #destroyed = false;

  /** Builds the GPU optimizer of `spec` over the point (an optimizer that throws leaves nothing made). */
  constructor(
    device: GPUDevice,
    fn: TestFunction,
    spec: OptimizerSpec,
    lr: number,
    values: OptionValues,
    start: Point,
    steps: number,
  ) {
    super(fn, start, steps);
    const buffer = (usage: number, label: string) => device.createBuffer({ size: 8, usage, label });
    const point = buffer(storageUsage(), `race point ${spec.id}`);
    let optimizer: WebGpuOptimizer;
    try {
      const p = new GpuParam(point, [2], device, { name: "xy" });
      optimizer = gpuOptimizer(spec.className, [p], { lr, ...spec.preset.fromControls(values) });
      p.grad = buffer(storageUsage(), `race grad ${spec.id}`);
    } catch (e) {
      point.destroy();
      throw e;
    }
    this.optimizer = optimizer;
    this.#device = device;
    this.#point = point;
    this.#grad = optimizer.paramGroups[0]!.params[0]!.grad!;
    this.#readback = buffer(GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `race read-back ${spec.id}`);
    device.queue.writeBuffer(point, 0, Float32Array.from([start.x, start.y]));
  }

  /** Runs up to `k` more steps while the run is running (one at a time: a call waits for the last). */
  advance(k: number): Promise<void> {
    const previous = this.#stepping ?? Promise.resolve();
    const run = previous.then(() => this.#steps(k));
    this.#stepping = run;
    return run;
  }

  async #steps(k: number): Promise<void> {
    const device = this.#device;
    for (let s = 0; s < k && this.status === "running" && !this.#destroyed; s++) {
      // at the point the GPU holds (the start, too, rounded to float32)
      this.fn.grad(Math.fround(this.xs.at(-1)!), Math.fround(this.ys.at(-1)!), this.#g);
      device.queue.writeBuffer(this.#grad, 0, Float32Array.from(this.#g));
      this.optimizer.step();
      const encoder = device.createCommandEncoder({ label: "race read-back" });
      encoder.copyBufferToBuffer(this.#point, 0, this.#readback, 0, 8);
      device.queue.submit([encoder.finish()]);
      await this.#readback.mapAsync(GPUMapMode.READ);
      const xy = new Float32Array(this.#readback.getMappedRange().slice(0));
      this.#readback.unmap();
      this.record(xy[0]!, xy[1]!);
    }
  }

  /** Frees the GPU buffers and the optimizer's state, once the steps under way are done. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const free = () => {
      this.optimizer.destroy();
      for (const b of [this.#point, this.#grad, this.#readback]) b.destroy();
    };
    void (this.#stepping ?? Promise.resolve()).then(free, free);
  }
}
