import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arena } from "../../src/core/arena.js";
import {
  Adam,
  AveragedParams,
  GradientAccumulation,
  Lookahead,
  type OptimizerWrapper,
  param,
  SGD,
  SkipNonFinite,
} from "../../src/index.js";

type P = ReturnType<typeof param>;

function stepOnce(opt: { step(): unknown }, ...ps: P[]): void {
  for (const p of ps) p.grad = new Float32Array(p.size).fill(0.5);
  opt.step();
}

const wrappers: Array<[string, (inner: Adam) => OptimizerWrapper]> = [
  ["Lookahead", (inner) => new Lookahead(inner, { k: 2 })],
  ["SkipNonFinite", (inner) => new SkipNonFinite(inner)],
  ["GradientAccumulation", (inner) => new GradientAccumulation(inner, { steps: 2 })],
  ["SkipNonFinite(Lookahead)", (inner) => new SkipNonFinite(new Lookahead(inner, { k: 2 }))],
];

describe("wrappers' dispose()", () => {
  for (const [name, wrap] of wrappers) {
    it(`${name}: returns its own buffers and the inner optimizer's state to the arena`, () => {
      const a = arena()!;
      const inUse = a.bytesInUse;
      const w = param(new Float32Array(5000).fill(1), { name: "w" });
      const inner = new Adam([w], { lr: 0.01 });
      const opt = wrap(inner);
      for (let i = 0; i < 4; i++) stepOnce(opt, w);
      assert.ok(inner.state.size > 0, "the inner optimizer has state");
      assert.ok(a.bytesInUse >= inUse + 4 * 4 * 5000, "data, grad and two moments");
      opt.dispose();
      assert.equal(opt.disposed, true);
      assert.equal(inner.state.size, 0);
      const outer = name.split("(")[0];
      assert.throws(
        () => stepOnce(opt, w),
        new RegExp(`^Error: ${outer}\\.step: the optimizer was disposed`),
      );
      assert.throws(() => inner.step(), /Adam.step: the optimizer was disposed/);
      w.dispose();
      assert.equal(a.bytesInUse, inUse);
      opt.dispose(); // twice is fine
    });
  }

  it("drops Lookahead's slow weights and GradientAccumulation's sums", () => {
    const w = param([1, 2]);
    const la = new Lookahead(new SGD([w], { lr: 0.1 }), { k: 2 });
    assert.ok(la.slowParam(w) !== undefined);
    la.dispose();
    assert.equal(la.slowParam(w), undefined);
    const ga = new GradientAccumulation(new SGD([w], { lr: 0.1 }), { steps: 3 });
    stepOnce(ga, w);
    assert.equal(ga.microStep, 1);
    ga.dispose();
    assert.throws(
      () => ga.addParamGroup({ params: [param([0])] }),
      /GradientAccumulation.addParamGroup: the optimizer was disposed/,
    );
    w.dispose();
  });

  it("works with `using`, and a loop of wrapped lifetimes stays flat", () => {
    const a = arena()!;
    const inUse = a.bytesInUse;
    for (let i = 0; i < 200; i++) {
      using w = param(new Float32Array(2000).fill(1));
      using opt = new SkipNonFinite(new Lookahead(new Adam([w]), { k: 3 }));
      stepOnce(opt, w);
      stepOnce(opt, w);
      stepOnce(opt, w);
    }
    assert.equal(a.bytesInUse, inUse);
  });
});

describe("AveragedParams.dispose()", () => {
  it("detaches from the optimizer, drops the averages and refuses use afterwards", () => {
    const w = param([0]);
    const opt = new SGD([w], { lr: 1 });
    const ema = new AveragedParams([w], { mode: "ema", decay: 0.5, optimizer: opt });
    stepOnce(opt, w);
    assert.ok("averagedParams" in (opt.stateDict().attached ?? {}));
    ema.dispose();
    assert.equal(ema.disposed, true);
    assert.equal("averagedParams" in (opt.stateDict().attached ?? {}), false);
    stepOnce(opt, w); // the hook is gone: the optimizer steps on without it
    assert.throws(() => ema.update(), /AveragedParams.update: the average was disposed/);
    assert.throws(() => ema.averages(), /AveragedParams.averages: the average was disposed/);
    assert.throws(() => ema.copyTo(), /AveragedParams.copyTo: the average was disposed/);
    assert.throws(() => ema.stateDict(), /AveragedParams.stateDict: the average was disposed/);
    // a new average can attach under the same name
    const again = new AveragedParams([w], { mode: "swa", optimizer: opt });
    stepOnce(opt, w);
    assert.equal(again.nAveraged, 1);
    ema.dispose(); // twice is fine
    again.dispose();
    opt.dispose();
    w.dispose();
  });
});
