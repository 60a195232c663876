"""The PyTorch engine end to end on tiny models: protocol output, the arms with mass_max = 0,
SIGTERM and resume, data parallel over 2 gloo processes, a Hugging Face Qwen2 with its tokenizer."""
import io
import json
import signal
import subprocess
import sys

import pytest
import torch

from helpers import engine_env, events, make_dataset, make_gpt_base, make_tiny_qwen, validate_protocol, write_config
from vsweep_torch import protocol as vp
from vsweep_torch import train


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("engine")
    return {"data": str(make_dataset(d / "ds")), "base": str(make_gpt_base(d / "base.ckpt", context=32)), "dir": d}


def trial_config(files, tmp, **over):
    c = {"trial": "t", "base": files["base"], "data": files["data"], "arm": "vpt", "seed": 3,
         "budget": {"updates": 12}, "report": {"every": 4, "val_examples": 2},
         "learner": {"batch": 4, "seq": 16, "lr": 3e-3, "warmup": 2},
         "eval": {"max_new_tokens": 8, "heldout_windows": 4, "feedback_examples": 4, "batch": 8,
                  "final_val_examples": 4, "test_examples": 4},
         "designer": {"mass_max": 0.3, "top_k": 4, "hidden": 8, "lr": 3e-3},
         "feedback": {"batch": 4, "every": 2}, "checkpoint": {"dir": str(tmp / "ck")}}
    for k, v in over.items():
        if isinstance(v, dict) and k != "budget":
            c.setdefault(k, {}).update(v)
        else:
            c[k] = v
    return c


def assert_params_close(a, b):
    """Equal to float32 round-off, except the key-bias slice of attn.qkv.b: its gradient is zero
    analytically (softmax ignores a constant added to every score), so Adam turns round-off into
    steps of up to lr there (scripts/reference/README.md); compared with that bound."""
    for n in a:
        x, y = a[n], b[n]
        if n.endswith("attn.qkv.b"):
            C = x.shape[0] // 3
            assert torch.allclose(x[C:2 * C], y[C:2 * C], atol=0.05), n
            x, y = torch.cat([x[:C], x[2 * C:]]), torch.cat([y[:C], y[2 * C:]])
        assert torch.allclose(x, y, rtol=1e-4, atol=1e-6), n


def run_engine(config_path, *extra, timeout=300):
    return subprocess.run([sys.executable, "-m", "vsweep_torch.train", "--config", str(config_path), *extra],
                          capture_output=True, text=True, env=engine_env(), timeout=timeout)


def in_process(config):
    c = train.validate(vp.check_config(config, train.DEFAULTS))
    buf = io.StringIO()
    t = train.Trial(c, vp.Reporter(train.ENGINE, stream=buf))
    t.run(vp.Termination())
    return t, events(buf.getvalue())


@pytest.mark.parametrize("arm", ["vpt", "random_feedback", "self_distill"])
def test_protocol_output_is_valid(files, tmp_path, arm):
    cfg = write_config(tmp_path / "c.yaml", **trial_config(files, tmp_path, arm=arm, align={"params": "last_block"}))
    r = run_engine(cfg)
    assert r.returncode == 0, r.stderr
    (tmp_path / "out.jsonl").write_text(r.stdout)
    validate_protocol(tmp_path / "out.jsonl")
    ev = events(r.stdout)
    assert ev[0]["event"] == "started" and ev[0]["engine"].startswith("vsweep-torch")
    final = ev[-1]
    assert final["event"] == "finished" and final["reason"] == "budget" and final["updates"] == 12
    assert {"heldout_loss", "feedback_loss", "val_pass1", "val_loss", "test_pass1"} <= set(final["metrics"])
    reports = [e for e in ev if e["event"] == "report"]
    assert all("test_pass1" not in e["metrics"] for e in reports[:-1]), "test only in the final report"
    if arm != "self_distill":
        assert "alignment_value" in reports[0]["metrics"] and set(reports[0]["timings"]) == {"feedback", "tangent", "designer"}


def test_config_errors_exit_2_naming_the_field(files, tmp_path):
    cfg = write_config(tmp_path / "c.yaml", **trial_config(files, tmp_path, designer={"mass_mx": 0.2}))
    r = run_engine(cfg)
    ev = events(r.stdout)
    assert r.returncode == 2 and ev == [{"event": "error", "field": "designer.mass_mx", "message": ev[0]["message"]}]
    assert "designer.mass_max" in ev[0]["message"]
    r = run_engine(cfg, "--set", "designer.mass_mx=null", "--set", "designer.mass_max=2")
    assert r.returncode == 2 and events(r.stdout)[0]["field"] == "designer.mass_mx"
    cfg = write_config(tmp_path / "d.yaml", **trial_config(files, tmp_path, designer={"mass_max": 2.0}))
    r = run_engine(cfg)
    assert r.returncode == 2 and events(r.stdout)[0]["field"] == "designer.mass_max"
    (tmp_path / "out.jsonl").write_text(r.stdout)
    validate_protocol(tmp_path / "out.jsonl")


def test_mass_max_zero_trains_exactly_like_baseline(files, tmp_path):
    base = dict(budget={"updates": 5}, report={"every": 100, "val_examples": 0},
                eval={"heldout_windows": 0, "feedback_examples": 0, "final_val_examples": 0, "test_examples": 0},
                checkpoint={"dir": None}, designer={"mass_max": 0.0})
    ref, _ = in_process(trial_config(files, tmp_path, arm="baseline", **base))
    ref_params = {n: p.detach().clone() for n, p in ref.learner.named_params().items()}
    for arm in ("vpt", "uniform_topk", "self_distill", "random_feedback"):
        t, _ = in_process(trial_config(files, tmp_path, arm=arm, **base))
        for n, p in t.learner.named_params().items():
            assert torch.equal(p, ref_params[n]), (arm, n)
        assert t.loss_sum == ref.loss_sum, arm


def test_sigterm_then_resume_is_bit_identical(files, tmp_path):
    over = dict(budget={"updates": 120}, report={"every": 5, "val_examples": 0},
                eval={"heldout_windows": 2, "feedback_examples": 2, "final_val_examples": 2, "test_examples": 2},
                checkpoint={"dir": str(tmp_path / "a"), "every": 1000})
    cfg_a = write_config(tmp_path / "a.yaml", **trial_config(files, tmp_path, **over))
    full = run_engine(cfg_a)
    assert full.returncode == 0, full.stderr
    over["checkpoint"] = {"dir": str(tmp_path / "b"), "every": 1000}
    cfg_b = write_config(tmp_path / "b.yaml", **trial_config(files, tmp_path, **over))
    p = subprocess.Popen([sys.executable, "-m", "vsweep_torch.train", "--config", str(cfg_b)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=engine_env())
    first = p.stdout.readline()
    while json.loads(first)["event"] != "report":
        first = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    rest, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    ev = events(rest)
    assert ev[-1]["event"] == "finished" and ev[-1]["reason"] == "terminated", ev[-1]
    assert ev[-2]["event"] == "checkpoint"
    stopped_at = ev[-1]["updates"]
    assert 5 <= stopped_at < 120
    resumed = run_engine(cfg_b, "--resume", ev[-2]["path"])
    assert resumed.returncode == 0, resumed.stderr
    (tmp_path / "resumed.jsonl").write_text(resumed.stdout)
    validate_protocol(tmp_path / "resumed.jsonl")
    a, b = events(full.stdout)[-1], events(resumed.stdout)[-1]
    assert a["updates"] == b["updates"] == 120
    for k in ("heldout_loss", "feedback_loss", "val_loss", "test_pass1", "alignment_value", "train_loss"):
        assert a["metrics"][k] == b["metrics"][k], k
    sa = torch.load(tmp_path / "a" / "t.pt", weights_only=False)
    sb = torch.load(tmp_path / "b" / "t.pt", weights_only=False)
    for n in sa["model"]:
        assert torch.equal(sa["model"][n], sb["model"][n]), n
    for n in sa["designer"]:
        assert torch.equal(sa["designer"][n], sb["designer"][n]), n


def test_two_process_gloo_data_parallel_matches_one_process(files, tmp_path):
    over = dict(arm="vpt", budget={"updates": 4}, report={"every": 2, "val_examples": 2},
                eval={"heldout_windows": 2, "feedback_examples": 2, "final_val_examples": 2, "test_examples": 2},
                learner={"batch": 4, "seq": 16, "lr": 3e-3, "warmup": 1, "accumulate": 1})
    one = write_config(tmp_path / "one.yaml", **trial_config(files, tmp_path, checkpoint={"dir": str(tmp_path / "one")}, **over))
    two = write_config(tmp_path / "two.yaml", **trial_config(files, tmp_path, checkpoint={"dir": str(tmp_path / "two")},
                                                            distributed={"processes": 2, "backend": "gloo"}, **over))
    r1, r2 = run_engine(one), run_engine(two)
    assert r1.returncode == 0 and r2.returncode == 0, r2.stderr
    (tmp_path / "two.jsonl").write_text(r2.stdout)
    validate_protocol(tmp_path / "two.jsonl")
    e2 = events(r2.stdout)
    assert [e["event"] for e in e2].count("started") == 1, "rank 0 alone writes the protocol"
    s1 = torch.load(tmp_path / "one" / "t.pt", weights_only=False)
    s2 = torch.load(tmp_path / "two" / "t.pt", weights_only=False)
    assert_params_close(s1["model"], s2["model"])
    m1, m2 = events(r1.stdout)[-1]["metrics"], e2[-1]["metrics"]
    assert abs(m1["heldout_loss"] - m2["heldout_loss"]) <= 1e-5 * m1["heldout_loss"]


def test_gradient_accumulation_matches_one_batch(files, tmp_path):
    over = dict(arm="vpt", budget={"updates": 3}, report={"every": 100, "val_examples": 0},
                eval={"heldout_windows": 0, "feedback_examples": 0, "final_val_examples": 0, "test_examples": 0},
                checkpoint={"dir": None})
    a, _ = in_process(trial_config(files, tmp_path, **over))
    over["learner"] = {"batch": 4, "seq": 16, "lr": 3e-3, "warmup": 2, "accumulate": 2}
    b, _ = in_process(trial_config(files, tmp_path, **over))
    assert_params_close({n: p.detach() for n, p in a.learner.named_params().items()},
                        {n: p.detach() for n, p in b.learner.named_params().items()})


def test_hugging_face_qwen2_trial_with_its_tokenizer(files, tmp_path):
    qwen = make_tiny_qwen(tmp_path / "qwen", seed=2)
    cfg = write_config(tmp_path / "c.yaml", **trial_config(files, tmp_path, base=str(qwen), arm="vpt",
                                                           budget={"updates": 4}, report={"every": 2, "val_examples": 2},
                                                           model={"attention": "sdpa", "gradient_checkpointing": True}))
    r = run_engine(cfg)
    assert r.returncode == 0, r.stderr
    (tmp_path / "out.jsonl").write_text(r.stdout)
    validate_protocol(tmp_path / "out.jsonl")
    assert "tangent: forward-mode" in r.stderr


def test_seconds_budget_excludes_evaluation(files, tmp_path):
    c = trial_config(files, tmp_path, arm="baseline", budget={"seconds": 1.0}, report={"every": 1, "val_examples": 2},
                     checkpoint={"dir": None})
    t, ev = in_process(c)
    fin = ev[-1]
    assert fin["reason"] == "budget" and fin["metrics"]["train_seconds"] >= 1.0
    reports = [e for e in ev if e["event"] == "report"]
    assert all(r["train_seconds"] < 1.0 + 1.0 for r in reports)
    assert fin["metrics"]["eval_seconds"] > 0 and reports[-1]["eval_seconds"] == fin["metrics"]["eval_seconds"]


def test_sigterm_stops_every_data_parallel_rank(files, tmp_path):
    """SIGTERM to the launcher (forwarded) or to the process group stops both gloo ranks after the
    same update: one checkpoint, `finished: terminated`, exit 0, and a resume completes the budget."""
    over = dict(budget={"updates": 400}, report={"every": 3, "val_examples": 0},
                eval={"heldout_windows": 2, "feedback_examples": 2, "final_val_examples": 2, "test_examples": 2},
                distributed={"processes": 2, "backend": "gloo"}, checkpoint={"dir": str(tmp_path / "ck"), "every": 1000})
    cfg = write_config(tmp_path / "c.yaml", **trial_config(files, tmp_path, **over))
    p = subprocess.Popen([sys.executable, "-m", "vsweep_torch.train", "--config", str(cfg)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=engine_env())
    line = p.stdout.readline()
    while json.loads(line)["event"] != "report":
        line = p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    rest, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    ev = events(rest)
    assert [e["event"] for e in ev][-2:] == ["checkpoint", "finished"] and ev[-1]["reason"] == "terminated"
    assert [e["event"] for e in ev].count("checkpoint") == 1
    r = run_engine(cfg, "--set", "budget.updates=%d" % (ev[-1]["updates"] + 2), "--resume", ev[-2]["path"])
    assert r.returncode == 0, r.stderr
    assert events(r.stdout)[-1]["updates"] == ev[-1]["updates"] + 2
