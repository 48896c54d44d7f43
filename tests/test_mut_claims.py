"""In-process tests of ehelse.claims written against its surviving mutants (issue 17).

The functions that read the book's tables (checkable_values, _base, verdicts, publisher_verdicts) are
called with those tables replaced by tiny made-up ones (monkeypatch), so that each expected value can be
worked out by hand from the contract in the docstrings; one test per function also runs on the real
tables and checks a property that follows from the contract. Each docstring says which bug (mutant family)
the test catches.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse import claims, data, figures
from ehelse.claims import CONSISTENCY, FAILS, HOLDS, NOT_CHECKABLE

DEFF = {"citizens": 1.3, "personnel": 1.0}


def _wald_p(pa, na, pb, nb):
    """Two-sided unpooled Wald p of pb - pa (percent) from effective bases, computed here by hand."""
    a, b = pa / 100, pb / 100
    z = (b - a) / np.sqrt(a * (1 - a) / na + b * (1 - b) / nb)
    return 2 * stats.norm.sf(abs(z))


def _vals(rows, report="citizens2022", numbers="report text", first_line=900):
    """Printed values (population, year, item, category, value[, unit]) of made-up figure F1."""
    out = []
    for i, r in enumerate(rows):
        pop, year, item, cat, value, *unit = r
        out.append({"report": report, "figure_id": "F1", "population": pop, "year": year, "item": item,
                    "category": cat, "value": float(value), "unit": unit[0] if unit else "percent",
                    "source_line": first_line + i, "numbers": numbers})
    return pd.DataFrame(out)


def _with(s: pd.Series, **kw) -> pd.Series:
    """A copy of a claim row with some fields changed."""
    out = s.copy()
    for k, v in kw.items():
        out[k] = v
    return out


def _claim(measure, kind="change", direction="up", low=np.nan, high=np.nan, compare_to="", checkable="yes",
           source_line=10, claim_id="T01", report="citizens2022", **extra):
    return pd.Series({"report": report, "claim_id": claim_id, "figure_id": "F1", "source_line": source_line,
                      "kind": kind, "direction": direction, "low": low, "high": high, "measure": measure,
                      "compare_to": compare_to, "checkable": checkable, **extra})


# ---------------------------------------------------------------- checkable_values

def test_checkable_values_adds_publisher_numbers_only_for_figures_the_report_text_lacks(monkeypatch):
    """The publisher's numbers stand in only for charts whose numbers the report text lost.
    Fails if the `~` of the isin filter is dropped (publisher numbers replace the report's), if the
    `numbers` labels change (mutated strings), if the concat keeps the old index (ignore_index dropped) or
    if the report text's rows are dropped."""
    v = pd.DataFrame({"figure_id": ["F1", "F1"], "year": [2021, 2022], "value": [10.0, 20.0]})
    p = pd.DataFrame({"figure_id": ["F1", "F2", "F2"], "year": [2021, 2021, 2022], "value": [11.0, 30.0, 40.0]})
    monkeypatch.setattr(claims, "values", lambda: v.copy())
    monkeypatch.setattr(data, "publisher_values", lambda: p.copy())
    got = claims.checkable_values()
    want = pd.DataFrame({"figure_id": ["F1", "F1", "F2", "F2"], "year": [2021, 2022, 2021, 2022],
                         "value": [10.0, 20.0, 30.0, 40.0],
                         "numbers": ["report text", "report text", "publisher's pages", "publisher's pages"]})
    pd.testing.assert_frame_equal(got, want)


def test_checkable_values_on_the_real_tables_never_mixes_sources_in_one_figure():
    """On the book's tables: every figure's numbers come from one source, the report text's wherever it has
    any. Fails if the publisher filter is dropped or inverted (figures would then have both labels)."""
    cv = claims.checkable_values()
    assert set(cv["numbers"]) == {"report text", "publisher's pages"}
    per_figure = cv.groupby("figure_id")["numbers"].nunique()
    assert (per_figure == 1).all()
    report_figs = set(data.values()["figure_id"])
    assert set(cv.loc[cv["numbers"] == "report text", "figure_id"]) == report_figs
    assert not set(cv.loc[cv["numbers"] == "publisher's pages", "figure_id"]) & report_figs
    assert len(cv) == len(data.values()) + (~data.publisher_values()["figure_id"].isin(report_figs)).sum()


# ---------------------------------------------------------------- _base and _test

def _table(rows):
    return pd.DataFrame(rows, columns=["population", "year", "item", "category", "base"])


def test_base_is_the_largest_printed_base_of_exactly_this_bar(monkeypatch):
    """The base of a bar: population, year and item must all match; the largest printed base of its rows.
    Fails if any of the three `==` becomes `!=`, if `max` becomes `min`, if NaN bases are not dropped
    (max of NaN) or if the figure id is not passed to figures.table."""
    t = _table([("citizens", 2021, "Total", "A", 1000.0), ("citizens", 2021, "Total", "B", 1200.0),
                ("citizens", 2021, "Total", "C", np.nan), ("citizens", 2020, "Total", "A", 5000.0),
                ("personnel", 2021, "Total", "A", 7000.0), ("citizens", 2021, "Other", "A", 9000.0)])
    asked = []
    monkeypatch.setattr(figures, "table", lambda fid: asked.append(fid) or t)
    m = {"figure_id": "F1", "population": "citizens", "item": "Total", "categories": ["A"], "years": [2021]}
    b = claims._base(m, 2021)
    assert b == 1200.0 and type(b) is float
    assert asked == ["F1"]
    assert claims._base(m, 2020) == 5000.0
    assert claims._base({**m, "population": "personnel"}, 2021) == 7000.0
    assert claims._base({**m, "item": "Other"}, 2021) == 9000.0


def test_base_is_none_when_no_base_is_printed(monkeypatch):
    """A bar without a printed base has no base (None), so its claim gets no test.
    Fails if the `if len(b)` guard is inverted or the None replaced by a number."""
    t = _table([("citizens", 2021, "Total", "A", np.nan), ("citizens", 2020, "Total", "A", 800.0)])
    monkeypatch.setattr(figures, "table", lambda fid: t)
    m = {"figure_id": "F1", "population": "citizens", "item": "Total", "categories": ["A"], "years": [2021]}
    assert claims._base(m, 2021) is None
    assert claims._base(m, 2019) is None


def test_base_of_a_real_figure_bar_is_its_printed_base():
    """On the book's tables: the base _base finds for every bar is the largest printed base of that bar in
    figures.table (computed here by a second route, a groupby). Fails on the same mutants as above, on the
    real figures' tables."""
    checked = 0
    for fid in ("C05", "C39", "P53"):
        t = figures.table(fid)
        expected = t.dropna(subset=["base"]).groupby(["population", "year", "item"])["base"].max()
        for (pop, year, item), base in expected.items():
            m = {"figure_id": fid, "population": pop, "item": item, "categories": [], "years": [year]}
            assert claims._base(m, int(year)) == pytest.approx(float(base), abs=0), (fid, pop, year, item)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("na,nb", [(None, 1000.0), (1000.0, None), (None, None)])
def test_test_is_nan_when_either_base_is_missing(na, nb):
    """No base, no test. Fails if `or` becomes `and` (a single missing base would reach the test and
    raise) or the NaN is replaced."""
    assert np.isnan(claims._test(40.0, na, 50.0, nb, 1.0, 1.0))


def test_test_uses_each_base_with_its_own_design_effect():
    """p of b - a with effective bases na/deff_a and nb/deff_b. Fails if the bases, shares or design effects
    are swapped, dropped or replaced (each changes the p-value)."""
    p = claims._test(40.0, 1000.0, 46.0, 600.0, 1.5, 1.2)
    assert p == pytest.approx(_wald_p(40.0, 1000 / 1.5, 46.0, 600 / 1.2), rel=1e-9)
    assert type(p) is float


# ---------------------------------------------------------------- verdict: consistency checks

LEVEL = "F1|citizens|2021|Total|A"
CHANGE = "F1|citizens|2020>2021|Total|A"


@pytest.fixture
def no_bases(monkeypatch):
    """Made-up bars have no figure table: no base, no test."""
    monkeypatch.setattr(claims, "_base", lambda m, year: None)


def test_a_claim_on_the_line_of_its_own_value_is_a_consistency_check(no_bases):
    """A level claim whose value stands on the claim's own line can only agree with itself.
    Fails if verdict never (or always) turns HOLDS into CONSISTENCY, or tests `!=` HOLDS."""
    v = _vals([("citizens", 2020, "Total", "A", 30.0), ("citizens", 2021, "Total", "A", 42.0)])
    own = _claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, source_line=901)
    other = _claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, source_line=900)
    out = claims.verdict(own, v, DEFF)
    assert out == {"value": 42.0, "compared": out["compared"], "difference": out["difference"],
                   "p_value": out["p_value"], "verdict": CONSISTENCY}
    assert np.isnan(out["compared"]) and np.isnan(out["difference"]) and np.isnan(out["p_value"])
    # line 900 is the 2020 value, which a level of 2021 does not read: the claim is checked for real
    assert claims.verdict(other, v, DEFF)["verdict"] == HOLDS


def test_a_failing_claim_on_its_own_line_stays_a_failure(no_bases):
    """Only a claim that holds becomes a consistency check: a contradiction on one line is a real finding.
    Fails if the HOLDS condition of verdict is dropped or turned into `or`."""
    v = _vals([("citizens", 2021, "Total", "A", 50.0)])
    out = claims.verdict(_claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, source_line=900), v, DEFF)
    assert out["verdict"] == FAILS


def test_a_comparison_checked_against_its_own_line_through_compare_to(no_bases):
    """The line of the value compared with counts too (column compare_to). Fails if self_checked reads only
    `measure`."""
    v = _vals([("citizens", 2021, "Stmt A", "A", 60.0), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = _claim("F1|citizens|2021|Stmt A|A", kind="comparison", direction="gt",
               compare_to="F1|citizens|2021|Stmt B|A", source_line=901)
    assert claims.verdict(c, v, DEFF)["verdict"] == CONSISTENCY
    assert claims.verdict(c.drop("report"), v, DEFF)["verdict"] == HOLDS  # no report: publisher words
    assert claims.verdict(_with(c, source_line=np.nan), v, DEFF)["verdict"] == HOLDS
    assert claims.verdict(_with(c, source_line=10), v, DEFF)["verdict"] == HOLDS


def test_self_checked_only_reads_the_claims_own_report(no_bases):
    """Report lines are numbered per report: a value on line 901 of the other report is not the claim's line.
    Fails if the report filter of self_checked is dropped."""
    v = pd.concat([_vals([("citizens", 2021, "Total", "A", 42.0)], report="citizens2022"),
                   _vals([("personnel", 2021, "Total", "A", 42.0)], report="personnel2020", first_line=901)],
                  ignore_index=True)
    c = _claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, source_line=901)
    assert claims.self_checked(c, v) is False
    assert claims.verdict(c, v, DEFF)["verdict"] == HOLDS
    assert claims.self_checked(_with(c, source_line=900), v) is True


def test_value_lines_are_the_lines_of_every_year_and_category_of_the_measure():
    """value_lines: the report lines of all values the measure sums, all its years, as ints; values without a
    line (publisher numbers) add none. Fails if a filter is inverted or dropped, or NaN lines are kept."""
    v = _vals([("citizens", 2020, "Total", "A", 1.0), ("citizens", 2021, "Total", "A", 2.0),
               ("citizens", 2021, "Total", "B", 3.0), ("citizens", 2019, "Total", "A", 4.0),
               ("citizens", 2021, "Other", "A", 5.0), ("personnel", 2021, "Total", "A", 6.0),
               ("citizens", 2021, "Total", "C", 7.0)])
    v.loc[2, "source_line"] = np.nan
    m = data.parse_measure("F1|citizens|2020>2021|Total|A;B")
    lines = claims.value_lines(m, v)
    assert lines == {900, 901} and all(type(x) is int for x in lines)
    assert claims.value_lines({**m, "figure_id": "F2"}, v) == set()


# ---------------------------------------------------------------- _verdict details not reached elsewhere

def test_a_level_outside_its_range_fails_and_inside_holds_with_the_last_year(no_bases):
    """A level is read in the measure's (last) year. Fails if the verdicts HOLDS/FAILS are swapped or the
    value is not recorded."""
    v = _vals([("citizens", 2021, "Total", "A", 44.0)])
    assert claims.verdict(_claim(LEVEL, kind="level", direction="", low=45.0, high=50.0), v, DEFF) == {
        "value": 44.0, "compared": pytest.approx(np.nan, nan_ok=True), "difference": pytest.approx(np.nan, nan_ok=True),
        "p_value": pytest.approx(np.nan, nan_ok=True), "verdict": FAILS}


def test_a_change_without_bases_holds_on_its_direction_and_has_no_p(no_bases):
    """Values and difference of a change are recorded even without a test. Fails if value/compared swap or
    the difference sign flips."""
    v = _vals([("citizens", 2020, "Total", "A", 30.0), ("citizens", 2021, "Total", "A", 25.0)])
    out = claims.verdict(_claim(CHANGE, direction="down"), v, DEFF)
    assert (out["value"], out["compared"], out["difference"], out["verdict"]) == (25.0, 30.0, -5.0, HOLDS)
    assert np.isnan(out["p_value"])
    assert claims.verdict(_claim(CHANGE, direction="up"), v, DEFF)["verdict"] == FAILS


def test_a_change_uses_the_design_effect_of_its_population_and_one_for_unknown(monkeypatch):
    """Fails if the deff lookup uses a wrong key, or its default 1.0 for a population without a deff changes."""
    monkeypatch.setattr(claims, "_base", lambda m, year: {2020: 1000.0, 2021: 1200.0}[year])
    v = _vals([("citizens", 2020, "Total", "A", 50.0), ("citizens", 2021, "Total", "A", 54.0)])
    p13 = claims.verdict(_claim(CHANGE), v, {"citizens": 1.3})["p_value"]
    assert p13 == pytest.approx(_wald_p(50.0, 1000 / 1.3, 54.0, 1200 / 1.3), rel=1e-9)
    p1 = claims.verdict(_claim(CHANGE), v, {"personnel": 2.0})["p_value"]
    assert p1 == pytest.approx(_wald_p(50.0, 1000.0, 54.0, 1200.0), rel=1e-9)


def test_a_comparison_with_a_population_without_deff_uses_one(monkeypatch):
    """Comparison of two populations: each its own design effect, 1.0 when settings give none.
    Fails if either default 1.0 changes or the two deffs are swapped."""
    monkeypatch.setattr(claims, "_base", lambda m, year: {"citizens": 1200.0, "personnel": 400.0}[m["population"]])
    v = _vals([("citizens", 2021, "Total", "A", 60.0), ("personnel", 2021, "Total", "A", 52.0)])
    c = _claim(LEVEL, kind="comparison", direction="gt", compare_to="F1|personnel|2021|Total|A")
    assert claims.verdict(c, v, {})["p_value"] == pytest.approx(_wald_p(52.0, 400.0, 60.0, 1200.0), rel=1e-9)
    assert claims.verdict(c, v, {"citizens": 2.0})["p_value"] == pytest.approx(
        _wald_p(52.0, 400.0, 60.0, 600.0), rel=1e-9)
    assert claims.verdict(c, v, {"personnel": 2.0})["p_value"] == pytest.approx(
        _wald_p(52.0, 200.0, 60.0, 1200.0), rel=1e-9)


def test_a_comparison_of_different_years_of_one_population_is_tested(monkeypatch):
    """Same population but another year is another sample: it gets a test. Fails if the same-sample rule
    compares only the population (or only the year)."""
    monkeypatch.setattr(claims, "_base", lambda m, year: {2020: 1000.0, 2021: 1200.0}[year])
    v = _vals([("citizens", 2020, "Total", "A", 50.0), ("citizens", 2021, "Total", "A", 60.0),
               ("personnel", 2021, "Total", "A", 52.0)])
    c = _claim("F1|citizens|2021|Total|A", kind="comparison", direction="gt", compare_to="F1|citizens|2020|Total|A")
    out = claims.verdict(c, v, {"citizens": 1.0})
    assert out["p_value"] == pytest.approx(_wald_p(50.0, 1000.0, 60.0, 1200.0), rel=1e-9)
    assert (out["value"], out["compared"], out["difference"], out["verdict"]) == (60.0, 50.0, 10.0, HOLDS)


def test_a_printed_level_with_a_comparison_is_checked_too(no_bases):
    """'A is higher, at 60 %': the printed level must hold as well. Fails if the level check of a comparison
    is skipped, made exclusive or its tolerance changed."""
    v = _vals([("citizens", 2021, "Stmt A", "A", 60.0), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = _claim("F1|citizens|2021|Stmt A|A", kind="comparison", direction="gt", compare_to="F1|citizens|2021|Stmt B|A")
    assert claims.verdict(_with(c, low=60.0, high=60.0), v, DEFF)["verdict"] == HOLDS
    assert claims.verdict(_with(c, low=61.0, high=65.0), v, DEFF)["verdict"] == FAILS
    assert claims.verdict(_with(c, low=55.0, high=59.0), v, DEFF)["verdict"] == FAILS


def test_a_change_between_more_than_two_years_is_an_error(no_bases):
    """Fails if the length check accepts three years or its message changes."""
    v = _vals([("citizens", y, "Total", "A", 50.0) for y in (2019, 2020, 2021)])
    with pytest.raises(ValueError, match=r"^T01: a change needs YEAR as 'A>B', got 'F1\|citizens\|2019>2020>2021\|Total\|A'$"):
        claims.verdict(_claim("F1|citizens|2019>2020>2021|Total|A"), v, DEFF)


def test_a_comparison_without_direction_is_an_error(no_bases):
    """Fails if the direction error's message (claim id, kind, direction) changes."""
    v = _vals([("citizens", 2021, "Stmt A", "A", 60.0), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = _claim("F1|citizens|2021|Stmt A|A", kind="comparison", direction="", compare_to="F1|citizens|2021|Stmt B|A")
    with pytest.raises(ValueError, match=r"^T01: kind 'comparison' needs a direction, got ''$"):
        claims.verdict(c, v, DEFF)


# ---------------------------------------------------------------- _numbers_of, verdicts, summary

def test_numbers_of_names_the_sources_of_the_claims_figure():
    """The `numbers` of a claim: the sources of its figure's numbers, sorted and comma-separated; '' for a
    claim not checkable. Fails if the checkable test is inverted, the figure filter dropped, the join string
    or sort order changed."""
    vals = pd.DataFrame({"figure_id": ["F1", "F1", "F1", "F2"],
                         "numbers": ["report text", "publisher's pages", "report text", "other"]})
    c = _claim(LEVEL, kind="level")
    assert claims._numbers_of(c, vals) == "publisher's pages, report text"
    assert claims._numbers_of(_with(c, measure="F2|citizens|2021|Total|A"), vals) == "other"
    assert claims._numbers_of(_with(c, checkable="no"), vals) == ""


@pytest.fixture
def made_up_book(monkeypatch):
    """claims.verdicts on made-up claims, values and design effects (no figure table: no bases)."""
    cl = pd.DataFrame([
        dict(_claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, claim_id="A1")),
        dict(_claim(CHANGE, direction="up", claim_id="A2")),
        dict(_claim(LEVEL, kind="level", direction="", low=40.0, high=45.0, claim_id="B1", report="personnel2020",
                    checkable="no")),
    ])
    v = _vals([("citizens", 2020, "Total", "A", 38.0), ("citizens", 2021, "Total", "A", 42.0)])
    monkeypatch.setattr(claims, "load_claims", lambda: cl.copy())
    monkeypatch.setattr(claims, "checkable_values", lambda: v.copy())
    monkeypatch.setattr(claims, "load", lambda: {"published_deff": {"citizens": 1.0}})
    monkeypatch.setattr(claims, "_base", lambda m, year: {2020: 1000.0, 2021: 1000.0}[year])
    return cl


def test_verdicts_of_made_up_claims(made_up_book):
    """Every claim with value, difference, p, verdict, numbers and significance.
    Fails if a claim is lost, the report filter applies without a report, the values or settings' deff are
    not passed, the columns are renamed or `significant` is computed wrongly."""
    out = claims.verdicts()
    assert list(out["claim_id"]) == ["A1", "A2", "B1"]
    assert list(out.columns) == list(made_up_book.columns) + ["value", "compared", "difference", "p_value",
                                                               "verdict", "numbers", "significant"]
    assert list(out["verdict"]) == [HOLDS, HOLDS, NOT_CHECKABLE]
    assert list(out["numbers"]) == ["report text", "report text", ""]
    assert out.loc[0, "value"] == 42.0 and np.isnan(out.loc[0, "p_value"])
    p = _wald_p(38.0, 1000.0, 42.0, 1000.0)
    assert out.loc[1, "p_value"] == pytest.approx(p, rel=1e-9) and out.loc[1, "difference"] == 4.0
    assert list(out["significant"]) == ["", "yes" if p < 0.05 else "no", ""]


def test_verdicts_of_one_report(made_up_book):
    """Fails if the report filter is dropped or inverted."""
    assert list(claims.verdicts("personnel2020")["claim_id"]) == ["B1"]
    assert list(claims.verdicts("citizens2022")["claim_id"]) == ["A1", "A2"]


@pytest.mark.parametrize("p,expected", [(0.0499, "yes"), (0.05, "no"), (0.2, "no"), (np.nan, "")])
def test_verdicts_call_a_p_below_five_percent_significant(monkeypatch, made_up_book, p, expected):
    """`significant` is 'yes' below 0.05 (strictly), 'no' at and above, '' without a test.
    Fails if `<` becomes `<=`, 0.05 changes, or the labels are mutated."""
    monkeypatch.setattr(claims, "verdict", lambda r, vals, deff: {"value": 1.0, "compared": 0.0, "difference": 1.0,
                                                                  "p_value": p, "verdict": HOLDS})
    assert list(claims.verdicts()["significant"]) == [expected] * 3


def test_verdicts_pass_values_and_the_settings_design_effects(monkeypatch, made_up_book):
    """Fails if verdict is not given the checkable values, the settings' published_deff or the claim row."""
    seen = []

    def spy(r, vals, deff):
        seen.append((r["claim_id"], list(vals["value"]), deff))
        return {"value": np.nan, "compared": np.nan, "difference": np.nan, "p_value": np.nan, "verdict": NOT_CHECKABLE}

    monkeypatch.setattr(claims, "verdict", spy)
    claims.verdicts()
    assert seen == [(cid, [38.0, 42.0], {"citizens": 1.0}) for cid in ("A1", "A2", "B1")]


def test_summary_counts_verdicts_per_report():
    """Fails if the pivot's index/columns swap, the count is not a count of claims or missing pairs are not 0."""
    v = pd.DataFrame({"report": ["r1", "r1", "r1", "r2"], "claim_id": ["a", "b", "c", "d"],
                      "verdict": [HOLDS, HOLDS, FAILS, NOT_CHECKABLE]})
    s = claims.summary(v)
    assert s.index.name == "report" and s.columns.name == "verdict"
    assert s.to_dict(orient="index") == {"r1": {FAILS: 1, HOLDS: 2, NOT_CHECKABLE: 0},
                                         "r2": {FAILS: 0, HOLDS: 0, NOT_CHECKABLE: 1}}


# ---------------------------------------------------------------- publisher_verdicts

def test_publisher_verdicts_check_words_against_the_report_else_the_publishers_number(monkeypatch):
    """A word number is checked against the report's value where the report prints one (the publisher's number
    for the same key is dropped), else against the publisher's own number. Fails if the left-only filter is
    inverted or dropped (two values for one key: the measure then has too many values), if the settings' deff
    is not used, or if a claim row is lost."""
    v = _vals([("citizens", 2021, "Total", "A", 42.0)])
    p = pd.concat([_vals([("citizens", 2021, "Total", "A", 48.0)], numbers="x"),
                   _vals([("citizens", 2023, "Total", "A", 71.0)], numbers="x")], ignore_index=True)
    p["source_line"] = np.nan
    p = p.drop(columns="numbers").assign(url="https://example.org")
    v = v.drop(columns="numbers")
    words = pd.DataFrame([
        {"claim_id": "PUB1", "report": "citizens2022", "figure_id": "F1", "printed": "4 av 10", "low": 35.0,
         "high": 45.0, "kind": "level", "direction": "", "measure": "F1|citizens|2021|Total|A", "compare_to": "",
         "checkable": "yes"},
        {"claim_id": "PUB2", "report": "citizens2022", "figure_id": "F1", "printed": "7 av 10", "low": 65.0,
         "high": 75.0, "kind": "level", "direction": "", "measure": "F1|citizens|2023|Total|A", "compare_to": "",
         "checkable": "yes"},
        {"claim_id": "PUB3", "report": "citizens2022", "figure_id": "F1", "printed": "5 av 10", "low": 45.0,
         "high": 55.0, "kind": "level", "direction": "", "measure": "F1|citizens|2021|Total|A", "compare_to": "",
         "checkable": "yes"},
    ])
    monkeypatch.setattr(data, "publisher_claims", lambda: words.copy())
    monkeypatch.setattr(claims, "values", lambda: v.copy())
    monkeypatch.setattr(data, "publisher_values", lambda: p.copy())
    monkeypatch.setattr(claims, "_base", lambda m, year: None)
    seen = []
    real = claims.verdict
    monkeypatch.setattr(claims, "load", lambda: {"published_deff": {"citizens": 1.7}})
    monkeypatch.setattr(claims, "verdict", lambda r, vals, deff: seen.append(deff) or real(r, vals, deff))
    out = claims.publisher_verdicts()
    assert list(out["claim_id"]) == ["PUB1", "PUB2", "PUB3"]
    assert list(out["value"]) == [42.0, 71.0, 42.0]
    assert list(out["verdict"]) == [HOLDS, HOLDS, FAILS]
    assert list(out.columns) == list(words.columns) + ["value", "compared", "difference", "p_value", "verdict"]
    assert seen == [{"citizens": 1.7}] * 3


def test_publisher_verdicts_of_the_book_are_levels_within_their_words():
    """On the real tables: one verdict per publisher claim, and a checkable level holds exactly when its value
    lies in the words' range. Fails if rows are lost or the verdicts do not follow the values."""
    c = data.publisher_claims()
    out = claims.publisher_verdicts()
    assert list(out["claim_id"]) == list(c["claim_id"])
    lv = out[(out["kind"] == "level") & (out["checkable"] == "yes")]
    assert len(lv) >= 1
    for r in lv.itertuples():
        inside = r.low - 1e-9 <= r.value <= r.high + 1e-9
        assert r.verdict in ((HOLDS, CONSISTENCY) if inside else (FAILS,)), r.claim_id


# ---------------------------------------------------------------- survivors of the first focus run

@pytest.mark.parametrize("diff,gt,lt", [(0.0, FAILS, FAILS), (0.5, HOLDS, FAILS), (-0.5, FAILS, HOLDS)])
def test_gt_and_lt_need_a_strict_difference(no_bases, diff, gt, lt):
    """'higher than' / 'lower than' hold only for a difference of the right sign, however small. Fails if
    `d > 0` becomes `d >= 0` or `d > 1` for 'gt', or `d < 0` becomes `d <= 0` or `d < 1` for 'lt'."""
    v = _vals([("citizens", 2021, "Stmt A", "A", 50.0 + diff), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = _claim("F1|citizens|2021|Stmt A|A", kind="comparison", direction="gt", compare_to="F1|citizens|2021|Stmt B|A")
    assert claims.verdict(c, v, DEFF)["verdict"] == gt
    assert claims.verdict(_with(c, direction="lt"), v, DEFF)["verdict"] == lt


def test_the_tolerance_of_a_range_is_inclusive(no_bases):
    """A value exactly at low - 1e-9 or high + 1e-9 is inside the range (the tolerance of printed decimals is
    closed at both ends), for a level and for the printed level of a change. Fails if either `<=` of the range
    becomes `<`."""
    low, high = 40.0, 45.0
    for value in (low - 1e-9, high + 1e-9):
        v = _vals([("citizens", 2021, "Total", "A", value)])
        assert claims.verdict(_claim(LEVEL, kind="level", direction="", low=low, high=high), v, DEFF)["verdict"] == HOLDS
        v2 = _vals([("citizens", 2020, "Total", "A", 10.0), ("citizens", 2021, "Total", "A", value)])
        assert claims.verdict(_claim(CHANGE, direction="up", low=low, high=high), v2, DEFF)["verdict"] == HOLDS


def test_a_comparison_on_the_line_of_its_measure_is_a_consistency_check(no_bases):
    """The lines of measure and compare_to are united: the measure's own line counts although compare_to adds
    others. Fails if `lines |= …` becomes `lines = …` (compare_to's lines replace the measure's)."""
    v = _vals([("citizens", 2021, "Stmt A", "A", 60.0), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = _claim("F1|citizens|2021|Stmt A|A", kind="comparison", direction="gt",
               compare_to="F1|citizens|2021|Stmt B|A", source_line=900)
    assert claims.self_checked(c, v) is True
    assert claims.verdict(c, v, DEFF)["verdict"] == CONSISTENCY
