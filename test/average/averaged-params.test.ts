import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Adam,
  type AttachTarget,
  AveragedParams,
  ewma,
  GradientAccumulation,
  Lookahead,
  type OptimizerLike,
  type OptimizerStateDict,
  type Param,
  param,
  SGD,
  SkipNonFinite,
} from "../../src/index.js";
import { closeTo, loadFixture } from "../helpers/torch-reference.js";

interface TorchCase {
  name: string;
  dtype: "float32" | "float64";
  mode: "ema" | "swa";
  decay: number | null;
  shapes: number[][];
  trace: Array<{ params: number[][]; averages: number[][]; n_averaged: number }>;
}
// recorded from torch 2.6's AveragedModel by scripts/gen_averaged_params.py
const torchCases = loadFixture<{ cases: TorchCase[] }>("averaged_params.json").cases;

/** A param trajectory: the value of element i after step t. */
const valueAt = (t: number, i: number) => Math.sin(0.7 * t + i) * (1 + 0.1 * t) + i;

function drive(avg: AveragedParams, steps: number): void {
  const p = avg.params[0]!;
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < p.data.length; i++) p.data[i] = valueAt(t, i);
    avg.update();
  }
}

describe("AveragedParams", () => {
  for (const c of torchCases) {
    it(`${c.name}: matches torch 2.6's AveragedModel.update_parameters after every update (float64 bit for bit)`, () => {
      const params = c.shapes.map((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return param(new Array(n).fill(0), { shape, dtype: c.dtype });
      });
      const avg = new AveragedParams(
        params,
        c.mode === "ema" ? { mode: "ema", decay: c.decay! } : { mode: "swa" },
      );
      const tol = c.dtype === "float64" ? 0 : 1e-6; // float64 bit for bit; torch rounds float32 lerps in float32
      c.trace.forEach((step, t) => {
        params.forEach((p, k) => {
          p.data.set(step.params[k]!);
        });
        avg.update();
        assert.equal(avg.nAveraged, step.n_averaged);
        avg.averages().forEach((a, k) => {
          assert.equal(closeTo(a, step.averages[k]!, tol, `update ${t + 1}, param ${k}`), null);
        });
      });
    });
  }

  it("EMA follows torch's AveragedModel with get_ema_multi_avg_fn: the first update copies, then decay·avg + (1 − decay)·p", () => {
    const decay = 0.9;
    const w = param([0, 0, 0], { dtype: "float64" });
    const ema = new AveragedParams([w], { mode: "ema", decay });
    drive(ema, 10);
    for (let i = 0; i < 3; i++) {
      let avg = valueAt(0, i);
      for (let t = 1; t < 10; t++) avg = decay * avg + (1 - decay) * valueAt(t, i);
      const got = ema.averages()[0]![i]!;
      assert.ok(Math.abs(got - avg) < 1e-14, `[${i}]: ${got} vs ${avg}`);
    }
    assert.equal(ema.nAveraged, 10);
  });

  it("SWA is the running mean of every value seen (torch's get_swa_multi_avg_fn)", () => {
    const w = param([0, 0], { dtype: "float64" });
    const swa = new AveragedParams([w], { mode: "swa" });
    drive(swa, 7);
    for (let i = 0; i < 2; i++) {
      let sum = 0;
      for (let t = 0; t < 7; t++) sum += valueAt(t, i);
      assert.ok(Math.abs(swa.averages()[0]![i]! - sum / 7) < 1e-14);
    }
  });

  it("SWA of dyadic values is exact: [1, 2, 4, 8] averages to 3.75", () => {
    const w = param([0], { dtype: "float64" });
    const swa = new AveragedParams([w], { mode: "swa" });
    for (const v of [1, 2, 4, 8]) {
      w.data[0] = v;
      swa.update();
    }
    assert.equal(swa.averages()[0]![0], 3.75);
  });

  it("with biasCorrection is the foundation's bias-corrected EWMA of each element", () => {
    const decay = 0.95;
    const w = param([0, 0, 0], { dtype: "float64" });
    const ema = new AveragedParams([w], { decay, biasCorrection: true });
    for (let steps = 1; steps <= 8; steps++) {
      const fresh = new AveragedParams([w], { decay, biasCorrection: true });
      drive(fresh, steps);
      for (let i = 0; i < 3; i++) {
        const series = Array.from({ length: steps }, (_, t) => valueAt(t, i));
        const want = ewma(series, decay, { biasCorrection: true })[steps - 1]!;
        const got = fresh.averages()[0]![i]!;
        assert.ok(
          Math.abs(got - want) < 1e-13 * Math.max(1, Math.abs(want)),
          `t=${steps} [${i}]: ${got} vs ${want}`,
        );
      }
    }
    drive(ema, 1);
    assert.deepEqual(
      [...ema.averages()[0]!].map((v, i) => Math.abs(v - valueAt(0, i)) < 1e-15),
      [true, true, true],
    );
  });

  it("with biasCorrection forgets the initial weights where torch's EMA stays anchored to them (torch #130361)", () => {
    // the params start far away (100) and then sit at 0: torch's EMA keeps 100·decayᵗ⁻¹ of the start,
    // the bias-corrected one 100·(1 − decay)·decayᵗ⁻¹/(1 − decayᵗ), which is far smaller early on
    const decay = 0.99;
    const w = param([100], { dtype: "float64" });
    const torchLike = new AveragedParams([w], { decay });
    const corrected = new AveragedParams([w], { decay, biasCorrection: true });
    torchLike.update();
    corrected.update();
    w.data[0] = 0;
    for (let t = 2; t <= 50; t++) {
      torchLike.update();
      corrected.update();
    }
    const anchored = torchLike.averages()[0]![0]!;
    const unanchored = corrected.averages()[0]![0]!;
    assert.ok(Math.abs(anchored - 100 * decay ** 49) < 1e-11);
    assert.ok(Math.abs(unanchored - (100 * (1 - decay) * decay ** 49) / (1 - decay ** 50)) < 1e-11);
    assert.ok(unanchored < anchored / 10);
  });

  it("copyTo writes the average into other params or back into its own", () => {
    const w = param([1, 2], { dtype: "float32" });
    const ema = new AveragedParams([w], { decay: 0.5 });
    ema.update();
    w.data.set([3, 6]);
    ema.update(); // avg = [2, 4]
    const evalCopy = param([0, 0], { dtype: "float32" });
    ema.copyTo([evalCopy]);
    assert.deepEqual([...evalCopy.data], [2, 4]);
    ema.copyTo();
    assert.deepEqual([...w.data], [2, 4]);
    assert.ok(ema.averages()[0] instanceof Float32Array);
  });

  it("refuses copyTo before any update and into params of the wrong size, changing nothing", () => {
    const w = param([1, 2], { dtype: "float64" });
    const ema = new AveragedParams([w]);
    assert.throws(() => ema.copyTo(), /no update yet/);
    ema.update();
    const a = param([9, 9], { dtype: "float64" });
    const b = param([9], { dtype: "float64" });
    assert.throws(() => ema.copyTo([a, b]), /expected 1 params/);
    const c = param([9, 9, 9], { dtype: "float64" });
    assert.throws(() => ema.copyTo([c]), /params\[0\] must have 2 elements/);
    assert.deepEqual([...c.data], [9, 9, 9]);
  });

  it("round-trips its state dict and resumes bit for bit", () => {
    const w = param([0, 0, 0], { dtype: "float32" });
    const a = new AveragedParams([w], { decay: 0.9, biasCorrection: true });
    drive(a, 4);
    const sd = structuredClone(a.stateDict());
    const b = new AveragedParams([w], { decay: 0.9, biasCorrection: true });
    b.loadStateDict(sd);
    assert.equal(b.nAveraged, 4);
    for (let t = 4; t < 9; t++) {
      for (let i = 0; i < 3; i++) w.data[i] = valueAt(t, i);
      a.update();
      b.update();
    }
    assert.deepEqual([...b.averages()[0]!], [...a.averages()[0]!]);
  });

  it("rejects a state dict of another mode or size without changing anything", () => {
    const w = param([1, 2], { dtype: "float64" });
    const ema = new AveragedParams([w]);
    ema.update();
    const before = ema.stateDict();
    const swa = new AveragedParams([w], { mode: "swa" });
    assert.throws(() => ema.loadStateDict(swa.stateDict()), /the state dict is for mode "swa"/);
    assert.throws(
      () => ema.loadStateDict({ ...before, averages: [new Float64Array(3)] }),
      /averages\[0\]: expected a Float64Array of length 2/,
    );
    assert.throws(
      () => ema.loadStateDict({ ...before, nAveraged: -1 }),
      /nAveraged must be a non-negative integer/,
    );
    assert.deepEqual(ema.stateDict(), before);
  });

  it("rejects bad options naming the value", () => {
    const w = param([1]);
    assert.throws(() => new AveragedParams([w], { decay: 1.5 }), /Invalid decay value: 1.5/);
    assert.throws(
      () => new AveragedParams([w], { decay: 1, biasCorrection: true }),
      /Invalid decay value: 1/,
    );
    assert.doesNotThrow(() => new AveragedParams([w], { decay: 1 })); // torch allows it: the first copy stays
    assert.throws(() => new AveragedParams([w], { decay: -0.1 }), /Invalid decay value: -0.1/);
    assert.throws(() => new AveragedParams([w], { mode: "polyak" as never }), /Invalid mode value: "polyak"/);
    assert.throws(
      () => new AveragedParams([w], { mode: "swa", biasCorrection: true }),
      /biasCorrection applies to mode 'ema' only/,
    );
    assert.throws(() => new AveragedParams([w], { beta: 0.9 } as never), /unknown option 'beta'/);
    assert.throws(() => new AveragedParams([]), /non-empty array of params/);
  });
});

/** Grads of a fixed quadratic, 0.5·Σ(i+1)(x_i − i)², so every run sees the same numbers. */
function setGrads(params: readonly Param[], scale = 1): void {
  for (const p of params) {
    const g = new (p.data.constructor as Float64ArrayConstructor)(p.data.length);
    for (let i = 0; i < g.length; i++) g[i] = scale * (i + 1) * (p.data[i]! - i);
    p.grad = g;
  }
}

const bits = (bufs: readonly ArrayLike<number>[]) => bufs.map((b) => Array.from(b));

describe("AveragedParams attached to an optimizer", () => {
  it("updates once per optimizer step, as update() after each step would", () => {
    const w = param([3, -1, 2], { dtype: "float64" });
    const shadow = param([3, -1, 2], { dtype: "float64" });
    const opt = new Adam([w], { lr: 0.1 });
    const byHand = new Adam([shadow], { lr: 0.1 });
    const ema = new AveragedParams([w], { decay: 0.8, biasCorrection: true, optimizer: opt });
    const manual = new AveragedParams([shadow], { decay: 0.8, biasCorrection: true });
    for (let t = 0; t < 5; t++) {
      setGrads([w]);
      setGrads([shadow]);
      opt.step();
      byHand.step();
      manual.update();
      assert.equal(ema.nAveraged, t + 1);
    }
    assert.deepEqual(bits(ema.averages()), bits(manual.averages()));
  });

  it("through GradientAccumulation, updates once per real step, not per micro-batch", () => {
    const w = param([1, 2], { dtype: "float64" });
    const acc = new GradientAccumulation(new SGD([w], { lr: 0.1 }), { steps: 3 });
    const swa = new AveragedParams([w], { mode: "swa" });
    swa.attachTo(acc);
    const seen: number[][] = [];
    for (let micro = 1; micro <= 7; micro++) {
      setGrads([w], micro);
      acc.step();
      if (micro % 3 === 0) seen.push(Array.from(w.data));
      assert.equal(swa.nAveraged, Math.floor(micro / 3), `after micro-batch ${micro}`);
    }
    const mean = seen[0]!.map((v, i) => (v + seen[1]![i]!) / 2);
    assert.deepEqual(Array.from(swa.averages()[0]!), mean);
  });

  it("through Lookahead averages the synced params, and SkipNonFinite's skipped steps are not averaged", () => {
    const w = param([1, 2], { dtype: "float64" });
    const look = new Lookahead(new SGD([w], { lr: 0.1 }), { k: 2, alpha: 0.5 });
    const swa = new AveragedParams([w], { mode: "swa" });
    swa.attachTo(look);
    const after: number[][] = [];
    for (let t = 0; t < 4; t++) {
      setGrads([w]);
      look.step();
      after.push(Array.from(w.data)); // what the wrapper's step left, the sync included
    }
    const shadow = param([0, 0], { dtype: "float64" });
    const byHand = new AveragedParams([shadow], { mode: "swa" });
    for (const values of after) {
      shadow.data.set(values);
      byHand.update();
    }
    assert.deepEqual(bits(swa.averages()), bits(byHand.averages()));

    const v = param([1, 2], { dtype: "float64" });
    const skip = new SkipNonFinite(new SGD([v], { lr: 0.1 }));
    const ema = new AveragedParams([v], { optimizer: skip });
    setGrads([v]);
    skip.step();
    v.grad = new Float64Array([Number.NaN, 1]);
    skip.step();
    assert.deepEqual([skip.skipped, ema.nAveraged], [1, 1]);
  });

  for (const wrapped of [false, true]) {
    it(`continues bit for bit from stateDict → structuredClone → a fresh optimizer and averager${wrapped ? " (inside GradientAccumulation, mid-cycle)" : ""}`, () => {
      const make = (init: number[]) => {
        const w = param(init, { dtype: "float32" });
        const b = param(new Float64Array([0.5]), { name: "b" });
        const inner = new Adam([{ params: [w] }, { params: [b], lr: 0.05 }], { lr: 0.1 });
        const opt: OptimizerLike & AttachTarget = wrapped
          ? new GradientAccumulation(inner, { steps: 2 })
          : inner;
        const ema = new AveragedParams([w, b], { decay: 0.9, biasCorrection: true, optimizer: opt });
        return { params: [w, b], opt, ema };
      };
      const run = (m: ReturnType<typeof make>, from: number, to: number) => {
        for (let t = from; t < to; t++) {
          setGrads(m.params, 1 + 0.1 * t);
          m.opt.step();
        }
      };
      const a = make([3, -1, 2]);
      run(a, 0, 7);
      const saved = structuredClone(a.opt.stateDict());
      assert.ok(saved.attached?.averagedParams, "the averages travel inside the optimizer's state dict");
      const b = make([0, 0, 0]);
      b.params.forEach((p, i) => {
        p.data.set(a.params[i]!.data);
      });
      b.opt.loadStateDict(saved);
      assert.equal(b.ema.nAveraged, a.ema.nAveraged);
      run(a, 7, 14);
      run(b, 7, 14);
      assert.deepEqual(bits(b.params.map((p) => p.data)), bits(a.params.map((p) => p.data)));
      assert.deepEqual(bits(b.ema.averages()), bits(a.ema.averages()));
      assert.ok(a.ema.nAveraged > 3);
    });
  }

  it("refuses a corrupted attached section by name and changes neither the optimizer nor the averages", () => {
    const w = param([1, 2], { dtype: "float64" });
    const inner = new Adam([w], { lr: 0.1 });
    const opt = new Lookahead(inner, { k: 2 });
    const ema = new AveragedParams([w], { decay: 0.9, optimizer: opt });
    for (let t = 0; t < 3; t++) {
      setGrads([w]);
      opt.step();
    }
    const good = structuredClone(opt.stateDict());
    setGrads([w]);
    opt.step();
    const before = structuredClone(opt.stateDict());
    const averagesBefore = bits(ema.averages());
    const corrupt = (patch: Record<string, unknown>) => {
      const sd = structuredClone(good) as OptimizerStateDict & Record<string, unknown>;
      Object.assign(sd.attached!.averagedParams as Record<string, unknown>, patch);
      return sd;
    };
    assert.throws(
      () => opt.loadStateDict(corrupt({ averages: [new Float64Array(3)] })),
      /Adam\.loadStateDict: attached 'averagedParams': AveragedParams\.loadStateDict: averages\[0\]: expected a Float64Array of length 2/,
    );
    assert.throws(
      () => opt.loadStateDict(corrupt({ nAveraged: 1.5 })),
      /attached 'averagedParams': .*nAveraged must be a non-negative integer, got 1\.5/,
    );
    assert.throws(
      () => opt.loadStateDict(corrupt({ mode: "swa" })),
      /attached 'averagedParams': .*the state dict is for mode "swa"/,
    );
    assert.deepEqual(opt.stateDict(), before);
    assert.deepEqual(bits(ema.averages()), averagesBefore);
    assert.equal(ema.nAveraged, 4);
    assert.equal(opt.stepCount, 4, "Lookahead's own counter is untouched too");
  });

  it("loads an optimizer state dict saved without an averager, keeping its averages", () => {
    const w = param([1, 2], { dtype: "float64" });
    const plain = new SGD([w], { lr: 0.1, momentum: 0.9 });
    setGrads([w]);
    plain.step();
    const saved = structuredClone(plain.stateDict());
    assert.equal("attached" in saved, false);
    const v = param([1, 2], { dtype: "float64" });
    const opt = new SGD([v], { lr: 0.1, momentum: 0.9 });
    const ema = new AveragedParams([v], { optimizer: opt });
    setGrads([v]);
    opt.step();
    const averages = bits(ema.averages());
    opt.loadStateDict(saved);
    assert.deepEqual(bits(ema.averages()), averages);
    assert.equal(ema.nAveraged, 1);
  });

  it("detaches with the handle, and refuses a second attachment or a non-optimizer", () => {
    const w = param([1, 2], { dtype: "float64" });
    const opt = new SGD([w], { lr: 0.1 });
    const ema = new AveragedParams([w]);
    const handle = ema.attachTo(opt, "ema");
    assert.throws(() => ema.attachTo(opt, "other"), /already attached to an optimizer/);
    assert.throws(
      () => new AveragedParams([w], { optimizer: {} as never }),
      /AveragedParams\.attachTo: expected an optimizer/,
    );
    setGrads([w]);
    opt.step();
    handle.remove();
    opt.step();
    assert.equal(ema.nAveraged, 1);
    assert.equal("attached" in opt.stateDict(), false);
    ema.attachTo(opt);
    assert.deepEqual(Object.keys(opt.stateDict().attached!), ["averagedParams"]);
  });
});
