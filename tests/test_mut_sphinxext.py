"""ehelse.sphinxext in-process with a fake Sphinx app: setup() connects the version footer to config-inited
and the data download to build-finished; the footer text and the config's version are exact; the
download is the data package's zip, written only after a successful HTML build, the same bytes twice.
Nothing of Sphinx runs; datapackage.validate (3 s, tested in tests/test_datapackage.py) is replaced by
a recorder.

The mutation run (tools/mutate.py --focus sphinxext) is the demonstration that each test fails on the bug
its docstring names.
"""
from types import SimpleNamespace

import pytest

from ehelse import datapackage, sphinxext


@pytest.fixture
def version(monkeypatch):
    import ehelse.citation

    monkeypatch.setattr(ehelse.citation, "version", lambda: "3.1.4")
    return "3.1.4"


@pytest.fixture
def validated(monkeypatch):
    calls = []
    monkeypatch.setattr(datapackage, "validate", lambda: calls.append("validate"))
    return calls


def test_setup_connects_both_hooks(fake_app):
    """Fails if a hook is missing, bound to another event, or the parallel-safety flags change."""
    app = fake_app()
    assert sphinxext.setup(app) == {"parallel_read_safe": True, "parallel_write_safe": True}
    assert app.connected == [("config-inited", sphinxext._version_footer, 500),
                             ("build-finished", sphinxext._write_download, 500)]


@pytest.mark.parametrize("options,footer", [
    (None, "Version 3.1.4."),
    ({}, "Version 3.1.4."),
    ({"extra_footer": ""}, "Version 3.1.4."),
    ({"extra_footer": "Made with care."}, "Made with care. Version 3.1.4."),
])
def test_the_footer_gets_the_version_after_any_footer_text(version, options, footer, fake_app):
    """Fails if the version text changes, the existing footer is dropped or not separated by one space,
    an empty footer leaves a leading space, None options raise, or other theme options are lost."""
    config = SimpleNamespace(html_theme_options=None if options is None else {**options, "repository_url": "u"},
                             version="", release="")
    sphinxext._version_footer(fake_app(), config)
    expected = {"extra_footer": footer} if options is None else {"repository_url": "u", "extra_footer": footer}
    assert config.html_theme_options == expected
    assert config.version == "3.1.4" and config.release == "3.1.4"


def test_the_footer_does_not_change_the_callers_options_in_place(version, fake_app):
    """Fails if the theme options dict of the configuration is edited in place rather than copied."""
    options = {"extra_footer": "F"}
    config = SimpleNamespace(html_theme_options=options, version="", release="")
    sphinxext._version_footer(fake_app(), config)
    assert options == {"extra_footer": "F"}
    assert config.html_theme_options == {"extra_footer": "F Version 3.1.4."}


def test_a_finished_html_build_gets_the_data_zip_the_same_bytes_twice(tmp_path, validated, fake_app):
    """Fails if the download is not written, written under another name, not validated first, or not the
    data package's deterministic zip (the same bytes on a second build)."""
    sphinxext._write_download(fake_app(tmp_path / "a"), None)
    sphinxext._write_download(fake_app(tmp_path / "b"), None)
    a = (tmp_path / "a" / "ehelse-data.zip").read_bytes()
    assert a == (tmp_path / "b" / "ehelse-data.zip").read_bytes() == datapackage.zip_bytes()
    assert validated == ["validate", "validate"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["ehelse-data.zip"]


def test_no_zip_after_a_failed_or_non_html_build(tmp_path, validated, fake_app):
    """Fails if the download is written after a build that raised, or by another builder (the `and`
    turned into `or`, a condition negated)."""
    sphinxext._write_download(fake_app(tmp_path / "a"), RuntimeError("failed"))
    sphinxext._write_download(fake_app(tmp_path / "b", fmt="latex"), None)
    sphinxext._write_download(fake_app(tmp_path / "c", fmt="latex"), RuntimeError("failed"))
    assert not any(tmp_path.iterdir()) and validated == []
