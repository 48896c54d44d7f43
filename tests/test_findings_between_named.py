"""findings.between_sentence_named: a comparison of two populations names the answer category it compares."""
import pytest

from ehelse import figures, findings


def _row(fid: str) -> dict:
    t = findings.figure_tests(fid)
    return t[t["test"] == "between populations"].iloc[0].to_dict()


def test_the_compared_category_is_named_in_sentences_and_titles():
    """P16 compares the shares who DISAGREE (are not worried); without the category the sentence reads as worry.
    Seen failing when the category was left out of change_sentence and figure_title (before they shared it)."""
    r = _row("P16")
    category = findings._category_en("P16", r["measure"]).lower()
    assert f"({category}):" in findings.between_sentence_named(r)
    assert findings.change_sentence(r) == findings.between_sentence_named(r)
    assert f"({category})" in findings.figure_title("P16")


def test_a_flip_of_the_category_changes_the_sentence():
    r = _row("P16")
    other = {**r, "measure": "Helt eller ganske enig"}
    assert findings.between_sentence_named(other) != findings.between_sentence_named(r)


def test_a_change_over_time_is_refused():
    t = figures.tests("P13")
    with pytest.raises(ValueError, match="between populations"):
        findings.between_sentence_named(t.iloc[0].to_dict())
