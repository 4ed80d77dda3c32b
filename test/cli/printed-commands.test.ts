// The reports print the `descent` command line that makes them (their footer). Each printed command must
// exist: here every one is run through the real CLI parser (the real options of the real program), with
// only the demo's action replaced, since a default or full demo trains for minutes. test/lab/demo.test.ts
// runs the quick one end to end and checks that its report prints the command it was made by.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { demoSettings } from "../../src/cli/commands/demo.js";
import { buildProgram } from "../../src/cli/program.js";
import { DEMO_MODES, type DemoMode, demoCommandLine } from "../../src/lab/demo.js";
import { LANGS } from "../../src/lab/i18n.js";
import { REPORT_TEXT } from "../../src/lab/report-text.js";

const sink = { write: () => true };

/** Parses `line` as the `descent` binary would and returns what the demo's action was asked to do. */
async function demoSettingsOf(line: string): Promise<ReturnType<typeof demoSettings>> {
  const [binary, ...argv] = line.split(" ");
  assert.equal(binary, "descent", line);
  const program = buildProgram({ stdout: sink, stderr: sink });
  let asked: ReturnType<typeof demoSettings> | undefined;
  program.commands
    .find((c) => c.name() === "demo")!
    .action((opts) => {
      asked = demoSettings(opts);
    });
  await program.parseAsync(argv, { from: "user" });
  assert.ok(asked !== undefined, `${line} did not reach the demo command`);
  return asked;
}

describe("commands the reports print", () => {
  for (const mode of Object.keys(DEMO_MODES) as DemoMode[]) {
    for (const backend of ["arrays", "tfjs"] as const) {
      test(`the ${mode} ${backend} report's footer command exists and makes that report`, async () => {
        const seed = mode === "full" ? 4_294_967_295 : 3;
        const line = demoCommandLine(mode, backend, seed);
        for (const lang of LANGS) assert.ok(REPORT_TEXT[lang].footer(line).includes(line), lang);
        assert.deepEqual(await demoSettingsOf(line), { mode, backend, seed });
      });
    }
  }

  test("a command that does not exist is refused by the same parser (the old footer's --default)", async () => {
    await assert.rejects(demoSettingsOf("descent demo --default --seed 1"), /unknown option '--default'/);
  });
});
