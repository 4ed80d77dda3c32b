// The training runs the exact-resume test checkpoints and restores in a fresh process: every conformance
// row (each option set, float32 and float64) and every scheduler. Parent and child build each case from
// the same code here, so the child holds nothing but what the checkpoint file gives it.

import type { Stateful } from "../../src/checkpoint/checkpoint.js";
import type { Dtype } from "../../src/core/arena.js";
import type { OptimizerLike } from "../../src/core/optimizer.js";
import { type Param, param } from "../../src/core/param.js";
import {
  CONFORMANCE,
  type ConformanceRow,
  type Options,
  startValues,
  stepOnQuadratic,
} from "../helpers/conformance-table.js";
import { SCHEDULER_CASES } from "./scheduler-cases.js";

export interface ResumeRun {
  params: Param[];
  optimizer: OptimizerLike;
  schedulers: Record<string, Stateful>;
  /** One training step (grads, optimizer step, scheduler steps). */
  step(): void;
}

export interface ResumeCase {
  id: string;
  build(): ResumeRun;
}

/** Steps straight through, and where the checkpoint is taken. */
export const TOTAL_STEPS = 8;
export const CHECKPOINT_AT = 3;

function paramsFor(row: ConformanceRow, dtype: Dtype): Param[] {
  const shape = row.shape ?? [6];
  const n = shape.reduce((a, b) => a * b, 1);
  return [0, 1].map((k) => param(startValues(n, k), { shape: [...shape], dtype, name: `w${k}` }));
}

function optimizerCase(row: ConformanceRow, options: Options, index: number, dtype: Dtype): ResumeCase {
  return {
    id: `${row.name}#${index} ${dtype}`,
    build() {
      const params = paramsFor(row, dtype);
      const optimizer = row.make(params, options);
      return { params, optimizer, schedulers: {}, step: () => stepOnQuadratic(optimizer, params) };
    },
  };
}

export function resumeCases(): ResumeCase[] {
  const cases: ResumeCase[] = [];
  for (const row of CONFORMANCE) {
    [row.validOptions, ...(row.variants ?? [])].forEach((options, i) => {
      for (const dtype of ["float32", "float64"] as const) cases.push(optimizerCase(row, options, i, dtype));
    });
  }
  for (const c of SCHEDULER_CASES) {
    for (const dtype of ["float32", "float64"] as const) {
      cases.push({
        id: `${c.name} ${dtype}`,
        build() {
          const params = [0, 1].map((k) => param(startValues(6, k), { dtype, name: `w${k}` }));
          const { optimizer, schedulers, stepSchedulers } = c.build(params);
          return {
            params,
            optimizer,
            schedulers,
            step: () => {
              stepOnQuadratic(optimizer, params);
              stepSchedulers();
            },
          };
        },
      });
    }
  }
  return cases;
}
