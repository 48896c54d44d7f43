"""In-process unit tests of ehelse.disclosure written against its mutants (issue 17).

Each test names the bug it catches; the mutation run (tools/mutate.py --focus disclosure) is the
demonstration that it fails on that bug.
"""
import numpy as np
import pandas as pd
import pytest

from ehelse import disclosure
from ehelse.disclosure import apply_rule, small_cells, with_counts


def test_reading_real_respondents_switches_the_rule_on(monkeypatch):
    """Fails if reading_real_respondents() does not set the process flag to exactly True
    (mutants: key renamed, value None/False) — outputs would then leave unsuppressed."""
    monkeypatch.setitem(disclosure._REAL, "read", False)
    assert disclosure.rule_applies() is False
    disclosure.reading_real_respondents()
    assert disclosure._REAL == {"read": True}
    assert disclosure.rule_applies() is True


def test_with_counts_counts_each_category_of_the_respondents():
    """Fails if with_counts() counts the wrong cells, reads the wrong columns (the default names
    'variable' / 'category' or the given ones), loses the int type, or gives a variable absent from
    the data a count instead of NaN (mutants of with_counts: keys, comparison, defaults, fill value)."""
    data = pd.DataFrame({"q1": ["a", "b", "a", "a", None], "q2": ["x", "x", "y", "x", "x"]})
    table = pd.DataFrame({"variable": ["q1", "q1", "q1", "q2", "q2", "gone"],
                          "category": ["a", "b", "c", "x", "y", "a"],
                          "estimate": [0.6, 0.2, 0.0, 0.8, 0.2, 0.5]})
    out = with_counts(table, data)
    # counted by hand from `data`: q1 a=3, b=1, c=0; q2 x=4, y=1; 'gone' is no column of data
    assert list(out.columns) == ["variable", "category", "estimate", "n"]
    assert out["n"].iloc[:5].tolist() == [3, 1, 0, 4, 1]
    assert np.isnan(out["n"].iloc[5])
    assert out["estimate"].tolist() == table["estimate"].tolist()
    assert "n" not in table.columns, "the input table is not modified"
    # other column names, passed by keyword
    t2 = table.rename(columns={"variable": "var", "category": "cat"}).iloc[:5]
    out2 = with_counts(t2, data, variable="var", category="cat")
    assert out2["n"].tolist() == [3, 1, 0, 4, 1]
    assert out2["n"].dtype == np.int64


def test_with_counts_uses_the_variable_of_each_row_not_only_the_category():
    """Fails if the count key (variable, category) loses its variable: the same category label under
    two variables must get each variable's own count (mutant family: dict key / zip arguments)."""
    data = pd.DataFrame({"q1": ["ja", "ja", "nei"], "q2": ["ja", "nei", "nei"]})
    table = pd.DataFrame({"variable": ["q1", "q2", "q1", "q2"], "category": ["ja", "ja", "nei", "nei"]})
    assert with_counts(table, data)["n"].tolist() == [2, 1, 1, 2]


def test_small_cells_boundary_and_no_base():
    """Fails if small_cells() counts a row whose base equals min_base as small (<= for <), returns
    rows of a table without base column (slice mutants 0:1), or raises on a non-numeric base
    (errors='coerce' removed)."""
    t = pd.DataFrame({"estimate": [0.1, 0.2, 0.3, 0.4], "n": [29, 30, 31, np.nan]})
    assert small_cells(t, 30).index.tolist() == [0]
    assert small_cells(t, 31).index.tolist() == [0, 1]
    text_base = pd.DataFrame({"estimate": [0.1, 0.2], "n": ["few", 5]})
    assert small_cells(text_base, 30).index.tolist() == [1]
    no_base = pd.DataFrame({"estimate": [0.1, 0.2]})
    res = small_cells(no_base, 30)
    assert res.empty and list(res.columns) == ["estimate"]


def test_apply_rule_boundaries_and_wording():
    """Fails if the rule's boundaries move (base == min_base is shown; base == flag_base is not
    flagged; one below each is), its wording changes, or the numbers of shown rows change
    (mutants of apply_rule: comparisons, format, note strings)."""
    t = pd.DataFrame({"level": ["a", "b", "c", "d", "e"], "estimate": [0.1, 0.2, 0.3, 0.4, 0.5],
                      "n": [29, 30, 99, 100, 101]})
    out = apply_rule(t, "n", 30, 100)
    assert out["flag"].tolist() == ["suppressed: base < 30", "base < 100: interpret with care",
                                    "base < 100: interpret with care", "", ""]
    assert np.isnan(out.loc[0, "estimate"]) and np.isnan(out.loc[0, "n"])
    assert out["estimate"].iloc[1:].tolist() == [0.2, 0.3, 0.4, 0.5]
    assert out["n"].iloc[1:].tolist() == [30.0, 99.0, 100.0, 101.0]
    assert out["level"].tolist() == ["a", "b", "c", "d", "e"]
    assert out.attrs == {disclosure.CHECKED: "n"}
    assert "flag" not in t.columns and t["n"].tolist() == [29, 30, 99, 100, 101], "input unchanged"


def test_apply_rule_fractional_thresholds_and_missing_base():
    """Fails if the thresholds are not printed with :g (2.5 stays '2.5', 30.0 prints '30'), or a
    missing / non-numeric base is not treated as small (isna | ..., errors='coerce')."""
    t = pd.DataFrame({"estimate": [0.1, 0.2, 0.3], "n_eff": [np.nan, "x", 3.0]})
    out = apply_rule(t, "n_eff", 2.5, 30.0)
    assert out["flag"].tolist() == ["suppressed: base < 2.5", "suppressed: base < 2.5",
                                    "base < 30: interpret with care"]
    assert out["estimate"].isna().tolist() == [True, True, False]


def test_apply_rule_keeps_old_flags_where_the_rule_is_silent():
    """Fails if an existing flag is dropped, replaced where the rule says nothing, or kept where the
    rule speaks; or if a missing old flag is not an empty string (fillna('') mutants)."""
    t = pd.DataFrame({"estimate": [0.1, 0.2, 0.3, 0.4], "n": [5, 50, 500, 500],
                      "flag": ["old1", "old2", "old3", None]})
    out = apply_rule(t, "n", 30, 100)
    assert out["flag"].tolist() == ["suppressed: base < 30", "base < 100: interpret with care", "old3", ""]


def test_apply_rule_blanks_bools_and_base_columns_but_not_text():
    """Fails if a boolean column of a small row is not blanked (to None, object dtype), if a base
    column held as text is not blanked, if text columns are blanked, or if integer columns are not
    turned to float before blanking (dtype mutants)."""
    t = pd.DataFrame({"label": ["small", "big"], "significant": [True, False], "base": ["7", "70"],
                      "count": [7, 70], "n": [7, 70]})
    out = apply_rule(t, "n", 30, 50)
    assert out["label"].tolist() == ["small", "big"]
    assert out["significant"].dtype == object and out["significant"].tolist() == [None, False]
    assert out["base"].isna().tolist() == [True, False] and out["base"].iloc[1] == "70"
    assert out["count"].dtype == np.float64 and np.isnan(out["count"].iloc[0]) and out["count"].iloc[1] == 70.0
    assert out["n"].dtype == np.float64


def test_protect_exempt_and_settings_from_load(monkeypatch):
    """Fails if protect() ignores the exempt mark, takes min_base / flag_base from other keys, or does
    not fall back to settings.load() when no settings are given (mutants of protect)."""
    from ehelse import settings

    monkeypatch.setitem(disclosure._REAL, "read", True)
    monkeypatch.setattr(settings, "load", lambda path=None: {"min_base": 10, "flag_base": 20,
                                                            "microdata": {"citizens": None, "personnel": None}})
    t = pd.DataFrame({"estimate": [0.1, 0.2, 0.3], "n": [9, 10, 20]})
    out = disclosure.protect(t)
    assert out["flag"].tolist() == ["suppressed: base < 10", "base < 20: interpret with care", ""]
    ex = disclosure.exempt(t.copy(), "published numbers")
    assert ex.attrs == {disclosure.EXEMPT: "published numbers"}
    assert disclosure.protect(ex) is ex
    monkeypatch.setitem(disclosure._REAL, "read", False)
    assert disclosure.protect(t) is t


def test_protect_refusal_names_at_most_six_numeric_columns():
    """Fails if the refusal message changes: names of the first six numeric columns (bools are not
    numbers here), the base columns, the default `what` ('table') and the full column list."""
    import re

    real = {"microdata": {"citizens": "x.sav", "personnel": None}, "min_base": 30, "flag_base": 100}
    cols = {f"v{i}": [float(i)] for i in range(8)}
    t = pd.DataFrame({"label": ["a"], "ok": [True], **cols})
    msg = ("table: on real microdata a table with numbers (v0, v1, v2, v3, v4, v5) needs a base column "
           "(n_eff / n / base) for the suppression rule, or disclosure.exempt(df, reason) if it holds no "
           "respondent cells; columns: ['label', 'ok', 'v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']")
    with pytest.raises(disclosure.DisclosureError, match="^" + re.escape(msg) + "$"):
        disclosure.protect(t, real)
    only_bools = pd.DataFrame({"label": ["a"], "ok": [True]})
    assert disclosure.protect(only_bools, real) is only_bools


def test_base_column_order():
    """Fails if base_column() does not prefer n_eff, then n, then base, or finds one that is absent."""
    assert disclosure.base_column(pd.DataFrame(columns=["base", "n", "n_eff"])) == "n_eff"
    assert disclosure.base_column(pd.DataFrame(columns=["base", "n"])) == "n"
    assert disclosure.base_column(pd.DataFrame(columns=["x", "base"])) == "base"
    assert disclosure.base_column(pd.DataFrame(columns=["x"])) is None


def test_with_counts_of_variables_absent_from_the_data_is_a_numeric_nan_column():
    """Fails if a category whose variable is not in the data gets None instead of NaN (mutants of the
    fill value): `n` must stay a numeric column even when no variable is present, so the suppression
    rule and the CSV writer see a missing number."""
    out = with_counts(pd.DataFrame({"variable": ["gone", "also"], "category": ["a", "b"]}), pd.DataFrame({"q": [1]}))
    assert out["n"].dtype == np.float64 and out["n"].isna().all()


def test_apply_rule_gives_the_same_dtypes_whether_or_not_a_row_is_suppressed():
    """Fails if integer columns are turned to float only when some row is blanked (the astype(float)
    branch removed): a download's columns would then print '70' or '70.0' depending on the data."""
    t = pd.DataFrame({"estimate": [0.5, 0.6], "count": [70, 80], "n": [70, 80]})
    out = apply_rule(t, "n", 30, 50)
    assert out["flag"].tolist() == ["", ""]
    assert out["count"].dtype == np.float64 and out["n"].dtype == np.float64
    assert out["count"].tolist() == [70.0, 80.0]
