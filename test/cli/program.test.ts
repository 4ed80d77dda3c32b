import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { formatTable, runCli } from "../../src/cli/program.js";
import { plainEnv } from "../helpers/child-env.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
  });
  return { code, stdout, stderr };
}

describe("descent CLI", () => {
  test("--help works on the program and every command, exit code 0", async () => {
    for (const argv of [
      ["--help"],
      ["race", "--help"],
      ["ewma", "--help"],
      ["schedule", "--help"],
      ["demo", "--help"],
    ]) {
      const r = await cli(...argv);
      assert.equal(r.code, 0, argv.join(" "));
      assert.match(r.stdout, /Usage: descent/);
    }
    assert.match((await cli("race", "--help")).stdout, /rosenbrock, beale, himmelblau/);
  });

  test("an unknown surface exits 2 and lists the valid names", async () => {
    const r = await cli("race", "rosenbock");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown test function "rosenbock"; valid names: rosenbrock, .*styblinski-tang/);
  });

  test("an unknown optimizer, a malformed number or a bad --out extension exits 2 naming the value", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["race", "booth", "--optimizers", "sgd,adamm"],
        /unknown optimizer "adamm"; valid names: sgd, momentum/,
      ],
      [["race", "booth", "--steps", "ten"], /--steps must be a number, got "ten"/],
      [["race", "booth", "--steps", "0"], /--steps must be an integer from 1 to 100000, got "0"/],
      [["race", "booth", "--start", "1"], /--start must be x,y, got "1"/],
      [["race", "booth", "--out", "race.jpg"], /--out must end in .svg or .png, got "race.jpg"/],
      [["ewma", "--beta", "0.5,1.2"], /--beta values must be in \[0, 1\), got 1.2/],
      [["schedule", "cosinus"], /unknown schedule "cosinus"; valid names: onecycle, cosine, warm-restarts/],
      [["schedule", "onecycle", "--max-lr", "0.1"], /onecycle needs --total-steps/],
      [
        ["schedule", "step", "--step-size", "5", "--max-lr", "1"],
        /--max-lr does not apply to step; it takes: --step-size, --gamma/,
      ],
      [["schedule", "multistep", "--milestones", "3,x"], /--milestones must be a number, got "x"/],
      [
        ["schedule", "onecycle", "--max-lr", "-1", "--total-steps", "10"],
        /OneCycleLR: Invalid maxLr\[0\]: -1/,
      ],
      [["demo", "--seed", "x"], /--seed must be a number, got "x"/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.stderr, message);
    }
  });

  test("parse errors (unknown option, missing argument, conflicting modes, no command) exit 2", async () => {
    for (const argv of [
      ["race", "booth", "--bogus"],
      ["race"],
      ["demo", "--quick", "--full"],
      [],
      ["frobnicate"],
    ]) {
      const r = await cli(...argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.ok(r.stderr.length > 0);
    }
  });

  test("race prints a table with each optimizer's outcome and reason; --json gives the summaries", async () => {
    const text = await cli("race", "plateau", "--optimizers", "sgd,adam", "--steps", "200");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /sgd .* plateau/);
    assert.match(text.stdout, /adam .* converged/);
    const j = await cli(
      "race",
      "plateau",
      "--optimizers",
      "sgd,adam",
      "--steps",
      "200",
      "--json",
      "--trajectories",
    );
    const parsed = JSON.parse(j.stdout);
    assert.deepEqual(
      parsed.runs.map((r: { label: string; outcome: string }) => [r.label, r.outcome]),
      [
        ["sgd", "plateau"],
        ["adam", "converged"],
      ],
    );
    assert.equal(parsed.runs[0].trajectory.x.length, 201);
  });

  test("race --optimizers takes name@lr, so one optimizer can race itself at several learning rates", async () => {
    const r = JSON.parse(
      (await cli("race", "elongated", "--optimizers", "sgd@0.3,sgd@0.6,adam", "--steps", "300", "--json"))
        .stdout,
    );
    assert.deepEqual(
      r.runs.map((x: { label: string; lr: number; outcome: string }) => [x.label, x.lr, x.outcome]),
      [
        ["sgd@0.3", 0.3, "converged"],
        ["sgd@0.6", 0.6, "diverged"],
        ["adam", 0.3, "converged"],
      ],
    );
    const dup = await cli("race", "booth", "--optimizers", "sgd,sgd");
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /lists "sgd" twice/);
    const badLr = await cli("race", "booth", "--optimizers", "sgd@fast");
    assert.equal(badLr.code, 2);
    assert.match(badLr.stderr, /the lr of sgd must be a number, got "fast"/);
  });

  test("list names every surface and race optimizer; race --optimizers all races them all", async () => {
    const listed = JSON.parse((await cli("list", "--json")).stdout);
    assert.equal(listed.surfaces.length, 10);
    assert.ok(listed.optimizers.some((o: { name: string }) => o.name === "lbfgs"));
    assert.match((await cli("list")).stdout, /styblinski-tang/);
    const all = JSON.parse(
      (await cli("race", "booth", "--optimizers", "all", "--steps", "20", "--json")).stdout,
    );
    assert.equal(all.runs.length, listed.optimizers.length);
  });

  test("race --out writes an SVG or a PNG figure", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-cli-"));
    try {
      assert.equal((await cli("race", "booth", "--steps", "50", "--out", join(dir, "r.svg"))).code, 0);
      assert.match(readFileSync(join(dir, "r.svg"), "utf8"), /^<svg/);
      assert.equal((await cli("race", "booth", "--steps", "50", "--out", join(dir, "r.png"))).code, 0);
      assert.equal(readFileSync(join(dir, "r.png")).subarray(1, 4).toString(), "PNG");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("ewma --json returns each β's average; with --bias-correction the first value equals the data", async () => {
    const r = await cli("ewma", "--beta", "0.5,0.9", "--bias-correction", "--length", "20", "--json");
    const parsed = JSON.parse(r.stdout);
    assert.equal(parsed.averages.length, 2);
    assert.equal(parsed.averages[1].values[0], parsed.series[0]);
    const raw = JSON.parse((await cli("ewma", "--beta", "0.9", "--length", "5", "--json")).stdout);
    assert.ok(Math.abs(raw.averages[0].values[0] - 0.1 * raw.series[0]) < 1e-12);
  });

  test("ewma --input averages the numbers of a file and names a token that is not a number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-cli-"));
    try {
      writeFileSync(join(dir, "s.txt"), "1, 2\n3 4\n");
      const parsed = JSON.parse(
        (await cli("ewma", "--beta", "0.5", "--input", join(dir, "s.txt"), "--json")).stdout,
      );
      assert.deepEqual(parsed.averages[0].values, [0.5, 1.25, 2.125, 3.0625]);
      const text = await cli("ewma", "--beta", "0.5", "--input", join(dir, "s.txt"));
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /t=4/);
      assert.match(text.stdout, /0\.5 .* 0\.50 .* 3\.06/);
      writeFileSync(join(dir, "bad.txt"), "1 2 x3");
      const bad = await cli("ewma", "--input", join(dir, "bad.txt"));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /value 3 is not a number: "x3"/);
      const missing = await cli("ewma", "--input", join(dir, "nope.txt"));
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read --input/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("schedule onecycle prints the lr and momentum curve; --json has every step", async () => {
    const r = await cli("schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "1000", "--json");
    const parsed = JSON.parse(r.stdout);
    assert.equal(parsed.lr.length, 1000);
    assert.ok(Math.abs(parsed.lr[0] - 0.004) < 1e-15);
    assert.ok(Math.abs(Math.max(...parsed.lr) - 0.1) < 1e-12);
    assert.ok(Math.abs(parsed.momentum[0] - 0.95) < 1e-15);
    const text = await cli("schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "100");
    assert.match(text.stdout, /step\s+lr\s+momentum/);
    const cosine = JSON.parse(
      (await cli("schedule", "cosine", "--t-max", "10", "--steps", "11", "--json")).stdout,
    );
    assert.equal(cosine.scheduler, "CosineAnnealingLR");
    assert.equal(cosine.lr.length, 11);
    assert.ok(Math.abs(cosine.lr[10]) < 1e-15);
    assert.equal(cosine.momentum, undefined); // not cycled
    const bad = await cli(
      "schedule",
      "onecycle",
      "--max-lr",
      "0.1",
      "--total-steps",
      "10",
      "--pct-start",
      "2",
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /pct_start|pctStart/);
  });

  test("the real binary exits 2 on bad input and 0 on --help", () => {
    const run = (...argv: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...argv], {
        encoding: "utf8",
        env: plainEnv(),
      });
    const bad = run("race", "nowhere");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /valid names: rosenbrock/);
    assert.equal(run("--help").status, 0);
  });

  test("formatTable aligns columns", () => {
    assert.equal(formatTable(["a", "bb"], [["xyz", "1"]]), "a    bb\n───  ──\nxyz   1");
  });

  test("formatTable counts Hangul as two terminal columns, so Korean tables line up", () => {
    assert.equal(
      formatTable(
        ["결과", "n"],
        [
          ["수렴", "1"],
          ["x", "22"],
        ],
      ),
      "결과   n\n────  ──\n수렴   1\nx     22",
    );
  });

  test("race --lang ko prints Korean headers, outcomes and verdicts, with the English run's numbers", async () => {
    const argv = ["race", "plateau", "--optimizers", "sgd,adam", "--steps", "200"];
    const en = await cli(...argv);
    const ko = await cli(...argv, "--lang", "ko");
    assert.equal(ko.code, 0, ko.stderr);
    const [enLines, koLines] = [en.stdout.split("\n"), ko.stdout.split("\n")];
    assert.equal(koLines.length, enLines.length);
    assert.match(koLines[0]!, /^Plateau와 절벽, 출발점 \(-1\.4, 0\.6\), 200 스텝: /);
    assert.match(koLines[2]!, /^optimizer +lr +마지막 loss +최솟값까지 거리 +허용오차까지 스텝 +결과$/);
    assert.match(ko.stdout, /sgd .* Plateau에서 정체\n/);
    assert.match(ko.stdout, /adam .* 수렴\n/);
    // the table's columns end at the same terminal column in every row
    const table = koLines.slice(2, 6);
    const width = (line: string) => [...line].reduce((w, ch) => w + (/[\uac00-\ud7a3]/.test(ch) ? 2 : 1), 0);
    assert.equal(new Set(table.map(width)).size, 1, table.join("\n"));
    // one verdict line per run, the same numbers as the English one
    const numbersOf = (line: string) => (line.match(/-?\d+(?:\.\d+)?(?:e[+-]\d+)?/g) ?? []).sort();
    for (const label of ["sgd", "adam"]) {
      const enLine = enLines.find((l) => l.startsWith(`${label}: `))!;
      const koLine = koLines.find((l) => l.startsWith(`${label}: `))!;
      assert.match(koLine, /[\uac00-\ud7a3]/, koLine);
      assert.deepEqual(numbersOf(koLine), numbersOf(enLine), `${enLine} / ${koLine}`);
    }
    assert.match(koLines.find((l) => l.startsWith("sgd: "))!, /평평한 곳\(Plateau\)에서 멈췄다/);
  });

  test("ewma and schedule --lang ko print Korean headers and notes", async () => {
    const ewma = await cli("ewma", "--length", "8", "--lang", "ko");
    assert.equal(ewma.code, 0, ewma.stderr);
    assert.match(ewma.stdout, /^β +≈ 평균 개수 1\/\(1−β\) +t=1/);
    assert.match(ewma.stdout, /\n데이터 +16\.57/);
    assert.match(ewma.stdout, /편향 보정 없음/);
    assert.match(
      (await cli("ewma", "--length", "8", "--bias-correction", "--lang", "ko")).stdout,
      /\(편향 보정: /,
    );
    const schedule = await cli(
      "schedule",
      "onecycle",
      "--max-lr",
      "0.1",
      "--total-steps",
      "20",
      "--lang",
      "ko",
    );
    assert.equal(schedule.code, 0, schedule.stderr);
    assert.match(schedule.stdout, /^스텝 +lr +모멘텀\n/);
    const english = await cli("schedule", "onecycle", "--max-lr", "0.1", "--total-steps", "20");
    // the same numbers under either header
    const cells = (out: string) =>
      out
        .split("\n")
        .slice(2)
        .map((line) => line.trim().split(/ +/));
    assert.deepEqual(cells(schedule.stdout), cells(english.stdout));
  });
});
