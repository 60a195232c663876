#!/usr/bin/env python3
"""Writes Tests/LearnerTests/Fixtures/gpt_reference.json from the float64 reference.

Usage:
    python3 scripts/reference/make_fixtures.py [--out PATH]

Deterministic: the same numpy version writes the same file byte for byte.
Format: see scripts/reference/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_reference import (  # noqa: E402
    AdamWHyper, Config, forward, init_params, loss_and_grads, lr_at, onehot_targets,
    param_layout, train_steps,
)

FIXTURE_CONFIG = Config(vocab=256, d_model=16, n_layer=2, n_head=2, context=8)
BATCH, SEQ = 2, 8
PARAM_SEED = 20261129
CASE_SEED = 7

# Clip is below the soft case's gradient norm at both steps (asserted when writing),
# and warmup 4 makes the two steps' learning rates differ (lr/4, then lr/2).
ADAMW_HYPER = AdamWHyper(lr=1e-2, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1,
                         clip=0.25, warmup=4, total=20, lr_min=1e-3)
ADAMW_STEPS = 2
ADAMW_CASE = "soft"

# Standalone schedule points; middle = (W + S) / 2 gives progress exactly 0.5.
SCHEDULE = dict(lr=3e-4, warmup=10, total=100, lr_min=2e-5)
SCHEDULE_STEPS = [0, 1, 9, 10, 11, 55, 99, 100, 105]

Q_DENOM = 2 ** 24  # soft targets are multiples of 2^-24: exact in float32, rows sum to exactly 1


def quantize_rows(q):
    """Round each row to multiples of 2^-24 summing to exactly 1 (remainder on the row's max)."""
    qi = np.floor(q * Q_DENOM).astype(np.int64)
    rows = qi.reshape(-1, qi.shape[-1])
    deficit = Q_DENOM - rows.sum(axis=-1)
    rows[np.arange(rows.shape[0]), rows.argmax(axis=-1)] += deficit
    out = qi.astype(np.float64) / Q_DENOM
    assert np.all(out.reshape(-1, out.shape[-1]).sum(axis=-1) == 1.0)
    assert np.all(out.astype(np.float32).astype(np.float64) == out)
    return out


def build_cases(cfg: Config):
    """The two fixture cases as dicts: name, tokens (B,T), q (B,T,V), mask (B,T) and the JSON targets."""
    rng = np.random.default_rng(CASE_SEED)
    V = cfg.vocab

    # Case onehot_masked: next-token targets of one byte stream per row.
    seq = rng.integers(0, V, size=(BATCH, SEQ + 1))
    seq[0, 5] = seq[0, 1]  # a token repeated within a row: wte gradient must accumulate
    seq[1, 3] = seq[0, 2]  # and across rows
    seq[0, 0], seq[1, 6] = 0, V - 1  # both ends of the vocabulary
    tokens1 = seq[:, :SEQ].copy()
    targets1 = seq[:, 1:].copy()
    for b, t in [(0, 0), (1, 4), (1, 7)]:
        targets1[b, t] = -1
    q1, mask1 = onehot_targets(targets1, V)

    # Case soft: every kind of target row.
    tokens2 = rng.integers(0, V, size=(BATCH, SEQ))
    tokens2[1, 2] = tokens2[1, 6] = tokens2[0, 3]
    true_next = rng.integers(0, V, size=(BATCH, SEQ))
    kinds = [["masked", "onehot", "topk", "dense", "topk", "onehot", "dense", "topk"],
             ["topk", "masked", "dense", "onehot", "topk", "dense", "masked", "onehot"]]
    q2 = np.zeros((BATCH, SEQ, V))
    mask2 = np.ones((BATCH, SEQ), dtype=np.int64)
    topk_mass = iter([0.1, 0.25, 0.5, 0.05, 0.2])
    for b in range(BATCH):
        for t in range(SEQ):
            kind, y = kinds[b][t], true_next[b, t]
            if kind == "onehot":
                q2[b, t, y] = 1.0
            elif kind == "topk":
                # 1 - m on the true token, m over 4 other tokens; one row splits m unevenly.
                m = next(topk_mass)
                others = rng.choice(np.delete(np.arange(V), y), size=4, replace=False)
                split = np.full(4, 0.25) if m != 0.25 else np.array([0.4, 0.3, 0.2, 0.1])
                q2[b, t, y] = 1.0 - m
                q2[b, t, others] = m * split
            else:
                # Dense rows (masked rows too: a masked row still holds a valid distribution,
                # so an engine that ignores the mask gets a different loss).
                z = 2.0 * rng.standard_normal(V)
                q2[b, t] = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                if kind == "masked":
                    mask2[b, t] = 0
    q2 = quantize_rows(q2)

    return [
        {"name": "onehot_masked", "tokens": tokens1, "q": q1, "mask": mask1,
         "targets": {"kind": "tokens", "tokens": targets1.reshape(-1).tolist()}},
        {"name": "soft", "tokens": tokens2, "q": q2, "mask": mask2,
         "targets": {"kind": "dense", "q": q2.reshape(-1).tolist(), "mask": mask2.reshape(-1).tolist()}},
    ]


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]


def build_fixture():
    cfg = FIXTURE_CONFIG
    layout = param_layout(cfg)
    params = init_params(cfg, PARAM_SEED)
    fixture = {
        "spec": "docs/model-spec (see scripts/reference/README.md)",
        "config": {"vocab": cfg.vocab, "d_model": cfg.d_model, "n_layer": cfg.n_layer,
                   "n_head": cfg.n_head, "context": cfg.context, "batch": BATCH, "seq": SEQ},
        "params": {name: {"shape": list(shape), "data": flat(params[name])} for name, shape in layout},
        "cases": [],
    }
    cases = build_cases(cfg)
    for case in cases:
        loss, logits, grads = loss_and_grads(params, case["tokens"], case["q"], case["mask"], cfg)
        fixture["cases"].append({
            "name": case["name"],
            "tokens": case["tokens"].reshape(-1).tolist(),
            "targets": case["targets"],
            "loss": float(loss),
            "logits": flat(logits),
            "grads": {name: flat(grads[name]) for name, _ in layout},
        })

    hp = ADAMW_HYPER
    soft = next(c for c in cases if c["name"] == ADAMW_CASE)
    after, norms, lrs, _ = train_steps(params, soft["tokens"], soft["q"], soft["mask"], cfg, hp, ADAMW_STEPS)
    if not all(n > hp.clip for n in norms):
        raise SystemExit(f"clip {hp.clip} is not active at every step: norms {norms}")
    if lrs[0] == lrs[1]:
        raise SystemExit(f"the two AdamW steps use the same lr {lrs[0]}")
    fixture["adamw"] = {
        "hyper": {"lr": hp.lr, "beta1": hp.beta1, "beta2": hp.beta2, "eps": hp.eps,
                  "weight_decay": hp.weight_decay, "clip": hp.clip, "warmup": hp.warmup,
                  "total": hp.total, "lr_min": hp.lr_min},
        "case": ADAMW_CASE,
        "steps": ADAMW_STEPS,
        "params_after": {name: flat(after[name]) for name, _ in layout},
        "grad_norm_before_clip": [float(n) for n in norms],
    }
    fixture["schedule"] = dict(SCHEDULE, points=[
        [s, lr_at(s, SCHEDULE["lr"], SCHEDULE["warmup"], SCHEDULE["total"], SCHEDULE["lr_min"])]
        for s in SCHEDULE_STEPS])
    summary = {"losses": {c["name"]: c["loss"] for c in fixture["cases"]},
               "grad_norms": norms, "adamw_lrs": lrs}
    return fixture, summary


def to_json(obj, indent=0):
    """JSON with nested objects indented and every list on one line (keeps the file small).

    Floats go through json.dumps, i.e. repr(float), which round-trips exactly.
    """
    pad = "  " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad}  {json.dumps(k)}: {to_json(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(x, dict) for x in obj):
        items = [f"{pad}  {to_json(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, separators=(",", ":"), allow_nan=False)


def main(argv=None) -> int:
    root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(root, "Tests", "LearnerTests", "Fixtures", "gpt_reference.json"))
    args = ap.parse_args(argv)
    fixture, summary = build_fixture()
    text = to_json(fixture) + "\n"
    if json.loads(text) != fixture:
        raise SystemExit("the written JSON does not read back to the same values")
    with open(args.out, "w") as f:
        f.write(text)
    print(f"wrote {args.out} ({len(text)} bytes)")
    for name, loss in summary["losses"].items():
        print(f"  case {name}: loss {loss!r}")
    print(f"  adamw: grad norm before clip {summary['grad_norms']}, clip {ADAMW_HYPER.clip}, lr per step {summary['adamw_lrs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
