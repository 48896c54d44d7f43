"""Raking: margins met, errors named, caps enforced, weighting report."""
import numpy as np
import pandas as pd
import pytest

from ehelse.weighting import WeightingError, margins_from_frame, rake, weighting_report


def weighted_totals(df, w, var):
    return w.groupby(df[var]).sum()


def test_rake_meets_every_margin(sample, margins):
    r = rake(sample, margins)
    assert r.converged
    for var, t in margins.items():
        tot = weighted_totals(sample, r.weights, var)
        for cat, target in t.items():
            assert abs(tot[cat] - target) / (1 + target) < 1e-7
    assert r.history.shape[0] == r.iterations
    assert list(r.history.columns) == ["iteration", "sex", "agegrp", "region"]


def test_rake_is_the_ipf_fixed_point_on_respondents(sample, margins):
    """Cell-level raking equals plain respondent-level IPF run to convergence."""
    r = rake(sample, margins, tol=1e-12)
    w = np.full(len(sample), sum(margins["sex"].values()) / len(sample))
    for _ in range(500):
        for var, t in margins.items():
            tot = pd.Series(w).groupby(sample[var].to_numpy()).sum()
            w = w * sample[var].map(lambda c: t[c] / tot[c]).to_numpy()
    np.testing.assert_allclose(r.weights.to_numpy(), w, rtol=1e-9)


def test_rake_long_table_margins_equal_dict(sample, margins):
    long = pd.DataFrame([(v, c, t) for v, d in margins.items() for c, t in d.items()],
                        columns=["variable", "category", "target"])
    a = rake(sample, margins).weights
    b = rake(sample, long).weights
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    assert set(margins_from_frame(long)) == set(margins)


def test_deterministic(sample, margins):
    a, b = rake(sample, margins), rake(sample, margins)
    assert a.weights.to_numpy().tobytes() == b.weights.to_numpy().tobytes()


def test_target_category_without_respondents(sample, margins):
    df = sample[sample["region"] != "Nord"]
    with pytest.raises(WeightingError, match=r"'region'.*'Nord' has no respondents"):
        rake(df, margins)


def test_respondent_category_without_target(sample, margins):
    df = sample.copy()
    df.loc[df.index[3], "region"] = "Svalbard"
    with pytest.raises(WeightingError, match=r"'region'.*'Svalbard' occurs in the data.*no population target"):
        rake(df, margins)


def test_missing_weighting_variable_is_an_error_unless_excluded(sample, margins):
    df = sample.copy()
    df.loc[df.index[[4, 9]], "agegrp"] = np.nan
    with pytest.raises(WeightingError, match=r"'agegrp' is missing for 2 respondent\(s\).*rows \[4, 9\]"):
        rake(df, margins)
    r = rake(df, margins, missing="exclude")
    assert list(r.excluded) == [4, 9]
    assert r.weights.isna().sum() == 2
    assert abs(r.weights.sum() - sum(margins["sex"].values())) < 1e-3


def test_margins_with_different_totals(sample, margins):
    bad = {**margins, "sex": {"female": 2_000_000, "male": 2_000_000}}
    with pytest.raises(WeightingError, match=r"population total.*'sex'.*'agegrp'|'agegrp'.*'sex'"):
        rake(sample, bad)


@pytest.mark.parametrize("value", [0, -5, np.nan])
def test_nonpositive_targets(sample, margins, value):
    bad = {**margins, "agegrp": {**margins["agegrp"], "60+": value}}
    with pytest.raises(WeightingError, match=r"'agegrp'.*'60\+'.*must be positive"):
        rake(sample, bad)


def test_unknown_weighting_column(sample, margins):
    with pytest.raises(WeightingError, match=r"'education' is not a column"):
        rake(sample, {**margins, "education": {"high": 4_000_000.0, "low": 509_283.0}})


def test_non_convergence_names_margin_and_cell(sample, margins):
    with pytest.raises(WeightingError, match=r"did not converge in 1 iterations: margin '\w+', category"):
        rake(sample, margins, max_iter=1, tol=1e-15)


def test_converged_is_false_only_when_asked_to_return(sample, margins):
    """Non-convergence raises by default; strict=False returns the weights flagged converged=False."""
    with pytest.warns(UserWarning, match="did not converge in 2 iterations"):
        r = rake(sample, margins, max_iter=2, tol=1e-14, strict=False)
    assert r.converged is False and r.iterations == 2 and r.max_error >= 1e-14
    ok = rake(sample, margins)
    assert ok.converged is True and ok.max_error < ok.tol == 1e-10


def test_default_tolerance_is_the_exact_raking_solution(sample, margins):
    """At the default the weights equal raking run to machine precision within 1e-9 relative."""
    exact = rake(sample, margins, tol=1e-14).weights
    np.testing.assert_allclose(rake(sample, margins).weights, exact, rtol=1e-9)


def test_caps_hold_and_margins_met(sample, margins):
    free = rake(sample, margins)
    mean_w = free.weights.mean()
    assert free.weights.max() / mean_w > 2.2  # the cap below binds
    r = rake(sample, margins, bounds=(0.3, 2.2))
    ratio = r.weights / mean_w
    assert ratio.max() <= 2.2 + 1e-9 and ratio.min() >= 0.3 - 1e-9
    assert (np.isclose(ratio, 2.2)).sum() > 0
    for var, t in margins.items():
        tot = weighted_totals(sample, r.weights, var)
        for cat, target in t.items():
            assert abs(tot[cat] - target) / (1 + target) < 1e-7


def test_infeasible_caps_are_an_error(sample, margins):
    with pytest.raises(WeightingError, match="did not converge.*no weights within these bounds can meet the margins"):
        rake(sample, margins, bounds=(0.9, 1.1), max_iter=200)


def test_bad_bounds(sample, margins):
    with pytest.raises(WeightingError, match="bounds must satisfy"):
        rake(sample, margins, bounds=(1.2, 3))


def test_weighting_report():
    w = pd.Series([1.0, 1.0, 2.0, 4.0])
    rep = weighting_report(w)
    assert rep["n"] == 4 and rep["sum_weights"] == 8
    assert rep["deff_kish"] == pytest.approx(4 * 22 / 64)
    assert rep["n_effective"] == pytest.approx(64 / 22)
    assert rep["efficiency"] == pytest.approx(64 / 88)
    assert rep["max_min_ratio"] == 4
    assert rep["flag"] == "below 80%"
    assert weighting_report(pd.Series([1.0] * 10))["flag"] == "ok"
    assert weighting_report(pd.Series([1.0] * 9 + [10.0]))["flag"].startswith("below 70%")


def _bounded_stress_cases(seeds):
    """Seeded samples with unequal base weights and bounds at 0.1-5 % of the feasibility limit (LP)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "reference"))
    import make_data as M

    targets = [np.array(list(M.POP[v].values()), float) for v in ("sex", "agegrp", "region")]
    for seed in seeds:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(150, 600))
        cols = (M._draw(rng, M.SEX, [0.55, 0.45], n), M._draw(rng, M.AGE, rng.dirichlet([2, 3, 4, 6]), n),
                M._draw(rng, M.REGION, rng.dirichlet([1.5, 2, 3, 8]), n))
        if len(set(cols[1])) < 4 or len(set(cols[2])) < 4:
            continue
        base = np.clip(np.exp(rng.normal(0, 0.6, n)), 0.1, 8.0)
        base = base * 4.4e6 / base.sum()
        cells = [np.array([lv.index(x) for x in c]) for lv, c in zip((M.SEX, M.AGE, M.REGION), cols)]
        g = M._ipf_g(cells, base, targets, 300)
        u_min = M._limit(cells, base, targets, 1.0, float(g.max()), lambda u: M._feasible(cells, base, targets, 0.0, u))
        l_max = M._limit(cells, base, targets, 1.0, float(g.min()), lambda l: M._feasible(cells, base, targets, l, 1e6))
        df = pd.DataFrame(dict(zip(("sex", "agegrp", "region"), cols)))
        for lo, hi in [(0.0, 1.001 * u_min), (0.5 * g.min(), 1.01 * u_min), (0.999 * l_max, 2 * g.max()),
                       (0.95 * l_max, 1.05 * u_min), (0.99 * l_max, 1.01 * u_min)]:
            if 0 <= lo < 1 < hi and M._feasible(cells, base, targets, lo, hi):
                yield df, base, (lo, hi)


def test_bounded_raking_converges_on_every_feasible_case():
    """Unequal base weights, bounds just inside the feasibility limit: every case converges, bounds hold."""
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent / "reference"))
    import make_data as M

    marg = {v: dict(t) for v, t in M.POP.items()}
    n_cases = lower_bind = upper_bind = 0
    for df, base, (lo, hi) in _bounded_stress_cases(range(1000, 1012)):
        r = rake(df, marg, base_weights=base, bounds=(lo, hi))
        g = r.weights.to_numpy() / base
        assert r.converged and r.max_error < 1e-10
        assert g.min() >= lo * (1 - 1e-12) and g.max() <= hi * (1 + 1e-12)
        lower_bind += np.isclose(g, lo, rtol=1e-9).any()
        upper_bind += np.isclose(g, hi, rtol=1e-9).any()
        n_cases += 1
    assert n_cases >= 30 and lower_bind >= 10 and upper_bind >= 20, (n_cases, lower_bind, upper_bind)
