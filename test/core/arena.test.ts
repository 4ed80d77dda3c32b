import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocBuffer, arena } from "../../src/core/arena.js";

describe("the arena", () => {
  it("hands out zeroed, 16-byte aligned views that survive memory growth", () => {
    const a = arena();
    assert.ok(a, "Node has shared WebAssembly memory");
    const first = allocBuffer(10, "float32");
    first.fill(7);
    const before = a.memory.buffer.byteLength;
    const big = allocBuffer(8 * 1024 * 1024, "float64"); // 64 MiB: forces a grow
    assert.ok(a.memory.buffer.byteLength > before);
    assert.equal(first.length, 10, "old views are not detached by growth");
    assert.equal(first[3], 7);
    assert.equal(big.byteOffset % 16, 0);
    assert.ok(big.every((x) => x === 0));
    a.release(big);
  });

  it("reuses a released block and zeroes it again", () => {
    const a = arena()!;
    const x = allocBuffer(1000, "float64");
    const offset = x.byteOffset;
    x.fill(3);
    a.release(x);
    const y = allocBuffer(1000, "float64");
    assert.equal(y.byteOffset, offset);
    assert.ok(y.every((v) => v === 0));
    a.release(y);
  });

  it("knows which arrays are its own", () => {
    const a = arena()!;
    assert.ok(a.owns(allocBuffer(4, "float32")));
    assert.ok(!a.owns(new Float32Array(4)));
  });
});
