"""In-process unit tests of ehelse.settings written against its mutants (issue 17).

Every error is asserted on its full text (file, key, value, what is allowed), so that a message
mutated to 'XX…XX', to upper case or with a part dropped is caught.
"""
import copy
import re
from pathlib import Path

import pytest
import yaml

from ehelse import ROOT, settings
from ehelse.settings import SettingsError, validate

P = Path("/tmp/book/settings.yml")  # named in messages only; never read


@pytest.fixture
def good() -> dict:
    return yaml.safe_load((ROOT / "settings.yml").read_text(encoding="utf-8"))


def _msg(raw, environ=None) -> str:
    with pytest.raises(SettingsError) as e:
        validate(raw, P, environ or {})
    return str(e.value)


def test_level_percent_of_given_and_loaded_settings(monkeypatch):
    """Fails if the caption level is not 100 x the level printed with :g ('/' for '*', 101) or if the
    given settings are ignored for the loaded ones (interval(None))."""
    assert settings.level_percent({"confidence_level": 0.9, "ci_method": "wilson"}) == "90 %"
    assert settings.level_percent({"confidence_level": 0.995, "ci_method": "logit"}) == "99.5 %"
    monkeypatch.setattr(settings, "load", lambda path=None: {"confidence_level": 0.8, "ci_method": "logit"})
    assert settings.level_percent() == "80 %"
    assert settings.interval() == {"level": 0.8, "method": "logit"}


def test_real_microdata_for_either_survey(monkeypatch):
    """Fails if personnel microdata alone does not count as real microdata (key 'personnel' mutated)."""
    m = {"citizens": None, "personnel": None, "mapping": None, "personnel_mapping": None}
    assert settings.real_microdata({"microdata": m}) is False
    assert settings.real_microdata({"microdata": {**m, "personnel": Path("p.sav")}}) is True
    assert settings.real_microdata({"microdata": {**m, "citizens": Path("c.sav")}}) is True
    assert settings.real_microdata({"microdata": {**m, "mapping": Path("m.yml")}}) is False
    monkeypatch.setattr(settings, "load", lambda path=None: {"microdata": {**m, "personnel": Path("p.sav")}})
    assert settings.real_microdata() is True


def test_bases_of_given_and_loaded_settings(monkeypatch):
    """Fails if bases() returns other keys or values than min_base / flag_base, or ignores given settings."""
    assert settings.bases({"min_base": 5, "flag_base": 7, "x": 1}) == {"min_base": 5, "flag_base": 7}
    monkeypatch.setattr(settings, "load", lambda path=None: {"min_base": 3, "flag_base": 4})
    assert settings.bases() == {"min_base": 3, "flag_base": 4}


def test_validate_returns_the_settings_with_resolved_microdata(good):
    """Fails if validate() changes a valid value, or the microdata dict lacks any key (None when unset)."""
    s = validate(copy.deepcopy(good), P, {})
    assert s == {**good, "microdata": {"citizens": None, "personnel": None, "mapping": None,
                                       "personnel_mapping": None}}


def test_file_level_and_missing_key_messages(good):
    """Fails if the messages for a file that is no mapping, an unknown top key or a missing key change
    (mutants of _allowed_keys and of the missing-key check)."""
    assert _msg([1, 2]) == f"{P}: the file must be a mapping of keys, not [1, 2]"
    assert _msg(None) == (f"{P}: key microdata is missing (every key is required: microdata, min_base, flag_base, "
                          "confidence_level, ci_method, multiple_comparisons, published_deff, synthetic_seed)")
    g = copy.deepcopy(good)
    del g["ci_method"]
    assert _msg(g).startswith(f"{P}: key ci_method is missing (")
    g = copy.deepcopy(good)
    g["zzz"] = 1
    assert _msg(g) == (f"{P}: key zzz is not allowed; allowed keys: microdata, min_base, flag_base, confidence_level, "
                       "ci_method, multiple_comparisons, published_deff, synthetic_seed")
    g = copy.deepcopy(good)
    g["microdata"] = "private/x.sav"
    assert _msg(g) == f"{P}: microdata must be a mapping of keys, not 'private/x.sav'"
    g = copy.deepcopy(good)
    g["microdata"]["citizen"] = None
    assert _msg(g) == (f"{P}: key microdata.citizen is not allowed; allowed keys under microdata: citizens, "
                       "personnel, mapping, personnel_mapping")


def test_empty_microdata_section_means_none_configured(good):
    """Fails if `microdata:` left empty (None) is an error instead of 'nothing configured'."""
    good["microdata"] = None
    assert validate(good, P, {})["microdata"] == {"citizens": None, "personnel": None, "mapping": None,
                                                  "personnel_mapping": None}


@pytest.mark.parametrize("key,value,expected", [
    ("min_base", True, "min_base must be an integer, not True"),
    ("min_base", 30.0, "min_base must be an integer, not 30.0"),
    ("min_base", "30", "min_base must be an integer, not '30'"),
    ("min_base", 0, "min_base must be an integer >= 1, not 0"),
    ("flag_base", 29, "flag_base (29) must be >= min_base (30)"),
    ("flag_base", 1.5, "flag_base must be an integer, not 1.5"),
    ("confidence_level", 1, "confidence_level must be between 0.5 and 1 (exclusive), not 1"),
    ("confidence_level", 0.5, "confidence_level must be between 0.5 and 1 (exclusive), not 0.5"),
    ("confidence_level", float("nan"), "confidence_level must be finite, not nan"),
    ("confidence_level", False, "confidence_level must be a number, not False"),
    ("confidence_level", None, "confidence_level must be a number, not None"),
    ("ci_method", "Logit", "ci_method = 'Logit' is not allowed; allowed values: logit, wilson, korn_graubard"),
    ("multiple_comparisons", None,
     "multiple_comparisons = None is not allowed; allowed values: fdr_bh, holm, bonferroni, none"),
    ("synthetic_seed", -1, "synthetic_seed must be an integer >= 0, not -1"),
    ("synthetic_seed", 1.0, "synthetic_seed must be an integer, not 1.0"),
    ("published_deff", [1.3], "published_deff must be a mapping of keys, not [1.3]"),
])
def test_each_bad_value_message_in_full(good, key, value, expected):
    """Fails if a range, type or allowed-value check moves or its message changes (mutants of validate
    and _number: comparisons, integer flag, message text)."""
    good[key] = value
    assert _msg(good) == f"{P}: {expected}"


@pytest.mark.parametrize("key,value,ok", [
    ("min_base", 1, True), ("flag_base", 30, True), ("confidence_level", 0.51, True),
    ("confidence_level", 0.999, True), ("synthetic_seed", 0, True), ("ci_method", "korn_graubard", True),
    ("ci_method", "wilson", True), ("multiple_comparisons", "none", True), ("multiple_comparisons", "holm", True),
    ("multiple_comparisons", "bonferroni", True),
])
def test_values_at_the_boundaries_are_accepted(good, key, value, ok):
    """Fails if a boundary value that the schema allows is refused (>= turned into >, allowed lists cut)."""
    good[key] = value
    if key == "min_base":
        good["flag_base"] = max(good["flag_base"], value)
    assert validate(good, P, {})[key] == value


def test_published_deff_messages(good):
    """Fails if a missing, non-positive or non-numeric design effect of either survey passes or its
    message changes; a deff of exactly 0 is refused, a tiny positive one accepted."""
    g = copy.deepcopy(good)
    del g["published_deff"]["personnel"]
    assert _msg(g) == f"{P}: published_deff.personnel is missing"
    g = copy.deepcopy(good)
    g["published_deff"]["personnel"] = -0.5
    assert _msg(g) == f"{P}: published_deff.personnel must be > 0, not -0.5"
    g["published_deff"]["personnel"] = "1"
    assert _msg(g) == f"{P}: published_deff.personnel must be a number, not '1'"
    g["published_deff"]["personnel"] = 1e-9
    assert validate(g, P, {})["published_deff"] == {"citizens": 1.3, "personnel": 1e-9}


def test_paths_and_environment_messages(good, tmp_path):
    """Fails if a non-text path, a missing file or a missing mapping passes, or their messages change;
    or if an environment override is not used / an empty one is not ignored (mutants of resolve_path
    and of the microdata loop)."""
    g = copy.deepcopy(good)
    g["microdata"]["citizens"] = 5
    assert _msg(g) == f"{P}: microdata.citizens must be a file path (text), not 5"
    g["microdata"]["citizens"] = ""
    assert validate(copy.deepcopy(g), P, {})["microdata"]["citizens"] is None
    sav = tmp_path / "c.sav"
    sav.write_bytes(b"x")
    mp = tmp_path / "m.yml"
    mp.write_text("survey: citizens\n")
    g["microdata"]["personnel"] = str(sav)
    assert _msg(g) == (f"{P}: microdata.personnel is configured ({sav.resolve()}) but no mapping file is "
                       "(microdata.personnel_mapping / microdata.mapping or EHELSE_PERSONNEL_MAPPING / EHELSE_MAPPING)")
    g["microdata"]["personnel"] = None
    assert _msg(g, {"EHELSE_MICRODATA": str(sav)}) == (
        f"{P}: microdata.citizens is configured ({sav.resolve()}) but no mapping file is "
        "(microdata.mapping / microdata.mapping or EHELSE_MAPPING / EHELSE_MAPPING)")
    gone = tmp_path / "gone.yml"
    assert _msg(g, {"EHELSE_MAPPING": str(gone)}) == (
        f"environment variable EHELSE_MAPPING: mapping = {str(gone)!r}: the file {gone} does not exist")
    s = validate(copy.deepcopy(g), P, {"EHELSE_PERSONNEL_MICRODATA": str(sav), "EHELSE_PERSONNEL_MAPPING": str(mp),
                                       "EHELSE_MICRODATA": ""})
    assert s["microdata"] == {"citizens": None, "personnel": sav.resolve(), "mapping": None,
                              "personnel_mapping": mp.resolve()}
    # the personnel survey may use the common mapping
    s = validate(copy.deepcopy(g), P, {"EHELSE_PERSONNEL_MICRODATA": str(sav), "EHELSE_MAPPING": str(mp)})
    assert s["microdata"]["mapping"] == mp.resolve() and s["microdata"]["personnel_mapping"] is None
    g["microdata"]["mapping"] = str(tmp_path / "none.yml")
    assert _msg(g) == (f"{P}: microdata.mapping = {str(tmp_path / 'none.yml')!r}: "
                       f"the file {tmp_path / 'none.yml'} does not exist")


def test_resolve_path_relative_to_root_and_home(tmp_path, monkeypatch):
    """Fails if relative paths are not read from the repository root, ~ is not expanded, or None is not
    'not configured'."""
    assert settings.resolve_path(None, "k", "src") is None
    assert settings.resolve_path("settings.yml", "k", "src") == (ROOT / "settings.yml").resolve()
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "f.sav").write_bytes(b"x")
    assert settings.resolve_path("~/f.sav", "k", "src") == (tmp_path / "f.sav").resolve()
    with pytest.raises(SettingsError, match="^" + re.escape("src: k must be a file path (text), not ['a']") + "$"):
        settings.resolve_path(["a"], "k", "src")


def test_read_and_load_errors(tmp_path):
    """Fails if read() / load() lose their messages: missing file, not UTF-8, YAML syntax error with
    its 1-based line."""
    gone = tmp_path / "gone.yml"
    with pytest.raises(SettingsError, match="^" + re.escape(f"settings file {gone} does not exist") + "$"):
        settings.read(gone)
    with pytest.raises(SettingsError, match="^" + re.escape(f"settings file {gone} does not exist") + "$"):
        settings.load(gone)
    bad = tmp_path / "latin1.yml"
    bad.write_bytes("min_base: 30 # bl\xe5\n".encode("latin-1"))
    with pytest.raises(SettingsError, match="^" + re.escape(f"{bad}: not UTF-8 text (") + ".*codec can't decode"):
        settings.read(bad)
    broken = tmp_path / "broken.yml"
    broken.write_text("a: 1\nb: [2\nc: 3\n", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        settings.read(broken)
    assert str(e.value) == f"{broken} line 3: YAML syntax error: expected ',' or ']', but got ':'"
    tab = tmp_path / "tab.yml"
    tab.write_text("a: 1\n\tb: 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="^" + re.escape(f"{tab} line 2: YAML syntax error: ")):
        settings.read(tab)
    ok = tmp_path / "ok.yml"
    ok.write_text("a: [1, 2]\nb: blå\n", encoding="utf-8")
    assert settings.read(ok) == {"a": [1, 2], "b": "blå"}


def test_load_validates_and_returns_a_copy(tmp_path, good, monkeypatch):
    """Fails if load() does not validate the given file, does not apply the environment, or returns the
    cached dict itself (a caller's change would leak into the next load)."""
    p = tmp_path / "settings.yml"
    good["min_base"] = 7
    good["flag_base"] = 8
    p.write_text(yaml.safe_dump(good), encoding="utf-8")
    for env in settings.ENVIRONMENT.values():
        monkeypatch.delenv(env, raising=False)
    s = settings.load(p)
    assert s["min_base"] == 7 and s["flag_base"] == 8
    s["min_base"] = 99
    s["published_deff"]["citizens"] = 9
    again = settings.load(p)
    assert again["min_base"] == 7 and again["published_deff"]["citizens"] == 1.3
    sav = tmp_path / "x.sav"
    sav.write_bytes(b"x")
    monkeypatch.setenv("EHELSE_PERSONNEL_MICRODATA", str(sav))
    with pytest.raises(SettingsError, match=re.escape(f"{p}: microdata.personnel is configured")):
        settings.load(p)
    monkeypatch.delenv("EHELSE_PERSONNEL_MICRODATA")
    good["min_base"] = 0
    p.write_text(yaml.safe_dump(good), encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(f"{p}: min_base must be an integer >= 1, not 0")):
        settings.load(p)


def test_a_yaml_error_without_position_is_named_without_a_line(tmp_path):
    """Fails if a YAML error that carries no problem_mark / problem (a reader error: a control
    character) crashes read() or gets a made-up line (mutants of the mark / problem fallbacks)."""
    p = tmp_path / "ctl.yml"
    p.write_text("min_base: \x07\n", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        settings.read(p)
    assert str(e.value) == (f"{p}: YAML syntax error: unacceptable character #x0007: special characters are not "
                            "allowed\n  in \"<unicode string>\", position 10")


def test_validate_reads_the_process_environment_by_default(good, tmp_path, monkeypatch):
    """Fails if validate() without `environ` ignores os.environ (the default of environ)."""
    gone = tmp_path / "gone.sav"
    monkeypatch.setenv("EHELSE_MICRODATA", str(gone))
    with pytest.raises(SettingsError) as e:
        validate(good, P)
    assert str(e.value) == (f"environment variable EHELSE_MICRODATA: citizens = {str(gone)!r}: the file {gone} "
                            "does not exist")


def test_read_is_utf8_whatever_the_locale(tmp_path, monkeypatch):
    """Fails if settings.yml is read in the locale's encoding (mutant read_text(encoding=None)): under a
    non-UTF-8 locale (made ASCII here, as LANG=C without UTF-8 mode) 'blå' would not decode."""
    import io

    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: "ascii" if encoding is None else encoding)
    p = tmp_path / "settings.yml"
    p.write_bytes("a: blå\n".encode("utf-8"))
    assert settings.read(p) == {"a": "blå"}
