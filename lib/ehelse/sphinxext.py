"""Sphinx extension of the book: writes the data download into the built HTML, and the version into the footer.

Enabled in _config.yml (`sphinx: extra_extensions: [ehelse.sphinxext]`), so every build of the book
(`make book`, the browser test's build) carries the download its Data page links to.
"""
from __future__ import annotations

from pathlib import Path

#: File name of the download at the root of the built HTML (the Data page links to it).
DOWNLOAD = "ehelse-data.zip"


def _write_download(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        from .datapackage import write_zip

        write_zip(Path(app.outdir) / DOWNLOAD)


def _version_footer(app, config) -> None:
    from .citation import version

    theme = dict(config.html_theme_options or {})
    footer = theme.get("extra_footer", "")
    theme["extra_footer"] = (footer + " " if footer else "") + f"Version {version()}."
    config.html_theme_options = theme
    config.version = config.release = version()


def setup(app):
    app.connect("config-inited", _version_footer)
    app.connect("build-finished", _write_download)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
