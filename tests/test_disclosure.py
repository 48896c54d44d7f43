"""Nothing small leaves the machine: on real microdata every table, figure's data and download passes one rule.

The must-show test builds the microdata chapters (weighting, patterns) through the real build
(`python -m ehelse.build execute` + `html`, EHELSE_MICRODATA / EHELSE_MAPPING) on a coded file
whose 2022 health region "Nord" has 3 respondents, then scans every built HTML table and every
CSV download for a number shown with a base below min_base.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ehelse import ROOT, disclosure, waves
from ehelse.disclosure import DisclosureError, apply_rule, protect

REAL = {"microdata": {"citizens": Path("x.sav"), "personnel": None, "mapping": Path("m.yml"),
                      "personnel_mapping": None}, "min_base": 30, "flag_base": 100}


def test_rule_hides_small_rows_and_flags_the_rest():
    t = pd.DataFrame({"level": ["a", "b", "c"], "estimate": [0.5, 0.4, 0.3], "n": [3, 50, 500], "n_eff": [2.5, 40.0, 450.0]})
    out = protect(t, REAL)
    assert out.loc[0, ["estimate", "n", "n_eff"]].isna().all() and out.loc[0, "flag"] == "suppressed: base < 30"
    assert out.loc[1, "estimate"] == 0.4 and out.loc[1, "flag"] == "base < 100: interpret with care"
    assert out.loc[2, "flag"] == "" and out.loc[0, "level"] == "a"
    assert disclosure.small_cells(out, 30).empty and not disclosure.small_cells(t, 30).empty


def test_rule_uses_the_effective_base_first():
    t = pd.DataFrame({"estimate": [0.5], "n": [40], "n_eff": [20.0]})
    assert protect(t, REAL)["estimate"].isna().all()


def test_a_table_with_numbers_and_no_base_is_refused_on_real_microdata():
    t = pd.DataFrame({"level": ["a"], "estimate": [0.5]})
    with pytest.raises(DisclosureError, match=r"download 'x': on real microdata a table with numbers \(estimate\) "
                                              r"needs a base column \(n_eff / n / base\)"):
        protect(t, REAL, what="download 'x'")
    assert protect(pd.DataFrame({"text": ["only words"]}), REAL).equals(pd.DataFrame({"text": ["only words"]}))
    assert protect(disclosure.exempt(t.copy(), "published numbers"), REAL)["estimate"].iloc[0] == 0.5


def test_synthetic_tables_pass_unchanged():
    synth = {**REAL, "microdata": {k: None for k in REAL["microdata"]}}
    t = pd.DataFrame({"estimate": [0.5], "n": [3]})
    assert protect(t, synth) is t


def test_book_table_and_download_apply_the_rule(monkeypatch, tmp_path):
    from ehelse import book, settings

    monkeypatch.setattr(settings, "load", lambda path=None: {**settings.validate(settings.read(), settings.SETTINGS, {}),
                                                            "microdata": REAL["microdata"]})
    assert book.table(pd.DataFrame({"estimate": [1.5], "n": [3]})).data.count("1.5") == 1, "off before real respondents"
    monkeypatch.setitem(disclosure._REAL, "read", True)
    monkeypatch.setattr(book, "DOWNLOADS", tmp_path)
    monkeypatch.setattr(book, "_rel", str)
    t = pd.DataFrame({"level": ["tiny", "big"], "estimate": [12.5, 40.0], "n": [3, 900]})
    html = book.table(t).data
    assert "12.5" not in html and "suppressed" in html
    book.download(t, "rule-test")
    csv = pd.read_csv(tmp_path / "rule-test.csv")
    assert csv["estimate"].isna().iloc[0] and csv["n"].isna().iloc[0] and csv["estimate"].iloc[1] == 40
    with pytest.raises(DisclosureError):
        book.download(t.drop(columns="n"), "rule-test-2")


def test_subgroup_without_respondents_is_a_suppressed_row_not_a_crash():
    from conftest import make_sample

    from ehelse.estimates import design, subgroup_nets
    from ehelse.weighting import rake

    df = make_sample(300, 5)
    df["grp"] = pd.Categorical(np.where(np.arange(300) < 3, "tiny", "big"), categories=["tiny", "big", "empty"])
    d = design(df, rake(df, {"sex": df["sex"].value_counts().to_dict()}))
    out = subgroup_nets(d, "q", ["Helt enig"], ["grp"], min_base=30, flag_base=100)
    assert list(out["level"]) == ["tiny", "big", "empty"]
    assert out.loc[out["level"] != "big", "estimate"].isna().all()
    assert out.loc[out["level"] == "empty", "n"].iloc[0] == 0


# ---------------------------------------------------------------- must show: the real build, scanned

def _tables(html: str) -> list[pd.DataFrame]:
    from bs4 import BeautifulSoup

    out = []
    for t in BeautifulSoup(html, "html.parser").find_all("table"):
        head = [th.get_text(strip=True) for th in t.find_all("th")]
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in t.find_all("tr")]
        rows = [r for r in rows if r]
        if head and rows and all(len(r) == len(head) for r in rows):
            out.append(pd.DataFrame(rows, columns=head))
    return out


def _numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.astype(str).str.replace(",", "", regex=False), errors="coerce")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import pyreadstat

    from ehelse import microdata
    from ehelse.adapter import export_coded

    tmp = tmp_path_factory.mktemp("disclosure")
    root = tmp / "book"
    for rel in ("data", "lib/ehelse", "settings.yml", "requirements.txt", "_config.yml"):
        src, dst = ROOT / rel, root / rel
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    chapters = ["methods/weighting", "citizens/09-patterns"]
    for c in chapters:
        (root / "notebooks" / c).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "notebooks" / f"{c}.md", root / "notebooks" / f"{c}.md")
    (root / "intro.md").write_text("# Test book\n")
    if (ROOT / "_static").is_dir():
        shutil.copytree(ROOT / "_static", root / "_static")
    # the other chapters as stub pages holding only their figure labels (written after execution, so they are
    # not run as chapters), so the two chapters' cross-links resolve
    stubs = {}
    for md in sorted((ROOT / "notebooks").rglob("*.md")):
        rel = md.relative_to(ROOT / "notebooks").with_suffix("").as_posix()
        if rel not in chapters and not md.name.startswith(("_", ".")):
            labels = re.findall(r"^:name: (\S+)", md.read_text(encoding="utf-8"), flags=re.M)
            stubs[rel] = f"# {rel}\n\n" + "".join(f"({x})=\n## {x}\n\n" for x in labels)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n" +
                                   "".join(f"  - file: notebooks/{c}\n" for c in chapters + sorted(stubs)))
    cit = microdata.respondents("citizens")[0]
    data, labels, mapping = export_coded(cit, "citizens")
    src = mapping["variables"]["region"]["source"]
    code = {v: k for k, v in mapping["variables"]["region"]["codes"].items()}
    latest = waves.latest("citizens", source="report")  # the wave the chapters break down by region
    nord = np.flatnonzero((data["aar"] == latest) & (data[src] == code["Nord"]))
    data.loc[nord[3:], src] = code["Sør-Øst"]  # a region of 3 respondents in the latest year
    sav, yml = tmp / "innbygger.sav", tmp / "mapping.yml"
    pyreadstat.write_sav(data, str(sav), variable_value_labels=labels,
                         missing_ranges={v: [99] for v in data.columns if v.startswith("q")})
    yml.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EHELSE_")}
    env.update(EHELSE_ROOT=str(root), EHELSE_MICRODATA=str(sav), EHELSE_MAPPING=str(yml))
    for cmd in ("execute", "html"):
        if cmd == "html":
            for rel, text in stubs.items():
                (root / "notebooks" / rel).parent.mkdir(parents=True, exist_ok=True)
                nb = {"cells": [{"cell_type": "markdown", "id": "stub", "metadata": {}, "source": text}],
                      "metadata": {}, "nbformat": 4, "nbformat_minor": 5}  # the book is built from the .ipynb side
                (root / "notebooks" / f"{rel}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        res = subprocess.run([sys.executable, "-m", "ehelse.build", cmd], cwd=root, env=env, capture_output=True,
                             text=True)
        assert res.returncode == 0, f"{cmd}: {res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return root


def test_built_book_shows_no_cell_below_the_minimum_base(built):
    from ehelse.settings import load

    min_base = load()["min_base"]
    pages = sorted(p for p in (built / "_build" / "html" / "notebooks").rglob("*.html")
                   if p.stem in ("weighting", "09-patterns"))
    assert len(pages) == 2
    checked, suppressed = 0, 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for t in _tables(html):
            base = next((c for c in ("n_eff", "n", "base") if c in t.columns), None)
            if base is None:
                continue
            b = _numbers(t[base])
            assert not (b < min_base).any(), f"{page.name}: a row with base < {min_base} is shown:\n{t[b < min_base]}"
            checked += 1
            if "flag" in t.columns:
                suppressed += int(t["flag"].str.startswith("suppressed").sum())
    csvs = sorted((built / "notebooks" / "_data").glob("*.csv")) + sorted((built / "_build" / "html").rglob("*.csv"))
    assert len(csvs) >= 10
    for p in csvs:
        t = pd.read_csv(p)
        assert disclosure.small_cells(t, min_base).empty, f"{p.name}: rows with base < {min_base} are shown"
        if "flag" in t.columns:
            suppressed += int(t["flag"].astype("string").fillna("").str.startswith("suppressed").sum())
    assert checked >= 8, "the subgroup tables were not found in the pages"
    assert suppressed > 0, "the region of 3 respondents must appear as suppressed"
    patterns = (built / "notebooks" / "_data" / "patterns-satisfied.csv")
    t = pd.read_csv(patterns)
    nord = t[t["level"] == "Nord"]
    assert len(nord) == 1 and nord["estimate"].isna().all() and nord["flag"].iloc[0].startswith("suppressed")
    rec = pd.read_csv(built / "notebooks" / "_data" / "weighting-recovery.csv")
    assert rec.loc[(rec["item"].isin(["Nord", "Helse Nord"])) & (rec["year"] == waves.latest("citizens", source="report")), "weighted"].isna().all()
