"""The adapter refuses what it cannot use: every error names the file, the variable, the value and example rows."""
import copy

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from ehelse import microdata, waves
from ehelse.adapter import MicrodataError, apply_mapping, export_coded, read_mapping, read_microdata
from ehelse.data import population_margins
from ehelse.estimates import design, shares
from ehelse.weighting import rake


@pytest.fixture(scope="module")
def coded():
    cit = microdata.respondents("citizens")[0]
    # one wave of the report text; questions it did not ask (all missing) are not exported
    one = cit[cit["year"] == waves.latest("citizens", source="report")].dropna(axis=1, how="all")
    one = one.sample(400, random_state=1).reset_index(drop=True)
    data, labels, mapping = export_coded(one, "citizens")
    return one, data, labels, mapping


def _raises(fn, *needles) -> str:
    with pytest.raises(MicrodataError) as e:
        fn()
    msg = str(e.value)
    for n in needles:
        assert n in msg, f"{n!r} not in: {msg}"
    return msg


def _csv(tmp_path, df, name="x.csv", **kw):
    p = tmp_path / name
    df.to_csv(p, index=False, **kw)
    return p


def _age_table(values):
    return pd.DataFrame({"respnr": range(1, len(values) + 1), "aar": 2022, "kj": 1, "alder": values, "rhf": 1})


AGE_MAPPING = {"survey": "citizens", "id": "respnr", "year": {"source": "aar"},
               "variables": {"sex": {"source": "kj", "codes": {1: "female", 2: "male"}},
                             "agegrp": {"source": "alder", "bins": {"15-29": [15, 29], "30-44": [30, 44],
                                                                    "45-59": [45, 59], "60+": [60, 120]}},
                             "region": {"source": "rhf", "codes": {1: "Nord"}}},
               "questions": {}}


# ------------------------------------------------------------------ weights

def test_base_weights_are_validated_and_start_the_raking(coded, tmp_path):
    one, data, labels, mapping = coded
    m = {**mapping, "weight": "vekt"}
    rng = np.random.default_rng(1)
    w = rng.uniform(0.5, 2.0, len(data))
    df = apply_mapping(data.assign(vekt=w), m, file="w.csv")
    assert np.allclose(df["base_weight"], w)
    margins = population_margins(2022)
    with_w = rake(df, margins)
    without = rake(df.drop(columns="base_weight"), margins)
    assert not np.allclose(with_w.weights, without.weights), "base weights must change the raked weights"
    explicit = rake(df.drop(columns="base_weight"), margins, base_weights=w)
    assert np.allclose(with_w.weights, explicit.weights)
    for bad, needle in ((-1.0, "['-1.0'] are not positive"), (0.0, "['0.0'] are not positive"),
                        (np.inf, "['inf'] are missing or not finite"), (np.nan, "['nan'] are missing or not finite")):
        v = w.copy()
        v[[4, 9]] = bad
        _raises(lambda: apply_mapping(data.assign(vekt=v), m, file="w.csv"), "w.csv", "weight (variable 'vekt')",
                needle, "rows [4, 9]")


def test_inf_or_text_weight_in_a_csv_is_an_error_not_overflow(coded, tmp_path):
    one, data, labels, mapping = coded
    m = {**mapping, "weight": "vekt"}
    for bad in ("inf", " 1.5", "1e0"):
        df = data.assign(vekt="1.5")
        df.loc[7, "vekt"] = bad
        p = _csv(tmp_path, df)
        _raises(lambda: read_microdata(p, m), str(p), "weight (variable 'vekt')", repr(bad), "rows [7]")


# ------------------------------------------------------------------ identity

def test_duplicate_ids_are_an_error(coded):
    one, data, labels, mapping = coded
    bad = data.copy()
    bad.loc[10, "respnr"] = bad.loc[3, "respnr"]
    _raises(lambda: apply_mapping(bad, mapping, file="dup.sav"), "dup.sav", "id (variable 'respnr')",
            f"duplicate respondent id(s) ['{int(bad.loc[3, 'respnr'])}']", "rows [3, 10]")


def test_duplicate_rows_are_an_error_without_an_id(coded):
    one, data, labels, mapping = coded
    m = {k: v for k, v in mapping.items() if k != "id"}
    bad = pd.concat([data, data.iloc[[5]]], ignore_index=True).drop(columns="respnr")
    _raises(lambda: apply_mapping(bad, m, file="rows.csv"), "rows.csv", "duplicate rows", f"rows [5, {len(data)}]")


# ------------------------------------------------------------------ bins

def test_overlapping_or_gapped_bins_are_an_error(tmp_path):
    m = copy.deepcopy(AGE_MAPPING)
    m["variables"]["agegrp"]["bins"]["30-44"] = [29, 44]
    _raises(lambda: apply_mapping(_age_table([20, 35]), m), "agegrp", "'15-29' [15, 29] and '30-44' [29, 44] overlap")
    m["variables"]["agegrp"]["bins"]["30-44"] = [31, 44]
    _raises(lambda: apply_mapping(_age_table([20, 35]), m), "agegrp", "leave a gap (30-30 belongs to no bin)")
    p = tmp_path / "mapping.yml"
    p.write_text(yaml.safe_dump(m), encoding="utf-8")
    _raises(lambda: read_mapping(p), str(p), "variables.agegrp", "leave a gap")


def test_no_coercion_of_spaces_or_exponents(tmp_path):
    for bad in (" 36 ", "3.6e1", "36.0x"):
        p = _csv(tmp_path, _age_table(["20", bad, "50"]))
        _raises(lambda: read_microdata(p, AGE_MAPPING), str(p), "agegrp (variable 'alder')", repr(bad), "rows [1]")
    p = _csv(tmp_path, _age_table(["20", "36", "50"]))
    assert list(read_microdata(p, AGE_MAPPING)["agegrp"]) == ["15-29", "30-44", "45-59"]


def test_a_numeric_question_with_a_padded_value_is_an_error(coded, tmp_path):
    one, data, labels, mapping = coded
    src = mapping["questions"]["cit_helsenorge_nps"]["source"]
    df = data.astype({src: object})
    df.loc[12, src] = " 7 "
    p = _csv(tmp_path, df)
    _raises(lambda: read_microdata(p, mapping), str(p), f"cit_helsenorge_nps (variable '{src}')", "' 7 '", "rows [12]")


# ------------------------------------------------------------------ survey, waves, questions

def test_a_mapping_for_the_other_survey_is_an_error(coded, tmp_path):
    one, data, labels, mapping = coded
    _raises(lambda: apply_mapping(data, mapping, file="per.sav", survey="personnel"), "per.sav",
            "read as 'personnel' microdata", "written for survey 'citizens'")
    m = {**mapping, "survey": "personnel"}
    _raises(lambda: apply_mapping(data, m), "declares survey 'personnel'", "belongs to another survey")
    nosurvey = {k: v for k, v in mapping.items() if k != "survey"}
    _raises(lambda: apply_mapping(data, nosurvey), "key 'survey' is missing")


def test_a_year_outside_the_waves_is_an_error(coded):
    one, data, labels, mapping = coded
    from ehelse.adapter import wave_years

    bad = data.copy()
    bad.loc[[2, 6], "aar"] = 2031
    _raises(lambda: apply_mapping(bad, mapping, file="y.sav"), "y.sav", "year (variable 'aar')", "['2031']",
            "are not waves of citizens", str(wave_years("citizens")), "rows [2, 6]")


def test_an_all_missing_question_is_named(coded):
    one, data, labels, mapping = coded
    src = mapping["questions"]["cit_unmet_needs"]["source"]
    bad = data.assign(**{src: 99})
    _raises(lambda: apply_mapping(bad, mapping, file="q.sav"), "q.sav", f"cit_unmet_needs (variable '{src}')",
            "every value is missing")


def test_an_unknown_mapping_key_is_an_error(coded):
    one, data, labels, mapping = coded
    _raises(lambda: apply_mapping(data, {**mapping, "weights": "w"}), "key 'weights' is not allowed",
            "survey, id, year, weight")


# ------------------------------------------------------------------ files and dialects

def test_csv_dialects_are_mapping_options(coded, tmp_path):
    one, data, labels, mapping = coded
    ref = read_microdata(_csv(tmp_path, data, "comma.csv"), mapping)
    p = tmp_path / "semi.csv"
    df = data.assign(vekt=1.5)
    df.to_csv(p, index=False, sep=";", decimal=",", encoding="latin-1")
    m = {**mapping, "weight": "vekt", "csv": {"delimiter": ";", "decimal": ",", "encoding": "latin-1"}}
    back = read_microdata(p, m)
    assert (back["base_weight"] == 1.5).all()
    pd.testing.assert_frame_equal(back.drop(columns="base_weight"), ref)
    # the same file without the dialect: an error that says what it saw
    _raises(lambda: read_microdata(p, mapping), str(p), "read with delimiter ','", "one column", "';'",
            "csv: {delimiter: ';'}")
    # the delimiter declared but not the decimal comma
    m2 = {**mapping, "weight": "vekt", "csv": {"delimiter": ";"}}
    data.astype("Int64").assign(vekt=["1,5"] + ["2"] * (len(data) - 1)).to_csv(p, index=False, sep=";")
    _raises(lambda: read_microdata(p, m2), str(p), "weight (variable 'vekt')", "['1,5']", "rows [0]",
            "declare csv: {decimal: ','}")


def test_latin1_read_as_utf8_names_file_and_line(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes("respnr,aar,kj,alder,rhf,merknad\n1,2022,1,20,1,ok\n2,2022,1,30,1,Tromsø\n".encode("latin-1"))
    _raises(lambda: read_microdata(p, AGE_MAPPING), str(p), "not valid utf-8", "line 3", "encoding: latin-1")


def test_a_misdeclared_encoding_is_an_error(tmp_path):
    p = tmp_path / "utf8.csv"
    p.write_text("respnr,aar,kj,alder,rhf,merknad\n1,2022,1,20,1,Tromsø\n", encoding="utf-8")
    m = {**AGE_MAPPING, "csv": {"encoding": "latin-1"}}
    _raises(lambda: read_microdata(p, m), str(p), "declares encoding 'latin-1' but the file is UTF-8")


def test_empty_files_name_the_file(tmp_path):
    for name, content in (("empty.csv", b""), ("header.csv", b"respnr,aar\n"), ("blank.csv", b"\n\n"),
                          ("empty.sav", b"")):
        p = tmp_path / name
        p.write_bytes(content)
        _raises(lambda: read_microdata(p, AGE_MAPPING), str(p), "empty" if content.strip() == b"" else "no rows")


def test_a_broken_sav_names_the_file(tmp_path):
    p = tmp_path / "broken.sav"
    p.write_bytes(b"$FL2 not really an spss file")
    _raises(lambda: read_microdata(p, AGE_MAPPING), str(p), "cannot be read as SPSS .sav")


def test_broken_or_empty_yaml_names_file_and_line(tmp_path):
    p = tmp_path / "mapping.yml"
    p.write_text("survey: citizens\nvariables:\n  sex: {source: kj, codes: {1: female\nquestions: {}\n", encoding="utf-8")
    _raises(lambda: read_mapping(p), str(p), "line ", "YAML syntax error")
    p.write_text("", encoding="utf-8")
    _raises(lambda: read_mapping(p), str(p), "is empty")
    p.write_bytes("survey: citizens # Tromsø\n".encode("latin-1"))
    _raises(lambda: read_mapping(p), str(p), "not UTF-8", "line 1")


def test_vectorised_mapping_equals_the_labels_and_keeps_estimates(coded, tmp_path):
    """Categorical recoding gives the same respondents' answers and estimates as the original labels."""
    one, data, labels, mapping = coded
    path = tmp_path / "r.sav"
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels,
                         missing_ranges={v: [99] for v in data.columns if v.startswith("q")})
    back = read_microdata(path, mapping, survey="citizens")
    for col in mapping["questions"]:
        a, b = one[col], back[col]
        assert (a.isna() == b.isna()).all() and (a[a.notna()].astype(str).str.removesuffix(".0")
                                                 == b[b.notna()].astype(str).str.removesuffix(".0")).all(), col
    q = "cit_satisfaction_combined"
    da = design(one, rake(one, population_margins(2022)))
    db = design(back, rake(back, population_margins(2022)))
    sa = shares(da, q, domain=one[q].notna().to_numpy())
    sb = shares(db, q, domain=back[q].notna().to_numpy())
    assert np.allclose(sa["estimate"], sb["estimate"]) and np.allclose(sa["se"], sb["se"])
