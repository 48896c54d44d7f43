"""Sphinx extension of the book: each page's scripts once (sphinx-thebe and sphinx-togglebutton add their
inline configuration twice, and the second `const THEBE_JS_URL = …` throws on every page)."""
from __future__ import annotations

import re
from pathlib import Path

SCRIPT = re.compile(r"[ \t]*<script\b[^>]*>.*?</script>[ \t]*\n?", re.S)


def dedupe_scripts(html: str) -> str:
    """The page with every repeated, identical <script> element after its first occurrence removed."""
    seen: set[str] = set()

    def keep(m: re.Match) -> str:
        key = m.group(0).strip()
        if key in seen:
            return ""
        seen.add(key)
        return m.group(0)

    return SCRIPT.sub(keep, html)


def _context(app, pagename, templatename, context, doctree) -> None:
    seen, out = set(), []
    for js in context.get("script_files", []):
        key = str(js)
        if key not in seen:
            seen.add(key)
            out.append(js)
    context["script_files"] = out


def _finished(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        new = dedupe_scripts(text)
        if new != text:
            path.write_text(new, encoding="utf-8")


def setup(app):
    """Register the page hooks."""
    app.connect("html-page-context", _context, priority=100)
    app.connect("build-finished", _finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
