"""In-process unit tests of ehelse.microdata written against its mutants (issue 17): the command line."""
import sys

import pytest

from ehelse import DATA, microdata


@pytest.fixture
def written(monkeypatch):
    calls = []

    def fake_write(seed=None):
        calls.append(seed)
        return [DATA / "synthetic" / "citizens.csv", DATA / "synthetic" / "personnel.csv"]

    monkeypatch.setattr(microdata, "write", fake_write)
    return calls


def test_main_write_passes_the_seed_and_prints_paths_from_the_repository(written, capsys):
    """Fails if `write --seed N` does not call write(N) with an int, or the printed paths are not
    relative to the repository root (mutants of main: argument names, type=int, print)."""
    microdata.main(["write", "--seed", "5"])
    assert written == [5] and type(written[0]) is int
    assert capsys.readouterr().out == "wrote data/synthetic/citizens.csv\nwrote data/synthetic/personnel.csv\n"
    microdata.main(["write"])
    assert written == [5, None]


def test_main_reads_sys_argv_by_default(written, capsys, monkeypatch):
    """Fails if main() without arguments does not parse the command line (sys.argv)."""
    monkeypatch.setattr(sys, "argv", ["python -m ehelse.microdata", "write", "--seed", "7"])
    microdata.main()
    assert written == [7]


def test_main_usage_errors(written, capsys):
    """Fails if the program name, the command choices or the --seed type change (usage and error text)."""
    with pytest.raises(SystemExit) as e:
        microdata.main(["read"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m ehelse.microdata [-h] [--seed SEED] {write}\n")
    assert "python -m ehelse.microdata: error: argument command: invalid choice: 'read' (choose from 'write')" in err
    with pytest.raises(SystemExit):
        microdata.main(["write", "--seed", "x"])
    assert "error: argument --seed: invalid int value: 'x'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        microdata.main(["write", "--SEED", "1"])
    assert written == []


def _configure(monkeypatch, **micro):
    from ehelse import adapter, disclosure, settings

    m = {"citizens": None, "personnel": None, "mapping": None, "personnel_mapping": None, **micro}
    monkeypatch.setattr(settings, "load", lambda path=None: {"microdata": m})
    monkeypatch.setitem(disclosure._REAL, "read", False)
    calls = []

    def fake_read(path, mapping, survey=None):
        calls.append((path, mapping, survey))
        import pandas as pd
        return pd.DataFrame({"resp_id": [1, 2], "sex": ["male", "female"], "agegrp": ["60+", "15-29"]})

    monkeypatch.setattr(adapter, "read_microdata", fake_read)
    return calls


def test_respondents_real_citizens_use_the_mapping_and_switch_the_rule_on(monkeypatch):
    """Fails if configured citizens microdata are not read from their file with the common mapping and
    survey='citizens', returned as not synthetic (False), with ordered categories, and the suppression
    rule switched on (mutants of respondents' real branch)."""
    from ehelse import disclosure

    calls = _configure(monkeypatch, citizens="c.sav", mapping="m.yml", personnel_mapping="pm.yml")
    out, synthetic = microdata.respondents("citizens")
    assert calls == [("c.sav", "m.yml", "citizens")]
    assert synthetic is False and disclosure._REAL["read"] is True
    assert list(out["sex"].cat.categories) == ["female", "male"] and out["sex"].cat.ordered
    assert out["agegrp"].tolist() == ["60+", "15-29"]


def test_respondents_real_personnel_prefer_the_personnel_mapping(monkeypatch):
    """Fails if personnel microdata are not read with microdata.personnel_mapping (falling back to
    microdata.mapping when it is not set) and survey='personnel'."""
    calls = _configure(monkeypatch, personnel="p.sav", mapping="m.yml", personnel_mapping="pm.yml")
    assert microdata.respondents("personnel")[1] is False
    calls2 = _configure(monkeypatch, personnel="p.sav", mapping="m.yml")
    microdata.respondents("personnel")
    assert calls == [("p.sav", "pm.yml", "personnel")] and calls2 == [("p.sav", "m.yml", "personnel")]


def test_respondents_synthetic_and_unknown_survey(monkeypatch):
    """Fails if synthetic respondents are not flagged synthetic (True), their year is not int, or an
    unknown survey is not refused with its message."""
    from ehelse import disclosure

    calls = _configure(monkeypatch)
    df, synthetic = microdata.respondents("personnel")
    assert synthetic is True and calls == [] and disclosure._REAL["read"] is False
    assert df["year"].dtype == "int64" and len(df) > 0
    assert df.isna().any().any() and not (df == "").any().any(), "empty cells are missing answers (NaN), not ''"
    with pytest.raises(ValueError) as e:
        microdata.respondents("Citizens")
    assert str(e.value) == "survey must be 'citizens' or 'personnel', not 'Citizens'"


def test_with_category_order_natural_order_and_extra_levels():
    """Fails if a breakdown variable (sex, agegrp, region, education) is not an ordered categorical in
    its natural order, with unknown levels sorted after it (mutants of with_category_order)."""
    import pandas as pd

    df = pd.DataFrame({"sex": ["male", "female", None], "agegrp": ["60+", "15-29", "30-44"],
                       "region": ["Vest", "Nord", "Svalbard"], "education": ["Universitet/høyskole", "Grunnskole", "Annet"],
                       "q": ["b", "a", "c"]})
    out = microdata.with_category_order(df)
    assert list(out["sex"].cat.categories) == ["female", "male"]
    assert list(out["agegrp"].cat.categories) == ["15-29", "30-44", "45-59", "60+"]
    assert list(out["region"].cat.categories) == ["Nord", "Midt-Norge", "Vest", "Sør-Øst", "Svalbard"]
    assert list(out["education"].cat.categories) == ["Grunnskole", "Videregående/fagskole", "Universitet/høyskole",
                                                     "Annet"]
    for c in ("sex", "agegrp", "region", "education"):
        assert out[c].cat.ordered is True
    assert out["agegrp"].min() == "15-29" and out["agegrp"].max() == "60+"
    assert out["sex"].tolist()[:2] == ["male", "female"] and pd.isna(out["sex"].iloc[2])
    assert out["q"].tolist() == ["b", "a", "c"] and df["sex"].dtype != "category"


def test_sample_sizes_of_weighted_waves_and_missing_counts(monkeypatch):
    """Fails if sample_sizes() keeps unweighted waves, loses a weighted one, asks another survey, or does
    not name the weighted waves without interviews (an unweighted wave may lack them) (mutants of
    sample_sizes)."""
    from ehelse import waves

    monkeypatch.setattr(waves, "years", lambda survey, *a, **k: [2019, 2020, 2021] if survey == "citizens" else [2018])
    monkeypatch.setattr(waves, "weighted", lambda survey, y: survey == "citizens" and y != 2020)
    monkeypatch.setattr(waves, "interviews",
                        lambda survey: {2019: 1162, 2021: 1504} if survey == "citizens" else {2018: 1})
    assert microdata.sample_sizes() == {2019: 1162, 2021: 1504}
    monkeypatch.setattr(waves, "interviews", lambda survey: {2020: 5} if survey == "citizens" else {2019: 1, 2021: 1})
    with pytest.raises(ValueError) as e:
        microdata.sample_sizes()
    assert str(e.value) == "data/waves.csv: citizens wave(s) [2019, 2021] have no number of interviews"


def test_calibrated_probabilities_hit_the_weighted_targets():
    """Fails if the solved intercepts do not make the weighted mean probabilities equal the target
    (softmax, update step, weights, stopping rule), checked by recomputing the weighted means; without
    tilt the probabilities are the target itself."""
    import numpy as np

    rng = np.random.default_rng(3)
    tilt = rng.normal(size=(50, 3))
    w = rng.uniform(0.5, 2.0, 50)
    target = np.array([0.5, 0.3, 0.2])
    p = microdata.calibrated_probabilities(tilt, w, target)
    assert p.shape == (50, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(w @ p / w.sum(), target, atol=1e-10)
    flat = microdata.calibrated_probabilities(np.zeros((4, 3)), np.ones(4), target)
    np.testing.assert_allclose(flat, np.tile(target, (4, 1)), atol=1e-12)
    one_step = microdata.calibrated_probabilities(tilt, w, target, iters=1)
    assert np.max(np.abs(w @ one_step / w.sum() - target)) > 1e-6


def test_category_scores_and_categories_of():
    """Fails if substantive answers are not scored +1 .. -1 in order with non-answers at 0 and flagged,
    a single answer is not 0, or categories_of() changes the order / the multi and residual rules."""
    import numpy as np

    s, non = microdata._category_scores(["Helt enig", "Delvis enig", "Helt uenig", "Vet ikke"])
    np.testing.assert_allclose(s, [1.0, 0.0, -1.0, 0.0])
    assert non.tolist() == [False, False, False, True]
    s, non = microdata._category_scores(["Ja", "Nei", "Vet ikke"])
    assert s.tolist() == [1.0, -1.0, 0.0]
    s, non = microdata._category_scores(["Ja", "Vet ikke"])
    assert s.tolist() == [0.0, 0.0] and non.tolist() == [False, True]
    spec = {"scale": "s", "labels": ["Ja", "Nei", "Vet ikke"]}
    assert microdata.categories_of(spec, ["Nei", "Ja", "Ja"]) == ["Ja", "Nei"]
    assert microdata.categories_of(spec, ["Øvrige svar", "Nei"]) == ["Nei", "Øvrige svar"]
    assert microdata.categories_of({"scale": "multi", "labels": ["x"]}, []) == ["Valgt", "Ikke valgt"]



def test_calibrated_probabilities_are_a_softmax_of_the_tilt_and_stable():
    """Fails if the probabilities are not softmax(alpha + tilt) (the tilt's sign: a respondent with a
    larger tilt for a category gets relatively more of it, by exactly exp of the tilt difference), or if
    the max-subtraction is not per row (large tilts of opposite sign in two rows overflow / underflow)."""
    import numpy as np

    tilt = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [800.0, 801.0, 799.0], [-800.0, -799.0, -801.0]])
    w = np.ones(4)
    target = np.array([0.3, 0.4, 0.3])
    p = microdata.calibrated_probabilities(tilt, w, target)
    assert np.isfinite(p).all()
    lr = np.log(p[:, 1] / p[:, 0])  # log odds of category 1 vs 0: alpha_1 - alpha_0 + tilt difference
    np.testing.assert_allclose(lr - lr[0], (tilt[:, 1] - tilt[:, 0]) - (tilt[0, 1] - tilt[0, 0]), atol=1e-9)
    np.testing.assert_allclose(p[2], p[3], atol=1e-12)  # same tilt differences, 1,600 apart in level
    np.testing.assert_allclose(w @ p / w.sum(), target, atol=1e-10)


# ---------------------------------------------------------------- round 3: the answer model


def _answers(shares, *, scale="s", labels=("Ja", "Nei"), n=4000, seed=11, trait=None, **extra):
    """_answer for n respondents with equal weights, by default without tilt (every trait 0): the answer
    shares are then the target."""
    import numpy as np
    import pandas as pd

    spec = {"scale": scale, "labels": list(labels), "shares": dict(shares), **extra}
    z = np.zeros(n)
    t = z if trait is None else trait
    return microdata._answer(spec, pd.DataFrame(index=range(n)), np.ones(n), t, z, np.random.default_rng(seed))


def test_answer_default_exhaustive_adds_no_residual():
    """Fails if a spec without an 'exhaustive' key is not taken as exhaustive (its printed categories are the
    whole answer even when they sum to 60 %, so no 'Øvrige svar' answers appear), or the answers are not an
    object array of str (mutants of _answer: spec.get('exhaustive', True) default, dtype=object)."""
    import numpy as np

    ans = _answers({"Ja": 30.0, "Nei": 30.0})
    assert ans.dtype == object and type(ans[0]) is str
    assert set(ans) == {"Ja", "Nei"}
    assert abs((ans == "Ja").mean() - 0.5) < 3 * np.sqrt(0.25 / 4000)


def test_answer_residual_only_below_99_5_percent():
    """Fails if the unprinted rest of a non-exhaustive scale is added at or above 99.5 % printed (the rule
    is strictly below 99.5: 99.4 gets a residual of 0.6 %, 99.5 and 99.6 none) (mutants of _answer: < 99.5
    boundary and constant)."""
    import numpy as np

    ans = _answers({"Ja": 49.4, "Nei": 50.0}, exhaustive=False)
    assert set(ans) == {"Ja", "Nei", "Øvrige svar"}
    share = (ans == "Øvrige svar").mean()
    assert abs(share - 0.6 / 100) < 4 * np.sqrt(0.006 * 0.994 / 4000)
    for ja in (49.5, 49.6):
        assert set(_answers({"Ja": ja, "Nei": 50.0}, exhaustive=False)) == {"Ja", "Nei"}, ja


def test_answer_a_printed_zero_share_still_gives_valid_answers():
    """Fails if a printed 0 % is not floored at 0.05 % before the intercepts are solved: with respondents
    of different traits, log 0 makes every probability NaN and every respondent answers the first
    category (mutants of _answer: np.clip)."""
    import numpy as np

    labels = ("Ja", "Nei", "Kanskje")
    for trait in (None, np.random.default_rng(2).normal(size=4000)):
        ans = _answers({"Ja": 0.0, "Nei": 60.0, "Kanskje": 40.0}, labels=labels, trait=trait)
        assert (ans == "Ja").mean() < 0.01
        assert abs((ans == "Nei").mean() - 0.6) < 4 * np.sqrt(0.24 / 4000)
        assert set(ans) <= set(labels)


def test_answer_multi_is_selected_or_not():
    """Fails if a multiple-choice option is not answered 'Valgt' with its printed share, else 'Ikke valgt'
    (mutants of _answer's multi branch)."""
    import numpy as np

    ans = _answers({"Valgt": 30.0}, scale="multi", labels=("Valgt",))
    assert set(ans) == {"Valgt", "Ikke valgt"}
    assert abs((ans == "Valgt").mean() - 0.3) < 3 * np.sqrt(0.21 / 4000)


def test_asked_all_or_a_subset_of_the_base():
    """Fails if no base or a base of at least n does not ask everyone, or a random subset is not exactly the
    base in size (mutants of _asked: base None / base >= n)."""
    import numpy as np

    e = np.zeros(10)
    rng = np.random.default_rng(1)
    assert microdata._asked(10, None, True, e, rng).tolist() == [True] * 10
    assert microdata._asked(10, 10, True, e, rng).tolist() == [True] * 10
    assert microdata._asked(10, 9, False, e, rng).sum() == 9
    assert microdata._asked(10, 4, True, e, rng).sum() == 4


def test_asked_ties_of_engagement_go_to_the_first_listed():
    """Fails if the most engaged are not chosen with a stable sort: when engagement ties (here three
    levels 0, 1e20, 2e20, so the 0.5 x normal noise cannot break the ties), the base is filled in the
    respondents' order (mutants of _asked: argsort kind='stable')."""
    import numpy as np

    n, base = 60, 30
    level = np.arange(n) % 3
    keep = microdata._asked(n, base, True, 1e20 * level, np.random.default_rng(5))
    expected = (level == 2) | ((level == 1) & (np.arange(n) < 30))  # 20 of level 2, then the first 10 of level 1
    assert expected.sum() == base
    assert keep.tolist() == expected.tolist()


def _spec(column, year, base_n):
    return {"column": column, "year": year, "base_n": base_n}


def test_borrowed_base_takes_the_nearest_year_later_on_ties():
    """Fails if the borrowed base is not the share asked in the nearest year with a printed base (later
    year on a tie), scaled to n, with the interviews of the report's own survey (the personnel waves
    2019/2020 have other counts) (mutants of _borrowed_base: distance, tie-break, survey)."""
    # citizens interviews (data/waves.csv): 2019 1162, 2020 1614, 2021 1504, 2022 1524, 2023 1608
    me = _spec("q", 2022, None)
    others = [me, _spec("q", 2019, 116), _spec("q", 2020, 807), _spec("x", 2021, 1000), _spec("q", 2018, 500),
              _spec("q", 2021, 0)]
    assert microdata._borrowed_base(me, others, 1000, "citizens2022") == 500  # 2020: 807 / 1614
    tie = [me, _spec("q", 2021, 752), _spec("q", 2023, 1206)]
    assert microdata._borrowed_base(me, tie, 1000, "citizens2022") == 750  # 2023 (1206 / 1608), not 2021 (500)
    assert microdata._borrowed_base(me, [me, _spec("x", 2021, 752)], 1000, "citizens2022") is None


def test_natural_order_of_question_columns():
    """Fails if question columns do not sort as q, named items, q[1], q[2], ..., q[10], or a named item's
    name loses trailing letters in the sort key (mutants of _natural: the -1 for names, rstrip(']'))."""
    assert sorted(["q[10]", "q[2]", "q[B]", "q", "q[1]"], key=microdata._natural) == ["q", "q[B]", "q[1]", "q[2]",
                                                                                      "q[10]"]
    assert sorted(["q[AX]", "q[A]"], key=microdata._natural) == ["q[A]", "q[AX]"]
    assert sorted(["r", "q[1]"], key=microdata._natural) == ["q[1]", "r"]


# ---------------------------------------------------------------- NPS specs


def test_nps_specs_total_rows_with_their_own_groups(monkeypatch):
    """Fails if an NPS figure's subgroup row stops the scan (break instead of continue), the promoter /
    passive / detractor shares are not those of the same figure, year and Total bar, or a missing base is
    not None (mutants of _nps_specs)."""
    import numpy as np
    import pandas as pd

    nan = np.nan
    rows = [("R", "F1", 2022, "Kvinner", "NPS", 10.0, "nps_points", 300.0),
            ("R", "F1", 2022, "Total", "NPS", 25.0, "nps_points", nan),
            ("R", "F1", 2022, "Total", "Promoters", 45.0, "percent", 600.0),
            ("R", "F1", 2022, "Total", "Passive", 35.0, "percent", 600.0),
            ("R", "F1", 2022, "Total", "Detractors", 20.0, "percent", 600.0),
            ("R", "F1", 2022, "Total", "Vet ikke", 3.0, "percent", 600.0),
            ("R", "F1", 2021, "Total", "Promoters", 99.0, "percent", 600.0),
            ("R", "F1", 2022, "Kvinner", "Promoters", 98.0, "percent", 300.0),
            ("R", "F2", 2022, "Total", "NPS", -5.0, "nps_points", 800.0),
            ("R", "F2", 2021, "Total", "NPS", 7.0, "nps_points", 700.0),
            ("S", "F3", 2022, "Total", "NPS", 1.0, "nps_points", 100.0),
            ("R", "F9", 2022, "Total", "Promoters", 97.0, "percent", 100.0)]
    v = pd.DataFrame(rows, columns=["report", "figure_id", "year", "item", "category", "value", "unit", "base_n"])
    inv = pd.DataFrame({"figure_id": ["F1", "F2", "F3", "F9"], "question_id": ["q1", "q2", "q3", "q9"]})
    monkeypatch.setattr(microdata, "values", lambda: v.copy())
    monkeypatch.setattr(microdata, "inventory", lambda: inv.copy())
    assert microdata._nps_specs("R", 2022) == [
        {"column": "q1", "nps": 25.0, "base_n": None, "groups": {"Promoters": 45.0, "Passive": 35.0, "Detractors": 20.0}},
        {"column": "q2", "nps": -5.0, "base_n": 800, "groups": {}}]


# ---------------------------------------------------------------- population frame, panel, workplaces


def test_population_frame_splits_every_cell_by_the_assumed_education():
    """Fails if a cell's persons are not multiplied by the assumed education share (kept whole, or
    divided), or a year without cells does not name the file, the year and the remedy (mutants of
    _population_frame)."""
    import pandas as pd

    cells = pd.read_csv(microdata.DATA / "population" / "cells.csv")
    cells = cells[cells["year"] == 2022].reset_index(drop=True)
    f = microdata._population_frame(2022)
    assert len(f) == 3 * len(cells)
    assert f["education"].tolist()[:3] == ["Grunnskole", "Videregående/fagskole", "Universitet/høyskole"]
    for i, share in enumerate([0.25, 0.40, 0.35]):
        pd.testing.assert_series_equal(f["persons"].iloc[i::3].reset_index(drop=True), cells["persons"] * share,
                                       check_names=False, rtol=1e-12)
    assert abs(f["persons"].sum() - cells["persons"].sum()) < 1e-6 * cells["persons"].sum()
    with pytest.raises(ValueError) as e:
        microdata._population_frame(1990)
    assert str(e.value) == "data/population/cells.csv has no cells for 1990 (rebuild the margins)"


def test_panel_composition_refuses_a_variable_with_a_missing_category(monkeypatch):
    """Fails if a panel variable lacking one of its categories (no 'Menn' row) is not refused, or the
    message does not name the variable and list its categories without the 'Sum' row (mutants of
    panel_composition: or -> and, the message, the Sum filter)."""
    from ehelse.data import sample_composition

    sc = sample_composition()
    monkeypatch.setattr(microdata, "sample_composition", lambda: sc[sc["category"] != "Menn"].copy())
    with pytest.raises(ValueError) as e:
        microdata.panel_composition()
    assert str(e.value) == "sample composition: cannot map categories of 'Kjønn': ['Kvinner']"


def test_personnel_workplaces_read_only_the_counts_of_P03(monkeypatch):
    """Fails if rows of other figures with unit 'count' (or P03 rows of another unit) are read as the
    workplace counts (mutants of personnel_workplaces: & -> |)."""
    import pandas as pd
    from ehelse.data import values

    v = values()
    extra = v[v["figure_id"] == "P03"].head(1).assign(figure_id="X99", value=9999)
    pct = v[v["figure_id"] == "P03"].head(1).assign(unit="percent", item="Fastleger", value=4)
    monkeypatch.setattr(microdata, "values", lambda: pd.concat([v, extra, pct], ignore_index=True))
    # 2 503 printed in total, 627 municipal, 97 GPs: the health trusts are the remainder 1 779 (PI01)
    assert microdata.personnel_workplaces() == {"Helseforetak": 1779, "Kommune": 627, "Fastlege": 97}


# ---------------------------------------------------------------- answer specs from published numbers


def _fake_published(monkeypatch):
    """A tiny inventory, codebook and set of printed numbers for answer_specs (rows deliberately unsorted)."""
    import numpy as np
    import pandas as pd

    nan = np.nan
    inv = pd.DataFrame([
        ("F3", "multi_bar", "m1", "text", "", "c2"),
        ("F1", "stacked_bar", "s1", "text", "Those who used it", "c1"),
        ("F2", "stacked_bar", "r1", "text", "", "c5"),
        ("F4", "line", "s1", "text", "", "c1"),
        ("F5", "stacked_bar", "s1", "partial", "", "c1"),
        ("F6", "stacked_bar", "", "text", "", "c1"),
    ], columns=["figure_id", "chart_type", "question_id", "numbers_source", "filter_no", "chapter"])
    cb = {"questions": {"m1": {"scale": "multi", "items": [{"no": "Opt A"}, {"no": "Opt B"}]},
                        "s1": {"scale": "agree", "items": [{"no": "Item one"}, {"no": "Item two"}]},
                        "r1": {"scale": "yn"}},
          "scales": {"multi": {"labels": [{"no": "Valgt"}]},
                     "agree": {"labels": [{"no": "Helt enig"}, {"no": "Delvis enig"}, {"no": "Vet ikke"}]},
                     "yn": {"labels": [{"no": "Ja"}, {"no": "Nei"}], "exhaustive": False}}}
    regions = ["Nord", "Midt-Norge", "Vest", "Sør-Øst", "Midt", "Helse Nord", "Helse Midt-Norge", "Helse Vest",
               "Helse Sør-Øst"]
    rows = [("F3", 2022, "Total", "Valgt", 50.0, "percent", 900.0),
            ("F3", 2022, "Opt B", "Valgt", 20.0, "percent", 900.0),
            ("F1", 2022, "Other thing", "Helt enig", 89.9, "percent", nan),
            ("F1", 2022, "Item two", "Helt enig", 60.0, "percent", 500.0),
            ("F1", 2022, "Item two", "Delvis enig", 30.0, "percent", 510.0),
            ("F1", 2021, "Total", "Helt enig", 90.0, "percent", 400.0),
            ("F1", 2021, "Total", "n", 400.0, "count", nan)]
    rows += [("F2", 2022, r, "Ja", 100.0, "percent", 100.0) for r in regions]
    rows += [(f, 2022, "Total", "Helt enig", 50.0, "percent", 10.0) for f in ("F4", "F5", "F6")]
    v = pd.DataFrame(rows, columns=["figure_id", "year", "item", "category", "value", "unit", "base_n"])
    v.insert(0, "report", "R")
    v.insert(2, "population", "citizens")
    monkeypatch.setattr(microdata, "inventory", lambda: inv.copy())
    monkeypatch.setattr(microdata, "codebook", lambda: cb)
    monkeypatch.setattr(microdata, "published_numbers", lambda report: v[v["report"] == report].copy())
    return regions


def test_answer_specs_columns_order_regions_and_exhaustive(monkeypatch):
    """Fails if answer_specs does not give one spec per figure x year x item, sorted by figure then year and
    item; names columns other than q (Total or by region), q[k] (k-th codebook item) and q[name] (an item
    not in the codebook, multi or not); misses a figure by region whose items are all nine region names;
    or marks exhaustive other than 'the scale is exhaustive (default yes) and at least 90 % is printed'
    (mutants of answer_specs: groupby sort, the multi test, item in items, by_region <=, the exhaustive
    key and the >= 90 boundary)."""
    regions = _fake_published(monkeypatch)
    specs = microdata.answer_specs("R")
    got = [(s["figure_id"], s["column"], s["year"], s["item"], s["region"], s["exhaustive"], s["base_n"])
           for s in specs]
    aliases = {"Midt": "Midt-Norge", "Helse Nord": "Nord", "Helse Midt-Norge": "Midt-Norge", "Helse Vest": "Vest",
               "Helse Sør-Øst": "Sør-Øst"}
    assert got == [("F1", "s1", 2021, "Total", None, True, 400),
                   ("F1", "s1[2]", 2022, "Item two", None, True, 510),
                   ("F1", "s1[Other thing]", 2022, "Other thing", None, False, None)] + [
        ("F2", "r1", 2022, r, aliases.get(r, r), False, 100) for r in sorted(regions)] + [
        ("F3", "m1[2]", 2022, "Opt B", None, False, 900),  # 20 % and 50 % printed: below 90
        ("F3", "m1[Total]", 2022, "Total", None, False, 900)]
    first = specs[1]
    assert first == {"figure_id": "F1", "question_id": "s1", "column": "s1[2]", "year": 2022, "population": "citizens",
                     "item": "Item two", "scale": "agree", "labels": ["Helt enig", "Delvis enig", "Vet ikke"],
                     "region": None, "shares": {"Helt enig": 60.0, "Delvis enig": 30.0}, "base_n": 510,
                     "filtered": True, "chapter": "c1", "exhaustive": True}
    assert type(first["year"]) is int and type(first["base_n"]) is int
    assert [s["filtered"] for s in specs if s["figure_id"] != "F1"] == [False] * 11


def _registry(monkeypatch, tmp_path, lines):
    """Replace the wave registry with a validated one made of `lines` (survey,year,report,sources,interviews,
    weighted,margin_year)."""
    from ehelse import data, waves

    data._load()  # the published numbers (cached) are read with the book's registry, before it is replaced
    text = ",".join(waves.COLUMNS) + "\n" + "".join(
        f"{s},{y},{r},{src},{n},,{w},{m},{s} {y},,\n" for s, y, r, src, n, w, m in lines)
    path = tmp_path / "waves.csv"
    path.write_text(text, encoding="utf-8")
    reg = waves.read(path)
    monkeypatch.setattr(waves, "_registry", lambda: reg.copy())
    return reg


def test_published_numbers_take_each_wave_from_its_own_sources(tmp_path, monkeypatch):
    """Fails if a report's numbers are not: the report text's rows of the report's own 'report' waves, plus
    the publisher's rows of its waves that have publisher numbers but no report text, with a fresh 0..n-1
    index; i.e. if another report's waves, a wave with microdata only, a publisher wave of another report
    or another report's rows leak in (mutants of published_numbers: the report / source arguments of
    waves.years, & -> |, ignore_index)."""
    import pandas as pd

    _registry(monkeypatch, tmp_path, [
        ("citizens", 2018, "old", "publisher", 1000, "true", 2018),
        ("citizens", 2019, "old", "report", 1000, "true", 2019),
        ("citizens", 2020, "new", "report", 1000, "true", 2020),
        ("citizens", 2021, "new", "report;publisher", 1000, "true", 2021),
        ("citizens", 2022, "new", "publisher", 1000, "true", 2022),
        ("citizens", 2023, "new", "microdata", 1000, "true", 2023),
        ("personnel", 2020, "pers", "report", 500, "false", "")])
    cols = ["report", "figure_id", "population", "year", "item", "category", "value", "unit", "base_n"]

    def frame(rows):
        df = pd.DataFrame([(r, f"F{y}", "citizens", y, "Total", "Ja", float(y - 2000), "percent", 100.0)
                           for r, y in rows], columns=cols)
        return df.assign(source_line=7)

    text = frame([("new", 2019), ("new", 2020), ("new", 2021), ("new", 2022), ("pers", 2020), ("old", 2019)])
    pub = frame([("new", 2018), ("new", 2021), ("new", 2022), ("new", 2023), ("old", 2022), ("old", 2018)])
    text.index = [10, 11, 12, 13, 14, 15]
    pub.index = [10, 11, 12, 13, 14, 15]
    monkeypatch.setattr(microdata, "values", lambda: text.copy())
    monkeypatch.setattr(microdata, "publisher_values", lambda: pub.copy())
    out = microdata.published_numbers("new")
    assert list(out.columns) == cols
    assert out.index.tolist() == [0, 1, 2]
    assert list(zip(out["report"], out["year"], out["figure_id"])) == [("new", 2020, "F2020"), ("new", 2021, "F2021"),
                                                                       ("new", 2022, "F2022")]
    assert out["value"].tolist() == [20.0, 21.0, 22.0]


# ---------------------------------------------------------------- synthetic respondents (answers stubbed)


def _stub_answers(monkeypatch, columns=None):
    """Replace _fill_answers by a recorder returning fixed question columns (answers are tested elsewhere)."""
    import numpy as np

    calls = []

    def fake(people, report, population, year, seed, *a, **k):
        calls.append((report, population, year, seed))
        return {c: np.full(len(people), v, dtype=object) for c, v in (columns or {}).items()}

    monkeypatch.setattr(microdata, "_fill_answers", fake)
    return calls


def _real_lines(edit=None):
    """The book's registry as _registry() lines, with {(survey, year): report} edited."""
    from ehelse import waves

    reg = waves.waves()
    out = []
    for r in reg.itertuples():
        report = (edit or {}).get((r.survey, r.year), r.report)
        out.append((r.survey, r.year, report, r.sources, "" if r.interviews is None or str(r.interviews) == "<NA>"
                    else int(r.interviews), "true" if r.weighted else "false",
                    "" if str(r.margin_year) == "<NA>" else int(r.margin_year)))
    return out


def test_synthetic_personnel_year_report_and_column_order(tmp_path, monkeypatch):
    """Fails if an explicitly asked personnel wave is replaced by the latest, its answers are not those of
    that wave's own report (here personnel 2019 is given its own report id), or the question columns are
    not in natural order q, q[name], q[2], q[10] (mutants of synthetic_personnel: year default, report_of
    year, sorted key)."""
    calls = _stub_answers(monkeypatch, {"p[10]": "a", "p[2]": "b", "p": "c", "p[B]": "d"})
    _registry(monkeypatch, tmp_path, _real_lines({("personnel", 2019): "personnel2019"}))
    old = microdata.synthetic_personnel(3, 2019)
    assert calls == [("personnel2019", "personnel", 2019, 3)]
    assert set(old["year"]) == {2019} and old["resp_id"].iloc[0] == "P2019-0001"
    assert list(old.columns) == ["resp_id", "year", "workplace", "profession", "p", "p[B]", "p[2]", "p[10]"]
    latest = microdata.synthetic_personnel(3)
    assert calls[1] == ("personnel2020", "personnel", 2020, 3) and set(latest["year"]) == {2020}
    assert len(latest) == 2503


def test_synthetic_personnel_without_personnel_waves(tmp_path, monkeypatch):
    """Fails if the default year is not the latest *personnel* wave (a registry without personnel waves is
    refused at once, not answered with the citizens' latest year) (mutant: waves.latest(None))."""
    from ehelse import waves

    _stub_answers(monkeypatch)
    _registry(monkeypatch, tmp_path, [l for l in _real_lines() if l[0] == "citizens"])
    with pytest.raises(waves.WaveError) as e:
        microdata.synthetic_personnel(3)
    assert str(e.value) == "no personnel wave"


def test_synthetic_citizens_answer_with_their_own_waves_report(tmp_path, monkeypatch):
    """Fails if a citizens wave's answers are not drawn from that wave's report (here 2019 gets its own
    report id; the latest wave's report is another) (mutants of synthetic_citizens: report_of year)."""
    calls = _stub_answers(monkeypatch, {"c[10]": "x", "c[9]": "y"})
    _registry(monkeypatch, tmp_path, _real_lines({("citizens", 2019): "citizens2019"}))
    out = microdata.synthetic_citizens(2019, 4)
    assert calls == [("citizens2019", "citizens", 2019, 4)]
    assert len(out) == 1162 and out["resp_id"].iloc[-1] == "C2019-1162"
    assert list(out.columns) == ["resp_id", "year", "sex", "agegrp", "region", "education", "c[9]", "c[10]"]


def test_write_creates_the_folder_uses_the_seed_and_writes_lf(tmp_path, monkeypatch):
    """Fails if write() does not create missing parent folders, ignores an explicit seed (or does not take
    settings.yml's synthetic_seed by default), or the files' line ends depend on the platform (os.linesep
    '\\r\\n' here) or floats are not written without decimals (mutants of write: mkdir parents, seed,
    lineterminator)."""
    import os

    import numpy as np
    import pandas as pd
    from ehelse import settings

    seeds = []

    def cit(year, seed):
        seeds.append(("c", year, seed))
        return pd.DataFrame({"resp_id": [f"C{year}-1"], "year": [year], "nps": [7.0 if year == 2021 else np.nan]})

    def per(seed):
        seeds.append(("p", seed))
        return pd.DataFrame({"resp_id": ["P-1", "P-2"], "nps": [10.0, 0.4]})

    monkeypatch.setattr(microdata, "sample_sizes", lambda: {2021: 1, 2022: 1})
    monkeypatch.setattr(microdata, "synthetic_citizens", cit)
    monkeypatch.setattr(microdata, "synthetic_personnel", per)
    monkeypatch.setattr(microdata, "SYNTHETIC", tmp_path / "a" / "b")
    monkeypatch.setattr(os, "linesep", "\r\n")
    paths = microdata.write(5)
    assert paths == [tmp_path / "a" / "b" / "citizens.csv", tmp_path / "a" / "b" / "personnel.csv"]
    assert seeds == [("c", 2021, 5), ("c", 2022, 5), ("p", 5)]
    assert paths[0].read_bytes() == b"resp_id,year,nps\nC2021-1,2021,7\nC2022-1,2022,\n"
    assert paths[1].read_bytes() == b"resp_id,nps\nP-1,10\nP-2,0\n"
    seeds.clear()
    microdata.write()
    assert seeds[0] == ("c", 2021, settings.load()["synthetic_seed"])


# ---------------------------------------------------------------- recovery check


def _recovery_data():
    """Eight respondents of 2022 (four women, four men) and two of 2021, with three question columns."""
    import numpy as np
    import pandas as pd

    nan = np.nan
    rows = [(2021, "female", "Vest", "Nei", "Valgt", "Nei"), (2021, "male", "Nord", "Nei", "Valgt", "Nei"),
            (2022, "female", "Vest", "Ja", "Valgt", "Ja"),
            (2022, "female", "Vest", "Nei", "Ikke valgt", nan),
            (2022, "female", "Nord", "Ja", "Valgt", "Nei"),
            (2022, "female", "Nord", "Nei", "Ikke valgt", nan),
            (2022, "male", "Vest", "Ja", "Ikke valgt", "Nei"),
            (2022, "male", "Vest", "Nei", "Ikke valgt", "Ja"),
            (2022, "male", "Nord", "Nei", "Valgt", nan),
            (2022, "male", "Nord", nan, "Ikke valgt", nan)]
    df = pd.DataFrame(rows, columns=["year", "sex", "region", "q", "m[1]", "r"])
    df["index"] = range(100, 110)  # respondents' columns that happen to be called 'index' and 'level_0'
    df["level_0"] = range(10)
    df.index = range(50, 60)
    return df


def _recovery_specs():
    base = {"year": 2022, "population": "citizens", "region": None, "labels": ["Ja", "Nei", "Vet ikke"], "scale": "yn"}
    return [
        {**base, "figure_id": "F0", "column": "absent", "item": "Total", "shares": {"Ja": 50.0}, "exhaustive": True},
        {**base, "figure_id": "F1", "column": "m[1]", "item": "Opt", "scale": "multi", "labels": ["Valgt"],
         "shares": {"Valgt": 40.0}, "exhaustive": True},
        {**base, "figure_id": "F2", "column": "q", "item": "Total", "shares": {"Vet ikke": 5.0, "Ja": 40.0, "Nei": 45.0},
         "exhaustive": True},
        {k: v for k, v in {**base, "figure_id": "F3", "column": "q", "item": "Total",
                           "shares": {"Ja": 30.0, "Nei": 30.0}}.items()},  # no 'exhaustive' key: exhaustive
        {**base, "figure_id": "F4", "column": "r", "item": "Helse Vest", "region": "Vest",
         "shares": {"Ja": 30.0, "Nei": 20.0}, "exhaustive": False},
        {**base, "figure_id": "F5", "column": "q", "item": "Total", "year": 2021, "shares": {"Ja": 1.0},
         "exhaustive": True},
        {**base, "figure_id": "F6", "column": "q", "item": "Total", "population": "personnel", "shares": {"Ja": 1.0},
         "exhaustive": True}]


RECOVERY_COLUMNS = ["figure_id", "column", "year", "item", "category", "published", "target", "unweighted", "weighted",
                    "ci_low", "ci_high", "n", "n_eff", "covered"]


def test_recovery_rows_targets_and_estimates(monkeypatch):
    """Fails if recovery does not give, for every printed share of the year and population whose column
    exists (a missing column or an absent category is skipped, not the end), the published share, its
    target (as printed for multiple choice and non-exhaustive bars, else the share of the printed total,
    exhaustive by default), the unweighted and raked shares in percent computed by hand (raked to 3 women
    per man: women weigh 75, men 25), the raked CI, base and effective base of estimates.shares, within
    the region for a regional bar; or if its columns are renamed (mutants of recovery: continue/break,
    the target rule, the 100x factors, the row keys, the region domain, reset_index keeping the old index
    (it cannot be inserted beside columns 'index' and 'level_0'))."""
    import numpy as np
    from ehelse.estimates import design, shares
    from ehelse.weighting import rake

    monkeypatch.setattr(microdata, "answer_specs", lambda report: _recovery_specs())
    df = _recovery_data()
    margins = {"sex": {"female": 300.0, "male": 100.0}}
    out = microdata.recovery(df, "R", "citizens", 2022, margins)
    assert list(out.columns) == RECOVERY_COLUMNS
    assert out[["figure_id", "column", "year", "item", "category"]].values.tolist() == [
        ["F1", "m[1]", 2022, "Opt", "Valgt"], ["F2", "q", 2022, "Total", "Ja"], ["F2", "q", 2022, "Total", "Nei"],
        ["F3", "q", 2022, "Total", "Ja"], ["F3", "q", 2022, "Total", "Nei"],
        ["F4", "r", 2022, "Helse Vest", "Ja"], ["F4", "r", 2022, "Helse Vest", "Nei"]]
    assert out["published"].tolist() == [40.0, 40.0, 45.0, 30.0, 30.0, 30.0, 20.0]
    np.testing.assert_allclose(out["target"], [40.0, 100 * 40 / 90, 100 * 45 / 90, 50.0, 50.0, 30.0, 20.0], rtol=1e-12)
    # by hand: m[1] chosen by 2 women + 1 man of 4 + 4; q: Ja 2 women + 1 man of 4 women + 3 men;
    # r in Vest: Ja 1 woman + 1 man, Nei 1 man
    np.testing.assert_allclose(out["unweighted"], [100 * 3 / 8, 100 * 3 / 7, 100 * 4 / 7, 100 * 3 / 7, 100 * 4 / 7,
                                                   100 * 2 / 3, 100 / 3], rtol=1e-12)
    np.testing.assert_allclose(out["weighted"], [100 * 175 / 400, 100 * 175 / 375, 100 * 200 / 375, 100 * 175 / 375,
                                                 100 * 200 / 375, 100 * 100 / 125, 100 * 25 / 125], rtol=1e-9)
    assert out["n"].tolist() == [8, 7, 7, 7, 7, 3, 3] and out["n"].dtype == "int64"
    one = df[df["year"] == 2022].reset_index(drop=True)
    d = design(one, rake(one, margins))
    dom = {"m[1]": one["m[1]"].notna().to_numpy(), "q": one["q"].notna().to_numpy(),
           "r": (one["r"].notna() & (one["region"] == "Vest")).to_numpy()}
    ref = {c: shares(d, c, categories=cats, domain=dom[c]).set_index("category")
           for c, cats in (("m[1]", ["Valgt", "Ikke valgt"]), ("q", ["Ja", "Nei"]), ("r", ["Ja", "Nei"]))}
    for key in ("ci_low", "ci_high", "n_eff"):
        want = [ref[c].loc[cat, key] * (1 if key == "n_eff" else 100) for c, cat in zip(out["column"], out["category"])]
        np.testing.assert_allclose(out[key], want, rtol=1e-12, err_msg=key)
    assert out["n_eff"].dtype == float
    assert out["covered"].tolist() == ((out["ci_low"] <= out["target"]) & (out["target"] <= out["ci_high"])).tolist()


def test_recovery_without_margins_weighted_is_unweighted(monkeypatch):
    """Fails if margins=None does not give equal weights (the raked estimate is the unweighted one)
    (mutants of recovery: the margins test and design(df))."""
    import numpy as np

    monkeypatch.setattr(microdata, "answer_specs", lambda report: _recovery_specs())
    out = microdata.recovery(_recovery_data(), "R", "citizens", 2022, None)
    assert len(out) == 7
    np.testing.assert_allclose(out["weighted"], out["unweighted"], rtol=1e-12)
    np.testing.assert_allclose(out["weighted"].iloc[:3], [100 * 3 / 8, 100 * 3 / 7, 100 * 4 / 7], rtol=1e-12)


def test_recovery_covered_includes_the_interval_ends(monkeypatch):
    """Fails if a target exactly at the lower or upper end of the 95 % interval is not counted as covered
    (mutants of recovery: <= -> < in covered)."""
    from ehelse.estimates import design, shares

    df = _recovery_data()
    one = df[df["year"] == 2022].reset_index(drop=True)
    e = shares(design(one), "m[1]", categories=["Valgt", "Ikke valgt"],
               domain=one["m[1]"].notna().to_numpy()).set_index("category").loc["Valgt"]
    base = {"year": 2022, "population": "citizens", "region": None, "labels": ["Valgt"], "scale": "multi",
            "column": "m[1]", "item": "Opt", "exhaustive": True}
    specs = [{**base, "figure_id": "LO", "shares": {"Valgt": 100 * e["ci_low"]}},
             {**base, "figure_id": "HI", "shares": {"Valgt": 100 * e["ci_high"]}},
             {**base, "figure_id": "OUT", "shares": {"Valgt": 100 * e["ci_high"] + 1e-9}}]
    monkeypatch.setattr(microdata, "answer_specs", lambda report: specs)
    out = microdata.recovery(df, "R", "citizens", 2022, None)
    assert out["figure_id"].tolist() == ["LO", "HI", "OUT"]
    assert out["covered"].tolist() == [True, True, False]


def test_recovery_refuses_an_answer_outside_the_scale(monkeypatch):
    """Fails if an answer that is not a category of the question's scale is estimated as an extra category
    instead of refused (mutant of recovery: categories_of not used)."""
    from ehelse.estimates import EstimateError

    monkeypatch.setattr(microdata, "answer_specs", lambda report: _recovery_specs()[2:3])
    df = _recovery_data()
    df.loc[52, "q"] = "Annet"
    with pytest.raises(EstimateError) as e:
        microdata.recovery(df, "R", "citizens", 2022, None)
    assert str(e.value) == "question 'q': answer 'Annet' (rows [0]) is not one of the categories ['Ja', 'Nei']"


def test_recovery_keeps_an_option_nobody_chose(monkeypatch):
    """Fails if a multiple-choice option that nobody in the domain chose loses its row (its estimate is 0 %,
    not missing): the categories passed to the estimates must be both 'Valgt' and 'Ikke valgt', not only
    the answers present (mutants of recovery: categories=cats of the raked and the unweighted shares)."""
    df = _recovery_data()
    df["m[2]"] = "Ikke valgt"
    spec = {"year": 2022, "population": "citizens", "region": None, "labels": ["Valgt"], "scale": "multi",
            "column": "m[2]", "item": "Rare", "figure_id": "F7", "shares": {"Valgt": 2.0}, "exhaustive": True}
    monkeypatch.setattr(microdata, "answer_specs", lambda report: [spec])
    out = microdata.recovery(df, "R", "citizens", 2022, {"sex": {"female": 300.0, "male": 100.0}})
    assert out[["figure_id", "category", "published", "target", "unweighted", "weighted", "n"]].values.tolist() == [
        ["F7", "Valgt", 2.0, 2.0, 0.0, 0.0, 8]]


def test_panel_composition_refuses_a_category_it_cannot_map(monkeypatch):
    """An extra category of sex ('Vil ikke oppgi', 500 respondents) that the mapping does not know is refused
    with the variable and its categories named, instead of being dropped from the shares.
    Fails if the check looks at the grouped index (groupby drops the NaN key of an unmapped category, so the
    shares were computed without it: the bug fixed with this test)."""
    import pandas as pd
    from ehelse.data import sample_composition

    sc = sample_composition()
    row = sc[(sc["survey"] == "citizens") & (sc["category"] == "Menn")].iloc[[0]].assign(
        category="Vil ikke oppgi", count=500)
    monkeypatch.setattr(microdata, "sample_composition", lambda: pd.concat([sc, row], ignore_index=True))
    with pytest.raises(ValueError) as e:
        microdata.panel_composition()
    assert str(e.value) == ("sample composition: cannot map categories of 'Kjønn': "
                            "['Kvinner', 'Menn', 'Vil ikke oppgi']")
