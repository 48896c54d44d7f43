"""Agreement with R's survey package on committed reference data (tests/reference, see its README).

Weights and shares to relative 1e-8, standard errors, design effects and NPS SEs to
relative 1e-6, logit intervals to 1e-7 (R's svyciprop fits a glm, good to ~1e-9).
When Rscript is installed, the R script is re-run and its fresh output compared too.
"""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ehelse.estimates import design, nets, shares
from ehelse.nps import nps
from ehelse.weighting import rake

REF = Path(__file__).parent / "reference"
SCENARIOS = ["s1_basic", "s2_skewed", "s3_capped"]
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
ORDER = {"sex": ["female", "male"], "agegrp": ["15-29", "30-44", "45-59", "60+"],
         "region": ["Nord", "Midt-Norge", "Vest", "Sør-Øst"]}


def load(s: str, root: Path = REF):
    df = pd.read_csv(root / "data" / f"{s}.csv", keep_default_na=False, na_values={"nps": [""]})
    m = pd.read_csv(root / "data" / f"{s}_margins.csv")
    bounds = None
    if (root / "data" / f"{s}_bounds.csv").exists():
        b = pd.read_csv(root / "data" / f"{s}_bounds.csv")
        bounds = (float(b["lower"].iloc[0]), float(b["upper"].iloc[0]))
    return df, m, bounds


def ours(s: str):
    df, m, bounds = load(s)
    r = rake(df, m, base_weights=df["base_w"], tol=1e-12, bounds=bounds)
    return df, design(df, r)


def out(s: str, what: str, root: Path = REF) -> pd.DataFrame:
    return pd.read_csv(root / "out" / f"{s}_{what}.csv", keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("s", SCENARIOS)
def test_weights(s):
    df, d = ours(s)
    ref = out(s, "weights")
    assert (ref["id"].to_numpy() == df["id"].to_numpy()).all()
    np.testing.assert_allclose(d.weights, ref["weight"], rtol=1e-8)


@pytest.mark.parametrize("s", SCENARIOS)
def test_shares_se_ci_deff(s):
    df, d = ours(s)
    ref = out(s, "shares")
    for domain, exclude in (("all", []), ("excl_dk", ["Vet ikke"])):
        got = shares(d, "q", categories=Q, exclude=exclude).set_index("category")
        r = ref[ref["domain"] == domain].set_index("category")
        assert list(got.index) == list(r.index)
        np.testing.assert_allclose(got["estimate"], r["estimate"], rtol=1e-8)
        np.testing.assert_allclose(got["se"], r["se"], rtol=1e-6)
        np.testing.assert_allclose(got["ci_low"], r["logit_low"], rtol=1e-7)
        np.testing.assert_allclose(got["ci_high"], r["logit_high"], rtol=1e-7)
        np.testing.assert_allclose(got["deff"], r["deff"], rtol=1e-6)


@pytest.mark.parametrize("s", SCENARIOS)
def test_nets_by_domain(s):
    df, d = ours(s)
    ref = out(s, "nets").set_index("domain")
    top2 = {"top2": ["Helt enig", "Delvis enig"]}
    got = {"all": nets(d, "q", top2, categories=Q).iloc[0],
           "excl_dk": nets(d, "q", top2, categories=Q, exclude=["Vet ikke"]).iloc[0]}
    by = nets(d, "q", top2, categories=Q, exclude=["Vet ikke"], by="sex").set_index("sex")
    got.update({f"sex={k}": by.loc[k] for k in by.index})
    for dom, g in got.items():
        assert g["estimate"] == pytest.approx(ref.loc[dom, "estimate"], rel=1e-8)
        assert g["se"] == pytest.approx(ref.loc[dom, "se"], rel=1e-6)


@pytest.mark.parametrize("s", SCENARIOS)
def test_shares_by_sex(s):
    df, d = ours(s)
    ref = out(s, "by_sex")
    got = shares(d, "q", categories=Q, by="sex")
    m = got.merge(ref, on=["sex", "category"], suffixes=("", "_r"))
    assert len(m) == len(ref) == 12
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], rtol=1e-8)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=1e-6)


@pytest.mark.parametrize("s", SCENARIOS)
def test_nps(s):
    df, d = ours(s)
    ref = out(s, "nps").set_index("domain")
    got = {"all": nps(d, "nps").iloc[0]}
    by = nps(d, "nps", by="sex").set_index("sex")
    got.update({f"sex={k}": by.loc[k] for k in by.index})
    for dom, g in got.items():
        assert g["nps"] == pytest.approx(ref.loc[dom, "nps"], rel=1e-8)
        assert g["se"] == pytest.approx(ref.loc[dom, "se"], rel=1e-6)
        assert g["n"] == ref.loc[dom, "n"]


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed: committed R output used")
def test_r_script_reproduces_committed_reference(tmp_path):
    """Re-run the R script on the committed data; its output must equal the committed output."""
    work = tmp_path / "reference"
    shutil.copytree(REF, work, ignore=shutil.ignore_patterns("out"))
    res = subprocess.run(["Rscript", str(work / "reference.R")], capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    for f in sorted((REF / "out").glob("*.csv")):
        fresh = pd.read_csv(work / "out" / f.name, keep_default_na=False, na_values=[""])
        committed = pd.read_csv(f, keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(fresh, committed, check_exact=False, rtol=1e-12)
