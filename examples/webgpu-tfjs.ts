// A browser page: a TF.js model trained on the webgpu backend by descent's WGSL AdamW (TfjsWebGpuOptimizer:
// the variables are the params, nothing is read back per step), its loss drawn as it falls. Bundle it for a
// page with a <canvas id="loss"> and a <p id="status"> (test/webgpu/example.test.ts does, and screenshots it).
// In an app, import from "descent-optim/webgpu" and "descent-optim/tfjs" instead of the source paths.
/// <reference types="@webgpu/types" />

import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs";
import { CosineAnnealingLR } from "../src/index.js";
import { TfjsWebGpuOptimizer } from "../src/tfjs/index.js";
import { AdamW } from "../src/webgpu/index.js";

const EPOCHS = 30;

function draw(canvas: HTMLCanvasElement, losses: number[], label: string): void {
  const ctx = canvas.getContext("2d")!;
  const { width, height } = canvas;
  const pad = { left: 56, right: 16, top: 28, bottom: 36 };
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#222";
  ctx.font = "14px sans-serif";
  ctx.fillText(label, pad.left, 18);
  const logs = losses.map((l) => Math.log10(l));
  const lo = Math.floor(Math.min(...logs));
  const hi = Math.ceil(Math.max(...logs));
  const x = (i: number) => pad.left + (i / Math.max(1, EPOCHS - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + ((hi - v) / Math.max(1e-9, hi - lo)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = "#bbb";
  ctx.lineWidth = 1;
  ctx.font = "12px sans-serif";
  for (let d = lo; d <= hi; d++) {
    ctx.beginPath();
    ctx.moveTo(pad.left, y(d));
    ctx.lineTo(width - pad.right, y(d));
    ctx.stroke();
    ctx.fillText(`1e${d}`, 8, y(d) + 4);
  }
  ctx.fillText("epoch", width / 2 - 16, height - 10);
  for (let e = 0; e < EPOCHS; e += 5) ctx.fillText(String(e + 1), x(e) - 4, height - 22);
  ctx.strokeStyle = "#1f6feb";
  ctx.lineWidth = 2;
  ctx.beginPath();
  logs.forEach((v, i) => {
    if (i === 0) ctx.moveTo(x(i), y(v));
    else ctx.lineTo(x(i), y(v));
  });
  ctx.stroke();
}

/** Fits y = sin(3x)·x on [-1, 1] with a 1-32-32-1 MLP; resolves with each epoch's loss. */
export async function train(): Promise<{ losses: number[]; backend: string }> {
  await tf.setBackend("webgpu");
  await tf.ready();
  const canvas = document.getElementById("loss") as HTMLCanvasElement;
  const status = document.getElementById("status")!;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 32,
        inputShape: [1],
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 32,
        activation: "tanh",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  const tfOpt = new TfjsWebGpuOptimizer(
    model.trainableWeights,
    (params) => new AdamW(params, { lr: 0.03, weightDecay: 1e-4 }),
  );
  const scheduler = new CosineAnnealingLR(tfOpt.optimizer, { tMax: EPOCHS, etaMin: 1e-3 });
  model.compile({ optimizer: tfOpt, loss: "meanSquaredError" });
  const xs = tf.linspace(-1, 1, 256).reshape([256, 1]);
  const ys = tf.tidy(() => xs.mul(3).sin().mul(xs));
  const losses: number[] = [];
  await model.fit(xs, ys, {
    epochs: EPOCHS,
    batchSize: 32,
    shuffle: false,
    verbose: 0,
    callbacks: {
      onEpochEnd: (_epoch, logs) => {
        losses.push(logs!.loss as number);
        scheduler.step();
        draw(canvas, losses, `TF.js on ${tf.getBackend()}, descent AdamW (WGSL) + cosine lr: MSE by epoch`);
        status.textContent = `epoch ${losses.length}/${EPOCHS}: loss ${losses.at(-1)!.toExponential(3)}, lr ${tfOpt.optimizer.paramGroups[0]!.lr.toExponential(2)}`;
      },
    },
  });
  return { losses, backend: tf.getBackend() };
}
