"""The wave registry: validation, lib and chapters free of survey years, glued tests that belong
together, and a made-up later wave that reaches figures, tests and prose through data alone."""
from __future__ import annotations

import ast
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ehelse import ROOT, build, figures, waves
from ehelse.waves import WaveError

LIB = ROOT / "lib" / "ehelse"
#: a survey year (the registry allows 1990-2100; the book's waves are 20xx) or a report id
YEAR = re.compile(r"(?<![\w.])(?:19[9]\d|20\d\d)(?![\w.])")


def _report_ids() -> list[str]:
    return list(waves.reports())


# ------------------------------------------------------------------ (a) registry validation

def _write(tmp_path: Path, edit) -> Path:
    df = pd.read_csv(waves.WAVES_FILE, dtype=str, keep_default_na=False)
    df = edit(df)
    path = tmp_path / "waves.csv"
    df.to_csv(path, index=False)
    return path


def test_registry_reads_and_lists_every_survey():
    reg = waves.waves()
    assert set(reg["survey"]) == set(waves.SURVEYS)
    for s in waves.SURVEYS:
        ys = waves.years(s)
        assert ys == sorted(ys) and waves.first(s) == ys[0] and waves.latest(s) == ys[-1]
        for y in ys:
            w = waves.wave(s, y)
            assert w["year"] == y and w["survey"] == s
            assert (waves.margin_year(s, y) is None) == (not w["weighted"])


@pytest.mark.parametrize("column,value,message", [
    ("survey", "patients", r"line 2, column 'survey': value 'patients' is not one of"),
    ("year", "20x9", r"line 2, column 'year': value '20x9' is not a whole number"),
    ("sources", "report;rumour", r"line 2, column 'sources': value 'report;rumour'"),
    ("interviews", "-5", r"line 2, column 'interviews': value '-5' is not a whole number"),
    ("weighted", "yes", r"line 2, column 'weighted': value 'yes' is not 'true' or 'false'"),
    ("source_url", "www.example.org", r"line 2, column 'source_url': value 'www.example.org' is not a page"),
])
def test_registry_errors_name_file_line_column_value(tmp_path, column, value, message):
    def bad(df):
        df.loc[0, column] = value
        return df
    with pytest.raises(WaveError, match=r"waves.csv, " + message):
        waves.read(_write(tmp_path, bad))


def test_weighted_wave_without_margin_year_is_an_error_naming_it(tmp_path):
    def bad(df):
        i = df.index[df["weighted"] == "true"][0]
        df.loc[i, "margin_year"] = ""
        return df
    with pytest.raises(WaveError, match=r"line \d+, column 'margin_year': value '' is empty but wave citizens \d+ "
                                        r"is weighted"):
        waves.read(_write(tmp_path, bad))


def test_duplicate_wave_and_missing_column_are_named(tmp_path):
    with pytest.raises(WaveError, match=r"column 'survey\+year': value 'citizens/\d+' duplicates line 2"):
        waves.read(_write(tmp_path, lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True)))
    with pytest.raises(WaveError, match=r"column\(s\) \['note'\] missing"):
        waves.read(_write(tmp_path, lambda df: df.drop(columns="note")))


def test_unknown_wave_and_weighted_wave_without_margins_are_clear_errors():
    from ehelse import data

    with pytest.raises(WaveError, match=r"lists no citizens wave \d+"):
        waves.wave("citizens", waves.YEAR_MIN - 1)
    y = waves.latest("citizens")
    assert not data.wave_margins("citizens", y).empty
    with pytest.raises(data.DataError, match=r"personnel wave \d+ is not weighted"):
        data.wave_margins("personnel", waves.latest("personnel"))


def test_margins_missing_for_a_weighted_wave_names_survey_and_year(tmp_path, monkeypatch):
    from ehelse import data

    monkeypatch.setattr(waves, "margin_year", lambda survey, year: 1990)
    with pytest.raises(data.DataError, match=r"citizens wave \d+ is weighted to the population of 1990, but "
                                             r"data/population/margins.csv has no margins for 1990"):
        data.wave_margins("citizens", waves.latest("citizens"))


# ------------------------------------------------------------------ (b) chapters and (e) lib name no wave

def _code_cells(md: Path):
    """(line number, code without comments) of every code-cell line of a chapter text."""
    inside = False
    for i, line in enumerate(md.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```{code-cell}"):
            inside = True
            continue
        if inside and line.startswith("```"):
            inside = False
            continue
        if inside and not line.lstrip().startswith(":"):
            yield i, line.split("#", 1)[0]


def _offences(lines, names: list[str]) -> list[str]:
    out = []
    for i, code in lines:
        code = code.split("#", 1)[0]
        if YEAR.search(code) or any(n in code for n in names):
            out.append(f"{i}: {code.strip()}")
    return out


def test_the_year_detector_can_fail():
    names = _report_ids()
    assert _offences([(1, 'x[2022]'), (2, 'YEAR = 2019'), (3, f'"{names[0]}"')], names) == \
        ["1: x[2022]", "2: YEAR = 2019", f'3: "{names[0]}"']
    assert _offences([(1, 'waves.latest("citizens")  # 2022 in a comment'), (2, "1.2022"), (3, "x2022")], names) == []


@pytest.mark.parametrize("md", build.chapters(), ids=lambda p: p.stem)
def test_no_chapter_code_cell_names_a_survey_year_or_report(md):
    bad = _offences(_code_cells(md), _report_ids())
    assert not bad, f"{md.relative_to(ROOT)} names a wave in code (ask ehelse.waves / figures): {bad}"


@pytest.mark.parametrize("md", build.chapters(), ids=lambda p: p.stem)
def test_no_heading_or_alt_text_names_a_wave_range(md):
    bad = [l for l in md.read_text(encoding="utf-8").splitlines()
           if (l.startswith("#") or l.startswith(":alt:")) and YEAR.search(l)]
    assert not bad, f"{md.relative_to(ROOT)}: {bad}"


def test_toc_captions_name_no_wave():
    captions = [l for l in (ROOT / "_toc.yml").read_text().splitlines() if "caption:" in l]
    assert captions and not [c for c in captions if YEAR.search(c)]


def _python_code(path: Path) -> list[tuple[int, str]]:
    """Code lines of a module without comments and docstrings."""
    src = path.read_text(encoding="utf-8")
    doc_lines = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                doc_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return [(i, l.split("#", 1)[0]) for i, l in enumerate(src.splitlines(), 1) if i not in doc_lines]


@pytest.mark.parametrize("module", sorted(p.name for p in LIB.glob("*.py") if p.name != "waves.py"))
def test_lib_names_no_survey_year_or_report(module):
    bad = _offences(_python_code(LIB / module), _report_ids())
    assert not bad, f"lib/ehelse/{module}: {bad}"


def test_build_margins_names_no_survey_year():
    bad = _offences(_python_code(ROOT / "data" / "population" / "build_margins.py"), _report_ids())
    assert not bad, bad


# ------------------------------------------------------------------ (c) glued tests belong to their row

def glued(ipynb: Path) -> dict[str, object]:
    """Every glued text value of an executed notebook, {key: value}."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            name = (o.get("metadata") or {}).get("scrapbook", {}).get("name")
            text = (o.get("data") or {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                try:
                    out[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    out[name] = text
    return out


@functools.cache
def _chapter_tests(chapter: str) -> pd.DataFrame:
    return figures.chapter_tests(chapter) if chapter else pd.DataFrame()


def _row(row_id: str) -> dict:
    chapter, fid, pop, item, measure, test, a, b = row_id.split("|")
    t = _chapter_tests(chapter) if chapter else figures.tests(fid)
    sel = t[(t["figure_id"] == fid) & (t["population"] == pop) & (t["item"] == item) & (t["measure"] == measure)
            & (t["test"] == test) & (t["from"] == int(a)) & (t["to"] == int(b))]
    assert len(sel) == 1, f"glued row {row_id!r} is not one test of the current data"
    return sel.iloc[0].to_dict()


def check_glued_tests(values: dict) -> list[str]:
    """Each glue_test set (key_from/_to/_p/…) must equal the test row its key_row names."""
    problems = []
    for key in [k for k in values if k.endswith("_row") and isinstance(values[k], str)]:
        base = key[:-len("_row")]
        row = _row(values[key])
        p = row.get("p_adjusted", row["p_value"])
        want = {"_from": int(row["from"]), "_to": int(row["to"]), "_share_from": row["share_from"],
                "_share_to": row["share_to"], "_p": p}
        for suffix, v in want.items():
            got = values.get(base + suffix)
            got = None if got is None else float(got)  # 'nan' is glued as text
            if got is None or (pd.isna(v) != pd.isna(got)) or (not pd.isna(v) and abs(got - float(v)) > 1e-9):
                problems.append(f"{base}{suffix} = {got!r}, but its test row {values[key]!r} says {v!r}")
    for key in [k for k in values if k.endswith("_rows") and isinstance(values[k], str)]:  # row counts are ints
        base = key[:-len("_rows")]
        rows = [_row(r) for r in values[key].split(";")]
        if {(int(r["from"]), int(r["to"])) for r in rows} != {(values.get(base + "_from"), values.get(base + "_to"))}:
            problems.append(f"{base}_from/_to do not belong to the tests {values[key]!r}")
    return problems


def _sentences(md: Path) -> list[str]:
    """Sentences of a chapter's prose (paragraphs outside fenced blocks, split at sentence ends)."""
    prose, inside = [], False
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
            prose.append("")
            continue
        if not inside:
            prose.append(line)
    paragraphs = re.split(r"\n\s*\n", "\n".join(prose))
    return [s for p in paragraphs for s in re.split(r"(?<=[.;:])\s+(?=[A-Z({«])", " ".join(p.split()))]


def check_prose(md: Path, values: dict) -> list[str]:
    """A sentence printing a test's p-value glues no other test's years and names no other year in words."""
    problems = []
    tests = {k[:-len("_row")] for k in values if k.endswith("_row") and isinstance(values[k], str)}
    for s in _sentences(md):
        keys = re.findall(r"\{glue:text\}`([\w]+)", s)
        for base in {k[:-2] for k in keys if k.endswith("_p") and k[:-2] in tests}:
            years = {values[base + "_from"], values[base + "_to"]}
            others = [k for k in keys if k.endswith(("_from", "_to")) and not k.startswith(base + "_")
                      and isinstance(values.get(k), int) and values[k] not in years]
            if others:
                problems.append(f"{md.name}: the sentence with {base}_p glues the years of {others}: {s[:160]}")
            written = {int(y) for y in YEAR.findall(re.sub(r"\{glue:\w+\}`[^`]*`", "", s))}
            if written - years:
                problems.append(f"{md.name}: the sentence with {base}_p ({sorted(years)}) names "
                                f"{sorted(written - years)}: {s[:160]}")
    return problems


def test_prose_checker_can_fail(tmp_path):
    md = tmp_path / "x.md"
    md.write_text("The change from 2021 to 2022 has p = {glue:text}`a_p:.2f`. Other {glue:text}`b_to` text.\n")
    values = {"a_row": "x", "a_from": 2022, "a_to": 2023, "a_p": 0.5}
    assert check_prose(md, values) and "names [2021]" in check_prose(md, values)[0]


@pytest.mark.parametrize("md", build.chapters(), ids=lambda p: p.stem)
def test_glued_test_years_and_p_come_from_one_test_row(md):
    values = glued(md.with_suffix(".ipynb"))
    assert not check_glued_tests(values)
    assert not check_prose(md, values)


@pytest.mark.parametrize("md", build.chapters(), ids=lambda p: p.stem)
def test_test_p_values_are_glued_only_with_their_row(md):
    """A p-value from a tests table is glued by book.glue_test / glue_tests (never by hand from p_adjusted)."""
    bad = [f"{i}: {c.strip()}" for i, c in _code_cells(md) if "glue(" in c and "p_adjusted" in c]
    assert not bad, f"{md.name}: {bad}"


# ------------------------------------------------------------------ (d) a made-up later wave, by data alone

AFFECTED = ["notebooks/home.md", "notebooks/citizens/01-use.md", "notebooks/citizens/07-satisfaction.md"]


def _copy_tracked(dst: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)


def _add_wave(root: Path) -> int:
    """One registry line, value rows for C05 (publisher page) and C39 (report-text-like), margins: the new year."""
    reg = pd.read_csv(root / "data" / "waves.csv", dtype=str, keep_default_na=False)
    last = reg[reg["survey"] == "citizens"].iloc[-1]
    new = int(last["year"]) + 1
    reg = pd.concat([reg, pd.DataFrame([{**last.to_dict(), "year": str(new), "sources": "report;publisher",
                                         "interviews": "1600", "field_period": "", "margin_year": str(new),
                                         "label_en": f"Citizens {new}", "note": "made-up wave of a test"}])])
    reg.to_csv(root / "data" / "waves.csv", index=False)

    pub_path = root / "data" / "published" / "publisher" / "values.csv"
    pub = pd.read_csv(pub_path, dtype=str, keep_default_na=False)
    c05 = pub[pub["figure_id"] == "C05"].copy()
    c05 = c05[c05["year"] == c05["year"].max()].assign(year=str(new), value="70", base_n="1600",
                                                      note="made-up number of a test")
    pd.concat([pub, c05]).to_csv(pub_path, index=False)

    val_path = root / "data" / "published" / "citizens" / "values.csv"
    val = pd.read_csv(val_path, dtype=str, keep_default_na=False)
    c39 = val[val["figure_id"] == "C39"].copy()
    c39 = c39[c39["year"] == c39["year"].max()].assign(year=str(new), note="made-up number of a test")
    c39.loc[c39["category"] == "Svært fornøyd", "value"] = "5"  # a clear fall, so the test has something to say
    pd.concat([val, c39]).to_csv(val_path, index=False)

    for name in ("margins.csv", "cells.csv"):
        path = root / "data" / "population" / name
        m = pd.read_csv(path)
        m = pd.concat([m, m[m["year"] == m["year"].max()].assign(year=new)])
        m.to_csv(path, index=False, lineterminator="\n")
    return new


def test_a_later_wave_reaches_figures_tests_and_prose_by_data_alone(tmp_path):
    copy = tmp_path / "book"
    _copy_tracked(copy)
    new = _add_wave(copy)
    env = {**os.environ, "EHELSE_ROOT": str(copy)}
    script = ("import sys; from pathlib import Path; from ehelse import build; "
              "build.execute(only=[build.ROOT / p for p in sys.argv[1:]], jobs=2)")
    run = subprocess.run([sys.executable, "-c", script, *AFFECTED], env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    use = glued(copy / "notebooks/citizens/01-use.ipynb")
    assert use["c05_latest_to"] == new and use["c05_first_last_to"] == new and use[f"c05_{new}"] == 70
    assert use["c05_latest_row"].endswith(f"|{new}")
    sat = glued(copy / "notebooks/citizens/07-satisfaction.ipynb")
    assert sat["c39_latest_to"] == new and sat["c39_latest_change"] < 0
    home = glued(copy / "notebooks/home.ipynb")
    assert home["home_cit_span"].endswith(str(new)) and home["home_contact_last_year"] == new
    assert home["home_sat_latest_to"] == new
    # the figures' tables and tests printed in the chapter carry the new year
    text = (copy / "notebooks/citizens/01-use.ipynb").read_text(encoding="utf-8")
    assert f"<td>{new}</td>" in text or f"→ {new}</td>" in text  # a year cell, or a test's "from → to" cell
    assert (copy / "notebooks/_data/c05.csv").read_text().count(f",{new},") == 1
    # the glued sentences and their tests agree in the new data too
    import ehelse

    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import test_waves as t; from pathlib import Path; "
            "p = [x for md in sys.argv[2:] for x in t.check_glued_tests(t.glued(Path(md).with_suffix('.ipynb')))"
            " + t.check_prose(Path(md), t.glued(Path(md).with_suffix('.ipynb')))]; print(json.dumps(p))")
    chk = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), *[str(copy / a) for a in AFFECTED]],
                         env=env, capture_output=True, text=True, timeout=120)
    assert chk.returncode == 0, chk.stderr[-2000:]
    assert json.loads(chk.stdout.strip().splitlines()[-1]) == []
    # no change to lib/ or to any chapter
    for rel in [*(p.relative_to(ROOT) for p in LIB.glob("*.py")), *(p.relative_to(ROOT) for p in build.chapters())]:
        assert (copy / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert ehelse.ROOT == ROOT
