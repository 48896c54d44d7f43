"""The book's version (pyproject.toml, the single source) and its citation (CITATION.cff)."""
from __future__ import annotations

import functools
import tomllib
from pathlib import Path

import yaml

from . import ROOT

_REPO = Path(__file__).resolve().parents[2]
#: The book's files, or those of the library's own checkout for a copy of the book without them.
CFF = next((p for p in (ROOT / "CITATION.cff", _REPO / "CITATION.cff") if p.exists()), ROOT / "CITATION.cff")
PYPROJECT = next((p for p in (ROOT / "pyproject.toml", _REPO / "pyproject.toml") if p.exists()), ROOT / "pyproject.toml")


@functools.cache
def version() -> str:
    """The version of the book and its data: pyproject.toml's [project] version."""
    if PYPROJECT.exists():
        return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    from importlib.metadata import version as installed
    return installed("ehelse")


@functools.cache
def cff() -> dict:
    """CITATION.cff as a dict."""
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def _name(person: dict) -> str:
    return person.get("name") or " ".join(p for p in (person.get("given-names"), person.get("family-names")) if p)


def authors() -> list[str]:
    """The book's authors as CITATION.cff names them."""
    return [_name(a) for a in cff()["authors"]]


def reference_text(ref: dict) -> str:
    """One source of the data as a citation line."""
    who = ", ".join(_name(a) for a in ref.get("authors", []))
    year = f" ({ref['year']})" if ref.get("year") else ""
    number = f", report {ref['report-number']}" if ref.get("report-number") else ""
    url = f" <{ref['url']}>" if ref.get("url") else ""
    return f"{who}{year}. *{ref['title']}*{number}.{url}"


def citation_text(year: int | None = None) -> str:
    """The book's citation line: authors, title, version (and licence when CITATION.cff gives one)."""
    c = cff()
    when = f" ({year})" if year else ""
    licence = f" Licence {c['license']}." if c.get("license") else ""
    return f"{', '.join(authors())}{when}. *{c['title']}*, version {version()}.{licence}"


def how_to_cite_md() -> str:
    """The 'How to cite' text of the home page (Markdown), built from CITATION.cff."""
    c = cff()
    lines = [c["message"], "", "**The book and its data:**", "", f"> {citation_text()}", "",
             "**The sources of the numbers:**", ""]
    lines += [f"- {reference_text(r)}" for r in c.get("references", [])]
    lines += ["", f"The repository's `CITATION.cff` holds the same citation in machine-readable form; "
              f"`CHANGELOG.md` lists what changed in the published numbers, mappings and verdicts "
              f"from one version to the next."]
    return "\n".join(lines)
