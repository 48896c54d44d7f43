"""Rao–Scott and design-based logistic regression against R's survey, computed by R in this run.

tests/reference/models.R is run once per test session on the seeded files of
tests/reference/models/data (written by make_models_data.py). When Rscript is missing the
committed output (tests/reference/models/out) is used and
test_r_reference_computed_in_this_run fails, saying so: make test installs R.
"""
import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ehelse.estimates import EstimateError, design
from ehelse.models import influence_cov, logistic, rao_scott
from ehelse.weighting import rake

REF = Path(__file__).parent / "reference"
DATA = REF / "models" / "data"
COMMITTED = REF / "models" / "out"
SCENARIOS = ["m1", "m2"]
MODEL = "digital ~ sex + agegrp + region + education"
TABLES = {"q_agegrp": ("q", "agegrp", False), "digital_education": ("digital", "education", False),
          "q_sex_excl_dk": ("q", "sex", True)}


@functools.lru_cache(maxsize=1)
def r_output() -> tuple[Path, bool]:
    """Directory of R's output for this session and whether R computed it now (False: committed fallback)."""
    if shutil.which("Rscript") is None:
        return COMMITTED, False
    out = Path(tempfile.mkdtemp(prefix="ehelse-models-R-"))
    atexit.register(shutil.rmtree, out, True)
    res = subprocess.run(["Rscript", str(REF / "models.R"), str(DATA), str(out)], capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"tests/reference/models.R failed:\n{res.stderr[-3000:]}")
    return out, True


def r_table(s: str, what: str) -> pd.DataFrame:
    return pd.read_csv(r_output()[0] / f"{s}_{what}.csv", keep_default_na=False, na_values=[""])


@functools.lru_cache(maxsize=None)
def scenario(s: str):
    """Data, raking result and raked design of a reference scenario."""
    df = pd.read_csv(DATA / f"{s}.csv", keep_default_na=False, na_values={"nps": [""]})
    r = rake(df, pd.read_csv(DATA / f"{s}_margins.csv"), base_weights=df["base_w"], tol=1e-13)
    return df, r, design(df, r)


def test_r_reference_computed_in_this_run():
    """The comparisons below use R output computed in this test run, not the committed fallback."""
    out, fresh = r_output()
    assert fresh, ("Rscript not found: the R comparisons in this run used the COMMITTED R output "
                   f"({COMMITTED}) as a fallback; install R and survey (make test does: tools/ensure-r)")


def test_committed_r_output_is_current():
    """The committed fallback equals what R computes now (so it is a faithful fallback)."""
    out, fresh = r_output()
    if not fresh:
        pytest.fail("Rscript not found: cannot check the committed R output against R")
    for f in sorted(COMMITTED.glob("*.csv")):
        now = pd.read_csv(out / f.name, keep_default_na=False, na_values=[""])
        committed = pd.read_csv(f, keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(now, committed, check_exact=False, rtol=1e-10)


def test_data_script_is_deterministic(tmp_path):
    """make_models_data.py rewrites the committed data byte for byte."""
    script = tmp_path / "make_models_data.py"
    shutil.copy(REF / "make_models_data.py", script)
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
    for f in sorted(DATA.glob("*.csv")):
        assert (tmp_path / "models" / "data" / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.parametrize("s", SCENARIOS)
def test_weights_match_r(s):
    _, _, d = scenario(s)
    np.testing.assert_allclose(d.weights, r_table(s, "weights")["weight"], rtol=1e-10)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("s", SCENARIOS)
def test_rao_scott_matches_svychisq(s, table):
    df, _, d = scenario(s)
    a, b, excl = TABLES[table]
    got = rao_scott(d, a, b, domain=(df["q"] != "Vet ikke").to_numpy() if excl else None).set_index("method")
    ref = r_table(s, "chisq")
    ref = ref[ref["table"] == table].set_index("method")
    f, c = got.loc["F"], got.loc["Chisq"]
    np.testing.assert_allclose([f["statistic"], f["ndf"], f["ddf"], f["p_value"]],
                               ref.loc["F", ["statistic", "ndf", "ddf", "p_value"]].to_numpy(float), rtol=1e-6)
    # R's "Chisq" reports the unadjusted Pearson X^2 as its statistic and the corrected p-value
    np.testing.assert_allclose([c["pearson"], c["ndf"], c["p_value"]],
                               ref.loc["Chisq", ["statistic", "ndf", "p_value"]].to_numpy(float), rtol=1e-6)
    assert c["statistic"] == pytest.approx(c["pearson"] / c["mean_deff"], rel=1e-12)


@pytest.mark.parametrize("model", ["all", "excl_dk"])
@pytest.mark.parametrize("s", SCENARIOS)
def test_logistic_matches_svyglm(s, model):
    df, _, d = scenario(s)
    dom = (df["q"] != "Vet ikke").to_numpy() if model == "excl_dk" else None
    got = logistic(d, MODEL, positive="Ja", domain=dom).set_index("term")
    ref = r_table(s, "glm")
    ref = ref[ref["model"] == model].set_index("term")
    assert list(got.index) == list(ref.index)
    for col in ("estimate", "se", "t", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], ref[col], rtol=1e-6, atol=1e-9, err_msg=col)
    np.testing.assert_allclose(got["p_value"], ref["p_value"], rtol=1e-6, atol=1e-12)
    assert (got["df"] == ref["df"]).all()
    np.testing.assert_allclose(got["odds_ratio"], np.exp(ref["estimate"]), rtol=1e-6)
    np.testing.assert_allclose(got["or_low"], np.exp(ref["ci_low"]), rtol=1e-6)


def test_logistic_columns_form_equals_formula():
    _, _, d = scenario("m1")
    a = logistic(d, MODEL, positive="Ja")
    b = logistic(d, ("digital", ["sex", "agegrp", "region", "education"]), positive=["Ja"])
    pd.testing.assert_frame_equal(a, b)


def unweighted(s: str):
    df, _, _ = scenario(s)
    return df, design(df)


def test_logistic_unweighted_equals_statsmodels_sandwich():
    """Without weights or raking: statsmodels' ML fit, and SE^2 = n/(n-1) x its HC0 sandwich."""
    import statsmodels.api as sm

    df, d = unweighted("m2")
    got = logistic(d, "digital ~ sex + agegrp + education", positive="Ja")
    X = pd.get_dummies(df[["sex", "agegrp", "education"]], drop_first=True).astype(float)
    fit = sm.GLM((df["digital"] == "Ja").astype(float), sm.add_constant(X), family=sm.families.Binomial()
                 ).fit(cov_type="HC0", tol=1e-13)
    n = len(df)
    np.testing.assert_allclose(got["estimate"], fit.params.to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(got["se"], fit.bse.to_numpy() * np.sqrt(n / (n - 1)), rtol=1e-8)


def test_rao_scott_unweighted_identities():
    """Equal weights, no raking: Pearson X^2 is scipy's, every design effect is n/(n-1)."""
    from scipy.stats import chi2_contingency

    df, d = unweighted("m1")
    got = rao_scott(d, "q", "agegrp").set_index("method")
    n = len(df)
    x2 = chi2_contingency(pd.crosstab(df["q"], df["agegrp"]).to_numpy(), correction=False)[0]
    assert got.loc["F", "pearson"] == pytest.approx(x2, rel=1e-10)
    assert got.loc["F", "mean_deff"] == pytest.approx(n / (n - 1), rel=1e-10)
    assert got.loc["F", "ndf"] == pytest.approx(15, rel=1e-10)
    assert got.loc["Chisq", "statistic"] == pytest.approx(x2 * (n - 1) / n, rel=1e-10)


def test_raking_changes_regression_se():
    """The raking adjustment is applied: raked SEs differ from SEs with the same weights taken as fixed."""
    df, r, d = scenario("m2")
    fixed = design(df, r.weights)  # same weights, no raking variables
    a = logistic(d, MODEL, positive="Ja")
    b = logistic(fixed, MODEL, positive="Ja")
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    assert np.max(np.abs(a["se"] / b["se"] - 1)) > 1e-3


def test_influence_cov_of_mean_equals_share_se():
    """influence_cov reproduces the raked SE of a share (estimates.shares) from its influence values."""
    from ehelse.estimates import shares

    df, _, d = scenario("m2")
    y = (df["digital"] == "Ja").to_numpy(float)
    w = d.weights
    p = w @ y / w.sum()
    se = np.sqrt(influence_cov(d, w * (y - p) / w.sum())[0, 0])
    ref = shares(d, "digital").set_index("category").loc["Ja"]
    assert p == pytest.approx(ref["estimate"], rel=1e-12)
    assert se == pytest.approx(ref["se"], rel=1e-10)


def test_errors_name_the_problem():
    df, _, d = scenario("m1")
    with pytest.raises(EstimateError, match="'digital' has values"):
        logistic(d, MODEL)
    with pytest.raises(EstimateError, match="not a column"):
        logistic(d, "digital ~ sex + nosuch", positive="Ja")
    with pytest.raises(EstimateError, match="only main effects"):
        logistic(d, "digital ~ sex * agegrp", positive="Ja")
    with pytest.raises(EstimateError, match="do not occur"):
        logistic(d, MODEL, positive="Yes")
    with pytest.raises(EstimateError, match="'nps' is missing for"):
        logistic(d, "digital ~ nps", positive="Ja")
    with pytest.raises(EstimateError, match="at least two"):
        rao_scott(d, "q", "sex", domain=(df["sex"] == "male").to_numpy())
    with pytest.raises(EstimateError, match="reference level"):
        logistic(d, MODEL, positive="Ja", reference={"sex": "other"})


def test_separation_is_an_error_not_a_number():
    df, _, d = scenario("m1")
    sep = df.assign(y=(df["agegrp"] == "60+").astype(int))
    d2 = design(sep, d.weights, d.rake_vars)
    with pytest.raises(EstimateError, match="separated"):
        logistic(d2, "y ~ agegrp + sex")


def test_reference_level_choice_reparametrises():
    _, _, d = scenario("m1")
    a = logistic(d, MODEL, positive="Ja").set_index("term")
    b = logistic(d, MODEL, positive="Ja", reference={"sex": "male"}).set_index("term")
    assert b.loc["sexfemale", "estimate"] == pytest.approx(-a.loc["sexmale", "estimate"], rel=1e-9)
    assert b.loc["sexfemale", "se"] == pytest.approx(a.loc["sexmale", "se"], rel=1e-9)


def test_every_term_has_a_base_for_suppression():
    """n_level / n_eff per term: the respondents at that level, so estimates.suppress can blank small ones."""
    from ehelse.estimates import suppress

    df, _, d = scenario("m2")
    got = logistic(d, MODEL, positive="Ja").set_index("term")
    assert got.loc["regionNord", "n_level"] == (df["region"] == "Nord").sum() == 19
    assert got.loc["(Intercept)", "n_level"] == len(df)
    assert got.loc["educationUniversitet/høyskole", "n_level"] == (df["education"] == "Universitet/høyskole").sum()
    w = d.weights[(df["sex"] == "male").to_numpy()]
    assert got.loc["sexmale", "n_eff"] == pytest.approx(w.sum() ** 2 / (w ** 2).sum(), rel=1e-12)
    small = suppress(got.reset_index(), min_base=50, value_cols=("estimate", "se", "odds_ratio", "or_low", "or_high"))
    assert small.loc[small["n_eff"] < 50, "odds_ratio"].isna().all()
    assert small["suppressed"].any() and not small["suppressed"].all()
