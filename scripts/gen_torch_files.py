#!/usr/bin/env python3
"""Records the torch.save files that test/torch reads without torch: test/fixtures/torch-files/<major>/.

Run with each torch version the tests cover: Debian 12's python3-torch 1.13 (`/usr/bin/python3
scripts/gen_torch_files.py`) and Debian 13's 2.6 (`chroot <trixie-root> python3 /tmp/gen_torch_files.py
<out-dir>`, see scripts/gen_torch_files.sh). Every value is a fixed formula; each file carries its expected
values as plain pickled lists next to the tensors, so the reader's tensor path is checked against torch's
own `tolist()`.

tensors.pt         zip format: strided, transposed and offset views, shared storages, every dtype
tensors-legacy.pt  the same object in the legacy (pre-1.6) format
optimizers.pt      for the optimizer cases of test/fixtures/torch/optimizers*.json: each run ({"model", "optimizer"}
                   state dicts) after k = steps // 2 steps, and (as plain lists) what a fresh torch optimizer
                   reaches after loading those runs back from a torch.save file and continuing to the end
schedulers.pt      the same for the scheduler cases of schedulers.json and project_schedulers.json
torch 2.x records every case; 1.13 a subset (CI runs every case live with 1.13, see test/torch/live.test.ts)
"""
import io
import json
import os
import sys

import warnings

import torch
from torch.optim import lr_scheduler as lrs
from torch.optim import swa_utils

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = ".".join(torch.__version__.split(".")[:2])
TORCH2 = torch.__version__ >= "2"
# torch 1.13's weights_only unpickler has no BINFLOAT: it cannot read any float, so 1.13 loads in full
WEIGHTS_ONLY = TORCH2
REFERENCE = os.environ.get("DESCENT_TORCH_REFERENCE", os.path.join(HERE, "..", "test", "fixtures", "torch"))
OUT = os.path.join(HERE, "..", "test", "fixtures", "torch-files", VERSION)
torch.set_default_dtype(torch.float64)  # as the reference traces were recorded: torch's scalar state is float64


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



def number(v):
    return float(v) if v in ("Infinity", "-Infinity", "NaN") else v


def plain(v):
    """Tensors as flat lists (0-dim as numbers): the expected values stay small and independent of the tensor path."""
    if isinstance(v, torch.Tensor):
        return v.item() if v.dim() == 0 else v.detach().flatten().tolist()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(plain(x) for x in v)
    return v


def load_cases(name):
    path = os.path.join(REFERENCE, name)
    with open(path) as f:
        return json.load(f)["cases"]


def optimizer_cases():
    return [c for f in ("optimizers.json", "optimizers_float32.json") for c in load_cases(f)]


def unsupported(c):
    """Why this torch cannot run the case, or None."""
    if not hasattr(torch.optim, c["optimizer"]):
        return f"torch {VERSION} has no {c['optimizer']}"
    if not TORCH2 and c["optimizer"] == "NAdam":
        return "torch 1.13's NAdam counts mu twice in mu_product (fixed in 2.x), so it follows another trajectory"
    if not TORCH2 and c["optimizer"] == "RAdam":
        opts = [c["options"]] + c["param_groups"]
        if any(o.get("maximize") or o.get("decoupled_weight_decay") for o in opts):
            return "torch 1.13's RAdam has no maximize / decoupled_weight_decay"
    return None


def build(c):
    dtype = torch.float64 if c["dtype"] == "float64" else torch.float32
    params = [torch.tensor(p["init"], dtype=dtype).reshape(p["shape"]).requires_grad_() for p in c["params"]]
    groups = [dict({k: v for k, v in g.items() if k != "params"}, params=[params[i] for i in g["params"]]) for g in c["param_groups"]]
    options = dict(c["options"])
    options.update(c.get("torch_extra_kwargs") or {})
    return params, getattr(torch.optim, c["optimizer"])(groups, **options)


def replay(c, params, opt, start, end):
    """Steps start+1 … end of the case, fed the gradients (and LBFGS closure values) torch recorded."""
    for e in c["trace"][start:end]:
        if c["closure"]:
            evals = iter(e["closure_evals"])

            def closure():
                ev = next(evals)
                for p, g in zip(params, ev["grads"]):
                    p.grad = torch.tensor([number(x) for x in g], dtype=p.dtype).reshape(p.shape)
                return torch.tensor(number(ev["loss"]), dtype=params[0].dtype)

            opt.step(closure)
        else:
            for p, g in zip(params, e["grads"]):
                p.grad = None if g is None else torch.tensor([number(x) for x in g], dtype=p.dtype).reshape(p.shape)
            opt.step()


def load_run(data):
    return torch.load(io.BytesIO(data), weights_only=WEIGHTS_ONLY)


def continue_optimizer(c, run, k):
    """A fresh torch optimizer over the case's params, loaded from a run file's dict, trained to the end."""
    params, opt = build(c)
    with torch.no_grad():
        for t, p in zip(params, c["params"]):
            t.copy_(run["model"][p["name"]])
    opt.load_state_dict(run["optimizer"])
    replay(c, params, opt, k, c["steps"])
    return {"params": [t.detach().flatten().tolist() for t in params], "optimizer": plain(opt.state_dict())}


def optimizers(only=None):
    """torch trains each case k steps; all the runs are saved in one file, loaded back (weights_only on 2.x)
    and continued by a fresh torch optimizer for the remaining steps: the expected values."""
    runs, ks, skipped = {}, {}, {}
    for c in optimizer_cases():
        if only is not None and c["name"] not in only:
            continue
        why = unsupported(c)
        if why:
            skipped[c["name"]] = why
            continue
        k = ks[c["name"]] = c["steps"] // 2
        params, opt = build(c)
        replay(c, params, opt, 0, k)
        runs[c["name"]] = {"model": {p["name"]: t.detach() for t, p in zip(params, c["params"])}, "optimizer": opt.state_dict()}
    buf = io.BytesIO()
    torch.save(runs, buf)
    loaded = load_run(buf.getvalue())
    cases = {c["name"]: c for c in optimizer_cases()}
    expected = {name: continue_optimizer(cases[name], loaded[name], ks[name]) for name in runs}
    return {"torch_version": str(torch.__version__), "k": ks, "runs": runs, "expected": expected, "skipped": skipped}


ONE_PER_OPTIMIZER_13 = {
    "sgd_nesterov_weight_decay", "adam_amsgrad_weight_decay_maximize", "adamw_amsgrad", "adagrad_all_options_maximize",
    "rmsprop_centered_momentum_weight_decay", "adadelta_weight_decay", "adamax_betas_eps_weight_decay", "radam_weight_decay",
    "rprop_grad_none", "asgd_averaging", "lbfgs_strong_wolfe", "adam_default_float32", "sgd_two_groups",
}


SOME_SCHEDULERS_13 = {
    "lambdalr_per_group", "multisteplr_repeated_milestone", "cosineannealingwarmrestarts_mixed_args",
    "cycliclr_momentum", "onecyclelr_cos", "reducelronplateau_cooldown_min_lr", "sequentiallr_warmup_cosine",
    "chainedscheduler_linear_multistep", "swalr_cos",
}


def make_fn(spec):
    if isinstance(spec, list):
        return [make_fn(s) for s in spec]
    return eval(f"lambda {spec.get('variable', 'epoch')}: {spec['formula']}")  # noqa: S307 - the fixture's formulas


def scheduler_cases():
    return [c for f in ("schedulers.json", "project_schedulers.json") for c in load_cases(f)]


def scheduler_unsupported(c):
    for s in c["schedulers"]:
        if s["type"] != "SWALR" and not hasattr(lrs, s["type"]):
            return f"torch {VERSION} has no {s['type']}"
    if not TORCH2 and c["optimizer"]["type"] == "Adam" and any(s["type"] in ("CyclicLR", "OneCycleLR") for s in c["schedulers"]):
        return "torch 1.13 cannot cycle Adam's betas"
    return None


def build_schedulers(c):
    dummy = [torch.zeros(1, requires_grad=True) for _ in c["optimizer"]["groups"]]
    groups = [dict(g, params=[dummy[i]]) for i, g in enumerate(c["optimizer"]["groups"])]
    opt = (torch.optim.SGD if c["optimizer"]["type"] == "SGD" else torch.optim.Adam)(groups, lr=0.1)
    built = {}
    for s in c["schedulers"]:
        kwargs = {}
        for k, v in s["kwargs"].items():
            first = v[0] if isinstance(v, list) and v else v
            if isinstance(first, dict) and "formula" in first:
                kwargs[k] = make_fn(v)
            elif isinstance(first, dict) and "ref" in first:
                kwargs[k] = [built[r["ref"]] for r in v]
            else:
                kwargs[k] = [number(x) for x in v] if isinstance(v, list) else number(v)
        cls = swa_utils.SWALR if s["type"] == "SWALR" else getattr(lrs, s["type"])
        built[s["id"]] = cls(**kwargs) if s["type"] == "ChainedScheduler" else cls(opt, **kwargs)
    return opt, built


def iterate(c, opt, built, start, end):
    lrs_seen = []
    for k in range(start + 1, end + 1):
        opt.step()
        for sid in c["step"]:
            s = built[sid]
            if c.get("metrics") is not None:
                s.step(number(c["metrics"][k - 1]))
            elif c.get("step_args") and c["step_args"][k - 1] is not None:
                s.step(c["step_args"][k - 1])
            else:
                s.step()
        lrs_seen.append([g["lr"] for g in opt.param_groups])
    return lrs_seen


def scheduler_state(s):
    # callables (SWALR's anneal_func, CyclicLR's bound scale_fn) are no part of a weights-only file
    return {k: v for k, v in s.state_dict().items() if not callable(v)}


def continue_schedulers(c, run, k):
    opt, built = build_schedulers(c)
    opt.load_state_dict(run["optimizer"])
    for sid, s in built.items():
        s.load_state_dict(dict(run["schedulers"][sid]))
    return {"lrs": iterate(c, opt, built, k, c["steps"]), "param_groups": plain(opt.state_dict()["param_groups"])}


def schedulers(only=None):
    runs, ks, skipped = {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in scheduler_cases():
            if only is not None and c["name"] not in only:
                continue
            why = scheduler_unsupported(c)
            if why:
                skipped[c["name"]] = why
                continue
            k = ks[c["name"]] = c["steps"] // 2
            opt, built = build_schedulers(c)
            iterate(c, opt, built, 0, k)
            runs[c["name"]] = {"optimizer": opt.state_dict(), "schedulers": {sid: scheduler_state(s) for sid, s in built.items()}}
        buf = io.BytesIO()
        torch.save(runs, buf)
        loaded = load_run(buf.getvalue())
        cases = {c["name"]: c for c in scheduler_cases()}
        expected = {name: continue_schedulers(cases[name], loaded[name], ks[name]) for name in runs}
    return {"torch_version": str(torch.__version__), "k": ks, "runs": runs, "expected": expected, "skipped": skipped}


def answer(folder):
    """The live round trip: files descent wrote (folder/optimizers/<case>.pt, folder/schedulers/<case>.pt,
    each after k = steps // 2) continued by torch; plus this torch's own k-step files for descent to load."""
    cases = {c["name"]: c for c in optimizer_cases()}
    out = {"torch_version": str(torch.__version__), "optimizers": {}, "schedulers": {}, "errors": {}}
    for name in sorted(os.listdir(os.path.join(folder, "optimizers"))):
        c = cases[name[:-3]]
        try:
            with open(os.path.join(folder, "optimizers", name), "rb") as f:
                run = torch.load(f, weights_only=WEIGHTS_ONLY)
            out["optimizers"][c["name"]] = continue_optimizer(c, run, c["steps"] // 2)
        except Exception as e:  # reported to the test, which names the case
            out["errors"][c["name"]] = f"{type(e).__name__}: {e}"
    sched_cases = {c["name"]: c for c in scheduler_cases()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(os.listdir(os.path.join(folder, "schedulers"))):
            c = sched_cases[name[:-3]]
            try:
                with open(os.path.join(folder, "schedulers", name), "rb") as f:
                    run = torch.load(f, weights_only=WEIGHTS_ONLY)
                out["schedulers"][c["name"]] = continue_schedulers(c, run, c["steps"] // 2)
            except Exception as e:
                out["errors"][c["name"]] = f"{type(e).__name__}: {e}"
    out["forward_optimizers"] = optimizers()
    out["forward_schedulers"] = schedulers()
    torch.save(out, os.path.join(folder, "answers.pt"))

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--answer":
        answer(sys.argv[2])
        sys.exit(0)
    OUT = sys.argv[1] if len(sys.argv) > 1 else OUT
    os.makedirs(OUT, exist_ok=True)
    tensors()
    # torch 2.x: every case (CI has no 2.x to run live); torch 1.13: one case per optimizer (CI runs all live)
    torch.save(optimizers(None if TORCH2 else ONE_PER_OPTIMIZER_13), os.path.join(OUT, "optimizers.pt"))
    torch.save(schedulers(None if TORCH2 else SOME_SCHEDULERS_13), os.path.join(OUT, "schedulers.pt"))
    print("wrote", OUT)
