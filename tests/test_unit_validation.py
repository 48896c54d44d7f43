"""Validation: each check of the published tables (schema rules of data/datapackage.yaml and the checks
data.py adds) rejects one corrupted cell and names file, row (header = row 1), field and value.

Each case names the bug it guards against (a check disabled or loosened); each was seen to fail with that
check removed or loosened by hand (in lib/ehelse/data.py or in data/datapackage.yaml), run, and restored. Cases already covered by tests/test_datapackage.py and tests/test_data.py are not repeated.
"""
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ehelse.data import DataError, load_published


def _edit_csv(path: Path, column: str, value: str, where=None) -> int:
    """Set `column` of the first row matching `where` (a function of the table) to `value`; its row number."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[where(df)][0] if where else df.index[0]
    df.loc[i, column] = value
    df.to_csv(path, index=False)
    return int(i) + 2


def _percent(d):
    return d["unit"] == "percent"


# (bug it guards against, file, column, bad value, which rows, words of the message)
CASES = [
    ("base_n = 0 accepted", "citizens/values.csv", "base_n", "0", lambda d: d["base_n"] != "", "minimum"),
    ("negative base accepted", "personnel/values.csv", "base_n", "-5", lambda d: d["base_n"] != "", "minimum"),
    ("source_line = 0 accepted", "citizens/values.csv", "source_line", "0", None, "minimum"),
    ("the population check removed", "citizens/values.csv", "population", "students", None, "enum"),
    ("the population check removed (publisher)", "publisher/values.csv", "population", "patients", None, "enum"),
    ("NPS range unchecked", "citizens/values.csv", "value", "101", lambda d: d["unit"] == "nps_points",
     "outside -100-100"),
    ("negative counts accepted", "citizens/values.csv", "value", "-3", lambda d: d["unit"] == "count",
     "outside 0-inf"),
    ("percent range unchecked in publisher numbers", "publisher/values.csv", "value", "100.5", _percent,
     "outside 0-100"),
    ("a claim's line unchecked", "citizens/claims.csv", "source_line", "0", None, "minimum"),
    ("a claim's kind unchecked", "personnel/claims.csv", "kind", "guess", None, "enum"),
    ("a claim's direction unchecked", "citizens/claims.csv", "direction", "sideways", None, "enum"),
    ("a publisher number without its page", "publisher/values.csv", "url", "", None, ""),
]


@pytest.mark.parametrize("bug,rel,column,value,where,words", CASES, ids=[c[0] for c in CASES])
def test_each_check_rejects_its_fault_by_file_row_and_field(copy, bug, rel, column, value, where, words):
    """Bug: see the case id. Seen to fail with the base_n / source_line minimum set to 0 in
    data/datapackage.yaml, the population enum removed, the claims' kind and direction enums removed, the
    nps_points and count ranges removed from data.UNIT_RANGES, and the url rule of publisher/values.csv
    removed (minimum -10 for the negative base, the percent range for the publisher's percent)."""
    row = _edit_csv(copy / rel, column, value, where)
    with pytest.raises(DataError) as e:
        load_published(copy)
    msg = str(e.value)
    assert f"{rel}, row {row}, field {column!r}: value {value!r}" in msg or \
        f"{rel}, row {row}, field {column!r}: value {value!r}".replace(f"{value!r}", repr(float(value)) if
                                                                      value.lstrip("-").replace(".", "").isdigit()
                                                                      else repr(value)) in msg, msg
    assert words in msg, msg


def test_a_claim_range_with_low_above_high(copy):
    """Bug: the low <= high check of claims removed (data._check_low_high). Seen to fail with it removed."""
    path = copy / "citizens" / "claims.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[(df["low"] != "") & (df["high"] != "")][0]
    df.loc[i, "low"] = str(float(df.loc[i, "high"]) + 5)
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"citizens/claims.csv, row {i + 2}, field 'low': .* is above high"):
        load_published(copy)


def test_a_checkable_claim_without_a_measure(copy):
    """Bug: a claim marked checkable with no measure silently 'not checkable'. Seen to fail with the
    `is empty but the claim is marked checkable` check removed from data._check_measures."""
    row = _edit_csv(copy / "personnel" / "claims.csv", "measure", "", lambda d: d["checkable"] == "yes")
    with pytest.raises(DataError, match=rf"personnel/claims.csv, row {row}, field 'measure': value '' is empty but "
                                        r"the claim is marked checkable"):
        load_published(copy)


def test_a_measure_with_four_parts(copy):
    """Bug: a malformed measure accepted. Seen to fail with the pattern of the claims' measure field removed
    from data/datapackage.yaml."""
    row = _edit_csv(copy / "citizens" / "claims.csv", "measure", "C05|citizens|2020|Total",
                    lambda d: d["checkable"] == "yes")
    with pytest.raises(DataError, match=rf'citizens/claims.csv, row {row}, field .measure.: value .C05\\|citizens\\|2020\\|Total. breaks the constraint "pattern"'):
        load_published(copy)


def test_an_unplaced_number_not_on_its_line(copy):
    """Bug: unplaced.csv rows not checked against the source text. Seen to fail with the `printed not in
    source_lines[...]` check removed from data.validate_unplaced."""
    row = _edit_csv(copy / "citizens" / "unplaced.csv", "printed", "987654321")
    with pytest.raises(DataError, match=rf"citizens/unplaced.csv, row {row}, field 'printed': value '987654321' "
                                        r"does not stand on line"):
        load_published(copy)


def test_a_source_issue_naming_an_unknown_figure(copy):
    """Bug: the figure list of source_issues.csv unchecked. Seen to fail with the `is not a figure of the
    inventory` check removed from data.validate_issues."""
    path = copy / "personnel" / "source_issues.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "figure_id"] = (df.loc[0, "figure_id"] + ";P999").lstrip(";")
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"personnel/source_issues.csv, row 2, field 'figure_id': value 'P999'"):
        load_published(copy)


def test_an_inventory_base_from_naming_an_unknown_figure(copy):
    """Bug: base_from pairs unchecked. Seen to fail with the base_from check removed from validate_inventory."""
    row = _edit_csv(copy / "citizens" / "inventory.csv", "base_from", "Innbyggere=C999")
    with pytest.raises(DataError, match=rf"citizens/inventory.csv, row {row}, field 'base_from': value "
                                        r"'Innbyggere=C999' must name figures"):
        load_published(copy)


def test_a_chart_with_numbers_but_no_question(copy):
    """Bug: a chart with numbers and no codebook question accepted. Seen to fail with the `is empty but the
    slide has a ... chart` check removed from validate_inventory."""
    row = _edit_csv(copy / "citizens" / "inventory.csv", "question_id", "",
                    lambda d: (d["question_id"] != "") & (d["chart_type"] != "text") & (d["numbers_in_text"] != "no"))
    with pytest.raises(DataError, match=rf"citizens/inventory.csv, row {row}, field 'question_id': value '' is "
                                        r"empty but the slide has a"):
        load_published(copy)


def _edit_codebook(copy: Path, fn) -> None:
    path = copy / "citizens" / "codebook.yml"
    cb = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(cb)
    path.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _first_scale_with_nets(cb):
    return next(s for s, sc in cb["scales"].items() if sc.get("nets"))


@pytest.mark.parametrize("what,edit,message", [
    ("net naming an unknown label",
     lambda cb: cb["scales"][_first_scale_with_nets(cb)]["nets"].update({"bogus": ["Ingen slik"]}),
     r"net 'bogus' of scale '.*' names unknown labels \['Ingen slik'\]"),
    ("label listed twice",
     lambda cb: cb["scales"][_first_scale_with_nets(cb)]["labels"].append(
         dict(cb["scales"][_first_scale_with_nets(cb)]["labels"][0])),
     r"scale '.*' lists a label twice"),
    ("label without English",
     lambda cb: cb["scales"][_first_scale_with_nets(cb)]["labels"][0].pop("en"),
     r"scale '.*' needs a list of labels .* each with both 'no' and 'en'"),
    ("question with an unknown scale",
     lambda cb: next(iter(cb["questions"].values())).update(scale="no_such_scale"),
     r"question '.*' uses unknown scale 'no_such_scale'"),
    ("question without Norwegian wording",
     lambda cb: next(iter(cb["questions"].values())).pop("text_no"),
     r"question '.*' has no Norwegian wording"),
])
def test_each_codebook_check(copy, what, edit, message):
    """Bug: a codebook check removed from validate_codebook (one per case). Seen to fail with each of the
    five checks removed in turn."""
    _edit_codebook(copy, edit)
    with pytest.raises(DataError, match=r"citizens/codebook.yml: " + message):
        load_published(copy)


def test_a_question_defined_in_both_codebooks(copy):
    """Bug: one codebook silently overriding the other. Seen to fail with the `defined in both codebooks`
    check removed from read_codebook."""
    cit = yaml.safe_load((copy / "citizens" / "codebook.yml").read_text(encoding="utf-8"))
    qid, q = next(iter(cit["questions"].items()))

    def add(cb):
        cb["questions"][qid] = q
        cb["scales"].setdefault(q["scale"], cit["scales"][q["scale"]])
    path = copy / "personnel" / "codebook.yml"
    cb = yaml.safe_load(path.read_text(encoding="utf-8"))
    add(cb)
    path.write_text(yaml.safe_dump(cb, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match=rf"question id '{qid}' is defined in both codebooks"):
        load_published(copy)
