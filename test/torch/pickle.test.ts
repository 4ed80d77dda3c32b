// The unpickler builds data and nothing else: allow-listed globals only, every other one refused by name;
// the writer's output reads back as what went in.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  allowedGlobals,
  TorchFormatError,
  TorchTensor,
  Tuple,
  torchLoad,
  torchSave,
  torchTensor,
} from "../../src/torch/index.js";
import { unpickle } from "../../src/torch/pickle.js";

const enc = new TextEncoder();
const bytes = (...parts: Array<number[] | string>): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : p)));
const noStorage = (): never => {
  throw new Error("no storage expected");
};
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TorchFormatError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no error";
};

describe("unpickle", () => {
  it("refuses a GLOBAL of os.system by name, before any REDUCE", () => {
    const p = bytes([0x80, 2, 0x63], "os\nsystem\n", [0x58, 2, 0, 0, 0], "ls", [0x85, 0x52, 0x2e]);
    assert.match(
      code(() => unpickle(p, noStorage)),
      /^refused: .*'os\.system' is not on the allow-list/,
    );
  });

  it("refuses builtins.eval, posix.system and a STACK_GLOBAL of subprocess.Popen alike", () => {
    for (const name of [
      "builtins\neval\n",
      "posix\nsystem\n",
      "torch\nload\n",
      "collections\ndefaultdict\n",
    ]) {
      assert.match(
        code(() => unpickle(bytes([0x80, 2, 0x63], name, [0x2e]), noStorage)),
        /^refused/,
      );
    }
    const stack = bytes([0x80, 4, 0x8c, 10], "subprocess", [0x8c, 5], "Popen", [0x93, 0x2e]);
    assert.match(
      code(() => unpickle(stack, noStorage)),
      /'subprocess\.Popen'/,
    );
  });

  it("refuses REDUCE on a value that is not an allowed function", () => {
    const p = bytes([0x80, 2, 0x5d, 0x29, 0x52, 0x2e]); // [] () REDUCE
    assert.match(
      code(() => unpickle(p, noStorage)),
      /^refused: .*REDUCE calls a list/,
    );
  });

  it("refuses BUILD on anything but a dict or a tensor, and the protocol-0 INST and OBJ opcodes", () => {
    assert.match(
      code(() => unpickle(bytes([0x80, 2, 0x5d, 0x7d, 0x62, 0x2e]), noStorage)),
      /^refused: .*BUILD on a list/,
    );
    assert.match(
      code(() => unpickle(bytes([0x80, 2, 0x69], "os\nsystem\n", [0x2e]), noStorage)),
      /^corrupt: .*opcode 0x69/,
    );
    assert.match(
      code(() => unpickle(bytes([0x80, 2, 0x28, 0x6f, 0x2e]), noStorage)),
      /^corrupt: .*opcode 0x6f/,
    );
  });

  it("builds OrderedDict, torch.Size and tuples as data", () => {
    const p = bytes(
      [0x80, 2, 0x63],
      "collections\nOrderedDict\n",
      [0x29, 0x52, 0x28, 0x58, 1, 0, 0, 0],
      "a",
      [0x63],
      "torch\nSize\n",
      [0x4b, 2, 0x4b, 3, 0x86, 0x85, 0x52, 0x75, 0x2e],
    );
    const { value } = unpickle(p, noStorage);
    assert.ok((value as any).a instanceof Tuple);
    assert.deepEqual([...(value as any).a], [2, 3]);
  });

  it("lists the allow-list: OrderedDict, the tensor rebuilders, storage types, nothing from os or builtins", () => {
    const names = allowedGlobals();
    for (const n of [
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor_v2",
      "torch.FloatStorage",
      "torch.Size",
    ]) {
      assert.ok(names.includes(n), n);
    }
    assert.ok(
      names.every((n) => n.startsWith("torch") || n.startsWith("collections.") || n === "_codecs.encode"),
    );
  });
});

describe("torchSave then torchLoad", () => {
  it("gives back numbers, strings, tuples, Maps with int keys, nested lists and tensors", () => {
    const w = torchTensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const value = {
      ints: [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 53) + 1],
      floats: [0.5, -0, 1e300, Number.NaN, Number.NEGATIVE_INFINITY, 0.1],
      big: -(2n ** 100n),
      text: "snake_case ünïcode ✓",
      tuple: Tuple.of(0.9, 0.999),
      state: new Map([[0, { momentum_buffer: w }]]),
      flags: [true, false, null],
      empty: { list: [], dict: {}, tuple: Tuple.of() },
    };
    const back = torchLoad(torchSave(value)) as any;
    assert.deepEqual(back.ints, value.ints);
    assert.ok(Object.is(back.floats[1], -0));
    assert.deepEqual(back.floats, value.floats);
    assert.equal(back.big, value.big);
    assert.equal(back.text, value.text);
    assert.ok(back.tuple instanceof Tuple);
    const t = back.state.get(0).momentum_buffer as TorchTensor;
    assert.deepEqual(
      [t.shape, t.stride, Array.from(t.toArray() as Float64Array)],
      [
        [2, 3],
        [3, 1],
        [1, 2, 3, 4, 5, 6],
      ],
    );
    assert.deepEqual(back.flags, value.flags);
    assert.deepEqual(back.empty.list, []);
  });

  it("writes tensors that share a storage once, and they come back sharing it", () => {
    const w = torchTensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
    const row = new TorchTensor(w.storage, 2, [2], [1]);
    const back = torchLoad(torchSave({ w, row })) as any;
    assert.equal(back.w.storage, back.row.storage);
    assert.deepEqual(Array.from(back.row.toArray() as Float32Array), [3, 4]);
  });

  it("refuses functions, symbols, class instances and cycles, naming where they are", () => {
    assert.match(
      code(() => torchSave({ f: () => 1 })),
      /^unserializable: .*value\.f is a function/,
    );
    assert.match(
      code(() => torchSave({ d: new Date() })),
      /value\.d is a Date/,
    );
    const loop: unknown[] = [];
    loop.push(loop);
    assert.match(
      code(() => torchSave(loop)),
      /contains itself/,
    );
  });
});
