"""In-process tests of ehelse.findings written against its surviving mutants (issue 17).

Every sentence of findings comes from a template of lib/ehelse/templates/en.yml; the expected strings
here are those templates filled by hand with made-up results (made-up figures, measures and answer
labels replace the book's tables through monkeypatch, so that nothing depends on the data of a wave).
A second, made-up language `xx` (the English templates, each ending in a marker `¦`) shows that every
template of a sentence is read in the language asked for: the `xx` sentence is the English one plus one
marker per template used. Each docstring says which bug (mutant family) the test catches.
"""
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from ehelse import data, figures, findings, settings
from ehelse.findings import TemplateError

MARK = "¦"


# ---------------------------------------------------------------- made-up figures, measures and labels

FIGS = {
    "F1": {"figure_id": "F1", "question_id": "q1", "chapter": "c1",
           "question": {"text_en": "Have you used digital contact?"},
           "headline": "Flere  bruker\ndigital kontakt", "headline_en": "More use digital contact."},
    "F2": {"figure_id": "F2", "question_id": None, "question": None, "chapter": "c2",
           "headline": "Antall besøk", "headline_en": "number of visits."},
    "F3": {"figure_id": "F3", "question_id": "q1", "chapter": "c1",
           "question": {"text_en": "  digital   contact use (2019-2022) "},
           "headline": "Noe annet", "headline_en": "Something else"},
}
MEASURES = {"F1": "Digital contact"}
ENGLISH = {"q1": {"Helt enig": "Agree", "Innbyggere": "Citizens", "Leger": "Doctors", "Ja, ofte": "Yes, often",
                  "Helsepersonell": "Health personnel"}}


@pytest.fixture
def made_up(monkeypatch):
    """data.figure / measures / english answer from FIGS, MEASURES and ENGLISH."""
    def figure(fid):
        if fid not in FIGS:
            raise KeyError(f"unknown figure id {fid!r}")
        return dict(FIGS[fid])

    monkeypatch.setattr(data, "figure", figure)
    monkeypatch.setattr(data, "measures", lambda: dict(MEASURES))
    monkeypatch.setattr(data, "english", lambda qid: dict(ENGLISH[qid]))


@pytest.fixture
def xx(monkeypatch, tmp_path):
    """A second language `xx`: every English template with MARK appended (en stays as it is)."""
    en = yaml.safe_load((findings.TEMPLATES / "en.yml").read_text(encoding="utf-8"))

    def mark(node):
        return {k: mark(v) for k, v in node.items()} if isinstance(node, dict) else node + MARK

    (tmp_path / "en.yml").write_text((findings.TEMPLATES / "en.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "xx.yml").write_text(yaml.safe_dump(mark(en), allow_unicode=True), encoding="utf-8")
    findings._templates.cache_clear()
    monkeypatch.setattr(findings, "TEMPLATES", tmp_path)
    yield "xx"
    findings._templates.cache_clear()


def in_both(fn, *args, **kw) -> tuple[str, int]:
    """fn in English and in xx: the xx text is the English one with markers; returns (English, markers)."""
    en = fn(*args, lang="en", **kw)
    other = fn(*args, lang="xx", **kw)
    assert other.replace(MARK, "") == en, (other, en)
    return en, other.count(MARK)


def with_settings(monkeypatch, **changes):
    real = settings.load
    monkeypatch.setattr(settings, "load", lambda *a, **k: {**real(*a, **k), **changes})


# ---------------------------------------------------------------- templates

def test_a_missing_language_names_its_file():
    """Fails if the message of a missing language (language and path) is changed."""
    path = findings.TEMPLATES / "zz.yml"
    with pytest.raises(TemplateError, match=f"no sentence templates for language 'zz' \\({path} is missing\\)"):
        findings.template("p_equal", "zz")


@pytest.mark.parametrize("key", ["no_such_key", "verb.sideways", "verb.up.more", "p_equal.x"])
def test_a_missing_template_names_key_and_file(key):
    """A key below a string, or a part that is missing, is an error naming the key and the file.
    Fails if the isinstance check or the membership test is inverted or dropped, or the message changes."""
    with pytest.raises(TemplateError, match=f"template '{key}' is missing in {findings.TEMPLATES / 'en.yml'}"):
        findings.template(key)


def test_template_reads_nested_keys_in_english_by_default():
    """Fails if the default language or the split on '.' changes."""
    assert findings.template("verb.up") == "rose"
    assert findings.template("verdict.does not hold") == "does not hold"
    assert findings.template("verb") == {"up": "rose", "down": "fell", "same": "was unchanged"}


# ---------------------------------------------------------------- alpha, decision

def test_alpha_is_one_minus_the_settings_confidence_level(monkeypatch):
    """Fails if alpha is not 1 - level (e.g. 2 - level), is not rounded (0.05 would be 0.05000000000000004
    and a p of exactly 0.05 significant) or ignores settings."""
    assert findings.alpha() == 0.05
    with_settings(monkeypatch, confidence_level=0.9)
    assert findings.alpha() == 0.1
    assert findings.decision({"p_value": 0.07}) == "yes"


@pytest.mark.parametrize("row,expected", [
    ({"p_value": 0.0499}, "yes"), ({"p_value": 0.05}, "no"), ({"p_value": 0.5}, "no"),
    ({"p_value": 0.01, "p_adjusted": 0.06}, "no"), ({"p_value": 0.2, "p_adjusted": 0.04}, "yes"),
    ({"p_value": np.nan}, "not testable"), ({"p_value": None}, "not testable"), ({}, "not testable"),
])
def test_decision_is_strict_and_prefers_the_adjusted_p(row, expected):
    """Significant strictly below alpha, on the adjusted p where the row has one. Fails if `<` becomes `<=`,
    the adjusted p is ignored, NaN/None are tested, or the labels are mutated."""
    assert findings.decision(row) == expected
    assert findings.decision(pd.Series(row, dtype=object)) == expected


def test_p_of_falls_back_to_the_raw_p():
    """Fails if _p_of uses the raw p when an adjusted one exists, or not when it is missing or NaN."""
    assert findings._p_of({"p_value": 0.2, "p_adjusted": 0.3}) == 0.3
    assert findings._p_of({"p_value": 0.2, "p_adjusted": np.nan}) == 0.2
    assert findings._p_of({"p_value": 0.2, "p_adjusted": None}) == 0.2
    assert findings._p_of({"p_value": 0.2}) == 0.2
    assert math.isnan(findings._p_of({}))


# ---------------------------------------------------------------- p_text

@pytest.mark.parametrize("p,text", [
    (0.0, "p < 0.001"), (0.000999, "p < 0.001"), (0.001, "p = 0.001"), (0.00123, "p = 0.0012"),
    (0.00999, "p = 0.01"), (0.01, "p = 0.01"), (0.0104, "p = 0.01"), (0.123, "p = 0.12"), (0.125, "p = 0.12"),
    (0.999, "p = 1"), (1, "p = 1"), (np.float64(0.2), "p = 0.2"), (np.int64(1), "p = 1"), (np.float32(0.5), "p = 0.5"),
])
def test_p_text_rounds_to_two_significant_digits_from_one_per_mille(p, text):
    """'p < 0.001' strictly below 0.001, else two significant digits in plain notation.
    Fails if the 0.001 limit or its comparison changes, the digits of _sig2 change, or _plain keeps zeros."""
    assert findings.p_text(p) == text


@pytest.mark.parametrize("p,level,text", [
    (0.0496, None, "p = 0.049"), (0.0496, 0.05, "p = 0.049"), (0.0496, 0.01, "p = 0.05"),
    (0.00996, 0.01, "p = 0.0099"), (0.00996, None, "p = 0.01"), (0.05, 0.05, "p = 0.05"),
    (0.0995, 0.1, "p = 0.099"), (0.0995, None, "p = 0.1"),
    (0.29, 0.29, "p = 0.29"),  # at the level it is not below it: no cut (0.29 * 100 is 28.999… in floats)
])
def test_p_text_never_rounds_a_significant_p_up_to_the_level(p, level, text):
    """Rounding must not carry a p below the level up to it: then cut instead of round. The level is the
    settings' alpha unless given. Fails if either comparison of `p < level <= shown` changes, the level
    argument is ignored, the cut is applied at p == level, or the cut keeps another number of digits."""
    assert findings.p_text(p, level=level) == text


def test_p_text_uses_the_settings_level(monkeypatch):
    """Fails if the default level is not alpha() (from the settings' confidence level)."""
    with_settings(monkeypatch, confidence_level=0.99)
    assert findings.p_text(0.00996) == "p = 0.0099"
    assert findings.p_text(0.0496) == "p = 0.05"


@pytest.mark.parametrize("p,message", [
    (-0.01, "p-value -0.01 is outside 0-1"), (1.5, "p-value 1.5 is outside 0-1"),
    ("0.3", "p-value '0.3' is not a number: say why with findings.not_testable()"),
    (None, "p-value None is not a number: say why with findings.not_testable()"),
    (float("nan"), "p-value nan is not a number: say why with findings.not_testable()"),
])
def test_p_text_refuses_what_is_not_a_p_value(p, message):
    """Fails if a range bound, the type check or the messages change."""
    with pytest.raises(ValueError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        findings.p_text(p)


def test_p_text_reads_the_language_templates(xx):
    """Fails if p_text fills the English template whatever the language."""
    assert in_both(findings.p_text, 0.0004) == ("p < 0.001", 1)
    assert in_both(findings.p_text, 0.043) == ("p = 0.043", 1)


def test_plain_numbers():
    """Fails if _plain writes scientific notation, keeps trailing zeros or loses a zero."""
    assert findings._plain(0.0) == "0"
    assert findings._plain(12.0) == "12"
    assert findings._plain(1e-7) == "0.0000001"
    assert findings._plain(120.50) == "120.5"


@pytest.mark.parametrize("reason,text", [("no_base", "not testable: no base printed"),
                                         ("one_year", "not testable: one year only"),
                                         ("no_numbers", "not testable: the chart's numbers are not in the sources")])
def test_not_testable_reasons(reason, text, xx):
    """Fails if the default reason (no_base) or the language is not used."""
    assert findings.not_testable(reason) == text
    assert findings.not_testable(reason, "xx") == text + MARK
    assert findings.not_testable() == "not testable: no base printed"


# ---------------------------------------------------------------- measure names

def test_measure_name_of_a_figure_and_its_items(made_up):
    """The measures table's name, with the item's English label after a colon; 'Total' and the population
    labels add nothing; without a name in measures the question (or headline) stands in, and an item is then
    named alone. Fails on an inverted condition, a changed exclusion list or join of measure_name."""
    assert findings.measure_name("F1") == "Digital contact"
    assert findings.measure_name("F1", "Total") == "Digital contact"
    assert findings.measure_name("F1", "Leger") == "Digital contact: Doctors"
    assert findings.measure_name("F1", "Innbyggere") == "Digital contact"
    assert findings.measure_name("F1", "Helsepersonell") == "Digital contact"
    assert findings.measure_name("F1", "Ukjent") == "Digital contact: Ukjent"
    assert findings.measure_name("F3") == "Digital contact use"
    assert findings.measure_name("F3", "Leger") == "Doctors"
    assert findings.measure_name("F2") == "Number of visits"
    assert findings.measure_name("F2", "Leger") == "Number of visits"


def test_question_short_cleans_the_question(made_up):
    """Fails if the year in brackets, the trailing '?', '.' and spaces, or the capital letter are not handled."""
    assert findings._question_short({"question": {"text_en": "use (2021)?"}, "headline_en": "x"}) == "Use (2021)"
    assert findings._question_short({"question": {"text_en": "use  of it (2021–2022)"}, "headline_en": "x"}) == "Use of it"
    assert findings._question_short({"question": {"text_en": ""}, "headline_en": "the headline."}) == "The headline"
    assert findings._question_short({"question": None, "headline_en": "ok?"}) == "Ok"


def test_category_en(made_up):
    """Fails if a figure without question id looks up labels, or a known label is not translated."""
    assert findings._category_en("F1", "Helt enig") == "Agree"
    assert findings._category_en("F1", "Ukjent") == "Ukjent"
    assert findings._category_en("F2", "Helt enig") == "Helt enig"


# ---------------------------------------------------------------- change sentences

def _row(**kw):
    base = {"figure_id": "F1", "population": "citizens", "item": "Total", "measure": "Andel",
            "test": "latest change", "from": 2021, "to": 2022, "share_from": 46.0, "share_to": 54.0,
            "change_points": 8.0, "p_value": 0.001, "p_adjusted": 0.002}
    base.update(kw)
    return pd.Series(base)


ADJ = "significant after the chapter's adjustment"


@pytest.mark.parametrize("kw,text,marks", [
    ({}, f"Digital contact rose by 8 points from 46 % in 2021 to 54 % in 2022 (p = 0.002, {ADJ})", 6),
    ({"share_from": 54.3, "share_to": 50.0, "item": "Leger", "measure": "Helt enig"},
     f"Digital contact: Doctors (Agree) fell by 4.3 points from 54.3 % in 2021 to 50 % in 2022 (p = 0.002, {ADJ})", 6),
    ({"share_to": 47.0, "p_adjusted": 0.41},
     f"Digital contact: no significant change from 2021 to 2022 (46 % to 47 %; p = 0.41, not {ADJ})", 4),
    ({"share_to": 46.0, "p_adjusted": 0.9}, "Digital contact was unchanged at 46 % from 2021 to 2022 (p = 0.9)", 3),
    ({"p_adjusted": np.nan, "p_value": np.nan},
     "Digital contact rose from 46 % in 2021 to 54 % in 2022 (not testable: no base printed)", 5),
    ({"measure": "Ja, ofte", "p_adjusted": 0.05},
     f"Digital contact: no significant change from 2021 to 2022 (46 % to 54 %; p = 0.05, not {ADJ})", 4),
    ({"measure": "Valgt", "from": 2019, "to": 2023},
     f"Digital contact rose by 8 points from 46 % in 2019 to 54 % in 2023 (p = 0.002, {ADJ})", 6),
    ({"measure": None}, f"Digital contact rose by 8 points from 46 % in 2021 to 54 % in 2022 (p = 0.002, {ADJ})", 6),
])
def test_change_sentence_fills_its_template(made_up, xx, kw, text, marks):
    """change_sentence: the template chosen by the decision and the direction, filled with the row's years,
    shares, points and p (the adjusted one where present). Fails if a template key, verb, field, rounding,
    abs() of the points, the category rule ('Andel', 'Valgt', 'Ja…' add no category) or the language changes."""
    assert in_both(findings.change_sentence, _row(**kw)) == (text, marks)


def test_change_sentence_of_two_populations_is_a_between_sentence(made_up, xx):
    """Fails if change_sentence does not hand a between-populations row to _between_sentence, with its language."""
    r = _row(test="between populations", population="personnel vs citizens", share_to=60.0, share_from=52.0,
             p_adjusted=0.01, **{"from": 2020, "to": 2020})
    text = f"Digital contact: health personnel more often than citizens in 2020 (60 % against 52 %, p = 0.01, {ADJ})"
    assert in_both(findings.change_sentence, r) == (text, 5)


@pytest.mark.parametrize("kw,text,marks", [
    ({}, f"Digital contact: health personnel more often than citizens in 2020 (60 % against 52 %, p = 0.01, {ADJ})", 5),
    ({"share_to": 40.0, "measure": "Helt enig"},
     f"Digital contact (agree): health personnel less often than citizens in 2020 (40 % against 52 %, p = 0.01, {ADJ})", 5),
    ({"share_to": 52.0, "p_adjusted": 0.3, "population": "citizens vs personnel"},
     f"Digital contact: no significant difference between citizens and health personnel in 2020 (52 % against 52 %; "
     f"p = 0.3, not {ADJ})", 4),
    ({"p_adjusted": np.nan, "p_value": np.nan, "population": "doctors vs nurses"},
     "Digital contact: doctors 60 % against nurses 52 % in 2020 (not testable: no base printed)", 4),
])
def test_between_sentence_names_groups_and_the_answer_compared(made_up, xx, kw, text, marks):
    """The first population named is share_to; the answer compared is named in lower case unless it is a plain
    share. Fails if the groups swap, the comparative or a template changes, or the language is not passed."""
    base = dict(test="between populations", population="personnel vs citizens", share_to=60.0, share_from=52.0,
                p_adjusted=0.01, **{"from": 2020, "to": 2020})
    r = _row(**{**base, **kw}).to_dict()
    assert in_both(findings.between_sentence_named, r) == (text, marks)
    assert findings.change_sentence(r) == text


def test_between_sentence_named_refuses_a_change_over_time(made_up):
    """Fails if the check or its message (figure and test) changes."""
    with pytest.raises(ValueError, match=r"^F1: test 'latest change' is not 'between populations'$"):
        findings.between_sentence_named(_row())
    with pytest.raises(ValueError, match=r"^None: test None is not 'between populations'$"):
        findings.between_sentence_named({})


def test_direction():
    """Fails if the zero case or the signs of _direction change."""
    assert [findings._direction(x) for x in (0.1, -0.1, 0.0)] == ["up", "down", "same"]


# ---------------------------------------------------------------- subgroup sentences

def _groups(**kw):
    r = {"n_a": 400, "n_b": 380, "n_eff_a": 300.0, "n_eff_b": 280.0, "estimate_a": 0.54, "estimate_b": 0.46,
         "difference": 0.08, "ci_low": 0.02, "ci_high": 0.14, "p_value": 0.004}
    r.update(kw)
    return r


@pytest.mark.parametrize("kw,text,marks", [
    ({}, "Said yes: women more often than men in 2000 (54 % against 46 %; difference 8 points, 95 % interval 2 to 14; "
         "p = 0.004, significant)", 6),
    ({"estimate_a": 0.40, "difference": -0.06, "ci_low": -0.11, "ci_high": -0.01},
     "Said yes: women less often than men in 2000 (40 % against 46 %; difference 6 points, 95 % interval -11 to -1; "
     "p = 0.004, significant)", 6),
    ({"p_value": 0.05}, "Said yes: no significant difference between women and men in 2000 (54 % against 46 %; "
                        "95 % interval of the difference 2 to 14; p = 0.05, not significant)", 4),
    ({"n_eff_a": 29.9}, "Said yes: women against men in 2000: suppressed (small base)", 1),
    ({"n_eff_b": 29.9}, "Said yes: women against men in 2000: suppressed (small base)", 1),
    ({"n_eff_a": 30.0, "n_eff_b": 30.0, "p_value": 0.2},
     "Said yes: no significant difference between women and men in 2000 (54 % against 46 %; "
     "95 % interval of the difference 2 to 14; p = 0.2, not significant)", 4),
    ({"p_value": np.nan}, "Said yes: women against men in 2000: suppressed (small base)", 1),
])
def test_groups_sentence(xx, kw, text, marks):
    """Two subgroups: the effective bases against min_base (30: at 30 shown, below suppressed), direction,
    interval at the settings' level, p. Fails if a base check, the 100 x scaling, a template, the
    comparative, abs() of the points or the alpha comparison changes."""
    assert in_both(findings.groups_sentence, _groups(**kw), "Said yes", "women", "men", 2000) == (text, marks)


def test_groups_sentence_without_effective_bases_uses_the_bases(monkeypatch):
    """Fails if n_a/n_b are not the fallback of n_eff_a/n_eff_b, or min_base is not read from the settings."""
    r = {k: v for k, v in _groups(n_a=29, n_b=500).items() if not k.startswith("n_eff")}
    assert findings.groups_sentence(r, "M", "a", "b", 2001) == "M: a against b in 2001: suppressed (small base)"
    r = {k: v for k, v in _groups(n_a=500, n_b=29).items() if not k.startswith("n_eff")}
    assert findings.groups_sentence(r, "M", "a", "b", 2001) == "M: a against b in 2001: suppressed (small base)"
    with_settings(monkeypatch, min_base=301, confidence_level=0.9)
    assert findings.groups_sentence(_groups(), "M", "a", "b", 2001) == "M: a against b in 2001: suppressed (small base)"
    assert findings.groups_sentence(_groups(n_eff_a=301.0, n_eff_b=301.0), "M", "a", "b", 2001) == (
        "M: a more often than b in 2001 (54 % against 46 %; difference 8 points, 90 % interval 2 to 14; p = 0.004, "
        "significant)")


@pytest.mark.parametrize("value,base,text", [
    (54.0, 200, "54 %"), (45.26, 30, "45.3 %"), (0.0, 100, "0 %"), (54.0, 29.5, "suppressed (small base)"),
    (np.nan, 200, "suppressed (small base)"), (None, 200, "suppressed (small base)"),
    (54.0, None, "suppressed (small base)"), (54.0, np.nan, "suppressed (small base)"),
])
def test_share_text(value, base, text, xx):
    """Fails if the min_base comparison, the missing-value checks, the rounding or the language changes."""
    assert findings.share_text(value, base) == text
    assert findings.share_text(value, base, "xx") == text.replace(" %", f" %{MARK}").replace(")", f"){MARK}")


def _vs(**kw):
    r = {"n_eff": 120.0, "estimate": 61.0, "p_adjusted": 0.01, "vs_total": 5.0}
    r.update(kw)
    return r


@pytest.mark.parametrize("kw,text,marks", [
    ({}, "Said yes: women 61 %, 5 points above all respondents (56 %; p = 0.01 after adjustment over the table, "
         "significant)", 6),
    ({"estimate": 51.0, "vs_total": -5.0},
     "Said yes: women 51 %, 5 points below all respondents (56 %; p = 0.01 after adjustment over the table, "
     "significant)", 6),
    ({"p_adjusted": 0.05}, "Said yes: no significant difference between women (61 %) and all respondents (56 %; "
                           "p = 0.05 after adjustment over the table, not significant)", 4),
    ({"n_eff": 29.0}, "Said yes: women: suppressed (small base)", 1),
    ({"estimate": np.nan}, "Said yes: women: suppressed (small base)", 1),
    ({"p_adjusted": np.nan}, "Said yes: women: suppressed (small base)", 1),
])
def test_vs_total_sentence(xx, kw, text, marks):
    """One group against all respondents. Fails if a suppression check, the side word, abs() of the points,
    the alpha comparison, a template or the language changes."""
    assert in_both(findings.vs_total_sentence, _vs(**kw), "Said yes", "women", 56.0) == (text, marks)


def test_vs_total_sentence_needs_an_adjusted_p():
    """Fails if a missing p_adjusted key is read as a p-value."""
    r = _vs()
    del r["p_adjusted"]
    assert findings.vs_total_sentence(r, "M", "g", 50.0) == "M: g: suppressed (small base)"


@pytest.mark.parametrize("kw,text", [
    ({"statistic": 12.345, "p_value": 0.3, "p_adjusted": 0.002},
     "Said yes is associated with sex (Rao–Scott F = 12.3; p = 0.002 after adjustment over the table, significant)"),
    ({"statistic": 1.04, "p_value": 0.3},
     "Said yes: no significant association with sex (Rao–Scott F = 1; p = 0.3 after adjustment over the table, "
     "not significant)"),
    ({"statistic": 4.0, "p_value": 0.05, "p_adjusted": np.nan},
     "Said yes: no significant association with sex (Rao–Scott F = 4; p = 0.05 after adjustment over the table, "
     "not significant)"),
])
def test_association_sentence(xx, kw, text):
    """Fails if the adjusted p is not preferred, the F rounding, the alpha comparison, a template or the
    language changes."""
    assert in_both(findings.association_sentence, kw, "Said yes", "sex") == (text, 2)


def _odds(**kw):
    r = {"n_eff": 200.0, "odds_ratio": 1.756, "or_low": 1.2, "or_high": 2.571, "p_value": 0.003}
    r.update(kw)
    return r


@pytest.mark.parametrize("kw,text,marks", [
    ({}, "Other things equal, men have 1.76 times the odds of saying yes that women have (95 % interval 1.2 to 2.57; "
         "p = 0.003, significant)", 2),
    ({"p_value": 0.05}, "Other things equal, no significant difference in the odds of saying yes between men and women "
                        "(odds ratio 1.76, 95 % interval 1.2 to 2.57; p = 0.05, not significant)", 2),
    ({"n_eff": 29.0}, "Other things equal, men against women: suppressed (small base)", 1),
    ({"n_eff": None}, "Other things equal, men against women: suppressed (small base)", 1),
    ({"odds_ratio": np.nan}, "Other things equal, men against women: suppressed (small base)", 1),
    ({"p_value": np.nan}, "Other things equal, men against women: suppressed (small base)", 1),
])
def test_odds_sentence(xx, kw, text, marks):
    """Fails if a suppression check, the two-decimal rounding of ratios, the alpha comparison, a template or
    the language changes."""
    assert in_both(findings.odds_sentence, _odds(**kw), "saying yes", "men", "women") == (text, marks)


def test_odds_sentence_without_effective_base_is_suppressed():
    """Fails if a row without n_eff is shown."""
    r = _odds()
    del r["n_eff"]
    assert findings.odds_sentence(r, "o", "g", "r") == "Other things equal, g against r: suppressed (small base)"


# ---------------------------------------------------------------- claim counts

def test_claim_counts_and_sentence(xx):
    """Fails if a verdict is miscounted, a count field swaps, zeros are dropped, or the language is ignored."""
    v = pd.DataFrame({"verdict": ["holds", "holds", "holds", "consistency check only", "does not hold", "does not hold",
                                  "not checkable"]})
    assert findings.claim_counts(v) == {"holds": 3, "does not hold": 2, "consistency check only": 1, "not checkable": 1}
    assert list(findings.claim_counts(v)) == ["holds", "does not hold", "consistency check only", "not checkable"]
    assert findings.claim_counts(v.iloc[:0]) == {"holds": 0, "does not hold": 0, "consistency check only": 0,
                                                 "not checkable": 0}
    assert in_both(findings.claims_sentence, v) == (
        "Of 7 statements with a number or a direction, 6 can be checked against the printed numbers: 3 hold, "
        "2 do not hold and 1 are a consistency check only; 1 cannot be checked", 1)


def test_claim_counts_refuses_unknown_verdicts():
    """Fails if the message (the unknown verdicts, sorted, and the known ones) changes."""
    with pytest.raises(ValueError, match=r"^claim verdicts \['maybe', 'perhaps'\] are none of \['holds', 'does not "
                                         r"hold', 'consistency check only', 'not checkable'\]$"):
        findings.claim_counts(pd.DataFrame({"verdict": ["perhaps", "holds", "maybe"]}))


# ---------------------------------------------------------------- headline verdicts

@pytest.mark.parametrize("verdicts,expected", [
    ([], "not checkable"), (["not checkable"], "not checkable"),
    (["consistency check only", "not checkable"], "consistency check only"),
    (["holds", "consistency check only"], "holds"), (["holds", "does not hold", "not checkable"], "does not hold"),
    (["not checkable", "does not hold"], "does not hold"),
])
def test_overall_verdict(verdicts, expected):
    """One failing claim fails the headline; else one that holds; else a consistency check. Fails if the
    precedence or a returned verdict changes."""
    assert findings._overall(verdicts) == expected


CLAIM_COLUMNS = ["claim_id", "figure_id", "text_no", "kind", "value", "compared", "p_value", "printed", "verdict"]


def _claims(*rows):
    return pd.DataFrame([dict(zip(CLAIM_COLUMNS, r)) for r in rows], columns=CLAIM_COLUMNS)


HEAD_CLAIMS = _claims(
    ("C1", "F1", "x", "change", 54.0, 33.0, 0.002, "", "holds"),
    ("C2", "F1", "x", "level", 54.04, np.nan, np.nan, "54 %", "consistency check only"),
    ("C3", "F1", "x", "level", np.nan, np.nan, np.nan, "", "not checkable"),
    ("C4", "F1", "x", "comparison", 60.0, 52.0, np.nan, "", "holds"),
    ("C5", "F1", "x", "level", 40.0, np.nan, np.nan, "", "holds"),
    ("C6", "F1", "x", "comparison", 60.0, 52.0, 0.3, "", "holds"),
    ("C7", "F1", "x", "change", 54.0, np.nan, np.nan, "", "holds"),
)


def test_claim_numbers(xx):
    """The numbers that decide a claim, in the claim's kind's template. Fails if a kind test, the NaN checks,
    a template, the p part or the language changes."""
    got = {r["claim_id"]: in_both(findings._claim_numbers, r) for _, r in HEAD_CLAIMS.iterrows()}
    assert got == {"C1": ("C1: 33 % → 54 %, p = 0.002", 4), "C2": ("C2: 54 % printed, 54 % computed", 2),
                   "C3": ("", 0), "C4": ("C4: 60 % against 52 %", 3), "C5": ("C5: 40 %", 1),
                   "C6": ("C6: 60 % against 52 %, p = 0.3", 4), "C7": ("C7: 54 %", 1)}


def test_headline_verdict_text_and_caption(made_up, monkeypatch, xx):
    """The headline (spaces collapsed) in both languages, the overall verdict and every claim's numbers.
    Fails if a field, the join of the numbers, the verdict template or the language changes."""
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[:2].reset_index(drop=True))
    h = findings.headline_verdict("F1")
    assert h == {"figure_id": "F1", "headline_no": "Flere  bruker\ndigital kontakt",
                 "headline_en": "More use digital contact.", "verdict": "holds", "claims": ["C1", "C2"],
                 "text": "The report's headline: «Flere bruker digital kontakt» (More use digital contact.). Verdict: "
                         "holds — C1: 33 % → 54 %, p = 0.002; C2: 54 % printed, 54 % computed.",
                 "caption": "The report's headline: holds."}
    x = findings.headline_verdict("F1", lang="xx")
    assert x["text"].replace(MARK, "") == h["text"] and x["text"].count(MARK) == 9
    assert x["caption"] == f"The report's headline: holds{MARK}.{MARK}"


def test_headline_verdict_without_claims_or_numbers(made_up, monkeypatch):
    """Fails if a headline without claims is not 'not checkable' with the no-claim words, or a headline whose
    claims have no numbers gets them."""
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[:0])
    h = findings.headline_verdict("F1")
    assert (h["verdict"], h["claims"]) == ("not checkable", [])
    assert h["text"] == ("The report's headline: «Flere bruker digital kontakt» (More use digital contact.). "
                         "Verdict: not checkable — no claim with a number or direction.")
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[[2]].reset_index(drop=True))
    h = findings.headline_verdict("F1")
    assert h["text"] == ("The report's headline: «Flere bruker digital kontakt» (More use digital contact.). "
                         "Verdict: not checkable.")
    assert h["caption"] == "The report's headline: not checkable."


def test_headline_sentence(made_up, monkeypatch, xx):
    """Prose: the headline without trailing '.', the verdict words, the numbers without ids and p.
    Fails if the p is kept, the ids are kept, a template or the language changes."""
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[:4].reset_index(drop=True))
    text, marks = in_both(findings.headline_sentence, "F1")
    assert text == ("The report's headline «Flere bruker digital kontakt» (More use digital contact) holds "
                    "(33 % → 54 %; 54 % printed, 54 % computed; 60 % against 52 %)")
    assert marks == 1 + 1 + 1 + 3 + 2 + 3  # sentence, numbers, verdict; change, printed level, comparison
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[[2]].reset_index(drop=True))
    assert findings.headline_sentence("F1") == ("The report's headline «Flere bruker digital kontakt» (More use digital "
                                                "contact) cannot be checked with the printed numbers")
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[:0])
    assert findings.headline_sentence("F1").endswith(") cannot be checked with the printed numbers")


def test_headline_claims_are_the_claims_inside_the_headline(made_up, monkeypatch):
    """The claims whose text is in the headline (or contains it), else all the figure's claims. Fails if either
    containment test, the figure filter or the fallback changes."""
    v = _claims(("A", "F1", "Flere bruker digital", "level", 1, 1, 1, "", "holds"),
                ("B", "F1", "Noe helt annet", "level", 1, 1, 1, "", "holds"),
                ("C", "F1", "Flere bruker digital kontakt, 54 % i 2022!", "level", 1, 1, 1, "", "holds"),
                ("D", "F3", "Noe annet", "level", 1, 1, 1, "", "holds"),
                ("E", "F3", "x", "level", 1, 1, 1, "", "holds"))
    monkeypatch.setattr(findings, "_claim_verdicts", lambda: v)
    assert list(findings.headline_claims("F1")["claim_id"]) == ["A", "C"]
    assert list(findings.headline_claims("F1").index) == [0, 1]
    assert list(findings.headline_claims("F3")["claim_id"]) == ["D"]
    monkeypatch.setattr(findings, "_claim_verdicts", lambda: v[v["claim_id"] != "D"])
    assert list(findings.headline_claims("F3")["claim_id"]) == ["E"]
    assert findings.headline_claims("F2").empty


# ---------------------------------------------------------------- figure titles

def _tests(*rows):
    cols = ["figure_id", "population", "item", "measure", "test", "from", "to", "share_from", "share_to", "p_value",
            "p_adjusted"]
    return pd.DataFrame([dict(zip(cols, ("F1",) + r)) for r in rows], columns=cols)


def _tab(rows, unit="percent"):
    cols = ["population", "year", "item", "item_en", "category", "category_en", "value"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols).assign(unit=unit)


@pytest.fixture
def chart(made_up, monkeypatch):
    """figures.table / source_of / nps_table of made-up figures: set `chart.table` etc. in a test."""
    class Chart:
        table = _tab([("citizens", 2022, "Total", "Total", "A", "Yes", 50.0)])
        source = "report text"
        nps = None

    monkeypatch.setattr(figures, "table", lambda fid: Chart.table)
    monkeypatch.setattr(figures, "source_of", lambda fid: Chart.source)
    monkeypatch.setattr(figures, "nps_table", lambda fid: Chart.nps)
    return Chart


FL = ("citizens", "Total", "Andel", "first to last", 2019, 2022, 33.0, 54.0)
LC = ("citizens", "Total", "Andel", "latest change", 2021, 2022)


@pytest.mark.parametrize("rows,title", [
    ([FL + (0.001, 0.002)], "Digital contact rose from 33 % in 2019 to 54 % in 2022 (significant)"),
    ([FL + (0.3, 0.4)], "Digital contact: no significant change from 2019 (33 %) to 2022 (54 %)"),
    ([FL + (np.nan, np.nan)], "Digital contact rose from 33 % in 2019 to 54 % in 2022 (not testable: no base printed)"),
    ([FL + (0.001, 0.002), LC + (56.0, 54.0, 0.01, 0.03)],
     "Digital contact rose from 33 % in 2019 to 54 % in 2022 (significant); 2021–2022: fell significantly"),
    ([FL + (0.001, 0.002), LC + (50.0, 54.0, 0.3, 0.4)],
     "Digital contact rose from 33 % in 2019 to 54 % in 2022 (significant); 2021–2022: no significant change"),
    ([FL + (0.001, 0.002), LC + (54.0, 54.0, np.nan, np.nan)],
     "Digital contact rose from 33 % in 2019 to 54 % in 2022 (significant); 2021–2022: was unchanged, not testable"),
    ([LC + (56.0, 54.0, 0.01, 0.03)], "Digital contact fell from 56 % in 2021 to 54 % in 2022 (significant)"),
])
def test_change_titles(chart, xx, rows, title):
    """A change title: the first-to-last test (else the latest) with its decision, plus the latest change.
    Fails if the tests are picked the wrong way round, a decision maps to another template, the verb's
    direction, a year or share field, or the language changes."""
    t = _tests(*rows)
    f = findings.figure_finding("F1", tests=t)
    assert (f["kind"], f["title"], f["measure"], f["figure_id"]) == ("change", title, "Digital contact", "F1")
    assert f["sentences"] == [findings.change_sentence(r) for _, r in t.iterrows()]
    pd.testing.assert_frame_equal(f["rows"], t)
    x = findings.figure_finding("F1", tests=t, lang="xx")
    assert x["title"].replace(MARK, "") == title
    # title_change: template, verb, qualifier, two shares (no change: template, two shares); the latest change
    # adds title_latest, its phrase and (in two of the three phrases) its verb
    main = 3 if "no significant change from" in title else 5
    latest = {"": 0, "fell significantly": 3, "no significant change": 2, "was unchanged, not testable": 3}
    assert x["title"].count(MARK) == main + latest[title.split(": ")[-1] if "–" in title else ""]
    assert x["sentences"] == [findings.change_sentence(r, "xx") for _, r in t.iterrows()]


def test_a_change_title_names_item_and_category(chart):
    """Fails if the title's measure drops the item's label or the lower-cased category."""
    t = _tests(("citizens", "Leger", "Helt enig", "first to last", 2019, 2022, 33.0, 54.0, 0.001, 0.002))
    assert findings.figure_finding("F1", tests=t)["title"] == (
        "Digital contact: Doctors (agree) rose from 33 % in 2019 to 54 % in 2022 (significant)")
    t = _tests(("citizens", "Total", "Valgt", "first to last", 2019, 2022, 33.0, 54.0, 0.001, 0.002))
    assert findings.figure_finding("F1", tests=t)["title"].startswith("Digital contact rose")


def _items(*rows):
    return _tests(*[("citizens", x[0], "Andel", "first to last", 2019, 2022) + tuple(x[1:]) for x in rows])


@pytest.mark.parametrize("rows,title", [
    ([("Leger", 30.0, 40.0, 0.01, 0.01), ("Sykepleiere", 50.0, 45.0, 0.02, 0.02), ("Tannleger", 20.0, 50.0, np.nan, np.nan)],
     "Digital contact: of 2 tested series, 1 rose and 1 fell significantly from 2019 to 2022; largest change: Doctors "
     "(30 % to 40 %); 1 not testable: no base printed"),
    ([("Leger", 30.0, 40.0, 0.01, 0.01), ("Sykepleiere", 50.0, 38.0, 0.02, 0.02), ("Jordmødre", 20.0, 25.0, 0.01, 0.01)],
     "Digital contact: of 3 tested series, 2 rose and 1 fell significantly from 2019 to 2022; largest change: "
     "Sykepleiere (50 % to 38 %)"),
    ([("Leger", 30.0, 40.0, 0.3, 0.3), ("Sykepleiere", 50.0, 45.0, 0.2, 0.2)],
     "Digital contact: no significant change in 2 tested series from 2019 to 2022; largest change: Doctors "
     "(30 % to 40 %)"),
    ([("Leger", 30.0, 40.0, np.nan, np.nan), ("Sykepleiere", 50.0, 35.0, np.nan, np.nan)],
     "Digital contact: largest change from 2019 to 2022 is Sykepleiere (50 % to 35 %; not testable: no base printed)"),
    ([("Leger", 30.0, 40.0, np.nan, np.nan), ("Sykepleiere", 50.0, 40.0, np.nan, np.nan)],
     "Digital contact: largest change from 2019 to 2022 is Doctors (30 % to 40 %; not testable: no base printed)"),
])
def test_titles_of_several_items(chart, xx, rows, title):
    """Several series: how many tested series rose and fell significantly, the largest tested change and how
    many could not be tested. Fails if the counts, the order (largest first, stable on ties), the
    preference for tested series, a template or the language changes."""
    t = _items(*rows)
    assert findings.figure_finding("F1", tests=t)["title"] == title
    x = findings.figure_finding("F1", tests=t, lang="xx")["title"]
    assert x.replace(MARK, "") == title
    assert x.count(MARK) == 3 + ("; 1 not testable" in title)  # template, two shares (and the untested part)


def test_titles_of_several_measures_are_item_titles(chart):
    """Two categories of one item are several series too. Fails if the measure count is not checked."""
    t = _tests(("citizens", "Total", "Helt enig", "first to last", 2019, 2022, 30.0, 40.0, 0.01, 0.01),
               ("citizens", "Total", "Andel", "first to last", 2019, 2022, 60.0, 55.0, 0.3, 0.3))
    assert findings.figure_finding("F1", tests=t)["title"] == (
        "Digital contact: of 2 tested series, 1 rose and 0 fell significantly from 2019 to 2022; largest change: "
        "Digital contact (agree) (30 % to 40 %)")


BT = ("personnel vs citizens", "Total", "Andel", "between populations", 2020, 2020, 52.0)


@pytest.mark.parametrize("rows,title", [
    ([BT + (60.0, 0.001, 0.01)],
     "Digital contact: health personnel more often than citizens in 2020 (60 % against 52 %; significant)"),
    ([BT + (40.0, np.nan, np.nan)],
     "Digital contact: health personnel less often than citizens in 2020 (40 % against 52 %; not testable: no base printed)"),
    ([BT + (60.0, 0.3, 0.4)],
     "Digital contact: no significant difference between health personnel (60 %) and citizens (52 %) in 2020"),
])
def test_between_titles(chart, xx, rows, title):
    """A figure of two populations: the between-populations test. Fails if the decision, comparative, groups,
    shares or language of _between_title change."""
    chart.table = _tab([("citizens", 2020, "Total", "Total", "A", "Yes", 52.0),
                        ("personnel", 2020, "Total", "Total", "A", "Yes", 60.0)])
    t = _tests(*[(r[0],) + r[1:] for r in rows])
    f = findings.figure_finding("F1", tests=t)
    assert (f["kind"], f["title"]) == ("between populations", title)
    x = findings.figure_finding("F1", tests=t, lang="xx")["title"]
    assert x.replace(MARK, "") == title
    assert x.count(MARK) == (3 if "no significant difference" in title else 5)  # + comparative and qualifier


def test_between_title_names_the_answer_compared(chart):
    """Fails if the compared answer ('agree') is not named in a between title."""
    chart.table = _tab([("citizens", 2020, "Total", "Total", "A", "Yes", 52.0),
                        ("personnel", 2020, "Total", "Total", "A", "Yes", 60.0)])
    t = _tests(("personnel vs citizens", "Total", "Helt enig", "between populations", 2020, 2020, 52.0, 60.0, 0.001, 0.01))
    assert findings.figure_finding("F1", tests=t)["title"].startswith("Digital contact (agree): health personnel")


def test_a_between_test_of_one_population_chart_with_changes_is_a_change_title(chart):
    """Changes and a between test on a chart of one population: the change is the title. Fails if
    `len(changes) == 0 or nunique > 1` changes."""
    t = pd.concat([_tests(BT + (60.0, 0.001, 0.01)), _tests(FL + (0.001, 0.002))], ignore_index=True)
    assert findings.figure_finding("F1", tests=t)["kind"] == "change"
    f = findings.figure_finding("F1", tests=_tests(BT + (60.0, 0.001, 0.01)))
    assert f["kind"] == "between populations"


def test_nps_titles(chart, xx):
    """NPS charts: the total's NPS, signed, first and last year. Fails if the sort, the sign format, the
    Total selection or a template changes."""
    chart.table = _tab([("citizens", 2019, "Total", "Total", "NPS", "NPS", 12.0)], unit="nps_points")
    chart.nps = pd.DataFrame({"item": ["Total", "Total", "Leger"], "year": [2022, 2019, 2019], "nps": [-3.2, 12.4, 50.0]})
    f = findings.figure_finding("F1", tests=_tests())
    assert (f["kind"], f["title"]) == ("nps", "Digital contact: NPS +12 in 2019 and -3 in 2022")
    assert findings.figure_finding("F1", tests=_tests(), lang="xx")["title"] == (
        f"Digital contact: NPS +12 in 2019 and -3 in 2022{MARK}")
    chart.nps = pd.DataFrame({"item": ["Total"] * 3, "year": [2022, 2019, 2021], "nps": [-3.2, 12.4, 30.0]})
    assert findings.figure_finding("F1", tests=_tests())["title"] == "Digital contact: NPS +12 in 2019 and -3 in 2022"
    chart.nps = pd.DataFrame({"item": ["Leger", "Sykepleiere"], "year": [2022, 2022], "nps": [0.2, 50.0]})
    assert findings.figure_finding("F1", tests=_tests())["title"] == "Digital contact: NPS +50 in 2022"
    chart.nps = pd.DataFrame({"item": ["Total", "Leger"], "year": [2022, 2019], "nps": [7.0, 50.0]})
    assert findings.figure_finding("F1", tests=_tests())["title"] == "Digital contact: NPS +7 in 2022"


@pytest.mark.parametrize("rows,title", [
    ([("citizens", 2022, "Total", "Total", "A", "Yes. ", 60.0), ("citizens", 2022, "Total", "Total", "B", "No", 10.0),
      ("citizens", 2022, "Total", "Total", "C", "Don't know", 30.0), ("citizens", 2019, "Total", "Total", "A", "Old", 99.0)],
     "Digital contact in 2022: Yes is the largest (60 %), No the smallest (10 %)"),
    ([("citizens", 2022, "Total", "Total", "A", "Yes?", 60.0)], "Digital contact in 2022: Yes 60 %"),
    ([("citizens", 2022, "Total", "Total", "A", "Yes", 60.0), ("citizens", 2022, "Total", "Total", "B", "Yes", 40.0)],
     "Digital contact in 2022: Yes 60 %"),
    ([("citizens", 2022, "Total", "Total", "A", "x " * 40, 60.0), ("citizens", 2022, "Total", "Total", "B", "No", 70.0)],
     "Digital contact in 2022: No is the largest (70 %), " + "x " * 28 + "x… the smallest (60 %)"),
])
def test_level_titles(chart, xx, rows, title):
    """Without tests: the latest year's largest and smallest answer (labels cleaned, long ones cut at a word).
    Fails if the year, the sort order, the one-label case, the clean-up, the cut or a template changes."""
    chart.table = _tab(rows)
    f = findings.figure_finding("F1", tests=_tests())
    assert (f["kind"], f["title"], f["sentences"]) == ("level", title, [])
    x = findings.figure_finding("F1", tests=_tests(), lang="xx")["title"]
    assert x.replace(MARK, "") == title
    assert x.count(MARK) == (3 if "the largest" in title else 2)


def test_level_title_of_items_ranks_the_items(chart):
    """Several items, one category: the items are ranked by their English labels. Fails if the label column
    is chosen the wrong way round."""
    chart.table = _tab([("citizens", 2022, "Leger", "Doctors", "A", "Yes", 60.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "A", "Yes", 70.0)])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Nurses is the largest (70 %), Doctors the smallest (60 %)")


def test_level_title_of_items_and_categories_ranks_the_items_on_the_tested_net(chart, monkeypatch):
    """Several items and categories: each item's tested net (the first group of figures._tested_categories)
    summed, the items ranked on it. Fails if the net is not summed per item, another group is used, or the
    items are not ranked by their English labels."""
    chart.table = _tab([("citizens", 2022, "Leger", "Doctors", "A", "Yes", 20.0),
                        ("citizens", 2022, "Leger", "Doctors", "B", "Partly", 30.0),
                        ("citizens", 2022, "Leger", "Doctors", "C", "No", 50.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "A", "Yes", 40.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "B", "Partly", 30.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "C", "No", 30.0)])
    seen = []
    monkeypatch.setattr(figures, "_tested_categories",
                        lambda fid, t: seen.append((fid, len(t))) or [("yes or partly", ["A", "B"]), ("no", ["C"])])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Nurses is the largest (70 %), Doctors the smallest (50 %)")
    assert seen == [("F1", 6)]
    monkeypatch.setattr(figures, "_tested_categories", lambda fid, t: [])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Doctors is the largest (50 %), Doctors the smallest (20 %)")


def test_a_chart_of_two_populations_with_changes_is_titled_by_the_difference(chart):
    """Fails if a chart of two populations with changes and a between test takes the change as its title."""
    chart.table = _tab([("citizens", 2020, "Total", "Total", "A", "Yes", 52.0),
                        ("personnel", 2020, "Total", "Total", "A", "Yes", 60.0)])
    t = pd.concat([_tests(FL + (0.001, 0.002)), _tests(BT + (60.0, 0.001, 0.01))], ignore_index=True)
    f = findings.figure_finding("F1", tests=t)
    assert (f["kind"], f["title"]) == (
        "between populations", "Digital contact: health personnel more often than citizens in 2020 (60 % against 52 %; significant)")


def test_value_titles_of_counts(chart, xx):
    """Counts: first and last value of the first item with their unit, or one value. Fails if the non-percent
    branch, the years or the formatting changes."""
    chart.table = _tab([("citizens", 2022, "Total", "Total", "N", "visits", 1500.54),
                        ("citizens", 2019, "Total", "Total", "N", "visits", 1200.0),
                        ("citizens", 2019, "Other", "Other", "N", "visits", 5.0)], unit="count")
    assert findings.figure_finding("F1", tests=_tests())["title"] == "Digital contact: 1200 in 2019 and 1500.5 in 2022 (visits)"
    assert findings.figure_finding("F1", tests=_tests(), lang="xx")["title"] == (
        f"Digital contact: 1200 in 2019 and 1500.5 in 2022 (visits){MARK}")
    chart.table = chart.table.iloc[[0]]
    assert findings.figure_finding("F1", tests=_tests())["title"] == "Digital contact in 2022: 1500.5 (visits)"


def test_missing_chart_title(chart, xx):
    """Fails if a chart without numbers is drawn a title from its (absent) numbers, or the template changes."""
    chart.source = ""
    f = findings.figure_finding("F1", tests=_tests(FL + (0.001, 0.002)))
    assert (f["kind"], f["title"], f["sentences"]) == ("missing", "Digital contact: the chart's numbers are not in the sources", [])
    assert findings.figure_finding("F1", tests=_tests(), lang="xx")["title"] == (
        f"Digital contact: the chart's numbers are not in the sources{MARK}")


def test_figure_finding_reads_the_chapters_tests(chart, monkeypatch):
    """Without tests given, the chapter's tests of the figure (figure_tests). Fails if the figure filter,
    the chapter lookup or the index reset changes."""
    t = pd.concat([_tests(FL + (0.001, 0.002)), _tests(FL + (0.3, 0.3)).assign(figure_id="F9")], ignore_index=True)
    t = pd.concat([t.iloc[[1]], t.iloc[[0]]], ignore_index=True)
    seen = []
    monkeypatch.setattr(findings, "_chapter_tests", lambda ch: seen.append(ch) or t)
    ft = findings.figure_tests("F1")
    assert seen == ["c1"] and list(ft.index) == [0] and list(ft["figure_id"]) == ["F1"]
    assert list(ft.columns) == list(t.columns)  # the old index is dropped, not kept as a column
    assert findings.figure_finding("F1")["title"] == "Digital contact rose from 33 % in 2019 to 54 % in 2022 (significant)"


def test_figure_title_refuses_the_reports_headline(chart, monkeypatch):
    """Fails if figure_title accepts a title that repeats the report's headline (Norwegian or English, up to
    case and punctuation), or its message changes."""
    monkeypatch.setattr(findings, "figure_finding", lambda fid, lang="en": {"title": "more USE, digital contact!"})
    with pytest.raises(AssertionError, match="^F1: the computed title repeats the report's headline$"):
        findings.figure_title("F1")
    monkeypatch.setattr(findings, "figure_finding", lambda fid, lang="en": {
        "title": "flere bruker digital kontakt" + ("" if lang == "en" else f" {lang}")})
    assert findings.figure_title("F1", "xx") == "flere bruker digital kontakt xx"
    with pytest.raises(AssertionError):
        findings.figure_title("F1")
    monkeypatch.setattr(findings, "figure_finding", lambda fid, lang="en": {"title": "Digital contact rose"})
    assert findings.figure_title("F1") == "Digital contact rose"


def test_norm_and_labels():
    """Fails if _norm, _clean_label or _short_label change their clean-up."""
    assert findings._norm("  Flere,  bruker\n(DIGITAL)! ") == "flere bruker digital"
    assert findings._clean_label(" a  b.? ") == "a b"
    assert findings._clean_label("CT-X.") == "CT-X"
    assert findings._short_label("a" * 60) == "a" * 60
    assert findings._short_label("abc " * 20) == "abc " * 13 + "abc…"
    assert findings._short_label("one two three", width=9) == "one two…"


def test_group_labels():
    """Fails if a population label changes."""
    assert [findings._group(p) for p in ("citizens", "personnel", "doctors")] == ["citizens", "health personnel", "doctors"]


# ---------------------------------------------------------------- pages and links

def test_figure_page_and_link(made_up, monkeypatch):
    """Fails if the chapter's page is not looked up, the link's form changes or the error message changes."""
    monkeypatch.setattr(findings, "chapter_pages", lambda: {"c1": "notebooks/citizens/01-use"})
    assert findings.figure_page("F1") == "notebooks/citizens/01-use"
    assert findings.figure_link("F1") == "/notebooks/citizens/01-use.md#fig-F1"
    with pytest.raises(KeyError, match="F2: chapter 'c2' has no page in _toc.yml"):
        findings.figure_page("F2")


def test_key_measure(made_up, monkeypatch):
    """The key result's measure: name, the question as asked (spaces collapsed) and the category counted.
    Fails if the category rule or the format changes."""
    assert findings._key_measure("F1", None, pd.Series({"measure": "Helt enig"})) == (
        "Digital contact — Have you used digital contact? [Agree]")
    assert findings._key_measure("F1", "Leger", pd.Series({"measure": "Andel"})) == (
        "Digital contact: Doctors — Have you used digital contact?")
    assert findings._key_measure("F3", None, pd.Series({"measure": ""})) == "Digital contact use — digital contact use (2019-2022)"
    assert findings._key_measure("F2", None, pd.Series({"measure": "Valgt"})) == "Number of visits — "


def test_key_results_are_their_figures_tests(made_up, monkeypatch, xx):
    """Each key result is its figure's test of the named kind, population and item ('latest change' also
    accepts the last two years with numbers). Fails if a selection filter is dropped or inverted, the
    LATEST kinds change, a field is taken from elsewhere, the columns change or the language is ignored."""
    monkeypatch.setattr(findings, "KEY_RESULTS", (
        ("F1", "citizens", None, "first to last", "k1", r"t1"),
        ("F1", "personnel", "Leger", "latest change", "k2", r"t2")))
    t = _tests(("personnel", "Leger", "Andel", "first to last", 2019, 2022, 20.0, 30.0, 0.01, 0.01),
               ("citizens", "Total", "Andel", "latest change", 2021, 2022, 40.0, 41.0, 0.3, 0.4),
               ("citizens", "Total", "Andel", "first to last", 2019, 2022, 33.0, 54.0, 0.001, 0.002),
               ("personnel", "Total", "Andel", "last two years with numbers", 2020, 2022, 10.0, 12.0, 0.5, 0.5),
               ("personnel", "Leger", "Helt enig", "last two years with numbers", 2020, 2022, 60.0, 50.0, 0.5, 0.6))
    monkeypatch.setattr(findings, "figure_tests", lambda fid: t)
    monkeypatch.setattr(findings, "chapter_pages", lambda: {"c1": "notebooks/citizens/01-use"})
    k = findings.key_results()
    assert list(k.columns) == ["key", "topic", "figure_id", "measure", "population", "test", "from", "to", "share_from",
                               "share_to", "significant", "sentence", "link"]
    assert k.to_dict("records") == [
        {"key": "k1", "topic": "t1", "figure_id": "F1", "measure": "Digital contact — Have you used digital contact?",
         "population": "citizens", "test": "first to last", "from": 2019, "to": 2022, "share_from": 33.0,
         "share_to": 54.0, "significant": "yes", "sentence": findings.change_sentence(t.iloc[2]),
         "link": "/notebooks/citizens/01-use.md#fig-F1"},
        {"key": "k2", "topic": "t2", "figure_id": "F1",
         "measure": "Digital contact: Doctors — Have you used digital contact? [Agree]", "population": "personnel",
         "test": "latest change", "from": 2020, "to": 2022, "share_from": 60.0, "share_to": 50.0,
         "significant": "no", "sentence": findings.change_sentence(t.iloc[4]),
         "link": "/notebooks/citizens/01-use.md#fig-F1"}]
    assert list(findings.key_results("xx")["sentence"]) == [findings.change_sentence(t.iloc[i], "xx") for i in (2, 4)]
    assert k["sentence"].iloc[0] == f"Digital contact rose by 21 points from 33 % in 2019 to 54 % in 2022 (p = 0.002, {ADJ})"


def test_key_results_without_their_test_is_an_error(monkeypatch):
    """Fails if a key result without its test is silently skipped, or the message changes."""
    monkeypatch.setattr(findings, "figure_tests", lambda fid: _tests().assign(figure_id=fid))
    with pytest.raises(KeyError, match="key result 'digital_contact': C05 has no 'first to last' test for citizens "):
        findings.key_results()


# ---------------------------------------------------------------- value_change_sentence

@pytest.fixture
def values_chart(made_up, monkeypatch):
    class V:
        series = pd.Series([30.0, 40.0, 55.0], index=[2019, 2021, 2022])
        table = _tab([("citizens", y, "Total", "Total", "A", "Yes", v) for y, v in ((2019, 30.0), (2021, 40.0),
                                                                                      (2022, 55.0))])
        tests = _tests()

    monkeypatch.setattr(figures, "series", lambda fid, **sel: V.series)
    monkeypatch.setattr(figures, "table", lambda fid: V.table)
    monkeypatch.setattr(findings, "figure_tests", lambda fid: V.tests)
    return V


def test_value_change_sentence_without_a_test(values_chart, xx):
    """No test of the change: the values and why (no base printed). Default years: the last two. Fails if the
    default years, the verb, the percent formatting, the reason or the language changes."""
    assert in_both(findings.value_change_sentence, "F1") == (
        "Digital contact rose from 40 % in 2021 to 55 % in 2022 (not testable: no base printed)", 5)
    assert findings.value_change_sentence("F1", 2019, 2021) == (
        "Digital contact rose from 30 % in 2019 to 40 % in 2021 (not testable: no base printed)")
    assert findings.value_change_sentence("F1", 2022, 2019) == (
        "Digital contact fell from 55 % in 2022 to 30 % in 2019 (not testable: no base printed)")
    values_chart.series = pd.Series([40.0, 40.0], index=[2021, 2022])
    assert in_both(findings.value_change_sentence, "F1") == (
        "Digital contact was unchanged at 40 % from 2021 to 2022 (not testable: no base printed)", 3)


def test_value_change_sentence_of_counts(values_chart, xx):
    """Counts: plain numbers and 'counts, not a sample'. Fails if the unit, the formatting or the reason changes."""
    values_chart.series = pd.Series([1200.0, 1500.54], index=[2021, 2022])
    values_chart.table = _tab([("citizens", 2021, "Total", "Total", "N", "Visits", 1200.0),
                               ("citizens", 2022, "Total", "Total", "N", "Visits", 1500.54)], unit="count")
    assert in_both(findings.value_change_sentence, "F1") == (
        "Digital contact rose from 1200 in 2021 to 1500.5 in 2022 (visits; counts, not a sample: no interval and no test)", 3)


def test_value_change_sentence_uses_the_test_of_that_change(values_chart, xx):
    """Where the figure has a test of exactly that change (years, population, item, category), its sentence.
    Fails if a selection filter of the tests is dropped or inverted."""
    values_chart.tests = pd.concat([
        _tests(("citizens", "Total", "Andel", "first to last", 2019, 2022, 30.0, 55.0, 0.001, 0.002)),
        _tests(("citizens", "Total", "Andel", "between populations", 2021, 2022, 40.0, 55.0, 0.001, 0.002)),
        _tests(("personnel", "Total", "Andel", "latest change", 2021, 2022, 10.0, 20.0, 0.001, 0.002)),
        _tests(("citizens", "Leger", "Andel", "latest change", 2021, 2022, 11.0, 21.0, 0.001, 0.002)),
        _tests(("citizens", "Total", "Helt enig", "latest change", 2021, 2022, 12.0, 22.0, 0.001, 0.002)),
        _tests(("citizens", "Total", "Andel", "latest change", 2021, 2022, 40.0, 55.0, 0.3, 0.4)),
    ], ignore_index=True)
    t = values_chart.tests
    assert findings.value_change_sentence("F1", population="citizens", item="Total", category="Andel") == (
        findings.change_sentence(t.iloc[5]))
    assert findings.value_change_sentence("F1", population="personnel") == findings.change_sentence(t.iloc[2])
    assert findings.value_change_sentence("F1", item="Leger") == findings.change_sentence(t.iloc[3])
    assert findings.value_change_sentence("F1", category="Helt enig") == findings.change_sentence(t.iloc[4])
    assert findings.value_change_sentence("F1", 2019, 2022, lang="xx") == findings.change_sentence(t.iloc[0], "xx")
    assert findings.value_change_sentence("F1", 2019, 2021) == (
        "Digital contact rose from 30 % in 2019 to 40 % in 2021 (not testable: no base printed)")


def test_value_change_sentence_needs_two_years(values_chart):
    """Fails if a one-year series is accepted or the message changes."""
    values_chart.series = pd.Series([30.0], index=[2022])
    with pytest.raises(ValueError, match=r"^F1: a change needs two years, the series has \[2022\]$"):
        findings.value_change_sentence("F1")


# ---------------------------------------------------------------- survivors of the first focus run

def test_groups_sentence_without_effective_bases_shows_large_groups():
    """Without n_eff_a / n_eff_b the bases n_a / n_b decide: large ones are shown. Fails if the fallback to
    n_a or n_b is replaced by None (everything would be suppressed)."""
    r = {k: v for k, v in _groups(n_a=500, n_b=500).items() if not k.startswith("n_eff")}
    assert findings.groups_sentence(r, "M", "a", "b", 2001).startswith("M: a more often than b in 2001 (54 %")


def test_groups_sentence_rounds_shares_and_interval_to_one_decimal():
    """Fails if a bound of the interval is rounded to another number of decimals (or to a whole number)."""
    r = _groups(estimate_a=0.5432, estimate_b=0.4611, difference=0.0821, ci_low=0.02345, ci_high=0.14372)
    assert findings.groups_sentence(r, "Said yes", "women", "men", 2000) == (
        "Said yes: women more often than men in 2000 (54.3 % against 46.1 %; difference 8.2 points, 95 % interval "
        "2.3 to 14.4; p = 0.004, significant)")


def test_question_short_keeps_a_final_capital_x():
    """Only '?', '.' and spaces are stripped from the end. Fails if other characters are stripped too."""
    assert findings._question_short({"question": {"text_en": "use of CT-X?"}, "headline_en": ""}) == "Use of CT-X"


def test_key_results_without_their_test_names_key_figure_and_population(monkeypatch):
    """The whole message, with nothing printed for a missing item. Fails if `item or ''` changes."""
    monkeypatch.setattr(findings, "figure_tests", lambda fid: _tests().assign(figure_id=fid))
    with pytest.raises(KeyError) as e:
        findings.key_results()
    assert e.value.args[0] == "key result 'digital_contact': C05 has no 'first to last' test for citizens "


def test_key_results_have_their_columns_even_when_there_are_none(monkeypatch):
    """Fails if the key results' columns are not named (an empty table would have none)."""
    monkeypatch.setattr(findings, "KEY_RESULTS", ())
    k = findings.key_results()
    assert k.empty and list(k.columns) == ["key", "topic", "figure_id", "measure", "population", "test", "from", "to",
                                           "share_from", "share_to", "significant", "sentence", "link"]


def test_value_change_sentence_reads_the_unit_of_the_selected_series(values_chart):
    """Without a test, the selected rows of the figure's table (population, item, category, the two years)
    decide between percent and counts (a percent row of 2019 is not read for 2021-2022), and the item names the
    measure. Fails if a selection filter of the table is dropped or inverted, or the item is not passed to
    measure_name."""
    values_chart.series = pd.Series([1200.0, 1500.0], index=[2021, 2022])
    counts = _tab([(pop, y, item, item, cat, cat, 1.0) for pop, item, cat, y in (
        ("personnel", "Leger", "N", 2021), ("personnel", "Leger", "N", 2022))], unit="count")
    percent = _tab([(pop, y, item, item, cat, cat, 1.0) for pop, item, cat, y in (
        ("citizens", "Leger", "N", 2021), ("personnel", "Andre", "N", 2022), ("personnel", "Leger", "P", 2022),
        ("personnel", "Leger", "N", 2019))])
    values_chart.table = pd.concat([counts, percent], ignore_index=True)
    counted = "(n; counts, not a sample: no interval and no test)"
    s = findings.value_change_sentence("F1", population="personnel", item="Leger", category="N")
    assert s == f"Digital contact: Doctors rose from 1200 in 2021 to 1500 in 2022 {counted}"
    assert findings.value_change_sentence("F1", population="citizens").endswith("(not testable: no base printed)")
    assert findings.value_change_sentence("F1", item="Andre").endswith("(not testable: no base printed)")
    assert findings.value_change_sentence("F1", category="P").endswith("(not testable: no base printed)")


def test_value_change_sentence_of_a_series_missing_from_the_table_says_counts(values_chart):
    """No row of the table for the two years: not percent, and no unit before the reason (its '; ' stripped).
    Fails if the empty table is read (IndexError) or the '; ' stays."""
    values_chart.table = values_chart.table.iloc[:0]
    assert findings.value_change_sentence("F1") == (
        "Digital contact rose from 40 in 2021 to 55 in 2022 (counts, not a sample: no interval and no test)")


def test_title_measure_keeps_the_figures_name_for_the_total():
    """The total (or no item) is named by the figure's measure as given. Fails if measure_name is asked for
    the total too, or `and` becomes `or` in the item test."""
    assert findings._title_measure({"item": "Total", "measure": "Andel"}, "Name.", "F1") == "Name."
    assert findings._title_measure({"item": None, "measure": "Andel"}, "Name.", "F1") == "Name."


def test_level_title_of_items_with_two_categories_ranks_on_the_net(chart, monkeypatch):
    """Two categories are enough to rank items on their tested net. Fails if `nunique() > 1` becomes `> 2`."""
    chart.table = _tab([("citizens", 2022, "Leger", "Doctors", "A", "Yes", 20.0),
                        ("citizens", 2022, "Leger", "Doctors", "C", "No", 80.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "A", "Yes", 40.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "C", "No", 60.0)])
    monkeypatch.setattr(figures, "_tested_categories", lambda fid, t: [("yes", ["A"])])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Nurses is the largest (40 %), Doctors the smallest (20 %)")


def test_level_title_keeps_the_tables_order_of_items_on_ties(chart, monkeypatch):
    """Items with equal nets keep the table's order (not alphabetical). Fails if the net's groupby sorts."""
    chart.table = _tab([("citizens", 2022, "Sykepleiere", "Nurses", "A", "Yes", 40.0),
                        ("citizens", 2022, "Sykepleiere", "Nurses", "C", "No", 60.0),
                        ("citizens", 2022, "Leger", "Doctors", "A", "Yes", 40.0),
                        ("citizens", 2022, "Leger", "Doctors", "C", "No", 60.0),
                        ("citizens", 2022, "Andre", "Others", "A", "Yes", 10.0),
                        ("citizens", 2022, "Andre", "Others", "C", "No", 90.0)])
    monkeypatch.setattr(figures, "_tested_categories", lambda fid, t: [("yes", ["A"])])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Nurses is the largest (40 %), Others the smallest (10 %)")


@pytest.mark.parametrize("measure", ["Andel", "Valgt", "Ja, ofte"])
def test_between_sentence_of_a_plain_share_names_no_answer(made_up, measure):
    """'Andel', 'Valgt' and answers starting with 'Ja' are plain shares: no answer in brackets.
    Fails if one of them is no longer recognised (mutated strings or case)."""
    r = _row(test="between populations", population="personnel vs citizens", share_to=60.0, share_from=52.0,
             p_adjusted=0.01, measure=measure, **{"from": 2020, "to": 2020}).to_dict()
    assert findings.between_sentence_named(r).startswith("Digital contact: health personnel more often")
    assert findings._named_measure(r) == "Digital contact"


def test_figure_finding_has_exactly_its_keys(chart):
    """Fails if a key of the finding is renamed (an extra key would appear) or a figure without a test column
    is read for one."""
    f = findings.figure_finding("F1", tests=_tests(FL + (0.001, 0.002)))
    assert set(f) == {"figure_id", "measure", "kind", "title", "sentences", "rows"}
    none = findings.figure_finding("F1", tests=pd.DataFrame({"figure_id": pd.Series([], dtype=object)}))
    assert set(none) == set(f) and none["kind"] == "level" and none["sentences"] == []
    chart.source = ""
    assert set(findings.figure_finding("F1", tests=_tests())) == set(f)


def test_headline_claims_keep_their_columns(made_up, monkeypatch):
    """Fails if the old index is kept as a column."""
    v = _claims(("A", "F1", "Flere bruker digital", "level", 1, 1, 1, "", "holds"),
                ("B", "F1", "x", "level", 1, 1, 1, "", "holds"))
    monkeypatch.setattr(findings, "_claim_verdicts", lambda: v)
    assert list(findings.headline_claims("F1").columns) == CLAIM_COLUMNS
    assert list(findings.headline_claims("F3").columns) == CLAIM_COLUMNS


def test_headline_verdict_without_claims_in_another_language(made_up, monkeypatch, xx):
    """Fails if the no-claim words are read in English whatever the language."""
    monkeypatch.setattr(findings, "headline_claims", lambda fid: HEAD_CLAIMS.iloc[:0])
    x = findings.headline_verdict("F1", lang="xx")["text"]
    assert x.count(MARK) == 4  # verdict_line, verdict word, verdict_numbers, verdict_no_claim


# ---------------------------------------------------------------- round 3: ties among many series

# 17 changes (or levels) with ties: numpy's default (unstable) quicksort puts index 7 (the second of the four 3s) first
# and the stable sort index 6, the first in the table's order.
TIED = [0, 1, 2, 0, 2, 2, 3, 3, 1, 1, 1, 3, 0, 1, 0, 1, 3]


def test_the_largest_change_on_a_tie_is_the_first_series_of_the_table(chart):
    """Fails if, among many series whose changes tie for the largest, the title names another than the first
    of the table (the sort on |change| made unstable: kind=None or dropped, numpy's default quicksort)."""
    t = _items(*[(f"Serie {i:02d}", 30.0, 30.0 + d, 0.3, 0.3) for i, d in enumerate(TIED)])
    assert findings.figure_finding("F1", tests=t)["title"] == (
        "Digital contact: no significant change in 17 tested series from 2019 to 2022; largest change: Serie 06 "
        "(30 % to 33 %)")


def test_the_largest_and_smallest_level_on_ties_follow_the_table(chart):
    """Fails if, among many items whose levels tie, the largest named is not the first of the table's tied
    items and the smallest not the last (the sort on value made unstable: kind=None or dropped)."""
    chart.table = _tab([("citizens", 2022, f"I{i}", f"Item {i:02d}", "A", "Yes", 30.0 + d) for i, d in enumerate(TIED)])
    assert findings.figure_finding("F1", tests=_tests())["title"] == (
        "Digital contact in 2022: Item 06 is the largest (33 %), Item 14 the smallest (30 %)")
