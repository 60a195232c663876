#!/usr/bin/env python3
"""A minimal external engine for vsweep, in plain Python (no third-party packages).

It speaks the trial protocol of docs/protocol.md: reads the trial config given by
`--config PATH` (JSON, written by the scheduler), "trains" a toy model whose loss
decays at a rate set by `lr`, and writes protocol events as JSON lines on stdout:
started, report (every `report.every` updates), checkpoint, finished. SIGTERM is
honoured (checkpoint, then finished with reason "terminated", exit 0), and
`--resume CHECKPOINT` continues from a checkpoint. A real engine (PyTorch on a
GPU, say) has the same shape: replace `step()` with a training step.

Run by a sweep:  engine: [python3, scripts/examples/toy_engine.py]
"""
import argparse
import json
import math
import os
import signal
import sys
import time

terminate = False


def on_sigterm(signum, frame):
    global terminate
    terminate = True


def emit(event):
    sys.stdout.write(json.dumps(event, sort_keys=True) + "\n")
    sys.stdout.flush()


def fail(message, field=None):
    event = {"event": "error", "message": message}
    if field:
        event["field"] = field
    emit(event)
    sys.exit(2)


def number(config, dotted, default):
    node = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    if not isinstance(node, (int, float)) or isinstance(node, bool):
        fail(f"{dotted} must be a number, got {node!r}", dotted)
    return node


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--resume")
    args = parser.parse_args()
    try:
        with open(args.config) as f:
            config = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read the trial config {args.config}: {e}", "config")
    signal.signal(signal.SIGTERM, on_sigterm)

    lr = number(config, "lr", 0.1)
    if lr <= 0:
        fail(f"lr must be > 0, got {lr}", "lr")
    updates_budget = int(number(config, "budget.updates", 100))
    every = int(number(config, "report.every", 10))
    seed = int(number(config, "seed", 1))
    directory = config.get("checkpoint", {}).get("dir", ".")
    os.makedirs(directory, exist_ok=True)

    # The toy model: loss(t) = floor + (1 - floor) * exp(-rate * t), with the best
    # rate at lr = 0.03 and a per-seed offset, so sweeps and comparisons have something to find.
    floor = 0.1 + 0.01 * (seed % 7)
    rate = 0.05 * math.exp(-(math.log10(lr) - math.log10(0.03)) ** 2)
    state = {"updates": 0, "train_seconds": 0.0}
    if args.resume:
        with open(args.resume) as f:
            state = json.load(f)

    started = {"event": "started", "engine": "toy_engine.py", "config": config}
    if isinstance(config.get("trial"), str):
        started["trial"] = config["trial"]
    emit(started)

    def loss():
        return floor + (1 - floor) * math.exp(-rate * state["updates"])

    def checkpoint():
        path = os.path.join(directory, "toy.ckpt")
        with open(path + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(path + ".tmp", path)
        emit({"event": "checkpoint", "path": path, "updates": state["updates"]})

    def report():
        emit({"event": "report", "updates": state["updates"], "tokens": state["updates"] * 1024,
              "train_seconds": state["train_seconds"], "metrics": {"loss": loss()}})

    while state["updates"] < updates_budget:
        if terminate:
            checkpoint()
            emit({"event": "finished", "reason": "terminated", "updates": state["updates"],
                  "metrics": {"loss": loss()}})
            return
        began = time.monotonic()
        state["updates"] += 1  # one "training step"
        state["train_seconds"] += time.monotonic() - began
        if state["updates"] % every == 0 and state["updates"] < updates_budget:
            report()
    report()
    emit({"event": "finished", "reason": "budget", "updates": state["updates"], "metrics": {"loss": loss()}})


if __name__ == "__main__":
    main()
