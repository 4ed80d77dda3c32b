// A run that can stop and resume in a new process, exactly: params, AdamW's moments and step counts, and the
// scheduler's position all travel in one checkpoint file (safetensors, written atomically).
//   npx tsx examples/checkpoint-resume.ts run.safetensors 25   # trains steps 0..24, saves, exits
//   npx tsx examples/checkpoint-resume.ts run.safetensors      # loads the file, trains to the end
// The second run ends with the same numbers, bit for bit, as one uninterrupted run (the tests check it).
import { existsSync } from "node:fs";
import { AdamW, OneCycleLR, param } from "descent-optim";
import { loadCheckpointFile, saveCheckpointFile } from "descent-optim/node";

const [file = "run.safetensors", stopAfter] = process.argv.slice(2);
const totalSteps = 60;

const w = param(new Float32Array([1.5, -0.5, 2, 0.25, -1, 3]), { name: "w" });
const target = w.data.map((_, i) => Math.cos(i));
const opt = new AdamW([w], { lr: 0.05, weightDecay: 0.01 });
const sched = new OneCycleLR(opt, { maxLr: 0.2, totalSteps });

let start = 0;
if (existsSync(file)) {
  const { extra } = await loadCheckpointFile(file, { params: [w], optimizer: opt, scheduler: sched });
  start = extra?.step as number;
  console.log(`resumed from step ${start}`);
}

for (let step = start; step < totalSteps; step++) {
  if (String(step) === stopAfter) {
    await saveCheckpointFile(file, { params: [w], optimizer: opt, scheduler: sched }, { extra: { step } });
    console.log(`saved at step ${step} to ${file}`);
    process.exit(0);
  }
  // the gradient of ‖w − target‖², with a wobble that depends on the step (as mini-batches would)
  w.grad = w.data.map((v, i) => 2 * (v - target[i]!) + 0.1 * Math.sin(step * (i + 1)));
  opt.step();
  sched.step();
}
console.log(JSON.stringify({ lr: sched.getLastLr()[0], w: Array.from(w.data) }));
