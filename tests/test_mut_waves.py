"""ehelse.waves on a tiny made-up registry (tmp_path): every accessor and every validation error, exactly.

The registry below is written by hand; the expected years, reports, interviews and messages are read off it,
not copied from a run. Mutant families: changed comparisons and bounds of `validate`, mutated message
strings ('XX…XX', upper case, None), dropped arguments (`source`, `report`, `sep`), swapped first/last.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from ehelse import DATA, waves
from ehelse.waves import WaveError

HEADER = waves.COLUMNS
#: Out of order on purpose (the registry sorts by survey, then year); c21 has two waves; 2023 has no interviews.
ROWS = [
    {"survey": "personnel", "year": "2020", "report": "p20", "sources": "report; microdata ", "interviews": "500",
     "field_period": "", "weighted": "false", "margin_year": "", "label_en": "Personnel 2020",
     "source_url": "", "note": ""},
    {"survey": "citizens", "year": "2023", "report": "c21", "sources": "publisher", "interviews": "",
     "field_period": "", "weighted": "false", "margin_year": "", "label_en": "Citizens 2023",
     "source_url": "", "note": ""},
    {"survey": "citizens", "year": "2019", "report": "c19", "sources": "report", "interviews": "1000",
     "field_period": "autumn", "weighted": "true", "margin_year": "2018", "label_en": "Citizens 2019",
     "source_url": "https://a.example/c19", "note": "n"},
    {"survey": "citizens", "year": "2021", "report": "c21", "sources": "report;publisher", "interviews": "1200",
     "field_period": "", "weighted": "true", "margin_year": "2021", "label_en": "Citizens 2021",
     "source_url": "", "note": ""},
]


def _write(path: Path, rows: list[dict], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def reg(tmp_path, monkeypatch):
    """The made-up registry as the book's registry (the cache cleared before and after)."""
    path = _write(tmp_path / "waves.csv", ROWS)
    monkeypatch.setattr(waves, "WAVES_FILE", path)
    waves._registry.cache_clear()
    yield path
    waves._registry.cache_clear()


# ------------------------------------------------------------------ accessors


def test_waves_are_typed_sorted_by_survey_then_year_and_sources_cleaned(reg):
    """Fails if validate/read/waves drop the sort, the typing (Int64, bool), the stripping of sources or the
    `survey is None` branch (mutants of waves(), validate's output frame)."""
    w = waves.waves()
    assert list(w.columns) == HEADER
    assert list(zip(w["survey"], w["year"])) == [("citizens", 2019), ("citizens", 2021), ("citizens", 2023),
                                                 ("personnel", 2020)]
    assert list(w.index) == [0, 1, 2, 3]
    assert list(w["sources"]) == ["report", "report;publisher", "publisher", "report;microdata"]
    assert str(w["interviews"].dtype) == "Int64" and str(w["margin_year"].dtype) == "Int64"
    assert w["interviews"].isna().tolist() == [False, False, True, False]
    assert w["interviews"].iloc[0] == 1000 and w["margin_year"].iloc[0] == 2018
    assert w["weighted"].tolist() == [True, True, False, False]
    c = waves.waves("citizens")
    assert list(c["year"]) == [2019, 2021, 2023] and list(c.index) == [0, 1, 2]
    p = waves.waves("personnel")
    assert list(p["year"]) == [2020] and list(p.index) == [0]
    c.loc[0, "report"] = "changed"  # a copy: the registry is not changed by a caller
    assert waves.waves("citizens").loc[0, "report"] == "c19"


def test_unknown_survey_is_named(reg):
    """Fails if _survey's message or its check is mutated."""
    with pytest.raises(WaveError) as e:
        waves.waves("patients")
    assert str(e.value) == "survey must be one of ['citizens', 'personnel'], not 'patients'"
    with pytest.raises(WaveError) as e:
        waves.years("patients")
    assert str(e.value) == "survey must be one of ['citizens', 'personnel'], not 'patients'"


def test_years_by_source_and_report(reg):
    """Fails if years() ignores `source` or `report`, splits sources wrongly (a substring test) or its
    source check/message is mutated."""
    assert waves.years("citizens") == [2019, 2021, 2023]
    assert waves.years("citizens", "report") == [2019, 2021]
    assert waves.years("citizens", "publisher") == [2021, 2023]
    assert waves.years("citizens", source="microdata") == []
    assert waves.years("personnel", "microdata") == [2020]
    assert waves.years("citizens", report="c21") == [2021, 2023]
    assert waves.years("citizens", "report", "c21") == [2021]
    assert waves.years("citizens", report="p20") == []
    assert all(type(y) is int for y in waves.years("citizens"))
    with pytest.raises(WaveError) as e:
        waves.years("citizens", "rumour")
    assert str(e.value) == "source must be one of ['report', 'publisher', 'microdata'], not 'rumour'"


def test_first_and_latest_with_and_without_source(reg):
    """Fails if first/latest swap ends, drop `source`, or their 'no wave' messages are mutated."""
    assert waves.first("citizens") == 2019 and waves.latest("citizens") == 2023
    assert waves.first("citizens", "publisher") == 2021 and waves.latest("citizens", "report") == 2021
    assert waves.first("personnel") == waves.latest("personnel") == 2020
    for fn in (waves.first, waves.latest):
        with pytest.raises(WaveError) as e:
            fn("personnel", "publisher")
        assert str(e.value) == "no personnel wave with numbers from 'publisher'"


def test_first_and_latest_of_a_survey_without_waves(tmp_path, monkeypatch):
    """Fails if the message of a survey without any wave gains the source part or is mutated."""
    monkeypatch.setattr(waves, "WAVES_FILE", _write(tmp_path / "waves.csv", ROWS[1:]))
    waves._registry.cache_clear()
    try:
        for fn in (waves.first, waves.latest):
            with pytest.raises(WaveError) as e:
                fn("personnel")
            assert str(e.value) == "no personnel wave"
        with pytest.raises(WaveError) as e:
            waves.span("personnel")
        assert str(e.value) == "no personnel wave"
    finally:
        waves._registry.cache_clear()


def test_wave_row_as_plain_python(reg):
    """Fails if wave() keeps numpy/NA types, does not split sources, or its not-found message is mutated."""
    w = waves.wave("citizens", 2019)
    assert w == {"survey": "citizens", "year": 2019, "report": "c19", "sources": ["report"], "interviews": 1000,
                 "field_period": "autumn", "weighted": True, "margin_year": 2018, "label_en": "Citizens 2019",
                 "source_url": "https://a.example/c19", "note": "n"}
    assert type(w["year"]) is int and type(w["interviews"]) is int and type(w["margin_year"]) is int
    w = waves.wave("citizens", "2023")  # a year given as text
    assert w["interviews"] is None and w["margin_year"] is None and w["year"] == 2023
    assert w["sources"] == ["publisher"]
    assert waves.wave("personnel", 2020)["sources"] == ["report", "microdata"]
    with pytest.raises(WaveError) as e:
        waves.wave("citizens", 2020)
    assert str(e.value) == "waves.csv lists no citizens wave 2020 (waves: [2019, 2021, 2023])"


def test_margin_year_and_weighted(reg, monkeypatch):
    """Fails if margin_year/weighted read another field, or the weighted-without-margins check is mutated."""
    assert waves.margin_year("citizens", 2019) == 2018
    assert waves.margin_year("citizens", 2021) == 2021
    assert waves.margin_year("personnel", 2020) is None
    assert waves.weighted("citizens", 2019) is True and waves.weighted("personnel", 2020) is False
    real = waves.wave
    monkeypatch.setattr(waves, "wave", lambda s, y: {**real(s, y), "margin_year": None})
    with pytest.raises(WaveError) as e:
        waves.margin_year("citizens", 2019)
    assert str(e.value) == "citizens wave 2019 is weighted but has no margin year in waves.csv"
    assert waves.margin_year("personnel", 2020) is None  # unweighted: no margins is fine


def test_reports_report_of_survey_of(reg):
    """Fails if reports() loses its order or pairing, report_of ignores `year` or defaults to another wave
    than the latest, or survey_of's message is mutated."""
    assert list(waves.reports().items()) == [("c19", "citizens"), ("c21", "citizens"), ("p20", "personnel")]
    assert waves.report_of("citizens") == "c21"
    assert waves.report_of("citizens", 2019) == "c19"
    assert waves.report_of("personnel") == "p20"
    assert waves.survey_of("p20") == "personnel" and waves.survey_of("c19") == "citizens"
    with pytest.raises(WaveError) as e:
        waves.survey_of("x1")
    assert str(e.value) == "unknown report id 'x1' (the registry lists ['c19', 'c21', 'p20'])"


def test_interviews_label_span(reg):
    """Fails if interviews() keeps waves without a number or other types, label reads another field, or span
    swaps its ends, ignores `source`/`sep` or joins one year with itself."""
    assert waves.interviews("citizens") == {2019: 1000, 2021: 1200}
    assert all(type(k) is int and type(v) is int for k, v in waves.interviews("citizens").items())
    assert waves.interviews("personnel") == {2020: 500}
    assert waves.label("citizens", 2021) == "Citizens 2021"
    assert waves.span("citizens") == "2019–2023"
    assert waves.span("citizens", "publisher") == "2021–2023"
    assert waves.span("citizens", "report", sep="-") == "2019-2021"
    assert waves.span("personnel") == "2020"


# ------------------------------------------------------------------ validation


def _error(tmp_path, rows=ROWS, header=HEADER) -> str:
    path = _write(tmp_path / "w.csv", rows, header)
    with pytest.raises(WaveError) as e:
        waves.read(path)
    return str(e.value).removeprefix(f"{path}, ")


def _row(**edit) -> list[dict]:
    """ROWS with the citizens 2019 row (line 4 of the file) edited."""
    return [ROWS[0], ROWS[1], {**ROWS[2], **edit}, ROWS[3]]


def test_where_names_a_data_file_relative_to_the_book():
    """Fails if _where drops the relative path, the +2 line offset or the column's repr."""
    assert waves._where(DATA / "waves.csv", 3, "year") == "data/waves.csv, line 5, column 'year'"
    assert waves._where(DATA / "waves.csv", 0, None) == "data/waves.csv, line 2"
    assert waves._where(DATA / "waves.csv", None, "x") == "data/waves.csv, column 'x'"
    assert waves._where(Path("/elsewhere/w.csv"), None, None) == "/elsewhere/w.csv"


def test_missing_file_and_columns(tmp_path):
    """Fails if read's missing-file message, or validate's missing / unexpected column or empty-registry
    checks are mutated."""
    with pytest.raises(WaveError) as e:
        waves.read(tmp_path / "none.csv")
    assert str(e.value) == f"{tmp_path / 'none.csv'}: file is missing"
    header = [c for c in HEADER if c != "note"]
    path = _write(tmp_path / "w.csv", ROWS, header)
    with pytest.raises(WaveError) as e:
        waves.read(path)
    assert str(e.value) == f"{path}: column(s) ['note'] missing (found {header})"
    rows = [{**r, "extra": "1"} for r in ROWS]
    path = _write(tmp_path / "w.csv", rows, HEADER + ["extra"])
    with pytest.raises(WaveError) as e:
        waves.read(path)
    assert str(e.value) == f"{path}: unexpected column(s) ['extra']"
    path = _write(tmp_path / "w.csv", [])
    with pytest.raises(WaveError) as e:
        waves.read(path)
    assert str(e.value) == f"{path}: lists no wave"


def test_columns_in_another_order_are_read(tmp_path):
    """Fails if validate relies on the file's column order instead of COLUMNS."""
    path = _write(tmp_path / "w.csv", ROWS, list(reversed(HEADER)))
    out = waves.read(path)
    assert list(out.columns) == HEADER and list(out["year"]) == [2019, 2021, 2023, 2020]


@pytest.mark.parametrize("edit,message", [
    ({"survey": "patients"}, "line 4, column 'survey': value 'patients' is not one of ['citizens', 'personnel']"),
    ({"year": ""}, "line 4, column 'year': value '' is empty"),
    ({"year": "20x9"}, "line 4, column 'year': value '20x9' is not a whole number"),
    ({"year": "2014"}, "line 4, column 'year': value '2014' is not a survey year (2015-2030)"),
    ({"year": "2031"}, "line 4, column 'year': value '2031' is not a survey year (2015-2030)"),
    ({"year": "2021"}, "line 5, column 'survey+year': value 'citizens/2021' duplicates line 4"),
    ({"report": ""}, "line 4, column 'report': value '' is not a report id (letters, digits)"),
    ({"report": " "}, "line 4, column 'report': value ' ' is not a report id (letters, digits)"),
    ({"report": "_"}, "line 4, column 'report': value '_' is not a report id (letters, digits)"),
    ({"report": "c-19"}, "line 4, column 'report': value 'c-19' is not a report id (letters, digits)"),
    ({"report": "p20"}, "line 4, column 'report': value 'p20' belongs to survey 'personnel', not 'citizens'"),
    ({"sources": ""}, "line 4, column 'sources': value '' must be a ';' list of ['report', 'publisher', 'microdata']"),
    ({"sources": " ; "}, "line 4, column 'sources': value ' ; ' must be a ';' list of "
                         "['report', 'publisher', 'microdata']"),
    ({"sources": "report;rumour"}, "line 4, column 'sources': value 'report;rumour' must be a ';' list of "
                                   "['report', 'publisher', 'microdata']"),
    ({"interviews": "0"}, "line 4, column 'interviews': value '0' must be positive"),
    ({"interviews": "-5"}, "line 4, column 'interviews': value '-5' is not a whole number"),
    ({"weighted": "yes"}, "line 4, column 'weighted': value 'yes' is not 'true' or 'false'"),
    ({"weighted": "True"}, "line 4, column 'weighted': value 'True' is not 'true' or 'false'"),
    ({"margin_year": ""}, "line 4, column 'margin_year': value '' is empty but wave citizens 2019 is weighted "
                          "(give the year of the population margins it is weighted to)"),
    ({"margin_year": "x"}, "line 4, column 'margin_year': value 'x' is not a whole number"),
    ({"weighted": "false"}, "line 4, column 'margin_year': value '2018' given for an unweighted wave (citizens 2019)"),
    ({"source_url": "http://a.example"}, "line 4, column 'source_url': value 'http://a.example' is not a page "
                                         "address (https://…) or empty"),
    ({"label_en": ""}, "line 4, column 'label_en': value '' is empty"),
    ({"label_en": "  "}, "line 4, column 'label_en': value '  ' is empty"),
])
def test_every_validation_error_names_line_column_and_value(tmp_path, edit, message):
    """Fails if a check of validate/_int is dropped, its comparison flipped or its message mutated (the
    whole message is compared)."""
    assert _error(tmp_path, _row(**edit)) == message


def test_boundaries_that_are_valid(tmp_path):
    """Fails if the year bounds exclude 2015 / 2030, one interview is refused, '_' in a report id is refused,
    or an empty source_url is refused (comparisons mutated from <= to <)."""
    rows = [{**ROWS[2], "year": "2015", "interviews": "1", "report": "c_19"},
            {**ROWS[3], "year": "2030", "source_url": ""}]
    out = waves.read(_write(tmp_path / "w.csv", rows))
    assert list(out["year"]) == [2015, 2030] and list(out["interviews"]) == [1, 1200]
    assert list(out["report"]) == ["c_19", "c21"]


def test_accessors_keep_to_the_survey_asked_for(tmp_path, monkeypatch):
    """Fails if label, report_of or weighted look the year up in every survey (wave(None, year)): both
    surveys have a 2020 wave here, the citizens' one first in the registry."""
    rows = [{**ROWS[3], "year": "2020", "report": "c20"}, ROWS[0]]
    monkeypatch.setattr(waves, "WAVES_FILE", _write(tmp_path / "waves.csv", rows))
    waves._registry.cache_clear()
    try:
        assert waves.label("personnel", 2020) == "Personnel 2020"
        assert waves.report_of("personnel", 2020) == "p20" and waves.report_of("personnel") == "p20"
        assert waves.weighted("personnel", 2020) is False and waves.weighted("citizens", 2020) is True
        assert waves.margin_year("personnel", 2020) is None
    finally:
        waves._registry.cache_clear()
