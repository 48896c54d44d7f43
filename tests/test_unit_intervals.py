"""Unit tests of intervals and tests: degrees of freedom in a domain, NPS from shares with a design effect,
the NPS groups, the years and direction of every test of change, the chapter as the multiple-comparison
family, and base weights that are not a function of the raking variables.

Each test names the bug it guards against and was seen to fail on it (planted by hand in lib/ehelse/,
run, restored; the docstrings say which edit).
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse import data, figures
from ehelse.estimates import design, nets, published_change_test
from ehelse.nps import nps, nps_from_shares, nps_groups
from ehelse.settings import load
from ehelse.weighting import rake

from conftest import make_sample

AGREE = {"agree": ["Helt enig", "Delvis enig"]}


def _logit(x):
    return np.log(x / (1 - x))


@pytest.fixture(scope="module")
def raked():
    s = make_sample(800, seed=11)
    m = {"sex": {"female": 2_242_294, "male": 2_266_989},
         "agegrp": {"15-29": 1_020_330, "30-44": 1_097_946, "45-59": 1_091_424, "60+": 1_299_583},
         "region": {"Nord": 406_537, "Midt-Norge": 612_345, "Vest": 914_210, "Sør-Øst": 2_576_191}}
    return s, design(s, rake(s, m))


def test_net_interval_in_a_small_domain_uses_the_domains_degrees_of_freedom(raked):
    """A net in a domain of n_dom respondents: logit interval with t on n_dom - 1 df (as svyciprop on a
    subset), not the whole sample's df and not z. Bug: df of the whole sample, or z. Seen to fail with
    `"df": n - 1` in share_cov's info and with `stats.norm.ppf` for `stats.t.ppf` in proportion_ci."""
    s, d = raked
    dom = (s["region"] == "Nord").to_numpy() & (s["agegrp"] == "15-29").to_numpy()
    n_dom = int(dom.sum())
    assert 3 < n_dom < 40  # small enough that t and z differ visibly
    r = nets(d, "q", AGREE, domain=dom).iloc[0]
    assert r["n"] == n_dom
    p, se = r["estimate"], r["se"]
    q_hi = (_logit(r["ci_high"]) - _logit(p)) * p * (1 - p) / se
    q_lo = (_logit(p) - _logit(r["ci_low"])) * p * (1 - p) / se
    expected = stats.t.ppf(0.975, n_dom - 1)
    assert q_hi == pytest.approx(expected, rel=1e-9) and q_lo == pytest.approx(expected, rel=1e-9)
    assert abs(expected - stats.norm.ppf(0.975)) > 0.05


def test_net_interval_level_is_used(raked):
    """Bug: the level argument ignored (always 95 %). Seen to fail with `0.5 + 0.95 / 2` in proportion_ci."""
    s, d = raked
    r90 = nets(d, "q", AGREE, level=0.90).iloc[0]
    r = nets(d, "q", AGREE).iloc[0]
    q90 = (_logit(r90["ci_high"]) - _logit(r90["estimate"])) * r90["estimate"] * (1 - r90["estimate"]) / r90["se"]
    assert q90 == pytest.approx(stats.t.ppf(0.95, r["n"] - 1), rel=1e-9)
    assert r90["ci_high"] < r["ci_high"]


def test_nps_interval_in_a_domain_uses_the_domains_degrees_of_freedom(raked):
    """NPS in a domain: est +- t(n_dom - 1) * se. Bug: z for t or the whole sample's df. Seen to fail with
    `stats.norm.ppf(0.5 + level / 2)` for the t quantile in nps() and with `"df": n - 1` in share_cov."""
    s, d = raked
    dom = (s["region"] == "Nord").to_numpy() & (s["sex"] == "male").to_numpy() & s["nps"].notna().to_numpy()
    r = nps(d, "nps", domain=dom).iloc[0]
    n_dom = int(r["n"])
    assert n_dom == int(dom.sum()) and n_dom < 60
    q = stats.t.ppf(0.975, n_dom - 1)
    assert -100 < r["nps"] - q * r["se"] and r["nps"] + q * r["se"] < 100  # not clipped
    assert r["ci_low"] == pytest.approx(r["nps"] - q * r["se"], rel=1e-12)
    assert r["ci_high"] == pytest.approx(r["nps"] + q * r["se"], rel=1e-12)
    assert r["nps"] == pytest.approx(r["promoters"] - r["detractors"], abs=1e-9)


@pytest.mark.parametrize("score,group", [(0, 0), (6, 0), (7, 1), (8, 1), (9, 2), (10, 2)])
def test_nps_groups_boundaries(score, group):
    """0-6 detractors, 7-8 passives, 9-10 promoters. Bug: a boundary moved (6 passive, 8 promoter).
    Seen to fail with `s <= 5` and with `s <= 7` in nps_groups."""
    assert nps_groups(pd.Series([float(score)]))[0] == group


def test_nps_groups_reject_answers_outside_the_scale():
    """Bug: 11, -1 or 7.5 silently grouped. Seen to fail with the `bad` check removed from nps_groups."""
    from ehelse.estimates import EstimateError
    for bad in (11, -1, 7.5):
        with pytest.raises(EstimateError, match="whole numbers 0-10"):
            nps_groups(pd.Series([3.0, bad], name="nps"))
    assert np.isnan(nps_groups(pd.Series([np.nan]))[0])


def _nps_se_by_hand(prom, det, n_eff):
    """SE in points of the mean of the recode +100 / 0 / -100 with shares prom, det (percent)."""
    pp, pdt = prom / 100, det / 100
    mean = 100 * (pp - pdt)
    second = 100 ** 2 * (pp + pdt)
    return np.sqrt((second - mean ** 2) / n_eff)


@pytest.mark.parametrize("deff", [1.0, 1.3, 2.5])
def test_nps_from_shares_uses_the_design_effect(deff):
    """Effective base n / deff: the SE grows with sqrt(deff). Bug: the design effect ignored, or applied
    as n * deff. Seen to fail with `(n / deff)` replaced by `n` and by `(n * deff)` in nps_from_shares."""
    r = nps_from_shares(45.0, 20.0, 500, deff=deff)
    assert r["nps"] == pytest.approx(25.0)
    se = _nps_se_by_hand(45.0, 20.0, 500 / deff)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    z = stats.norm.ppf(0.975)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(25 - z * se), pytest.approx(25 + z * se))
    assert r["deff"] == deff and r["n"] == 500
    if deff != 1.0:
        assert r["se"] == pytest.approx(nps_from_shares(45.0, 20.0, 500)["se"] * np.sqrt(deff))


def test_nps_from_shares_clips_at_the_scale_and_checks_its_input():
    """Bug: an interval past +-100 or shares beyond 100 % accepted. Seen to fail with the clipping
    `max(-100.0, ...)` removed and with the `promoters + detractors <= 100.5` check removed."""
    from ehelse.estimates import EstimateError
    r = nps_from_shares(99.0, 0.5, 20)
    assert r["ci_high"] == 100.0 and r["ci_low"] < 100.0
    r = nps_from_shares(0.5, 99.0, 20)
    assert r["ci_low"] == -100.0
    for args in ((70.0, 40.0, 100), (-1.0, 10.0, 100), (10.0, 10.0, 0)):
        with pytest.raises(EstimateError):
            nps_from_shares(*args)


def test_nps_from_shares_level():
    """Bug: the level argument ignored. Seen to fail with `0.5 + 0.95 / 2` in nps_from_shares."""
    r = nps_from_shares(45.0, 20.0, 500, level=0.80)
    assert r["ci_high"] - r["nps"] == pytest.approx(stats.norm.ppf(0.90) * r["se"])


def _all_tests() -> pd.DataFrame:
    inv = data.inventory()
    frames = [figures.tests(f) for f in inv.loc[inv["chart_type"] != "text", "figure_id"]]
    return pd.concat([f for f in frames if not f.empty], ignore_index=True)


@pytest.fixture(scope="module")
def every_test():
    return _all_tests()


def _series(r) -> pd.DataFrame:
    tab = figures.table(r.figure_id)
    return tab[(tab["population"] == r.population) & (tab["item"] == r.item) & (tab["unit"] == "percent")]


def _share(g: pd.DataFrame, figure_id: str, measure: str, year: int) -> float:
    """The measure's printed share in a year: the sum of its members, or the net itself where only it is printed."""
    f = data.figure(figure_id)
    members = (data.codebook()["scales"][f["question"]["scale"]].get("nets") or {}).get(measure, [measure])
    gy = g[(g["year"] == year) & g["category"].isin(members)]
    if len(gy) != len(members):
        gy = g[(g["year"] == year) & (g["category"] == measure)]
    return float(gy["value"].sum())


def test_every_change_runs_forward_in_time_and_is_to_minus_from(every_test):
    """Every test of change in the book: from < to, change = to - from, shares equal the printed values of
    those years. Bug: years flipped in a test of change. Seen to fail with `pairs = {latest: (years[-1],
    years[-2]), ...}` and with `"change_points": pa - pb` in figures.tests."""
    t = every_test[every_test["test"] != "between populations"]
    assert len(t) >= 20
    assert (t["from"] < t["to"]).all()
    assert np.allclose(t["change_points"], t["share_to"] - t["share_from"])
    for r in t.rename(columns={"from": "year_from"}).itertuples():
        g = _series(r)
        assert _share(g, r.figure_id, r.measure, r.year_from) == pytest.approx(r.share_from), r
        assert _share(g, r.figure_id, r.measure, r.to) == pytest.approx(r.share_to), r


def test_latest_change_is_the_last_two_years_and_first_to_last_spans_the_series(every_test):
    """'latest change' (or 'last two years with numbers' when a wave of the registry lies between, or the two
    are not consecutive waves) = the last two years of the item's series; 'first to last' = its first and
    last year, only with three or more years; 'latest change on the slide' = the last two of the slide's own
    years when a later wave extends the series. Bug: the latest pair taken as the first two years, or 'first
    to last' starting at the second year. Seen to fail with `(years[0], years[1])` for the latest pair and
    with `(years[1], years[-1])` for first to last."""
    from ehelse import waves

    t = every_test[every_test["test"] != "between populations"]
    checked = set()
    for r in t.rename(columns={"from": "year_from"}).itertuples():
        years = sorted(_series(r)["year"].unique())
        pair = (r.year_from, r.to)
        if r.test == figures.FIRST_LAST:
            assert pair == (years[0], years[-1]) and len(years) >= 3, r
        elif r.test == figures.SLIDE_LATEST:
            slide = sorted({int(y) for y in str(data.figure(r.figure_id)["years"]).split(";") if y.strip().isdigit()}
                           & set(years))
            assert pair == (slide[-2], slide[-1]) and slide[-1] != years[-1], r
        else:
            assert pair == (years[-2], years[-1]), r
            known = waves.years(r.population) if r.population in waves.SURVEYS else []
            adjacent = not any(years[-2] < y < years[-1] for y in known) and (
                years[-1] - years[-2] == 1 or (years[-2] in known and years[-1] in known))
            assert r.test == (figures.LATEST if adjacent else figures.LATEST_GAP), r
        checked.add(r.test)
    assert {figures.LATEST, figures.FIRST_LAST} <= checked


def test_every_p_value_is_the_published_change_test_with_the_populations_deff(every_test):
    """Each p-value comes from the printed bases of the two years and the population's assumed deff.
    Bug: the deff ignored, or the bases of the two years swapped. Seen to fail with `d = 1.0` and with
    `published_change_test(pa, nb, pb, na, d, d)` in figures.tests."""
    deff = load()["published_deff"]
    t = every_test[(every_test["test"] != "between populations") & every_test["p_value"].notna()]
    assert len(t) >= 10 and (t["population"] == "citizens").any()
    for r in t.rename(columns={"from": "year_from"}).itertuples():
        tab = figures.table(r.figure_id)
        g = tab[(tab["population"] == r.population) & (tab["item"] == r.item)]
        na = g.loc[g["year"] == r.year_from, "base"].iloc[0]
        nb = g.loc[g["year"] == r.to, "base"].iloc[0]
        d = deff[r.population]
        a, b = r.share_from / 100, r.share_to / 100
        z = (b - a) / np.sqrt(a * (1 - a) / (na / d) + b * (1 - b) / (nb / d))
        assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9), r


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values, written out here (step-up, cumulative minimum from the top)."""
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    out = np.empty(m)
    out[order] = adj
    return out


def test_the_chapter_is_the_multiple_comparison_family():
    """BH over all tests of a chapter with several tested figures, not per figure. Bug: adjusting each
    figure's tests on their own. Seen to fail when chapter_tests adjusted per figure (groupby figure_id)."""
    chapter = _chapter_with_most_tested_figures()
    ct = figures.chapter_tests(chapter)
    ok = ct["p_value"].notna().to_numpy()
    assert ct.loc[ok, "figure_id"].nunique() >= 3
    assert np.allclose(ct.loc[ok, "p_adjusted"], _bh(ct.loc[ok, "p_value"].to_numpy()), rtol=1e-12)
    per_figure = ct[ok].groupby("figure_id")["p_value"].transform(lambda s: _bh(s.to_numpy()))
    assert not np.allclose(per_figure, ct.loc[ok, "p_adjusted"])  # the family matters here
    assert (ct.loc[~ok, "significant"] == "base not printed").all()
    assert (ct.loc[ok, "significant"] == np.where(ct.loc[ok, "p_adjusted"] < 0.05, "yes", "no")).all()


def _chapter_with_most_tested_figures() -> str:
    inv = data.inventory()
    best, n = None, 0
    for ch in sorted(inv["chapter"].unique()):
        t = figures.chapter_tests(ch)
        k = t.loc[t["p_value"].notna(), "figure_id"].nunique() if len(t) else 0
        if k > n:
            best, n = ch, k
    return best


def test_switching_the_adjustment_off_gives_the_raw_p_values(monkeypatch):
    """multiple_comparisons: none in settings. Bug: the setting ignored. Seen to fail with the
    `if method == "none"` branch removed from chapter_tests."""
    chapter = _chapter_with_most_tested_figures()
    s = load()
    monkeypatch.setattr(figures, "load", lambda: {**s, "multiple_comparisons": "none"})
    ct = figures.chapter_tests(chapter)
    assert np.array_equal(ct["p_adjusted"].to_numpy(), ct["p_value"].to_numpy(), equal_nan=True)


def test_base_weights_that_vary_within_raking_cells_are_respected(sample, margins):
    """Base weights unrelated to sex, age and region (they vary inside every raking cell). Raking multiplies
    each base weight by a factor of its cell, so weight / base weight is constant in a cell, and the
    weights differ from raking without base weights. Bug: base weights ignored (equal weights raked).
    Seen to fail with `d = np.full(len(data), ...)` forced in rake() (the ratio then varies in a cell)."""
    rng = np.random.default_rng(3)
    base = rng.uniform(0.5, 2.0, len(sample))
    r = rake(sample, margins, base_weights=base)
    cell = sample[["sex", "agegrp", "region"]].astype(str).agg("|".join, axis=1)
    g = pd.Series(r.weights.to_numpy() / base, index=sample.index)
    assert (g.groupby(cell).agg(lambda x: x.max() / x.min() - 1) < 1e-9).all()
    assert pd.Series(base).groupby(cell.to_numpy()).agg(lambda x: x.max() / x.min()).min() > 1.05  # varies in cells
    for var, targets in margins.items():
        tot = pd.Series(r.weights.to_numpy()).groupby(sample[var].to_numpy()).sum()
        for cat, target in targets.items():
            assert tot[cat] == pytest.approx(target, rel=1e-6)
    plain = rake(sample, margins).weights.to_numpy()
    assert not np.allclose(plain, r.weights.to_numpy(), rtol=1e-3)
