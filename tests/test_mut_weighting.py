"""Mutation-killing tests of ehelse.weighting (issue 17): weighting_report and composition on weights
small enough to check by hand (Kish: deff = n sum w^2 / (sum w)^2, n_eff = (sum w)^2 / sum w^2)."""
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ehelse.weighting import WeightingError, composition, weighting_report

REPORT_KEYS = ["n", "sum_weights", "mean", "sd", "min", "max", "max_min_ratio", "deff_kish", "n_effective",
               "efficiency", "flag", "moe_95_pct_points"]


def test_weighting_report_by_hand():
    """w = 2, 2, 4, 8: n 4, sum 16, mean 4, sd sqrt(8), ratio 4, deff 4 * 88 / 256, moe 196 sqrt(deff / 16).
    Fails if a key is renamed, sd uses ddof 2 or is skipped, max/min becomes max*min, or a constant of
    the 95 % margin of error (100, 1.96, 0.25, / n, * deff) changes."""
    rep = weighting_report(pd.Series([2.0, 2.0, 4.0, 8.0]))
    assert list(rep.index) == REPORT_KEYS
    assert rep["n"] == 4 and rep["sum_weights"] == 16.0 and rep["mean"] == 4.0
    assert rep["sd"] == pytest.approx(np.sqrt(((2 - 4) ** 2 * 2 + 0 + 4 ** 2) / 3), rel=1e-15)
    assert (rep["min"], rep["max"], rep["max_min_ratio"]) == (2.0, 8.0, 4.0)
    deff = 4 * 88 / 256
    assert rep["deff_kish"] == pytest.approx(deff, rel=1e-15)
    assert rep["n_effective"] == pytest.approx(256 / 88, rel=1e-15)
    assert rep["efficiency"] == pytest.approx(256 / 352, rel=1e-15)
    assert rep["moe_95_pct_points"] == pytest.approx(100 * 1.96 * np.sqrt(0.25 * deff / 4), rel=1e-15)
    assert rep["flag"] == "below 80%"


def test_weighting_report_moe_is_the_srs_one_for_equal_weights():
    """Equal weights: deff 1, the margin of error of a 50 % share on 100 respondents, 9.8 points.
    Fails if a constant of the margin of error or the flag for efficiency 1 changes."""
    rep = weighting_report(np.full(100, 3.0))
    assert rep["deff_kish"] == pytest.approx(1.0, rel=1e-15) and rep["flag"] == "ok"
    assert rep["moe_95_pct_points"] == pytest.approx(9.8, rel=1e-12)
    assert rep["sd"] == 0.0


def test_weighting_report_flag_boundaries():
    """w = 1, 3: efficiency exactly 16 / 20 = 0.8. At the threshold the flag is the better one
    (>=, not >): "ok" at good = 0.8, "below 90%" at good = 0.9, poor = 0.8.
    Fails if `eff >= good` or `eff >= poor` becomes `>`."""
    w = [1.0, 3.0]
    assert weighting_report(w)["efficiency"] == 0.8
    assert weighting_report(w)["flag"] == "ok"
    assert weighting_report(w, good=0.9, poor=0.8)["flag"] == "below 90%"
    assert weighting_report(w, good=0.95, poor=0.85)["flag"] == "below 85%: re-examine"


def test_weighting_report_sd_of_one_and_two_weights():
    """sd is 0 for a single weight (no ddof=1 NaN, no warning) and |w1 - w2| / sqrt(2) for two.
    Fails if the n > 1 guard moves (n >= 1, n > 2, always, never) or the fallback is not 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        one = weighting_report([5.0])
    assert one["n"] == 1 and one["sd"] == 0.0 and one["deff_kish"] == 1.0 and one["max_min_ratio"] == 1.0
    two = weighting_report([1.0, 3.0])
    assert two["sd"] == pytest.approx(2 / np.sqrt(2), rel=1e-15)


def test_weighting_report_leaves_out_missing_weights_and_errors_when_none_is_left():
    """Excluded respondents (NaN weight, also None in an object column) are left out; with no weight left
    the error names the function. Fails if the weights are not converted to float (None stays None), the
    empty check is `== 1`, or the message changes."""
    rep = weighting_report(pd.Series([2.0, None, 4.0], dtype=object))
    assert rep["n"] == 2 and rep["sum_weights"] == 6.0
    with pytest.raises(WeightingError, match=r"^weighting_report: no weights$"):
        weighting_report(pd.Series([np.nan, np.nan]))
    with pytest.raises(WeightingError, match=r"^weighting_report: no weights$"):
        weighting_report([])


# ------------------------------------------------------------------ composition

def _comp_data():
    # index not 0..n-1: the weights are taken in the data's row order, not aligned on a RangeIndex
    return pd.DataFrame({"sex": ["f", "f", "m", "f", "m"], "age": ["y", "o", "o", "o", "o"]},
                        index=["r1", "r2", "r3", "r4", "r5"])


def test_composition_by_hand():
    """Sample, weighted and population shares in percent, one row per margin category in margin order.
    Fails if a column is renamed, a share is not 100 * part / whole, or the weights are mis-aligned
    with the rows (composition mutants)."""
    df = _comp_data()
    w = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    m = {"sex": {"m": 300, "f": 700}, "age": {"y": 250, "o": 750}}
    c = composition(df, w, m)
    assert list(c.columns) == ["variable", "category", "sample", "weighted", "population"]
    assert list(zip(c["variable"], c["category"])) == [("sex", "m"), ("sex", "f"), ("age", "y"), ("age", "o")]
    np.testing.assert_allclose(c["sample"], [40.0, 60.0, 20.0, 80.0], rtol=1e-15)
    np.testing.assert_allclose(c["weighted"], [65.0, 35.0, 5.0, 95.0], rtol=1e-15)
    np.testing.assert_allclose(c["population"], [30.0, 70.0, 25.0, 75.0], rtol=1e-15)


def test_composition_of_a_category_without_respondents_and_a_long_margins_table():
    """A target category nobody in the sample has: 0 % in the sample and weighted, not an error or 100 %.
    The margins may be a long table (variable, category, target). Fails if the 0 defaults of the
    lookups change (get(cat, 1), get(cat, None), get(0), get(None, 0))."""
    df = _comp_data()
    w = pd.Series([1.0, 1.0, 1.0, 1.0, 1.0], index=[10, 11, 12, 13, 14])  # its index is ignored
    m = pd.DataFrame({"variable": ["age", "age", "age"], "category": ["y", "o", "old"],
                      "target": [100.0, 300.0, 100.0]})
    c = composition(df, w, m)
    assert list(c["category"]) == ["y", "o", "old"]
    np.testing.assert_allclose(c["sample"], [20.0, 80.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(c["weighted"], [20.0, 80.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(c["population"], [20.0, 60.0, 20.0], rtol=1e-15)


def test_composition_checks_the_margins():
    """The margins are validated as for raking (a non-positive target is an error naming it).
    Fails if composition stops validating the margins."""
    with pytest.raises(WeightingError, match=r"^margin 'sex': target for category 'm' is 0\.0; "
                                             r"targets must be positive numbers$"):
        composition(_comp_data(), np.ones(5), {"sex": {"m": 0, "f": 1}})


# ------------------------------------------------------------------ bounds_feasible

def test_bounds_feasible_on_two_cells():
    """Two cells with base weights 2 and 0.5, each its own category with targets 1 and 3: the only weights
    meeting the margin have g = 1 / 2 = 0.5 and 3 / 0.5 = 6, so bounds (0.4, 7) are feasible and (0.4, 5)
    or (0.6, 7) are not. Fails if the constraint rows use / cell_d, != j, * target, or the status test is
    `== 1` (bounds_feasible mutants)."""
    from ehelse.weighting import bounds_feasible

    cell_d, cell_cat, sizes, targets = np.array([2.0, 0.5]), [np.array([0, 1])], [2], [np.array([1.0, 3.0])]
    assert bounds_feasible(cell_d, cell_cat, sizes, targets, (0.4, 7.0)) is True
    assert bounds_feasible(cell_d, cell_cat, sizes, targets, (0.4, 5.0)) is False
    assert bounds_feasible(cell_d, cell_cat, sizes, targets, (0.6, 7.0)) is False


def test_bounds_feasible_with_two_margins():
    """Cells (sex, age) = (f, y), (f, o), (m, o), base weight 1: sex f = 2 needs g_fy + g_fo = 2, m = 2
    needs g_mo = 2, age y = 1 needs g_fy = 1: g = (1, 1, 2), feasible within (0.5, 2) and not within
    (0.5, 1.9).
    Fails if a margin's rows are built otherwise (== j, * cell_d, / target) or the status test changes."""
    from ehelse.weighting import bounds_feasible

    cell_d = np.ones(3)
    cell_cat = [np.array([0, 0, 1]), np.array([0, 1, 1])]
    targets = [np.array([2.0, 2.0]), np.array([1.0, 3.0])]
    assert bounds_feasible(cell_d, cell_cat, [2, 2], targets, (0.5, 2.0)) is True
    assert bounds_feasible(cell_d, cell_cat, [2, 2], targets, (0.5, 1.9)) is False


# ------------------------------------------------------------------ rake: results and messages on 5 respondents

import re  # noqa: E402

from ehelse.weighting import margins_from_frame, rake  # noqa: E402

TINY = pd.DataFrame({"sex": ["f", "f", "m", "m", "m"], "age": ["y", "o", "y", "o", "o"]})
TM = {"sex": {"f": 60.0, "m": 40.0}, "age": {"y": 50.0, "o": 50.0}}


def _ipf_by_hand(iterations):
    """Raking by hand, respondent by respondent: start at 100 / 5, then scale sex, then age."""
    w = np.full(5, 20.0)
    for _ in range(iterations):
        for var in ("sex", "age"):
            for cat, target in TM[var].items():
                m = (TINY[var] == cat).to_numpy()
                w[m] *= target / w[m].sum()
    return w


def test_rake_result_on_five_respondents():
    """Converged weights meet both margins; the result records variables, history (one row per
    iteration, one column per margin), max_error below tol, no bounds and no exclusions.
    Fails if the weights differ from raking by hand or a field of the RakeResult (variables, history, tol,
    max_error, bounds, excluded) changes."""
    r = rake(TINY, TM)
    assert r.converged is True and r.variables == ("sex", "age") and r.bounds is None and r.tol == 1e-10
    assert list(r.history.columns) == ["iteration", "sex", "age"]
    assert r.history["iteration"].tolist() == list(range(1, r.iterations + 1))
    assert r.max_error < 1e-10 and len(r.excluded) == 0
    np.testing.assert_allclose(r.weights.to_numpy(), _ipf_by_hand(200), rtol=1e-9)
    for var, t in TM.items():
        for cat, target in t.items():
            assert r.weights[TINY[var] == cat].sum() == pytest.approx(target, rel=1e-10)


def test_rake_non_convergence_message_by_hand():
    """After one iteration the age margin is met and sex is off: the message names the worst cell
    (sex = m), its weighted total, target, relative error |total - target| / (1 + target) and tol; with
    strict=False the same text is a warning and the weights are those of one iteration.
    Fails if the worst cell, a number or its format in the message, the warning of strict=False or the returned
    iteration count change."""
    w = _ipf_by_hand(1)
    tot_m = w[2:].sum()
    err = abs(tot_m - 40) / 41
    assert err > abs(w[:2].sum() - 60) / 61  # m is the worst cell
    msg = (f"raking did not converge in 1 iterations: margin 'sex', category 'm' has weighted total "
           f"{tot_m:,.6g} against target 40 (relative error {err:.2e} > tol 1e-10)")
    with pytest.raises(WeightingError, match="^" + re.escape(msg) + "$"):
        rake(TINY, TM, max_iter=1)
    with pytest.warns(UserWarning, match="^" + re.escape(msg) + "$"):
        r = rake(TINY, TM, max_iter=1, strict=False)
    assert r.converged is False and r.iterations == 1 and r.max_error == pytest.approx(err, rel=1e-12)
    np.testing.assert_allclose(r.weights.to_numpy(), w, rtol=1e-12)


def test_bounded_rake_messages_say_whether_the_bounds_are_feasible():
    """Bounded raking stopped early says the bounds are feasible (raise max_iter); infeasible bounds
    say so (widen them); bounds that do not bind give the unbounded weights.
    Fails if the feasibility branch of the message is inverted or its text changes."""
    with pytest.raises(WeightingError, match=r"; the bounds are feasible \(linear-programming check\): "
                                             r"raise max_iter$"):
        rake(TINY, TM, bounds=(0.1, 10.0), max_iter=1)
    with pytest.raises(WeightingError, match=r"; no weights within these bounds can meet the margins "
                                             r"\(linear-programming check\): widen them$"):
        rake(TINY, TM, bounds=(0.9, 1.1), max_iter=50)
    r = rake(TINY, TM, bounds=(0.1, 10.0))
    assert r.converged and r.bounds == (0.1, 10.0)
    np.testing.assert_allclose(r.weights.to_numpy(), _ipf_by_hand(200), rtol=1e-8)  # bounds not binding


@pytest.mark.parametrize("bounds,ok", [((0.0, 2.0), True), ((0.5, 1.0), False), ((1.0, 2.0), False),
                                       ((-0.1, 2.0), False)])
def test_rake_bounds_check(bounds, ok):
    """0 <= lower < 1 < upper: lower 0 is allowed, upper 1 and lower 1 are not.
    Fails if a comparison of the bounds check becomes strict / non-strict or the message changes."""
    if ok:
        assert rake(TINY, TM, bounds=bounds).converged
    else:
        with pytest.raises(WeightingError, match="^" + re.escape(
                f"bounds must satisfy 0 <= lower < 1 < upper, got {bounds}") + "$"):
            rake(TINY, TM, bounds=bounds)


def test_rake_argument_messages():
    """Exact messages for tol, base weights, missing=, and the data's base_weight column used by default.
    Fails if a message changes or the data's base_weight column is not the default base weight."""
    with pytest.raises(WeightingError, match=r"^tol must be a positive number, got 0$"):
        rake(TINY, TM, tol=0)
    with pytest.raises(WeightingError, match=r"^base_weights has 3 values for 5 respondents$"):
        rake(TINY, TM, base_weights=np.ones(3))
    with pytest.raises(WeightingError) as e:
        rake(TINY, TM, base_weights=np.array([1.0, 1.0, 0.0, 1.0, 1.0]))
    msg = str(e.value)  # the row label as the reader knows it: 2, not numpy's repr np.int64(2)
    assert msg == "base weight of row 2 is 0.0; base weights must be positive"
    df = TINY.assign(sex=["f", None, "m", "m", "m"])
    with pytest.raises(WeightingError, match=r"^missing must be 'error' or 'exclude', not 'drop'$"):
        rake(df, TM, missing="drop")
    bw = np.array([1.0, 3.0, 1.0, 1.0, 2.0])
    a = rake(TINY.assign(base_weight=bw), TM)
    b = rake(TINY, TM, base_weights=bw)
    np.testing.assert_allclose(a.weights.to_numpy(), b.weights.to_numpy(), rtol=1e-12)
    assert not np.allclose(a.weights.to_numpy(), rake(TINY, TM).weights.to_numpy())


def test_missing_weighting_variable_message_marks_more_than_five_rows():
    """More than five missing: the first five rows and an ellipsis; exactly five: no ellipsis.
    Fails if the ellipsis rule (> 5) or the row list changes, or excluded respondents are not left out."""
    df = pd.DataFrame({"sex": [None] * 6 + ["f", "m"], "age": ["y"] * 8})
    m = {"sex": {"f": 1.0, "m": 1.0}, "age": {"y": 2.0}}
    with pytest.raises(WeightingError, match="^" + re.escape(
            "weighting variable 'sex' is missing for 6 respondent(s) (rows [0, 1, 2, 3, 4]…); impute it, or "
            "pass missing='exclude' to leave them out of the weighting explicitly") + "$"):
        rake(df, m)
    with pytest.raises(WeightingError, match=re.escape("(rows [1, 2, 3, 4, 5]); impute")):
        rake(df.iloc[1:], m)
    r = rake(df, m, missing="exclude")
    assert list(r.excluded) == [0, 1, 2, 3, 4, 5]
    assert r.weights[6:].tolist() == pytest.approx([1.0, 1.0])  # 2 / 2 respondents each


def test_margins_table_and_margin_messages():
    """The long table's checks and the population-total check, with exact messages.
    Fails if a message, the 1e-6 relative tolerance on the totals, the order of the margins or their float
    conversion change."""
    with pytest.raises(WeightingError, match=re.escape("margins table lacks column(s) ['category', 'target']")):
        margins_from_frame(pd.DataFrame({"variable": ["sex"]}))
    dup = pd.DataFrame({"variable": ["sex", "sex", "age"], "category": ["f", "f", "y"], "target": [1, 2, 3]})
    with pytest.raises(WeightingError, match=r"^margins: category 'f' of 'sex' is given twice$"):
        margins_from_frame(dup)
    got = margins_from_frame(pd.DataFrame({"variable": ["sex", "age", "sex"], "category": ["f", "y", "m"],
                                           "target": [1, 3, 2]}))
    assert list(got) == ["sex", "age"] and got["sex"].to_dict() == {"f": 1.0, "m": 2.0}
    assert got["sex"].dtype == float
    with pytest.raises(WeightingError, match=r"^no margins given$"):
        rake(TINY, {})
    with pytest.raises(WeightingError, match=r"^margins disagree on the population total: 'sex' sums to 100 "
                                             r"but 'age' sums to 90$"):
        rake(TINY, {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 40}})
    near = {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 50 + 5e-5}}  # within 1e-6 of the total
    assert rake(TINY, near, tol=1e-5).converged
    with pytest.raises(WeightingError, match="disagree"):
        rake(TINY, {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 50 + 2e-4}})
    with pytest.raises(WeightingError, match=re.escape(
            "weighting variable 'edu' is not a column of the data (columns: sex, age…)")):
        rake(TINY, {**TM, "edu": {"a": 100.0}})


def test_cell_code_messages_and_exclusion_of_several_variables():
    """Fails if the columns listed in the unknown-variable message are not the first 12, missing='exclude'
    keeps only the last variable's exclusions (`keep = ~na`), the no-target rows are not the first five
    usable ones, or the empty-category message changes (_cell_codes mutants)."""
    wide = TINY.assign(**{f"c{i}": 0 for i in range(11)})  # 13 columns
    with pytest.raises(WeightingError, match=re.escape(
            "(columns: sex, age, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9…)") + "$"):
        rake(wide, {**TM, "edu": {"a": 100.0}})
    df = pd.DataFrame({"sex": [None, "f", "f", "f", "m", "m"], "age": ["y", None, "y", "o", "y", "o"]})
    r = rake(df, TM, missing="exclude")
    assert list(r.excluded) == [0, 1]
    assert r.weights[2:].sum() == pytest.approx(100.0)
    odd = pd.DataFrame({"sex": ["x"] * 7 + ["f", "m"], "age": [None] + ["y"] * 4 + ["o"] * 4})
    with pytest.raises(WeightingError, match="^" + re.escape(
            "weighting variable 'sex': category 'x' occurs in the data (rows [1, 2, 3, 4, 5]) but has no "
            "population target (targets: ['f', 'm'])") + "$"):
        rake(odd, TM, missing="exclude")
    with pytest.raises(WeightingError, match="^" + re.escape(
            "weighting variable 'age': target category 'o' has no respondents, so it can never be met; merge it "
            "with a neighbouring category") + "$"):
        rake(TINY.assign(age="y"), TM)


def test_population_total_tolerance_boundaries():
    """Totals may differ by up to 1e-6 of the first margin's total (at least 1e-6 absolute), inclusive:
    exactly 1.0 on 1,000,000 passes, 1.5e-6 on a total of 1 does not. Fails if `>` becomes `>=` or the
    floor 1.0 becomes 2.0."""
    from ehelse.weighting import _normalise_margins

    ok = _normalise_margins({"a": {"x": 1_000_000.0}, "b": {"y": 1_000_001.0}})
    assert list(ok) == ["a", "b"]
    with pytest.raises(WeightingError, match="disagree"):
        _normalise_margins({"a": {"x": 1.0}, "b": {"y": 1.0 + 1.5e-6}})
    assert list(_normalise_margins({"a": {"x": 1.0}, "b": {"y": 1.0 + 0.5e-6}})) == ["a", "b"]


# ------------------------------------------------------------------ bounded raking (_bounded), round 3

def _sweep_case():
    """Three respondents whose bounds (0, 1.5) cannot meet the margins: b = x needs g = 8 / 2 = 4 > 1.5."""
    df = pd.DataFrame({"a": ["q", "p", "q"], "b": ["x", "y", "y"]})
    m = {"a": {"p": 4.0, "q": 7.0}, "b": {"x": 8.0, "y": 3.0}}
    return df, m, np.array([2.0, 3.0, 3.0])


def test_bounded_rake_with_binding_bounds_by_hand():
    """TINY with bounds (0.5, 1.5): g = 1.5, 1.5, 1, 0.5, 0.5 (weights 30, 30, 20, 10, 10 of the equal base
    weight 20) meets every margin (f 60, m 40, y 50, o 50) and has the form clip(exp(a_sex + b_age)) (a_m = 0,
    b_y = 0, b_o = log 0.5, a_f = log 3), so it is the unique bounded raking solution; the bounds bind on
    both sides. Fails if the bounded solver converges elsewhere or not at all (_bounded mutants)."""
    r = rake(TINY, TM, bounds=(0.5, 1.5))
    assert r.converged is True and r.bounds == (0.5, 1.5) and r.max_error < 1e-10
    np.testing.assert_allclose(r.weights.to_numpy(), [30.0, 30.0, 20.0, 10.0, 10.0], rtol=1e-12)


@pytest.mark.parametrize("bounds", [(0.5, 1.5), (0.0, 2.0), (0.1, 10.0)])
def test_bounded_rake_converges_like_newton(bounds):
    """The bounded solver is (semismooth) Newton near the solution: once the largest margin error is below
    1e-3 each iteration at least squares it (up to a factor 100), so it converges in a handful of iterations.
    Fails if the Newton curvature, its regularisation or the line search are broken so that the
    iteration falls back to slow first-order progress (_bounded mutants of curv, H, mu, the line search)."""
    r = rake(TINY, TM, bounds=bounds)
    err = r.history[["sex", "age"]].max(axis=1).to_numpy()
    assert r.converged and r.iterations <= 8
    for a, b in zip(err[:-1], err[1:]):
        if a < 1e-3:
            assert b <= max(100 * a * a, 1e-15), (a, b)  # 1e-15: rounding


def test_bounded_rake_history_and_max_iter_boundary():
    """Bounded raking records one history row per iteration (the errors before its step), numbered from 1;
    max_iter counts steps exactly and the weights after the last step are checked too: if the run stops at
    iteration k (its error below tol), k - 1 steps give the same converged weights and k - 2 steps do not
    (an error after exactly k - 2 iterations, with k - 2 history rows).
    Fails if the iteration range starts at 0 or 2 or ends at max_iter - 1 or max_iter + 1 (_bounded mutants
    of range(1, max_iter + 1))."""
    r = rake(TINY, TM, bounds=(0.5, 1.5))
    k = r.iterations
    assert r.history["iteration"].tolist() == list(range(1, k + 1))
    assert list(r.history.columns) == ["iteration", "sex", "age"]
    same = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=k - 1)
    assert same.converged and same.iterations == k - 1 and len(same.history) == k - 1
    np.testing.assert_array_equal(same.weights.to_numpy(), r.weights.to_numpy())
    with pytest.warns(UserWarning, match=f"^raking did not converge in {k - 2} iterations: "):
        short = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=k - 2, strict=False)
    assert short.converged is False and short.iterations == k - 2
    assert short.history["iteration"].tolist() == list(range(1, k - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=1, strict=False)
    assert len(one.history) == 1 and one.iterations == 1 and one.converged is False


def test_bounded_rake_converged_means_strictly_below_tol():
    """Converged means the largest relative margin error is < tol, not <=: with tol equal to the error
    reached at iteration k the solver goes on to iteration k + 1; with max_iter = k and tol equal to the
    error of the weights it returns, they are not converged, and with the next float above they are.
    Fails if `err < tol` in the loop or `max(errs) < tol` after it becomes `<=` (_bounded mutants)."""
    full = rake(TINY, TM, bounds=(0.5, 1.5))
    err = full.history[["sex", "age"]].max(axis=1).to_numpy()
    k = len(err) - 2  # an iteration whose error is neither 0 nor below the default tol
    assert err[k] > 0 and err[k + 1] < err[k]
    r = rake(TINY, TM, bounds=(0.5, 1.5), tol=float(err[k]))
    assert r.iterations == k + 2  # history row k is iteration k + 1; it is not < tol, the next one is
    with pytest.warns(UserWarning, match="raise max_iter$"):
        part = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=2, strict=False)
    e = part.max_error
    assert e > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        at = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=2, tol=e, strict=False)
    assert at.converged is False and at.max_error == e
    above = rake(TINY, TM, bounds=(0.5, 1.5), max_iter=2, tol=float(np.nextafter(e, np.inf)))
    assert above.converged is True and above.iterations == 2


def test_ipf_converged_means_strictly_below_tol():
    """Unbounded raking stops at the first iteration whose margin error is < tol: with tol equal to the
    error after iteration 2 it stops at iteration 3, with the next float above at iteration 2.
    Fails if the stopping test of _ipf becomes `<=` or the history is off by one iteration (_ipf mutants)."""
    full = rake(TINY, TM)
    e2 = float(full.history.loc[1, ["sex", "age"]].max())
    assert full.history["iteration"].tolist()[:2] == [1, 2] and e2 > 0
    assert rake(TINY, TM, tol=e2).iterations == 3
    assert rake(TINY, TM, tol=float(np.nextafter(e2, np.inf))).iterations == 2


def test_bounded_rake_with_lower_bound_zero_gives_no_numpy_warning():
    """bounds with lower 0 mean "no lower bound": no log(0) and no 0 * inf is evaluated, so raking warns
    about nothing (numpy's RuntimeWarning would reach the chapter's output). Also on the infeasible case,
    where the per-category sweep runs. Fails if log(lo) is taken for lo = 0 or the lower-bound branch of
    psi or of the sweep is taken for lo = 0 (`lo >= 0`, `or True` mutants)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rake(TINY, TM, bounds=(0.0, 2.0))
    assert r.converged
    np.testing.assert_allclose(r.weights.to_numpy(), _ipf_by_hand(200), rtol=1e-8)  # not binding
    df, m, base = _sweep_case()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        rake(df, m, base_weights=base, bounds=(0.0, 1.5), max_iter=6, strict=False)
    assert [w.category for w in rec] == [UserWarning]


def test_bounded_rake_sweep_on_infeasible_bounds():
    """When no Newton step decreases the dual objective the solver makes one sweep of exact per-category
    updates (bounded IPF). On _sweep_case the first four Newton steps end with every cell at the upper
    bound (g = 1.5: no curvature left), so iteration 5 is a sweep, by hand: a = p (one cell, d 3) gets
    g = 4 / 3; a = q needs 2 g1 + 3 g3 = 7 with g1 capped at 1.5, so g3 = 4 / 3; b = x (one cell) cannot
    reach 8 and stays at the cap 1.5; b = y scales its two cells (both at 4 / 3) together to 3: g = 0.5
    each. The weights after max_iter = 5 are therefore 3, 1.5, 1.5, and margin b = y is met exactly.
    The bounds are infeasible, so strict raking says so (the linear-programming check) and strict=False
    warns and returns weights within the bounds.
    Fails if the sweep's bracket, bisection, stopping rule or update (and eta_of) are broken, or the
    fallback is never / always taken (_bounded mutants of sweep, eta_of, accepted)."""
    df, m, base = _sweep_case()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        four = rake(df, m, base_weights=base, bounds=(0.0, 1.5), max_iter=4, strict=False)
        five = rake(df, m, base_weights=base, bounds=(0.0, 1.5), max_iter=5, strict=False)
    np.testing.assert_allclose(four.weights.to_numpy() / base, [1.5, 1.5, 1.5], rtol=1e-12)
    np.testing.assert_allclose(five.weights.to_numpy(), [3.0, 1.5, 1.5], rtol=1e-9)
    assert five.weights.iloc[1:].sum() == pytest.approx(3.0, rel=1e-14)
    assert five.converged is False and five.iterations == 5 and len(five.history) == 5
    with pytest.raises(WeightingError, match=r"^raking did not converge in 6 iterations: margin '[ab]', "
                                             r"category '[pqxy]' has weighted total [0-9.]+ against target "
                                             r"[0-9.]+ \(relative error [0-9.]+e[-+][0-9]+ > tol 1e-10\); no "
                                             r"weights within these bounds can meet the margins "
                                             r"\(linear-programming check\): widen them$"):
        rake(df, m, base_weights=base, bounds=(0.0, 1.5), max_iter=6)
    for mi in (6, 9, 12):
        with pytest.warns(UserWarning, match="widen them$"):
            r = rake(df, m, base_weights=base, bounds=(0.0, 1.5), max_iter=mi, strict=False)
        g = r.weights.to_numpy() / base
        assert np.all(np.isfinite(g)) and g.min() >= 0.0 and g.max() <= 1.5 * (1 + 1e-12)
        assert r.iterations == mi and r.history["iteration"].tolist() == list(range(1, mi + 1))


# ------------------------------------------------------------------ rake: closed forms (a second route)

def test_ipf_iterates_on_a_structural_zero_by_hand():
    """Cells (f, y), (f, o), (m, o) with targets f 2, m 2, y 2, o 2: the only solution puts weight 0 on (f, o),
    which raking approaches but never reaches. By hand (start 4 / 3 each; sex then age each iteration)
    the weights after k iterations are 2, 2 / (2k + 1), 2 - 2 / (2k + 1), and the sex total is off by
    2 / (2k + 1); so raking does not converge within the default max_iter 1000, and the message gives
    the sex total 2 + 2 / 2001 (or the male one, 2 - 2 / 2001, which ties) and relative error
    (2 / 2001) / 3. Fails if an IPF step (sex then age, scale by target / total), the iteration count, the
    default max_iter or the history of non-converged raking change (_ipf and rake mutants)."""
    df = pd.DataFrame({"sex": ["f", "f", "m"], "age": ["y", "o", "o"]})
    m = {"sex": {"f": 2.0, "m": 2.0}, "age": {"y": 2.0, "o": 2.0}}
    for k in (1, 2, 3, 10):
        with pytest.warns(UserWarning, match=f"^raking did not converge in {k} iterations: margin 'sex'"):
            r = rake(df, m, max_iter=k, strict=False)
        y = 2 / (2 * k + 1)
        np.testing.assert_allclose(r.weights.to_numpy(), [2.0, y, 2.0 - y], rtol=1e-13)
        assert r.iterations == k and r.converged is False
        assert r.history["iteration"].tolist() == list(range(1, k + 1))
        np.testing.assert_allclose(r.history["sex"], [2 / (2 * i + 1) / 3 for i in range(1, k + 1)], rtol=1e-12)
        np.testing.assert_allclose(r.history["age"], 0.0, atol=1e-15)
        assert r.max_error == pytest.approx(y / 3, rel=1e-12)
    with pytest.raises(WeightingError) as e:
        rake(df, m)
    err = f"{(2 / 2001) / 3:.2e}"
    assert str(e.value) in [
        f"raking did not converge in 1000 iterations: margin 'sex', category {c!r} has weighted total "
        f"{tot:,.6g} against target 2 (relative error {err} > tol 1e-10)"
        for c, tot in (("f", 2 + 2 / 2001), ("m", 2 - 2 / 2001))]


def test_one_raking_variable_is_poststratification_with_any_base_weights():
    """With one weighting variable raking is post-stratification: w_i = d_i * T_c / (sum of d in c), the
    base weights varying within a category (they need not depend on the weighting variables) and kept in
    proportion. Respondents excluded for a missing weighting variable get NaN and need no valid base
    weight (0 or NaN there is not an error); the others' base weights must be positive.
    Fails if the cells' base weights are counted instead of summed, the base weights of excluded rows are
    checked or used, or the weights are not expanded back to the respondents (rake mutants)."""
    df = pd.DataFrame({"reg": ["n", "s", "n", None, "s", "n"]}, index=[10, 11, 12, 13, 14, 15])
    d = np.array([1.0, 2.0, 3.0, 0.0, 6.0, 4.0])
    r = rake(df, {"reg": {"n": 40.0, "s": 60.0}}, base_weights=d, missing="exclude")
    expected = [1 * 40 / 8, 2 * 60 / 8, 3 * 40 / 8, np.nan, 6 * 60 / 8, 4 * 40 / 8]
    np.testing.assert_allclose(r.weights.to_numpy(), expected, rtol=1e-14)
    assert list(r.weights.index) == [10, 11, 12, 13, 14, 15] and r.weights.name == "weight"
    assert list(r.excluded) == [13] and r.converged and r.iterations == 1
    r2 = rake(df, {"reg": {"n": 40.0, "s": 60.0}}, base_weights=np.where(d == 0, np.nan, d), missing="exclude")
    np.testing.assert_allclose(r2.weights.to_numpy(), expected, rtol=1e-14)
    # (a RangeIndex here: with another integer index the message shows np.int64(4), reported as a lib bug)
    with pytest.raises(WeightingError, match=r"^base weight of row 4 is -6\.0; base weights must be positive$"):
        rake(df.reset_index(drop=True), {"reg": {"n": 40.0, "s": 60.0}},
             base_weights=d * np.array([1, 1, 1, 1, -1, 1]), missing="exclude")
    with pytest.raises(WeightingError, match=r"^base weight of row 1 is nan; base weights must be positive$"):
        rake(df.fillna("n").reset_index(drop=True), {"reg": {"n": 40.0, "s": 60.0}}, base_weights=[1.0, np.nan, 1, 1, 1, 1])


def test_default_base_weight_is_the_population_total_over_the_respondents_kept():
    """Without base weights every kept respondent starts at population total / respondents kept (an
    excluded respondent does not count), which is what bounds are relative to: TINY plus one respondent
    with a missing sex, bounds (0.5, 1.5), gives the by-hand weights 30, 30, 20, 10, 10 of
    test_bounded_rake_with_binding_bounds_by_hand (base 100 / 5 = 20, not 100 / 6).
    Fails if the default base weight divides by all rows, or the bounded solution ignores exclusions."""
    df = pd.concat([TINY, pd.DataFrame({"sex": [None], "age": ["y"]})], ignore_index=True)
    r = rake(df, TM, bounds=(0.5, 1.5), missing="exclude")
    np.testing.assert_allclose(r.weights.to_numpy()[:5], [30.0, 30.0, 20.0, 10.0, 10.0], rtol=1e-12)
    assert np.isnan(r.weights.iloc[5]) and list(r.excluded) == [5]
    assert rake(TINY.assign(base_weight=20.0), TM, bounds=(0.5, 1.5)).weights.tolist() == pytest.approx(
        [30.0, 30.0, 20.0, 10.0, 10.0], rel=1e-12)
    explicit = rake(TINY.assign(base_weight=5.0), TM, base_weights=np.full(5, 20.0), bounds=(0.5, 1.5))
    np.testing.assert_allclose(explicit.weights.to_numpy(), [30.0, 30.0, 20.0, 10.0, 10.0], rtol=1e-12)


def test_bounded_rake_sweep_with_a_positive_lower_bound():
    """The per-category sweep with bounds (0.3, 3) on three respondents (cells (p, y), (p, x), (q, x), base
    weights 3, 3, 2), whose margins cannot be met: p needs 3 g1 + 3 g2 = 1 but g >= 0.3 gives at least 1.8.
    Iteration 6 is a sweep; by hand, from any start: a = p cannot come down to 1, so both its cells go
    to the lower bound 0.3; a = q (one cell) gets g3 = 6 / 2 = 3; b = y (one cell) gets g1 = 3 / 3 = 1;
    b = x needs 3 g2 + 2 g3 = 4, met by moving both down, g2 staying at its bound: g3 = (4 - 0.9) / 2
    = 1.55. So the weights after max_iter = 6 are 3, 0.9, 3.1. Strict raking says the bounds are
    infeasible. Fails if the sweep's bracket at the lower bound (log lower - max u), its bisection or its
    update are broken (_bounded sweep mutants with lo > 0)."""
    df = pd.DataFrame({"a": ["p", "p", "q"], "b": ["y", "x", "x"]})
    m = {"a": {"p": 1.0, "q": 6.0}, "b": {"x": 4.0, "y": 3.0}}
    base = np.array([3.0, 3.0, 2.0])
    with pytest.warns(UserWarning, match=r"^raking did not converge in 6 iterations: .*widen them$"):
        r = rake(df, m, base_weights=base, bounds=(0.3, 3.0), max_iter=6, strict=False)
    np.testing.assert_allclose(r.weights.to_numpy(), [3.0, 0.9, 3.1], rtol=1e-12)
    with pytest.raises(WeightingError, match=r"no weights within these bounds can meet the margins"):
        rake(df, m, base_weights=base, bounds=(0.3, 3.0), max_iter=6)


def test_bounded_rake_starts_from_base_weights_scaled_to_the_population_total():
    """The bounded solver starts from the base weights scaled to the population total: with base weights
    1 (sum 5, population 100) the first history row holds the errors of weights 20 each, by hand sex
    |40 - 60| / 61 vs |60 - 40| / 41 -> 20 / 41 and age 10 / 51; it then converges to the raking solution
    (bounds (0.1, 50) on g = weight / 1 do not bind); likewise for unequal base weights.
    Fails if the start is not scaled (the log of population / base total put on another coefficient) or
    the history's first row is not the start (_bounded mutants of eta[0])."""
    r = rake(TINY, TM, base_weights=np.ones(5), bounds=(0.1, 50.0))
    np.testing.assert_allclose(r.history.iloc[0].to_numpy(), [1.0, 20 / 41, 10 / 51], rtol=1e-14)
    np.testing.assert_allclose(r.weights.to_numpy(), _ipf_by_hand(200), rtol=1e-8)
    # base weights 1, 2, 1, 2, 1 scaled to 100: 100 / 7 times them; sex m 400 / 7 vs 40, age y 200 / 7 vs 50
    uneq = rake(TINY, TM, base_weights=np.array([1.0, 2.0, 1.0, 2.0, 1.0]), bounds=(0.01, 100.0))
    np.testing.assert_allclose(uneq.history.iloc[0].to_numpy(), [1.0, (400 / 7 - 40) / 41, (50 - 200 / 7) / 51],
                               rtol=1e-14)


def test_bounded_rake_is_newton_fast_on_hard_cases():
    """On the seeded stress cases of test_weighting (unequal base weights, bounds within 0.1-5 % of the
    feasibility limit) the solver is Newton near the solution: once the largest margin error is below
    1e-3 each iteration at least squares it (up to a factor 1e4; a first-order method only divides it by
    a constant), and it converges within 20 iterations. Fails if the steps taken where the dual objective
    is flat to rounding are rejected for a wrong margin measure, so that the slow per-category sweep
    takes over near the solution (_bounded mutants of relw, margin_err and the flat-step test)."""
    from test_weighting import _bounded_stress_cases  # noqa: PLC0415 (a helper of the existing test file)

    sys.path.insert(0, str(Path(__file__).parent / "reference"))
    import make_data as M  # noqa: PLC0415

    marg = {v: dict(t) for v, t in M.POP.items()}
    n = 0
    for df, base, bounds in _bounded_stress_cases([1001, 1003, 1004, 1006, 1007]):
        r = rake(df, marg, base_weights=base, bounds=bounds)
        err = r.history.iloc[:, 1:].max(axis=1).to_numpy()
        assert r.converged and r.iterations <= 20, (bounds, r.iterations)
        for a, b in zip(err[:-1], err[1:]):
            if a < 1e-3:
                assert b <= max(1e4 * a * a, 1e-13), (bounds, a, b)  # 1e-13: rounding
        n += 1
    assert n == 15


def test_margins_given_as_integers_are_kept_as_float_targets():
    """Integer targets in a dict (the usual way to type population counts) become float targets in the
    RakeResult, as from the long table. Fails if the margins' Series keep an integer dtype (the dtype=float
    of _normalise_margins dropped or None)."""
    r = rake(TINY, {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 50}})
    assert [r.margins[v].dtype for v in ("sex", "age")] == [np.dtype(float), np.dtype(float)]
    assert r.margins["sex"].to_dict() == {"f": 60.0, "m": 40.0}
    assert all(type(x) is float for x in r.margins["age"].tolist())


def test_non_convergence_warning_points_at_the_caller():
    """strict=False warns with stacklevel=2, so the warning names the caller's line (the chapter's cell), not a
    line of lib/ehelse/weighting.py. (Only "not in weighting.py" is asserted: under mutmut a trampoline
    frame sits between the caller and rake.) Fails if the stacklevel is dropped (x_rake stacklevel mutant)."""
    with pytest.warns(UserWarning, match="^raking did not converge in 1 iterations") as rec:
        rake(TINY, TM, max_iter=1, strict=False)
    assert len(rec) == 1 and Path(rec[0].filename).name != "weighting.py"


def test_rake_result_records_the_tolerance_used():
    """RakeResult.tol is the tolerance the weights were checked against, as a float: 1e-6 when asked for,
    not the default 1e-10; a tolerance of 1 (int) is recorded as 1.0 and is met at once.
    Fails if rake does not pass tol to the result (x_rake tol mutants)."""
    r = rake(TINY, TM, tol=1e-6)
    assert r.tol == 1e-6 and r.converged and r.max_error < 1e-6
    one = rake(TINY, TM, tol=1)
    assert one.tol == 1.0 and type(one.tol) is float and one.iterations == 1


def test_single_kept_respondent_and_base_weights_with_missing_values():
    """One respondent left (the other excluded): the default base weight is the population total / 1, so
    with bounds (0.5, 1.5) the weight is the total itself (g = 1). Base weights given as an object Series
    with None (a column with blanks) are read as floats: None on an excluded respondent is ignored, on a
    kept one it is the nan of the error message.
    Fails if the default base weight divides by at least 2, or the base weights are not converted to float
    (x_rake mutants of the default base weight and of np.asarray(..., dtype=float))."""
    df = pd.DataFrame({"sex": ["f", None]})
    r = rake(df, {"sex": {"f": 10.0}}, bounds=(0.5, 1.5), missing="exclude")
    assert r.converged and r.weights.iloc[0] == pytest.approx(10.0, rel=1e-12) and np.isnan(r.weights.iloc[1])
    bw = pd.Series([2.0, None, 1.0, 1.0, 1.0, 1.0], dtype=object)
    six = pd.DataFrame({"reg": ["n", None, "s", "n", "s", "n"]})
    got = rake(six, {"reg": {"n": 40.0, "s": 60.0}}, base_weights=bw, missing="exclude")
    np.testing.assert_allclose(got.weights.to_numpy(), [20.0, np.nan, 30.0, 10.0, 30.0, 10.0], rtol=1e-14)
    with pytest.raises(WeightingError, match=r"^base weight of row 1 is nan; base weights must be positive$"):
        rake(six.fillna("n"), {"reg": {"n": 40.0, "s": 60.0}}, base_weights=bw)
