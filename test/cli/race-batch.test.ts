import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli } from "../../src/cli/program.js";
import { leastSquares, race, raceOptimizer } from "../../src/lab/index.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const sink = (add: (s: string) => void) => ({
    write: (s: string) => {
      add(s);
      return true;
    },
  });
  const code = await runCli(argv, {
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
  });
  return { code, stdout, stderr };
}

describe("descent race --batch-size", () => {
  test("races each optimizer at each batch size on least squares, and the numbers are the library's", async () => {
    const out = await cli(
      "race",
      "least-squares",
      "--optimizers",
      "sgd,adam",
      "--batch-size",
      "full,8,1",
      "--steps",
      "120",
      "--seed",
      "3",
      "--json",
    );
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.equal(result.examples, 48);
    assert.deepEqual(
      result.runs.map((r: { label: string; batchSize: number }) => [r.label, r.batchSize]),
      [
        ["sgd full", 48],
        ["sgd B=8", 8],
        ["sgd B=1", 1],
        ["adam full", 48],
        ["adam B=8", 8],
        ["adam B=1", 1],
      ],
    );
    const fn = leastSquares({ seed: 3 });
    const library = race(fn, [{ ...raceOptimizer("sgd", fn), batchSize: 8 }], { steps: 120, seed: 3 });
    assert.equal(result.runs[1].finalLoss, library.runs[0]!.summary.finalLoss);
  });

  test("--noise makes any surface a sum of examples; the full batch then matches the exact race", async () => {
    const noisy = await cli(
      "race",
      "booth",
      "--noise",
      "2",
      "--batch-size",
      "full",
      "--optimizers",
      "sgd",
      "--steps",
      "80",
      "--json",
    );
    const exact = await cli("race", "booth", "--optimizers", "sgd", "--steps", "80", "--json");
    assert.equal(noisy.code, 0, noisy.stderr);
    const a = JSON.parse(noisy.stdout).runs[0].finalLoss;
    const b = JSON.parse(exact.stdout).runs[0].finalLoss;
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
  });

  test("bad batch sizes, a surface without examples, and a bad --lang exit 2 naming the value", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["race", "elongated", "--batch-size", "4"],
        /--batch-size needs a sum of examples: use least-squares, or add --noise σ to elongated/,
      ],
      [["race", "least-squares", "--batch-size", "49"], /--batch-size 49 is larger than the 48 examples/],
      [["race", "least-squares", "--batch-size", "0"], /--batch-size must be an integer ≥ 1, got "0"/],
      [["race", "least-squares", "--batch-size", "8,8"], /--batch-size lists a size twice: 8,8/],
      [["race", "booth", "--noise", "-1", "--batch-size", "1"], /--noise must be non-negative, got -1/],
      [["race", "booth", "--examples", "10"], /--examples needs --noise/],
      [["race", "booth", "--lang", "fr"], /--lang: unknown language "fr"; valid languages: en, ko/],
    ];
    for (const [argv, message] of cases) {
      const out = await cli(...argv);
      assert.equal(out.code, 2, argv.join(" "));
      assert.match(out.stderr, message);
    }
  });

  test("--lang ko writes Korean figures; --loss-out and --steps-out write the loss and effective-step figures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-cli-"));
    try {
      const paths = ["r.svg", "loss.svg", "steps.svg"].map((f) => join(dir, f));
      const out = await cli(
        "race",
        "least-squares",
        "--optimizers",
        "adagrad,rmsprop",
        "--batch-size",
        "full,1",
        "--steps",
        "60",
        "--lang",
        "ko",
        "--out",
        paths[0]!,
        "--loss-out",
        paths[1]!,
        "--steps-out",
        paths[2]!,
      );
      assert.equal(out.code, 0, out.stderr);
      const [paths$, loss, steps] = paths.map((p) => readFileSync(p, "utf8"));
      assert.ok(paths$!.includes("최소제곱") && paths$!.includes("60 스텝"));
      assert.ok(loss!.includes("스텝별 loss"));
      assert.ok(steps!.includes("실효 스텝 크기") && steps!.includes("adagrad full · w"));
      for (const p of paths) assert.ok(out.stdout.includes(`저장함: ${p}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
