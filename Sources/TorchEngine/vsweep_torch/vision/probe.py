"""Validation (or test) probe metrics of a base checkpoint, or of a random initialisation.

    python3 -m vsweep_torch.vision.probe storage/bases/vision-tiny.ckpt
    python3 -m vsweep_torch.vision.probe random        # the base recipe's architecture, seed 0

Prints val_miou, val_depth_rmse, val_linear_acc (the engine's evaluation, same data
defaults) and the entropy of the teacher's mean output distribution (ln K = no collapse).
"""
from __future__ import annotations

import argparse

import torch

from .. import protocol as vp
from .train import DEFAULTS
from .trainer import VisionTrainer, new_base, read_base

RECIPE = {"image_size": 32, "patch": 4, "dim": 48, "depth": 2, "heads": 4, "mlp_ratio": 2.0, "out_dim": 128}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python3 -m vsweep_torch.vision.probe")
    ap.add_argument("bases", nargs="+", help="base checkpoints, or 'random'")
    ap.add_argument("--split", default="validation", choices=["validation", "test"])
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    for path in a.bases:
        base = new_base(RECIPE, 0) if path == "random" else read_base(path)
        config = vp.check_config({"budget": {"updates": 1}, "data": {"unlabeled": 64}}, DEFAULTS)
        t = VisionTrainer(config, base)
        metrics = t.evaluate(a.split)
        with torch.no_grad():
            x = torch.from_numpy(t.data["validation"].images[:128])
            mean = torch.softmax((t.teacher(x) - t.center) / config["learner"]["temp_teacher"], -1).mean(0)
            entropy = float(-(mean * mean.clamp_min(1e-12).log()).sum())
        print(path, " ".join(f"{k}={v:.4f}" for k, v in metrics.items()),
              f"teacher_mean_entropy={entropy:.2f} (ln K={torch.log(torch.tensor(float(mean.numel()))):.2f})")


if __name__ == "__main__":
    main()
