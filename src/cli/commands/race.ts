import type { Command } from "commander";
import { raceFigure } from "../../lab/figures.js";
import { testFunction, testFunctions } from "../../lab/functions.js";
import { defaultRaceLr, raceOptimizer, raceOptimizerNames } from "../../lab/optimizers.js";
import { race } from "../../lab/race.js";
import { parseInteger, parseList, parseNumber, UsageError } from "../args.js";
import { type CliIO, figureFormat, formatTable, json, num, writeFigure } from "../output.js";
import { progressBar } from "../progress.js";

/** "adam" or "adam@0.05": a race optimizer name with an optional learning rate (then also in its label). */
function parseOptimizerSpec(text: string): { name: string; lr?: number; label: string } {
  const [name = "", lrText, ...rest] = text.split("@");
  if (!raceOptimizerNames.includes(name)) {
    throw new UsageError(
      `unknown optimizer ${JSON.stringify(name)}; valid names: ${raceOptimizerNames.join(", ")}`,
    );
  }
  if (lrText === undefined) return { name, label: name };
  const lr = parseNumber(lrText, `the lr of ${name}`);
  if (rest.length > 0 || lr < 0)
    throw new UsageError(`expected name@lr with lr ≥ 0, got ${JSON.stringify(text)}`);
  return { name, lr, label: `${name}@${lr}` };
}

/** `descent race <surface>`: optimizers from one start on a 2-D test surface. */
export function addRaceCommand(program: Command, io: CliIO): void {
  program
    .command("race")
    .description("race optimizers from one start on a 2-D test surface")
    .argument("<surface>", `test surface: ${testFunctions.map((f) => f.name).join(", ")}`)
    .option(
      "--optimizers <names>",
      `comma-separated: ${raceOptimizerNames.join(", ")}`,
      "sgd,momentum,rmsprop,adam",
    )
    .option("--steps <n>", "steps per optimizer", "500")
    .option(
      "--lr <lr>",
      "one learning rate for every optimizer (default: the surface's suggestion per optimizer)",
    )
    .option("--start <x,y>", "start point (default: the surface's)")
    .option("--tolerance <tol>", "loss gap to the global minimum that counts as converged", "1e-3")
    .option("--out <file>", "write the contour + paths figure (.svg or .png)")
    .option("--json", "print the result as JSON (summaries; trajectories with --trajectories)")
    .option("--trajectories", "include every trajectory in the JSON output")
    .action(async (surface: string, opts) => {
      const fn = testFunction(surface);
      const listed = parseList(opts.optimizers, "--optimizers").map((n) => n.toLowerCase());
      const specs = (listed.length === 1 && listed[0] === "all" ? [...raceOptimizerNames] : listed).map(
        parseOptimizerSpec,
      );
      const labels = new Set<string>();
      for (const spec of specs) {
        if (labels.has(spec.label))
          throw new UsageError(`--optimizers lists ${JSON.stringify(spec.label)} twice`);
        labels.add(spec.label);
      }
      const steps = parseInteger(opts.steps, "--steps", 1);
      const tolerance = parseNumber(opts.tolerance, "--tolerance");
      if (!(tolerance > 0)) throw new UsageError(`--tolerance must be positive, got ${opts.tolerance}`);
      const lr = opts.lr === undefined ? undefined : parseNumber(opts.lr, "--lr");
      if (lr !== undefined && lr < 0) throw new UsageError(`--lr must be non-negative, got ${opts.lr}`);
      let start = fn.defaultStart;
      if (opts.start !== undefined) {
        const parts = parseList(opts.start, "--start");
        if (parts.length !== 2)
          throw new UsageError(`--start must be x,y, got ${JSON.stringify(opts.start)}`);
        start = { x: parseNumber(parts[0]!, "--start x"), y: parseNumber(parts[1]!, "--start y") };
      }
      if (opts.out !== undefined) figureFormat(opts.out);
      const bar = progressBar(`race ${fn.name}`, specs.length, io.stderr);
      const lrs = specs.map((spec) => spec.lr ?? lr ?? defaultRaceLr(spec.name, fn));
      const result = race(
        fn,
        specs.map((spec, i) => raceOptimizer(spec.name, fn, { lr: lrs[i]!, label: spec.label })),
        { start, steps, tolerance, onProgress: (done) => bar.update(done) },
      );
      bar.finish();
      if (opts.out !== undefined) await writeFigure(opts.out, raceFigure(result));
      if (opts.json) {
        io.stdout.write(
          json({
            surface: fn.name,
            start,
            steps,
            tolerance,
            runs: result.runs.map((r, i) => ({
              ...r.summary,
              lr: lrs[i],
              ...(opts.trajectories ? { trajectory: r.trajectory } : {}),
            })),
            ...(opts.out ? { figure: opts.out } : {}),
          }),
        );
        return;
      }
      io.stdout.write(`${fn.title} from (${start.x}, ${start.y}), ${steps} steps: ${fn.description}\n\n`);
      io.stdout.write(
        `${formatTable(
          ["optimizer", "lr", "final loss", "dist. to min", "steps to tol", "outcome"],
          result.runs.map((r, i) => [
            r.label,
            String(lrs[i]),
            num(r.summary.finalLoss),
            num(r.summary.distanceToMinimum),
            r.summary.stepsToTolerance === null ? "—" : String(r.summary.stepsToTolerance),
            r.summary.outcome,
          ]),
        )}\n\n`,
      );
      for (const r of result.runs) io.stdout.write(`${r.label}: ${r.summary.reason}\n`);
      if (opts.out !== undefined) io.stdout.write(`\nwrote ${opts.out}\n`);
    });
}
