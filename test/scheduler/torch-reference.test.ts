// Every scheduler reference case recorded from PyTorch 2.6 (schedulers.json and project_schedulers.json):
// the lr of every group after construction and after every iteration, momentum / betas where cycled,
// getLastLr, lastEpoch, ReduceLROnPlateau's and CosineAnnealingWarmRestarts' internals, the keys the
// schedulers write into the groups, and the counters of torch's mid-run state dict, to 1e-12 relative.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CosineAnnealingWarmRestarts, LRScheduler, ReduceLROnPlateau } from "../../src/index.js";
import { camel, closeTo } from "../helpers/torch-reference.js";
import { buildCase, loadCases, type TorchSchedulerCase } from "./reference-cases.js";

const TOL = 1e-12;

function check(message: string | null): void {
  if (message !== null) assert.fail(message);
}

function compareEntry(c: TorchSchedulerCase, k: number, built: ReturnType<typeof buildCase>): void {
  const t = c.trace[k];
  assert.ok(t, `trace entry ${k}`);
  const groups = built.optimizer.paramGroups;
  const at = `${c.name} step ${k}`;
  check(
    closeTo(
      groups.map((g) => g.lr),
      t.lr,
      TOL,
      `${at} lr`,
    ),
  );
  if (t.momentum)
    check(
      closeTo(
        groups.map((g) => g.momentum as number),
        t.momentum,
        TOL,
        `${at} momentum`,
      ),
    );
  if (t.betas) {
    check(
      closeTo(
        groups.flatMap((g) => [...(g.betas as number[])]),
        t.betas.flat(),
        TOL,
        `${at} betas`,
      ),
    );
  }
  for (const [id, lastLr] of Object.entries(t.last_lr)) {
    check(closeTo((built.schedulers[id] as LRScheduler).getLastLr(), lastLr, TOL, `${at} ${id}.getLastLr()`));
  }
  for (const [id, epoch] of Object.entries(t.last_epoch)) {
    assert.equal((built.schedulers[id] as LRScheduler).lastEpoch, epoch, `${at} ${id}.lastEpoch`);
  }
  if (t.plateau) {
    const p = built.schedulers[c.step[0] as string] as ReduceLROnPlateau;
    assert.deepEqual(
      [p.best, p.numBadEpochs, p.cooldownCounter],
      [t.plateau.best, t.plateau.num_bad_epochs, t.plateau.cooldown_counter],
      `${at} plateau`,
    );
  }
  if (t.cawr) {
    const s = built.schedulers[c.step[0] as string] as CosineAnnealingWarmRestarts;
    check(closeTo([s.tCur, s.tI], [t.cawr.T_cur, t.cawr.T_i], TOL, `${at} tCur/tI`));
  }
}

const SCHEDULER_KEYS = ["initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "swa_lr"];

describe("schedulers match PyTorch 2.6 step for step", () => {
  const cases = loadCases();

  it("covers all 56 recorded cases", () => {
    assert.equal(cases.length, 56);
  });

  for (const { file, c } of cases) {
    it(`${c.name} (${file}) gives torch's lrs, last lrs and counters after every step`, () => {
      const built = buildCase(c);
      compareEntry(c, 0, built);
      for (let k = 1; k <= c.steps; k++) {
        built.iterate(k);
        compareEntry(c, k, built);
        if (k === c.checkpoint.after_step) {
          for (const [id, sd] of Object.entries(c.checkpoint.state_dicts)) {
            const ours = (built.schedulers[id] as LRScheduler).stateDict();
            if (typeof sd.last_epoch === "number")
              assert.equal(ours.lastEpoch, sd.last_epoch, `${id} last_epoch`);
            if (Array.isArray(sd.base_lrs))
              check(closeTo(ours.baseLrs as number[], sd.base_lrs, TOL, `${id} base_lrs`));
            // CosineAnnealingWarmRestarts never counts _step_count (its own step() skips it); nothing reads it
            if (typeof sd._step_count === "number" && sd._step_count > 0) {
              assert.equal(ours.stepCount, sd._step_count, `${id} _step_count`);
            }
          }
        }
      }
      c.final_param_groups.forEach((torchGroup, i) => {
        const group = built.optimizer.paramGroups[i] as Record<string, unknown>;
        for (const key of SCHEDULER_KEYS) {
          const has = key in torchGroup;
          assert.equal(group[camel(key)] !== undefined, has, `${c.name} group ${i} has ${key}: ${has}`);
          if (has)
            check(
              closeTo([group[camel(key)] as number], [torchGroup[key] as number], TOL, `group ${i} ${key}`),
            );
        }
      });
    });
  }
});
