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


def test_base_weights_are_respected(sample, margins):
    d = np.where(sample["region"] == "Nord", 3.0, 1.0)
    r = rake(sample, margins, base_weights=d)
    g = r.weights / d
    # within a cell the adjustment is the same, so weights keep the base-weight ratio
    cell = sample[["sex", "agegrp", "region"]].astype(str).agg("|".join, axis=1)
    assert (g.groupby(cell).nunique() == 1).all() or np.allclose(g.groupby(cell).std().fillna(0), 0, atol=1e-9)


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
