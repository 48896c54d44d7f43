"""Mutation-killing tests of ehelse.estimates (issue 17): difference_test on hand-computable inputs."""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse.estimates import difference_test


def test_difference_test_by_hand():
    """est2 - est1 with SE sqrt(3^2 + 4^2) = 5: z = 10 / 5 = 2. Fails if a column is renamed or z dropped."""
    t = difference_test(30.0, 3.0, 40.0, 4.0)
    assert list(t.columns) == ["difference", "se", "z", "p_value"]
    r = t.iloc[0]
    assert (r["difference"], r["se"], r["z"]) == (10.0, 5.0, 2.0)
    assert r["p_value"] == pytest.approx(2 * stats.norm.sf(2.0), rel=1e-12)


def test_difference_test_with_zero_se_is_quiet():
    """Two exact values (SE 0): a difference gives z = inf and p = 0, no difference gives NaN, and
    neither warns. Fails if the errstate guard loses divide= or invalid= (mutants 15-18)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = difference_test([0.3, 0.3], [0.0, 0.0], [0.4, 0.3], [0.0, 0.0])
    assert np.isinf(t["z"][0]) and t["p_value"][0] == 0.0
    assert np.isnan(t["z"][1]) and np.isnan(t["p_value"][1])


def test_difference_test_on_an_object_column_with_a_missing_value():
    """A table column of object dtype (numbers and None for a missing estimate) gives a NaN row, not a
    TypeError. Fails if the inputs are not converted with dtype=float (mutants dtype=None, no dtype)."""
    est1 = pd.Series([0.30, None], dtype=object)
    se = pd.Series([0.03, 0.03], dtype=object)
    t = difference_test(est1, se, pd.Series([0.34, 0.35], dtype=object), pd.Series([0.04, 0.04], dtype=object))
    assert t["difference"][0] == pytest.approx(0.04, rel=1e-12)
    assert t["se"][0] == pytest.approx(0.05, rel=1e-12)
    assert t["z"][0] == pytest.approx(0.8, rel=1e-12)
    assert np.isnan(t["difference"][1]) and np.isnan(t["z"][1]) and np.isnan(t["p_value"][1])
