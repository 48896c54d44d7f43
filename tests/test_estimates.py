"""Shares, nets, NPS: against a direct per-respondent implementation of R survey's algorithm."""
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from conftest import Q
from ehelse.estimates import (EstimateError, adjust_pvalues, design, nets, proportion_ci, published_change_test,
                              published_share_ci, published_share_se, shares, suppress, difference_test)
from ehelse.nps import nps, nps_from_shares, nps_groups
from ehelse.weighting import rake


def naive_raked_var(y, w, margins_codes, domain):
    """Textbook version of survey:::svyrecvar after rake(): per respondent, 10 backfitting sweeps."""
    n = len(y)
    wd = np.where(domain, w, 0.0)
    ybar = (wd * y).sum() / wd.sum()
    x = wd * (y - ybar) / wd.sum()
    for _ in range(10):
        for codes in margins_codes:
            u = x / w
            means = pd.Series(u).groupby(codes).transform("mean").to_numpy()
            x = x - w * means
    return n / (n - 1) * ((x - x.mean()) ** 2).sum()


@pytest.fixture
def raked(sample, margins):
    return design(sample, rake(sample, margins))


def test_shares_sum_to_one_and_match_weighted_mean(raked, sample):
    s = shares(raked, "q", categories=Q)
    assert s["estimate"].sum() == pytest.approx(1)
    w = raked.weights
    direct = pd.Series(w).groupby(sample["q"].to_numpy()).sum() / w.sum()
    for _, r in s.iterrows():
        assert r["estimate"] == pytest.approx(direct[r["category"]], rel=1e-12)
    assert (s["n"] == len(sample)).all()


def test_raked_se_matches_per_respondent_algorithm(raked, sample):
    codes = [pd.Categorical(sample[v]).codes for v in ("sex", "agegrp", "region")]
    s = shares(raked, "q", categories=Q)
    for _, r in s.iterrows():
        y = (sample["q"] == r["category"]).to_numpy(float)
        v = naive_raked_var(y, raked.weights, codes, np.ones(len(y), bool))
        assert r["se"] == pytest.approx(np.sqrt(v), rel=1e-10)


def test_domain_se_matches_per_respondent_algorithm(raked, sample):
    """'Vet ikke' out of the base: the other respondents keep their place in the raking adjustment."""
    codes = [pd.Categorical(sample[v]).codes for v in ("sex", "agegrp", "region")]
    s = shares(raked, "q", categories=Q, exclude=["Vet ikke"])
    dom = (sample["q"] != "Vet ikke").to_numpy()
    assert s["estimate"].sum() == pytest.approx(1)
    assert (s["n"] == dom.sum()).all()
    for _, r in s.iterrows():
        y = (sample["q"] == r["category"]).to_numpy(float)
        assert r["se"] == pytest.approx(np.sqrt(naive_raked_var(y, raked.weights, codes, dom)), rel=1e-10)


def test_raking_shrinks_se_for_variables_related_to_margins(sample, margins):
    r = rake(sample, margins)
    with_adj = shares(design(sample, r), "q", categories=Q)
    fixed = shares(design(sample, r.weights), "q", categories=Q)  # weights treated as fixed
    assert (with_adj["se"] < fixed["se"]).sum() >= 4


def test_unweighted_se_is_the_binomial_one(sample):
    s = shares(design(sample), "q", categories=Q)
    n = len(sample)
    p = s["estimate"].to_numpy()
    np.testing.assert_allclose(s["se"], np.sqrt(p * (1 - p) / (n - 1)), rtol=1e-12)
    np.testing.assert_allclose(s["deff"], 1.0, rtol=1e-12)


def test_logit_and_wilson_intervals(sample):
    s = shares(design(sample), "q", categories=Q)
    assert ((s["ci_low"] < s["estimate"]) & (s["estimate"] < s["ci_high"])).all()
    p, se = s["estimate"].to_numpy(), s["se"].to_numpy()
    lo, hi = proportion_ci(p, se, method="wilson")
    n_eff = p * (1 - p) / se ** 2
    ref = proportion_confint(p * n_eff, n_eff, method="wilson")
    np.testing.assert_allclose(lo, ref[0], rtol=1e-9)
    np.testing.assert_allclose(hi, ref[1], rtol=1e-9)
    with pytest.raises(EstimateError, match="unknown CI method"):
        proportion_ci(p, se, method="exact")


def test_nets_equal_sum_of_shares_with_covariance(raked, sample):
    n = nets(raked, "q", {"enig": ["Helt enig", "Delvis enig"]}, categories=Q, exclude=["Vet ikke"], by="sex")
    assert list(n["sex"]) == ["female", "male"]
    for _, r in n.iterrows():
        s = shares(raked, "q", categories=Q, exclude=["Vet ikke"], domain=(sample["sex"] == r["sex"]).to_numpy())
        assert r["estimate"] == pytest.approx(s.set_index("category").loc[["Helt enig", "Delvis enig"], "estimate"].sum())
        codes = [pd.Categorical(sample[v]).codes for v in ("sex", "agegrp", "region")]
        y = sample["q"].isin(["Helt enig", "Delvis enig"]).to_numpy(float)
        dom = ((sample["q"] != "Vet ikke") & (sample["sex"] == r["sex"])).to_numpy()
        assert r["se"] == pytest.approx(np.sqrt(naive_raked_var(y, raked.weights, codes, dom)), rel=1e-10)
    with pytest.raises(EstimateError, match="not in the base"):
        nets(raked, "q", {"x": ["Vet ikke"]}, categories=Q, exclude=["Vet ikke"])


def test_missing_answers_need_an_explicit_domain(raked, sample):
    df = sample.copy()
    df.loc[[3, 5], "q"] = np.nan
    d = design(df, raked.weights, raked.rake_vars)
    with pytest.raises(EstimateError, match=r"no answer for 2 respondent\(s\).*rows \[3, 5\]"):
        shares(d, "q", categories=Q)
    s = shares(d, "q", categories=Q, domain=df["q"].notna().to_numpy())
    assert (s["n"] == len(df) - 2).all()


def test_unknown_answer_is_an_error(raked, sample):
    with pytest.raises(EstimateError, match=r"answer 'Helt uenig' .* is not one of"):
        shares(raked, "q", categories=Q[:4] + ["Vet ikke"])


def test_bad_weights(sample):
    w = np.ones(len(sample))
    w[2] = 0
    with pytest.raises(EstimateError, match="weight of row 2 is 0.0"):
        design(sample, w)


def test_suppression_thresholds(raked, sample):
    s = shares(raked, "q", categories=Q, domain=(sample["region"] == "Nord").to_numpy())
    out = suppress(s, min_base=30, flag_base=100)
    n_eff = s["n_eff"].iloc[0]
    assert out["suppressed"].all() == (n_eff < 30)
    out2 = suppress(s, min_base=10_000, flag_base=20_000)
    assert out2["suppressed"].all() and out2["estimate"].isna().all()
    out3 = suppress(s, min_base=1, flag_base=10_000)
    assert (~out3["suppressed"]).all() and out3["flag"].str.contains("care").all()


def test_difference_tests_and_bh():
    t = difference_test([0.30], [0.01], [0.35], [0.012])
    assert t["difference"].iloc[0] == pytest.approx(0.05)
    assert t["p_value"].iloc[0] == pytest.approx(0.00137, abs=2e-4)
    adj = adjust_pvalues([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(adj[:3], [0.03, 0.04, 0.04])
    assert np.isnan(adj[3])


def test_published_aggregates():
    se = published_share_se(50, 100)
    assert se == pytest.approx(5.0)
    assert published_share_se(50, 100, deff=4) == pytest.approx(10.0)
    lo, hi = published_share_ci(50, 100, level=0.95, method="wilson")
    ref = proportion_confint(50, 100, method="wilson")
    assert lo == pytest.approx(100 * ref[0]) and hi == pytest.approx(100 * ref[1])
    t = published_change_test(30, 1000, 35, 1000)
    z = 0.05 / np.sqrt(0.3 * 0.7 / 1000 + 0.35 * 0.65 / 1000)
    assert t["z"].iloc[0] == pytest.approx(z, rel=1e-9)
    t2 = published_change_test(30, 1000, 35, 1000, deff1=2, deff2=2)
    assert t2["z"].iloc[0] == pytest.approx(z / np.sqrt(2), rel=1e-9)
    with pytest.raises(EstimateError):
        published_share_se(130, 100)


def test_nps_groups_and_errors():
    g = nps_groups(pd.Series([0, 6, 7, 8, 9, 10, np.nan]))
    assert g.tolist()[:6] == [0, 0, 1, 1, 2, 2] and np.isnan(g.iloc[6])
    with pytest.raises(EstimateError, match=r"whole numbers 0-10.*rows \[1\]"):
        nps_groups(pd.Series([3, 11, 5], name="anbefale"))
    with pytest.raises(EstimateError, match=r"rows \[0\]"):
        nps_groups(pd.Series([7.5, 3], name="anbefale"))


def test_nps_is_mean_of_recode_with_raked_se(raked, sample):
    r = nps(raked, "nps")
    ans = sample["nps"].notna().to_numpy()
    rec = np.select([sample["nps"] <= 6, sample["nps"] <= 8], [-100.0, 0.0], 100.0)
    w = raked.weights
    assert r["nps"].iloc[0] == pytest.approx((w * rec)[ans].sum() / w[ans].sum(), rel=1e-12)
    codes = [pd.Categorical(sample[v]).codes for v in ("sex", "agegrp", "region")]
    assert r["se"].iloc[0] == pytest.approx(np.sqrt(naive_raked_var(rec, w, codes, ans)), rel=1e-10)
    assert r["n"].iloc[0] == ans.sum()
    by = nps(raked, "nps", by="agegrp")
    assert len(by) == 4 and by["n"].sum() == ans.sum()


def test_nps_from_published_shares():
    r = nps_from_shares(promoters=40, detractors=20, n=500)
    assert r["nps"] == pytest.approx(20)
    assert r["se"] == pytest.approx(100 * np.sqrt((0.6 - 0.04) / 500))
    with pytest.raises(EstimateError):
        nps_from_shares(70, 50, 100)


def test_subgroup_nets_suppress_small_bases(raked, sample):
    from ehelse.estimates import subgroup_nets

    t = subgroup_nets(raked, "q", ["Helt enig", "Delvis enig"], ["sex", "region"], categories=Q,
                      exclude=["Vet ikke"], min_base=60, flag_base=200)
    assert set(t["variable"]) == {"sex", "region"}
    small = t["n_eff"] < 60
    assert small.any() and t.loc[small, "estimate"].isna().all() and t.loc[small, "suppressed"].all()
    assert t.loc[~small, "estimate"].notna().all()


def test_correlations_against_numpy_and_fisher():
    from ehelse.estimates import correlations

    rng = np.random.default_rng(3)
    n = 400
    a = rng.normal(size=n)
    b = 0.5 * a + rng.normal(size=n)
    scale = ["high", "mid", "low"]
    cut = lambda v: pd.cut(v, [-np.inf, -0.5, 0.5, np.inf], labels=scale[::-1]).astype(str)  # noqa: E731
    df = pd.DataFrame({"t": cut(a), "x": cut(b)})
    df.loc[:9, "x"] = "Vet ikke"
    out = correlations(df, "t", ["x"], {"t": scale, "x": scale}).iloc[0]
    ok = df["x"] != "Vet ikke"
    sc = {"high": 3, "mid": 2, "low": 1}
    r = np.corrcoef(df.loc[ok, "t"].map(sc), df.loc[ok, "x"].map(sc))[0, 1]
    assert out["n"] == n - 10 and out["r"] == pytest.approx(r)
    assert out["ci_low"] < out["r"] < out["ci_high"]
    assert out["ci_high"] == pytest.approx(np.tanh(np.arctanh(r) + 1.959963985 / np.sqrt(n - 13)), rel=1e-6)


def _simulation():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "simulate_coverage.py"
    spec = importlib.util.spec_from_file_location("simulate_coverage", path)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    return sim


def test_raked_intervals_cover_at_the_nominal_rate():
    """Seeded simulation (bench/simulate_coverage.py): 95 % intervals after raking cover 93-97 % of the time."""
    r = _simulation().coverage(reps=400, n=400, seed=11)
    for m in ("logit", "wilson", "korn_graubard"):
        assert 0.93 <= r[f"coverage_{m}"] <= 0.97, (m, r)


def test_small_domain_intervals_cover():
    """A domain of about 100 respondents (one region of 500): every method covers 90-99 %, Korn-Graubard
    (the widest) at least 92 %; Monte Carlo SE of each rate about 1.3 points."""
    r = _simulation().coverage(reps=300, n=500, seed=11, region="Vest")
    assert 85 <= r["domain_n"] <= 115, r
    for m in ("logit", "wilson", "korn_graubard"):
        assert 0.90 <= r[f"coverage_{m}"] <= 0.99, (m, r)
    assert r["coverage_korn_graubard"] >= 0.92 and r["width_korn_graubard"] > r["width_logit"], r


def test_domain_difference_matches_per_respondent_algorithm(raked, sample):
    """SE of a within-survey difference = raked variance of the difference of the two influence vectors."""
    from ehelse.estimates import domain_difference, net_indicator

    codes = [pd.Categorical(sample[v]).codes for v in ("sex", "agegrp", "region")]
    y, base = net_indicator(raked, "q", ["Helt enig", "Delvis enig"], categories=Q, exclude=["Vet ikke"])
    a = (sample["agegrp"] == "30-44").to_numpy()
    w = raked.weights
    for b, other in (("rest", base & ~a), ("total", base)):
        res = domain_difference(raked, y, a, b, base=base)
        za = np.where(a & base, w, 0) * (y - res["estimate_a"]) / np.where(a & base, w, 0).sum()
        zb = np.where(other, w, 0) * (y - res["estimate_b"]) / np.where(other, w, 0).sum()
        x = za - zb
        for _ in range(10):
            for c in codes:
                x = x - w * pd.Series(x / w).groupby(c).transform("mean").to_numpy()
        n = len(x)
        var = n / (n - 1) * ((x - x.mean()) ** 2).sum()
        assert res["se"] == pytest.approx(np.sqrt(var), rel=1e-10), b
        net = nets(raked, "q", {"n": ["Helt enig", "Delvis enig"]}, categories=Q, exclude=["Vet ikke"],
                   domain=a).iloc[0]
        assert res["estimate_a"] == pytest.approx(net["estimate"], rel=1e-12)
        assert res["se_a"] == pytest.approx(net["se"], rel=1e-10)
    # a domain against a total it is part of: smaller SE than treating the two as independent
    tot = domain_difference(raked, y, a, "total", base=base)
    assert tot["se"] < np.hypot(tot["se_a"], tot["se_b"])


def test_domain_difference_unweighted_disjoint_domains_is_the_independent_test(sample):
    """Without weights or raking, two disjoint domains' means are uncorrelated: the test is difference_test's."""
    from ehelse.estimates import domain_difference

    d = design(sample)
    y = (sample["q"] == "Helt enig").to_numpy(float)
    f = (sample["sex"] == "female").to_numpy()
    res = domain_difference(d, y, f, "rest")
    ind = difference_test(res["estimate_b"], res["se_b"], res["estimate_a"], res["se_a"]).iloc[0]
    assert res["se"] == pytest.approx(ind["se"], rel=1e-12)
    assert res["difference"] == pytest.approx(ind["difference"], rel=1e-12)
    with pytest.raises(EstimateError, match="domain_b must be a boolean mask, 'rest' or 'total'"):
        domain_difference(d, y, f, "others")
    with pytest.raises(EstimateError, match="missing or not numeric for 1 respondent"):
        domain_difference(d, np.where(np.arange(len(y)) == 3, np.nan, y), f)


def test_subgroup_nets_test_each_group_against_the_total(raked, sample):
    from ehelse.estimates import domain_difference, net_indicator, subgroup_nets

    t = subgroup_nets(raked, "q", ["Helt enig", "Delvis enig"], ["sex", "agegrp"], categories=Q,
                      exclude=["Vet ikke"], min_base=0)
    y, base = net_indicator(raked, "q", ["Helt enig", "Delvis enig"], categories=Q, exclude=["Vet ikke"])
    r = t.set_index(["variable", "level"]).loc[("agegrp", "60+")]
    ref = domain_difference(raked, y, (sample["agegrp"] == "60+").to_numpy(), "total", base=base)
    assert r["vs_total"] == pytest.approx(ref["difference"]) and r["p_value"] == pytest.approx(ref["p_value"])
    np.testing.assert_allclose(t["p_adjusted"], adjust_pvalues(t["p_value"]))
    small = subgroup_nets(raked, "q", ["Helt enig", "Delvis enig"], ["region"], categories=Q, exclude=["Vet ikke"],
                          min_base=100)
    assert small.loc[small["suppressed"], ["vs_total", "p_value", "p_adjusted"]].isna().all().all()


def test_korn_graubard_is_clopper_pearson_on_the_effective_n():
    p, n = np.array([0.0, 0.12, 0.5, 1.0]), 150
    se = np.sqrt(p * (1 - p) / n)
    lo, hi = proportion_ci(p[1:3], se[1:3], method="korn_graubard")
    ref_lo, ref_hi = proportion_confint(p[1:3] * n, n, alpha=0.05, method="beta")
    np.testing.assert_allclose(lo, ref_lo, rtol=1e-10)
    np.testing.assert_allclose(hi, ref_hi, rtol=1e-10)
    plo, phi = published_share_ci(100 * p, n, method="korn_graubard")
    ref_lo, ref_hi = proportion_confint(p * n, n, alpha=0.05, method="beta")
    np.testing.assert_allclose(plo, 100 * np.asarray(ref_lo), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(phi, 100 * np.asarray(ref_hi), rtol=1e-10)
    # with degrees of freedom of a domain, the effective n shrinks: a wider interval
    lo_d, hi_d = proportion_ci(0.12, se[1], 40, method="korn_graubard", n_design=800)
    assert lo_d < lo[0] and hi_d > hi[0]
    with pytest.raises(EstimateError, match="unknown CI method 'beta'"):
        published_share_ci(50, 100, method="beta")
    with pytest.raises(EstimateError, match="confidence level must be between 0 and 1"):
        proportion_ci(0.5, 0.05, level=95)


def test_nps_difference_between_independent_samples():
    from ehelse.nps import nps_difference

    a = nps_from_shares(promoters=37, detractors=35, n=2238)
    b = nps_from_shares(promoters=45, detractors=32, n=1432)
    d = nps_difference(a, b)
    assert d["difference"] == pytest.approx(13 - 2)
    assert d["se"] == pytest.approx(np.hypot(a["se"], b["se"]))
    assert d["p_value"] == pytest.approx(2 * (1 - __import__("scipy").stats.norm.cdf(abs(11 / d["se"]))))
