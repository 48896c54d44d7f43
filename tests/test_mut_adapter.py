"""In-process unit tests of ehelse.adapter written against its mutants (issue 17).

The module's contract (its docstring): every error names the file, the variable, the codes and the
rows; nothing is dropped or coerced. Each error is asserted here on its full text on a tiny table,
so that a mutated message, a wrong row list or a flipped check is caught.
"""
import re

import numpy as np
import pandas as pd
import pytest

from ehelse import adapter
from ehelse.adapter import MicrodataError, apply_mapping, check_mapping, read_csv_strict, read_mapping


def _msg(fn, *args, **kw) -> str:
    with pytest.raises(MicrodataError) as e:
        fn(*args, **kw)
    return str(e.value)


def _raw(**over):
    d = {"id": [11, 12, 13], "aar": [2022, 2022, 2023], "kj": [1, 2, 1], "alder": [20, 35, 70], "rhf": [1, 2, 1],
         "q1": [1, 2, 9], "q2": [0, 10, 11]}
    d.update(over)
    return pd.DataFrame(d)


def _mapping(**over):
    m = {"survey": "citizens", "id": "id", "year": {"source": "aar"},
         "variables": {"sex": {"source": "kj", "codes": {1: "female", 2: "male"}},
                       "agegrp": {"source": "alder", "bins": {"15-29": [15, 29], "30-44": [30, 44], "45+": [45, 120]}},
                       "region": {"source": "rhf", "codes": {1: "Nord", 2: "Vest"}}},
         "questions": {"cit_online_booking": {"source": "q1", "codes": {1: "Ja", 2: "Nei"}, "missing": [9]},
                       "cit_helsenorge_nps": {"source": "q2", "numeric": [0, 10], "dont_know": [11]}}}
    m.update(over)
    return m


ROWS = "counting the first data row as 0"


# ------------------------------------------------------------------ the mapping itself


def test_apply_mapping_result_by_hand():
    """Fails if a code is mapped to another label, missing / don't know codes are not empty, the id,
    year, category order or index change (mutants of apply_mapping and _map_codes)."""
    out = apply_mapping(_raw(), _mapping(), file="f.sav")
    assert list(out.columns) == ["resp_id", "year", "sex", "agegrp", "region", "cit_online_booking",
                                 "cit_helsenorge_nps"]
    assert out["resp_id"].tolist() == [11, 12, 13] and out["year"].tolist() == [2022, 2022, 2023]
    assert out["year"].dtype == np.int64
    assert out["sex"].tolist() == ["female", "male", "female"]
    assert list(out["sex"].cat.categories) == ["female", "male"]
    assert out["agegrp"].tolist() == ["15-29", "30-44", "45+"]
    assert list(out["agegrp"].cat.categories) == ["15-29", "30-44", "45+"]
    assert out["region"].tolist() == ["Nord", "Vest", "Nord"]
    assert out["cit_online_booking"].tolist()[:2] == ["Ja", "Nei"] and pd.isna(out["cit_online_booking"].iloc[2])
    assert out["cit_helsenorge_nps"].tolist()[:2] == [0.0, 10.0] and np.isnan(out["cit_helsenorge_nps"].iloc[2])
    assert out.index.tolist() == [0, 1, 2]
    # without id: row numbers from 1; a one-year file by value:
    m = _mapping(year={"value": 2021})
    del m["id"]
    out = apply_mapping(_raw().set_index(pd.Index([5, 6, 7])), m)
    assert out["resp_id"].tolist() == [1, 2, 3] and out["year"].tolist() == [2021] * 3
    assert out.index.tolist() == [0, 1, 2]


def test_text_codes_and_string_ids():
    """Fails if codes written as text in the file are not matched against YAML keys written as numbers
    or text ('1' means code 1), or text ids are changed."""
    raw = _raw(id=["a", "b", "c"], kj=["1", "2", "1"], q1=["1", "x", "9"])
    m = _mapping()
    m["questions"]["cit_online_booking"]["codes"] = {"1": "Ja", "x": "Nei"}
    out = apply_mapping(raw, m)
    assert out["resp_id"].tolist() == ["a", "b", "c"]
    assert out["sex"].tolist() == ["female", "male", "female"]
    assert out["cit_online_booking"].tolist()[:2] == ["Ja", "Nei"]


def test_user_missing_codes_of_the_sav_are_empty():
    """Fails if SPSS user-missing codes (given per variable) are not treated as missing, or are taken
    from another variable."""
    raw = _raw(q1=[1, 2, 7])
    m = _mapping()
    m["questions"]["cit_online_booking"] = {"source": "q1", "codes": {1: "Ja", 2: "Nei"}}
    out = apply_mapping(raw, m, {"q1": {7.0}})
    assert out["cit_online_booking"].isna().tolist() == [False, False, True]
    msg = _msg(apply_mapping, raw, m, {"q2": {7.0}}, file="f.sav")
    assert msg == (f"f.sav: cit_online_booking (variable 'q1'): code(s) ['7'] are not covered by the mapping and not "
                   f"declared missing (1 row(s), e.g. rows [2], {ROWS})")


def test_error_messages_of_codes_bins_and_numbers():
    """Fails if the errors for unmapped codes, codes outside every bin, numbers outside the numeric range,
    text in a numeric variable, a missing breakdown value or a label outside the scale change or name
    other rows (mutants of _map_codes, _error, _rows, _hint)."""
    m = _mapping()
    assert _msg(apply_mapping, _raw(kj=[1, 3, 3]), m, file="f.sav") == (
        f"f.sav: sex (variable 'kj'): code(s) ['3'] are not covered by the mapping and not declared missing "
        f"(2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(alder=[20, 14, 121]), m, file="f.sav") == (
        f"f.sav: agegrp (variable 'alder'): code(s) ['14', '121'] are not covered by the mapping and not declared "
        f"missing (2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(alder=[20.0, 29.5, 30.0]), m, file="f.sav") == (
        f"f.sav: agegrp (variable 'alder'): code(s) ['29.5'] are not covered by the mapping and not declared "
        f"missing (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(q2=[0, 12, -1]), m, file="f.sav") == (
        f"f.sav: cit_helsenorge_nps (variable 'q2'): code(s) ['12', '-1'] are not covered by the mapping and not "
        f"declared missing (2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(q2=[0.5, 1.0, 2.0]), m, file="f.sav") == (
        f"f.sav: cit_helsenorge_nps (variable 'q2'): code(s) ['0.5'] are not covered by the mapping and not "
        f"declared missing (1 row(s), e.g. rows [0], {ROWS})")
    assert _msg(apply_mapping, _raw(q2=[1, "3,5", " 7"]), m, file="f.csv") == (
        "f.csv: cit_helsenorge_nps (variable 'q2'): value(s) ['3,5', ' 7'] are not plain numbers (nothing is "
        "coerced: no spaces, exponents or infinities; the values use ',' as decimal mark: declare csv: "
        f"{{decimal: ','}} in the mapping) (2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(alder=[20, " 36", 50]), m, file="f.csv") == (
        "f.csv: agegrp (variable 'alder'): value(s) [' 36'] are not plain numbers (nothing is coerced: no spaces, "
        f"exponents or infinities; values with spaces are not stripped) (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(alder=[20, np.inf, 50]), m, file="f.sav") == (
        "f.sav: agegrp (variable 'alder'): value(s) ['inf'] are not plain numbers (nothing is coerced: no spaces, "
        f"exponents or infinities) (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(rhf=[1, np.nan, 2]), m, file="f.sav") == (
        "f.sav: region (variable 'rhf'): weighting/breakdown variable is missing; the book cannot weight these "
        f"respondents (1 row(s), e.g. rows [1], {ROWS})")
    bad = _mapping()
    bad["questions"]["cit_online_booking"]["codes"] = {1: "Ja", 2: "Kanskje"}
    assert _msg(apply_mapping, _raw(), bad, file="f.sav") == (
        "f.sav: cit_online_booking (variable 'q1'): mapping gives label(s) ['Kanskje'] that are not in the "
        "codebook's answer scale ['Ja', 'Nei', 'Husker ikke', 'Ikke valgt', 'Øvrige svar']")
    assert _msg(apply_mapping, _raw(), _mapping(variables={"sex": {"source": "kjonn", "codes": {1: "female"}}}),
                file="f.sav") == "f.sav: sex: source variable 'kjonn' is not in the file (variables: ['id', 'aar', " \
                                 "'kj', 'alder', 'rhf', 'q1', 'q2'])"


def test_many_codes_are_listed_at_most_ten_and_rows_at_most_five():
    """Fails if the lists in messages are not cut (10 codes, 5 example rows) or the long variable list
    does not end with '…' (mutants of the [:10], [:5], [:12] slices)."""
    raw = pd.DataFrame({"id": range(12), "aar": 2022, "kj": range(3, 15), "alder": 20, "rhf": 1,
                        **{f"x{i}": 0 for i in range(8)}})
    m = _mapping(questions={})
    msg = _msg(apply_mapping, raw, m, file="f")
    assert msg == ("f: sex (variable 'kj'): code(s) ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] are not "
                   f"covered by the mapping and not declared missing (12 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")
    m["variables"]["sex"]["source"] = "gone"
    assert _msg(apply_mapping, raw, m, file="f") == (
        "f: sex: source variable 'gone' is not in the file (variables: ['id', 'aar', 'kj', 'alder', 'rhf', 'x0', "
        "'x1', 'x2', 'x3', 'x4', 'x5', 'x6']…)")


def test_id_year_and_weight_errors():
    """Fails if id, year or weight errors change or pass (missing / duplicate ids, unknown waves, a year
    that is not an int, base weights not positive, absent variables)."""
    m = _mapping()
    assert _msg(apply_mapping, _raw(id=[1, np.nan, 3]), m, file="f") == (
        f"f: id (variable 'id'): respondent id is missing (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(id=[4, 5, 4]), m, file="f") == (
        f"f: id (variable 'id'): duplicate respondent id(s) ['4'] (2 row(s), e.g. rows [0, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(), _mapping(id="nr"), file="f") == "f: id: source variable 'nr' is not in the file"
    assert _msg(apply_mapping, _raw(aar=[2022, 2018, 2030]), m, file="f") == (
        "f: year (variable 'aar'): year(s) ['2018', '2030'] are not waves of citizens (waves: [2019, 2020, 2021, "
        f"2022, 2023]) (2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(), _mapping(year={"source": "yr"}), file="f") == (
        "f: year: source variable 'yr' is not in the file")
    for v in (2018, "2022", 2022.0):
        assert _msg(apply_mapping, _raw(), _mapping(year={"value": v}), file="f") == (
            f"f: year: value {v!r} is not a wave of citizens (waves: [2019, 2020, 2021, 2022, 2023])")
    assert _msg(apply_mapping, _raw(), _mapping(year={}), file="f") == (
        "f: mapping key year: needs source: (a variable) or value: (one year)")
    assert _msg(apply_mapping, _raw(), _mapping(year=None), file="f") == (
        "f: mapping key year: needs source: (a variable) or value: (one year)")
    assert _msg(apply_mapping, _raw(), _mapping(weight="w"), file="f") == "f: weight: variable 'w' is not in the file"
    assert _msg(apply_mapping, _raw(w=[1.0, 0.0, -2.0]), _mapping(weight="w"), file="f") == (
        f"f: weight (variable 'w'): base weight(s) ['0.0', '-2.0'] are not positive (2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(w=[1.0, np.nan, 1.0]), _mapping(weight="w"), file="f") == (
        f"f: weight (variable 'w'): value(s) ['nan'] are missing or not finite (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(w=["1", "x", 2.0]), _mapping(weight="w"), file="f") == (
        f"f: weight (variable 'w'): value(s) ['1', 'x'] are not plain numbers (nothing is coerced) "
        f"(2 row(s), e.g. rows [0, 1], {ROWS})")
    out = apply_mapping(_raw(w=[0.5, 1.0, 2.5]), _mapping(weight="w"))
    assert out["base_weight"].tolist() == [0.5, 1.0, 2.5]
    assert "base_weight" not in apply_mapping(_raw(), _mapping(weight=None)).columns


def test_question_errors_and_survey():
    """Fails if a question outside the codebook, a question with no answers, duplicate rows without id,
    or a mapping for the other survey pass, or their messages change."""
    m = _mapping()
    m["questions"]["cit_nonexistent"] = {"source": "q1", "codes": {1: "Ja"}}
    assert _msg(apply_mapping, _raw(), m, file="f") == "f: question 'cit_nonexistent' (mapping) is not in the codebook"
    m = _mapping()
    assert _msg(apply_mapping, _raw(q1=[9, 9, 9]), m, file="f") == (
        "f: cit_online_booking (variable 'q1'): every value is missing or declared missing (missing codes [9]); the "
        "question has no answers: remove it from the mapping or check the codes")
    m["questions"]["cit_helsenorge_nps"].pop("dont_know")
    assert _msg(apply_mapping, _raw(q2=[np.nan] * 3), m, file="f") == (
        "f: cit_helsenorge_nps (variable 'q2'): every value is missing or declared missing (missing codes []); the "
        "question has no answers: remove it from the mapping or check the codes")
    assert _msg(apply_mapping, _raw(), _mapping(), file="f", survey="personnel") == (
        "f: read as 'personnel' microdata, but its mapping is written for survey 'citizens' (mapping key survey:); "
        "configure a mapping for personnel")
    m = _mapping()
    del m["id"]
    raw = pd.concat([_raw(), _raw().iloc[[1]]], ignore_index=True).drop(columns="id")
    assert _msg(apply_mapping, raw, m, file="f") == (
        f"f: duplicate rows (every variable equal; 2 row(s), e.g. rows [1, 3], {ROWS}); declare the respondent id "
        "(id:) or remove the repeated rows")
    # an item of a multi-item question: the codebook id is the part before '['
    m = _mapping()
    m["questions"] = {"cit_online_booking[a]": {"source": "q1", "codes": {1: "Ja", 2: "Nei"}, "missing": [9]}}
    assert apply_mapping(_raw(), m)["cit_online_booking[a]"].tolist()[:2] == ["Ja", "Nei"]


# ------------------------------------------------------------------ check_mapping / bins


def test_check_mapping_messages():
    """Fails if a malformed mapping passes or its message changes (mutants of check_mapping)."""
    assert check_mapping(_mapping()) == _mapping()
    assert _msg(check_mapping, [1], "m.yml") == "mapping file m.yml: must be a YAML mapping of keys, not list"
    assert _msg(check_mapping, [1]) == "mapping file mapping: must be a YAML mapping of keys, not list"
    assert _msg(check_mapping, _mapping(sex=1), "m.yml") == (
        "mapping file m.yml: key 'sex' is not allowed; allowed keys: survey, id, year, weight, variables, questions, "
        "csv, encoding")
    for key in ("survey", "variables", "questions"):
        m = _mapping()
        del m[key]
        assert _msg(check_mapping, m, "m.yml") == f"mapping file m.yml: key {key!r} is missing"
    assert _msg(check_mapping, _mapping(survey="Citizens"), "m.yml") == (
        "mapping file m.yml: survey 'Citizens' must be one of ['citizens', 'personnel']")
    assert _msg(check_mapping, _mapping(csv={"sep": ";"}), "m.yml") == (
        "mapping file m.yml: csv.sep is not allowed; allowed keys under csv: delimiter, decimal, encoding")
    assert _msg(check_mapping, _mapping(csv={"decimal": ";"}), "m.yml") == (
        "mapping file m.yml: csv.decimal must be '.' or ',', not ';'")
    check_mapping(_mapping(csv={"decimal": ",", "delimiter": ";", "encoding": "latin-1"}))
    check_mapping(_mapping(csv=None, variables=None, questions=None))
    m = _mapping()
    m["variables"]["sex"] = {"codes": {1: "female"}}
    assert _msg(check_mapping, m, "m.yml") == "mapping file m.yml: variables.sex needs a 'source' variable"
    m["variables"]["sex"] = "kj"
    assert _msg(check_mapping, m, "m.yml") == "mapping file m.yml: variables.sex needs a 'source' variable"
    m = _mapping()
    m["questions"]["cit_online_booking"]["label"] = "x"
    assert _msg(check_mapping, m, "m.yml") == (
        "mapping file m.yml: questions.cit_online_booking.label is not allowed; allowed: source, codes, bins, numeric, "
        "missing, dont_know")
    m = _mapping()
    m["questions"]["per_trust"] = {"source": "q1", "codes": {1: "Ja"}}
    assert _msg(check_mapping, m, "m.yml") == (
        "mapping file m.yml: declares survey 'citizens' but maps question 'per_trust', which belongs to another "
        "survey (questions of citizens start with 'cit_'; its variables are ['agegrp', 'education', 'region', 'sex'])")
    m = _mapping(survey="personnel", questions={})
    assert _msg(check_mapping, m, "m.yml") == (
        "mapping file m.yml: declares survey 'personnel' but maps variable 'sex', which belongs to another survey "
        "(questions of personnel start with 'per_'; its variables are ['profession', 'workplace'])")
    check_mapping({"survey": "personnel", "variables": {"workplace": {"source": "a"}, "profession": {"source": "b"}},
                   "questions": {"per_trust": {"source": "c"}}})


@pytest.mark.parametrize("bins,msg", [
    ({"a": [1, 5], "b": [5, 9]}, "W: bins 'a' [1, 5] and 'b' [5, 9] overlap"),
    ({"b": [6, 9], "a": [1, 5], "c": [12, 20]}, "W: bins 'b' [6, 9] and 'c' [12, 20] leave a gap (10-11 belongs to no bin)"),
    ({"a": [1, 5], "b": [7, 9]}, "W: bins 'a' [1, 5] and 'b' [7, 9] leave a gap (6-6 belongs to no bin)"),
    ({"a": [5, 1]}, "W: bin 'a' = [5, 1] must be [low, high], whole numbers, low <= high"),
    ({"a": [1, 2, 3]}, "W: bin 'a' = [1, 2, 3] must be [low, high], whole numbers, low <= high"),
    ({"a": [1.0, 2]}, "W: bin 'a' = [1.0, 2] must be [low, high], whole numbers, low <= high"),
    ({"a": [True, 2]}, "W: bin 'a' = [True, 2] must be [low, high], whole numbers, low <= high"),
    ({"a": "1-2"}, "W: bin 'a' = '1-2' must be [low, high], whole numbers, low <= high"),
])
def test_bins_messages(bins, msg):
    """Fails if overlapping, gapped or malformed bins pass, or the message changes (mutants of _check_bins)."""
    assert _msg(adapter._check_bins, bins, "W") == msg


def test_bins_that_touch_are_fine():
    """Fails if adjacent bins (hi + 1 = next lo), a one-value bin or a tuple are refused."""
    adapter._check_bins({"a": [1, 5], "b": (6, 6), "c": [7, 120]}, "W")


# ------------------------------------------------------------------ reading files


def test_read_mapping_messages(tmp_path):
    """Fails if read_mapping() loses its messages (missing, empty, not UTF-8 with byte and line, YAML
    syntax error with line and column) or does not check the mapping with the file's name."""
    gone = tmp_path / "gone.yml"
    assert _msg(read_mapping, gone) == f"mapping file {gone} does not exist"
    p = tmp_path / "m.yml"
    p.write_text("  \n\n", encoding="utf-8")
    assert _msg(read_mapping, p) == f"mapping file {p} is empty"
    p.write_bytes(b"survey: citizens\nid: nr # bl\xe5\n")
    assert _msg(read_mapping, p) == f"mapping file {p}: not UTF-8 at byte 28 (line 2): save it as UTF-8"
    p.write_text("survey: citizens\nvariables: [a\nquestions: {}\n", encoding="utf-8")
    assert _msg(read_mapping, p) == (f"mapping file {p} line 3, column 10: YAML syntax error: expected ',' or ']', "
                                     "but got ':'")
    p.write_text("survey: citizens\nvariables: {}\nquestions: {}\nfoo: 1\n", encoding="utf-8")
    assert _msg(read_mapping, p) == (f"mapping file {p}: key 'foo' is not allowed; allowed keys: survey, id, year, "
                                     "weight, variables, questions, csv, encoding")
    p.write_text("survey: citizens\nvariables: {}\nquestions: {}\n", encoding="utf-8")
    assert read_mapping(str(p)) == {"survey": "citizens", "variables": {}, "questions": {}}


def test_read_raw_messages(tmp_path):
    """Fails if read_raw() loses the file-level messages: missing, 0 bytes, unknown suffix, no rows."""
    gone = tmp_path / "gone.csv"
    assert _msg(adapter.read_raw, gone) == f"microdata file {gone} does not exist"
    e = tmp_path / "e.csv"
    e.write_bytes(b"")
    assert _msg(adapter.read_raw, e) == f"microdata file {e} is empty (0 bytes)"
    x = tmp_path / "x.xlsx"
    x.write_bytes(b"x")
    assert _msg(adapter.read_raw, x) == f"{x}: unsupported file type '.xlsx' (use .sav, .csv or .parquet)"
    h = tmp_path / "h.CSV"
    h.write_text("a,b\n", encoding="utf-8")
    assert _msg(adapter.read_raw, h) == f"microdata file {h} has no rows (columns: ['a', 'b'])"
    ws = tmp_path / "ws.csv"
    ws.write_text("\n\n", encoding="utf-8")
    assert _msg(adapter.read_raw, ws) == f"microdata file {ws} is empty (no header line)"


def test_read_csv_strict_dialects(tmp_path):
    """Fails if the declared delimiter, decimal mark or encoding are not used, the BOM is kept, or the
    defaults (',', '.', utf-8) change (mutants of read_csv_strict and _parse_numbers)."""
    p = tmp_path / "a.csv"
    p.write_bytes("\ufeffnr;verdi;navn\n1;2,5;Ås\n2;-3;Øy\n".encode("utf-8"))
    df = read_csv_strict(p, {"delimiter": ";", "decimal": ","})
    assert list(df.columns) == ["nr", "verdi", "navn"]
    assert df["verdi"].tolist() == [2.5, -3.0] and df["nr"].tolist() == [1, 2] and df["navn"].tolist() == ["Ås", "Øy"]
    q = tmp_path / "b.csv"
    q.write_bytes("nr,navn,x\n1,Ås,\n2,Bø,1.5\n".encode("latin-1"))
    df = read_csv_strict(q, {"encoding": "latin-1"})
    assert df["navn"].tolist() == ["Ås", "Bø"] and np.isnan(df["x"].iloc[0]) and df["x"].iloc[1] == 1.5
    r = tmp_path / "c.csv"
    r.write_text("a,b\n1,x\n,2\n", encoding="utf-8")
    df = read_csv_strict(r, {})
    assert df["a"].tolist()[0] == 1 and np.isnan(df["a"].iloc[1])
    assert df["b"].tolist() == ["x", 2] and df["b"].dtype == object


def test_read_csv_strict_messages(tmp_path):
    """Fails if the CSV errors change: bytes not in the encoding (byte, line, bytes shown), an unknown
    encoding, a UTF-8 file declared latin-1, a header that is one column because of another delimiter."""
    p = tmp_path / "a.csv"
    p.write_bytes(b"a,b\n1,x\n2,bl\xe5\n")
    assert _msg(read_csv_strict, p, {}) == (
        f"microdata file {p}: not valid utf-8 at byte 12 (line 3, bytes b'\\xe5\\n'); declare the file's encoding in "
        "the mapping, e.g. csv: {encoding: latin-1}")
    assert _msg(read_csv_strict, p, {"encoding": "klingon"}) == (
        f"mapping: csv.encoding 'klingon' (for {p}) is not a known encoding")
    u = tmp_path / "u.csv"
    u.write_bytes("a,b\n1,blå\n".encode("utf-8"))
    for enc in ("latin-1", "ISO_8859-1", "cp1252", "latin1"):
        assert _msg(read_csv_strict, u, {"encoding": enc}) == (
            f"microdata file {u}: the mapping declares encoding {enc!r} but the file is UTF-8 (its non-ASCII "
            f"characters decode as UTF-8; read as {enc} they would be garbled, e.g. {'Ã¥' + chr(10)!r})")
    s = tmp_path / "s.csv"
    s.write_text("a;b;c|d\n1;2;3\n", encoding="utf-8")
    assert _msg(read_csv_strict, s, {}) == (
        f"microdata file {s}: read with delimiter ',' the header is one column ('a;b;c|d'); it contains 2 ';': "
        "declare csv: {delimiter: ';'} in the mapping")
    one = tmp_path / "one.csv"
    one.write_text("a\n1\n", encoding="utf-8")
    assert read_csv_strict(one, {})["a"].tolist() == [1]


@pytest.mark.parametrize("values,decimal,expected", [
    (["1", "-2", ""], ".", [1.0, -2.0, np.nan]),
    (["1.5", "-0.25"], ".", [1.5, -0.25]),
    (["1,5", "2"], ",", [1.5, 2.0]),
])
def test_parse_numbers_plain_numbers(values, decimal, expected):
    """Fails if plain numbers in the dialect are not parsed, or empty is not missing."""
    out = adapter._parse_numbers(pd.Series(values), decimal)
    np.testing.assert_array_equal(out.to_numpy(dtype=float), np.array(expected))
    assert pd.api.types.is_numeric_dtype(out)


@pytest.mark.parametrize("bad", ["1.5", " 1", "1e3", "inf", "+1", "1.", ".5", "--1"])
def test_parse_numbers_keeps_what_is_not_a_plain_number_as_text(bad):
    """Fails if a value that is not a plain number in the dialect (',' decimal here) is coerced."""
    out = adapter._parse_numbers(pd.Series(["2", bad, ""]), ",")
    assert out.dtype == object
    assert out.iloc[0] == 2 and out.iloc[1] == bad and pd.isna(out.iloc[2])


def test_factor_small_codes_equals_factorize():
    """Fails if the bincount factorisation differs from pd.factorize (order of appearance, -1 for empty)
    or is used where it must not be (text, non-integers, huge ranges, all empty)."""
    col = pd.Series([5.0, 3.0, np.nan, 5.0, 70000.0 - 65537, 3.0])
    codes, uniq = adapter._factor_small_codes(col)
    assert codes.tolist() == [0, 1, -1, 0, 2, 1] and uniq == [5, 3, 4463]
    assert all(type(u) is int for u in uniq)
    codes, uniq = adapter._factor(pd.Series([2, 2, 1]))
    assert codes.tolist() == [0, 0, 1] and uniq == [2, 1]
    assert adapter._factor_small_codes(pd.Series(["a"])) is None
    assert adapter._factor_small_codes(pd.Series([], dtype=float)) is None
    assert adapter._factor_small_codes(pd.Series([np.nan, np.nan])) is None
    assert adapter._factor_small_codes(pd.Series([1.5, 2.0])) is None
    assert adapter._factor_small_codes(pd.Series([0.0, float(adapter.SMALL_CODE_RANGE)])) is None
    codes, uniq = adapter._factor_small_codes(pd.Series([0.0, float(adapter.SMALL_CODE_RANGE - 1)]))
    assert codes.tolist() == [0, 1] and uniq == [0, adapter.SMALL_CODE_RANGE - 1]
    assert adapter._factor_small_codes(pd.Series([1.0, np.inf])) is None
    codes, uniq = adapter._factor(pd.Series([1.5, np.nan, 1.5, "x"], dtype=object))
    assert codes.tolist() == [0, -1, 0, 1] and uniq == [1.5, "x"]


def test_norm_and_norm_key():
    """Fails if codes do not compare as numbers when they are whole numbers (1.0 == 1, np.int64 -> int)
    or text that is not a whole number is changed."""
    assert adapter._norm(1.0) == 1 and type(adapter._norm(1.0)) is int
    assert type(adapter._norm(np.int64(3))) is int and type(adapter._norm(np.float64(2.0))) is int
    assert adapter._norm(1.5) == 1.5 and np.isnan(adapter._norm(np.nan)) and adapter._norm("1") == "1"
    assert adapter._norm_key("12") == 12 and adapter._norm_key("-3") == -3 and adapter._norm_key("1.0") == "1.0"
    assert adapter._norm_key(4.0) == 4 and adapter._norm_key(" 1") == " 1"


def test_rows_text():
    """Fails if the example rows are not the first five positions or the count is wrong."""
    assert adapter._rows([False, True, True, False, True, True, True, True]) == (
        f"6 row(s), e.g. rows [1, 2, 4, 5, 6], {ROWS}")


def test_wave_years():
    """Fails if wave_years() returns other years than the registry's, unsorted, or not ints."""
    from ehelse import waves

    assert adapter.wave_years("citizens") == sorted(int(y) for y in waves.years("citizens"))
    assert adapter.wave_years("personnel") == [2019, 2020]
    assert all(type(y) is int for y in adapter.wave_years("citizens"))


def test_sav_user_missing_ranges_and_encoding(tmp_path):
    """Fails if user-missing ranges and discrete codes of a .sav are not returned per variable (only the
    codes present in the range), or a broken .sav / unknown encoding is not named (mutants of _read_sav)."""
    import pyreadstat

    p = tmp_path / "x.sav"
    df = pd.DataFrame({"a": [1.0, 2.0, 97.0, 98.0, 99.0], "b": [1.0, 8.0, 9.0, 1.0, 1.0], "t": list("vwxyz")})
    pyreadstat.write_sav(df, str(p), missing_ranges={"a": [{"lo": 97.0, "hi": 99.0}], "b": [9.0]})
    raw, um = adapter.read_raw(p)
    assert um == {"a": {97.0, 98.0, 99.0}, "b": {9.0}}
    assert raw["t"].tolist() == list("vwxyz") and raw["a"].tolist() == [1.0, 2.0, 97.0, 98.0, 99.0]
    raw, um = adapter.read_raw(p, {"encoding": "utf-8"})
    assert um["b"] == {9.0}
    bad = tmp_path / "bad.sav"
    bad.write_bytes(b"not a sav file at all")
    msg = _msg(adapter.read_raw, bad)
    assert msg.startswith(f"microdata file {bad}: cannot be read as SPSS .sav: ")
    msg = _msg(adapter.read_raw, bad, {"encoding": "latin-1"})
    assert msg.startswith(f"microdata file {bad}: cannot be read as SPSS .sav with encoding 'latin-1': ")


def test_read_mapping_yaml_error_without_position(tmp_path):
    """Fails if a YAML error that has no problem_mark / problem (a reader error: a control character)
    crashes read_mapping() or gets a made-up position (mutants of the mark / problem fallbacks)."""
    p = tmp_path / "m.yml"
    p.write_text("survey: \x07\n", encoding="utf-8")
    assert _msg(read_mapping, p) == (f"mapping file {p}: YAML syntax error: unacceptable character #x0007: special "
                                     "characters are not allowed\n  in \"<unicode string>\", position 8")


def test_read_csv_strict_reads_text_not_pandas_guesses(tmp_path):
    """Fails if the CSV is parsed by pandas' type guessing (dtype=str dropped): ' 36 ' and '1e3' must stay
    text for the mapping to refuse them, '007' is the whole number 7 only by the book's own rule."""
    p = tmp_path / "g.csv"
    p.write_text("a,b\n 36 ,1\n1e3,2\n007,3\n", encoding="utf-8")
    df = read_csv_strict(p, {})
    assert df["a"].tolist() == [" 36 ", "1e3", 7] and df["b"].tolist() == [1, 2, 3]


def test_read_csv_strict_message_details(tmp_path):
    """Fails if the shown bytes (4 from the bad one), the garbled example (12 characters from the first
    non-ASCII one; DEL is ASCII), the header excerpt (60 characters, BOM removed) or the suggested
    delimiter (',', tab, '|') change (mutants of read_csv_strict's messages)."""
    p = tmp_path / "a.csv"
    p.write_bytes(b"a,b\n2,bl\xe5abcdef\n")
    assert _msg(read_csv_strict, p, {}) == (
        f"microdata file {p}: not valid utf-8 at byte 8 (line 2, bytes b'\\xe5abc'); declare the file's encoding in "
        "the mapping, e.g. csv: {encoding: latin-1}")
    u = tmp_path / "u.csv"
    u.write_bytes("a,b\n1,\x7fblåbærsyltetøy med mer\n".encode("utf-8"))
    example = "blåbærsyltetøy med mer".encode("utf-8").decode("latin-1")[2:14]
    assert _msg(read_csv_strict, u, {"encoding": "latin-1"}) == (
        f"microdata file {u}: the mapping declares encoding 'latin-1' but the file is UTF-8 (its non-ASCII "
        f"characters decode as UTF-8; read as latin-1 they would be garbled, e.g. {example!r})")
    for header, d, k in (("a,b,c", ",", 2), ("a\tb", "\t", 1), ("a|b|c|d", "|", 3)):
        s = tmp_path / "s.csv"
        s.write_text("\ufeff" + header + "\n1\n", encoding="utf-8")
        assert _msg(read_csv_strict, s, {"delimiter": ";"}) == (
            f"microdata file {s}: read with delimiter ';' the header is one column ({header!r}); it contains "
            f"{k} {d!r}: declare csv: {{delimiter: {d!r}}} in the mapping")
    long = ";".join(f"variabel{i}" for i in range(10))
    s.write_text(long + "\n1\n", encoding="utf-8")
    assert _msg(read_csv_strict, s, {}) == (
        f"microdata file {s}: read with delimiter ',' the header is one column ({long[:60]!r}); it contains 9 ';': "
        "declare csv: {delimiter: ';'} in the mapping")


def test_parse_numbers_mixed_column_with_decimal_comma():
    """Fails if the numbers of a column that also holds text are not read in the declared decimal mark."""
    out = adapter._parse_numbers(pd.Series(["1,5", "x", "-2"]), ",")
    assert out.tolist() == [1.5, "x", -2]


def test_numbers_lists_at_most_five_text_values():
    """Fails if the message of a text weight lists more than five distinct values."""
    raw = _raw(w=["a", "b", "c", "d", "e", "f"][:3]).iloc[:3]
    raw = pd.concat([raw] * 2, ignore_index=True)
    raw["id"] = range(6)
    raw["w"] = ["a", "b", "c", "d", "e", "f"]
    assert _msg(adapter._numbers, raw, "w", "weight", "f") == (
        "f: weight (variable 'w'): value(s) ['a', 'b', 'c', 'd', 'e'] are not plain numbers (nothing is coerced) "
        f"(6 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")


def test_check_mapping_checks_the_bins_of_every_spec():
    """Fails if check_mapping() does not check bins (or names them without file and section), so a
    mapping read by read_mapping / apply_mapping with overlapping bins would pass."""
    m = _mapping()
    m["variables"]["agegrp"]["bins"]["30-44"] = [29, 44]
    assert _msg(check_mapping, m, "m.yml") == (
        "mapping file m.yml: variables.agegrp: bins '15-29' [15, 29] and '30-44' [29, 44] overlap")


def test_whole_number_weights_are_floats():
    """Fails if base weights written as whole numbers are kept as integers (to_numpy(dtype=float) mutants):
    raking multiplies them by fractions."""
    out = apply_mapping(_raw(w=[1, 2, 3]), _mapping(weight="w"))
    assert out["base_weight"].dtype == np.float64 and out["base_weight"].tolist() == [1.0, 2.0, 3.0]


def test_export_coded_by_hand_and_back():
    """Fails if export_coded() changes its documented coding: sources d1.. / q1.., codes the 1-based
    position of each label (sorted for breakdown variables; the scale's order, then extra labels sorted,
    for questions), 99 = not asked with the label 'Ikke spurt', numeric questions 0-10 kept as numbers,
    the personnel variables (workplace, profession) exported; and if the mapping does not read it back."""
    df = pd.DataFrame({"year": [2020.0, 2020.0, 2019.0], "workplace": ["Sykehus", "Kommune", "Sykehus"],
                       "profession": ["Lege", "Sykepleier", "Lege"],
                       "per_emergency": ["Vet ikke", None, "Helt eller ganske enig"],
                       "per_nps_patient": [10.0, np.nan, 3.0]})
    coded, labels, mapping = adapter.export_coded(df, "personnel")
    assert list(coded.columns) == ["respnr", "aar", "d1", "d2", "q1", "q2"]
    assert coded["respnr"].tolist() == [1, 2, 3] and coded["aar"].tolist() == [2020, 2020, 2019]
    assert coded["aar"].dtype == np.int64
    assert coded["d1"].tolist() == [2, 1, 2] and coded["d2"].tolist() == [1, 2, 1]
    assert coded["q1"].tolist() == [3, 99, 1] and coded["q2"].tolist() == [10.0, 99.0, 3.0]
    assert labels == {"d1": {1: "Kommune", 2: "Sykehus"}, "d2": {1: "Lege", 2: "Sykepleier"},
                      "q1": {1: "Helt eller ganske enig", 2: "Helt eller ganske uenig", 3: "Vet ikke",
                             99: "Ikke spurt"}}
    assert mapping == {"survey": "personnel", "id": "respnr", "year": {"source": "aar"}, "weight": None,
                       "variables": {"workplace": {"source": "d1", "codes": {1: "Kommune", 2: "Sykehus"}},
                                     "profession": {"source": "d2", "codes": {1: "Lege", 2: "Sykepleier"}}},
                       "questions": {"per_emergency": {"source": "q1", "codes": {1: "Helt eller ganske enig",
                                                                               2: "Helt eller ganske uenig",
                                                                               3: "Vet ikke"}, "missing": [99]},
                                     "per_nps_patient": {"source": "q2", "numeric": [0, 10], "missing": [99]}}}
    back = apply_mapping(coded, mapping)
    assert back["workplace"].tolist() == ["Sykehus", "Kommune", "Sykehus"]
    assert back["per_emergency"].tolist()[::2] == ["Vet ikke", "Helt eller ganske enig"]
    assert pd.isna(back["per_emergency"].iloc[1]) and np.isnan(back["per_nps_patient"].iloc[1])


def test_export_coded_extra_labels_follow_the_scale():
    """Fails if labels outside the scale (e.g. 'Ikke valgt') are not coded after the scale's, sorted."""
    df = pd.DataFrame({"year": [2022, 2022, 2022], "sex": ["male", "female", "male"],
                       "cit_online_booking": ["Øvrige svar", "Ikke valgt", "Nei"]})
    coded, labels, mapping = adapter.export_coded(df, "citizens")
    assert labels["q1"] == {1: "Ja", 2: "Nei", 3: "Husker ikke", 4: "Ikke valgt", 5: "Øvrige svar", 99: "Ikke spurt"}
    assert coded["q1"].tolist() == [5, 4, 2] and coded["d1"].tolist() == [2, 1, 2]


# ------------------------------------------------------------------ round 3: survivors of the full run


def _cit(variables, questions=None, **over):
    m = {"survey": "citizens", "year": {"value": 2022}, "variables": variables, "questions": questions or {}}
    m.update(over)
    return m


@pytest.mark.parametrize("k", [126, 127, 128, 200])
def test_codes_mapping_with_many_categories(k):
    """A breakdown with k labels (around the int8 limit of the category codes): every row gets its own label,
    the categories keep the mapping's order. Fails if the codes are built as int8 whatever the number of
    categories (128 and more overflow: _categorical mutant `or True`)."""
    codes = {i + 1: f"e{i + 1:03d}" for i in range(k)}
    raw = pd.DataFrame({"id": range(k), "edu": list(range(k, 0, -1))})
    out = apply_mapping(raw, _cit({"education": {"source": "edu", "codes": codes}}, id="id"))
    assert out["education"].tolist() == [f"e{i:03d}" for i in range(k, 0, -1)]
    assert list(out["education"].cat.categories) == [f"e{i:03d}" for i in range(1, k + 1)]


def test_bins_are_closed_at_the_upper_bound_and_follow_the_index():
    """A code equal to a bin's upper bound belongs to that bin ([15, 29] holds 29), and the rows keep their
    order when the raw table has its own index. Fails if the upper bound is open (`u < hi` mutant: 29 would be
    unmapped) or the binned column is built on another index (index=None mutant: the values would not align)."""
    raw = _raw(alder=[29, 44, 120]).set_index(pd.Index([7, 5, 6]))
    out = apply_mapping(raw, _mapping(), file="f")
    assert out["agegrp"].tolist() == ["15-29", "30-44", "45+"]
    assert out["sex"].tolist() == ["female", "male", "female"]
    assert out["cit_helsenorge_nps"].tolist()[:2] == [0.0, 10.0]


def test_a_missing_code_that_also_has_a_label_is_empty():
    """SPSS files label their missing codes too (9 = 'Husker ikke' here): a code declared missing is empty
    even when the mapping gives it a label, both for mapping missing: and for the file's user-missing codes.
    Fails if the label wins (mutant `None if m and False`)."""
    m = _mapping()
    m["questions"]["cit_online_booking"]["codes"] = {1: "Ja", 2: "Nei", 9: "Husker ikke"}
    out = apply_mapping(_raw(), m)
    assert out["cit_online_booking"].tolist()[:2] == ["Ja", "Nei"] and pd.isna(out["cit_online_booking"].iloc[2])
    del m["questions"]["cit_online_booking"]["missing"]
    out = apply_mapping(_raw(), m, {"q1": {9.0}})
    assert out["cit_online_booking"].isna().tolist() == [False, False, True]


def test_a_missing_code_is_not_binned_whatever_the_bins_are_called():
    """A missing code of a binned breakdown is missing, so the weighting variable has a hole and the error
    says so, even with a bin labelled '' (mutant lab = "" for missing codes: the row would fall in that bin)."""
    m = _mapping()
    m["variables"]["agegrp"] = {"source": "alder", "bins": {"": [15, 120]}, "missing": [999]}
    assert _msg(apply_mapping, _raw(alder=[20, 999, 30]), m, file="f") == (
        "f: agegrp (variable 'alder'): weighting/breakdown variable is missing; the book cannot weight these "
        f"respondents (1 row(s), e.g. rows [1], {ROWS})")


def test_a_text_dont_know_code_of_a_numeric_question():
    """A CSV may write "don't know" as text (VI) in a 0-10 question: declared dont_know it is empty, not an error
    about plain numbers. Fails if the dont_know codes are not exempted from the plain-number check (mutants of
    the first dk set: _norm_key(None), `and []`, key None / XXdont_knowXX / DONT_KNOW)."""
    m = _mapping()
    m["questions"]["cit_helsenorge_nps"]["dont_know"] = ["VI"]
    out = apply_mapping(_raw(q2=pd.Series([0, 10, "VI"], dtype=object)), m, file="f.csv")
    assert out["cit_helsenorge_nps"].tolist()[:2] == [0.0, 10.0] and np.isnan(out["cit_helsenorge_nps"].iloc[2])


def test_values_that_are_not_numbers_are_listed_at_most_five():
    """Six distinct text values in a numeric question: the message lists the first five and counts six rows.
    Fails if the list is cut elsewhere ([:6] mutant)."""
    raw = pd.DataFrame({"id": range(6), "aar": 2022, "kj": 1, "alder": 20, "rhf": 1, "q1": 1,
                        "q2": list("abcdef")})
    assert _msg(apply_mapping, raw, _mapping(), file="f") == (
        "f: cit_helsenorge_nps (variable 'q2'): value(s) ['a', 'b', 'c', 'd', 'e'] are not plain numbers (nothing "
        f"is coerced: no spaces, exponents or infinities) (6 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")


def test_variable_list_of_exactly_twelve_has_no_ellipsis():
    """A file with exactly 12 variables lists them all and does not end with '…' (it is not cut).
    Fails if '…' is added at 12 (`>= 12` mutant)."""
    raw = _raw(**{f"x{i}": [0, 0, 0] for i in range(5)})
    assert raw.shape[1] == 12
    m = _mapping(variables={"sex": {"source": "gone", "codes": {1: "female"}}})
    assert _msg(apply_mapping, raw, m, file="f") == (
        "f: sex: source variable 'gone' is not in the file (variables: ['id', 'aar', 'kj', 'alder', 'rhf', 'q1', "
        "'q2', 'x0', 'x1', 'x2', 'x3', 'x4'])")


def test_huge_negative_code_range_is_not_factorised_by_lookup():
    """Codes -1e19 and 0 span far more than SMALL_CODE_RANGE values: the lookup is not used (None) and
    _factor gives pd.factorize's answer. Fails if the range test adds instead of subtracts (hi + lo mutant:
    a lookup table of 1e19 entries cannot be allocated)."""
    col = pd.Series([-1e19, 0.0, -1e19])
    assert adapter._factor_small_codes(col) is None
    codes, uniq = adapter._factor(col)
    assert codes.tolist() == [0, 1, 0] and uniq == [-1e19, 0]


def test_default_file_name_and_mapping_name_in_messages():
    """Without file= the messages name 'microdata'; a mapping that is not a dict, or one without a _file name,
    is named 'mapping'; a mapping carrying its file name (_file) is named by it. Fails if those defaults or
    the _file lookup change (apply_mapping mutants of file=, of the check_mapping name and of isinstance)."""
    assert _msg(apply_mapping, _raw(kj=[1, 3, 3]), _mapping()) == (
        "microdata: sex (variable 'kj'): code(s) ['3'] are not covered by the mapping and not declared missing "
        f"(2 row(s), e.g. rows [1, 2], {ROWS})")
    assert _msg(apply_mapping, _raw(), [1]) == "mapping file mapping: must be a YAML mapping of keys, not list"
    allowed = "allowed keys: survey, id, year, weight, variables, questions, csv, encoding"
    assert _msg(apply_mapping, _raw(), _mapping(sex=1)) == f"mapping file mapping: key 'sex' is not allowed; {allowed}"
    assert _msg(apply_mapping, _raw(), _mapping(_file="m.yml")) == (
        f"mapping file m.yml: key '_file' is not allowed; {allowed}")


def test_year_column_errors_name_the_year():
    """A year column with a missing or text value: the message names 'year', the variable and the file.
    Fails if _numbers gets another name or file (apply_mapping mutants None / XXyearXX / YEAR / file None)."""
    assert _msg(apply_mapping, _raw(aar=[2022, np.nan, 2023]), _mapping(), file="f") == (
        f"f: year (variable 'aar'): value(s) ['nan'] are missing or not finite (1 row(s), e.g. rows [1], {ROWS})")
    assert _msg(apply_mapping, _raw(aar=[2022, "x", 2023]), _mapping(), file="f") == (
        f"f: year (variable 'aar'): value(s) ['x'] are not plain numbers (nothing is coerced) "
        f"(1 row(s), e.g. rows [1], {ROWS})")


def test_years_weights_and_ids_are_listed_at_most_five():
    """Six unknown years, six non-positive weights, six duplicated ids: each message lists five.
    Fails if a list is cut at six ([:6] mutants of apply_mapping)."""
    n = 12
    raw = pd.DataFrame({"id": range(n), "aar": [2001, 2002, 2003, 2004, 2005, 2006] * 2, "kj": 1, "alder": 20,
                        "rhf": 1, "q1": 1, "q2": 0})
    assert _msg(apply_mapping, raw, _mapping(), file="f") == (
        "f: year (variable 'aar'): year(s) ['2001', '2002', '2003', '2004', '2005'] are not waves of citizens "
        f"(waves: [2019, 2020, 2021, 2022, 2023]) (12 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")
    raw["aar"] = 2022
    raw["w"] = [0, -1, -2, -3, -4, -5] * 2
    assert _msg(apply_mapping, raw, _mapping(weight="w"), file="f") == (
        "f: weight (variable 'w'): base weight(s) ['0.0', '-1.0', '-2.0', '-3.0', '-4.0'] are not positive "
        f"(12 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")
    raw["id"] = [1, 2, 3, 4, 5, 6] * 2
    assert _msg(apply_mapping, raw, _mapping(), file="f") == (
        "f: id (variable 'id'): duplicate respondent id(s) ['1', '2', '3', '4', '5'] "
        f"(12 row(s), e.g. rows [0, 1, 2, 3, 4], {ROWS})")


def test_respondent_ids_text_are_normalised_numbers_are_kept():
    """Ids of a text (object) column compare as codes do: 5.0 is the id 5, text stays text; a numeric id column
    is kept as the file's numbers (float ids stay float, nothing converted one by one). Fails if object ids are
    not normalised (mutants `and False`, `!=`, map(None)) or numeric ids are mapped element-wise (`or True`)."""
    out = apply_mapping(_raw(id=pd.Series([5.0, "a", 7], dtype=object)), _mapping())
    assert [str(x) for x in out["resp_id"]] == ["5", "a", "7"]
    out = apply_mapping(_raw(id=[11.0, 12.0, 13.5]), _mapping())
    assert out["resp_id"].dtype == np.float64 and out["resp_id"].tolist() == [11.0, 12.0, 13.5]
    out = apply_mapping(_raw(id=[11.0, 12.0, 13.0]), _mapping())
    assert out["resp_id"].dtype == np.float64


def test_wave_years_from_the_interviews_without_the_registry(monkeypatch):
    """Without the wave registry (ehelse.waves not importable) the waves are the years of the published
    interviews of the survey's reports (citizens2022 -> citizens), sorted, as ints. Fails if the fallback
    reads other columns, strips the report name otherwise, or compares with != (wave_years mutants 4-23)."""
    import sys

    monkeypatch.setitem(sys.modules, "ehelse.waves", None)
    assert adapter.wave_years("citizens") == [2019, 2020, 2021, 2022, 2023]
    assert adapter.wave_years("personnel") == [2019, 2020]
    assert all(type(y) is int for y in adapter.wave_years("personnel"))


def test_read_raw_dispatches_parquet_to_pandas(tmp_path, monkeypatch):
    """A .parquet file (any case of suffix) is read by pandas.read_parquet from its path, with no user-missing
    codes. pyarrow is not installed here, so pandas' reader is replaced by a recorder. Fails if the suffix
    test changes (XX.parquetXX / .PARQUET mutants), the path is not passed (None) or the result is dropped."""
    seen = []

    def fake(path, *a, **kw):
        seen.append(path)
        return pd.DataFrame({"a": [1.0, 2.0]})

    monkeypatch.setattr(pd, "read_parquet", fake)
    for name in ("x.parquet", "y.PARQUET"):
        p = tmp_path / name
        p.write_bytes(b"PAR1")
        raw, um = adapter.read_raw(p)
        assert raw["a"].tolist() == [1.0, 2.0] and um == {}
    assert seen == [tmp_path / "x.parquet", tmp_path / "y.PARQUET"]


def test_read_raw_no_rows_lists_ten_columns(tmp_path):
    """A header of 11 variables and no rows: the message lists the first ten. Fails if cut at 11."""
    h = tmp_path / "h.csv"
    h.write_text(",".join(f"v{i}" for i in range(11)) + "\n", encoding="utf-8")
    assert _msg(adapter.read_raw, h) == (f"microdata file {h} has no rows (columns: "
                                         f"{[f'v{i}' for i in range(10)]})")


def test_sav_missing_codes_several_per_variable_and_exact_error(tmp_path):
    """Several discrete user-missing codes of one variable (97, 98) and a range are all returned (not only the
    last one: `codes =` mutant); an unreadable file names readstat's error type (type(None) mutant)."""
    import pyreadstat

    p = tmp_path / "m.sav"
    df = pd.DataFrame({"a": [1.0, 97.0, 98.0, 5.0, 6.0], "b": [1.0, 2.0, 3.0, 4.0, 5.0]})
    pyreadstat.write_sav(df, str(p), missing_ranges={"a": [97.0, 98.0], "b": [{"lo": 4.0, "hi": 9.0}, 1.0]})
    _, um = adapter.read_raw(p)
    assert um == {"a": {97.0, 98.0}, "b": {1.0, 4.0, 5.0}}
    bad = tmp_path / "bad.sav"
    bad.write_bytes(b"not a sav file at all")
    assert _msg(adapter.read_raw, bad) == (
        f"microdata file {bad}: cannot be read as SPSS .sav: ReadstatError: Unable to read from file")


def test_sav_encoding_override_is_used_on_both_paths(tmp_path):
    """mapping encoding: overrides the file's declared encoding, for a file with text (pyreadstat) and for an
    all-numeric one (the fast path, whose variable names are decoded by the metadata read). A UTF-8 'bø'
    read as LATIN1 is 'bÃ¸'; an unknown encoding is an error that names it. Fails if the encoding is not
    passed on (kw['encoding'] = None, the meta_kw filter XXencodingXX / ENCODING)."""
    import pyreadstat

    num, txt = tmp_path / "n.sav", tmp_path / "t.sav"
    pyreadstat.write_sav(pd.DataFrame({"bø": [1.0, 2.0]}), str(num))
    pyreadstat.write_sav(pd.DataFrame({"bø": [1.0, 2.0], "t": ["blå", "x"]}), str(txt))
    raw, _ = adapter.read_raw(num, {"encoding": "LATIN1"})
    assert list(raw.columns) == ["bÃ¸"] and raw["bÃ¸"].tolist() == [1.0, 2.0]
    raw, _ = adapter.read_raw(txt, {"encoding": "LATIN1"})
    assert list(raw.columns) == ["bÃ¸", "t"] and raw["t"].tolist() == ["blÃ¥", "x"]
    assert list(adapter.read_raw(num)[0].columns) == ["bø"]
    for p in (num, txt):
        assert _msg(adapter.read_raw, p, {"encoding": "klingon"}) == (
            f"microdata file {p}: cannot be read as SPSS .sav with encoding 'klingon': ReadstatError: File has an "
            "unsupported character set")


def test_large_sav_with_text_is_read_with_two_processes(tmp_path, monkeypatch):
    """A .sav the fast path cannot take (a text variable) and larger than MULTIPROCESS_BYTES (lowered to 0
    here) is read by pyreadstat's multiprocessing reader with the same options: user-missing codes kept as
    values and returned, text intact. Fails if that call loses its function, path or options (mutants of the
    read_file_multiprocessing line: None, str(None), **kw dropped)."""
    import pyreadstat

    p = tmp_path / "t.sav"
    pyreadstat.write_sav(pd.DataFrame({"a": [1.0, 2.0, 97.0, 98.0], "t": ["blå", "x", "y", "z"]}), str(p),
                         missing_ranges={"a": [97.0, 98.0]})
    monkeypatch.setattr(adapter, "MULTIPROCESS_BYTES", 0)
    raw, um = adapter.read_raw(p)
    assert raw["a"].tolist() == [1.0, 2.0, 97.0, 98.0] and raw["t"].tolist() == ["blå", "x", "y", "z"]
    assert um == {"a": {97.0, 98.0}}


def test_read_microdata_uses_the_user_missing_codes_and_the_survey(tmp_path):
    """read_microdata passes the .sav's user-missing codes on (99 'not asked' is empty, not an unmapped code)
    and the survey it is read for (a citizens mapping read as personnel is refused). Fails if apply_mapping
    gets user_missing None / omitted or survey None / omitted (read_microdata mutants)."""
    import pyreadstat

    p = tmp_path / "c.sav"
    pyreadstat.write_sav(pd.DataFrame({"kj": [1.0, 2.0], "q1": [1.0, 99.0]}), str(p), missing_ranges={"q1": [99.0]})
    m = _cit({"sex": {"source": "kj", "codes": {1: "female", 2: "male"}}},
             {"cit_online_booking": {"source": "q1", "codes": {1: "Ja", 2: "Nei"}}})
    out = adapter.read_microdata(p, m)
    assert out["sex"].tolist() == ["female", "male"]
    assert out["cit_online_booking"].tolist()[0] == "Ja" and pd.isna(out["cit_online_booking"].iloc[1])
    assert adapter.read_microdata(p, m, survey="citizens")["resp_id"].tolist() == [1, 2]
    assert _msg(adapter.read_microdata, p, m, survey="personnel") == (
        f"{p}: read as 'personnel' microdata, but its mapping is written for survey 'citizens' (mapping key "
        "survey:); configure a mapping for personnel")


def test_factor_small_codes_of_half_precision_codes():
    """Whole-number float16 codes 1 and 60000: the offsets are computed in float64 (60000 - 1 = 59999 is not
    a float16: in float16 it rounds to 60000, the 'empty' slot). Fails if the column is not converted to
    float64 first (to_numpy(dtype=None) / without dtype mutants: 60000 would become empty)."""
    codes, uniq = adapter._factor_small_codes(pd.Series([1, 60000, 1], dtype=np.float16))
    assert codes.tolist() == [0, 1, 0] and uniq == [1, 60000]


def test_a_dont_know_code_of_a_binned_spec_is_empty_not_binned():
    """Don't-know codes of a binned spec (a number inside a bin's range, and a text) are empty answers, as in a
    numeric spec; for a weighting variable that empty answer is the named hole.
    Fails if `dont_know` is ignored when binning (the bug fixed with this test: 11 fell in no bin and was
    reported unmapped, 99 years became '45+', the text code raised a bare TypeError)."""
    m = _mapping()
    m["questions"]["cit_helsenorge_nps"] = {"source": "q2", "bins": {"low": [0, 6], "high": [7, 11]},
                                            "dont_know": [11, "vet ikke"]}
    out = apply_mapping(_raw(q2=[0, 10, 11]), m, file="f")["cit_helsenorge_nps"]
    assert out.tolist()[:2] == ["low", "high"] and pd.isna(out.iloc[2])
    out = apply_mapping(_raw(q2=["0", "10", "vet ikke"]), m, file="f")["cit_helsenorge_nps"]
    assert out.tolist()[:2] == ["low", "high"] and pd.isna(out.iloc[2])
    m["variables"]["agegrp"]["dont_know"] = [99]
    assert _msg(apply_mapping, _raw(alder=[20, 99, 70]), m, file="f") == (
        "f: agegrp (variable 'alder'): weighting/breakdown variable is missing; the book cannot weight these "
        "respondents (1 row(s), e.g. rows [1], counting the first data row as 0)")


def test_integer_codes_beyond_two_to_the_53_stay_distinct():
    """Codes 2**53 and 2**53 + 1 are two values (an id-like code column read as int64).
    Fails if the small-range lookup converts them to float64 first (the bug fixed with this test: they merged)."""
    codes, uniq = adapter._factor(pd.Series([2 ** 53, 2 ** 53 + 1, 2 ** 53], dtype="int64"))
    assert codes.tolist() == [0, 1, 0] and uniq == [2 ** 53, 2 ** 53 + 1]
    codes, uniq = adapter._factor(pd.Series([-(2 ** 53) - 1, -(2 ** 53)], dtype="int64"))
    assert codes.tolist() == [0, 1] and uniq == [-(2 ** 53) - 1, -(2 ** 53)]
