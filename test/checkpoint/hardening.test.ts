// Checkpoints never load wrong state silently: state follows param names, the safetensors header and the
// JSON section must agree, repeated JSON keys are refused, Object.prototype member names are ordinary names,
// forged headers are refused before they are parsed (the limits docs/checkpoint-format.md states), and
// checkpoint files keep their mode, are written through symlinks and may have long names.

import assert from "node:assert/strict";
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import {
  loadCheckpoint,
  MAX_JSON_DEPTH,
  readCheckpoint,
  saveCheckpoint,
} from "../../src/checkpoint/checkpoint.js";
import { crc32 } from "../../src/checkpoint/crc32.js";
import { loadCheckpointFile, saveCheckpointFile } from "../../src/checkpoint/node.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  MAX_TENSORS,
} from "../../src/checkpoint/safetensors.js";
import { type Param, param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { Lookahead } from "../../src/optim/lookahead.js";
import { SGD } from "../../src/optim/sgd.js";
import { StepLR } from "../../src/scheduler/step-lr.js";
import { sameBits, stepOnQuadratic } from "../helpers/conformance-table.js";

function failure(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CheckpointError, `not a CheckpointError: ${e}`);
    return e;
  }
  assert.fail("expected a CheckpointError");
}

/** A safetensors file from raw header text and data, with a valid descent checksum. */
function rawFile(header: string, data = new Uint8Array(0)): Uint8Array {
  const prefix = '{"__metadata__":{"checksum":"crc32:';
  assert.ok(header.startsWith(`${prefix}00000000"`));
  const pad = (8 - ((8 + Buffer.byteLength(header)) % 8)) % 8;
  const text = new TextEncoder().encode(header + " ".repeat(pad));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  const digits = new TextEncoder().encode(crc32(out).toString(16).padStart(8, "0"));
  out.set(digits, 8 + prefix.length);
  return out;
}

/** Rewrites a checkpoint's JSON section text (and re-checksums). */
function withBodyText(bytes: Uint8Array, edit: (text: string) => string): Uint8Array {
  const { metadata, tensors } = decodeSafetensors(bytes);
  return encodeSafetensors(tensors, { ...metadata, descent: edit(metadata.descent!) });
}

function twoParams(): { a: Param; b: Param } {
  return {
    a: param(new Float64Array([1, -2, 3]), { name: "a" }),
    b: param(new Float64Array([-0.5, 0.25, 4]), { name: "b" }),
  };
}

describe("checkpoint state follows param names", () => {
  it("an optimizer rebuilt over the same named params in another order gets each param's own state", () => {
    const { a, b } = twoParams();
    const opt = new Adam([a, b], { lr: 0.1 });
    for (let s = 0; s < 3; s++) stepOnQuadratic(opt, [a, b]);
    const bytes = saveCheckpoint({ params: { a, b }, optimizer: opt });

    const fresh = twoParams();
    const reordered = new Adam([fresh.b, fresh.a], { lr: 0.1 });
    loadCheckpoint(bytes, { params: { a: fresh.a, b: fresh.b }, optimizer: reordered });
    assert.ok(sameBits(reordered.state.get(fresh.a)!.expAvg, opt.state.get(a)!.expAvg));
    assert.ok(sameBits(reordered.state.get(fresh.b)!.expAvgSq, opt.state.get(b)!.expAvgSq));
    for (let s = 0; s < 3; s++) {
      stepOnQuadratic(opt, [a, b]);
      stepOnQuadratic(reordered, [fresh.b, fresh.a]);
    }
    assert.ok(sameBits(fresh.a.data, a.data) && sameBits(fresh.b.data, b.data), "training continues exactly");
  });

  it("also for params given by position", () => {
    const { a, b } = twoParams();
    const opt = new Adam([b, a], { lr: 0.1 });
    for (let s = 0; s < 2; s++) stepOnQuadratic(opt, [a, b]);
    const bytes = saveCheckpoint({ params: [a, b], optimizer: opt });
    const fresh = twoParams();
    const other = new Adam([fresh.a, fresh.b], { lr: 0.1 });
    loadCheckpoint(bytes, { params: [fresh.a, fresh.b], optimizer: other });
    assert.ok(sameBits(other.state.get(fresh.a)!.expAvg, opt.state.get(a)!.expAvg));
  });

  it("refuses, naming both params, where the state cannot follow (another param, another group, a wrapper)", () => {
    const { a, b } = twoParams();
    const c = param(new Float64Array([7, 8, 9]), { name: "c" });
    const opt = new Adam([a, b], { lr: 0.1 });
    stepOnQuadratic(opt, [a, b]);
    const inner = new Adam([a, b], { lr: 0.1 });
    const wrapped = new Lookahead(inner, { k: 2 });
    stepOnQuadratic(wrapped, [a, b]);
    const bytes = saveCheckpoint({ params: { a, b, c }, optimizer: opt, optimizers: { wrapped } });
    const cases: Array<[string, () => void, RegExp]> = [
      [
        "another param",
        () => {
          const f = twoParams();
          const fc = param(new Float64Array(3), { name: "c" });
          loadCheckpoint(bytes, {
            params: { a: f.a, b: f.b, c: fc },
            optimizer: new Adam([f.a, fc]),
            optimizers: { wrapped: new Lookahead(new Adam([f.a, f.b]), { k: 2 }) },
          });
        },
        /optimizer 'optimizer' holds param 'b' at position 1 in the checkpoint but param 'c' there here/,
      ],
      [
        "another group",
        () => {
          const f = twoParams();
          loadCheckpoint(bytes, {
            params: { a: f.a, b: f.b, c: param(new Float64Array(3)) },
            optimizer: new Adam([{ params: [f.b] }, { params: [f.a] }]),
            optimizers: { wrapped: new Lookahead(new Adam([f.a, f.b]), { k: 2 }) },
          });
        },
        /holds param 'a' at position 0 in the checkpoint but param 'b' there here.*param group 0 here but in another/,
      ],
      [
        "a wrapper",
        () => {
          const f = twoParams();
          loadCheckpoint(bytes, {
            params: { a: f.a, b: f.b, c: param(new Float64Array(3)) },
            optimizer: new Adam([f.a, f.b]),
            optimizers: { wrapped: new Lookahead(new Adam([f.b, f.a]), { k: 2 }) },
          });
        },
        /optimizer 'wrapped' holds param 'a' at position 0 in the checkpoint but param 'b' there here.*sections besides/,
      ],
    ];
    for (const [what, load, message] of cases) {
      const e = failure(load);
      assert.equal(e.code, "mismatch", what);
      assert.match(e.message, message, what);
    }
  });
});

describe("the header and the JSON section must agree", () => {
  it("a param whose header shape differs from its JSON shape is refused, with a valid checksum", () => {
    const w = param([1, 2, 3, 4], { shape: [2, 2], name: "w" });
    const bytes = saveCheckpoint({ params: { w } });
    const { metadata, tensors } = decodeSafetensors(bytes);
    const t = tensors.get("params/w")!;
    tensors.set("params/w", { ...t, shape: [4] });
    const e = failure(() => readCheckpoint(encodeSafetensors(tensors, metadata)));
    assert.equal(e.code, "corrupt");
    assert.match(e.message, /tensor 'params\/w' has shape \[4\] in the header but param 'w' says \[2, 2\]/);
  });

  it("a state buffer stored other than flat is refused", () => {
    const w = param([1, 2, 3, 4], { name: "w" });
    const opt = new Adam([w]);
    stepOnQuadratic(opt, [w]);
    const bytes = saveCheckpoint({ params: { w }, optimizer: opt });
    const { metadata, tensors } = decodeSafetensors(bytes);
    const name = "optimizers/optimizer/state/0/expAvg";
    assert.ok(tensors.has(name), [...tensors.keys()].join());
    tensors.set(name, { ...tensors.get(name)!, shape: [2, 2] });
    const e = failure(() => readCheckpoint(encodeSafetensors(tensors, metadata)));
    assert.match(e.message, /has shape \[2, 2\] in the header but optimizer 'optimizer'.* says \[4\]/);
  });

  it("a repeated key in the JSON section is refused (JSON.parse would keep the last)", () => {
    const w = param([1, 2], { name: "w" });
    const opt = new SGD([w], { lr: 0.1 });
    const bytes = saveCheckpoint({ params: { w }, optimizer: opt });
    const forged = withBodyText(bytes, (text) => text.replace('"lr":0.1', '"lr":0.1,"lr":5'));
    assert.notEqual(forged.length, bytes.length);
    const e = failure(() => readCheckpoint(forged));
    assert.equal(e.code, "corrupt");
    assert.match(e.message, /the key "lr" appears twice in one object/);
    const escaped = withBodyText(bytes, (text) => text.replace('"lr":0.1', '"lr":0.1,"\\u006cr":5'));
    assert.match(failure(() => readCheckpoint(escaped)).message, /the key "lr" appears twice/);
  });

  it("a repeated key in the header (__metadata__ entry or tensor name) is refused", () => {
    const meta = '{"__metadata__":{"checksum":"crc32:00000000","format":"descent-checkpoint","version":"1"';
    const body = '"descent":"{\\"params\\":[],\\"optimizers\\":{},\\"schedulers\\":{}}"';
    const good = rawFile(`${meta},${body}}}`);
    readCheckpoint(good);
    const twice = rawFile(`${meta},"version":"2",${body}}}`);
    assert.match(failure(() => readCheckpoint(twice)).message, /the key "version" appears twice/);
    const tensor = '"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}';
    const twoTensors = rawFile(`${meta},${body}},${tensor},${tensor}}`);
    assert.match(failure(() => readCheckpoint(twoTensors)).message, /the key "t" appears twice/);
  });
});

describe("Object.prototype member names are ordinary names", () => {
  const names = ["toString", "constructor", "hasOwnProperty", "valueOf", "__defineGetter__"];

  it("as param, optimizer and scheduler names: saved and restored", () => {
    const params: Record<string, Param> = {};
    for (const [i, n] of names.entries()) params[n] = param(new Float64Array([i + 1, -i]), { name: n });
    const all = Object.values(params);
    const optimizers: Record<string, Adam> = {};
    for (const n of names) optimizers[n] = new Adam(all, { lr: 0.1 });
    const schedulers = {
      toString: new StepLR(optimizers.toString as unknown as Adam, { stepSize: 1, gamma: 0.5 }),
    };
    for (const o of Object.values(optimizers)) stepOnQuadratic(o, all);
    schedulers.toString.step();
    const bytes = saveCheckpoint({ params, optimizers, schedulers });

    const fresh: Record<string, Param> = {};
    for (const n of names) fresh[n] = param(new Float64Array(2), { name: n });
    const fa = Object.values(fresh);
    const fo: Record<string, Adam> = {};
    for (const n of names) fo[n] = new Adam(fa, { lr: 0.1 });
    const fs = { toString: new StepLR(fo.toString as unknown as Adam, { stepSize: 1, gamma: 0.5 }) };
    loadCheckpoint(bytes, { params: fresh, optimizers: fo, schedulers: fs });
    for (const n of names) assert.ok(sameBits(fresh[n]!.data, params[n]!.data), n);
    assert.deepEqual(fs.toString.getLastLr(), schedulers.toString.getLastLr());
  });

  it("a name the checkpoint lacks is a mismatch, not a crash, even when it is an Object.prototype member", () => {
    const w = param([1, 2]);
    const bytes = saveCheckpoint({ params: [w], optimizer: new SGD([w]) });
    for (const n of names) {
      const e = failure(() => loadCheckpoint(bytes, { params: [w], optimizers: { [n]: new SGD([w]) } }));
      assert.equal(e.code, "mismatch", n);
      assert.match(e.message, new RegExp(`no optimizer named '${n}'`));
    }
    const number = withBodyText(saveCheckpoint({ params: [w] }, { extra: { x: Number.NaN } }), (text) =>
      text.replace('"$number":"NaN"', '"$number":"toString"'),
    );
    assert.match(failure(() => readCheckpoint(number)).message, /unknown special number "toString"/);
  });

  it("__proto__ as an optimizer name is refused at save and at load", () => {
    const w = param([1, 2]);
    const optimizers = Object.defineProperty({}, "__proto__", {
      value: new SGD([w]),
      enumerable: true,
    }) as Record<string, SGD>;
    assert.equal(failure(() => saveCheckpoint({ params: [w], optimizers })).code, "unserializable");
    const bytes = withBodyText(saveCheckpoint({ params: [w], optimizers: { x: new SGD([w]) } }), (text) =>
      text.replace('"optimizers":{"x":', '"optimizers":{"__proto__":'),
    );
    assert.match(failure(() => readCheckpoint(bytes)).message, /optimizer named __proto__/);
  });
});

describe("forged headers are refused before they are parsed", () => {
  it("a header length field past the limit", () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    assert.match(failure(() => readCheckpoint(bytes)).message, /at most 33554432 allowed/);
  });

  it(`more than ${MAX_TENSORS} tensors`, () => {
    const meta = '{"__metadata__":{"checksum":"crc32:00000000","format":"descent-checkpoint","version":"1"}';
    const entries: string[] = [];
    for (let i = 0; i <= MAX_TENSORS; i++)
      entries.push(`"${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    const e = failure(() => readCheckpoint(rawFile(`${meta},${entries.join(",")}}`)));
    assert.match(e.message, /refused before parsing: it has more than 100001 top-level entries/);
  });

  it("nesting deeper than the format's in the header, or than the limit in the JSON section", () => {
    const meta = '{"__metadata__":{"checksum":"crc32:00000000","format":"descent-checkpoint","version":"1"}';
    const deep = `${meta},"t":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}}`;
    assert.match(
      failure(() => readCheckpoint(rawFile(deep))).message,
      /header is refused before parsing: it nests deeper than 3/,
    );
    const w = param([1]);
    const bytes = saveCheckpoint({ params: [w] });
    const nested = withBodyText(bytes, (text) =>
      text.replace(/}$/, `,"extra":${"[".repeat(500_000)}${"]".repeat(500_000)}}`),
    );
    assert.match(
      failure(() => readCheckpoint(nested)).message,
      new RegExp(`descent is refused before parsing: it nests deeper than ${MAX_JSON_DEPTH} levels`),
    );
  });

  it("the nesting limit docs/checkpoint-format.md states is the one enforced, at save and at load", () => {
    const doc = readFileSync(new URL("../../docs/checkpoint-format.md", import.meta.url), "utf8");
    const stated = doc.match(/nests? at most (\d+) levels/);
    assert.ok(stated, "the doc states a nesting limit");
    assert.equal(Number(stated[1]), MAX_JSON_DEPTH);
    const nest = (levels: number): unknown => (levels === 0 ? 1 : [nest(levels - 1)]);
    const w = param([1]);
    // the JSON section is level 1, `extra` level 2: an extra of limit − 1 levels fills it exactly
    const full = saveCheckpoint({ params: [w] }, { extra: { x: nest(MAX_JSON_DEPTH - 2) } });
    assert.deepEqual(loadCheckpoint(full, { params: [w] }).extra, { x: nest(MAX_JSON_DEPTH - 2) });
    const deeper = failure(() => saveCheckpoint({ params: [w] }, { extra: { x: nest(MAX_JSON_DEPTH - 1) } }));
    assert.equal(deeper.code, "unserializable");
    assert.match(deeper.message, new RegExp(`nested more than ${MAX_JSON_DEPTH} levels deep`));
    const forged = withBodyText(full, (text) => text.replace('"x":[', '"x":[[').replace(/]}}$/, "]]}}"));
    assert.equal(failure(() => readCheckpoint(forged)).code, "corrupt");
  });
});

describe("saveCheckpointFile on real file systems", () => {
  const dir = mkdtempSync(join(tmpdir(), "descent-harden-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps an existing file's mode (0600 stays 0600)", async () => {
    const path = join(dir, "private.safetensors");
    const w = param([1, 2]);
    await saveCheckpointFile(path, { params: [w] });
    chmodSync(path, 0o600);
    await saveCheckpointFile(path, { params: [w] });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    chmodSync(path, 0o640);
    await saveCheckpointFile(path, { params: [w] });
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it("writes through a symlink to its target, relative or dangling, and the link stays a link", async () => {
    const w = param([1, 2]);
    const target = join(dir, "real.safetensors");
    await saveCheckpointFile(target, { params: [w] });
    const link = join(dir, "latest.safetensors");
    symlinkSync("real.safetensors", link);
    w.data.set([5, 6]);
    await saveCheckpointFile(link, { params: [w] });
    assert.ok(lstatSync(link).isSymbolicLink(), "the link is still a link");
    assert.equal(readlinkSync(link), "real.safetensors");
    const back = param([0, 0]);
    await loadCheckpointFile(target, { params: [back] });
    assert.deepEqual([...back.data], [5, 6]);
    const dangling = join(dir, "next.safetensors");
    symlinkSync(join(dir, "not-yet.safetensors"), dangling);
    await saveCheckpointFile(dangling, { params: [w] });
    assert.ok(lstatSync(dangling).isSymbolicLink());
    assert.ok(statSync(join(dir, "not-yet.safetensors")).isFile());
  });

  it("works for a 250-byte file name (its temporary name stays within 255 bytes)", async () => {
    const sub = mkdtempSync(join(dir, "long-"));
    const name = `${"é".repeat(60)}${"n".repeat(250 - 120 - 12)}.safetensors`;
    assert.equal(Buffer.byteLength(name), 250);
    const path = join(sub, name);
    const w = param([3, 4]);
    await saveCheckpointFile(path, { params: [w] });
    await saveCheckpointFile(path, { params: [w] });
    assert.deepEqual(readdirSync(sub), [name], "no temporary file is left");
    const back = param([0, 0]);
    await loadCheckpointFile(path, { params: [back] });
    assert.deepEqual([...back.data], [3, 4]);
  });
});
