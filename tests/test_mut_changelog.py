"""ehelse.changelog in-process on a made-up CHANGELOG.md, expected.csv, released.csv and pyproject.toml
(tmp_path): the release headings, the Unreleased section, the changed rows, the names a section gives,
the changes not named, the release step and the command line, with exact strings.

tests/test_datapackage.py checks the real changelog; this file checks each rule on a case small enough
to work out by hand. The mutation run (tools/mutate.py --focus changelog) is the demonstration that each
test fails on the bug its docstring names.
"""
import datetime as dt
import hashlib

import pandas as pd
import pytest

from ehelse import changelog

SHA_A, SHA_B = "a" * 64, "0123456789abcdef" * 4
CHANGELOG = f"""# Changelog

Intro text naming `claim_value:A2` outside any section.

## Unreleased

- `claim_value:A*` moved (før);
  `chart_source:C1` dropped. Not names: `Foo:bar`, `x: y`, `claim_value`.

## [0.2.0] 2026-01-31 · released.csv sha256 {SHA_A}

- `chart_source:C2` (an old section's name does not count)

## [0.1.0] 2025-12-01 · released.csv sha256 {SHA_B}
## [0.0.9] 2025-11-01 · released.csv sha256 tooshort
"""
RELEASED = "kind,key,value\nclaim_value,A1,1.0\nclaim_value,A2,2.0\nclaim_value,A3,NA\nclaim_compared,A1,1.0\n" \
           "claim_verdict,A1,holds\nchart_source,C1,report\n"
EXPECTED = "kind,key,value\nclaim_value,A1,1.0\nclaim_value,A2,2.5\nclaim_value,A3,NA\nclaim_compared,A1,1.00\n" \
           "claim_verdict,A1,holds\nchart_source,C2,report\n"
#: The changes of EXPECTED against RELEASED, worked out by hand: C1 removed, C2 added, A1's compared value
#: written otherwise (values are compared as text), A2 changed; sorted by kind, then key.
CHANGES = [("chart_source", "C1", "report", "(none)"), ("chart_source", "C2", "(none)", "report"),
           ("claim_compared", "A1", "1.0", "1.00"), ("claim_value", "A2", "2.0", "2.5")]


PYPROJECT = '[project]\nname = "x"\nversion = "0.2.0"\ndescription = "Bøker"\n\n[tool.other]\nversion = "7"\n'


@pytest.fixture
def latin1_locale(monkeypatch):
    """Text files opened without an encoding are read and written as Latin-1 (as on a machine whose locale is
    not UTF-8): pathlib asks io.text_encoding for the encoding when none is given."""
    import io

    real = io.text_encoding
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: real(encoding) if encoding else "latin-1")


def _frame(rows):
    return pd.DataFrame(rows, columns=["kind", "key", "old", "new"])


@pytest.fixture
def book(tmp_path, monkeypatch):
    """changelog's files pointed at made-up copies; `changes` (whose defaults are bound at import) redirected."""
    files = {"CHANGELOG": ("CHANGELOG.md", CHANGELOG), "EXPECTED": ("expected.csv", EXPECTED),
             "RELEASED": ("released.csv", RELEASED),
             "PYPROJECT": ("pyproject.toml", PYPROJECT)}
    for attr, (name, text) in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        monkeypatch.setattr(changelog, attr, tmp_path / name)
    return tmp_path


def test_releases_newest_first_with_version_date_and_hash():
    """Fails if releases() drops or reorders headings, or keeps one whose hash is not 64 hex digits."""
    assert changelog.releases(CHANGELOG) == [{"version": "0.2.0", "date": "2026-01-31", "sha": SHA_A},
                                             {"version": "0.1.0", "date": "2025-12-01", "sha": SHA_B}]


def test_releases_and_unreleased_read_the_changelog_by_default(book, latin1_locale):
    """Fails if the `text is None` default reads nothing or another file, or reads it in the locale's
    encoding rather than UTF-8 (the headings' "·", the section's "ø"; mutants of the default branch)."""
    assert [r["version"] for r in changelog.releases()] == ["0.2.0", "0.1.0"]
    assert changelog.unreleased() == changelog.unreleased(CHANGELOG)
    assert changelog.releases("") == [] and changelog.unreleased("") == ""


def test_unreleased_is_the_text_up_to_the_next_heading():
    """Fails if the section stops at the first line (no re.S), starts at a heading not at a line start (no
    re.M), runs past the next `## ` heading, or a missing section raises instead of giving ""."""
    assert changelog.unreleased(CHANGELOG) == ("\n- `claim_value:A*` moved (før);\n"
                                               "  `chart_source:C1` dropped. Not names: `Foo:bar`, `x: y`, "
                                               "`claim_value`.\n\n")
    assert changelog.unreleased("# C\n## Unreleased\nlast section\n") == "\nlast section\n"
    assert changelog.unreleased("# C\n\n## Released\n- a\n") == ""
    assert changelog.unreleased("text ## Unreleased\n- a\n") == ""


def test_named_takes_kind_colon_key_in_backticks_only():
    """Fails if named() accepts names without a lower-case kind, with a space, or without backticks."""
    assert changelog.named(changelog.unreleased(CHANGELOG)) == ["claim_value:A*", "chart_source:C1"]
    assert changelog.named("claim_value:A1 `publisher_claim_verdict:PUB0[1-9]`") == ["publisher_claim_verdict:PUB0[1-9]"]


def test_changes_are_added_removed_and_changed_rows_as_text(book):
    """Fails if rows present in only one file are dropped (inner merge), unchanged rows are listed, "NA" is
    read as missing (then NA != NA lists it), values are compared as numbers, the "(none)" filler or
    the column names change, or the rows are not sorted by kind and key."""
    got = changelog.changes(book / "expected.csv", book / "released.csv")
    pd.testing.assert_frame_equal(got, _frame(CHANGES))


def test_changes_show_old_and_new_values_as_written(tmp_path):
    """Fails if the files are not read as text (dtype=str dropped): an all-number value column would be
    read as floats and "39.0000" shown as 39.0."""
    (tmp_path / "old.csv").write_text("kind,key,value\nclaim_value,A1,39.0000\nclaim_value,A2,5.0000\n")
    (tmp_path / "new.csv").write_text("kind,key,value\nclaim_value,A1,39.5000\nclaim_value,A2,5.0000\n")
    got = changelog.changes(tmp_path / "new.csv", tmp_path / "old.csv")
    pd.testing.assert_frame_equal(got, _frame([("claim_value", "A1", "39.0000", "39.5000")]))


def test_changes_of_a_file_against_itself_are_none(book):
    """Fails if an unchanged row is ever listed (the `!=` comparison or the `|` of the filter mutated)."""
    got = changelog.changes(book / "expected.csv", book / "expected.csv")
    assert got.empty and list(got.columns) == ["kind", "key", "old", "new"]


def test_unlisted_are_the_changes_the_unreleased_section_does_not_name(book):
    """Fails if a pattern does not match (fnmatch), matches case-insensitively, a name from outside the
    Unreleased section counts, or the named changes are kept instead of the others."""
    got = changelog.unlisted(CHANGELOG, book / "expected.csv", book / "released.csv")
    pd.testing.assert_frame_equal(got, _frame([CHANGES[1], CHANGES[2]]))
    upper = CHANGELOG.replace("`chart_source:C1`", "`chart_source:c1`")
    got = changelog.unlisted(upper, book / "expected.csv", book / "released.csv")
    assert list(got["key"]) == ["C1", "C2", "A1"]


def test_sha256_is_the_hex_digest_of_the_file(tmp_path):
    """Fails if sha256() hashes something else than the file's bytes or returns another encoding."""
    p = tmp_path / "f.csv"
    p.write_bytes(b"kind,key,value\n")
    assert changelog.sha256(p) == hashlib.sha256(b"kind,key,value\n").hexdigest()


def test_release_snapshots_records_the_hash_and_sets_the_version(book, monkeypatch, latin1_locale):
    """Fails if release() does not copy expected.csv to released.csv, writes another heading (version,
    ISO date, hash of the new snapshot), loses the Unreleased heading, changes more than the first
    Unreleased heading or more than pyproject's first `version =` line, swallows the blank line between
    the new heading and its items, or reads or writes CHANGELOG.md or pyproject.toml in the locale's
    encoding rather than UTF-8."""
    real = changelog.sha256
    # sha256()'s default path is bound at import to the book's released.csv: hash the made-up snapshot instead
    monkeypatch.setattr(changelog, "sha256", lambda path=book / "released.csv": real(path))
    text = CHANGELOG + "\n## Unreleased\n(a second, stray heading)\n"
    (book / "CHANGELOG.md").write_text(text, encoding="utf-8")
    changelog.release("1.0.0", dt.date(2026, 2, 3))
    assert (book / "released.csv").read_text(encoding="utf-8") == EXPECTED
    sha = hashlib.sha256(EXPECTED.encode()).hexdigest()
    heading = f"## [1.0.0] 2026-02-03 · released.csv sha256 {sha}"
    assert (book / "CHANGELOG.md").read_text(encoding="utf-8") == text.replace(
        "## Unreleased\n", f"## Unreleased\n\n{heading}\n", 1)  # the blank line before the items stays
    assert changelog.releases()[0] == {"version": "1.0.0", "date": "2026-02-03", "sha": sha}
    assert (book / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT.replace('"0.2.0"', '"1.0.0"')


def test_release_is_dated_today_by_default(book, monkeypatch):
    """Fails if the default date is not today's (the `date or today()` fallback mutated)."""
    real = changelog.sha256
    monkeypatch.setattr(changelog, "sha256", lambda path=book / "released.csv": real(path))

    class Date(dt.date):
        @classmethod
        def today(cls):
            return cls(2030, 4, 5)

    monkeypatch.setattr(changelog.dt, "date", Date)
    changelog.release("1.1.0")
    assert changelog.releases()[0]["date"] == "2030-04-05"


def test_main_release_needs_a_version(book, capsys):
    """Fails if `release` without a version is accepted or the error message changes."""
    with pytest.raises(SystemExit) as e:
        changelog.main(["release"])
    assert e.value.code == 2
    assert capsys.readouterr().err == ("usage: python -m ehelse.changelog [-h] [{check,release}] [version]\n"
                                       "python -m ehelse.changelog: error: release needs a version\n")
    with pytest.raises(SystemExit):
        changelog.main(["publish"])


def test_main_release_writes_and_says_so(book, monkeypatch, capsys):
    """Fails if `release X` does not release X, prints another line or returns non-zero."""
    real = changelog.sha256
    monkeypatch.setattr(changelog, "sha256", lambda path=book / "released.csv": real(path))
    assert changelog.main(["release", "2.0.0"]) == 0
    assert capsys.readouterr().out == "released 2.0.0\n"
    assert changelog.releases()[0]["version"] == "2.0.0"
    assert 'version = "2.0.0"' in (book / "pyproject.toml").read_text(encoding="utf-8")


def test_main_check_lists_the_changes_not_named(book, monkeypatch, capsys):
    """Fails if the check passes with unnamed changes, exits 0, or prints another header or table."""
    real = changelog.changes
    monkeypatch.setattr(changelog, "changes", lambda current, released: real(book / "expected.csv",
                                                                             book / "released.csv"))
    assert changelog.main([]) == 1
    assert capsys.readouterr().out == (
        "changes of data/replication/expected.csv not named in CHANGELOG.md's Unreleased section:\n"
        + _frame([CHANGES[1], CHANGES[2]]).to_string(index=False) + "\n")


def test_main_check_passes_when_every_change_is_named(book, monkeypatch, capsys):
    """Fails if the check fails with every change named, or its message loses the last release or the
    version (the explicit `check` command too)."""
    real = changelog.changes
    monkeypatch.setattr(changelog, "changes", lambda current, released: real(book / "expected.csv",
                                                                             book / "released.csv"))
    monkeypatch.setattr(changelog, "version", lambda: "0.2.1")
    text = CHANGELOG.replace("dropped.", "dropped. `chart_source:C2` `claim_compared:A1`")
    (book / "CHANGELOG.md").write_text(text, encoding="utf-8")
    for argv in ([], ["check"]):
        assert changelog.main(argv) == 0
        assert capsys.readouterr().out == "every change since 0.2.0 is in CHANGELOG.md (version 0.2.1)\n"
