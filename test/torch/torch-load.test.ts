// torchLoad on files recorded by real torch 1.13 and 2.6 (scripts/gen_torch_files.py): every tensor's values
// against torch's own tolist() pickled beside it, views and shared storages, both file formats.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TorchFormatError, TorchTensor, Tuple, torchLoad } from "../../src/torch/index.js";
import { TORCH_FILES } from "./helpers.js";

const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

for (const version of ["1.13", "2.6"]) {
  for (const file of ["tensors.pt", "tensors-legacy.pt"]) {
    describe(`torchLoad(${version}/${file})`, () => {
      const loaded = torchLoad(readFileSync(join(TORCH_FILES, version, file))) as any;

      it("records the torch version that wrote it", () => {
        assert.ok(String(loaded.torch_version).startsWith(version), loaded.torch_version);
      });

      it("reads every tensor's values, shape and dtype as torch's tolist() has them", () => {
        for (const [name, t] of Object.entries(loaded.tensors as Record<string, TorchTensor>)) {
          assert.ok(t instanceof TorchTensor, name);
          assert.deepEqual(t.shape, loaded.shapes[name], `${name} shape`);
          const values = t.toArray({ widen: true });
          const expected = flat(loaded.expected[name]).map((x) => (typeof x === "bigint" ? Number(x) : x));
          const got = Array.from(values as ArrayLike<number | bigint>, (x) =>
            typeof x === "bigint" ? Number(x) : t.dtype === "bool" ? x !== 0 : x,
          );
          assert.deepEqual(got, expected, name);
        }
      });

      it("honours strides and storage offsets of views", () => {
        const { transposed, offset_row, every_other } = loaded.tensors;
        assert.deepEqual(transposed.stride, [1, 4, 12]);
        assert.equal(offset_row.storageOffset, 20);
        assert.deepEqual([every_other.storageOffset, every_other.stride], [1, [3]]);
        assert.equal(transposed.isContiguous, false);
      });

      it("keeps tensors that shared a storage in torch on one storage", () => {
        const [whole, first] = loaded.shared;
        assert.equal(whole.storage, first.storage);
        assert.equal(whole.storage, loaded.tensors.contiguous.storage);
      });

      it("reads int64 exactly as BigInt64Array; toNumbers refuses values beyond 2^53 − 1", () => {
        const t = loaded.tensors.int64 as TorchTensor;
        assert.deepEqual(Array.from(t.toArray() as BigInt64Array), [0n, -1n, 2n ** 40n, -(2n ** 53n)]);
        assert.throws(() => t.toNumbers(), /int64 value -9007199254740992 has no exact number/);
        assert.deepEqual(loaded.tensors.int32.toNumbers(), [7, -8]);
      });

      it("refuses float16 and bfloat16 values unless widened", () => {
        assert.throws(
          () => loaded.tensors.float16.toArray(),
          (e: unknown) =>
            e instanceof TorchFormatError && e.code === "unsupported" && /widen/.test(e.message),
        );
        assert.deepEqual(Array.from(loaded.tensors.bfloat16.toArray({ widen: true })).slice(0, 2), [1.5, -2]);
      });

      it("reads a Parameter as a tensor that requires grad", () => {
        assert.equal(loaded.tensors.parameter.requiresGrad, true);
        assert.equal(loaded.tensors.contiguous.requiresGrad, false);
      });

      it("reads Python values: tuples as Tuple, big ints as bigint, int-keyed dicts as Map", () => {
        const p = loaded.python;
        assert.ok(p.tuple instanceof Tuple);
        assert.deepEqual([...p.tuple], [1, 2.5, "three"]);
        assert.equal(p.big, 2n ** 70n);
        assert.equal(p.neg, -5);
        assert.equal(p.inf, Number.POSITIVE_INFINITY);
        assert.equal(p.none, null);
        assert.ok(p.int_keys instanceof Map);
        assert.deepEqual(
          [...p.int_keys],
          [
            [0, "a"],
            [7, "b"],
          ],
        );
      });
    });
  }
}
