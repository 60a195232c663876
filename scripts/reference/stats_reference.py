#!/usr/bin/env python3
"""Independent float64 reference numbers for the Analysis statistics (Tests/AnalysisTests).

Written from the definitions in docs/analysis.md, not from the Swift code:
- paired t-test by scipy.stats.ttest_rel (statistic, df, two-sided p, confidence_interval);
- Student-t cdf / sf / pdf / ppf by scipy.stats.t;
- the paired bootstrap by a pure-Python SplitMix64 and the documented resampling
  procedure, its interval by numpy.quantile (method "linear", numpy's default);
- the sign-flip permutation test: exactly, by enumerating the 2^n sign patterns in
  rational arithmetic (fractions.Fraction of the float differences), checked against
  scipy.stats.permutation_test (permutation_type="samples"); beyond 20 pairs the seeded
  Monte Carlo procedure replayed with the same SplitMix64, and scipy's randomized test
  for the Monte Carlo error;
- power of the paired t-test by scipy.stats.nct, the minimum detectable effect and the
  pairs needed by scipy.optimize.brentq / search on it (statsmodels TTestPower as a check);
- Holm by statsmodels.stats.multitest.multipletests(method="holm");
- Wilson intervals by statsmodels proportion_confint(method="wilson") and scipy
  binomtest(...).proportion_ci(method="wilson"); exact McNemar by scipy.stats.binomtest
  and statsmodels mcnemar(exact=True); the normal quantile by scipy.stats.norm.ppf;
- IQM and probability of improvement by the rliable package (metrics.aggregate_iqm,
  metrics.probability_of_improvement), their stratified-bootstrap intervals replayed
  with SplitMix64 (exact) and by rliable.library.get_interval_estimates (its own RNG:
  agreement within Monte Carlo error).
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


def with_new_statistics(case):
    """The sign-flip p (exact, n <= 20 here), its smallest attainable value and the MDE."""
    d = [a - r for a, r in zip(case["arm"], case["reference"])]
    case["signflip_p"] = exact_sign_flip(d)
    case["signflip_p_scipy"] = scipy_sign_flip(d)
    case["signflip_smallest"] = 1.0 if len(d) <= 1 else 2.0 ** (1 - len(d))
    case["mde"] = None if case["sd"] is None else detectable_effect(len(d)) * case["sd"]
    case["distinct_resamples"] = math.comb(2 * len(d) - 1, len(d))
    return case


def exact_sign_flip(d):
    """Two-sided exact p = 2 min(#{S <= S0}, #{S >= S0}) / 2^n in exact integer arithmetic.

    Every double is a dyadic rational, so scaling by the common power-of-two denominator
    makes the differences exact Python integers; the 2^n signed sums are enumerated in
    Gray-code order (one sign changes per step), each exact.
    """
    from fractions import Fraction
    fd = [Fraction(x) for x in d]
    scale = max(f.denominator for f in fd)  # all powers of two: the largest is a common multiple
    v = [int(f * scale) for f in fd]
    s0 = sum(v)
    signs = [1] * len(v)
    s = s0
    below = above = 1  # the all-plus pattern is S0 itself
    for k in range(1, 2 ** len(v)):
        i = (k & -k).bit_length() - 1
        s -= 2 * signs[i] * v[i]
        signs[i] = -signs[i]
        below += s <= s0
        above += s >= s0
    return min(1.0, 2 * min(below, above) / 2 ** len(v))


def scipy_sign_flip(d, exact=True, seed=0, n_resamples=None):
    if len(d) < 2:
        return None  # scipy needs two observations; one pair gives p = 1 by enumeration
    d = np.asarray(d, dtype=float)
    kw = dict(permutation_type="samples", alternative="two-sided", vectorized=True)
    if exact:
        kw["n_resamples"] = np.inf
    else:
        kw["n_resamples"] = n_resamples
        kw["rng"] = np.random.default_rng(seed)
    # The "samples" permutation of a one-sample statistic flips signs: the statistic
    # sees x * s for random s in {+1, -1} (the scipy documentation's paired example).
    res = stats.permutation_test((d,), lambda x, axis: np.sum(x, axis=axis), **kw)
    return float(res.pvalue)


def mc_sign_flip(d, resamples, seed):
    """The documented Monte Carlo: sign i + when the top bit of the next SplitMix64 draw is 0;
    p = (1 + #{|S| >= |S0|}) / (1 + B)."""
    g = SplitMix64(seed)
    s0 = 0.0
    scale = 0.0
    for x in d:
        s0 += x
        scale += abs(x)
    tol = 1e-12 * scale
    extreme = 0
    for _ in range(resamples):
        s = 0.0
        for x in d:
            s += x if (g.next() >> 63) == 0 else -x
        extreme += abs(s) >= abs(s0) - tol
    p = (1 + extreme) / (1 + resamples)
    return p, math.sqrt(p * (1 - p) / resamples)


def t_power(effect, n, alpha=0.05):
    nu = n - 1
    c = stats.t(nu).ppf(1 - alpha / 2)
    lam = abs(effect) * math.sqrt(n)
    # P(T' < -c) as the upper tail at -lambda: scipy's nct.cdf returns nan deep in the tail (df 1).
    return float(stats.nct(nu, lam).sf(c) + stats.nct(nu, -lam).sf(c))


def detectable_effect(n, alpha=0.05, power=0.8):
    from scipy.optimize import brentq
    hi = 1.0
    while t_power(hi, n, alpha) < power:
        hi *= 2
    return float(brentq(lambda e: t_power(e, n, alpha) - power, 1e-9, hi, xtol=1e-15, rtol=1e-15))


def pairs_needed(effect, alpha=0.05, power=0.8, limit=100_000):
    n = 2
    while t_power(effect, n, alpha) < power:
        n += 1
        if n > limit:
            return None
    return n


def sign_flip_cases():
    rng = np.random.default_rng(20261205)
    cases = [
        ("n1", [0.06]),
        ("n2", [0.02, 0.06]),
        ("n3", [0.0137, 0.0051, 0.0102]),
        ("n3_mixed", [0.03, -0.01, 0.02]),
        ("n5", [-0.03, -0.02, 0.01, -0.06, -0.04]),
        ("n5_all_positive", [0.01, 0.02, 0.03, 0.04, 0.05]),
        # Ties in |d| and exact zeros (quarter steps are exact in binary).
        ("ties", [0.0, 0.25, -0.25, 0.0, 0.5, -0.25, -0.25, 0.25]),
        ("ties_sum_rounding", [0.1, 0.2, -0.1, 0.3, -0.2]),
        ("zero_variance", [0.5, 0.5, 0.5, 0.5]),
        ("all_equal_pairs", [0.0, 0.0, 0.0]),
        ("n12", rng.normal(0.01, 0.02, 12).tolist()),
        ("n20", rng.normal(0.005, 0.02, 20).tolist()),
    ]
    out = []
    for name, d in cases:
        d = [float(x) for x in d]
        p = exact_sign_flip(d)
        ps = scipy_sign_flip(d)
        assert ps is None or abs(p - ps) <= 1e-12, (name, p, ps)
        out.append({"name": name, "d": d, "n": len(d), "p": p, "p_scipy": ps, "exact": True,
                    "smallest": 1.0 if len(d) <= 1 else 2.0 ** (1 - len(d))})
    for name, n, mu, seed, B in [("mc_n25", 25, 0.004, 11, 20_000), ("mc_n40_null", 40, 0.0, 3, 20_000)]:
        d = rng.normal(mu, 0.02, n).tolist()
        p, err = mc_sign_flip(d, B, seed)
        ps = scipy_sign_flip(d, exact=False, seed=seed, n_resamples=200_000)
        # scipy's randomized two-sided p is 2 min(P<, P>): standard error sqrt(p (2 - p) / B).
        assert abs(p - ps) <= 4 * err + 4 * math.sqrt(ps * (2 - ps) / 200_000), (name, p, ps, err)
        out.append({"name": name, "d": d, "n": n, "p": p, "p_scipy": ps, "exact": False, "seed": seed,
                    "resamples": B, "mc_error": err, "smallest": 2.0 ** (1 - n)})
    return out


def power_cases():
    from statsmodels.stats.power import TTestPower
    grid = []
    for n in [2, 3, 5, 6, 10, 20, 50]:
        for e in [0.2, 0.5, 1.0, 2.0, 5.0]:
            grid.append({"n": n, "effect": e, "power": t_power(e, n)})
    mde = []
    for n in [2, 3, 5, 10, 20, 100]:
        e = detectable_effect(n)
        sm = TTestPower().solve_power(effect_size=None, nobs=n, alpha=0.05, power=0.8, alternative="two-sided")
        assert abs(sm - e) <= 1e-4 * e, (n, sm, e)
        mde.append({"n": n, "effect": e, "statsmodels": float(sm)})
    needed = [{"effect": e, "pairs": pairs_needed(e)} for e in [0.3, 0.5, 0.8, 1.0, 1.5, 2.5]]
    return {"power": grid, "detectable": mde, "pairs_needed": needed}


def holm_cases():
    from statsmodels.stats.multitest import multipletests
    out = []
    for ps in [[0.01, 0.04, 0.03, 0.5], [0.25, 0.25, 0.25, 0.25], [0.001], [0.0625, 0.5, 0.125],
               [0.02, 0.02, 0.9, 0.01, 0.04]]:
        adj = multipletests(ps, method="holm")[1]
        out.append({"p": ps, "adjusted": [float(x) for x in adj]})
    return out


def proportion_cases():
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.contingency_tables import mcnemar
    wilson = []
    for k, n in [(0, 10), (1, 10), (5, 10), (10, 10), (20, 1000), (0, 1000), (21, 1000), (3, 7), (1, 1)]:
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert abs(lo - ci.low) < 1e-12 and abs(hi - ci.high) < 1e-12
        wilson.append({"k": k, "n": n, "lower": float(lo), "upper": float(hi)})
    mc = []
    for b, c in [(0, 0), (3, 0), (5, 5), (7, 2), (2, 7), (12, 30), (40, 41), (150, 210), (1, 0), (900, 1000)]:
        p = float(stats.binomtest(b, b + c, 0.5).pvalue) if b + c > 0 else 1.0
        if b + c > 0:
            sm = mcnemar(np.array([[0, b], [c, 0]]), exact=True).pvalue
            assert abs(sm - p) <= 1e-12 * max(p, 1e-300) + 1e-300, (b, c, sm, p)
        mc.append({"arm_only": b, "reference_only": c, "p": p})
    normal = [{"p": q, "quantile": float(stats.norm.ppf(q))}
              for q in [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-9]]
    return {"wilson": wilson, "mcnemar": mc, "normal_quantile": normal}


def stratified_bootstrap(sets, statistic, resamples, seed, level=LEVEL):
    g = SplitMix64(seed)
    values = []
    for _ in range(resamples):
        res = []
        for x in sets:
            n, tasks = x.shape
            out = np.empty_like(x)
            for j in range(tasks):
                for i in range(n):
                    out[i, j] = x[g.index_below(n), j]
            res.append(out)
        values.append(statistic(*res))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(np.array(values), [alpha, 1 - alpha])
    return [float(lo), float(hi)]


def aggregate_cases():
    from rliable import library as rly
    from rliable import metrics
    rng = np.random.default_rng(7)
    out = []
    sets = [
        ("n3", np.array([[0.31], [0.27], [0.35]]), np.array([[0.30], [0.26], [0.33]])),
        ("n5_ties", np.array([[1.0], [1.0], [2.0], [3.0], [1.0]]), np.array([[1.0], [2.0], [2.0], [0.5], [1.0]])),
        ("n10", rng.normal(0.3, 0.05, (10, 1)), rng.normal(0.28, 0.05, (10, 1))),
        ("n12_two_tasks", rng.normal(0.5, 0.1, (12, 2)), rng.normal(0.45, 0.1, (12, 2))),
        ("equal", np.array([[0.2], [0.2], [0.2]]), np.array([[0.2], [0.2], [0.2]])),
    ]
    B = 2000
    for name, x, y in sets:
        iqm = float(metrics.aggregate_iqm(x))
        poi = float(metrics.probability_of_improvement(x, y))
        iqm_ci = stratified_bootstrap([x], lambda a: float(metrics.aggregate_iqm(a)), B, 5)
        poi_ci = stratified_bootstrap([x, y], lambda a, b: float(metrics.probability_of_improvement(a, b)), B, 6)
        _, rl_iqm = rly.get_interval_estimates({"x": x}, lambda a: np.array([metrics.aggregate_iqm(a)]),
                                               reps=20_000, random_state=np.random.RandomState(1))
        _, rl_poi = rly.get_interval_estimates({"xy": [x, y]},
                                               lambda a, b: np.array([metrics.probability_of_improvement(a, b)]),
                                               reps=5_000, random_state=np.random.RandomState(2))
        out.append({"name": name, "x": x.tolist(), "y": y.tolist(), "iqm": iqm, "poi": poi, "resamples": B,
                    "iqm_seed": 5, "poi_seed": 6, "iqm_ci": iqm_ci, "poi_ci": poi_ci,
                    "rliable_iqm_ci": [float(rl_iqm["x"][0][0]), float(rl_iqm["x"][1][0])],
                    "rliable_poi_ci": [float(rl_poi["xy"][0][0]), float(rl_poi["xy"][1][0])]})
    return out


def datasets():
    rng = np.random.default_rng(20260601)
    n20_ref = rng.normal(2.0, 0.05, 20)
    n20_arm = n20_ref + rng.normal(0.01, 0.02, 20)
    huge_ref = rng.normal(3.0, 0.1, 20)
    huge_arm = huge_ref - 10 + rng.normal(0, 0.05, 20)
    return [with_new_statistics(c) for c in [
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
    ]]


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


def versions():
    import statsmodels
    import rliable
    from importlib.metadata import version
    return {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
            "rliable": version("rliable"), "arch": version("arch")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "Tests", "AnalysisTests", "Fixtures", "stats_reference.json")
    parser.add_argument("--out", default=os.path.normpath(default))
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        doc = {"generator": "scripts/reference/stats_reference.py",
               "versions": versions(),
               "paired": datasets(), "t_cdf": t_grid(), "t_quantile": q_grid(),
               "sign_flip": sign_flip_cases(), "power": power_cases(), "holm": holm_cases(),
               "proportions": proportion_cases(), "aggregates": aggregate_cases()}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")
    for c in doc["paired"]:
        print(f"{c['name']:>16}: n={c['n']} mean={c['mean']:.6g} t={c['t']} p={c['p']} "
              f"ci={c['ci']} boot={c['bootstrap_ci']} boot_p={c['bootstrap_p']}")


if __name__ == "__main__":
    main()
