"""Small helpers chapters call to show tables, offer data downloads and label synthetic results."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from . import ROOT, disclosure

DOWNLOADS = ROOT / "notebooks" / "_data"
SYNTHETIC_NOTE = ("**Synthetic respondents — illustrates the method, not a finding.** These numbers are computed "
                  "from seeded synthetic respondents built to match the published shares "
                  "(see *How the weighting works*). Point the book at the real microdata "
                  "(`settings.yml`, `microdata:`) and this label goes away.")


def table(df: pd.DataFrame, *, digits: int = 1, caption: str | None = None) -> HTML:
    """A compact, phone-friendly HTML table without the index (on real microdata: after the suppression rule)."""
    fmt = disclosure.protect(df, what=f"table {caption!r}" if caption else "table").copy()
    for c in fmt.columns:
        if pd.api.types.is_float_dtype(fmt[c]):
            fmt[c] = fmt[c].map(lambda x: "" if pd.isna(x) else f"{x:,.{digits}f}")
    html = fmt.to_html(index=False, border=0, classes="ehelse-table", escape=True)
    if caption:
        html = html.replace("<table", f"<table aria-label=\"{caption}\"", 1)
    return HTML(f'<div style="overflow-x:auto">{html}</div>')


def download(df: pd.DataFrame, name: str, label: str = "Download the data of this figure (CSV)") -> Markdown:
    """Write the data behind a figure to notebooks/_data/<name>.csv and return a download link."""
    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise ValueError(f"download name {name!r}: use lower-case letters, digits, - and _")
    df = disclosure.protect(df, what=f"download {name!r}")
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


def glue_test(key: str, row: dict, chapter: str | None = None) -> None:
    """Glue one test of change with its own years and shares: `key_from`, `key_to`, `key_share_from`,
    `key_share_to`, `key_change`, `key_p` (BH-adjusted when the row has it), `key_significant`, `key_row`.

    A sentence about a test glues all of these from the same key, so its years and p cannot drift
    apart; tests/test_waves.py checks each glued set against the row `key_row` names.
    """
    from . import figures

    p = row.get("p_adjusted", row["p_value"])
    glue(f"{key}_from", int(row["from"]))
    glue(f"{key}_to", int(row["to"]))
    glue(f"{key}_share_from", float(row["share_from"]))
    glue(f"{key}_share_to", float(row["share_to"]))
    glue(f"{key}_change", float(row["change_points"]))
    glue(f"{key}_p", float(p))
    if "significant" in row:
        glue(f"{key}_significant", str(row["significant"]))
    glue(f"{key}_row", figures.row_id(row, chapter))


def glue_tests(key: str, rows: pd.DataFrame, chapter: str | None = None) -> None:
    """Glue a family of tests of the same two waves (e.g. the latest change of every statement):
    `key_from`, `key_to`, `key_change_min`, `key_change_max`, `key_p_max` and `key_rows` (their ids)."""
    from . import figures

    if rows.empty:
        raise ValueError(f"{key}: no tests to glue")
    pairs = set(zip(rows["from"].astype(int), rows["to"].astype(int)))
    if len(pairs) != 1:
        raise ValueError(f"{key}: the tests compare different waves {sorted(pairs)}; glue them one by one")
    (a, b), = pairs
    p = rows["p_adjusted"] if "p_adjusted" in rows else rows["p_value"]
    glue(f"{key}_from", a)
    glue(f"{key}_to", b)
    glue(f"{key}_change_min", float(rows["change_points"].min()))
    glue(f"{key}_change_max", float(rows["change_points"].max()))
    glue(f"{key}_p_max", float(p.max()))
    glue(f"{key}_rows", ";".join(figures.row_id(r, chapter) for r in rows.to_dict("records")))


def glue_years(key: str, by_year: pd.Series) -> None:
    """Glue every value of a by-year series as `key_<year>` (the years come from the data, never from code)."""
    for year, v in by_year.items():
        glue(f"{key}_{int(year)}", v)


def glue_series(key: str, figure_id: str, **sel) -> None:
    """Glue a series' first and latest year and value: `key_first_year`, `key_first`, `key_last_year`, `key_last`."""
    from . import figures

    s = figures.series(figure_id, **sel)
    glue(f"{key}_first_year", int(s.index[0]))
    glue(f"{key}_first", float(s.iloc[0]))
    glue(f"{key}_last_year", int(s.index[-1]))
    glue(f"{key}_last", float(s.iloc[-1]))


def figure(figure_id: str) -> None:
    """Glue a report figure as `fig_<id>` and its caption as `cap_<id>` for a {glue:figure} block."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown as Md

    from . import figures

    fig = figures.draw(figure_id)
    if fig is None:
        raise ValueError(f"{figure_id}: its numbers are not in the sources; list it with figures.missing()")
    glue(f"fig_{figure_id}", fig)
    glue(f"cap_{figure_id}", Md(figures.caption(figure_id).data))
    plt.close(fig)


def figure_data(figure_id: str, tests: pd.DataFrame | None = None) -> None:
    """Below a figure: the download link of its numbers and its tests of change (if any)."""
    from . import figures

    t = figures.table(figure_id)
    display(download(t, figure_id.lower()))
    if tests is not None and not tests.empty:
        sel = tests[tests["figure_id"] == figure_id]
        if len(sel):
            cols = ["population", "item", "measure", "test", "from", "to", "share_from", "share_to",
                    "change_points", "p_adjusted", "significant"]
            display(table(sel[cols].rename(columns={"p_adjusted": "p (BH)"}), digits=3))


def claims_table(chapter: str) -> pd.DataFrame:
    """The report's claims stated in a chapter's slides, with computed values and verdicts."""
    from . import claims
    from .data import inventory

    inv = inventory()
    figs = set(inv.loc[inv["chapter"] == chapter, "figure_id"])
    v = claims.verdicts()
    v = v[v["figure_id"].isin(figs)]
    return disclosure.exempt(v[["claim_id", "figure_id", "text_no", "text_en", "printed", "value", "compared", "p_value",
              "verdict", "note"]].rename(columns={"value": "computed", "compared": "compared with"}), "published numbers")
