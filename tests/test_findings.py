"""Words from results: p-values, sentences of change, computed titles and headline verdicts."""
import re

import numpy as np
import pandas as pd
import pytest

from ehelse import claims, data, figures, findings


@pytest.mark.parametrize("p, text", [(0.0432, "p = 0.043"), (0.04, "p = 0.04"), (0.123, "p = 0.12"),
                                     (0.5, "p = 0.5"), (0.0034, "p = 0.0034"), (0.00099, "p < 0.001"),
                                     (3.4e-22, "p < 0.001"), (1.0, "p = 1"), (0.05, "p = 0.05")])
def test_p_text(p, text):
    assert findings.p_text(p) == text


def test_p_text_never_carries_a_significant_p_over_the_level():
    """0.0496 rounds to 0.05; printed so, a significant result would read as not significant."""
    assert findings.p_text(0.0496) == "p = 0.049"
    assert findings.p_text(0.0504) == "p = 0.05"


@pytest.mark.parametrize("p", [np.nan, None, float("nan")])
def test_p_text_refuses_nan(p):
    with pytest.raises(ValueError, match="not_testable"):
        findings.p_text(p)


def test_p_text_is_never_scientific():
    for p in np.geomspace(1e-12, 1, 400):
        t = findings.p_text(float(p))
        assert not re.search(r"\de[-+]?\d", t) and "nan" not in t.lower(), t
        assert len(t.split(" ")[-1].replace(".", "").lstrip("0")) <= 2, t


def test_not_testable_reason_comes_from_the_template():
    assert findings.not_testable() == "not testable: no base printed"
    with pytest.raises(findings.TemplateError):
        findings.not_testable("no_such_reason")


def test_missing_template_key_or_language_is_an_error():
    with pytest.raises(findings.TemplateError, match="missing"):
        findings.template("no.such.key")
    with pytest.raises(findings.TemplateError, match="'xx'"):
        findings.template("p_equal", lang="xx")


def _row(**kw):
    base = {"figure_id": "C05", "population": "citizens", "item": "Total", "measure": "Andel",
            "test": "latest change", "from": 2021, "to": 2022, "share_from": 46.0, "share_to": 54.0,
            "change_points": 8.0, "p_value": 0.001, "p_adjusted": 0.002, "significant": "yes"}
    base.update(kw)
    return pd.Series(base)


def test_change_sentence_rise():
    s = findings.change_sentence(_row())
    assert "rose by 8 points" in s and "46 % in 2021" in s and "54 % in 2022" in s
    assert "p = 0.002" in s and "significant after" in s and "not significant" not in s


def test_change_sentence_fall():
    s = findings.change_sentence(_row(share_from=54.0, share_to=50.0, change_points=-4.0))
    assert "fell by 4 points" in s and "rose" not in s


def test_change_sentence_not_significant_says_no_significant_change():
    s = findings.change_sentence(_row(share_to=47.0, p_value=0.3, p_adjusted=0.41, significant="no"))
    assert "no significant change" in s and "p = 0.41" in s and "unchanged" not in s and "rose" not in s


def test_change_sentence_not_testable():
    s = findings.change_sentence(_row(p_value=np.nan, p_adjusted=np.nan, significant="base not printed"))
    assert "not testable: no base printed" in s and "p =" not in s and "nan" not in s.lower()
    assert "significant" not in s


def test_change_sentence_at_the_boundary_is_not_significant():
    s = findings.change_sentence(_row(p_value=0.05, p_adjusted=0.05))
    assert "p = 0.05" in s and "no significant change" in s
    s = findings.change_sentence(_row(p_value=0.0499, p_adjusted=0.0499))
    assert "p = 0.049" in s and "significant after" in s and "no significant" not in s


def test_change_sentence_uses_the_adjusted_p():
    s = findings.change_sentence(_row(p_value=0.01, p_adjusted=0.08))
    assert "p = 0.08" in s and "no significant change" in s


def test_sentences_of_every_chapter_agree_with_their_decision():
    inv = data.inventory()
    for ch in sorted(set(inv["chapter"]) - {"about"}):
        for _, r in figures.chapter_tests(ch).iterrows():
            s = findings.change_sentence(r)
            assert "nan" not in s.lower()
            if r["significant"] == "yes":
                assert "significant after" in s and "no significant" not in s, s
            elif r["significant"] == "no":
                assert "no significant" in s or "unchanged" in s, s
            else:
                assert "not testable" in s, s


def test_no_figure_title_is_the_report_headline():
    inv = data.inventory()
    titles = {}
    for r in inv[inv["chart_type"] != "text"].itertuples():
        t = findings.figure_title(r.figure_id)
        titles[r.figure_id] = t
        assert findings._norm(t) not in (findings._norm(r.headline), findings._norm(r.headline_en)), r.figure_id
        assert "nan" not in t.lower().split() and "None" not in t
    assert len(titles) == len(inv[inv["chart_type"] != "text"])


def test_title_follows_the_numbers():
    """C14's headline speaks of a decline 2021-2022; its numbers are a rise between two other years."""
    tab = figures.table("C14")
    years = sorted(tab["year"].unique())
    t = findings.figure_title("C14")
    assert "rose" in t and str(years[0]) in t and str(years[-1]) in t and "Decline" not in t
    # P53: the report says personnel are more satisfied; the title says what the bars say
    row = figures.tests("P53").query("test == 'between populations'").iloc[0]
    word = "less often" if row["share_to"] < row["share_from"] else "more often"
    assert f"health personnel {word} than citizens" in findings.figure_title("P53")


def test_headline_verdict_quotes_the_headline_with_the_claims_verdict():
    v = claims.verdicts().set_index("claim_id")
    h = findings.headline_verdict("P53")
    assert h["verdict"] == v.loc["PC202", "verdict"] == "does not hold"
    assert "«" in h["text"] and data.figure("P53")["headline"] in h["text"] and "does not hold" in h["text"]
    assert findings.p_text(v.loc["PC202", "p_value"]) in h["text"]


def test_claim_checked_against_its_own_line_is_a_consistency_check():
    v = claims.verdicts()
    c = v[v["verdict"] == claims.CONSISTENCY]
    assert {"CC39", "CC51", "CC60"} <= set(c["claim_id"])
    vals = claims.checkable_values()
    for _, r in v.iterrows():
        if r["verdict"] in (claims.HOLDS, claims.CONSISTENCY):
            assert claims.self_checked(r, vals) == (r["verdict"] == claims.CONSISTENCY), r["claim_id"]
    assert findings.headline_verdict("C29")["verdict"] == claims.CONSISTENCY


def test_partial_charts_are_listed_not_drawn():
    """Charts whose only numbers are the headline's (numbers_source 'partial') are listed, never drawn."""
    partial = data.inventory().query("numbers_source == 'partial'")["figure_id"].tolist()
    assert {"C29", "C45"} <= set(partial)
    for fid in partial:
        assert figures.source_of(fid) == figures.SOURCE_PARTIAL
        assert figures.draw(fid) is None
        miss = figures.missing(data.figure(fid)["chapter"])
        assert miss.set_index("figure").loc[fid, "numbers"] == "only the headline's numbers"


def test_key_results_name_two_satisfaction_measures_and_link_their_figures():
    k = findings.key_results().set_index("key")
    comb, overall = k.loc["satisfaction_combined"], k.loc["satisfaction_overall"]
    assert comb["measure"] != overall["measure"]
    assert (comb["share_from"], comb["share_to"]) != (overall["share_from"], overall["share_to"])
    for _, r in k.iterrows():
        tab = figures.table(r["figure_id"])
        assert r["link"].endswith(f"#fig-{r['figure_id']}")
        assert (findings.ROOT / r["link"].lstrip("/").split("#")[0]).exists()
        assert {r["from"], r["to"]} <= set(tab["year"])


@pytest.mark.parametrize("fid", ["P53", "P39", "P42"])
def test_headline_sentence_follows_the_verdict_and_shows_no_claim_id_or_p(fid):
    """The prose form of headline_verdict: the same verdict word, the same numbers, no claim ids, no p-value."""
    v = findings.headline_verdict(fid)
    s = findings.headline_sentence(fid)
    assert findings.template(f"headline_sentence_verdict.{v['verdict']}") in s
    assert not re.search(r"\b[CP]C\d+\b", s) and not re.search(r"\bp\s*[=<]", s), s
    for cid in v["claims"]:
        assert cid not in s
    numbers = re.findall(r"\d+ %", v["text"].split("Verdict:")[1].split(", p")[0])
    assert all(n in s for n in numbers), (numbers, s)


def test_headline_sentence_changes_with_the_verdict(monkeypatch):
    """If the claims under a headline were to fail, the sentence says so (the verdict is not typed)."""
    real = findings.headline_claims
    monkeypatch.setattr(findings, "headline_claims", lambda fid: real(fid).assign(verdict="does not hold"))
    assert findings.template("headline_sentence_verdict.does not hold") in findings.headline_sentence("P39")

def test_value_change_sentence_follows_the_series_and_uses_the_test_where_there_is_one():
    from ehelse import figures

    visits = figures.series("C44")
    a, b = visits.index[-2], visits.index[-1]
    s = findings.value_change_sentence("C44")
    verb = findings.template("verb.up" if visits[b] > visits[a] else "verb.down")
    assert f" {verb} " in s and f"in {a}" in s and f"in {b}" in s and "p =" not in s
    assert findings.template("not_a_sample", "en").split(";")[-1].strip() in s  # counts: why there is no test
    first = findings.value_change_sentence("C44", visits.index[0], visits.index[1])
    assert f"in {visits.index[0]}" in first and first != s
    yes = "Ja, det finnes helsetjenester som jeg ønsker meg tilgang til digitalt"
    row = figures.latest_change("C33", findings.figure_tests("C33"), measure=yes)
    assert findings.value_change_sentence("C33", category=yes) == findings.change_sentence(row)
    item = figures.table("C40")["item"].iloc[0]
    assert findings.not_testable("no_base") in findings.value_change_sentence("C40", item=item)
    with pytest.raises(KeyError):
        findings.value_change_sentence("C39")  # several categories a year: the caller must pick one


def test_claims_sentence_counts_consistency_checks_apart_from_holds():
    v = pd.DataFrame({"verdict": ["holds", "holds", "consistency check only", "does not hold", "not checkable",
                                  "not checkable", "not checkable"]})
    assert findings.claim_counts(v) == {"holds": 2, "does not hold": 1, "consistency check only": 1, "not checkable": 3}
    s = findings.claims_sentence(v)
    assert "Of 7 statements" in s and "4 can be checked" in s and "2 hold" in s and "1 do not hold" in s
    assert "1 are a consistency check only" in s and "3 cannot be checked" in s
    real = claims.verdicts()
    assert sum(findings.claim_counts(real).values()) == len(real)
    with pytest.raises(ValueError, match="maybe"):
        findings.claim_counts(pd.DataFrame({"verdict": ["holds", "maybe"]}))
