"""Sphinx extension of the book: each page's scripts once (sphinx-thebe adds its config twice)."""
from __future__ import annotations


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated script tags, e.g. the second `const THEBE_JS_URL = …` that throws on every page."""
    seen, out = set(), []
    for js in context.get("script_files", []):
        key = (str(js), tuple(sorted((getattr(js, "attributes", {}) or {}).items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(js)
    context["script_files"] = out


def setup(app):
    """Register the page hook."""
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
