import type { Command } from "commander";
import { ewma } from "../../average/ewma.js";
import { biasCorrectionFigure, ewmaFigure } from "../../lab/figures.js";
import { noisySeries } from "../../lab/random.js";
import { MAX_SEED, parseBetas, parseInteger, parseLang, readSeries } from "../args.js";
import { type CliIO, checkFigurePath, formatTable, json, withSuffix, writeFigure } from "../output.js";
import { CLI_TEXT } from "../text.js";

/** The longest noisy series `--length` draws (its figure has a dot per value). */
const MAX_SERIES_LENGTH = 100_000;

/** `descent ewma`: moving averages of a noisy series for several β. */
export function addEwmaCommand(program: Command, io: CliIO): void {
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
    .option("--lang <lang>", "language of the table and figures: en or ko", "en")
    .option("--json", "print the series and its averages as JSON")
    .action(async (opts) => {
      const betas = parseBetas(opts.beta);
      const length = parseInteger(opts.length, "--length", 1, MAX_SERIES_LENGTH);
      const seed = parseInteger(opts.seed, "--seed", 0, MAX_SEED);
      const correct = Boolean(opts.biasCorrection);
      const lang = parseLang(opts.lang);
      const biasPath = opts.out === undefined ? undefined : withSuffix(opts.out, "-bias");
      if (opts.out !== undefined) checkFigurePath(opts.out);
      if (correct && biasPath !== undefined) checkFigurePath(biasPath);
      const series = opts.input === undefined ? noisySeries({ length, seed }) : readSeries(opts.input);
      const averages = betas.map((beta) => ({
        beta,
        values: ewma(series, beta, { biasCorrection: correct }),
      }));
      const written: string[] = [];
      if (opts.out !== undefined) {
        await writeFigure(opts.out, ewmaFigure(series, betas, { biasCorrection: correct, lang }));
        written.push(opts.out);
        if (correct && biasPath !== undefined) {
          await writeFigure(biasPath, biasCorrectionFigure(series, Math.max(...betas), { lang }));
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
      const text = CLI_TEXT[lang];
      io.stdout.write(
        `${formatTable(
          [...text.ewmaColumns(text.ewmaWindow), ...steps.map((t) => `t=${t + 1}`)],
          [
            [text.data, "", ...cells(series)],
            ...averages.map(({ beta, values }) => [
              String(beta),
              (1 / (1 - beta)).toFixed(1),
              ...cells(values),
            ]),
          ],
        )}\n`,
      );
      io.stdout.write(`${correct ? text.biasCorrected : text.notBiasCorrected}\n`);
      for (const path of written) io.stdout.write(`${text.wrote(path)}\n`);
    });
}
