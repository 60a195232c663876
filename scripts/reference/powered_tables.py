#!/usr/bin/env python3
"""The powered study's tables (docs/results.md) recomputed from the shipped raw exports
(storage/results/powered/powered-{A,B}.jsonl, written by `vsweep export`), independently of
vsweep's own statistics: per arm the final metric's mean ± sd, the paired difference to the
reference by seed, its 95% t interval, the exact two-sided sign-flip p (all 2^n sign
patterns) and Holm's adjustment across the arms compared with the reference.

    python3 scripts/reference/powered_tables.py storage/results/powered/powered-A.jsonl [metric ...]
    python3 scripts/reference/powered_tables.py --questions storage/results/powered/powered-A-questions.jsonl

The second form is the question-level table: per-question outcomes (shipped, one line per
trial, from each trial's questions.json) paired by seed and question with the reference,
pooled over seeds: discordant counts, the exact two-sided McNemar p (binomial on the
discordant pairs) and each arm's pooled Pass@1 with a 95% Wilson interval.

Needs numpy and scipy. Its numbers must equal the `vsweep compare` tables of the same runs
(powered-A.md, powered-B.md) to the digits printed there.
"""
import itertools
import json
import sys

import os

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_reference import resample_means, stratified_bootstrap  # noqa: E402  (same SplitMix64 procedure)

RESAMPLES, SEED = 10_000, 0  # the comparison specs' bootstrap defaults


def iqm(x):
    return float(stats.trim_mean(np.asarray(x).ravel(), 0.25))


def improvement(x, y):
    """P(X > Y) + ½ P(X = Y) over all pairs of runs (rliable's, one task)."""
    x, y = np.asarray(x).ravel(), np.asarray(y).ravel()
    return float(((x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])).mean())


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
    print(f"{path}: {metric}, reference {reference}, seeds {seeds[0]}–{seeds[-1]}; "
          f"bootstrap intervals: {RESAMPLES} resamples, seed {SEED}, as vsweep compare draws them")
    rows, ps = [], []
    for arm in arms:
        x = np.array([values[(arm, s)] for s in seeds if (arm, s) in values])
        lo, hi = stratified_bootstrap([x.reshape(-1, 1)], iqm, RESAMPLES, SEED)
        line = f"  {arm:16s} n={len(x):2d} mean {x.mean():.4g} ± {x.std(ddof=1):.2g}  IQM {iqm(x):.4g} [{lo:.4g}, {hi:.4g}]"
        if arm != reference:
            d = np.array([values[(arm, s)] - values[(reference, s)] for s in seeds
                          if (arm, s) in values and (reference, s) in values])
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            p = sign_flip_p(d)
            ps.append(p)
            boot = np.quantile(resample_means(list(d), RESAMPLES, SEED), [0.025, 0.975])
            paired = [s for s in seeds if (arm, s) in values and (reference, s) in values]
            xa = np.array([[values[(arm, s)]] for s in paired])
            ya = np.array([[values[(reference, s)]] for s in paired])
            poi_lo, poi_hi = stratified_bootstrap([xa, ya], improvement, RESAMPLES, SEED)
            line += (f"  bootstrap [{boot[0]:+.3g}, {boot[1]:+.3g}]  P(better) {improvement(xa, ya):.2g}"
                     f" [{poi_lo:.2g}, {poi_hi:.2g}]")
            rows.append((line, d.mean(), d.mean() - half, d.mean() + half, p))
        else:
            print(line)
    for (line, delta, lo, hi, p), p_holm in zip(rows, holm(ps)):
        print(f"{line}  Δ {delta:+.4g} [{lo:+.4g}, {hi:+.4g}]  p sign-flip {p:.3g}  p Holm {p_holm:.3g}")


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def question_table(path, reference="baseline"):
    lines = [json.loads(l) for l in open(path)]
    runs = lines[1:]
    metrics = [k for k in runs[0] if k.endswith("pass1")]
    by = {(r["arm"], r["seed"]): r for r in runs}
    arms = list(dict.fromkeys(r["arm"] for r in runs))
    print(f"{path}: question level, reference {reference}")
    for metric in metrics:
        for arm in arms:
            if arm == reference:
                continue
            pairs = both = mine = theirs = b = c = 0
            for (a, seed), run in by.items():
                if a != arm or (reference, seed) not in by:
                    continue
                x, y = run[metric], by[(reference, seed)][metric]
                for xi, yi in zip(x, y):
                    pairs += 1
                    mine += xi == "1"
                    theirs += yi == "1"
                    b += xi == "1" and yi == "0"
                    c += xi == "0" and yi == "1"
            p = stats.binomtest(b, b + c, 0.5).pvalue if b + c else 1.0
            lo, hi = wilson(mine, pairs)
            print(f"  {metric:10s} {arm:16s} pairs {pairs:5d}  Pass@1 {mine / pairs:.4g} [{lo:.4g}, {hi:.4g}]"
                  f"  vs {theirs / pairs:.4g}  only arm {b:4d}  only {reference} {c:4d}  p McNemar {p:.2g}")


if __name__ == "__main__":
    if sys.argv[1] == "--questions":
        question_table(sys.argv[2])
    else:
        for m in sys.argv[2:] or ["test_pass1"]:
            table(sys.argv[1], m)
