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
