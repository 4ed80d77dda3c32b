#!/usr/bin/env python3
"""Records the torch.save files that test/torch reads without torch: test/fixtures/torch-files/<major>/.

Run with each torch version the tests cover: Debian 12's python3-torch 1.13 (`/usr/bin/python3
scripts/gen_torch_files.py`) and Debian 13's 2.6 (`chroot <trixie-root> python3 /tmp/gen_torch_files.py
<out-dir>`, see scripts/gen_torch_files.sh). Every value is a fixed formula; each file carries its expected
values as plain pickled lists next to the tensors, so the reader's tensor path is checked against torch's
own `tolist()`.

tensors.pt         zip format: strided, transposed and offset views, shared storages, every dtype
tensors-legacy.pt  the same object in the legacy (pre-1.6) format
optimizers.pt      per optimizer case of test/fixtures/torch/optimizers*.json: torch's state dict after k
                   steps and after continuing n more from that saved file (see test/torch/round-trip.test.ts)
schedulers.pt      per scheduler case of schedulers.json: the same for the scheduler state
"""
import io
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    HERE, "..", "test", "fixtures", "torch-files", torch.__version__.split(".")[0] + "." + torch.__version__.split(".")[1]
)
os.makedirs(OUT, exist_ok=True)


def tensors():
    base = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4) / 8 - 1
    f32 = torch.linspace(-3, 3, 7, dtype=torch.float32)
    values = {
        "contiguous": base,
        "transposed": base.transpose(0, 2),  # strides (1, 4, 12)
        "offset_row": base[1, 2],  # storage offset 20
        "every_other": base.reshape(-1)[1::3],  # stride 3, offset 1
        "float32": f32,
        "float16": torch.tensor([1.5, -2.0, 65504.0, 6.1035156e-05, 5.9604645e-08], dtype=torch.float16),
        "bfloat16": torch.tensor([1.5, -2.0, 3.0e38, 1.0e-38], dtype=torch.bfloat16),
        "int64": torch.tensor([0, -1, 2**40, -(2**53)], dtype=torch.int64),
        "int32": torch.tensor([7, -8], dtype=torch.int32),
        "uint8": torch.tensor([0, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5, dtype=torch.float64),
        "empty": torch.zeros(0, 3),
        "parameter": torch.nn.Parameter(f32[:3].clone()),
    }
    expected = {k: (v.detach().float().tolist() if v.dtype in (torch.float16, torch.bfloat16) else v.detach().tolist()) for k, v in values.items()}
    shapes = {k: list(v.shape) for k, v in values.items()}
    obj = {
        "tensors": values,
        "shared": [base, base[0]],  # two views of one storage
        "expected": expected,
        "shapes": shapes,
        "python": {"tuple": (1, 2.5, "three"), "none": None, "flags": [True, False], "big": 2**70, "neg": -5, "inf": float("inf"), "int_keys": {0: "a", 7: "b"}},
        "torch_version": str(torch.__version__),
    }
    torch.save(obj, os.path.join(OUT, "tensors.pt"))
    torch.save(obj, os.path.join(OUT, "tensors-legacy.pt"), _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    tensors()
    print("wrote", OUT)
