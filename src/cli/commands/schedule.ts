import type { Command } from "commander";
import { scheduleFigure } from "../../lab/figures.js";
import { FIGURE_TEXT } from "../../lab/i18n.js";
import { MAX_STEPS, parseInteger, parseLang, parseList, parseNumber, UsageError } from "../args.js";
import { type CliIO, checkFigurePath, formatTable, json, num, withSuffix, writeFigure } from "../output.js";
import { CLI_TEXT } from "../text.js";
import { CLI_SCHEDULES, scheduleCurve } from "../schedules.js";

/** `descent schedule <name>`: a scheduler's lr (and momentum) curve. */
export function addScheduleCommand(program: Command, io: CliIO): void {
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
    .option("--lang <lang>", "language of the table and figures: en or ko", "en")
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
          options[key] = parseList(raw, flag).map((m) => parseInteger(m, flag, 0, Number.MAX_SAFE_INTEGER));
        else options[key] = parseNumber(raw, flag);
      }
      for (const key of spec.required) {
        if (options[key] === undefined) throw new UsageError(`${name} needs ${optionFlags[key]}`);
      }
      const group = { lr: parseNumber(opts.lr, "--lr"), momentum: parseNumber(opts.momentum, "--momentum") };
      const steps =
        opts.steps === undefined
          ? spec.defaultSteps(options)
          : parseInteger(opts.steps, "--steps", 1, MAX_STEPS);
      if (!(steps <= MAX_STEPS)) {
        throw new UsageError(
          `${name} with these options would draw ${steps} steps, more than ${MAX_STEPS}: pass --steps <n> (1 to ${MAX_STEPS})`,
        );
      }
      if (opts.out !== undefined) {
        checkFigurePath(opts.out);
        checkFigurePath(withSuffix(opts.out, "-momentum"));
      }
      const lang = parseLang(opts.lang);
      const { lr, momentum } = scheduleCurve(spec, options, steps, group);
      const cycled = momentum.some((m) => m !== group.momentum);
      const written: string[] = [];
      if (opts.out !== undefined) {
        await writeFigure(
          opts.out,
          scheduleFigure([{ label: spec.title, values: lr }], {
            yLabel: "lr",
            title: `${spec.title}: ${FIGURE_TEXT[lang].perStep("lr")}`,
            lang,
          }),
        );
        written.push(opts.out);
        if (cycled) {
          const momentumPath = withSuffix(opts.out, "-momentum");
          await writeFigure(
            momentumPath,
            scheduleFigure([{ label: spec.title, values: momentum }], {
              yLabel: "momentum",
              title: `${spec.title}: ${FIGURE_TEXT[lang].perStep(lang === "ko" ? "모멘텀" : "momentum")}`,
              lang,
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
          CLI_TEXT[lang].scheduleColumns(cycled),
          [...marks].map((t) => [String(t), num(lr[t]!), ...(cycled ? [num(momentum[t]!)] : [])]),
        )}\n`,
      );
      for (const path of written) io.stdout.write(`${CLI_TEXT[lang].wrote(path)}\n`);
    });
}
