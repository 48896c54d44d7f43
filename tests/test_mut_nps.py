"""Mutation-killing tests of ehelse.nps (issue 17): exact values on tiny hand-computable designs.

Unweighted, not raked designs have a linearised variance that can be written down by hand: for a
domain mean m_a = mean of y over the n_a respondents of domain a, the influence of respondent i is
1[i in a] (y_i - m_a) / n_a, so Var(m_a) = n / (n - 1) * sum_a (y_i - m_a)^2 / n_a^2 with n the
rows of the whole design (R's subset(): respondents outside the domain stay in the design), and two
disjoint domains have zero covariance.
"""
import re
import warnings

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
    is (1 - n_a/n) times the difference to the rest, its SE from the influence values by hand.
    Fails if "total" is treated as "rest" or the arguments are shifted."""
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
    """Errors of domain_difference reach the caller: an unknown domain_b string and a string domain.
    Fails if nps_domain_difference stops passing domain_a / domain_b through unchanged."""
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
    """b - a, not a - b; negative z gives the same two-sided p.
    Fails if the difference is a - b or p is one-sided."""
    r = nps_difference({"nps": 30.0, "se": 3.0}, {"nps": 26.0, "se": 4.0})
    assert r["difference"] == -4.0 and r["se"] == 5.0
    assert r["z"] == pytest.approx(-0.8, rel=1e-14)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(0.8), rel=1e-12)


# ------------------------------------------------------------------ nps

NPS_COLS = ["nps", "se", "ci_low", "ci_high", "detractors", "passives", "promoters", "n", "n_weighted", "n_eff"]


def test_nps_by_hand(tiny):
    """7 answers (-100 x 2, 0 x 2, +100 x 3; one don't know): NPS 100/7, shares in percent, SE of the mean
    of the recode on the 8-row design, t interval on n - 1 = 6 df, bases. Fails if a column is renamed,
    the shares are not in percent, the interval's df or level change, or the bases are wrong."""
    df, d = tiny
    with warnings.catch_warnings():  # no cast of NaN to an integer code on the way (don't know -> -1)
        warnings.simplefilter("error")
        default, r80 = nps(d, "nps"), nps(d, "nps", level=0.80)
    for level, r in ((0.95, default), (0.80, r80)):
        assert list(r.columns) == NPS_COLS
        r = r.iloc[0]
        y = [100, 100, -100, 0, -100, 0, 100]
        se = np.sqrt(_var_of_mean(y, 8))
        assert r["nps"] == pytest.approx(100 / 7, rel=1e-12)
        assert r["se"] == pytest.approx(se, rel=1e-12)
        q = stats.t.ppf(0.5 + level / 2, 6)
        assert r["ci_low"] == pytest.approx(100 / 7 - q * se, rel=1e-12)
        assert r["ci_high"] == pytest.approx(100 / 7 + q * se, rel=1e-12)
        assert (r["detractors"], r["passives"], r["promoters"]) == pytest.approx((200 / 7, 200 / 7, 300 / 7),
                                                                               rel=1e-12)
        assert (r["n"], r["n_weighted"], r["n_eff"]) == (7, pytest.approx(7.0), pytest.approx(7.0))


def test_nps_by_subgroup_and_domain(tiny):
    """by= gives one row per level (sorted) with the by column first, each with its own df; domain=
    restricts the base. Fails if by or the domain is ignored."""
    df, d = tiny
    r = nps(d, "nps", by="sex")
    assert list(r.columns) == ["sex", *NPS_COLS]
    assert r["sex"].tolist() == ["f", "m"] and r["n"].tolist() == [3, 4]
    assert r["nps"].tolist() == pytest.approx([100 / 3, 0.0], abs=1e-12)
    se_m = np.sqrt(_var_of_mean([0, -100, 0, 100], 8))
    assert r["se"][1] == pytest.approx(se_m, rel=1e-12)
    assert stats.t.ppf(0.975, 3) * se_m > 100  # so the interval is cut to the scale
    assert (r["ci_low"][1], r["ci_high"][1]) == (-100.0, 100.0)
    r = nps(d, "nps", domain=(df["region"] == "N").to_numpy()).iloc[0]  # 10, 3, 7, 8
    assert r["nps"] == pytest.approx(0.0, abs=1e-12) and r["n"] == 4
    assert (r["detractors"], r["passives"], r["promoters"]) == pytest.approx((25.0, 50.0, 25.0))


def test_nps_interval_is_cut_at_the_scale_and_zero_variance_is_zero():
    """All promoters: NPS 100 with SE exactly 0 and the interval [100, 100]; 9 promoters and a passive:
    the upper bound is cut to 100. Fails if the variance floor is not 0 or the clipping moves."""
    d = design(pd.DataFrame({"nps": [10.0, 9.0, 10.0, 9.0]}))
    r = nps(d, "nps").iloc[0]
    assert (r["nps"], r["se"], r["ci_low"], r["ci_high"]) == (pytest.approx(100.0), 0.0, pytest.approx(100.0),
                                                              100.0)
    d = design(pd.DataFrame({"nps": [10.0] * 9 + [8.0]}))
    r = nps(d, "nps").iloc[0]
    assert r["nps"] == pytest.approx(90.0) and r["ci_high"] == 100.0
    assert r["ci_low"] == pytest.approx(90.0 - stats.t.ppf(0.975, 9) * r["se"], rel=1e-12)
    d = design(pd.DataFrame({"nps": [0.0] * 9 + [8.0]}))
    assert nps(d, "nps")["ci_low"][0] == -100.0


def test_nps_without_answers_says_where(tiny):
    """Exact messages, with and without by. Fails if the message or its by clause changes."""
    df, d = tiny
    with pytest.raises(EstimateError, match=r"^NPS of 'nps': no answers in the base$"):
        nps(d, "nps", domain=df["nps"].isna().to_numpy())
    with pytest.raises(EstimateError, match=r"^NPS of 'nps': no answers in the base for sex = 'f'$"):
        nps(d, "nps", by="sex", domain=(df["sex"] == "m").to_numpy())


# ------------------------------------------------------------------ nps_groups and nps_from_shares

def test_nps_groups_message_lists_five_values_and_rows():
    """Six bad answers: the message shows the first five distinct values and the first five row labels.
    Fails if either list takes six, the name is not repr'd, or the codes are objects (default=None)."""
    s = pd.Series([11, 12, 13, 14, 15, 16, 5], index=list("abcdefg"), name="anbefale")
    with pytest.raises(EstimateError) as e:
        nps_groups(s)
    msg = str(e.value)  # the values as written, 11, not numpy's repr np.int64(11)
    assert msg == ("NPS answers must be whole numbers 0-10 (or missing for don't know); 'anbefale' has "
                   "[11, 12, 13, 14, 15] in rows ['a', 'b', 'c', 'd', 'e']")
    with pytest.raises(EstimateError, match=re.escape("has ['ti'] in rows [1]")):
        nps_groups(pd.Series(["7", "ti"], name="x"))
    g = nps_groups(pd.Series(["7", "10", None], index=[5, 6, 7]))
    assert g.index.tolist() == [5, 6, 7] and g.tolist()[:2] == [1, 2] and np.isnan(g[7])
    assert g.dtype == np.float64  # numeric codes with NaN for don't know, not objects


def test_nps_from_shares_boundaries_and_messages():
    """100 % promoters, 0 % detractors and a sum of 100.5 (rounding) are accepted; 100.6, -0.1 and n = 0
    are not, with exact messages. Fails if a bound becomes strict or moves."""
    r = nps_from_shares(100.0, 0.0, 50)
    assert (r["nps"], r["se"], r["ci_low"], r["ci_high"]) == (100.0, 0.0, 100.0, 100.0)
    assert nps_from_shares(0.0, 100.0, 50)["nps"] == -100.0
    assert nps_from_shares(60.0, 40.5, 50)["nps"] == pytest.approx(19.5)
    assert nps_from_shares(50.0, 20.0, 0.5)["n"] == 0.5
    with pytest.raises(EstimateError,
                       match=r"^promoters 60\.0 and detractors 40\.6 must be percents summing to <= 100$"):
        nps_from_shares(60.0, 40.6, 50)
    with pytest.raises(EstimateError, match=r"^promoters -0\.1 and detractors 10 must be percents"):
        nps_from_shares(-0.1, 10, 50)
    with pytest.raises(EstimateError, match=r"^promoters 0 and detractors 100\.2 must be percents"):
        nps_from_shares(0, 100.2, 50)  # the sum is within the 100.5 rounding allowance, the share is not
    with pytest.raises(EstimateError, match=r"^promoters 100\.1 and detractors 0 must be percents"):
        nps_from_shares(100.1, 0, 50)
    with pytest.raises(EstimateError, match=r"^base n must be positive, got 0$"):
        nps_from_shares(10, 10, 0)
    assert set(nps_from_shares(40, 20, 100)) == {"nps", "se", "ci_low", "ci_high", "n", "deff"}
