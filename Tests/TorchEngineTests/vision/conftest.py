"""Vision test fixtures: a tiny random base checkpoint and tiny-data engine configs."""
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # helpers.py, the package path

TINY_ARCH = {"image_size": 16, "patch": 4, "dim": 32, "depth": 1, "heads": 2, "mlp_ratio": 2.0, "out_dim": 32}


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory):
    from vsweep_torch.vision.trainer import new_base
    path = tmp_path_factory.mktemp("base") / "tiny.ckpt"
    torch.save(new_base(TINY_ARCH, seed=0), path)
    return path


def tiny_config(base, **overrides):
    """An engine config (before DEFAULTS) small enough for a few seconds per run."""
    config = {
        "base": str(base), "arm": "vpt", "seed": 3,
        "data": {"size": 16, "unlabeled": 64, "feedback": 32, "validation": 32, "test": 32},
        "learner": {"batch": 8, "out_dim": 32},
        "designer": {"deviation_max": 0.3, "mask_ratio": 0.3},
        "feedback": {"batch": 8, "head_steps": 1},
        "budget": {"updates": 4},
        "report": {"every": 2},
        "eval": {"validation": 32, "test": 32, "probe_steps": 10},
    }
    for key, value in overrides.items():
        node = config
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return config
