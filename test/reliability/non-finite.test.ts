// What every optimizer does with a NaN or infinite gradient. A plain step propagates it into the params,
// as torch does (no error, no silent skip: the damage is visible); SkipNonFinite over the same optimizer
// skips the step leaving params and state bit-identical, or refuses it with onNonFinite: "error".

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { param } from "../../src/core/param.js";
import { SkipNonFinite } from "../../src/optim/skip-non-finite.js";
import {
  CONFORMANCE,
  type ConformanceRow,
  quadraticGrad,
  startValues,
  stateFingerprint,
  stepOnQuadratic,
} from "../helpers/conformance-table.js";

function setup(row: ConformanceRow) {
  const shape = row.shape ?? [6];
  const n = shape.reduce((a, b) => a * b, 1);
  const params = [0, 1].map((k) => param(startValues(n, k), { shape: [...shape], dtype: "float64" }));
  return { params, n };
}

/** Sets the quadratic's grads with one bad element in the first param. */
function poisonedGrads(params: ReturnType<typeof setup>["params"], bad: number): number {
  const loss = quadraticGrad(params);
  params[0]!.grad![0] = bad;
  return loss;
}

const snapshot = (params: ReturnType<typeof setup>["params"]) =>
  stateFingerprint(params.map((p) => p.data.slice()));

for (const row of CONFORMANCE) {
  describe(`${row.name} with non-finite gradients`, () => {
    const skips = row.name.startsWith("SkipNonFinite");
    it(
      skips
        ? "skips a NaN step (it is the skipping wrapper)"
        : "a plain step propagates a NaN gradient into the params, as torch does (no error)",
      () => {
        const { params } = setup(row);
        const opt = row.make(params, row.validOptions);
        stepOnQuadratic(opt, params);
        for (let k = 0; k < (row.stepsPerUpdate ?? 1); k++) {
          poisonedGrads(params, Number.NaN);
          opt.step(() => poisonedGrads(params, Number.NaN));
        }
        assert.equal(
          Number.isNaN(params[0]!.data[0]!),
          !skips,
          `param[0] is ${params[0]!.data[0]} after a NaN gradient`,
        );
      },
    );

    it("SkipNonFinite skips a NaN or ±Infinity step bit for bit and counts it; 'error' refuses it", () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const { params } = setup(row);
        const opt = new SkipNonFinite(row.make(params, row.validOptions));
        stepOnQuadratic(opt, params);
        const data = snapshot(params);
        const state = stateFingerprint(opt.inner.stateDict());
        poisonedGrads(params, bad);
        opt.step(() => poisonedGrads(params, bad));
        assert.equal(opt.skipped, 1, `${bad}`);
        assert.deepEqual(snapshot(params), data, `${bad}: params changed`);
        assert.deepEqual(stateFingerprint(opt.inner.stateDict()), state, `${bad}: inner state changed`);

        opt.onNonFinite = "error";
        assert.throws(() => opt.step(() => poisonedGrads(params, bad)), /non-finite|NaN|Infinity/i);
        assert.deepEqual(snapshot(params), data, `${bad}: a refused step changed params`);
        // and it trains on once the gradients are finite again
        opt.onNonFinite = "skip";
        stepOnQuadratic(opt, params);
        assert.notDeepEqual(snapshot(params), data);
      }
    });
  });
}
