import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { decodeSafetensors, encodeSafetensors, type Tensor } from "../../src/checkpoint/safetensors.js";

function sample(): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ["a", { dtype: "F32", shape: [2, 3], data: new Float32Array([1, -2, 3.5, Number.NaN, -0, 1e-40]) }],
    [
      "b/c",
      { dtype: "F64", shape: [3], data: new Float64Array([Math.PI, Number.NEGATIVE_INFINITY, 5e-324]) },
    ],
    ["empty", { dtype: "F32", shape: [0], data: new Float32Array(0) }],
  ]);
}

/** An independent reader of the container, written from the safetensors README, not from our decoder. */
function readPlain(bytes: Uint8Array) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const data = bytes.slice(8 + n);
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries<{ dtype: string; data_offsets: [number, number] }>(header)) {
    if (name === "__metadata__") continue;
    const slice = data.slice(t.data_offsets[0], t.data_offsets[1]).buffer;
    out[name] = Array.from(t.dtype === "F32" ? new Float32Array(slice) : new Float64Array(slice));
  }
  return { n, metadata: header.__metadata__ as Record<string, string>, tensors: out };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${e}`);
    return e.code;
  }
  return "none";
}

describe("encodeSafetensors / decodeSafetensors", () => {
  it("round-trip tensors bit for bit (NaN, -0, subnormals, infinities) with their metadata", () => {
    const bytes = encodeSafetensors(sample(), { format: "x", "1": "integer-like key" });
    const back = decodeSafetensors(bytes);
    assert.equal(back.checksummed, true);
    assert.deepEqual(back.metadata, { format: "x", "1": "integer-like key" });
    for (const [name, t] of sample()) {
      const got = back.tensors.get(name)!;
      assert.equal(got.dtype, t.dtype);
      assert.deepEqual(got.shape, t.shape);
      assert.deepEqual(new Uint8Array(got.data.buffer), new Uint8Array(t.data.buffer), name);
    }
  });

  it("writes a file that a plain safetensors reader understands, data 8-byte aligned", () => {
    const bytes = encodeSafetensors(sample(), { format: "x" });
    const plain = readPlain(bytes);
    assert.equal((8 + plain.n) % 8, 0);
    assert.equal(plain.metadata.format, "x");
    assert.match(plain.metadata.checksum!, /^crc32:[0-9a-f]{8}$/);
    assert.deepEqual(plain.tensors.a!.slice(0, 3), [1, -2, 3.5]);
    assert.equal(plain.tensors["b/c"]![0], Math.PI);
    assert.deepEqual(plain.tensors.empty, []);
  });

  it("reads a safetensors file without a descent checksum (from another tool) and says so", () => {
    const header = new TextEncoder().encode('{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}');
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    new DataView(bytes.buffer).setFloat64(8 + header.length, 2.5, true);
    const back = decodeSafetensors(bytes);
    assert.equal(back.checksummed, false);
    assert.deepEqual(Array.from(back.tensors.get("x")!.data), [2.5]);
  });

  it("detects every single-bit flip anywhere in the file (a flip in the checksum key drops the checksum)", () => {
    const bytes = encodeSafetensors(sample(), { format: "x" });
    for (let i = 0; i < bytes.length; i++) {
      for (const bit of [0, 3, 7]) {
        const damaged = bytes.slice();
        damaged[i]! ^= 1 << bit;
        // a flip in the checksum entry's own name leaves a file without a recognizable checksum
        const c = code(() => assert.equal(decodeSafetensors(damaged).checksummed, false));
        assert.ok(c === "corrupt" || c === "truncated" || c === "none", `byte ${i} bit ${bit}: ${c}`);
        if (c === "none") assert.ok(i < 8 + 36, `byte ${i} bit ${bit} went unnoticed`);
      }
    }
  });

  it("calls every cut short of the full length truncated (or corrupt when the cut hits the header)", () => {
    const bytes = encodeSafetensors(sample(), { format: "x" });
    for (let len = 0; len < bytes.length; len++) {
      const c = code(() => decodeSafetensors(bytes.subarray(0, len)));
      assert.ok(c === "truncated" || c === "corrupt", `length ${len}: ${c}`);
      if (len < 8 || len >= bytes.length - 8) assert.equal(c, "truncated", `length ${len}`);
    }
    assert.throws(
      () => decodeSafetensors(bytes.subarray(0, 5)),
      /truncated checkpoint: 5 bytes is too short/,
    );
    assert.throws(
      () => decodeSafetensors(bytes.subarray(0, bytes.length - 1)),
      /truncated checkpoint: the tensors need \d+ bytes of data but the file has only \d+/,
    );
  });

  it("names the problem: trailing bytes, overlapping offsets, unknown dtypes, absurd header lengths", () => {
    const bytes = encodeSafetensors(sample(), { format: "x" });
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    assert.throws(() => decodeSafetensors(longer), /corrupt checkpoint: checksum mismatch/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
    assert.throws(() => decodeSafetensors(huge), /corrupt checkpoint: the header length field says/);
    const forge = (header: string, dataBytes: number) => {
      const h = new TextEncoder().encode(header);
      const out = new Uint8Array(8 + h.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
      out.set(h, 8);
      return out;
    };
    assert.throws(
      () => decodeSafetensors(forge('{"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}', 4)),
      /unsupported checkpoint: tensor 'x' has dtype I32 \(descent reads F32 and F64\)/,
    );
    assert.throws(
      () =>
        decodeSafetensors(
          forge(
            '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
            8,
          ),
        ),
      /corrupt checkpoint: tensor 'y' starts at byte 4 of the data but the previous one ends at 8/,
    );
    assert.throws(
      () => decodeSafetensors(forge('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8)),
      /tensor 'x' has shape \[3\] of F32 but data_offsets \[0, 8\]/,
    );
    assert.throws(
      () => decodeSafetensors(forge('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 7)),
      /corrupt checkpoint: 3 bytes after the last tensor/,
    );
    assert.throws(() => decodeSafetensors(forge("[1, 2]", 0)), /the header is not a JSON object/);
    assert.throws(() => decodeSafetensors(forge("{oops", 0)), /the header is not valid JSON/);
  });

  it("refuses to write a tensor whose shape does not match its data", () => {
    const bad = new Map<string, Tensor>([["x", { dtype: "F32", shape: [3], data: new Float32Array(2) }]]);
    assert.throws(
      () => encodeSafetensors(bad, {}),
      /cannot save checkpoint: tensor 'x' has shape \[3\] but 2 elements/,
    );
  });
});
