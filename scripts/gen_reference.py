#!/usr/bin/env python3
"""Records descent's own PyTorch reference traces (schema "torch-optim-reference/1", the same as the shared
set described in test/fixtures/torch/README.md) for cases the shared set does not cover.

Run it with real PyTorch 2.6 (Debian 13's python3-torch): `bash scripts/gen_reference.sh` sets up a trixie
chroot and runs this file there. Output: test/fixtures/torch/project_optimizers.json, project_schedulers.json
and project_sparse_adam.json. Inputs come from fixed formulas, so the output is reproducible bit for bit.
"""
import json
import math
import sys
import warnings
from collections import OrderedDict

import numpy
import torch
from torch.optim import lr_scheduler as lrs
from torch.optim import swa_utils

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
torch.set_default_dtype(torch.float64)

NUMBER_ENCODING = (
    "finite floats are JSON numbers written with Python repr (shortest round-trip, so parsing gives the exact "
    "float64; float32 data are exactly representable float32 values widened to float64); non-finite floats are "
    "the strings 'Infinity', '-Infinity', 'NaN'"
)
A, B, C = 1.0, 0.1, 1.5


def header(kind, dtype_note):
    return OrderedDict(
        schema="torch-optim-reference/1",
        kind=kind,
        set="project",
        torch_version=torch.__version__,
        torch_package="python3-torch (Debian trixie)",
        numpy_version=numpy.__version__,
        python_version=sys.version.split()[0],
        generator="scripts/gen_reference.py",
        default_dtype="float64",
        dtype_note=dtype_note,
        number_encoding=NUMBER_ENCODING,
    )


def enc(x):
    """JSON-ready value: tensors as {__tensor__...}, non-finite floats as strings, tuples as lists."""
    if isinstance(x, torch.Tensor):
        return {"__tensor__": True, "dtype": str(x.dtype).replace("torch.", ""), "shape": list(x.shape),
                "data": [enc(v) for v in x.detach().reshape(-1).tolist()]}
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, dict):
        return OrderedDict((str(k), enc(v)) for k, v in x.items())
    if callable(x):
        return None
    return x


def objective(params, sign):
    x = torch.cat([p.reshape(-1) for p in params])
    n = x.numel()
    f = (A * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
    f = f + B * torch.sin(C * x + torch.roll(x, -1)).sum()
    return sign * f


def init_values(k, count):
    return [round(1.3 * math.sin(1.7 * k + 0.9 * j + 0.3), 4) for j in range(count)]


SHAPES = [[3], [2, 3], [2, 1, 2]]


def flat(t):
    return [enc(v) for v in t.detach().reshape(-1).tolist()]


def optimizer_case(name, cls, options, steps=20, dtype="float64", groups=None, sign=1, grad_none=None,
                   shapes=SHAPES, init_scale=1):
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    specs = []
    params = []
    for k, shape in enumerate(shapes):
        count = int(numpy.prod(shape))
        init = [v * init_scale for v in init_values(k, count)]
        if dtype == "float32":
            init = [float(numpy.float32(v)) for v in init]
        specs.append({"name": f"p{k}", "shape": shape, "init": init})
        params.append(torch.tensor(init, dtype=tdtype).reshape(shape).requires_grad_(True))
    groups = groups or [{"params": list(range(len(params)))}]
    torch_groups = [dict(g, params=[params[i] for i in g["params"]]) for g in groups]
    extra = {"foreach": False} if cls is not torch.optim.LBFGS else {}
    opt = cls(torch_groups, **options, **extra)
    order = [i for g in groups for i in g["params"]]
    trace, checkpoints = [], []
    closure_mode = cls is torch.optim.LBFGS
    for step in range(1, steps + 1):
        entry = OrderedDict(step=step)
        if closure_mode:
            evals = []

            def closure():
                opt.zero_grad(set_to_none=True)
                loss = objective(params, sign)
                loss.backward()
                evals.append({"x": [flat(p) for p in params], "loss": enc(loss.item()),
                              "grads": [flat(p.grad) for p in params]})
                return loss

            returned = opt.step(closure)
            st = opt.state[opt._params[0]]
            entry.update(loss=evals[0]["loss"], grads=evals[0]["grads"], returned_loss=enc(float(returned)),
                         func_evals_this_step=len(evals), state_func_evals=st["func_evals"],
                         state_n_iter=st["n_iter"], closure_evals=evals)
        else:
            opt.zero_grad(set_to_none=True)
            loss = objective(params, sign)
            loss.backward()
            if grad_none and step in grad_none["steps"]:
                params[grad_none["param"]].grad = None
            entry.update(loss=enc(loss.item()), grads=[None if p.grad is None else flat(p.grad) for p in params])
            opt.step()
        entry["params"] = [flat(p) for p in params]
        trace.append(entry)
        if step in (steps // 2, steps):
            checkpoints.append({"after_step": step, "state_dict": enc(opt.state_dict())})
    return OrderedDict(
        name=name, optimizer=cls.__name__, dtype=dtype, options=enc(options), torch_extra_kwargs=extra,
        param_groups=groups, state_index_to_param=order, params=specs,
        objective={"id": "public_v1", "sign": sign, "init_scale": init_scale}, steps=steps, grad_none=grad_none, closure=closure_mode,
        resolved_param_groups=enc(opt.state_dict()["param_groups"]), trace=trace, checkpoints=checkpoints)


O = torch.optim
OPTIMIZER_CASES = [
    # subnormals: params near 0 (so that the tiny updates show) and gradients scaled so small that
    # (1 - beta2)·g² is subnormal: descent flushes exp_avg_sq to 0 where that leaves the update unchanged
    # (eps 1e-8), and keeps it where it does not (eps 0)
    ("adam_subnormal_grad_float32", O.Adam, {"lr": 0.01}, {"dtype": "float32", "sign": 1e-20, "init_scale": 1e-12}),
    ("adam_subnormal_grad_eps0_float32", O.Adam, {"lr": 0.01, "eps": 0.0},
     {"dtype": "float32", "sign": 1e-20, "init_scale": 1e-12}),
    ("adamw_amsgrad_subnormal_grad_float32", O.AdamW, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
     {"dtype": "float32", "sign": 1e-20, "init_scale": 1e-12}),
    ("adam_subnormal_grad", O.Adam, {"lr": 0.01}, {"sign": 1e-160, "init_scale": 1e-150}),
    ("adam_subnormal_grad_eps0", O.Adam, {"lr": 0.01, "eps": 0.0}, {"sign": 1e-155, "init_scale": 1e-150}),
    # float32 twins of float64-only shared cases
    ("sgd_momentum_float32", O.SGD, {"lr": 0.01, "momentum": 0.9}, {"dtype": "float32"}),
    ("sgd_weight_decay_dampening_maximize_float32", O.SGD,
     {"lr": 0.005, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05, "maximize": True},
     {"dtype": "float32", "sign": -1}),
    ("adamw_amsgrad_float32", O.AdamW, {"lr": 0.02, "amsgrad": True, "weight_decay": 0.1}, {"dtype": "float32"}),
    ("adam_weight_decay_maximize_float32", O.Adam, {"lr": 0.01, "weight_decay": 0.1, "maximize": True},
     {"dtype": "float32", "sign": -1}),
    ("adagrad_all_options_float32", O.Adagrad,
     {"lr": 0.05, "lr_decay": 0.01, "weight_decay": 0.02, "initial_accumulator_value": 0.1, "eps": 1e-8},
     {"dtype": "float32"}),
    ("rmsprop_momentum_float32", O.RMSprop, {"lr": 0.005, "momentum": 0.9, "alpha": 0.9}, {"dtype": "float32"}),
    ("adadelta_weight_decay_float32", O.Adadelta, {"lr": 0.5, "rho": 0.8, "weight_decay": 0.05},
     {"dtype": "float32"}),
    ("adamax_default_float32", O.Adamax, {"lr": 0.01}, {"dtype": "float32"}),
    ("nadam_decoupled_weight_decay_float32", O.NAdam,
     {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}, {"dtype": "float32"}),
    ("radam_decoupled_weight_decay_float32", O.RAdam,
     {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}, {"dtype": "float32"}),
    ("asgd_averaging_float32", O.ASGD, {"lr": 0.01, "t0": 5, "lambd": 1e-3}, {"dtype": "float32"}),
    ("rprop_etas_step_sizes_float32", O.Rprop, {"lr": 0.02, "etas": [0.4, 1.3], "step_sizes": [1e-4, 0.05]},
     {"dtype": "float32"}),
    # option combinations the shared set does not reach
    ("sgd_nesterov_two_groups_grad_none", O.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True},
     {"groups": [{"params": [0, 2]}, {"params": [1], "lr": 0.002, "weight_decay": 0.1}],
      "grad_none": {"param": 2, "steps": [1, 2, 7]}}),
    ("adam_amsgrad_two_groups_grad_none", O.Adam, {"lr": 0.02, "amsgrad": True},
     {"groups": [{"params": [0]}, {"params": [1, 2], "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05}],
      "grad_none": {"param": 1, "steps": [3, 4]}}),
    ("rmsprop_centered_maximize", O.RMSprop, {"lr": 0.003, "centered": True, "maximize": True, "weight_decay": 0.01},
     {"sign": -1}),
    ("adagrad_two_groups", O.Adagrad, {"lr": 0.05},
     {"groups": [{"params": [0, 1]}, {"params": [2], "lr_decay": 0.1, "initial_accumulator_value": 0.5}]}),
    ("adafactor_weight_decay_maximize_float32", O.Adafactor, {"lr": 0.01, "weight_decay": 0.1, "maximize": True},
     {"dtype": "float32", "sign": -1}),
    ("nadam_two_groups_grad_none", O.NAdam, {"lr": 0.01},
     {"groups": [{"params": [0]}, {"params": [1, 2], "momentum_decay": 0.01}],
      "grad_none": {"param": 0, "steps": [2, 5]}}),
    ("adafactor_batched_rows", O.Adafactor, {"lr": 0.01, "beta2_decay": -0.7},
     {"shapes": [[2, 3, 4], [5], [3, 2]], "steps": 12}),
    ("adafactor_batched_rows_float32", O.Adafactor, {"lr": 0.01, "weight_decay": 0.05},
     {"shapes": [[2, 3, 4], [5]], "steps": 12, "dtype": "float32"}),
    ("lbfgs_no_line_search_max_iter", O.LBFGS, {"lr": 0.2, "max_iter": 3, "history_size": 4}, {"steps": 6}),
    ("lbfgs_strong_wolfe_float32", O.LBFGS, {"lr": 1.0, "max_iter": 5, "line_search_fn": "strong_wolfe"},
     {"steps": 4, "dtype": "float32"}),
    ("lbfgs_strong_wolfe_history3", O.LBFGS,
     {"lr": 0.8, "max_iter": 4, "history_size": 3, "line_search_fn": "strong_wolfe"}, {"steps": 5}),
]


# SparseAdam: params whose grads are sparse (torch.sparse_coo over rows), from nn.Embedding(sparse=True)
# lookups, and one param given sparse grads by hand (rows of a 3-D param). Each param has a batch of row
# indices per step: repeats in a batch (summed by coalesce), rows some steps leave alone, an empty batch (a
# sparse grad with no rows: the step counts, nothing moves) and None (the param unused: grad None, skipped).
def embedding_loss(out, step, sign):
    """sign * sum_b sum_j [ (1 + b/4) (o_bj - t_bj)^2 / 2 + 0.1 sin(1.5 o_bj + o_b,(j+1) mod d) ]."""
    b = torch.arange(out.shape[0], dtype=out.dtype).reshape(-1, 1)
    j = torch.arange(out.shape[1], dtype=out.dtype).reshape(1, -1)
    target = 0.5 * torch.cos(0.9 * b + 0.4 * j + 0.2 * step)
    f = ((1 + b / 4) * (out - target) ** 2 / 2).sum() + 0.1 * torch.sin(1.5 * out + torch.roll(out, -1, 1)).sum()
    return sign * f


def hand_sparse_grad(p, rows, sign):
    """Row k of the grad of the hand-fed param: sign * ((1 + k/2) (p[rows[k]] - 0.3) + k/20)."""
    k = torch.arange(len(rows), dtype=p.dtype).reshape([-1] + [1] * (p.dim() - 1))
    values = sign * ((1 + k / 2) * (p.detach()[rows] - 0.3) + k / 20)
    return torch.sparse_coo_tensor(torch.tensor([rows], dtype=torch.long).reshape(1, -1), values, p.shape)


def sparse_adam_case(name, options, params, steps, dtype="float64", groups=None, sign=1):
    tdtype = torch.float32 if dtype == "float32" else torch.float64
    specs, modules, tensors = [], [], []
    for k, spec in enumerate(params):
        count = int(numpy.prod(spec["shape"]))
        init = init_values(k, count)
        if dtype == "float32":
            init = [float(numpy.float32(v)) for v in init]
        if spec["kind"] == "embedding":
            m = torch.nn.Embedding(spec["shape"][0], spec["shape"][1], sparse=True, dtype=tdtype)
            with torch.no_grad():
                m.weight.copy_(torch.tensor(init, dtype=tdtype).reshape(spec["shape"]))
            modules.append(m)
            tensors.append(m.weight)
        else:
            modules.append(None)
            tensors.append(torch.tensor(init, dtype=tdtype).reshape(spec["shape"]).requires_grad_(True))
        specs.append({"name": f"p{k}", "kind": spec["kind"], "shape": spec["shape"], "init": init,
                      "batches": spec["batches"]})
    groups = groups or [{"params": list(range(len(params)))}]
    opt = O.SparseAdam([dict(g, params=[tensors[i] for i in g["params"]]) for g in groups], **options)
    trace, checkpoints = [], []
    for step in range(1, steps + 1):
        opt.zero_grad(set_to_none=True)
        loss = None
        for k, spec in enumerate(params):
            rows = spec["batches"][step - 1]
            if rows is None or spec["kind"] != "embedding":
                continue
            part = embedding_loss(modules[k](torch.tensor(rows, dtype=torch.long)), step, sign)
            loss = part if loss is None else loss + part
        if loss is not None:
            loss.backward()
        for k, spec in enumerate(params):
            rows = spec["batches"][step - 1]
            if rows is not None and spec["kind"] == "hand":
                tensors[k].grad = hand_sparse_grad(tensors[k], rows, sign)
        grads = []
        for k, t in enumerate(tensors):
            rows = params[k]["batches"][step - 1]
            assert (t.grad is None) == (rows is None), (name, step, k)
            if t.grad is None:
                grads.append(None)
                continue
            assert t.grad.is_sparse and t.grad.sparse_dim() == 1
            grads.append(OrderedDict(indices=t.grad._indices()[0].tolist(), values=flat(t.grad._values()),
                                     coalesced=t.grad.is_coalesced()))
            assert grads[-1]["indices"] == rows, (name, step, k, grads[-1]["indices"], rows)
        opt.step()
        trace.append(OrderedDict(step=step, loss=None if loss is None else enc(loss.item()), grads=grads,
                                 params=[flat(t) for t in tensors]))
        if step in (steps // 2, steps):
            checkpoints.append({"after_step": step, "state_dict": enc(opt.state_dict())})
    return OrderedDict(
        name=name, optimizer="SparseAdam", dtype=dtype, options=enc(options), param_groups=groups,
        state_index_to_param=[i for g in groups for i in g["params"]], params=specs,
        objective={"embedding": embedding_loss.__doc__, "hand": hand_sparse_grad.__doc__, "sign": sign},
        steps=steps, resolved_param_groups=enc(opt.state_dict()["param_groups"]), trace=trace,
        checkpoints=checkpoints)


TABLE_BATCHES = [[1, 4, 1], [0, 2, 2, 2, 5], [6], [3, 1, 3, 0], [4, 4], [2, 5, 6, 2], [1], [0, 6, 0, 3, 0],
                 [5, 2], [4, 1, 4], [3], [6, 0, 6]]
SMALL_BATCHES = [[0, 3], None, [4, 4, 1], [], [2], [3, 0, 3], [1, 2], None, [4], [0, 0], [2, 3, 2], [1]]
HAND_BATCHES = [[2, 0, 2], [3], [1, 1, 1], None, [0, 3], [], [2, 1], [3, 3, 0, 3], [1], [0], None, [2, 2]]
SPARSE_PARAMS = [{"kind": "embedding", "shape": [7, 3], "batches": TABLE_BATCHES},
                 {"kind": "embedding", "shape": [5, 2], "batches": SMALL_BATCHES},
                 {"kind": "hand", "shape": [4, 2, 2], "batches": HAND_BATCHES}]
SPARSE_GROUPS = [{"params": [0, 2]}, {"params": [1], "lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6}]
SPARSE_ADAM_CASES = [
    ("sparse_adam_embeddings_two_groups", {"lr": 0.02}, {"groups": SPARSE_GROUPS}),
    ("sparse_adam_embeddings_two_groups_float32", {"lr": 0.02}, {"groups": SPARSE_GROUPS, "dtype": "float32"}),
    ("sparse_adam_maximize", {"lr": 0.01, "betas": [0.85, 0.95], "eps": 1e-4, "maximize": True}, {"sign": -1}),
    ("sparse_adam_maximize_float32", {"lr": 0.01, "betas": [0.85, 0.95], "eps": 1e-4, "maximize": True},
     {"sign": -1, "dtype": "float32"}),
]


def sched_trace_entry(step, opt, schedulers, stepped, extra):
    e = OrderedDict(step=step, lr=[g["lr"] for g in opt.param_groups])
    if "momentum" in extra:
        e["momentum"] = [g.get("momentum") for g in opt.param_groups]
    if "betas" in extra:
        e["betas"] = [list(g["betas"]) for g in opt.param_groups]
    e["last_lr"] = {sid: schedulers[sid].get_last_lr() for sid in stepped}
    e["last_epoch"] = {sid: s.last_epoch for sid, s in schedulers.items() if hasattr(s, "last_epoch")}
    return e


def make_fn(spec):
    if isinstance(spec, list):
        return [make_fn(s) for s in spec]
    var = spec.get("variable", "epoch")
    return eval(f"lambda {var}: {spec['formula']}")  # noqa: S307 - fixed formulas written in this file


def scheduler_case(name, optimizer, schedulers, step, steps, metrics=None, track=(), note=""):
    ptype = optimizer["type"]
    dummy = [torch.zeros(1, requires_grad=True) for _ in optimizer["groups"]]
    groups = [dict(g, params=[dummy[i]]) for i, g in enumerate(optimizer["groups"])]
    opt = (O.SGD if ptype == "SGD" else O.Adam)(groups)
    built = OrderedDict()
    for s in schedulers:
        kwargs = {}
        for k, v in s["kwargs"].items():
            if isinstance(v, dict) and "formula" in v or (isinstance(v, list) and v and isinstance(v[0], dict) and "formula" in v[0]):
                kwargs[k] = make_fn(v)
            elif isinstance(v, list) and v and isinstance(v[0], dict) and "ref" in v[0]:
                kwargs[k] = [built[r["ref"]] for r in v]
            else:
                kwargs[k] = v
        cls = swa_utils.SWALR if s["type"] == "SWALR" else getattr(lrs, s["type"])
        built[s["id"]] = cls(**kwargs) if s["type"] == "ChainedScheduler" else cls(opt, **kwargs)
    trace = [sched_trace_entry(0, opt, built, step, track)]
    checkpoint = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(1, steps + 1):
            opt.step()
            for sid in step:
                if metrics is not None:
                    built[sid].step(metrics[k - 1])
                else:
                    built[sid].step()
            e = sched_trace_entry(k, opt, built, step, track)
            if metrics is not None:
                e["metric"] = metrics[k - 1]
            trace.append(e)
            if k == steps // 2:
                checkpoint = {"after_step": k, "state_dicts": {sid: enc(s.state_dict()) for sid, s in built.items()}}
    final = [{k: enc(v) for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return OrderedDict(name=name, optimizer=optimizer, schedulers=schedulers, step=step, steps=steps,
                       **({"metrics": metrics} if metrics is not None else {}), note=note,
                       final_param_groups=final, trace=enc(trace), checkpoint=checkpoint)


def sgd(*lrs_, momentum=0.0):
    return {"type": "SGD", "groups": [{"lr": lr, "momentum": momentum} for lr in lrs_]}


PLATEAU = [1.0 / (1 + 0.1 * k) + (0.05 if k % 7 == 3 else 0.0) for k in range(60)]
SCHEDULER_CASES = [
    ("multisteplr_unsorted_milestones", sgd(0.1), [{"id": "s0", "type": "MultiStepLR",
     "kwargs": {"milestones": [30, 10, 20, 10], "gamma": 0.5}}], ["s0"], 40, None, (),
     "unsorted and repeated milestones: torch counts each"),
    ("onecyclelr_three_phase_linear_momentum", sgd(0.01, momentum=0.9), [{"id": "s0", "type": "OneCycleLR",
     "kwargs": {"max_lr": 0.2, "total_steps": 50, "three_phase": True, "anneal_strategy": "linear"}}],
     ["s0"], 49, None, ("momentum",), ""),
    ("cycliclr_exp_range_momentum_two_groups", sgd(0.01, 0.02, momentum=0.9), [{"id": "s0", "type": "CyclicLR",
     "kwargs": {"base_lr": [0.001, 0.002], "max_lr": [0.01, 0.03], "step_size_up": 5, "mode": "exp_range",
                "gamma": 0.97, "base_momentum": 0.8, "max_momentum": 0.95}}], ["s0"], 40, None, ("momentum",), ""),
    ("reducelronplateau_abs_cooldown_two_groups", sgd(0.1, 0.05), [{"id": "s0", "type": "ReduceLROnPlateau",
     "kwargs": {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01, "threshold_mode": "abs",
                "cooldown": 3, "min_lr": [0.001, 0.02]}}], ["s0"], 60, PLATEAU, (), ""),
    ("polynomiallr_past_total_iters", sgd(0.1), [{"id": "s0", "type": "PolynomialLR",
     "kwargs": {"total_iters": 8, "power": 1.5}}], ["s0"], 20, None, (), "runs past total_iters"),
    ("chainedscheduler_three", sgd(0.1), [
        {"id": "s0", "type": "LinearLR", "kwargs": {"start_factor": 0.2, "total_iters": 5}},
        {"id": "s1", "type": "ExponentialLR", "kwargs": {"gamma": 0.95}},
        {"id": "s2", "type": "StepLR", "kwargs": {"step_size": 7, "gamma": 0.5}},
        {"id": "s3", "type": "ChainedScheduler", "kwargs": {"schedulers": [{"ref": "s0"}, {"ref": "s1"}, {"ref": "s2"}]}}],
     ["s3"], 30, None, (), ""),
    ("sequentiallr_constant_step_exponential", sgd(0.1, 0.2), [
        {"id": "s0", "type": "ConstantLR", "kwargs": {"factor": 0.5, "total_iters": 4}},
        {"id": "s1", "type": "StepLR", "kwargs": {"step_size": 3, "gamma": 0.7}},
        {"id": "s2", "type": "ExponentialLR", "kwargs": {"gamma": 0.9}},
        {"id": "s3", "type": "SequentialLR", "kwargs": {"schedulers": [{"ref": "s0"}, {"ref": "s1"}, {"ref": "s2"}],
                                                         "milestones": [5, 12]}}], ["s3"], 25, None, (), ""),
    ("cosineannealinglr_tmax_1", sgd(0.1), [{"id": "s0", "type": "CosineAnnealingLR",
     "kwargs": {"T_max": 1, "eta_min": 0.01}}], ["s0"], 6, None, (), "T_max 1 alternates"),
]


def main():
    cases = []
    for name, cls, options, kw in OPTIMIZER_CASES:
        cases.append(optimizer_case(name, cls, options, **kw))
    doc = header("optimizer", "float64 unless a case's dtype says float32 (then params, grads and state are float32)")
    doc["objectives"] = {"public_v1": {"constants": {"a": A, "b": B, "c": C},
                                       "formula": "see test/fixtures/torch/optimizers.json"}}
    doc["cases"] = cases
    with open(f"{OUT}/project_optimizers.json", "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    sparse = [sparse_adam_case(name, options, SPARSE_PARAMS, len(TABLE_BATCHES), **kw)
              for name, options, kw in SPARSE_ADAM_CASES]
    sparse_doc = header("optimizer", "float64 unless a case's dtype says float32 (then params, grads and state are float32)")
    sparse_doc["grad_encoding"] = (
        "each trace grad is null (grad None: the param is skipped) or torch's sparse COO grad as it reached "
        "step(): indices (rows, in batch order, repeats kept), values (len(indices) rows, flat), coalesced")
    sparse_doc["cases"] = sparse
    with open(f"{OUT}/project_sparse_adam.json", "w") as f:
        json.dump(sparse_doc, f, separators=(",", ":"))
    scases = [scheduler_case(*c) for c in SCHEDULER_CASES]
    sdoc = header("scheduler", "learning rates are Python floats (float64)")
    sdoc["cases"] = scases
    with open(f"{OUT}/project_schedulers.json", "w") as f:
        json.dump(sdoc, f, separators=(",", ":"))
    print(f"wrote {len(cases)} optimizer cases, {len(sparse)} SparseAdam cases and {len(scases)} scheduler cases to {OUT}")


if __name__ == "__main__":
    main()
