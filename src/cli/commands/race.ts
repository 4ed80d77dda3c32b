import type { Command } from "commander";
import { effectiveStepFigure, raceFigure, raceLossFigure } from "../../lab/figures.js";
import { type TestFunction, testFunction, testFunctions } from "../../lab/functions.js";
import { defaultRaceLr, raceOptimizer, raceOptimizerNames } from "../../lab/optimizers.js";
import { type RaceEntry, race } from "../../lab/race.js";
import { isSumOfExamples, leastSquares, withGradientNoise } from "../../lab/stochastic.js";
import { MAX_SEED, MAX_STEPS, parseInteger, parseLang, parseList, parseNumber, UsageError } from "../args.js";
import { outcomeText, surfaceText, verdictText } from "../../lab/i18n.js";
import { type CliIO, checkFigurePath, formatTable, json, num, writeFigure } from "../output.js";
import { CLI_TEXT } from "../text.js";
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

/** The most examples --noise splits a surface into. */
const MAX_EXAMPLES = 100_000;

/** "full,8,1": batch sizes, "full" meaning all `examples`. */
function parseBatchSizes(text: string, examples: number): number[] {
  const sizes = parseList(text, "--batch-size").map((item) =>
    item.toLowerCase() === "full" ? examples : parseInteger(item, "--batch-size", 1, Number.MAX_SAFE_INTEGER),
  );
  for (const b of sizes) {
    if (b > examples) {
      throw new UsageError(
        `--batch-size ${b} is larger than the ${examples} examples (use full for all of them)`,
      );
    }
  }
  if (new Set(sizes).size !== sizes.length) throw new UsageError(`--batch-size lists a size twice: ${text}`);
  return sizes;
}

/** The race's surface: a named one, least squares on seeded data, either with gradient noise on request. */
function raceSurface(name: string, opts: { noise?: string; examples?: string; seed: number }): TestFunction {
  const base =
    name.toLowerCase() === "least-squares" ? leastSquares({ seed: opts.seed }) : testFunction(name);
  if (opts.noise === undefined) {
    if (opts.examples !== undefined)
      throw new UsageError("--examples needs --noise (least-squares has its own)");
    return base;
  }
  const sigma = parseNumber(opts.noise, "--noise");
  if (!(sigma >= 0)) throw new UsageError(`--noise must be non-negative, got ${opts.noise}`);
  const examples =
    opts.examples === undefined ? 64 : parseInteger(opts.examples, "--examples", 2, MAX_EXAMPLES);
  return withGradientNoise(base, { sigma, examples, seed: opts.seed });
}

const batchLabel = (b: number, examples: number) => (b >= examples ? "full" : `B=${b}`);

/** `descent race <surface>`: optimizers from one start on a 2-D test surface. */
export function addRaceCommand(program: Command, io: CliIO): void {
  program
    .command("race")
    .description("race optimizers from one start on a 2-D test surface")
    .argument(
      "<surface>",
      `test surface: ${[...testFunctions.map((f) => f.name), "least-squares"].join(", ")}`,
    )
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
    .option(
      "--batch-size <sizes>",
      "comma-separated examples per gradient, e.g. full,8,1 (least-squares, or any surface with --noise); each optimizer races at each size",
    )
    .option("--noise <sigma>", "per-example gradient noise σ on the surface (makes it a sum of examples)")
    .option("--examples <n>", "how many noisy examples with --noise (default 64)")
    .option("--seed <n>", "seed of the data set, the noise and the batch order", "1")
    .option("--out <file>", "write the contour + paths figure (.svg or .png)")
    .option("--loss-out <file>", "write the loss-per-step figure (.svg or .png)")
    .option("--steps-out <file>", "write the per-coordinate effective step figure (.svg or .png)")
    .option("--lang <lang>", "language of the tables, verdicts and figures: en or ko", "en")
    .option("--json", "print the result as JSON (summaries; trajectories with --trajectories)")
    .option("--trajectories", "include every trajectory in the JSON output")
    .action(async (surface: string, opts) => {
      const seed = parseInteger(opts.seed, "--seed", 0, MAX_SEED);
      const lang = parseLang(opts.lang);
      const fn = raceSurface(surface, { noise: opts.noise, examples: opts.examples, seed });
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
      const steps = parseInteger(opts.steps, "--steps", 1, MAX_STEPS);
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
      const outputs: Array<[string | undefined, string]> = [
        [opts.out, "--out"],
        [opts.lossOut, "--loss-out"],
        [opts.stepsOut, "--steps-out"],
      ];
      for (const [out, flag] of outputs) if (out !== undefined) checkFigurePath(out, flag);
      let batchSizes: (number | undefined)[] = [undefined];
      if (opts.batchSize !== undefined) {
        if (!isSumOfExamples(fn)) {
          throw new UsageError(
            `--batch-size needs a sum of examples: use least-squares, or add --noise σ to ${fn.name}`,
          );
        }
        batchSizes = parseBatchSizes(opts.batchSize, fn.examples);
      }
      const examples = isSumOfExamples(fn) ? fn.examples : 0;
      const runs = specs.flatMap((spec) => batchSizes.map((batchSize) => ({ spec, batchSize })));
      const bar = progressBar(`race ${fn.name}`, runs.length, io.stderr);
      const lrs = runs.map(({ spec }) => spec.lr ?? lr ?? defaultRaceLr(spec.name, fn));
      const entries = runs.map(({ spec, batchSize }, i): RaceEntry => {
        const label =
          batchSize === undefined ? spec.label : `${spec.label} ${batchLabel(batchSize, examples)}`;
        const entry = raceOptimizer(spec.name, fn, { lr: lrs[i]!, label });
        return batchSize === undefined ? entry : { ...entry, batchSize };
      });
      const result = race(fn, entries, {
        start,
        steps,
        tolerance,
        seed,
        onProgress: (done) => bar.update(done),
      });
      bar.finish();
      const written: string[] = [];
      if (opts.out !== undefined) {
        await writeFigure(opts.out, raceFigure(result, { lang }));
        written.push(opts.out);
      }
      if (opts.lossOut !== undefined) {
        await writeFigure(opts.lossOut, raceLossFigure(result, { lang }), "--loss-out");
        written.push(opts.lossOut);
      }
      if (opts.stepsOut !== undefined) {
        if (!result.runs.some((r) => r.trajectory.effectiveStep !== undefined)) {
          throw new UsageError(
            "--steps-out: none of these optimizers has an effective step (L-BFGS has none)",
          );
        }
        await writeFigure(opts.stepsOut, effectiveStepFigure(result, { lang }), "--steps-out");
        written.push(opts.stepsOut);
      }
      if (opts.json) {
        io.stdout.write(
          json({
            surface: fn.name,
            start,
            steps,
            tolerance,
            ...(isSumOfExamples(fn) ? { examples: fn.examples, seed } : {}),
            runs: result.runs.map((r, i) => ({
              ...r.summary,
              lr: lrs[i],
              ...(runs[i]!.batchSize === undefined ? {} : { batchSize: runs[i]!.batchSize }),
              ...(opts.trajectories ? { trajectory: r.trajectory } : {}),
            })),
            ...(opts.out ? { figure: opts.out } : {}),
            ...(written.length > 0 ? { figures: written } : {}),
          }),
        );
        return;
      }
      const text = CLI_TEXT[lang];
      const named = surfaceText(fn, lang);
      io.stdout.write(
        `${text.raceHeading(named.title, `(${start.x}, ${start.y})`, steps, named.description)}\n\n`,
      );
      io.stdout.write(
        `${formatTable(
          text.raceColumns,
          result.runs.map((r, i) => [
            r.label,
            String(lrs[i]),
            num(r.summary.finalLoss),
            num(r.summary.distanceToMinimum),
            r.summary.stepsToTolerance === null ? "—" : String(r.summary.stepsToTolerance),
            lang === "en" ? r.summary.outcome : outcomeText(r.summary.outcome, lang),
          ]),
        )}\n\n`,
      );
      for (const r of result.runs) io.stdout.write(`${r.label}: ${verdictText(r.summary.verdict, lang)}\n`);
      if (written.length > 0) io.stdout.write(`\n${written.map((path) => `${text.wrote(path)}\n`).join("")}`);
    });
}
