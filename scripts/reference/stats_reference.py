#!/usr/bin/env python3
"""Independent float64 reference numbers for the Analysis statistics (Tests/AnalysisTests).

Written from the definitions in docs/analysis.md, not from the Swift code:
- paired t-test by scipy.stats.ttest_rel (statistic, df, two-sided p, confidence_interval);
- Student-t cdf / sf / pdf / ppf by scipy.stats.t;
- the paired bootstrap by a pure-Python SplitMix64 and the documented resampling
  procedure, its interval by numpy.quantile (method "linear", numpy's default).
What a sample cannot define is written as null (n = 1; t and p when sd(d) = 0).

Usage: python3 scripts/reference/stats_reference.py [--out PATH]
Writes Tests/AnalysisTests/Fixtures/stats_reference.json (deterministic).
"""
import argparse
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import stats

MASK = 2**64 - 1
LEVEL = 0.95
RESAMPLES = 10_000


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def index_below(self, bound):
        """Rejection sampling: accept r <= limit, limit + 1 = largest multiple of bound <= 2**64."""
        limit = MASK - ((MASK % bound) + 1) % bound
        while True:
            r = self.next()
            if r <= limit:
                return r % bound


def resample_means(d, resamples, seed):
    g = SplitMix64(seed)
    n = len(d)
    means = []
    for _ in range(resamples):
        s = 0.0
        for _ in range(n):
            s += d[g.index_below(n)]  # sequential float64 sum, in draw order
        means.append(s / n)
    return means


def paired_case(name, arm, reference, seed=0, resamples=RESAMPLES):
    arm = [float(x) for x in arm]
    reference = [float(x) for x in reference]
    d = [a - r for a, r in zip(arm, reference)]
    n = len(d)
    out = {"name": name, "arm": arm, "reference": reference, "seed": seed, "resamples": resamples,
           "level": LEVEL, "n": n, "mean": float(np.mean(d))}
    if n < 2:
        out.update({"sd": None, "se": None, "t": None, "df": None, "p": None, "ci": None,
                    "bootstrap_ci": None, "bootstrap_p": None, "first_resample_means": None})
        return out
    sd = float(np.std(d, ddof=1))
    se = sd / math.sqrt(n)
    out.update({"sd": sd, "se": se, "df": n - 1})
    if sd > 0:
        res = stats.ttest_rel(arm, reference)
        ci = res.confidence_interval(confidence_level=LEVEL)
        out.update({"t": float(res.statistic), "p": float(res.pvalue), "ci": [float(ci.low), float(ci.high)]})
        assert int(res.df) == n - 1
    else:
        # scipy returns nan/inf here; the contract is "undefined": null, and the
        # interval is the formula's single point mean ± q·0.
        out.update({"t": None, "p": None, "ci": [out["mean"], out["mean"]]})
    means = resample_means(d, resamples, seed)
    alpha = (1 - LEVEL) / 2
    lo, hi = np.quantile(np.array(means), [alpha, 1 - alpha])  # method="linear"
    a = np.array(means)
    p = min(1.0, 2 * min(int(np.sum(a <= 0)), int(np.sum(a >= 0))) / resamples)
    out.update({"bootstrap_ci": [float(lo), float(hi)], "bootstrap_p": p,
                "first_resample_means": means[:5]})
    return out


def datasets():
    rng = np.random.default_rng(20260601)
    n20_ref = rng.normal(2.0, 0.05, 20)
    n20_arm = n20_ref + rng.normal(0.01, 0.02, 20)
    huge_ref = rng.normal(3.0, 0.1, 20)
    huge_arm = huge_ref - 10 + rng.normal(0, 0.05, 20)
    return [
        paired_case("n1", [0.61], [0.55]),
        paired_case("n2", [0.52, 0.61], [0.50, 0.55]),
        paired_case("n5", [1.92, 1.88, 1.95, 1.90, 1.87], [1.95, 1.90, 1.94, 1.96, 1.91], seed=7),
        paired_case("n20", n20_arm.tolist(), n20_ref.tolist(), seed=123456789),
        # Differences in quarter steps (exact in binary), many ties and exact zeros:
        # resample means of exactly 0 are counted on both sides of the bootstrap p-value.
        paired_case("ties", [1.0, 1.25, 0.75, 1.0, 1.5, 1.0, 0.75, 1.25],
                    [1.0, 1.0, 1.0, 1.0, 1.0, 1.25, 1.0, 1.0], seed=3),
        paired_case("negative", [2.21, 2.30, 2.25, 2.31, 2.30, 2.27, 2.26, 2.35],
                    [2.31, 2.40, 2.28, 2.45, 2.36, 2.39, 2.33, 2.41], seed=11),
        paired_case("huge_effect", huge_arm.tolist(), huge_ref.tolist(), seed=5),
        paired_case("zero_variance", [1.5, 2.5, 3.5, 4.5], [1.0, 2.0, 3.0, 4.0]),
        paired_case("zero_difference", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], seed=1),
    ]


DFS = [1, 2, 3, 4, 5, 7.5, 10, 19, 30, 100, 1000]
TS = [-1e6, -60, -12, -3, -2.1, -1, -0.4, -1e-3, 0, 1e-3, 0.4, 1, 2.1, 3, 12, 60, 1e6]
PS = [1e-12, 1e-6, 1e-3, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6]


def t_grid():
    rows = []
    for df in DFS:
        dist = stats.t(df)
        for t in TS:
            rows.append({"df": df, "t": t, "cdf": float(dist.cdf(t)), "sf": float(dist.sf(t)),
                         "pdf": float(dist.pdf(t)), "two_sided": float(2 * dist.sf(abs(t)))})
    return rows


def q_grid():
    return [{"df": df, "p": p, "quantile": float(stats.t(df).ppf(p))} for df in DFS for p in PS]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "Tests", "AnalysisTests", "Fixtures", "stats_reference.json")
    parser.add_argument("--out", default=os.path.normpath(default))
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        doc = {"generator": "scripts/reference/stats_reference.py",
               "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
               "paired": datasets(), "t_cdf": t_grid(), "t_quantile": q_grid()}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")
    for c in doc["paired"]:
        print(f"{c['name']:>16}: n={c['n']} mean={c['mean']:.6g} t={c['t']} p={c['p']} "
              f"ci={c['ci']} boot={c['bootstrap_ci']} boot_p={c['bootstrap_p']}")


if __name__ == "__main__":
    main()
