"""The wave registry: every survey wave the book knows, read from data/waves.csv.

No survey year or report id is written anywhere else in lib/ or in the chapters: they ask this
module for "the waves of a survey", "the latest wave", "the report a survey's figures belong to".
Adding a wave is one line of data/waves.csv (plus its numbers and, when weighted, its margins).
"""
from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from . import DATA

WAVES_FILE = DATA / "waves.csv"
COLUMNS = ["survey", "year", "report", "sources", "interviews", "field_period", "weighted", "margin_year",
           "label_en", "source_url", "note"]
SURVEYS = ("citizens", "personnel")
SOURCES = ("report", "publisher", "microdata")
#: Bounds of a plausible survey year in any data file (a check against typos, not a list of waves).
YEAR_MIN, YEAR_MAX = 2015, 2030


class WaveError(ValueError):
    """The wave registry is malformed or a wave is asked for that it does not list."""


def _where(path: Path, row: int | None, column: str | None) -> str:
    root = DATA.parent
    out = str(path.relative_to(root) if path.is_relative_to(root) else path)
    if row is not None:
        out += f", line {row + 2}"
    if column is not None:
        out += f", column {column!r}"
    return out


def _int(path: Path, i: int, column: str, text: str, *, required: bool) -> int | None:
    if text == "":
        if required:
            raise WaveError(f"{_where(path, i, column)}: value '' is empty")
        return None
    if not text.isdigit():
        raise WaveError(f"{_where(path, i, column)}: value {text!r} is not a whole number")
    return int(text)


def validate(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check a registry read as strings; return it typed (year, interviews, margin_year int; weighted bool)."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise WaveError(f"{_where(path, None, None)}: column(s) {missing} missing (found {list(df.columns)})")
    extra = [c for c in df.columns if c not in COLUMNS]
    if extra:
        raise WaveError(f"{_where(path, None, None)}: unexpected column(s) {extra}")
    if df.empty:
        raise WaveError(f"{_where(path, None, None)}: lists no wave")
    rows, seen, report_survey = [], {}, {}
    for i, r in enumerate(df[COLUMNS].to_dict("records")):
        if r["survey"] not in SURVEYS:
            raise WaveError(f"{_where(path, i, 'survey')}: value {r['survey']!r} is not one of {list(SURVEYS)}")
        year = _int(path, i, "year", r["year"], required=True)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise WaveError(f"{_where(path, i, 'year')}: value {r['year']!r} is not a survey year "
                            f"({YEAR_MIN}-{YEAR_MAX})")
        key = (r["survey"], year)
        if key in seen:
            raise WaveError(f"{_where(path, i, 'survey+year')}: value '{r['survey']}/{year}' duplicates line "
                            f"{seen[key] + 2}")
        seen[key] = i
        if not r["report"].strip() or not r["report"].replace("_", "").isalnum():
            raise WaveError(f"{_where(path, i, 'report')}: value {r['report']!r} is not a report id (letters, digits)")
        if report_survey.setdefault(r["report"], r["survey"]) != r["survey"]:
            raise WaveError(f"{_where(path, i, 'report')}: value {r['report']!r} belongs to survey "
                            f"{report_survey[r['report']]!r}, not {r['survey']!r}")
        sources = [s.strip() for s in r["sources"].split(";") if s.strip()]
        bad = [s for s in sources if s not in SOURCES]
        if not sources or bad:
            raise WaveError(f"{_where(path, i, 'sources')}: value {r['sources']!r} must be a ';' list of "
                            f"{list(SOURCES)}")
        interviews = _int(path, i, "interviews", r["interviews"], required=False)
        if interviews is not None and interviews <= 0:
            raise WaveError(f"{_where(path, i, 'interviews')}: value {r['interviews']!r} must be positive")
        if r["weighted"] not in ("true", "false"):
            raise WaveError(f"{_where(path, i, 'weighted')}: value {r['weighted']!r} is not 'true' or 'false'")
        weighted = r["weighted"] == "true"
        margin = _int(path, i, "margin_year", r["margin_year"], required=False)
        if weighted and margin is None:
            raise WaveError(f"{_where(path, i, 'margin_year')}: value '' is empty but wave {r['survey']} {year} "
                            "is weighted (give the year of the population margins it is weighted to)")
        if not weighted and margin is not None:
            raise WaveError(f"{_where(path, i, 'margin_year')}: value {r['margin_year']!r} given for an "
                            f"unweighted wave ({r['survey']} {year})")
        if r["source_url"] and not r["source_url"].startswith("https://"):
            raise WaveError(f"{_where(path, i, 'source_url')}: value {r['source_url']!r} is not a page address "
                            "(https://…) or empty")
        if not r["label_en"].strip():
            raise WaveError(f"{_where(path, i, 'label_en')}: value {r['label_en']!r} is empty")
        rows.append({**r, "year": year, "sources": ";".join(sources), "interviews": interviews,
                     "weighted": weighted, "margin_year": margin})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["interviews"] = out["interviews"].astype("Int64")
    out["margin_year"] = out["margin_year"].astype("Int64")
    return out.sort_values(["survey", "year"], kind="stable").reset_index(drop=True)


def read(path: Path) -> pd.DataFrame:
    """Read and validate a wave registry file."""
    if not Path(path).exists():
        raise WaveError(f"{path}: file is missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return validate(df, Path(path))


@functools.cache
def _registry() -> pd.DataFrame:
    return read(WAVES_FILE)


def _survey(survey: str) -> str:
    if survey not in SURVEYS:
        raise WaveError(f"survey must be one of {list(SURVEYS)}, not {survey!r}")
    return survey


def waves(survey: str | None = None) -> pd.DataFrame:
    """The registry's waves (of one survey, or all), sorted by survey and year."""
    reg = _registry()
    return (reg if survey is None else reg[reg["survey"] == _survey(survey)]).reset_index(drop=True).copy()


def years(survey: str, source: str | None = None, report: str | None = None) -> list[int]:
    """Years of a survey's waves; only those whose numbers include `source` / belong to `report` if given."""
    w = waves(survey)
    if source is not None:
        if source not in SOURCES:
            raise WaveError(f"source must be one of {list(SOURCES)}, not {source!r}")
        w = w[w["sources"].str.split(";").map(lambda s: source in s)]
    if report is not None:
        w = w[w["report"] == report]
    return [int(y) for y in w["year"]]


def latest(survey: str, source: str | None = None) -> int:
    """Year of a survey's latest wave (with numbers from `source`, if given)."""
    ys = years(survey, source)
    if not ys:
        raise WaveError(f"no {survey} wave" + (f" with numbers from {source!r}" if source else ""))
    return ys[-1]


def first(survey: str, source: str | None = None) -> int:
    """Year of a survey's first wave (with numbers from `source`, if given)."""
    ys = years(survey, source)
    if not ys:
        raise WaveError(f"no {survey} wave" + (f" with numbers from {source!r}" if source else ""))
    return ys[0]


def wave(survey: str, year: int) -> dict:
    """One wave's registry row as a dict (sources as a list)."""
    w = waves(survey)
    row = w[w["year"] == int(year)]
    if row.empty:
        raise WaveError(f"{WAVES_FILE.name} lists no {survey} wave {year} (waves: {years(survey)})")
    out = row.iloc[0].to_dict()
    out["sources"] = out["sources"].split(";")
    out["interviews"] = None if pd.isna(out["interviews"]) else int(out["interviews"])
    out["margin_year"] = None if pd.isna(out["margin_year"]) else int(out["margin_year"])
    out["year"] = int(out["year"])
    return out


def margin_year(survey: str, year: int) -> int | None:
    """Year of the population margins a wave is weighted to; None for an unweighted wave."""
    w = wave(survey, year)
    if w["weighted"] and w["margin_year"] is None:
        raise WaveError(f"{survey} wave {year} is weighted but has no margin year in {WAVES_FILE.name}")
    return w["margin_year"]


def weighted(survey: str, year: int) -> bool:
    """Whether a wave is weighted to population margins."""
    return bool(wave(survey, year)["weighted"])


def reports() -> dict[str, str]:
    """Report ids -> survey, in registry order (first wave first)."""
    reg = _registry()
    return dict(zip(reg["report"], reg["survey"]))


def report_of(survey: str, year: int | None = None) -> str:
    """The report id whose figures a wave's numbers belong to (default: the survey's latest wave)."""
    return wave(survey, latest(survey) if year is None else year)["report"]


def survey_of(report: str) -> str:
    """The survey a report id belongs to."""
    rep = reports()
    if report not in rep:
        raise WaveError(f"unknown report id {report!r} (the registry lists {list(rep)})")
    return rep[report]


def interviews(survey: str) -> dict[int, int]:
    """Completed interviews per wave as the registry gives them, {year: n} (waves without a number left out)."""
    w = waves(survey)
    return {int(y): int(n) for y, n in zip(w["year"], w["interviews"]) if not pd.isna(n)}


def label(survey: str, year: int) -> str:
    """The wave's English label."""
    return wave(survey, year)["label_en"]


def span(survey: str, source: str | None = None, sep: str = "–") -> str:
    """'first–latest' years of a survey's waves (one year alone if there is one wave)."""
    a, b = first(survey, source), latest(survey, source)
    return str(a) if a == b else f"{a}{sep}{b}"
