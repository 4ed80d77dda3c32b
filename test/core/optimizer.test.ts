// The optimizer base: groups, skipping, closures, hooks, zeroGrad and state dicts (shown with Adam/SGD).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Buffer, logAllocations } from "../../src/core/arena.js";
import { Adagrad, Adam, type OptimizerLike, type Param, param, RMSprop, SGD } from "../../src/index.js";

function quadraticGrads(params: Param[]): void {
  for (const p of params) {
    const g = new Float64Array(p.data.length);
    for (let i = 0; i < g.length; i++) g[i] = 2 * p.data[i]! + (i % 3) - 1;
    p.grad = g;
  }
}

const snapshot = (params: Param[]) => params.map((p) => Array.from(p.data));

describe("Optimizer param groups", () => {
  it("applies each group's own options over the defaults", () => {
    const a = param([1, 1], { dtype: "float64" });
    const b = param([1, 1], { dtype: "float64" });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    assert.equal(opt.paramGroups[1]!.lr, 0.5);
    assert.equal(opt.paramGroups[1]!.momentum, 0, "unset options come from the defaults");
    a.grad = new Float64Array([1, 1]);
    b.grad = new Float64Array([1, 1]);
    opt.step();
    assert.deepEqual([...a.data], [0.9, 0.9]);
    assert.deepEqual([...b.data], [0.5, 0.5]);
  });

  it("addParamGroup adds a validated group and rejects a param already present", () => {
    const a = param([1], { dtype: "float64" });
    const b = param([1], { dtype: "float64" });
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.01, betas: [0.5, 0.9] });
    assert.deepEqual(opt.paramGroups[1]!.betas, [0.5, 0.9]);
    assert.throws(() => opt.addParamGroup({ params: [a] }), /more than one parameter group/);
    assert.throws(() => opt.addParamGroup({ params: [param([0])], lr: -1 }), /Invalid learning rate: -1/);
    assert.equal(opt.paramGroups.length, 2, "a rejected group is not added");
  });

  it("rejects an empty param list, duplicates, non-params and unknown options", () => {
    const a = param([1]);
    assert.throws(() => new Adam([]), /empty parameter list/);
    assert.throws(() => new Adam([a, a]), /appears twice/);
    assert.throws(() => new Adam([{ data: [1, 2] } as unknown as Param]), /params\[0\] is not a param/);
    assert.throws(() => new Adam([a], { weight_decay: 0.1 } as never), /unknown option 'weight_decay'/);
    assert.throws(() => new Adam([a], { lr: -1 }), /Invalid learning rate: -1/);
    assert.throws(() => new Adam([a], { betas: [0.9, 1.5] }), /Invalid beta parameter at index 1: 1.5/);
    assert.throws(
      () => new SGD([a], { nesterov: true }),
      /Nesterov momentum requires a momentum and zero dampening/,
    );
  });
});

describe("Optimizer.step", () => {
  it("skips params whose grad is null: no update and no state", () => {
    const a = param([1, 2], { dtype: "float64" });
    const b = param([3, 4], { dtype: "float64" });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = new Float64Array([1, 1]);
    opt.step();
    assert.deepEqual([...b.data], [3, 4]);
    assert.equal(opt.state.has(b), false);
    assert.equal(opt.state.get(a)?.step, 1);
  });

  it("uses an lr changed in paramGroups between steps", () => {
    const a = param([1], { dtype: "float64" });
    const opt = new SGD([a], { lr: 0.1 });
    a.grad = new Float64Array([1]);
    opt.step();
    opt.paramGroups[0]!.lr = 0.5;
    opt.step();
    assert.ok(Math.abs(a.data[0]! - (1 - 0.1 - 0.5)) < 1e-15);
  });

  it("rejects a bad lr set by hand and a grad of the wrong size, changing nothing", () => {
    const a = param([1, 2], { dtype: "float64" });
    const b = param([1, 2], { dtype: "float64" });
    const opt = new Adam([a, b], { lr: 0.1 });
    a.grad = new Float64Array([1, 1]);
    b.grad = new Float64Array([1, 1]);
    opt.step();
    const before = snapshot([a, b]);
    const plain = { data: new Float64Array(2), grad: new Float64Array(3), shape: [2] };
    opt.addParamGroup({ params: [plain] });
    assert.throws(() => opt.step(), /grad of param 0 has 3 elements but the param has 2/);
    assert.deepEqual(snapshot([a, b]), before, "the first groups were not updated either");
    assert.equal(opt.state.get(a)?.step, 1);
    plain.grad = new Float64Array(2);
    opt.paramGroups[0]!.lr = Number.NaN;
    assert.throws(() => opt.step(), /Invalid learning rate: NaN/);
    assert.deepEqual(snapshot([a, b]), before);
  });

  it("works on plain { data, grad, shape } objects outside the arena", () => {
    const p: Param = { data: new Float64Array([1, 2]), grad: new Float64Array([0.5, -0.5]), shape: [2] };
    const opt = new SGD([p], { lr: 1 });
    opt.step();
    assert.deepEqual([...p.data], [0.5, 2.5]);
  });

  it("calls the closure first and returns its loss", () => {
    const a = param([2], { dtype: "float64" });
    const opt = new SGD([a], { lr: 0.25 });
    const loss = opt.step(() => {
      a.grad = new Float64Array([2 * a.data[0]!]);
      return a.data[0]! ** 2;
    });
    assert.equal(loss, 4);
    assert.equal(a.data[0], 1);
  });
});

describe("Optimizer hooks and zeroGrad", () => {
  it("runs pre and post hooks around each step until removed", () => {
    const a = param([1]);
    const opt = new SGD([a], { lr: 0.1 });
    const calls: string[] = [];
    const pre = opt.registerStepPreHook((o) => calls.push(`pre:${o === opt}`));
    opt.registerStepPostHook(() => calls.push("post"));
    a.grad = new Float32Array([1]);
    opt.step();
    pre.remove();
    opt.step();
    assert.deepEqual(calls, ["pre:true", "post", "post"]);
    assert.throws(() => opt.registerStepPreHook(42 as never), /hook must be a function/);
  });

  it("zeroGrad sets grads to null by default, or fills them with zeros", () => {
    const a = param([1, 2]);
    const opt = new SGD([a]);
    a.grad = new Float32Array([3, 4]);
    opt.zeroGrad(false);
    assert.deepEqual([...a.grad!], [0, 0]);
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });
});

describe("Optimizer state dicts", () => {
  it("round-trip through structuredClone and continue identically", () => {
    const make = () => [param([0.5, -1, 2], { dtype: "float64" }), param([1, 1], { dtype: "float64" })];
    const straight = make();
    const optA = new Adam([{ params: [straight[0]!] }, { params: [straight[1]!], lr: 0.05, amsgrad: true }], {
      lr: 0.1,
    });
    for (let i = 0; i < 5; i++) {
      quadraticGrads(straight);
      optA.step();
    }
    const saved = structuredClone(optA.stateDict());
    const resumed = make();
    resumed.forEach((p, i) => {
      p.data.set(straight[i]!.data);
    });
    const optB = new Adam([{ params: [resumed[0]!] }, { params: [resumed[1]!] }], { lr: 0.3 });
    optB.loadStateDict(saved);
    assert.equal(optB.paramGroups[0]!.lr, 0.1, "group options come from the state dict");
    assert.equal(optB.paramGroups[1]!.amsgrad, true);
    for (let i = 0; i < 5; i++) {
      quadraticGrads(straight);
      optA.step();
      quadraticGrads(resumed);
      optB.step();
    }
    assert.deepEqual(snapshot(resumed), snapshot(straight));
  });

  it("does not alias live buffers", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new Adam([a]);
    a.grad = new Float64Array([1, 1]);
    opt.step();
    const sd = opt.stateDict();
    const m = sd.state[0]!.expAvg as Float64Array;
    const copy = Array.from(m);
    opt.step();
    assert.deepEqual(Array.from(m), copy);
  });

  it("rejects mismatched state dicts without changing anything", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new Adam([a], { lr: 0.1 });
    a.grad = new Float64Array([1, 1]);
    opt.step();
    const good = opt.stateDict();
    const before = JSON.stringify(opt.stateDict(), (_k, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
    );
    const wrongLength = structuredClone(good);
    (wrongLength.state[0] as Record<string, unknown>).expAvg = new Float64Array(3);
    assert.throws(() => opt.loadStateDict(wrongLength), /state\[0\]\.expAvg: expected 2 elements, got 3/);
    const wrongDtype = structuredClone(good);
    (wrongDtype.state[0] as Record<string, unknown>).expAvgSq = new Float32Array(2);
    assert.throws(() => opt.loadStateDict(wrongDtype), /expected Float64Array, got Float32Array/);
    const missing = structuredClone(good);
    delete (missing.state[0] as Record<string, unknown>).step;
    assert.throws(() => opt.loadStateDict(missing), /missing key 'step'/);
    const extra = structuredClone(good);
    (extra.state[0] as Record<string, unknown>).bogus = 1;
    assert.throws(() => opt.loadStateDict(extra), /unexpected key 'bogus'/);
    const groups = structuredClone(good);
    groups.paramGroups.push({ ...groups.paramGroups[0]!, params: [1] });
    assert.throws(() => opt.loadStateDict(groups), /2 param groups but the optimizer has 1/);
    const badLr = structuredClone(good);
    badLr.paramGroups[0]!.lr = -3;
    assert.throws(() => opt.loadStateDict(badLr), /param group 0: Invalid learning rate: -3/);
    const badIndex = structuredClone(good);
    badIndex.state = { 5: good.state[0]! };
    assert.throws(() => opt.loadStateDict(badIndex), /state key "5" is not a param index/);
    const after = JSON.stringify(opt.stateDict(), (_k, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
    );
    assert.equal(after, before);
  });

  it("checks a loaded state without taking arena memory: a load allocates only the buffers it keeps", () => {
    // the optimizers whose check also builds optional state (amsgrad's max, momentum, centered averages)
    const cases: Array<[string, (params: Param[]) => OptimizerLike]> = [
      ["Adam amsgrad", (ps) => new Adam(ps, { amsgrad: true })],
      ["RMSprop momentum centered", (ps) => new RMSprop(ps, { momentum: 0.9, centered: true })],
      ["SGD momentum", (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ];
    for (const [name, make] of cases) {
      const params = [1, 2, 3].map((n) =>
        param(
          Array.from({ length: n }, (_, i) => i + n),
          { dtype: "float64" },
        ),
      );
      const opt = make(params);
      quadraticGrads(params);
      opt.step();
      const saved = structuredClone(opt.stateDict());
      const buffers = Object.values(saved.state).flatMap((s) =>
        Object.values(s).filter((v) => ArrayBuffer.isView(v)),
      );
      const loaded: Buffer[] = [];
      logAllocations(loaded, () => opt.loadStateDict(saved));
      assert.equal(loaded.length, buffers.length, `${name}: one copy per loaded buffer, nothing more`);

      // refused at the last param, so every param's state was checked before the refusal
      const before = dump(opt.stateDict());
      const bad = structuredClone(saved);
      (bad.state[2] as Record<string, unknown>).bogus = 1;
      const refused: Buffer[] = [];
      assert.throws(
        () => logAllocations(refused, () => opt.loadStateDict(bad)),
        /state\[2\]: unexpected key 'bogus'/,
      );
      assert.equal(refused.length, 0, `${name}: a refused load allocates nothing`);
      assert.equal(dump(opt.stateDict()), before, `${name}: a refused load changes nothing`);
    }
  });

  it("Adagrad creates its state for every param at construction, as torch", () => {
    const a = param([1], { dtype: "float64" });
    const opt = new Adagrad([a], { initialAccumulatorValue: 0.5 });
    assert.equal(opt.state.get(a)?.step, 0);
    assert.equal(opt.state.get(a)?.sum[0], 0.5);
  });
});

/** A minimal attachable component: a counter whose state is checked before it is loaded. */
function counter(start = 0) {
  const c = {
    n: start,
    loads: 0,
    stateDict: () => ({ n: c.n }),
    checkStateDict(s: unknown) {
      const n = (s as { n?: unknown } | null)?.n;
      if (!Number.isInteger(n)) throw new Error(`counter: n must be an integer, got ${String(n)}`);
    },
    loadStateDict(s: { n: number }) {
      c.n = s.n;
      c.loads += 1;
    },
  };
  return c;
}

const dump = (o: unknown) =>
  JSON.stringify(o, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

describe("Optimizer attached components", () => {
  it("writes no 'attached' key when nothing is attached, and one entry per attached component", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new SGD([a], { lr: 0.1, momentum: 0.9 });
    assert.deepEqual(Object.keys(opt.stateDict()), ["state", "paramGroups"]);
    const c = counter(7);
    const handle = opt.attach("steps", c);
    assert.deepEqual(opt.stateDict().attached, { steps: { n: 7 } });
    handle.remove();
    assert.equal("attached" in opt.stateDict(), false, "a removed component leaves the state dict");
  });

  it("restores attached components with the optimizer, from a structured clone", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new Adam([a], { lr: 0.1 });
    const c = counter();
    opt.attach("steps", c);
    quadraticGrads([a]);
    opt.step();
    c.n = 3;
    const saved = structuredClone(opt.stateDict());
    const b = param([1, 2], { dtype: "float64" });
    const fresh = new Adam([b], { lr: 0.1 });
    const c2 = counter();
    fresh.attach("steps", c2);
    fresh.loadStateDict(saved);
    assert.equal(c2.n, 3);
    assert.equal(dump(fresh.stateDict()), dump(opt.stateDict()));
  });

  it("refuses a bad attached section with a message naming it, changing neither the optimizer nor the components", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new Adam([a], { lr: 0.1 });
    const c = counter(1);
    const d = counter(2);
    opt.attach("c", c);
    opt.attach("d", d);
    quadraticGrads([a]);
    opt.step();
    const good = structuredClone(opt.stateDict());
    // the saved dict differs from the live optimizer, so a partial load would show
    good.paramGroups[0]!.lr = 0.5;
    (good.state[0] as Record<string, unknown>).step = 9;
    good.attached = { c: { n: 10 }, d: { n: 20 } };
    opt.step();
    const before = dump(opt.stateDict());
    const cases: Array<[unknown, RegExp]> = [
      [
        { c: { n: 10 }, d: { n: 2.5 } },
        /Adam\.loadStateDict: attached 'd': counter: n must be an integer, got 2\.5/,
      ],
      [{ c: { n: 10 } }, /attached 'd' is missing from the state dict's 'attached' section/],
      [{ c: { n: 10 }, d: { n: 20 }, e: {} }, /attached\['e'\] but nothing is attached under that name/],
      [[{ n: 1 }], /'attached' must be an object of attached components' state dicts, got/],
      [null, /'attached' must be an object/],
    ];
    for (const [attached, message] of cases) {
      assert.throws(
        () => opt.loadStateDict({ ...good, attached: attached as Record<string, unknown> }),
        message,
      );
      assert.equal(dump(opt.stateDict()), before);
      assert.deepEqual([c.n, d.n, c.loads, d.loads], [1, 2, 0, 0]);
    }
    opt.loadStateDict(good);
    assert.deepEqual([c.n, d.n, opt.paramGroups[0]!.lr], [10, 20, 0.5]);
  });

  it("loads a state dict without 'attached' and leaves the attached components as they are", () => {
    const a = param([1, 2], { dtype: "float64" });
    const plain = new Adam([a], { lr: 0.1 });
    quadraticGrads([a]);
    plain.step();
    const saved = structuredClone(plain.stateDict());
    const opt = new Adam([param([1, 2], { dtype: "float64" })], { lr: 0.1 });
    const c = counter(4);
    opt.attach("c", c);
    opt.loadStateDict(saved);
    assert.equal(opt.state.size, 1);
    assert.deepEqual([c.n, c.loads], [4, 0]);
  });

  it("refuses a bad name, a taken name or something that is not a component", () => {
    const opt = new SGD([param([1])], { lr: 0.1 });
    opt.attach("c", counter());
    assert.throws(() => opt.attach("c", counter()), /SGD\.attach: a component is already attached as 'c'/);
    assert.throws(() => opt.attach("", counter()), /name must be a non-empty string, got/);
    assert.throws(
      () => opt.attach("x", { stateDict: () => 1 } as never),
      /expected a component with stateDict, checkStateDict and loadStateDict/,
    );
  });
});
