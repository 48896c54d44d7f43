"""The 2023 citizen wave: every row of the publisher's 2023 file is in the book's data with its page address,
trend figures gain their 2023 point (with an interval where the question was asked of everyone), and numbers
given by both the report text and the publisher's pages either agree or carry a recorded source issue."""
import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from ehelse import ROOT, claims, data, figures
from ehelse.estimates import published_share_ci
from ehelse.settings import load

PUBLISHER = ROOT / "data" / "published" / "publisher"
COPY = PUBLISHER / "source" / "wave2023_citizens.csv"
SHARED = ROOT.parent / "shared" / "publisher" / "wave2023_citizens.csv"


def _source() -> pd.DataFrame:
    return pd.read_csv(COPY, dtype=str, keep_default_na=False)


def _point(figure_id: str, year: int, **sel) -> pd.Series:
    t = figures.table(figure_id)
    t = t[t["year"] == year]
    for col, want in sel.items():
        t = t[t[col] == want]
    assert len(t) == 1, f"{figure_id} {year} {sel}: {len(t)} rows"
    return t.iloc[0]


def _source_row(url_part: str, year: str, printed: str) -> pd.Series:
    s = _source()
    s = s[s["url"].str.contains(url_part, regex=False) & (s["year"] == year) & (s["percent"] == printed)]
    assert len(s) >= 1, (url_part, year, printed)
    return s.iloc[0]


# ------------------------------------------------------------------ the source copy and its accounting

def test_copy_is_the_recorded_file_and_equals_the_shared_one_where_present():
    assert COPY.exists(), f"{COPY} is missing"
    digest = hashlib.sha256(COPY.read_bytes()).hexdigest()
    readme = (COPY.parent / "README.md").read_text(encoding="utf-8")
    assert f"`{digest}`" in readme, "the copy's checksum is not the one recorded in source/README.md"
    if SHARED.parent.exists():  # on the project machine: the copy must still be the shared file
        assert SHARED.exists(), f"{SHARED} is missing from the shared folder"
        assert COPY.read_bytes() == SHARED.read_bytes(), "the copy differs from the shared file: copy it again"


def test_copy_has_the_53_rows_with_page_addresses_and_quotes():
    s = _source()
    assert len(s) == 53
    assert s["url"].str.startswith("https://").all()
    assert (s["quote"].str.strip() != "").all()


def test_every_row_of_the_2023_file_is_accounted_for():
    pl = data.placement()
    mine = pl[pl["source_file"] == "source/wave2023_citizens.csv"]
    assert sorted(mine["source_row"]) == list(range(1, len(_source()) + 1))
    assert set(mine["placed_as"]) <= {"value", "claim", "unplaced"}
    # every value target holds the printed number, every claim the printed words, at the row's page
    pv = data.publisher_values()
    s = _source()
    for r in mine.itertuples():
        src = s.iloc[r.source_row - 1]
        if r.placed_as == "value":
            fid, pop, year, item, cat = r.target.split("|")
            v = pv[(pv["figure_id"] == fid) & (pv["population"] == pop) & (pv["year"] == int(year))
                   & (pv["item"] == item) & (pv["category"] == cat)]
            assert len(v) == 1 and float(v["value"].iloc[0]) == float(src["percent"]), r
            assert year == src["year"]
        elif r.placed_as == "claim":
            c = data.publisher_claims().set_index("claim_id").loc[r.target]
            assert (c["printed"], c["url"], c["year"]) == (src["percent"], src["url"], src["year"])
        else:
            assert r.reason.strip()


def test_new_2023_values_quote_their_page():
    pv = data.publisher_values()
    s = _source()
    new = pv[pv["year"] == 2023]
    assert len(new) >= 10
    for r in new.itertuples():
        quotes = s.loc[(s["url"] == r.url) & (s["year"] == "2023"), "quote"]
        assert any(q in r.note for q in quotes), f"{r.figure_id} {r.item}: note does not quote its page"


def test_a_row_left_out_of_the_placement_is_an_error(tmp_path):
    root = tmp_path / "published"
    shutil.copytree(ROOT / "data" / "published", root)
    path = root / "publisher" / "placement.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.drop(index=10).to_csv(path, index=False)
    with pytest.raises(data.DataError, match=r"rows \[11\] of source/wave2023_citizens.csv are not accounted for"):
        data.placement(root)


def test_a_value_target_with_another_number_is_an_error(tmp_path):
    root = tmp_path / "published"
    shutil.copytree(ROOT / "data" / "published", root)
    path = root / "publisher" / "placement.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[(df["placed_as"] == "value") & (df["source_row"] == "18")][0]
    df.loc[i, "target"] = df.loc[i, "target"].replace("|2023|", "|2022|")
    df.to_csv(path, index=False)
    with pytest.raises(data.DataError, match="field 'target'"):
        data.placement(root)


# ------------------------------------------------------------------ 2023 points of the trend figures

def test_digital_contact_runs_to_the_latest_wave_with_an_interval_from_its_interviews():
    t = figures.table("C05").set_index("year")
    s = _source()
    fig31 = s[s["measure"].str.contains(r"\(figur 3\.1\)")]
    printed = {int(y): float(v) for y, v in zip(fig31["year"], fig31["percent"])}
    assert sorted(t.index) == sorted(printed)  # every year of figure 3.1, and no other
    assert t["value"].to_dict() == printed
    last = max(printed)
    iv = data.interviews().set_index(["report", "year"])["n"]
    n = int(s.loc[s["measure"].str.startswith("Antall intervju") & (s["year"] == str(last)), "percent"].iloc[0])
    assert iv[("citizens2022", last)] == n
    assert t.loc[last, "base"] == n and t.loc[last, "base_source"] == "all interviews of the year"
    lo, hi = published_share_ci(printed[last], n, load()["published_deff"]["citizens"])
    assert t.loc[last, "ci_low"] == pytest.approx(float(lo)) and t.loc[last, "ci_high"] == pytest.approx(float(hi))
    assert t.loc[last, "url"] == fig31["url"].iloc[0]
    tests = figures.tests("C05").set_index("test")
    assert (tests.loc["latest change", "from"], tests.loc["latest change", "to"]) == (last - 1, last)
    assert tests.loc["latest change", "share_to"] == printed[last]
    assert 0 < tests.loc["latest change", "p_value"] < 1


@pytest.mark.parametrize("figure_id, sel, url_part, printed", [
    ("C14", {"category": "Ja"}, "/sammendrag", "15"),  # video consultation (filtered: no base)
    ("C40", {"item": "tilgang til dine helseopplysninger?"}, "tilfredshet-med-digitale-helsetjenester", "58"),
    ("C40", {"item": "mulighet for digital kontakt med helsepersonell?"}, "tilfredshet-med-digitale-helsetjenester", "49"),
    ("C44", {}, "kjennskap-til-bruk-av-og-inntrykk-av-helsenorge", "109.5"),  # Helsenorge visits (log data)
    ("C33", {"category": "Ja, det finnes helsetjenester som jeg ønsker meg tilgang til digitalt"},
     "om-udekkede-behov-for-digitale-helsetjenester", "35"),  # wish for more services
    ("C35", {"item": "Innbyggere"}, "/forord", "35"),
])
def test_2023_point_is_traceable_to_its_page(figure_id, sel, url_part, printed):
    src = _source_row(url_part, "2023", printed)
    p = _point(figure_id, 2023, **sel)
    assert p["value"] == float(printed)
    assert p["source"] == figures.SOURCE_PUBLISHER and p["url"] == src["url"]
    assert src["url"] in figures.source_note(figure_id)
    assert src["url"] in str(figures.caption(figure_id).data)


def test_filtered_question_gets_no_invented_base():
    p = _point("C14", 2023, category="Ja")
    assert pd.isna(p["base"]) and np.isnan(p["ci_low"])


def test_wish_for_more_services_is_tested_2022_to_2023_across_its_break():
    yes = "Ja, det finnes helsetjenester som jeg ønsker meg tilgang til digitalt"
    t = figures.tests("C33")
    row = t[(t["measure"] == yes) & (t["test"] == "latest change")].iloc[0]
    assert (row["from"], row["to"]) == (2022, 2023)
    assert row["share_from"] == _point("C33", 2022, category=yes)["value"]
    assert row["share_to"] == 35.0 and not np.isnan(row["p_value"])
    assert 2023 in [b["year"] for b in figures.series_breaks("C33")]


def test_a_net_given_alone_is_tested_against_the_sum_of_its_labels():
    item = "Det er viktig for meg å ha tilgang til mine egne helseopplysninger digitalt."
    t = figures.tests("C21")
    row = t[(t["item"] == item) & (t["test"] == "latest change")].iloc[0]
    enig = data.codebook()["scales"]["agree5"]["nets"]["enig"]
    v22 = figures.table("C21").query("item == @item and year == 2022 and category in @enig")["value"].sum()
    assert (row["from"], row["to"], row["share_from"], row["share_to"]) == (2022, 2023, v22, 78.0)
    assert "only the net share" in figures.source_note("C21")


def test_mixed_figure_caption_says_which_years_come_from_where():
    note = figures.source_note("C33")
    assert note.startswith("Numbers: 2021–2022: report text, lines ")
    assert "; 2023: publisher's page https://" in note
    assert "gives the same number for 2022" in note  # figure 3.23's 2022 share confirms the report's 30


# ------------------------------------------------------------------ series breaks from the 2023 notes

@pytest.mark.parametrize("figure_id, brk", [("C27", {"year": 2023, "population": ""}),
                                            ("C28", {"year": 2023, "population": "citizens"}),
                                            ("C33", {"year": 2023, "population": ""}),
                                            ("C35", {"year": 2023, "population": "citizens"})])
def test_2023_questionnaire_changes_are_series_breaks(figure_id, brk):
    assert brk in figures.series_breaks(figure_id)
    assert "2023 questionnaire change" in data.figure(figure_id)["mapping_notes"]


# ------------------------------------------------------------------ two sources for one number

def test_every_disagreement_between_sources_has_a_recorded_issue():
    iss = data.source_issues()
    iss = iss[iss["kind"] == "between_reports"]
    for r in figures.source_conflicts().itertuples():
        hit = iss[iss["figure_id"].str.split(";").map(lambda fs, f=r.figure_id: f in [x.strip() for x in fs])
                  & iss["resolution_source"].str.contains(r.url_publisher, regex=False)
                  & iss["description"].str.contains(str(r.year))]
        assert len(hit), (f"{r.figure_id} {r.year} {r.item}/{r.category}: report {r.value_report:g} vs publisher "
                          f"{r.value_publisher:g} ({r.url_publisher}) has no between_reports source issue")
        assert hit["resolution"].str.strip().ne("").all()


def test_numbers_both_sources_give_are_drawn_once_from_the_report_text():
    t = figures.table("C33")
    key = ["population", "year", "item", "category"]
    assert not t.duplicated(key).any()
    both = t[t["other_source_url"] != ""]
    assert len(both) and (both["source"] == figures.SOURCE_REPORT).all()
    assert ((both["other_source_value"] - both["value"]).abs() <= figures.DISAGREE_POINTS).all()


def test_a_disagreement_is_found_and_said(monkeypatch):
    """Make the publisher's 2022 C33 share differ from the report's: it is listed and the caption says so."""
    real = data.publisher_values()
    yes = "Ja, det finnes helsetjenester som jeg ønsker meg tilgang til digitalt"
    bent = real.copy()
    i = bent.index[(bent["figure_id"] == "C33") & (bent["year"] == 2022) & (bent["category"] == yes)][0]
    bent.loc[i, "value"] = bent.loc[i, "value"] + 3
    monkeypatch.setattr(figures, "publisher_values", lambda: bent.copy())
    figures._table.cache_clear()
    try:
        c = figures.source_conflicts("C33")
        assert len(c) == 1 and c["difference"].iloc[0] == pytest.approx(3.0) and c["year"].iloc[0] == 2022
        assert "give other numbers for 2022" in figures.source_note("C33")
        assert _point("C33", 2022, category=yes)["source"] == figures.SOURCE_REPORT  # the report text is drawn
        # within rounding (0.5) is agreement, not a conflict
        bent.loc[i, "value"] = real.loc[i, "value"] + figures.DISAGREE_POINTS
        figures._table.cache_clear()
        assert figures.source_conflicts("C33").empty
    finally:
        monkeypatch.undo()
        figures._table.cache_clear()


# ------------------------------------------------------------------ claims and interviews

def test_2023_word_number_gets_a_computed_verdict_from_the_2023_value():
    v = claims.publisher_verdicts().set_index("claim_id")
    pc = data.publisher_claims().set_index("claim_id")
    checkable_2023 = pc[(pc["year"] == "2023") & (pc["checkable"] == "yes")]
    assert len(checkable_2023)
    for cid, c in checkable_2023.iterrows():
        m = data.parse_measure(c["measure"])
        val = _point(m["figure_id"], 2023, item=m["item"], category=m["categories"][0])["value"]
        assert v.loc[cid, "value"] == val
        assert v.loc[cid, "verdict"] == (claims.HOLDS if c["low"] <= val <= c["high"] else claims.FAILS)


def test_interviews_of_a_wave_beyond_the_report_come_from_the_publisher_or_the_registry():
    pub = data.publisher_values().iloc[0:0]
    reg = pd.DataFrame({"report": ["citizens2022", "citizens2022"], "year": [2022, 2031], "interviews": [1, 999]})
    have = [{"report": "citizens2022", "year": 2022, "n": 1524, "figure_id": "C02", "source": "method text"}]
    rows = data._later_interviews(have, pub, reg)
    assert rows == [{"report": "citizens2022", "year": 2031, "n": 999, "figure_id": "",
                     "source": "wave registry (data/waves.csv)"}]
    iv = data.interviews().set_index(["report", "year"])
    row = iv.loc[("citizens2022", 2023)]
    assert row["n"] == 1608 and "publisher's page https://" in row["source"]


def test_the_slides_own_latest_change_stays_tested_when_a_later_wave_extends_the_series():
    slide = [int(y) for y in data.figure("C05")["years"].split(";")]
    t = figures.tests("C05").set_index("test")
    assert (t.loc[figures.SLIDE_LATEST, "from"], t.loc[figures.SLIDE_LATEST, "to"]) == tuple(slide[-2:])
    assert t.loc["latest change", "to"] > max(slide)
    picked = figures.slide_latest(figures.tests("C05"))
    assert len(picked) == 1 and picked["test"].iloc[0] == figures.SLIDE_LATEST
    # a series the slide covers to its end has no extra test, and slide_latest gives its latest change
    t46 = figures.tests("C46")
    assert figures.SLIDE_LATEST not in set(t46["test"])
    assert set(figures.slide_latest(t46)["test"]) == {"latest change"}
