"""Load and validate the transcribed published tables, the codebook and the population margins.

Every check reports the file, the line of the file (header = line 1), the column and the
value at fault, so a researcher can open the CSV and fix it. Nothing is dropped or coerced.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import DATA

PUBLISHED = DATA / "published"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REPORTS = {"citizens2022": "citizens", "personnel2020": "personnel"}

INVENTORY_COLUMNS = ["report", "figure_id", "order", "page", "section", "chapter", "headline", "headline_en",
                     "question_id", "chart_type", "years", "bases", "base_from", "filter_no", "filter_en", "numbers_in_text",
                     "numbers_source", "figure_notes", "series_break", "source_lines", "mapping_notes", "chart"]
VALUES_COLUMNS = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n",
                  "source_line", "confidence", "note"]
ISSUES_COLUMNS = ["issue_id", "report", "figure_id", "kind", "description", "lines", "resolution",
                  "resolution_source"]
CHART_TYPES = {"stacked_bar", "multi_bar", "time_series", "comparison", "single_values", "table", "text"}
#: The book's chart kind of a figure, declared in the inventory (column `chart`), never guessed from the data.
CHART_KINDS = {"line", "dumbbell", "diverging_bar", "stacked_bar", "dot_ranking", "small_multiples", "key_figure",
               "table", "text"}
UNITS = {"percent", "nps_points", "count", "mean", "other"}
VALUE_KEY = ["report", "figure_id", "population", "year", "item", "category", "unit"]
PUBLISHER_COLUMNS = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n",
                     "url", "measure_as_published", "confidence", "note"]
CLAIMS_COLUMNS = ["report", "claim_id", "figure_id", "source_line", "text_no", "text_en", "printed", "low", "high",
                  "kind", "direction", "measure", "compare_to", "checkable", "note"]
UNPLACED_COLUMNS = ["report", "figure_id", "source_line", "printed", "kind", "reason"]
PUBLISHER_CLAIMS_COLUMNS = ["claim_id", "report", "figure_id", "url", "measure_as_published", "year", "printed", "low",
                            "high", "kind", "direction", "measure", "compare_to", "checkable", "note"]
ISSUE_KINDS = {"sample_size", "bar_sum", "text_vs_chart", "between_reports", "wording", "breakdown", "other"}


class DataError(ValueError):
    """A data file breaks its schema; the message names file, line, column and value."""


def _fail(path: Path, row: int | None, column: str | None, value, why: str):
    where = str(path.relative_to(DATA.parent) if path.is_relative_to(DATA.parent) else path)
    if row is not None:
        where += f", line {row + 2}"
    if column is not None:
        where += f", column {column!r}"
    raise DataError(f"{where}: value {value!r} {why}")


def read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a CSV as strings, requiring exactly the schema's columns."""
    if not path.exists():
        raise DataError(f"{path}: file is missing")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{path}: column(s) {missing} missing (found {list(df.columns)})")
    extra = [c for c in df.columns if c not in columns]
    if extra:
        raise DataError(f"{path}: unexpected column(s) {extra}")
    return df[columns]


def _check_allowed(df, path, column, allowed):
    bad = ~df[column].isin(allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, column, df[column].iloc[i], f"is not one of {sorted(allowed)}")


def _to_number(df, path, column, *, integer=False, required=True):
    out = pd.to_numeric(df[column].replace("", np.nan), errors="coerce")
    bad = out.isna() & (df[column] != "") | (out.isna() & required)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, column, df[column].iloc[i], "is not a number" if df[column].iloc[i] else "is empty")
    if integer:
        frac = out.notna() & (out != np.floor(out))
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            _fail(path, i, column, df[column].iloc[i], "is not a whole number")
    return out


def _check_duplicates(df, path, key):
    dup = df.duplicated(key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((df[key] == df[key].iloc[i]).all(axis=1))[0])
        _fail(path, i, "+".join(key), "/".join(map(str, df[key].iloc[i])),
              f"duplicates line {first + 2}")


def _check_categories(df: pd.DataFrame, path: Path, inv: pd.DataFrame, cb: dict) -> None:
    """Every category must be a label of the answer scale of its figure's question."""
    qid = df["figure_id"].map(inv.set_index("figure_id")["question_id"])
    for i, (q, cat) in enumerate(zip(qid, df["category"])):
        labels = [l["no"] for l in cb["scales"][cb["questions"][q]["scale"]]["labels"]] if q else []
        if cat not in labels:
            _fail(path, i, "category", cat, f"is not a label of question {q!r}'s scale {labels}")


def _check_urls(df: pd.DataFrame, path: Path) -> None:
    """Numbers from the publisher's pages must carry the page's address."""
    for i, u in enumerate(df["url"]):
        if not u.startswith("https://"):
            _fail(path, i, "url", u, "is not a page address (https://…)")


def validate_codebook(cb: dict, path: Path) -> dict:
    """Check the codebook's structure: every question has wording, a known scale and labels."""
    if not isinstance(cb, dict) or "scales" not in cb or "questions" not in cb:
        raise DataError(f"{path}: codebook needs top-level 'scales' and 'questions'")
    for sid, sc in cb["scales"].items():
        labels = (sc or {}).get("labels")
        if labels is None or not all(isinstance(l, dict) and l.get("no") and l.get("en") for l in labels):
            raise DataError(f"{path}: scale {sid!r} needs a list of labels (empty if the options were not "
                            "printed), each with both 'no' and 'en'")
        nos = [l["no"] for l in labels]
        if len(set(nos)) != len(nos):
            raise DataError(f"{path}: scale {sid!r} lists a label twice: {nos}")
        for net, members in ((sc.get("nets") or {}).items()):
            unknown = [m for m in members if m not in nos]
            if unknown:
                raise DataError(f"{path}: net {net!r} of scale {sid!r} names unknown labels {unknown}")
    for qid, q in cb["questions"].items():
        if not isinstance(q, dict) or not q.get("text_no"):
            raise DataError(f"{path}: question {qid!r} has no Norwegian wording (text_no)")
        if q.get("scale") not in cb["scales"]:
            raise DataError(f"{path}: question {qid!r} uses unknown scale {q.get('scale')!r}")
    return cb


def codebook() -> dict:
    """Both reports' codebooks merged: {'scales': ..., 'questions': ...}; a scale id used twice must agree."""
    return _load()["codebook"]


def read_codebook(root: Path) -> dict:
    """Read and merge the codebooks of both report folders under `root`."""
    merged = {"scales": {}, "questions": {}}
    for folder in REPORTS.values():
        path = root / folder / "codebook.yml"
        cb = validate_codebook(yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER), path)
        for sid, sc in cb["scales"].items():
            old = merged["scales"].get(sid)
            if old is not None and [l["no"] for l in old["labels"]] != [l["no"] for l in sc["labels"]]:
                raise DataError(f"{path}: scale {sid!r} has other labels than in the other report's codebook")
            merged["scales"].setdefault(sid, sc)
        for qid, q in cb["questions"].items():
            if qid in merged["questions"]:
                raise DataError(f"{path}: question id {qid!r} is defined in both codebooks")
            merged["questions"][qid] = q
    return merged


def validate_inventory(df: pd.DataFrame, path: Path, report: str, cb: dict) -> pd.DataFrame:
    """Schema checks of one report's inventory."""
    _check_allowed(df, path, "report", {report})
    bad = ~df["figure_id"].str.fullmatch(r"[CP]\d{2,3}")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "figure_id", df["figure_id"].iloc[i], "is not of the form C01 / P01")
    _check_duplicates(df, path, ["figure_id"])
    _to_number(df, path, "order", integer=True)
    _check_allowed(df, path, "chart_type", CHART_TYPES)
    _check_allowed(df, path, "chart", CHART_KINDS)
    for i, (ct, kind) in enumerate(zip(df["chart_type"], df["chart"])):
        if (ct == "text") != (kind == "text"):
            _fail(path, i, "chart", kind, f"must be 'text' exactly when chart_type is 'text' (chart_type {ct!r})")
    _check_allowed(df, path, "numbers_in_text", {"yes", "partial", "no"})
    _check_allowed(df, path, "numbers_source", {"", "report", "publisher", "missing"})
    for i, q in enumerate(df["question_id"]):
        if q and q not in cb["questions"]:
            _fail(path, i, "question_id", q, "is not a question of the codebook")
        if not q and df["chart_type"].iloc[i] != "text" and df["numbers_in_text"].iloc[i] != "no":
            _fail(path, i, "question_id", q, f"is empty but the slide has a {df['chart_type'].iloc[i]} chart "
                  "with numbers")
    for i, bf in enumerate(df["base_from"]):
        for part in filter(None, bf.split(";")):
            item, _, fid = part.rpartition("=")
            if not item or fid not in set(df["figure_id"]):
                _fail(path, i, "base_from", bf, "must be 'ITEM=FIGURE' pairs naming figures of this inventory")
    for i, ys in enumerate(df["years"]):
        for y in filter(None, ys.split(";")):
            if not y.strip().isdigit() or not 2015 <= int(y) <= 2030:
                _fail(path, i, "years", ys, "must list years 2015-2030 separated by ';'")
    return df


def validate_values(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame, cb: dict,
                    source_lines: list[str]) -> pd.DataFrame:
    """Schema checks of one report's numbers, against its inventory, the codebook and the source text."""
    _check_allowed(df, path, "report", {report})
    _check_allowed(df, path, "figure_id", set(inv["figure_id"]))
    _check_allowed(df, path, "population", {"citizens", "personnel"})
    _check_allowed(df, path, "unit", UNITS)
    _check_allowed(df, path, "confidence", {"high", "medium", "low"})
    year = _to_number(df, path, "year", integer=True)
    bad = ~year.between(2015, 2030)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "year", df["year"].iloc[i], "is not a survey year (2015-2030)")
    value = _to_number(df, path, "value")
    for unit, lo, hi in (("percent", 0, 100), ("nps_points", -100, 100), ("count", 0, np.inf)):
        bad = (df["unit"] == unit) & ~value.between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(path, i, "value", df["value"].iloc[i], f"is outside {lo}-{hi} for unit {unit!r}")
    base = _to_number(df, path, "base_n", integer=True, required=False)
    bad = base.notna() & ~(base > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "base_n", df["base_n"].iloc[i], "must be a positive whole number")
    line = _to_number(df, path, "source_line", integer=True)
    bad = ~line.between(1, len(source_lines))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "source_line", df["source_line"].iloc[i],
              f"is not a line of the source text (1-{len(source_lines)})")
    _check_categories(df, path, inv, cb)
    _check_duplicates(df, path, VALUE_KEY)
    out = df.copy()
    out["year"] = year.astype(int)
    out["value"] = value
    out["base_n"] = base.astype("Int64")
    out["source_line"] = line.astype(int)
    return out


def parse_measure(text: str) -> dict | None:
    """'FIGURE|POPULATION|YEAR|ITEM|CAT1;CAT2' -> dict (YEAR may be 'A>B' for a change)."""
    if not text:
        return None
    parts = text.split("|")
    if len(parts) != 5:
        raise ValueError(f"measure {text!r} must have 5 parts FIGURE|POPULATION|YEAR|ITEM|CATEGORIES")
    fid, pop, year, item, cats = parts
    years = [int(y) for y in year.split(">")]
    return {"figure_id": fid, "population": pop, "years": years, "item": item, "categories": cats.split(";")}


def _check_measures(df: pd.DataFrame, path: Path, vals: pd.DataFrame, columns) -> None:
    """Every measure of a claims table must parse and name printed values; checkable claims need one."""
    keyed = vals.set_index(["figure_id", "population", "year", "item", "category"])
    for col in columns:
        for i, text in enumerate(df[col]):
            try:
                m = parse_measure(text)
            except ValueError as e:
                _fail(path, i, col, text, str(e))
            if m is None:
                if col == "measure" and df["checkable"].iloc[i] == "yes":
                    _fail(path, i, col, text, "is empty but the claim is marked checkable")
                continue
            for y in m["years"]:
                for c in m["categories"]:
                    if (m["figure_id"], m["population"], y, m["item"], c) not in keyed.index:
                        _fail(path, i, col, text, f"names no printed value (year {y}, category {c!r})")


def validate_claims(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame, vals: pd.DataFrame,
                    source_lines: list[str]) -> pd.DataFrame:
    """Schema checks of one report's claims; every measure must resolve to printed values."""
    _check_allowed(df, path, "report", {report})
    _check_duplicates(df, path, ["claim_id"])
    _check_allowed(df, path, "figure_id", set(inv["figure_id"]))
    _check_allowed(df, path, "kind", {"level", "change", "comparison", "other"})
    _check_allowed(df, path, "direction", {"", "up", "down", "stable", "gt", "lt", "similar"})
    _check_allowed(df, path, "checkable", {"yes", "no"})
    line = _to_number(df, path, "source_line", integer=True)
    bad = ~line.between(1, len(source_lines))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "source_line", df["source_line"].iloc[i], "is not a line of the source text")
    low = _to_number(df, path, "low", required=False)
    high = _to_number(df, path, "high", required=False)
    bad = low.notna() & high.notna() & (low > high)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "low", df["low"].iloc[i], f"is above high ({df['high'].iloc[i]})")
    _check_measures(df, path, vals, ("measure", "compare_to"))
    out = df.copy()
    out["source_line"] = line.astype(int)
    out["low"], out["high"] = low, high
    return out


def validate_publisher_claims(df: pd.DataFrame, path: Path, inv: pd.DataFrame, vals: pd.DataFrame) -> pd.DataFrame:
    """Word numbers from the publisher's pages ('4 av 10'): claims checked against the report's values."""
    _check_duplicates(df, path, ["claim_id"])
    _check_allowed(df, path, "figure_id", set(inv["figure_id"]))
    _check_allowed(df, path, "checkable", {"yes", "no"})
    _check_urls(df, path)
    low = _to_number(df, path, "low", required=False)
    high = _to_number(df, path, "high", required=False)
    _check_measures(df, path, vals, ("measure", "compare_to"))
    out = df.copy()
    out["low"], out["high"] = low, high
    return out


def validate_publisher(df: pd.DataFrame, path: Path, inv: pd.DataFrame, cb: dict) -> pd.DataFrame:
    """Schema checks of the numbers taken from the publisher's web pages (each needs its address)."""
    _check_allowed(df, path, "figure_id", set(inv["figure_id"]))
    _check_allowed(df, path, "population", {"citizens", "personnel"})
    _check_allowed(df, path, "unit", UNITS)
    _check_allowed(df, path, "confidence", {"high", "medium", "low"})
    _check_urls(df, path)
    value = _to_number(df, path, "value")
    bad = (df["unit"] == "percent") & ~value.between(0, 100)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "value", df["value"].iloc[i], "is outside 0-100 for unit 'percent'")
    base = _to_number(df, path, "base_n", integer=True, required=False)
    _check_categories(df, path, inv, cb)
    _check_duplicates(df, path, VALUE_KEY)
    out = df.copy()
    out["year"] = _to_number(df, path, "year", integer=True).astype(int)
    out["value"] = value
    out["base_n"] = base.astype("Int64")
    return out


def validate_unplaced(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame,
                      source_lines: list[str]) -> pd.DataFrame:
    """Numbers standing alone in the text that are not results (axis years, slide numbers) or cannot be placed."""
    _check_allowed(df, path, "report", {report})
    _check_allowed(df, path, "kind", {"axis_label", "page_number", "unmapped_value"})
    _check_allowed(df, path, "figure_id", set(inv["figure_id"]) | {""})
    line = _to_number(df, path, "source_line", integer=True)
    for i, (ln, printed) in enumerate(zip(line, df["printed"])):
        if not 1 <= ln <= len(source_lines) or printed not in source_lines[int(ln) - 1]:
            _fail(path, i, "printed", printed, f"does not stand on line {int(ln)} of the source text")
        if not df["reason"].iloc[i].strip():
            _fail(path, i, "reason", "", "is empty")
    return df.assign(source_line=line.astype(int))


def validate_issues(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame) -> pd.DataFrame:
    """Schema checks of one report's list of source contradictions."""
    _check_allowed(df, path, "report", {report})
    _check_duplicates(df, path, ["issue_id"])
    _check_allowed(df, path, "kind", ISSUE_KINDS)
    known = set(inv["figure_id"])
    for i, figs in enumerate(df["figure_id"]):
        for f in filter(None, (s.strip() for s in figs.split(";"))):
            if f not in known:
                _fail(path, i, "figure_id", f, "is not a figure of the inventory")
    for i, d in enumerate(df["description"]):
        if not d.strip():
            _fail(path, i, "description", d, "is empty")
    return df


def load_published(root: Path = PUBLISHED) -> dict:
    """Read and validate every published table under `root`; raise DataError on the first fault."""
    cb = read_codebook(root)
    parts = {"inventory": [], "values": [], "issues": []}
    for report, folder in REPORTS.items():
        base = root / folder
        lines = (root / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
        inv = validate_inventory(read_csv(base / "inventory.csv", INVENTORY_COLUMNS), base / "inventory.csv",
                                 report, cb)
        vals = validate_values(read_csv(base / "values.csv", VALUES_COLUMNS), base / "values.csv", report, inv,
                               cb, lines)
        iss = validate_issues(read_csv(base / "source_issues.csv", ISSUES_COLUMNS), base / "source_issues.csv",
                              report, inv)
        upath = base / "unplaced.csv"
        if upath.exists():
            parts.setdefault("unplaced", []).append(validate_unplaced(read_csv(upath, UNPLACED_COLUMNS), upath, report,
                                                                      inv, lines))
        parts["inventory"].append(inv.assign(order=inv["order"].astype(int)))
        parts["values"].append(vals)
        parts["issues"].append(iss)
    out = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    out["codebook"] = cb
    inv_all = out["inventory"]
    ppath = root / "publisher" / "values.csv"
    out["publisher"] = validate_publisher(read_csv(ppath, PUBLISHER_COLUMNS), ppath, inv_all, cb) \
        if ppath.exists() else pd.DataFrame(columns=PUBLISHER_COLUMNS)
    # Claims are checked against the report's numbers, or the publisher's where the text lost them.
    checkable_values = pd.concat([out["values"], out["publisher"]], ignore_index=True)
    claims = []
    for report, folder in REPORTS.items():
        path = root / folder / "claims.csv"
        if path.exists():
            lines = (root / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
            claims.append(validate_claims(read_csv(path, CLAIMS_COLUMNS), path, report, inv_all, checkable_values,
                                          lines))
    out["claims"] = pd.concat(claims, ignore_index=True) if claims else pd.DataFrame(columns=CLAIMS_COLUMNS)
    cpath = root / "publisher" / "claims.csv"
    out["publisher_claims"] = validate_publisher_claims(read_csv(cpath, PUBLISHER_CLAIMS_COLUMNS), cpath, inv_all,
                                                        out["values"]) if cpath.exists() else \
        pd.DataFrame(columns=PUBLISHER_CLAIMS_COLUMNS)
    return out


@functools.cache
def _load() -> dict:
    return load_published(PUBLISHED)


def inventory() -> pd.DataFrame:
    """Every slide of both reports, validated."""
    return _load()["inventory"].copy()


def values() -> pd.DataFrame:
    """Every number printed in both reports, validated (value, year and base_n numeric)."""
    return _load()["values"].copy()


def claims() -> pd.DataFrame:
    """Every checkable statement with a number or a direction, from both reports."""
    return _load()["claims"].copy()


def publisher_claims() -> pd.DataFrame:
    """Numbers the publisher's pages give in words, as claims to check (with the page address)."""
    return _load()["publisher_claims"].copy()


def publisher_values() -> pd.DataFrame:
    """Numbers from the publisher's web pages mapped to the reports' figures, each with its address."""
    return _load()["publisher"].copy()


def unplaced() -> pd.DataFrame:
    """Lone numbers of the report texts that are not in values.csv: axis years, slide numbers, unmappable values."""
    return _load().get("unplaced", pd.DataFrame(columns=UNPLACED_COLUMNS)).copy()


def source_issues() -> pd.DataFrame:
    """Every recorded contradiction inside or between the reports."""
    return _load()["issues"].copy()


def figure(figure_id: str) -> dict:
    """The inventory row of one figure, with its codebook question attached."""
    inv = _load()["inventory"]
    row = inv[inv["figure_id"] == figure_id]
    if row.empty:
        raise KeyError(f"unknown figure id {figure_id!r}")
    out = row.iloc[0].to_dict()
    out["question"] = codebook()["questions"].get(out["question_id"])
    return out


def scale_labels(scale_id: str, lang: str = "no") -> list[str]:
    """Labels of an answer scale in printed order."""
    return [l[lang] for l in codebook()["scales"][scale_id]["labels"]]


def english(question_id: str) -> dict[str, str]:
    """Norwegian -> English for a question's answer labels and items."""
    cb = codebook()
    q = cb["questions"][question_id]
    out = {l["no"]: l["en"] for l in cb["scales"][q["scale"]]["labels"]}
    out.update({it["no"]: it["en"] for it in q.get("items") or []})
    return out


def published(figure_id: str) -> pd.DataFrame:
    """Tidy numbers of one figure, categories in scale order, with English labels and the scale id."""
    vals = _load()["values"]
    fig = figure(figure_id)
    out = vals[vals["figure_id"] == figure_id].copy()
    if fig["question_id"]:
        q = fig["question"]
        order = scale_labels(q["scale"])
        out["category"] = pd.Categorical(out["category"], categories=order, ordered=True)
        en = english(fig["question_id"])
        out["category_en"] = out["category"].astype(str).map(en)
        out["item_en"] = out["item"].map(lambda s: en.get(s, s))
        out["scale"] = q["scale"]
    return out.sort_values(["population", "year", "item", "category"], kind="stable").reset_index(drop=True)


def bar_sums(pub: dict | None = None) -> pd.DataFrame:
    """Sum of each stacked bar (figure, population, year, item) and whether every category is printed."""
    pub = _load() if pub is None else pub
    vals, inv, cb = pub["values"], pub["inventory"], pub["codebook"]
    stacked = inv.loc[inv["chart_type"] == "stacked_bar", ["figure_id", "question_id"]]
    v = vals[(vals["unit"] == "percent")].merge(stacked, on="figure_id")
    rows = []
    for (fid, pop, year, item), g in v.groupby(["figure_id", "population", "year", "item"], sort=True):
        scale = cb["scales"][cb["questions"][g["question_id"].iloc[0]]["scale"]]
        labels = [l["no"] for l in scale["labels"]]
        exhaustive = scale.get("exhaustive", True)
        rows.append({"figure_id": fid, "population": pop, "year": year, "item": item,
                     "sum": round(float(g["value"].sum()), 6), "categories": len(g),
                     "complete": exhaustive and set(labels) <= set(g["category"])})
    return pd.DataFrame(rows, columns=["figure_id", "population", "year", "item", "sum", "categories", "complete"])


def population_margins(year: int) -> pd.DataFrame:
    """Population aged 15+ on 1 January of `year` by sex, age group and health region (long table)."""
    m = pd.read_csv(DATA / "population" / "margins.csv")
    out = m[m["year"] == year].drop(columns="year").reset_index(drop=True)
    if out.empty:
        raise KeyError(f"no population margins for {year} (have {sorted(m['year'].unique())})")
    return out


def interviews() -> pd.DataFrame:
    """Completed interviews per report and year, with where each number stands in the source.

    The method text where it gives the number; otherwise the largest base printed on a chart
    of that year (a question asked of everyone).
    """
    v, inv = values(), inventory()
    rows = []
    for report in REPORTS:
        vr = v[(v["report"] == report) & (v["unit"] == "count") & v["item"].isin(["Antall intervju", "Total"])
               & (v["category"] == "n")]
        have = set()
        for r in vr.itertuples():
            rows.append({"report": report, "year": r.year, "n": int(r.value), "figure_id": r.figure_id,
                         "source": f"method text, line {r.source_line}"})
            have.add(r.year)
        best: dict[int, tuple[int, str]] = {}
        for fid, bases in inv.loc[inv["report"] == report, ["figure_id", "bases"]].itertuples(index=False):
            for part in filter(None, str(bases).split(";")):
                y, _, n = part.partition(":")
                if y.strip().isdigit() and n.strip().isdigit() and int(y) not in have:
                    if int(n) > best.get(int(y), (0, ""))[0]:
                        best[int(y)] = (int(n), fid)
        for y, (n, fid) in best.items():
            rows.append({"report": report, "year": y, "n": n, "figure_id": fid,
                         "source": f"largest chart base ({fid})"})
    return pd.DataFrame(rows).sort_values(["report", "year"]).reset_index(drop=True)


def sample_composition() -> pd.DataFrame:
    """Unweighted sample composition tables from the publisher's pages (with their addresses)."""
    return pd.read_csv(PUBLISHED / "publisher" / "sample_composition.csv")


def inventory_bases(figure_id: str) -> dict[int, int]:
    """Bases printed in a figure's legend, {year: n}; a year with several different bases is left out."""
    inv = _load()["inventory"].set_index("figure_id")
    found: dict[int, set] = {}
    for part in filter(None, str(inv.loc[figure_id, "bases"]).split(";")):
        y, _, n = part.partition(":")
        if y.strip().isdigit() and n.strip().isdigit():
            found.setdefault(int(y), set()).add(int(n))
    return {y: ns.pop() for y, ns in found.items() if len(ns) == 1}


def printed_base(rows: pd.DataFrame) -> float | None:
    """The base printed for a bar: its rows' base_n, else the figure's legend for that year, else the legend
    of the chart the inventory's base_from names for that item (a comparison slide repeating a chart)."""
    base = rows["base_n"].dropna()
    if len(base):
        return float(base.max())
    years = rows["year"].unique()
    if len(years) != 1:
        return None
    fid, year = rows["figure_id"].iloc[0], int(years[0])
    b = inventory_bases(fid).get(year)
    if b is None and "item" in rows:
        inv = _load()["inventory"].set_index("figure_id")
        links = dict(p.rpartition("=")[::2] for p in filter(None, str(inv.loc[fid, "base_from"]).split(";")))
        if rows["item"].iloc[0] in links:
            b = inventory_bases(links[rows["item"].iloc[0]]).get(year)
    return None if b is None else float(b)
