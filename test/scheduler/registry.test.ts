// The scheduler registry is the one list: every scheduler the package exports has a row, torch's have
// recorded traces, and the CLI's schedules and the web designer's catalog are exactly its entries.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { CLI_SCHEDULES } from "../../src/cli/schedules.js";
import * as descent from "../../src/index.js";
import { LRScheduler, ParamScheduler } from "../../src/index.js";
import { SCHEDULER_REGISTRY } from "../../src/scheduler/registry.js";
import { SCHEDULES } from "../../web/src/schedule-catalog.js";

const exportedSchedulers = Object.entries(descent).filter(
  ([, value]) =>
    typeof value === "function" && (value.prototype instanceof LRScheduler || value === ParamScheduler),
);

describe("the scheduler registry", () => {
  test("every scheduler class the package exports has exactly one row, under its own name", () => {
    assert.ok(exportedSchedulers.length >= 17);
    for (const [name, cls] of exportedSchedulers) {
      const rows = SCHEDULER_REGISTRY.filter((r) => r.cls === cls);
      assert.equal(rows.length, 1, `${name} has ${rows.length} registry rows`);
      assert.equal(rows[0]!.name, name);
    }
    assert.equal(
      SCHEDULER_REGISTRY.length,
      exportedSchedulers.length,
      "a row names a class the package does not export",
    );
  });

  test("every row torch has is in the recorded torch traces; the others are not", () => {
    const fixture = JSON.parse(readFileSync("test/fixtures/torch/schedulers.json", "utf8")) as {
      cases: { schedulers: unknown }[];
    };
    const recorded = new Set<string>();
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x !== null && typeof x === "object") {
        const o = x as Record<string, unknown>;
        if (typeof o.type === "string") recorded.add(o.type);
        Object.values(o).forEach(walk);
      }
    };
    for (const c of fixture.cases) walk(c.schedulers);
    for (const row of SCHEDULER_REGISTRY) {
      assert.equal(recorded.has(row.name), row.torch, `${row.name} in test/fixtures/torch/schedulers.json`);
    }
  });

  test("the CLI schedules are the rows with a CLI entry, in order, and build that class", () => {
    const rows = SCHEDULER_REGISTRY.filter((r) => r.cli !== null);
    assert.deepEqual(
      Object.keys(CLI_SCHEDULES),
      rows.map((r) => r.cli!.id),
    );
    for (const row of rows) {
      const spec = CLI_SCHEDULES[row.cli!.id]!;
      assert.equal(spec.title, row.name);
      for (const key of spec.required)
        assert.ok(spec.takes.includes(key), `${row.name} requires ${key} it does not take`);
    }
  });

  test("the designer offers the rows with a designer entry, in order, and builds that class from its defaults", () => {
    const rows = SCHEDULER_REGISTRY.filter((r) => r.designer !== null);
    assert.deepEqual(
      SCHEDULES.map((s) => s.id),
      rows.map((r) => r.name),
    );
    for (const [i, spec] of SCHEDULES.entries()) {
      const optimizer = { paramGroups: [{ params: [], lr: 0.1, momentum: 0.9 }] };
      const values = Object.fromEntries(spec.options.map((o) => [o.key, o.default]));
      assert.ok(spec.make(optimizer as never, values, 50, 0.1) instanceof rows[i]!.cls);
    }
  });
});
