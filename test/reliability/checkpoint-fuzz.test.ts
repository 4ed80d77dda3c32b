// Fuzzing the checkpoint reader: random bytes, random headers, byte-level mutations of a real checkpoint,
// and JSON-level mutations re-checksummed so they reach the checks behind the checksum. The reader must
// answer only with a CheckpointError (one of the documented codes), never another exception, and a
// refused load must leave the target exactly as it was.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CheckpointError } from "../../src/checkpoint/checkpoint-error.js";
import { crc32 } from "../../src/checkpoint/crc32.js";
import { loadCheckpoint, readCheckpoint, saveCheckpoint } from "../../src/checkpoint/checkpoint.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/checkpoint/safetensors.js";
import { param } from "../../src/core/param.js";
import { Adam } from "../../src/optim/adam.js";
import { stateFingerprint, stepOnQuadratic } from "../helpers/conformance-table.js";
import { AveragedParams } from "../../src/average/averaged-params.js";

const seed = Number(process.env.FC_SEED ?? 20261124);
const CODES = new Set(["truncated", "corrupt", "unsupported", "mismatch", "unserializable"]);

function model() {
  const params = [param([0.5, -1, 2], { name: "w" }), param(new Float64Array([1, 2]), { name: "b" })];
  const optimizer = new Adam([{ params: [params[0]!] }, { params: [params[1]!], amsgrad: true }], {
    lr: 0.1,
  });
  const ema = new AveragedParams(params, { mode: "ema", decay: 0.9 });
  return { params, optimizer, ema, target: { params, optimizer, schedulers: { ema } } };
}

const trained = model();
for (let s = 0; s < 3; s++) {
  stepOnQuadratic(trained.optimizer, trained.params);
  trained.ema.update();
}
const VALID = saveCheckpoint(trained.target, { extra: { epoch: 3, note: "fuzz" } });

/** Runs `fn`; passes if it returns or throws a CheckpointError with a documented code. */
function onlyDocumentedErrors(fn: () => unknown): "ok" | string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw new Error(`undocumented error: ${e}`, { cause: e });
    assert.ok(CODES.has(e.code), `unknown code ${e.code}`);
    assert.ok(e.message.length > 20, "an error message that names nothing");
    return e.code;
  }
}

function picture(m: ReturnType<typeof model>) {
  return stateFingerprint({
    params: m.params.map((p) => p.data.slice()),
    optimizer: m.optimizer.stateDict(),
    ema: m.ema.stateDict(),
  });
}

/** Loads `bytes` into a fresh model; on refusal, the model must be unchanged. */
function loadOrRefuse(bytes: Uint8Array): string {
  const m = model();
  const before = picture(m);
  const outcome = onlyDocumentedErrors(() => loadCheckpoint(bytes, m.target));
  if (outcome !== "ok")
    assert.deepEqual(picture(m), before, `a refused load (${outcome}) changed the target`);
  return outcome;
}

describe("the checkpoint format on arbitrary data", () => {
  it("round-trips any extra data: JSON, '$' keys, NaN, ±Infinity, −0 and typed arrays, exactly", () => {
    const special = fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      5e-324,
    );
    const typed = fc.oneof(fc.float64Array({ maxLength: 5 }), fc.float32Array({ maxLength: 5 }));
    const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), special, typed);
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(
          fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("$tensor", "$number", "$object", "$")),
          tie("node"),
          {
            maxKeys: 4,
          },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 5 }), (extra) => {
        const hasProtoKey = (v: unknown): boolean =>
          v !== null &&
          typeof v === "object" &&
          !ArrayBuffer.isView(v) &&
          (Object.hasOwn(v, "__proto__") || Object.values(v).some(hasProtoKey));
        if (hasProtoKey(extra)) {
          assert.throws(() => saveCheckpoint({}, { extra }), /own key named __proto__/);
          return;
        }
        const back = readCheckpoint(saveCheckpoint({}, { extra })).extra;
        assert.deepEqual(stateFingerprint(back), stateFingerprint(extra));
      }),
      { numRuns: 300, seed },
    );
  });
});

describe("the checkpoint reader under fuzzing", () => {
  it("answers random bytes with a CheckpointError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        assert.notEqual(
          onlyDocumentedErrors(() => readCheckpoint(bytes)),
          "ok",
        );
      }),
      { numRuns: 500, seed },
    );
  });

  it("answers a random header (any JSON, any text) behind a well-formed length with a CheckpointError", () => {
    const header = fc.oneof(
      fc.json(),
      fc.string(),
      fc
        .jsonValue()
        .map((v) => JSON.stringify({ __metadata__: { format: "descent-checkpoint", version: "1" }, x: v })),
    );
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), (text, data) => {
        const h = new TextEncoder().encode(text);
        const bytes = new Uint8Array(8 + h.length + data.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
        bytes.set(h, 8);
        bytes.set(data, 8 + h.length);
        assert.notEqual(
          onlyDocumentedErrors(() => readCheckpoint(bytes)),
          "ok",
        );
      }),
      { numRuns: 500, seed },
    );
  });

  it("refuses every byte-level mutation of a real checkpoint (flips, overwrites, cuts, insertions), changing nothing", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
      fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.nat(255) }),
      fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), value: fc.nat(255) }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 4 }), (ops) => {
        let bytes: Uint8Array = VALID.slice();
        for (const o of ops) {
          const at = o.at % (bytes.length + 1);
          if (o.kind === "flip" && at < bytes.length) bytes[at]! ^= 1 << o.bit;
          else if (o.kind === "set" && at < bytes.length) bytes[at] = o.value;
          else if (o.kind === "cut") bytes = bytes.slice(0, at);
          else if (o.kind === "insert")
            bytes = new Uint8Array([...bytes.subarray(0, at), o.value, ...bytes.subarray(at)]);
          else if (o.kind === "delete")
            bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
        }
        const same = bytes.length === VALID.length && bytes.every((b, i) => b === VALID[i]);
        const outcome = loadOrRefuse(bytes);
        assert.equal(
          outcome === "ok",
          same,
          same ? "the unchanged file was refused" : "a damaged file was accepted",
        );
      }),
      { numRuns: 400, seed },
    );
  });

  it("answers any re-checksummed edit of the JSON section with a load or a CheckpointError, changing nothing when it refuses", () => {
    const { metadata, tensors } = decodeSafetensors(VALID);
    const body = JSON.parse(metadata.descent!);
    const paths: Array<(string | number)[]> = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      paths.push(path);
      if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) walk(x, [...path, Array.isArray(v) ? Number(k) : k]);
      }
    };
    walk(body, []);
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.option(fc.jsonValue(), { nil: undefined }), (which, value) => {
        const edited = structuredClone(body);
        const path = paths[which]!;
        if (path.length === 0) return;
        let parent = edited;
        for (const k of path.slice(0, -1)) parent = parent[k];
        const key = path[path.length - 1]!;
        if (value === undefined) {
          if (Array.isArray(parent)) parent.splice(key as number, 1);
          else delete parent[key];
        } else parent[key] = value;
        const bytes = encodeSafetensors(tensors, { ...metadata, descent: JSON.stringify(edited) });
        const outcome = loadOrRefuse(bytes);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }),
      { numRuns: 600, seed },
    );
    assert.ok(
      (outcomes.get("corrupt") ?? 0) > 0 && (outcomes.get("mismatch") ?? 0) > 0,
      JSON.stringify([...outcomes]),
    );
  });

  it("answers any re-checksummed edit of a tensor's description with a load or a CheckpointError", () => {
    const { metadata } = decodeSafetensors(VALID);
    const n = Number(new DataView(VALID.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + n)));
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    const data = VALID.subarray(8 + n);
    const rebuild = (edited: Record<string, unknown>) => {
      const text = JSON.stringify({ __metadata__: { checksum: "crc32:00000000", ...metadata }, ...edited });
      const h = new TextEncoder().encode(text);
      const bytes = new Uint8Array(8 + h.length + data.length);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(h.length), true);
      bytes.set(h, 8);
      bytes.set(data, 8 + h.length);
      bytes.set(new TextEncoder().encode(crc32(bytes).toString(16).padStart(8, "0")), 8 + 35);
      return bytes;
    };
    const { __metadata__: _, ...tensorsOnly } = header;
    assert.equal(loadOrRefuse(rebuild(tensorsOnly)), "ok", "the unedited rebuild loads");
    fc.assert(
      fc.property(
        fc.nat(names.length - 1),
        fc.constantFrom("dtype", "shape", "data_offsets"),
        fc.jsonValue(),
        (which, field, value) => {
          const edited = structuredClone(header);
          edited[names[which]!][field] = value;
          delete edited.__metadata__;
          const bytes = rebuild(edited);
          loadOrRefuse(bytes);
        },
      ),
      { numRuns: 300, seed },
    );
  });
});
