"""Load and validate the transcribed published tables, the codebook and the population margins.

Structure (columns, types, required fields, allowed values, ranges, primary and foreign keys) is
declared in data/datapackage.yaml and checked by frictionless (lib/ehelse/datapackage.py); this
module checks only what a schema cannot express (a folder's report, the codebook's questions and
scale labels, the source text's lines, ranges that depend on the unit, claim measures). Every check
reports the file, the row (= line of the file, header = row 1), the field and the value at fault.
Nothing is dropped or coerced.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import DATA, datapackage, waves
from .datapackage import DataError

PUBLISHED = DATA / "published"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Tables of each report folder, by the suffix of their name in data/datapackage.yaml.
REPORT_TABLES = ("inventory", "values", "claims", "unplaced", "source-issues")
VALUE_KEY = ["report", "figure_id", "population", "year", "item", "category", "unit"]
#: Range of `value` by unit (a conditional rule a Table Schema cannot declare).
UNIT_RANGES = {"percent": (0, 100), "nps_points": (-100, 100), "count": (0, np.inf)}


def _columns(name: str) -> list[str]:
    return [f["name"] for f in datapackage.resource(name)["schema"]["fields"]]


def _fail(path: Path, row: int | None, column: str | None, value, why: str):
    """Raise DataError in the frictionless messages' form: file, row (header = row 1), field, value."""
    where = str(path.relative_to(DATA.parent) if path.is_relative_to(DATA.parent) else path)
    if row is not None:
        where += f", row {row + 2}"
    if column is not None:
        where += f", field {column!r}"
    raise DataError(f"{where}: value {value!r} {why}")


def _check_in(df, path, column, allowed, why):
    """A cross-file rule: every value of `column` must be in `allowed` (another file's keys)."""
    bad = ~df[column].isin(allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, column, df[column].iloc[i], why)


def _check_categories(df: pd.DataFrame, path: Path, inv: pd.DataFrame, cb: dict, nets: bool = False) -> None:
    """Every category must be a label of the answer scale of its figure's question (or, where `nets`, the
    name of one of the scale's nets: a source that prints only "enig" = "Helt enig" + "Delvis enig")."""
    qid = df["figure_id"].map(inv.set_index("figure_id")["question_id"])
    # A headline that prints only some of its chart's numbers may print a net share ("55 % fornøyd").
    # (numbers_source 'partial', or a chart drawn from the publisher's pages whose headline prints some of its numbers).
    src = inv.set_index("figure_id")
    partial = ((df["figure_id"].map(src["numbers_source"]) == "partial")
               | ((df["figure_id"].map(src["numbers_source"]) == "publisher")
                  & (df["figure_id"].map(src["numbers_in_text"]) == "partial")))
    for i, (q, cat) in enumerate(zip(qid, df["category"])):
        scale = cb["scales"][cb["questions"][q]["scale"]] if q else {}
        labels = [l["no"] for l in scale.get("labels", [])]
        net_names = list(scale.get("nets") or {}) if (nets or partial.iloc[i]) else []  # a page or headline may print a net
        if cat not in labels + net_names:
            _fail(path, i, "category", cat, f"is not a label of question {q!r}'s scale {labels}"
                  + (f" or one of its nets {net_names}" if net_names else ""))


def _check_lines(df, path, column, source_lines):
    bad = ~df[column].between(1, len(source_lines))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, column, int(df[column].iloc[i]), f"is not a line of the source text (1-{len(source_lines)})")


def _check_unit_ranges(df, path):
    for unit, (lo, hi) in UNIT_RANGES.items():
        bad = (df["unit"] == unit) & ~df["value"].between(lo, hi)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            _fail(path, i, "value", f"{df['value'].iloc[i]:g}", f"is outside {lo}-{hi} for unit {unit!r}")


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
    for folder in dict.fromkeys(waves.reports().values()):
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
    """Rules of one report's inventory beyond its schema: its folder's report, questions of the codebook."""
    _check_in(df, path, "report", {report}, f"is not this folder's report ({report!r})")
    for i, (ct, kind) in enumerate(zip(df["chart_type"], df["chart"])):
        if (ct == "text") != (kind == "text"):
            _fail(path, i, "chart", kind, f"must be 'text' exactly when chart_type is 'text' (chart_type {ct!r})")
    for i, q in enumerate(df["question_id"]):
        if q and q not in cb["questions"]:
            _fail(path, i, "question_id", q, "is not a question of the codebook")
        if not q and df["chart_type"].iloc[i] != "text" and df["numbers_in_text"].iloc[i] != "no":
            _fail(path, i, "question_id", q, f"is empty but the slide has a {df['chart_type'].iloc[i]} chart "
                  "with numbers")
    for i, bf in enumerate(df["base_from"]):
        for part in filter(None, bf.split(";")):
            if part.rpartition("=")[2] not in set(df["figure_id"]):
                _fail(path, i, "base_from", bf, "must name figures of this inventory")
    return df


def validate_values(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame, cb: dict,
                    source_lines: list[str]) -> pd.DataFrame:
    """Rules of one report's numbers beyond its schema: unit ranges, the source text, the codebook."""
    _check_in(df, path, "report", {report}, f"is not this folder's report ({report!r})")
    _check_unit_ranges(df, path)
    _check_lines(df, path, "source_line", source_lines)
    _check_categories(df, path, inv, cb)
    return df.astype({"year": int, "source_line": int})


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


def _check_low_high(df, path):
    bad = df["low"].notna() & df["high"].notna() & (df["low"] > df["high"])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        _fail(path, i, "low", f"{df['low'].iloc[i]:g}", f"is above high ({df['high'].iloc[i]:g})")


def validate_claims(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame, vals: pd.DataFrame,
                    source_lines: list[str]) -> pd.DataFrame:
    """Rules of one report's claims beyond its schema: low <= high, lines of the text, measures resolve."""
    _check_in(df, path, "report", {report}, f"is not this folder's report ({report!r})")
    _check_lines(df, path, "source_line", source_lines)
    _check_low_high(df, path)
    _check_measures(df, path, vals, ("measure", "compare_to"))
    return df.astype({"source_line": int})


def validate_publisher_claims(df: pd.DataFrame, path: Path, inv: pd.DataFrame, vals: pd.DataFrame) -> pd.DataFrame:
    """Word numbers from the publisher's pages ('4 av 10'): figures of either report, measures resolve."""
    _check_in(df, path, "figure_id", set(inv["figure_id"]), "is not a figure of either report's inventory")
    _check_low_high(df, path)
    _check_measures(df, path, vals, ("measure", "compare_to"))
    return df


def validate_publisher(df: pd.DataFrame, path: Path, inv: pd.DataFrame, cb: dict) -> pd.DataFrame:
    """Rules of the publisher's numbers beyond their schema: figures of either report, unit ranges, codebook."""
    _check_in(df, path, "figure_id", set(inv["figure_id"]), "is not a figure of either report's inventory")
    _check_unit_ranges(df, path)
    _check_categories(df, path, inv, cb, nets=True)
    return df.astype({"year": int})


def validate_unplaced(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame,
                      source_lines: list[str]) -> pd.DataFrame:
    """Numbers standing alone in the text that are not results: each must stand on its line."""
    _check_in(df, path, "report", {report}, f"is not this folder's report ({report!r})")
    for i, (ln, printed) in enumerate(zip(df["source_line"], df["printed"])):
        if not 1 <= ln <= len(source_lines) or printed not in source_lines[int(ln) - 1]:
            _fail(path, i, "printed", printed, f"does not stand on line {int(ln)} of the source text")
    return df.astype({"source_line": int})


def validate_issues(df: pd.DataFrame, path: Path, report: str, inv: pd.DataFrame) -> pd.DataFrame:
    """Rules of one report's list of contradictions beyond its schema: each figure named is in the inventory."""
    _check_in(df, path, "report", {report}, f"is not this folder's report ({report!r})")
    known = set(inv["figure_id"])
    for i, figs in enumerate(df["figure_id"]):
        for f in filter(None, (s.strip() for s in figs.split(";"))):
            if f not in known:
                _fail(path, i, "figure_id", f, "is not a figure of the inventory")
    return df


def validate_measures(df: pd.DataFrame, path: Path, inv: pd.DataFrame) -> pd.DataFrame:
    """Short English measure names: one per chart of the inventories (either report), none blank."""
    _check_in(df, path, "figure_id", set(inv["figure_id"]), "is not a figure of either report's inventory")
    for i, m in enumerate(df["measure_en"]):
        if not m.strip():
            _fail(path, i, "measure_en", m, "is empty")
    return df


def load_published(root: Path = PUBLISHED) -> dict:
    """Read and validate every published table under `root`; raise DataError on the first fault.

    The declared schemas (data/datapackage.yaml) are checked by frictionless first; then the rules
    a schema cannot express (the folder's report, the codebook, the source text, claim measures).
    """
    tables = datapackage.resource_names("published/")
    datapackage.validate(tables, published=root)

    def read(name):
        return datapackage.read(name, published=root), datapackage.table_path(datapackage.resource(name), root)

    cb = read_codebook(root)
    parts = {"inventory": [], "values": [], "issues": [], "unplaced": []}
    for report, folder in waves.reports().items():
        lines = (root / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
        inv = validate_inventory(*read(f"{folder}-inventory"), report, cb).astype({"order": int})
        parts["inventory"].append(inv)
        parts["values"].append(validate_values(*read(f"{folder}-values"), report, inv, cb, lines))
        parts["issues"].append(validate_issues(*read(f"{folder}-source-issues"), report, inv))
        parts["unplaced"].append(validate_unplaced(*read(f"{folder}-unplaced"), report, inv, lines))
    out = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    out["codebook"] = cb
    out["measures"] = validate_measures(*read("measures"), out["inventory"])
    inv_all = out["inventory"]
    out["publisher"] = validate_publisher(*read("publisher-values"), inv_all, cb)
    # Claims are checked against the report's numbers, or the publisher's where the text lost them.
    checkable_values = pd.concat([out["values"], out["publisher"]], ignore_index=True)
    claims = []
    for report, folder in waves.reports().items():
        lines = (root / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
        claims.append(validate_claims(*read(f"{folder}-claims"), report, inv_all, checkable_values, lines))
    out["claims"] = pd.concat(claims, ignore_index=True)
    out["publisher_claims"] = validate_publisher_claims(*read("publisher-claims"), inv_all, checkable_values)
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


def measures() -> dict[str, str]:
    """Figure id -> short English name of the chart's measure (data/published/measures.csv)."""
    m = _load()["measures"]
    return dict(zip(m["figure_id"], m["measure_en"]))


def publisher_values() -> pd.DataFrame:
    """Numbers from the publisher's web pages mapped to the reports' figures, each with its address."""
    return _load()["publisher"].copy()


def unplaced() -> pd.DataFrame:
    """Lone numbers of the report texts that are not in values.csv: axis years, slide numbers, unmappable values."""
    return _load()["unplaced"].copy()


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
    scale = cb["scales"][q["scale"]]
    out = {l["no"]: l["en"] for l in scale["labels"]}
    for net, members in (scale.get("nets") or {}).items():  # a net share printed alone (partial charts)
        out.setdefault(net, " or ".join(out.get(m, m) if i == 0 else out.get(m, m).lower() for i, m in enumerate(members)))
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
    datapackage.validate(["population-margins"])
    m = pd.read_csv(DATA / "population" / "margins.csv")
    out = m[m["year"] == year].drop(columns="year").reset_index(drop=True)
    if out.empty:
        raise KeyError(f"no population margins for {year} (have {sorted(int(y) for y in m['year'].unique())})")
    return out


def wave_margins(survey: str, year: int) -> pd.DataFrame:
    """Population margins a weighted wave is raked to (its registry margin year); a clear error when missing."""
    my = waves.margin_year(survey, year)
    if my is None:
        raise DataError(f"{survey} wave {year} is not weighted: it has no population margins")
    try:
        return population_margins(my)
    except KeyError as e:
        raise DataError(f"{survey} wave {year} is weighted to the population of {my}, but "
                        f"data/population/margins.csv has no margins for {my}: {e.args[0]}") from None


def interviews() -> pd.DataFrame:
    """Completed interviews per report and year, with where each number stands in the source.

    The method text where it gives the number; otherwise the largest base printed on a chart
    of that year (a question asked of everyone).
    """
    v, inv = values(), inventory()
    rows = []
    for report in waves.reports():
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
    rows += _later_interviews(rows, publisher_values(), _registry_interviews())
    return pd.DataFrame(rows).sort_values(["report", "year"]).reset_index(drop=True)


def _later_interviews(have: list[dict], pub: pd.DataFrame, registry: pd.DataFrame) -> list[dict]:
    """Interviews of waves the report text does not cover: the publisher's method table, else the wave registry."""
    known = {(r["report"], r["year"]) for r in have}
    rows = []
    counts = pub[(pub["unit"] == "count") & pub["item"].isin(["Antall intervju", "Total"]) & (pub["category"] == "n")]
    for r in counts.itertuples():
        if (r.report, r.year) not in known:
            rows.append({"report": r.report, "year": int(r.year), "n": int(r.value), "figure_id": r.figure_id,
                         "source": f"publisher's page {r.url}"})
            known.add((r.report, r.year))
    for r in registry.itertuples():
        if (r.report, r.year) not in known:
            rows.append({"report": r.report, "year": int(r.year), "n": int(r.interviews), "figure_id": "",
                         "source": "wave registry (data/waves.csv)"})
            known.add((r.report, r.year))
    return rows


def _registry_interviews() -> pd.DataFrame:
    """(report, year, interviews) of every wave of the registry that gives a number."""
    w = waves.waves()
    w = w[w["interviews"].notna()]
    return w.assign(year=w["year"].astype(int), interviews=w["interviews"].astype(int))[["report", "year", "interviews"]]


PLACEMENT_COLUMNS = ["source_file", "source_row", "year", "printed", "url", "placed_as", "target", "reason"]


def placement(root: Path = PUBLISHED) -> pd.DataFrame:
    """Where each row of the publisher source files (publisher/source/*.csv) went: a value, a claim or not placed.

    Checked against the source files and the loaded tables: every source row is listed once with its
    year, printed number and page address as in the source; a value names a key of publisher/values.csv
    holding that number, a claim names a claim_id of publisher/claims.csv with those words, page and year,
    and a row not placed gives its reason.
    """
    base = root / "publisher"
    path = base / "placement.csv"
    df = datapackage.read("publisher-placement", published=root).astype(str)
    pub = load_published(root) if root != PUBLISHED else _load()
    vals = pub["publisher"].assign(year=lambda d: d["year"].astype(str))
    vals = vals.set_index(["figure_id", "population", "year", "item", "category"])
    pclaims = pub["publisher_claims"].set_index("claim_id")
    sources = {}
    for f in sorted(base.glob("source/*.csv")):
        sources[f"source/{f.name}"] = pd.read_csv(f, dtype=str, keep_default_na=False)
    for i, r in enumerate(df.itertuples(index=False)):
        if r.source_file not in sources:
            _fail(path, i, "source_file", r.source_file, f"is not a file of publisher/source ({sorted(sources)})")
        src = sources[r.source_file]
        k = int(r.source_row) if r.source_row.isdigit() else 0
        if not 1 <= k <= len(src):
            _fail(path, i, "source_row", r.source_row, f"is not a data row of {r.source_file} (1-{len(src)})")
        s = src.iloc[k - 1]
        for col, want in (("year", s["year"]), ("printed", s["percent"]), ("url", s["url"])):
            if getattr(r, col) != want:
                _fail(path, i, col, getattr(r, col), f"differs from {r.source_file} row {k} ({want!r})")
        if r.placed_as == "value":
            parts = r.target.split("|")
            if len(parts) != 5 or tuple(parts) not in vals.index:
                _fail(path, i, "target", r.target, "names no value of publisher/values.csv "
                      "(FIGURE|POPULATION|YEAR|ITEM|CATEGORY)")
            v = vals.loc[tuple(parts), "value"]
            v = float(v.iloc[0]) if isinstance(v, pd.Series) else float(v)
            if parts[2] != r.year or abs(v - float(r.printed)) > 1e-9:
                _fail(path, i, "target", r.target, f"holds {v:g} for {parts[2]}, not the source's {r.printed} "
                      f"for {r.year}")
        elif r.placed_as == "claim":
            if r.target not in pclaims.index:
                _fail(path, i, "target", r.target, "is not a claim_id of publisher/claims.csv")
            c = pclaims.loc[r.target]
            if (c["printed"], c["url"], c["year"]) != (r.printed, r.url, r.year):
                _fail(path, i, "target", r.target, "has other words, page or year than the source row")
        elif not r.reason.strip():
            _fail(path, i, "reason", r.reason, "is empty: a number not placed needs its reason")
    for name, src in sources.items():
        listed = set(df.loc[df["source_file"] == name, "source_row"].astype(int))
        missing = sorted(set(range(1, len(src) + 1)) - listed)
        if missing:
            raise DataError(f"{path}: rows {missing} of {name} are not accounted for (value, claim or unplaced)")
    return df.assign(source_row=df["source_row"].astype(int))


def sample_composition() -> pd.DataFrame:
    """Unweighted sample composition tables from the publisher's pages (with their addresses)."""
    datapackage.validate(["publisher-sample-composition"])
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
