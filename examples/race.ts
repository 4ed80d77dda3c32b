// A race: SGD, SGD with momentum and Adam from the same start on Rosenbrock's curved valley, drawn as a figure.
//   npx tsx examples/race.ts out/      # writes out/race.svg and out/race.png, prints each run's outcome
// (the figure needs the lab's optional peers: npm i @observablehq/plot linkedom @resvg/resvg-js)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Adam, SGD } from "descent-optim";
import { race, raceFigure, rosenbrock, svgToPng } from "descent-optim/lab";

const outDir = process.argv[2] ?? ".";

const result = race(
  rosenbrock,
  [
    { label: "SGD lr 1e-3", create: (params) => new SGD(params, { lr: 1e-3 }) },
    { label: "momentum 0.9, lr 1e-3", create: (params) => new SGD(params, { lr: 1e-3, momentum: 0.9 }) },
    { label: "Adam lr 0.05", create: (params) => new Adam(params, { lr: 0.05 }) },
  ],
  { start: { x: -1.5, y: 2 }, steps: 1000 },
);
for (const { summary } of result.runs) {
  console.log(
    `${summary.label}: ${summary.outcome}, loss ${summary.finalLoss.toExponential(2)}, steps to tolerance ${summary.stepsToTolerance}`,
  );
}

const svg = raceFigure(result, { title: "Rosenbrock: 1000 steps from (−1.5, 2)" });
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "race.svg"), svg);
writeFileSync(join(outDir, "race.png"), await svgToPng(svg, { width: 900 }));
