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
    """A pandas nullable Int64 column with <NA> outside the domain works (to_numpy(float) makes it NaN),
    by name and as a frame. Fails if the conversion to float is dropped (to_numpy(None) gives NA objects)."""
    df, r = rd
    dom = df["k"].notna().to_numpy()
    m, se = _textbook([1, 2, 3, 5, 6, 7, 8])
    for y in ("k", df[["k"]]):
        t = replicate_se(r, y, domain=dom)
        assert t["variable"].tolist() == ["k"]
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
    values in the domain (the first five rows, not six)."""
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
