#!/usr/bin/env python3
"""Summarises scripts/replicate-controls: per study and arm, mean ± sd of validation
and test Pass@1 over seeds, and the paired difference to baseline (same seed) with
a 95% t confidence interval (scipy). Prints markdown.

Usage: scripts/reference/control_table.py storage/results
"""
import json
import pathlib
import statistics
import sys

from scipy import stats

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "storage/results")
titles = {"A": "A. all arms, matched updates (240 updates, batch 8)",
          "B": "B. vpt vs baseline, matched training wall-clock (30 s per trial)",
          "C": "C. vpt vs baseline on the decontaminated corpus, matched updates (240)"}
arms = ["baseline", "vpt", "self_distill", "uniform_topk", "random_feedback"]


def final(path):
    last = None
    for line in path.open():
        event = json.loads(line)
        if event.get("event") == "finished":
            last = event
    return last


def fmt(xs):
    if not xs:
        return "–"
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.4f} ± {sd:.4f}"


def paired(diff):
    if len(diff) < 2:
        return "–"
    m = statistics.mean(diff)
    se = statistics.stdev(diff) / len(diff) ** 0.5
    h = stats.t.ppf(0.975, len(diff) - 1) * se
    p = stats.ttest_1samp(diff, 0.0).pvalue if se > 0 else float("nan")
    return f"{m:+.4f} [{m - h:+.4f}, {m + h:+.4f}] (p = {p:.2f})"


for study in ["A", "B", "C"]:
    d = root / study
    if not d.is_dir():
        continue
    runs = {}
    for f in sorted(d.glob("*.jsonl")):
        arm, seed = f.stem.rsplit("-", 1)
        e = final(f)
        if e:
            runs.setdefault(arm, {})[int(seed)] = e
    print(f"\n### {titles[study]}\n")
    print("| arm | n | val Pass@1 | test Pass@1 | test Pass@1 Δ vs baseline, paired [95% CI] | val answer loss | val loss Δ vs baseline [95% CI] | updates | train s |")
    print("| --- | ---: | --- | --- | --- | --- | --- | ---: | ---: |")
    base = runs.get("baseline", {})
    for arm in arms:
        r = runs.get(arm)
        if not r:
            continue
        seeds = sorted(r)
        val = [r[s]["metrics"].get("val_pass1", float("nan")) for s in seeds]
        test = [r[s]["metrics"].get("test_pass1", float("nan")) for s in seeds]
        diff = [r[s]["metrics"]["test_pass1"] - base[s]["metrics"]["test_pass1"] for s in seeds if s in base] if arm != "baseline" else []
        vloss = [r[s]["metrics"].get("val_loss", float("nan")) for s in seeds]
        ldiff = [r[s]["metrics"]["val_loss"] - base[s]["metrics"]["val_loss"] for s in seeds if s in base] if arm != "baseline" else []
        ups = statistics.mean(r[s]["updates"] for s in seeds)
        secs = statistics.mean(r[s]["metrics"]["train_seconds"] for s in seeds)
        print(f"| {arm} | {len(seeds)} | {fmt(val)} | {fmt(test)} | {paired(diff) if diff else '–'} | {fmt(vloss)} | {paired(ldiff) if ldiff else '–'} | {ups:.0f} | {secs:.1f} |")
