import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Adam, Lookahead, type Param, param, SGD } from "../../src/index.js";

/** ∇ of Σ (i+1)·(x_i − 1)²/2, written into the grad. */
function setGrad(p: Param): void {
  p.grad = new Float64Array(Array.from(p.data, (x, i) => (i + 1) * (x - 1)));
}

describe("Lookahead", () => {
  it("with alpha = 1 is exactly the inner optimizer", () => {
    const a = param([2, -1, 0.5], { dtype: "float64" });
    const b = param([2, -1, 0.5], { dtype: "float64" });
    const wrapped = new Lookahead(new Adam([a], { lr: 0.05 }), { k: 3, alpha: 1 });
    const plain = new Adam([b], { lr: 0.05 });
    for (let t = 0; t < 12; t++) {
      setGrad(a);
      setGrad(b);
      wrapped.step();
      plain.step();
    }
    assert.deepEqual([...a.data], [...b.data]);
  });

  it("pulls the fast weights toward the slow ones every k steps (worked by hand)", () => {
    // f = (x − 1)²/2, SGD lr 0.1: x ← x − 0.1·(x − 1). From x = 3 with k = 2, α = 0.5:
    //   fast 3 → 2.8 → 2.62; sync φ = 3 + 0.5·(2.62 − 3) = 2.81, x = 2.81
    //   fast 2.81 → 2.629 → 2.4661; sync φ = 2.81 + 0.5·(2.4661 − 2.81) = 2.63805
    const x = param([3], { dtype: "float64" });
    const opt = new Lookahead(new SGD([x], { lr: 0.1 }), { k: 2, alpha: 0.5 });
    const seen: number[] = [];
    for (let t = 0; t < 4; t++) {
      setGrad(x);
      opt.step();
      seen.push(x.data[0]!);
    }
    const want = [2.8, 2.81, 2.629, 2.63805];
    seen.forEach((v, i) => {
      assert.ok(Math.abs(v - want[i]!) < 1e-14, `step ${i + 1}: ${v} vs ${want[i]}`);
    });
    assert.ok(Math.abs(opt.slowParam(x)![0]! - 2.63805) < 1e-14);
    assert.equal(opt.stepCount, 4);
  });

  it("matches the paper's Algorithm 1 written plainly over an Adam inner loop", () => {
    const k = 4;
    const alpha = 0.3;
    const start = [2, -1, 0.5];
    // reference: φ, and θ run by a separate Adam (its state carries across syncs, as in the paper's code)
    const theta = param(start, { dtype: "float64" });
    const inner = new Adam([theta], { lr: 0.05 });
    const phi = [...start];
    const w = param(start, { dtype: "float64" });
    const opt = new Lookahead(new Adam([w], { lr: 0.05 }), { k, alpha });
    for (let t = 1; t <= 3 * k + 1; t++) {
      setGrad(theta);
      inner.step();
      if (t % k === 0) {
        for (let i = 0; i < phi.length; i++) phi[i] = phi[i]! + alpha * (theta.data[i]! - phi[i]!);
        theta.data.set(phi);
      }
      setGrad(w);
      opt.step();
      assert.deepEqual([...w.data], [...theta.data], `step ${t}`);
    }
  });

  it("with alpha = 0 sends the params back to where they started every k steps", () => {
    const x = param([3, 4], { dtype: "float64" });
    const opt = new Lookahead(new SGD([x], { lr: 0.1 }), { k: 3, alpha: 0 });
    for (let t = 0; t < 6; t++) {
      setGrad(x);
      opt.step();
    }
    assert.deepEqual([...x.data], [3, 4]);
  });

  it("shares the inner optimizer's param groups, so a scheduler or a hand change of lr reaches it", () => {
    const x = param([1]);
    const inner = new SGD([x], { lr: 0.1 });
    const opt = new Lookahead(inner);
    assert.equal(opt.paramGroups, inner.paramGroups);
    opt.paramGroups[0]!.lr = 0.5;
    assert.equal(inner.paramGroups[0]!.lr, 0.5);
    assert.equal(opt.defaults, inner.defaults);
  });

  it("round-trips its state dict (slow weights and step count) and resumes bit for bit", () => {
    const grads = (t: number) => [Math.sin(t), Math.cos(t)];
    const a = param([1, 2], { dtype: "float32" });
    const optA = new Lookahead(new Adam([a], { lr: 0.1 }), { k: 3, alpha: 0.5 });
    for (let t = 0; t < 4; t++) {
      a.grad = new Float32Array(grads(t));
      optA.step();
    }
    const sd = structuredClone(optA.stateDict());
    const b = param([...a.data], { dtype: "float32" });
    const optB = new Lookahead(new Adam([b], { lr: 0.1 }), { k: 3, alpha: 0.5 });
    optB.loadStateDict(sd);
    assert.equal(optB.stepCount, 4);
    for (let t = 4; t < 9; t++) {
      a.grad = new Float32Array(grads(t));
      b.grad = new Float32Array(grads(t));
      optA.step();
      optB.step();
    }
    assert.deepEqual([...b.data], [...a.data]);
  });

  it("rejects a bad state dict without changing anything", () => {
    const a = param([1, 2], { dtype: "float64" });
    const opt = new Lookahead(new Adam([a], { lr: 0.1 }), { k: 2 });
    a.grad = new Float64Array([1, 1]);
    opt.step();
    const before = structuredClone(opt.stateDict());
    const bad = structuredClone(before) as typeof before & { lookahead: { slowParams: unknown[] } };
    bad.lookahead.slowParams = [new Float64Array(3)];
    assert.throws(
      () => opt.loadStateDict(bad),
      /Lookahead\.loadStateDict: lookahead\.slowParams\[0\]: expected a Float64Array of length 2/,
    );
    const noKey = { state: before.state, paramGroups: before.paramGroups };
    assert.throws(() => opt.loadStateDict(noKey), /missing 'lookahead'/);
    assert.deepEqual(opt.stateDict(), before);
  });

  it("rejects bad options and non-optimizers", () => {
    const inner = new SGD([param([1])]);
    assert.throws(() => new Lookahead(inner, { k: 0 }), /Invalid lookahead steps: 0/);
    assert.throws(() => new Lookahead(inner, { k: 2.5 }), /Invalid lookahead steps: 2.5/);
    assert.throws(() => new Lookahead(inner, { alpha: 1.5 }), /Invalid slow update rate: 1.5/);
    assert.throws(() => new Lookahead(inner, { beta: 1 } as never), /unknown option 'beta'/);
    assert.throws(() => new Lookahead({} as never), /Lookahead: expected an optimizer/);
  });
});
