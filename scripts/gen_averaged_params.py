"""Records torch.optim.swa_utils.AveragedModel (EMA via get_ema_multi_avg_fn, SWA by default) for
test/average/averaged-params.test.ts. Run in the trixie chroot that scripts/gen_reference.sh builds:

    chroot ../trixie-root python3 - /tmp/averaged_params.json < scripts/gen_averaged_params.py
    cp ../trixie-root/tmp/averaged_params.json test/fixtures/torch/

(written to a file, not stdout, because torch's native libraries may print warnings there)

The params follow a fixed formula (no randomness); the JSON holds the params fed to each update and the
averages after it, numbers written with Python's repr (exact float64; float32 values widened)."""

import json
import math
import sys

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

SHAPES = [[3], [2, 2]]
UPDATES = 8


def value(t, k, i):
    return math.sin(0.7 * t + i + 3 * k) * (1 + 0.25 * t) + i - k


def run(name, dtype, mode, decay=None):
    torch_dtype = {"float32": torch.float32, "float64": torch.float64}[dtype]
    model = torch.nn.ParameterList(
        [torch.nn.Parameter(torch.zeros(shape, dtype=torch_dtype)) for shape in SHAPES]
    )
    if mode == "ema":
        averaged = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))
    else:
        averaged = AveragedModel(model)
    trace = []
    for t in range(UPDATES):
        with torch.no_grad():
            for k, p in enumerate(model):
                flat = [value(t, k, i) for i in range(p.numel())]
                p.copy_(torch.tensor(flat, dtype=torch_dtype).reshape(p.shape))
        averaged.update_parameters(model)
        trace.append(
            {
                "params": [p.detach().reshape(-1).tolist() for p in model],
                "averages": [p.detach().reshape(-1).tolist() for p in averaged.module],
                "n_averaged": int(averaged.n_averaged.item()),
            }
        )
    return {"name": name, "dtype": dtype, "mode": mode, "decay": decay, "shapes": SHAPES, "trace": trace}


cases = [
    run("ema_decay_0.9_float64", "float64", "ema", 0.9),
    run("ema_decay_0.999_float64", "float64", "ema", 0.999),
    run("ema_decay_0.75_float32", "float32", "ema", 0.75),
    run("swa_float64", "float64", "swa"),
    run("swa_float32", "float32", "swa"),
]
with open(sys.argv[1], "w") as out:
    out.write(
        json.dumps(
            {
                "schema": "torch-optim-reference/1",
                "kind": "averaged_params",
                "torch_version": torch.__version__,
                "generator": "gen_averaged_params.py",
                "cases": cases,
            },
            indent=1,
        )
        + "\n"
    )
