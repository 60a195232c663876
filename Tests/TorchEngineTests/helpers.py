"""Helpers shared by the engine tests: running the engine, validating protocol output."""
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "Sources" / "TorchEngine"


def engine_env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PACKAGE) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"})
    env.update(extra)
    return env


def events(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def validate_protocol(path):
    """Runs scripts/validate-protocol on a file of engine stdout; asserts it passes."""
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "validate-protocol"), str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout
