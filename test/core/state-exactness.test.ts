// What loadStateDict accepts and what step() accepts after a hand edit of paramGroups: exactly the state the
// algorithm knows (whatever options were flipped midway), canonical param indices, sane step counts,
// descent's spelling of group keys, non-negative second moments; groups whose params are an array of
// distinct params that suit the optimizer. Every refusal names the bad value and changes nothing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OptimizerLike, OptimizerStateDict } from "../../src/core/optimizer.js";
import { type Param, param } from "../../src/core/param.js";
import { Adadelta } from "../../src/optim/adadelta.js";
import { Adafactor } from "../../src/optim/adafactor.js";
import { Adagrad } from "../../src/optim/adagrad.js";
import { Adam } from "../../src/optim/adam.js";
import { AdamW } from "../../src/optim/adamw.js";
import { Adamax } from "../../src/optim/adamax.js";
import { ASGD } from "../../src/optim/asgd.js";
import { LAMB } from "../../src/optim/lamb.js";
import { Muon } from "../../src/optim/muon.js";
import { NAdam } from "../../src/optim/nadam.js";
import { RAdam } from "../../src/optim/radam.js";
import { RMSprop } from "../../src/optim/rmsprop.js";
import { Rprop } from "../../src/optim/rprop.js";
import { ScheduleFreeAdamW } from "../../src/optim/schedule-free-adamw.js";
import { SGD } from "../../src/optim/sgd.js";
import { CONFORMANCE } from "../helpers/conformance-table.js";

type Optimizer = OptimizerLike & { state: ReadonlyMap<Param, unknown> };

function params(n = 2, size = 3): Param[] {
  return Array.from({ length: n }, (_v, k) =>
    param(
      Array.from({ length: size }, (_w, i) => 1 + 0.5 * i - 0.25 * k),
      { dtype: "float64", name: `p${k}` },
    ),
  );
}

function grads(ps: Param[], t: number): void {
  for (const p of ps) p.grad = Float64Array.from(p.data, (x, i) => 2 * x + Math.sin(t + i));
}

function train(opt: { step(): unknown }, ps: Param[], steps: number, from = 0): void {
  for (let t = from; t < from + steps; t++) {
    grads(ps, t);
    opt.step();
  }
}

const values = (ps: Param[]) => ps.map((p) => [...p.data]);

/** Everything an optimizer holds (params, groups, state), to show that a refusal changed nothing. */
function holding(opt: Optimizer, ps: Param[]): string {
  const plain = (_k: string, v: unknown) =>
    v instanceof Float64Array || v instanceof Float32Array ? [...v] : v;
  const groups = opt.paramGroups.map((g) => ({ ...g, params: null }));
  const state = ps.map((p) => opt.state.get(p) ?? null);
  return JSON.stringify({ data: values(ps), groups, state }, plain);
}

function refuses(opt: Optimizer, ps: Param[], act: () => void, message: RegExp, what: string): void {
  const before = holding(opt, ps);
  assert.throws(act, message, what);
  assert.equal(holding(opt, ps), before, `${what}: something changed`);
}

describe("loadStateDict after options were flipped midway", () => {
  const cases: Array<[string, (ps: Param[]) => Optimizer, (o: Optimizer) => void]> = [
    [
      "Adam amsgrad true→false",
      (ps) => new Adam(ps, { lr: 0.1, amsgrad: true }),
      (o) => setAll(o, { amsgrad: false }),
    ],
    [
      "AdamW amsgrad true→false",
      (ps) => new AdamW(ps, { lr: 0.1, amsgrad: true }),
      (o) => setAll(o, { amsgrad: false }),
    ],
    ["Adam amsgrad false→true", (ps) => new Adam(ps, { lr: 0.1 }), (o) => setAll(o, { amsgrad: true })],
    [
      "RMSprop centered true→false",
      (ps) => new RMSprop(ps, { lr: 0.01, centered: true }),
      (o) => setAll(o, { centered: false }),
    ],
    [
      "RMSprop momentum 0.9→0",
      (ps) => new RMSprop(ps, { lr: 0.01, momentum: 0.9 }),
      (o) => setAll(o, { momentum: 0 }),
    ],
    [
      "SGD momentum 0.9→0",
      (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
      (o) => setAll(o, { momentum: 0 }),
    ],
  ];
  for (const [what, make, flip] of cases) {
    it(`${what}: its own state dict loads (as torch) and the run continues identically`, () => {
      const ps = params();
      const opt = make(ps);
      train(opt, ps, 3);
      flip(opt);
      train(opt, ps, 2, 3);
      const saved = structuredClone(opt.stateDict());
      const copy = params();
      for (const [i, p] of copy.entries()) p.data.set(ps[i]!.data);
      const resumed = make(copy);
      resumed.loadStateDict(saved);
      train(opt, ps, 3, 5);
      train(resumed, copy, 3, 5);
      assert.deepEqual(values(copy), values(ps));
    });
  }

  it("still refuses a state key no option of the algorithm creates", () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 1);
    const sd = opt.stateDict();
    (sd.state[0] as Record<string, unknown>).momentumBuffer = new Float64Array(3);
    refuses(opt, ps, () => opt.loadStateDict(sd), /state\[0\]: unexpected key 'momentumBuffer'/, "Adam");
  });
});

function setAll(opt: Optimizer, options: Record<string, unknown>): void {
  for (const g of opt.paramGroups) Object.assign(g, options);
}

describe("loadStateDict refuses non-canonical state, changing nothing", () => {
  function trained(): { opt: Adam; ps: Param[]; sd: OptimizerStateDict } {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 2);
    return { opt, ps, sd: structuredClone(opt.stateDict()) };
  }

  for (const key of ["1.0", "", "00", "01", " 1", "+1", "1e0", "-0", "0x1", "2"]) {
    it(`a state key ${JSON.stringify(key)}`, () => {
      const { opt, ps, sd } = trained();
      const state = sd.state as Record<string, unknown>;
      state[key] = structuredClone(state[1]);
      if (key !== "2") delete state[1];
      refuses(opt, ps, () => opt.loadStateDict(sd), /state key ".*" is not a param index/, key);
    });
  }

  it("'0' beside '00' (two states for one param) is refused", () => {
    const { opt, ps, sd } = trained();
    const state = sd.state as Record<string, unknown>;
    const other = structuredClone(state[0]) as { expAvg: Float64Array };
    other.expAvg.fill(123);
    state["00"] = other;
    refuses(opt, ps, () => opt.loadStateDict(sd), /state key "00"/, "00");
  });

  for (const step of [1e300, 2 ** 53, Number.MAX_VALUE]) {
    it(`a step of ${step}`, () => {
      const { opt, ps, sd } = trained();
      (sd.state[0] as { step: number }).step = step;
      refuses(
        opt,
        ps,
        () => opt.loadStateDict(sd),
        /step: expected a non-negative integer, got/,
        String(step),
      );
    });
  }

  for (const [key, camel] of [
    ["weight_decay", "weightDecay"],
    ["amsgrad_", null],
    ["max_exp_avg_sq", null],
  ] as const) {
    it(`a torch-style group key '${key}'${camel === null ? " that is no option is kept, as torch keeps extra keys" : ""}`, () => {
      const { opt, ps, sd } = trained();
      (sd.paramGroups[0] as Record<string, unknown>)[key] = 0.5;
      if (camel === null) {
        opt.loadStateDict(sd);
        assert.equal((opt.paramGroups[0] as Record<string, unknown>)[key], 0.5);
        return;
      }
      refuses(
        opt,
        ps,
        () => opt.loadStateDict(sd),
        new RegExp(`param group 0 has key '${key}', torch's spelling of '${camel}'`),
        key,
      );
    });
  }

  it("an option the saved group lacks takes the class default (torch's __setstate__), not this optimizer's", () => {
    const { sd } = trained();
    const fresh = new Adam(params(), { lr: 0.1, amsgrad: true, weightDecay: 0.3 });
    delete (sd.paramGroups[0] as Record<string, unknown>).amsgrad;
    delete (sd.paramGroups[0] as Record<string, unknown>).weightDecay;
    fresh.loadStateDict(sd);
    assert.equal(fresh.paramGroups[0]!.amsgrad, false);
    assert.equal(fresh.paramGroups[0]!.weightDecay, 0);
  });

  it("the constructor refuses a torch-style key in a param group too", () => {
    const [a] = params(1);
    assert.throws(
      () => new Adam([{ params: [a!], weight_decay: 0.5 }]),
      /param group option 'weight_decay' is torch's spelling of 'weightDecay'/,
    );
    const opt = new Adagrad([a!]);
    assert.throws(
      () => opt.addParamGroup({ params: params(1), lr_decay: 0.1 }),
      /'lr_decay' is torch's spelling of 'lrDecay'/,
    );
    assert.equal(opt.paramGroups.length, 1);
    opt.addParamGroup({ params: params(1), max_lr: 2 }); // no option of Adagrad: kept as torch keeps it
  });

  // one never-negative entry per optimizer that has one: a negative value is corruption (it gives NaN later)
  const negatives: Array<[string, (ps: Param[]) => Optimizer, string]> = [
    ["Adam", (ps) => new Adam(ps, { lr: 0.1 }), "expAvgSq"],
    ["Adam (amsgrad)", (ps) => new Adam(ps, { lr: 0.1, amsgrad: true }), "maxExpAvgSq"],
    ["AdamW", (ps) => new AdamW(ps, { lr: 0.1 }), "expAvgSq"],
    ["Adagrad", (ps) => new Adagrad(ps, { lr: 0.1 }), "sum"],
    ["Adadelta", (ps) => new Adadelta(ps), "accDelta"],
    ["Adadelta", (ps) => new Adadelta(ps), "squareAvg"],
    ["Adamax", (ps) => new Adamax(ps), "expInf"],
    ["NAdam", (ps) => new NAdam(ps), "expAvgSq"],
    ["NAdam", (ps) => new NAdam(ps), "muProduct"],
    ["RAdam", (ps) => new RAdam(ps), "expAvgSq"],
    ["RMSprop", (ps) => new RMSprop(ps), "squareAvg"],
    ["Rprop", (ps) => new Rprop(ps), "stepSize"],
    ["ASGD", (ps) => new ASGD(ps), "eta"],
    ["Adafactor", (ps) => new Adafactor(ps), "variance"],
    ["LAMB", (ps) => new LAMB(ps), "expAvgSq"],
    [
      "ScheduleFreeAdamW",
      (ps) => {
        const opt = new ScheduleFreeAdamW(ps);
        opt.train();
        return opt;
      },
      "expAvgSq",
    ],
  ];
  for (const [name, make, key] of negatives) {
    it(`${name}: a negative ${key}`, () => {
      const ps = params();
      const opt = make(ps);
      train(opt, ps, 2);
      const sd = structuredClone(opt.stateDict());
      const s = sd.state[1] as Record<string, unknown>;
      const v = s[key];
      if (typeof v === "number") s[key] = -v - 1;
      else (v as Float64Array)[2] = -1e-3;
      refuses(
        opt,
        ps,
        () => opt.loadStateDict(sd),
        new RegExp(`state\\[1\\]\\.${key}.* is -.*never negative`),
        name,
      );
      if (v instanceof Float64Array) {
        v[2] = 0;
        opt.loadStateDict(sd); // zero is a valid second moment
      }
    });
  }
});

describe("step() checks hand-edited paramGroups as torch checks at construction, changing nothing", () => {
  it("a param present twice in one group", () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 1);
    opt.paramGroups[0]!.params.push(ps[0]!);
    grads(ps, 1);
    refuses(
      opt,
      ps,
      () => opt.step(),
      /step: param group 0, param 2 \('p0'\) is also param group 0, param 0 \('p0'\)/,
      "twice",
    );
    opt.paramGroups[0]!.params.pop();
    opt.step(); // the edit undone, steps go on
  });

  it("a param present in two groups", () => {
    const ps = params(3);
    const opt = new SGD([{ params: [ps[0]!, ps[1]!] }, { params: [ps[2]!] }], { lr: 0.1 });
    opt.paramGroups[1]!.params.push(ps[1]!);
    grads(ps, 0);
    refuses(
      opt,
      ps,
      () => opt.step(),
      /param group 1, param 1 \('p1'\) is also param group 0, param 1 \('p1'\)/,
      "two groups",
    );
  });

  it("a param replaced in place by one already present", () => {
    const ps = params(3);
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 1);
    opt.paramGroups[0]!.params[2] = ps[0]!;
    grads(ps, 1);
    refuses(opt, ps, () => opt.step(), /is also param group 0, param 0/, "replaced");
  });

  it("params replaced by a Set, or not a param", () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 1);
    const group = opt.paramGroups[0]!;
    group.params = new Set(ps) as unknown as Param[];
    grads(ps, 1);
    refuses(opt, ps, () => opt.step(), /param group 0's 'params' is .*Set.*, not an array/, "Set");
    group.params = [ps[0]!, { data: [1, 2, 3] } as unknown as Param];
    refuses(opt, ps, () => opt.step(), /param group 0, params\[1\] is not a param/, "non-param");
    group.params = [...ps];
    opt.step();
  });

  it("paramGroups replaced by something that is not an array of groups", () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    const groups = opt.paramGroups;
    opt.paramGroups = null as never;
    assert.throws(() => opt.step(), /paramGroups must be an array of param groups, got null/);
    opt.paramGroups = [null] as never;
    assert.throws(() => opt.step(), /param group 0 is null, not an object/);
    opt.paramGroups = groups;
    grads(ps, 0);
    opt.step();
  });

  it("a 1-D param pushed into a Muon group", () => {
    const w = param(
      Array.from({ length: 6 }, (_v, i) => 0.1 * (i + 1)),
      { shape: [2, 3], dtype: "float64", name: "W" },
    );
    const b = param([0.5, -0.5, 0.25], { dtype: "float64", name: "bias" });
    const opt = new Muon([w], { lr: 0.02 });
    opt.paramGroups[0]!.params.push(b);
    w.grad = new Float64Array([1, 0, 0, 0, 1, 0]);
    b.grad = new Float64Array([1, 1, 1]);
    refuses(
      opt,
      [w, b],
      () => opt.step(),
      /Muon\.step: param group 0, param 1 \('bias'\): Muon only supports parameters with 2 or more dimensions whereas we found a parameter with size: \[3\]/,
      "1-D",
    );
  });

  it("stateDict() and loadStateDict() check the same", () => {
    const ps = params();
    const opt = new Adam(ps, { lr: 0.1 });
    train(opt, ps, 1);
    const sd = opt.stateDict();
    opt.paramGroups[0]!.params.push(ps[0]!);
    assert.throws(() => opt.stateDict(), /Adam\.stateDict: param group 0, param 2 \('p0'\) is also/);
    assert.throws(
      () => opt.loadStateDict(sd),
      /Adam\.loadStateDict: param group 0, param 2 \('p0'\) is also/,
    );
  });

  it("a new group appended by hand is checked too", () => {
    const ps = params(3);
    const opt = new Adam([ps[0]!, ps[1]!], { lr: 0.1 });
    opt.paramGroups.push({ ...opt.paramGroups[0]!, params: [ps[1]!, ps[2]!] });
    grads(ps, 0);
    refuses(
      opt,
      ps,
      () => opt.step(),
      /param group 1, param 0 \('p1'\) is also param group 0, param 1/,
      "appended",
    );
    opt.paramGroups[1]!.params = [ps[2]!];
    opt.step();
  });
});

describe("torch's message for params that are not a list", () => {
  for (const row of CONFORMANCE.filter((r) => !r.name.includes("("))) {
    it(row.name, () => {
      const p = param(new Float64Array(6), { shape: [...(row.shape ?? [6])] });
      assert.throws(
        () => row.make(p as never, {}),
        new RegExp(
          `${row.name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got `,
        ),
      );
    });
  }
});
