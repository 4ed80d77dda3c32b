import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocBuffer, arena, arenaClock, currentBuffer, releaseBuffer } from "../../src/core/arena.js";

describe("the arena", () => {
  it("lives in ordinary (non-shared) WebAssembly memory, so views are not SharedArrayBuffer-backed", () => {
    const a = arena();
    assert.ok(a, "Node has WebAssembly memory");
    assert.equal(a.shared, false);
    const x = allocBuffer(4, "float32");
    assert.ok(!(x.buffer instanceof SharedArrayBuffer));
    assert.ok(x.buffer === a.memory.buffer);
  });

  it("hands out zeroed, 16-byte aligned views; a growth detaches old views and current() re-derives them", () => {
    const a = arena()!;
    const first = allocBuffer(10, "float32");
    first.fill(7);
    const before = a.memory.buffer.byteLength;
    const generation = arenaClock.generation;
    const big = allocBuffer(8 * 1024 * 1024, "float64"); // 64 MiB: forces a grow
    assert.ok(a.memory.buffer.byteLength > before);
    assert.ok(arenaClock.generation > generation, "the generation moves when the memory's buffer changes");
    assert.equal(first.length, 0, "a view made before a growth is detached, never stale");
    const again = currentBuffer(first);
    assert.equal(again.length, 10);
    assert.equal(again[3], 7, "the values survive the growth");
    assert.equal(big.byteOffset % 16, 0);
    assert.ok(big.every((x) => x === 0));
    releaseBuffer(big);
    releaseBuffer(again);
  });

  it("reuses a released block only after every view of it is detached, and zeroes it again", () => {
    const a = arena()!;
    const x = allocBuffer(1000, "float64");
    const offset = x.byteOffset;
    x.fill(3);
    const kept = x.subarray(0, 10);
    releaseBuffer(x);
    assert.ok(a.bytesQuarantined >= 8000, "a released block waits in quarantine");
    // fill every free block, so that the next allocation has to detach the memory to reuse quarantine
    const fillers: Float64Array[] = [];
    let y: Float64Array | undefined;
    for (let i = 0; i < 10000 && y === undefined; i++) {
      const b = allocBuffer(1000, "float64") as Float64Array;
      if (b.byteOffset === offset) y = b;
      else fillers.push(b);
    }
    assert.ok(y, "the block is reused");
    assert.equal(kept.length, 0, "the view kept of the released block was detached before the reuse");
    assert.ok(y.every((v) => v === 0));
    releaseBuffer(y);
    for (const f of fillers) releaseBuffer(f);
  });

  it("knows which arrays are its own", () => {
    const a = arena()!;
    assert.ok(a.owns(allocBuffer(4, "float32")));
    assert.ok(!a.owns(new Float32Array(4)));
  });

  it("refuses to re-derive a released buffer", () => {
    const x = allocBuffer(4, "float32");
    releaseBuffer(x);
    allocBuffer(16 * 1024 * 1024, "float64"); // a growth detaches x
    assert.throws(() => currentBuffer(x), /disposed/);
  });
});
