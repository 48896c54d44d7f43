"""Subgroup patterns of one wave: sentences from within-survey tests, Rao–Scott and odds ratios; small bases say so."""
import numpy as np
import pandas as pd
import pytest

from ehelse import findings, patterns
from ehelse.estimates import design
from ehelse.weighting import rake


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    n = 800
    df = pd.DataFrame({"sex": rng.choice(["female", "male"], n), "grp": rng.choice(["a", "b", "c"], n, p=[.5, .48, .02])})
    p = np.where(df["sex"] == "female", 0.7, 0.3)
    df["q"] = np.where(rng.random(n) < p, "Ja", "Nei")
    df["sex"] = pd.Categorical(df["sex"], categories=["female", "male"])
    df["grp"] = pd.Categorical(df["grp"], categories=["a", "b", "c"])
    return design(df, rake(df, {"sex": {"female": 500, "male": 500}}))


def test_share_text_says_suppressed_for_a_small_or_missing_base():
    assert findings.share_text(45.25, 200) == "45.2 %" or findings.share_text(45.25, 200) == "45.3 %"
    assert findings.share_text(np.nan, 200) == findings.template("suppressed")
    assert findings.share_text(40.0, 3) == findings.template("suppressed")
    assert "nan" not in findings.share_text(np.nan, np.nan)


def test_groups_sentence_follows_the_within_survey_test(sample):
    r = patterns.compare_levels(sample, "q", ["Ja"], "sex", "female", "male")
    s = findings.groups_sentence(r, "Said yes", "women", "men", 2000)
    assert r["p_value"] < 0.05 and "more often than men" in s and "significant" in s and "not significant" not in s
    same = dict(r, p_value=0.5)
    assert "no significant difference" in findings.groups_sentence(same, "Said yes", "women", "men", 2000)
    tiny = dict(r, n_eff_b=3)
    assert findings.groups_sentence(tiny, "Said yes", "women", "men", 2000).endswith(findings.template("suppressed"))


def test_breakdown_vs_total_and_association(sample):
    t = patterns.breakdown(sample, "q", ["Ja"], ["sex", "grp"], {"sex": "Sex", "grp": "Group"})
    assert set(t["significant"]) <= {"yes", "no", "not testable"}
    women = t[t["level"] == "female"].iloc[0]
    assert women["estimate"] > 50 and women["vs_total"] > 0
    total = 100 * float((sample.weights * (sample.data["q"] == "Ja")).sum() / sample.weights.sum())
    assert "above all respondents" in findings.vs_total_sentence(women, "Said yes", "women", total)
    small = t[t["level"] == "c"].iloc[0]
    assert findings.vs_total_sentence(small, "Said yes", "group c", total).endswith(findings.template("suppressed"))
    a = patterns.associations(sample, "q", ["Ja"], ["sex", "grp"], {"sex": "Sex", "grp": "Group"})
    assert list(a["variable"]) == ["Sex", "Group"]
    sex = a.iloc[0]
    assert sex["p_adjusted"] < 0.05 and "is associated with sex" in findings.association_sentence(sex, "Said yes", "sex")
    assert "no significant association" in findings.association_sentence(dict(sex, p_adjusted=0.4), "Said yes", "sex")


def test_odds_ratios_leave_out_small_levels_and_say_so(sample):
    o = patterns.odds_ratios(sample, "q", ["sex", "grp"], positive="Ja")
    male = o[o["level"] == "male"].iloc[0]
    assert male["odds_ratio"] < 1 and male["or_low"] < male["odds_ratio"] < male["or_high"]
    s = findings.odds_sentence(male, "saying yes", "men", "women")
    assert s.startswith("Other things equal, men have") and "times the odds" in s
    c = o[o["level"] == "c"].iloc[0]
    assert np.isnan(c["odds_ratio"]) and c["flag"].startswith("suppressed")
    assert findings.odds_sentence(c, "saying yes", "group c", "group a").endswith(findings.template("suppressed"))
    assert "nan" not in findings.odds_sentence(c, "saying yes", "group c", "group a")
