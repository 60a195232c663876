"""Paired differences of every final metric of a comparison, read from the sweep database.

``vsweep compare`` gives bootstrap and t intervals for the spec's one metric; this prints the
same paired t statistics (arm − reference, paired by seed, over the seeds both completed)
for every metric of the final reports, so depth RMSE and linear accuracy get intervals too.

    python3 -m vsweep_torch.vision.paired --db storage/vision.sqlite vision-compare [--reference baseline]

Read-only: the database is opened with ``mode=ro``.
"""
from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys


def final_metrics(db: str, name: str) -> dict:
    """{arm: {seed: metrics of the completed trial's last report}}."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    row = con.execute("select id from sweep where name = ?", (name,)).fetchone()
    if row is None:
        raise SystemExit(f"{db}: no sweep named {name}")
    out: dict = {}
    for trial_id, arm, seed, state in con.execute(
            "select id, arm, seed, state from trial where sweep_id = ? order by number", (row[0],)):
        if state != "completed":
            continue
        rep = con.execute("select metrics from report where trial_id = ? order by step desc, id desc limit 1",
                          (trial_id,)).fetchone()
        if rep:
            out.setdefault(arm, {})[seed] = json.loads(rep[0])
    return out


def paired_t(diffs: list) -> tuple:
    """(mean, 95% t interval low, high, p two-sided) of paired differences."""
    from scipy import stats
    n = len(diffs)
    mean = sum(diffs) / n
    if n < 2:
        return mean, float("nan"), float("nan"), float("nan")
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    if sd == 0:
        return mean, mean, mean, 0.0 if mean != 0 else 1.0
    se = sd / math.sqrt(n)
    q = stats.t.ppf(0.975, n - 1)
    p = 2 * stats.t.sf(abs(mean / se), n - 1)
    return mean, mean - q * se, mean + q * se, p


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python3 -m vsweep_torch.vision.paired", description=__doc__.split("\n\n")[0])
    ap.add_argument("name")
    ap.add_argument("--db", required=True)
    ap.add_argument("--reference", default="baseline")
    ap.add_argument("--metrics", default="test_miou,test_depth_rmse,test_linear_acc,val_miou,val_depth_rmse,val_linear_acc")
    a = ap.parse_args(argv)
    data = final_metrics(a.db, a.name)
    if a.reference not in data:
        raise SystemExit(f"no completed {a.reference} runs")
    ref = data[a.reference]
    print("| metric | arm | n | mean ± sd | diff to " + a.reference + " | 95% paired-t interval | p (t) | seeds better |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for metric in a.metrics.split(","):
        lower_better = "rmse" in metric
        for arm, runs in data.items():
            vals = [m[metric] for m in runs.values() if metric in m]
            if not vals:
                continue
            mean = sum(vals) / len(vals)
            sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / max(1, len(vals) - 1))
            cells = [metric, arm, str(len(vals)), f"{mean:.4f} ± {sd:.4f}"]
            if arm == a.reference:
                cells += ["", "", "", ""]
            else:
                seeds = sorted(s for s in runs if s in ref and metric in runs[s] and metric in ref[s])
                diffs = [runs[s][metric] - ref[s][metric] for s in seeds]
                d, lo, hi, p = paired_t(diffs)
                better = sum(1 for x in diffs if (x < 0 if lower_better else x > 0))
                cells += [f"{d:+.4f}", f"[{lo:+.4f}, {hi:+.4f}]", f"{p:.3f}", f"{better}/{len(diffs)}"]
            print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
