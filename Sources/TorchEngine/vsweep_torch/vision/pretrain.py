"""Makes a tiny base learner: DINO from scratch (the default augmentation, baseline arm) on the
procedural unlabeled split. Trials continue from it (``base:``).

    python3 -m vsweep_torch.vision.pretrain --out storage/bases/vision-tiny.ckpt

Defaults (the base of sweeps/vision-*.yaml): --image-size 32 --patch 4 --dim 48 --depth 2
--heads 4 --out-dim 128 --batch 16 --lr 5e-4 --updates 600 --temp-teacher 0.04 --ibot-weight 1.
About 1.5 minutes on one core (85 s measured under a load average of 6–7 on 2 cores).
Progress on stderr; the file is written atomically with magic ``vsweep-vision-base``.
"""
from __future__ import annotations

import argparse
import sys
import time

import torch

from .. import protocol as vp
from .train import DEFAULTS
from .trainer import BASE_MAGIC, FORMAT_VERSION, VisionTrainer, new_base


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python3 -m vsweep_torch.vision.pretrain", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--updates", type=int, default=600)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--unlabeled", type=int, default=2048)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--patch", type=int, default=4)
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--out-dim", type=int, default=128)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--mask-ratio", type=float, default=0.3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--ibot-weight", type=float, default=1.0)
    p.add_argument("--temp-teacher", type=float, default=0.04)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    arch = {"image_size": a.image_size, "patch": a.patch, "dim": a.dim, "depth": a.depth, "heads": a.heads,
            "mlp_ratio": 2.0, "out_dim": a.out_dim}
    config = vp.check_config({"arm": "baseline", "seed": a.seed, "budget": {"updates": a.updates},
                              "data": {"seed": a.data_seed, "size": a.image_size, "unlabeled": a.unlabeled,
                                       "feedback": 64, "validation": 64, "test": 0},
                              "learner": {"batch": a.batch, "lr": a.lr, "warmup": min(50, a.updates // 5),
                                          "lr_min": a.lr / 10, "out_dim": a.out_dim, "momentum": 0.99,
                                          "ibot_weight": a.ibot_weight, "temp_teacher": a.temp_teacher},
                              "designer": {"mask_ratio": a.mask_ratio}}, DEFAULTS)
    trainer = VisionTrainer(config, new_base(arch, a.seed))
    start = time.perf_counter()
    for u in range(a.updates):
        loss = trainer.step()
        if (u + 1) % 50 == 0 or u + 1 == a.updates:
            print(f"pretrain {u + 1}/{a.updates} dino_loss {loss:.4f} {time.perf_counter() - start:.1f}s", file=sys.stderr)
    base = {"magic": BASE_MAGIC, "version": FORMAT_VERSION, "arch": arch, "student": trainer.student.state_dict(),
            "teacher": trainer.teacher.state_dict(), "center": trainer.center.clone(),
            "center_patch": trainer.center_patch.clone(), "updates": a.updates}
    vp.atomic_save(lambda f: torch.save(base, f), a.out)
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
