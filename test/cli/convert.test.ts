// `descent convert run.pt run.safetensors` and back: the same torch value comes back; what cannot map is
// refused with exit code 2 and a message naming the key.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "../../src/cli/program.js";
import { decodeSafetensors } from "../../src/checkpoint/safetensors.js";
import { type TorchTensor, Tuple, torchLoad, torchSave, torchTensor } from "../../src/torch/index.js";
import { TORCH_FILES } from "../torch/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "descent-convert-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    },
  });
  return { code, out, err };
}

describe("descent convert", () => {
  it("turns a torch run into safetensors (tensors by path) and back into the same value", async () => {
    const run = {
      model: { "fc.weight": torchTensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]) },
      optimizer: {
        state: new Map([
          [
            0,
            { step: torchTensor(Float32Array.of(3), []), exp_avg: torchTensor(new Float32Array(6), [2, 3]) },
          ],
        ]),
        param_groups: [{ lr: 0.001, betas: Tuple.of(0.9, 0.999), eps: 1e-8, foreach: null, params: [0] }],
      },
      best: Number.POSITIVE_INFINITY,
    };
    writeFileSync(join(dir, "run.pt"), torchSave(run));
    const there = await cli("convert", join(dir, "run.pt"), join(dir, "run.safetensors"));
    assert.equal(there.code, 0, there.err);
    const st = decodeSafetensors(readFileSync(join(dir, "run.safetensors")));
    assert.deepEqual([...st.tensors.keys()].sort(), [
      "model/fc.weight",
      "optimizer/state/0/exp_avg",
      "optimizer/state/0/step",
    ]);
    assert.deepEqual(st.tensors.get("model/fc.weight")!.shape, [2, 3]);
    const back = await cli("convert", join(dir, "run.safetensors"), join(dir, "back.pt"));
    assert.equal(back.code, 0, back.err);
    const value = torchLoad(readFileSync(join(dir, "back.pt"))) as any;
    assert.deepEqual(Array.from(value.model["fc.weight"].toArray()), [1, 2, 3, 4, 5, 6]);
    assert.ok(value.optimizer.state instanceof Map);
    assert.equal((value.optimizer.state.get(0).step as TorchTensor).toNumbers()[0], 3);
    assert.ok(value.optimizer.param_groups[0].betas instanceof Tuple);
    assert.equal(value.optimizer.param_groups[0].foreach, null);
    assert.equal(value.best, Number.POSITIVE_INFINITY);
  });

  it("reads a safetensors file of plain weights as a model state dict", async () => {
    writeFileSync(join(dir, "w.pt"), torchSave({ "layer.bias": torchTensor(Float64Array.of(1, 2)) }));
    await cli("convert", join(dir, "w.pt"), join(dir, "w.safetensors"));
    const bytes = readFileSync(join(dir, "w.safetensors"));
    assert.equal((await cli("convert", join(dir, "w.safetensors"), join(dir, "w2.pth"))).code, 0);
    const value = torchLoad(readFileSync(join(dir, "w2.pth"))) as any;
    assert.deepEqual(Array.from(value["layer.bias"].toArray()), [1, 2]);
    assert.ok(bytes.length > 0);
  });

  it("refuses what does not map, naming the key, with exit code 2", async () => {
    const r = await cli("convert", join(TORCH_FILES, "2.6", "tensors.pt"), join(dir, "t.safetensors"));
    assert.equal(r.code, 2);
    assert.match(r.err, /'tensors\/float16' is a float16 tensor/);
    const hostile = new Uint8Array([0x80, 2, 0x63, ...new TextEncoder().encode("os\nsystem\n"), 0x2e]);
    writeFileSync(join(dir, "evil.pt"), hostile);
    const e = await cli("convert", join(dir, "evil.pt"), join(dir, "evil.safetensors"));
    assert.equal(e.code, 2);
    assert.match(e.err, /'os\.system' is not on the allow-list/);
    assert.match((await cli("convert", "a.txt", "b.pt")).err, /from \.pt\/\.pth to \.safetensors or back/);
  });
});
