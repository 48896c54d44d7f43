"""settings.yml is a contract: every key validated (name, type, range, allowed values), paths from the root,
environment overrides checked the same way, and the interval / base settings reach every computation."""
import subprocess
import sys

import numpy as np
import pytest
import yaml

from ehelse import ROOT, settings
from ehelse.settings import SettingsError, load, validate


@pytest.fixture
def good() -> dict:
    return yaml.safe_load((ROOT / "settings.yml").read_text(encoding="utf-8"))


def _err(raw, environ=None) -> str:
    with pytest.raises(SettingsError) as e:
        validate(raw, ROOT / "settings.yml", environ or {})
    return str(e.value)


def test_the_committed_settings_are_valid(good):
    s = validate(good, ROOT / "settings.yml", {})
    assert s["min_base"] >= 1 and 0.5 < s["confidence_level"] < 1


@pytest.mark.parametrize("key,value,needle", [
    ("confidence_level", 1.5, "confidence_level must be between 0.5 and 1"),
    ("confidence_level", 0.5, "confidence_level must be between 0.5 and 1"),
    ("confidence_level", "95%", "confidence_level must be a number, not '95%'"),
    ("min_base", -1, "min_base must be an integer >= 1, not -1"),
    ("min_base", 0, "min_base must be an integer >= 1, not 0"),
    ("min_base", 30.5, "min_base must be an integer, not 30.5"),
    ("flag_base", 10, "flag_base (10) must be >= min_base (30)"),
    ("ci_method", "wald", "ci_method = 'wald' is not allowed; allowed values: logit, wilson, korn_graubard"),
    ("multiple_comparisons", "fdr", "multiple_comparisons = 'fdr' is not allowed; allowed values: fdr_bh, holm"),
    ("synthetic_seed", "x", "synthetic_seed must be an integer, not 'x'"),
])
def test_bad_values_name_the_key_and_value(good, key, value, needle):
    good[key] = value
    msg = _err(good)
    assert needle in msg and "settings.yml" in msg


def test_published_deff_must_be_positive_and_finite(good):
    good["published_deff"]["citizens"] = 0
    assert "published_deff.citizens must be > 0, not 0" in _err(good)
    good["published_deff"]["citizens"] = float("inf")
    assert "published_deff.citizens must be finite, not inf" in _err(good)
    good["published_deff"]["citizen"] = 1.2
    good["published_deff"]["citizens"] = 1.3
    assert "key published_deff.citizen is not allowed; allowed keys under published_deff: citizens, personnel" in _err(good)


def test_a_typo_is_an_error_naming_the_key_and_the_allowed_keys(good):
    good["microdata"]["citizen"] = "private/x.sav"
    msg = _err(good)
    assert "key microdata.citizen is not allowed" in msg
    assert "citizens, personnel, mapping, personnel_mapping" in msg
    good["microdata"].pop("citizen")
    good["min_bas"] = 30
    assert "key min_bas is not allowed; allowed keys: microdata, min_base" in _err(good)


def test_paths_are_resolved_from_the_repository_root(good, tmp_path, monkeypatch):
    """The README's `private/…` example: a relative path means the repository root, from any folder."""
    private = ROOT / "private"
    created = not private.exists()
    private.mkdir(exist_ok=True)
    f = private / "test-settings-path.sav"
    m = private / "test-settings-mapping.yml"
    try:
        f.write_bytes(b"x")
        m.write_text("survey: citizens\n")
        good["microdata"].update(citizens="private/test-settings-path.sav", mapping="private/test-settings-mapping.yml")
        monkeypatch.chdir(tmp_path)
        s = validate(good, ROOT / "settings.yml", {})
        assert s["microdata"]["citizens"] == f.resolve() and s["microdata"]["mapping"] == m.resolve()
    finally:
        f.unlink(missing_ok=True)
        m.unlink(missing_ok=True)
        if created:
            private.rmdir()


def test_a_configured_file_that_does_not_exist_is_an_error(good):
    good["microdata"]["personnel"] = "private/none.sav"
    msg = _err(good)
    assert "microdata.personnel = 'private/none.sav'" in msg and str(ROOT / "private" / "none.sav") in msg
    good["microdata"]["personnel"] = None
    good["microdata"]["mapping"] = "private/none.yml"
    assert "microdata.mapping = 'private/none.yml'" in _err(good)


@pytest.mark.parametrize("env", ["EHELSE_MICRODATA", "EHELSE_PERSONNEL_MICRODATA", "EHELSE_MAPPING",
                                 "EHELSE_PERSONNEL_MAPPING"])
def test_environment_overrides_are_validated(good, env, tmp_path):
    missing = tmp_path / "gone.sav"
    msg = _err(good, {env: str(missing)})
    assert f"environment variable {env}" in msg and str(missing) in msg and "does not exist" in msg


def test_microdata_without_a_mapping_is_an_error(good, tmp_path):
    f = tmp_path / "x.sav"
    f.write_bytes(b"x")
    msg = _err(good, {"EHELSE_MICRODATA": str(f)})
    assert "microdata.citizens is configured" in msg and "no mapping file" in msg


def test_broken_yaml_names_file_and_line(tmp_path):
    p = tmp_path / "settings.yml"
    p.write_text("min_base: 30\nflag_base: [100\nci_method: logit\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=rf"{p} line \d+: YAML syntax error"):
        load(p)


def test_build_checks_the_settings_before_running(tmp_path):
    """`python -m ehelse.build execute` stops on an invalid setting before executing anything."""
    import os
    import shutil

    root = tmp_path / "book"
    shutil.copytree(ROOT / "lib", root / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "notebooks").mkdir()
    text = (ROOT / "settings.yml").read_text(encoding="utf-8").replace("confidence_level: 0.95", "confidence_level: 1.5")
    (root / "settings.yml").write_text(text, encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "ehelse.build", "execute"], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "EHELSE_ROOT": str(root)})
    assert res.returncode != 0
    assert "confidence_level must be between 0.5 and 1" in res.stderr and "execute:" not in res.stdout


def test_interval_settings_reach_every_interval(monkeypatch):
    """confidence_level and ci_method change published intervals, NPS intervals and microdata intervals."""
    from conftest import make_sample

    from ehelse import estimates, nps
    from ehelse.weighting import rake

    base = settings.load()
    wide = {**base, "confidence_level": 0.99, "ci_method": "wilson"}
    lo95, hi95 = estimates.published_share_ci(40, 500, 1.0, level=0.95, method="logit")
    monkeypatch.setattr(settings, "load", lambda path=None: wide)
    lo, hi = estimates.published_share_ci(40, 500, 1.0)
    wlo, whi = estimates.published_share_ci(40, 500, 1.0, level=0.99, method="wilson")
    assert (lo, hi) == (wlo, whi) and hi - lo > hi95 - lo95
    r = nps.nps_from_shares(50, 20, 500)
    z = r["ci_high"] - r["nps"]
    assert np.isclose(z / r["se"], 2.5758, atol=1e-3)
    df = make_sample(400, 3)
    margins = {v: df[v].value_counts().to_dict() for v in ("sex", "agegrp")}
    d = estimates.design(df, rake(df, margins))
    s = estimates.shares(d, "q")
    explicit = estimates.shares(d, "q", level=0.99, ci="wilson")
    assert np.allclose(s["ci_low"], explicit["ci_low"]) and np.allclose(s["ci_high"], explicit["ci_high"])
    t = estimates.suppress(s.assign(n_eff=[10, 50, 200, 200, 200, 200][:len(s)]))
    assert t["flag"].iloc[0].startswith(f"base < {base['min_base']}")


def test_caption_states_the_configured_level(monkeypatch, request):
    from ehelse import figures
    from ehelse.data import inventory

    s90 = {**load(), "confidence_level": 0.9, "ci_method": "wilson"}
    monkeypatch.setattr(settings, "load", lambda path=None: s90)
    figures._table.cache_clear()  # tables are cached per process: compute them with these settings, then forget them
    request.addfinalizer(figures._table.cache_clear)
    fid = next(f for f in inventory()["figure_id"] if figures.chart_kind(f) == "line"
               and figures.table(f)["ci_low"].notna().any())
    text = figures.caption(fid).data
    assert "90 % intervals" in text and "Wilson" in text and "95 %" not in text
