// The `descent` command line: races on test surfaces, EWMA and schedule figures, and the MNIST demo.
// Bad input (an unknown name, a malformed number, an unknown option) prints a message naming the value
// (and the valid names) and exits with code 2; --help works on every command.

import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { ewma } from "../average/ewma.js";
import { DEMO_MODES, type DemoMode, runDemo } from "../lab/demo.js";
import { biasCorrectionFigure, ewmaFigure, raceFigure, scheduleFigure } from "../lab/figures.js";
import { testFunction, testFunctions } from "../lab/functions.js";
import {
  defaultRaceLr,
  describeRaceOptimizer,
  raceOptimizer,
  raceOptimizerNames,
} from "../lab/optimizers.js";
import { race } from "../lab/race.js";
import { noisySeries } from "../lab/random.js";
import { svgToPng } from "../lab/render.js";
import { progressBar } from "./progress.js";
import { CLI_SCHEDULES, scheduleCurve } from "./schedules.js";

/** Bad command-line input: reported with exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CliIO {
  stdout: { write(s: string): boolean; isTTY?: boolean };
  stderr: { write(s: string): boolean; isTTY?: boolean; columns?: number };
}

function parseNumber(value: string, what: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

function parseInteger(value: string, what: string, min: number): number {
  const n = parseNumber(value, what);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function parseList(value: string, what: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0)
    throw new UsageError(`${what} must be a comma-separated list, got ${JSON.stringify(value)}`);
  return items;
}

function parseBetas(value: string): number[] {
  return parseList(value, "--beta").map((b) => {
    const beta = parseNumber(b, "--beta");
    if (!(beta >= 0 && beta < 1)) throw new UsageError(`--beta values must be in [0, 1), got ${b}`);
    return beta;
  });
}

/** Numbers from a file (or stdin for "-"), separated by whitespace or commas. */
function readSeries(path: string): Float64Array {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read --input ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const tokens = text.split(/[\s,]+/).filter((t) => t !== "");
  if (tokens.length === 0) throw new UsageError(`--input ${JSON.stringify(path)} holds no numbers`);
  return Float64Array.from(tokens, (t, i) => {
    const v = Number(t);
    if (!Number.isFinite(v))
      throw new UsageError(`--input: value ${i + 1} is not a number: ${JSON.stringify(t)}`);
    return v;
  });
}

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

function figureFormat(path: string): "svg" | "png" {
  const ext = extname(path).toLowerCase();
  if (ext === ".svg") return "svg";
  if (ext === ".png") return "png";
  throw new UsageError(`--out must end in .svg or .png, got ${JSON.stringify(path)}`);
}

async function writeFigure(path: string, svg: string): Promise<void> {
  if (figureFormat(path) === "svg") writeFileSync(path, svg);
  else writeFileSync(path, await svgToPng(svg));
}

/** Fixed-width text table: the first column left-aligned, the rest right-aligned. */
export function formatTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(columns), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const num = (v: number) =>
  !Number.isFinite(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(3)
      : v.toFixed(4);

const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (v instanceof Float64Array ? Array.from(v) : typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2)}\n`;

/** Builds the program; `io` lets tests capture output. */
export function buildProgram(io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command("descent")
    .description("descent lab: optimizer races, EWMA and schedule figures, and the MNIST demo")
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");

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

  program
    .command("list")
    .description("the test surfaces and the optimizer names a race takes")
    .option("--json", "print them as JSON")
    .action((opts) => {
      const surfaces = testFunctions.map((fn) => ({
        name: fn.name,
        description: fn.description,
        minima: fn.minima,
        defaultStart: fn.defaultStart,
        domain: fn.domain,
      }));
      const optimizers = raceOptimizerNames.map((name) => ({
        name,
        description: describeRaceOptimizer(name),
      }));
      if (opts.json) {
        io.stdout.write(json({ surfaces, optimizers }));
        return;
      }
      io.stdout.write("surfaces:\n");
      for (const s of surfaces) io.stdout.write(`  ${s.name.padEnd(16)} ${s.description}\n`);
      io.stdout.write("\noptimizers:\n");
      for (const o of optimizers) io.stdout.write(`  ${o.name.padEnd(16)} ${o.description}\n`);
    });

  program
    .command("ewma")
    .description("exponentially weighted moving averages of a noisy series, for several β")
    .option("--beta <list>", "comma-separated β values in [0, 1)", "0.5,0.9,0.98")
    .option("--bias-correction", "divide by 1 − βᵗ (and draw the with/without comparison)")
    .option(
      "--input <file>",
      "average this series instead (numbers separated by spaces, commas or newlines; - for stdin)",
    )
    .option("--length <n>", "length of the noisy series", "365")
    .option("--seed <n>", "seed of the noise", "7")
    .option("--out <file>", "write the figure (.svg or .png); with --bias-correction also <file>-bias.<ext>")
    .option("--json", "print the series and its averages as JSON")
    .action(async (opts) => {
      const betas = parseBetas(opts.beta);
      const length = parseInteger(opts.length, "--length", 1);
      const seed = parseInteger(opts.seed, "--seed", 0);
      const correct = Boolean(opts.biasCorrection);
      if (opts.out !== undefined) figureFormat(opts.out);
      const series = opts.input === undefined ? noisySeries({ length, seed }) : readSeries(opts.input);
      const averages = betas.map((beta) => ({
        beta,
        values: ewma(series, beta, { biasCorrection: correct }),
      }));
      const written: string[] = [];
      if (opts.out !== undefined) {
        await writeFigure(opts.out, ewmaFigure(series, betas, { biasCorrection: correct }));
        written.push(opts.out);
        if (correct) {
          const ext = extname(opts.out);
          const biasPath = `${opts.out.slice(0, -ext.length)}-bias${ext}`;
          await writeFigure(biasPath, biasCorrectionFigure(series, Math.max(...betas)));
          written.push(biasPath);
        }
      }
      if (opts.json) {
        io.stdout.write(json({ biasCorrection: correct, series, averages, figures: written }));
        return;
      }
      // the first steps (where bias correction matters) and the last one
      const steps = [...Array.from({ length: Math.min(5, series.length) }, (_, t) => t)];
      if (series.length > steps.length) steps.push(series.length - 1);
      const cells = (values: ArrayLike<number>) => steps.map((t) => values[t]!.toFixed(2));
      io.stdout.write(
        `${formatTable(
          ["β", "≈ window 1/(1−β)", ...steps.map((t) => `t=${t + 1}`)],
          [
            ["data", "", ...cells(series)],
            ...averages.map(({ beta, values }) => [
              String(beta),
              (1 / (1 - beta)).toFixed(1),
              ...cells(values),
            ]),
          ],
        )}\n`,
      );
      io.stdout.write(
        correct
          ? "(bias-corrected: v_t / (1 − βᵗ))\n"
          : "(not bias-corrected: v_0 = 0 pulls the first values down)\n",
      );
      for (const path of written) io.stdout.write(`wrote ${path}\n`);
    });

  const scheduleNames = Object.keys(CLI_SCHEDULES);
  const optionFlags: Record<string, string> = {
    maxLr: "--max-lr <lr>",
    totalSteps: "--total-steps <n>",
    pctStart: "--pct-start <p>",
    annealStrategy: "--anneal-strategy <cos|linear>",
    divFactor: "--div-factor <d>",
    finalDivFactor: "--final-div-factor <d>",
    threePhase: "--three-phase",
    tMax: "--t-max <n>",
    etaMin: "--eta-min <lr>",
    t0: "--t0 <n>",
    tMult: "--t-mult <n>",
    baseLr: "--base-lr <lr>",
    stepSizeUp: "--step-size-up <n>",
    stepSizeDown: "--step-size-down <n>",
    mode: "--mode <triangular|triangular2|exp_range>",
    gamma: "--gamma <g>",
    stepSize: "--step-size <n>",
    milestones: "--milestones <list>",
    startFactor: "--start-factor <f>",
    endFactor: "--end-factor <f>",
    totalIters: "--total-iters <n>",
    factor: "--factor <f>",
    power: "--power <p>",
  };
  const scheduleCommand = program
    .command("schedule")
    .description("the learning-rate (and momentum) curve of a torch-style scheduler, without an optimizer")
    .argument(
      "<name>",
      `schedule: ${scheduleNames.map((n) => `${n} (${CLI_SCHEDULES[n]!.title})`).join(", ")}`,
    )
    .option("--lr <lr>", "the optimizer's initial lr", "0.1")
    .option("--momentum <m>", "the optimizer's initial momentum (cycled by onecycle and cyclic)", "0.9")
    .option("--steps <n>", "how many steps to draw (default: depends on the schedule)");
  for (const [key, flags] of Object.entries(optionFlags)) {
    const used = scheduleNames.filter((n) => CLI_SCHEDULES[n]!.takes.includes(key));
    scheduleCommand.option(flags, `${key} (${used.join(", ")})`);
  }
  scheduleCommand
    .option("--out <file>", "write the lr figure (.svg or .png); momentum goes to <file>-momentum.<ext>")
    .option("--json", "print every step's lr and momentum as JSON")
    .action(async (nameArg: string, opts) => {
      const name = nameArg.toLowerCase();
      const spec = CLI_SCHEDULES[name];
      if (spec === undefined) {
        throw new UsageError(
          `unknown schedule ${JSON.stringify(nameArg)}; valid names: ${scheduleNames.join(", ")}`,
        );
      }
      const options: Record<string, unknown> = {};
      for (const key of Object.keys(optionFlags)) {
        const raw = opts[key];
        if (raw === undefined) continue;
        const flag = optionFlags[key]!.split(" ")[0]!;
        if (!spec.takes.includes(key)) {
          throw new UsageError(
            `${flag} does not apply to ${name}; it takes: ${spec.takes.map((k) => optionFlags[k]!.split(" ")[0]).join(", ") || "no options"}`,
          );
        }
        if (key === "threePhase") options[key] = true;
        else if (key === "annealStrategy" || key === "mode") options[key] = raw;
        else if (key === "milestones")
          options[key] = parseList(raw, flag).map((m) => parseInteger(m, flag, 0));
        else options[key] = parseNumber(raw, flag);
      }
      for (const key of spec.required) {
        if (options[key] === undefined) throw new UsageError(`${name} needs ${optionFlags[key]}`);
      }
      const group = { lr: parseNumber(opts.lr, "--lr"), momentum: parseNumber(opts.momentum, "--momentum") };
      const steps =
        opts.steps === undefined ? spec.defaultSteps(options) : parseInteger(opts.steps, "--steps", 1);
      if (opts.out !== undefined) figureFormat(opts.out);
      const { lr, momentum } = scheduleCurve(spec, options, steps, group);
      const cycled = momentum.some((m) => m !== group.momentum);
      const written: string[] = [];
      if (opts.out !== undefined) {
        await writeFigure(
          opts.out,
          scheduleFigure([{ label: spec.title, values: lr }], {
            yLabel: "lr",
            title: `${spec.title}: lr per step`,
          }),
        );
        written.push(opts.out);
        if (cycled) {
          const ext = extname(opts.out);
          const momentumPath = `${opts.out.slice(0, -ext.length)}-momentum${ext}`;
          await writeFigure(
            momentumPath,
            scheduleFigure([{ label: spec.title, values: momentum }], {
              yLabel: "momentum",
              title: `${spec.title}: momentum per step`,
              zero: false,
            }),
          );
          written.push(momentumPath);
        }
      }
      if (opts.json) {
        io.stdout.write(
          json({
            schedule: name,
            scheduler: spec.title,
            options,
            lr,
            ...(cycled ? { momentum } : {}),
            figures: written,
          }),
        );
        return;
      }
      const marks = new Set<number>();
      for (let k = 0; k <= 10; k++) marks.add(Math.min(steps - 1, Math.round((k * (steps - 1)) / 10)));
      io.stdout.write(
        `${formatTable(
          ["step", "lr", ...(cycled ? ["momentum"] : [])],
          [...marks].map((t) => [String(t), num(lr[t]!), ...(cycled ? [num(momentum[t]!)] : [])]),
        )}\n`,
      );
      for (const path of written) io.stdout.write(`wrote ${path}\n`);
    });

  program
    .command("demo")
    .description("train an MLP on the packaged MNIST digits with six optimizers and write report/index.html")
    .addOption(new Option("--quick", "a small run for CI (seconds)").conflicts("full"))
    .addOption(new Option("--full", "more data, a wider network, more epochs").conflicts("quick"))
    .option(
      "--tfjs",
      "train a tf.sequential model through descent-optim/tfjs's TfjsOptimizer (TF.js cpu backend, slower)",
    )
    .option("--out-dir <dir>", "where index.html goes", "report")
    .option("--seed <n>", "seed of the weights, the split and the batch order", "1")
    .option("--json", "print the summary as JSON")
    .action(async (opts) => {
      const mode: DemoMode = opts.quick ? "quick" : opts.full ? "full" : "default";
      const seed = parseInteger(opts.seed, "--seed", 0);
      const config = DEMO_MODES[mode];
      const log = (s: string) => void io.stderr.write(`${s}\n`);
      let bar = progressBar("", 1, io.stderr);
      const result = await runDemo({
        mode,
        backend: opts.tfjs ? "tfjs" : "arrays",
        seed,
        outDir: opts.outDir,
        onEvent: (e) => {
          if (e.kind === "load") {
            log(
              `descent demo (${mode}${opts.tfjs ? ", TF.js through TfjsOptimizer" : ""}): ${e.train} train / ${e.test} test digits, MLP 784 → ${config.hidden.join(" → ")} → 10, ${config.epochs} epoch(s)`,
            );
          } else if (e.kind === "train-start") {
            bar = progressBar(`[${e.index + 1}/${e.of}] ${e.label}`, 1, io.stderr);
          } else if (e.kind === "train-step") {
            bar.update(e.step / e.total, `loss ${e.loss.toFixed(3)}`);
          } else if (e.kind === "train-done") {
            bar.finish();
            log(
              `  ${e.run.label}: test accuracy ${(100 * e.run.final.testAccuracy).toFixed(1)}% in ${e.run.seconds.toFixed(1)} s`,
            );
          } else if (e.kind === "race") {
            log(`  race on ${e.surface}`);
          }
        },
      });
      const rows = result.runs.map((r) => ({
        optimizer: r.label,
        trainAccuracy: r.final.trainAccuracy,
        testAccuracy: r.final.testAccuracy,
        trainLoss: r.final.trainLoss,
        testLoss: r.final.testLoss,
        seconds: r.seconds,
      }));
      if (opts.json) {
        io.stdout.write(
          json({ mode, backend: result.backend, config, report: result.reportPath, runs: rows }),
        );
        return;
      }
      io.stdout.write(
        `\n${formatTable(
          ["optimizer", "train acc", "test acc", "train loss", "test loss", "seconds"],
          rows.map((r) => [
            r.optimizer,
            `${(100 * r.trainAccuracy).toFixed(1)}%`,
            `${(100 * r.testAccuracy).toFixed(1)}%`,
            r.trainLoss.toFixed(4),
            r.testLoss.toFixed(4),
            r.seconds.toFixed(1),
          ]),
        )}\n\nreport: ${result.reportPath}\n`,
      );
    });

  return program;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code: 0 on success, 2 on bad
 * input, 1 on any other failure.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; every parse error (unknown option, missing argument) is bad input
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError || err instanceof RangeError) {
      io.stderr.write(`descent: error: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`descent: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
