"""Replicate-weight variance (JK1, bootstrap) with raking redone in every replicate, against R.

R (tests/reference/models.R, run in this session by test_models.r_output) re-rakes
as.svrepdesign(type = "JK1") of the base-weight design, the same with 25 seeded groups as
PSUs, and a bootstrap whose multipliers it writes out (its draws are R's own; the formula is
checked by passing them in, and the seeded draws here by internal consistency).
"""
import numpy as np
import pandas as pd
import pytest

from ehelse.estimates import EstimateError, design, shares
from ehelse.nps import nps
from ehelse.replicates import (bootstrap_multipliers, jk1_multipliers, replicate_nets, replicate_nps,
                               replicate_se, replicate_shares, replicate_variance, replicate_weights)
from test_models import r_output, r_table, scenario

Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
TOP2 = {"top2": Q[:2]}


def ours(s: str, kind: str) -> pd.DataFrame:
    """The estimates R writes, from our replicate design of the given kind."""
    df, r, d = scenario(s)
    if kind == "bootstrap":
        mult = r_table(s, "boot_multipliers").drop(columns="id").to_numpy(float)
        rd = replicate_weights(d, "bootstrap", raking=r, base_weights=df["base_w"], multipliers=mult)
    else:
        rd = replicate_weights(d, "jk1", raking=r, base_weights=df["base_w"],
                               groups=df["grp"] if kind == "jk1_groups" else None)
    rows = []
    a = replicate_shares(rd, "q", categories=Q)
    rows += [("all", c, e, se) for c, e, se in zip(a["category"], a["estimate"], a["se"])]
    a = replicate_shares(rd, "q", categories=Q, exclude=["Vet ikke"])
    rows += [("excl_dk", c, e, se) for c, e, se in zip(a["category"], a["estimate"], a["se"])]
    a = replicate_nets(rd, "q", TOP2, categories=Q, exclude=["Vet ikke"])
    rows += [("excl_dk", "top2", a["estimate"][0], a["se"][0])]
    a = replicate_nets(rd, "q", TOP2, categories=Q, exclude=["Vet ikke"], by="sex")
    rows += [(f"excl_dk&sex={x}", "top2", e, se) for x, e, se in zip(a["sex"], a["estimate"], a["se"])]
    a = replicate_nps(rd, "nps")
    rows += [("nps_answered", "nps", a["nps"][0], a["se"][0])]
    a = replicate_nps(rd, "nps", by="sex")
    rows += [(f"nps_answered&sex={x}", "nps", e, se) for x, e, se in zip(a["sex"], a["nps"], a["se"])]
    return pd.DataFrame(rows, columns=["domain", "category", "estimate", "se"])


@pytest.mark.parametrize("kind", ["jk1", "jk1_groups", "bootstrap"])
@pytest.mark.parametrize("s", ["m1", "m2"])
def test_replicate_se_after_reraking_matches_r(s, kind):
    ref = r_table(s, "replicates")
    ref = ref[ref["kind"] == kind]
    got = ours(s, kind)
    m = got.merge(ref, on=["domain", "category"], suffixes=("", "_r"), validate="one_to_one")
    assert len(m) == len(ref) == len(got) == 17
    np.testing.assert_allclose(m["estimate"], m["estimate_r"], rtol=1e-8)
    np.testing.assert_allclose(m["se"], m["se_r"], rtol=1e-6)


def test_every_replicate_meets_the_margins():
    df, r, d = scenario("m2")
    rd = replicate_weights(d, "jk1", raking=r, base_weights=df["base_w"], groups=10)
    for var, targ in r.margins.items():
        tot = pd.DataFrame(rd.weights).groupby(df[var].to_numpy()).sum().loc[targ.index]
        np.testing.assert_allclose(tot.to_numpy(), np.repeat(targ.to_numpy()[:, None], rd.replicates, 1),
                                   rtol=1e-10)


def test_jk1_without_raking_is_the_classical_se_of_a_mean():
    """Delete-one jackknife of an unweighted mean is exactly s / sqrt(n)."""
    df, _, _ = scenario("m1")
    d = design(df)
    y = df["nps"].fillna(5).to_numpy(float)
    rd = replicate_weights(d, "jk1")
    got = replicate_se(rd, y).iloc[0]
    assert got["estimate"] == pytest.approx(y.mean(), rel=1e-12)
    assert got["se"] == pytest.approx(y.std(ddof=1) / np.sqrt(len(y)), rel=1e-10)


def test_replicate_nps_is_the_mean_of_the_recode():
    df, r, d = scenario("m1")
    rd = replicate_weights(d, "jk1", raking=r, base_weights=df["base_w"], groups=20)
    recode = np.select([df["nps"] <= 6, df["nps"] <= 8, df["nps"] <= 10], [-100.0, 0.0, 100.0], np.nan)
    a = replicate_se(rd, recode, domain=df["nps"].notna().to_numpy()).iloc[0]
    b = replicate_nps(rd, "nps").iloc[0]
    assert (a["estimate"], a["se"]) == pytest.approx((b["nps"], b["se"]), rel=1e-12)
    assert b["nps"] == pytest.approx(nps(d, "nps")["nps"].iloc[0], rel=1e-12)


@pytest.mark.parametrize("s", ["m1", "m2"])
def test_seeded_replicates_agree_with_linearisation(s):
    """Internal consistency: JK1 and 2,000 seeded bootstrap replicates give SEs close to the raked linearised ones."""
    df, r, d = scenario(s)
    lin = shares(d, "q", categories=Q)["se"].to_numpy()
    lin_nps = nps(d, "nps")["se"].iloc[0]
    for kind, kw, tol in (("jk1", {}, 0.06), ("bootstrap", {"replicates": 2000, "seed": 5}, 0.08)):
        rd = replicate_weights(d, kind, raking=r, base_weights=df["base_w"], **kw)
        se = replicate_shares(rd, "q", categories=Q)["se"].to_numpy()
        assert np.max(np.abs(se / lin - 1)) < tol, (kind, se / lin)
        assert abs(replicate_nps(rd, "nps")["se"].iloc[0] / lin_nps - 1) < tol


def test_bootstrap_multipliers_formula_and_seed():
    a, scale = bootstrap_multipliers(300, 40, seed=3)
    b, _ = bootstrap_multipliers(300, 40, seed=3)
    c, _ = bootstrap_multipliers(300, 40, seed=4)
    assert a.shape == (300, 40) and (a.sum(axis=0) == 300).all() and (a >= 0).all()
    assert scale == pytest.approx(300 / (299 * 39))
    assert (a == b).all() and not (a == c).all()


def test_jk1_groups_are_seeded_and_balanced():
    a, scale = jk1_multipliers(103, 10, seed=2)
    b, _ = jk1_multipliers(103, 10, seed=2)
    assert (a == b).all() and scale == pytest.approx(0.9)
    deleted = (a == 0).sum(axis=0)
    assert deleted.min() >= 10 and deleted.max() <= 11 and ((a == 0).sum(axis=1) == 1).all()
    np.testing.assert_allclose(a[a > 0], 10 / 9)


def test_replicate_variance_centring():
    """Centred at the mean of the replicates (R's default), or at the full-sample estimate with mse."""
    th = np.array([[1.0], [2.0], [4.0]])
    assert replicate_variance(th, np.array([3.0]), 0.5, np.ones(3))[0, 0] == pytest.approx(0.5 * 42 / 9)
    assert replicate_variance(th, np.array([3.0]), 0.5, np.ones(3), mse=True)[0, 0] == pytest.approx(0.5 * 6)


def test_errors_name_the_problem():
    df, r, d = scenario("m2")
    with pytest.raises(EstimateError, match="pass raking="):
        replicate_weights(d, "jk1")
    with pytest.raises(EstimateError, match="base_weights"):
        replicate_weights(d, "jk1", raking=r)  # m2 was raked from unequal base weights
    with pytest.raises(EstimateError, match="kind must be"):
        replicate_weights(d, "brr", raking=r, base_weights=df["base_w"])
    nord = (df["region"] == "Nord").to_numpy()
    with pytest.raises(EstimateError, match="no respondent in 'region' = 'Nord'"):
        replicate_weights(d, "jk1", raking=r, base_weights=df["base_w"], groups=np.where(nord, 0, 1 + np.arange(len(df)) % 3))
    with pytest.raises(EstimateError, match="too large"):
        replicate_weights(design(pd.DataFrame({"x": np.zeros(20_000)})), "jk1")
