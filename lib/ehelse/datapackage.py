"""The book's data as a Frictionless Data Package: declared schemas, validation, SCHEMA.md, the download.

`data/datapackage.yaml` declares every table (types, required fields, allowed values, ranges,
primary and foreign keys). `validate` runs frictionless on the tables and raises the project's
DataError naming file, row (= line of the file, header = row 1), field and value; results are
cached on disk keyed on the bytes of the descriptor and of every table validated.

    python -m ehelse.datapackage schema-md [--check]   # write (or check) data/published/SCHEMA.md
    python -m ehelse.datapackage zip OUT.zip            # the download: datapackage.json + every table
    python -m ehelse.datapackage validate [DIR|ZIP]     # validate the package (or an unpacked download)
"""
from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
import yaml

from . import DATA, ROOT

PACKAGE = DATA / "datapackage.yaml"
SCHEMA_MD = DATA / "published" / "SCHEMA.md"
SCHEMA_PROSE = DATA / "published" / "SCHEMA.prose.md"
CACHE = ROOT / "_build" / "validated"
#: Fixed timestamp of every zip entry (the download is byte-identical for the same inputs).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class DataError(ValueError):
    """A data file breaks its schema; the message names file, row, field and value."""


def descriptor() -> dict:
    """The package descriptor (anchors resolved, `x-` helper keys dropped); a fresh copy on every call."""
    return json.loads(_descriptor_json())


@functools.cache
def _descriptor_json() -> str:
    raw = yaml.load(PACKAGE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.dumps({k: v for k, v in raw.items() if not k.startswith("x-")}, ensure_ascii=False)


def resource(name: str) -> dict:
    """One resource (table) of the package by name."""
    for r in descriptor()["resources"]:
        if r["name"] == name:
            return r
    raise KeyError(f"{PACKAGE.name} declares no table {name!r}")


def resource_names(prefix: str = "") -> list[str]:
    """Names of the package's tables whose path starts with `prefix`, in declared order."""
    return [r["name"] for r in descriptor()["resources"] if r["path"].startswith(prefix)]


def table_path(res: dict, published: Path | None = None) -> Path:
    """File of a table; `published` relocates the tables under published/ (a copy of that folder)."""
    rel = res["path"]
    if published is not None and rel.startswith("published/"):
        return Path(published) / rel.removeprefix("published/")
    return DATA / rel


def _closure(names: list[str]) -> list[str]:
    """The tables named plus every table their foreign keys reference, in declared order."""
    want, todo = set(), list(names)
    while todo:
        n = todo.pop()
        if n in want:
            continue
        want.add(n)
        todo += [fk["reference"]["resource"] for fk in resource(n)["schema"].get("foreignKeys", [])
                 if fk["reference"].get("resource")]
    return [r["name"] for r in descriptor()["resources"] if r["name"] in want]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def _header_message(path: Path, schema: dict, err) -> str:
    """A header error named by column: which declared columns are missing, which are not declared."""
    with open(path, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    names = [f["name"] for f in schema["fields"]]
    missing, extra = [n for n in names if n not in header], [h for h in header if h not in names]
    where = f"{_shown(path)}, row 1 (header)"
    if missing:
        return f"{where}, field {missing[0]!r}: column(s) {missing} missing (the columns must be {names})"
    if extra:
        return f"{where}, field {extra[0]!r}: column(s) {extra} not declared (the columns must be {names})"
    return f"{where}, field {getattr(err, 'field_name', '')!r}: columns out of order (they must be {names})"


def _message(err, path: Path, schema: dict) -> str:
    """One frictionless error as 'FILE, row N, field F: value V why'."""
    where, row = _shown(path), getattr(err, "row_number", None)
    t = err.type
    if t in ("primary-key", "foreign-key"):
        cells = list(getattr(err, "cells", []) or [])
        names = [f["name"] for f in schema["fields"]]
        if t == "primary-key":
            key = schema["primaryKey"]
            value = "/".join(cells[names.index(k)] if names.index(k) < len(cells) else "" for k in key)
            first = re.search(r"position (\d+)", err.note)
            why = f"duplicates row {first.group(1)} (primary key)" if first else f"is a duplicate key ({err.note})"
            return f"{where}, row {row}, field {'+'.join(key)!r}: value {value!r} {why}"
        m = re.search(r'for "([^"]+)": values "([^"]*)" not found in the lookup table "([^"]+)" as "([^"]+)"', err.note)
        if m:
            return (f"{where}, row {row}, field {m.group(1)!r}: value {m.group(2)!r} is not a {m.group(4)} of "
                    f"table {m.group(3)!r} (foreign key)")
        return f"{where}, row {row}: {err.note} (foreign key)"
    if t.endswith("-label") or t == "incorrect-label":
        return _header_message(path, schema, err)
    field = getattr(err, "field_name", None)
    if field is not None and row is not None:
        cell = getattr(err, "cell", "")
        typ = re.search(r'type is "([^"/]+)', err.note)
        why = {"type-error": f"is not of type {typ.group(1) if typ else err.note}",
               "constraint-error": f"breaks the constraint {err.note.removeprefix('constraint ')}",
               "missing-cell": "is missing (the row has too few cells)"}.get(t, f"{t}: {err.note}")
        return f"{where}, row {row}, field {field!r}: value {cell!r} {why}"
    if row is not None:
        return f"{where}, row {row}: {err.message}"
    return f"{where}: {err.message}"


def _key(names: list[str], paths: dict[str, Path]) -> str:
    from importlib.metadata import version

    h = hashlib.sha256(version("frictionless").encode() + _descriptor_json().encode())
    for n in names:
        h.update(n.encode() + b"\0" + paths[n].read_bytes() + b"\0")
    return h.hexdigest()


def errors(names: list[str] | None = None, published: Path | None = None, limit: int = 20) -> list[str]:
    """Every schema violation of the named tables (and those their foreign keys reference), as messages."""
    from frictionless import Package, system

    names = _closure(names or resource_names())
    desc = descriptor()
    paths = {r["name"]: table_path(r, published) for r in desc["resources"] if r["name"] in names}
    missing = [f"{_shown(p)}: file is missing" for p in paths.values() if not p.is_file()]
    if missing:
        return missing
    desc["resources"] = [dict(r, path=str(paths[r["name"]])) for r in desc["resources"] if r["name"] in names]
    with system.use_context(trusted=True):
        report = Package(desc).validate(limit_errors=limit)
    out = []
    for task in report.tasks:
        res = next(r for r in desc["resources"] if r["name"] == task.name)
        out += [_message(e, Path(res["path"]), res["schema"]) for e in task.errors]
    return out


def validate(names: list[str] | None = None, published: Path | None = None) -> None:
    """Raise DataError naming file, row, field and value when a table breaks its declared schema."""
    names = _closure(names or resource_names())
    paths = {n: table_path(resource(n), published) for n in names}
    if all(p.is_file() for p in paths.values()):
        stamp = CACHE / _key(names, paths)
        if stamp.exists():
            return
    found = errors(names, published)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise DataError(found[0] + more)
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:  # a read-only checkout validates every time
        pass


def read(name: str, published: Path | None = None) -> pd.DataFrame:
    """A table typed by its schema: strings ('' = not given), integers (Int64), numbers, booleans."""
    res = resource(name)
    path = table_path(res, published)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for f in res["schema"]["fields"]:
        col = df[f["name"]]
        if f["type"] == "integer":
            df[f["name"]] = pd.to_numeric(col.replace("", None)).astype("Int64")
        elif f["type"] == "number":
            df[f["name"]] = pd.to_numeric(col.replace("", None))  # int64 when every value is whole
        elif f["type"] == "boolean":
            df[f["name"]] = col.map({**{v: True for v in f.get("trueValues", ["true"])},
                                     **{v: False for v in f.get("falseValues", ["false"])}})
    return df


# ---------------------------------------------------------------- SCHEMA.md

def _constraints(f: dict) -> str:
    c, out = f.get("constraints", {}), []
    if c.get("required"):
        out.append("required")
    if c.get("unique"):
        out.append("unique")
    if "enum" in c:
        out.append("one of " + ", ".join(f"`{v}`" for v in c["enum"]))
    if "minimum" in c and "maximum" in c:
        out.append(f"{c['minimum']} to {c['maximum']}")
    elif "minimum" in c:
        out.append(f"≥ {c['minimum']}")
    elif "maximum" in c:
        out.append(f"≤ {c['maximum']}")
    if "pattern" in c:
        out.append(f"pattern `{c['pattern']}`".replace("|", "\\|"))
    return "; ".join(out)


def _groups() -> list[tuple[list[dict], dict]]:
    """Tables sharing one schema (the two report folders) grouped, in declared order."""
    groups: list[tuple[list[dict], dict]] = []
    for r in descriptor()["resources"]:
        fields = json.dumps(r["schema"]["fields"], sort_keys=True)
        for g in groups:
            if json.dumps(g[1]["fields"], sort_keys=True) == fields and \
                    Path(g[0][0]["path"]).name == Path(r["path"]).name:
                g[0].append(r)
                break
        else:
            groups.append(([r], r["schema"]))
    return groups


def _keys_md(group: list[dict]) -> list[str]:
    out, schema = [], group[0]["schema"]
    if schema.get("primaryKey"):
        out.append(f"Primary key: {' + '.join(f'`{k}`' for k in schema['primaryKey'])} (appears once).")
    fks = []
    for r in group:
        for fk in r["schema"].get("foreignKeys", []):
            target = resource(fk["reference"]["resource"])["path"]
            fks.append(f"`{r['path']}`: {', '.join(fk['fields'])} → `{target}` {', '.join(fk['reference']['fields'])}")
    if fks:
        out.append("Foreign keys: " + "; ".join(dict.fromkeys(fks)) + ".")
    return out


def schema_md() -> str:
    """SCHEMA.md: every table's columns from the declared schemas, then the hand-written prose file."""
    lines = ["# Schema of the book's tables",
             "",
             f"<!-- Generated by `python -m ehelse.datapackage schema-md` from `data/{PACKAGE.name}` and "
             f"`data/published/{SCHEMA_PROSE.name}`; edit those, not this file (a test checks they agree). -->",
             "",
             "Every table below is declared in `data/datapackage.yaml` (a Frictionless Data Package); "
             "`lib/ehelse/data.py` validates them with frictionless when the book loads its data, and the "
             "built book offers them as one download. All CSVs: UTF-8, comma-separated, header row, quoted "
             "where needed (write them with Python's csv module or pandas), `.` as decimal point, empty cell = "
             "not given. Paths are relative to `data/`. A row number in an error is the line of the file "
             "(header = row 1).",
             ""]
    for group, schema in _groups():
        paths = ", ".join(f"`{r['path']}`" for r in group)
        title = group[0].get("title", "")
        if len(group) > 1:  # "Citizen report, one row per slide" -> "One row per slide (each report folder)"
            rest = title.partition(", ")[2] or title
            title = rest[:1].upper() + rest[1:] + " (one file per report folder, the same columns)"
        lines += [f"## {paths}", "", title, "",
                  "| column | type | constraints | meaning |", "|---|---|---|---|"]
        for f in schema["fields"]:
            desc = f.get("description", "").replace("|", "\\|")
            lines.append(f"| {f['name']} | {f['type']} | {_constraints(f)} | {desc} |")
        lines += [""] + _keys_md(group) + [""]
    prose = SCHEMA_PROSE.read_text(encoding="utf-8").strip() if SCHEMA_PROSE.exists() else ""
    return "\n".join(lines).rstrip() + "\n" + ("\n" + prose + "\n" if prose else "")


# ---------------------------------------------------------------- the download

def package_json(version: str | None = None) -> str:
    """datapackage.json of the download: the descriptor plus the book's version."""
    from . import citation

    desc = descriptor()
    desc["version"] = version or citation.version()
    desc["contributors"] = [{"title": a, "role": "author"} for a in citation.authors()]
    return json.dumps(desc, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def zip_bytes() -> bytes:
    """The download: datapackage.json and every table (deterministic: fixed timestamps, sorted entries)."""
    entries = {"datapackage.json": package_json().encode("utf-8")}
    for r in descriptor()["resources"]:
        entries[r["path"]] = (DATA / r["path"]).read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, entries[name])
    return buf.getvalue()


def write_zip(out: Path) -> Path:
    """Write the download to `out` (validating the package first)."""
    validate()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(zip_bytes())
    return out


def validate_folder(folder: Path) -> list[str]:
    """Validate an unpacked download (its datapackage.json) with frictionless; the error messages."""
    from frictionless import Package

    report = Package(str(Path(folder) / "datapackage.json")).validate()
    return [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors] + \
        [e.message for e in report.errors]


def summary() -> pd.DataFrame:
    """One row per table: name, path, title, columns, rows (counted from the files)."""
    rows = []
    for r in descriptor()["resources"]:
        df = pd.read_csv(DATA / r["path"], dtype=str, keep_default_na=False)
        rows.append({"table": r["name"], "path": r["path"], "title": r.get("title", ""),
                     "columns": len(r["schema"]["fields"]), "rows": len(df)})
    return pd.DataFrame(rows)


def fields(name: str) -> pd.DataFrame:
    """The fields of one table: name, type, constraints and description (plain text)."""
    def plain(text: str) -> str:  # the Markdown of SCHEMA.md, for an HTML table
        return text.replace("\\|", "|").replace("`", "")

    return pd.DataFrame([{"field": f["name"], "type": f["type"], "constraints": plain(_constraints(f)),
                          "description": plain(f.get("description", ""))} for f in resource(name)["schema"]["fields"]])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ehelse.datapackage")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("schema-md")
    s.add_argument("--check", action="store_true", help="exit 1 if SCHEMA.md differs from the generated text")
    z = sub.add_parser("zip")
    z.add_argument("out", type=Path)
    v = sub.add_parser("validate")
    v.add_argument("where", nargs="?", type=Path)
    a = p.parse_args(argv)
    if a.cmd == "schema-md":
        text = schema_md()
        if a.check:
            same = SCHEMA_MD.exists() and SCHEMA_MD.read_text(encoding="utf-8") == text
            print("SCHEMA.md is up to date" if same else "SCHEMA.md differs: run python -m ehelse.datapackage schema-md")
            return 0 if same else 1
        SCHEMA_MD.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(SCHEMA_MD)}")
    elif a.cmd == "zip":
        print(f"wrote {write_zip(a.out)}")
    elif a.cmd == "validate":
        if a.where is None:
            found = errors()
        else:
            found = validate_folder(a.where)
        print("\n".join(found) or "valid")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
