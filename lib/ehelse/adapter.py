"""Read a real microdata file (SPSS .sav, CSV or parquet) into the book's respondent format.

A mapping file (YAML) says which source variable holds each demographic and each question,
and what each code means in the codebook's terms:

    survey: citizens
    id: respnr                      # respondent id (optional; row number otherwise)
    year: {source: aar}             # or {value: <year>} for a one-year file
    weight: null                    # a weight variable, or null to rake in the book
    variables:                      # weighting / breakdown variables
      sex: {source: kjonn, codes: {1: female, 2: male}}
      agegrp: {source: alder, bins: {15-29: [15, 29], 30-44: [30, 44], 45-59: [45, 59], 60+: [60, 120]}}
      region: {source: rhf, codes: {1: Sør-Øst, 2: Vest, 3: Midt-Norge, 4: Nord}}
    questions:                      # column name in the book: codes -> codebook labels
      cit_trust_storage: {source: q14, codes: {1: Helt enig, 2: Delvis enig, 9: Vet ikke}, missing: [99]}
      cit_nps: {source: q30, numeric: [0, 10], dont_know: [11], missing: [99]}

`missing` codes (and SPSS user-missing codes declared in the .sav) mean "not asked / no
answer" and become empty. Every other code must be mapped: an unmapped code is an error that
names the variable, the codes and the rows. Nothing is dropped silently.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .data import codebook


class MicrodataError(ValueError):
    """A microdata file or its mapping does not fit the book; the message names variable, codes and rows."""


def read_mapping(path: str | Path) -> dict:
    """Read a mapping YAML file."""
    p = Path(path)
    if not p.exists():
        raise MicrodataError(f"mapping file {p} does not exist")
    m = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    for key in ("survey", "variables", "questions"):
        if key not in m:
            raise MicrodataError(f"mapping file {p}: key {key!r} is missing")
    return m


def read_raw(path: str | Path) -> tuple[pd.DataFrame, dict[str, set]]:
    """Read .sav / .csv / .parquet as raw codes; also return SPSS user-missing codes per variable."""
    p = Path(path)
    if not p.exists():
        raise MicrodataError(f"microdata file {p} does not exist")
    suffix = p.suffix.lower()
    if suffix == ".sav":
        import pyreadstat

        df, meta = pyreadstat.read_sav(str(p), apply_value_formats=False, user_missing=True)
        user_missing: dict[str, set] = {}
        for var, ranges in (meta.missing_ranges or {}).items():
            codes = set()
            for r in ranges:
                lo, hi = r["lo"], r["hi"]
                codes |= {lo} if lo == hi else {x for x in df[var].dropna().unique() if lo <= x <= hi}
            user_missing[var] = codes
        return df, user_missing
    if suffix == ".csv":
        return pd.read_csv(p), {}
    if suffix == ".parquet":
        return pd.read_parquet(p), {}
    raise MicrodataError(f"{p}: unsupported file type {suffix!r} (use .sav, .csv or .parquet)")


def _norm(code):
    """Codes compare as numbers when they look like numbers (SPSS gives 1.0 for 1)."""
    if isinstance(code, str):
        try:
            f = float(code)
            return int(f) if f.is_integer() else f
        except ValueError:
            return code
    if isinstance(code, (float, np.floating)) and float(code).is_integer():
        return int(code)
    return code


def _rows(raw: pd.DataFrame, mask) -> str:
    idx = [int(i) for i in np.flatnonzero(np.asarray(mask))]
    return f"{len(idx)} row(s), e.g. rows {idx[:5]}"


def _map_codes(raw: pd.DataFrame, name: str, spec: dict, user_missing: dict, allowed: list | None,
               required: bool) -> pd.Series:
    src = spec.get("source")
    if src not in raw.columns:
        raise MicrodataError(f"{name}: source variable {src!r} is not in the file")
    col = raw[src].map(_norm)
    missing = {_norm(c) for c in spec.get("missing", [])} | {_norm(c) for c in user_missing.get(src, set())}
    is_missing = col.isna() | col.isin(missing)
    if "bins" in spec:
        num = pd.to_numeric(col.where(~is_missing), errors="coerce")
        out = pd.Series(np.nan, index=raw.index, dtype=object)
        for label, (lo, hi) in spec["bins"].items():
            out[(num >= lo) & (num <= hi)] = label
        unmapped = ~is_missing & out.isna()
    elif "numeric" in spec:
        lo, hi = spec["numeric"]
        dk = {_norm(c) for c in spec.get("dont_know", [])}
        is_dk = col.isin(dk)
        num = pd.to_numeric(col.where(~is_missing & ~is_dk), errors="coerce")
        out = num
        unmapped = ~is_missing & ~is_dk & (num.isna() | (num < lo) | (num > hi) | (num != np.floor(num)))
    else:
        codes = {_norm(k): v for k, v in (spec.get("codes") or {}).items()}
        if allowed is not None:
            wrong = [v for v in codes.values() if v not in allowed]
            if wrong:
                raise MicrodataError(f"{name} ({src}): mapping gives label(s) {wrong} that are not in the "
                                     f"codebook's answer scale {allowed}")
        out = col.map(codes).where(~is_missing)
        unmapped = ~is_missing & out.isna()
    if unmapped.any():
        found = sorted(map(str, col[unmapped].unique()))[:10]
        raise MicrodataError(f"{name}: variable {src!r} has code(s) {found} that the mapping does not "
                             f"cover and that are not declared missing ({_rows(raw, unmapped)})")
    if required and out.isna().any():
        raise MicrodataError(f"{name}: weighting/breakdown variable {src!r} is missing for "
                             f"{_rows(raw, out.isna())}; the book cannot weight these respondents")
    return out


def apply_mapping(raw: pd.DataFrame, mapping: dict, user_missing: dict | None = None) -> pd.DataFrame:
    """Raw coded data -> respondent table with codebook labels (empty = not asked / missing)."""
    user_missing = user_missing or {}
    cb = codebook()
    out = pd.DataFrame(index=raw.index)
    idspec = mapping.get("id")
    if idspec:
        if idspec not in raw.columns:
            raise MicrodataError(f"id: source variable {idspec!r} is not in the file")
        out["resp_id"] = raw[idspec].map(_norm)
    else:
        out["resp_id"] = np.arange(1, len(raw) + 1)
    year = mapping.get("year") or {}
    if "value" in year:
        out["year"] = int(year["value"])
    elif "source" in year:
        if year["source"] not in raw.columns:
            raise MicrodataError(f"year: source variable {year['source']!r} is not in the file")
        out["year"] = raw[year["source"]].map(_norm).astype(int)
    for var, spec in mapping["variables"].items():
        out[var] = _map_codes(raw, var, spec, user_missing, None, required=True)
    w = mapping.get("weight")
    if w:
        if w not in raw.columns:
            raise MicrodataError(f"weight: variable {w!r} is not in the file")
        out["weight"] = pd.to_numeric(raw[w], errors="raise")
    for col, spec in mapping["questions"].items():
        qid = col.split("[")[0]
        if qid not in cb["questions"]:
            raise MicrodataError(f"question {col!r} is not in the codebook")
        allowed = None if "numeric" in spec else [l["no"] for l in cb["scales"][cb["questions"][qid]["scale"]]["labels"]]
        if allowed is not None:  # not-selected options and the unprinted rest of net-only scales
            allowed = allowed + ["Ikke valgt", "Øvrige svar"]
        out[col] = _map_codes(raw, col, spec, user_missing, allowed, required=False)
    return out.reset_index(drop=True)


def read_microdata(path: str | Path, mapping: str | Path | dict) -> pd.DataFrame:
    """Read a microdata file through its mapping into the book's respondent format."""
    m = read_mapping(mapping) if not isinstance(mapping, dict) else mapping
    raw, user_missing = read_raw(path)
    return apply_mapping(raw, m, user_missing)


NOT_ASKED = 99  # SPSS user-missing code used by export_coded for "not asked"


def export_coded(df: pd.DataFrame, survey: str) -> tuple[pd.DataFrame, dict, dict]:
    """A respondent table as numeric codes, SPSS value labels and the mapping that reads it back.

    Used for the round-trip test and as a worked example of a mapping file. Codes are the
    1-based position of each label (sorted for breakdown variables); "not asked" is 99.
    """
    cb = codebook()
    demo = [c for c in ("sex", "agegrp", "region", "education", "workplace", "profession") if c in df.columns]
    coded = pd.DataFrame({"respnr": np.arange(1, len(df) + 1), "aar": df["year"].astype(int)})
    labels: dict[str, dict] = {}
    mapping: dict = {"survey": survey, "id": "respnr", "year": {"source": "aar"}, "weight": None,
                     "variables": {}, "questions": {}}
    for i, var in enumerate(demo):
        src = f"d{i + 1}"
        cats = sorted(df[var].dropna().unique())
        codes = {c: k + 1 for k, c in enumerate(cats)}
        coded[src] = df[var].map(codes)
        labels[src] = {k: c for c, k in codes.items()}
        mapping["variables"][var] = {"source": src, "codes": {k: c for c, k in codes.items()}}
    qcols = [c for c in df.columns if c.split("[")[0] in cb["questions"]]
    for j, col in enumerate(qcols):
        src = f"q{j + 1}"
        qid = col.split("[")[0]
        scale = cb["questions"][qid]["scale"]
        if pd.api.types.is_numeric_dtype(df[col]):
            coded[src] = df[col].fillna(NOT_ASKED)
            mapping["questions"][col] = {"source": src, "numeric": [0, 10], "missing": [NOT_ASKED]}
            continue
        cats = [l["no"] for l in cb["scales"][scale]["labels"]]
        extra = sorted(set(df[col].dropna()) - set(cats))
        cats = cats + extra
        codes = {c: k + 1 for k, c in enumerate(cats)}
        coded[src] = df[col].map(codes).fillna(NOT_ASKED)
        labels[src] = {**{k: c for c, k in codes.items()}, NOT_ASKED: "Ikke spurt"}
        mapping["questions"][col] = {"source": src, "codes": {k: c for c, k in codes.items()}, "missing": [NOT_ASKED]}
    return coded, labels, mapping
