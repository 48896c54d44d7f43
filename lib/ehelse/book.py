"""Small helpers chapters call to show tables, offer data downloads and label synthetic results."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import ROOT

DOWNLOADS = ROOT / "notebooks" / "_data"
SYNTHETIC_NOTE = ("**Synthetic respondents — illustrates the method, not a finding.** These numbers are computed "
                  "from seeded synthetic respondents built to match the published shares "
                  "(see *How the weighting works*). Point the book at the real microdata "
                  "(`settings.yml`, `microdata:`) and this label goes away.")


P_COLUMNS = ("p_value", "p_adjusted", "p (BH)", "p", "p_value_max")


def table(df: pd.DataFrame, *, digits: int = 1, caption: str | None = None) -> HTML:
    """A compact, phone-friendly HTML table without the index; p-value columns written by findings.p_text."""
    from .findings import p_text

    fmt = df.copy()
    for c in fmt.columns:
        if c in P_COLUMNS and pd.api.types.is_numeric_dtype(fmt[c]):  # p-values as 'p = 0.04', 'p < 0.001'
            fmt[c] = fmt[c].map(lambda x: "" if pd.isna(x) else p_text(x))
        elif pd.api.types.is_float_dtype(fmt[c]):
            fmt[c] = fmt[c].map(lambda x: "" if pd.isna(x) else f"{x:,.{digits}f}")
    html = fmt.to_html(index=False, border=0, classes="ehelse-table", escape=True)
    if caption:
        html = html.replace("<table", f"<table aria-label=\"{caption}\"", 1)
    return HTML(f'<div style="overflow-x:auto">{html}</div>')


def download(df: pd.DataFrame, name: str, label: str = "Download the data of this figure (CSV)") -> Markdown:
    """Write the data behind a figure to notebooks/_data/<name>.csv and return a download link."""
    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ValueError(f"download name {name!r}: use lower-case letters, digits, - and _")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    path = DOWNLOADS / f"{name}.csv"
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
    return Markdown(f"{{download}}`{label} <{_rel(path)}>`")


def _rel(path: Path) -> str:
    return "/" + path.relative_to(ROOT).as_posix()


def synthetic_banner(synthetic: bool) -> None:
    """Show the red synthetic-respondents label when the data are synthetic."""
    if synthetic:
        display(Markdown(":::{admonition} Synthetic respondents\n:class: error\n" + SYNTHETIC_NOTE + "\n:::"))


def glue(key: str, value, display: bool = False):
    """myst_nb.glue for numbers computed in a chapter (numpy scalars become Python numbers)."""
    import numpy as np
    from myst_nb import glue as _glue

    if isinstance(value, np.generic):
        value = value.item()
    return _glue(key, value, display=display)


def figure(figure_id: str) -> None:
    """Glue a report figure as `fig_<id>` and its caption as `cap_<id>` for a {glue:figure} block."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown as Md

    from . import figures, findings

    fig = figures.draw(figure_id)
    if fig is None:
        raise ValueError(f"{figure_id}: its numbers are not in the sources; list it with figures.missing()")
    glue(f"fig_{figure_id}", fig)
    glue(f"title_{figure_id}", findings.figure_title(figure_id))  # the drawn title as text, for the built-book test
    glue(f"cap_{figure_id}", Md(figures.caption(figure_id).data))
    plt.close(fig)


def figure_data(figure_id: str, tests: pd.DataFrame | None = None) -> None:
    """Below a figure: the download link of its numbers and its tests of change (if any)."""
    from . import figures, findings

    t = figures.table(figure_id)
    display(download(t, figure_id.lower()))
    if tests is not None and not tests.empty:
        sel = tests[tests["figure_id"] == figure_id]
        if len(sel):
            cols = ["population", "item", "measure", "test", "from", "to", "share_from", "share_to",
                    "change_points", "p_adjusted", "significant"]
            display(table(sel[cols].rename(columns={"p_adjusted": "p (BH)"}), digits=1))


def claims_table(chapter: str) -> pd.DataFrame:
    """The report's claims stated in a chapter's slides, with computed values and verdicts."""
    from . import claims
    from .data import inventory

    inv = inventory()
    figs = set(inv.loc[inv["chapter"] == chapter, "figure_id"])
    v = claims.verdicts()
    v = v[v["figure_id"].isin(figs)]
    return v[["claim_id", "figure_id", "text_no", "text_en", "printed", "value", "compared", "p_value",
              "verdict", "note"]].rename(columns={"value": "computed", "compared": "compared with"})
