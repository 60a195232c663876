"""paired.py's paired-t statistics against scipy's ttest_rel."""
import math

from scipy import stats

from vsweep_torch.vision.paired import paired_t


def test_paired_t_matches_scipy():
    a = [0.21, 0.25, 0.19, 0.30, 0.27]
    b = [0.20, 0.22, 0.21, 0.26, 0.25]
    mean, lo, hi, p = paired_t([x - y for x, y in zip(a, b)])
    ref = stats.ttest_rel(a, b)
    ci = ref.confidence_interval(0.95)
    assert math.isclose(p, ref.pvalue, rel_tol=1e-9)
    assert math.isclose(lo, ci.low, rel_tol=1e-9) and math.isclose(hi, ci.high, rel_tol=1e-9)
    assert math.isclose(mean, sum(a) / 5 - sum(b) / 5, rel_tol=1e-12)
