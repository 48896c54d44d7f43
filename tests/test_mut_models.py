"""Mutation-killing tests of ehelse.models (issue 17): logistic regression on a 2 x 2 table, where the
maximum-likelihood odds ratio is ad / bc and, the model being saturated, the sandwich variance of the
log odds ratio is n / (n - 1) * (1/a + 1/b + 1/c + 1/d); exact messages of every input check."""
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse.estimates import EstimateError, design
from ehelse.models import influence_cov, logistic, model_matrix, rao_scott

# women: 12 yes, 8 no; men: 5 yes, 15 no
DF = pd.DataFrame({"q": ["Ja"] * 12 + ["Nei"] * 8 + ["Ja"] * 5 + ["Nei"] * 15,
                   "sex": ["f"] * 20 + ["m"] * 20, "x": np.arange(40, dtype=float) % 5,
                   "y01": [1] * 12 + [0] * 8 + [1] * 5 + [0] * 15})
COLS = ["term", "variable", "level", "estimate", "se", "t", "df", "p_value", "ci_low", "ci_high", "odds_ratio",
        "or_low", "or_high", "n", "n_weighted", "n_level", "n_eff"]


def _norm(msg):
    return re.sub(r"np\.\w+\((.*?)\)", r"\1", msg)  # numpy 2 writes np.int64(3)


def test_logistic_on_a_two_by_two_table():
    """Intercept log(12/8) for the reference f, sex m log((5/15)/(12/8)); SE of the log odds ratio
    sqrt(40/39 * (1/12 + 1/8 + 1/5 + 1/15)); t on n - 2 = 38 df; a given level; bases per term.
    Fails if a coefficient, SE, df, interval, odds ratio or base is computed otherwise (logistic mutants)."""
    d = design(DF)
    for level in (0.95, 0.90):
        r = logistic(d, "q ~ sex", positive="Ja", level=level)
        assert list(r.columns) == COLS
        assert r["term"].tolist() == ["(Intercept)", "sexm"]
        assert r["variable"].tolist() == ["", "sex"] and r["level"].tolist() == ["", "m"]
        b0, b1 = np.log(12 / 8), np.log((5 / 15) / (12 / 8))
        assert r["estimate"].tolist() == pytest.approx([b0, b1], rel=1e-9)
        se1 = np.sqrt(40 / 39 * (1 / 12 + 1 / 8 + 1 / 5 + 1 / 15))
        se0 = np.sqrt(40 / 39 * (1 / 12 + 1 / 8))
        assert r["se"].tolist() == pytest.approx([se0, se1], rel=1e-9)
        assert r["df"].tolist() == [38, 38]
        q = stats.t.ppf(0.5 + level / 2, 38)
        assert r["ci_high"][1] == pytest.approx(b1 + q * se1, rel=1e-9)
        assert r["or_low"][1] == pytest.approx(np.exp(b1 - q * se1), rel=1e-9)
        assert r["odds_ratio"][1] == pytest.approx(5 * 8 / (15 * 12), rel=1e-9)
        assert r["p_value"][1] == pytest.approx(2 * stats.t.sf(abs(b1 / se1), 38), rel=1e-8)
        assert r["n"].tolist() == [40, 40] and r["n_weighted"].tolist() == [40.0, 40.0]
        assert r["n_level"].tolist() == [40, 20] and r["n_eff"].tolist() == pytest.approx([40.0, 20.0])


def test_logistic_model_forms_and_outcomes():
    """A tuple model, a 0/1 outcome, a bool outcome, positive as a list and a reference give the same fit.
    Fails if a model form, outcome coding or reference= is handled otherwise (_parse_model, _outcome,
    model_matrix mutants)."""
    d = design(DF)
    a = logistic(d, "q ~ sex", positive="Ja")
    for other in (logistic(d, ("q", ["sex"]), positive="Ja"), logistic(d, "y01 ~ sex"),
                  logistic(design(DF.assign(b=DF["y01"] == 1)), "b ~ sex"),
                  logistic(d, "q ~ sex", positive=["Ja"])):
        np.testing.assert_allclose(other["estimate"], a["estimate"], rtol=1e-12)
    r = logistic(d, "q ~ sex", positive="Ja", reference={"sex": "m"})
    assert r["term"].tolist() == ["(Intercept)", "sexf"]
    assert r["odds_ratio"][1] == pytest.approx(15 * 12 / (5 * 8), rel=1e-9)
    n = logistic(d, "q ~ x", positive="Ja")
    assert n["term"].tolist() == ["(Intercept)", "x"] and n["level"].tolist() == ["", ""]
    assert n["n_level"].tolist() == [40, 40]


def test_logistic_in_a_domain():
    """domain= fits on the domain only: without four 'Nei' men the odds ratio is (5/11)/(12/8).
    Fails if the domain is ignored in the fit, n or df."""
    d = design(DF)
    dom = np.ones(40, dtype=bool)
    dom[36:] = False
    r = logistic(d, "q ~ sex", positive="Ja", domain=dom)
    assert r["odds_ratio"][1] == pytest.approx((5 / 11) / (12 / 8), rel=1e-9)
    assert r["n"].tolist() == [36, 36] and r["df"].tolist() == [34, 34]


def test_model_and_outcome_messages():
    """Exact messages of _parse_model, _outcome, _levels and _column. Fails if a message, its first-five rows or
    a check (two '~', empty term, empty outcome) changes."""
    d = design(DF)
    with pytest.raises(EstimateError, match=re.escape("model 'q ~ sex ~ x' must read 'outcome ~ x1 + x2'") + "$"):
        logistic(d, "q ~ sex ~ x", positive="Ja")
    with pytest.raises(EstimateError, match=re.escape(
            "model 'q ~ sex:x': only main effects 'y ~ a + b' of column names are supported") + "$"):
        logistic(d, "q ~ sex:x", positive="Ja")
    with pytest.raises(EstimateError, match="only main effects"):
        logistic(d, " ~ sex", positive="Ja")
    with pytest.raises(EstimateError, match="only main effects"):
        logistic(d, "q ~ sex + ", positive="Ja")
    with pytest.raises(EstimateError, match=re.escape(
            "outcome 'q' has values ['Ja', 'Nei']: give positive=<answer(s)> counted as 1, or a 0/1 column") + "$"):
        logistic(d, "q ~ sex")
    with pytest.raises(EstimateError, match=re.escape(
            "outcome 'q': positive answer(s) ['Yes'] do not occur in the domain") + "$"):
        logistic(d, "q ~ sex", positive="Yes")
    with pytest.raises(EstimateError) as e:
        logistic(design(DF.assign(q=[None] * 6 + list(DF["q"][6:]))), "q ~ sex", positive="Ja")
    assert _norm(str(e.value)) == ("outcome 'q' is missing for 6 respondent(s) in the domain (rows [0, 1, 2, 3, 4]); "
                                   "restrict the domain, e.g. domain=data['q'].notna()")
    with pytest.raises(EstimateError) as e:
        logistic(design(DF.assign(sex=[None] * 6 + list(DF["sex"][6:]))), "q ~ sex", positive="Ja")
    assert _norm(str(e.value)) == ("variable 'sex' is missing for 6 respondent(s) in the domain (rows [0, 1, 2, 3, "
                                   "4]); restrict the domain, e.g. domain=data['sex'].notna()")
    with pytest.raises(EstimateError, match=r"^variable 'nosuch' is not a column of the data$"):
        logistic(d, "q ~ nosuch", positive="Ja")


def test_model_matrix_messages():
    """Exact messages of model_matrix and the collinearity check; the matrix by hand (dummies, numeric column
    zero outside the domain). Fails if a column or message changes."""
    d = design(DF)
    with pytest.raises(EstimateError, match=re.escape(
            "reference level 'k' of 'sex' is not in the domain (levels ['f', 'm'])") + "$"):
        logistic(d, "q ~ sex", positive="Ja", reference={"sex": "k"})
    with pytest.raises(EstimateError, match=re.escape(
            "reference given for ['x'], which are not categorical predictors") + "$"):
        logistic(d, "q ~ sex + x", positive="Ja", reference={"x": 1.0})
    with pytest.raises(EstimateError, match=re.escape(
            "logistic: the predictors ['sex', 'sex2'] are collinear in the domain (a level combination is empty "
            "or a column is constant)") + "$"):
        logistic(design(DF.assign(sex2=DF["sex"])), "q ~ sex + sex2", positive="Ja")
    X, terms = model_matrix(d, ["sex", "x"], np.ones(40, dtype=bool))
    assert X.shape == (40, 3) and terms["term"].tolist() == ["(Intercept)", "sexm", "x"]
    np.testing.assert_array_equal(X[:, 1], (DF["sex"] == "m").to_numpy(float))
    np.testing.assert_array_equal(X[:, 2], DF["x"].to_numpy())
    X, _ = model_matrix(d, ["x"], np.arange(40) < 10)
    assert (X[10:, 1] == 0).all()  # zero outside the domain


def test_separation_message():
    """Men all 'Nei': the sex coefficient diverges and the message names the term.
    Fails if the divergence check or its message (naming the diverging term) changes."""
    df = DF.assign(q=["Ja"] * 12 + ["Nei"] * 8 + ["Nei"] * 20)
    with pytest.raises(EstimateError, match=re.escape(
            "logistic: the fit of 'q' does not converge (terms ['sexm'] diverge): the outcome is "
            "(quasi-)separated by a predictor; merge levels or drop the predictor") + "$"):
        logistic(design(df), "q ~ sex", positive="Ja")


def test_influence_cov_and_rao_scott_messages():
    """Exact messages; without raking influence_cov is n / (n - 1) times the centred cross-product. Fails if a
    message, the n / (n - 1) factor or the centring changes."""
    d = design(DF)
    with pytest.raises(EstimateError, match=r"^3 influence rows for a design of 40 respondents$"):
        influence_cov(d, np.ones(3))
    with pytest.raises(EstimateError, match=re.escape(
            "rao_scott: 'q' has 2 and 'sex' has 1 level(s) in the domain; a test of association needs at least two "
            "of each") + "$"):
        rao_scott(d, "q", "sex", domain=(DF["sex"] == "m").to_numpy())
    z = np.arange(40, dtype=float)
    v = influence_cov(d, z)
    assert v.shape == (1, 1) and v[0, 0] == pytest.approx(40 / 39 * ((z - z.mean()) ** 2).sum(), rel=1e-12)


def test_rao_scott_table_shape():
    """Two rows (F, Chisq) with the table's dimensions, n and df (rows-1)(cols-1) for Chisq.
    Fails if the Pearson statistic, the Chisq row's first-order correction, df or p-values, or the F row's ddf =
    ndf (n - 1) change."""
    d = design(DF)
    r = rao_scott(d, "q", "sex")
    assert r["method"].tolist() == ["F", "Chisq"]
    assert r["rows"].tolist() == [2, 2] and r["columns"].tolist() == [2, 2] and r["n"].tolist() == [40, 40]
    assert r["ndf"][1] == 1.0 and np.isnan(r["ddf"][1])
    assert r["ddf"][0] == pytest.approx(r["ndf"][0] * 39, rel=1e-12)
    # Pearson X^2 of the 2 x 2 table (12, 8 / 5, 15) with N = 40
    obs = np.array([[12, 5], [8, 15]], float)
    exp = obs.sum(1, keepdims=True) * obs.sum(0, keepdims=True) / 40
    assert r["pearson"][0] == pytest.approx(((obs - exp) ** 2 / exp).sum(), rel=1e-12)
    assert r["statistic"][1] == pytest.approx(r["pearson"][1] / r["mean_deff"][1], rel=1e-12)
    assert r["p_value"][1] == pytest.approx(stats.chi2.sf(r["statistic"][1], 1), rel=1e-12)
    assert r["p_value"][0] == pytest.approx(stats.f.sf(r["statistic"][0], r["ndf"][0], r["ddf"][0]), rel=1e-12)


def test_influence_cov_takes_integers_and_leaves_its_input_alone():
    """Integer influence values (raked and not) give the same covariance as floats, and the caller's array
    is not changed by the in-place centring and raking adjustment. Fails if the copy is dropped
    (copy=None / False) or the values are not converted to float (dtype=None)."""
    from ehelse.weighting import rake

    z = np.arange(40) % 7 - 3  # int64
    keep = z.copy()
    plain = design(DF)
    raked = design(DF, rake(DF, {"sex": {"f": 50.0, "m": 50.0}}))
    for d in (plain, raked):
        v = influence_cov(d, z)
        assert v[0, 0] == pytest.approx(influence_cov(d, z.astype(float))[0, 0], rel=1e-14)
        np.testing.assert_array_equal(z, keep)
        zf = z.astype(float)[:, None] * np.array([[1.0, 2.0]])
        zf_keep = zf.copy()
        influence_cov(d, zf)
        np.testing.assert_array_equal(zf, zf_keep)
    # raking on sex removes each sex's mean of z / w: with equal weights, the within-sex centred z
    zs = z.astype(float)
    for s in ("f", "m"):
        m = (DF["sex"] == s).to_numpy()
        zs[m] -= zs[m].mean()
    assert influence_cov(raked, z)[0, 0] == pytest.approx(40 / 39 * (zs ** 2).sum(), rel=1e-12)


def test_model_matrix_numeric_then_categorical_and_categorical_levels():
    """A numeric predictor before a categorical one: both enter, the numeric term names its variable;
    a categorical predictor's levels are the present categories in category order (unused ones left out);
    a column name with capitals is a valid term. Fails if the loop stops after a numeric predictor
    (continue -> break), the numeric term's 'variable' key changes, _levels keeps the absent categories,
    or 'X' counts as a forbidden character (_parse_model mutant "XX*:()^XX")."""
    d = design(DF.assign(Xs=pd.Categorical(DF["sex"], categories=["u", "m", "f"])))
    r = logistic(d, "q ~ x + Xs", positive="Ja")
    assert r["term"].tolist() == ["(Intercept)", "x", "Xsf"]
    assert r["variable"].tolist() == ["", "x", "Xs"] and r["level"].tolist() == ["", "", "f"]
    a = logistic(design(DF), "q ~ x + sex", positive="Ja", reference={"sex": "m"})
    np.testing.assert_allclose(r["estimate"], a["estimate"], rtol=1e-10)  # reference m, the first present


def test_outcome_message_lists_five_values():
    """Six distinct values of an outcome without positive=: the message shows the first five (as text,
    sorted). Fails if it shows six."""
    d = design(DF.assign(v=np.arange(40) % 6 + 2))
    with pytest.raises(EstimateError, match=re.escape(
            "outcome 'v' has values ['2', '3', '4', '5', '6']: give positive=<answer(s)> counted as 1, or a 0/1 "
            "column") + "$"):
        logistic(d, "v ~ sex")


# ------------------------------------------------------------------ round 3: the Newton loop, Rao-Scott details

import warnings  # noqa: E402


def _newton_path(X, y, n_steps):
    """Plain Newton-Raphson for the logistic likelihood from beta = 0: (max |step|, max |beta|, beta) per step."""
    beta, out = np.zeros(X.shape[1]), []
    for _ in range(n_steps):
        mu = 1 / (1 + np.exp(-(X @ beta)))
        step = np.linalg.solve(X.T @ (X * (mu * (1 - mu))[:, None]), X.T @ (y - mu))
        beta = beta + step
        out.append((np.abs(step).max(), np.abs(beta).max(), beta.copy()))
    return out


def test_logistic_stops_at_the_first_step_below_tol_times_one_plus_the_largest_coefficient():
    """The Newton loop stops at the first step with max |step| < tol * (1 + max |beta|): with tol set just above
    step 3's ratio the fit returns beta after step 3 (not 4); with tol just above step 2's ratio for 2 + max|beta|
    it still returns step 3 (not 2). The path is recomputed here by plain Newton-Raphson.
    Fails if the rule becomes tol / (1 + ...) or tol * (2 + ...) (logistic mutants 106, 108)."""
    d = design(DF)
    X = np.column_stack([np.ones(40), (DF["sex"] == "m").to_numpy(float)])
    path = _newton_path(X, (DF["q"] == "Ja").to_numpy(float), 5)
    (s1, b1, _), (s2, b2, beta2), (s3, b3, beta3), (s4, b4, beta4) = path[:4]
    tol_a = 1.01 * s3 / (1 + b3)
    assert s2 >= tol_a * (1 + b2) and s3 >= tol_a / (1 + b3)  # the window: step 3 stops, a tighter rule would not
    got = logistic(d, "q ~ sex", positive="Ja", tol=tol_a)["estimate"].to_numpy()
    np.testing.assert_allclose(got, beta3, rtol=1e-12)
    assert np.abs(beta4 - beta3).max() > 1e-7
    tol_b = 1.01 * s2 / (2 + b2)
    assert s2 >= tol_b * (1 + b2) and s3 < tol_b * (1 + b3) and s1 >= tol_b * (2 + b1)
    got = logistic(d, "q ~ sex", positive="Ja", tol=tol_b)["estimate"].to_numpy()
    np.testing.assert_allclose(got, beta3, rtol=1e-12)
    assert np.abs(beta3 - beta2).max() > 1e-3


def test_logistic_max_iter_reached_lists_the_first_five_terms():
    """One Newton step allowed (max_iter=1) on a fit that needs more: no coefficient is beyond 30, so the
    message lists all terms, the first five of six.
    Fails if the loop runs another number of steps (range mutants 65, 66, 67), the fallback to all terms is lost
    (mutants 130-132) or more than five are listed (mutant 134)."""
    df = pd.DataFrame({"g": list("aaaabbbbccccddddeeeeffff"), "y": [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0] * 2})
    with pytest.raises(EstimateError, match=re.escape(
            "logistic: the fit of 'y' does not converge (terms ['(Intercept)', 'gb', 'gc', 'gd', 'ge'] diverge): the "
            "outcome is (quasi-)separated by a predictor; merge levels or drop the predictor") + "$"):
        logistic(design(df), "y ~ g", max_iter=1)
    r = logistic(design(df), "y ~ g")  # converges with the default max_iter: log odds of each level by hand
    odds = np.array([1 / 3, 1, 3, 1 / 3, 1, 3])
    np.testing.assert_allclose(r["estimate"], np.r_[np.log(odds[0]), np.log(odds[1:] / odds[0])], rtol=1e-9,
                               atol=1e-12)


def test_logistic_separation_stops_when_a_coefficient_passes_30():
    """Men all 'Ja': the sex coefficient grows by about 1 a step; the loop stops once it passes 30 and names that
    term only. Run on, the men's fitted probability becomes exactly 1 (near 37), the information matrix singular
    and every coefficient NaN, which would name all terms.
    Fails if the divergence test of the loop needs a non-finite `and` a large beta (logistic mutant 95)."""
    df = DF.assign(q=["Ja"] * 12 + ["Nei"] * 8 + ["Ja"] * 20)
    with pytest.raises(EstimateError, match=re.escape("(terms ['sexm'] diverge)")):
        logistic(design(df), "q ~ sex", positive="Ja")


def test_logistic_singular_information_gives_the_divergence_message():
    """x of 0 or 1000, y = 1 wherever x = 1000: the fitted probability there reaches exactly 1 while the
    coefficient is still small (0.04), the information matrix is singular, the Newton step NaN, and the message
    names every term (no coefficient is beyond 30, none is finite); no warning.
    Fails if the singular-matrix fallback is not a NaN step of beta's shape (logistic mutants 88, 89, 91, 92)."""
    df = pd.DataFrame({"y": [1, 0, 1, 0, 1, 1, 1, 1], "x": [0, 0, 0, 0, 1000, 1000, 1000, 1000.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(EstimateError, match=re.escape(
                "logistic: the fit of 'y' does not converge (terms ['(Intercept)', 'x'] diverge)")):
            logistic(design(df), "y ~ x")


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")  # n_eff's squares underflow (0 / 0)
def test_logistic_does_not_depend_on_the_unit_of_the_weights():
    """Weights 1e-170 times the unit weights: the same coefficients and SEs (svyglm normalises the weights;
    squaring such weights would underflow to 0 and make the information matrix 0).
    Fails if the weights are multiplied by their mean instead of divided (logistic mutant 57)."""
    ref = logistic(design(DF), "q ~ sex", positive="Ja")
    tiny = logistic(design(DF, weights=np.full(40, 1e-170)), "q ~ sex", positive="Ja")
    np.testing.assert_allclose(tiny["estimate"], ref["estimate"], rtol=1e-12)
    np.testing.assert_allclose(tiny["se"], ref["se"], rtol=1e-9)


def test_rao_scott_with_an_empty_cell_by_hand():
    """2 x 2 table of six unweighted respondents with the cell (r0, c1) empty: P = 1/3 in the other three cells,
    Pearson X^2 = 6 * 1/4 = 1.5. R's svychisq gives an empty cell 0 (not 1/0) in diag(1/p); with one interaction
    contrast v = (1, -1, -1, 1) and V = (diag p - pp') / (n - 1), the design effect is n/(n-1) (S - 1)/S with
    S = sum of 1/p over the non-empty cells = 9: 16/15. Without a warning (no 1/0 evaluated).
    Fails if the empty cell's 1/p is not 0 (idiag mutants 145, 152, 153, 156) or 1/0 is computed (mutant 163)."""
    df = pd.DataFrame({"a": ["r0", "r0", "r1", "r1", "r1", "r1"], "b": ["c0", "c0", "c0", "c0", "c1", "c1"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rao_scott(design(df), "a", "b")
    deff = 16 / 15
    assert r["pearson"].tolist() == pytest.approx([1.5, 1.5], rel=1e-12)
    assert r["mean_deff"].tolist() == pytest.approx([deff, deff], rel=1e-12)
    assert r["statistic"].tolist() == pytest.approx([1.5 / deff, 1.5 / deff], rel=1e-12)
    assert r["ndf"][0] == pytest.approx(1.0, rel=1e-12) and r["ddf"][0] == pytest.approx(5.0, rel=1e-12)
    assert r["p_value"][1] == pytest.approx(stats.chi2.sf(1.5 / deff, 1), rel=1e-10)


def test_rao_scott_columns_and_missing_value_messages():
    """The table's columns in order (ddf NaN in the Chisq row, no other column); a missing row or column
    variable is named in the message. Fails if a key of the Chisq row is renamed (mutants 240, 241) or
    _levels is given no name (mutants 18, 24)."""
    r = rao_scott(design(DF), "q", "sex")
    assert list(r.columns) == ["method", "statistic", "ndf", "ddf", "p_value", "pearson", "mean_deff", "rows",
                               "columns", "n"]
    for col in ("q", "sex"):
        bad = DF.astype({col: object})
        bad.loc[3, col] = None
        with pytest.raises(EstimateError, match=re.escape(
                f"variable {col!r} is missing for 1 respondent(s) in the domain (rows [3]); restrict the domain, "
                f"e.g. domain=data[{col!r}].notna()") + "$"):
            rao_scott(design(bad), "q", "sex")


def test_logistic_converging_on_the_last_allowed_step_returns_the_fit():
    """The Newton path recomputed by hand stops (max |step| < tol * (1 + max |beta|)) at step k: with
    max_iter = k the fit returns that beta, with max_iter = k - 1 it raises.
    Fails if reaching max_iter counts as failure even when the last step converged (the bug fixed with this
    test: `it == max_iter` in the convergence check) or the loop runs one step fewer."""
    X = np.column_stack([np.ones(40), (DF["sex"] == "m").to_numpy(float)])
    path = _newton_path(X, (DF["q"] == "Ja").to_numpy(float), 30)
    k = next(i + 1 for i, (s, b, _) in enumerate(path) if s < 1e-12 * (1 + b))
    assert 3 <= k < 30
    got = logistic(design(DF), "q ~ sex", positive="Ja", max_iter=k)["estimate"].to_numpy()
    np.testing.assert_allclose(got, path[k - 1][2], rtol=1e-12)
    with pytest.raises(EstimateError, match="does not converge"):
        logistic(design(DF), "q ~ sex", positive="Ja", max_iter=k - 1)
