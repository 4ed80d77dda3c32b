import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arena } from "../../src/core/arena.js";
import { param } from "../../src/core/param.js";
import { useThreads } from "../../src/kernels/threads.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";

function makeParams(sizes: number[], dtype: "float32" | "float64", seed: number) {
  return sizes.map((n, k) => {
    const p = param(
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k + seed)),
      { dtype },
    );
    const g = p.gradBuffer();
    for (let i = 0; i < n; i++) g[i] = Math.cos(i * 1.3 + seed * k);
    return p;
  });
}

describe("useThreads", () => {
  it("gives bit-identical params and state to one thread (Adam and SGD, float32 and float64, odd lengths)", async () => {
    const sizes = [200_003, 70_001, 1000, 65_536];
    for (const dtype of ["float32", "float64"] as const) {
      for (const make of [
        (ps: ReturnType<typeof makeParams>) => new Adam(ps, { lr: 0.01, weightDecay: 0.1, amsgrad: true }),
        (ps: ReturnType<typeof makeParams>) => new SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true }),
      ]) {
        const single = makeParams(sizes, dtype, 1);
        const threaded = makeParams(sizes, dtype, 1);
        const a = make(single);
        const b = make(threaded);
        const pool = await useThreads(b, 2, { minElements: 4096 });
        try {
          for (let s = 0; s < 3; s++) {
            a.step();
            b.step();
          }
        } finally {
          await pool.close();
        }
        single.forEach((p, i) => {
          assert.deepEqual(threaded[i]!.data, p.data, `${dtype} param ${i}`);
        });
        assert.deepEqual(b.stateDict(), a.stateDict());
      }
    }
  });

  it("keeps working when the arena grows after the workers started (params added later)", async () => {
    const single = makeParams([100_000], "float32", 5);
    const threaded = makeParams([100_000], "float32", 5);
    const a = new Adam(single, { lr: 0.01 });
    const b = new Adam(threaded, { lr: 0.01 });
    const pool = await useThreads(b, 2, { minElements: 4096 });
    try {
      const bytesBefore = arena()!.memory.buffer.byteLength;
      const big = () => {
        const p = param(new Float32Array(bytesBefore / 8).fill(0.25));
        p.gradBuffer().fill(-0.5);
        return p;
      };
      const bigA = big();
      const bigB = big();
      a.addParamGroup({ params: [bigA] });
      b.addParamGroup({ params: [bigB] });
      for (let s = 0; s < 2; s++) {
        a.step();
        b.step();
      }
      // the shared memory grew while the workers held their instances
      assert.ok(arena()!.memory.buffer.byteLength > bytesBefore);
      const bytes = (x: Float32Array | Float64Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
      assert.ok(bytes(bigB.data).equals(bytes(bigA.data)), "the param added after growth");
      assert.deepEqual(threaded[0]!.data, single[0]!.data);
    } finally {
      await pool.close();
    }
  });

  it("close() restores the single-threaded step and frees the slot for another pool", async () => {
    const ps = makeParams([100_000], "float32", 2);
    const opt = new SGD(ps, { lr: 0.1 });
    const before = opt.step;
    const pool = await useThreads(opt, 2);
    assert.notEqual(opt.step, before);
    await assert.rejects(useThreads(opt, 2), /another thread pool is open; close it first/);
    await pool.close();
    assert.equal(opt.step, before);
    const again = await useThreads(opt, 2);
    await again.close();
  });

  it("refuses a bad thread count or minElements, naming the value", async () => {
    const opt = new SGD(makeParams([8], "float32", 3), { lr: 0.1 });
    await assert.rejects(useThreads(opt, 0), /threads must be an integer from 1 to 64, got 0/);
    await assert.rejects(useThreads(opt, 1.5), /got 1.5/);
    await assert.rejects(
      useThreads(opt, 2, { minElements: -1 }),
      /minElements must be a positive integer, got -1/,
    );
  });
});
