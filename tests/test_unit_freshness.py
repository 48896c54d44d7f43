"""The freshness key in-process (ehelse.build.reasons on a tiny book): each input makes exactly the affected
chapters stale, and what is not an input (a README, __pycache__) makes none stale.

tests/test_freshness.py checks the same through `python -m ehelse.build status` in a subprocess, end to
end with microdata; that subprocess imports the unmutated library, so mutation testing cannot see it.
This file is the in-process counterpart (plus the negative cases). Each test was seen to fail on the bug
its docstring names (planted by hand in lib/ehelse/build.py, run, restored).
"""
import json
from pathlib import Path

import pytest

from ehelse import build

CHAPTER = "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n# {name}\n"


@pytest.fixture
def book(tmp_path, monkeypatch, point_build_at):
    """A book of two chapters (one, two) whose executed state is recorded as `execute` records it."""
    root = tmp_path / "book"
    for rel, text in {"lib/ehelse/a.py": "x = 1\n", "data/t.csv": "a\n1\n", "requirements.txt": "pandas\n",
                      "settings.yml": "min_base: 30\n", "README.md": "# read me\n",
                      "notebooks/one.md": CHAPTER.format(name="one"), "notebooks/two.md": CHAPTER.format(name="two"),
                      "notebooks/one.ipynb": "{}", "notebooks/two.ipynb": "{}"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    point_build_at(root)
    mapping = tmp_path / "mapping.yml"  # the settings require a mapping once microdata is configured
    mapping.write_text("{}\n")
    monkeypatch.setenv("EHELSE_MAPPING", str(mapping))
    monkeypatch.setenv("EHELSE_PERSONNEL_MAPPING", str(mapping))
    state = {build._key(md): {"inputs": build.input_hash(md), "notebook": build.notebook_hash(md)}
             for md in build.chapters()}
    build.STATE.write_text(json.dumps(state))
    assert build.stale() == []
    return root


def _stale(root: Path) -> set[str]:
    return {p.stem for p in build.stale()}


@pytest.mark.parametrize("rel,expected", [
    ("settings.yml", {"one", "two"}),
    ("lib/ehelse/a.py", {"one", "two"}),
    ("data/t.csv", {"one", "two"}),
    ("requirements.txt", {"one", "two"}),
    ("notebooks/one.md", {"one"}),
    ("README.md", set()),
])
def test_each_input_makes_exactly_the_affected_chapters_stale(book, rel, expected):
    """Bug: an input left out of the key (settings.yml, lib/, data/, requirements.txt or the chapter text), or a
    non-input put in it. Seen to fail with "settings.yml" and with "data" removed from SHARED_INPUTS, with
    `h.update(md.read_bytes())` removed from input_hash, and with "README.md" added to SHARED_INPUTS."""
    p = book / rel
    p.write_bytes(p.read_bytes() + b"\n# an added comment\n")
    assert _stale(book) == expected


def test_a_new_file_of_lib_makes_every_chapter_stale(book):
    """Bug: only existing files hashed (a new module unnoticed). Seen to fail with _files returning [] for
    directories."""
    (book / "lib" / "ehelse" / "b.py").write_text("y = 2\n")
    assert _stale(book) == {"one", "two"}


def test_bytecode_is_not_an_input(book):
    """Bug: __pycache__ / .pyc in the key (every import would make the book stale). Seen to fail with the
    `"__pycache__" not in f.parts` filter removed from _files."""
    cache = book / "lib" / "ehelse" / "__pycache__"
    cache.mkdir()
    (cache / "a.cpython-311.pyc").write_bytes(b"\0bytecode")
    assert _stale(book) == set()


def test_a_file_renamed_in_lib_changes_the_key(book):
    """Same bytes, other name: the path is part of the key. Seen to fail with the relative path removed
    from the hash update in shared_hash."""
    (book / "lib" / "ehelse" / "a.py").rename(book / "lib" / "ehelse" / "c.py")
    assert _stale(book) == {"one", "two"}


@pytest.mark.parametrize("env", ["EHELSE_MICRODATA", "EHELSE_PERSONNEL_MICRODATA", "EHELSE_MAPPING", "EHELSE_PERSONNEL_MAPPING"])
def test_each_environment_override_makes_every_chapter_stale(book, monkeypatch, env):
    """Bug: an override of the microdata location left out of the key. Seen to fail with ENVIRONMENT
    reduced to ("EHELSE_MICRODATA",)."""
    f = book.parent / "elsewhere.sav"  # the settings check that the file exists; chapters here read no respondents
    f.write_bytes(b"x")
    monkeypatch.setenv(env, str(f))
    assert _stale(book) == {"one", "two"}


def test_a_missing_or_hand_edited_notebook_is_stale_with_its_reason(book):
    """Bug: a deleted or hand-edited .ipynb left as fresh. Seen to fail with the `nb is None` branch and with
    the notebook-hash comparison removed from reasons()."""
    (book / "notebooks" / "one.ipynb").write_text('{"edited": true}')
    (book / "notebooks" / "two.ipynb").unlink()
    why = {p.stem: r for p, r in build.reasons().items()}
    assert why == {"one": "notebook edited by hand (it is regenerated from the .md)", "two": "no notebook"}
