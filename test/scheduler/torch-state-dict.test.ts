// A run started in PyTorch continues in descent: torch's mid-run state dict of every reference case,
// loaded into freshly built schedulers over a fresh optimizer, gives torch's lrs for the rest of the run.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CosineAnnealingLR, fromTorchStateDict, type LRScheduler } from "../../src/index.js";
import { closeTo } from "../helpers/torch-reference.js";
import { buildCase, loadCases } from "./reference-cases.js";
import { sgd } from "./optimizers.js";

describe("fromTorchStateDict", () => {
  for (const { c } of loadCases()) {
    it(`${c.name}: torch's state dict at step ${c.checkpoint.after_step} continues with torch's lrs`, () => {
      const run = buildCase(c);
      for (const [id, torchState] of Object.entries(c.checkpoint.state_dicts)) {
        const s = run.schedulers[id] as LRScheduler;
        s.loadStateDict(JSON.parse(JSON.stringify(fromTorchStateDict(s, torchState))));
      }
      const at = c.checkpoint.after_step;
      const lr = run.optimizer.paramGroups.map((g) => g.lr);
      assert.equal(closeTo(lr, c.trace[at]!.lr, 1e-12, `${c.name} restored lr`), null);
      for (let k = at + 1; k <= c.steps; k++) {
        run.iterate(k);
        const got = run.optimizer.paramGroups.map((g) => g.lr);
        assert.equal(closeTo(got, c.trace[k]!.lr, 1e-12, `${c.name} step ${k} lr`), null);
        const t = c.trace[k]!;
        if (t.momentum) {
          const m = run.optimizer.paramGroups.map((g) => g.momentum as number);
          assert.equal(closeTo(m, t.momentum, 1e-12, `${c.name} step ${k} momentum`), null);
        }
      }
    });
  }

  it("names a missing torch key and refuses a non-object", () => {
    const s = new CosineAnnealingLR(sgd(), { tMax: 5 });
    assert.throws(
      () => fromTorchStateDict(s, { last_epoch: 3 }),
      /the torch state dict has no '_step_count'/,
    );
    assert.throws(() => fromTorchStateDict(s, null), /expected torch's state dict object, got null/);
  });
});
