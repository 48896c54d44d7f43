"""Unit tests of claim verdicts (ehelse.claims.verdict) on made-up claim rows and made-up printed values.

Each test names the bug it guards against; each was seen to fail on that bug, planted by hand in
lib/ehelse/claims.py, run, and restored (the docstrings say which edit).
"""
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ehelse import claims
from ehelse.claims import FAILS, HOLDS, NOT_CHECKABLE, verdict

DEFF = {"citizens": 1.3, "personnel": 1.0}
# Made-up bases: (population, year) -> printed base of the bar.
BASES = {("citizens", 2020): 1000.0, ("citizens", 2021): 1200.0, ("personnel", 2021): 400.0}


@pytest.fixture(autouse=True)
def made_up_bases(monkeypatch):
    """The base of a made-up bar comes from BASES, not from a real figure's table."""
    monkeypatch.setattr(claims, "_base", lambda m, year: BASES.get((m["population"], year)))


def vals(rows) -> pd.DataFrame:
    """Printed values: (population, year, item, category, value[, unit]) on made-up figure F1, lines 900+."""
    out = []
    for i, r in enumerate(rows):
        pop, year, item, cat, value, *unit = r
        out.append({"report": "citizens2022" if pop == "citizens" else "personnel2020", "figure_id": "F1",
                    "population": pop, "year": year, "item": item, "category": cat, "value": float(value),
                    "unit": unit[0] if unit else "percent", "source_line": 900 + i, "numbers": "report text"})
    return pd.DataFrame(out)


def claim(measure: str, kind: str = "change", direction: str = "up", low=np.nan, high=np.nan,
          compare_to: str = "", checkable: str = "yes", **extra) -> pd.Series:
    """A claim row as in claims.csv, on a line (10) that holds none of the made-up values."""
    return pd.Series({"report": "citizens2022", "claim_id": "T01", "figure_id": "F1", "source_line": 10,
                      "kind": kind, "direction": direction, "low": low, "high": high, "measure": measure,
                      "compare_to": compare_to, "checkable": checkable, **extra})


def two_years(a: float, b: float, cat_split: bool = True) -> pd.DataFrame:
    """Citizens 2020 -> 2021, the measure summed over two categories A + B (a net)."""
    if cat_split:
        return vals([("citizens", 2020, "Total", "A", a - 10), ("citizens", 2020, "Total", "B", 10),
                     ("citizens", 2021, "Total", "A", b - 20), ("citizens", 2021, "Total", "B", 20)])
    return vals([("citizens", 2020, "Total", "A", a), ("citizens", 2021, "Total", "A", b)])


CHANGE = "F1|citizens|2020>2021|Total|A;B"


@pytest.mark.parametrize("a,b,direction,expected", [
    (50.0, 52.0, "stable", HOLDS),      # exactly 2 points up
    (50.0, 48.0, "stable", HOLDS),      # exactly 2 points down
    (50.0, 52.0625, "stable", FAILS),   # just past, up
    (50.0, 47.9375, "stable", FAILS),   # just past, down
    (50.0, 50.0, "stable", HOLDS),
])
def test_stable_holds_up_to_exactly_two_points(a, b, direction, expected):
    """Bug: the 'stable' threshold moved or made strict (STABLE_POINTS = 3, `<` for `<=`, abs() dropped).
    Seen to fail with `abs(d) < STABLE_POINTS`, with STABLE_POINTS = 2.5 and with `d <= STABLE_POINTS`."""
    out = verdict(claim(CHANGE, direction=direction), two_years(a, b), DEFF)
    assert out["verdict"] == expected
    assert out["difference"] == pytest.approx(b - a)
    assert (out["compared"], out["value"]) == (pytest.approx(a), pytest.approx(b))


@pytest.mark.parametrize("a,b,direction,expected", [
    (50.0, 50.0625, "up", HOLDS), (50.0, 50.0, "up", FAILS), (50.0, 49.9375, "up", FAILS),
    (50.0, 49.9375, "down", HOLDS), (50.0, 50.0, "down", FAILS), (50.0, 50.0625, "down", FAILS),
])
def test_up_and_down_need_a_strict_move_the_right_way(a, b, direction, expected):
    """Bug: years swapped in a change (b - a as a - b) or `>=` for `>`. Seen to fail with
    `difference=a - b` and with `"up": d >= 0`."""
    assert verdict(claim(CHANGE, direction=direction), two_years(a, b), DEFF)["verdict"] == expected


def test_a_change_sums_every_category_of_the_measure():
    """Bug: a net read as its first category only. Seen to fail with `sel["value"].iloc[0]` for `.sum()`."""
    out = verdict(claim(CHANGE), two_years(40.0, 55.0), DEFF)
    assert (out["compared"], out["value"]) == (40.0, 55.0)


def test_a_measure_with_a_missing_category_is_an_error():
    """Bug: a missing printed value silently summed as zero. Seen to fail with the length check removed."""
    v = two_years(40.0, 55.0)
    with pytest.raises(KeyError, match="1 of 2 values in 2021"):
        verdict(claim(CHANGE), v.drop(index=3), DEFF)


LEVEL = "F1|citizens|2021|Total|A"


@pytest.mark.parametrize("value,expected", [
    (40.0, HOLDS), (45.0, HOLDS), (42.5, HOLDS), (39.999, FAILS), (45.001, FAILS), (30.0, FAILS), (60.0, FAILS),
])
def test_level_bounds_are_inclusive_and_tight(value, expected):
    """Bug: a level's range made exclusive, widened (tolerance 0.01 for 1e-9) or one bound ignored.
    Seen to fail with `claim["high"] + 0.01`, with `claim["low"] < v < claim["high"]` (exclusive, no
    tolerance) and with the `low` test dropped."""
    v = vals([("citizens", 2020, "Total", "A", 90.0), ("citizens", 2021, "Total", "A", value)])
    out = verdict(claim(LEVEL, kind="level", direction="", low=40.0, high=45.0), v, DEFF)
    assert out["verdict"] == expected
    assert out["value"] == value  # the level is read in the measure's year, not another year of the figure


@pytest.mark.parametrize("b,expected", [(72.0, HOLDS), (73.0, FAILS), (71.0, FAILS)])
def test_a_change_with_a_printed_level_checks_both(b, expected):
    """'rose to 72 %': the direction and the printed level must both hold. Bug: the printed level of a change
    no longer checked. Seen to fail with the `if out["verdict"] == HOLDS and not pd.isna(claim["low"])` block
    removed (73 and 71 then 'hold')."""
    out = verdict(claim(CHANGE, low=72.0, high=72.0), two_years(60.0, b), DEFF)
    assert out["verdict"] == expected


def test_a_change_with_a_printed_level_fails_on_the_wrong_direction():
    """The level matches but the share fell: does not hold. Bug: a matching level overriding the direction.
    Seen to fail when the level block set HOLDS whenever the level matched."""
    assert verdict(claim(CHANGE, low=72.0, high=72.0), two_years(80.0, 72.0), DEFF)["verdict"] == FAILS


def _wald_p(pa, na, pb, nb):
    """Two-sided unpooled Wald p of pb - pa (percent) from effective bases, computed here by hand."""
    a, b = pa / 100, pb / 100
    z = (b - a) / np.sqrt(a * (1 - a) / na + b * (1 - b) / nb)
    return 2 * stats.norm.sf(abs(z))


def test_a_change_is_tested_with_the_printed_bases_and_the_assumed_design_effect():
    """Bug: the design effect of settings ignored in a claim's test, or the two bases swapped.
    Seen to fail with `d = 1.0` for `deff.get(...)` and with `_test(a, nb, b, na, d, d)`."""
    out = verdict(claim(CHANGE), two_years(50.0, 54.0), DEFF)
    assert out["p_value"] == pytest.approx(_wald_p(50.0, 1000 / 1.3, 54.0, 1200 / 1.3), rel=1e-9)


COMPARE_A = "F1|citizens|2021|Stmt A|A"
COMPARE_B = "F1|citizens|2021|Stmt B|A"


def test_a_same_sample_comparison_gets_no_test():
    """Two statements answered by the same respondents in one year: no independent-samples test.
    Bug: the same-sample rule removed. Seen to fail with `na = nb = None` deleted (a p-value appears)."""
    v = vals([("citizens", 2021, "Stmt A", "A", 60.0), ("citizens", 2021, "Stmt B", "A", 50.0)])
    out = verdict(claim(COMPARE_A, kind="comparison", direction="gt", compare_to=COMPARE_B), v, DEFF)
    assert out["verdict"] == HOLDS and out["difference"] == 10.0
    assert np.isnan(out["p_value"])
    flipped = verdict(claim(COMPARE_A, kind="comparison", direction="lt", compare_to=COMPARE_B), v, DEFF)
    assert flipped["verdict"] == FAILS


def test_a_comparison_of_two_populations_is_tested_with_each_ones_design_effect():
    """Citizens (deff 1.3) vs personnel (deff 1.0) in 2021: independent samples, each with its own deff.
    Bug: one population's deff used for both, or the comparison's order flipped. Seen to fail with
    `deff.get(m["population"], 1.0)` for both and with `difference=b - a`."""
    v = vals([("citizens", 2021, "Total", "A", 60.0), ("personnel", 2021, "Total", "A", 52.0)])
    c = claim("F1|citizens|2021|Total|A", kind="comparison", direction="gt", compare_to="F1|personnel|2021|Total|A")
    out = verdict(c, v, DEFF)
    assert (out["value"], out["compared"], out["difference"]) == (60.0, 52.0, 8.0)
    assert out["verdict"] == HOLDS
    assert out["p_value"] == pytest.approx(_wald_p(52.0, 400 / 1.0, 60.0, 1200 / 1.3), rel=1e-9)


@pytest.mark.parametrize("diff,expected", [(2.0, HOLDS), (-2.0, HOLDS), (2.0625, FAILS), (-2.0625, FAILS)])
def test_similar_holds_up_to_exactly_two_points(diff, expected):
    """Bug: the 'similar' threshold of comparisons changed (as for 'stable'). Seen to fail with
    `"similar": abs(d) < STABLE_POINTS`."""
    v = vals([("citizens", 2021, "Stmt A", "A", 50.0 + diff), ("citizens", 2021, "Stmt B", "A", 50.0)])
    c = claim(COMPARE_A, kind="comparison", direction="similar", compare_to=COMPARE_B)
    assert verdict(c, v, DEFF)["verdict"] == expected


def test_counts_get_no_test_and_unknown_directions_are_errors():
    """Counts (log data) have no sampling error; a change without a known direction is a data error.
    Bug: counts given a base, or an unknown direction read as 'holds'. Seen to fail with the unit check of
    measure_value removed and with `.get(direction, True)`."""
    v = vals([("citizens", 2020, "Total", "A", 40.0, "count"), ("citizens", 2021, "Total", "A", 45.0, "count")])
    out = verdict(claim("F1|citizens|2020>2021|Total|A"), v, DEFF)
    assert out["verdict"] == HOLDS and np.isnan(out["p_value"])
    with pytest.raises(ValueError, match="T01: kind 'change' needs a direction, got 'sideways'"):
        verdict(claim("F1|citizens|2020>2021|Total|A", direction="sideways"), v, DEFF)
    with pytest.raises(ValueError, match="T01: a change needs YEAR as 'A>B'"):
        verdict(claim("F1|citizens|2021|Total|A"), v, DEFF)


def test_not_checkable_claims_and_other_kinds_get_no_verdict():
    """Bug: a claim marked not checkable, or of kind 'other', computed anyway. Seen to fail with the
    `checkable != "yes"` return removed (the made-up measure is then read) and with 'other' treated as a level."""
    v = two_years(50.0, 60.0)
    out = verdict(claim(CHANGE, checkable="no"), v, DEFF)
    assert out["verdict"] == NOT_CHECKABLE and np.isnan(out["value"])
    other = verdict(claim(CHANGE, kind="other"), v, DEFF)
    assert other["verdict"] == NOT_CHECKABLE


def test_word_numbers_are_checked_as_levels_against_the_report():
    """A publisher's word number ('4 av 10' = 35-45 %) on a row without a report line. Bug: the word range
    applied as a point or shifted. Seen to fail with `claim["low"] - 1e-9 <= v` replaced by `claim["low"] == v`."""
    row = pd.Series({"claim_id": "PUB99", "report": "citizens2022", "figure_id": "F1", "url": "https://example.org",
                     "printed": "4 av 10", "low": 35.0, "high": 45.0, "kind": "level", "direction": "",
                     "measure": LEVEL, "compare_to": "", "checkable": "yes"})
    for value, expected in ((41.0, HOLDS), (35.0, HOLDS), (45.0, HOLDS), (46.0, FAILS), (34.0, FAILS)):
        v = vals([("citizens", 2021, "Total", "A", value)])
        assert verdict(row, v, DEFF)["verdict"] == expected


WORDS = {"en": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6, "sju": 7, "syv": 7, "åtte": 8, "ni": 9}


def test_every_word_number_range_contains_its_number():
    """Each publisher claim 'N av 10' (digits or words) has a range that contains N*10 % and is at most
    10 points wide ('over 7 av 10' starts at 70). Bug: a typed range that does not match its words (e.g.
    '4 av 10' as 45-55). Seen to fail with PUB01's low/high edited to 45/55 in a copy of the table."""
    from ehelse.data import publisher_claims

    c = publisher_claims()
    checked = 0
    for r in c.itertuples():
        m = re.search(r"(\d+|\w+) av 10\b", str(r.printed))
        if not m or pd.isna(r.low):
            continue
        n = int(m.group(1)) if m.group(1).isdigit() else WORDS[m.group(1).lower()]
        assert r.low <= 10 * n <= r.high, (r.claim_id, r.printed, r.low, r.high)
        assert r.high - r.low <= 10, (r.claim_id, r.printed)
        checked += 1
    assert checked >= 1
