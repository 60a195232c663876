#!/usr/bin/env python3
"""The powered study's tables (docs/results.md) recomputed from the shipped raw exports
(storage/results/powered/powered-{A,B}.jsonl, written by `vsweep export`), independently of
vsweep's own statistics: per arm the final metric's mean ± sd, the paired difference to the
reference by seed, its 95% t interval, the exact two-sided sign-flip p (all 2^n sign
patterns) and Holm's adjustment across the arms compared with the reference.

    python3 scripts/reference/powered_tables.py storage/results/powered/powered-A.jsonl [metric ...]

Needs numpy and scipy. Its numbers must equal the `vsweep compare` tables of the same runs
(powered-A.md, powered-B.md) to the digits printed there.
"""
import itertools
import json
import sys

import numpy as np
from scipy import stats


def finals(path, metric):
    """(arm, seed) → the metric's value in the trial's final report, completed trials only."""
    out = {}
    for line in open(path):
        r = json.loads(line)
        if r["final"] and r["state"] == "completed" and r["metric"] == metric:
            out[(r["arm"], r["seed"])] = r["value"]
    return out


def sign_flip_p(d):
    d = np.asarray(d, dtype=float)
    observed = abs(d.sum())
    count = 0
    for signs in itertools.product((1.0, -1.0), repeat=len(d)):
        if abs((d * np.asarray(signs)).sum()) >= observed - 1e-12:
            count += 1
    return count / 2 ** len(d)


def holm(ps):
    order = sorted(range(len(ps)), key=lambda i: ps[i])
    adjusted, running = [0.0] * len(ps), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[i]))
        adjusted[i] = running
    return adjusted


def table(path, metric, reference="baseline"):
    values = finals(path, metric)
    arms = list(dict.fromkeys(a for a, _ in values))
    seeds = sorted({s for _, s in values})
    print(f"{path}: {metric}, reference {reference}, seeds {seeds[0]}–{seeds[-1]}")
    rows, ps = [], []
    for arm in arms:
        x = np.array([values[(arm, s)] for s in seeds if (arm, s) in values])
        line = f"  {arm:16s} n={len(x):2d} mean {x.mean():.4g} ± {x.std(ddof=1):.2g}"
        if arm != reference:
            d = np.array([values[(arm, s)] - values[(reference, s)] for s in seeds
                          if (arm, s) in values and (reference, s) in values])
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            p = sign_flip_p(d)
            ps.append(p)
            rows.append((line, d.mean(), d.mean() - half, d.mean() + half, p))
        else:
            print(line)
    for (line, delta, lo, hi, p), p_holm in zip(rows, holm(ps)):
        print(f"{line}  Δ {delta:+.4g} [{lo:+.4g}, {hi:+.4g}]  p sign-flip {p:.3g}  p Holm {p_holm:.3g}")


if __name__ == "__main__":
    for m in sys.argv[2:] or ["test_pass1"]:
        table(sys.argv[1], m)
