"""Mutation-killing tests of ehelse.nps (issue 17): exact values on tiny hand-computable designs.

Unweighted, not raked designs have a linearised variance that can be written down by hand: for a
domain mean m_a = mean of y over the n_a respondents of domain a, the influence of respondent i is
1[i in a] (y_i - m_a) / n_a, so Var(m_a) = n / (n - 1) * sum_a (y_i - m_a)^2 / n_a^2 with n the
rows of the whole design (R's subset(): respondents outside the domain stay in the design), and two
disjoint domains have zero covariance.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse.estimates import EstimateError, design, domain_difference
from ehelse.nps import CONTRAST, GROUPS, nps, nps_difference, nps_domain_difference, nps_from_shares, nps_groups

# 8 respondents: women 10, 9, 3, don't know; men 7, 0, 8, 10
SCORES = [10, 9, 3, np.nan, 7, 0, 8, 10]
SEX = ["f", "f", "f", "f", "m", "m", "m", "m"]
REC = {10: 100.0, 9: 100.0, 8: 0.0, 7: 0.0, 3: -100.0, 0: -100.0}


@pytest.fixture
def tiny():
    df = pd.DataFrame({"sex": SEX, "nps": SCORES, "region": ["N", "S", "N", "S", "N", "S", "N", "S"]})
    return df, design(df)


def _var_of_mean(y, n):
    """Linearised variance of an unweighted domain mean, whole design of n rows (module docstring)."""
    y = np.asarray(y, dtype=float)
    return n / (n - 1) * ((y - y.mean()) ** 2).sum() / len(y) ** 2


def test_constants():
    """Fails if the group labels or the -100 / 0 / +100 recode change."""
    assert GROUPS == ("Kritikere", "Passive", "Promotører")
    assert CONTRAST.tolist() == [-100.0, 0.0, 100.0]


# ------------------------------------------------------------------ nps_domain_difference

def test_domain_difference_women_vs_rest_by_hand(tiny):
    """Women vs the rest (the default domain_b) by hand: means of the recode, SE from the two
    independent domain variances on n = 8 rows, t on n - 1 df at the settings' 95 %.
    Fails if the recode, the don't-know exclusion (base), the default "rest", the level or the
    design is lost (nps_domain_difference mutants: domain_b default, base=None or |, y=None, ...)."""
    df, d = tiny
    a = (df["sex"] == "f").to_numpy()
    r = nps_domain_difference(d, "nps", a)
    ya, yb = [100, 100, -100], [0, -100, 0, 100]
    se = np.sqrt(_var_of_mean(ya, 8) + _var_of_mean(yb, 8))
    assert r["estimate_a"] == pytest.approx(100 / 3, rel=1e-12)
    assert r["estimate_b"] == pytest.approx(0.0, abs=1e-12)
    assert r["difference"] == pytest.approx(100 / 3, rel=1e-12)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    assert se == pytest.approx(np.sqrt(8 / 7 * (26_666.666666666668 / 9 + 20_000 / 16)), rel=1e-12)
    assert r["df"] == 7
    assert r["t"] == pytest.approx((100 / 3) / se, rel=1e-12)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf((100 / 3) / se, 7), rel=1e-10)
    q = stats.t.ppf(0.975, 7)
    assert r["ci_low"] == pytest.approx(100 / 3 - q * se, rel=1e-12)
    assert r["ci_high"] == pytest.approx(100 / 3 + q * se, rel=1e-12)
    assert (r["n_a"], r["n_b"]) == (3, 4)  # the don't-know woman is outside both


def test_domain_difference_level_and_explicit_domain_b(tiny):
    """An explicit mask for domain b and level=0.90: the interval uses t(0.95, 7).
    Fails if domain_b or the level is dropped or replaced (mutants level=None, _interval(None, ...),
    [1] for [0], domain_difference without domain_b)."""
    df, d = tiny
    a = (df["sex"] == "f").to_numpy()
    b = (df["region"] == "S").to_numpy()  # overlaps a: rows 1, 3 (dk), 5, 7
    r = nps_domain_difference(d, "nps", a, b, level=0.90)
    # b answered: rows 1, 5, 7 -> 100, -100, 100
    assert r["estimate_b"] == pytest.approx(100 / 3, rel=1e-12)
    assert r["difference"] == pytest.approx(0.0, abs=1e-9)
    assert (r["n_a"], r["n_b"]) == (3, 3)
    ref = domain_difference(d, np.array([100, 100, -100, 0, 0, -100, 0, 100.0]), a, b,
                            base=df["nps"].notna().to_numpy(), level=0.90)
    q = stats.t.ppf(0.95, 7)
    assert r["se"] == pytest.approx(ref["se"], rel=1e-12)
    assert r["ci_high"] - r["difference"] == pytest.approx(q * r["se"], rel=1e-12)
    r95 = nps_domain_difference(d, "nps", a, b)
    assert r95["ci_high"] - r95["difference"] == pytest.approx(stats.t.ppf(0.975, 7) * r95["se"], rel=1e-12)


def test_domain_difference_respects_the_domain(tiny):
    """domain= restricts both groups: region N only -> women 10, 3 vs men 7, 8.
    Fails if the domain argument is dropped (mutants _domain_mask(d, None), _domain_mask(domain))."""
    df, d = tiny
    a = (df["sex"] == "f").to_numpy()
    r = nps_domain_difference(d, "nps", a, "rest", domain=(df["region"] == "N").to_numpy())
    assert r["estimate_a"] == pytest.approx(0.0, abs=1e-12)
    assert r["estimate_b"] == pytest.approx(0.0, abs=1e-12)
    assert (r["n_a"], r["n_b"]) == (2, 2)
    se = np.sqrt(_var_of_mean([100, -100], 8) + _var_of_mean([0, 0], 8))
    assert r["se"] == pytest.approx(se, rel=1e-12)


def test_domain_difference_total(tiny):
    """domain_b="total": men vs all who answered; the group is part of the total, so the difference
    is (1 - n_a/n) times the difference to the rest, its SE from the influence values by hand. Fails if "total" is treated as
    "rest" or the arguments are shifted."""
    df, d = tiny
    a = (df["sex"] == "m").to_numpy()
    tot = nps_domain_difference(d, "nps", a, "total")
    rest = nps_domain_difference(d, "nps", a, "rest")
    assert tot["estimate_b"] == pytest.approx(100 / 7, rel=1e-12)  # (100+100-100+0-100+0+100)/7
    assert tot["n_b"] == 7
    assert tot["difference"] == pytest.approx(rest["difference"] * 3 / 7, rel=1e-12)
    # influence of m_a - m_total: 1[a](y - m_a)/n_a - 1[answered](y - m_total)/7, summing to 0
    y = np.array([100, 100, -100, 0, 0, -100, 0, 100.0])
    ans = ~np.isnan(np.array(SCORES, dtype=float))
    z = a * (y - 0.0) / 4 - ans * (y - 100 / 7) / 7
    assert tot["se"] == pytest.approx(np.sqrt(8 / 7 * (z ** 2).sum()), rel=1e-12)


def test_domain_difference_rejects_nonsense(tiny):
    """Errors of domain_difference reach the caller: an unknown domain_b string and a string domain."""
    df, d = tiny
    a = (df["sex"] == "f").to_numpy()
    with pytest.raises(EstimateError, match=r"^domain_b must be a boolean mask, 'rest' or 'total', not 'others'$"):
        nps_domain_difference(d, "nps", a, "others")
    with pytest.raises(EstimateError, match="domain must be a boolean mask"):
        nps_domain_difference(d, "nps", "f")


# ------------------------------------------------------------------ nps_difference

def test_nps_difference_z_and_keys():
    """Fails if z is not diff / se for an SE below 1 (mutant `se > 1`), or a key is renamed."""
    r = nps_difference({"nps": 10.0, "se": 0.3}, {"nps": 11.0, "se": 0.4})
    assert set(r) == {"difference", "se", "z", "p_value"}
    assert r["difference"] == pytest.approx(1.0)
    assert r["se"] == pytest.approx(0.5, rel=1e-15)
    assert r["z"] == pytest.approx(2.0, rel=1e-14)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(2.0), rel=1e-12)


def test_nps_difference_with_zero_se_has_no_test():
    """Two exact NPS (SE 0): z and p are NaN, no ZeroDivisionError.
    Fails if the `se > 0` guard becomes `se >= 0` or is removed."""
    r = nps_difference({"nps": 10.0, "se": 0.0}, {"nps": 12.0, "se": 0.0})
    assert r["difference"] == 2.0 and r["se"] == 0.0
    assert np.isnan(r["z"]) and np.isnan(r["p_value"])


def test_nps_difference_direction():
    """b - a, not a - b; negative z gives the same two-sided p."""
    r = nps_difference({"nps": 30.0, "se": 3.0}, {"nps": 26.0, "se": 4.0})
    assert r["difference"] == -4.0 and r["se"] == 5.0
    assert r["z"] == pytest.approx(-0.8, rel=1e-14)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(0.8), rel=1e-12)
