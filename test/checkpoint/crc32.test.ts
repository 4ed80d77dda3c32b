import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/checkpoint/crc32.js";

describe("crc32", () => {
  it("gives the standard check value 0xcbf43926 for the ASCII digits 1 to 9", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it("agrees with zlib's crc32 on pseudo-random buffers of many lengths", () => {
    let s = 12345;
    for (let len = 0; len < 300; len += 7) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        s = (s * 1103515245 + 12345) >>> 0;
        bytes[i] = s >>> 24;
      }
      assert.equal(crc32(bytes), zlibCrc32(bytes) >>> 0, `length ${len}`);
    }
  });

  it("continues from a previous value: crc32(b, crc32(a)) = crc32(a ++ b)", () => {
    const all = new TextEncoder().encode("descent checkpoints are checksummed");
    for (const cut of [0, 1, 10, all.length]) {
      assert.equal(crc32(all.subarray(cut), crc32(all.subarray(0, cut))), crc32(all));
    }
  });
});
