// Exact resume: for every reference case and every k, a run stopped after k iterations, its schedulers'
// state dicts sent through JSON, and loaded into a fresh optimizer with freshly built schedulers, continues
// with the identical lrs (bit for bit), momentum/betas and last lrs as the run that never stopped. This
// includes SequentialLR warmup → cosine, which torch restores wrongly (torch #65342, #60265).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LRScheduler, SchedulerStateDict } from "../../src/index.js";
import { type BuiltCase, buildCase, loadCases } from "./reference-cases.js";

function snapshot(run: BuiltCase, stepped: readonly string[]): unknown {
  return {
    groups: run.optimizer.paramGroups.map((g) => [g.lr, g.momentum, g.betas]),
    lastLr: stepped.map((id) => (run.schedulers[id] as LRScheduler).getLastLr()),
  };
}

describe("a scheduler restored from its state dict continues the identical sequence", () => {
  for (const { c } of loadCases()) {
    it(`${c.name} resumes exactly after every k`, () => {
      const straight = buildCase(c);
      const expected = [snapshot(straight, c.step)];
      for (let k = 1; k <= c.steps; k++) {
        straight.iterate(k);
        expected.push(snapshot(straight, c.step));
      }
      for (let k = 0; k <= c.steps; k++) {
        const first = buildCase(c);
        for (let j = 1; j <= k; j++) first.iterate(j);
        const saved = JSON.parse(
          JSON.stringify(
            Object.fromEntries(Object.entries(first.schedulers).map(([id, s]) => [id, s.stateDict()])),
          ),
        ) as Record<string, SchedulerStateDict>;
        const resumed = buildCase(c);
        for (const [id, s] of Object.entries(resumed.schedulers))
          s.loadStateDict(saved[id] as SchedulerStateDict);
        assert.deepEqual(snapshot(resumed, c.step), expected[k], `${c.name}: restored at k=${k}`);
        for (let j = k + 1; j <= c.steps; j++) {
          resumed.iterate(j);
          assert.deepEqual(snapshot(resumed, c.step), expected[j], `${c.name}: resumed at k=${k}, step ${j}`);
        }
      }
    });
  }
});
