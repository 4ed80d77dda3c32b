// Every scheduler case (all torch schedulers, SWALR, EMA/SWA averages) resumed from a checkpoint taken at
// every step k of a 12-step run, through saveCheckpoint/loadCheckpoint bytes with its optimizer and params,
// continues bit for bit. (The scheduler tests resume each scheduler alone from its JSON state dict; this is
// the whole training state together, loaded in the checkpoint's order: optimizer, then schedulers.)

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import type { Dtype } from "../../src/core/arena.js";
import { param } from "../../src/core/param.js";
import { sameBits, startValues, stateFingerprint, stepOnQuadratic } from "../helpers/conformance-table.js";
import { SCHEDULER_CASES } from "../reliability/scheduler-cases.js";

const STEPS = 12;

function run(c: (typeof SCHEDULER_CASES)[number], dtype: Dtype) {
  const params = [0, 1].map((k) => param(startValues(6, k), { dtype }));
  const built = c.build(params);
  const step = () => {
    stepOnQuadratic(built.optimizer, params);
    built.stepSchedulers();
  };
  const target = { params, optimizer: built.optimizer, schedulers: built.schedulers };
  return { params, target, step };
}

for (const c of SCHEDULER_CASES) {
  describe(`${c.name} resumed from a checkpoint`, () => {
    for (const dtype of ["float32", "float64"] as const) {
      it(`continues bit for bit from every step k of ${STEPS} (${dtype})`, () => {
        const straight = run(c, dtype);
        const snapshots: Uint8Array[] = [];
        for (let s = 0; s < STEPS; s++) {
          snapshots.push(saveCheckpoint(straight.target));
          straight.step();
        }
        const end = stateFingerprint({
          params: straight.params.map((p) => p.data.slice()),
          optimizer: straight.target.optimizer.stateDict(),
          schedulers: Object.values(straight.target.schedulers).map((s) => s.stateDict()),
        });
        snapshots.forEach((bytes, k) => {
          const resumed = run(c, dtype);
          loadCheckpoint(bytes, resumed.target);
          for (let s = k; s < STEPS; s++) resumed.step();
          resumed.params.forEach((p, i) => {
            assert.ok(sameBits(p.data, straight.params[i]!.data), `k = ${k}: param ${i} differs`);
          });
          const got = stateFingerprint({
            params: resumed.params.map((p) => p.data.slice()),
            optimizer: resumed.target.optimizer.stateDict(),
            schedulers: Object.values(resumed.target.schedulers).map((s) => s.stateDict()),
          });
          assert.deepEqual(got, end, `k = ${k}: state differs`);
        });
      });
    }
  });
}
