// A hostile-file reader: fuzzed and hand-made malicious torch files are answered with a TorchFormatError
// (never another exception, never a hang, never anything executed), and the limits of docs/torch-format.md
// hold. The fuzzing is seeded, so every run checks the same inputs.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TorchFormatError, torchLoad } from "../../src/torch/index.js";
import { readZip, writeZip } from "../../src/torch/zip.js";
import { TORCH_FILES } from "./helpers.js";

const enc = new TextEncoder();
const bytes = (...parts: Array<number[] | string | Uint8Array>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : [...p])));
const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
/** A torch zip around `pkl` (valid CRCs), so a fuzzed pickle reaches the unpickler. */
const inZip = (pkl: Uint8Array): Uint8Array =>
  writeZip([
    ["archive/data.pkl", pkl],
    ["archive/version", enc.encode("3\n")],
  ]);

function outcome(input: Uint8Array): string {
  try {
    torchLoad(input);
    return "read";
  } catch (e) {
    if (e instanceof TorchFormatError) return e.code;
    throw new Error(`not a TorchFormatError: ${(e as Error)?.stack ?? e}`);
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(source: Uint8Array, rand: () => number): Uint8Array {
  const out = Uint8Array.from(source);
  const edits = 1 + Math.floor(rand() * 4);
  let result = out;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * result.length);
    const kind = rand();
    if (kind < 0.6) result[at] = Math.floor(rand() * 256);
    else if (kind < 0.8) result = result.subarray(0, at);
    else {
      const insert = Uint8Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256));
      result = new Uint8Array([...result.subarray(0, at), ...insert, ...result.subarray(at)]);
    }
    if (result.length === 0) break;
  }
  return result;
}

const counts: Record<string, Record<string, number>> = {};
function tally(group: string, code: string): void {
  counts[group] ??= {};
  counts[group]![code] = (counts[group]![code] ?? 0) + 1;
}

describe("fuzzing the reader (seeded)", () => {
  const torchFile = readFileSync(join(TORCH_FILES, "2.6", "tensors.pt"));
  const legacyFile = readFileSync(join(TORCH_FILES, "1.13", "tensors-legacy.pt"));
  const pickleOfTorch = readZip(torchFile).get("tensors/data.pkl")!;

  it("answers 3000 random pickles with a TorchFormatError or a value", () => {
    const rand = mulberry32(1);
    for (let i = 0; i < 3000; i++) {
      const body = Uint8Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      tally("random pickles", outcome(inZip(bytes([0x80, 2], body))));
    }
  });

  it("answers 3000 mutations of a pickle torch 2.6 wrote (inside a valid zip)", () => {
    const rand = mulberry32(2);
    for (let i = 0; i < 3000; i++)
      tally("mutated torch pickles", outcome(inZip(mutate(pickleOfTorch, rand))));
  });

  it("answers 2000 mutations of torch 2.6's zip file and 1000 of a legacy file", () => {
    const rand = mulberry32(3);
    for (let i = 0; i < 2000; i++) tally("mutated torch zips", outcome(mutate(torchFile, rand)));
    for (let i = 0; i < 1000; i++) tally("mutated legacy files", outcome(mutate(legacyFile, rand)));
    console.log(`fuzz outcomes: ${JSON.stringify(counts)}`);
  });
});

describe("hand-made hostile files", () => {
  const code = (pkl: Uint8Array): string => outcome(inZip(pkl));

  it("refuses GLOBAL os.system and never runs it", () => {
    const marker = "/tmp/descent-torch-hostile-marker";
    const pkl = bytes(
      [0x80, 2, 0x63],
      "os\nsystem\n",
      [0x58, ...u32(11 + marker.length)],
      `touch ${marker}`,
      [0x85, 0x52, 0x2e],
    );
    assert.equal(code(pkl), "refused");
    assert.equal(existsSync(marker), false);
  });

  it("refuses huge lengths before allocating: strings, bytes, integers", () => {
    assert.equal(code(bytes([0x80, 2, 0x58, 0xf0, 0xff, 0xff, 0xff, 0x2e])), "truncated"); // BINUNICODE 4 GiB
    assert.equal(code(bytes([0x80, 4, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x2e])), "truncated"); // BINBYTES8 2^60
    assert.equal(code(bytes([0x80, 2, 0x8b, 0, 0, 0, 0x80, 0x2e])), "limit"); // LONG4 2 GiB
  });

  it("refuses 100000 nested lists and 100000 nested MARKs without overflowing the stack", () => {
    const n = 100_000;
    const deep = new Uint8Array(2 + n + (n - 1) + 1);
    deep.set([0x80, 2]);
    deep.fill(0x5d, 2, 2 + n); // EMPTY_LIST × n
    deep.fill(0x61, 2 + n, 2 + n + n - 1); // APPEND × (n − 1)
    deep[deep.length - 1] = 0x2e;
    assert.equal(code(deep), "limit");
    const marks = new Uint8Array(n + 3).fill(0x28);
    marks.set([0x80, 2]);
    marks[marks.length - 1] = 0x2e;
    assert.equal(code(marks), "limit");
  });

  it("refuses a list that contains itself through the memo", () => {
    assert.equal(code(bytes([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e])), "limit");
  });

  it("refuses a billion-laughs DAG of shared references (2^60 nodes as a tree)", () => {
    const parts: number[] = [0x80, 2, 0x5d, 0x71, 0]; // memo 0: []
    for (let i = 0; i < 60; i++) parts.push(0x68, i, 0x68, i, 0x86, 0x71, i + 1); // memo i+1 = (m_i, m_i)
    parts.push(0x2e);
    assert.equal(code(new Uint8Array(parts)), "limit");
  });

  it("refuses a storage claiming 2^50 elements without allocating them", () => {
    const pkl = bytes(
      [0x80, 2, 0x63],
      "torch._utils\n_rebuild_tensor_v2\n",
      [0x28, 0x28, 0x58, ...u32(7)],
      "storage",
      [0x63],
      "torch\nFloatStorage\n",
      [0x58, ...u32(1)],
      "0",
      [0x58, ...u32(3)],
      "cpu",
      [0x8a, 7, 0, 0, 0, 0, 0, 0, 4], // 2^50
      [0x74, 0x51, 0x4b, 0, 0x4b, 1, 0x85, 0x4b, 1, 0x85, 0x89, 0x63],
      "collections\nOrderedDict\n",
      [0x29, 0x52, 0x74, 0x52, 0x2e],
    );
    const zip = writeZip([
      ["archive/data.pkl", pkl],
      ["archive/data/0", new Uint8Array(4)],
    ]);
    assert.equal(outcome(zip), "corrupt");
  });

  it("refuses a stored zip bomb: 10000 members over one 1 MiB block", () => {
    const zip = writeZip(
      Array.from(
        { length: 10_000 },
        (_, i) => [`archive/m${i}`, new Uint8Array(i === 0 ? 1 << 20 : 0)] as const,
      ),
    );
    // point every central entry at member 0's local header
    const view = new DataView(zip.buffer);
    let at = view.getUint32(zip.length - 22 + 16, true);
    for (let i = 0; i < 10_000; i++) {
      const nameLength = view.getUint16(at + 28, true);
      view.setUint32(at + 42, 0, true);
      view.setUint32(at + 20, 1 << 20, true);
      view.setUint32(at + 24, 1 << 20, true);
      at += 46 + nameLength;
    }
    assert.equal(outcome(zip), "corrupt");
  });

  it("refuses ../ member names, deflated members and a non-torch zip", () => {
    assert.equal(outcome(writeZip([["../../etc/data.pkl", bytes([0x80, 2, 0x4e, 0x2e])]])), "refused");
    assert.equal(outcome(writeZip([["notes.txt", enc.encode("hi")]])), "corrupt");
    const zip = inZip(bytes([0x80, 2, 0x4e, 0x2e]));
    const view = new DataView(zip.buffer);
    view.setUint16(view.getUint32(zip.length - 22 + 16, true) + 10, 8, true);
    assert.equal(outcome(zip), "unsupported");
  });
});
