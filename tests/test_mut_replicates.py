"""Mutation-killing tests of ehelse.replicates (issue 17): replicate_se's inputs, names and messages on
a tiny unweighted design, where the delete-one jackknife SE of a mean is the textbook s / sqrt(n)."""
import re

import numpy as np
import pandas as pd
import pytest

from ehelse.estimates import EstimateError, design
from ehelse.replicates import replicate_nets, replicate_se, replicate_weights

Y = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0, 22.0, 29.0]


@pytest.fixture
def rd():
    df = pd.DataFrame({"y": Y, "grp": list("aabbaabb"),
                       "k": pd.array([1, 2, 3, None, 5, 6, 7, 8], dtype="Int64")})
    return df, replicate_weights(design(df), "jk1")


def _textbook(v):
    v = np.asarray(v, dtype=float)
    return v.mean(), v.std(ddof=1) / np.sqrt(len(v))


def test_replicate_se_of_a_column_is_the_textbook_se(rd):
    """Delete-one JK1, no weights: estimate = mean, SE = s / sqrt(n). Fails if a column of the result is
    renamed or the name lookup is inverted (mutants `y in columns`, names/Y = None)."""
    df, r = rd
    t = replicate_se(r, "y")
    assert list(t.columns) == ["variable", "estimate", "se", "n", "replicates"]
    m, se = _textbook(Y)
    assert t["variable"].tolist() == ["y"]
    assert t["estimate"][0] == pytest.approx(m, rel=1e-13)
    assert t["se"][0] == pytest.approx(se, rel=1e-12)
    assert (t["n"][0], t["replicates"][0]) == (8, 8)


def test_replicate_se_of_a_nullable_integer_column_in_a_domain(rd):
    """A pandas nullable Int64 column with <NA>, or an object column with None, outside the domain works
    (to_numpy(float) makes them NaN), by name and as a frame. Fails if the conversion to float is dropped
    (to_numpy(None) keeps None objects, which np.isnan cannot read)."""
    df, r = rd
    dom = df["k"].notna().to_numpy()
    m, se = _textbook([1, 2, 3, 5, 6, 7, 8])
    obj = df.assign(o=pd.Series([1.0, 2, 3, None, 5, 6, 7, 8], dtype=object))  # numbers and None as objects
    r_obj = replicate_weights(design(obj), "jk1")
    for rr, y in ((r, "k"), (r, df[["k"]]), (r_obj, "o"), (r_obj, obj[["o"]])):
        t = replicate_se(rr, y, domain=dom)
        assert t["variable"].tolist() == [y if isinstance(y, str) else y.columns[0]]
        assert t["n"][0] == 7
        assert t["estimate"][0] == pytest.approx(m, rel=1e-13)
        # the domain's jackknife SE on the whole design: deleting an out-of-domain row changes nothing,
        # so it is s / sqrt(n_dom) times sqrt((n - 1) / n * n_dom / (n_dom - 1)) with n = 8, n_dom = 7
        assert t["se"][0] == pytest.approx(se * np.sqrt(7 / 8 * 7 / 6), rel=1e-12)


def test_replicate_se_of_a_frame_and_of_arrays(rd):
    """Column names of a frame; 0..k-1 for a 1-D or 2-D array; a list with None outside the domain.
    Fails if names become None, a 2-D array gets a third axis (`Y.ndim == 1 or True`) or the array is not
    converted to float (dtype=None)."""
    df, r = rd
    y2 = np.array(Y) ** 2
    t = replicate_se(r, pd.DataFrame({"a": Y, "b": y2}))
    assert t["variable"].tolist() == ["a", "b"]
    assert t["se"].tolist() == pytest.approx([_textbook(Y)[1], _textbook(y2)[1]], rel=1e-12)
    t = replicate_se(r, np.column_stack([Y, y2]))
    assert t["variable"].tolist() == [0, 1]
    assert t["estimate"].tolist() == pytest.approx([np.mean(Y), y2.mean()], rel=1e-13)
    t = replicate_se(r, np.array(Y))
    assert t["variable"].tolist() == [0]
    t = replicate_se(r, [None, 2, 4, 7, 11, 16, 22, 29], domain=np.arange(8) > 0)
    assert t["estimate"][0] == pytest.approx(np.mean(Y[1:]), rel=1e-13)


def test_replicate_se_messages(rd):
    """Exact messages: unknown column, wrong length (the number of values, not of columns), missing
    values in the domain (the first five rows, not six).
    Fails if a message, its count or its first-five rows change (replicate_se mutants 29-39)."""
    df, r = rd
    with pytest.raises(EstimateError, match=r"^variable 'z' is not a column of the data$"):
        replicate_se(r, "z")
    with pytest.raises(EstimateError, match=r"^3 values for 8 respondents$"):
        replicate_se(r, [1.0, 2.0, 3.0])
    with pytest.raises(EstimateError, match=r"^6 respondent\(s\) in the domain have no value "
                                            r"\(rows \[0, 1, 2, 3, 4\]\); restrict the domain$"):
        replicate_se(r, [np.nan] * 6 + [1.0, 2.0])


# ------------------------------------------------------------------ replicate_nets

ANS = ["Helt enig", "Delvis enig", "Uenig", "Helt enig", "Uenig", "Uenig", "Delvis enig", "Uenig"]
NET_COLS = ["net", "estimate", "se", "ci_low", "ci_high", "n", "replicates", "method"]


@pytest.fixture
def rq():
    df = pd.DataFrame({"q": ANS, "grp": list("aabbaabb")})
    return df, replicate_weights(design(df), "jk1")


def _logit_ci(p, se, df, level):
    """R svyciprop(method = "logit"): Wald on the log-odds with a t quantile on df."""
    from scipy import stats

    q = stats.t.ppf(0.5 + level / 2, df)
    b, sb = np.log(p / (1 - p)), se / (p * (1 - p))
    return 1 / (1 + np.exp(-(b - q * sb))), 1 / (1 + np.exp(-(b + q * sb)))


def test_replicate_net_is_the_textbook_share_with_a_logit_interval(rq):
    """Agree = 4 of 8: delete-one JK1 SE of a share is sqrt(p (1 - p) / (n - 1)); the logit interval has
    t on replicates - 1 = 7 df at the settings' 95 % and at a given level. Fails if an argument of
    proportion_ci is dropped or replaced, the level is ignored, or a column is renamed or None
    (replicate_nets mutants)."""
    df, r = rq
    groups = {"agree": ["Helt enig", "Delvis enig"], "no": ["Uenig"]}
    for level, t in ((0.95, replicate_nets(r, "q", groups)), (0.80, replicate_nets(r, "q", groups, level=0.80))):
        assert list(t.columns) == NET_COLS
        assert t["net"].tolist() == ["agree", "no"]
        assert t["n"].tolist() == [8, 8] and t["replicates"].tolist() == [8, 8]
        assert t["method"].tolist() == ["jk1", "jk1"]
        row = t.iloc[0]
        se = np.sqrt(0.5 * 0.5 / 7)
        assert row["estimate"] == pytest.approx(0.5, rel=1e-14)
        assert row["se"] == pytest.approx(se, rel=1e-12)
        lo, hi = _logit_ci(0.5, se, 7, level)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))


def test_replicate_nets_by_and_domain(rq):
    """by= adds the group column first; domain= restricts the base (each group: 2 of 4 agree; without
    row 0: 3 of 7). Fails if the domain is ignored or the by column is added without by."""
    df, r = rq
    t = replicate_nets(r, "q", {"agree": ["Helt enig", "Delvis enig"]}, by="grp")
    assert list(t.columns) == ["grp", *NET_COLS]
    assert t["grp"].tolist() == ["a", "b"]
    assert t["estimate"].tolist() == pytest.approx([0.5, 0.5], rel=1e-14)
    t = replicate_nets(r, "q", {"agree": ["Helt enig", "Delvis enig"]}, domain=np.arange(8) > 0)
    assert t["estimate"][0] == pytest.approx(3 / 7, rel=1e-14) and t["n"][0] == 7


def test_replicate_nets_categories_and_unknown_members(rq):
    """A declared category nobody chose may be a net member (share 0 of it); a member outside the base is
    an error naming net, categories and base. Fails if categories= is not passed on, or the unknown check
    or its message is lost."""
    df, r = rq
    cats = ["Helt enig", "Delvis enig", "Uenig", "Helt uenig"]
    t = replicate_nets(r, "q", {"disagree": ["Uenig", "Helt uenig"]}, categories=cats)
    assert t["estimate"][0] == pytest.approx(0.5, rel=1e-14)
    with pytest.raises(EstimateError, match=re.escape(
            "net 'x': categories ['Helt uenig'] are not in the base ['Delvis enig', 'Helt enig', 'Uenig']") + "$"):
        replicate_nets(r, "q", {"x": ["Uenig", "Helt uenig"]})


# ------------------------------------------------------------------ multipliers, variance, checks

from ehelse.replicates import (MAX_CELLS, _check_size, bootstrap_multipliers, jk1_multipliers,  # noqa: E402
                               replicate_nps, replicate_shares, replicate_variance, rerake)
from ehelse.weighting import rake  # noqa: E402


def test_jk1_multipliers_delete_one_and_groups():
    """Delete-one: n x n, 0 on the diagonal, n / (n - 1) elsewhere, scale (n - 1) / n; two seeded groups:
    each respondent 0 in its group's replicate and 2 in the other, scale 1/2; labels become groups in
    order of appearance.
    Fails if a multiplier, the scale, the seeded grouping or the group labels' order change (jk1_multipliers
    mutants), or the default seed is not 1 (mutant seed=2)."""
    m, s = jk1_multipliers(4)
    np.testing.assert_allclose(m, np.where(np.eye(4, dtype=bool), 0.0, 4 / 3), rtol=1e-15)
    assert s == 0.75
    m, s = jk1_multipliers(4, 2, seed=3)
    assert m.shape == (4, 2) and s == 0.5
    assert sorted(m.sum(axis=1).tolist()) == [2.0] * 4 and sorted((m == 0).sum(axis=0).tolist()) == [2, 2]
    np.testing.assert_array_equal(m, jk1_multipliers(4, np.int64(2), seed=3)[0])
    # the default seed is 1: the groups of a default call are reproducible as seed=1
    np.testing.assert_array_equal(jk1_multipliers(40, 4)[0], jk1_multipliers(40, 4, seed=1)[0])
    assert not np.array_equal(jk1_multipliers(40, 4)[0], jk1_multipliers(40, 4, seed=2)[0])
    m, s = jk1_multipliers(5, ["b", "a", "b", "c", "a"])
    assert m.shape == (5, 3) and s == pytest.approx(2 / 3)
    np.testing.assert_allclose(m[:, 0], [0, 1.5, 0, 1.5, 1.5])  # group b first
    assert jk1_multipliers(2, 2)[0].shape == (2, 2)  # groups = n is allowed


def test_jk1_and_bootstrap_messages():
    """Exact messages and the bootstrap draws: columns sum to n, scale n / ((n - 1)(R - 1)), seeded, 50 by
    default. Fails if a bound (2 <= groups <= n, replicates >= 2), message, default or the scale changes."""
    for g in (1, 5):
        with pytest.raises(EstimateError, match=rf"^groups must be between 2 and the 4 respondents, got {g}$"):
            jk1_multipliers(4, g)
    with pytest.raises(EstimateError, match=re.escape(
            "groups must give a group for each of the 4 respondents (no missing)") + "$"):
        jk1_multipliers(4, ["a", None, "b", "b"])
    with pytest.raises(EstimateError, match=re.escape("groups must give a group for each of the 4")):
        jk1_multipliers(4, ["a", "b", "b"])
    with pytest.raises(EstimateError, match=r"^JK1 needs at least two groups$"):
        jk1_multipliers(3, ["a", "a", "a"])
    with pytest.raises(EstimateError, match=r"^replicates must be at least 2, got 1$"):
        bootstrap_multipliers(5, 1)
    m, s = bootstrap_multipliers(5, 2)
    assert m.shape == (5, 2) and m.sum(axis=0).tolist() == [5.0, 5.0] and s == pytest.approx(5 / 4)
    m, s = bootstrap_multipliers(6)
    assert m.shape == (6, 50) and s == pytest.approx(6 / (5 * 49))
    np.testing.assert_array_equal(m, bootstrap_multipliers(6, 50, seed=1)[0])
    assert not np.array_equal(m, bootstrap_multipliers(6, 50, seed=2)[0])


def test_check_size_boundary_and_message():
    """n x replicates equal to MAX_CELLS is allowed, one more is not. Fails if `>` becomes `>=`, the limit or
    the message changes."""
    _check_size(MAX_CELLS, 1)
    _check_size(MAX_CELLS // 4, 4)
    with pytest.raises(EstimateError, match=re.escape(
            f"{MAX_CELLS + 1} respondents x 1 replicates is too large to hold; use groups=<number of JK1 groups> "
            "or fewer bootstrap replicates") + "$"):
        _check_size(MAX_CELLS + 1, 1)
    assert MAX_CELLS == 200_000_000


def test_replicate_variance_with_a_zero_rscale_and_two_estimates():
    """Replicates with rscale 0 do not enter the centre; each column is its own variance, the
    off-diagonal the covariance. A 1-D vector of replicate estimates is one estimate.
    Fails if the centre includes replicates with rscale 0, or a 1-D input is not one estimate."""
    th = np.array([[1.0, 2.0], [3.0, 2.0], [100.0, 5.0]])
    v = replicate_variance(th, np.zeros(2), 2.0, np.array([1.0, 1.0, 0.0]))
    # centre (2, 2) from the first two; the third has weight 0
    np.testing.assert_allclose(v, 2.0 * np.array([[2.0, 0.0], [0.0, 0.0]]), atol=1e-12)
    v1 = replicate_variance(np.array([1.0, 2.0, 4.0]), np.array([0.0]), 1.0, np.ones(3))
    assert v1.shape == (1, 1) and v1[0, 0] == pytest.approx(42 / 9)


def test_replicate_design_df_and_unraked_weights(rd):
    """Without raking the replicate weights are the design weights times the multipliers; df is
    replicates - 1 (capped by n - 1).
    Fails if df, the scale for given multipliers (jk1 or bootstrap) or the unraked replicate weights (design
    weights x multipliers) change."""
    df, r = rd
    assert r.replicates == 8 and r.df == 7 and r.kind == "jk1" and r.reraked is False and r.scale == 0.875
    np.testing.assert_allclose(r.weights, np.where(np.eye(8, dtype=bool), 0.0, 8 / 7), rtol=1e-15)
    d = design(df, weights=np.arange(1.0, 9.0))
    r2 = replicate_weights(d, "jk1", base_weights=np.full(8, 2.0))
    np.testing.assert_allclose(r2.weights[:, 0], np.r_[0.0, np.arange(2.0, 9.0) * 8 / 7], rtol=1e-15)
    mult = np.abs(np.random.default_rng(0).normal(size=(8, 3)))
    for kind, scale in (("jk1", 2 / 3), ("bootstrap", 8 / (7 * 2))):
        r3 = replicate_weights(design(df), kind, multipliers=mult)
        assert r3.scale == pytest.approx(scale) and r3.replicates == 3 and r3.df == 2
        np.testing.assert_allclose(r3.weights, mult, rtol=1e-15)


def test_replicate_weights_messages(rd):
    """Exact messages of every check of replicate_weights. Fails if a check or its message changes (shape, sign,
    bounded raking, raked design without raking=, base weights not reproducing the design)."""
    df, r = rd
    d = design(df)
    with pytest.raises(EstimateError, match=re.escape("kind must be one of ('jk1', 'bootstrap'), not 'brr'") + "$"):
        replicate_weights(d, "brr")
    with pytest.raises(EstimateError, match=r"^base_weights must be 8 positive numbers$"):
        replicate_weights(d, base_weights=np.r_[np.ones(7), 0.0])
    with pytest.raises(EstimateError, match=r"^base_weights must be 8 positive numbers$"):
        replicate_weights(d, base_weights=np.ones(7))
    for bad in (np.ones((8, 1)), np.ones((7, 3)), -np.ones((8, 3)), np.ones(8)):
        with pytest.raises(EstimateError, match=re.escape(
                f"multipliers must be a non-negative 8 x replicates matrix, got {bad.shape}") + "$"):
            replicate_weights(d, multipliers=bad)
    m = {"grp": {"a": 4.0, "b": 4.0}}
    rk = rake(df, m, bounds=(0.5, 2.0))
    with pytest.raises(EstimateError, match=re.escape(
            "replicate weights for bounded raking are not implemented; use linearisation") + "$"):
        replicate_weights(design(df, rk), raking=rk)
    dr = design(df, rake(df, m))
    with pytest.raises(EstimateError, match=re.escape(
            "the design is raked on ['grp']: pass raking= (the RakeResult or margins) so that raking is redone in "
            "every replicate") + "$"):
        replicate_weights(dr)
    with pytest.raises(EstimateError, match=r"^raking the base weights reproduces the design's weights only to "
                                            r"5\.00e-01 \(relative\): pass the base_weights and margins"):
        replicate_weights(design(df, weights=np.full(8, 2.0), rake_vars=["grp"]), raking=m)


def test_reraked_replicates_meet_the_margins_and_messages():
    """Every reraked replicate meets the margins; rerake's own checks have exact messages.
    Fails if a replicate misses a margin, a RakeResult's margins are not used, or a message (replicate number,
    category, iterations, error) changes (rerake mutants)."""
    df = pd.DataFrame({"g": list("aabbaabb"), "h": list("xyxyxyxy"), "v": np.arange(8.0)})
    m = {"g": {"a": 40.0, "b": 60.0}, "h": {"x": 50.0, "y": 50.0}}
    rk = rake(df, m)
    rd = replicate_weights(design(df, rk), "jk1", raking=rk, groups=4, seed=2)
    assert rd.reraked is True
    for var, t in m.items():
        for cat, target in t.items():
            np.testing.assert_allclose(rd.weights[(df[var] == cat).to_numpy()].sum(axis=0), target, rtol=1e-11)
    with pytest.raises(EstimateError, match=re.escape("replicate base weights must be 8 x replicates, got (8,)")):
        rerake(df, m, np.ones(8))
    with pytest.raises(EstimateError, match=r"^weighting variable 'z' is not a column of the data$"):
        rerake(df, {"z": {"a": 1.0}}, np.ones((8, 1)))
    with pytest.raises(EstimateError) as e:
        rerake(df, {"g": {"a": 40.0, "c": 60.0}}, np.ones((8, 1)))
    assert re.sub(r"np\.\w+\((.*?)\)", r"\1", str(e.value)) == \
        "weighting variable 'g': value 'b' (row 2) has no population target"
    with pytest.raises(EstimateError, match=re.escape(
            "replicate 2 has no respondent in 'g' = 'b', so it cannot be raked; use fewer, larger JK1 groups or "
            "merge the category") + "$"):
        rerake(df, m, np.column_stack([np.ones(8), (df["g"] == "a").to_numpy(float)]))
    with pytest.raises(EstimateError, match=r"^raking of the replicates did not converge in 1 iterations "
                                            r"\(largest relative margin error \d\.\d\de-\d\d > tol 1e-12\)$"):
        rerake(df, m, np.arange(1.0, 9.0)[:, None], max_iter=1)
    w = rerake(df, rk, np.ones((8, 1)))  # a RakeResult's margins
    np.testing.assert_allclose(w[:, 0], rk.weights.to_numpy(), rtol=1e-10)


def test_replicate_shares_and_nps_by_hand(rq):
    """Shares: each category's textbook JK1 SE sqrt(p(1-p)/(n-1)), columns, by; NPS of 0-10 answers
    as the mean of the recode, its SE s / sqrt(n), t interval on replicates - 1 df, clipping.
    Fails if a share's SE, the logit interval's df or level, by / exclude / domain, the NPS recode, its t
    interval or clipping, or an error message changes."""
    df, r = rq
    t = replicate_shares(r, "q")
    assert list(t.columns) == ["category", "estimate", "se", "ci_low", "ci_high", "n", "replicates", "method"]
    assert t["category"].tolist() == ["Delvis enig", "Helt enig", "Uenig"]
    p = np.array([2, 2, 4]) / 8
    np.testing.assert_allclose(t["estimate"], p, rtol=1e-14)
    np.testing.assert_allclose(t["se"], np.sqrt(p * (1 - p) / 7), rtol=1e-12)
    lo, hi = _logit_ci(0.5, np.sqrt(0.25 / 7), 7, 0.9)
    t90 = replicate_shares(r, "q", level=0.9)
    assert (t90["ci_low"][2], t90["ci_high"][2]) == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))
    tb = replicate_shares(r, "q", by="grp", exclude=["Uenig"], domain=np.arange(8) < 7)
    assert list(tb.columns)[:2] == ["grp", "category"] and tb["n"].tolist() == [2, 2, 2, 2]
    assert tb["estimate"].tolist() == pytest.approx([0.5, 0.5, 0.5, 0.5])
    scores = pd.Series([10, 9, 0, 7, 8, 10, 3, np.nan])
    rn = replicate_weights(design(pd.DataFrame({"s": scores, "grp": list("aabbaabb")})), "jk1")
    out = replicate_nps(rn, "s")
    assert list(out.columns) == ["nps", "se", "ci_low", "ci_high", "n", "replicates", "method"]
    y = np.array([100, 100, -100, 0, 0, 100, -100.0])
    se = np.sqrt(7 / 8 * ((y - y.mean()) ** 2).sum() / 36)  # delete-one on 8 rows, one outside the base
    assert out["nps"][0] == pytest.approx(y.mean(), rel=1e-12) and out["n"][0] == 7
    assert out["se"][0] == pytest.approx(se, rel=1e-12)
    q = stats_t(0.975, 7)
    assert out["ci_low"][0] == pytest.approx(max(-100, y.mean() - q * se), rel=1e-12)
    assert out["ci_high"][0] == pytest.approx(y.mean() + q * se, rel=1e-12)
    assert rn.df == 7 and replicate_nps(rn, "s", domain=np.arange(8) < 2)["ci_high"][0] == 100.0  # 100, 100
    ob = replicate_nps(rn, "s", by="grp", level=0.5)
    assert ob["grp"].tolist() == ["a", "b"] and ob["n"].tolist() == [4, 3]
    with pytest.raises(EstimateError, match=r"^NPS of 's': no answers in the base for grp = 'b'$"):
        replicate_nps(rn, "s", by="grp", domain=(rn.design.data["grp"] == "a").to_numpy())
    with pytest.raises(EstimateError, match=r"^NPS of 's': no answers in the base$"):
        replicate_nps(rn, "s", domain=scores.isna().to_numpy())


def stats_t(p, df):
    from scipy import stats

    return stats.t.ppf(p, df)


# ------------------------------------------------------------------ round 3: _means, defaults, pass-through

import dataclasses  # noqa: E402

from ehelse.replicates import ReplicateDesign  # noqa: E402

RR = pd.DataFrame({"g": list("aaaabbbbbb"), "h": list("xyxyxyxyyy")})  # every (g, h) cell has >= 2 respondents
RM = {"g": {"a": 40.0, "b": 60.0}, "h": {"x": 50.0, "y": 50.0}}


def test_a_replicate_without_respondents_in_the_domain_is_named():
    """Delete-one JK1 with a domain of one respondent (row 3): replicate 3 has no respondent in it. Weights 0.1
    make every other replicate's domain total 0.1 * 8/7 < 1, which is still a domain.
    Fails if the empty-replicate check moves (`< 0`, `<= 1`), picks another replicate (`<= 1`, `[1]`, `< 0`)
    or its message changes (_means mutants 7-17)."""
    d = design(pd.DataFrame({"y": Y}), weights=np.full(8, 0.1))
    r = replicate_weights(d, "jk1")
    with pytest.raises(EstimateError, match=r"^replicate 3 has no respondent in the domain; use larger JK1 groups$"):
        replicate_se(r, "y", domain=np.arange(8) == 2)
    out = replicate_se(r, "y")  # small weights are weights: the textbook mean and s / sqrt(n)
    m, se = _textbook(Y)
    assert out["estimate"][0] == pytest.approx(m, rel=1e-12) and out["se"][0] == pytest.approx(se, rel=1e-12)


def test_replicate_variance_of_a_design_with_mse_is_centred_at_the_full_estimate():
    """Weights 1..8, delete-one JK1: replicate r's mean is (S - w_r y_r) / (W - w_r); the variance is
    7/8 sum (theta_r - centre)^2 with the centre the replicates' mean, or the full-sample mean when mse=True.
    Fails if _means does not pass the full estimate or the design's mse to replicate_variance (mutants 21, 24, 29)."""
    w, y = np.arange(1.0, 9.0), np.asarray(Y)
    r = replicate_weights(design(pd.DataFrame({"y": Y}), weights=w), "jk1")
    full = (w * y).sum() / w.sum()
    theta = ((w * y).sum() - w * y) / (w.sum() - w)
    plain = replicate_se(r, "y")
    mse = replicate_se(dataclasses.replace(r, mse=True), "y")
    assert plain["estimate"][0] == pytest.approx(full, rel=1e-13) and mse["estimate"][0] == plain["estimate"][0]
    assert plain["se"][0] == pytest.approx(np.sqrt(7 / 8 * ((theta - theta.mean()) ** 2).sum()), rel=1e-12)
    assert mse["se"][0] == pytest.approx(np.sqrt(7 / 8 * ((theta - full) ** 2).sum()), rel=1e-12)
    assert mse["se"][0] > plain["se"][0]  # the two centres differ here


def test_replicate_nps_level_zero_se_and_clipping_at_the_scale(rd):
    """NPS of all promoters: 100 with SE 0 (not 1); 7 promoters and a passive: 87.5 with the textbook SE 12.5 and
    its t interval cut at 100 (and the mirror at -100); level= sets the quantile; columns carry R and the method.
    Fails if the SE floor, the cut at +-100, the level or the replicates / method values change
    (replicate_nps mutants 2, 52, 71, 72, 87, 95)."""
    from scipy import stats

    def fit(scores, **kw):
        return replicate_nps(replicate_weights(design(pd.DataFrame({"s": scores})), "jk1"), "s", **kw).iloc[0]

    top = fit([10] * 8)
    assert (top["nps"], top["se"], top["ci_low"], top["ci_high"]) == (100.0, 0.0, 100.0, 100.0)
    assert top["replicates"] == 8 and top["method"] == "jk1" and top["n"] == 8
    hi = fit([10] * 7 + [8])
    assert hi["nps"] == pytest.approx(87.5, rel=1e-13) and hi["se"] == pytest.approx(12.5, rel=1e-12)
    assert hi["ci_high"] == 100.0 and hi["ci_low"] == pytest.approx(87.5 - stats.t.ppf(0.975, 7) * 12.5, rel=1e-12)
    lo = fit([0] * 7 + [7], level=0.8)
    assert lo["ci_low"] == -100.0
    assert lo["ci_high"] == pytest.approx(-87.5 + stats.t.ppf(0.9, 7) * 12.5, rel=1e-12)


def test_replicate_shares_in_a_domain_by_an_explicit_jackknife(rq):
    """Shares of the first four answers: deleting a respondent outside the domain leaves the share, deleting one
    inside gives the leave-one-out share; SE^2 = 7/8 sum (theta - mean)^2; columns carry R and the method.
    Fails if the domain is ignored or the replicates / method values change (replicate_shares mutants 11, 74, 75)."""
    df, r = rq
    dom = np.arange(8) < 4
    t = replicate_shares(r, "q", domain=dom)
    q = np.array(ANS[:4])
    cats = sorted(set(q))
    assert t["category"].tolist() == cats and t["n"].tolist() == [4] * len(cats)
    for cat, row in zip(cats, t.itertuples()):
        y = (q == cat).astype(float)
        theta = np.r_[[(y.sum() - y[i]) / 3 for i in range(4)], [y.mean()] * 4]
        assert row.estimate == pytest.approx(y.mean(), rel=1e-13)
        assert row.se == pytest.approx(np.sqrt(7 / 8 * ((theta - theta.mean()) ** 2).sum()), rel=1e-12)
    assert t["replicates"].tolist() == [8] * len(cats) and t["method"].tolist() == ["jk1"] * len(cats)


def test_replicate_weights_defaults_seed_and_two_replicates(rd):
    """Bootstrap defaults to 50 replicates drawn with seed 1; seed= reaches the JK1 groups and the bootstrap; two
    given replicates are enough; base weights and multipliers of object dtype give float weights.
    Fails if a default (replicates 50, seed 1) or the seed pass-through changes, two replicates are refused
    (`<= 2`, `< 3`) or the inputs are not made floats (replicate_weights mutants 3, 4, 27, 29, 46, 50, 53, 56, 58,
    67, 68)."""
    df, _ = rd
    d = design(df)
    boot = replicate_weights(d, "bootstrap")
    assert boot.replicates == 50 and boot.kind == "bootstrap"
    np.testing.assert_array_equal(boot.weights, bootstrap_multipliers(8, 50, seed=1)[0])
    np.testing.assert_array_equal(replicate_weights(d, "bootstrap", replicates=3, seed=5).weights,
                                  bootstrap_multipliers(8, 3, seed=5)[0])
    np.testing.assert_array_equal(replicate_weights(d, "jk1", groups=3).weights, jk1_multipliers(8, 3, seed=1)[0])
    np.testing.assert_array_equal(replicate_weights(d, "jk1", groups=3, seed=5).weights,
                                  jk1_multipliers(8, 3, seed=5)[0])
    assert not np.array_equal(jk1_multipliers(8, 3, seed=5)[0], jk1_multipliers(8, 3, seed=1)[0])
    two = replicate_weights(d, "jk1", multipliers=np.column_stack([np.r_[0.0, np.full(7, 2.0)], np.ones(8)]))
    assert two.replicates == 2 and two.scale == 0.5
    obj = replicate_weights(d, base_weights=pd.Series([2.0] * 8, dtype=object))
    assert obj.weights.dtype == np.float64
    np.testing.assert_array_equal(obj.weights, jk1_multipliers(8)[0])
    objm = replicate_weights(d, multipliers=np.array(jk1_multipliers(8)[0], dtype=object))
    assert objm.weights.dtype == np.float64


def test_replicate_weights_pass_tol_and_max_iter_to_both_rakings():
    """tol and max_iter reach the full-sample raking and the replicates' raking:
    a loose tol stops the full-sample raking early (it then misses the design's weights); with the raked weights as
    base weights the full sample needs no iteration, so max_iter=1 and tol=1e-3 act on the replicates alone; with
    multipliers proportional to the raked weights the replicates need none, so max_iter=1 acts on the full sample.
    Fails if tol or max_iter is dropped from either rerake call, or a reraked design loses its kind
    (replicate_weights mutants 123, 124, 146, 147, 153)."""
    rk = rake(RR, RM)
    d, b = design(RR, rk), rk.weights.to_numpy()
    with pytest.raises(EstimateError, match=r"^raking the base weights reproduces the design's weights only to"):
        replicate_weights(d, raking=rk, tol=0.5)
    with pytest.raises(EstimateError, match=r"^raking of the replicates did not converge in 1 iterations"):
        replicate_weights(d, raking=rk, base_weights=b, max_iter=1)
    loose = replicate_weights(d, raking=rk, base_weights=b, tol=1e-3)
    np.testing.assert_array_equal(loose.weights, rerake(RR, RM, b[:, None] * jk1_multipliers(10)[0], tol=1e-3))
    tight = replicate_weights(d, raking=rk, base_weights=b)
    assert np.abs(loose.weights - tight.weights).max() > 1e-3  # tol matters here
    mult = np.column_stack([b, 2 * b])
    with pytest.raises(EstimateError, match=r"^raking of the replicates did not converge in 1 iterations"):
        replicate_weights(d, raking=rk, multipliers=mult, max_iter=1)
    ok = replicate_weights(d, raking=rk, multipliers=mult)
    np.testing.assert_allclose(ok.weights, np.column_stack([b, b]), rtol=1e-10)
    assert ok.kind == "jk1" and ok.reraked is True
    assert replicate_weights(d, "bootstrap", raking=rk, multipliers=mult).kind == "bootstrap"


def test_rerake_defaults_cells_small_weights_and_the_non_convergence_message():
    """Margins no weights can meet (only cells a-x and b-y, a = 50 but x = 30): after each sweep g misses by
    20 of 50, relative error 20 / (1 + 50) = 3.92e-01, for the default 1000 iterations; a 3 x 2 raking matches
    weighting.rake (its cells are distinct); weights far below 1 and object arrays are weights; the
    empty-category message names the right replicate even when other totals are below 1.
    Fails if max_iter's default (rerake, replicate_weights), the relative error's 1 +, the joint cell code
    (`/` for `*`), the `<= 0` checks or the float conversion change (rerake mutants 2, 10, 12, 45, 90, 98, 135;
    replicate_weights mutant 6)."""
    df = pd.DataFrame({"g": list("aabb"), "h": list("xxyy")})
    m = {"g": {"a": 50.0, "b": 50.0}, "h": {"x": 30.0, "y": 70.0}}
    msg = re.escape("raking of the replicates did not converge in 1000 iterations "
                    "(largest relative margin error 3.92e-01 > tol 1e-12)") + "$"
    with pytest.raises(EstimateError, match=msg):
        rerake(df, m, np.ones((4, 2)))
    with pytest.raises(EstimateError, match=msg):
        replicate_weights(design(df, rake_vars=["g", "h"]), raking=m)
    df3 = pd.DataFrame({"g": list("aabbcc"), "h": list("xyxyxy")})
    m3 = {"g": {"a": 20.0, "b": 30.0, "c": 50.0}, "h": {"x": 45.0, "y": 55.0}}
    base = np.array([1.0, 2.0, 1.0, 3.0, 2.0, 1.0])
    np.testing.assert_allclose(rerake(df3, m3, base[:, None])[:, 0], rake(df3, m3, base_weights=base).weights,
                               rtol=1e-9)
    small = rerake(RR, RM, np.full((10, 2), 0.001))
    np.testing.assert_allclose(small, rerake(RR, RM, np.ones((10, 2))), rtol=1e-12)
    obj = rerake(RR, RM, np.ones((10, 2)).astype(object))
    assert obj.dtype == np.float64
    np.testing.assert_allclose(obj, small, rtol=1e-12)
    with pytest.raises(EstimateError, match=re.escape("replicate 2 has no respondent in 'g' = 'b'")):
        rerake(RR, RM, np.column_stack([np.full(10, 0.001), (RR["g"] == "a").to_numpy(float)]))
