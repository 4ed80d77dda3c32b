import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { loadCheckpoint, readCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/checkpoint/safetensors.js";
import { Adam } from "../../src/optim/adam.js";
import { AdamW } from "../../src/optim/adamw.js";
import { SGD } from "../../src/optim/sgd.js";
import { AveragedParams } from "../../src/average/averaged-params.js";
import { type Param, param } from "../../src/core/param.js";
import { sameBits, stateFingerprint, stepOnQuadratic } from "../helpers/conformance-table.js";

function model() {
  const w = param([0.5, -1, 2, 0.25, 3, -2], { shape: [2, 3], name: "w" });
  const b = param(new Float64Array([0.1, -0.3]), { name: "b" });
  const params = [w, b];
  const optimizer = new Adam([{ params: [w] }, { params: [b], lr: 0.01, amsgrad: true }], { lr: 0.05 });
  const ema = new AveragedParams(params, { mode: "ema", decay: 0.9 });
  return { w, b, params, optimizer, ema };
}

function train(m: ReturnType<typeof model>, steps: number) {
  for (let s = 0; s < steps; s++) {
    stepOnQuadratic(m.optimizer, m.params);
    m.ema.update();
  }
}

function picture(m: ReturnType<typeof model>) {
  return stateFingerprint({
    params: m.params.map((p) => p.data.slice()),
    optimizer: m.optimizer.stateDict(),
    ema: m.ema.stateDict(),
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CheckpointError, `not a CheckpointError: ${e}`);
    return e.code;
  }
  return "none";
}

/** Rewrites a checkpoint's JSON section and re-checksums, to reach the checks behind the checksum. */
function forge(bytes: Uint8Array, edit: (body: Record<string, unknown>) => void): Uint8Array {
  const { metadata, tensors } = decodeSafetensors(bytes);
  const body = JSON.parse(metadata.descent!);
  edit(body);
  return encodeSafetensors(tensors, { ...metadata, descent: JSON.stringify(body) });
}

describe("saveCheckpoint / loadCheckpoint", () => {
  it("restore params, optimizer and averages so training continues bit for bit", () => {
    const a = model();
    train(a, 5);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer, schedulers: { ema: a.ema } });
    const b = model();
    loadCheckpoint(bytes.buffer, { params: b.params, optimizer: b.optimizer, schedulers: { ema: b.ema } });
    assert.deepEqual(picture(b), picture(a));
    train(a, 5);
    train(b, 5);
    a.params.forEach((p, i) => {
      assert.ok(sameBits(p.data, b.params[i]!.data));
    });
    assert.deepEqual(picture(b), picture(a));
  });

  it("round-trips user data: non-finite numbers, -0, typed arrays, nested '$' keys", () => {
    const extra = {
      epoch: 7,
      best: Number.POSITIVE_INFINITY,
      worst: Number.NEGATIVE_INFINITY,
      missing: Number.NaN,
      zero: -0,
      nested: { $tensor: "not a reference", list: [1, "two", null, true] },
      curve: new Float64Array([0.5, 0.25]),
    };
    const bytes = saveCheckpoint({}, { extra });
    const back = loadCheckpoint(bytes, {}).extra!;
    assert.deepEqual(back, extra);
    assert.ok(Object.is(back.zero, -0));
    assert.ok(back.curve instanceof Float64Array);
  });

  it("accepts params by name and by position, an ArrayBuffer or any byte view", () => {
    const a = model();
    train(a, 2);
    const byName = saveCheckpoint({ params: { weight: a.w, bias: a.b } });
    const b = model();
    loadCheckpoint(new DataView(byName.buffer), { params: { bias: b.b, weight: b.w } });
    assert.ok(sameBits(b.w.data, a.w.data) && sameBits(b.b.data, a.b.data));
    const info = readCheckpoint(byName);
    assert.deepEqual(
      info.params.map((p) => [p.key, p.name, p.dtype, p.shape]),
      [
        ["weight", "w", "float32", [2, 3]],
        ["bias", "b", "float64", [2]],
      ],
    );
  });

  it("rejects a checkpoint that does not fit, naming the problem and changing nothing", () => {
    const a = model();
    train(a, 3);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer, schedulers: { ema: a.ema } });
    const cases: Array<
      [string, (m: ReturnType<typeof model>) => Parameters<typeof loadCheckpoint>[1], RegExp]
    > = [
      [
        "another optimizer class",
        (m) => ({ params: m.params, optimizer: new AdamW(m.params), schedulers: { ema: m.ema } }),
        /optimizer 'optimizer' is a Adam in the checkpoint but a AdamW here/,
      ],
      [
        "one group instead of two",
        (m) => ({ params: m.params, optimizer: new Adam(m.params), schedulers: { ema: m.ema } }),
        /optimizer 'optimizer': Adam.loadStateDict: the state dict has 2 param groups but the optimizer has 1/,
      ],
      [
        "a param of another size",
        (m) => ({ params: [m.w, param([1, 2, 3], { dtype: "float64" })], optimizer: m.optimizer }),
        /param '1' has 2 elements in the checkpoint but 3 here/,
      ],
      [
        "a param of another dtype",
        (m) => ({ params: [m.w, param([1, 2])], optimizer: m.optimizer }),
        /param '1' is float64 in the checkpoint but float32 here/,
      ],
      [
        "a param of another shape",
        (m) => ({ params: [param(Array.from(m.w.data), { shape: [3, 2] }), m.b] }),
        /param '0' has shape \[2, 3\] in the checkpoint but \[3, 2\] here/,
      ],
      [
        "a param of another name",
        (m) => ({ params: [param(Array.from(m.w.data), { shape: [2, 3], name: "v" }), m.b] }),
        /param '0' is named 'w' in the checkpoint but 'v' here/,
      ],
      [
        "a param too few",
        (m) => ({ params: [m.w], optimizer: m.optimizer, schedulers: { ema: m.ema } }),
        /the checkpoint has param '1' but no such param was given/,
      ],
      [
        "an optimizer the checkpoint lacks",
        (m) => ({ params: m.params, optimizers: { other: m.optimizer }, schedulers: { ema: m.ema } }),
        /no optimizer named 'other' in the checkpoint \(it has 'optimizer'\)/,
      ],
      [
        "a scheduler left out",
        (m) => ({ params: m.params, optimizer: m.optimizer }),
        /the checkpoint has scheduler 'ema' but none was given to load it into/,
      ],
    ];
    for (const [what, target, message] of cases) {
      const m = model();
      train(m, 1);
      const before = picture(m);
      const t = target(m);
      assert.throws(() => loadCheckpoint(bytes, t), message, what);
      assert.equal(
        codeOf(() => loadCheckpoint(bytes, t)),
        "mismatch",
        what,
      );
      assert.deepEqual(picture(m), before, `${what}: something changed`);
    }
  });

  it("undoes an optimizer it already loaded when a later component refuses", () => {
    const a = model();
    train(a, 3);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer, schedulers: { ema: a.ema } });
    const m = model();
    train(m, 1);
    const before = picture(m);
    const otherEma = new AveragedParams([m.w], { mode: "ema", decay: 0.9 }); // one param, not two
    assert.throws(
      () =>
        loadCheckpoint(bytes, { params: m.params, optimizer: m.optimizer, schedulers: { ema: otherEma } }),
      /checkpoint does not match: scheduler 'ema': AveragedParams.loadStateDict/,
    );
    assert.deepEqual(picture(m), before);
  });

  it("rejects damaged bytes as truncated or corrupt, changing nothing", () => {
    const a = model();
    train(a, 2);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer });
    const m = model();
    const before = picture(m);
    for (let i = 0; i < bytes.length; i += 3) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x10;
      const c = codeOf(() => loadCheckpoint(damaged, { params: m.params, optimizer: m.optimizer }));
      assert.ok(c === "corrupt" || c === "truncated", `byte ${i}: ${c}`);
    }
    assert.throws(
      () =>
        loadCheckpoint(bytes.subarray(0, bytes.length - 10), { params: m.params, optimizer: m.optimizer }),
      /truncated checkpoint/,
    );
    assert.deepEqual(picture(m), before);
  });

  it("refuses files that are not descent checkpoints, or from a newer format version", () => {
    const other = encodeSafetensors(new Map(), { format: "pt" });
    assert.throws(() => readCheckpoint(other), /unsupported checkpoint: not a descent checkpoint/);
    const bytes = saveCheckpoint({});
    const { tensors, metadata } = decodeSafetensors(bytes);
    const newer = encodeSafetensors(tensors, { ...metadata, version: "2" });
    assert.throws(() => readCheckpoint(newer), /format version 2 is newer than this descent reads \(1\)/);
    assert.throws(() => readCheckpoint("not bytes" as never), /expected an ArrayBuffer or a Uint8Array/);
  });

  it("checks the JSON section behind the checksum: references, params, sections", () => {
    const a = model();
    train(a, 1);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer });
    const cases: Array<[(body: Record<string, any>) => void, RegExp]> = [
      [(b) => delete b.params, /the params list is missing/],
      [(b) => (b.params[0].tensor = "nowhere"), /refers to tensor 'nowhere', which is not in the file/],
      [(b) => (b.params[1].tensor = b.params[0].tensor), /is referred to twice/],
      [(b) => (b.params[0].dtype = "int8"), /param '0' has dtype "int8"/],
      [(b) => (b.params[0].shape = [7]), /has shape \[2, 3\] in the header but param '0' says \[7\]/],
      [(b) => (b.optimizers.optimizer = 3), /optimizer 'optimizer' is not \{ class, stateDict \}/],
      [
        (b) => (b.optimizers.optimizer.stateDict.paramGroups[0].lr = { $number: "lots" }),
        /unknown special number/,
      ],
      [(b) => (b.schedulers = null), /the schedulers section is missing/],
      [(b) => (b.extra = JSON.parse('{"__proto__": {"polluted": 1}}')), /has a key named __proto__/],
      [
        (b) => (b.extra = { deep: JSON.parse(`${"[".repeat(1000)}${"]".repeat(1000)}`) }),
        /nests deeper than 64 levels/,
      ],
    ];
    for (const [edit, message] of cases) {
      assert.throws(() => readCheckpoint(forge(bytes, edit)), message);
      assert.equal(
        codeOf(() => readCheckpoint(forge(bytes, edit))),
        "corrupt",
      );
    }
    const extraTensor = decodeSafetensors(bytes);
    extraTensor.tensors.set("stray", { dtype: "F32", shape: [1], data: new Float32Array(1) });
    assert.throws(
      () => readCheckpoint(encodeSafetensors(extraTensor.tensors, extraTensor.metadata)),
      /tensor 'stray' is not referred to by the checkpoint/,
    );
  });

  it("refuses to save what it cannot restore: functions, other typed arrays, class instances", () => {
    assert.throws(
      () => saveCheckpoint({}, { extra: { f: () => 1 } }),
      /cannot save checkpoint: extra at f is a function/,
    );
    assert.throws(
      () => saveCheckpoint({}, { extra: { n: new Int32Array(2) } }),
      /a Int32Array \(only Float32Array/,
    );
    assert.throws(() => saveCheckpoint({}, { extra: { m: new Map() } }), /a Map \(only plain objects/);
    assert.throws(
      () => saveCheckpoint({}, { extra: { list: [1, undefined] } }),
      /extra at list\[1\] is undefined/,
    );
    assert.throws(
      () => saveCheckpoint({ params: [{ data: [1, 2] } as unknown as Param] }),
      /param '0' is not a param with Float32Array\/Float64Array data/,
    );
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.throws(
      () => saveCheckpoint({}, { extra: cyclic }),
      /nested more than 64 levels deep \(a cycle\?\)/,
    );
    const misshapen = { data: new Float32Array(3), grad: null, shape: [2, 2] };
    assert.throws(
      () => saveCheckpoint({ params: [misshapen] }),
      /param '0' is of shape \[2,2\] with 3 values/,
    );
  });

  it("stores SGD without momentum (empty state) and a fresh optimizer that never stepped", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    const bytes = saveCheckpoint({ params: [p], optimizer: opt });
    const q = param([0, 0]);
    const opt2 = new SGD([q], { lr: 0.5 });
    loadCheckpoint(bytes, { params: [q], optimizer: opt2 });
    assert.deepEqual(Array.from(q.data), [1, 2]);
    assert.equal(opt2.paramGroups[0]!.lr, 0.1);
  });
});

describe("checkpoints of an optimizer with an attached AveragedParams", () => {
  function attachedModel() {
    const w = param([0.5, -1, 2, 0.25, 3, -2], { shape: [2, 3], name: "w" });
    const b = param(new Float64Array([0.1, -0.3]), { name: "b" });
    const params = [w, b];
    const optimizer = new Adam(params, { lr: 0.05 });
    const ema = new AveragedParams(params, { decay: 0.9, biasCorrection: true, optimizer });
    return { params, optimizer, ema };
  }

  it("carry the averages inside the optimizer's section, so training and averaging continue bit for bit", () => {
    const a = attachedModel();
    for (let s = 0; s < 5; s++) stepOnQuadratic(a.optimizer, a.params);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer });
    assert.ok(readCheckpoint(bytes).optimizers.optimizer!.stateDict.attached?.averagedParams);
    const b = attachedModel();
    loadCheckpoint(bytes, { params: b.params, optimizer: b.optimizer });
    assert.equal(b.ema.nAveraged, 5);
    for (let s = 0; s < 5; s++) {
      stepOnQuadratic(a.optimizer, a.params);
      stepOnQuadratic(b.optimizer, b.params);
    }
    a.params.forEach((p, i) => {
      assert.ok(sameBits(p.data, b.params[i]!.data));
    });
    a.ema.averages().forEach((avg, i) => {
      assert.ok(sameBits(avg, b.ema.averages()[i]!), `average ${i}`);
    });
  });

  it("refuses a checkpoint whose averages do not fit, leaving the optimizer and the averages as they were", () => {
    const a = attachedModel();
    stepOnQuadratic(a.optimizer, a.params);
    const bytes = saveCheckpoint({ params: a.params, optimizer: a.optimizer });
    const w = param([0.5, -1, 2, 0.25, 3, -2], { shape: [2, 3], name: "w" });
    const b = param(new Float64Array([0.1, -0.3]), { name: "b" });
    const optimizer = new Adam([w, b], { lr: 0.05 });
    const swa = new AveragedParams([w, b], { mode: "swa", optimizer });
    stepOnQuadratic(optimizer, [w, b]);
    const before = stateFingerprint({
      optimizer: optimizer.stateDict(),
      params: [w.data.slice(), b.data.slice()],
    });
    assert.throws(
      () => loadCheckpoint(bytes, { params: [w, b], optimizer }),
      /attached 'averagedParams': AveragedParams\.loadStateDict: the state dict is for mode "ema"/,
    );
    assert.deepEqual(
      stateFingerprint({ optimizer: optimizer.stateDict(), params: [w.data.slice(), b.data.slice()] }),
      before,
    );
    assert.equal(swa.nAveraged, 1);
  });
});

describe("the checkpoint code's place in the package", () => {
  it("keeps the core entry browser-safe: nothing src/index.ts imports reaches a node: module", async () => {
    const { readFileSync } = await import("node:fs");
    const { dirname, join, resolve } = await import("node:path");
    const root = resolve(import.meta.dirname, "../../src");
    const seen = new Set<string>();
    const offenders: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g)) {
        const spec = m[1]!;
        if (spec.startsWith("node:")) offenders.push(`${file} imports ${spec}`);
        else if (spec.startsWith(".")) visit(join(dirname(file), spec.replace(/\.js$/, ".ts")));
      }
    };
    visit(join(root, "index.ts"));
    assert.ok(seen.has(join(root, "checkpoint", "checkpoint.ts")));
    assert.deepEqual(offenders, []);
  });
});
