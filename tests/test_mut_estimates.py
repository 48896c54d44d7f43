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
