"""ehelse.figures on made-up figures: series assembly, tests of change (years, direction to − from), NPS
intervals, captions and their 'About this figure' details, sources as links, chart-kind dispatch and the
small text helpers.

A made-up figure 'X1' is served by monkeypatching the lookups figures.py imports (figure, table, codebook,
scale_labels, load, interval, the headline verdict), so every expected value is read off the rows written
here. P-values are checked against estimates.published_change_test called on the shares and bases picked by
hand (the second route); changes are to − from. Mutant families: swapped years or signs, dropped branches,
mutated strings and labels, changed boundaries (len(years) == 2, <= DISAGREE_POINTS, p < 0.05).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ehelse import figures, waves  # noqa: E402
from ehelse.estimates import published_change_test  # noqa: E402
from ehelse.figures import FIRST_LAST, LATEST, LATEST_GAP, SLIDE_LATEST, SOURCE_PUBLISHER, SOURCE_REPORT  # noqa: E402

NaN = np.nan
COLS = ["figure_id", "population", "year", "item", "item_en", "category", "category_en", "value", "unit",
        "base", "base_source", "ci_low", "ci_high", "source", "source_line", "url", "confidence",
        "other_source_url", "other_source_value"]
EN = {"A": "Agree fully", "B": "Agree partly", "C": "Disagree", "Vet ikke": "Don't know", "Agree": "Agree (net)"}
LABELS = ["A", "B", "C", "Vet ikke"]
DEFF = {"citizens": 1.5, "personnel": 1.2}


def row(pop="citizens", year=2019, cat="A", value=10.0, base=NaN, item="Total", unit="percent",
        source=SOURCE_REPORT, line=10, url="", ci=(NaN, NaN), other_url="", other_value=NaN, item_en=None,
        base_source=None) -> dict:
    return {"figure_id": "X1", "population": pop, "year": year, "item": item,
            "item_en": item_en or ("All respondents" if item == "Total" else item.upper()), "category": cat,
            "category_en": EN.get(cat, cat), "value": value, "unit": unit, "base": base,
            "base_source": base_source if base_source is not None else ("printed" if not pd.isna(base) else ""),
            "ci_low": ci[0], "ci_high": ci[1], "source": source, "source_line": line if source == SOURCE_REPORT else NaN,
            "url": url, "confidence": "high", "other_source_url": other_url, "other_source_value": other_value}


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLS)


def fig_info(**kw) -> dict:
    out = {"figure_id": "X1", "report": "citizens2022", "question_id": "q1", "chart_type": "stacked_bar",
           "chart": "stacked_bar", "years": "2019;2020", "headline_en": "A headline, in English.",
           "filter_no": "", "filter_en": "", "figure_notes": "", "series_break": "", "numbers_source": "report",
           "question": {"text_no": "Er du  enig?", "text_en": "Do you\n agree", "scale": "agree"}}
    return out | kw


def _only(value, *ids):
    """A lookup that answers for the made-up ids only (a call with another id, e.g. None, is an error)."""
    def lookup(key):
        if key not in ids:
            raise KeyError(f"no made-up entry {key!r}")
        return value() if callable(value) else value
    return lookup


@pytest.fixture
def fake(monkeypatch):
    """fake(table_rows, **figure_fields): figure 'X1' served from the given rows and fields."""
    def setup(rows, nets=None, **kw):
        t = frame(rows)
        info = fig_info(**kw)
        monkeypatch.setattr(figures, "table", _only(lambda: t.copy(), "X1"))
        monkeypatch.setattr(figures, "figure", _only(info, "X1"))
        monkeypatch.setattr(figures, "codebook", lambda: {"scales": {"agree": {"nets": nets}}})
        monkeypatch.setattr(figures, "scale_labels", _only(lambda: list(LABELS), "agree"))
        monkeypatch.setattr(figures, "english", _only(lambda: dict(EN), "q1"))
        monkeypatch.setattr(figures, "load", lambda: {"published_deff": dict(DEFF)})
        monkeypatch.setattr(figures, "interval", lambda: {"level": 0.9, "method": "wilson"})
        monkeypatch.setattr(figures.findings, "headline_verdict",
                            _only({"caption": "The report's headline: holds.", "text": "Headline «A & B»: holds"}, "X1"))
        monkeypatch.setattr(figures.findings, "figure_title", _only("Most agree", "X1"))
        return t
    return setup


def _p(pa, na, pb, nb, da, db) -> float:
    return float(published_change_test(pa, na, pb, nb, da, db)["p_value"].iloc[0])


# ------------------------------------------------------------------ small text helpers


def test_text_helpers():
    """Fails if _short's width or line limit, _n's format, _limit_words' cut, _years_text, _year_span's runs,
    _number_text's units or _population_name's fallback are mutated."""
    text = " ".join(f"w{i}" for i in range(30))  # 30 words of 2-3 characters
    assert figures._short(text) == "\n".join(["w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13",
                                              "w14 w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25",
                                              "w26 w27 w28 w29"])
    assert figures._short(text, 10) == "w0 w1 w2\nw3 w4 w5\nw6 w7 w8"  # three lines at most
    assert figures._short(12345) == "12345"
    assert figures._n(1524) == "n = 1,524" and figures._n(1524.0) == "n = 1,524"
    assert figures._n(None) == "" and figures._n(NaN) == ""
    assert figures._limit_words("one two three", 3) == "one two three"
    assert figures._limit_words("one, two; three four", 2) == "one, two …"
    assert figures._limit_words("one two, three four", 2) == "one two …"
    assert figures._years_text(frame([row(year=2021), row(year=2019), row(year=2019)])) == "2019–2021"
    assert figures._years_text(frame([row(year=2020)])) == "2020"
    assert figures._year_span([2019, 2020, 2021, 2023, 2025, 2026, 2019]) == "2019–2021, 2023, 2025–2026"
    assert figures._year_span([2022]) == "2022"
    assert figures._year_span(["2021", "2020"]) == "2020–2021"
    assert figures._number_text(12.4, "percent") == "12 %"
    assert figures._number_text(12.6, "nps_points") == "+13" and figures._number_text(-2, "nps_points") == "-2"
    assert figures._number_text(12345.0, "count") == "12,345"
    assert figures._number_text(1.5, "points") == "1.5"
    assert figures._population_name("citizens") == "Citizens"
    assert figures._population_name("personnel") == "Health personnel"
    assert figures._population_name("patients") == "Patients"


def test_single_base_and_pct_or_all():
    """Fails if _single_base accepts several bases or a missing one, or _pct_or_all drops the fallback."""
    assert figures._single_base(frame([row(base=1524), row(base=1524.0)])) == "n = 1,524"
    assert figures._single_base(frame([row(base=1524), row(base=1000)])) == ""
    assert figures._single_base(frame([row(base=1524), row()])) == ""
    assert figures._single_base(frame([row()])) == ""
    t = frame([row(unit="percent"), row(unit="nps_points", cat="NPS")])
    assert list(figures._pct_or_all(t)["unit"]) == ["percent"]
    t = frame([row(unit="count", cat="n"), row(unit="nps_points", cat="NPS")])
    assert list(figures._pct_or_all(t)["unit"]) == ["count", "nps_points"]


def test_interval_words_read_the_settings(monkeypatch):
    """Fails if _interval_words mutates the level's format or the method's name mapping (and fallback)."""
    monkeypatch.setattr(figures, "interval", lambda: {"level": 0.95, "method": "korn_graubard"})
    assert figures._interval_words() == ("95 %", "Korn–Graubard")
    monkeypatch.setattr(figures, "interval", lambda: {"level": "0.995", "method": "logit"})
    assert figures._interval_words() == ("99.5 %", "logit")
    monkeypatch.setattr(figures, "interval", lambda: {"level": 0.9, "method": "exact"})
    assert figures._interval_words() == ("90 %", "exact")


def test_bar_label_marks_years_from_a_break_and_prints_the_base():
    """Fails if _bar_label's † boundary (year >= break) or its base line is mutated."""
    r = next(frame([row(year=2021, base=1504)]).itertuples())
    assert figures._bar_label(r, [2021], None) == "2021 †\nn=1,504"
    assert figures._bar_label(r, [2022], None) == "2021\nn=1,504"
    assert figures._bar_label(r, [2022, 2020], None) == "2021 †\nn=1,504"
    r = next(frame([row(year=2021)]).itertuples())
    assert figures._bar_label(r, [], None) == "2021"
    r = next(frame([row(year=2021, base=0)]).itertuples())
    assert figures._bar_label(r, [], None) == "2021"


def test_series_breaks_parse_years_and_populations(fake):
    """Fails if series_breaks' split, strip, population part or digit check is mutated."""
    fake([row()], series_break=" 2021; personnel:2022 ;;x:later")
    assert figures.series_breaks("X1") == [{"year": 2021, "population": ""}, {"year": 2022, "population": "personnel"}]
    fake([row()], series_break="")
    assert figures.series_breaks("X1") == []
    fake([row()], series_break=None)
    assert figures.series_breaks("X1") == []


def test_labels_of_dots_and_series():
    """Fails if _dot_label or _series_label drop a part (item, category or 'share', year, population) or join
    them otherwise."""
    d = frame([row(cat="A", year=2019, item="x1"), row(cat="B", year=2020, item="x1", pop="personnel")])
    r = list(d.itertuples())
    assert figures._dot_label(r[0], d) == "X1, Agree fully, 2019, Citizens"
    assert figures._dot_label(r[1], d) == "X1, Agree partly, 2020, Health personnel"
    one = frame([row(cat="Valgt", item="x1")])
    assert figures._dot_label(next(one.itertuples()), one) == "X1"
    assert figures._dot_label(next(one.itertuples()), one, with_year=True) == "X1, 2019"
    tot = frame([row(cat="Andel")])
    assert figures._dot_label(next(tot.itertuples()), tot) == "share"
    tot = frame([row(cat="A")])
    assert figures._dot_label(next(tot.itertuples()), tot) == "Agree fully"
    assert figures._series_label(r[0], d) == "Citizens: Agree fully"
    d2 = frame([row(item="x1", cat="A"), row(item="x2", cat="A"), row(item="Total", cat="A")])
    r2 = list(d2.itertuples())
    assert figures._series_label(r2[0], d2) == "X1" and figures._series_label(r2[2], d2) == "Agree fully"
    d3 = frame([row(item="x1", item_en="Citizens (online)", cat="Valgt"),
                row(item="x2", item_en="Health personnel", cat="Valgt", pop="personnel")])
    r3 = list(d3.itertuples())
    assert figures._series_label(r3[0], d3) == "Citizens (online)"
    assert figures._series_label(r3[1], d3) == "Health personnel"
    d4 = frame([row(item="x1", item_en="Doctors", cat="Valgt"), row(item="x1", pop="personnel", cat="Valgt")])
    assert figures._series_label(next(d4.itertuples()), d4) == "Citizens"


def test_adjacent_waves_follow_the_registry():
    """Fails if _adjacent ignores a registry wave between two years, or the gap rule for unknown populations."""
    cit = waves.years("citizens")
    a, b = cit[0], cit[-1]
    assert figures._adjacent("citizens", cit[0], cit[1]) is True
    assert figures._adjacent("citizens", a, b) is (len(cit) == 2)
    assert figures._adjacent("patients", 2019, 2020) is True
    assert figures._adjacent("patients", 2019, 2021) is False
    # two registry waves with no wave between them, a year apart or not
    assert figures._adjacent("citizens", 2040, 2041) is True
    assert figures._adjacent("citizens", 2040, 2042) is False


# ------------------------------------------------------------------ lookups of a figure's numbers


SERIES_ROWS = [row(year=2019, cat="A", value=30, base=1000), row(year=2019, cat="B", value=20, base=1000),
               row(year=2020, cat="A", value=35, base=1100), row(year=2020, cat="B", value=25, base=1100),
               row(year=2022, cat="A", value=41, base=1200), row(year=2022, cat="B", value=19, base=1200),
               row(year=2022, cat="NPS", value=5, unit="nps_points", base=1200),
               row(pop="personnel", year=2020, cat="A", value=50, base=400),
               row(pop="personnel", year=2020, cat="B", value=10, base=400)]


def test_series_years_series_value(fake):
    """Fails if series_years, series or value ignore a selection, keep the non-percent unit when percents exist,
    accept several values per year, or their error messages are mutated."""
    fake(SERIES_ROWS)
    assert figures.series_years("X1") == [2019, 2020, 2022]
    assert figures.series_years("X1", population="personnel") == [2020]
    assert figures.series_years("X1", category="NPS") == [2022]
    s = figures.series("X1", population="citizens", category="A")
    assert s.to_dict() == {2019: 30, 2020: 35, 2022: 41} and list(s.index) == [2019, 2020, 2022]
    assert figures.series("X1", category="NPS").to_dict() == {2022: 5}
    assert figures.value("X1", 2020, population="personnel", category="B") == 10.0
    assert figures.value("X1", "2022", "citizens", "Total", "A") == 41.0
    with pytest.raises(KeyError) as e:
        figures.series("X1", population="citizens")
    assert e.value.args[0] == "X1: several values for year 2019; select population, item or category"
    with pytest.raises(KeyError) as e:
        figures.value("X1", 2021, population="citizens", category="A")
    assert e.value.args[0] == "X1: no value for 2021 (years [2019, 2020, 2022])"
    with pytest.raises(KeyError) as e:
        figures.series_years("X1", population="patients", item=None, category="A")
    assert e.value.args[0] == "X1: no numbers for {'population': 'patients', 'category': 'A'}"


TESTS = pd.DataFrame([
    {"figure_id": "X1", "population": "citizens", "item": "Total", "measure": "Agree", "test": LATEST_GAP,
     "from": 2020, "to": 2022, "share_from": 60.0, "share_to": 60.0, "change_points": 0.0, "p_value": 0.9},
    {"figure_id": "X1", "population": "citizens", "item": "Total", "measure": "Agree", "test": FIRST_LAST,
     "from": 2019, "to": 2022, "share_from": 50.0, "share_to": 60.0, "change_points": 10.0, "p_value": 0.01},
    {"figure_id": "X1", "population": "citizens", "item": "Total", "measure": "Agree", "test": SLIDE_LATEST,
     "from": 2019, "to": 2020, "share_from": 50.0, "share_to": 60.0, "change_points": 10.0, "p_value": 0.02},
    {"figure_id": "X1", "population": "personnel", "item": "Total", "measure": "Agree", "test": LATEST,
     "from": 2019, "to": 2020, "share_from": 40.0, "share_to": 45.0, "change_points": 5.0, "p_value": 0.3},
    {"figure_id": "X2", "population": "citizens", "item": "Total", "measure": "Agree", "test": LATEST,
     "from": 2021, "to": 2022, "share_from": 1.0, "share_to": 2.0, "change_points": 1.0, "p_value": 0.5},
])


def test_test_row_latest_change_first_to_last_row_id(monkeypatch):
    """Fails if test_row stops accepting LATEST_GAP for LATEST, ignores a selection or its error message is
    mutated, if latest_change/first_to_last ask for another test or do not call tests() without a table, or
    if row_id's order or integer years are mutated."""
    r = figures.test_row(TESTS, "X1", population="citizens")
    assert (r["test"], r["from"], r["to"]) == (LATEST_GAP, 2020, 2022)
    assert figures.test_row(TESTS, "X1", LATEST_GAP, population="personnel")["test"] == LATEST
    assert figures.test_row(TESTS, "X1", FIRST_LAST)["from"] == 2019
    assert figures.test_row(TESTS, "X1", SLIDE_LATEST, item="Total", measure="Agree")["to"] == 2020
    with pytest.raises(KeyError) as e:
        figures.test_row(TESTS, "X1")
    assert e.value.args[0] == ("X1: 2 'latest change' tests match population=None, item=None, measure=None; "
                               "name them so that exactly one does")
    with pytest.raises(KeyError) as e:
        figures.test_row(TESTS, "X1", FIRST_LAST, population="personnel", item="Total", measure="Agree")
    assert e.value.args[0] == ("X1: 0 'first to last' tests match population='personnel', item='Total', "
                               "measure='Agree'; name them so that exactly one does")
    assert figures.latest_change("X1", TESTS, population="personnel")["share_to"] == 45.0
    assert figures.first_to_last("X1", TESTS)["change_points"] == 10.0
    monkeypatch.setattr(figures, "tests", lambda f: TESTS[TESTS["figure_id"] == f])
    assert figures.latest_change("X2")["from"] == 2021
    assert figures.first_to_last("X1", population="citizens")["to"] == 2022
    row_ = figures.first_to_last("X1")
    assert figures.row_id(row_) == "|X1|citizens|Total|Agree|first to last|2019|2022"
    assert figures.row_id({**row_, "from": 2019.0}, "c3") == "c3|X1|citizens|Total|Agree|first to last|2019|2022"


def test_slide_latest_prefers_the_slides_own_change():
    """Fails if slide_latest drops the SLIDE_LATEST preference, keeps FIRST_LAST rows or reorders the table."""
    out = figures.slide_latest(TESTS)
    assert list(out.index) == [2, 3, 4]
    assert list(out["test"]) == [SLIDE_LATEST, LATEST, LATEST]
    assert "_first" not in out.columns and list(out.columns) == list(TESTS.columns)
    no_slide = figures.slide_latest(TESTS.drop(index=2))
    assert list(no_slide.index) == [0, 3, 4]


# ------------------------------------------------------------------ tests of change


def test_tests_years_direction_and_p_of_every_change(fake):
    """Fails if tests() swaps from/to, computes from − to, picks other years for latest / first-to-last /
    the slide's latest, labels a gap as adjacent, keeps first-to-last for two years, ignores the net or its
    printed-alone value, or passes other shares, bases or design effects to the test."""
    rows = [row(year=2019, cat="A", value=30, base=1000), row(year=2019, cat="B", value=20, base=1000),
            row(year=2019, cat="C", value=50, base=1000),
            row(year=2020, cat="A", value=35, base=1100), row(year=2020, cat="B", value=25, base=1100),
            row(year=2022, cat="Agree", value=55, base=1200),  # a page printing only the net
            row(year=2022, cat="NPS", value=5, unit="nps_points", base=1200),
            row(pop="personnel", year=2019, cat="A", value=10, base=300),
            row(pop="personnel", year=2019, cat="B", value=10, base=300),
            row(pop="personnel", year=2020, cat="A", value=20, base=400),
            row(pop="personnel", year=2020, cat="B", value=15, base=400)]
    fake(rows, nets={"Agree": ["A", "B"]}, years="2019;2020")
    t = figures.tests("X1")
    got = t[["population", "item", "measure", "test", "from", "to", "share_from", "share_to", "change_points"]]
    assert got.to_dict("records") == [
        {"population": "citizens", "item": "Total", "measure": "Agree", "test": LATEST_GAP, "from": 2020, "to": 2022,
         "share_from": 60.0, "share_to": 55.0, "change_points": -5.0},
        {"population": "citizens", "item": "Total", "measure": "Agree", "test": FIRST_LAST, "from": 2019,
         "to": 2022, "share_from": 50.0, "share_to": 55.0, "change_points": 5.0},
        {"population": "citizens", "item": "Total", "measure": "Agree", "test": SLIDE_LATEST, "from": 2019,
         "to": 2020, "share_from": 50.0, "share_to": 60.0, "change_points": 10.0},
        {"population": "personnel", "item": "Total", "measure": "Agree", "test": LATEST, "from": 2019, "to": 2020,
         "share_from": 20.0, "share_to": 35.0, "change_points": 15.0},
        {"population": "personnel vs citizens", "item": "Total", "measure": "Agree", "test": "between populations",
         "from": 2020, "to": 2020, "share_from": 60.0, "share_to": 35.0, "change_points": -25.0},
    ]
    assert (t["figure_id"] == "X1").all()
    d, e = DEFF["citizens"], DEFF["personnel"]
    np.testing.assert_allclose(t["p_value"], [_p(60, 1100, 55, 1200, d, d), _p(50, 1000, 55, 1200, d, d),
                                              _p(50, 1000, 60, 1100, d, d), _p(20, 300, 35, 400, e, e),
                                              _p(60, 1100, 35, 400, d, e)], rtol=1e-12)
    assert list(t.columns) == ["figure_id", "population", "item", "measure", "test", "from", "to", "share_from",
                               "share_to", "change_points", "p_value"]


def test_tests_without_nets_test_each_answer_and_skip_what_is_missing(fake):
    """Fails if tests() without a net does not test each answer (leaving out non-answers), tests a year whose
    answer is missing, gives a p-value without bases, or keeps a one-year series."""
    rows = [row(pop="patients", year=2019, cat="A", value=30), row(pop="patients", year=2019, cat="Vet ikke", value=5),
            row(pop="patients", year=2020, cat="A", value=40), row(pop="patients", year=2020, cat="Vet ikke", value=6),
            row(pop="patients", year=2020, cat="C", value=7),
            row(pop="patients", year=2021, cat="A", value=20), row(pop="patients", year=2021, cat="C", value=9),
            row(pop="patients", item="x1", year=2021, cat="A", value=1)]
    fake(rows, nets=None, years="")
    t = figures.tests("X1")
    assert t[["measure", "test", "from", "to", "change_points"]].to_dict("records") == [
        {"measure": "A", "test": LATEST, "from": 2020, "to": 2021, "change_points": -20.0},
        {"measure": "A", "test": FIRST_LAST, "from": 2019, "to": 2021, "change_points": -10.0},
        {"measure": "C", "test": LATEST, "from": 2020, "to": 2021, "change_points": 2.0},
    ]
    assert t["p_value"].isna().all()


def test_tests_of_a_figure_without_numbers_or_question(fake):
    """Fails if tests() of an empty table is not an empty frame, or a figure without a question is tested."""
    fake([])
    assert figures.tests("X1").empty
    fake(SERIES_ROWS[:4], question_id="")
    assert figures.tests("X1").empty
    assert figures._tested_categories("X1", frame(SERIES_ROWS)) == []


def test_population_tests_pair_items(fake):
    """Fails if _population_tests pairs other items, uses another year than the latest common one, or tests
    with a category missing on one side."""
    rows = [row(pop="citizens", item="x1", year=2020, cat="A", value=30, base=500),
            row(pop="citizens", item="x1", year=2021, cat="A", value=32, base=500),
            row(pop="citizens", item="x2", year=2021, cat="A", value=40, base=500),
            row(pop="personnel", item="x1", year=2021, cat="A", value=20, base=200),
            row(pop="personnel", item="x1", year=2022, cat="A", value=25, base=200),
            row(pop="personnel", item="x3", year=2021, cat="A", value=60, base=200)]
    t = fake(rows, nets=None)
    out = figures._population_tests("X1", t, dict(DEFF))
    assert [(r["item"], r["from"], r["share_from"], r["share_to"]) for r in out] == [("x1", 2021, 32.0, 20.0)]
    assert out[0]["p_value"] == pytest.approx(_p(32, 500, 20, 200, DEFF["citizens"], DEFF["personnel"]), rel=1e-12)
    one_each = [row(pop="citizens", item="c", year=2021, cat="A", value=30, base=500),
                row(pop="personnel", item="p", year=2021, cat="A", value=20)]
    out = figures._population_tests("X1", frame(one_each), dict(DEFF))
    assert [(r["population"], r["item"], r["change_points"]) for r in out] == [("personnel vs citizens", "p", -10.0)]
    assert np.isnan(out[0]["p_value"])
    assert figures._population_tests("X1", frame(one_each[:1]), dict(DEFF)) == []
    no_common = [row(pop="citizens", year=2020, cat="A"), row(pop="personnel", year=2021, cat="A")]
    assert figures._population_tests("X1", frame(no_common), dict(DEFF)) == []


def test_tested_categories(fake):
    """Fails if _tested_categories takes a net whose members are not all present, more than one net, or
    non-answers."""
    fake([], nets={"Agree": ["A", "B"], "Other": ["C"]})
    assert figures._tested_categories("X1", frame([row(cat="A"), row(cat="B"), row(cat="C")])) == [("Agree", ["A", "B"])]
    assert figures._tested_categories("X1", frame([row(cat="A"), row(cat="C")])) == [("Other", ["C"])]
    fake([], nets={"Agree": ["A", "B"]})
    assert figures._tested_categories("X1", frame([row(cat="A"), row(cat="Vet ikke")])) == [("A", ["A"])]


def test_chapter_tests_adjust_within_the_chapter(monkeypatch):
    """Fails if chapter_tests takes another chapter or text slides, drops the 'none' method or the fdr_bh
    default, or mislabels significance at the 0.05 boundary or without a base."""
    from statsmodels.stats.multitest import multipletests

    inv = pd.DataFrame({"figure_id": ["X1", "X2", "X3", "X4"], "chapter": ["c1", "c1", "c2", "c1"],
                        "chart_type": ["bar", "bar", "bar", "text"]})
    base = TESTS.iloc[[0]].drop(columns="p_value")
    ps = {"X1": [0.05, 0.0499, NaN], "X2": [0.2], "X3": [0.001], "X4": [0.001]}
    asked = []

    def tests(f):
        asked.append(f)
        return pd.concat([base.assign(figure_id=f)] * len(ps[f]), ignore_index=True).assign(p_value=ps[f])
    monkeypatch.setattr(figures, "inventory", lambda: inv)
    monkeypatch.setattr(figures, "tests", tests)
    monkeypatch.setattr(figures, "load", lambda: {"multiple_comparisons": "none"})
    out = figures.chapter_tests("c1")
    assert asked == ["X1", "X2"]
    assert list(out["figure_id"]) == ["X1", "X1", "X1", "X2"]
    np.testing.assert_array_equal(out["p_adjusted"], [0.05, 0.0499, NaN, 0.2])
    assert list(out["significant"]) == ["no", "yes", "base not printed", "no"]
    monkeypatch.setattr(figures, "load", lambda: {})
    out = figures.chapter_tests("c1")
    want = multipletests([0.05, 0.0499, 0.2], method="fdr_bh")[1]
    np.testing.assert_allclose(out["p_adjusted"].dropna(), want)
    assert list(out.index) == [0, 1, 2, 3]
    empty = figures.chapter_tests("c9")
    assert empty.empty and list(empty.columns) == ["figure_id", "population", "item", "measure", "test", "from",
                                                   "to", "share_from", "share_to", "change_points", "p_value",
                                                   "p_adjusted", "significant"]


def test_chapter_figures_in_report_order(monkeypatch):
    """Fails if chapter_figures loses the report order, takes another chapter or keeps text slides."""
    inv = pd.DataFrame({"figure_id": ["P2", "C3", "C1", "C2", "C4"], "report": ["p", "c", "c", "c", "c"],
                        "order": [1, 3, 1, 2, 4], "chapter": ["x", "x", "x", "y", "x"],
                        "chart_type": ["bar", "bar", "bar", "bar", "text"]})
    monkeypatch.setattr(figures, "inventory", lambda: inv)
    assert figures.chapter_figures("x") == ["C1", "C3", "P2"]
    assert figures.chapter_figures("z") == []


# ------------------------------------------------------------------ NPS


def test_nps_table_intervals_where_shares_and_base_are_printed(fake):
    """Fails if nps_table computes an interval without both shares or a base, passes other shares, base or
    design effect, loses the sorting or does not fall back to the point for a missing interval."""
    from ehelse.nps import nps_from_shares

    rows = [row(pop="personnel", year=2020, cat="Promoters", value=37, base=2238),
            row(pop="personnel", year=2020, cat="Detractors", value=35, base=2238),
            row(pop="personnel", year=2020, cat="NPS", value=2, unit="nps_points", base=2238),
            row(pop="personnel", year=2019, cat="NPS", value=-2, unit="nps_points"),
            row(pop="citizens", year=2022, cat="Promoters", value=40),
            row(pop="citizens", year=2022, cat="Detractors", value=30),
            row(pop="citizens", year=2022, cat="NPS", value=10, unit="nps_points"),
            row(pop="citizens", year=2023, cat="Promoters", value=40, base=900),
            row(pop="citizens", year=2023, cat="NPS", value=12, unit="nps_points", base=900),
            row(pop="citizens", year=2021, cat="Promoters", value=40, base=900)]  # no score: left out
    fake(rows)
    out = figures.nps_table("X1")
    assert list(out.columns) == ["figure_id", "population", "year", "item", "item_en", "nps", "ci_low", "ci_high",
                                 "base"]
    assert list(zip(out["population"], out["year"])) == [("citizens", 2022), ("citizens", 2023),
                                                         ("personnel", 2019), ("personnel", 2020)]
    assert list(out["nps"]) == [10.0, 12.0, -2.0, 2.0] and (out["figure_id"] == "X1").all()
    assert list(out["item"]) == ["Total"] * 4 and list(out["item_en"]) == ["All respondents"] * 4
    np.testing.assert_array_equal(out["base"], [NaN, 900.0, NaN, 2238.0])
    ref = nps_from_shares(37, 35, 2238.0, DEFF["personnel"])
    assert out.loc[3, "ci_low"] == pytest.approx(ref["ci_low"], rel=1e-12)
    assert out.loc[3, "ci_high"] == pytest.approx(ref["ci_high"], rel=1e-12)
    assert out.loc[3, "ci_low"] < 2 < out.loc[3, "ci_high"]
    assert list(out.loc[:2, "ci_low"]) == [10.0, 12.0, -2.0] and list(out.loc[:2, "ci_high"]) == [10.0, 12.0, -2.0]


# ------------------------------------------------------------------ captions


CAPTION_ROWS = [row(year=2019, cat="A", value=30, base=1000, ci=(27.0, 33.0), line=12),
                row(year=2019, cat="B", value=20, base=1000, ci=(17.0, 23.0), line=14),
                row(year=2020, cat="A", value=35, base=1100, line=20, ci=(32.0, 38.0),
                    other_url="https://p.example/a", other_value=35.4),
                row(year=2020, cat="B", value=25, base=1100, line=21, ci=(22.0, 28.0),
                    other_url="https://p.example/a", other_value=26.0),
                row(year=2022, cat="A", value=41, source=SOURCE_PUBLISHER, url="https://p.example/b",
                    base=1524, base_source="all interviews of the year", ci=(38.0, 44.0)),
                row(year=2023, cat="A", value=41, source=SOURCE_PUBLISHER, url="https://p.example/c")]


def test_caption_parts_short_sentences(fake):
    """Fails if caption_parts drops or rewords who/when, the verdict, the base range, the interval sentence
    (whiskers vs beside the bars, not for key figures), the wording-change mark or the question's limit."""
    fake(CAPTION_ROWS, chart="line")
    assert figures.caption_parts("X1") == [
        "Do you agree.", "Citizens, 2019–2023.", "The report's headline: holds.", "Base n = 1,000–1,524.",
        "Whiskers: 90 % intervals (Wilson)."]
    fake(CAPTION_ROWS, chart="stacked_bar", series_break="2022")
    assert figures.caption_parts("X1")[-2:] == ["Beside the bars: the net share with its 90 % interval (Wilson).",
                                                "† wording changed."]
    fake(CAPTION_ROWS[:2], chart="key_figure", question=None, question_id="")
    assert figures.caption_parts("X1") == ["A headline, in English.", "Citizens, 2019.",
                                           "The report's headline: holds.", "Base n = 1,000."]
    fake([row(), row(pop="personnel")], chart="line")
    assert figures.caption_parts("X1") == ["Do you agree.", "Citizens and health personnel, 2019.",
                                           "The report's headline: holds."]
    fake([], chart="line")
    assert figures.caption_parts("X1") == ["Do you agree.", "The report's headline: holds."]


def test_caption_parts_limit_the_question(fake):
    """Fails if the question is not cut to the words left of CAPTION_WORDS (at least 8)."""
    long = " ".join(f"w{i}" for i in range(60))
    fake([row()], chart="line", question={"text_en": long, "text_no": "", "scale": "agree"})
    parts = figures.caption_parts("X1")
    used = sum(len(p.split()) for p in parts[1:])
    assert parts[0] == " ".join(f"w{i}" for i in range(figures.CAPTION_WORDS - used - 1)) + " ….", parts
    assert len(" ".join(parts).split()) == figures.CAPTION_WORDS
    fake([row()], chart="line", question={"text_en": long, "text_no": "", "scale": "agree"},
         headline_en="x")
    monkey = figures.findings.headline_verdict
    figures.findings.headline_verdict = lambda f: {"caption": " ".join(["v"] * 40), "text": ""}
    try:
        assert figures.caption_parts("X1")[0] == "w0 w1 w2 w3 w4 w5 w6 w7 …."
    finally:
        figures.findings.headline_verdict = monkey


def test_a_question_keeps_its_question_mark_and_a_colon_becomes_a_full_stop(fake):
    """Fails if a question's "?" or "!" gets a full stop after it ("?." was printed under 9 figures) or a
    trailing colon or full stop is kept before the caption's full stop (":.")."""
    for text, first in [("Do you agree?", "Do you agree?"), ("Stop!", "Stop!"), ("Reasons:", "Reasons."),
                        ("Done.", "Done."), ("Plain", "Plain.")]:
        fake([row()], chart="line", question={"text_en": text, "text_no": "", "scale": "agree"})
        assert figures.caption_parts("X1")[0] == first


def test_caption_details_about_this_figure(fake):
    """Fails if caption_details drops or rewords a line: verdict, question in both languages, who was asked,
    bases per population and year, interviews as base, missing bases, intervals, the report's note, wording
    changes (with the population), or the source with its page addresses as links."""
    fake(CAPTION_ROWS, filter_en="Those who <used> it", figure_notes="Merk & se", series_break="2021;personnel:2022")
    out = figures.caption_details("X1")
    assert out == [
        "Headline «A &amp; B»: holds",
        '<b>Question (Norwegian)</b>: <i lang="nb">Er du enig?</i>',
        "<b>Question (English)</b>: Do you agree",
        "<b>Asked</b>: Those who &lt;used&gt; it",
        "<b>Bases</b>: Citizens 2019: n = 1,000; Citizens 2020: n = 1,100; Citizens 2022: n = 1,524",
        "Asked of everyone: where no base is printed, the base is the year's completed interviews.",
        "Some numbers have no printed base: they are shown without an interval.",
        "Intervals: 90 %, Wilson method, from the printed base and the design effect assumed in settings.yml.",
        '<b>Report\'s note</b>: <i lang="nb">Merk &amp; se</i>',
        "Wording changed from 2021 (marked † or with a dotted line).",
        "Wording changed from 2022 for personnel (marked † or with a dotted line).",
        "<b>Source</b>: Numbers: 2019–2020: report text, lines 12–21 (`data/published`); 2022–2023: publisher's "
        'pages <a href="https://p.example/b">https://p.example/b</a>, '
        '<a href="https://p.example/c">https://p.example/c</a>. The publisher\'s page '
        '<a href="https://p.example/a">https://p.example/a</a> gives the same number for 2020. The publisher\'s '
        "pages give other numbers for 2020: the chart draws the report text's (see the source issues).",
    ]
    fake([row(base=800)], question=None, question_id="")
    assert figures.caption_details("X1") == [
        "Headline «A &amp; B»: holds", "<b>Bases</b>: Citizens 2019: n = 800",
        "<b>Source</b>: Numbers: report text, line 10 (`data/published`)."]
    fake([], question=None, question_id="")
    assert figures.caption_details("X1") == ["Headline «A &amp; B»: holds"]


def test_caption_is_the_parts_and_a_collapsed_block(fake):
    """Fails if caption() drops the parts, the <details> block, its summary or a list item."""
    fake([row(base=800)], question=None, question_id="", chart="line")
    md = figures.caption("X1").data
    assert md == ("A headline, in English. Citizens, 2019. The report's headline: holds. Base n = 800. "
                  '<details class="ehelse-about"><summary>About this figure</summary><ul>'
                  "<li>Headline «A &amp; B»: holds</li><li><b>Bases</b>: Citizens 2019: n = 800</li>"
                  "<li><b>Source</b>: Numbers: report text, line 10 (`data/published`).</li></ul></details>")


def test_source_note_of_publisher_only_numbers(fake):
    """Fails if source_note's publisher-only sentences (one page, pages by year) are mutated."""
    fake([row(year=2022, source=SOURCE_PUBLISHER, url="https://p.example/b"),
          row(year=2023, source=SOURCE_PUBLISHER, url="https://p.example/b")])
    assert figures.source_note("X1") == ("Numbers from the publisher's web pages, not in the report text: "
                                         "https://p.example/b.")
    fake([row(year=2022, source=SOURCE_PUBLISHER, url="https://p.example/b"),
          row(year=2021, source=SOURCE_PUBLISHER, url="https://p.example/b"),
          row(year=2023, source=SOURCE_PUBLISHER, url="https://p.example/a")])
    assert figures.source_note("X1") == ("Numbers from the publisher's web pages, not in the report text: "
                                         "2023: https://p.example/a; 2021–2022: https://p.example/b.")
    fake([])
    assert figures.source_note("X1") == ""


def test_source_note_of_mixed_sources_and_confirmations(fake):
    """Fails if the page count ('page' / 'pages'), the agreement boundary (<= DISAGREE_POINTS), 'number' /
    'numbers' or the net-only sentence are mutated."""
    rows = [row(year=2019, cat="A", value=30, line=7, other_url="https://p.example/a", other_value=30.5),
            row(year=2019, cat="B", value=20, line=9, other_url="https://p.example/a", other_value=20.0),
            row(year=2022, cat="A", value=41, source=SOURCE_PUBLISHER, url="https://p.example/b")]
    fake(rows)
    assert figures.source_note("X1") == (
        "Numbers: 2019: report text, lines 7–9 (`data/published`); 2022: publisher's page https://p.example/b. "
        "The publisher's page https://p.example/a gives the same numbers for 2019.")
    rows[1] = row(year=2019, cat="B", value=20, line=9)
    rows[0] = row(year=2019, cat="A", value=30, line=7, other_url="https://p.example/a", other_value=30.51)
    fake(rows)
    assert figures.source_note("X1") == (
        "Numbers: 2019: report text, lines 7–9 (`data/published`); 2022: publisher's page https://p.example/b. "
        "The publisher's pages give other numbers for 2019: the chart draws the report text's (see the source "
        "issues).")
    net = [row(year=2019, cat="A", value=30, line=7), row(year=2019, cat="B", value=20, line=8),
           row(year=2022, cat="Agree", value=55, source=SOURCE_PUBLISHER, url="https://p.example/b")]
    fake(net, nets={"Agree": ["A", "B"]})
    assert figures.source_note("X1") == (
        "Numbers: 2019: report text, lines 7–8 (`data/published`); 2022: publisher's page https://p.example/b. "
        "2022: the page gives only the net share (Agree (net)); it is in the table and the tests, not stacked.")
    fake(net, nets={"Agree": ["A", "B"]}, chart_type="time_series")
    assert "net share" not in figures.source_note("X1")
    fake(net, nets={"Agree": ["A", "B"]}, question_id="")
    assert figures._net_only("X1", frame(net)).empty


# ------------------------------------------------------------------ key figure and drawing


def test_key_figure_box(fake):
    """Fails if key_figure's value text, what/who/detail parts, interval words, escaping, title default or the
    kind marker are mutated."""
    fake([row(cat="Andel", value=37.4, base=2238, ci=(35.02, 39.8)),
          row(item="x<1", cat="A", value=5, pop="personnel", year=2020),
          row(cat="NPS", value=2, unit="nps_points")], headline_en="A & B")
    box = figures.key_figure("X1")
    assert box.ehelse_kind == "key_figure"
    assert box.data == (
        '<div class="ehelse-key-figure" data-figure="X1" data-chart="key_figure"><p class="ehelse-kf-title">A &amp; '
        'B</p>'
        '<div class="ehelse-kf-item"><span class="ehelse-kf-value">37 %</span><span class="ehelse-kf-what">Andel'
        '</span><span class="ehelse-kf-who">Citizens, 2019 · n = 2,238; 90 % interval 35–40</span></div>'
        '<div class="ehelse-kf-item"><span class="ehelse-kf-value">5 %</span><span class="ehelse-kf-what">X&lt;1; '
        'Agree fully</span><span class="ehelse-kf-who">Health personnel, 2020</span></div>'
        '<div class="ehelse-kf-item"><span class="ehelse-kf-value">+2</span><span class="ehelse-kf-what">NPS'
        '</span><span class="ehelse-kf-who">Citizens, 2019</span></div></div>')
    fake([row(item="x1", cat="Valgt", value=5)])
    assert '<span class="ehelse-kf-what">X1</span>' in figures.key_figure("X1", title="T").data
    assert '<p class="ehelse-kf-title">T</p>' in figures.key_figure("X1", title="T").data


def test_draw_dispatches_on_the_declared_kind(fake, monkeypatch):
    """Fails if draw() does not hand figure id, table and title to the declared kind's drawing, draws a
    headline-only or empty figure or a text slide, or its unknown-kind message is mutated."""
    t = fake([row()], chart="line")
    calls = []
    monkeypatch.setattr(figures, "source_of", lambda f: SOURCE_REPORT)
    monkeypatch.setitem(figures._DRAW, "line", lambda f, tab, title: calls.append((f, tab, title)) or "drawn")
    assert figures.draw("X1") == "drawn"
    assert calls[0][0] == "X1" and calls[0][2] == "Most agree" and calls[0][1].equals(t)
    assert figures.draw("X1", title="Own") == "drawn" and calls[1][2] == "Own"
    assert figures.chart_kind("X1") == "line"
    monkeypatch.setattr(figures, "source_of", lambda f: figures.SOURCE_PARTIAL)
    assert figures.draw("X1") is None
    monkeypatch.setattr(figures, "source_of", lambda f: SOURCE_REPORT)
    fake([row()], chart="text")
    assert figures.draw("X1") is None
    fake([row()], chart="pie")
    with pytest.raises(ValueError) as e:
        figures.draw("X1")
    assert str(e.value) == "X1: chart kind 'pie' (inventory column 'chart') has no drawing"
    fake([], chart="line")
    assert figures.draw("X1") is None
    assert len(calls) == 2


# ------------------------------------------------------------------ series assembly from the two sources


def _values(rows):
    cols = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n",
            "source_line", "confidence", "note"]
    return pd.DataFrame([{"report": "citizens2022", "figure_id": "X1", "population": "citizens", "item": "Total",
                          "unit": "percent", "base_n": None, "confidence": "high", "note": "n"} | r for r in rows],
                        columns=cols)


def _pages(rows):
    cols = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n", "url",
            "measure_as_published", "confidence", "note"]
    return pd.DataFrame([{"report": "citizens2022", "figure_id": "X1", "population": "citizens", "item": "Total",
                          "unit": "percent", "base_n": None, "measure_as_published": "m", "confidence": "high",
                          "note": "n"} | r for r in rows], columns=cols)


REPORT_ROWS = [{"year": 2019, "category": "A", "value": 30, "source_line": 7},
               {"year": 2020, "category": "A", "value": 35, "source_line": 9},
               {"year": 2020, "category": "A", "value": 1, "source_line": 3, "figure_id": "X2"}]
PAGE_ROWS = [{"year": 2020, "category": "A", "value": 35.6, "url": "https://p.example/a"},
             {"year": 2022, "category": "A", "value": 41, "url": "https://p.example/b"},
             {"year": 2019, "category": "A", "value": 29.5, "url": "https://p.example/a"},
             {"year": 2022, "category": "A", "value": 2, "url": "https://p.example/z", "figure_id": "X3"}]


@pytest.fixture
def sources(monkeypatch):
    def setup(rep, pub, **fig):
        monkeypatch.setattr(figures, "values", lambda: _values(rep))
        monkeypatch.setattr(figures, "publisher_values", lambda: _pages(pub))
        info = fig_info(**fig)
        monkeypatch.setattr(figures, "figure", _only(info, "X1", "X2", "X3", "X9"))
    return setup


def test_numbers_are_the_union_of_report_and_pages(sources):
    """Fails if _numbers keeps a page's point the report gives too, loses the page's address or value on the
    report's point, mixes another figure in, or names the wrong main source."""
    sources(REPORT_ROWS, PAGE_ROWS)
    out, main = figures._numbers("X1")
    assert main == SOURCE_REPORT
    assert list(zip(out["year"], out["value"], out["source"])) == [
        (2019, 30, SOURCE_REPORT), (2020, 35, SOURCE_REPORT), (2022, 41, SOURCE_PUBLISHER)]
    assert list(out["other_source_url"]) == ["https://p.example/a", "https://p.example/a", ""]
    np.testing.assert_array_equal(out["other_source_value"], [29.5, 35.6, NaN])
    assert list(out["url"]) == ["", "", "https://p.example/b"]
    np.testing.assert_array_equal(out["source_line"], [7, 9, NaN])
    assert "note" in out.columns and list(out.index) == [0, 1, 2]
    out, main = figures._numbers("X3")
    assert main == SOURCE_PUBLISHER and list(out["value"]) == [2] and list(out["other_source_url"]) == [""]
    out, main = figures._numbers("X2")
    assert main == SOURCE_REPORT and list(out["value"]) == [1] and list(out["other_source_url"]) == [""]
    out, main = figures._numbers("X9")
    assert main == "" and out.empty and {"other_source_url", "other_source_value"} <= set(out.columns)
    rep, pub = figures._both_sources()
    assert len(rep) == 3 and len(pub) == 4 and "note" not in pub.columns
    assert set(rep["source"]) == {SOURCE_REPORT} and set(pub["source"]) == {SOURCE_PUBLISHER}
    assert (rep["url"] == "").all() and pub["source_line"].isna().all()


def test_source_conflicts_beyond_half_a_point(sources):
    """Fails if source_conflicts flips the difference (page − report), its boundary (> DISAGREE_POINTS) or its
    columns."""
    sources(REPORT_ROWS, PAGE_ROWS)
    c = figures.source_conflicts("X1")
    assert c.to_dict("records") == [{"figure_id": "X1", "population": "citizens", "year": 2020, "item": "Total",
                                     "category": "A", "unit": "percent", "value_report": 35, "value_publisher": 35.6,
                                     "difference": pytest.approx(0.6), "source_line_report": 9,
                                     "url_publisher": "https://p.example/a"}]
    assert len(figures.source_conflicts()) == 1
    sources(REPORT_ROWS, [{**PAGE_ROWS[0], "value": 34.4}])
    assert figures.source_conflicts("X1")["difference"].tolist() == [pytest.approx(-0.6)]
    sources(REPORT_ROWS, [{**PAGE_ROWS[0], "value": 35.5}])
    assert figures.source_conflicts("X1").empty


def test_source_of_partial_and_missing(sources):
    """Fails if source_of stops naming a headline-only figure, or names a page-only figure partial."""
    sources(REPORT_ROWS, PAGE_ROWS, numbers_source="partial")
    assert figures.source_of("X1") == figures.SOURCE_PARTIAL == "report headline only"
    assert figures.source_of("X3") == SOURCE_PUBLISHER
    assert figures.source_of("X9") == ""
    sources(REPORT_ROWS, PAGE_ROWS)
    assert figures.source_of("X1") == SOURCE_REPORT


def test_missing_lists_charts_without_numbers(monkeypatch):
    """Fails if missing() lists charts with numbers or text slides, takes another chapter, or its columns and
    texts (question as asked, English, fallback to the headline, 'numbers') are mutated."""
    inv = pd.DataFrame({"figure_id": ["X1", "X2", "X3", "X4", "X5"], "chapter": ["c1", "c1", "c1", "c1", "c2"],
                        "chart_type": ["bar", "bar", "bar", "text", "bar"], "question_id": ["q1", "", "q1", "", ""],
                        "headline": ["h1", "h2", "h3", "h4", "h5"], "headline_en": ["e1", "e2", "e3", "e4", "e5"]})
    src = {"X1": "", "X2": figures.SOURCE_PARTIAL, "X3": SOURCE_REPORT, "X4": "", "X5": ""}
    monkeypatch.setattr(figures, "inventory", lambda: inv)
    monkeypatch.setattr(figures, "codebook", lambda: {"questions": {"q1": {"text_no": "Er  du\nenig?",
                                                                           "text_en": "Do you  agree?"}}})
    monkeypatch.setattr(figures, "source_of", lambda f: src[f])
    out = figures.missing("c1")
    assert out.to_dict("records") == [
        {"figure": "X1", "headline": "h1", "question (as asked)": "Er du enig?", "question (English)": "Do you agree?",
         "numbers": "numbers not in the source"},
        {"figure": "X2", "headline": "h2", "question (as asked)": "", "question (English)": "e2",
         "numbers": "only the headline's numbers"}]
    empty = figures.missing("c9")
    assert empty.empty and list(empty.columns) == ["figure", "headline", "question (as asked)", "question (English)",
                                                   "numbers"]


# ------------------------------------------------------------------ what each chart kind is handed


@pytest.fixture
def drawn_args(monkeypatch):
    """The keyword arguments figures hands to each plots function (the plot itself is not drawn)."""
    got = {}
    for name in ("line", "dumbbell", "bars", "dot_ranking", "small_multiples"):
        monkeypatch.setattr(figures.plots, name, lambda tbl, _n=name, **kw: got.update({_n: (tbl, kw)}) or _n)
    return got


def test_draw_line_by_population(fake, drawn_args):
    """Fails if _draw_line's population branch (colours, records, markers per item), its year labels with
    bases, breaks, ylabel or ylim are mutated."""
    from ehelse import style

    t = fake([row(year=2019, cat="A", value=30, base=1000), row(year=2020, cat="A", value=35, base=1100),
              row(year=2020, cat="A", value=40, pop="personnel", base=300),
              row(year=2020, cat="NPS", value=3, unit="nps_points")], chart="line", series_break="2020")
    assert figures.draw("X1", title="T") == "line"
    tbl, kw = drawn_args["line"]
    assert list(tbl["estimate"]) == [30, 35, 40] and list(tbl["series"]) == ["Citizens", "Citizens",
                                                                            "Health personnel"]
    assert list(tbl["colour"]) == [style.population_colour("citizens")] * 2 + [style.population_colour("personnel")]
    assert list(tbl["marker"]) == ["o", "o", "o"]
    assert kw == {"series": "series", "marker": "marker", "breaks": [2020], "xlabels": None, "ylabel": "Percent",
                  "title": "T", "ylim": (0, 100),
                  "records": [("population", "citizens", style.population_colour("citizens")),
                              ("population", "personnel", style.population_colour("personnel"))]}
    fake([row(year=2019, value=30, base=1000), row(year=2020, value=35, base=1100)], chart="line")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["line"]
    assert kw["xlabels"] == {2019: "2019\nn=1,000", 2020: "2020\nn=1,100"}
    assert kw["records"] == [("population", "citizens", style.population_colour("citizens"))]
    fake([row(year=2019, value=30, base=1000), row(year=2020, value=35)], chart="line")
    figures.draw("X1", title="T")
    assert drawn_args["line"][1]["xlabels"] is None
    items = [row(pop=p, item=i, year=2019) for p in ("citizens", "personnel") for i in ("a", "b", "c", "d", "e", "f")]
    fake(items, chart="line")
    figures.draw("X1", title="T")
    assert list(drawn_args["line"][0]["marker"])[:6] == ["o", "s", "D", "^", "v", "o"]


def test_draw_line_by_category_or_item(fake, drawn_args):
    """Fails if _draw_line's category branch (label colours) or item branch (the SERIES cycle), or the ylabel of
    a non-percent series are mutated."""
    from ehelse import plots, style

    fake([row(year=2019, cat="A"), row(year=2019, cat="B"), row(year=2020, cat="A"), row(year=2020, cat="B")],
         chart="line")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["line"]
    assert list(tbl["colour"]) == [style.label_colour(c) for c in ("A", "B", "A", "B")]
    assert list(tbl["marker"]) == ["o"] * 4 and list(tbl["series"]) == ["Agree fully", "Agree partly"] * 2
    assert kw["records"] == [("category", "A", style.label_colour("A")), ("category", "B", style.label_colour("B"))]
    n = len(plots.SERIES)
    items = [row(item=f"i{k}", year=2019) for k in range(n + 1)]
    fake(items, chart="line")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["line"]
    assert list(tbl["colour"]) == plots.SERIES + plots.SERIES[:1] and kw["records"] == []
    assert list(tbl["marker"]) == ["o"] * (n + 1)
    fake([row(year=2019, cat="NPS", unit="nps_points", value=3), row(year=2020, cat="NPS", unit="nps_points", value=5)],
         chart="line")
    figures.draw("X1", title="T")
    kw = drawn_args["line"][1]
    assert kw["ylabel"] == "NPS" and kw["ylim"] is None


def test_draw_dumbbell_dots_and_small_multiples(fake, drawn_args):
    """Fails if the row / label texts, colours, records, legend, x labels with the single base, xlim, or the
    small multiples' panels and names are mutated."""
    from ehelse import style

    rows = [row(item="x1", year=2019, base=500), row(item="x1", year=2020, base=500),
            row(item="x2", year=2019, base=500)]
    fake(rows, chart="dumbbell")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["dumbbell"]
    assert list(tbl["row"]) == ["X1", "X1", "X2"] and list(tbl["estimate"]) == [10, 10, 10]
    assert kw == {"row": "row", "title": "T", "xlabel": "Percent (n = 500)"}
    fake(rows[:1] + [row(item="x2", year=2019)], chart="dumbbell")
    figures.draw("X1", title="T")
    assert drawn_args["dumbbell"][1]["xlabel"] == "Percent"

    fake([row(item="x1", base=500), row(item="x2", pop="personnel", base=500)], chart="dot_ranking")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["dot_ranking"]
    assert list(tbl["label"]) == ["X1, Citizens", "X2, Health personnel"]
    assert list(tbl["colour"]) == [style.population_colour("citizens"), style.population_colour("personnel")]
    assert kw == {"title": "T", "records": [("population", "citizens", style.population_colour("citizens")),
                                            ("population", "personnel", style.population_colour("personnel"))],
                  "legend": {"Citizens": style.population_colour("citizens"),
                             "Health personnel": style.population_colour("personnel")},
                  "xlabel": "Percent (n = 500)", "xlim": (0, 100)}
    fake([row(item="x1", cat="NPS", unit="nps_points"), row(item="x2", cat="NPS", unit="nps_points")],
         chart="dot_ranking")
    figures.draw("X1", title="T")
    kw = drawn_args["dot_ranking"][1]
    assert kw["legend"] is None and kw["xlabel"] == "nps points" and kw["xlim"] is None

    fake([row(item="x1", cat="A"), row(item="x1", cat="B"), row(item="x2", cat="A"),
          row(item="x2", cat="NPS", unit="nps_points")], chart="small_multiples")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["small_multiples"]
    assert list(tbl["panel"]) == ["X1", "X1", "X2"] and list(tbl["estimate"]) == [10, 10, 10]
    assert list(tbl["colour"]) == [style.label_colour(c) for c in ("A", "B", "A")]
    assert kw == {"panel": "panel", "series": "category", "names": {"A": "Agree fully", "B": "Agree partly"},
                  "title": "T"}


def test_draw_bars_with_the_net_and_its_interval(fake, drawn_args):
    """Fails if _draw_bars' bar labels (year, † from a break, base), panels (population suffix, population
    panels), scale order, names, the net (sum of its members, interval from the printed base and design
    effect) or the diverging flag are mutated."""
    from ehelse.estimates import published_share_ci

    rows = [row(year=2019, cat="B", value=20, base=1000), row(year=2019, cat="A", value=30, base=1000),
            row(year=2019, cat="C", value=50, base=1000),
            row(year=2021, cat="A", value=35, base=1100), row(year=2021, cat="B", value=25, base=1100),
            row(year=2021, cat="NPS", value=5, unit="nps_points")]
    fake(rows, nets={"Agree": ["A", "B"]}, chart="diverging_bar", series_break="2021")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["bars"]
    assert list(tbl["bar"]) == ["2019\nn=1,000"] * 3 + ["2021 †\nn=1,100"] * 2
    assert list(tbl["panel"]) == ["All respondents"] * 5
    net = kw.pop("net")
    assert kw == {"bar": "bar", "labels": ["A", "B", "C"], "names": {"B": "Agree partly", "A": "Agree fully",
                                                                      "C": "Disagree"},
                  "panel": None, "net_label": "Agree fully + Agree partly", "diverging": True, "title": "T"}
    lo19, hi19 = published_share_ci(50.0, 1000, DEFF["citizens"])
    lo21, hi21 = published_share_ci(60.0, 1100, DEFF["citizens"])
    assert list(net["bar"]) == ["2019\nn=1,000", "2021 †\nn=1,100"] and list(net["estimate"]) == [50.0, 60.0]
    np.testing.assert_allclose(net[["ci_low", "ci_high"]].to_numpy(), [[lo19, hi19], [lo21, hi21]], rtol=1e-12)
    fake([row(year=2019, cat="A", value=30), row(year=2019, cat="B", value=20)], nets={"Agree": ["A", "B"]},
         chart="stacked_bar")
    figures.draw("X1", title="T")
    kw = drawn_args["bars"][1]
    assert kw["net"] is None and kw["diverging"] is False and kw["net_label"] == "Agree fully + Agree partly"
    fake([row(year=2019, cat="A", item="x1"), row(year=2019, cat="A", item="x2", pop="personnel"),
          row(year=2019, cat="A", item="x3", item_en="Citizens online")], chart="stacked_bar")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["bars"]
    assert list(tbl["panel"]) == ["X1 (Citizens)", "X2 (Health personnel)", "Citizens online"]
    assert kw["panel"] == "panel"
    fake([row(year=2019, cat="A"), row(year=2019, cat="A", pop="personnel")], chart="stacked_bar")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["bars"]
    assert list(tbl["panel"]) == ["Citizens", "Health personnel"] and kw["panel"] == "panel"


def test_net_skips_incomplete_bars_and_bars_without_base(fake):
    """Fails if _net keeps a bar missing a member, gives an interval without a base, or loses its keys."""
    t = fake([row(year=2019, cat="A", value=30, base=800), row(year=2019, cat="B", value=20, base=800),
              row(year=2020, cat="A", value=30), row(year=2020, cat="B", value=25), row(year=2021, cat="A", value=1)],
             nets={"Agree": ["A", "B"]})
    net, label = figures._net("X1", t, ["year"])
    assert label == "Agree fully + Agree partly"
    assert list(net["year"]) == [2019, 2020] and list(net["estimate"]) == [50.0, 55.0]
    assert net["ci_low"].notna().tolist() == [True, False] and net["ci_high"].notna().tolist() == [True, False]
    fake([], question_id="")
    net, label = figures._net("X1", t, ["year"])
    assert net.empty and label == ""


# ------------------------------------------------------------------ survivors of the first focus run

W41 = "x" * 36 + " abcd"  # 41 characters: one line at width 41, two at 40
W81 = "x" * 76 + " abcd"  # 81 characters: one line at 81, two at 80
W91 = "x" * 86 + " abcd"  # 91 characters: one line at 91, two at 90
W31 = "x" * 26 + " abcd"  # 31 characters: one line at 31, two at 30


def test_table_is_a_marked_copy_of_the_cached_table():
    """Fails if table() hands out the cached frame itself, another figure's, or drops its 'published numbers'
    mark (disclosure.exempt)."""
    from ehelse.disclosure import EXEMPT

    t = figures.table("C05")
    assert t.attrs[EXEMPT] == "published numbers"
    assert set(t["figure_id"]) == {"C05"}
    t.loc[0, "value"] = -1
    assert figures.table("C05").loc[0, "value"] != -1


def test_labels_wrap_at_their_widths_and_name_shares(fake):
    """Fails if the label widths (series 40, dot 80) or the 'share' of Andel / Valgt, or the population-naming
    item prefixes are mutated."""
    d = frame([row(item="x1", item_en=W41), row(item="x2", item_en="Personnel in hospitals", pop="personnel"),
               row(item="x3", item_en="Health staff, all", pop="personnel")])
    r = list(d.itertuples())
    assert figures._series_label(r[0], d) == "Citizens: " + "x" * 36 + "\nabcd"
    assert figures._series_label(r[1], d) == "Personnel in hospitals"
    assert figures._series_label(r[2], d) == "Health staff, all"
    for cat in ("Andel", "Valgt"):
        one = frame([row(cat=cat)])
        assert figures._series_label(next(one.itertuples()), one) == "share"
        assert figures._dot_label(next(one.itertuples()), one) == "share"
    two = frame([row(cat="Andel"), row(cat="A")])
    assert figures._series_label(next(two.itertuples()), two) == "share"
    long = frame([row(item="x1", item_en=W81)])
    assert figures._dot_label(next(long.itertuples()), long) == "x" * 76 + "\nabcd"


def test_drawn_labels_and_titles_wrap_at_their_widths(fake, drawn_args):
    """Fails if the widths of the default title (80), the bar panels (90), the line's y label (30) or the first
    row's unit / category of a non-percent chart are mutated, or the dot ranking loses its estimate column."""
    from ehelse import findings

    fake([row(item="x1", item_en=W91, cat="A")], chart="stacked_bar")
    figures.findings.figure_title = _only(W81, "X1")
    try:
        figures.draw("X1")
        tbl, kw = drawn_args["bars"]
        assert kw["title"] == "x" * 76 + "\nabcd"
        assert list(tbl["panel"]) == ["x" * 86 + "\nabcd"]
    finally:
        figures.findings.figure_title = findings.figure_title
    EN["LONG"] = W31
    try:
        fake([row(year=2019, cat="LONG", unit="nps_points"), row(year=2019, cat="NPS", unit="nps_points")],
             chart="line")
        figures.draw("X1", title="T")
        assert drawn_args["line"][1]["ylabel"] == "x" * 26 + "\nabcd"
    finally:
        del EN["LONG"]
    fake([row(item="x1", cat="NPS", unit="nps_points", value=4), row(item="x2", cat="n", unit="count", value=9)],
         chart="dot_ranking")
    figures.draw("X1", title="T")
    tbl, kw = drawn_args["dot_ranking"]
    assert kw["xlabel"] == "nps points" and list(tbl["estimate"]) == [4, 9]


def test_key_figure_names_items_alone_and_wraps_its_title(fake):
    """Fails if key_figure adds 'Andel' / 'n' after an item's name, or its default title width (80) is mutated."""
    fake([row(item="x1", cat="Andel", value=3), row(item="x2", cat="n", unit="count", value=1200)],
         headline_en=W81)
    html_ = figures.key_figure("X1").data
    assert '<p class="ehelse-kf-title">' + "x" * 76 + "\nabcd</p>" in html_
    assert '<span class="ehelse-kf-what">X1</span>' in html_ and '<span class="ehelse-kf-what">X2</span>' in html_
    assert '<span class="ehelse-kf-value">1,200</span>' in html_


def test_limits_keep_a_final_x(fake):
    """Fails if the cut question or the caption's full stop strip letters (rstrip of 'X')."""
    assert figures._limit_words("one two X three", 3) == "one two X …"
    fake([row()], chart="line", question={"text_en": "Rate the X", "text_no": "", "scale": "agree"})
    assert figures.caption_parts("X1")[0] == "Rate the X."


def test_caption_details_of_a_question_without_its_texts(fake):
    """Fails if a question without text_no / text_en shows 'None' or another placeholder."""
    fake([], question={"scale": "agree"})
    assert figures.caption_details("X1")[1:] == ['<b>Question (Norwegian)</b>: <i lang="nb"></i>',
                                                 "<b>Question (English)</b>: "]


def test_source_note_joins_several_pages_and_nets(fake):
    """Fails if the pages confirming numbers or the net-only categories are joined otherwise than ', ', or a
    net of a whole year counts as net-only."""
    rows = [row(year=2019, cat="A", value=30, line=7, other_url="https://p.example/b", other_value=30),
            row(year=2019, cat="B", value=20, line=8, other_url="https://p.example/a", other_value=20),
            row(year=2019, cat="C", value=50, line=9),
            row(year=2019, cat="Agree", value=50, line=9),
            row(year=2022, cat="Agree", value=55, source=SOURCE_PUBLISHER, url="https://p.example/c"),
            row(year=2022, cat="Other", value=45, source=SOURCE_PUBLISHER, url="https://p.example/c")]
    fake(rows, nets={"Agree": ["A", "B"], "Other": ["C"]})
    assert figures.source_note("X1") == (
        "Numbers: 2019: report text, lines 7–9 (`data/published`); 2022: publisher's page https://p.example/c. "
        "The publisher's page https://p.example/a, https://p.example/b gives the same numbers for 2019. "
        "2022: the page gives only the net share (Agree (net), Other); it is in the table and the tests, not stacked.")


def test_adjacent_reads_the_registry_of_the_population(monkeypatch):
    """Fails if _adjacent ignores the population's registry (waves two years apart with none between are
    adjacent), asks the registry for another survey, or mixes up which ends must be registry waves."""
    reg = {"citizens": [2016, 2018, 2021], "personnel": [2019]}
    monkeypatch.setattr(waves, "years", lambda survey, *a, **k: reg[survey])
    assert figures._adjacent("citizens", 2016, 2018) is True
    assert figures._adjacent("citizens", 2018, 2021) is True
    assert figures._adjacent("citizens", 2016, 2021) is False
    assert figures._adjacent("citizens", 2021, 2023) is False  # only a is a wave
    assert figures._adjacent("citizens", 2014, 2016) is False  # only b is a wave
    assert figures._adjacent("personnel", 2016, 2018) is False
    assert figures._adjacent("patients", 2016, 2018) is False and figures._adjacent("patients", 2017, 2018) is True


def test_tests_label_a_registry_gap_and_keep_group_order(fake, monkeypatch):
    """Fails if tests() asks _adjacent about another population, sorts the groups (they keep the table's order),
    stops at a one-year group, or uses another design effect than 1 for a population without one."""
    monkeypatch.setattr(waves, "years", lambda survey, *a, **k: {"citizens": [2018, 2020], "personnel": [2019]}[survey])
    rows = [row(pop="personnel", year=2019, cat="A", value=10, base=100),
            row(pop="patients", item="x1", year=2019, cat="A", value=20, base=100),
            row(pop="patients", item="x1", year=2021, cat="A", value=30, base=200),
            row(pop="citizens", year=2018, cat="A", value=30, base=500),
            row(pop="citizens", year=2020, cat="A", value=40, base=600)]
    fake(rows, nets=None, years="")
    t = figures.tests("X1")
    assert t[["population", "test", "from", "to"]].to_dict("records") == [
        {"population": "patients", "test": LATEST_GAP, "from": 2019, "to": 2021},
        {"population": "citizens", "test": LATEST, "from": 2018, "to": 2020}]
    assert t["p_value"].tolist() == pytest.approx([_p(20, 100, 30, 200, 1.0, 1.0),
                                                   _p(30, 500, 40, 600, DEFF["citizens"], DEFF["citizens"])], rel=1e-12)
    assert t["p_value"].dtype == float


def test_tests_slide_years_and_pairs_without_numbers(fake):
    """Fails if the slide's latest change takes other slide years, is added when the slide ends with the last
    year, stops the other pairs when one lacks numbers, or a year with neither members nor its net is tested."""
    def series_(years_values, **kw):
        return [row(year=y, cat=c, value=v, base=1000, **kw) for y, cv in years_values for c, v in cv]
    full = [("A", 30), ("B", 20)]
    rows = series_([(2019, full), (2020, full), (2021, full), (2022, [("C", 10)])])
    fake(rows, nets={"Agree": ["A", "B"]}, years="2019;2020;2021")
    t = figures.tests("X1")
    assert t[["test", "from", "to"]].to_dict("records") == [{"test": SLIDE_LATEST, "from": 2020, "to": 2021}]
    fake(series_([(2019, full), (2020, full), (2022, full)]), nets={"Agree": ["A", "B"]}, years="2019;2020;2022")
    assert list(figures.tests("X1")["test"]) == [LATEST_GAP, FIRST_LAST]
    nets_only = series_([(2019, full + [("Agree", 50)]), (2022, [("Agree", 55)])])
    fake(nets_only, nets={"Agree": ["A", "B"]}, years="")
    t = figures.tests("X1")
    assert t[["from", "to", "share_from", "share_to"]].to_dict("records") == [
        {"from": 2019, "to": 2022, "share_from": 50.0, "share_to": 55.0}]


def test_population_tests_skip_what_one_side_lacks(fake):
    """Fails if _population_tests stops at an item without common years or a category one side lacks, tests
    such a category, or uses a design effect other than 1 for populations without one."""
    rows = [row(pop="other", item="x1", year=2020, cat="A", value=30, base=500),
            row(pop="patients", item="x1", year=2021, cat="A", value=20, base=200),
            row(pop="other", item="x2", year=2021, cat="A", value=32, base=500),
            row(pop="other", item="x2", year=2021, cat="B", value=12, base=500),
            row(pop="patients", item="x2", year=2021, cat="B", value=20, base=200)]
    t = fake(rows, nets=None)
    out = figures._population_tests("X1", t, {})
    assert [(r["population"], r["item"], r["measure"], r["share_from"], r["share_to"]) for r in out] == [
        ("patients vs other", "x2", "B", 12.0, 20.0)]
    assert out[0]["p_value"] == pytest.approx(_p(12, 500, 20, 200, 1.0, 1.0), rel=1e-12)


def test_net_keeps_bar_order_and_handles_odd_bars(fake):
    """Fails if _net sorts the bars, stops at an incomplete bar, uses a design effect other than 1 for a
    population without one, reads the population of a second row, gives object intervals, or names a member
    without English as None."""
    from ehelse.estimates import published_share_ci

    t = fake([row(pop="patients", year=2021, cat="A", value=1, base=100),
              row(pop="patients", year=2020, cat="A", value=30, base=400), row(pop="patients", year=2020, cat="Z", value=25, base=400),
              row(pop="patients", year=2019, cat="A", value=30, base=800), row(pop="patients", year=2019, cat="Z", value=20, base=800)],
             nets={"Agree": ["A", "Z"]})
    net, label = figures._net("X1", t, ["year"])
    assert label == "Agree fully + Z"
    assert list(net["year"]) == [2020, 2019]
    lo, hi = published_share_ci(55.0, 400, 1.0)
    assert (net.loc[0, "ci_low"], net.loc[0, "ci_high"]) == (pytest.approx(float(lo)), pytest.approx(float(hi)))
    t = fake([row(year=2019, cat="A", value=30, base=800)], nets=None)
    net, label = figures._net("X1", t, ["year"])
    assert label == "Agree fully" and list(net["estimate"]) == [30.0]
    t = fake([row(year=2019, cat="A", value=30), row(year=2020, cat="A", value=35)], nets=None)
    net, _ = figures._net("X1", t, ["year"])
    assert net["ci_low"].dtype == float and net["ci_high"].dtype == float


def test_nps_table_with_one_printed_base_and_without_intervals(fake):
    """Fails if nps_table reads a second base, gives object intervals, or uses a design effect other than 1 for a
    population without one."""
    from ehelse.nps import nps_from_shares

    fake([row(pop="patients", cat="Promoters", value=40), row(pop="patients", cat="Detractors", value=30),
          row(pop="patients", cat="NPS", value=10, unit="nps_points", base=500)])
    out = figures.nps_table("X1")
    ref = nps_from_shares(40, 30, 500.0, 1.0)
    assert out.loc[0, "base"] == 500.0
    assert (out.loc[0, "ci_low"], out.loc[0, "ci_high"]) == (pytest.approx(ref["ci_low"]), pytest.approx(ref["ci_high"]))
    fake([row(cat="NPS", value=13, unit="nps_points")])
    out = figures.nps_table("X1")
    assert out["ci_low"].dtype == float and out.loc[0, "ci_low"] == 13.0


def test_series_selects_items_and_percent_rows(fake):
    """Fails if series / series_years / value drop the item selection or the preference for percent rows, or
    the error names another figure."""
    fake([row(item="x1", year=2019, cat="A", value=30), row(item="x1", year=2019, cat="NPS", unit="nps_points", value=2),
          row(item="x2", year=2019, cat="A", value=40), row(item="x2", year=2020, cat="A", value=45)])
    assert figures.series("X1", item="x1").to_dict() == {2019: 30}
    assert figures.series_years("X1", item="x1") == [2019]
    assert figures.value("X1", 2019, item="x2", category="A") == 40.0
    with pytest.raises(KeyError) as e:
        figures.series("X1", item="x9")
    assert e.value.args[0] == "X1: no numbers for {'item': 'x9'}"


def test_first_to_last_passes_the_selection(monkeypatch):
    """Fails if first_to_last drops the population / item / measure selection."""
    two = pd.concat([TESTS, TESTS.iloc[[1]].assign(population="personnel", share_to=99.0)], ignore_index=True)
    monkeypatch.setattr(figures, "tests", lambda f: two)
    assert figures.first_to_last("X1", population="personnel")["share_to"] == 99.0
    assert figures.first_to_last("X1", two, population="citizens")["share_to"] == 60.0


def test_chapter_tests_and_missing_are_marked_and_use_the_method_asked(monkeypatch):
    """Fails if chapter_tests does not pass the settings' method to the adjustment or drops its mark, or missing
    drops its mark, stops at a chart with numbers, or fails on a question the codebook lacks."""
    from ehelse.disclosure import EXEMPT

    inv = pd.DataFrame({"figure_id": ["X3", "X1", "X2"], "chapter": ["c1"] * 3, "chart_type": ["bar"] * 3,
                        "question_id": ["", "q1", "q9"], "headline": ["h3", "h1", "h2"],
                        "headline_en": ["e3", "e1", "e2"]})
    base = TESTS.iloc[[0]].drop(columns="p_value")
    monkeypatch.setattr(figures, "inventory", lambda: inv)
    monkeypatch.setattr(figures, "tests", lambda f: base.assign(figure_id=f, p_value=0.02))
    monkeypatch.setattr(figures, "load", lambda: {"multiple_comparisons": "bonferroni"})
    out = figures.chapter_tests("c1")
    np.testing.assert_allclose(out["p_adjusted"], [0.06, 0.06, 0.06])
    assert out.attrs[EXEMPT] == "tests of published numbers"
    monkeypatch.setattr(figures, "codebook", lambda: {"questions": {"q1": {"text_no": "n", "text_en": "e"}}})
    monkeypatch.setattr(figures, "source_of", {"X1": "", "X2": "", "X3": SOURCE_REPORT}.get)
    miss = figures.missing("c1")
    assert list(miss["figure"]) == ["X1", "X2"] and miss.attrs[EXEMPT] == "published numbers"
    assert miss.loc[1, "question (as asked)"] == "" and miss.loc[1, "question (English)"] == "e2"


def test_numbers_of_one_source_are_its_rows(sources):
    """Fails if _numbers concatenates an empty source (adding its columns or changing the types of the other's)
    or drops the page-only points' other_source_value."""
    sources(REPORT_ROWS, PAGE_ROWS)
    out, _ = figures._numbers("X2")
    rep, _ = figures._both_sources("X2")
    pd.testing.assert_frame_equal(out, rep.assign(other_source_url="", other_source_value=NaN).reset_index(drop=True))
    out, _ = figures._numbers("X3")
    _, pub = figures._both_sources("X3")
    pd.testing.assert_frame_equal(out, pub.assign(other_source_url="", other_source_value=NaN).reset_index(drop=True))


def test_last_survivors_of_the_second_focus_run(fake, drawn_args, sources):
    """Fails if a bar panel naming health personnel gets the population suffix, source_conflicts lists another
    figure's conflicts, or tests() gives p-values that are not float NaN where no base is printed."""
    fake([row(item="x1", cat="A"), row(item="x2", item_en="Health personnel in hospitals", pop="personnel", cat="A")],
         chart="stacked_bar")
    figures.draw("X1", title="T")
    assert list(drawn_args["bars"][0]["panel"]) == ["X1 (Citizens)", "Health personnel in hospitals"]
    fake([row(year=2019, cat="A"), row(year=2020, cat="A")], nets=None)
    t = figures.tests("X1")
    assert t["p_value"].dtype == float and t["p_value"].isna().all()
    sources(REPORT_ROWS, PAGE_ROWS + [{"year": 2020, "category": "A", "value": 5, "url": "https://p.example/x",
                                       "figure_id": "X2"}])
    assert list(figures.source_conflicts("X1")["figure_id"]) == ["X1"]
    assert list(figures.source_conflicts()["figure_id"]) == ["X1", "X2"]
