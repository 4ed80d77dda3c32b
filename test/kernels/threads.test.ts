import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { arena } from "../../src/core/arena.js";
import { param } from "../../src/core/param.js";
import { kernels } from "../../src/kernels/runtime.js";
import { useThreads } from "../../src/kernels/threads.js";
import { Adam } from "../../src/optim/adam.js";
import { SGD } from "../../src/optim/sgd.js";
import { plainEnv } from "../helpers/child-env.js";
import { SkipNonFinite } from "../../src/optim/skip-non-finite.js";

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
    // the pool is installed through the step executor: active during each step, never outside one
    const seen: boolean[] = [];
    opt.registerStepPreHook(() => seen.push(kernels()!.pool !== null));
    const pool = await useThreads(opt, 2);
    assert.equal(opt.step, before, "useThreads does not patch step");
    opt.step();
    assert.equal(kernels()!.pool, null);
    await assert.rejects(useThreads(opt, 2), /another thread pool is open; close it first/);
    await pool.close();
    opt.step();
    assert.deepEqual(seen, [true, false]);
    const again = await useThreads(opt, 2);
    await again.close();
  });

  it("takes the pool down after a step that throws, and reaches the inner optimizer through a wrapper", async () => {
    const ps = makeParams([100_000], "float32", 4);
    const inner = new SGD(ps, { lr: 0.1 });
    const wrapped = new SkipNonFinite(inner);
    const pool = await useThreads(wrapped, 2);
    try {
      let during = false;
      inner.registerStepPreHook(() => {
        during = kernels()!.pool !== null;
      });
      wrapped.step();
      assert.equal(during, true);
      assert.throws(
        () =>
          inner.step(() => {
            throw new Error("closure failed");
          }),
        /closure failed/,
      );
      assert.equal(kernels()!.pool, null);
    } finally {
      await pool.close();
    }
    await assert.rejects(
      useThreads({ paramGroups: [], step: () => undefined } as never, 2),
      /useThreads: expected a descent optimizer or wrapper \(one with setStepExecutor\)/,
    );
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

  it("recovers from a lost handle: once it is collected, the pool shuts down and a new one opens", () => {
    const child = join(dirname(fileURLToPath(import.meta.url)), "threads-lost-handle-child.ts");
    const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", child], {
      encoding: "utf8",
      timeout: 120_000,
      env: plainEnv(),
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    const result = JSON.parse(lines[lines.length - 1]!);
    assert.equal(result.reopened, "yes");
    assert.equal(result.secondMatches, true, "the new pool's step matches one thread");
    assert.equal(result.firstMatches, true, "the abandoned pool's optimizer steps on one thread");
  });
});
