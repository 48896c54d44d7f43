"""In-process unit tests of ehelse.data written against its mutants (issue 17).

The validators are called directly on tiny tables, and each error is asserted on its full text
(file, row = line of the file, field, value and the rule), so that a mutated message, a moved row
number or a flipped comparison is caught. Contracts come from the docstrings of lib/ehelse/data.py.
"""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ehelse import DATA, data, datapackage
from ehelse.datapackage import DataError

VALS = DATA / "published" / "citizens" / "values.csv"  # named as data/published/citizens/values.csv
REL = "data/published/citizens/values.csv"


def _raises(fn, *args, msg: str):
    with pytest.raises(DataError) as e:
        fn(*args)
    assert str(e.value) == msg
    return e


# ---------------------------------------------------------------- the loaded tables


def test_columns_are_the_declared_fields_of_a_table():
    """Fails if _columns() reads other keys of the descriptor or another table (its 'name' / 'schema' /
    'fields' keys mutated, the table name replaced by None); checked against data/datapackage.yaml."""
    desc = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in desc["resources"]}
    for name in ("citizens-values", "measures"):
        assert data._columns(name) == [f["name"] for f in res[name]["schema"]["fields"]]
    assert data._columns("measures")[0] == "figure_id"


def test_unplaced_is_both_reports_unplaced_numbers_as_a_copy():
    """Fails if unplaced() returns another table (key mutated) or the cached table itself."""
    u = data.unplaced()
    files = [pd.read_csv(DATA / "published" / f / "unplaced.csv", dtype=str, keep_default_na=False)
             for f in ("citizens", "personnel")]
    assert len(u) == sum(len(f) for f in files) and len(u) > 0
    assert list(u.columns) == list(files[0].columns)
    assert set(u["report"]) == {"citizens2022", "personnel2022"} or set(u["report"]) <= set(data.inventory()["report"])
    assert u["printed"].tolist() == [p for f in files for p in f["printed"]]
    u.loc[0, "printed"] = "changed"
    assert data.unplaced().loc[0, "printed"] != "changed"


def test_published_orders_categories_by_the_scale_and_translates():
    """Fails if published() does not order the categories as the scale prints them (order=None or
    categories dropped), loses the English labels or the scale id, or keeps the old index
    (reset_index(drop=...) mutants)."""
    p = data.published("C21")
    labels = data.scale_labels("agree5")
    assert list(p.columns) == ["report", "figure_id", "population", "year", "item", "category", "value", "unit",
                               "base_n", "source_line", "confidence", "note", "category_en", "item_en", "scale"]
    assert p.index.tolist() == list(range(len(p)))
    assert list(p["category"].cat.categories) == labels and p["category"].cat.ordered
    assert (p["scale"] == "agree5").all()
    en = data.english("cit_access_attitudes")
    assert p["category_en"].tolist() == [en[c] for c in p["category"].astype(str)]
    assert p["item_en"].tolist() == [en[i] for i in p["item"]]
    first = p[(p["year"] == 2019) & (p["item"] == p["item"].iloc[0])]
    assert first["category"].astype(str).tolist() == [l for l in labels if l in set(first["category"].astype(str))]
    assert first["category_en"].iloc[0] == "Strongly agree"


def test_published_keeps_an_item_without_english_as_is(monkeypatch):
    """Fails if an item the codebook does not translate gets no English label (en.get(s, None) / en.get(s)
    / en.get(None, s) mutants): the label falls back to the item itself. Also checks the sort
    (population, year, item, scale order) on a shuffled tiny table."""
    real = data._load()
    v = real["values"]
    item = "Jeg har tilgang til de helseopplysningene om meg selv som jeg har behov for."
    pick = v[(v["figure_id"] == "C21") & (v["year"] == 2019) & (v["item"] == item)]
    vals = pd.concat([pick[pick["category"] == "Vet ikke"], pick[pick["category"] == "Delvis enig"],
                      pick[pick["category"] == "Helt enig"]])
    vals.loc[vals.index[0], "item"] = "Å utsagn uten oversettelse"
    fake = {**real, "values": vals}
    monkeypatch.setattr(data, "_load", lambda: fake)
    p = data.published("C21")
    assert p["item"].tolist() == [item, item, "Å utsagn uten oversettelse"]
    assert p["category"].astype(str).tolist() == ["Helt enig", "Delvis enig", "Vet ikke"]
    assert p["item_en"].tolist() == ["I have access to the health information about myself that I need."] * 2 \
        + ["Å utsagn uten oversettelse"]


def test_figure_unknown_id():
    """Fails if an unknown figure id is not a KeyError naming it."""
    with pytest.raises(KeyError, match=re.escape("unknown figure id 'C999'")):
        data.figure("C999")
    assert data.figure("C21")["question"]["scale"] == "agree5"


# ---------------------------------------------------------------- _fail and the small checks


def test_fail_names_file_row_field_value():
    """Fails if the message form changes: path relative to the repository, row = index + 2 (header is
    row 1), field and value by repr; a path outside the repository is given in full."""
    _raises(data._fail, VALS, 0, "unit", "pct", "is bad", msg=f"{REL}, row 2, field 'unit': value 'pct' is bad")
    _raises(data._fail, VALS, None, None, 3, "is bad", msg=f"{REL}: value 3 is bad")
    out = Path("/elsewhere/x.csv")
    _raises(data._fail, out, 5, None, "v", "why", msg="/elsewhere/x.csv, row 7: value 'v' why")


def test_check_in_reports_the_first_bad_row():
    """Fails if _check_in() passes a bad value, reports another row than the first bad one, or
    refuses good values."""
    df = pd.DataFrame({"report": ["a", "a", "b", "c"]})
    data._check_in(df.iloc[:2], VALS, "report", {"a"}, "why")
    _raises(data._check_in, df, VALS, "report", {"a"}, "is not this folder's report ('a')",
            msg=f"{REL}, row 4, field 'report': value 'b' is not this folder's report ('a')")


def test_check_lines_boundaries():
    """Fails if line 1 or the last line of the source is refused, or 0 / last + 1 accepted (between
    bounds mutants), or the message changes."""
    lines = ["l1", "l2", "l3"]
    data._check_lines(pd.DataFrame({"source_line": [1, 3]}), VALS, "source_line", lines)
    _raises(data._check_lines, pd.DataFrame({"source_line": [1, 4]}), VALS, "source_line", lines,
            msg=f"{REL}, row 3, field 'source_line': value 4 is not a line of the source text (1-3)")
    _raises(data._check_lines, pd.DataFrame({"source_line": [0]}), VALS, "source_line", lines,
            msg=f"{REL}, row 2, field 'source_line': value 0 is not a line of the source text (1-3)")


@pytest.mark.parametrize("unit,ok,bad,text", [
    ("percent", [0, 100], 100.5, "is outside 0-100 for unit 'percent'"),
    ("percent", [0.0], -0.5, "is outside 0-100 for unit 'percent'"),
    ("nps_points", [-100, 100], -101, "is outside -100-100 for unit 'nps_points'"),
    ("nps_points", [0], 100.25, "is outside -100-100 for unit 'nps_points'"),
    ("count", [0, 1e9], -1, "is outside 0-inf for unit 'count'"),
])
def test_unit_ranges(unit, ok, bad, text):
    """Fails if a unit's range moves (bounds are inclusive) or its message changes."""
    data._check_unit_ranges(pd.DataFrame({"unit": [unit] * len(ok), "value": ok}), VALS)
    df = pd.DataFrame({"unit": ["percent", unit], "value": [50.0, bad]})
    _raises(data._check_unit_ranges, df, VALS, msg=f"{REL}, row 3, field 'value': value '{bad:g}' {text}")


def test_check_low_high():
    """Fails if low == high is refused, low > high accepted, a missing bound compared, or the message
    changes."""
    ok = pd.DataFrame({"low": [1.0, np.nan, 3.0], "high": [1.0, 2.0, np.nan]})
    data._check_low_high(ok, VALS)
    bad = pd.DataFrame({"low": [1.0, 5.5], "high": [2.0, 5.25]})
    _raises(data._check_low_high, bad, VALS, msg=f"{REL}, row 3, field 'low': value '5.5' is above high (5.25)")


def test_parse_measure():
    """Fails if parse_measure() splits wrongly, does not parse 'A>B' years as ints, accepts a wrong
    number of parts or loses its message; empty text is None."""
    assert data.parse_measure("") is None
    assert data.parse_measure(None) is None
    assert data.parse_measure("C21|citizens|2019>2022|Et utsagn|Helt enig;Delvis enig") == {
        "figure_id": "C21", "population": "citizens", "years": [2019, 2022], "item": "Et utsagn",
        "categories": ["Helt enig", "Delvis enig"]}
    assert data.parse_measure("F|p|2020|i|c")["years"] == [2020]
    with pytest.raises(ValueError) as e:
        data.parse_measure("F|p|2020|i")
    assert str(e.value) == "measure 'F|p|2020|i' must have 5 parts FIGURE|POPULATION|YEAR|ITEM|CATEGORIES"
    with pytest.raises(ValueError):
        data.parse_measure("F|p|2020|i|c|x")


def _vals():
    return pd.DataFrame({"figure_id": ["F1", "F1", "F1"], "population": ["p", "p", "p"], "year": [2019, 2022, 2022],
                         "item": ["i", "i", "i"], "category": ["a", "a", "b"], "value": [1.0, 2.0, 3.0]})


def test_check_measures_messages():
    """Fails if a measure naming no printed value, a malformed one, or an empty measure of a checkable
    claim passes, or if a good measure / an empty compare_to is refused (mutants of _check_measures)."""
    good = pd.DataFrame({"measure": ["F1|p|2019>2022|i|a", "", "F1|p|2022|i|a;b"],
                         "compare_to": ["", "", "F1|p|2019|i|a"], "checkable": ["yes", "no", "yes"]})
    data._check_measures(good, VALS, _vals(), ("measure", "compare_to"))
    df = good.copy()
    df.loc[2, "compare_to"] = "F1|p|2019|i|b"
    _raises(data._check_measures, df, VALS, _vals(), ("measure", "compare_to"),
            msg=f"{REL}, row 4, field 'compare_to': value 'F1|p|2019|i|b' names no printed value (year 2019, "
                "category 'b')")
    df = good.copy()
    df.loc[1, "checkable"] = "yes"
    _raises(data._check_measures, df, VALS, _vals(), ("measure", "compare_to"),
            msg=f"{REL}, row 3, field 'measure': value '' is empty but the claim is marked checkable")
    df = good.copy()
    df.loc[0, "measure"] = "F1|p|2019"
    _raises(data._check_measures, df, VALS, _vals(), ("measure",),
            msg=f"{REL}, row 2, field 'measure': value 'F1|p|2019' measure 'F1|p|2019' must have 5 parts "
                "FIGURE|POPULATION|YEAR|ITEM|CATEGORIES")
    # an empty compare_to is fine even when checkable (only `measure` must be given)
    df = good.copy()
    df["compare_to"] = ""
    data._check_measures(df, VALS, _vals(), ("measure", "compare_to"))


# ---------------------------------------------------------------- validators of one table

CB = {"scales": {"s": {"labels": [{"no": "Ja", "en": "Yes"}, {"no": "Nei", "en": "No"}],
                       "nets": {"Ja eller nei": ["Ja", "Nei"]}},
                 "e": {"labels": []}},
      "questions": {"q1": {"text_no": "Spørsmål?", "scale": "s"}, "q2": {"text_no": "Annet?", "scale": "e"}}}


def test_validate_codebook_messages(tmp_path):
    """Fails if a malformed codebook passes or its message changes: no top keys, labels missing /
    lacking 'no' or 'en', a label twice, a net with unknown labels, a question without wording or
    with an unknown scale."""
    p = tmp_path / "codebook.yml"
    assert data.validate_codebook(CB, p) is CB
    _raises(data.validate_codebook, {"scales": {}}, p, msg=f"{p}: codebook needs top-level 'scales' and 'questions'")
    _raises(data.validate_codebook, {"questions": {}}, p, msg=f"{p}: codebook needs top-level 'scales' and 'questions'")
    _raises(data.validate_codebook, [], p, msg=f"{p}: codebook needs top-level 'scales' and 'questions'")
    need = "needs a list of labels (empty if the options were not printed), each with both 'no' and 'en'"
    for sc in (None, {}, {"labels": [{"no": "Ja"}]}, {"labels": [{"en": "Yes"}]}, {"labels": ["Ja"]},
               {"labels": [{"no": "", "en": "x"}]}):
        _raises(data.validate_codebook, {"scales": {"s": sc}, "questions": {}}, p, msg=f"{p}: scale 's' {need}")
    twice = {"labels": [{"no": "Ja", "en": "Yes"}, {"no": "Ja", "en": "Yes!"}]}
    _raises(data.validate_codebook, {"scales": {"s": twice}, "questions": {}}, p,
            msg=f"{p}: scale 's' lists a label twice: ['Ja', 'Ja']")
    net = {"labels": [{"no": "Ja", "en": "Yes"}], "nets": {"n": ["Ja", "Kanskje"]}}
    _raises(data.validate_codebook, {"scales": {"s": net}, "questions": {}}, p,
            msg=f"{p}: net 'n' of scale 's' names unknown labels ['Kanskje']")
    for q in ({"scale": "s"}, {"text_no": "", "scale": "s"}, "text"):
        _raises(data.validate_codebook, {"scales": CB["scales"], "questions": {"q": q}}, p,
                msg=f"{p}: question 'q' has no Norwegian wording (text_no)")
    _raises(data.validate_codebook, {"scales": CB["scales"], "questions": {"q": {"text_no": "?", "scale": "t"}}}, p,
            msg=f"{p}: question 'q' uses unknown scale 't'")


def _inv(**cols):
    base = {"report": ["r", "r"], "figure_id": ["F1", "F2"], "chart_type": ["stacked_bar", "text"],
            "chart": ["bar", "text"], "question_id": ["q1", ""], "numbers_in_text": ["no", "no"],
            "base_from": ["", "Alle=F1"], "numbers_source": ["report", "report"]}
    base.update(cols)
    return pd.DataFrame(base)


INV = DATA / "published" / "citizens" / "inventory.csv"
IREL = "data/published/citizens/inventory.csv"


def test_validate_inventory_messages():
    """Fails if an inventory rule passes a bad row or changes its message: another folder's report,
    'text' chart without chart_type 'text' (and back), unknown question, a chart with numbers and no
    question, base_from naming an unknown figure (mutants of validate_inventory)."""
    assert data.validate_inventory(_inv(), INV, "r", CB).equals(_inv())
    _raises(data.validate_inventory, _inv(report=["r", "x"]), INV, "r", CB,
            msg=f"{IREL}, row 3, field 'report': value 'x' is not this folder's report ('r')")
    _raises(data.validate_inventory, _inv(chart=["text", "text"]), INV, "r", CB,
            msg=f"{IREL}, row 2, field 'chart': value 'text' must be 'text' exactly when chart_type is 'text' "
                "(chart_type 'stacked_bar')")
    _raises(data.validate_inventory, _inv(chart=["bar", "bar"]), INV, "r", CB,
            msg=f"{IREL}, row 3, field 'chart': value 'bar' must be 'text' exactly when chart_type is 'text' "
                "(chart_type 'text')")
    _raises(data.validate_inventory, _inv(question_id=["q9", ""]), INV, "r", CB,
            msg=f"{IREL}, row 2, field 'question_id': value 'q9' is not a question of the codebook")
    # a chart without question is fine when it prints no numbers, refused when it does
    data.validate_inventory(_inv(question_id=["", ""]), INV, "r", CB)
    _raises(data.validate_inventory, _inv(question_id=["", ""], numbers_in_text=["yes", "no"]), INV, "r", CB,
            msg=f"{IREL}, row 2, field 'question_id': value '' is empty but the slide has a stacked_bar chart "
                "with numbers")
    data.validate_inventory(_inv(question_id=["q1", ""], numbers_in_text=["no", "yes"]), INV, "r", CB)
    _raises(data.validate_inventory, _inv(base_from=["", "Alle=F1;Noen=F7"]), INV, "r", CB,
            msg=f"{IREL}, row 3, field 'base_from': value 'Alle=F1;Noen=F7' must name figures of this inventory")
    data.validate_inventory(_inv(base_from=["F2", ";Alle=F1;"]), INV, "r", CB)


def test_check_categories_labels_and_nets():
    """Fails if a category outside the scale passes, if a net is accepted where it is not allowed or
    refused where it is (nets=True, numbers_source 'partial', or 'publisher' with a 'partial'
    headline), or if the message changes (mutants of _check_categories)."""
    inv = pd.DataFrame({"figure_id": ["F1", "F2", "F3", "F4"], "question_id": ["q1", "q1", "q1", "q1"],
                        "numbers_source": ["report", "partial", "publisher", "publisher"],
                        "numbers_in_text": ["no", "no", "partial", "yes"]})
    ok = pd.DataFrame({"figure_id": ["F1", "F1"], "category": ["Ja", "Nei"]})
    data._check_categories(ok, VALS, inv, CB)
    net = "Ja eller nei"
    for fid in ("F2", "F3"):
        data._check_categories(pd.DataFrame({"figure_id": ["F1", fid], "category": ["Ja", net]}), VALS, inv, CB)
    data._check_categories(pd.DataFrame({"figure_id": ["F1"], "category": [net]}), VALS, inv, CB, nets=True)
    for fid in ("F1", "F4"):
        _raises(data._check_categories, pd.DataFrame({"figure_id": ["F1", fid], "category": ["Ja", net]}),
                VALS, inv, CB, msg=f"{REL}, row 3, field 'category': value '{net}' is not a label of question "
                                   "'q1''s scale ['Ja', 'Nei']")
    _raises(data._check_categories, pd.DataFrame({"figure_id": ["F1"], "category": ["Kanskje"]}), VALS, inv, CB, True,
            msg=f"{REL}, row 2, field 'category': value 'Kanskje' is not a label of question 'q1''s scale "
                "['Ja', 'Nei'] or one of its nets ['Ja eller nei']")


def test_validate_values_casts_and_checks():
    """Fails if validate_values() skips one of its checks or does not cast year / source_line to int."""
    inv = pd.DataFrame({"figure_id": ["F1"], "question_id": ["q1"], "numbers_source": ["report"],
                        "numbers_in_text": ["no"]})
    df = pd.DataFrame({"report": ["r", "r"], "figure_id": ["F1", "F1"], "category": ["Ja", "Nei"],
                       "unit": ["percent", "percent"], "value": [40.0, 60.0], "year": [2022.0, 2022.0],
                       "source_line": [1.0, 2.0]})
    out = data.validate_values(df, VALS, "r", inv, CB, ["a", "b"])
    assert out["year"].dtype == np.int64 and out["source_line"].dtype == np.int64
    assert out["year"].tolist() == [2022, 2022] and out["source_line"].tolist() == [1, 2]
    _raises(data.validate_values, df.assign(report="s"), VALS, "r", inv, CB, ["a", "b"],
            msg=f"{REL}, row 2, field 'report': value 's' is not this folder's report ('r')")
    _raises(data.validate_values, df.assign(value=[40.0, 160.0]), VALS, "r", inv, CB, ["a", "b"],
            msg=f"{REL}, row 3, field 'value': value '160' is outside 0-100 for unit 'percent'")
    _raises(data.validate_values, df, VALS, "r", inv, CB, ["a"],
            msg=f"{REL}, row 3, field 'source_line': value 2 is not a line of the source text (1-1)")
    _raises(data.validate_values, df.assign(category=["Ja", "Kanskje"]), VALS, "r", inv, CB, ["a", "b"],
            msg=f"{REL}, row 3, field 'category': value 'Kanskje' is not a label of question 'q1''s scale "
                "['Ja', 'Nei']")


def test_validate_claims_and_publisher_claims():
    """Fails if validate_claims() / validate_publisher_claims() skip a check (report, lines, low/high,
    measure, compare_to) or do not cast source_line to int."""
    inv = pd.DataFrame({"figure_id": ["F1"]})
    df = pd.DataFrame({"report": ["r"], "figure_id": ["F1"], "source_line": [2.0], "low": [1.0], "high": [2.0],
                       "measure": ["F1|p|2019|i|a"], "compare_to": [""], "checkable": ["yes"]})
    out = data.validate_claims(df, VALS, "r", inv, _vals(), ["a", "b"])
    assert out["source_line"].dtype == np.int64 and out["source_line"].tolist() == [2]
    _raises(data.validate_claims, df.assign(report="s"), VALS, "r", inv, _vals(), ["a", "b"],
            msg=f"{REL}, row 2, field 'report': value 's' is not this folder's report ('r')")
    _raises(data.validate_claims, df, VALS, "r", inv, _vals(), ["a"],
            msg=f"{REL}, row 2, field 'source_line': value 2 is not a line of the source text (1-1)")
    _raises(data.validate_claims, df.assign(low=3.0), VALS, "r", inv, _vals(), ["a", "b"],
            msg=f"{REL}, row 2, field 'low': value '3' is above high (2)")
    _raises(data.validate_claims, df.assign(compare_to="F1|p|2020|i|a"), VALS, "r", inv, _vals(), ["a", "b"],
            msg=f"{REL}, row 2, field 'compare_to': value 'F1|p|2020|i|a' names no printed value (year 2020, "
                "category 'a')")
    pc = df.drop(columns=["report", "source_line"])
    assert data.validate_publisher_claims(pc, VALS, inv, _vals()) is pc
    _raises(data.validate_publisher_claims, pc.assign(figure_id="F9"), VALS, inv, _vals(),
            msg=f"{REL}, row 2, field 'figure_id': value 'F9' is not a figure of either report's inventory")
    _raises(data.validate_publisher_claims, pc.assign(low=3.0), VALS, inv, _vals(),
            msg=f"{REL}, row 2, field 'low': value '3' is above high (2)")
    _raises(data.validate_publisher_claims, pc.assign(measure="F1|p|2019|i|z"), VALS, inv, _vals(),
            msg=f"{REL}, row 2, field 'measure': value 'F1|p|2019|i|z' names no printed value (year 2019, "
                "category 'z')")


def test_validate_publisher():
    """Fails if validate_publisher() skips the figure, unit-range or category check (nets allowed), or
    does not cast year to int."""
    inv = pd.DataFrame({"figure_id": ["F1"], "question_id": ["q1"], "numbers_source": ["report"],
                        "numbers_in_text": ["no"]})
    df = pd.DataFrame({"figure_id": ["F1"], "category": ["Ja eller nei"], "unit": ["percent"], "value": [70.0],
                       "year": [2023.0]})
    out = data.validate_publisher(df, VALS, inv, CB)
    assert out["year"].dtype == np.int64 and out["year"].tolist() == [2023]
    _raises(data.validate_publisher, df.assign(figure_id="F9"), VALS, inv, CB,
            msg=f"{REL}, row 2, field 'figure_id': value 'F9' is not a figure of either report's inventory")
    _raises(data.validate_publisher, df.assign(value=-1.0), VALS, inv, CB,
            msg=f"{REL}, row 2, field 'value': value '-1' is outside 0-100 for unit 'percent'")
    _raises(data.validate_publisher, df.assign(category="Kanskje"), VALS, inv, CB,
            msg=f"{REL}, row 2, field 'category': value 'Kanskje' is not a label of question 'q1''s scale "
                "['Ja', 'Nei'] or one of its nets ['Ja eller nei']")


def test_validate_unplaced_line_boundaries():
    """Fails if a number standing on the first / last line is refused, one on line 0, past the end or
    not on its line accepted, or the message / int cast changes (mutants of validate_unplaced)."""
    lines = ["side 3", "i 2019 og 2022"]
    df = pd.DataFrame({"report": ["r", "r"], "source_line": [1.0, 2.0], "printed": ["3", "2022"]})
    out = data.validate_unplaced(df, VALS, "r", None, lines)
    assert out["source_line"].dtype == np.int64 and out["source_line"].tolist() == [1, 2]
    for ln, printed, row in ((0.0, "3", 2), (3.0, "3", 2), (2.0, "3", 2)):
        bad = df.copy()
        bad.loc[0, ["source_line", "printed"]] = [ln, printed]
        _raises(data.validate_unplaced, bad, VALS, "r", None, lines,
                msg=f"{REL}, row {row}, field 'printed': value '{printed}' does not stand on line {int(ln)} of the "
                    "source text")
    _raises(data.validate_unplaced, df.assign(report="s"), VALS, "r", None, lines,
            msg=f"{REL}, row 2, field 'report': value 's' is not this folder's report ('r')")


def test_validate_issues_and_measures():
    """Fails if a contradiction naming an unknown figure (among ';'-separated, spaced ids) or a blank
    measure name passes, or a message changes (mutants of validate_issues / validate_measures)."""
    inv = pd.DataFrame({"figure_id": ["F1", "F2"]})
    iss = pd.DataFrame({"report": ["r", "r"], "figure_id": ["F1; F2", "F2;"]})
    assert data.validate_issues(iss, VALS, "r", inv) is iss
    _raises(data.validate_issues, iss.assign(figure_id=["F1", " F2 ; F3"]), VALS, "r", inv,
            msg=f"{REL}, row 3, field 'figure_id': value 'F3' is not a figure of the inventory")
    _raises(data.validate_issues, iss.assign(report=["r", "t"]), VALS, "r", inv,
            msg=f"{REL}, row 3, field 'report': value 't' is not this folder's report ('r')")
    m = pd.DataFrame({"figure_id": ["F1", "F2"], "measure_en": ["share", "NPS"]})
    assert data.validate_measures(m, VALS, inv) is m
    _raises(data.validate_measures, m.assign(measure_en=["share", "  "]), VALS, inv,
            msg=f"{REL}, row 3, field 'measure_en': value '  ' is empty")
    _raises(data.validate_measures, m.assign(figure_id=["F1", "F5"]), VALS, inv,
            msg=f"{REL}, row 3, field 'figure_id': value 'F5' is not a figure of either report's inventory")


# ---------------------------------------------------------------- bases


def _fake_inventory(monkeypatch, rows):
    inv = pd.DataFrame(rows, columns=["figure_id", "bases", "base_from"])
    real = data._load()
    monkeypatch.setattr(data, "_load", lambda: {**real, "inventory": inv})


def test_inventory_bases_leaves_out_ambiguous_years(monkeypatch):
    """Fails if inventory_bases() keeps a year with two different bases, drops a year repeated with the
    same base, or parses malformed parts (mutants of inventory_bases)."""
    _fake_inventory(monkeypatch, [("F1", "2019:100;2020:200;2020:201;2021:300;2021:300;x:5;2022:n;;2023 : 7", ""),
                                  ("F2", "", "")])
    assert data.inventory_bases("F1") == {2019: 100, 2021: 300, 2023: 7}
    assert data.inventory_bases("F2") == {}


def test_printed_base_order_of_sources(monkeypatch):
    """Fails if printed_base() does not take the rows' own largest base_n first, then the legend of the
    figure for the year, then the legend of the chart base_from names for the item; or if several years
    give a base (mutants of printed_base)."""
    _fake_inventory(monkeypatch, [("F1", "2019:100", "Alle=F2;Noen=F3"), ("F2", "2019:555;2020:666", ""),
                                  ("F3", "", "")])
    rows = pd.DataFrame({"figure_id": ["F1", "F1"], "year": [2019, 2019], "item": ["Alle", "Alle"],
                         "base_n": [np.nan, np.nan]})
    assert data.printed_base(rows.assign(base_n=[50.0, 70.0])) == 70.0
    assert data.printed_base(rows) == 100.0
    assert data.printed_base(rows.assign(year=[2019, 2020])) is None
    assert data.printed_base(rows.assign(year=[2020, 2020])) == 666.0
    assert data.printed_base(rows.assign(year=[2020, 2020], item=["Noen", "Noen"])) is None
    assert data.printed_base(rows.assign(year=[2020, 2020], item=["Ingen", "Ingen"])) is None
    assert data.printed_base(rows.assign(year=[2020, 2020]).drop(columns="item")) is None
    assert isinstance(data.printed_base(rows), float)


def test_bar_sums_of_a_tiny_publication():
    """Fails if bar_sums() sums other rows (only percent values of stacked-bar charts count), groups by
    other keys, loses its sort order or column names, rounds to other than 6 decimals, or judges
    completeness otherwise (every label printed, and the scale exhaustive unless it says
    exhaustive: false) (mutants of bar_sums)."""
    cb = {"scales": {"s": {"labels": [{"no": "Ja", "en": "Yes"}, {"no": "Nei", "en": "No"}]},
                     "p": {"labels": [{"no": "Ja", "en": "Yes"}, {"no": "Nei", "en": "No"}], "exhaustive": False}},
          "questions": {"q1": {"text_no": "?", "scale": "s"}, "q2": {"text_no": "?", "scale": "p"}}}
    inv = pd.DataFrame({"figure_id": ["F2", "F1", "F3"], "question_id": ["q1", "q1", "q2"],
                        "chart_type": ["stacked_bar", "stacked_bar", "stacked_bar"]})
    inv = pd.concat([inv, pd.DataFrame({"figure_id": ["F4"], "question_id": ["q1"], "chart_type": ["bar"]})])
    rows = [("F2", "p", 2022, "i", "Ja", 60.0, "percent"), ("F2", "p", 2022, "i", "Nei", 40.0, "percent"),
            ("F2", "p", 2019, "i", "Ja", 33.3333334, "percent"), ("F2", "p", 2019, "i", "n", 999.0, "count"),
            ("F1", "p", 2022, "i", "Ja", 50.0, "percent"), ("F1", "p", 2022, "i", "Nei", 49.0, "percent"),
            ("F3", "p", 2022, "i", "Ja", 70.0, "percent"), ("F3", "p", 2022, "i", "Nei", 30.0, "percent"),
            ("F4", "p", 2022, "i", "Ja", 10.0, "percent")]
    vals = pd.DataFrame(rows, columns=["figure_id", "population", "year", "item", "category", "value", "unit"])
    out = data.bar_sums({"values": vals, "inventory": inv, "codebook": cb})
    assert list(out.columns) == ["figure_id", "population", "year", "item", "sum", "categories", "complete"]
    assert out[["figure_id", "year"]].values.tolist() == [["F1", 2022], ["F2", 2019], ["F2", 2022], ["F3", 2022]]
    assert out["sum"].tolist() == [99.0, 33.333333, 100.0, 100.0]
    assert out["categories"].tolist() == [2, 1, 2, 2]
    assert out["complete"].tolist() == [True, False, True, False]
    assert out["population"].tolist() == ["p"] * 4 and out["item"].tolist() == ["i"] * 4
    empty = data.bar_sums({"values": vals.iloc[:0], "inventory": inv, "codebook": cb})
    assert empty.empty and list(empty.columns) == list(out.columns)


def test_bar_sums_default_is_the_loaded_publication():
    """Fails if bar_sums() without argument does not read the book's published tables (pub default):
    checked on one stacked bar of C21, summed here from values()."""
    out = data.bar_sums()
    v = data.values()
    item = "Jeg har tilgang til de helseopplysningene om meg selv som jeg har behov for."
    mine = v[(v["figure_id"] == "C21") & (v["year"] == 2019) & (v["item"] == item) & (v["unit"] == "percent")]
    row = out[(out["figure_id"] == "C21") & (out["year"] == 2019) & (out["item"] == item)]
    assert len(row) == 1 and row["sum"].iloc[0] == round(float(mine["value"].sum()), 6)
    assert row["categories"].iloc[0] == len(mine)


# ---------------------------------------------------------------- codebook, interviews, margins


def test_english_labels_nets_and_items(monkeypatch):
    """Fails if english() loses a label, item or net translation: a net printed alone is 'First or
    second' (first member as is, the others lower case), a net named like a label keeps the label's
    translation, a member without English stays Norwegian (mutants of english)."""
    cb = {"scales": {"s": {"labels": [{"no": "Helt enig", "en": "Strongly agree"}, {"no": "Delvis enig", "en": "Somewhat agree"}],
                           "nets": {"enig": ["Helt enig", "Delvis enig"], "Helt enig": ["Helt enig"],
                                    "rart": ["Ukjent", "Delvis enig"], "rar2": ["Delvis enig", "Ukjent"]}}},
          "questions": {"q": {"text_no": "?", "scale": "s", "items": [{"no": "Utsagn", "en": "Statement"}]},
                        "r": {"text_no": "?", "scale": "s"}}}
    real = data._load()
    monkeypatch.setattr(data, "_load", lambda: {**real, "codebook": cb})
    assert data.english("q") == {"Helt enig": "Strongly agree", "Delvis enig": "Somewhat agree",
                                 "enig": "Strongly agree or somewhat agree", "rart": "Ukjent or somewhat agree",
                                 "rar2": "Somewhat agree or ukjent", "Utsagn": "Statement"}
    assert data.english("r") == {"Helt enig": "Strongly agree", "Delvis enig": "Somewhat agree",
                                 "enig": "Strongly agree or somewhat agree", "rart": "Ukjent or somewhat agree",
                                 "rar2": "Somewhat agree or ukjent"}
    assert data.scale_labels("s") == ["Helt enig", "Delvis enig"]
    assert data.scale_labels("s", "en") == ["Strongly agree", "Somewhat agree"]


def _codebooks(tmp_path, first: str, second: str):
    from ehelse import waves

    folders = list(dict.fromkeys(waves.reports().values()))
    for folder, text in zip(folders, (first, second)):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "codebook.yml").write_text(text, encoding="utf-8")
    return folders


def test_read_codebook_merges_and_refuses_conflicts(tmp_path):
    """Fails if the two codebooks are not merged (a shared scale once, questions of both), or a scale
    with other labels / a question defined twice passes or loses its message (mutants of read_codebook)."""
    scale = "scales:\n  s:\n    labels:\n      - {'no': Ja, en: Jepp}\n      - {'no': Nei, en: Nope}\n"
    first = scale + "questions:\n  cit_a: {text_no: A?, scale: s}\n"
    second = scale + "questions:\n  per_b: {text_no: B?, scale: s}\n"
    folders = _codebooks(tmp_path, first, second)
    cb = data.read_codebook(tmp_path)
    assert list(cb["scales"]) == ["s"] and list(cb["questions"]) == ["cit_a", "per_b"]
    assert cb["scales"]["s"]["labels"] == [{"no": "Ja", "en": "Jepp"}, {"no": "Nei", "en": "Nope"}]
    _codebooks(tmp_path, first, second.replace("{'no': Nei, en: Nope}", "{'no': Kanskje, en: Maybe}"))
    p = tmp_path / folders[1] / "codebook.yml"
    _raises(data.read_codebook, tmp_path, msg=f"{p}: scale 's' has other labels than in the other report's codebook")
    _codebooks(tmp_path, first, scale + "questions:\n  cit_a: {text_no: A?, scale: s}\n")
    _raises(data.read_codebook, tmp_path, msg=f"{p}: question id 'cit_a' is defined in both codebooks")


def test_later_interviews_publisher_then_registry():
    """Fails if a wave the report text covers is taken again, the publisher's method table does not win
    over the registry, only count rows of 'Antall intervju' / 'Total' with category 'n' count, or a
    source text changes (mutants of _later_interviews)."""
    have = [{"report": "r", "year": 2022}]
    pub = pd.DataFrame({"report": ["r", "r", "r", "r", "r", "t"], "year": [2022, 2023, 2023, 2024, 2025, 2019],
                        "unit": ["count", "count", "count", "percent", "count", "count"],
                        "item": ["Total", "Antall intervju", "Total", "Total", "Annet", "Total"],
                        "category": ["n", "n", "n", "n", "n", "n"], "value": [1.0, 1608.0, 9.0, 50.0, 7.0, 3160.0],
                        "figure_id": ["F", "C02", "C03", "F", "F", "P32"],
                        "url": ["u0", "https://x", "u2", "u3", "u4", "https://t"]})
    reg = pd.DataFrame({"report": ["r", "r", "r", "s", "s"], "year": [2022, 2023, 2024, 2022, 2022],
                        "interviews": [5, 6, 1500, 2500, 2600]})
    rows = data._later_interviews(have, pub, reg)
    assert rows == [{"report": "r", "year": 2023, "n": 1608, "figure_id": "C02", "source": "publisher's page https://x"},
                    {"report": "t", "year": 2019, "n": 3160, "figure_id": "P32", "source": "publisher's page https://t"},
                    {"report": "r", "year": 2024, "n": 1500, "figure_id": "", "source": "wave registry (data/waves.csv)"},
                    {"report": "s", "year": 2022, "n": 2500, "figure_id": "", "source": "wave registry (data/waves.csv)"}]
    assert all(type(r["n"]) is int and type(r["year"]) is int for r in rows)


def test_interviews_method_text_then_largest_chart_base(monkeypatch):
    """Fails if interviews() does not take the method text's number where it is printed, else the largest
    base of a chart of that year (only well-formed 'year:n' parts), or loses the sort / sources."""
    from ehelse import waves

    monkeypatch.setattr(waves, "reports", lambda: {"r": "folder"})
    v = pd.DataFrame({"report": ["r", "r", "r"], "unit": ["count", "count", "percent"],
                      "item": ["Antall intervju", "Antall intervju", "Total"], "category": ["n", "x", "n"],
                      "year": [2022, 2021, 2021], "value": [1524.0, 1.0, 2.0], "figure_id": ["C02", "C02", "C02"],
                      "source_line": [46, 47, 48]})
    inv = pd.DataFrame({"report": ["r", "r", "r", "other"], "figure_id": ["C05", "C06", "C07", "X"],
                        "bases": ["2021:1400;2022:9999", "2021:1504;bad;2020: 7x", "2020:1614", "2021:99999"]})
    monkeypatch.setattr(data, "values", lambda: v)
    monkeypatch.setattr(data, "inventory", lambda: inv)
    monkeypatch.setattr(data, "publisher_values", lambda: pd.DataFrame(columns=["report", "year", "unit", "item",
                                                                               "category", "value", "figure_id", "url"]))
    monkeypatch.setattr(data, "_registry_interviews", lambda: pd.DataFrame({"report": ["r"], "year": [2019],
                                                                            "interviews": [1162]}))
    out = data.interviews()
    assert list(out.columns) == ["report", "year", "n", "figure_id", "source"]
    assert out.values.tolist() == [["r", 2019, 1162, "", "wave registry (data/waves.csv)"],
                                   ["r", 2020, 1614, "C07", "largest chart base (C07)"],
                                   ["r", 2021, 1504, "C06", "largest chart base (C06)"],
                                   ["r", 2022, 1524, "C02", "method text, line 46"]]


def test_wave_margins_errors(monkeypatch):
    """Fails if an unweighted wave or a margin year without margins is not a DataError naming survey,
    wave and year (mutants of wave_margins / population_margins)."""
    from ehelse import waves

    _raises(data.wave_margins, "personnel", 2020, msg="personnel wave 2020 is not weighted: it has no population margins")
    m = data.wave_margins("citizens", 2022)
    assert list(m.columns) and "year" not in m.columns and m.index.tolist() == list(range(len(m)))
    monkeypatch.setattr(waves, "margin_year", lambda survey, year: 1999)
    with pytest.raises(DataError) as e:
        data.wave_margins("citizens", 2022)
    assert str(e.value).startswith("citizens wave 2022 is weighted to the population of 1999, but "
                                   "data/population/margins.csv has no margins for 1999: no population margins for "
                                   "1999 (have [")
    with pytest.raises(KeyError, match=re.escape("no population margins for 1999 (have [")):
        data.population_margins(1999)
    # the years it has are printed as plain numbers, not numpy's repr ("np.int64(2019)")
    with pytest.raises(KeyError) as e:
        data.population_margins(1999)
    assert "np." not in str(e.value) and re.search(r"\(have \[\d{4}(, \d{4})*\]\)", str(e.value)), str(e.value)


# ---------------------------------------------------------------- placement of the publisher's source rows

PL_COLS = ["source_file", "source_row", "year", "printed", "url", "placed_as", "target", "reason"]


@pytest.fixture
def placed(tmp_path, monkeypatch):
    """A copy of publisher/placement.csv and its source files under tmp_path; the other tables are the
    book's (load_published is replaced by the already validated tables, to keep the test fast)."""
    import shutil

    root = tmp_path / "published"
    (root / "publisher" / "source").mkdir(parents=True)
    src = DATA / "published" / "publisher"
    shutil.copy(src / "placement.csv", root / "publisher" / "placement.csv")
    for f in (src / "source").glob("*.csv"):
        shutil.copy(f, root / "publisher" / "source" / f.name)
    real = data._load()
    monkeypatch.setattr(data, "load_published", lambda r: real)
    df = pd.read_csv(root / "publisher" / "placement.csv", dtype=str, keep_default_na=False)
    return root, df


def _place(root, df):
    df.to_csv(root / "publisher" / "placement.csv", index=False)
    return root / "publisher" / "placement.csv"


def test_placement_of_the_book_lists_every_source_row(placed):
    """Fails if placement() changes the table it returns (source_row as int, other columns text) or
    refuses the book's own placement."""
    root, df = placed
    out = data.placement(root)
    assert list(out.columns) == PL_COLS and out["source_row"].dtype == np.int64
    assert out["source_row"].tolist() == [int(x) for x in df["source_row"]]
    assert out["target"].tolist() == df["target"].tolist()
    pd.testing.assert_frame_equal(data.placement().drop(columns="source_row"), out.drop(columns="source_row"))


def test_placement_errors(placed):
    """Fails if a placement row naming another file, a row outside the source, a year / number / page
    that differs from the source, a value target that holds no such value or another number, a claim
    that is unknown or has other words, or an empty reason passes, or a message changes (mutants of
    placement)."""
    root, df = placed
    val = df.index[df["placed_as"] == "value"][0]
    clm = df.index[df["placed_as"] == "claim"][0]
    unp = df.index[df["placed_as"] == "unplaced"][0]
    f = df.loc[val, "source_file"]
    n = len(pd.read_csv(root / "publisher" / f, dtype=str, keep_default_na=False))

    def err(i, col, value, **change):
        bad = df.copy()
        for k, v in change.items():
            bad.loc[i, k] = v
        path = _place(root, bad)
        with pytest.raises(DataError) as e:
            data.placement(root)
        return str(e.value), f"{path}, row {i + 2}, field {col!r}: value {value!r}"

    msg, where = err(val, "source_file", "source/other.csv", source_file="source/other.csv")
    assert msg == f"{where} is not a file of publisher/source (['source/wave2023_citizens.csv'])"
    for bad in ("0", str(n + 1)):
        msg, where = err(val, "source_row", bad, source_row=bad)
        assert msg == f"{where} is not a data row of {f} (1-{n})"
    k = int(df.loc[val, "source_row"])
    src = pd.read_csv(root / "publisher" / f, dtype=str, keep_default_na=False).iloc[k - 1]
    msg, where = err(val, "year", "1999", year="1999")
    assert msg == f"{where} differs from {f} row {k} ({src['year']!r})"
    msg, where = err(val, "printed", "12345", printed="12345")
    assert msg == f"{where} differs from {f} row {k} ({src['percent']!r})"
    msg, where = err(val, "url", "https://x", url="https://x")
    assert msg == f"{where} differs from {f} row {k} ({src['url']!r})"
    target = df.loc[val, "target"]
    for bad in (target + "|x", target.replace("|n", "|nope")):
        msg, where = err(val, "target", bad, target=bad)
        assert msg == f"{where} names no value of publisher/values.csv (FIGURE|POPULATION|YEAR|ITEM|CATEGORY)"
    # a target of another year holding the same key shape: the number or year differs from the source
    other = target.replace(f"|{src['year']}|", "|2022|" if src["year"] != "2022" else "|2021|")
    pv = data.publisher_values()
    parts = other.split("|")
    hit = pv[(pv["figure_id"] == parts[0]) & (pv["population"] == parts[1]) & (pv["year"] == int(parts[2]))
             & (pv["item"] == parts[3]) & (pv["category"] == parts[4])]
    assert len(hit) == 1
    msg, where = err(val, "target", other, target=other)
    assert msg == (f"{where} holds {float(hit['value'].iloc[0]):g} for {parts[2]}, not the source's "
                   f"{src['percent']} for {src['year']}")
    msg, where = err(clm, "target", "nope", target="nope")
    assert msg == f"{where} is not a claim_id of publisher/claims.csv"
    other_claim = [c for c in data.publisher_claims()["claim_id"] if c != df.loc[clm, "target"]][0]
    msg, where = err(clm, "target", other_claim, target=other_claim)
    assert msg == f"{where} has other words, page or year than the source row"
    msg, where = err(unp, "reason", "  ", reason="  ")
    assert msg == f"{where} is empty: a number not placed needs its reason"


def test_placement_rows_not_accounted_for(placed):
    """Fails if source rows missing from the placement are not all listed, sorted, with the file."""
    root, df = placed
    f = df["source_file"].iloc[0]
    mine = df.index[df["source_file"] == f]
    rows = mine[[0, 2, 5, len(mine) - 1]]
    path = _place(root, df.drop(index=rows))
    with pytest.raises(DataError) as e:
        data.placement(root)
    listed = sorted(int(df.loc[i, "source_row"]) for i in rows)
    assert str(e.value) == f"{path}: rows {listed} of {f} are not accounted for (value, claim or unplaced)"


def test_printed_base_of_a_one_row_bar_and_an_item_with_equals_sign(monkeypatch):
    """Fails if printed_base() reads a second row that a one-row bar does not have (iloc[1] mutants), or
    splits 'ITEM=FIGURE' of base_from at the first '=' (an item may contain '=': the figure id is after
    the last one)."""
    _fake_inventory(monkeypatch, [("F1", "", "Andel (a=b)=F2"), ("F2", "2019:321", "")])
    one = pd.DataFrame({"figure_id": ["F1"], "year": [2019], "item": ["Andel (a=b)"], "base_n": [np.nan]})
    assert data.printed_base(one) == 321.0
    assert data.printed_base(one.assign(base_n=[40.0])) == 40.0


def test_a_category_of_a_figure_without_question_is_refused():
    """Fails if a number of a figure with no question crashes instead of being refused with the empty
    scale named (the `if q else {}` and labels default mutants of _check_categories)."""
    inv = pd.DataFrame({"figure_id": ["F0"], "question_id": [""], "numbers_source": ["report"],
                        "numbers_in_text": ["no"]})
    _raises(data._check_categories, pd.DataFrame({"figure_id": ["F0"], "category": ["n"]}), VALS, inv, CB,
            msg=f"{REL}, row 2, field 'category': value 'n' is not a label of question '''s scale []")



def test_placement_value_that_differs_from_the_source_number(placed, monkeypatch):
    """Fails if a value target of the right year holding another number than the source prints passes
    (the `or` of the year and number tests, and the 1e-9 tolerance)."""
    root, df = placed
    real = data._load()
    val = df.index[df["placed_as"] == "value"][0]
    parts = df.loc[val, "target"].split("|")
    pub = real["publisher"].copy()
    key = ((pub["figure_id"] == parts[0]) & (pub["population"] == parts[1]) & (pub["year"] == int(parts[2]))
           & (pub["item"] == parts[3]) & (pub["category"] == parts[4]))
    assert key.sum() == 1
    pub.loc[key, "value"] = pub.loc[key, "value"] + 0.5
    monkeypatch.setattr(data, "load_published", lambda r: {**real, "publisher": pub})
    path = _place(root, df)
    with pytest.raises(DataError) as e:
        data.placement(root)
    assert str(e.value) == (f"{path}, row {val + 2}, field 'target': value {df.loc[val, 'target']!r} holds "
                            f"{float(pub.loc[key, 'value'].iloc[0]):g} for {parts[2]}, not the source's "
                            f"{df.loc[val, 'printed']} for {df.loc[val, 'year']}")


# ---------------------------------------------------------------- round 3: interviews, margins, composition


def test_registry_interviews_are_the_registry_numbers_as_integers():
    """Fails if _registry_interviews() loses the waves that give a number, keeps those that do not, or
    leaves a column untyped: year and interviews must be plain int64 (mutants: interviews=None, the
    interviews cast dropped (nullable Int64 kept) or astype(None) (float), year astype(None))."""
    reg = pd.read_csv(DATA / "waves.csv", dtype=str, keep_default_na=False)
    reg = reg[reg["interviews"] != ""]
    out = data._registry_interviews()
    assert list(out.columns) == ["report", "year", "interviews"]
    assert out["year"].dtype == np.int64 and out["interviews"].dtype == np.int64
    assert out.values.tolist() == [[r, int(y), int(n)] for r, y, n in zip(reg["report"], reg["year"], reg["interviews"])]
    assert len(out) > 0


def _interviews(monkeypatch, v, inv):
    from ehelse import waves

    monkeypatch.setattr(waves, "reports", lambda: {"r": "folder"})
    monkeypatch.setattr(data, "values", lambda: v)
    monkeypatch.setattr(data, "inventory", lambda: inv)
    monkeypatch.setattr(data, "publisher_values", lambda: pd.DataFrame(columns=["report", "year", "unit", "item",
                                                                               "category", "value", "figure_id", "url"]))
    monkeypatch.setattr(data, "_registry_interviews", lambda: pd.DataFrame(columns=["report", "year", "interviews"]))
    return data.interviews().values.tolist()


def test_interviews_from_a_method_table_row_named_total(monkeypatch):
    """Fails if a count of interviews printed in the method text under the item 'Total' (category 'n') is
    not taken, so that a chart base is used instead (mutants of the 'Total' item name)."""
    v = pd.DataFrame({"report": ["r"], "unit": ["count"], "item": ["Total"], "category": ["n"], "year": [2021],
                      "value": [1504.0], "figure_id": ["C02"], "source_line": [50]})
    inv = pd.DataFrame({"report": ["r"], "figure_id": ["C05"], "bases": ["2021:1400"]})
    assert _interviews(monkeypatch, v, inv) == [["r", 2021, 1504, "C02", "method text, line 50"]]


def test_interviews_largest_base_ties_and_the_smallest_base(monkeypatch):
    """Fails if, when two charts print the same largest base for a year, the later chart replaces the first
    one in the inventory's order as the place the number stands (mutant > made >=), or if a base of 1 is not
    taken as a base (the start value of the search (0, '') made (1, ''))."""
    v = pd.DataFrame(columns=["report", "unit", "item", "category", "year", "value", "figure_id", "source_line"])
    inv = pd.DataFrame({"report": ["r", "r", "r"], "figure_id": ["C05", "C06", "C07"],
                        "bases": ["2021:1504", "2021:1504;2020:1", "2021:1000"]})
    assert _interviews(monkeypatch, v, inv) == [["r", 2020, 1, "C06", "largest chart base (C06)"],
                                                ["r", 2021, 1504, "C05", "largest chart base (C05)"]]


def _spy_validate(monkeypatch):
    seen = []
    real = datapackage.validate
    monkeypatch.setattr(datapackage, "validate", lambda names=None, published=None: (seen.append(names),
                                                                                     real(names, published))[1])
    return seen


def test_population_margins_is_the_year_without_its_year_column(monkeypatch):
    """Fails if population_margins() checks another set of tables than its own (validate(None) checks every
    table of the package, so a fault in an unrelated table would stop the margins), or keeps the row labels
    of margins.csv as a column or an index (reset_index(drop=None / False) mutants)."""
    seen = _spy_validate(monkeypatch)
    m = pd.read_csv(DATA / "population" / "margins.csv")
    out = data.population_margins(2022)
    assert seen == [["population-margins"]]
    assert list(out.columns) == ["variable", "category", "target"]
    assert out.index.tolist() == list(range(len(out)))
    want = m[m["year"] == 2022]
    assert out.values.tolist() == want[["variable", "category", "target"]].values.tolist() and len(out) > 0


def test_sample_composition_checks_only_its_table(monkeypatch):
    """Fails if sample_composition() validates another set of tables than its own (validate(None) mutant)
    or returns another file."""
    seen = _spy_validate(monkeypatch)
    out = data.sample_composition()
    assert seen == [["publisher-sample-composition"]]
    pd.testing.assert_frame_equal(out, pd.read_csv(DATA / "published" / "publisher" / "sample_composition.csv"))


def test_placement_reads_source_files_as_text(tmp_path, monkeypatch):
    """Fails if the publisher's source files are read with type guessing (mutants dtype=None / dtype
    dropped): a source file whose year and percent cells are all filled would then give 2019 and 12.5 as
    numbers, which differ from the placement's text '2019' and '12.5'."""
    root = tmp_path / "published"
    (root / "publisher" / "source").mkdir(parents=True)
    pd.DataFrame({"survey": ["citizens", "citizens"], "year": ["2019", "2020"], "percent": ["12.5", "7"],
                  "url": ["https://a", "https://b"]}).to_csv(root / "publisher" / "source" / "tiny.csv", index=False)
    rows = pd.DataFrame({"source_file": ["source/tiny.csv"] * 2, "source_row": ["1", "2"], "year": ["2019", "2020"],
                         "printed": ["12.5", "7"], "url": ["https://a", "https://b"], "placed_as": ["unplaced"] * 2,
                         "target": ["", ""], "reason": ["a test row", "another test row"]})
    _place(root, rows[PL_COLS])
    real = data._load()
    monkeypatch.setattr(data, "load_published", lambda r: real)
    out = data.placement(root)
    assert out["source_row"].tolist() == [1, 2] and out["year"].tolist() == ["2019", "2020"]
    assert out["printed"].tolist() == ["12.5", "7"]


def test_read_codebook_is_utf8_whatever_the_locale(tmp_path, monkeypatch):
    """Fails if a codebook is read in the locale's encoding (mutant read_text(encoding=None)): under a
    non-UTF-8 locale (made ASCII here, as LANG=C without UTF-8 mode) 'Spørsmål' would not decode."""
    import io

    scale = "scales:\n  s:\n    labels:\n      - {'no': Ja, en: Yes}\n"
    _codebooks(tmp_path, scale + "questions:\n  cit_a: {text_no: Spørsmål?, scale: s}\n",
               scale + "questions:\n  per_b: {text_no: Blå?, scale: s}\n")
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: "ascii" if encoding is None else encoding)
    cb = data.read_codebook(tmp_path)
    assert [q["text_no"] for q in cb["questions"].values()] == ["Spørsmål?", "Blå?"]


def test_load_published_is_each_tables_files_one_after_the_other():
    """Fails if load_published() returns a table under another key, or keeps the row labels of each
    report's file (pd.concat without ignore_index: labels 0.. repeated), or loses rows: each table is its
    folders' files (datapackage.read, in the order of waves.reports()) one after the other, labelled 0..n-1."""
    from ehelse import waves

    out = data.load_published()
    assert set(out) == {"inventory", "values", "issues", "unplaced", "codebook", "measures", "publisher", "claims",
                        "publisher_claims"}
    folders = list(waves.reports().values())
    for key, suffix in (("inventory", "inventory"), ("values", "values"), ("issues", "source-issues"),
                        ("unplaced", "unplaced"), ("claims", "claims")):
        files = [datapackage.read(f"{f}-{suffix}") for f in folders]
        t = out[key]
        assert t.index.tolist() == list(range(sum(len(f) for f in files))), key
        assert [len(f) for f in files][0] > 0 and t.index.is_unique
        for col in ("figure_id", "report") if key != "issues" else ("report",):
            assert t[col].tolist() == [v for f in files for v in f[col]], (key, col)
    assert out["inventory"]["order"].dtype == np.int64
    assert out["measures"]["figure_id"].tolist() == datapackage.read("measures")["figure_id"].tolist()
    assert out["publisher"]["url"].tolist() == datapackage.read("publisher-values")["url"].tolist()
    assert out["publisher_claims"]["claim_id"].tolist() == datapackage.read("publisher-claims")["claim_id"].tolist()
    assert out["codebook"] == data.read_codebook(DATA / "published")


def test_load_published_reads_the_source_texts_as_utf8(monkeypatch):
    """Fails if the reports' source texts are read in the locale's encoding (mutants read_text(encoding=None)
    for the values' and the claims' line checks): under a non-UTF-8 locale (made ASCII here, as LANG=C without
    UTF-8 mode) their Norwegian letters would not decode."""
    import io

    from ehelse import waves

    data.load_published()  # validated (and stamped) first, so that frictionless is not run under the ASCII locale
    for report in waves.reports():
        text = (DATA / "published" / "source" / f"{report}.txt").read_bytes()
        assert any(b > 127 for b in text), report
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: "ascii" if encoding is None else encoding)
    out = data.load_published()
    assert len(out["values"]) > 0 and len(out["claims"]) > 0


def test_load_published_of_a_copy_names_the_copys_files(tmp_path):
    """Fails if the rules checked after the schema name the book's file instead of the copy's being loaded
    (mutants table_path(resource, None) / without the root): a source line past the end of the text in the
    copy's citizens/values.csv is reported with the copy's path."""
    import shutil

    root = tmp_path / "published"
    shutil.copytree(DATA / "published", root)
    path = root / "citizens" / "values.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "source_line"] = "99999"
    df.to_csv(path, index=False)
    n = len((root / "source" / "citizens2022.txt").read_text(encoding="utf-8").splitlines())
    _raises(data.load_published, root,
            msg=f"{path}, row 2, field 'source_line': value 99999 is not a line of the source text (1-{n})")


def test_load_published_checks_the_published_tables_of_its_root(monkeypatch):
    """Fails if load_published() checks another set of tables than the published ones, or those of the book
    instead of the folder given (mutants: validate(None), resource_names(None) / of another prefix, which
    check every table of the package, so a fault in an unrelated table would stop the load; published=None
    or dropped)."""
    seen = []
    real = datapackage.validate
    monkeypatch.setattr(datapackage, "validate", lambda names=None, published=None: (seen.append((names, published)),
                                                                                     real(names, published))[1])
    root = DATA / "published"
    data.load_published(root)
    names = datapackage.resource_names("published/")
    assert seen == [(names, root)]
    assert names and all(datapackage.resource(n)["path"].startswith("published/") for n in names)
