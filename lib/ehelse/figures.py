"""A report figure, redrawn: its published numbers with intervals, its chart, caption and tests.

Chapters call these per figure id (C21, P39, …):

    tbl = figures.table("C21")       # tidy numbers, English labels, printed base, 95 % CI
    fig = figures.draw("C21")        # the chart kind the inventory declares (column `chart`), in style.py's colours
    cap = figures.caption("C21")     # <= 40 words + a collapsed "About this figure" block (wording, notes, sources)
    box = figures.key_figure("P28")  # a few numbers as an HTML box (what draw returns for kind `key_figure`)
    tests = figures.chapter_tests("c3")   # latest and first-to-last changes, BH-adjusted

Intervals for published shares use the printed base and the design effect assumed in
settings.yml (`published_deff`); where a bar's base is not printed, no interval is drawn and
the caption says so. A figure's series is the union of its years from the report text and from
the publisher's web pages (e.g. a later wave's point); each point keeps its own source, base and
line or page address, and the caption says which years come from where (`source_note`). Where
both sources give the same number, the report text's point is drawn and the page noted; where they
disagree by more than DISAGREE_POINTS, `source_conflicts` lists it and a test requires a recorded
source issue.
"""
from __future__ import annotations

import functools
import re
import html
import textwrap

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown

from . import findings, plots, style, waves
from .data import (codebook, english, figure, interviews, inventory, printed_base, publisher_values, scale_labels,
                   values)
from .estimates import adjust_pvalues, published_change_test, published_share_ci
from .disclosure import exempt
from .settings import interval, load

CI_NAMES = {"logit": "logit", "wilson": "Wilson", "korn_graubard": "Korn–Graubard"}

SOURCE_REPORT, SOURCE_PUBLISHER = "report text", "publisher's web page"
#: Labels of the tests of change: the last two waves of a series (following each other in the
#: registry, or with waves without numbers between them) and its first against its last wave.
LATEST, LATEST_GAP, FIRST_LAST = "latest change", "last two years with numbers", "first to last"
#: Test label of the last two years of a series that the slide itself shows (its inventory years), added when a
#: later wave extends the series beyond the slide: the change the report's own text talks about.
SLIDE_LATEST = "latest change on the slide"
#: Two sources disagree on a number when they differ by more than this (printed percents are rounded).
DISAGREE_POINTS = 0.5
_KEY = ["figure_id", "population", "year", "item", "category", "unit"]


def _both_sources(figure_id: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    v, p = values(), publisher_values()
    if figure_id is not None:
        v, p = v[v["figure_id"] == figure_id], p[p["figure_id"] == figure_id]
    return (v.assign(source=SOURCE_REPORT, url=""),
            p.drop(columns=["note"]).assign(source=SOURCE_PUBLISHER, source_line=np.nan))
SOURCE_PARTIAL = "report headline only"  # numbers_source 'partial': the headline prints some of the chart's values


def _numbers(figure_id: str) -> tuple[pd.DataFrame, str]:
    """The union of a figure's report and publisher points; a point both give is the report's, noting the page."""
    rep, pub = _both_sources(figure_id)
    if rep.empty and pub.empty:
        return rep.assign(other_source_url="", other_source_value=np.nan), ""
    both = rep.merge(pub[_KEY + ["url", "value"]], on=_KEY, how="left", suffixes=("", "_pub"))
    rep = rep.assign(other_source_url=both["url_pub"].fillna("").to_numpy(), other_source_value=both["value_pub"].to_numpy())
    only_pub = pub.merge(rep[_KEY], on=_KEY, how="left", indicator=True)["_merge"].eq("left_only").to_numpy()
    pub = pub[only_pub].assign(other_source_url="", other_source_value=np.nan)
    out = pd.concat([rep, pub], ignore_index=True) if len(rep) and len(pub) else (rep if len(rep) else pub)
    return out.reset_index(drop=True), SOURCE_REPORT if len(rep) else SOURCE_PUBLISHER


def source_conflicts(figure_id: str | None = None) -> pd.DataFrame:
    """Numbers the report text and the publisher's pages both give (same figure, population, year, item,
    category, unit) that differ by more than DISAGREE_POINTS; the book draws the report text's."""
    rep, pub = _both_sources(figure_id)
    m = rep.merge(pub, on=_KEY, suffixes=("_report", "_publisher"))
    m = m.assign(difference=m["value_publisher"] - m["value_report"])
    cols = _KEY + ["value_report", "value_publisher", "difference", "source_line_report", "url_publisher"]
    return m.loc[m["difference"].abs() > DISAGREE_POINTS, cols].reset_index(drop=True)


def source_of(figure_id: str) -> str:
    """Where a figure's numbers come from: 'report text', 'report headline only' (partial), "publisher's web page"
    or '' (missing)."""
    src = _numbers(figure_id)[1]
    return SOURCE_PARTIAL if src == SOURCE_REPORT and figure(figure_id)["numbers_source"] == "partial" else src


def table(figure_id: str) -> pd.DataFrame:
    """Tidy published numbers of a figure with English labels, printed base and 95 % CI (percent)."""
    return exempt(_table(figure_id).copy(), "published numbers")


@functools.lru_cache(maxsize=None)
def _table(figure_id: str) -> pd.DataFrame:
    rows, _ = _numbers(figure_id)
    fig = figure(figure_id)
    if rows.empty:
        return rows
    deff = load()["published_deff"]
    out = rows.copy()
    en = english(fig["question_id"]) if fig["question_id"] else {}
    out["category_en"] = out["category"].map(lambda c: en.get(c, c))
    out["item_en"] = out["item"].map(lambda c: en.get(c, "All respondents" if c == "Total" else c))
    out["base"] = [printed_base(g) for _, g in out.groupby(level=0)]
    out["base_source"] = np.where(out["base"].notna(), "printed", "")
    # A question asked of everyone: its base is the year's completed interviews. A publisher's point of a later
    # wave gets it for each statement or option of the question too (the report's own bars print their bases).
    if not fig["filter_no"] and fig["chart_type"] in ("time_series", "stacked_bar", "multi_bar") and out["base"].isna().any():
        iv = interviews().set_index(["report", "year"])["n"]
        asked = {it["no"] for it in (fig["question"] or {}).get("items") or []}
        fill = [iv.get((fig["report"], y), np.nan)
                if pd.isna(b) and pop == waves.survey_of(fig["report"])
                and (item == "Total" or (src == SOURCE_PUBLISHER and item in asked)) else b
                for y, b, pop, item, src in zip(out["year"], out["base"], out["population"], out["item"], out["source"])]
        out["base_source"] = np.where(out["base"].isna() & pd.notna(fill), "all interviews of the year", out["base_source"])
        out["base"] = fill
    lo, hi = [], []
    for r in out.itertuples():
        if r.unit == "percent" and r.base and not pd.isna(r.base):
            a, b = published_share_ci(r.value, r.base, deff.get(r.population, 1.0))
            lo.append(float(a))
            hi.append(float(b))
        else:
            lo.append(np.nan)
            hi.append(np.nan)
    out["ci_low"], out["ci_high"] = lo, hi
    if fig["question_id"]:
        order = {c: i for i, c in enumerate(scale_labels(fig["question"]["scale"]))}
        out = out.sort_values(["population", "item", "year"], kind="stable")
        out["_o"] = out["category"].map(order)
        out = out.sort_values(["population", "item", "year", "_o"], kind="stable").drop(columns="_o")
    cols = ["figure_id", "population", "year", "item", "item_en", "category", "category_en", "value", "unit",
            "base", "base_source", "ci_low", "ci_high", "source", "source_line", "url", "confidence",
            "other_source_url", "other_source_value"]
    return out[cols].reset_index(drop=True)


def _short(text: str, width: int = 48) -> str:
    return "\n".join(textwrap.wrap(str(text), width)[:3])


def chart_kind(figure_id: str) -> str:
    """The chart kind the inventory declares for a figure (column `chart`); never inferred from the data."""
    return str(figure(figure_id)["chart"])


def draw(figure_id: str, title: str | None = None):
    """The figure in its declared chart kind (a matplotlib Figure; an HTML box for `key_figure`), or None
    when its numbers are not in the sources."""
    t = table(figure_id)
    if t.empty or source_of(figure_id) == SOURCE_PARTIAL:  # a headline's numbers are not the chart
        return None
    fig_info = figure(figure_id)
    kind = chart_kind(figure_id)
    if title is None:
        title = _short(findings.figure_title(figure_id), 80)
    if kind == "text":  # a text slide (e.g. the method slide's counts) is not a chart
        return None
    if kind not in _DRAW:
        raise ValueError(f"{figure_id}: chart kind {kind!r} (inventory column 'chart') has no drawing")
    return _DRAW[kind](figure_id, t, title)


def _pct_or_all(t: pd.DataFrame) -> pd.DataFrame:
    pct = t[t["unit"] == "percent"]
    return pct if len(pct) else t


def _population_name(pop: str) -> str:
    return style.POPULATION_LABEL.get(pop, str(pop).capitalize())


def _n(base) -> str:
    return "" if base is None or pd.isna(base) else f"n = {int(base):,}"


def _single_base(d: pd.DataFrame) -> str:
    """'n = 1,524' when every number of `d` has that one printed base, else ''."""
    b = d["base"].dropna().unique()
    return _n(b[0]) if len(b) == 1 and d["base"].notna().all() else ""


def _draw_line(figure_id: str, t: pd.DataFrame, title: str):
    d = _pct_or_all(t)
    pct = (d["unit"] == "percent").all()
    s = d.assign(series=[_series_label(r, d) for r in d.itertuples()])
    records = []
    if d["population"].nunique() > 1 or (d["category"].nunique() == 1 and d["item"].nunique() == 1):
        s["colour"] = s["population"].map(style.population_colour)
        records = [("population", p, style.population_colour(p)) for p in s["population"].unique()]
        items = {i: k for k, i in enumerate(dict.fromkeys(s["item"]))}
        s["marker"] = s["item"].map(lambda i: "osD^v"[items[i] % 5])
    elif d["category"].nunique() > 1:
        s["colour"] = s["category"].map(style.label_colour)
        records = [("category", c, style.label_colour(c)) for c in s["category"].unique()]
        s["marker"] = "o"
    else:
        items = {i: k for k, i in enumerate(dict.fromkeys(s["item"]))}
        s["colour"] = s["item"].map(lambda i: plots.SERIES[items[i] % len(plots.SERIES)])
        s["marker"] = "o"
    xlabels = None
    if s["series"].nunique() == 1 and s["base"].notna().all():
        xlabels = {r.year: f"{r.year}\nn={int(r.base):,}" for r in s.itertuples()}
    ylabel = "Percent" if pct else _short(d["category_en"].iloc[0], 30)
    return plots.line(s.rename(columns={"value": "estimate"}), series="series", marker="marker",
                      breaks=[b["year"] for b in series_breaks(figure_id)], xlabels=xlabels, ylabel=ylabel,
                      title=title, ylim=(0, 100) if pct else None, records=records)


def _draw_dumbbell(figure_id: str, t: pd.DataFrame, title: str):
    d = _pct_or_all(t)
    s = d.assign(row=[_series_label(r, d) for r in d.itertuples()])
    base = _single_base(d)
    return plots.dumbbell(s.rename(columns={"value": "estimate"}), row="row", title=title,
                          xlabel="Percent" + (f" ({base})" if base else ""))


def _scale_of(figure_id: str) -> str:
    return figure(figure_id)["question"]["scale"]


def _net(figure_id: str, d: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, str]:
    """The tested share (net of the scale, or its first answer) per bar, with its interval from the printed base."""
    groups = _tested_categories(figure_id, d)
    if not groups:
        return pd.DataFrame(), ""
    _, members = groups[0]
    deff = load()["published_deff"]
    rows = []
    for key, g in d.groupby(keys, sort=False):
        sel = g[g["category"].isin(members)]
        if len(sel) != len(members):
            continue
        v, base = float(sel["value"].sum()), g["base"].iloc[0]
        lo = hi = np.nan
        if not pd.isna(base):
            lo, hi = (float(x) for x in published_share_ci(v, base, deff.get(g["population"].iloc[0], 1.0)))
        rows.append(dict(zip(keys, key if isinstance(key, tuple) else (key,))) | {"estimate": v, "ci_low": lo,
                                                                                   "ci_high": hi})
    en = english(figure(figure_id)["question_id"])
    return pd.DataFrame(rows), " + ".join(en.get(m, m) for m in members)


def _draw_bars(figure_id: str, t: pd.DataFrame, title: str, diverging: bool):
    pct = t[t["unit"] == "percent"]
    breaks = [b["year"] for b in series_breaks(figure_id)]
    labels = [l for l in scale_labels(_scale_of(figure_id)) if l in set(pct["category"])]
    multi_pop = pct["population"].nunique() > 1
    d = pct.assign(bar=[_bar_label(r, breaks, pct) for r in pct.itertuples()],
                   panel=[_short(r.item_en, 90) + (f" ({_population_name(r.population)})" if multi_pop and not
                                                  str(r.item_en).lower().startswith(("citizen", "health personnel"))
                                                  else "") for r in pct.itertuples()])
    if d["population"].nunique() > 1 and d["item"].nunique() == 1:
        d["panel"] = d["population"].map(_population_name)
    multi = d["panel"].nunique() > 1
    net, net_label = _net(figure_id, d, ["panel", "bar"])
    names = dict(zip(d["category"], d["category_en"]))
    return plots.bars(d, bar="bar", labels=labels, names=names, panel="panel" if multi else None,
                      net=net if len(net) and net["ci_low"].notna().any() else None, net_label=net_label,
                      diverging=diverging, title=title)


def _draw_dot_ranking(figure_id: str, t: pd.DataFrame, title: str):
    d = _pct_or_all(t)
    s = d.assign(label=[_dot_label(r, d) for r in d.itertuples()], colour=d["population"].map(style.population_colour))
    records = [("population", p, style.population_colour(p)) for p in d["population"].unique()]
    legend = ({_population_name(p): style.population_colour(p) for p in d["population"].unique()}
              if d["population"].nunique() > 1 else None)
    base = _single_base(d)
    pct = (d["unit"] == "percent").all()
    return plots.dot_ranking(s.rename(columns={"value": "estimate"}), title=title, records=records, legend=legend,
                             xlabel=("Percent" if pct else d["unit"].iloc[0].replace("_", " ")) + (f" ({base})" if base else ""),
                             xlim=(0, 100) if pct else None)


def _draw_small_multiples(figure_id: str, t: pd.DataFrame, title: str):
    d = t[t["unit"] == "percent"]
    s = d.assign(panel=d["item_en"], colour=d["category"].map(style.label_colour))
    return plots.small_multiples(s.rename(columns={"value": "estimate"}), panel="panel", series="category",
                                 names=dict(zip(d["category"], d["category_en"])), title=title)


def _number_text(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{value:.0f} %"
    if unit == "nps_points":
        return f"{value:+.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:g}"


def key_figure(figure_id: str, title: str | None = None) -> HTML:
    """A small box of a figure's few numbers (value, what it is, who and when, base, interval): instead of a chart."""
    t = table(figure_id)
    if title is None:
        title = _short(figure(figure_id)["headline_en"], 80)
    level, method = _interval_words()
    items = []
    for r in t.itertuples():
        what = [] if r.item == "Total" else [str(r.item_en)]
        if r.category not in ("Andel", "Valgt", "n") or not what:
            what.append(str(r.category_en))
        who = f"{_population_name(r.population)}, {r.year}"
        detail = [x for x in (_n(r.base),) if x]
        if not pd.isna(r.ci_low):
            detail.append(f"{level} interval {r.ci_low:.0f}–{r.ci_high:.0f}")
        items.append(f'<div class="ehelse-kf-item"><span class="ehelse-kf-value">{html.escape(_number_text(r.value, r.unit))}</span>'
                     f'<span class="ehelse-kf-what">{html.escape("; ".join(what))}</span>'
                     f'<span class="ehelse-kf-who">{html.escape(who)}'
                     + (f" · {html.escape('; '.join(detail))}" if detail else "") + "</span></div>")
    box = HTML(f'<div class="ehelse-key-figure" data-figure="{figure_id}" data-chart="key_figure">'
               f'<p class="ehelse-kf-title">{html.escape(title)}</p>{"".join(items)}</div>')
    box.ehelse_kind = "key_figure"
    return box


_DRAW = {"line": _draw_line, "dumbbell": _draw_dumbbell,
         "diverging_bar": lambda f, t, title: _draw_bars(f, t, title, diverging=True),
         "stacked_bar": lambda f, t, title: _draw_bars(f, t, title, diverging=False),
         "dot_ranking": _draw_dot_ranking, "small_multiples": _draw_small_multiples,
         "key_figure": lambda f, t, title: key_figure(f, title)}


def _bar_label(r, breaks: list[int], pct: pd.DataFrame) -> str:  # breaks: years from which wording changed
    base = f"\nn={int(r.base):,}" if r.base and not pd.isna(r.base) else ""
    mark = " †" if any(r.year >= b for b in breaks) else ""
    return f"{r.year}{mark}{base}"


def nps_table(figure_id: str) -> pd.DataFrame:
    """Published NPS values with a 95 % CI where promoter and detractor shares and a base are printed."""
    from .nps import nps_from_shares

    t = table(figure_id)
    deff = load()["published_deff"]
    rows = []
    for (pop, year, item), g in t.groupby(["population", "year", "item"], sort=True):
        score = g.loc[g["unit"] == "nps_points", "value"]
        if score.empty:
            continue
        shares = g[g["unit"] == "percent"].set_index("category")["value"]
        base = g["base"].dropna()
        lo = hi = np.nan
        if {"Promoters", "Detractors"} <= set(shares.index) and len(base):
            r = nps_from_shares(shares["Promoters"], shares["Detractors"], float(base.iloc[0]), deff.get(pop, 1.0))
            lo, hi = r["ci_low"], r["ci_high"]
        rows.append({"figure_id": figure_id, "population": pop, "year": year, "item": item,
                     "item_en": g["item_en"].iloc[0], "nps": float(score.iloc[0]), "ci_low": lo, "ci_high": hi,
                     "base": float(base.iloc[0]) if len(base) else np.nan})
    out = pd.DataFrame(rows)
    out["ci_low"] = out["ci_low"].fillna(out["nps"])
    out["ci_high"] = out["ci_high"].fillna(out["nps"])
    return out


def _dot_label(r, pct: pd.DataFrame, with_year: bool = False) -> str:
    parts = [] if r.item == "Total" else [r.item_en]
    if pct["category"].nunique() > 1 or not parts:
        parts.append(r.category_en if r.category not in ("Andel", "Valgt") else "share")
    if pct["year"].nunique() > 1 or with_year:
        parts.append(str(r.year))
    if pct["population"].nunique() > 1:
        parts.append(_population_name(r.population))
    return _short(", ".join(parts), 80)


def _series_label(r, pct: pd.DataFrame) -> str:
    parts = []
    names_population = str(r.item_en).lower().startswith(("citizen", "health personnel", "personnel", "health staff"))
    if pct["population"].nunique() > 1 and not names_population:
        parts.append(_population_name(r.population))
    if pct["item"].nunique() > 1 and r.item != "Total":
        parts.append(_short(r.item_en, 40))
    if pct["category"].nunique() > 1 or not parts:
        parts.append(r.category_en if r.category not in ("Andel", "Valgt") else "share")
    return ": ".join(parts)


def series_breaks(figure_id: str) -> list[dict]:
    """Changes of wording: `YEAR`, or `personnel:YEAR` when only one population's question changed."""
    out = []
    for part in filter(None, (p.strip() for p in str(figure(figure_id)["series_break"]).split(";"))):
        pop, _, year = part.rpartition(":")
        if year.isdigit():
            out.append({"year": int(year), "population": pop})
    return out


CAPTION_WORDS = 40
#: Chart kinds drawn with whiskers on their points; bar kinds show the net share's interval beside the bars.
WHISKER_KINDS = {"line", "dumbbell", "dot_ranking", "small_multiples"}


def _interval_words() -> tuple[str, str]:
    """('95 %', 'logit'): the interval level and method the settings ask for."""
    iv = interval()
    return f"{100 * float(iv['level']):g} %", CI_NAMES.get(iv["method"], iv["method"])


def _years_text(t: pd.DataFrame) -> str:
    ys = sorted(t["year"].unique())
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def _limit_words(text: str, n: int) -> str:
    words = text.split()
    return text if len(words) <= n else " ".join(words[:n]).rstrip(",;:.") + " …"


def caption_parts(figure_id: str) -> list[str]:
    """The visible caption as a list of short sentences: what is shown, who and when, base, interval."""
    f = figure(figure_id)
    q = f["question"] or {}
    t = table(figure_id)
    kind = chart_kind(figure_id)
    who = " and ".join(_population_name(p).lower() for p in dict.fromkeys(t["population"])) if not t.empty else ""
    question = " ".join(str(q.get("text_en", "") or f["headline_en"]).split())
    parts = [f"{who.capitalize()}, {_years_text(t)}." if who else ""]
    parts.append(findings.headline_verdict(figure_id)["caption"])  # "The report's headline: does not hold."
    bases = t["base"].dropna()
    if len(bases):
        lo, hi = int(bases.min()), int(bases.max())
        parts.append(f"Base n = {lo:,}." if lo == hi else f"Base n = {lo:,}–{hi:,}.")
    level, method = _interval_words()
    if t["ci_low"].notna().any() and kind != "key_figure":
        if kind in WHISKER_KINDS:
            parts.append(f"Whiskers: {level} intervals ({method}).")
        else:
            parts.append(f"Beside the bars: the net share with its {level} interval ({method}).")
    if series_breaks(figure_id):
        parts.append("† wording changed.")
    used = sum(len(p.split()) for p in parts)
    q = _limit_words(question, max(CAPTION_WORDS - used - 1, 8))
    parts.insert(0, q if q.endswith(("?", "!")) else q.rstrip(".:") + ".")  # a question keeps its mark
    return [p for p in parts if p]


def caption_details(figure_id: str) -> list[str]:
    """The 'About this figure' lines (HTML): question wording in Norwegian and English, who was asked,
    bases, the report's note, wording changes, sources as links."""
    f = figure(figure_id)
    q = f["question"] or {}
    t = table(figure_id)
    esc = html.escape
    out = [esc(findings.headline_verdict(figure_id)["text"])]  # the headline quoted, with the book's verdict
    if q:
        out.append(f"<b>Question (Norwegian)</b>: <i lang=\"nb\">{esc(' '.join(str(q.get('text_no', '')).split()))}</i>")
        out.append(f"<b>Question (English)</b>: {esc(' '.join(str(q.get('text_en', '')).split()))}")
    if f.get("filter_en"):
        out.append(f"<b>Asked</b>: {esc(f['filter_en'])}")
    if not t.empty:
        bases = t.dropna(subset=["base"]).drop_duplicates(["population", "year", "base"])
        if len(bases):
            out.append("<b>Bases</b>: " + "; ".join(f"{esc(_population_name(r.population))} {r.year}: n = {int(r.base):,}"
                                                    for r in bases.itertuples()))
        if (t["base_source"] == "all interviews of the year").any():
            out.append("Asked of everyone: where no base is printed, the base is the year's completed interviews.")
        if t["base"].isna().any():
            out.append("Some numbers have no printed base: they are shown without an interval.")
        if t["ci_low"].notna().any():
            level, method = _interval_words()
            out.append(f"Intervals: {level}, {esc(method)} method, from the printed base and the design effect "
                       "assumed in settings.yml.")
    if f.get("figure_notes"):
        out.append(f"<b>Report's note</b>: <i lang=\"nb\">{esc(f['figure_notes'])}</i>")
    for b in series_breaks(figure_id):
        who = f" for {b['population']}" if b["population"] else ""
        out.append(f"Wording changed from {b['year']}{who} (marked † or with a dotted line).")
    if not t.empty:  # which years come from where, page addresses as links
        note = esc(source_note(figure_id), quote=False)
        out.append("<b>Source</b>: " + re.sub(r"(https://[^\s,;]+?)([.,;)]?(?:\s|$))", r'<a href="\1">\1</a>\2', note))
    return out


def caption(figure_id: str) -> Markdown:
    """Short caption (at most about 40 words) and a collapsed 'About this figure' block with the details."""
    parts = caption_parts(figure_id)
    details = caption_details(figure_id)
    block = ('<details class="ehelse-about"><summary>About this figure</summary><ul>'
             + "".join(f"<li>{d}</li>" for d in details) + "</ul></details>")
    return Markdown(" ".join(parts) + " " + block)


def _year_span(years) -> str:
    ys = sorted(int(y) for y in set(years))
    runs, start = [], ys[0]
    for a, b in zip(ys, ys[1:] + [None]):
        if b != a + 1:
            runs.append(str(start) if start == a else f"{start}–{a}")
            start = b
    return ", ".join(runs)


def source_note(figure_id: str) -> str:
    """Which years of a figure come from the report text (its lines) and which from the publisher's pages
    (their addresses); pages that confirm a report number, and disagreements, are named."""
    t = table(figure_id)
    if t.empty:
        return ""
    rep, pub = t[t["source"] == SOURCE_REPORT], t[t["source"] == SOURCE_PUBLISHER]
    if rep.empty:
        urls = sorted(set(pub["url"]))
        if len(urls) == 1:
            return f"Numbers from the publisher's web pages, not in the report text: {urls[0]}."
        by_url = "; ".join(f"{_year_span(pub.loc[pub['url'] == u, 'year'])}: {u}" for u in urls)
        return f"Numbers from the publisher's web pages, not in the report text: {by_url}."
    lines = rep["source_line"].dropna().astype(int)
    a, b = lines.min(), lines.max()
    text = f"report text, {f'line {a}' if a == b else f'lines {a}–{b}'} (`data/published`)"
    if pub.empty:
        out = f"Numbers: {text}."
    else:
        out = (f"Numbers: {_year_span(rep['year'])}: {text}; {_year_span(pub['year'])}: publisher's page"
               f"{'s' if pub['url'].nunique() > 1 else ''} " + ", ".join(sorted(set(pub["url"]))) + ".")
    confirmed = rep[rep["other_source_url"] != ""]
    if len(confirmed):
        agree = confirmed[(confirmed["other_source_value"] - confirmed["value"]).abs() <= DISAGREE_POINTS]
        if len(agree):
            out += (f" The publisher's page {', '.join(sorted(set(agree['other_source_url'])))} gives the same "
                    f"number{'s' if len(agree) > 1 else ''} for {_year_span(agree['year'])}.")
        if len(agree) < len(confirmed):
            out += (" The publisher's pages give other numbers for "
                    f"{_year_span(confirmed.loc[~confirmed.index.isin(agree.index), 'year'])}: the chart draws the "
                    "report text's (see the source issues).")
    if len(nets := _net_only(figure_id, t)):
        out += (f" {_year_span(nets['year'])}: the page gives only the net share "
                f"({', '.join(sorted(set(nets['category_en'])))}); it is in the table and the tests, not stacked.")
    return out


def _net_only(figure_id: str, t: pd.DataFrame) -> pd.DataFrame:
    f = figure(figure_id)
    if not f["question_id"] or f["chart_type"] != "stacked_bar":
        return t.iloc[0:0]
    nets = set(codebook()["scales"][f["question"]["scale"]].get("nets") or {})
    whole_years = set(t.loc[~t["category"].isin(nets), "year"])
    return t[t["category"].isin(nets) & ~t["year"].isin(whole_years)]


def missing(chapter: str) -> pd.DataFrame:
    """Charts of a chapter whose numbers are in neither the report text nor the publisher's pages."""
    inv = inventory()
    cb = codebook()
    rows = []
    for r in inv[(inv["chapter"] == chapter) & (inv["chart_type"] != "text")].itertuples():
        src = source_of(r.figure_id)
        if src and src != SOURCE_PARTIAL:
            continue
        q = cb["questions"].get(r.question_id, {}) if r.question_id else {}
        rows.append({"figure": r.figure_id, "headline": r.headline, "question (as asked)": " ".join(str(q.get("text_no", "")).split()),
                     "question (English)": " ".join(str(q.get("text_en", "")).split()) or r.headline_en,
                     "numbers": "only the headline's numbers" if src else "numbers not in the source"})
    return exempt(pd.DataFrame(rows, columns=["figure", "headline", "question (as asked)", "question (English)", "numbers"]),
                  "published numbers")


def _tested_categories(figure_id: str, t: pd.DataFrame) -> list[tuple[str, list[str]]]:
    f = figure(figure_id)
    if not f["question_id"]:
        return []
    scale = codebook()["scales"][f["question"]["scale"]]
    nets = scale.get("nets") or {}
    present = set(t["category"])
    groups = [(name, members) for name, members in nets.items() if set(members) <= present]
    if groups:
        return groups[:1]
    return [(c, [c]) for c in scale_labels(f["question"]["scale"]) if c in present and not plots.is_non_answer(c)]


def tests(figure_id: str) -> pd.DataFrame:
    """Tests of the latest change and of first-to-last year for each item and tested category (net), and of
    personnel vs citizens on comparison slides."""
    t = table(figure_id)
    if t.empty:
        return pd.DataFrame()
    t = t[t["unit"] == "percent"]
    deff = load()["published_deff"]
    slide_years = {int(y) for y in str(figure(figure_id)["years"]).split(";") if y.strip().isdigit()}
    rows = []
    for (pop, item), g in t.groupby(["population", "item"], sort=False):
        years = sorted(g["year"].unique())
        if len(years) < 2:
            continue
        for name, members in _tested_categories(figure_id, g):
            by_year = {}
            for y in years:
                gy = g[(g["year"] == y) & g["category"].isin(members)]
                if len(gy) != len(members):  # a source may print only the net itself
                    gy = g[(g["year"] == y) & (g["category"] == name)]
                if len(gy) == len(members) or (len(gy) == 1 and name not in members):
                    by_year[y] = (float(gy["value"].sum()), gy["base"].iloc[0])
            latest = LATEST if _adjacent(pop, years[-2], years[-1]) else LATEST_GAP
            pairs = {latest: (years[-2], years[-1]), FIRST_LAST: (years[0], years[-1])}
            on_slide = [y for y in years if y in slide_years]
            if len(on_slide) >= 2 and on_slide[-1] != years[-1]:
                pairs[SLIDE_LATEST] = (on_slide[-2], on_slide[-1])
            for label, (a, b) in pairs.items():
                if label == FIRST_LAST and len(years) == 2:
                    continue
                if a not in by_year or b not in by_year:
                    continue
                (pa, na), (pb, nb) = by_year[a], by_year[b]
                p = np.nan
                if not (pd.isna(na) or pd.isna(nb)):
                    d = deff.get(pop, 1.0)
                    p = float(published_change_test(pa, na, pb, nb, d, d)["p_value"].iloc[0])
                rows.append({"figure_id": figure_id, "population": pop, "item": item, "measure": name,
                             "test": label, "from": a, "to": b, "share_from": pa, "share_to": pb,
                             "change_points": pb - pa, "p_value": p})
    rows += _population_tests(figure_id, t, deff)
    return pd.DataFrame(rows)


def _adjacent(population: str, a: int, b: int) -> bool:
    """Whether waves a and b of a population follow each other in the registry (no wave between them)."""
    survey = population if population in waves.SURVEYS else None
    known = waves.years(survey) if survey else []
    return not any(a < y < b for y in known) and (b - a == 1 or (a in known and b in known))


def slide_latest(tests_table: pd.DataFrame) -> pd.DataFrame:
    """Per figure, population, item and measure, the latest change the slide shows: the SLIDE_LATEST test where a
    later wave extends the series, else the series' latest change (for prose about the report's own years)."""
    key = ["figure_id", "population", "item", "measure"]
    t = tests_table[tests_table["test"].isin([SLIDE_LATEST, LATEST, LATEST_GAP])]
    t = t.assign(_first=t["test"].ne(SLIDE_LATEST)).sort_values("_first", kind="stable")
    return t.drop_duplicates(key).drop(columns="_first").sort_index()


def _population_tests(figure_id: str, t: pd.DataFrame, deff: dict) -> list[dict]:
    """Citizens vs personnel in the latest year both have, for a comparison slide (independent samples)."""
    if t["population"].nunique() != 2:
        return []
    pops = sorted(t["population"].unique())
    items = {p: sorted(t.loc[t["population"] == p, "item"].unique()) for p in pops}
    if all(len(v) == 1 for v in items.values()):
        pairs = [(items[pops[0]][0], items[pops[1]][0])]
    else:
        pairs = [(i, i) for i in items[pops[0]] if i in items[pops[1]]]
    rows = []
    for ia, ib in pairs:
        a = t[(t["population"] == pops[0]) & (t["item"] == ia)]
        b = t[(t["population"] == pops[1]) & (t["item"] == ib)]
        common = sorted(set(a["year"]) & set(b["year"]))
        if not common:
            continue
        y = common[-1]
        for name, members in _tested_categories(figure_id, pd.concat([a, b])):
            ga, gb = a[(a["year"] == y) & a["category"].isin(members)], b[(b["year"] == y) & b["category"].isin(members)]
            if len(ga) != len(members) or len(gb) != len(members):
                continue
            pa, pb = float(ga["value"].sum()), float(gb["value"].sum())
            na, nb = ga["base"].iloc[0], gb["base"].iloc[0]
            p = np.nan
            if not (pd.isna(na) or pd.isna(nb)):
                p = float(published_change_test(pa, na, pb, nb, deff.get(pops[0], 1.0),
                                                deff.get(pops[1], 1.0))["p_value"].iloc[0])
            rows.append({"figure_id": figure_id, "population": f"{pops[1]} vs {pops[0]}", "item": ib,
                         "measure": name, "test": "between populations", "from": y, "to": y, "share_from": pa,
                         "share_to": pb, "change_points": pb - pa, "p_value": p})
    return rows


def chapter_tests(chapter: str) -> pd.DataFrame:
    """Every test of a chapter with Benjamini-Hochberg adjusted p-values (the chapter is the family)."""
    inv = inventory()
    frames = [tests(f) for f in inv.loc[(inv["chapter"] == chapter) & (inv["chart_type"] != "text"), "figure_id"]]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["figure_id", "population", "item", "measure", "test", "from", "to",
                                     "share_from", "share_to", "change_points", "p_value", "p_adjusted", "significant"])
    out = pd.concat(frames, ignore_index=True)
    method = load().get("multiple_comparisons", "fdr_bh")
    out["p_adjusted"] = out["p_value"] if method == "none" else adjust_pvalues(out["p_value"].to_numpy(), method)
    out["significant"] = np.where(out["p_adjusted"].isna(), "base not printed",
                                  np.where(out["p_adjusted"] < 0.05, "yes", "no"))
    return exempt(out, "tests of published numbers")


def chapter_figures(chapter: str) -> list[str]:
    """Figure ids of a chapter's charts, in report order."""
    inv = inventory().sort_values(["report", "order"])
    return list(inv.loc[(inv["chapter"] == chapter) & (inv["chart_type"] != "text"), "figure_id"])


# ------------------------------------------------------------------ figure-level lookups for chapters
# Chapters never write a survey year: they ask for a figure's years, its value in "the latest year"
# or "the first year" of its series, and its tests, and glue what these return.

def _select(t: pd.DataFrame, figure_id: str, **sel) -> pd.DataFrame:
    for col, want in sel.items():
        if want is None:
            continue
        t = t[t[col] == want]
    if t.empty:
        raise KeyError(f"{figure_id}: no numbers for {({k: v for k, v in sel.items() if v is not None})}")
    return t


def series_years(figure_id: str, population: str | None = None, item: str | None = None,
                 category: str | None = None) -> list[int]:
    """Years a figure's series has numbers for (optionally of one population, item, category), sorted."""
    t = _select(table(figure_id), figure_id, population=population, item=item, category=category)
    return sorted(int(y) for y in t["year"].unique())


def series(figure_id: str, population: str | None = None, item: str | None = None,
           category: str | None = None) -> pd.Series:
    """A figure's values by year for one population / item / category (the selection must give one per year)."""
    t = _select(table(figure_id), figure_id, population=population, item=item, category=category)
    t = t[t["unit"] == "percent"] if (t["unit"] == "percent").any() else t
    dup = t["year"].duplicated()
    if dup.any():
        raise KeyError(f"{figure_id}: several values for year {int(t['year'][dup].iloc[0])}; select population, "
                       "item or category")
    return t.set_index("year")["value"].sort_index()


def value(figure_id: str, year: int, population: str | None = None, item: str | None = None,
          category: str | None = None) -> float:
    """One published value of a figure."""
    s = series(figure_id, population, item, category)
    if int(year) not in s.index:
        raise KeyError(f"{figure_id}: no value for {year} (years {list(s.index)})")
    return float(s.loc[int(year)])


def test_row(tests_table: pd.DataFrame, figure_id: str, test: str = LATEST, population: str | None = None,
             item: str | None = None, measure: str | None = None) -> dict:
    """The one row of a tests table (figures.tests or chapter_tests) for a figure and test kind.

    `test` is LATEST (accepts LATEST_GAP too), FIRST_LAST or "between populations"; the row carries
    its own years ('from', 'to'), shares and p-values, so a sentence glues all of them from it.
    """
    t = tests_table[tests_table["figure_id"] == figure_id]
    kinds = {LATEST, LATEST_GAP} if test in (LATEST, LATEST_GAP) else {test}
    t = t[t["test"].isin(kinds)]
    for col, want in (("population", population), ("item", item), ("measure", measure)):
        if want is not None:
            t = t[t[col] == want]
    if len(t) != 1:
        raise KeyError(f"{figure_id}: {len(t)} {test!r} tests match population={population!r}, item={item!r}, "
                       f"measure={measure!r}; name them so that exactly one does")
    return t.iloc[0].to_dict()


def latest_change(figure_id: str, tests_table: pd.DataFrame | None = None, **sel) -> dict:
    """The test of a series' last two waves (from, to, share_from, share_to, change_points, p values)."""
    return test_row(tests(figure_id) if tests_table is None else tests_table, figure_id, LATEST, **sel)


def first_to_last(figure_id: str, tests_table: pd.DataFrame | None = None, **sel) -> dict:
    """The test of a series' first against its last wave."""
    return test_row(tests(figure_id) if tests_table is None else tests_table, figure_id, FIRST_LAST, **sel)


def row_id(row: dict, chapter: str | None = None) -> str:
    """A test row's identity 'chapter|figure|population|item|measure|test|from|to' (for the glue check)."""
    return "|".join(str(x) for x in (chapter or "", row["figure_id"], row["population"], row["item"],
                                      row["measure"], row["test"], int(row["from"]), int(row["to"])))
