"""A report figure, redrawn: its published numbers with intervals, its chart, caption and tests.

Chapters call these per figure id (C21, P39, …):

    tbl = figures.table("C21")       # tidy numbers, English labels, printed base, 95 % CI
    fig = figures.draw("C21")        # the chart type of the slide, the book's palette
    cap = figures.caption("C21")     # wording (Norwegian + English), filter, bases, notes
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
import textwrap

import numpy as np
import pandas as pd
from IPython.display import Markdown

from . import plots, waves
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
    """Where a figure's numbers come from: 'report text', "publisher's web page" or '' (missing)."""
    return _numbers(figure_id)[1]


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


def draw(figure_id: str):
    """The figure as the book draws it, or None when its numbers are not in the sources."""
    t = table(figure_id)
    if t.empty:
        return None
    fig_info = figure(figure_id)
    kind = fig_info["chart_type"]
    breaks = [b["year"] for b in series_breaks(figure_id)]
    pct = t[t["unit"] == "percent"]
    nets = set((codebook()["scales"][fig_info["question"]["scale"]].get("nets") or {}) if fig_info["question_id"] else ())
    whole = pct[~pct["category"].isin(nets)]  # a bar given only as a net (a page's "enig") is not stacked
    title = _short(fig_info["headline_en"], 80)
    if (t["unit"] == "nps_points").any():
        n = nps_table(figure_id).assign(label=lambda d: [_short(f"{r.item_en if r.item != 'Total' else 'NPS'} "
                                                                f"({r.year}, {r.population})", 50) for r in d.itertuples()])
        return plots.dots(n.rename(columns={"nps": "estimate"}), label="label", title=title, xlim=(-100, 100),
                          xlabel="NPS (points)", reference=0.0, colour_by="population", colours=plots.POPULATION_COLOURS)
    bar_totals = whole.groupby(["population", "year", "item"])["value"].sum() if not whole.empty else pd.Series(dtype=float)
    nearly_whole = len(bar_totals) and bar_totals.min() >= 90
    if kind == "stacked_bar" and not whole.empty and fig_info["question_id"] and nearly_whole:
        pct = whole
        labels = [l for l in scale_labels(fig_info["question"]["scale"]) if l in set(pct["category"])]
        pct = pct.assign(bar=[_bar_label(r, breaks, pct) for r in pct.itertuples()],
                         panel=[_short(r.item_en, 90) + ("" if pct["population"].nunique() == 1 else f" ({r.population})")
                                for r in pct.itertuples()])
        multi = pct["panel"].nunique() > 1
        scale = codebook()["scales"][fig_info["question"]["scale"]]
        return plots.stacked_bars(pct, bar="bar", labels=labels, title=title, panel="panel" if multi else None,
                                  ordinal=fig_info["question"]["scale"] != "multi" and scale.get("ordered", True))
    if (kind == "comparison" and fig_info["question_id"] and nearly_whole and pct["year"].nunique() == 1
            and pct["category"].nunique() > 1):
        labels = [l for l in scale_labels(fig_info["question"]["scale"]) if l in set(pct["category"])]
        pct = pct.assign(bar=[f"{_short(r.item_en, 30)} ({r.year})" + (f" n={int(r.base)}" if r.base and not pd.isna(r.base) else "")
                              for r in pct.itertuples()])
        return plots.stacked_bars(pct, bar="bar", labels=labels, title=title)
    if kind in ("time_series", "comparison") or (pct["year"].nunique() > 1 and pct["item"].nunique() * pct["category"].nunique() <= 4):
        series = pct.assign(series=[_series_label(r, pct) for r in pct.itertuples()])
        if pct["year"].nunique() > 1:
            return plots.trend(series.rename(columns={"value": "estimate"}), series="series", breaks=breaks, title=title)
    if not pct.empty:
        slide = {int(y) for y in str(fig_info["years"]).split(";") if y.strip().isdigit()}
        later = bool(slide) and not set(pct["year"]) <= slide  # a later wave's points: say their year
        lab = pct.assign(label=[_dot_label(r, pct, later) for r in pct.itertuples()])
        if pct["year"].nunique() == 1:
            lab = lab.sort_values("value", ascending=False, kind="stable")
            colour_by, colours = "population", plots.POPULATION_COLOURS
        else:
            colour_by = "year"
            colours = {y: plots.SERIES[i % len(plots.SERIES)] for i, y in enumerate(sorted(pct["year"].unique()))}
        return plots.dots(lab.rename(columns={"value": "estimate"}), label="label", title=title, xlim=(0, 100),
                          colour_by=colour_by, colours=colours)
    if t["year"].nunique() > 1 and t["item"].nunique() == 1:
        return plots.trend(t.rename(columns={"value": "estimate"}).drop(columns=["ci_low", "ci_high"]), title=title,
                           ylabel=str(t["category_en"].iloc[0]), ylim=None, breaks=breaks)
    other = t.assign(label=[_short(f"{r.item_en} ({r.year})", 60) for r in t.itertuples()])
    lo = other["value"].min()
    return plots.dots(other.rename(columns={"value": "estimate"}).assign(ci_low=other["value"], ci_high=other["value"]),
                      label="label", title=title, xlabel=t["unit"].iloc[0].replace("_", " "),
                      reference=0.0 if lo < 0 else None)


def _bar_label(r, breaks: list[int], pct: pd.DataFrame) -> str:  # breaks: years from which wording changed
    base = f" (n={int(r.base)})" if r.base and not pd.isna(r.base) else ""
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
        parts.append(r.population)
    return _short(", ".join(parts), 55)


def _series_label(r, pct: pd.DataFrame) -> str:
    parts = []
    names_population = str(r.item_en).lower().startswith(("citizen", "health personnel", "personnel", "health staff"))
    if pct["population"].nunique() > 1 and not names_population:
        parts.append(r.population.capitalize())
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


def caption(figure_id: str) -> Markdown:
    """Caption: question as asked (Norwegian) and in English, who was asked, bases, notes, source."""
    f = figure(figure_id)
    q = f["question"] or {}
    t = table(figure_id)
    parts = [f"**{f['headline_en']}** ({figure_id}; *{f['headline']}*)."]
    if q:
        parts.append(f"Question: *{' '.join(str(q.get('text_no', '')).split())}* — {' '.join(str(q.get('text_en', '')).split())}")
    if f.get("filter_en"):
        parts.append(f"Asked: {f['filter_en']}")
    if not t.empty:
        bases = t.dropna(subset=["base"]).drop_duplicates(["population", "year", "base"])
        if t["item"].nunique() > 1 and len(bases) > 8:
            bases = bases.iloc[0:0]
            parts.append("Bases per statement and year are printed on the bars.")
        if len(bases):
            parts.append("Base: " + "; ".join(f"{r.population} {r.year}: n = {int(r.base)}" for r in bases.itertuples()) + ".")
        if (t["base_source"] == "all interviews of the year").any():
            parts.append("Asked of everyone: where no base is printed, the base is the year's completed interviews.")
        if t["base"].isna().any():
            parts.append("Some bars have no printed base: they are drawn without an interval.")
        if t["ci_low"].notna().any():
            iv = interval()
            parts.append(f"Whiskers: {100 * iv['level']:g} % intervals from the printed base "
                         f"({CI_NAMES.get(iv['method'], iv['method'])}, assumed design effect as in settings.yml).")
    if f.get("figure_notes"):
        parts.append(f"Report's note: *{f['figure_notes']}*")
    for b in series_breaks(figure_id):
        who = f" for {b['population']}" if b["population"] else ""
        parts.append(f"Wording changed from {b['year']}{who} (marked † or with a dotted line).")
    if not t.empty:
        parts.append(source_note(figure_id))
    return Markdown(" ".join(parts))


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
    text = f"report text, lines {lines.min()}–{lines.max()} (`data/published`)"
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
        if source_of(r.figure_id):
            continue
        q = cb["questions"].get(r.question_id, {}) if r.question_id else {}
        rows.append({"figure": r.figure_id, "headline": r.headline, "question (as asked)": " ".join(str(q.get("text_no", "")).split()),
                     "question (English)": " ".join(str(q.get("text_en", "")).split()) or r.headline_en,
                     "numbers": "numbers not in the source"})
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
