"""PyTorch CPU timings for `npm run bench` (Debian's python3-torch). One thread, float32 (float64 for Adam).
usage: python3 torch_bench.py '<json list of cases>'  → prints a JSON list of {id, seconds} (median per step)."""
import json
import statistics
import sys
import time

import torch

torch.set_num_threads(1)


def make(name, params):
    if name == "adam":
        return torch.optim.Adam(params, lr=1e-3)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2)
    if name == "sgd-momentum":
        return torch.optim.SGD(params, lr=1e-2, momentum=0.9)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=1e-2)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=1e-2)
    raise ValueError(name)


def run(case):
    dtype = torch.float64 if case["dtype"] == "float64" else torch.float32
    params = []
    for _ in range(case["count"]):
        p = torch.nn.Parameter(torch.rand(case["size"], dtype=dtype))
        p.grad = torch.rand(case["size"], dtype=dtype)
        params.append(p)
    opt = make(case["optimizer"], params)
    for _ in range(case["warmup"]):
        opt.step()
    times = []
    for _ in range(case["reps"]):
        t0 = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


cases = json.loads(sys.argv[1])
out = [{"id": c["id"], "seconds": run(c)} for c in cases]
print(json.dumps({"version": torch.__version__, "results": out}))
