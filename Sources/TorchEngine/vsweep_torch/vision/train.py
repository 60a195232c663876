"""The vision engine: ``python3 -m vsweep_torch.vision.train --config FILE [--set k=v]… [--resume CKPT]``.

Speaks the trial protocol (docs/protocol.md) through ``vsweep_torch.protocol``: ``started``;
a ``report`` every ``report.every`` updates (train_loss, val_miou, val_depth_rmse,
val_linear_acc; alignment_value and feedback_loss for the designer arms; timings), a
``checkpoint`` after each report (``checkpoint.every`` to change), and a final report with
the test metrics (``eval.test`` images; 0 skips them) before ``finished``. SIGTERM: the
current update finishes, a checkpoint is written, then ``checkpoint`` and ``finished``
(``terminated``), exit 0. ``--resume`` continues bit-identically on CPU under an update
budget (every random draw is keyed by (seed, update)). Config: ``DEFAULTS`` and docs/vision.md.
"""
from __future__ import annotations

import os
import sys

import torch

from .. import protocol as vp
from .trainer import ARMS, VisionTrainer, read_base

ENGINE = "vsweep-torch-vision 0.1.0"

DEFAULTS = {
    "trial": vp.ANY,
    "arm": "baseline",                 # baseline | vpt | random_feedback | random_views
    "seed": 1,
    "base": vp.ANY,                    # base checkpoint (pretrain.py); not with learner.hf_path
    "data": {"kind": "procedural",     # procedural | ade20k | nyuv2
             "root": vp.ANY, "seed": 0, "size": 32,
             "unlabeled": 2048, "feedback": 256, "validation": 256, "test": 512},
    "learner": {"hf_path": vp.ANY, "out_dim": 256,
                "lr": 5.0e-4, "lr_min": 5.0e-5, "warmup": 0, "weight_decay": 0.04, "clip": 3.0,
                "batch": 32, "momentum": 0.99, "temp_student": 0.1, "temp_teacher": 0.04,
                "center_momentum": 0.9, "local_crops": 0, "local_size": 16, "ibot_weight": 1.0},
    "designer": {"deviation_max": 0.3, "mask_ratio": 0.3, "lr": 1.0e-3, "hidden": 32},
    "feedback": {"size": 0, "batch": 32, "every": 1, "head_steps": 2, "head_lr": 1.0e-2,
                 "depth_weight": 1.0},
    "align": {"mode": "auto"},         # auto | jvp | double_backward (align.py)
    "budget": {"updates": vp.ANY, "seconds": vp.ANY},
    "report": {"every": 25},
    "eval": {"validation": 256, "test": 512, "probe_steps": 150, "probe_lr": 0.05},
    "checkpoint": {"dir": "runs/vision", "every": vp.ANY},
    "threads": 1,
}


def _check(config: dict) -> None:
    def bad(field, message):
        raise vp.ConfigError(f"{field}: {message}", field=field)
    if config["arm"] not in ARMS:
        bad("arm", f"must be one of {', '.join(ARMS)} (got {config['arm']!r})")
    b = config["budget"]
    if (b["updates"] is None) == (b["seconds"] is None):
        bad("budget", "exactly one of budget.updates, budget.seconds")
    if b["updates"] is not None and (not isinstance(b["updates"], int) or b["updates"] < 1):
        bad("budget.updates", f"must be an integer >= 1 (got {b['updates']!r})")
    if b["seconds"] is not None and (not isinstance(b["seconds"], (int, float)) or b["seconds"] <= 0):
        bad("budget.seconds", f"must be > 0 (got {b['seconds']!r})")
    D = config["designer"]
    if not 0 <= D["deviation_max"] <= 1:
        bad("designer.deviation_max", f"must be in [0, 1] (got {D['deviation_max']})")
    if not 0 <= D["mask_ratio"] < 1:
        bad("designer.mask_ratio", f"must be in [0, 1) (got {D['mask_ratio']})")
    for key in ("lr", "hidden"):
        if D[key] <= 0:
            bad(f"designer.{key}", f"must be > 0 (got {D[key]})")
    L = config["learner"]
    for key in ("lr", "batch", "temp_student", "temp_teacher"):
        if L[key] <= 0:
            bad(f"learner.{key}", f"must be > 0 (got {L[key]})")
    if not 0 <= L["momentum"] <= 1:
        bad("learner.momentum", f"must be in [0, 1] (got {L['momentum']})")
    F = config["feedback"]
    if F["every"] < 1 or F["batch"] < 1 or F["head_steps"] < 0 or F["size"] < 0:
        bad("feedback", "every, batch >= 1; head_steps, size >= 0")
    if config["align"]["mode"] not in ("jvp", "double_backward", "auto"):
        bad("align.mode", f"must be jvp, double_backward or auto (got {config['align']['mode']!r})")
    if config["report"]["every"] < 1:
        bad("report.every", "must be >= 1")
    if config["base"] is None and L["hf_path"] is None:
        bad("base", "is required (a base from `python3 -m vsweep_torch.vision.pretrain`), or learner.hf_path")
    if config["base"] is not None and not os.path.exists(config["base"]):
        bad("base", f"{config['base']}: no such file")


def main(argv=None) -> None:
    config = vp.load_config(argv, DEFAULTS)
    args = vp.load_config.last_args
    _check(config)
    torch.set_num_threads(int(config["threads"]))
    out = vp.Reporter(ENGINE)
    stop = vp.Termination.install()
    try:
        base = read_base(config["base"]) if config["base"] else None
        trainer = VisionTrainer(config, base)
    except (ValueError, FileNotFoundError) as e:
        raise vp.ConfigError(str(e)) from None
    budget = vp.Budget(updates=config["budget"]["updates"], seconds=config["budget"]["seconds"])
    directory = vp.checkpoint_dir(config)
    path = directory / "last.ckpt"
    if args.resume:
        try:
            state = torch.load(args.resume, map_location="cpu", weights_only=False)
            trainer.load_state_dict(state)
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            raise vp.ConfigError(f"--resume {args.resume}: {e}", field="resume") from None
        budget.load_state_dict(state["budget"])
    out.started(config, trial=config["trial"])
    if args.check:
        out.finished("budget", {}, updates=trainer.updates)
        return
    every = config["report"]["every"]
    ckpt_every = config["checkpoint"]["every"] or every
    E = config["eval"]
    last_metrics: dict = {}

    def save():
        with budget.evaluating():
            state = trainer.state_dict()
            state["budget"] = budget.state_dict()
            vp.atomic_save(lambda f: torch.save(state, f), path)
        out.checkpoint(path, trainer.updates)

    def report(final: bool) -> dict:
        metrics = trainer.take_interval_metrics()
        with budget.evaluating():
            metrics.update(trainer.evaluate("validation", E["validation"]))
            if final and E["test"]:
                metrics.update(trainer.evaluate("test", E["test"]))
        timings = dict(trainer.timings) if trainer.designer is not None else None
        out.report(trainer.updates, tokens=trainer.updates * config["learner"]["batch"], metrics=metrics,
                   budget=budget, timings=timings)
        return metrics

    while not budget.exhausted(trainer.updates) and not stop.requested:
        with budget.training():
            trainer.step(budget.fraction(trainer.updates))
        if trainer.updates % every == 0 and not budget.exhausted(trainer.updates) and not stop.requested:
            last_metrics = report(final=False)
        if trainer.updates % ckpt_every == 0 and not budget.exhausted(trainer.updates) and not stop.requested:
            save()
    if stop.requested:
        save()
        out.finished("terminated", last_metrics, updates=trainer.updates)
        return
    metrics = report(final=True)
    save()
    if trainer.align_mode_used:
        print(f"alignment computed by {trainer.align_mode_used}", file=sys.stderr)
    out.finished("budget", metrics, updates=trainer.updates)


if __name__ == "__main__":
    vp.run(lambda: main(), vp.Reporter(ENGINE))
