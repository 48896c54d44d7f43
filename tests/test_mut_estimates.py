"""Mutation-killing tests of ehelse.estimates (issue 17): difference_test on hand-computable inputs."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse.estimates import EstimateError, correlations, design, difference_test, shares


def test_difference_test_by_hand():
    """est2 - est1 with SE sqrt(3^2 + 4^2) = 5: z = 10 / 5 = 2. Fails if a column is renamed or z dropped."""
    t = difference_test(30.0, 3.0, 40.0, 4.0)
    assert list(t.columns) == ["difference", "se", "z", "p_value"]
    r = t.iloc[0]
    assert (r["difference"], r["se"], r["z"]) == (10.0, 5.0, 2.0)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(2.0), rel=1e-12)


def test_difference_test_with_zero_se_is_quiet():
    """Two exact values (SE 0): a difference gives z = inf and p = 0, no difference gives NaN, and
    neither warns. Fails if the errstate guard loses divide= or invalid= (mutants 15-18)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = difference_test([0.3, 0.3], [0.0, 0.0], [0.4, 0.3], [0.0, 0.0])
    assert np.isinf(t["z"][0]) and t["p_value"][0] == 0.0
    assert np.isnan(t["z"][1]) and np.isnan(t["p_value"][1])


def test_difference_test_on_an_object_column_with_a_missing_value():
    """A table column of object dtype (numbers and None for a missing estimate) gives a NaN row, not a
    TypeError. Fails if the inputs are not converted with dtype=float (mutants dtype=None, no dtype)."""
    est1 = pd.Series([0.30, None], dtype=object)
    se = pd.Series([0.03, 0.03], dtype=object)
    t = difference_test(est1, se, pd.Series([0.34, 0.35], dtype=object), pd.Series([0.04, 0.04], dtype=object))
    assert t["difference"][0] == pytest.approx(0.04, rel=1e-12)
    assert t["se"][0] == pytest.approx(0.05, rel=1e-12)
    assert t["z"][0] == pytest.approx(0.8, rel=1e-12)
    assert np.isnan(t["difference"][1]) and np.isnan(t["z"][1]) and np.isnan(t["p_value"][1])


# ------------------------------------------------------------------ correlations

ORDER = ["H", "M", "L"]  # scored 3, 2, 1 (first label highest)
_ = None
CORR = pd.DataFrame({
    "t": ["H", "M", "L", "H", "M", "L", "H", "Vet ikke", "H", "H"],
    "a": ["H", "M", "M", "L", "L", "L", "H", "H", "M", "Vet ikke"],
    "k": ["M"] * 10,                                      # constant
    "c": ["H", "L", "M", _, _, _, _, _, _, _],            # 3 pairs
    "e": ["H", "L", "L", "H", _, _, _, _, _, _],          # 4 pairs, 2 distinct answers
    "f": ["H", "M", _, "L", "L", _, _, _, _, _],          # 4 pairs, the target has 2 distinct answers
    "d": ["L", _, _, "M", _, _, "H", _, "L", _],          # 4 pairs, the target is constant (all H)
})
COLS = ["c", "a", "k", "e", "f", "d"]


def _pearson(col):
    score = {"H": 3.0, "M": 2.0, "L": 1.0}
    x, y = CORR[col].map(score), CORR["t"].map(score)
    ok = x.notna() & y.notna()
    x, y = x[ok].to_numpy(), y[ok].to_numpy()
    xc, yc = x - x.mean(), y - y.mean()
    return (xc * yc).sum() / np.sqrt((xc ** 2).sum() * (yc ** 2).sum()), int(ok.sum())


def _bh(p):
    """Benjamini-Hochberg by hand: p_(i) * m / i, made monotone from the largest down."""
    p = np.asarray(p, float)
    m, order = len(p), np.argsort(p)
    adj = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1)
    return out


def test_correlations_by_hand():
    """r of the scale scores, n of the complete pairs (answers outside the order left out), Fisher-z CI
    and p with se = 1 / sqrt(n - 3), BH over the testable rows; columns in the order given, degenerate
    ones (3 pairs, a constant column or target) as NaN rows with their n, without a warning.
    Fails if the n >= 4 or the >= 2 distinct answers rules move (<= 4, < 5, <= 2, < 3, `and` for `or`),
    a degenerate column ends the loop (break), a key is renamed, p or the CI's constants change, or the
    adjustment is dropped (correlations mutants)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = correlations(CORR, "t", COLS, {c: ORDER for c in ["t", *COLS]})
    assert list(t.columns) == ["column", "r", "ci_low", "ci_high", "n", "p_value", "p_adjusted"]
    assert t["column"].tolist() == COLS
    assert t["n"].tolist() == [3, 8, 9, 4, 4, 4]
    for c in ("c", "k", "d"):
        row = t[t["column"] == c].iloc[0]
        assert np.isnan(row[["r", "ci_low", "ci_high", "p_value", "p_adjusted"]].astype(float)).all()
    z = stats.norm.ppf(0.975)
    ps = []
    for c in ("a", "e", "f"):
        row = t[t["column"] == c].iloc[0]
        r, n = _pearson(c)
        assert row["n"] == n and row["r"] == pytest.approx(r, rel=1e-12)
        fz, se = np.arctanh(r), 1 / np.sqrt(n - 3)
        assert row["ci_low"] == pytest.approx(np.tanh(fz - z * se), rel=1e-12)
        assert row["ci_high"] == pytest.approx(np.tanh(fz + z * se), rel=1e-12)
        assert row["p_value"] == pytest.approx(2 * stats.norm.sf(abs(fz) * np.sqrt(n - 3)), rel=1e-12)
        ps.append(row["p_value"])
    got = t.set_index("column").loc[["a", "e", "f"], "p_adjusted"].to_numpy(float)
    np.testing.assert_allclose(got, _bh(ps), rtol=1e-12)


def test_correlations_level():
    """level=0.90: the Fisher-z interval uses z(0.95). Fails if the level argument is ignored."""
    t = correlations(CORR, "t", ["a"], {"t": ORDER, "a": ORDER}, level=0.90).iloc[0]
    r, n = _pearson("a")
    assert t["ci_high"] == pytest.approx(np.tanh(np.arctanh(r) + stats.norm.ppf(0.95) / np.sqrt(n - 3)), rel=1e-12)


# ------------------------------------------------------------------ answer errors name the first five rows

def test_missing_and_unknown_answer_messages_list_the_first_five_rows_in_the_domain():
    """Six missing answers: the message counts six and lists the first five row labels; seven unknown
    answers, one outside the domain: the first five inside the domain. Fails if the lists take six rows,
    include rows outside the domain (`mask | unknown`) or are lost."""
    idx = [f"r{i}" for i in range(10)]
    df = pd.DataFrame({"q": [None] * 6 + ["Ja"] * 4}, index=idx)
    with pytest.raises(EstimateError, match=re.escape(
            "question 'q' has no answer for 6 respondent(s) in the domain (rows ['r0', 'r1', 'r2', 'r3', "
            "'r4']); restrict the domain to those asked, e.g. domain=data['q'].notna()") + "$"):
        shares(design(df), "q")
    df = pd.DataFrame({"q": ["Kanskje"] * 7 + ["Ja", "Nei", "Ja"]}, index=idx)
    dom = np.array([False] + [True] * 9)
    with pytest.raises(EstimateError, match=re.escape(
            "question 'q': answer 'Kanskje' (rows ['r1', 'r2', 'r3', 'r4', 'r5']) is not one of the "
            "categories ['Ja', 'Nei']") + "$"):
        shares(design(df), "q", categories=["Ja", "Nei"], domain=dom)


# ------------------------------------------------------------------ design, domains, shares on 8 respondents

from ehelse.estimates import (_check_ci, _srs_var, adjust_pvalues, domain_difference, nets,  # noqa: E402
                              net_indicator, proportion_ci, published_change_test, published_share_ci,
                              published_share_se, suppress)
from ehelse.weighting import rake  # noqa: E402

ANS = pd.DataFrame({"q": ["Ja", "Ja", "Nei", "Ja", "Nei", "Nei", "Vet ikke", "Ja"],
                    "sex": list("ffffmmmm"), "w": [1.0, 2, 1, 2, 1, 2, 1, 2]})


def _norm(msg):
    return re.sub(r"np\.\w+\((.*?)\)", r"\1", msg)  # numpy 2 writes np.int64(3)


def test_design_inputs_and_messages():
    """Equal weights by default, a weight column by name, a RakeResult with its variables; exact messages.
    Fails if a weight source is read otherwise or not as floats, a RakeResult's variables are lost or a
    message (row label, count, column) changes (design / _domain_mask mutants)."""
    assert design(ANS).weights.tolist() == [1.0] * 8 and design(ANS).rake_vars == ()
    assert design(ANS, "w").weights.tolist() == ANS["w"].tolist()
    obj = design(ANS.assign(w=pd.Series(ANS["w"].tolist(), dtype=object)), "w")  # a weight column of objects
    assert obj.weights.dtype == np.float64
    assert design(ANS, [1, 2, 1, 2, 1, 2, 1, 2]).weights.dtype == np.float64  # integer weights become floats
    r = rake(ANS, {"sex": {"f": 50.0, "m": 50.0}})
    d = design(ANS, r)
    assert d.rake_vars == ("sex",) and d.weights.tolist() == pytest.approx([12.5] * 8) and d.n == 8
    assert design(ANS, r, rake_vars=["sex", "q"]).rake_vars == ("sex", "q")
    with pytest.raises(EstimateError, match=r"^weight column 'vekt' is not in the data$"):
        design(ANS, "vekt")
    with pytest.raises(EstimateError, match=r"^3 weights for 8 respondents$"):
        design(ANS, np.ones(3))
    with pytest.raises(EstimateError) as e:
        design(ANS, np.array([1, 1, 0, 1, -1, 1, 1, 1.0]))
    assert _norm(str(e.value)) == ("weight of row 2 is 0.0 (2 such rows); weights must be positive (respondents "
                                   "left out of weighting must be removed from the data explicitly)")
    with pytest.raises(EstimateError, match=r"^raking variable 'age' is not in the data$"):
        design(ANS, rake_vars=["age"])
    with pytest.raises(EstimateError, match=r"^raking variable 'sex' has missing values$"):
        design(ANS.assign(sex=[None] + list("fffmmmm")), rake_vars=["sex"])
    with pytest.raises(EstimateError, match=r"^domain must be a boolean mask \(e\.g\. data\['q'\]\.notna\(\)\), "
                                            r"not a string$"):
        shares(design(ANS), "q", domain="sex")
    for bad in (np.ones(8), np.ones(7, dtype=bool)):
        with pytest.raises(EstimateError, match=r"^domain must be a boolean mask of length 8$"):
            shares(design(ANS), "q", domain=bad)


def test_shares_deff_is_one_without_weights_and_the_finite_population_factor_with():
    """Unweighted: SE sqrt(p (1 - p) / (n - 1)) and deff exactly 1 (the SRS variance of svymean uses
    s^2 = n/(n-1) p(1-p)); with every weight 10 (N = 10 n) the SRS variance carries (N - n) / N, so deff
    is 1 / 0.9. Fails if _srs_var's branches or factors change."""
    d = design(ANS)
    t = shares(d, "q", exclude=["Vet ikke"])
    assert list(t.columns) == ["category", "estimate", "se", "ci_low", "ci_high", "deff", "n", "n_weighted", "n_eff"]
    assert t["category"].tolist() == ["Ja", "Nei"]
    p = np.array([4, 3]) / 7
    np.testing.assert_allclose(t["estimate"], p, rtol=1e-14)
    # the domain of 7 answers in a design of 8 rows: Var = 8/7 * sum z^2, z = (y - p) / 7
    np.testing.assert_allclose(t["se"], np.sqrt(8 / 7 * p * (1 - p) / 7), rtol=1e-12)
    srs = p * (1 - p) * 7 / 6 / 7
    np.testing.assert_allclose(t["deff"], (8 / 7 * p * (1 - p) / 7) / srs, rtol=1e-12)
    t10 = shares(design(ANS, np.full(8, 10.0)), "q", exclude=["Vet ikke"])
    np.testing.assert_allclose(t10["deff"], t["deff"] / 0.9, rtol=1e-12)
    assert t["n"].tolist() == [7, 7] and t10["n_weighted"].tolist() == [70.0, 70.0]
    one = _srs_var(np.array([0.5]), {"n": 1, "n_weighted": 1.0})  # one respondent: no SRS variance
    assert one.shape == (1,) and np.isnan(one).all()
    assert _srs_var(np.array([0.5]), {"n": 2, "n_weighted": 4.0})[0] == pytest.approx(0.5 * 2 / 8)
    assert _srs_var(np.array([0.5]), {"n": 2, "n_weighted": 2.0})[0] == pytest.approx(0.5 / 2)


def test_shares_and_nets_of_an_empty_subgroup_are_rows_to_suppress():
    """A subgroup level without respondents in the base gives NaN rows with n 0, not an error.
    Fails if the empty-subgroup branch of shares or nets is skipped, or its NaN rows carry other keys or bases."""
    d = design(ANS)
    dom = (ANS["sex"] == "f").to_numpy()
    t = shares(d, "q", by="sex", domain=dom)
    m = t[t["sex"] == "m"]
    assert m["category"].tolist() == ["Ja", "Nei"] and m["n"].tolist() == [0, 0]
    assert m["estimate"].isna().all() and m["deff"].isna().all() and m["n_eff"].tolist() == [0.0, 0.0]
    t = nets(d, "q", {"ja": ["Ja"]}, by="sex", domain=dom)
    assert t["sex"].tolist() == ["f", "m"] and t["n"].tolist() == [4, 0] and np.isnan(t["estimate"][1])
    assert t["estimate"][0] == pytest.approx(0.75) and t["n_weighted"][1] == 0.0


def test_net_messages():
    """Exact messages of an unknown net member (nets, net_indicator) and an unknown question; the 0/1 net and
    its base by hand. Fails if a message or the base (excluded answers left out) changes."""
    d = design(ANS)
    with pytest.raises(EstimateError, match=re.escape(
            "net 'x': categories ['Kanskje'] are not in the base ['Ja', 'Nei', 'Vet ikke']") + "$"):
        nets(d, "q", {"x": ["Ja", "Kanskje"]})
    with pytest.raises(EstimateError, match=re.escape(
            "net of 'q': categories ['Vet ikke'] are not in the base ['Ja', 'Nei']") + "$"):
        net_indicator(d, "q", ["Vet ikke"], exclude=["Vet ikke"])
    y, base = net_indicator(d, "q", ["Ja"], exclude=["Vet ikke"])
    assert y.tolist() == [1, 1, 0, 1, 0, 0, 0, 1] and base.tolist() == [True] * 6 + [False, True]
    y, base = net_indicator(d, "q", ["Kanskje"], categories=["Ja", "Nei", "Vet ikke", "Kanskje"],
                            domain=(ANS["sex"] == "m").to_numpy())  # a declared category nobody chose
    assert y.tolist() == [0.0] * 8 and base.tolist() == [False] * 4 + [True] * 4
    with pytest.raises(EstimateError, match=r"^question 'z' is not a column of the data$"):
        shares(d, "z")


def test_domain_difference_messages():
    """Exact messages of domain_difference and _domain_values (first five rows, count, name 'y' for an unnamed
    array); domain vs total by hand. Fails if a message or the 'total' branch changes."""
    d = design(ANS)
    a = (ANS["sex"] == "f").to_numpy()
    with pytest.raises(EstimateError, match=r"^domain_difference: domain_a has no respondent in the base$"):
        domain_difference(d, np.ones(8), np.zeros(8, dtype=bool))
    with pytest.raises(EstimateError, match=r"^domain_difference: domain_b has no respondent in the base$"):
        domain_difference(d, np.ones(8), a, "rest", base=a)
    with pytest.raises(EstimateError, match=r"^domain_difference: 3 values for 8 respondents$"):
        domain_difference(d, np.ones(3), a)
    with pytest.raises(EstimateError, match=r"^variable 'z' is not a column of the data$"):
        domain_difference(d, "z", a)
    with pytest.raises(EstimateError, match=re.escape(
            "domain_difference: 'v' is missing or not numeric for 6 respondent(s) in the base (rows [0, 1, 2, 3, "
            "4]); restrict the base (base=...) to those with a value") + "$"):
        domain_difference(design(ANS.assign(v=[None] * 6 + [1.0, 2.0])), "v", a)
    with pytest.raises(EstimateError, match=re.escape("'y' is missing or not numeric for 1")):
        domain_difference(d, np.r_[np.nan, np.ones(7)], a)
    with pytest.raises(EstimateError, match=re.escape("'score' is missing or not numeric for 1 respondent(s)")):
        domain_difference(d, pd.Series([np.nan] + [1.0] * 7, name="score"), a)
    with pytest.raises(EstimateError, match=re.escape("'y' is missing or not numeric for 1 respondent(s)")):
        domain_difference(d, ["n/a"] + [1.0] * 7, a)  # text is "not numeric", not a pandas error
    r = domain_difference(design(ANS.assign(v=np.arange(8.0))), "v", a, "total")
    assert (r["estimate_a"], r["estimate_b"], r["n_a"], r["n_b"]) == (1.5, 3.5, 4, 8)


def test_suppress_boundaries_and_flags():
    """Base exactly min_base is kept, just below is blanked; flags name the bases; every value column
    (nps and its shares included) is blanked, other columns are not.
    Fails if `<` becomes `<=` for either base, a flag text changes, a default value column is dropped, the input
    is modified or settings' bases are not the defaults."""
    t = pd.DataFrame({"n_eff": [29.9, 30.0, 99.9, 100.0], "estimate": [1.0] * 4, "nps": [5.0] * 4,
                      "promoters": [1.0] * 4, "other": [7.0] * 4})
    out = suppress(t, min_base=30, flag_base=100)
    half = suppress(t, min_base=30, flag_base=50)  # flag_base given, not settings.yml's 100
    assert half["flag"].tolist() == ["base < 30: suppressed", "base < 50: interpret with care", "", ""]
    assert out["suppressed"].tolist() == [True, False, False, False]
    assert out["flag"].tolist() == ["base < 30: suppressed", "base < 100: interpret with care",
                                    "base < 100: interpret with care", ""]
    assert np.isnan(out["estimate"][0]) and np.isnan(out["nps"][0]) and np.isnan(out["promoters"][0])
    assert out["other"].tolist() == [7.0] * 4 and out["estimate"][1] == 1.0
    assert t["estimate"][0] == 1.0  # the input is not changed
    dflt = suppress(t)  # settings.yml: 30 and 100
    assert dflt["flag"].tolist() == out["flag"].tolist()
    assert suppress(t.rename(columns={"n_eff": "n"}), base_col="n", min_base=50, flag_base=60)["suppressed"].tolist() \
        == [True, True, False, False]
    with pytest.raises(EstimateError, match=r"^suppress: the table has no base column 'n_eff'$"):
        suppress(pd.DataFrame({"n": [1]}))


def test_interval_checks_and_methods_by_hand():
    """Exact messages; wilson by its formula on the effective n = p(1-p)/se^2; logit with z when df is
    None; korn_graubard Clopper-Pearson with the df rescaling, 0 at p = 0.
    Fails if a message, the z / t choice, the Wilson formula, the Clopper-Pearson df rescaling or the p = 0 / 1
    bounds change (_check_ci, proportion_ci, _clopper_pearson mutants)."""
    with pytest.raises(EstimateError, match=re.escape(
            "unknown CI method 'exact': use one of 'logit', 'wilson', 'korn_graubard'") + "$"):
        _check_ci(0.95, "exact")
    for lev in (0, 1, 95):
        with pytest.raises(EstimateError, match=re.escape(
                f"confidence level must be between 0 and 1 (e.g. 0.95), got {lev!r}") + "$"):
            _check_ci(lev, "logit")
    p, se = 0.3, 0.05
    n = p * (1 - p) / se ** 2
    z = stats.norm.ppf(0.975)
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    lo, hi = proportion_ci(p, se, 10, method="wilson")
    assert (lo, hi) == (pytest.approx(centre - half, rel=1e-12), pytest.approx(centre + half, rel=1e-12))
    lo, hi = proportion_ci(p, se, None)
    b, sb = np.log(p / (1 - p)), se / (p * (1 - p))
    assert hi == pytest.approx(1 / (1 + np.exp(-(b + z * sb))), rel=1e-12)
    lo, hi = proportion_ci(p, se, 10, method="korn_graubard", n_design=30)
    ne = n * (stats.t.ppf(0.025, 29) / stats.t.ppf(0.025, 10)) ** 2
    assert lo == pytest.approx(stats.beta.ppf(0.025, ne * p, ne * (1 - p) + 1), rel=1e-10)
    assert hi == pytest.approx(stats.beta.ppf(0.975, ne * p + 1, ne * (1 - p)), rel=1e-10)
    lo2, _ = proportion_ci(p, se, 10, method="korn_graubard")  # n_design defaults to df + 1: no rescaling
    assert lo2 == pytest.approx(stats.beta.ppf(0.025, n * p, n * (1 - p) + 1), rel=1e-10)
    lo, hi = proportion_ci(np.array([0.0, 1.0]), np.array([0.01, 0.01]), 10, method="korn_graubard")
    assert lo[0] == 0.0 and hi[1] == 1.0


def test_published_shares_by_hand():
    """SE 100 sqrt(deff p (1 - p) / n) (deff 2 multiplies it by sqrt 2); 0 and 100 % are shares, 100.1 % or
    n = 0 are not; the CI methods by their formulas on the effective n = n / deff.
    Fails if deff, a bound of the input check, the effective n or a method's formula changes (published_share_se
    / _ci mutants)."""
    assert published_share_se(50, 100, deff=2) == pytest.approx(5 * np.sqrt(2), rel=1e-14)
    assert published_share_se([0, 100], [10, 10]).tolist() == [0.0, 0.0]
    assert published_share_se(50, 1) == pytest.approx(50.0)  # a base of 1 is a base
    se = published_share_se([50, None, 50], [100, 100, None])  # a missing share or base: no SE, no error
    assert se[0] == pytest.approx(5.0) and np.isnan(se[1]) and np.isnan(se[2])
    for args in ((100.1, 10), (-0.1, 10), (50, 0)):
        with pytest.raises(EstimateError, match=r"^published shares must be within 0-100 and bases positive$"):
            published_share_se(*args)
    lo, hi = published_share_ci(30, 200, 2.0, level=0.9, method="korn_graubard")
    assert lo == pytest.approx(100 * stats.beta.ppf(0.05, 100 * 0.3, 100 * 0.7 + 1), rel=1e-10)
    assert hi == pytest.approx(100 * stats.beta.ppf(0.95, 100 * 0.3 + 1, 100 * 0.7), rel=1e-10)
    lo, hi = published_share_ci(30, 200, 2.0, level=0.9, method="logit")
    se = np.sqrt(2 * 0.21 / 200)
    b, sb, z = np.log(0.3 / 0.7), se / 0.21, stats.norm.ppf(0.95)
    assert lo == pytest.approx(100 / (1 + np.exp(-(b - z * sb))), rel=1e-12)
    n, p = 100.0, 0.3
    z = stats.norm.ppf(0.95)
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    lo, hi = published_share_ci(30, 200, 2.0, level=0.9, method="wilson")
    assert lo == pytest.approx(100 * (centre - half), rel=1e-10)
    assert hi == pytest.approx(100 * (centre + half), rel=1e-10)
    d_lo, d_hi = published_share_ci(30, 200, 2.0)  # settings: 95 % logit
    assert d_lo == pytest.approx(100 / (1 + np.exp(-(b - stats.norm.ppf(0.975) * sb))), rel=1e-12)
    with pytest.raises(EstimateError, match="unknown CI method"):
        published_share_ci(30, 200, method="exact")


def test_published_change_test_by_hand():
    """Wald with unpooled variance on n / deff; both shares at 0 or 100 % (here 100 -> 0) give no test; columns.
    Fails if the effective n, the both-at-the-scale-ends rule (`and`, not `or`) or a column changes."""
    t = published_change_test([100, 30], [50, 400], [0, 40], [50, 100], deff1=2.0, deff2=1.0)
    assert list(t.columns) == ["difference", "z", "p_value"]
    z = 0.10 / np.sqrt(0.3 * 0.7 / 200 + 0.4 * 0.6 / 100)
    assert t["difference"].tolist() == [-100.0, 10.0]  # b - a, the untestable row first, the loop goes on
    assert t["z"][1] == pytest.approx(z, rel=1e-9)
    assert t["p_value"][1] == pytest.approx(2 * stats.norm.sf(z), rel=1e-8)
    assert np.isnan(t["z"][0]) and np.isnan(t["p_value"][0])
    one = published_change_test(0, 50, 10, 50)  # one side at 0 % is still testable
    assert np.isfinite(one["z"][0])


def test_adjust_pvalues_keeps_nan_and_takes_a_method():
    """Benjamini-Hochberg and Bonferroni by hand on the non-missing p-values. Fails if NaN is not kept, the
    method argument is ignored or all-NaN input is not all NaN."""
    p = [0.01, np.nan, 0.04, 0.03]
    bh = adjust_pvalues(p)
    assert np.isnan(bh[1]) and bh[[0, 2, 3]].tolist() == pytest.approx([0.03, 0.04, 0.04], rel=1e-12)
    assert adjust_pvalues(p, "bonferroni")[[0, 2, 3]].tolist() == pytest.approx([0.03, 0.12, 0.09], rel=1e-12)
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()
    withnone = adjust_pvalues([0.01, None, 0.04])  # None as a missing p-value, e.g. from an object column
    assert np.isnan(withnone[1]) and withnone[[0, 2]].tolist() == pytest.approx([0.02, 0.04], rel=1e-12)


def test_subgroups_levels_messages_and_whole_base_categories():
    """by= levels follow a categorical's order; a group lacking an answer keeps its row at 0; exact
    messages for an unknown or incomplete by variable; subgroup_nets' adjust="none" keeps the raw p.
    Fails if _by_levels, _whole_base_categories or the adjust switch change (mutants)."""
    from ehelse.estimates import subgroup_nets

    df = ANS.assign(sex=pd.Categorical(ANS["sex"], categories=["m", "f"]))
    t = shares(design(df), "q", by="sex")
    assert t["sex"].tolist() == ["m"] * 3 + ["f"] * 3
    f_vi = t[(t["sex"] == "f") & (t["category"] == "Vet ikke")]
    assert f_vi["estimate"].tolist() == [0.0]  # no woman said "Vet ikke": a row at 0, not missing
    with pytest.raises(EstimateError, match=r"^question 'z' is not a column of the data$"):
        shares(design(ANS), "z", by="sex")
    given = shares(design(ANS), "q", by="sex", categories=["Ja", "Nei", "Vet ikke", "Kanskje"])
    assert given["category"].tolist() == ["Ja", "Nei", "Vet ikke", "Kanskje"] * 2  # categories= wins under by
    with pytest.raises(EstimateError, match=r"^subgroup variable 'z' is not in the data$"):
        shares(design(ANS), "q", by="z")
    with pytest.raises(EstimateError, match=r"^subgroup variable 'sex' has 2 missing values$"):
        shares(design(ANS.assign(sex=[None, None] + list("ffmmmm"))), "q", by="sex")
    raw = subgroup_nets(design(ANS), "q", ["Ja"], ["sex"], exclude=["Vet ikke"], min_base=1, flag_base=1,
                        adjust="none")
    assert raw["p_adjusted"].tolist() == raw["p_value"].tolist()
    bh = subgroup_nets(design(ANS), "q", ["Ja"], ["sex"], exclude=["Vet ikke"], min_base=1, flag_base=1)
    np.testing.assert_allclose(bh["p_adjusted"], _bh(bh["p_value"]), rtol=1e-12)
    assert list(bh.columns) == ["variable", "level", "estimate", "se", "ci_low", "ci_high", "n", "n_weighted",
                                "n_eff", "vs_total", "vs_total_se", "p_value", "suppressed", "flag", "p_adjusted"]
    assert bh["vs_total"].tolist() == pytest.approx([3 / 4 - 4 / 7, 1 / 3 - 4 / 7], rel=1e-12)


# ------------------------------------------------------------------ round 3: bases, categorical answers, linearised_cov

from ehelse.estimates import linearised_cov  # noqa: E402


def test_suppress_with_only_flag_base_given_takes_min_base_from_settings():
    """flag_base=50 alone: min_base comes from settings.yml (30), flag_base stays 50.
    Fails if _bases replaces a given flag_base or skips settings when only min_base is missing (mutants 2, 12)."""
    t = pd.DataFrame({"n_eff": [29.9, 30.0, 49.9, 50.0, 99.9]})
    out = suppress(t, flag_base=50)
    assert out["flag"].tolist() == ["base < 30: suppressed", "base < 50: interpret with care",
                                    "base < 50: interpret with care", "", ""]
    assert suppress(t, min_base=40)["flag"].tolist() == ["base < 40: suppressed", "base < 40: suppressed",
                                                          "base < 100: interpret with care",
                                                          "base < 100: interpret with care",
                                                          "base < 100: interpret with care"]


def test_categorical_answers_chosen_once_count_and_a_missing_one_is_named():
    """A categorical question whose 'Nei' was chosen by one respondent: shares 3/4 and 1/4, no category lost;
    a missing answer in a categorical column names the question.
    Fails if a category needs more than one respondent to be seen (`> 1`, mutant 28) or the message loses the
    question (mutant 9)."""
    cat = pd.Categorical(["Ja", "Ja", "Nei", "Ja"], categories=["Ja", "Nei", "Vet ikke"])
    t = shares(design(pd.DataFrame({"q": cat})), "q")
    assert t["category"].tolist() == ["Ja", "Nei"] and t["estimate"].tolist() == [0.75, 0.25]
    miss = pd.Categorical(["Ja", None, "Nei", "Ja"], categories=["Ja", "Nei"])
    with pytest.raises(EstimateError, match=re.escape(
            "question 'q' has no answer for 1 respondent(s) in the domain (rows [1]); restrict the domain to those "
            "asked, e.g. domain=data['q'].notna()") + "$"):
        shares(design(pd.DataFrame({"q": miss})), "q")


def test_domain_difference_of_a_constant_has_no_test():
    """y = 1 everywhere: both means 1, difference 0 with SE 0; t and p are NaN, not a ZeroDivisionError.
    Fails if the t statistic is computed when se is 0 (`>= 0`, `or True`: mutants 113, 115)."""
    r = domain_difference(design(ANS), np.ones(8), (ANS["sex"] == "f").to_numpy())
    assert (r["estimate_a"], r["estimate_b"], r["difference"], r["se"]) == (1.0, 1.0, 0.0, 0.0)
    assert np.isnan(r["t"]) and np.isnan(r["p_value"])


def test_linearised_cov_shapes_dtypes_and_message():
    """A 1-D influence vector is one estimate: n/(n-1) times its centred sum of squares; influence values of
    object dtype give a float matrix (raked design too); the message gives the rows of z, not its columns.
    Fails if a 1-D z is not made a column (mutant 8), z is not made float (mutants 3, 5), the adjustment starts
    from an object array (mutant 43) or the message changes (mutants 11, 12)."""
    z = np.array([1.0, -2.0, 0.5, 3.0, 0.0, -1.0, 2.0, -0.5])
    v = linearised_cov(design(ANS), z)
    assert v.shape == (1, 1) and v[0, 0] == pytest.approx(8 / 7 * ((z - z.mean()) ** 2).sum(), rel=1e-13)
    raked = design(ANS, rake(ANS, {"sex": {"f": 50.0, "m": 50.0}}))
    for d in (design(ANS), raked):
        obj = linearised_cov(d, z.astype(object))
        assert obj.dtype == np.float64
        np.testing.assert_allclose(obj, linearised_cov(d, z), rtol=1e-13)
    # raked on sex: the influence loses its mean within each sex before the cross-product
    zc = z - pd.Series(z).groupby(ANS["sex"]).transform("mean").to_numpy()
    assert linearised_cov(raked, z)[0, 0] == pytest.approx(8 / 7 * (zc ** 2).sum(), rel=1e-12)
    with pytest.raises(EstimateError, match=r"^influence values for 3 respondents, the design has 8$"):
        linearised_cov(design(ANS), np.ones((3, 2)))


# ------------------------------------------------------------------ round 3: nets and subgroup_nets by hand

def _wilson(p, n, z):
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    return centre - half, centre + half


def _logit(p, se, df, level):
    q = stats.t.ppf(0.5 + level / 2, df)
    b, sb = np.log(p / (1 - p)), se / (p * (1 - p))
    return 1 / (1 + np.exp(-(b - q * sb))), 1 / (1 + np.exp(-(b + q * sb)))


NET_COLS = ["net", "estimate", "se", "ci_low", "ci_high", "n", "n_weighted", "n_eff"]


def test_nets_columns_methods_and_design_rows_by_hand():
    """Unweighted, 7 answers of 8 rows: net 'ja' = 4/7 with SE^2 = 8/7 p(1-p)/7 (the design's n is 8); columns in
    order without a subgroup; ci='wilson' is Wilson on the effective n p(1-p)/SE^2; korn_graubard in the domain of
    women (4 of the 8 rows) rescales by t(alpha/2, 8 - 1) / t(alpha/2, 3), the design's rows, not the domain's.
    Fails if a subgroup key is added without by (mutant 110), a column is renamed or lost (113, 119, 121), the
    method or n_design is not passed on (3, 98, 103, 104)."""
    d = design(ANS)
    t = nets(d, "q", {"ja": ["Ja"], "nei": ["Nei"]}, exclude=["Vet ikke"], ci="wilson", level=0.9)
    assert list(t.columns) == NET_COLS and t["net"].tolist() == ["ja", "nei"]
    p = np.array([4, 3]) / 7
    se = np.sqrt(8 / 7 * p * (1 - p) / 7)
    np.testing.assert_allclose(t["estimate"], p, rtol=1e-14)
    np.testing.assert_allclose(t["se"], se, rtol=1e-12)
    lo, hi = _wilson(p, p * (1 - p) / se ** 2, stats.norm.ppf(0.95))
    np.testing.assert_allclose(t["ci_low"], lo, rtol=1e-10)
    np.testing.assert_allclose(t["ci_high"], hi, rtol=1e-10)
    assert t["n"].tolist() == [7, 7] and t["n_weighted"].tolist() == [7.0, 7.0]
    f = (ANS["sex"] == "f").to_numpy()
    k = nets(d, "q", {"ja": ["Ja"]}, domain=f, ci="korn_graubard").iloc[0]  # women: Ja Ja Nei Ja
    p, se = 0.75, np.sqrt(8 / 7 * 0.75 * 0.25 / 4)
    ne = p * (1 - p) / se ** 2 * (stats.t.ppf(0.025, 7) / stats.t.ppf(0.025, 3)) ** 2
    assert k["estimate"] == 0.75 and k["se"] == pytest.approx(se, rel=1e-12)
    assert k["ci_low"] == pytest.approx(stats.beta.ppf(0.025, ne * p, ne * (1 - p) + 1), rel=1e-10)
    assert k["ci_high"] == pytest.approx(stats.beta.ppf(0.975, ne * p + 1, ne * (1 - p)), rel=1e-10)


def test_nets_empty_first_subgroup_row_and_given_categories_under_by():
    """Domain of men, by sex: the women's (first) level is empty: one row per net with NaN estimate, SE and CI
    and bases 0, in the table's columns only; the men's rows follow. Under by, categories= is the caller's: an
    answer outside it is an error.
    Fails if a key of the empty row is renamed, its n_eff is not 0, the loop stops at the empty level (`break`)
    (nets mutants 33-52) or the given categories are replaced by the data's (mutant 14)."""
    d = design(ANS)
    m = (ANS["sex"] == "m").to_numpy()
    t = nets(d, "q", {"ja": ["Ja"], "nei": ["Nei"]}, by="sex", domain=m)
    assert list(t.columns) == ["sex"] + NET_COLS
    assert t["sex"].tolist() == ["f", "f", "m", "m"] and t["net"].tolist() == ["ja", "nei", "ja", "nei"]
    empty = t[t["sex"] == "f"]
    assert empty[["estimate", "se", "ci_low", "ci_high"]].isna().all().all()
    assert empty["n"].tolist() == [0, 0] and empty["n_weighted"].tolist() == [0.0, 0.0]
    assert empty["n_eff"].tolist() == [0.0, 0.0]
    assert t["estimate"][2:].tolist() == pytest.approx([0.25, 0.5], rel=1e-14)  # men: Nei Nei Vet ikke Ja
    with pytest.raises(EstimateError, match=re.escape(
            "question 'q': answer 'Vet ikke' (rows [6]) is not one of the categories ['Ja', 'Nei']") + "$"):
        nets(d, "q", {"ja": ["Ja"]}, categories=["Ja", "Nei"], by="sex")


SG = pd.DataFrame({"q": ["Ja", "Nei", "Ja", "Nei", "Ja", "Ja", "Nei", "Vet ikke", "Ja", "Nei"],
                   "sex": list("fffffmmmmm"), "age": list("yoyoyoyoyo")})


def _vs_total(y, a, base):
    """Domain a minus the whole base, unweighted and unraked: z_a - z_total, Var = n/(n-1) sum (z_a - z_b)^2."""
    n = len(y)
    ma, mb = y[a].mean(), y[base].mean()
    za = np.where(a, y - ma, 0.0) / a.sum()
    zb = np.where(base, y - mb, 0.0) / base.sum()
    return ma - mb, np.sqrt(n / (n - 1) * ((za - zb) ** 2).sum())


def test_subgroup_nets_by_hand():
    """Net 'Ja' of 10 unweighted rows, the last outside the domain, 'Vet ikke' excluded: the base is 8 rows;
    women 3/5, men 2/3, young 4/5, old 1/3, all 5/8. SE^2 = 10/9 p(1-p)/n_group (the design has 10 rows);
    Wilson at level 0.9; vs_total and its SE by the linearised difference against the whole base, t on 9 df;
    groups with n_eff < 4 blanked (estimate, SE, CI, vs_total, its SE, p) and flagged with min_base, the others
    flagged with flag_base 5.5; Bonferroni over the two remaining p-values; a fresh 0..3 index.
    Fails if level, ci, domain, exclude or categories are not passed to nets or net_indicator, the bases or
    value columns of suppress change, the adjustment method is dropped or the frames keep their own index
    (subgroup_nets mutants 4, 5, 15, 17, 18, 24, 26, 27, 38, 40, 41, 66, 72, 114, 127, 131, 135-144, 160)."""
    from ehelse.estimates import subgroup_nets

    dom = np.arange(10) < 9
    out = subgroup_nets(design(SG), "q", ["Ja"], ["sex", "age"], exclude=["Vet ikke"], domain=dom, min_base=4,
                        flag_base=5.5, level=0.9, ci="wilson", adjust="bonferroni")
    assert out.index.tolist() == [0, 1, 2, 3]
    assert out["variable"].tolist() == ["sex", "sex", "age", "age"] and out["level"].tolist() == ["f", "m", "o", "y"]
    y = (SG["q"] == "Ja").to_numpy(float)
    base = dom & (SG["q"] != "Vet ikke").to_numpy()
    groups = [(SG["sex"] == "f"), (SG["sex"] == "m"), (SG["age"] == "o"), (SG["age"] == "y")]
    n_g = [int((g.to_numpy() & base).sum()) for g in groups]
    assert n_g == [5, 3, 3, 5] and out["n"].tolist() == n_g and out["n_eff"].tolist() == pytest.approx(n_g)
    assert out["suppressed"].tolist() == [False, True, True, False]
    assert out["flag"].tolist() == ["base < 5.5: interpret with care", "base < 4: suppressed",
                                    "base < 4: suppressed", "base < 5.5: interpret with care"]
    blank = ["estimate", "se", "ci_low", "ci_high", "vs_total", "vs_total_se", "p_value", "p_adjusted"]
    assert out.loc[[1, 2], blank].isna().all().all()
    ps = []
    for i, p in ((0, 3 / 5), (3, 4 / 5)):
        a = groups[i].to_numpy() & base
        se = np.sqrt(10 / 9 * p * (1 - p) / n_g[i])
        row = out.iloc[i]
        assert row["estimate"] == pytest.approx(p, rel=1e-14) and row["se"] == pytest.approx(se, rel=1e-12)
        lo, hi = _wilson(p, p * (1 - p) / se ** 2, stats.norm.ppf(0.95))
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo, rel=1e-10), pytest.approx(hi, rel=1e-10))
        diff, dse = _vs_total(y, a, base)
        assert row["vs_total"] == pytest.approx(diff, rel=1e-12) and diff == pytest.approx(p - 5 / 8)
        assert row["vs_total_se"] == pytest.approx(dse, rel=1e-12)
        assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(diff / dse), 9), rel=1e-10)
        ps.append(row["p_value"])
    assert out["p_adjusted"][[0, 3]].tolist() == pytest.approx([min(1, 2 * p) for p in ps], rel=1e-12)


def test_subgroup_nets_checks_categories_level_by_level():
    """categories= reaches nets, which checks each level of the breakdown in turn: the first level's unknown
    answer is reported with that level's rows only ([2], not [2, 7] as a check over the whole base would).
    Fails if subgroup_nets does not pass categories to nets (mutants 13, 22)."""
    from ehelse.estimates import subgroup_nets

    df = SG.assign(q=["Ja", "Nei", "Vet ikke", "Nei", "Ja", "Ja", "Nei", "Vet ikke", "Ja", "Nei"])
    with pytest.raises(EstimateError, match=re.escape(
            "question 'q': answer 'Vet ikke' (rows [2]) is not one of the categories ['Ja', 'Nei']") + "$"):
        subgroup_nets(design(df), "q", ["Ja"], ["sex"], categories=["Ja", "Nei"], min_base=1, flag_base=1)


def test_published_change_test_at_the_scale_ends():
    """1 % -> 0 % is a change to test (one share is inside the scale); 0 % -> 100 % has no test (both at an end).
    Fails if the scale ends become 1 or 101 (mutants 23, 27)."""
    t = published_change_test([1, 0], [100, 50], [0, 100], [100, 50])
    z = -0.01 / np.sqrt(0.01 * 0.99 / 100)
    assert t["z"][0] == pytest.approx(z, rel=1e-9) and t["p_value"][0] == pytest.approx(2 * stats.norm.sf(-z), rel=1e-8)
    assert t["difference"].tolist() == [-1.0, 100.0] and np.isnan(t["z"][1]) and np.isnan(t["p_value"][1])


def test_subgroup_nets_of_a_declared_category_nobody_chose():
    """A net of 'Kanskje', declared in categories= but chosen by nobody: 0 in every group and in total, so
    vs_total 0 with SE 0 and no test, not an error about the base.
    Fails if net_indicator gets no categories (then 'Kanskje' is not in the base: mutants 64, 70)."""
    from ehelse.estimates import subgroup_nets

    out = subgroup_nets(design(SG), "q", ["Kanskje"], ["sex"], categories=["Ja", "Nei", "Vet ikke", "Kanskje"],
                        min_base=1, flag_base=1)
    assert out["estimate"].tolist() == [0.0, 0.0] and out["vs_total"].tolist() == [0.0, 0.0]
    assert out["vs_total_se"].tolist() == [0.0, 0.0] and out["p_value"].isna().all()


# ------------------------------------------------------------------ round 3: published shares (full-run survivors)

def test_published_share_ci_upper_bound_missing_values_and_wilson_at_zero():
    """logit: both bounds 100 / (1 + exp(-(b -+ z sb))); a missing share or base gives NaN bounds, not an error
    (as published_share_se); wilson at 0 % is statsmodels' score interval [0, z^2 / (n + z^2)], which the
    SE-based formula (SE 0) cannot give.
    Fails if the upper bound's 100 changes (mutants 85, 86), the inputs are not made floats (23, 25, 30, 32) or
    wilson is not routed to the score interval on the effective n (34, 35)."""
    se = np.sqrt(2 * 0.21 / 200)
    b, sb, z = np.log(0.3 / 0.7), se / 0.21, stats.norm.ppf(0.95)
    lo, hi = published_share_ci(30, 200, 2.0, level=0.9, method="logit")
    assert lo == pytest.approx(100 / (1 + np.exp(-(b - z * sb))), rel=1e-12)
    assert hi == pytest.approx(100 / (1 + np.exp(-(b + z * sb))), rel=1e-12)
    for args in (([30, None], [200, 200]), ([30, 30], [200, None])):
        lo, hi = published_share_ci(*args, level=0.9, method="logit")
        assert lo[0] == pytest.approx(100 / (1 + np.exp(-(b - stats.norm.ppf(0.95) * np.sqrt(0.21 / 200) / 0.21))))
        assert np.isnan(lo[1]) and np.isnan(hi[1])
    z = stats.norm.ppf(0.975)
    lo, hi = published_share_ci(0, 100, method="wilson", level=0.95)
    assert lo == pytest.approx(0.0, abs=1e-12) and hi == pytest.approx(100 * z ** 2 / (100 + z ** 2), rel=1e-10)


SHARE_COLS = ["category", "estimate", "se", "ci_low", "ci_high", "deff", "n", "n_weighted", "n_eff"]


def test_shares_empty_subgroups_keep_the_other_rows_and_the_table_columns():
    """By sex in the domain of women, then of men: the empty level (last, then first) gives NaN rows with bases 0
    for each category but the excluded one, and the other level's rows stay, in the table's columns only.
    Fails if the empty level's rows replace the earlier ones (`rows =`, shares mutant 31), the loop stops at it,
    a key of the empty row is renamed or a base is not 0 (shares mutants of the empty branch)."""
    d = design(ANS)
    f = (ANS["sex"] == "f").to_numpy()
    for dom, empty, full in ((f, "m", "f"), (~f, "f", "m")):
        t = shares(d, "q", by="sex", domain=dom, exclude=["Vet ikke"])
        assert list(t.columns) == ["sex"] + SHARE_COLS
        assert t["sex"].tolist() == ["f", "f", "m", "m"] and t["category"].tolist() == ["Ja", "Nei"] * 2
        e, g = t[t["sex"] == empty], t[t["sex"] == full]
        assert e[["estimate", "se", "ci_low", "ci_high", "deff"]].isna().all().all()
        assert e["n"].tolist() == [0, 0] and e["n_weighted"].tolist() == [0.0, 0.0] and e["n_eff"].tolist() == [0, 0]
        assert g["estimate"].notna().all() and g["n"].tolist() == [int(dom.sum()) - (full == "m")] * 2


def test_shares_level_and_methods_by_hand():
    """Unweighted, 'Vet ikke' excluded: p = 4/7, 3/7 with SE^2 = 8/7 p(1-p)/7; level=0.9 gives the logit interval
    with t(0.95, 6); ci='wilson' Wilson on the effective n; korn_graubard in the women's domain rescales with the
    design's 8 rows. Fails if level or the method is not used (shares mutant 2 and the CI-call mutants)."""
    d = design(ANS)
    p = np.array([4, 3]) / 7
    se = np.sqrt(8 / 7 * p * (1 - p) / 7)
    t = shares(d, "q", exclude=["Vet ikke"], level=0.9)
    lo, hi = _logit(p, se, 6, 0.9)
    np.testing.assert_allclose(t["ci_low"], lo, rtol=1e-12)
    np.testing.assert_allclose(t["ci_high"], hi, rtol=1e-12)
    w = shares(d, "q", exclude=["Vet ikke"], ci="wilson", level=0.9)
    lo, hi = _wilson(p, p * (1 - p) / se ** 2, stats.norm.ppf(0.95))
    np.testing.assert_allclose(w["ci_low"], lo, rtol=1e-10)
    np.testing.assert_allclose(w["ci_high"], hi, rtol=1e-10)
    k = shares(d, "q", domain=(ANS["sex"] == "f").to_numpy(), ci="korn_graubard").iloc[0]  # Ja: 3 of 4
    p, se = 0.75, np.sqrt(8 / 7 * 0.75 * 0.25 / 4)
    ne = p * (1 - p) / se ** 2 * (stats.t.ppf(0.025, 7) / stats.t.ppf(0.025, 3)) ** 2
    assert k["ci_low"] == pytest.approx(stats.beta.ppf(0.025, ne * p, ne * (1 - p) + 1), rel=1e-10)
    assert k["ci_high"] == pytest.approx(stats.beta.ppf(0.975, ne * p + 1, ne * (1 - p)), rel=1e-10)


def test_shares_of_an_empty_or_one_respondent_domain():
    """An empty domain is 'the base is empty' (exact message); a domain of one respondent is a base: share 1
    with SE 0. Fails if share_cov's empty-base check moves to one respondent or its message changes
    (share_cov mutants 8-11)."""
    d = design(ANS)
    with pytest.raises(EstimateError, match=r"^the base is empty: no respondent in the domain$"):
        shares(d, "q", domain=np.zeros(8, dtype=bool))
    one = shares(d, "q", domain=np.arange(8) == 2).iloc[0]
    assert (one["category"], one["estimate"], one["se"], one["n"]) == ("Nei", 1.0, 0.0, 1)


def test_shares_deff_of_a_share_at_0_or_1_is_quiet():
    """By sex, no woman said 'Vet ikke' and every answer of a one-category subgroup is that category: the design
    effect 0 / 0 is NaN without a warning. Fails if the errstate guard of the deff loses invalid= (shares mutants
    103, 105)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = shares(design(ANS), "q", by="sex")
    f_vi = t[(t["sex"] == "f") & (t["category"] == "Vet ikke")].iloc[0]
    assert f_vi["estimate"] == 0.0 and f_vi["se"] == 0.0 and np.isnan(f_vi["deff"])


def test_rake_layout_is_kept_on_the_design_and_lists_each_variables_codes():
    """_rake_layout computes the joint raking cells once per design and keeps them on it (a second call returns
    the same object); its margins are, in the order of the raking variables, each variable's category code of
    every cell. Fails if the cache is not stored or not read (mutants 1-4, 53, 57, 58) or the margins come in
    reverse order (mutant 49)."""
    from ehelse.estimates import _rake_layout

    df = pd.DataFrame({"a": list("xxyyzzxy"), "b": list("ppqqppqp")})
    d = design(df, rake_vars=["a", "b"])
    first = _rake_layout(d)
    assert _rake_layout(d) is first
    cell, margins = first
    assert len(margins) == 2
    # cells in the order of their joint codes a * 2 + b: (x,p) (x,q) (y,p) (y,q) (z,p); (z,q) is empty
    assert cell.tolist() == [0, 0, 3, 3, 4, 4, 1, 2]
    assert margins[0].tolist() == [0, 0, 1, 1, 2] and margins[1].tolist() == [0, 1, 0, 1, 0]


def test_proportion_ci_every_method_both_bounds_and_quiet_at_the_ends():
    """p = 0.3, SE 0.05 at level 0.9: logit with t(0.95, 10) and with z when df is None, Wilson on
    n = p(1-p)/SE^2, Clopper-Pearson on n rescaled by (t(0.05, 29) / t(0.05, 10))^2 with n_design 30 and by
    nothing when n_design is not given; both bounds each time. Shares of 0 and 1 (SE 0 or not) give no
    warning in any method, nor does a share inside (0, 1) with SE 0. Fails if a quantile, a bound, a default or an errstate guard changes (proportion_ci,
    _clopper_pearson mutants)."""
    p, se, lev = 0.3, 0.05, 0.9
    n = p * (1 - p) / se ** 2
    for df, q in ((10, stats.t.ppf(0.95, 10)), (None, stats.norm.ppf(0.95))):
        lo, hi = proportion_ci(p, se, df, level=lev)
        elo, ehi = _logit(p, se, 1e12, lev) if df is None else _logit(p, se, df, lev)
        assert (lo, hi) == (pytest.approx(float(elo), rel=1e-9), pytest.approx(float(ehi), rel=1e-9))
        b, sb = np.log(p / (1 - p)), se / (p * (1 - p))
        assert hi == pytest.approx(1 / (1 + np.exp(-(b + q * sb))), rel=1e-12)
        assert lo == pytest.approx(1 / (1 + np.exp(-(b - q * sb))), rel=1e-12)
    lo, hi = proportion_ci(p, se, 10, level=lev, method="wilson")
    elo, ehi = _wilson(p, n, stats.norm.ppf(0.95))
    assert (lo, hi) == (pytest.approx(elo, rel=1e-12), pytest.approx(ehi, rel=1e-12))
    for nd, rows in ((30, 30), (None, 11)):
        lo, hi = proportion_ci(p, se, 10, level=lev, method="korn_graubard", n_design=nd)
        ne = n * (stats.t.ppf(0.05, rows - 1) / stats.t.ppf(0.05, 10)) ** 2
        assert lo == pytest.approx(stats.beta.ppf(0.05, ne * p, ne * (1 - p) + 1), rel=1e-10)
        assert hi == pytest.approx(stats.beta.ppf(0.95, ne * p + 1, ne * (1 - p)), rel=1e-10)
    lo, hi = proportion_ci(p, se, None, level=lev, method="korn_graubard")  # no df: no rescaling
    assert lo == pytest.approx(stats.beta.ppf(0.05, n * p, n * (1 - p) + 1), rel=1e-10)
    ends = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.3])  # the last with SE 0: an infinite effective n
    ses = np.array([0.0, 0.0, 0.02, 0.02, 0.05, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("logit", "wilson", "korn_graubard"):
            for df in (10, None):
                lo, hi = proportion_ci(ends, ses, df, level=lev, method=method, n_design=30)
                assert lo.shape == hi.shape == (6,) and np.isfinite(lo[4]) and np.isfinite(hi[4])
    lo, hi = proportion_ci(ends, ses, 10, method="korn_graubard")
    assert lo[[0, 2]].tolist() == [0.0, 0.0] and hi[[1, 3]].tolist() == [1.0, 1.0]
    with pytest.raises(EstimateError, match="unknown CI method 'LOGIT'"):
        proportion_ci(p, se, 10, method="LOGIT")


def test_proportion_ci_takes_an_object_column_with_a_missing_value():
    """Shares and SEs from a table column of object dtype (None for a missing row): the missing row's bounds are
    the same as for floats in every method, the missing row's NaN for logit and wilson (korn_graubard gives
    [0, 1] there, reported as a bug, not pinned). Fails if p or se is not converted with dtype=float
    (proportion_ci dtype mutants)."""
    p = pd.Series([0.3, None], dtype=object)
    se = pd.Series([0.05, None], dtype=object)
    for method in ("logit", "wilson", "korn_graubard"):
        lo, hi = proportion_ci(p, se, 10, method=method)
        flo, fhi = proportion_ci(0.3, 0.05, 10, method=method)
        assert lo[0] == pytest.approx(float(flo), rel=1e-12) and hi[0] == pytest.approx(float(fhi), rel=1e-12)
        if method != "korn_graubard":
            assert np.isnan(lo[1]) and np.isnan(hi[1])


def test_a_missing_published_share_has_no_interval_whatever_the_method():
    """A missing share (None) gives NaN bounds with every CI method, beside a known share's interval;
    0 % and 100 % keep their closed ends (Clopper-Pearson: 0 below 0 %, 1 above 100 %).
    Fails if korn_graubard turns a missing share into the interval 0-100 % (the bug fixed with this test:
    `p > 0` / `p < 1` tests that are False for NaN)."""
    for method in ("logit", "wilson", "korn_graubard"):
        lo, hi = published_share_ci([30, None], [200, 200], method=method)
        assert np.isfinite(lo[0]) and np.isfinite(hi[0]) and 0 < lo[0] < 30 < hi[0] < 100, method
        assert np.isnan(lo[1]) and np.isnan(hi[1]), method
    lo, hi = published_share_ci([0, 100], [200, 200], method="korn_graubard")
    assert lo[0] == 0.0 and hi[1] == 100.0 and 0 < hi[0] < 5 and 95 < lo[1] < 100
