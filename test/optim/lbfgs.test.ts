// LBFGS against PyTorch 2.6: every closure call (where it is evaluated, how many), the returned loss, the
// func_evals / n_iter counters, the params after each step and the state at checkpoints; then the same runs
// with the objective recomputed here; then options, errors and state dicts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LBFGS, type Param, param } from "../../src/index.js";
import { camelOptions, closeTo, loadFixture, untensor } from "../helpers/torch-reference.js";

interface ClosureEval {
  x: number[][];
  loss: number;
  grads: number[][];
}
interface LbfgsCase {
  name: string;
  optimizer: string;
  dtype: "float32" | "float64";
  options: Record<string, unknown>;
  params: Array<{ name: string; shape: number[]; init: number[] }>;
  objective: { id: string; sign: number };
  trace: Array<{
    step: number;
    returned_loss: number;
    func_evals_this_step: number;
    state_func_evals: number;
    state_n_iter: number;
    closure_evals: ClosureEval[];
    params: number[][];
  }>;
  checkpoints: Array<{ after_step: number; state_dict: { state: Record<string, unknown> } }>;
}

// float32: torch rounds every op to float32 and descent computes in float64, and LBFGS's history amplifies
// that difference across steps (measured ~3e-5 relative); the evaluation counts still agree exactly.
const tolerance = (c: LbfgsCase, float64: number): number => (c.dtype === "float32" ? 1e-4 : float64);

const cases: LbfgsCase[] = ["optimizers.json", "project_optimizers.json"].flatMap((file) =>
  loadFixture<{ cases: LbfgsCase[] }>(file).cases.filter((c) => c.optimizer === "LBFGS"),
);

function build(c: LbfgsCase): { params: Param[]; opt: LBFGS } {
  const params = c.params.map((p) => param(p.init, { shape: p.shape, name: p.name, dtype: c.dtype }));
  return { params, opt: new LBFGS(params, camelOptions(c.options)) };
}

function setGrads(params: Param[], grads: readonly (readonly number[])[]): void {
  params.forEach((p, i) => {
    p.grad = p.data instanceof Float32Array ? Float32Array.from(grads[i]!) : Float64Array.from(grads[i]!);
  });
}

/** public_v1 (constants a, b, c from the fixture header), over all params concatenated; returns sign·f. */
function publicV1(params: Param[], sign: number): number {
  const { a, b, c } = { a: 1.0, b: 0.1, c: 1.5 };
  const x = params.flatMap((p) => Array.from(p.data));
  const n = x.length;
  let f = 0;
  const g = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const r = x[i + 1]! - x[i]! * x[i]!;
    f += a * r * r + (1 - x[i]!) ** 2;
    g[i]! += -4 * a * x[i]! * r - 2 * (1 - x[i]!);
    g[i + 1]! += 2 * a * r;
  }
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const arg = c * x[i]! + x[j]!;
    f += b * Math.sin(arg);
    g[i]! += b * c * Math.cos(arg);
    g[j]! += b * Math.cos(arg);
  }
  let offset = 0;
  for (const p of params) {
    const grad = new Float64Array(p.data.length);
    for (let k = 0; k < grad.length; k++) grad[k] = sign * g[offset + k]!;
    p.grad = p.data instanceof Float32Array ? Float32Array.from(grad) : grad;
    offset += grad.length;
  }
  return sign * f;
}

function assertParams(params: Param[], expected: number[][], tol: number, what: string): void {
  params.forEach((p, i) => {
    const why = closeTo(p.data, expected[i]!, tol, `${what} param ${i}`);
    assert.equal(why, null, why ?? "");
  });
}

function checkState(c: LbfgsCase, opt: LBFGS, first: Param, after: number, tol: number): void {
  const cp = c.checkpoints.find((k) => k.after_step === after);
  if (!cp) return;
  const torch = untensor(cp.state_dict.state)["0"] as Record<string, unknown>;
  if ("HDiag" in torch) {
    torch.hDiag = torch.HDiag;
    delete torch.HDiag;
  }
  const ours = opt.state.get(first) as Record<string, unknown> | undefined;
  assert.ok(ours, `${c.name}: no state after step ${after}`);
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(torch).sort(), `${c.name}: state keys`);
  const near = (a: unknown, b: unknown, path: string): void => {
    if (b === null) {
      assert.equal(a, null, path);
      return;
    }
    if (typeof b === "number") {
      assert.ok(Math.abs((a as number) - b) <= tol * Math.max(1, Math.abs(b)), `${path}: ${a} vs torch ${b}`);
      return;
    }
    const bs = b as unknown[];
    const as = a as ArrayLike<unknown>;
    assert.equal(as.length, bs.length, `${path}: length`);
    for (let i = 0; i < bs.length; i++) near(as[i], bs[i], `${path}[${i}]`);
  };
  for (const [key, value] of Object.entries(torch))
    near(ours[key], value, `${c.name} after step ${after}: ${key}`);
}

describe("LBFGS against PyTorch 2.6 traces, closure served from the recorded evaluations", () => {
  assert.ok(cases.length >= 6, "the LBFGS cases are found");
  for (const c of cases) {
    it(`${c.name}: evaluates where torch did, as often, and ends each step where torch did`, () => {
      const { params, opt } = build(c);
      for (const entry of c.trace) {
        let k = 0;
        const closure = (): number => {
          const ev = entry.closure_evals[k];
          assert.ok(
            ev,
            `${c.name} step ${entry.step}: closure call ${k + 1}, torch made ${entry.closure_evals.length}`,
          );
          assertParams(
            params,
            ev.x,
            tolerance(c, 1e-10),
            `${c.name} step ${entry.step} closure call ${k + 1}`,
          );
          setGrads(params, ev.grads);
          k += 1;
          return ev.loss;
        };
        const returned = opt.step(closure);
        assert.equal(returned, entry.returned_loss, `${c.name} step ${entry.step}: returned loss`);
        assert.equal(k, entry.func_evals_this_step, `${c.name} step ${entry.step}: closure calls`);
        const state = opt.state.get(params[0]!)!;
        assert.equal(state.funcEvals, entry.state_func_evals, `${c.name} step ${entry.step}: funcEvals`);
        assert.equal(state.nIter, entry.state_n_iter, `${c.name} step ${entry.step}: nIter`);
        assertParams(params, entry.params, tolerance(c, 1e-10), `${c.name} step ${entry.step}`);
        checkState(c, opt, params[0]!, entry.step, tolerance(c, 1e-10));
      }
    });
  }
});

describe("LBFGS against PyTorch 2.6 traces, objective recomputed here", () => {
  for (const c of cases) {
    it(`${c.name}: the same evaluation counts and params within 1e-9 (float32: 1e-4)`, () => {
      assert.equal(c.objective.id, "public_v1");
      const { params, opt } = build(c);
      for (const entry of c.trace) {
        let k = 0;
        const returned = opt.step(() => {
          k += 1;
          return publicV1(params, c.objective.sign);
        });
        assert.ok(
          Math.abs(returned! - entry.returned_loss) <=
            tolerance(c, 1e-9) * Math.max(1, Math.abs(entry.returned_loss)),
        );
        assert.equal(k, entry.func_evals_this_step, `${c.name} step ${entry.step}: closure calls`);
        assert.equal(opt.state.get(params[0]!)!.nIter, entry.state_n_iter);
        assertParams(params, entry.params, tolerance(c, 1e-9), `${c.name} step ${entry.step}`);
      }
    });
  }
});

/** f = Σ wᵢ(xᵢ − i)², an ill-conditioned quadratic with minimum at x = [0, 1, 2, …]. */
function quadratic(p: Param): () => number {
  return () => {
    const g =
      p.data instanceof Float32Array ? new Float32Array(p.data.length) : new Float64Array(p.data.length);
    let f = 0;
    for (let i = 0; i < p.data.length; i++) {
      const w = 1 + 10 * i;
      const r = p.data[i]! - i;
      f += w * r * r;
      g[i] = 2 * w * r;
    }
    p.grad = g;
    return f;
  };
}

describe("LBFGS options", () => {
  it("resolves maxEval to floor(maxIter·5/4) at construction, as torch does", () => {
    assert.equal(new LBFGS([param([1])]).paramGroups[0]!.maxEval, 25);
    assert.equal(new LBFGS([param([1])], { maxIter: 7 }).paramGroups[0]!.maxEval, 8);
    assert.equal(new LBFGS([param([1])], { maxIter: 7, maxEval: 3 }).paramGroups[0]!.maxEval, 3);
  });

  it("rejects bad options with torch-style messages", () => {
    const p = param([1]);
    assert.throws(() => new LBFGS([p], { lr: -1 }), /Invalid learning rate: -1/);
    assert.throws(() => new LBFGS([p], { maxIter: 0 }), /Invalid max_iter value: 0/);
    assert.throws(() => new LBFGS([p], { maxIter: 2.5 }), /Invalid max_iter value: 2.5/);
    assert.throws(() => new LBFGS([p], { maxEval: -3 }), /Invalid max_eval value: -3/);
    assert.throws(() => new LBFGS([p], { historySize: 0 }), /Invalid history_size value: 0/);
    assert.throws(() => new LBFGS([p], { toleranceGrad: -1 }), /Invalid tolerance_grad value: -1/);
    assert.throws(
      () => new LBFGS([p], { lineSearchFn: "backtracking" as never }),
      /Invalid line_search_fn: "backtracking" \(only 'strong_wolfe' is supported/,
    );
  });

  it("has one param group only, as torch", () => {
    const a = param([1]);
    const b = param([2]);
    assert.throws(
      () => new LBFGS([{ params: [a] }, { params: [b] }]),
      /LBFGS doesn't support per-parameter options \(parameter groups\)/,
    );
    const opt = new LBFGS([a]);
    assert.throws(() => opt.addParamGroup({ params: [b] }), /doesn't support per-parameter options/);
    assert.equal(opt.paramGroups.length, 1);
  });

  it("requires a closure that returns a number, and changes nothing without one", () => {
    const p = param([1, 2], { dtype: "float64" });
    const opt = new LBFGS([p]);
    assert.throws(() => opt.step(), /LBFGS.step: a closure is required/);
    assert.throws(() => opt.step("loss" as never), /a closure is required/);
    assert.deepEqual([...p.data], [1, 2]);
    assert.equal(opt.state.size, 0);
    assert.throws(() => opt.step((() => "1") as never), /closure must return the loss as a number, got "1"/);
  });
});

describe("LBFGS.step", () => {
  for (const lineSearchFn of [null, "strong_wolfe"] as const) {
    it(`minimises an ill-conditioned quadratic in float32 and float64 (lineSearchFn ${lineSearchFn})`, () => {
      for (const dtype of ["float32", "float64"] as const) {
        const p = param([5, -3, 4, 10], { dtype });
        const opt = new LBFGS([p], { lineSearchFn, maxIter: 50 });
        const closure = quadratic(p);
        const start = closure();
        for (let i = 0; i < 5; i++) opt.step(closure);
        const end = closure();
        assert.ok(p.data instanceof (dtype === "float32" ? Float32Array : Float64Array));
        assert.ok(end < start * 1e-6, `${dtype}: loss ${start} → ${end}`);
        assert.ok(opt.state.get(p)!.d instanceof (dtype === "float32" ? Float32Array : Float64Array));
      }
    });
  }

  it("returns the first evaluation's loss and stops at once when the grad is already below toleranceGrad", () => {
    const p = param([0, 1, 2], { dtype: "float64" });
    const opt = new LBFGS([p]);
    let calls = 0;
    const f = quadratic(p);
    const loss = opt.step(() => {
      calls += 1;
      return f();
    });
    assert.equal(loss, 0);
    assert.equal(calls, 1);
    assert.deepEqual(opt.state.get(p), { funcEvals: 1, nIter: 0 });
  });

  it("keeps at most historySize correction pairs", () => {
    const p = param([5, -3, 4, 10, 1, 7], { dtype: "float64" });
    const opt = new LBFGS([p], { historySize: 2, maxIter: 10, lr: 0.01 });
    opt.step(quadratic(p));
    const s = opt.state.get(p)!;
    assert.equal(s.oldDirs!.length, 2);
    assert.equal(s.oldStps!.length, 2);
    assert.equal(s.ro!.length, 2);
    assert.equal(s.al!.length, 2);
  });
});

describe("LBFGS state dicts", () => {
  it("round-trips: a copy loaded from the state dict continues exactly as the original", () => {
    for (const lineSearchFn of [null, "strong_wolfe"] as const) {
      const a = param([5, -3, 4, 10], { dtype: "float64" });
      const b = param([5, -3, 4, 10], { dtype: "float64" });
      const optA = new LBFGS([a], { lineSearchFn, lr: 0.05, maxIter: 3 });
      const optB = new LBFGS([b], { lineSearchFn, lr: 0.05, maxIter: 3 });
      optA.step(quadratic(a));
      optA.step(quadratic(a));
      const sd = structuredClone(optA.stateDict());
      b.data.set(a.data);
      optB.loadStateDict(sd);
      for (let i = 0; i < 3; i++) {
        optA.step(quadratic(a));
        optB.step(quadratic(b));
        assert.deepEqual([...b.data], [...a.data], `${lineSearchFn}: step ${i + 3}`);
      }
      assert.deepEqual(optB.stateDict(), optA.stateDict());
    }
  });

  it("rejects inconsistent history and leaves the optimizer unchanged", () => {
    const p = param([5, -3, 4], { dtype: "float64" });
    const opt = new LBFGS([p], { maxIter: 4 });
    opt.step(quadratic(p));
    const good = opt.stateDict();
    const before = structuredClone(good);
    const bad = structuredClone(good) as { state: Record<number, Record<string, unknown>> };
    (bad.state[0]!.ro as number[]).pop();
    assert.throws(() => opt.loadStateDict(bad as never), /oldDirs, oldStps and ro have different lengths/);
    const short = structuredClone(good) as { state: Record<number, Record<string, unknown>> };
    short.state[0]!.d = new Float64Array(2);
    assert.throws(() => opt.loadStateDict(short as never), /state\[0\]\.d: expected 3 elements, got 2/);
    const extra = structuredClone(good) as { state: Record<number, Record<string, unknown>> };
    extra.state[0]!.momentum = 1;
    assert.throws(() => opt.loadStateDict(extra as never), /unexpected key 'momentum'/);
    assert.deepEqual(opt.stateDict(), before);
  });

  it("checks each history entry, whatever the history's length, and leaves the optimizer unchanged", () => {
    const p = param([5, -3, 4], { dtype: "float64" });
    const opt = new LBFGS([p], { maxIter: 4 });
    opt.step(quadratic(p));
    const good = opt.stateDict() as { state: Record<number, Record<string, unknown>> };
    assert.ok((good.state[0]!.oldDirs as unknown[]).length > 1);
    const before = structuredClone(good);
    const dtype = structuredClone(good);
    (dtype.state[0]!.oldStps as unknown[])[1] = new Float32Array(3);
    assert.throws(
      () => opt.loadStateDict(dtype as never),
      /state\[0\]\.oldStps\[1\]: expected Float64Array, got Float32Array/,
    );
    const nullRo = structuredClone(good);
    (nullRo.state[0]!.ro as unknown[])[0] = null;
    assert.throws(
      () => opt.loadStateDict(nullRo as never),
      /state\[0\]\.ro\[0\]: expected a number, got null/,
    );
    assert.deepEqual(opt.stateDict(), before);
    const empty = structuredClone(good);
    for (const key of ["oldDirs", "oldStps", "ro"]) empty.state[0]![key] = [];
    opt.loadStateDict(empty as never);
    assert.deepEqual((opt.stateDict() as typeof good).state[0]!.ro, []);
    opt.loadStateDict(before as never);
    assert.deepEqual(opt.stateDict(), before);
  });
});
