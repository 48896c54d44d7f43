"""ehelse.sphinx_html in-process: the repeated inline <script> elements are removed from a page (and from
every page of a made-up built site), the page context lists each script file once, and setup() connects
exactly these hooks. A fake Sphinx app records connect() calls; nothing of Sphinx runs.

The mutation run (tools/mutate.py --focus sphinx_html) is the demonstration that each test fails on the
bug its docstring names.
"""
import os

import pytest

from ehelse import sphinx_html

THEBE = '<script>\n  const THEBE_JS_URL = "x";\n</script>\n'
PAGE = ("<head><title>Påmelding · søk</title>\n"
        '  <script src="a.js"></script>\n'
        f"{THEBE}"
        '  <script src="a.js"></script>\n'
        f"{THEBE}"
        '  <script src="b.js"></script>\n'
        "</head>\n")
DEDUPED = ("<head><title>Påmelding · søk</title>\n"
           '  <script src="a.js"></script>\n'
           f"{THEBE}"
           '  <script src="b.js"></script>\n'
           "</head>\n")


def test_a_repeated_script_is_kept_once_at_its_first_place():
    """Fails if the first occurrence is removed too, a repeat is kept (the `in seen` test negated, the key
    not recorded) or the surrounding text is touched."""
    assert sphinx_html.dedupe_scripts(PAGE) == DEDUPED
    assert sphinx_html.dedupe_scripts(DEDUPED) == DEDUPED


def test_scripts_that_differ_only_by_indentation_are_the_same():
    """Fails if the key is not stripped (an indented repeat of the same element would stay)."""
    page = "<script>x()</script>\n    <script>x()</script>\n<p>text</p>\n"
    assert sphinx_html.dedupe_scripts(page) == "<script>x()</script>\n<p>text</p>\n"


def test_a_page_without_repeats_is_unchanged():
    """Fails if distinct scripts are merged or text outside scripts changes."""
    page = "<p>a</p>\n<script>a()</script>\n<script>b()</script>\n"
    assert sphinx_html.dedupe_scripts(page) == page


def test_page_context_lists_each_script_file_once_in_order(fake_app):
    """Fails if a repeated script file stays, the first one is dropped, the order changes, a context
    without script_files raises, or the result is not written back into the context."""
    ctx = {"script_files": ["a.js", "b.js", "a.js", "c.js", "b.js"], "other": 1}
    sphinx_html._context(fake_app(), "page", "page.html", ctx, None)
    assert ctx == {"script_files": ["a.js", "b.js", "c.js"], "other": 1}
    empty = {}
    sphinx_html._context(fake_app(), "page", "page.html", empty, None)
    assert empty == {"script_files": []}


def test_page_context_compares_script_files_by_their_text(fake_app):
    """Fails if the key is the object itself rather than its str (two equal-text JavaScript objects of
    Sphinx are distinct objects)."""

    class JS(str):
        __hash__ = object.__hash__

        def __eq__(self, other):
            return self is other

    a1, a2 = JS("a.js"), JS("a.js")
    ctx = {"script_files": [a1, a2]}
    sphinx_html._context(fake_app(), "p", "page.html", ctx, None)
    assert len(ctx["script_files"]) == 1 and ctx["script_files"][0] is a1


def _site(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sub" / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "clean.html").write_text(DEDUPED, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(PAGE, encoding="utf-8")
    return tmp_path


@pytest.fixture
def latin1_locale(monkeypatch):
    """Text files opened without an encoding are read and written as Latin-1 (as on a machine whose locale is
    not UTF-8): pathlib asks io.text_encoding for the encoding when none is given."""
    import io

    real = io.text_encoding
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: real(encoding) if encoding else "latin-1")


def test_a_finished_html_build_dedupes_every_page(tmp_path, latin1_locale, fake_app):
    """Fails if pages in subfolders are skipped, the files are not written back, non-.html files are
    touched, a clean page is rewritten (its modification time is then changed), or the pages are read or
    written in the locale's encoding rather than UTF-8 (the "å" and "·" of the title)."""
    site = _site(tmp_path)
    clean = site / "clean.html"
    os.utime(clean, ns=(1, 1))
    sphinx_html._finished(fake_app(site), None)
    assert (site / "index.html").read_text(encoding="utf-8") == DEDUPED
    assert (site / "sub" / "page.html").read_text(encoding="utf-8") == DEDUPED
    assert (site / "notes.txt").read_text(encoding="utf-8") == PAGE
    assert clean.stat().st_mtime_ns == 1


def test_a_failed_or_non_html_build_is_left_alone(tmp_path, fake_app):
    """Fails if pages are rewritten after a build that raised, or by another builder (the `or` of the
    early return turned into `and`, or a condition negated)."""
    site = _site(tmp_path)
    sphinx_html._finished(fake_app(site), RuntimeError("build failed"))
    sphinx_html._finished(fake_app(site, fmt="latex"), None)
    assert (site / "index.html").read_text(encoding="utf-8") == PAGE


def test_setup_connects_the_page_context_early_and_the_build_end(fake_app):
    """Fails if a hook is not connected, connected to another event, the page-context priority changes,
    or the parallel-safety flags change."""
    app = fake_app()
    assert sphinx_html.setup(app) == {"parallel_read_safe": True, "parallel_write_safe": True}
    assert app.connected == [("html-page-context", sphinx_html._context, 100),
                             ("build-finished", sphinx_html._finished, 500)]
