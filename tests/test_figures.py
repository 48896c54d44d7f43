"""The figure layer: bases are never invented, intervals and tests follow from printed numbers."""
import numpy as np
import pytest

from ehelse import data, figures
from ehelse.estimates import published_change_test, published_share_ci
from ehelse.settings import load


def test_question_asked_of_everyone_uses_the_years_interviews_as_base():
    t = figures.table("C05").set_index("year")
    iv = data.interviews().query("report == 'citizens2022'").set_index("year")["n"]
    assert (t["base"] == iv.reindex(t.index)).all()
    assert (t["base_source"] == "all interviews of the year").all()
    deff = load()["published_deff"]["citizens"]
    lo, hi = published_share_ci(t.loc[2022, "value"], t.loc[2022, "base"], deff)
    assert t.loc[2022, "ci_low"] == pytest.approx(float(lo)) and t.loc[2022, "ci_high"] == pytest.approx(float(hi))


def test_subgroup_bars_without_printed_base_get_no_interval():
    t = figures.table("C49")
    assert t["base"].isna().all() and t["ci_low"].isna().all()


def test_comparison_slide_takes_bases_from_the_chart_it_repeats():
    t = figures.table("C13")
    hosp = t[t["item"] == "Innbyggere (sykehusbesøk)"].set_index("year")["base"]
    assert hosp.to_dict() == data.inventory_bases("C11")


def test_chart_without_numbers_is_not_drawn_but_listed():
    inv = data.inventory()
    fid = inv.loc[inv["numbers_source"] == "missing", "figure_id"].iloc[0]
    assert figures.draw(fid) is None
    chapter = inv.set_index("figure_id").loc[fid, "chapter"]
    miss = figures.missing(chapter)
    assert fid in set(miss["figure"]) and (miss["numbers"] == "numbers not in the source").all()


def test_publisher_numbers_are_named_in_the_caption():
    cap = figures.caption("C05").data
    assert "publisher's web pages" in cap and "https://" in cap


def test_population_test_on_a_comparison_slide():
    t = figures.tests("P53")
    row = t[t["test"] == "between populations"].iloc[0]
    tab = figures.table("P53")
    cit = tab[(tab["population"] == "citizens") & tab["category"].isin(["Svært fornøyd", "Ganske fornøyd"])]
    per = tab[(tab["population"] == "personnel") & tab["category"].isin(["Svært fornøyd", "Ganske fornøyd"])]
    deff = load()["published_deff"]
    ref = published_change_test(cit["value"].sum(), cit["base"].iloc[0], per["value"].sum(), per["base"].iloc[0],
                                deff["citizens"], deff["personnel"])
    assert row["p_value"] == pytest.approx(float(ref["p_value"].iloc[0]))
    assert row["share_to"] < row["share_from"]  # personnel less satisfied than citizens (PI14)


def test_wording_change_of_one_population_is_said_so():
    assert "for personnel" in figures.caption("C28").data


def test_chapter_tests_are_bh_adjusted_within_the_chapter():
    from statsmodels.stats.multitest import multipletests

    t = figures.chapter_tests("c3")
    ok = t["p_value"].notna()
    assert ok.sum() >= 3
    np.testing.assert_allclose(t.loc[ok, "p_adjusted"], multipletests(t.loc[ok, "p_value"], method="fdr_bh")[1])
