import { type Command, Option } from "commander";
import { DEMO_MODES, type DemoMode, runDemo } from "../../lab/demo.js";
import { checkOutputDir } from "../../lab/output-path.js";
import { MAX_SEED, parseInteger } from "../args.js";
import { type CliIO, formatTable, json } from "../output.js";
import { progressBar } from "../progress.js";

/** What the demo's flags ask for (the report's footer prints the same as `demoCommandLine`). */
export function demoSettings(opts: Record<string, unknown>): {
  mode: DemoMode;
  backend: "arrays" | "tfjs";
  seed: number;
} {
  return {
    mode: opts.quick ? "quick" : opts.full ? "full" : "default",
    backend: opts.tfjs ? "tfjs" : "arrays",
    seed: parseInteger(opts.seed as string, "--seed", 0, MAX_SEED),
  };
}

/** `descent demo`: the MNIST demo, six optimizers, written to report/index.html. */
export function addDemoCommand(program: Command, io: CliIO): void {
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
      const { mode, backend, seed } = demoSettings(opts);
      // before training: a report that cannot be written would lose the whole run
      checkOutputDir(opts.outDir, "--out-dir");
      const config = DEMO_MODES[mode];
      const log = (s: string) => void io.stderr.write(`${s}\n`);
      let bar = progressBar("", 1, io.stderr);
      const result = await runDemo({
        mode,
        backend,
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
}
