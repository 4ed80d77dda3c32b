import type { Command } from "commander";
import { testFunctions } from "../../lab/functions.js";
import { describeRaceOptimizer, raceOptimizerNames } from "../../lab/optimizers.js";
import { type CliIO, json } from "../output.js";

/** `descent list`: the test surfaces and the optimizer names a race takes. */
export function addListCommand(program: Command, io: CliIO): void {
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
}
