// The schedule designer's chart must be the sequence its generated code produces. For every schedule alone
// and every ordered pair of them (SequentialLR), the generated TypeScript is run (its one import of
// "descent-optim" pointed at the sources, as the README test does) and so is the generated PyTorch (with
// Debian's torch; skipped with the reason where it is not installed), with `params` and a `train` that
// records the group's lr and momentum before each scheduler step; both must equal the chart's data.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  type Design,
  preview,
  pytorchCode,
  SCHEDULES,
  type ScheduleSpec,
  typescriptCode,
} from "../../web/src/schedule-catalog.js";
import { plainEnv } from "../helpers/child-env.js";
import { ROOT, torchPython } from "../torch/helpers.js";

const defaults = (spec: ScheduleSpec) => ({
  spec,
  values: Object.fromEntries(spec.options.map((o) => [o.key, o.default])),
});
const byId = (id: string) => SCHEDULES.find((s) => s.id === id)!;

/** Every schedule alone, then every ordered pair switching at step 15 of 40; the case first. */
const designs: Design[] = [
  {
    lr: 0.1,
    momentum: 0.9,
    steps: 30,
    milestone: 10,
    first: defaults(byId("LinearLR")),
    next: defaults(byId("OneCycleLR")),
  },
  ...SCHEDULES.map((s) => ({
    lr: 0.1,
    momentum: 0.9,
    steps: 40,
    milestone: 0,
    first: defaults(s),
    next: null,
  })),
  ...SCHEDULES.flatMap((a) =>
    SCHEDULES.map((b) => ({
      lr: 0.05,
      momentum: 0.8,
      steps: 40,
      milestone: 15,
      first: defaults(a),
      next: defaults(b),
    })),
  ),
];
const name = (d: Design) => (d.next === null ? d.first.spec.id : `${d.first.spec.id} then ${d.next.spec.id}`);

type Trace = { lr: number[]; momentum: number[] };

/**
 * Designs whose code this torch runs differently from torch 2.x, which descent follows: the reason, or null.
 * torch 2.x's CyclicLR writes max_momentum and base_momentum into the param group, where a OneCycleLR made
 * before it reads its own (so it cycles 0.9 to 0.8, not 0.95 to 0.85); 1.13's keeps them on the scheduler.
 */
function torchCannotFollow(version: string, d: Design): string | null {
  if (version.startsWith("1.") && d.first.spec.id === "OneCycleLR" && d.next?.spec.id === "CyclicLR") {
    return "torch 1.13's CyclicLR does not write max_momentum/base_momentum into the group (2.x does)";
  }
  return null;
}

/** Equal to float64 rounding of the 12 significant digits the code prints its option values with. */
function assertSameSequence(actual: Trace, d: Design, who: string): void {
  const chart = preview(d);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-10 * Math.max(Math.abs(a), Math.abs(b));
  assert.equal(actual.lr.length, d.steps, `${name(d)}: ${who} ran ${actual.lr.length} epochs`);
  for (let t = 0; t < d.steps; t++) {
    assert.ok(
      close(actual.lr[t]!, chart.lr[t]!),
      `${name(d)} lr[${t}]: ${who} ${actual.lr[t]}, chart ${chart.lr[t]}`,
    );
    assert.ok(
      close(actual.momentum[t]!, chart.momentum[t]!),
      `${name(d)} momentum[${t}]: ${who} ${actual.momentum[t]}, chart ${chart.momentum[t]}`,
    );
  }
}

describe("the schedule designer's chart is what its generated code does", () => {
  test("the chart of LinearLR then OneCycleLR peaks at the lr the code passes as maxLr (0.1, was 0.033)", () => {
    const chart = preview(designs[0]!);
    assert.ok(Math.abs(Math.max(...chart.lr) - 0.1) < 1e-15, `peak ${Math.max(...chart.lr)}`);
    assert.match(typescriptCode(designs[0]!), /new OneCycleLR\(optimizer, \{ maxLr: lr,/);
  });

  test(`the generated TypeScript, run with descent, gives the chart's lr and momentum (${designs.length} designs)`, () => {
    const cache = join(ROOT, "node_modules", ".cache", "descent-schedule-code");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "run-"));
    try {
      writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
      const index = JSON.stringify(pathToFileURL(join(ROOT, "src", "index.ts")).href);
      designs.forEach((d, i) => {
        const code = typescriptCode(d);
        const [importLine, ...body] = code.split("\n");
        assert.match(importLine!, /^import \{ [A-Za-z, ]+ \} from "descent-optim";$/, name(d));
        assert.ok(!body.some((line) => line.includes("descent-optim")), `${name(d)}: one import`);
        const program = [
          importLine!.replace('"descent-optim"', index),
          // what the code leaves to the reader: the params, and a training step that records the group
          `import { param } from ${index};`,
          "const params = [param([0])];",
          "export const trace = { lr: [], momentum: [] };",
          "const train = (o) => { trace.lr.push(o.paramGroups[0].lr); trace.momentum.push(o.paramGroups[0].momentum); };",
          ...body,
        ];
        writeFileSync(join(dir, `design${i}.ts`), program.join("\n"));
      });
      writeFileSync(
        join(dir, "main.ts"),
        `const traces = [];\nfor (let i = 0; i < ${designs.length}; i++) traces.push((await import(\`./design\${i}.ts\`)).trace);\nconsole.log(JSON.stringify(traces));\n`,
      );
      const run = spawnSync(process.execPath, ["--import", "tsx", join(dir, "main.ts")], {
        cwd: ROOT,
        encoding: "utf8",
        env: plainEnv(),
      });
      assert.equal(run.status, 0, run.stderr);
      const traces = JSON.parse(run.stdout) as Trace[];
      for (const [i, d] of designs.entries()) assertSameSequence(traces[i]!, d, "the TypeScript");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const python = torchPython();
  test(
    `the generated PyTorch, run with torch, gives the chart's lr and momentum (${designs.length} designs)`,
    "skip" in python ? { skip: python.skip } : {},
    (t) => {
      if ("skip" in python) return;
      const script = [
        "import json, sys, warnings",
        "import torch",
        // train() does not step the optimizer, so torch warns that the scheduler stepped first
        'warnings.simplefilter("ignore")',
        "traces = []",
        "for code in json.load(sys.stdin):",
        '    trace = {"lr": [], "momentum": []}',
        "    def train(o, trace=trace):",
        '        trace["lr"].append(o.param_groups[0]["lr"])',
        '        trace["momentum"].append(o.param_groups[0]["momentum"])',
        '    eval(compile(code, "<design>", "exec"), {"params": [torch.zeros(1, requires_grad=True)], "train": train})',
        "    traces.append(trace)",
        "print(json.dumps(traces))",
      ].join("\n");
      const run = spawnSync(python.command[0]!, [...python.command.slice(1), "-c", script], {
        input: JSON.stringify(designs.map(pytorchCode)),
        encoding: "utf8",
        env: plainEnv(),
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(run.status, 0, run.stderr);
      // the last line: a chroot's torch may print warnings of its own to stdout first
      const traces = JSON.parse(run.stdout.trim().split("\n").pop()!) as Trace[];
      designs.forEach((d, i) => {
        const reason = torchCannotFollow(python.version, d);
        if (reason === null) assertSameSequence(traces[i]!, d, `torch ${python.version}`);
        else t.diagnostic(`${name(d)} not compared: ${reason}`);
      });
    },
  );
});
