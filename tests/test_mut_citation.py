"""ehelse.citation in-process on a made-up CITATION.cff and pyproject.toml (tmp_path): the version, the
author names, the reference lines, the citation line and the home page's "How to cite" text, character
for character. The expected strings are written by hand from the documented format
("who (year). *title*, report N. <url>"), not copied from a run.

The mutation run (tools/mutate.py --focus citation) is the demonstration that each test fails on the bug
its docstring names.
"""
import pytest

from ehelse import citation

CFF = """\
cff-version: 1.2.0
message: "Cite it like this."
title: "A Book"
license: CC-BY-4.0
authors:
  - name: "The Team"
  - given-names: "Ada"
    family-names: "Lovelace"
references:
  - title: "Report One"
    authors:
      - name: "Directorate"
      - family-names: "Solo"
    year: 2022
    report-number: "IE-1"
    url: "https://example.org/one"
  - title: "Page Two"
    authors: []
"""
PYPROJECT = '[project]\nname = "ehelse"\nversion = "9.8.7"\n'


@pytest.fixture
def files(tmp_path, monkeypatch):
    """citation pointed at a made-up CITATION.cff and pyproject.toml; the caches cleared before and after."""
    cff, py = tmp_path / "CITATION.cff", tmp_path / "pyproject.toml"
    cff.write_text(CFF, encoding="utf-8")
    py.write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.setattr(citation, "CFF", cff)
    monkeypatch.setattr(citation, "PYPROJECT", py)
    citation.version.cache_clear()
    citation.cff.cache_clear()
    yield tmp_path
    citation.version.cache_clear()
    citation.cff.cache_clear()


def test_version_is_pyprojects_project_version(files):
    """Fails if version() reads another table or key of pyproject.toml, or another file."""
    assert citation.version() == "9.8.7"


def test_version_falls_back_to_the_installed_package_without_pyproject(files, monkeypatch):
    """Fails if a missing pyproject.toml is read anyway (FileNotFoundError) or the fallback asks for
    another distribution than "ehelse"."""
    import importlib.metadata

    asked = []
    monkeypatch.setattr(importlib.metadata, "version", lambda name: asked.append(name) or "1.2.3")
    (files / "pyproject.toml").unlink()
    assert citation.version() == "1.2.3"
    assert asked == ["ehelse"]


def test_cff_is_the_yaml_file(files):
    """Fails if cff() parses another file or not as YAML mapping."""
    c = citation.cff()
    assert c["title"] == "A Book" and c["license"] == "CC-BY-4.0"


def test_author_names_take_name_or_given_and_family_names(files):
    """Fails if _name ignores "name", drops given or family names, joins them with another separator, or
    puts a missing part in as "None" (mutants of _name and authors)."""
    assert citation.authors() == ["The Team", "Ada Lovelace"]
    assert citation._name({"family-names": "Solo"}) == "Solo"
    assert citation._name({"given-names": "Ada"}) == "Ada"
    assert citation._name({"name": "", "given-names": "A", "family-names": "B"}) == "A B"
    assert citation._name({}) == ""


def test_a_reference_line_with_every_part(files):
    """Fails if the authors' separator, the year's brackets, the ", report" text, the <url> brackets or the
    title's emphasis change (string mutants of reference_text)."""
    ref = citation.cff()["references"][0]
    assert citation.reference_text(ref) == ("Directorate, Solo (2022). *Report One*, report IE-1. "
                                            "<https://example.org/one>")


def test_a_reference_line_without_the_optional_parts(files):
    """Fails if a missing year, report number or url is printed anyway (the `if ref.get(...)` conditions
    negated or the empty alternatives replaced), or missing authors raise."""
    assert citation.reference_text({"title": "Page Two", "authors": []}) == ". *Page Two*."
    assert citation.reference_text({"title": "T"}) == ". *T*."
    assert citation.reference_text({"title": "T", "year": 2020}) == " (2020). *T*."
    assert citation.reference_text({"title": "T", "report-number": "R"}) == ". *T*, report R."
    assert citation.reference_text({"title": "T", "url": "u"}) == ". *T*. <u>"


def test_the_citation_line_with_year_and_licence(files):
    """Fails if the year, the version or the licence is left out or formatted otherwise (citation_text)."""
    assert citation.citation_text(2024) == "The Team, Ada Lovelace (2024). *A Book*, version 9.8.7. Licence CC-BY-4.0."


def test_the_citation_line_by_default_has_no_year_and_no_licence_when_none_given(files):
    """Fails if the default year prints something, or a missing licence prints "Licence None"."""
    assert citation.citation_text() == "The Team, Ada Lovelace. *A Book*, version 9.8.7. Licence CC-BY-4.0."
    (files / "CITATION.cff").write_text(CFF.replace("license: CC-BY-4.0\n", ""), encoding="utf-8")
    citation.cff.cache_clear()
    assert citation.citation_text() == "The Team, Ada Lovelace. *A Book*, version 9.8.7."


def test_how_to_cite_markdown_lists_message_citation_and_every_source(files):
    """Fails if a line of the 'How to cite' text is dropped, reordered or reworded, a reference is missing,
    or the lines are joined otherwise than by newlines (how_to_cite_md)."""
    assert citation.how_to_cite_md() == "\n".join([
        "Cite it like this.", "",
        "**The book and its data:**", "",
        "> The Team, Ada Lovelace. *A Book*, version 9.8.7. Licence CC-BY-4.0.", "",
        "**The sources of the numbers:**", "",
        "- Directorate, Solo (2022). *Report One*, report IE-1. <https://example.org/one>",
        "- . *Page Two*.",
        "",
        "The repository's `CITATION.cff` holds the same citation in machine-readable form; `CHANGELOG.md` lists "
        "what changed in the published numbers, mappings and verdicts from one version to the next."])


def test_how_to_cite_without_references(files):
    """Fails if a CITATION.cff without references raises (the `.get("references", [])` default)."""
    (files / "CITATION.cff").write_text(CFF.split("references:")[0], encoding="utf-8")
    citation.cff.cache_clear()
    lines = citation.how_to_cite_md().split("\n")
    assert lines[6:9] == ["**The sources of the numbers:**", "", ""]
