// The `descent` command line: races on test surfaces, EWMA and schedule figures, and the MNIST demo.
// Bad input (an unknown name, a malformed number, an unknown option) prints a message naming the value
// (and the valid names) and exits with code 2; --help works on every command.

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { OutputPathError } from "../lab/output-path.js";
import { MissingPeerError } from "../lab/peers.js";
import { UsageError } from "./args.js";
import { addConvertCommand } from "./commands/convert.js";
import { addDemoCommand } from "./commands/demo.js";
import { addEwmaCommand } from "./commands/ewma.js";
import { addListCommand } from "./commands/list.js";
import { addRaceCommand } from "./commands/race.js";
import { addScheduleCommand } from "./commands/schedule.js";
import type { CliIO } from "./output.js";

export { UsageError } from "./args.js";
export { type CliIO, formatTable } from "./output.js";

/** The version in package.json (two folders up from src/cli and from dist/cli alike). */
function packageVersion(): string {
  return (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
}

/** Builds the program; `io` lets tests capture output. */
export function buildProgram(io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command("descent")
    .description(
      "descent lab: optimizer races, EWMA and schedule figures, the MNIST demo, and torch file conversion",
    )
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .version(packageVersion(), "-V, --version", "print the descent-optim version")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");

  addRaceCommand(program, io);
  addListCommand(program, io);
  addEwmaCommand(program, io);
  addScheduleCommand(program, io);
  addDemoCommand(program, io);
  addConvertCommand(program, io);
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
    if (err instanceof UsageError || err instanceof RangeError || err instanceof OutputPathError) {
      io.stderr.write(`descent: error: ${(err as Error).message}\n`);
      return 2;
    }
    if (err instanceof MissingPeerError) {
      io.stderr.write(`descent: ${err.message}\n`);
      return 1;
    }
    // a bug: one line, and the stack only when asked for
    io.stderr.write(
      process.env.DESCENT_DEBUG
        ? `descent: ${(err as Error)?.stack ?? String(err)}\n`
        : `descent: internal error: ${(err as Error)?.message ?? String(err)} (DESCENT_DEBUG=1 shows the stack)\n`,
    );
    return 1;
  }
}
