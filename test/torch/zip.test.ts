// The zip container: torch's layout (stored, 64-byte aligned members) written and read back, and the ways a
// damaged or hostile archive is refused.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TorchFormatError } from "../../src/torch/index.js";
import { readZip, writeZip } from "../../src/torch/zip.js";
import { TORCH_FILES } from "./helpers.js";

const enc = new TextEncoder();
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TorchFormatError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no error";
};

function localDataOffset(zip: Uint8Array, name: string): number {
  const view = new DataView(zip.buffer, zip.byteOffset);
  for (let at = 0; at + 30 < zip.length; at++) {
    if (view.getUint32(at, true) !== 0x04034b50) continue;
    const n = view.getUint16(at + 26, true);
    const e = view.getUint16(at + 28, true);
    if (new TextDecoder().decode(zip.subarray(at + 30, at + 30 + n)) === name) return at + 30 + n + e;
  }
  return -1;
}

describe("writeZip / readZip", () => {
  it("stores members 64-byte aligned, as torch's writer does, and reads them back", () => {
    const zip = writeZip([
      ["archive/data.pkl", enc.encode("pickle")],
      ["archive/data/0", new Uint8Array([1, 2, 3])],
      ["archive/version", enc.encode("3\n")],
    ]);
    for (const name of ["archive/data.pkl", "archive/data/0", "archive/version"]) {
      assert.equal(localDataOffset(zip, name) % 64, 0, name);
    }
    const back = readZip(zip);
    assert.deepEqual([...back.keys()], ["archive/data.pkl", "archive/data/0", "archive/version"]);
    assert.deepEqual([...back.get("archive/data/0")!], [1, 2, 3]);
  });

  it("reads torch 2.6's zip (data descriptors, zip64 end record)", () => {
    const members = readZip(readFileSync(join(TORCH_FILES, "2.6", "tensors.pt")));
    assert.ok(members.has("tensors/data.pkl"));
    assert.equal(new TextDecoder().decode(members.get("tensors/byteorder")), "little");
  });

  it("refuses a member whose bytes fail the CRC-32", () => {
    const zip = writeZip([["a/data.pkl", enc.encode("pickle")]]);
    zip[localDataOffset(zip, "a/data.pkl")]! ^= 1;
    assert.match(
      codeOf(() => readZip(zip)),
      /^corrupt: .*'a\/data\.pkl' fails its CRC-32/,
    );
  });

  it("refuses member names that climb out of the archive", () => {
    for (const name of ["../evil", "a/../../evil", "/etc/passwd", "a\\..\\b", "C:/x"]) {
      assert.match(
        codeOf(() => readZip(writeZip([[name, enc.encode("x")]]))),
        /^refused: .*leaves the archive/,
        name,
      );
    }
  });

  it("refuses compressed members (torch never compresses), so nothing can inflate", () => {
    const zip = writeZip([["a/data.pkl", enc.encode("pickle")]]);
    const view = new DataView(zip.buffer);
    const central = zip.length - 22 - (46 + "a/data.pkl".length);
    view.setUint16(central + 10, 8, true); // method: deflate
    assert.match(
      codeOf(() => readZip(zip)),
      /^unsupported: .*compressed \(method 8\)/,
    );
  });

  it("refuses members that overlap (one stored block counted many times)", () => {
    const zip = writeZip([
      ["a/x", enc.encode("one")],
      ["a/y", enc.encode("two")],
    ]);
    const view = new DataView(zip.buffer);
    const cd = view.getUint32(zip.length - 22 + 16, true);
    const second = cd + 46 + "a/x".length;
    view.setUint32(second + 42, 0, true); // a/y's local header offset → a/x's
    assert.match(
      codeOf(() => readZip(zip)),
      /^corrupt: .*overlap/,
    );
  });

  it("refuses truncated archives and claims of more members than the limit", () => {
    const zip = writeZip([["a/data.pkl", enc.encode("pickle")]]);
    assert.match(
      codeOf(() => readZip(zip.subarray(0, 10))),
      /^truncated/,
    );
    assert.match(
      codeOf(() => readZip(zip.subarray(0, zip.length - 1))),
      /^corrupt: .*end-of-central-directory/,
    );
    assert.match(
      codeOf(() => readZip(zip, { maxMembers: 0 })),
      /^limit: .*1 members \(the limit is 0\)/,
    );
  });
});
