"""Mutation-killing tests of ehelse.patterns (issue 17): compare_levels, odds_ratios and _reference on
tiny designs whose answers can be checked by hand.

compare_levels on an unweighted-by-raking design with given weights: the linearised variance of a
domain's weighted mean m_a is n / (n - 1) * sum_a (w_i (y_i - m_a) / W_a)^2 (n = every row of the
design), and two disjoint domains have no covariance. A logistic regression on one two-level
predictor reproduces the sample odds ratio (ad / bc) exactly.
"""
import numpy as np
import pandas as pd
import pytest

from ehelse import patterns
from ehelse.estimates import design
from ehelse.models import logistic

# ------------------------------------------------------------------ compare_levels

Q = ["Ja", "Nei", "Ja", "Ja", "Nei", "Nei", "Ja", "Vet ikke"]
SEX = ["f", "f", "f", "m", "m", "m", "x", "m"]
W = [1.0, 2.0, 3.0, 2.0, 1.0, 4.0, 1.0, 2.0]


@pytest.fixture
def small():
    df = pd.DataFrame({"q": Q, "sex": SEX, "region": ["N", "S", "S", "N", "S", "S", "N", "N"]})
    return df, design(df, weights=np.array(W))


def _by_hand(y, w, n):
    y, w = np.asarray(y, float), np.asarray(w, float)
    m = (w * y).sum() / w.sum()
    z = w * (y - m) / w.sum()
    return m, n / (n - 1) * (z ** 2).sum(), w.sum() ** 2 / (w ** 2).sum()


def test_compare_levels_by_hand(small):
    """Women (Ja, Nei, Ja; w 1, 2, 3) vs men (Ja, Nei, Nei; w 2, 1, 4), "Vet ikke" outside the base,
    the one "x" respondent in neither group. Fails if a group is replaced by the whole base (mutants
    domain_difference(d, y, None, b) / (a, None) / (a, base=...)), the base is dropped (the
    "Vet ikke" answer counted), or the Kish effective bases are miscomputed (mutants ** 3, * 2, *)."""
    df, d = small
    r = patterns.compare_levels(d, "q", ["Ja"], "sex", "f", "m", domain=(df["q"] != "Vet ikke").to_numpy())
    ma, va, ka = _by_hand([1, 0, 1], [1, 2, 3], 8)
    mb, vb, kb = _by_hand([1, 0, 0], [2, 1, 4], 8)
    assert ma == pytest.approx(4 / 6) and mb == pytest.approx(2 / 7)
    assert r["estimate_a"] == pytest.approx(ma, rel=1e-12)
    assert r["estimate_b"] == pytest.approx(mb, rel=1e-12)
    assert r["difference"] == pytest.approx(ma - mb, rel=1e-12)
    assert r["se"] == pytest.approx(np.sqrt(va + vb), rel=1e-12)
    assert (r["n_a"], r["n_b"]) == (3, 3)
    assert r["n_eff_a"] == pytest.approx(36 / 14, rel=1e-12) and ka == pytest.approx(36 / 14)
    assert r["n_eff_b"] == pytest.approx(49 / 21, rel=1e-12) and kb == pytest.approx(49 / 21)


def test_compare_levels_uses_the_domain(small):
    """domain= restricts both groups: region S only (women Nei, Ja; men Nei, Nei).
    Fails if the domain is not passed to net_indicator (mutants domain=None, domain omitted)."""
    df, d = small
    r = patterns.compare_levels(d, "q", ["Ja"], "sex", "f", "m", domain=(df["region"] == "S").to_numpy())
    assert r["estimate_a"] == pytest.approx(3 / 5, rel=1e-12)
    assert r["estimate_b"] == pytest.approx(0.0, abs=1e-15)
    assert (r["n_a"], r["n_b"]) == (2, 2)
    assert r["n_eff_a"] == pytest.approx(25 / 13, rel=1e-12)
    assert r["n_eff_b"] == pytest.approx(25 / 17, rel=1e-12)


def test_compare_levels_net_of_several_answers(small):
    """Members is a list: "Ja" or "Vet ikke" as the net, every answer in the base.
    Fails if the members list is not passed to net_indicator as given."""
    df, d = small
    r = patterns.compare_levels(d, "q", ["Ja", "Vet ikke"], "sex", "f", "m")
    assert r["estimate_b"] == pytest.approx(4 / 9, rel=1e-12)  # men: Ja w 2, Nei 1, Nei 4, Vet ikke 2
    assert r["n_b"] == 4


@pytest.mark.parametrize("absent", ["f", "m"])
def test_compare_levels_without_respondents_in_the_base_has_no_test(small, absent):
    """A group with no respondent in the base (one group or the other): counts, zero effective bases and
    no p-value instead of an error. Fails if `or` becomes `and`, a `&` becomes `|`, or a key or value of
    the returned Series changes (compare_levels mutants 17-38)."""
    df, d = small
    dom = (df["sex"] != absent).to_numpy()
    r = patterns.compare_levels(d, "q", ["Ja"], "sex", "f", "m", domain=dom)
    want = {"n_a": 0 if absent == "f" else 3, "n_b": 0 if absent == "m" else 4}  # men: 4 with "Vet ikke"
    assert list(r.index) == ["n_a", "n_b", "n_eff_a", "n_eff_b", "p_value"]
    assert (r["n_a"], r["n_b"]) == (want["n_a"], want["n_b"])
    assert (r["n_eff_a"], r["n_eff_b"]) == (0.0, 0.0)
    assert np.isnan(r["p_value"])


def test_compare_levels_both_groups_empty(small):
    """Both groups empty in the base: counts 0, effective bases 0, no p-value. Fails if the empty branch needs
    both groups empty or returns other values."""
    df, d = small
    r = patterns.compare_levels(d, "q", ["Ja"], "sex", "f", "m", domain=(df["sex"] == "x").to_numpy())
    assert (r["n_a"], r["n_b"], r["n_eff_a"], r["n_eff_b"]) == (0, 0, 0.0, 0.0) and np.isnan(r["p_value"])


def test_compare_levels_unknown_level_message(small):
    """Fails if the error message is lost (mutant ValueError(None))."""
    df, d = small
    with pytest.raises(ValueError, match=r"^compare_levels: 'sex' has no level 'k'$"):
        patterns.compare_levels(d, "q", ["Ja"], "sex", "f", "k")
    with pytest.raises(ValueError, match=r"^compare_levels: 'sex' has no level 'k'$"):
        patterns.compare_levels(d, "q", ["Ja"], "sex", "k", "m")


# ------------------------------------------------------------------ odds_ratios and _reference

def _odds_frame():
    """40 respondents: men 5 of 20 'Ja', women 12 of 20; grp c has 1 respondent, b exactly 6, a the rest,
    e none; sex categories ordered m, f (so the reference is m, not the alphabetical f)."""
    sex = ["m"] * 20 + ["f"] * 20
    q = ["Ja"] * 5 + ["Nei"] * 15 + ["Ja"] * 12 + ["Nei"] * 8
    grp = ["a"] * 40
    for i in (3, 10, 16, 22, 30, 36):  # b: 6 respondents, both sexes and answers
        grp[i] = "b"
    grp[25] = "c"
    df = pd.DataFrame({"q": q, "sex": pd.Categorical(sex, categories=["m", "f"]),
                       "grp": pd.Categorical(grp, categories=["c", "a", "b", "e"]),
                       "plain": ["y" if g == "b" else "x" for g in grp]})
    return df


KEEP = ["variable", "level", "reference", "odds_ratio", "or_low", "or_high", "p_value", "n", "n_eff", "flag"]


def test_odds_ratio_of_one_two_level_predictor_is_the_sample_odds_ratio():
    """(12/8) / (5/15) = 4.5 for women vs men; the reference is the first category (m), not the
    alphabetical first. Fails if the columns are renamed (n_level -> n), the reference is lost or taken
    alphabetically (_reference mutants), unflagged rows get a flag other than "" or the index is not 0..k-1."""
    df = _odds_frame()
    o = patterns.odds_ratios(design(df), "q", ["sex"], positive="Ja", min_base=5)
    assert list(o.columns) == KEEP
    assert list(o.index) == [0]
    r = o.iloc[0]
    assert (r["variable"], r["level"], r["reference"]) == ("sex", "f", "m")
    assert r["odds_ratio"] == pytest.approx(4.5, rel=1e-8)
    assert r["or_low"] < 4.5 < r["or_high"]
    assert r["n"] == 20 and r["n_eff"] == pytest.approx(20.0)
    assert r["flag"] == ""


def test_odds_ratios_leave_small_levels_out_of_the_fit():
    """grp c (1 respondent) is below min_base 6 and left out of the fit; b with exactly 6 stays in
    unflagged; the empty category e is not a row. The kept rows equal logistic() on the domain
    without c; the reference of grp is a, the first level present once c is gone.
    Fails if the base test moves (0 <= k, 1 < k, k <= min_base, n_eff <= min_base), min_base is
    ignored (settings' 30 used), n of the suppressed row is lost (n_level key) or n_eff is not numeric."""
    df = _odds_frame()
    d = design(df)
    o = patterns.odds_ratios(d, "q", ["sex", "grp"], positive="Ja", min_base=6)
    assert list(o.columns) == KEEP
    assert list(o.index) == [0, 1, 2]
    assert list(zip(o["variable"], o["level"], o["reference"])) == [("sex", "f", "m"), ("grp", "b", "a"),
                                                                     ("grp", "c", "a")]
    fit = logistic(d, "q ~ sex + grp", positive="Ja", domain=(df["grp"] != "c").to_numpy())
    fit = fit[fit["term"] != "(Intercept)"].reset_index(drop=True)
    np.testing.assert_allclose(o["odds_ratio"][:2].astype(float), fit["odds_ratio"], rtol=1e-12)
    np.testing.assert_allclose(o["p_value"][:2].astype(float), fit["p_value"], rtol=1e-12)
    assert list(o["n"][:2]) == [19, 6]  # the c woman is out of the fit
    assert list(o["flag"][:2]) == ["", ""]
    c = o.iloc[2]
    assert c["n"] == 1 and np.isnan(c["odds_ratio"]) and np.isnan(c["or_low"]) and np.isnan(c["p_value"])
    assert o["n_eff"].dtype == np.float64 and np.isnan(c["n_eff"])
    assert c["flag"] == "suppressed: base < 6, left out of the model"


def test_odds_ratios_suppress_a_level_with_min_base_one_above():
    """min_base 7: b (6 respondents) is now also left out; the flag names the base.
    Fails if min_base is not the one given, or the flag does not name it."""
    df = _odds_frame()
    o = patterns.odds_ratios(design(df), "q", ["sex", "grp"], positive="Ja", min_base=7)
    assert list(zip(o["variable"], o["level"], o["n"])) == [("sex", "f", 16), ("grp", "b", 6), ("grp", "c", 1)]
    assert list(o["flag"]) == ["", "suppressed: base < 7, left out of the model",
                               "suppressed: base < 7, left out of the model"]
    assert list(o["reference"]) == ["m", "a", "a"]


def test_odds_ratios_respect_the_domain():
    """A domain without the one c respondent: no suppressed row. Fails if the domain is ignored."""
    df = _odds_frame()
    o = patterns.odds_ratios(design(df), "q", ["sex", "grp"], positive="Ja", min_base=6,
                             domain=(df["grp"] != "c").to_numpy())
    assert list(zip(o["variable"], o["level"])) == [("sex", "f"), ("grp", "b")]
    assert list(o["flag"]) == ["", ""]


def test_reference_of_a_plain_text_column_is_the_alphabetical_first():
    """A non-categorical predictor: levels sorted, the first present is the reference (model_matrix's).
    Fails if _reference treats every column as categorical, or returns str(None) / the second level."""
    df = _odds_frame()
    o = patterns.odds_ratios(design(df), "q", ["plain"], positive="Ja", min_base=5)
    assert list(zip(o["variable"], o["level"], o["reference"])) == [("plain", "y", "x")]
    assert patterns._reference(design(df), "plain", np.ones(40, dtype=bool)) == "x"
    assert patterns._reference(design(df), "plain", (df["plain"] == "y").to_numpy()) == "y"
    assert patterns._reference(design(df), "grp", np.ones(40, dtype=bool)) == "c"


# ------------------------------------------------------------------ breakdown and associations (round 3)

from ehelse import disclosure, findings  # noqa: E402
from ehelse.estimates import Design, subgroup_nets  # noqa: E402
from ehelse.models import rao_scott  # noqa: E402
from ehelse.weighting import rake  # noqa: E402

LABELS = {"sex": "Kjønn", "region": "Landsdel"}


@pytest.fixture(scope="module")
def raked():
    """400 respondents raked to sex and region margins; q depends on sex, 'old' marks half of them."""
    rng = np.random.default_rng(17)
    n = 400
    df = pd.DataFrame({"sex": rng.choice(["f", "m"], n), "region": rng.choice(["N", "S", "V"], n, p=[.3, .4, .3]),
                       "old": rng.random(n) < 0.5})
    df["q"] = np.where(rng.random(n) < np.where(df["sex"] == "f", 0.65, 0.35), "Ja", "Nei")
    rr = rake(df, {"sex": {"f": 0.5, "m": 0.5}, "region": {"N": 0.2, "S": 0.5, "V": 0.3}})
    d = design(df, rr)
    assert d.rake_vars == ("sex", "region")
    return df, d


def _share(df, w, mask):
    return 100 * (w * (df["q"] == "Ja") * mask).sum() / (w * mask).sum()


@pytest.mark.parametrize("use_domain", [False, True])
def test_breakdown_in_percent_with_labels_and_decisions(raked, use_domain):
    """Each group's net in percent (weighted share by hand, in the domain when one is given), the interval and
    the test against all respondents in percent of subgroup_nets' (the same domain), the variable's label and
    the decision of its adjusted p. Fails if the factor is not 100 (100 / t, 101 * t mutants), the labels are
    not applied (variable=None, variable not reassigned) or the domain is not passed (domain=None / omitted)."""
    df, d = raked
    dom = df["old"].to_numpy() if use_domain else None
    t = patterns.breakdown(d, "q", ["Ja"], ["sex", "region"], LABELS, domain=dom)
    raw = subgroup_nets(d, "q", ["Ja"], ["sex", "region"], domain=dom)
    assert list(t["variable"]) == ["Kjønn"] * 2 + ["Landsdel"] * 3
    assert list(t["level"]) == ["f", "m", "N", "S", "V"]
    inside = np.ones(len(df), bool) if dom is None else dom
    for i, (v, lev) in enumerate(zip(["sex"] * 2 + ["region"] * 3, t["level"])):
        want = _share(df, d.weights, inside & (df[v] == lev).to_numpy())
        assert t["estimate"].iloc[i] == pytest.approx(want, rel=1e-10)
    for c in ("estimate", "ci_low", "ci_high", "vs_total", "vs_total_se"):
        np.testing.assert_allclose(t[c].to_numpy(float), 100 * raw[c].to_numpy(float), rtol=1e-12)
    np.testing.assert_allclose(t["p_adjusted"].to_numpy(float), raw["p_adjusted"].to_numpy(float), rtol=1e-12)
    assert list(t["significant"]) == ["yes" if p < findings.alpha() else "no" for p in t["p_adjusted"]]
    assert t["n"].tolist() == [int((inside & (df[v] == lev).to_numpy()).sum())
                               for v, lev in zip(["sex"] * 2 + ["region"] * 3, t["level"])]


@pytest.mark.parametrize("use_domain", [False, True])
def test_associations_are_rao_scott_of_the_net_in_the_raked_design(raked, use_domain):
    """Each row is the Rao–Scott F test (models.rao_scott) of 'in the net or not' against the breakdown, on the
    raked design (its raking variables kept: they change the covariance) and within the domain; p adjusted
    over the table, the decision from it, index 0..k-1, exempt from the cell rule with its reason.
    Fails if rake_vars are dropped (None / omitted), the domain is lost (net_indicator or rao_scott without
    it), the index is not reset (ignore_index None / False), the decision column is lost or renamed, or the
    exemption reason changes (associations mutants)."""
    df, d = raked
    dom = df["old"].to_numpy() if use_domain else None
    a = patterns.associations(d, "q", ["Ja"], ["sex", "region"], LABELS, domain=dom)
    base = np.ones(len(df), bool) if dom is None else dom
    net = np.where(base, np.where(df["q"] == "Ja", "member", "other"), None)
    dn = Design(data=df.assign(y=net), weights=d.weights, rake_vars=("sex", "region"))
    want = pd.concat([rao_scott(dn, "y", v, domain=base).query("method == 'F'") for v in ("sex", "region")],
                     ignore_index=True)
    assert list(a.columns) == ["variable", "statistic", "ndf", "ddf", "p_value", "n", "p_adjusted", "significant"]
    assert list(a.index) == [0, 1]
    assert list(a["variable"]) == ["Kjønn", "Landsdel"]
    for c in ("statistic", "ndf", "ddf", "p_value"):
        np.testing.assert_allclose(a[c].to_numpy(float), want[c].to_numpy(float), rtol=1e-9)
    assert a["n"].tolist() == [int(base.sum())] * 2
    p = a["p_value"].to_numpy(float)
    small, big = np.argsort(p)
    bh = np.empty(2)
    bh[big], bh[small] = p[big], min(2 * p[small], p[big])  # Benjamini-Hochberg for two tests, by hand
    np.testing.assert_allclose(a["p_adjusted"].to_numpy(float), bh, rtol=1e-12)
    assert list(a["significant"]) == ["yes" if p < findings.alpha() else "no" for p in a["p_adjusted"]]
    assert a.attrs[disclosure.EXEMPT] == "tests on whole breakdowns, no cell values"
    unraked = Design(data=dn.data, weights=d.weights)
    other = rao_scott(unraked, "y", "sex", domain=base).query("method == 'F'")["statistic"].iloc[0]
    assert abs(other - a["statistic"].iloc[0]) > 1e-6 * abs(other)  # the raking variables matter here
