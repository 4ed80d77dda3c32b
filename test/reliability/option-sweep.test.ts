// A sweep over every option of every optimizer in the conformance table, driven by the option's default:
// a number option refuses NaN, a string, an object, an array, a boolean and null (and −Infinity/−1 where a
// sign is meaningless); a boolean option refuses numbers, strings and null; a pair refuses the wrong length,
// NaN entries and non-arrays; a mode string refuses an unknown mode and a number. Each refusal is an error
// whose message shows the bad value, thrown by the constructor before anything exists, and again by step()
// when the value is put into a param group by hand (nothing updated).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AVERAGED_PARAMS_DEFAULTS, AveragedParams } from "../../src/average/averaged-params.js";
import { EWMA } from "../../src/average/ewma.js";
import { clipGradNorm } from "../../src/clip/clip-grad.js";
import { describe as show, param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { GradientAccumulation } from "../../src/optim/gradient-accumulation.js";
import { LOOKAHEAD_DEFAULTS, Lookahead } from "../../src/optim/lookahead.js";
import { SKIP_NON_FINITE_DEFAULTS, SkipNonFinite } from "../../src/optim/skip-non-finite.js";
import {
  CONFORMANCE,
  type ConformanceRow,
  type Options,
  quadraticGrad,
  startValues,
  stateFingerprint,
  stepOnQuadratic,
} from "../helpers/conformance-table.js";

function paramsFor(row: ConformanceRow) {
  const shape = row.shape ?? [6];
  const n = shape.reduce((a, b) => a * b, 1);
  return [0, 1].map((k) => param(startValues(n, k), { shape: [...shape], dtype: "float64" }));
}

/** What every option must refuse, by the kind of its default value. */
function badValuesFor(defaultValue: unknown): unknown[] {
  if (typeof defaultValue === "number") return [Number.NaN, "1", {}, [], true, null];
  if (typeof defaultValue === "boolean") return [1, "true", null, {}];
  if (Array.isArray(defaultValue)) {
    const first = defaultValue[0];
    return [
      defaultValue.slice(0, 1),
      [...defaultValue, first ?? 0],
      defaultValue.map(() => Number.NaN),
      "ab",
      7,
      null,
    ];
  }
  if (typeof defaultValue === "string") return ["no_such_mode", 3, null];
  return [];
}

/** The text a message must contain to show `value` (torch prints the value; descent's describe() too). */
function shown(value: unknown): RegExp {
  const text = show(value);
  const alternatives = [text];
  if (Array.isArray(value))
    alternatives.push(`[${value.map(String).join(", ")}]`, "NaN", String(value.length));
  if (value === true) alternatives.push("True");
  if (value === null) alternatives.push("None");
  return new RegExp(alternatives.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

for (const row of CONFORMANCE) {
  describe(`${row.name}: every option refuses values of the wrong kind`, () => {
    const probe = row.make(paramsFor(row), row.validOptions);
    // the options are the keys of `defaults` (param groups also hold internal counters, e.g. schedule-free's k)
    const defaults = { ...((probe as { defaults?: Options }).defaults ?? probe.paramGroups[0]!) } as Options;
    delete defaults.params;
    for (const [key, defaultValue] of Object.entries(defaults)) {
      const bad = badValuesFor(defaultValue).filter(
        (v) => !(v === null && row.nullableOptions?.includes(key)),
      );
      if (bad.length === 0) continue;
      it(`${key} (default ${JSON.stringify(defaultValue)}) refuses ${bad.map((v) => show(v)).join(", ")}`, () => {
        for (const value of bad) {
          const params = paramsFor(row);
          quadraticGrad(params);
          const before = stateFingerprint(params.map((p) => p.data.slice()));
          assert.throws(
            () => row.make(params, { ...row.validOptions, [key]: value }),
            (e: Error) => e instanceof Error && shown(value).test(e.message),
            `${key} = ${show(value)} was accepted by the constructor (or the message does not show it)`,
          );
          // put into a live group by hand: step() refuses before updating anything
          const opt = row.make(params, row.validOptions);
          stepOnQuadratic(opt, params);
          const data = stateFingerprint(params.map((p) => p.data.slice()));
          const group = opt.paramGroups[0]! as Options;
          const saved = group[key];
          group[key] = value;
          assert.throws(
            () => stepOnQuadratic(opt, params),
            Error,
            `${key} = ${show(value)} was accepted by step()`,
          );
          assert.deepEqual(
            stateFingerprint(params.map((p) => p.data.slice())),
            data,
            "step() updated before refusing",
          );
          group[key] = saved;
          assert.ok(before !== undefined);
        }
      });
    }
  });
}

/** Everything else that takes options: its defaults and a constructor (or call) taking them. */
const OTHERS: Array<{ name: string; defaults: Options; make(options: Options): unknown }> = [
  {
    name: "Lookahead",
    defaults: { ...LOOKAHEAD_DEFAULTS },
    make: (o) => new Lookahead(new Adam([param([1, 2])]), o as never),
  },
  {
    name: "SkipNonFinite",
    defaults: { ...SKIP_NON_FINITE_DEFAULTS },
    make: (o) => new SkipNonFinite(new Adam([param([1, 2])]), o as never),
  },
  {
    name: "GradientAccumulation",
    defaults: { steps: 4 },
    make: (o) => new GradientAccumulation(new Adam([param([1, 2])]), o as never),
  },
  {
    name: "AveragedParams",
    defaults: { ...AVERAGED_PARAMS_DEFAULTS },
    make: (o) => new AveragedParams([param([1, 2])], o as never),
  },
  { name: "EWMA", defaults: { beta: 0.9, biasCorrection: true }, make: (o) => new EWMA(o as never) },
  {
    name: "clipGradNorm",
    defaults: { normType: 2, errorIfNonfinite: false },
    make: (o) => {
      const p = param([3, 4]);
      p.grad = new Float32Array([3, 4]);
      return clipGradNorm([p], 1, o as never);
    },
  },
];

for (const other of OTHERS) {
  describe(`${other.name}: every option refuses values of the wrong kind`, () => {
    for (const [key, defaultValue] of Object.entries(other.defaults)) {
      // these follow the house `options.x ?? default` idiom, so null means "the default" here
      const bad = badValuesFor(defaultValue).filter((v) => v !== null);
      it(`${key} (default ${JSON.stringify(defaultValue)}) refuses ${bad.map((v) => show(v)).join(", ")}`, () => {
        assert.doesNotThrow(() => other.make({ ...other.defaults }));
        for (const value of bad) {
          assert.throws(
            () => other.make({ ...other.defaults, [key]: value }),
            (e: Error) => e instanceof Error && shown(value).test(e.message),
            `${key} = ${show(value)} was accepted (or the message does not show it)`,
          );
        }
      });
    }
  });
}
