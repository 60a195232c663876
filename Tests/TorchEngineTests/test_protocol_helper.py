"""vsweep_torch.protocol: events, config loading, budget, termination, error exits."""
import io
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from helpers import engine_env, events, validate_protocol
from vsweep_torch import protocol as vp

DEFAULTS = {"trial": None, "seed": 1, "lr": 1e-3, "name": "x",
            "budget": {"updates": 10, "seconds": None}, "checkpoint": {"dir": "runs/x"},
            "extra": vp.MAPPING}


def test_events_are_flushed_json_lines_with_nonfinite_strings(tmp_path):
    buf = io.StringIO()
    r = vp.Reporter("test-engine 1", stream=buf)
    r.started({"a": 1, "b": {"c": float("inf")}}, trial="t1")
    r.report(3, 300, {"loss": float("nan"), "up": float("inf"), "down": float("-inf"), "n": 2, "x": 0.5},
             train_seconds=1.5, eval_seconds=0.25, timings={"tangent": 0.1})
    r.checkpoint(tmp_path / "c.pt", 3)
    r.finished("terminated", {"loss": 1.0}, updates=3)
    lines = buf.getvalue().splitlines()
    ev = [json.loads(l) for l in lines]
    assert [e["event"] for e in ev] == ["started", "report", "checkpoint", "finished"]
    assert ev[1]["metrics"] == {"loss": "NaN", "up": "Infinity", "down": "-Infinity", "n": 2, "x": 0.5}
    assert ev[0]["config"]["b"]["c"] == "Infinity" and ev[0]["trial"] == "t1"
    out = tmp_path / "out.jsonl"
    out.write_text(buf.getvalue())
    validate_protocol(out)
    silent = io.StringIO()
    vp.Reporter("x", stream=silent, enabled=False).started({})
    assert silent.getvalue() == ""
    with pytest.raises(ValueError):
        r.finished("done", {})


def test_config_overrides_and_unknown_fields(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("lr: 2\nbudget:\n  updates: 5\nextra: {k: v}\n")
    c = vp.load_config(["--config", str(cfg), "--set", "budget.seconds=3.5", "--set", "name=y"], DEFAULTS)
    assert c["lr"] == 2.0 and isinstance(c["lr"], float)
    assert c["budget"] == {"updates": 5, "seconds": 3.5}
    assert c["name"] == "y" and c["extra"] == {"k": "v"} and c["seed"] == 1
    cfg.write_text("budget:\n  update: 5\n")
    with pytest.raises(vp.ConfigError) as e:
        vp.load_config(["--config", str(cfg)], DEFAULTS)
    assert e.value.field == "budget.update" and "budget.updates" in e.value.message
    with pytest.raises(vp.ConfigError) as e:
        vp.load_config(["--config", str(cfg.with_suffix(".json"))], DEFAULTS)
    jcfg = tmp_path / "c.json"
    jcfg.write_text(json.dumps({"seed": "one"}))
    with pytest.raises(vp.ConfigError) as e:
        vp.load_config(["--config", str(jcfg)], DEFAULTS)
    assert e.value.field == "seed"


def test_budget_excludes_evaluation_time():
    now = [0.0]
    b = vp.Budget(seconds=10, clock=lambda: now[0])
    with b.training():
        now[0] += 4
    with b.evaluating():
        now[0] += 100
    assert b.train_seconds == 4 and b.eval_seconds == 100 and not b.exhausted(1)
    with b.training():
        now[0] += 6
    assert b.exhausted(2)
    assert vp.Budget(updates=3).exhausted(3) and not vp.Budget(updates=3).exhausted(2)


SCRIPT = textwrap.dedent('''
    import sys, time, torch
    from vsweep_torch import protocol as vp
    DEFAULTS = {"trial": None, "budget": {"updates": 1000000, "seconds": None}, "checkpoint": {"dir": "x"}}
    def main():
        config = vp.load_config(sys.argv[1:], DEFAULTS)
        out = vp.Reporter("toy 1")
        out.started(config, trial=config["trial"])
        budget = vp.Budget(**config["budget"])
        stop = vp.Termination.install()
        n = 0
        while not budget.exhausted(n) and not stop.requested:
            with budget.training():
                time.sleep(0.01)
            n += 1
            if n == 5:
                print("ready", file=sys.stderr, flush=True)
            if n % 10 == 0:
                out.report(n, n * 4, {"loss": 1.0 / n}, budget=budget)
        path = vp.checkpoint_dir(config) / "last.pt"
        vp.atomic_save(lambda f: torch.save({"n": n}, f), path)
        out.checkpoint(path, n)
        out.finished("terminated" if stop.requested else "budget", {"loss": 1.0 / n}, updates=n)
    vp.run(main, vp.Reporter("toy 1"))
''')


def test_sigterm_gives_checkpoint_and_finished_terminated(tmp_path):
    script = tmp_path / "toy.py"
    script.write_text(SCRIPT)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"trial: t\ncheckpoint: {{dir: {tmp_path / 'ck'}}}\n")
    p = subprocess.Popen([sys.executable, str(script), "--config", str(cfg)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=engine_env())
    assert p.stderr.readline().strip() == "ready"
    p.send_signal(signal.SIGTERM)
    out, _ = p.communicate(timeout=30)
    assert p.returncode == 0
    ev = events(out)
    assert ev[-2]["event"] == "checkpoint" and ev[-1] == {**ev[-1], "event": "finished", "reason": "terminated"}
    assert os.path.exists(ev[-2]["path"])
    f = tmp_path / "out.jsonl"
    f.write_text(out)
    validate_protocol(f)


def test_config_error_exits_2_with_error_event(tmp_path):
    script = tmp_path / "toy.py"
    script.write_text(SCRIPT)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("budget: {updatez: 3}\n")
    r = subprocess.run([sys.executable, str(script), "--config", str(cfg)], capture_output=True, text=True,
                       env=engine_env())
    assert r.returncode == 2
    ev = events(r.stdout)
    assert len(ev) == 1 and ev[0]["event"] == "error" and ev[0]["field"] == "budget.updatez"
    f = tmp_path / "out.jsonl"
    f.write_text(r.stdout)
    validate_protocol(f)


def test_trainer_callback_reports_and_stops():
    pytest.importorskip("transformers")
    from types import SimpleNamespace

    from transformers import TrainerControl, TrainerState
    buf = io.StringIO()
    stop = vp.Termination()
    cb = vp.trainer_callback(vp.Reporter("hf", stream=buf), vp.Budget(updates=100), stop, tokens_per_step=8)
    state, control = TrainerState(), TrainerControl()
    args = SimpleNamespace(output_dir="/tmp/unused-vsweep-cb")  # TrainingArguments needs accelerate
    cb.on_train_begin(args, state, control)
    state.global_step = 2
    cb.on_log(args, state, control, logs={"loss": 1.5, "note": "x"})
    cb.on_step_end(args, state, control)
    assert not control.should_training_stop
    stop.requested = True
    cb.on_step_end(args, state, control)
    assert control.should_training_stop
    cb.on_save(args, state, control)
    ev = events(buf.getvalue())
    assert ev[0]["event"] == "report" and ev[0]["metrics"] == {"loss": 1.5} and ev[0]["tokens"] == 16
    assert ev[1] == {"event": "checkpoint", "path": "/tmp/unused-vsweep-cb/checkpoint-2", "updates": 2}


DEFERRED_CHILD = """
import os, signal, sys, threading
from vsweep_torch import protocol as vp
stop = vp.Termination.install(deferred=True)
seen = []
t = threading.Thread(target=lambda: seen.append(signal.pthread_sigmask(signal.SIG_BLOCK, [])))
t.start(); t.join()
assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, "deferred mode must not install a handler"
assert not stop.requested
os.kill(os.getpid(), signal.SIGTERM)   # blocked: stays pending instead of killing or interrupting
assert signal.SIGTERM in signal.sigpending()
assert stop.requested and stop.requested          # polled once, then remembered
assert signal.SIGTERM not in signal.sigpending()  # consumed by the poll
assert signal.SIGTERM in seen[0], "threads started later inherit the mask"
print("ok")
"""


def test_deferred_termination_blocks_and_polls_the_signal():
    """Distributed ranks must never run a SIGTERM handler: one interrupting a gloo collective on
    one rank left the ranks out of step (CI hang). Deferred mode blocks the signals in every
    thread and turns a pending SIGTERM into `requested` when polled."""
    r = subprocess.run([sys.executable, "-c", DEFERRED_CHILD], capture_output=True, text=True, env=engine_env(),
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
