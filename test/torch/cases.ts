// The optimizer and scheduler reference cases (test/fixtures/torch/*.json) driven through torch files:
// build descent's optimizer for a case, replay recorded gradients, continue from a torch run, compare.

import assert from "node:assert/strict";
import type { Optimizer, Param, ParamGroupInit } from "../../src/index.js";
import { param } from "../../src/index.js";
import { fromTorchOptimizerState, loadTorchRun, TorchTensor } from "../../src/torch/index.js";
import { fromTorchStateDict } from "../../src/scheduler/torch-state-dict.js";
import { OPTIMIZERS } from "../helpers/optimizers.js";
import { camelOptions, closeTo, loadFixture } from "../helpers/torch-reference.js";
import { buildCase, loadCases, type TorchSchedulerCase } from "../scheduler/reference-cases.js";

export interface OptimizerCase {
  name: string;
  optimizer: string;
  dtype: "float64" | "float32";
  options: Record<string, unknown>;
  param_groups: Array<{ params: number[] } & Record<string, unknown>>;
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  steps: number;
  closure: boolean;
  trace: Array<{
    grads: Array<number[] | null>;
    params: number[][];
    closure_evals?: Array<{ loss: number; grads: number[][] }>;
  }>;
}

export const optimizerCases: Map<string, OptimizerCase> = new Map(
  ["optimizers.json", "optimizers_float32.json"]
    .flatMap((f) => loadFixture<{ cases: OptimizerCase[] }>(f).cases)
    .map((c) => [c.name, c]),
);

export const schedulerCases: Map<string, TorchSchedulerCase> = new Map(
  loadCases().map(({ c }) => [c.name, c]),
);

/** Agreement asked of a run that crossed between torch and descent: float64 1e-12, float32's rounding. */
export const TOLERANCE = { float64: { param: 1e-12, state: 1e-12 }, float32: { param: 1e-5, state: 1e-4 } };

export function buildOptimizer(c: OptimizerCase): { params: Param[]; opt: Optimizer } {
  const params = c.params.map((p) => param(p.init, { shape: p.shape, name: p.name, dtype: c.dtype }));
  const groups: ParamGroupInit[] = c.param_groups.map(({ params: idx, ...rest }) => ({
    params: idx.map((i) => params[i]!),
    ...camelOptions(rest),
  }));
  return { params, opt: OPTIMIZERS[c.optimizer]!(groups, camelOptions(c.options)) };
}

function setGrads(params: Param[], grads: Array<number[] | null>): void {
  params.forEach((p, i) => {
    const g = grads[i];
    p.grad =
      g === null || g === undefined
        ? null
        : p.data instanceof Float32Array
          ? Float32Array.from(g)
          : Float64Array.from(g);
  });
}

/** Steps start+1 … end, fed torch's recorded gradients (and LBFGS's closure values, in call order). */
export function replay(c: OptimizerCase, params: Param[], opt: Optimizer, start: number, end: number): void {
  for (const entry of c.trace.slice(start, end)) {
    if (c.closure) {
      let k = 0;
      opt.step(() => {
        const ev = entry.closure_evals![k++];
        assert.ok(ev, `${c.name}: more closure calls than torch made`);
        setGrads(params, ev.grads);
        return ev.loss;
      });
    } else {
      setGrads(params, entry.grads);
      opt.step();
    }
  }
}

/** A case's optimizer built fresh, loaded from a torch run ({model, optimizer}) after k steps, run to the end. */
export function continueFromTorch(
  c: OptimizerCase,
  run: unknown,
  k: number,
): { params: Param[]; opt: Optimizer } {
  const built = buildOptimizer(c);
  loadTorchRun(run, { params: built.params, optimizer: built.opt });
  replay(c, built.params, built.opt, k, c.steps);
  return built;
}

const flat = (v: unknown): number[] =>
  v instanceof TorchTensor
    ? v.toNumbers()
    : v instanceof Float32Array || v instanceof Float64Array
      ? Array.from(v)
      : Array.isArray(v)
        ? v.flatMap(flat)
        : [v as number];

/** params and per-param state of `opt` against torch's (plain lists, torch's names), to the case's tolerance. */
export function assertAgrees(
  c: OptimizerCase,
  params: Param[],
  opt: Optimizer,
  expected: { params: number[][]; optimizer?: { state: unknown } },
  what: string,
): void {
  const tol = TOLERANCE[c.dtype];
  params.forEach((p, i) => {
    const why = closeTo(p.data, expected.params[i]!, tol.param, `${c.name} ${what} param ${i}`);
    assert.equal(why, null, why ?? "");
  });
  if (expected.optimizer === undefined) return;
  const torchState = fromTorchOptimizerState({ state: expected.optimizer.state, param_groups: [] }).state;
  const ours = opt.stateDict().state;
  assert.deepEqual(
    Object.keys(ours).sort(),
    Object.keys(torchState).sort(),
    `${c.name} ${what}: state entries`,
  );
  for (const [index, record] of Object.entries(torchState)) {
    const mine = (ours as Record<string, Record<string, unknown>>)[index]!;
    assert.deepEqual(
      Object.keys(mine).sort(),
      Object.keys(record).sort(),
      `${c.name} ${what}: state[${index}] keys`,
    );
    for (const [key, value] of Object.entries(record)) {
      const why = closeTo(
        flat(mine[key]),
        flat(value),
        tol.state,
        `${c.name} ${what} state[${index}].${key}`,
      );
      assert.equal(why, null, why ?? "");
    }
  }
}

/** A scheduler case built by descent, loaded from torch's run after k iterations, with its lr per iteration. */
export function continueSchedulersFromTorch(c: TorchSchedulerCase, run: any, k: number): number[][] {
  const built = buildCase(c);
  built.optimizer.loadStateDict(fromTorchOptimizerState(run.optimizer));
  for (const [id, s] of Object.entries(built.schedulers))
    s.loadStateDict(fromTorchStateDict(s, run.schedulers[id]));
  const lrs: number[][] = [];
  for (let i = k + 1; i <= c.steps; i++) {
    built.iterate(i);
    lrs.push(built.optimizer.paramGroups.map((g) => g.lr));
  }
  return lrs;
}

export function assertLrs(actual: number[][], expected: number[][], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: iterations`);
  actual.forEach((lr, i) => {
    const why = closeTo(lr, expected[i]!, 1e-12, `${what} iteration ${i + 1}`);
    assert.equal(why, null, why ?? "");
  });
}
