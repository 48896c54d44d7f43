"""Read a real microdata file (SPSS .sav, CSV or parquet) into the book's respondent format.

A mapping file (YAML) says which source variable holds each demographic and each question,
and what each code means in the codebook's terms:

    survey: citizens
    id: respnr                      # respondent id (optional; row number otherwise)
    year: {source: aar}             # or {value: <year>} for a one-year file
    weight: null                    # a base (design) weight variable: the starting weights of raking
    csv: {delimiter: ",", decimal: ".", encoding: utf-8}   # CSV dialect (these are the defaults)
    encoding: null                  # .sav only: override the file's declared character encoding
    variables:                      # weighting / breakdown variables
      sex: {source: kjonn, codes: {1: female, 2: male}}
      agegrp: {source: alder, bins: {15-29: [15, 29], 30-44: [30, 44], 45-59: [45, 59], 60+: [60, 120]}}
      region: {source: rhf, codes: {1: Sør-Øst, 2: Vest, 3: Midt-Norge, 4: Nord}}
    questions:                      # column name in the book: codes -> codebook labels
      cit_trust_storage: {source: q14, codes: {1: Helt enig, 2: Delvis enig, 9: Vet ikke}, missing: [99]}
      cit_nps: {source: q30, numeric: [0, 10], dont_know: [11], missing: [99]}

`missing` codes (and SPSS user-missing codes declared in the .sav) mean "not asked / no
answer" and become empty. Every other code must be mapped: an unmapped code is an error that
names the file, the variable, the codes and the rows. Nothing is dropped silently and nothing is
coerced: a CSV is read as text and a value is a number only when it is written as one in the
declared dialect (" 36 ", "3.6e1", "inf" are errors, not 36, 36.0 or infinity). The respondent
id must be unique, rows must not repeat, age bins must neither overlap nor leave gaps, every
question must have at least one answer, and every year must be a wave of the survey.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .data import codebook

MAPPING_KEYS = ("survey", "id", "year", "weight", "variables", "questions", "csv", "encoding")
CSV_KEYS = ("delimiter", "decimal", "encoding")
SPEC_KEYS = ("source", "codes", "bins", "numeric", "missing", "dont_know")
SURVEY_PREFIX = {"citizens": "cit_", "personnel": "per_"}
SURVEY_VARIABLES = {"citizens": {"sex", "agegrp", "region", "education"}, "personnel": {"workplace", "profession"}}
MULTIPROCESS_BYTES = 64 * 2 ** 20  # .sav files larger than this are read with 2 processes


class MicrodataError(ValueError):
    """A microdata file or its mapping does not fit the book; the message names file, variable, codes and rows."""


def _rows(mask) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    return f"{len(idx)} row(s), e.g. rows {[int(i) for i in idx[:5]]}, counting the first data row as 0"


# ------------------------------------------------------------------ the mapping

def read_mapping(path: str | Path) -> dict:
    """Read and check a mapping YAML file (allowed keys, survey, bins); errors name the file and line."""
    p = Path(path)
    if not p.is_file():
        raise MicrodataError(f"mapping file {p} does not exist")
    raw = p.read_bytes()
    if not raw.strip():
        raise MicrodataError(f"mapping file {p} is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise MicrodataError(f"mapping file {p}: not UTF-8 at byte {e.start} (line {line}): save it as UTF-8") from None
    try:
        m = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise MicrodataError(f"mapping file {p}{where}: YAML syntax error: {getattr(e, 'problem', None) or e}") from None
    return check_mapping(m, str(p))


def check_mapping(m, name: str = "mapping") -> dict:
    """A mapping dict checked: allowed keys, a declared survey, specs with a source, bins without overlap or gap."""
    if not isinstance(m, dict):
        raise MicrodataError(f"mapping file {name}: must be a YAML mapping of keys, not {type(m).__name__}")
    extra = [k for k in m if k not in MAPPING_KEYS]
    if extra:
        raise MicrodataError(f"mapping file {name}: key {extra[0]!r} is not allowed; allowed keys: {', '.join(MAPPING_KEYS)}")
    for key in ("survey", "variables", "questions"):
        if key not in m:
            raise MicrodataError(f"mapping file {name}: key {key!r} is missing")
    if m["survey"] not in SURVEY_PREFIX:
        raise MicrodataError(f"mapping file {name}: survey {m['survey']!r} must be one of {list(SURVEY_PREFIX)}")
    dialect = m.get("csv") or {}
    bad = [k for k in dialect if k not in CSV_KEYS]
    if bad:
        raise MicrodataError(f"mapping file {name}: csv.{bad[0]} is not allowed; allowed keys under csv: {', '.join(CSV_KEYS)}")
    if dialect.get("decimal", ".") not in (".", ","):
        raise MicrodataError(f"mapping file {name}: csv.decimal must be '.' or ',', not {dialect['decimal']!r}")
    for section in ("variables", "questions"):
        for var, spec in (m[section] or {}).items():
            if not isinstance(spec, dict) or "source" not in spec:
                raise MicrodataError(f"mapping file {name}: {section}.{var} needs a 'source' variable")
            bad = [k for k in spec if k not in SPEC_KEYS]
            if bad:
                raise MicrodataError(f"mapping file {name}: {section}.{var}.{bad[0]} is not allowed; allowed: {', '.join(SPEC_KEYS)}")
            if "bins" in spec:
                _check_bins(spec["bins"], f"mapping file {name}: {section}.{var}")
    prefix = SURVEY_PREFIX[m["survey"]]
    other = [q for q in (m["questions"] or {}) if not q.startswith(prefix)]
    wrong_vars = [v for v in (m["variables"] or {}) if v not in SURVEY_VARIABLES[m["survey"]]]
    if other or wrong_vars:
        what = f"question {other[0]!r}" if other else f"variable {wrong_vars[0]!r}"
        raise MicrodataError(f"mapping file {name}: declares survey {m['survey']!r} but maps {what}, which belongs to "
                             f"another survey (questions of {m['survey']} start with {prefix!r}; its variables are "
                             f"{sorted(SURVEY_VARIABLES[m['survey']])})")
    return m


def _check_bins(bins: dict, where: str) -> None:
    """Bins are closed whole-number ranges [lo, hi] that neither overlap nor leave gaps."""
    ranges = []
    for label, r in bins.items():
        if not (isinstance(r, (list, tuple)) and len(r) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                      for x in r) and r[0] <= r[1]):
            raise MicrodataError(f"{where}: bin {label!r} = {r!r} must be [low, high], whole numbers, low <= high")
        ranges.append((r[0], r[1], label))
    ranges.sort()
    for (lo1, hi1, a), (lo2, hi2, b) in zip(ranges, ranges[1:]):
        if lo2 <= hi1:
            raise MicrodataError(f"{where}: bins {a!r} [{lo1}, {hi1}] and {b!r} [{lo2}, {hi2}] overlap")
        if lo2 > hi1 + 1:
            raise MicrodataError(f"{where}: bins {a!r} [{lo1}, {hi1}] and {b!r} [{lo2}, {hi2}] leave a gap "
                                 f"({hi1 + 1}-{lo2 - 1} belongs to no bin)")


# ------------------------------------------------------------------ reading files

def read_raw(path: str | Path, mapping: dict | None = None) -> tuple[pd.DataFrame, dict[str, set]]:
    """Read .sav / .csv / .parquet as raw codes; also return SPSS user-missing codes per variable."""
    p = Path(path)
    mapping = mapping or {}
    if not p.is_file():
        raise MicrodataError(f"microdata file {p} does not exist")
    if p.stat().st_size == 0:
        raise MicrodataError(f"microdata file {p} is empty (0 bytes)")
    suffix = p.suffix.lower()
    if suffix == ".sav":
        df, user_missing = _read_sav(p, mapping.get("encoding"))
    elif suffix == ".csv":
        df, user_missing = read_csv_strict(p, mapping.get("csv") or {}), {}
    elif suffix == ".parquet":
        df, user_missing = pd.read_parquet(p), {}
    else:
        raise MicrodataError(f"{p}: unsupported file type {suffix!r} (use .sav, .csv or .parquet)")
    if len(df) == 0:
        raise MicrodataError(f"microdata file {p} has no rows (columns: {list(df.columns)[:10]})")
    return df, user_missing


def _read_sav(p: Path, encoding: str | None) -> tuple[pd.DataFrame, dict[str, set]]:
    import pyreadstat

    kw = {"apply_value_formats": False, "user_missing": True}
    if encoding:
        kw["encoding"] = encoding
    try:
        df = _read_sav_fast(p, kw)
        if df is not None:
            meta = df.attrs.pop("meta")
        elif p.stat().st_size > MULTIPROCESS_BYTES:
            df, meta = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, str(p), num_processes=2, **kw)
        else:
            df, meta = pyreadstat.read_sav(str(p), **kw)
    except Exception as e:  # pyreadstat's errors name neither the file nor the encoding
        raise MicrodataError(f"microdata file {p}: cannot be read as SPSS .sav"
                             f"{' with encoding ' + repr(encoding) if encoding else ''}: {type(e).__name__}: {e}") from None
    user_missing: dict[str, set] = {}
    for var, ranges in (meta.missing_ranges or {}).items():
        codes: set = set()
        uniq = pd.unique(df[var].dropna())
        for r in ranges:
            lo, hi = r["lo"], r["hi"]
            codes |= {lo} if lo == hi else {x for x in uniq if lo <= x <= hi}
        user_missing[var] = codes
    return df, user_missing


def _read_sav_fast(p: Path, kw: dict) -> pd.DataFrame | None:
    """Every variable of a .sav whose variables are all numeric, by array operations (ehelse.sav); else None.

    The frame equals pyreadstat's (same columns, float64 values, NaN for system-missing, user-missing
    codes kept); its metadata ride in attrs["meta"]. Files the fast path cannot take (text
    variables, dates, zlib compression, ...) return None and are read by pyreadstat.
    """
    import pyreadstat

    from .sav import read_numeric

    meta_kw = {k: v for k, v in kw.items() if k in ("encoding", "user_missing")}
    _, meta = pyreadstat.read_sav(str(p), metadataonly=True, **meta_kw)
    cols = read_numeric(p, meta, list(meta.column_names))
    if cols is None or len(cols) != len(meta.column_names):
        return None
    df = pd.DataFrame(cols, copy=False)
    df.attrs["meta"] = meta
    return df


def read_csv_strict(p: Path, dialect: dict) -> pd.DataFrame:
    """A CSV read as text in the declared dialect; a value becomes a number only if written as one."""
    sep, dec, enc = dialect.get("delimiter", ","), dialect.get("decimal", "."), dialect.get("encoding", "utf-8")
    raw = p.read_bytes()
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise MicrodataError(f"microdata file {p}: not valid {enc} at byte {e.start} (line {line}, bytes "
                             f"{raw[e.start:e.start + 4]!r}); declare the file's encoding in the mapping, e.g. "
                             f"csv: {{encoding: latin-1}}") from None
    except LookupError:
        raise MicrodataError(f"mapping: csv.encoding {enc!r} (for {p}) is not a known encoding") from None
    if enc.lower().replace("_", "-") in ("latin-1", "latin1", "iso-8859-1", "cp1252") and not text.isascii():
        try:
            raw.decode("utf-8")
            raise MicrodataError(f"microdata file {p}: the mapping declares encoding {enc!r} but the file is UTF-8 "
                                 f"(its non-ASCII characters decode as UTF-8; read as {enc} they would be garbled, "
                                 f"e.g. {text[next(i for i, ch in enumerate(text) if ord(ch) > 127):][:12]!r})")
        except UnicodeDecodeError:
            pass
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise MicrodataError(f"microdata file {p} is empty (no header line)")
    header = lines[0]
    import io

    df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
    if df.shape[1] == 1:
        seen = {d: header.count(d) for d in (",", ";", "\t", "|") if d != sep and header.count(d)}
        if seen:
            d = max(seen, key=seen.get)
            raise MicrodataError(f"microdata file {p}: read with delimiter {sep!r} the header is one column "
                                 f"({header[:60]!r}); it contains {seen[d]} {d!r}: declare csv: {{delimiter: {d!r}}} "
                                 f"in the mapping")
    return df.apply(lambda c: _parse_numbers(c, dec))


def _parse_numbers(col: pd.Series, decimal: str) -> pd.Series:
    """Text values -> numbers where every non-empty value is a plain number in the dialect; else text (empty = missing)."""
    s = col.astype(str)
    empty = s == ""
    dec = re.escape(decimal)
    integer = s.str.fullmatch(r"-?\d+")
    real = s.str.fullmatch(rf"-?\d+{dec}\d+")
    num = integer | real
    if (num | empty).all():
        return pd.to_numeric(s.where(~empty).str.replace(decimal, ".", regex=False), errors="raise")
    # some values are not plain numbers: keep them as text (the mapping reports them), the rest as numbers
    out = s.where(~empty).astype(object)
    out[num] = pd.to_numeric(s[num].str.replace(decimal, ".", regex=False), errors="raise").to_numpy(dtype=object)
    return out


def _hint(values) -> str:
    """A hint when text values look like numbers written in another dialect."""
    vals = [str(v) for v in values]
    if any(re.fullmatch(r"-?\d+,\d+", v) for v in vals):
        return "; the values use ',' as decimal mark: declare csv: {decimal: ','} in the mapping"
    if any(v != v.strip() for v in vals):
        return "; values with spaces are not stripped"
    return ""


# ------------------------------------------------------------------ mapping codes (vectorised)

def _norm(code):
    """Codes compare as numbers when they are numbers (SPSS gives 1.0 for 1); text stays text."""
    if isinstance(code, (float, np.floating)) and np.isfinite(code) and float(code).is_integer():
        return int(code)
    if isinstance(code, (np.integer,)):
        return int(code)
    return code


def _norm_key(code):
    """Mapping keys: numbers as numbers (a key written "1" in YAML means code 1)."""
    if isinstance(code, str) and re.fullmatch(r"-?\d+", code):
        return int(code)
    return _norm(code)


SMALL_CODE_RANGE = 1 << 16  # whole-number codes spanning fewer values than this are factorised by lookup


def _factor(col: pd.Series) -> tuple[np.ndarray, list]:
    """Codes of each row into the list of distinct (normalised) values, in order of appearance; -1 = empty."""
    small = _factor_small_codes(col)
    if small is not None:
        return small
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return codes, [_norm_key(u) for u in uniques]


def _factor_small_codes(col: pd.Series) -> tuple[np.ndarray, list] | None:
    """pd.factorize's answer for a numeric column of whole-number codes in a small range, by bincount; else None."""
    if col.dtype.kind not in "fiu" or len(col) == 0:
        return None
    if col.dtype.kind in "iu" and (col.min() < -(2 ** 53) or col.max() > 2 ** 53):
        return None  # beyond 2**53 float64 merges neighbouring integer codes
    x = col.to_numpy(dtype=np.float64, copy=False)
    empty = np.isnan(x)
    if empty.all():
        return None
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    if not (np.isfinite(lo) and np.isfinite(hi) and hi - lo < SMALL_CODE_RANGE):
        return None
    if not np.all((np.floor(x) == x) | empty):
        return None
    k = int(hi - lo) + 1
    off = np.where(empty, k, x - lo).astype(np.int64)  # k = empty
    first = np.full(k + 1, len(x), dtype=np.int64)
    first[off[::-1]] = np.arange(len(x) - 1, -1, -1)  # first row of every value (the last write wins)
    present = np.flatnonzero(first[:k] < len(x))
    order = present[np.argsort(first[present], kind="stable")]  # values in order of appearance
    lut = np.full(k + 1, -1, dtype=np.int64)
    lut[order] = np.arange(len(order))
    return lut[off], [_norm_key(float(lo + o)) for o in order]


def _categorical(label_u: list, idx: np.ndarray, categories: list, index) -> pd.Series:
    """Rows' labels as a categorical (category order of the mapping), from per-distinct-value labels."""
    pos = {c: i for i, c in enumerate(categories)}
    dtype = np.int8 if len(categories) < 127 else np.int64
    code_u = np.array([pos.get(lab, -1) if lab is not None else -1 for lab in label_u], dtype=dtype)
    return pd.Series(pd.Categorical.from_codes(code_u[idx], categories=categories, validate=False), index=index)


def _error(file: str, name: str, src: str, msg: str, mask=None) -> MicrodataError:
    return MicrodataError(f"{file}: {name} (variable {src!r}): {msg}" + (f" ({_rows(mask)})" if mask is not None else ""))


def _map_codes(raw: pd.DataFrame, name: str, spec: dict, user_missing: dict, allowed: list | None,
               required: bool, file: str) -> pd.Series:
    src = spec.get("source")
    if src not in raw.columns:
        raise MicrodataError(f"{file}: {name}: source variable {src!r} is not in the file "
                             f"(variables: {list(raw.columns)[:12]}{'…' if raw.shape[1] > 12 else ''})")
    codes, uniq = _factor(raw[src])
    missing = {_norm_key(c) for c in spec.get("missing", []) or []} | {_norm(c) for c in user_missing.get(src, set())}
    is_miss_u = np.array([u in missing for u in uniq] + [True], dtype=bool)  # last entry: empty (-1)
    idx = np.where(codes < 0, len(uniq), codes)
    if "bins" in spec or "numeric" in spec:
        dk = {_norm_key(c) for c in spec.get("dont_know", []) or []}
        bad_flag = np.array([not m and u not in dk and (isinstance(u, str) or not np.isfinite(u))
                             for u, m in zip(uniq, is_miss_u)] + [False], dtype=bool)
        if bad_flag.any():
            bad = [str(u) for u, b in zip(uniq, bad_flag) if b][:5]
            raise _error(file, name, src, f"value(s) {bad!r} are not plain numbers (nothing is coerced: no "
                                          f"spaces, exponents or infinities{_hint(bad)})", bad_flag[idx])
    if "bins" in spec:
        label_u = []
        for u, m in zip(uniq, is_miss_u):
            lab = None
            if not m and u not in dk:
                lab = next((l for l, (lo, hi) in spec["bins"].items() if lo <= u <= hi and float(u).is_integer()), None)
            label_u.append(lab)
        label_u.append(None)
        out = _categorical(label_u, idx, list(spec["bins"]), raw.index)
        unm_u = np.array([lab is None for lab in label_u], dtype=bool) & ~is_miss_u \
            & ~np.array([u in dk for u in uniq] + [False], dtype=bool)
    elif "numeric" in spec:
        lo, hi = spec["numeric"]
        val_u = [np.nan if (m or u in dk) else float(u) for u, m in zip(uniq, is_miss_u)] + [np.nan]
        unm_u = np.array([not m and u not in dk and not (lo <= float(u) <= hi and float(u).is_integer())
                          for u, m in zip(uniq, is_miss_u)] + [False], dtype=bool)
        out = pd.Series(np.asarray(val_u, dtype=float)[idx], index=raw.index)
    else:
        cmap = {_norm_key(k): v for k, v in (spec.get("codes") or {}).items()}
        if allowed is not None:
            wrong = [v for v in cmap.values() if v not in allowed]
            if wrong:
                raise MicrodataError(f"{file}: {name} (variable {src!r}): mapping gives label(s) {wrong} that are not "
                                     f"in the codebook's answer scale {allowed}")
        label_u = [None if m else cmap.get(u) for u, m in zip(uniq, is_miss_u)] + [None]
        unm_u = np.array([lab is None for lab in label_u], dtype=bool) & ~is_miss_u
        out = _categorical(label_u, idx, list(dict.fromkeys(cmap.values())), raw.index)
    if unm_u.any():
        bad = [str(u) for u, b in zip(uniq, unm_u) if b][:10]
        raise _error(file, name, src, f"code(s) {bad} are not covered by the mapping and not declared missing"
                                      f"{_hint(bad)}", unm_u[idx])
    if required and out.isna().any():
        raise _error(file, name, src, "weighting/breakdown variable is missing; the book cannot weight these "
                                      "respondents", out.isna().to_numpy())
    return out


def _numbers(raw: pd.DataFrame, src: str, name: str, file: str) -> np.ndarray:
    """A column that must hold finite numbers only (weights, years)."""
    col = raw[src]
    if not pd.api.types.is_numeric_dtype(col):
        bad = col.map(lambda v: isinstance(v, str))
        vals = [str(v) for v in pd.unique(col[bad])][:5]
        raise _error(file, name, src, f"value(s) {vals!r} are not plain numbers (nothing is coerced{_hint(vals)})",
                     bad.to_numpy())
    v = col.to_numpy(dtype=float)
    bad = ~np.isfinite(v)
    if bad.any():
        raise _error(file, name, src, f"value(s) {[str(x) for x in pd.unique(v[bad])][:5]} are missing or not finite",
                     bad)
    return v


def wave_years(survey: str) -> list[int]:
    """Years of the survey's waves: the wave registry (ehelse.waves) when present, else the published interviews."""
    try:
        from .waves import years  # the wave registry (data/waves.csv)

        return sorted(int(y) for y in years(survey))
    except ImportError:
        from .data import interviews

        iv = interviews()
        return sorted({int(y) for r, y in zip(iv["report"], iv["year"]) if re.sub(r"\d+$", "", r) == survey})


def apply_mapping(raw: pd.DataFrame, mapping: dict, user_missing: dict | None = None, *,
                  file: str = "microdata", survey: str | None = None) -> pd.DataFrame:
    """Raw coded data -> respondent table with codebook labels (empty = not asked / missing)."""
    user_missing = user_missing or {}
    mapping = check_mapping(mapping, mapping.get("_file", "mapping") if isinstance(mapping, dict) else "mapping")
    if survey is not None and mapping["survey"] != survey:
        raise MicrodataError(f"{file}: read as {survey!r} microdata, but its mapping is written for survey "
                             f"{mapping['survey']!r} (mapping key survey:); configure a mapping for {survey}")
    cb = codebook()
    out = pd.DataFrame(index=raw.index)
    idspec = mapping.get("id")
    if idspec:
        if idspec not in raw.columns:
            raise MicrodataError(f"{file}: id: source variable {idspec!r} is not in the file")
        ids = raw[idspec]
        if ids.isna().any():
            raise _error(file, "id", idspec, "respondent id is missing", ids.isna().to_numpy())
        dup = ids.duplicated(keep=False).to_numpy()
        if dup.any():
            raise _error(file, "id", idspec, f"duplicate respondent id(s) {[str(_norm(x)) for x in pd.unique(ids[dup])][:5]}",
                         dup)
        out["resp_id"] = ids.map(_norm) if ids.dtype == object else ids.to_numpy()
    else:
        dup = raw.duplicated(keep=False).to_numpy()
        if dup.any():
            raise MicrodataError(f"{file}: duplicate rows (every variable equal; {_rows(dup)}); declare the "
                                 f"respondent id (id:) or remove the repeated rows")
        out["resp_id"] = np.arange(1, len(raw) + 1)
    year = mapping.get("year") or {}
    known = wave_years(mapping["survey"])
    if "value" in year:
        years = np.full(len(raw), year["value"])
        if not isinstance(year["value"], int) or year["value"] not in known:
            raise MicrodataError(f"{file}: year: value {year['value']!r} is not a wave of {mapping['survey']} "
                                 f"(waves: {known})")
    elif "source" in year:
        if year["source"] not in raw.columns:
            raise MicrodataError(f"{file}: year: source variable {year['source']!r} is not in the file")
        years = _numbers(raw, year["source"], "year", file)
        unknown = ~np.isin(years, known)
        if unknown.any():
            raise _error(file, "year", year["source"], f"year(s) {sorted({str(_norm(y)) for y in years[unknown]})[:5]} "
                                                       f"are not waves of {mapping['survey']} (waves: {known})", unknown)
    else:
        raise MicrodataError(f"{file}: mapping key year: needs source: (a variable) or value: (one year)")
    out["year"] = years.astype(np.int64)
    for var, spec in mapping["variables"].items():
        out[var] = _map_codes(raw, var, spec, user_missing, None, True, file)
    w = mapping.get("weight")
    if w:
        if w not in raw.columns:
            raise MicrodataError(f"{file}: weight: variable {w!r} is not in the file")
        v = _numbers(raw, w, "weight", file)
        bad = ~(v > 0)
        if bad.any():
            raise _error(file, "weight", w, f"base weight(s) {[str(x) for x in pd.unique(v[bad])][:5]} are not "
                                            f"positive", bad)
        out["base_weight"] = v  # the starting weights of raking (weighting.rake reads this column)
    for col, spec in mapping["questions"].items():
        qid = col.split("[")[0]
        if qid not in cb["questions"]:
            raise MicrodataError(f"{file}: question {col!r} (mapping) is not in the codebook")
        allowed = None if "numeric" in spec else [l["no"] for l in cb["scales"][cb["questions"][qid]["scale"]]["labels"]]
        if allowed is not None:  # not-selected options and the unprinted rest of net-only scales
            allowed = allowed + ["Ikke valgt", "Øvrige svar"]
        out[col] = _map_codes(raw, col, spec, user_missing, allowed, False, file)
        if out[col].isna().all():
            raise _error(file, col, spec["source"], f"every value is missing or declared missing "
                                                    f"(missing codes {spec.get('missing', [])}); the question has no "
                                                    f"answers: remove it from the mapping or check the codes")
    return out.reset_index(drop=True)


def read_microdata(path: str | Path, mapping: str | Path | dict, survey: str | None = None) -> pd.DataFrame:
    """Read a microdata file through its mapping into the book's respondent format."""
    m = read_mapping(mapping) if not isinstance(mapping, dict) else mapping
    raw, user_missing = read_raw(path, m)
    return apply_mapping(raw, m, user_missing, file=str(path), survey=survey)


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
