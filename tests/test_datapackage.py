"""The data package: declared schemas catch each kind of fault by file, row and field; SCHEMA.md, the
download, the citation, the version and the changelog follow from their single sources."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ehelse import ROOT, changelog, citation, datapackage
from ehelse.data import DataError, load_published
from ehelse.sphinxext import DOWNLOAD


def _edit(path: Path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df).to_csv(path, index=False)


def _set(column, value, where=None):
    """An edit setting `column` of the first row matching `where` (a column=value pair) to `value`."""
    def edit(df):
        i = df.index[df[where[0]] == where[1]][0] if where else df.index[0]
        df.loc[i, column] = value
        return df
    return edit


def _row_of(path: Path, column: str, value: str) -> int:
    """Row number (header = row 1) of the first row whose `column` equals `value`."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return int(df.index[df[column] == value][0]) + 2


# (what the schema declares, file, edit, field, value in the message, words of the message)
CASES = [
    ("type", "citizens/values.csv", _set("year", "20x9"), "year", "20x9", "is not of type integer"),
    ("enum", "personnel/inventory.csv", _set("chart_type", "pie"), "chart_type", "pie",
     'breaks the constraint "enum"'),
    ("range", "citizens/values.csv", _set("year", "2041"), "year", "2041", 'breaks the constraint "maximum"'),
    ("range", "publisher/sample_composition.csv", _set("percent", "130"), "percent", "130",
     'breaks the constraint "maximum"'),
    ("required", "citizens/claims.csv", _set("text_no", ""), "text_no", "", 'breaks the constraint "required"'),
    ("pattern", "personnel/source_issues.csv", _set("lines", "12, 13"), "lines", "12, 13",
     'breaks the constraint "pattern"'),
    ("foreign key", "citizens/claims.csv", _set("figure_id", "C999"), "figure_id", "C999",
     "is not a figure_id of table 'citizens-inventory' (foreign key)"),
    ("foreign key", "personnel/values.csv", _set("report", "personnel2099"), "report", "personnel2099",
     "is not a report of table 'waves' (foreign key)"),
]


@pytest.mark.parametrize("kind,rel,edit,field,value,words", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_a_corrupted_table_is_named_by_file_row_and_field(copy, kind, rel, edit, field, value, words):
    path = copy / rel
    _edit(path, edit)
    row = _row_of(path, field, value)
    with pytest.raises(DataError) as e:
        load_published(copy)
    msg = str(e.value)
    assert f"{rel}, row {row}, field {field!r}: value {value!r} {words}" in msg, msg


def test_a_missing_required_column_is_named(copy):
    _edit(copy / "personnel" / "inventory.csv", lambda d: d.drop(columns=["headline"]))
    with pytest.raises(DataError, match=r"personnel/inventory.csv, row 1 \(header\), field 'headline': "
                                        r"column\(s\) \['headline'\] missing"):
        load_published(copy)


def test_a_column_not_declared_is_named(copy):
    _edit(copy / "citizens" / "unplaced.csv", lambda d: d.assign(extra="x"))
    with pytest.raises(DataError, match=r"citizens/unplaced.csv, row 1 \(header\), field 'extra': "
                                        r"column\(s\) \['extra'\] not declared"):
        load_published(copy)


def test_a_duplicate_primary_key_is_named(copy):
    path = copy / "personnel" / "claims.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[5, "claim_id"] = df.loc[2, "claim_id"]
    df.to_csv(path, index=False)
    with pytest.raises(DataError) as e:
        load_published(copy)
    assert f"personnel/claims.csv, row 7, field 'claim_id': value {df.loc[2, 'claim_id']!r} duplicates row 4 " \
           "(primary key)" in str(e.value), str(e.value)


def test_a_dangling_key_of_the_wave_registry_is_named(tmp_path):
    """EHELSE_ROOT points the library at a copy of the book whose registry names margins that do not exist."""
    root = tmp_path / "book"
    shutil.copytree(ROOT / "data", root / "data")
    waves = root / "data" / "waves.csv"
    df = pd.read_csv(waves, dtype=str, keep_default_na=False)
    i = df.index[df["margin_year"] != ""][0]
    df.loc[i, "margin_year"] = "2016"
    df.to_csv(waves, index=False)
    out = subprocess.run([sys.executable, "-m", "ehelse.datapackage", "validate"], cwd=root, capture_output=True,
                         text=True, env={**os.environ, "EHELSE_ROOT": str(root)})
    assert out.returncode == 1
    assert f"data/waves.csv, row {i + 2}, field 'margin_year': value '2016' is not a year of table " \
           "'population-margins' (foreign key)" in out.stdout, out.stdout + out.stderr


def test_every_table_of_the_data_folders_is_declared():
    declared = {r["path"] for r in datapackage.descriptor()["resources"]}
    tables = {p.relative_to(ROOT / "data").as_posix() for d in ("published", "population")
              for p in (ROOT / "data" / d).rglob("*.csv")} | {"waves.csv"}
    assert tables <= declared, f"tables without a schema: {sorted(tables - declared)}"
    assert not datapackage.errors(), "the committed tables break their schemas"


def test_schema_md_is_generated_from_the_schemas():
    assert datapackage.SCHEMA_MD.read_text(encoding="utf-8") == datapackage.schema_md(), \
        "data/published/SCHEMA.md is stale: run `python -m ehelse.datapackage schema-md`"
    text = datapackage.SCHEMA_MD.read_text(encoding="utf-8")
    for r in datapackage.descriptor()["resources"]:
        assert f"`{r['path']}`" in text
        for f in r["schema"]["fields"]:
            assert f"| {f['name']} |" in text, (r["name"], f["name"])


def test_the_download_is_deterministic():
    a, b = datapackage.zip_bytes(), datapackage.zip_bytes()
    assert a == b
    with zipfile.ZipFile(__import__("io").BytesIO(a)) as z:
        names = z.namelist()
        assert names == sorted(names) and "datapackage.json" in names
        assert {i.date_time for i in z.infolist()} == {datapackage.ZIP_TIME}
        desc = json.loads(z.read("datapackage.json"))
    assert desc["version"] == citation.version()
    assert {r["path"] for r in desc["resources"]} <= set(names)


def test_the_built_books_download_validates_with_frictionless(site, tmp_path):
    """Unpack the zip the built book offers and run the frictionless command line on it."""
    zpath = site / DOWNLOAD
    assert zpath.exists(), "the built book has no data download"
    assert zpath.read_bytes() == datapackage.zip_bytes(), "the built download is not the current package"
    with zipfile.ZipFile(zpath) as z:
        z.extractall(tmp_path / "unpacked")
    cli = Path(sys.executable).with_name("frictionless")
    res = subprocess.run([str(cli), "validate", "datapackage.json"], cwd=tmp_path / "unpacked",
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    page = (site / "notebooks" / "data.html").read_text(encoding="utf-8")
    assert f'href="../{DOWNLOAD}"' in page
    for r in datapackage.summary().itertuples():
        assert r.path in page


def test_a_corrupted_download_fails_frictionless(tmp_path):
    with zipfile.ZipFile(__import__("io").BytesIO(datapackage.zip_bytes())) as z:
        z.extractall(tmp_path)
    vals = tmp_path / "published" / "citizens" / "values.csv"
    vals.write_text(vals.read_text(encoding="utf-8").replace(",percent,", ",percentage,", 1), encoding="utf-8")
    found = datapackage.validate_folder(tmp_path)
    assert any("citizens-values" in m and "percentage" in m for m in found), found


def test_the_book_shows_its_version_and_how_to_cite(site):
    home = (site / "notebooks" / "home.html").read_text(encoding="utf-8")
    assert f"Version {citation.version()}." in home
    assert "How to cite" in home
    for ref in citation.cff()["references"]:
        assert ref["title"] in home
    nb = json.loads((ROOT / "notebooks" / "home.ipynb").read_text(encoding="utf-8"))
    shown = "".join("".join(o.get("data", {}).get("text/markdown", "")) for c in nb["cells"]
                    for o in c.get("outputs", []))
    assert citation.citation_text() in shown


def test_citation_cff_has_the_required_keys_of_cff_1_2_0():
    c = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert c["cff-version"] == "1.2.0"
    assert c["message"].strip() and c["title"].strip()
    assert [a["name"] for a in c["authors"]] == ["e-helse book contributors"]
    assert c["type"] in ("software", "dataset")
    for ref in c["references"]:
        assert ref["type"] and ref["title"] and ref["authors"], ref
        assert all("name" in a or "family-names" in a for a in ref["authors"])
    assert "version" not in c, "the version has one source: pyproject.toml"


def test_every_changed_result_is_in_the_changelog():
    rel = changelog.releases()
    assert rel, "CHANGELOG.md has no release heading"
    assert rel[0]["sha"] == changelog.sha256(changelog.RELEASED), \
        "released.csv is not the snapshot whose hash the last release records"
    assert rel[0]["version"] == citation.version() or changelog.unreleased().strip(), \
        "pyproject's version is not the last release and nothing is unreleased"
    missing = changelog.unlisted()
    assert missing.empty, ("results changed since the last release without a CHANGELOG.md line "
                           f"(name each as `kind:key` under Unreleased):\n{missing.to_string(index=False)}")


def test_a_changed_verdict_without_a_changelog_line_is_caught(tmp_path):
    cur = tmp_path / "expected.csv"
    df = pd.read_csv(changelog.EXPECTED, dtype=str, keep_default_na=False)
    i = df.index[df["kind"] == "claim_verdict"][0]
    df.loc[i, "value"] = "does not hold" if df.loc[i, "value"] != "does not hold" else "holds"
    df = pd.concat([df, pd.DataFrame([{"kind": "chart_source", "key": "C99", "value": "report"}])], ignore_index=True)
    df.to_csv(cur, index=False)
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")  # the real one: its Unreleased lines name today's changes
    missing = changelog.unlisted(text, current=cur)
    assert set(missing["key"]) == {df.loc[i, "key"], "C99"}
    text2 = text.replace("## Unreleased\n", f"## Unreleased\n\n- `claim_verdict:{df.loc[i, 'key']}` flips; "
                                           "`chart_source:C9*` added\n")
    assert changelog.unlisted(text2, current=cur).empty
