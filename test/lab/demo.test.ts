import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DEMO_MODES, demoEntries, runDemo } from "../../src/lab/index.js";
import { plainEnv } from "../helpers/child-env.js";

const count = (s: string, needle: string) => s.split(needle).length - 1;

describe("demo", () => {
  test("`descent demo --quick` trains all six optimizers and writes a self-contained report with every figure", () => {
    const dir = mkdtempSync(join(tmpdir(), "descent-demo-"));
    try {
      const out = spawnSync(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "demo", "--quick", "--out-dir", dir, "--json"],
        {
          encoding: "utf8",
          env: plainEnv(),
        },
      );
      assert.equal(out.status, 0, out.stderr);
      const summary = JSON.parse(out.stdout);
      assert.equal(summary.mode, "quick");
      assert.equal(summary.runs.length, 6);
      for (const run of summary.runs) {
        assert.ok(run.testAccuracy > 0.3 && run.testAccuracy <= 1, `${run.optimizer}: ${run.testAccuracy}`);
        assert.ok(Number.isFinite(run.trainLoss) && run.seconds >= 0);
      }
      const html = readFileSync(join(dir, "index.html"), "utf8");
      // in the note's order: EWMA and bias correction; batch-size paths and losses; the plateau race;
      // Adagrad vs RMSprop steps; the elongated bowl's paths and steps; the Rosenbrock race; loss, batch
      // accuracy and test accuracy; ExponentialLR/MultiStepLR, lr and momentum
      assert.equal(count(html, "<svg"), 2 + 2 + 1 + 1 + 2 + 1 + 3 + 3);
      assert.equal(count(html, "<figcaption>"), 15);
      assert.equal(count(html, 'aria-label="contour"'), 4);
      const lines = [3 + 2, 3 + 3, 5, 2 * 2, 3 + 3 * 2, 5, 6 * 2 + 6 * 2 + 6, 2 + 6 + 1];
      assert.equal(
        count(html, 'aria-label="line"'),
        lines.reduce((a, b) => a + b),
      );
      const headings = [...html.matchAll(/<h2>(\d)\./g)].map((m) => Number(m[1]));
      assert.deepEqual(headings, [1, 2, 3, 4, 5, 6, 7, 8]);
      for (const entry of demoEntries()) assert.ok(html.includes(entry.label), entry.label);
      // the summary (header + 6 runs) and two race tables (header + 5 optimizers each)
      assert.equal(count(html, "<tr>"), 1 + 6 + 2 * (1 + 5));
      assert.ok(html.includes("<td>plateau</td>") && html.includes("<td>converged</td>"));
      assert.match(html, /<td class="n">\d+\.\d%<\/td>/);
      assert.ok(html.includes("β = 0.98"));
      assert.ok(!/<script|src="http/.test(html), "the report loads nothing from outside");
      // the Korean report: the same figures, the note's terms, links both ways
      const ko = readFileSync(join(dir, "index.ko.html"), "utf8");
      assert.equal(count(ko, "<svg"), 15);
      assert.ok(ko.includes('<html lang="ko">'));
      for (const term of [
        "지수 가중 평균",
        "편향 보정",
        "모멘텀",
        "미니배치",
        "전체 배치",
        "Local Minimum",
        "Plateau",
      ]) {
        assert.ok(ko.includes(term), term);
      }
      assert.ok(ko.includes('href="index.html"') && html.includes('href="index.ko.html"'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the default mode stays within the 3-minute budget's work: at most 8 epochs of 8000 digits per optimizer", () => {
    // measured: ~1 s per epoch of 8000 digits on one loaded core, so 6 × 8 epochs ≈ 1 minute
    const d = DEMO_MODES.default;
    assert.ok(d.train * d.epochs <= 64_000);
    assert.ok(DEMO_MODES.quick.train * DEMO_MODES.quick.epochs <= 4000);
    assert.ok(DEMO_MODES.full.train * DEMO_MODES.full.epochs > d.train * d.epochs);
  });

  test("runDemo names the valid modes and backends for an unknown one", async () => {
    await assert.rejects(
      runDemo({ mode: "huge" as never }),
      /unknown mode "huge"; valid modes: quick, default, full/,
    );
    await assert.rejects(
      runDemo({ mode: "quick", backend: "gpu" as never }),
      /unknown backend "gpu"; valid backends: arrays, tfjs/,
    );
  });

  test("one of the six runs has a scheduler, and they cover SGD, momentum, Adagrad, RMSprop, Adam and AdamW", () => {
    const entries = demoEntries();
    assert.equal(entries.length, 6);
    assert.equal(entries.filter((e) => e.scheduler !== undefined).length, 1);
    const names = entries.map((e) => e.label.split(" ")[0]);
    assert.deepEqual(names, ["SGD", "SGD+momentum", "Adagrad", "RMSprop", "Adam", "AdamW"]);
  });
});
