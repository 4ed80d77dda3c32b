// Issue 17: copies copy, views never go stale, memory comes back, a step that cannot allocate changes nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocBuffer, arena, releaseBuffer } from "../../src/core/arena.js";
import {
  Adafactor,
  Adam,
  type Param,
  param,
  RMSprop,
  readCheckpoint,
  SGD,
  saveCheckpoint,
} from "../../src/index.js";

function stepOnce(opt: { step(): unknown }, ...ps: ReturnType<typeof param>[]): void {
  for (const p of ps) p.grad = new Float32Array(p.size).fill(1);
  opt.step();
}

describe("snapshots of p.data are independent copies", () => {
  it("structuredClone, slice, a posted message and a checkpoint do not follow training", async () => {
    const w = param([1, 1, 1, 1]);
    const opt = new SGD([w], { lr: 0.5 });
    const cloned = structuredClone(w.data);
    const sliced = w.data.slice();
    const posted = await new Promise<Float32Array>((resolve) => {
      const { port1, port2 } = new MessageChannel();
      port2.onmessage = (e) => {
        port1.close();
        port2.close();
        resolve(e.data as Float32Array);
      };
      port1.postMessage(w.data);
    });
    const checkpoint = readCheckpoint(saveCheckpoint({ params: { w } }));
    stepOnce(opt, w);
    assert.equal(w.data[0], 0.5, "the step ran");
    assert.equal(cloned[0], 1, "structuredClone copies");
    assert.equal(sliced[0], 1, "slice copies");
    assert.equal(posted[0], 1, "postMessage copies");
    const saved = checkpoint.params[0]!;
    assert.equal((saved.data as Float32Array)[0], 1, "a checkpoint copies");
    cloned[1] = 9;
    assert.equal(w.data[1], 0.5, "writing a clone leaves the param alone");
  });
});

describe("views across a growth of the memory", () => {
  it("p.data, p.grad and the optimizer's state stay live (re-derived) and the step stays on the kernels", () => {
    const w = param(new Float32Array(64).fill(2), { name: "w" });
    const opt = new Adam([w], { lr: 0.1 });
    stepOnce(opt, w);
    const before = w.data[0];
    const held = w.data;
    const big = allocBuffer(16 * 1024 * 1024, "float64"); // 128 MiB: grows the memory
    assert.equal(held.length, 0, "a view kept across the growth is detached, never silently stale");
    assert.equal(w.data.length, 64);
    assert.equal(w.data[0], before);
    assert.ok(arena()!.owns(w.data) && arena()!.owns(w.grad!));
    const m = opt.state.get(w)!.expAvg;
    assert.ok(arena()!.owns(m), "state read through opt.state is live");
    stepOnce(opt, w);
    assert.ok(w.data[0]! < before!, "the step after the growth updates the param");
    releaseBuffer(big);
  });

  it("a step whose own state allocation grows the memory updates every param correctly", () => {
    const ref = param(new Float32Array(1000).fill(1));
    const refOpt = new RMSprop([ref], { lr: 0.01, momentum: 0.9, centered: true });
    stepOnce(refOpt, ref);
    const small = param(new Float32Array(1000).fill(1));
    const huge = param(new Float32Array(8 * 1024 * 1024).fill(1)); // its state needs 96 MiB more
    const opt = new RMSprop([small, huge], { lr: 0.01, momentum: 0.9, centered: true });
    stepOnce(opt, small, huge);
    assert.deepEqual(small.data, ref.data);
    assert.equal(huge.data[12345], ref.data[0]);
    opt.dispose();
    huge.dispose();
  });
});

describe("dispose", () => {
  it("p.dispose() and opt.dispose() return the memory; the param and the optimizer refuse use afterwards", () => {
    const a = arena()!;
    const inUse = a.bytesInUse;
    const w = param(new Float32Array(10_000), { name: "w" });
    const opt = new Adam([w]);
    stepOnce(opt, w);
    assert.ok(a.bytesInUse >= inUse + 4 * 40_000, "data, grad and two moments");
    opt.dispose();
    assert.equal(opt.state.size, 0);
    w.dispose();
    assert.equal(a.bytesInUse, inUse);
    assert.throws(() => w.data, /param 'w' was disposed/);
    assert.throws(() => opt.step(), /Adam.step: the optimizer was disposed/);
    w.dispose(); // twice is fine
  });

  it("works with `using`", () => {
    const a = arena()!;
    const inUse = a.bytesInUse;
    {
      using w = param(new Float32Array(1000));
      using opt = new Adam([w]);
      stepOnce(opt, w);
      assert.ok(a.bytesInUse > inUse);
    }
    assert.equal(a.bytesInUse, inUse);
  });
});

describe("a step that cannot allocate", () => {
  it("changes nothing, names the param and the bytes, and a retry steps every param once", () => {
    const a = arena()!;
    const small = param(new Float32Array(4).fill(1), { name: "small" });
    const savedMax = a.maxBytes;
    try {
      a.maxBytes = a.memory.buffer.byteLength + 64 * 1024 * 1024;
      // data and grad take two thirds of what is left: the two Adam moments cannot fit
      const n = Math.floor(a.bytesAvailable / 4 / 3 / 16) * 16;
      const big = param(new Float32Array(n).fill(1), { name: "big" });
      const opt = new Adam([small, big], { lr: 0.1 });
      small.grad = new Float32Array(4).fill(1);
      big.gradBuffer().fill(1);
      assert.throws(
        () => opt.step(),
        (e: Error) =>
          e instanceof RangeError &&
          /Adam.step: cannot allocate the state of param 1 \('big'\): it needs at least \d+ bytes/.test(
            e.message,
          ) &&
          /nothing was updated/.test(e.message),
      );
      assert.deepEqual([...small.data], [1, 1, 1, 1], "the param before it was not updated");
      assert.equal(opt.state.size, 0, "no state was left behind");
      a.maxBytes = savedMax;
      opt.step();
      const ref = param(new Float32Array(4).fill(1));
      stepOnce(new Adam([ref], { lr: 0.1 }), ref);
      assert.deepEqual(small.data, ref.data, "the retry steps small once");
      assert.equal(big.data[0], ref.data[0]);
      assert.equal((opt.state.get(small) as { step: number }).step, 1);
      opt.dispose();
      big.dispose();
    } finally {
      a.maxBytes = savedMax;
    }
  });
});

describe("state lives where its param lives", () => {
  const plain = (n: number, shape: number[] = [n]) => {
    const data = new Float32Array(n).map((_, i) => Math.sin(i + 1));
    return { data, grad: data.map((x) => 0.1 * x), shape };
  };
  const buffersOf = (value: unknown): ArrayBufferView[] =>
    ArrayBuffer.isView(value)
      ? [value]
      : value !== null && typeof value === "object"
        ? Object.values(value).flatMap(buffersOf)
        : [];
  const kinds = {
    Adam: (ps: Param[]) => new Adam(ps, { lr: 1e-3, amsgrad: true }),
    SGD: (ps: Param[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
    RMSprop: (ps: Param[]) => new RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.5 }),
    Adafactor: (ps: Param[]) => new Adafactor(ps, { lr: 1e-2 }),
  };
  for (const [name, make] of Object.entries(kinds)) {
    it(`${name} over plain typed arrays takes nothing from the arena and never grows it, also on a load`, () => {
      const a = arena()!;
      const before = { bytes: a.bytesInUse, buffer: a.memory.buffer };
      const ps = [plain(5000), plain(24, [4, 6])];
      const opt = make(ps);
      for (let i = 0; i < 3; i++) opt.step();
      const saved = opt.stateDict();
      const again = make(ps);
      again.loadStateDict(saved);
      again.step();
      for (const o of [opt, again]) {
        for (const [, s] of o.state) {
          for (const b of buffersOf(s))
            assert.equal(a.owns(b), false, `${name}: a state buffer in the arena`);
        }
      }
      assert.equal(a.bytesInUse, before.bytes);
      assert.equal(a.memory.buffer, before.buffer, "the memory grew (and detached its views)");
      assert.ok(ps[0]!.data.every(Number.isFinite));
      opt.dispose();
      again.dispose();
    });
  }
  it("a param()'s state, made or loaded, is in the arena, where the kernels reach it", () => {
    const a = arena()!;
    const w = param(new Float32Array(4096).fill(1));
    const opt = new Adam([w], { lr: 1e-3 });
    stepOnce(opt, w);
    const again = new Adam([w], { lr: 1e-3 });
    again.loadStateDict(opt.stateDict());
    for (const o of [opt, again]) {
      const s = o.state.get(w) as { expAvg: Float32Array; expAvgSq: Float32Array };
      assert.ok(a.owns(s.expAvg) && a.owns(s.expAvgSq));
    }
    opt.dispose();
    again.dispose();
    w.dispose();
  });
});
