"""The PyTorch engine under the real scheduler: a short TPE + ASHA sweep from
sweeps/torch-tiny.yaml and a `vsweep compare` of baseline vs vpt from sweeps/torch-compare.yaml,
both shrunk to a few updates on a tiny GPT built here. Runs the built `.build/debug/vsweep`
(scripts/test builds it); skipped with a message only when that binary is absent."""
import json
import subprocess
import sys

import pytest
import yaml

from helpers import PACKAGE, REPO, engine_env, make_dataset, make_gpt_base

VSWEEP = REPO / ".build" / "debug" / "vsweep"


@pytest.fixture()
def setup(tmp_path):
    if not VSWEEP.exists():
        pytest.skip(f"{VSWEEP} is absent: build it with `swift build` (scripts/test does)")
    data = make_dataset(tmp_path / "ds")
    base = make_gpt_base(tmp_path / "base.ckpt", context=32)
    env = engine_env(VSWEEP_PYTHON=sys.executable, VSWEEP_TORCH_PATH=str(PACKAGE))
    return tmp_path, data, base, env


def shrink(spec, data, base):
    t = spec["trial"]
    t.update(base=str(base), data=str(data))
    t["learner"].update(batch=4, seq=16)
    t["report"] = {"every": 2, "val_examples": 2}
    t["eval"] = {"max_new_tokens": 6, "heldout_windows": 2, "feedback_examples": 2, "final_val_examples": 2,
                 "test_examples": t["eval"].get("test_examples", 2) and 2, "batch": 8}
    t["feedback"] = {"batch": 2, "every": 1}
    spec["parallel"] = {"trials": 2, "threads_per_trial": 1}
    return spec


def vsweep(*args, env, cwd, timeout=400):
    return subprocess.run([str(VSWEEP), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)


def test_sweep_of_the_torch_engine_with_tpe_and_asha(setup):
    tmp, data, base, env = setup
    spec = shrink(yaml.safe_load((REPO / "sweeps" / "torch-tiny.yaml").read_text()), data, base)
    spec["stopping"] = {"rule": "asha", "min_resource": 2, "reduction_factor": 2, "max_resource": 6}
    spec["budget"] = {"updates": 6}
    spec["limits"] = {"max_trials": 4}
    assert spec["engine"] == "torch" and spec["search"]["algorithm"] == "tpe"
    (tmp / "torch-tiny.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    r = vsweep("run", "torch-tiny.yaml", "--db", "s.sqlite", "--runs", "runs", "--quiet", env=env, cwd=tmp)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    t = vsweep("trials", "torch-tiny", "--db", "s.sqlite", "--json", env=env, cwd=tmp)
    assert t.returncode == 0, t.stderr
    trials = json.loads(t.stdout)
    rows = trials if isinstance(trials, list) else trials.get("trials", [])
    states = [row.get("state") for row in rows]
    assert len(states) == 4 and all(s in ("completed", "stopped_early") for s in states), states
    assert "completed" in states


def test_compare_baseline_vs_vpt_of_the_torch_engine(setup):
    tmp, data, base, env = setup
    spec = shrink(yaml.safe_load((REPO / "sweeps" / "torch-compare.yaml").read_text()), data, base)
    spec["seeds"] = 2
    spec["budget"] = {"updates": 4}
    (tmp / "torch-compare.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    r = vsweep("compare", "torch-compare.yaml", "--db", "s.sqlite", "--runs", "runs", "--quiet", "--format", "json",
               env=env, cwd=tmp)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "baseline" in r.stdout and "vpt" in r.stdout
