"""The vision engine: deviation bound 0 reproduces the baseline bit for bit; protocol output
validates; SIGTERM checkpoints and finishes; --resume continues bit-identically (CPU)."""
import json
import signal
import subprocess
import sys
import time

import pytest
import torch
from conftest import tiny_config
from helpers import engine_env, events, validate_protocol

from vsweep_torch import protocol as vp
from vsweep_torch.vision.train import DEFAULTS
from vsweep_torch.vision.trainer import ARMS, VisionTrainer, load_data, read_base


def _trainer(base, **overrides):
    config = vp.check_config(tiny_config(base, **overrides), DEFAULTS)
    return VisionTrainer(config, read_base(str(base)))


def _learner_state(t):
    return {**{"s." + k: v for k, v in t.student.state_dict().items()},
            **{"t." + k: v for k, v in t.teacher.state_dict().items()}, "center": t.center}




def test_deviation_zero_gives_exactly_the_baseline_trajectory(tiny_base):
    """With designer.deviation_max = 0 every arm (vpt, random_feedback, random_views) leaves
    student, teacher and centre bitwise equal to baseline's after 3 updates (their designers
    and dense heads still ran every update; with ε = 0, ∂V/∂φ is exactly 0), and with 0.3
    vpt differs (the test can fail)."""
    shared = load_data(vp.check_config(tiny_config(tiny_base), DEFAULTS)["data"])
    runs = {}
    for arm in ARMS:
        config = vp.check_config(tiny_config(tiny_base, arm=arm, **{"designer.deviation_max": 0.0}), DEFAULTS)
        t = VisionTrainer(config, read_base(str(tiny_base)), shared)
        for _ in range(3):
            t.step()
        if t.designer is not None:      # the designer arms did compute V and g_down at every update
            assert t.accum["nv"] == 3 and t.g_down is not None, arm
        runs[arm] = _learner_state(t)
    for arm in ARMS[1:]:
        for key, value in runs["baseline"].items():
            assert torch.equal(runs[arm][key], value), f"{arm}: {key} differs from baseline"
    config = vp.check_config(tiny_config(tiny_base, arm="vpt", **{"designer.deviation_max": 0.3}), DEFAULTS)
    t = VisionTrainer(config, read_base(str(tiny_base)), shared)
    for _ in range(3):
        t.step()
    moved = _learner_state(t)
    assert any(not torch.equal(moved[k], v) for k, v in runs["baseline"].items())


def _write(tmp_path, config, name="trial.json"):
    path = tmp_path / name
    path.write_text(json.dumps(config))
    return path


def _run(args, **kw):
    return subprocess.run([sys.executable, "-m", "vsweep_torch.vision.train", *args], capture_output=True,
                          text=True, env=engine_env(), timeout=240, **kw)


def test_protocol_output_validates_and_reports_the_metrics(tiny_base, tmp_path):
    """A vpt trial (local crops on) speaks the protocol: validate-protocol passes; started,
    reports at 2 and 4, checkpoints, finished(budget); validation metrics in every report,
    test metrics only in the final one; alignment_value and timings present."""
    config = tiny_config(tiny_base, **{"checkpoint.dir": str(tmp_path / "ck"), "trial": "t-1",
                                       "learner.local_crops": 1, "learner.local_size": 8})
    r = _run(["--config", str(_write(tmp_path, config))])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out.jsonl"
    out.write_text(r.stdout)
    validate_protocol(out)
    ev = events(r.stdout)
    kinds = [e["event"] for e in ev]
    assert kinds[0] == "started" and kinds[-1] == "finished" and ev[-1]["reason"] == "budget"
    assert ev[0]["trial"] == "t-1" and ev[0]["config"]["arm"] == "vpt"
    reports = [e for e in ev if e["event"] == "report"]
    assert [e["updates"] for e in reports] == [2, 4]
    for e in reports:
        assert {"train_loss", "val_miou", "val_depth_rmse", "val_linear_acc", "alignment_value"} <= set(e["metrics"])
        assert set(e["timings"]) == {"feedback", "tangent", "designer"}
    assert not any(k.startswith("test_") for k in reports[0]["metrics"])
    assert {"test_miou", "test_depth_rmse", "test_linear_acc"} <= set(reports[-1]["metrics"])
    assert ev[-1]["metrics"] == reports[-1]["metrics"] and ev[-1]["updates"] == 4
    assert any(e["event"] == "checkpoint" and e["updates"] == 4 for e in ev)
    assert "alignment computed by jvp" in r.stderr


@pytest.mark.parametrize("override,field", [("arm=bogus", "arm"), ("designer.deviation_max=1.5", "designer.deviation_max"),
                                            ("designer.devation_max=0.1", "designer.devation_max")])
def test_config_errors_exit_2_with_a_field(tiny_base, tmp_path, override, field):
    r = _run(["--config", str(_write(tmp_path, tiny_config(tiny_base))), "--set", override])
    assert r.returncode == 2, r.stdout + r.stderr
    out = tmp_path / "err.jsonl"
    out.write_text(r.stdout)
    validate_protocol(out)
    (e,) = events(r.stdout)
    assert e["event"] == "error" and e["field"] == field


def _final_state(directory):
    return torch.load(directory / "last.ckpt", map_location="cpu", weights_only=False)


def _assert_same_state(a, b):
    for part in ("student", "teacher", "designer", "heads"):
        for key, value in a[part].items():
            assert torch.equal(b[part][key], value), f"{part}.{key}"
    assert torch.equal(a["center"], b["center"])
    assert a["updates"] == b["updates"]


def test_sigterm_checkpoints_and_resume_is_bit_identical(tiny_base, tmp_path):
    """SIGTERM after the first report: the engine finishes the update, emits checkpoint then
    finished(terminated), exits 0; --resume from that checkpoint reaches the budget with
    student, teacher, centre, designer and dense heads bitwise equal to an uninterrupted run."""
    updates = 10
    straight = tiny_config(tiny_base, **{"budget.updates": updates, "checkpoint.dir": str(tmp_path / "a")})
    r = _run(["--config", str(_write(tmp_path, straight, "a.json"))])
    assert r.returncode == 0, r.stderr

    cut = tiny_config(tiny_base, **{"budget.updates": updates, "checkpoint.dir": str(tmp_path / "b")})
    path = _write(tmp_path, cut, "b.json")
    proc = subprocess.Popen([sys.executable, "-m", "vsweep_torch.vision.train", "--config", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=engine_env())
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if json.loads(line)["event"] == "report":
            proc.send_signal(signal.SIGTERM)
            break
    rest, err = proc.communicate(timeout=240)
    lines += rest.splitlines(keepends=True)
    assert proc.returncode == 0, err
    out = tmp_path / "b.jsonl"
    out.write_text("".join(lines))
    validate_protocol(out)
    ev = events("".join(lines))
    assert [e["event"] for e in ev[-2:]] == ["checkpoint", "finished"]
    assert ev[-1]["reason"] == "terminated" and ev[-1]["updates"] < updates
    assert ev[-2]["updates"] == ev[-1]["updates"]

    r = _run(["--config", str(path), "--resume", ev[-2]["path"]])
    assert r.returncode == 0, r.stderr
    out = tmp_path / "b2.jsonl"
    out.write_text(r.stdout)
    validate_protocol(out)
    resumed = events(r.stdout)
    assert resumed[-1]["reason"] == "budget" and resumed[-1]["updates"] == updates
    _assert_same_state(_final_state(tmp_path / "a"), _final_state(tmp_path / "b"))
