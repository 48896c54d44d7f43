"""ehelse.datapackage on a tiny made-up package in tmp_path: each schema rule's message (file, row, field,
value), the validation cache, typed reading, the generated SCHEMA.md, the download and the command line.

The module's paths (DATA, ROOT, PACKAGE, SCHEMA_*, CACHE) are pointed at a made-up book under tmp_path, so
every expected text below is read off the tiny descriptor written here. Mutant families: mutated message
strings, dropped branches of _message/_header_message/_constraints, changed grouping of SCHEMA.md, zip entry
attributes, CLI return codes.
"""
from __future__ import annotations

import hashlib
import io
import json
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ehelse import citation, datapackage as dp
from ehelse.datapackage import DataError

PACKAGE = textwrap.dedent('''\
    name: tiny
    title: Tiny
    x-fields:
      id: &f_id
        name: id
        type: integer
        description: "Row id"
        constraints: {required: true, unique: true}
    resources:
      - name: kinds
        path: kinds.csv
        title: "Kinds, one row per kind"
        schema:
          fields:
            - {name: kind, type: string, description: "A kind | or not", constraints: {required: true}}
          primaryKey: [kind]
      - name: a-rows
        path: published/a/rows.csv
        title: "Report A, one row per thing"
        schema: &rows
          fields:
            - *f_id
            - {name: kind, type: string, description: "Kind of `kinds.csv`"}
            - {name: share, type: number, constraints: {minimum: 0, maximum: 100}}
            - {name: year, type: integer, constraints: {minimum: 2015}}
            - {name: n, type: integer, constraints: {maximum: 10}}
            - {name: flag, type: boolean, trueValues: ["yes"], falseValues: ["no"]}
            - {name: code, type: string, constraints: {pattern: "[A-Z]\\\\d|X"}}
            - {name: status, type: string, constraints: {enum: [open, shut]}}
          primaryKey: [id]
          foreignKeys:
            - {fields: [kind], reference: {resource: kinds, fields: [kind]}}
      - name: b-rows
        path: published/b/rows.csv
        title: "Report B, one row per thing"
        schema: *rows
      - name: plain
        path: plain.csv
        schema:
          fields:
            - {name: done, type: boolean}
            - {name: x, type: number}
    ''')
KINDS = "kind\nx\ny\n"
HEADER = "id,kind,share,year,n,flag,code,status\n"
ROWS = HEADER + "1,x,12.5,2015,10,yes,A1,open\n2,y,0,2020,,no,X,shut\n"
PLAIN = "done,x\ntrue,1\nfalse,2\n"


@pytest.fixture
def book(tmp_path, monkeypatch) -> Path:
    """A made-up book (root) with the tiny package; the module's paths point at it."""
    root = tmp_path / "book"
    data = root / "data"
    for d in ("published/a", "published/b"):
        (data / d).mkdir(parents=True)
    (data / "datapackage.yaml").write_text(PACKAGE, encoding="utf-8")
    (data / "kinds.csv").write_text(KINDS, encoding="utf-8")
    (data / "plain.csv").write_text(PLAIN, encoding="utf-8")
    for f in "ab":
        (data / "published" / f / "rows.csv").write_text(ROWS, encoding="utf-8")
    for name, value in (("DATA", data), ("ROOT", root), ("PACKAGE", data / "datapackage.yaml"),
                        ("SCHEMA_PROSE", data / "published" / "SCHEMA.prose.md"),
                        ("SCHEMA_MD", data / "published" / "SCHEMA.md"), ("CACHE", root / "_build" / "validated")):
        monkeypatch.setattr(dp, name, value)
    dp._descriptor_json.cache_clear()
    yield root
    dp._descriptor_json.cache_clear()


def _rows(book: Path, text: str, folder: str = "a") -> Path:
    path = book / "data" / "published" / folder / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ descriptor and lookups


def test_descriptor_drops_helper_keys_and_is_a_fresh_copy(book):
    """Fails if descriptor() keeps `x-` keys or hands out a shared object (a caller's edit would leak)."""
    d = dp.descriptor()
    assert list(d) == ["name", "title", "resources"]
    assert d["resources"][1]["schema"]["fields"][0] == {"name": "id", "type": "integer", "description": "Row id",
                                                         "constraints": {"required": True, "unique": True}}
    d["resources"].clear()
    assert len(dp.descriptor()["resources"]) == 4


def test_resource_names_table_path_closure(book):
    """Fails if resource()'s message, resource_names' prefix, table_path's relocation of published/ or
    _closure's foreign-key walk and declared order are mutated."""
    assert dp.resource("kinds")["path"] == "kinds.csv"
    with pytest.raises(KeyError) as e:
        dp.resource("nope")
    assert e.value.args[0] == "datapackage.yaml declares no table 'nope'"
    assert dp.resource_names() == ["kinds", "a-rows", "b-rows", "plain"]
    assert dp.resource_names("published/") == ["a-rows", "b-rows"]
    data = book / "data"
    assert dp.table_path(dp.resource("a-rows")) == data / "published" / "a" / "rows.csv"
    assert dp.table_path(dp.resource("a-rows"), book / "copy") == book / "copy" / "a" / "rows.csv"
    assert dp.table_path(dp.resource("kinds"), book / "copy") == data / "kinds.csv"  # not under published/
    assert dp._closure(["b-rows"]) == ["kinds", "b-rows"]
    assert dp._closure(["b-rows", "a-rows", "b-rows"]) == ["kinds", "a-rows", "b-rows"]
    assert dp._closure(["plain"]) == ["plain"]


def test_shown_is_relative_to_the_book(book, tmp_path):
    """Fails if _shown drops the relative path."""
    assert dp._shown(book / "data" / "kinds.csv") == "data/kinds.csv"
    assert dp._shown(tmp_path / "x.csv") == str(tmp_path / "x.csv")


# ------------------------------------------------------------------ messages of each schema rule


def test_a_valid_package_has_no_errors(book):
    """Fails if errors() reports something on valid tables (e.g. a mutated descriptor path)."""
    assert dp.errors() == []
    assert dp.errors(["a-rows"]) == []


def test_each_rule_is_named_by_file_row_field_and_value(book):
    """Fails if a branch of _message (constraint, type, missing cell, primary key, foreign key, other) or its
    wording is mutated: every message is compared whole."""
    _rows(book, HEADER + "1,x,120,2014,11,maybe,a1,half\n1,z,x,20x9,1,yes,X,open\n3,x\n")
    f = "data/published/a/rows.csv"
    assert dp.errors(["a-rows"]) == [
        f"{f}, row 2, field 'share': value '120' breaks the constraint \"maximum\" is \"100\"",
        f"{f}, row 2, field 'year': value '2014' breaks the constraint \"minimum\" is \"2015\"",
        f"{f}, row 2, field 'n': value '11' breaks the constraint \"maximum\" is \"10\"",
        f"{f}, row 2, field 'flag': value 'maybe' is not of type boolean",
        f"{f}, row 2, field 'code': value 'a1' breaks the constraint \"pattern\" is \"[A-Z]\\d|X\"",
        f"{f}, row 2, field 'status': value 'half' breaks the constraint \"enum\" is \"['open', 'shut']\"",
        f"{f}, row 3, field 'share': value 'x' is not of type number",
        f"{f}, row 3, field 'year': value '20x9' is not of type integer",
        f"{f}, row 3, field 'id': value '1' unique-error: the same as in the row at position 2",
        f"{f}, row 3, field 'id': value '1' duplicates row 2 (primary key)",
        f"{f}, row 3, field 'kind': value 'z' is not a kind of table 'kinds' (foreign key)",
    ] + [f"{f}, row 4, field {c!r}: value '' is missing (the row has too few cells)"
         for c in ("share", "year", "n", "flag", "code", "status")]


def test_limit_caps_the_errors(book):
    """Fails if errors() ignores or changes its `limit`."""
    _rows(book, HEADER + "".join(f"{i},x,120,2015,1,yes,X,open\n" for i in range(1, 30)))
    assert len(dp.errors(["a-rows"])) == 20
    assert len(dp.errors(["a-rows"], limit=3)) == 3


def test_errors_of_a_relocated_published_folder(book, tmp_path):
    """Fails if errors() ignores `published` (validates the book's tables instead of the copy)."""
    copy = tmp_path / "copy"
    (copy / "a").mkdir(parents=True)
    (copy / "b").mkdir()
    (copy / "a" / "rows.csv").write_text(HEADER + "1,x,-1,2015,1,yes,X,open\n", encoding="utf-8")
    (copy / "b" / "rows.csv").write_text(ROWS, encoding="utf-8")
    assert dp.errors(["a-rows"], published=copy) == [
        f"{copy / 'a' / 'rows.csv'}, row 2, field 'share': value '-1' breaks the constraint \"minimum\" is \"0\""]


def test_header_errors_name_the_column(book):
    """Fails if _header_message's missing / not declared / out of order branches or wording are mutated."""
    names = "['id', 'kind', 'share', 'year', 'n', 'flag', 'code', 'status']"
    f = "data/published/a/rows.csv, row 1 (header)"
    _rows(book, "id,kind,share,year,n,flag,code\n1,x,1,2015,1,yes,X\n")
    assert dp.errors(["a-rows"])[0] == f"{f}, field 'status': column(s) ['status'] missing (the columns must be {names})"
    _rows(book, HEADER.strip() + ",extra,more\n1,x,1,2015,1,yes,X,open,e,m\n")
    assert dp.errors(["a-rows"])[0] == (f"{f}, field 'extra': column(s) ['extra', 'more'] not declared "
                                        f"(the columns must be {names})")
    _rows(book, "kind,id,share,year,n,flag,code,status\nx,1,1,2015,1,yes,X,open\n")
    assert dp.errors(["a-rows"])[0] == f"{f}, field 'id': columns out of order (they must be {names})"


def test_message_fallbacks_of_unusual_errors(tmp_path):
    """Fails if _message's fallbacks (primary key without a position, foreign key note not understood, an error
    without field or row) or their wording are mutated."""
    class E:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    schema = {"fields": [{"name": "a"}, {"name": "b"}], "primaryKey": ["b", "a"]}
    p = tmp_path / "t.csv"
    assert dp._message(E(type="primary-key", row_number=4, cells=["1", "2"], note="odd"), p, schema) == \
        f"{p}, row 4, field 'b+a': value '2/1' is a duplicate key (odd)"
    assert dp._message(E(type="primary-key", row_number=4, cells=["1"], note="at position 3"), p, schema) == \
        f"{p}, row 4, field 'b+a': value '/1' duplicates row 3 (primary key)"
    assert dp._message(E(type="foreign-key", row_number=5, cells=None, note="other words"), p, schema) == \
        f"{p}, row 5: other words (foreign key)"
    assert dp._message(E(type="blank-row", row_number=6, message="Row at position 6 is blank"), p, schema) == \
        f"{p}, row 6: Row at position 6 is blank"
    assert dp._message(E(type="source-error", message="cannot read"), p, schema) == f"{p}: cannot read"
    assert dp._message(E(type="type-error", row_number=2, field_name="a", cell="q", note="odd note"), p, schema) == \
        f"{p}, row 2, field 'a': value 'q' is not of type odd note"


# ------------------------------------------------------------------ validate and its cache


def test_validate_raises_the_first_error_and_counts_the_others(book):
    """Fails if validate's message ('(and N more)', only when there are more) or its check is mutated."""
    _rows(book, HEADER + "1,x,120,2015,11,yes,X,open\n")
    with pytest.raises(DataError) as e:
        dp.validate(["a-rows"])
    assert str(e.value) == ("data/published/a/rows.csv, row 2, field 'share': value '120' breaks the constraint "
                            "\"maximum\" is \"100\" (and 1 more)")
    _rows(book, HEADER + "1,x,120,2015,10,yes,X,open\n")
    with pytest.raises(DataError) as e:
        dp.validate(["a-rows"])
    assert str(e.value).endswith('is "100"')


def test_validate_reports_missing_files(book):
    """Fails if validate/errors stop naming a missing file."""
    (book / "data" / "published" / "a" / "rows.csv").unlink()
    (book / "data" / "kinds.csv").unlink()
    with pytest.raises(DataError) as e:
        dp.validate(["a-rows"])
    assert str(e.value) == "data/kinds.csv: file is missing (and 1 more)"


def test_validate_stamps_a_clean_package_and_trusts_the_stamp(book, monkeypatch):
    """Fails if validate does not write its stamp (keyed on the tables validated) or does not return early
    when it exists, or if the key ignores the names, a table's bytes or the descriptor."""
    names = ["kinds", "a-rows"]
    paths = {n: dp.table_path(dp.resource(n)) for n in names}
    key = dp._key(names, paths)
    assert len(key) == 64 and key == dp._key(names, paths)
    dp.validate(["a-rows"])
    assert (book / "_build" / "validated" / key).is_file()
    errors = dp.errors
    monkeypatch.setattr(dp, "errors", lambda *a, **k: pytest.fail("validated again despite the stamp"))
    dp.validate(["a-rows"])
    monkeypatch.setattr(dp, "errors", errors)
    assert dp._key(["kinds"], paths) != key
    _rows(book, ROWS + "3,x,1,2015,1,yes,X,open\n")
    assert dp._key(names, paths) != key
    dp.validate(["a-rows"])
    assert len(list((book / "_build" / "validated").iterdir())) == 2


def test_validate_on_a_read_only_cache_still_validates(book, monkeypatch):
    """Fails if the OSError of an unwritable cache escapes validate."""
    (book / "blocker").write_text("a file, not a folder")
    monkeypatch.setattr(dp, "CACHE", book / "blocker" / "validated")
    dp.validate(["kinds"])
    assert (book / "blocker").is_file()


# ------------------------------------------------------------------ typed reading


def test_read_types_each_field(book):
    """Fails if read() leaves a type as text, maps '' to something but NA, or ignores trueValues/falseValues."""
    df = dp.read("a-rows")
    assert list(df.columns) == ["id", "kind", "share", "year", "n", "flag", "code", "status"]
    assert str(df["id"].dtype) == "Int64" and list(df["id"]) == [1, 2]
    assert str(df["n"].dtype) == "Int64" and df["n"].iloc[0] == 10 and pd.isna(df["n"].iloc[1])
    assert df["share"].dtype == float and list(df["share"]) == [12.5, 0.0]
    assert list(df["flag"]) == [True, False]
    assert list(df["code"]) == ["A1", "X"]
    plain = dp.read("plain")
    assert list(plain["done"]) == [True, False]  # default true/false values
    assert list(plain["x"]) == [1, 2]


def test_read_of_a_relocated_folder(book, tmp_path):
    """Fails if read() ignores `published`."""
    (tmp_path / "copy" / "b").mkdir(parents=True)
    (tmp_path / "copy" / "b" / "rows.csv").write_text(HEADER + "7,x,1,2015,1,no,X,open\n", encoding="utf-8")
    assert list(dp.read("b-rows", published=tmp_path / "copy")["id"]) == [7]


# ------------------------------------------------------------------ SCHEMA.md


def test_constraints_text_of_each_rule():
    """Fails if a branch of _constraints (required, unique, enum, range, one bound, pattern with '|') is
    dropped or reworded."""
    c = dp._constraints
    assert c({}) == ""
    assert c({"constraints": {"required": True, "unique": True}}) == "required; unique"
    assert c({"constraints": {"required": False, "unique": False}}) == ""
    assert c({"constraints": {"enum": ["a", "b"]}}) == "one of `a`, `b`"
    assert c({"constraints": {"minimum": 0, "maximum": 9}}) == "0 to 9"
    assert c({"constraints": {"minimum": 0}}) == "≥ 0"
    assert c({"constraints": {"maximum": 9}}) == "≤ 9"
    assert c({"constraints": {"pattern": "a|b"}}) == "pattern `a\\|b`"


SCHEMA_HEAD = (
    "# Schema of the book's tables\n\n"
    "<!-- Generated by `python -m ehelse.datapackage schema-md` from `data/datapackage.yaml` and "
    "`data/published/SCHEMA.prose.md`; edit those, not this file (a test checks they agree). -->\n\n"
    "Every table below is declared in `data/datapackage.yaml` (a Frictionless Data Package); "
    "`lib/ehelse/data.py` validates them with frictionless when the book loads its data, and the "
    "built book offers them as one download. All CSVs: UTF-8, comma-separated, header row, quoted "
    "where needed (write them with Python's csv module or pandas), `.` as decimal point, empty cell = "
    "not given. Paths are relative to `data/`. A row number in an error is the line of the file "
    "(header = row 1).\n\n")
SCHEMA_BODY = """## `kinds.csv`

Kinds, one row per kind

| column | type | constraints | meaning |
|---|---|---|---|
| kind | string | required | A kind \\| or not |

Primary key: `kind` (appears once).

## `published/a/rows.csv`, `published/b/rows.csv`

One row per thing (one file per report folder, the same columns)

| column | type | constraints | meaning |
|---|---|---|---|
| id | integer | required; unique | Row id |
| kind | string |  | Kind of `kinds.csv` |
| share | number | 0 to 100 |  |
| year | integer | ≥ 2015 |  |
| n | integer | ≤ 10 |  |
| flag | boolean |  |  |
| code | string | pattern `[A-Z]\\d\\|X` |  |
| status | string | one of `open`, `shut` |  |

Primary key: `id` (appears once).
Foreign keys: `published/a/rows.csv`: kind → `kinds.csv` kind; `published/b/rows.csv`: kind → `kinds.csv` kind.

## `plain.csv`



| column | type | constraints | meaning |
|---|---|---|---|
| done | boolean |  |  |
| x | number |  |  |
"""


def test_schema_md_lists_every_table_grouping_the_report_folders(book):
    """Fails if schema_md's header, grouping of tables with one schema and one file name, group title,
    table rows, escaping of '|', key lines or the trailing newline are mutated."""
    assert dp.schema_md() == SCHEMA_HEAD + SCHEMA_BODY


def test_schema_md_appends_the_prose(book):
    """Fails if the hand-written prose is not appended (stripped, after one blank line)."""
    (book / "data" / "published" / "SCHEMA.prose.md").write_text("\n## Notes\n\nSome words.\n\n", encoding="utf-8")
    assert dp.schema_md() == SCHEMA_HEAD + SCHEMA_BODY + "\n## Notes\n\nSome words.\n"


def test_groups_need_one_schema_and_one_file_name(book):
    """Fails if _groups joins tables whose file names differ or whose fields differ, or a group title without
    ', ' loses its text."""
    text = PACKAGE.replace("path: published/b/rows.csv", "path: published/b/other.csv")
    (book / "data" / "datapackage.yaml").write_text(text, encoding="utf-8")
    dp._descriptor_json.cache_clear()
    assert [[r["name"] for r in g] for g, _ in dp._groups()] == [["kinds"], ["a-rows"], ["b-rows"], ["plain"]]
    text = PACKAGE.replace('title: "Report A, one row per thing"', 'title: "rows of a"').replace(
        "    schema: *rows\n", "    schema: *rows\n  - name: c-rows\n    path: published/c/rows.csv\n"
        "    schema: {fields: [{name: id, type: integer}]}\n")
    (book / "data" / "datapackage.yaml").write_text(text, encoding="utf-8")
    dp._descriptor_json.cache_clear()
    assert [[r["name"] for r in g] for g, _ in dp._groups()] == [["kinds"], ["a-rows", "b-rows"], ["c-rows"],
                                                                  ["plain"]]
    md = dp.schema_md()
    assert "## `published/a/rows.csv`, `published/b/rows.csv`\n\nRows of a (one file per report folder, the same " \
           "columns)\n" in md
    assert "## `published/c/rows.csv`\n\n\n\n| column |" in md


def test_keys_md_without_keys_and_with_repeated_foreign_keys(book):
    """Fails if _keys_md writes key lines for a table without keys or repeats a foreign key."""
    assert dp._keys_md([dp.resource("plain")]) == []
    a = dp.resource("a-rows")
    assert dp._keys_md([a, a]) == ["Primary key: `id` (appears once).",
                                   "Foreign keys: `published/a/rows.csv`: kind → `kinds.csv` kind."]
    two = {"name": "t", "path": "t.csv", "schema": {"fields": [], "primaryKey": ["a", "b"], "foreignKeys": [
        {"fields": ["a", "b"], "reference": {"resource": "kinds", "fields": ["kind", "k2"]}}]}}
    assert dp._keys_md([two]) == ["Primary key: `a` + `b` (appears once).",
                                  "Foreign keys: `t.csv`: a, b → `kinds.csv` kind, k2."]


def test_fields_are_plain_text(book):
    """Fails if fields() keeps the Markdown escapes and backticks or drops a column."""
    f = dp.fields("a-rows")
    assert list(f.columns) == ["field", "type", "constraints", "description"]
    assert f.loc[6].to_dict() == {"field": "code", "type": "string", "constraints": "pattern [A-Z]\\d|X",
                                  "description": ""}
    assert f.loc[1, "description"] == "Kind of kinds.csv"
    assert f.loc[7, "constraints"] == "one of open, shut"
    assert dp.fields("kinds").loc[0, "description"] == "A kind | or not"


def test_summary_counts_rows_and_columns(book):
    """Fails if summary() miscounts (header as a row) or drops the title."""
    s = dp.summary()
    assert s.to_dict("records") == [
        {"table": "kinds", "path": "kinds.csv", "title": "Kinds, one row per kind", "columns": 1, "rows": 2},
        {"table": "a-rows", "path": "published/a/rows.csv", "title": "Report A, one row per thing", "columns": 8,
         "rows": 2},
        {"table": "b-rows", "path": "published/b/rows.csv", "title": "Report B, one row per thing", "columns": 8,
         "rows": 2},
        {"table": "plain", "path": "plain.csv", "title": "", "columns": 2, "rows": 2}]


# ------------------------------------------------------------------ the download


def test_package_json_adds_version_and_authors(book):
    """Fails if package_json drops the given version, the default (the book's version), the contributors or
    the trailing newline."""
    d = json.loads(dp.package_json("9.9.9"))
    assert d["version"] == "9.9.9" and d["name"] == "tiny"
    assert d["contributors"] == [{"title": a, "role": "author"} for a in citation.authors()]
    assert d["contributors"]
    assert json.loads(dp.package_json())["version"] == citation.version()
    text = dp.package_json("1")
    assert text.endswith("}\n") and '\n  "name": "tiny",' in text and "ø" not in "".join(text.split("\\u"))


def test_zip_holds_the_package_and_every_table_deterministically(book):
    """Fails if zip_bytes drops an entry, changes its bytes, its sort, its fixed time, mode or compression."""
    raw = dp.zip_bytes()
    assert raw == dp.zip_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        assert z.namelist() == ["datapackage.json", "kinds.csv", "plain.csv", "published/a/rows.csv",
                                "published/b/rows.csv"]
        for i in z.infolist():
            assert i.date_time == (1980, 1, 1, 0, 0, 0)
            assert i.compress_type == zipfile.ZIP_DEFLATED
            assert i.external_attr == 0o644 << 16
        assert z.read("kinds.csv") == KINDS.encode()
        assert z.read("published/b/rows.csv") == ROWS.encode()
        assert z.read("datapackage.json") == dp.package_json().encode("utf-8")


def test_write_zip_validates_first_and_writes(book, tmp_path):
    """Fails if write_zip does not create the folder, does not write the zip, or skips validation."""
    out = dp.write_zip(tmp_path / "deep" / "er" / "data.zip")
    assert out == tmp_path / "deep" / "er" / "data.zip" and out.read_bytes() == dp.zip_bytes()
    _rows(book, HEADER + "1,x,120,2015,1,yes,X,open\n")
    with pytest.raises(DataError):
        dp.write_zip(tmp_path / "bad.zip")
    assert not (tmp_path / "bad.zip").exists()


def test_validate_folder_of_the_unpacked_download(book, tmp_path):
    """Fails if validate_folder does not read the unpacked datapackage.json or drops the table name."""
    with zipfile.ZipFile(io.BytesIO(dp.zip_bytes())) as z:
        z.extractall(tmp_path / "u")
    assert dp.validate_folder(tmp_path / "u") == []
    (tmp_path / "u" / "kinds.csv").write_text("kind\nx\ny\ny\n", encoding="utf-8")
    found = dp.validate_folder(tmp_path / "u")
    assert found == ['kinds: Row at position "4" violates the primary key: the same as in the row at position 3']


# ------------------------------------------------------------------ command line (in process)


def test_cli_schema_md_check_and_write(book, capsys):
    """Fails if `schema-md` does not write SCHEMA.md, or `--check` reports or returns the wrong state."""
    md = book / "data" / "published" / "SCHEMA.md"
    assert dp.main(["schema-md", "--check"]) == 1
    assert capsys.readouterr().out == "SCHEMA.md differs: run python -m ehelse.datapackage schema-md\n"
    assert not md.exists()
    assert dp.main(["schema-md"]) == 0
    assert capsys.readouterr().out == "wrote data/published/SCHEMA.md\n"
    assert md.read_text(encoding="utf-8") == SCHEMA_HEAD + SCHEMA_BODY
    assert dp.main(["schema-md", "--check"]) == 0
    assert capsys.readouterr().out == "SCHEMA.md is up to date\n"
    md.write_text("stale", encoding="utf-8")
    assert dp.main(["schema-md", "--check"]) == 1


def test_cli_zip_and_validate(book, tmp_path, capsys):
    """Fails if `zip` or `validate` (package or folder) print or return the wrong thing."""
    out = tmp_path / "d.zip"
    assert dp.main(["zip", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n" and out.is_file()
    assert dp.main(["validate"]) == 0
    assert capsys.readouterr().out == "valid\n"
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path / "u")
    assert dp.main(["validate", str(tmp_path / "u")]) == 0
    assert capsys.readouterr().out == "valid\n"
    _rows(book, HEADER + "1,x,120,2015,1,yes,X,open\n")
    assert dp.main(["validate"]) == 1
    assert capsys.readouterr().out == ("data/published/a/rows.csv, row 2, field 'share': value '120' breaks the "
                                       "constraint \"maximum\" is \"100\"\n")
    (tmp_path / "u" / "kinds.csv").write_text("kind\nx\ny\ny\n", encoding="utf-8")
    assert dp.main(["validate", str(tmp_path / "u")]) == 1
    assert capsys.readouterr().out.startswith("kinds: ")


def test_cli_needs_a_command():
    """Fails if the sub-command stops being required."""
    with pytest.raises(SystemExit) as e:
        dp.main([])
    assert e.value.code == 2


# ------------------------------------------------------------------ survivors of the first focus run


def test_header_message_of_an_empty_file_and_of_an_error_without_field(tmp_path):
    """Fails if _header_message's default header ([]) or field name ('') are mutated: an empty file misses
    every column; an error without field_name names field ''."""
    schema = {"fields": [{"name": "a"}, {"name": "b"}]}
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert dp._header_message(empty, schema, object()) == (
        f"{empty}, row 1 (header), field 'a': column(s) ['a', 'b'] missing (the columns must be ['a', 'b'])")
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("b,a\n1,2\n", encoding="utf-8")
    assert dp._header_message(swapped, schema, object()) == (
        f"{swapped}, row 1 (header), field '': columns out of order (they must be ['a', 'b'])")


def test_header_message_reads_quoted_line_breaks_as_written(tmp_path):
    """Fails if _header_message opens the file without newline='' (a quoted CR LF in a column name would be
    read as LF and the column reported missing)."""
    schema = {"fields": [{"name": "x\r\ny"}, {"name": "z"}]}
    path = tmp_path / "t.csv"
    path.write_bytes(b'z,"x\r\ny"\r\n1,2\r\n')
    assert dp._header_message(path, schema, object()) == (
        f"{path}, row 1 (header), field '': columns out of order (they must be ['x\\r\\ny', 'z'])")


def test_message_of_errors_without_cell_or_cells(tmp_path):
    """Fails if _message's defaults for a missing `cell` ('') or `cells` ([]) are mutated."""
    class E:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    p = tmp_path / "t.csv"
    schema = {"fields": [{"name": "a"}], "primaryKey": ["a"]}
    assert dp._message(E(type="constraint-error", row_number=3, field_name="a", note='constraint "required" is "True"'),
                       p, schema) == f"{p}, row 3, field 'a': value '' breaks the constraint \"required\" is \"True\""
    assert dp._message(E(type="primary-key", row_number=3, note="x"), p, schema) == \
        f"{p}, row 3, field 'a': value '' is a duplicate key (x)"


def test_validate_checks_only_the_tables_named_and_keys_a_copy_on_its_own_bytes(book, tmp_path):
    """Fails if validate checks every table instead of the named ones (and their references), or keys the
    stamp of a relocated copy on the book's files (a corrupted copy would then pass on the stamp)."""
    _rows(book, HEADER + "1,x,120,2015,1,yes,X,open\n", folder="b")
    dp.validate(["a-rows"])  # b-rows is broken, a-rows is not
    copy = tmp_path / "copy"
    for f in "ab":
        (copy / f).mkdir(parents=True)
        (copy / f / "rows.csv").write_text(ROWS, encoding="utf-8")
    dp.validate(["a-rows"], published=copy)
    (copy / "a" / "rows.csv").write_text(HEADER + "1,x,120,2015,1,yes,X,open\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        dp.validate(["a-rows"], published=copy)
    assert str(e.value).startswith(f"{copy / 'a' / 'rows.csv'}, row 2, field 'share': value '120'")


def test_package_json_keeps_non_ascii_text_and_declared_key_order(book):
    """Fails if package_json escapes non-ASCII characters or sorts the keys."""
    path = book / "data" / "datapackage.yaml"
    path.write_text(PACKAGE.replace("title: Tiny", "title: Tiny ø"), encoding="utf-8")
    dp._descriptor_json.cache_clear()
    text = dp.package_json("1")
    assert '"title": "Tiny ø"' in text
    assert list(json.loads(text)) == ["name", "title", "resources", "version", "contributors"]


def test_read_keeps_na_text_as_text(book):
    """Fails if read() lets pandas turn 'NA' or 'null' text into a missing value."""
    _rows(book, HEADER + "1,NA,1,2015,1,yes,null,open\n")
    df = dp.read("a-rows")
    assert df.loc[0, "kind"] == "NA" and df.loc[0, "code"] == "null"


def test_cli_lists_every_error_one_a_line_and_has_its_help(book, capsys):
    """Fails if `validate` joins the errors otherwise, or the program name or --check help are mutated."""
    _rows(book, HEADER + "1,x,120,2015,11,yes,X,open\n")
    assert dp.main(["validate"]) == 1
    f = "data/published/a/rows.csv, row 2"
    assert capsys.readouterr().out == (f"{f}, field 'share': value '120' breaks the constraint \"maximum\" is \"100\"\n"
                                       f"{f}, field 'n': value '11' breaks the constraint \"maximum\" is \"10\"\n")
    with pytest.raises(SystemExit) as e:
        dp.main(["schema-md", "--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("usage: python -m ehelse.datapackage schema-md [-h] [--check]")
    assert "--check exit 1 if SCHEMA.md differs from the generated text" in out


def test_closure_goes_on_after_a_table_seen_twice_and_titles_keep_all_after_the_first_comma(book):
    """Fails if _closure stops at a table already seen (break for continue), or the group title keeps only the
    text after the last ', ' (rpartition for partition)."""
    assert dp._closure(["a-rows", "kinds", "kinds"]) == ["kinds", "a-rows"]
    text = PACKAGE.replace('title: "Report A, one row per thing"', 'title: "Report A, one row per thing, in order"')
    (book / "data" / "datapackage.yaml").write_text(text, encoding="utf-8")
    dp._descriptor_json.cache_clear()
    assert "\n\nOne row per thing, in order (one file per report folder, the same columns)\n" in dp.schema_md()


# ------------------------------------------------------------------ round 3: UTF-8 whatever the locale


@pytest.fixture
def ascii_locale(monkeypatch):
    """The locale's text encoding made ASCII, as under LANG=C without UTF-8 mode: pathlib's read_text /
    write_text and this module's open() then use ASCII wherever no encoding is given."""
    import builtins

    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: "ascii" if encoding is None else encoding)
    monkeypatch.setattr(dp, "open", lambda *a, encoding=None, **k: builtins.open(*a, encoding=encoding or "ascii",
                                                                                 **k), raising=False)


def test_header_message_reads_a_non_ascii_header_as_utf8(tmp_path, ascii_locale):
    """Fails if _header_message opens the table without encoding='utf-8' (mutants encoding=None / dropped):
    under a non-UTF-8 locale a header with 'år' would not decode."""
    schema = {"fields": [{"name": "år"}, {"name": "n"}]}
    path = tmp_path / "t.csv"
    path.write_bytes("n,år,ekstra\n1,2,3\n".encode("utf-8"))
    assert dp._header_message(path, schema, object()) == (
        f"{path}, row 1 (header), field 'ekstra': column(s) ['ekstra'] not declared (the columns must be "
        "['år', 'n'])")


def test_cli_schema_md_is_utf8_whatever_the_locale(book, ascii_locale, capsys):
    """Fails if SCHEMA.md or its prose is read or written in the locale's encoding (mutants encoding=None /
    dropped in schema_md and main): with non-ASCII prose the page must be written, checked and read as UTF-8."""
    prose = "## Merknader\n\nÅrstall ≥ 2019 og spørsmål om tilgang."
    (book / "data" / "published" / "SCHEMA.prose.md").write_bytes(prose.encode("utf-8"))
    md = book / "data" / "published" / "SCHEMA.md"
    assert dp.main(["schema-md"]) == 0
    assert md.read_bytes().decode("utf-8") == SCHEMA_HEAD + SCHEMA_BODY + "\n" + prose + "\n"
    assert dp.main(["schema-md", "--check"]) == 0
    assert capsys.readouterr().out == "wrote data/published/SCHEMA.md\nSCHEMA.md is up to date\n"
