// Quick start: fit a line y = 3x − 1 with Adam and a cosine learning-rate schedule, on plain typed arrays.
//   npm run build && npx tsx examples/quick-start.ts      (the same program in JS: examples/quick-start.mjs)
import { Adam, CosineAnnealingLR, param } from "descent-optim";

const xs = Float64Array.from({ length: 40 }, (_, i) => i / 10 - 2);
const ys = xs.map((x) => 3 * x - 1);

// one parameter holding [slope, intercept], in float64
const line = param([0, 0], { dtype: "float64" });
const steps = 300;
const opt = new Adam([line], { lr: 0.1 });
const sched = new CosineAnnealingLR(opt, { tMax: steps }); // the lr falls from 0.1 to 0 over the run

for (let step = 0; step < steps; step++) {
  // the mean squared error and its gradient, by hand
  const [slope, intercept] = line.data;
  let loss = 0;
  const grad = new Float64Array(2);
  xs.forEach((x, i) => {
    const residual = slope! * x + intercept! - ys[i]!;
    loss += (residual * residual) / xs.length;
    grad[0]! += (2 * residual * x) / xs.length;
    grad[1]! += (2 * residual) / xs.length;
  });
  if (step % 50 === 0)
    console.log(`step ${step}: loss ${loss.toExponential(3)}, lr ${opt.paramGroups[0]!.lr}`);
  line.grad = grad;
  opt.step();
  sched.step();
}
console.log(`slope ${line.data[0]}, intercept ${line.data[1]}`);
