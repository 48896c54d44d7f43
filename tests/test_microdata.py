"""Synthetic respondents (deterministic, panel-biased, recover the published shares) and the real-data adapter."""
import hashlib

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from ehelse import waves, microdata
from ehelse.adapter import MicrodataError, apply_mapping, export_coded, read_microdata
from ehelse.data import DATA, population_margins
from ehelse.estimates import design, shares
from ehelse.weighting import rake


@pytest.fixture(scope="module")
def cit():
    return microdata.respondents("citizens")[0]


def test_generator_is_deterministic_and_matches_committed_files(tmp_path, monkeypatch):
    monkeypatch.setattr(microdata, "SYNTHETIC", tmp_path)
    for p in microdata.write():
        committed = DATA / "synthetic" / p.name
        assert hashlib.sha256(p.read_bytes()).hexdigest() == hashlib.sha256(committed.read_bytes()).hexdigest(), \
            f"{p.name}: regenerating gives other bytes (run `python -m ehelse.microdata write`)"


def test_other_seed_gives_other_data():
    a = microdata.synthetic_citizens(2022, 1)
    b = microdata.synthetic_citizens(2022, 2)
    assert not a.equals(b)
    assert len(a) == len(b) == microdata.sample_sizes()[2022]


def test_sample_sizes_as_published(cit):
    assert cit.groupby("year").size().to_dict() == microdata.sample_sizes()
    per = microdata.respondents("personnel")[0]
    assert len(per) == 2503  # printed total (P03)
    assert per["workplace"].value_counts().to_dict() == microdata.personnel_workplaces()


def test_panel_is_biased_like_the_published_panel(cit):
    comp = microdata.panel_composition()
    for year, g in cit.groupby("year"):
        young = (g["agegrp"] == "15-29").mean()
        pop = population_margins(year).query("variable == 'agegrp'").set_index("category")["target"]
        assert young < pop["15-29"] / pop.sum() - 0.04, "the under-30s should be under-represented"
        assert abs(young - comp["agegrp"]["15-29"]) < 0.04
        assert abs((g["education"] == "Universitet/høyskole").mean() - comp["education"]["Universitet/høyskole"]) < 0.05


def test_filters_respected(cit):
    """A filtered question is answered by as many respondents as the published base."""
    specs = [s for s in microdata.answer_specs("citizens2022") if s["filtered"] and s["base_n"] and s["region"] is None]
    assert specs
    for s in specs:
        g = cit[cit["year"] == s["year"]]
        assert g[s["column"]].notna().sum() == s["base_n"], s["column"]


def test_weighted_estimates_cover_published_shares(cit):
    rec = pd.concat([microdata.recovery(cit, "citizens2022", "citizens", y, population_margins(y))
                     for y in microdata.sample_sizes()])
    rate = rec["covered"].mean()
    assert len(rec) > 150
    assert 0.90 <= rate <= 0.99, f"coverage {rate:.3f}"
    rmse_w = np.sqrt(((rec["weighted"] - rec["target"]) ** 2).mean())
    rmse_u = np.sqrt(((rec["unweighted"] - rec["target"]) ** 2).mean())
    assert rmse_w < rmse_u, "raking should bring the estimates closer to the published shares"


# ---------------------------------------------------------------- adapter

@pytest.fixture(scope="module")
def coded(cit):
    # One wave of the report text; questions that wave did not ask (all missing) are not exported.
    one = cit[cit["year"] == waves.latest("citizens", source="report")].dropna(axis=1, how="all").reset_index(drop=True)
    return one, *export_coded(one, "citizens")


def _estimates(df):
    d = design(df, rake(df, population_margins(2022)))
    col = "cit_satisfaction_combined"
    return shares(d, col, domain=df[col].notna().to_numpy())


def test_sav_round_trip_gives_identical_estimates(coded, tmp_path):
    one, data, labels, mapping = coded
    path = tmp_path / "innbygger.sav"
    missing = {v: [99] for v in data.columns if v.startswith("q")}
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels, missing_ranges=missing)
    mpath = tmp_path / "mapping.yml"
    mpath.write_text(yaml.safe_dump(mapping, allow_unicode=True))
    back = read_microdata(path, mpath)
    for col in one.columns:
        if col == "resp_id":
            continue
        a, b = one[col], back[col]
        assert (a.isna() == b.isna()).all(), col
        assert (a[a.notna()].astype(str).str.replace(r"\.0$", "", regex=True).to_numpy()
                == b[b.notna()].astype(str).str.replace(r"\.0$", "", regex=True).to_numpy()).all(), col
    pd.testing.assert_frame_equal(_estimates(one), _estimates(back))


def test_csv_reads_the_same_way(coded, tmp_path):
    one, data, labels, mapping = coded
    path = tmp_path / "innbygger.csv"
    data.to_csv(path, index=False)
    back = read_microdata(path, mapping)
    pd.testing.assert_frame_equal(_estimates(one), _estimates(back))


def test_unmapped_code_names_variable_codes_and_rows(coded):
    one, data, labels, mapping = coded
    bad = data.copy()
    src = mapping["questions"]["cit_satisfaction_combined"]["source"]
    bad.loc[[3, 8], src] = 7
    with pytest.raises(MicrodataError, match=rf"variable '{src}'\): code\(s\) \['7'\].*2 row\(s\), e.g. rows \[3, 8\]"):
        apply_mapping(bad, mapping)


def test_missing_weighting_variable_is_an_error(coded):
    one, data, labels, mapping = coded
    bad = data.copy()
    src = mapping["variables"]["agegrp"]["source"]
    bad.loc[5, src] = np.nan
    with pytest.raises(MicrodataError, match=rf"agegrp \(variable '{src}'\): weighting/breakdown variable is missing.*\(1 row\(s\)"):
        apply_mapping(bad, mapping)
    gone = data.drop(columns=[src])
    with pytest.raises(MicrodataError, match=rf"source variable '{src}' is not in the file"):
        apply_mapping(gone, mapping)


def test_answer_outside_the_scale_is_an_error(coded):
    one, data, labels, mapping = coded
    m = yaml.safe_load(yaml.safe_dump(mapping))
    m["questions"]["cit_satisfaction_combined"]["codes"][1] = "Kjempefornøyd"
    with pytest.raises(MicrodataError, match=r"label\(s\) \['Kjempefornøyd'\] that are not in the codebook"):
        apply_mapping(data, m)


def test_nps_out_of_range_is_an_error(coded):
    one, data, labels, mapping = coded
    src = mapping["questions"]["cit_helsenorge_nps"]["source"]
    bad = data.copy()
    bad.loc[2, src] = 12
    with pytest.raises(MicrodataError, match=rf"'{src}'\): code\(s\) \['12'\]"):
        apply_mapping(bad, mapping)


def test_unknown_file_type(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_text("x")
    with pytest.raises(MicrodataError, match="unsupported file type"):
        read_microdata(p, {"survey": "citizens", "variables": {}, "questions": {}})


def test_book_runs_on_real_microdata_and_drops_the_synthetic_label(cit, tmp_path):
    """Point the book at a .sav file with one setting: the chapter runs on it and says nothing synthetic."""
    import json
    import os
    import subprocess
    import sys

    from ehelse import ROOT

    data, labels, mapping = export_coded(cit, "citizens")
    sav = tmp_path / "innbygger.sav"
    pyreadstat.write_sav(data, str(sav), variable_value_labels=labels,
                         missing_ranges={v: [99] for v in data.columns if v.startswith("q")})
    mpath = tmp_path / "mapping.yml"
    mpath.write_text(yaml.safe_dump(mapping, allow_unicode=True))
    out = tmp_path / "weighting.ipynb"
    # a copy of the book: the chapter writes its downloads (here from microdata) into its book's notebooks/_data
    import shutil

    root = tmp_path / "book"
    for d in ("data", "notebooks"):
        shutil.copytree(ROOT / d, root / d)
    shutil.copy(ROOT / "settings.yml", root / "settings.yml")
    before = {p.name: p.read_bytes() for p in (ROOT / "notebooks" / "_data").glob("*.csv")}
    env = {**os.environ, "EHELSE_ROOT": str(root), "EHELSE_MICRODATA": str(sav), "EHELSE_MAPPING": str(mpath)}
    res = subprocess.run([sys.executable, "-m", "ehelse.build", "try", str(root / "notebooks/methods/weighting.md"),
                          "--out", str(out)], env=env, capture_output=True, text=True, cwd=root)
    assert res.returncode == 0, res.stdout[-3000:]
    assert {p.name: p.read_bytes() for p in (ROOT / "notebooks" / "_data").glob("*.csv")} == before, \
        "the microdata run wrote into the book's own notebooks/_data"
    text = json.dumps([c.get("outputs", []) for c in json.loads(out.read_text())["cells"]])
    assert "Synthetic respondents" not in text and "SYNTHETIC RESPONDENTS" not in text
    glued = {o["metadata"]["scrapbook"]["name"]: o["data"] for c in json.loads(out.read_text())["cells"]
             for o in c.get("outputs", []) if o.get("metadata", {}).get("scrapbook")}
    assert "coverage" in glued and "fig_age" in glued
