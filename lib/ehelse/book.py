"""Small helpers chapters call to show tables, offer data downloads and label synthetic results."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

from . import ROOT, disclosure

DOWNLOADS = ROOT / "notebooks" / "_data"
SYNTHETIC_NOTE = ("**Synthetic respondents — illustrates the method, not a finding.** These numbers are computed "
                  "from seeded synthetic respondents built to match the published shares "
                  "(see *How the weighting works*). Point the book at the real microdata "
                  "(`settings.yml`, `microdata:`) and this label goes away.")


#: Column names of the library's tables -> headers for readers (the CSV downloads keep the code names).
HEADERS = {
    "figure_id": "Figure", "figure": "Figure", "claim_id": "Id", "population": "Who", "item": "Statement",
    "item_en": "Statement", "measure": "Measure", "test": "Test", "from": "From", "to": "To",
    "share_from": "From (%)", "share_to": "To (%)", "change_points": "Change (points)", "p_value": "p",
    "p_adjusted": "p (adjusted)", "p (BH)": "p (adjusted)", "significant": "Significant", "text_en": "Claim",
    "text_no": "Claim (Norwegian)", "printed": "Printed", "computed": "Computed", "compared with": "Compared with",
    "verdict": "Verdict", "note": "Note", "year": "Year", "value": "Value", "base": "Base (n)",
    "ci_low": "Interval from", "ci_high": "Interval to", "estimate": "Estimate (%)", "variable": "Variable",
    "level": "Group", "n": "n", "n_eff": "Effective n", "flag": "Note", "category": "Answer (Norwegian)",
    "category_en": "Answer", "headline": "Headline (Norwegian)", "numbers": "Numbers",
}
#: English and Norwegian columns shown as one cell: English first, Norwegian on a second line.
PAIRS = [("text_en", "text_no"), ("question (English)", "question (as asked)"), ("item_en", "item"),
         ("category_en", "category"), ("headline_en", "headline")]
SIGNIFICANT = {"yes": "✓ significant", "no": "–", "base not printed": "no base printed"}
P_COLUMNS = {"p_value", "p_adjusted", "p (BH)", "p", "p_value_max"}
CHANGE_COLUMNS = {"change_points"}


def p_text(p: float) -> str:
    """A p-value in a table cell: findings.p_text without the leading 'p' ('< 0.001', '0.043'); '' when missing."""
    from .findings import p_text as sentence_p

    if p is None or pd.isna(p):
        return ""
    text = sentence_p(float(p))
    return text.removeprefix("p = ").removeprefix("p ")


def header(name: str) -> str:
    """The reader's header of a column: from HEADERS, else the name with underscores as spaces, capitalised."""
    if name in HEADERS:
        return HEADERS[name]
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _cell(value, column: str, digits: int, whole: bool) -> str:
    import html as h

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column in P_COLUMNS:
        return h.escape(p_text(float(value)))
    if column == "significant":
        return SIGNIFICANT.get(str(value), str(value))
    if isinstance(value, (float, np.floating)) or (isinstance(value, (int, np.integer)) and column in CHANGE_COLUMNS):
        v = float(value)
        text = f"{v:,.0f}" if whole else f"{v:,.{digits}f}"
        if column in CHANGE_COLUMNS:
            text = ("+" if round(v, 0 if whole else digits) > 0 else "") + text.replace("-", "−")
        return text
    return h.escape(str(value))


def table_html(df: pd.DataFrame, *, digits: int = 1, caption: str | None = None) -> str:
    """The HTML of a reader's table: English headers, whole numbers without decimals, signed changes,
    p-values as text, English with the Norwegian beneath, in a keyboard-reachable scroll region."""
    import html as h

    frame = df.reset_index(drop=True)
    cols = list(frame.columns)
    merged: dict[str, str] = {}
    for en, no in PAIRS:
        if en in cols and no in cols:
            merged[en] = no
            cols.remove(no)
    whole = {c: pd.api.types.is_numeric_dtype(frame[c]) and bool(np.all(np.isclose(frame[c].dropna() % 1, 0)))
             for c in frame.columns}
    long_ = {c: not pd.api.types.is_numeric_dtype(frame[c]) and frame[c].astype(str).str.len().max() > 16 for c in frame.columns}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])} - {"from", "to", "year"}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c in numeric or c in P_COLUMNS else ""}>{h.escape(header(c))}</th>'
                   for c in cols)
    body = []
    for i in range(len(frame)):
        row = {c: frame[c].iat[i] for c in frame.columns}  # each cell keeps its column's type (iterrows makes
        cells = []                                          # all-numeric rows float: a year printed "2,021")
        for c in cols:
            text = _cell(row[c], c, digits, whole[c])
            if (c in merged and str(row[merged[c]]) and str(row[merged[c]]) != str(row[c])
                    and str(row[merged[c]]) != "Total"):
                text += f'<br><span class="ehelse-nb" lang="nb">{h.escape(str(row[merged[c]]))}</span>'
            cls = ' class="num"' if c in numeric or c in P_COLUMNS else (' class="long"' if long_[c] else "")
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    label = h.escape(caption or "Table")
    cap = f"<caption>{label}</caption>" if caption else ""
    return (f'<div class="ehelse-table-wrap" tabindex="0" role="region" aria-label="{label}">'
            f'<table class="ehelse-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
            "</table></div>")


def table(df: pd.DataFrame, *, digits: int = 1, caption: str | None = None) -> HTML:
    """A reader's table (see `table_html`), on real microdata after the suppression rule; the CSV download keeps
    every machine column."""
    df = disclosure.protect(df, what=f"table {caption!r}" if caption else "table")
    return HTML(table_html(df, digits=digits, caption=caption))


def tests_table(tests: pd.DataFrame, figure_id: str | None = None) -> pd.DataFrame:
    """Tests of change for readers: who, statement (English, Norwegian beneath), years, shares, change, p, mark."""
    from . import figures

    sel = tests if figure_id is None else tests[tests["figure_id"] == figure_id]
    out = []
    for r in sel.to_dict("records"):
        en = figures.table(r["figure_id"]).drop_duplicates("item").set_index("item")["item_en"].to_dict()
        who = " vs ".join(figures.style.POPULATION_LABEL.get(p, p) for p in str(r["population"]).split(" vs "))
        out.append({"population": who,
                    "item_en": "All respondents" if r["item"] == "Total" else en.get(r["item"], r["item"]), "item": r["item"], "test": r["test"],
                    "years": f"{r['from']} → {r['to']}", "shares": f"{r['share_from']:.0f} → {r['share_to']:.0f}",
                    "change_points": r["change_points"], "p_adjusted": r.get("p_adjusted", r["p_value"]),
                    "significant": r.get("significant", "")})
    return pd.DataFrame(out, columns=["population", "item_en", "item", "test", "years", "shares", "change_points",
                                      "p_adjusted", "significant"]).rename(
        columns={"years": "Years", "shares": "Share (%)", "test": "Test"})


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


def glue_sentence(key: str, row: dict, chapter: str | None = None, lang: str = "en") -> None:
    """Glue one test of change as a sentence (`key_sentence`, from findings.change_sentence: direction, size,
    years, shares, p and the significance decision, or why it cannot be tested) and its numbers (glue_test)."""
    from .findings import change_sentence

    glue_test(key, row, chapter)
    glue(f"{key}_sentence", change_sentence(row, lang))


def glue_finding(figure_id: str, lang: str = "en") -> None:
    """Glue a figure's computed finding as `finding_<ID>` (its title sentence) for a chapter's opening."""
    from .findings import figure_title

    glue(f"finding_{figure_id}", figure_title(figure_id, lang))


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
    """Glue a report figure as `fig_<id>` and its caption as `cap_<id>` for a {glue:figure} block.

    The figure is drawn in the chart kind its inventory row declares (`figures.draw`); a
    `key_figure` is glued as its HTML box. The caption is short, with an "About this figure"
    block (question wording in both languages, notes, sources as links) collapsed beneath it.
    A chapter shows it with::

        ```{glue:figure} fig_C39
        :name: fig-C39
        :alt: …

        {glue:md}`cap_C39`
        ```
    """
    import matplotlib.pyplot as plt
    from IPython.display import Markdown as Md

    from . import figures, findings

    fig = figures.draw(figure_id)
    if fig is None:
        raise ValueError(f"{figure_id}: its numbers are not in the sources; list it with figures.missing()")
    if isinstance(fig, plt.Figure):
        from IPython.display import Image

        from .style import png
        glue(f"fig_{figure_id}", Image(data=png(fig), format="png"))
    else:
        glue(f"fig_{figure_id}", fig)
    glue(f"title_{figure_id}", findings.figure_title(figure_id))  # the drawn title as text, for the built-book test
    glue(f"cap_{figure_id}", Md(figures.caption(figure_id).data))
    if isinstance(fig, plt.Figure):
        plt.close(fig)


def key_figure(figure_id: str) -> None:
    """Show a figure's few numbers as a key-figure box (value, what, who and when, base, interval)."""
    from . import figures

    display(figures.key_figure(figure_id))


def figure_data(figure_id: str, tests: pd.DataFrame | None = None) -> None:
    """Below a figure: the download link of its numbers and its tests of change (if any)."""
    from . import figures, findings

    t = figures.table(figure_id)
    display(download(t, figure_id.lower()))
    if tests is not None and not tests.empty:
        sel = tests[tests["figure_id"] == figure_id]
        if len(sel):
            display(table(tests_table(sel), caption=f"Tests of change, figure {figure_id}"))


def missing_charts(chapter: str):
    """The chapter's charts whose numbers are not in the sources as a reader's table, or one sentence saying
    there are none (template `missing_none`)."""
    from . import figures
    from .findings import template

    m = figures.missing(chapter)
    if m.empty:
        return Markdown(template("missing_none"))
    return table(m)


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
