// Every optimizer against PyTorch 2.6.0: replay the recorded gradients and compare every param after
// every step (float64 to 1e-10 relative, float32 to 1e-5), and the state at each checkpoint.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Optimizer, Param, ParamGroupInit } from "../../src/index.js";
import { param } from "../../src/index.js";
import { OPTIMIZERS } from "../helpers/optimizers.js";
import { camelOptions, closeTo, loadFixture, untensor } from "../helpers/torch-reference.js";

interface Case {
  name: string;
  optimizer: string;
  dtype: "float32" | "float64";
  options: Record<string, unknown>;
  param_groups: Array<{ params: number[] } & Record<string, unknown>>;
  state_index_to_param: number[];
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  steps: number;
  closure: boolean;
  trace: Array<{
    step: number;
    loss: number;
    grads: Array<number[] | null>;
    params: number[][];
    returned_loss?: number;
    func_evals_this_step?: number;
    state_func_evals?: number;
    state_n_iter?: number;
    closure_evals?: Array<{ x: number[][]; loss: number; grads: number[][] }>;
  }>;
  checkpoints: Array<{ after_step: number; state_dict: { state: Record<string, any>; param_groups: any[] } }>;
}

export function build(c: Case): { params: Param[]; opt: Optimizer } {
  const params = c.params.map((p) => param(p.init, { shape: p.shape, name: p.name, dtype: c.dtype }));
  const groups: ParamGroupInit[] = c.param_groups.map((g) => {
    const { params: idx, ...rest } = g;
    return { params: idx.map((i) => params[i]!), ...camelOptions(rest) };
  });
  const ctor = OPTIMIZERS[c.optimizer];
  if (!ctor) throw new Error(`no optimizer ${c.optimizer}`);
  return { params, opt: ctor(groups, camelOptions(c.options)) };
}

function setGrads(params: Param[], grads: Array<number[] | null>): void {
  params.forEach((p, i) => {
    const g = grads[i];
    if (g === null || g === undefined) p.grad = null;
    else p.grad = p.data instanceof Float32Array ? Float32Array.from(g) : Float64Array.from(g);
  });
}

function checkState(
  c: Case,
  params: Param[],
  opt: Optimizer,
  checkpoint: Case["checkpoints"][number],
  tol: number,
): void {
  const expected = untensor(checkpoint.state_dict.state) as Record<string, Record<string, unknown>>;
  const ours = opt.stateDict();
  for (const [key, torchState] of Object.entries(expected)) {
    const p = params[c.state_index_to_param[Number(key)]!]!;
    const s = opt.state.get(p) as Record<string, unknown> | undefined;
    assert.ok(s, `${c.name}: no state for param ${key} after step ${checkpoint.after_step}`);
    for (const [k, v] of Object.entries(torchState)) {
      const mine = s[k];
      if (typeof v === "number") {
        assert.ok(
          Math.abs((mine as number) - v) <= tol * Math.max(1, Math.abs(v)),
          `${c.name}: state ${key}.${k} = ${mine}, torch ${v}`,
        );
      } else if (Array.isArray(v) && v.every((x) => typeof x === "number")) {
        const why = closeTo(
          mine as ArrayLike<number>,
          v as number[],
          tol * 10,
          `${c.name}: state[${key}].${k}`,
        );
        assert.equal(why, null, why ?? "");
      }
    }
  }
  assert.equal(
    Object.keys(ours.state).length,
    Object.keys(expected).length,
    `${c.name}: number of state entries`,
  );
}

// The shared PyTorch 2.6 set, and the project's own cases recorded by scripts/gen_reference.py.
const files = ["optimizers.json", "optimizers_float32.json", "project_optimizers.json"];
const TOLERANCE = { float64: { param: 1e-10, state: 1e-10 }, float32: { param: 1e-5, state: 1e-4 } };

for (const file of files) {
  const data = loadFixture<{ cases: Case[] }>(file);
  describe(`PyTorch 2.6 traces: ${file}`, () => {
    for (const c of data.cases) {
      if (c.closure || !OPTIMIZERS[c.optimizer]) continue;
      it(`${c.name}: ${c.optimizer} matches torch at every step`, () => {
        const { param: paramTol, state: stateTol } = TOLERANCE[c.dtype];
        const { params, opt } = build(c);
        for (const entry of c.trace) {
          setGrads(params, entry.grads);
          opt.step();
          params.forEach((p, i) => {
            const why = closeTo(
              p.data,
              entry.params[i]!,
              paramTol,
              `${c.name} step ${entry.step} param ${i}`,
            );
            assert.equal(why, null, why ?? "");
          });
          const cp = c.checkpoints.find((k) => k.after_step === entry.step);
          if (cp) checkState(c, params, opt, cp, stateTol);
        }
      });
    }
  });
}
