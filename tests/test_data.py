"""The published tables: schema, completeness, sums, provenance, and clear errors on corrupted files."""
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ehelse import data
from ehelse.data import DataError, load_published

PUB = data.PUBLISHED


@pytest.fixture(scope="module")
def pub():
    return load_published()


def test_both_reports_load_and_validate(pub):
    assert set(pub["inventory"]["report"]) == {"citizens2022", "personnel2020"}
    assert set(pub["values"]["report"]) == {"citizens2022", "personnel2020"}


def test_inventory_covers_both_reports(pub):
    inv = pub["inventory"]
    counts = inv["report"].value_counts()
    assert counts["citizens2022"] >= 45 and counts["personnel2020"] >= 35
    assert len(inv) >= 85  # "roughly 90 slides in all"
    for rep, g in inv.groupby("report"):
        assert sorted(g["order"]) == list(range(1, len(g) + 1)), f"{rep}: order is not 1..n"


def test_every_number_is_recorded(pub):
    """Chart numbers are values; numbers in headlines and summaries (digits or words) are claims."""
    v, c = pub["values"], pub["claims"]
    printed_claims = c[c["printed"] != ""]
    assert len(v) + len(printed_claims) > 500
    assert (v["report"] == "citizens2022").sum() > 250
    assert (v["report"] == "personnel2020").sum() > 140
    assert (printed_claims["report"] == "personnel2020").sum() > 80


def test_chart_without_numbers_has_no_values(pub):
    inv, v = pub["inventory"], pub["values"]
    none = set(inv.loc[inv["numbers_in_text"] == "no", "figure_id"])
    assert not none & set(v["figure_id"]), "a chart marked 'numbers not in the text' has values"
    for fid in inv.loc[inv["numbers_in_text"] == "no", "figure_id"]:
        row = inv[inv["figure_id"] == fid].iloc[0]
        assert row["mapping_notes"].strip(), f"{fid}: say why the numbers are missing"


def test_each_value_stands_on_its_source_line(pub):
    """The number as printed occurs on the line of the report text the row cites."""
    for report, g in pub["values"].groupby("report"):
        lines = (PUB / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
        for r in g.itertuples():
            text = lines[r.source_line - 1].replace("\u00a0", " ")
            v = r.value
            forms = {f"{v:g}", f"{v:.0f}" if float(v).is_integer() else f"{v:g}".replace(".", ","),
                     f"{v:g}".replace(".", ","), f"{int(v):,}".replace(",", " ") if float(v).is_integer() else ""}
            digits = re.sub(r"(?<=\d) (?=\d{3})", "", text)
            assert any(f and (f in text or f in digits) for f in forms), \
                f"{report} {r.figure_id} line {r.source_line}: {v:g} not found in {text!r}"


def test_complete_stacked_bars_sum_to_100(pub):
    sums = data.bar_sums(pub)
    issues = pub["issues"]
    listed = {f for figs in issues.loc[issues["kind"] == "bar_sum", "figure_id"] for f in figs.split(";")}
    bad = sums[(sums["complete"] & ~sums["sum"].between(98, 102)) | (sums["sum"] > 102)]
    unexplained = bad[~bad["figure_id"].isin(listed)]
    assert unexplained.empty, f"bars off 100 +- 2 and not in source_issues.csv:\n{unexplained}"


def test_source_issues_include_the_sample_size_contradiction(pub):
    iss = pub["issues"]
    assert (iss["kind"] == "sample_size").any()
    assert iss["description"].str.contains("1614").any() and iss["description"].str.contains("1162").any()


def test_codebook_labels_have_english(pub):
    for sid, sc in pub["codebook"]["scales"].items():
        for l in sc["labels"]:
            assert l["no"].strip() and l["en"].strip(), sid
    for qid, q in pub["codebook"]["questions"].items():
        assert q.get("text_en", "").strip(), f"{qid} has no English wording"


def test_published_accessor_orders_by_scale():
    inv = data.inventory()
    fid = inv.loc[(inv["chart_type"] == "stacked_bar") & (inv["numbers_in_text"] == "yes"), "figure_id"].iloc[0]
    t = data.published(fid)
    assert len(t) and t["category"].cat.ordered
    assert t["category_en"].notna().all()


# ---------------------------------------------------------------- corrupted copies

@pytest.fixture
def copy(tmp_path) -> Path:
    root = tmp_path / "published"
    shutil.copytree(PUB, root)
    return root


def _edit(path: Path, fn):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def test_missing_column(copy):
    _edit(copy / "citizens" / "values.csv", lambda d: d.drop(columns=["unit"]))
    with pytest.raises(DataError, match=r"citizens/values.csv, row 1 \(header\), field 'unit'"):
        load_published(copy)


def test_percent_out_of_range(copy):
    def bad(d):
        i = d.index[d["unit"] == "percent"][0]
        d.loc[i, "value"] = "130"
        return d
    _edit(copy / "personnel" / "values.csv", bad)
    with pytest.raises(DataError, match=r"personnel/values.csv, row \d+, field 'value': value '130' is outside 0-100"):
        load_published(copy)


def test_unknown_category(copy):
    def bad(d):
        i = d.index[d["unit"] == "percent"][0]
        d.loc[i, "category"] = "Kanskje"
        return d
    _edit(copy / "citizens" / "values.csv", bad)
    with pytest.raises(DataError, match=r"citizens/values.csv, row \d+, field 'category': value 'Kanskje' is not a label"):
        load_published(copy)


def test_duplicated_row(copy):
    _edit(copy / "citizens" / "values.csv", lambda d: pd.concat([d, d.iloc[[10]]], ignore_index=True))
    with pytest.raises(DataError, match=r"citizens/values.csv, row \d+, field 'report\+figure_id.*duplicates row 12"):
        load_published(copy)


def test_unknown_figure_id(copy):
    def bad(d):
        d.loc[0, "figure_id"] = "C999"
        return d
    _edit(copy / "citizens" / "values.csv", bad)
    with pytest.raises(DataError, match=r"citizens/values.csv, row 2, field 'figure_id': value 'C999' is not a figure_id of table 'citizens-inventory'"):
        load_published(copy)


def test_non_integer_base(copy):
    def bad(d):
        i = d.index[d["base_n"] != ""][0]
        d.loc[i, "base_n"] = "12.5"
        return d
    _edit(copy / "personnel" / "values.csv", bad)
    with pytest.raises(DataError, match=r"personnel/values.csv, row \d+, field 'base_n': value '12.5' is not of type .*integer"):
        load_published(copy)


def test_bad_source_line(copy):
    def bad(d):
        d.loc[0, "source_line"] = "99999"
        return d
    _edit(copy / "citizens" / "values.csv", bad)
    with pytest.raises(DataError, match=r"citizens/values.csv, row 2, field 'source_line': value 99999 is not a line"):
        load_published(copy)


def test_unknown_question_in_inventory(copy):
    def bad(d):
        i = d.index[d["question_id"] != ""][0]
        d.loc[i, "question_id"] = "cit_nonexistent"
        return d
    _edit(copy / "citizens" / "inventory.csv", bad)
    with pytest.raises(DataError, match=r"inventory.csv, row \d+, field 'question_id': value 'cit_nonexistent' is not a question"):
        load_published(copy)


def test_population_margins_match_national_totals():
    m = pd.read_csv(data.DATA / "population" / "margins.csv")
    src = data.DATA / "population" / "source"
    summary = pd.concat([pd.read_csv(f) for f in sorted(src.glob("summary_national_*.csv"))])
    nat = pd.concat([pd.read_csv(f) for f in sorted(src.glob("csdata_national_sex_age1_*.csv"))])
    from ehelse import waves
    weighted = waves.waves("citizens").query("weighted")
    assert set(m["year"]) == set(weighted["margin_year"].astype(int)), "margins for exactly the registry's margin years"
    for year, g in m.groupby("year"):
        published = summary.query("year == @year and sex == 'total'")["age15plus"]
        expected = int(nat.query("year == @year and sex == 'total' and age >= 15")["persons"].sum())
        if len(published):
            assert int(published.iloc[0]) == expected, year
        for var, gg in g.groupby("variable"):
            assert gg["target"].sum() == expected, (year, var)
        assert set(g["variable"]) == {"sex", "agegrp", "region"}
        assert len(g) == 10


def test_population_margins_script_reproduces_committed_file(tmp_path):
    import subprocess
    import sys

    work = tmp_path / "population"
    shutil.copytree(data.DATA / "population", work)
    shutil.copy(data.DATA / "waves.csv", tmp_path / "waves.csv")
    (work / "margins.csv").unlink()
    (work / "cells.csv").unlink()
    subprocess.run([sys.executable, str(work / "build_margins.py")], check=True)
    for f in ("margins.csv", "cells.csv"):
        assert (work / f).read_bytes() == (data.DATA / "population" / f).read_bytes()


def test_inventory_says_where_each_charts_numbers_come_from(pub):
    inv, v, p, c = pub["inventory"], pub["values"], pub["publisher"], pub["claims"]
    claim_lines = set(zip(c["figure_id"], c["source_line"]))
    # partial: the chart's only numbers are the ones its own claims (headline) print, on the claims' lines
    headline_only = {f for f, g in v.groupby("figure_id") if all((f, ln) in claim_lines for ln in g["source_line"])}
    for r in inv.itertuples():
        if r.numbers_source == "partial":
            assert r.figure_id in headline_only and r.numbers_in_text == "partial", \
                f"{r.figure_id}: 'partial' needs values only on the lines of its own claims (the headline's numbers)"
            continue
        # A chart drawn from the publisher's pages whose headline prints some of its numbers has both.
        headline_and_pages = (r.numbers_in_text == "partial" and r.figure_id in headline_only
                              and r.figure_id in set(p["figure_id"]))
        expected = ("" if r.chart_type == "text" else "publisher" if headline_and_pages
                    else "report" if r.figure_id in set(v["figure_id"])
                    else "publisher" if r.figure_id in set(p["figure_id"]) else "missing")
        assert r.numbers_source == expected, f"{r.figure_id}: numbers_source {r.numbers_source!r}, data say {expected!r}"


def test_every_publisher_number_is_used_or_a_claim(pub):
    """Each of the publisher's numbers is a plotted value (with its address) or a claim with a verdict."""
    import pandas as pd

    gap = pd.read_csv(PUB / "publisher" / "gapfill_2019_2022.csv", dtype=str, keep_default_na=False)
    mapping = (PUB / "publisher" / "MAPPING.md").read_text(encoding="utf-8")
    used = set(zip(pub["publisher"]["url"], pub["publisher"]["measure_as_published"]))
    claimed = set(zip(pub["publisher_claims"]["url"], pub["publisher_claims"]["measure_as_published"]))
    listed = set()
    for a, b in re.findall(r"^\| (\d+)(?:–(\d+))? \|", mapping, flags=re.M):
        listed |= set(range(int(a), int(b or a) + 1))
    for i, r in enumerate(gap.itertuples(), start=1):  # MAPPING.md counts data rows from 1
        if (r.url, r.measure) in used or (r.url, r.measure) in claimed:
            continue
        assert i in listed, f"gapfill row {i} ({r.measure}) is not accounted for in publisher/MAPPING.md"
    assert listed >= set(range(1, len(gap) + 1)), "MAPPING.md should list every publisher row"
    assert all(u.startswith("https://") for u in pub["publisher"]["url"])


def test_every_plotted_number_has_a_source(pub):
    """A drawn figure's numbers carry a report line or a page address."""
    from ehelse import figures

    inv = pub["inventory"]
    for fid in inv.loc[inv["numbers_source"].isin(["report", "publisher"]), "figure_id"]:
        t = figures.table(fid)
        assert len(t), fid
        has = t["source_line"].notna() | t["url"].astype(str).str.startswith("https://")
        assert has.all(), f"{fid}: a number without a source"


def test_claim_measure_must_name_printed_values(copy):
    def bad(d):
        i = d.index[d["measure"] != ""][0]
        d.loc[i, "measure"] = d.loc[i, "measure"].replace("|20", "|19")
        return d
    _edit(copy / "citizens" / "claims.csv", bad)
    with pytest.raises(DataError, match=r"citizens/claims.csv, row \d+, field 'measure'.*names no printed value"):
        load_published(copy)


def test_every_lone_number_of_the_text_is_accounted_for(pub):
    """Each line of a report text holding only a number is a value, a claim or an unplaced number with a reason."""
    for report, g in pub["values"].groupby("report"):
        lines = (PUB / "source" / f"{report}.txt").read_text(encoding="utf-8").splitlines()
        lone = {i + 1 for i, l in enumerate(lines) if re.fullmatch(r"\s*-?\d+([.,]\d+)?\s*%?\s*", l)}
        used = set(g["source_line"]) | set(pub["claims"].loc[pub["claims"]["report"] == report, "source_line"]) \
            | set(pub["unplaced"].loc[pub["unplaced"]["report"] == report, "source_line"])
        missing = sorted(lone - used)
        assert not missing, f"{report}: lone numbers on lines {missing[:20]} are not accounted for"
    assert (pub["unplaced"]["kind"] == "unmapped_value").sum() > 0


def test_publisher_number_without_page_address(copy):
    def bad(d):
        d.loc[0, "url"] = "ehelse.no somewhere"
        return d
    _edit(copy / "publisher" / "values.csv", bad)
    with pytest.raises(DataError, match=r"publisher/values.csv, row 2, field 'url': value 'ehelse.no somewhere' breaks the constraint \"pattern\""):
        load_published(copy)


def test_measure_names_name_inventory_charts(copy):
    """measures.csv: an unknown figure id or an empty name is an error naming file, column and value."""
    path = copy / "measures.csv"
    m = pd.read_csv(path, dtype=str, keep_default_na=False)
    m.loc[0, "figure_id"] = "C999"
    m.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"measures.csv.*figure_id.*C999"):
        data.load_published(copy)


def test_partial_numbers_allow_a_net_only_on_partial_charts(copy):
    """A net name (e.g. 'enig') is a category only where the headline prints a net share (numbers partial)."""
    path = copy / "citizens" / "inventory.csv"
    inv = pd.read_csv(path, dtype=str, keep_default_na=False)
    inv.loc[inv["figure_id"] == "C29", "numbers_source"] = "report"
    inv.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"category.*'enig'"):
        data.load_published(copy)
