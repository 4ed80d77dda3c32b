// Fuzzing the CLI's input parsing: random values (and random junk) for every option of race, ewma, schedule
// and list must end in exit code 0 (accepted) or 2 with a "descent: error:" message naming the value,
// never exit code 1 (an unexpected exception). Sizes are capped so a lucky "1e9" cannot make CI slow.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { runCli } from "../../src/cli/program.js";

const seed = Number(process.env.FC_SEED ?? 20261124);

async function cli(argv: string[]) {
  let stderr = "";
  const sink = { write: () => true };
  const code = await runCli(argv, {
    stdout: sink,
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  });
  return { code, stderr };
}

/** A value for an option: mostly plausible numbers, sometimes lists, names and junk. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 300 }).map(String) },
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "NaN",
      "Infinity",
      "-0",
      "1e400",
      "0x10",
      " ",
      ",",
      "0.9,",
      "sgd,adam",
      "1,2",
      "1,2,3",
    ),
  },
);

/** Options whose value is a count of steps: capped so the run stays short. */
const SIZES = new Set(["--steps", "--length", "--total-steps"]);
const small = (v: string) => !(Number(v) > 300);

const COMMANDS: Record<string, { positional: fc.Arbitrary<string>; options: string[]; flags: string[] }> = {
  race: {
    positional: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("rosenbrock", "beale", "himmelblau") },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    ),
    options: ["--optimizers", "--steps", "--lr", "--start", "--tolerance"],
    flags: ["--json", "--trajectories"],
  },
  ewma: {
    positional: fc.constant(""),
    options: ["--beta", "--length", "--seed"],
    flags: ["--json", "--bias-correction"],
  },
  schedule: {
    positional: fc.oneof(
      { weight: 4, arbitrary: fc.constant("onecycle") },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
    ),
    options: ["--max-lr", "--total-steps", "--pct-start", "--div-factor", "--final-div-factor"],
    flags: ["--json"],
  },
  list: { positional: fc.constant(""), options: [], flags: ["--json"] },
};

describe("the CLI under fuzzed arguments", () => {
  for (const [command, spec] of Object.entries(COMMANDS)) {
    it(`${command}: any option values end in exit 0, or exit 2 with a message; never an unexpected error`, async () => {
      const codes: Record<number, number> = {};
      const optionValues = fc.array(
        fc.tuple(fc.constantFrom(...(spec.options.length > 0 ? spec.options : ["--json"])), value),
        { maxLength: 3 },
      );
      await fc.assert(
        fc.asyncProperty(
          spec.positional,
          optionValues,
          fc.subarray(spec.flags),
          fc.oneof(
            { weight: 5, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
          ),
          async (positional, options, flags, stray) => {
            const argv = [command];
            if (positional !== "") argv.push(positional);
            for (const [name, v] of options) {
              if (SIZES.has(name) && !small(v)) continue;
              if (name === "--json") argv.push(name);
              else argv.push(`${name}=${v}`);
            }
            argv.push("--json", ...flags);
            if (stray !== undefined) argv.push(stray);
            const { code, stderr } = await cli(argv);
            assert.ok(code === 0 || code === 2, `exit ${code} for ${JSON.stringify(argv)}: ${stderr}`);
            if (code === 2 && stderr !== "") assert.match(stderr, /error/);
            codes[code] = (codes[code] ?? 0) + 1;
          },
        ),
        { numRuns: 60, seed },
      );
      assert.ok((codes[0] ?? 0) > 0 && (codes[2] ?? 0) > 0, `both outcomes occur: ${JSON.stringify(codes)}`);
    });
  }
});
