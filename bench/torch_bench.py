"""PyTorch CPU timings for `npm run bench` (Debian's python3-torch). One thread, float32 (float64 for Adam).
usage: python3 torch_bench.py '<json list of cases>'  → prints a JSON list of {id, seconds, min} (median and
minimum per step). A case with "grad" ("normal", "tiny", "zero-after-tiny", from bench/subnormals.ts) gets the
inputs that bench makes instead of random ones."""
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


def subnormal_param(case, dtype):
    """θᵢ = ((7919·i) mod 1000)/1000 − 0.5 and gᵢ = ±(θᵢ + 0.5001)·scale, as bench/subnormals.ts makes them."""
    n = case["size"]
    i = torch.arange(n, dtype=torch.float64)
    theta = ((i * 7919) % 1000) / 1000 - 0.5
    sign = torch.where(torch.arange(n) % 2 == 1, 1.0, -1.0).to(torch.float64)
    scale = 1.0 if case["grad"] == "normal" else case["tiny"]
    p = torch.nn.Parameter(theta.to(dtype))
    # rounded to the dtype first, as descent stores θ, then scaled in float64 and rounded once
    p.grad = ((p.detach().to(torch.float64) + 0.5001) * scale * sign).to(dtype)
    return p


def run(case):
    dtype = torch.float64 if case["dtype"] == "float64" else torch.float32
    params = []
    for _ in range(case["count"]):
        if "grad" in case:
            p = subnormal_param(case, dtype)
        else:
            p = torch.nn.Parameter(torch.rand(case["size"], dtype=dtype))
            p.grad = torch.rand(case["size"], dtype=dtype)
        params.append(p)
    opt = make(case["optimizer"], params)
    if case.get("grad") == "zero-after-tiny":
        for _ in range(3):
            opt.step()
        for p in params:
            p.grad = torch.zeros_like(p)
        for _ in range(case["zeroSteps"]):
            opt.step()
    for _ in range(case["warmup"]):
        opt.step()
    times = []
    for _ in range(case["reps"]):
        t0 = time.perf_counter()
        opt.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


cases = json.loads(sys.argv[1])
out = []
for c in cases:
    median, fastest = run(c)
    out.append({"id": c["id"], "seconds": median, "min": fastest})
print(json.dumps({"version": torch.__version__, "results": out}))
