"""One function per chart kind, in the book's one visual system (`style`): seaborn theme, semantic colours.

Every function returns a matplotlib Figure that records its kind and the colours it gave to
labels (`style.record`); chapters glue the figure and the caption comes from `figures.caption`.
Charts are `style.WIDTH_IN` wide with no text below `style.MIN_FONT_PT`, so that their text
stays >= 9 px on a 390 px phone. Labels are direct (at the line end, on the bar, beside the dot)
wherever a legend box can be avoided.
"""
from __future__ import annotations

import textwrap
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import style
from .style import INK, MUTED, is_non_answer  # noqa: F401  (is_non_answer: part of this module's API)

POPULATION_COLOURS = dict(style.POPULATION)
NOMINAL = list(style.NOMINAL)
SERIES = list(style.NOMINAL)
NON_ANSWER = list(style.NON_ANSWER)
SYNTHETIC_LABEL = "Synthetic respondents — illustrates the method, not a finding"
FS = style.MIN_FONT_PT
W = style.WIDTH_IN


def wrap(text, width: int = 28, lines: int = 3) -> str:
    """Text wrapped to `width` characters, at most `lines` lines (the last one ends with … when cut)."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(width - 1, 1)].rstrip() + "…"
    return "\n".join(parts)


def palette(labels: Sequence[str], ordinal: bool = True) -> dict[str, str]:
    """Colours of a scale's labels: each label's one colour in the book (`style.label_colour`)."""
    return {l: style.label_colour(l) for l in labels}


def mark_synthetic(fig: plt.Figure) -> plt.Figure:
    """Stamp a figure computed from synthetic respondents, visibly (above the plot, not over it)."""
    fig.suptitle(SYNTHETIC_LABEL.upper(), fontsize=FS, color="#b2182b", fontweight="bold",
                 bbox={"facecolor": "#fff5f0", "edgecolor": "#b2182b", "boxstyle": "round"})
    return fig


def _title(fig: plt.Figure, title: str) -> None:
    if title:
        fig.suptitle(wrap(title, 50, 3), fontsize=style.TITLE_PT, x=0.01, ha="left", fontweight="bold")


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label positions near `ys`, at least `gap` apart, in the order of `ys` (for direct labels)."""
    order = np.argsort(ys, kind="stable")
    pos = np.array(ys, float)[order]
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    shift = (pos - np.array(ys, float)[order]).mean() / 2
    pos -= max(shift, 0)
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    out = np.empty(len(pos))
    out[order] = pos
    return list(out)


def line(tbl: pd.DataFrame, *, series: str = "series", x: str = "year", y: str = "estimate",
         lo: str = "ci_low", hi: str = "ci_high", colour: str = "colour", marker: str | None = None,
         breaks: Sequence[int] = (), xlabels: dict | None = None, ylabel: str = "Percent",
         title: str = "", ylim: tuple | None = (0, 100), records=()) -> plt.Figure:
    """Lines over survey years with intervals; each line named at its end with its last value."""
    xs = sorted(tbl[x].unique())
    fig, ax = plt.subplots(figsize=(W, 3.9))
    ends = []
    for i, (name, g) in enumerate(tbl.groupby(series, sort=False)):
        g = g.sort_values(x)
        c = g[colour].iloc[0] if colour in g else SERIES[i % len(SERIES)]
        m = g[marker].iloc[0] if marker and marker in g else "o"
        yerr = None
        if lo in g and hi in g and g[lo].notna().any():
            yerr = np.vstack([(g[y] - g[lo]).fillna(0), (g[hi] - g[y]).fillna(0)])
        ax.errorbar(g[x], g[y], yerr=yerr, marker=m, capsize=3, color=c, linewidth=1.8, markersize=5)
        first = g.iloc[0]
        ax.annotate(f"{first[y]:.0f}", (first[x], first[y]), xytext=(-6, 0), textcoords="offset points",
                    ha="right", va="center", fontsize=FS, color=c)
        last = g.iloc[-1]
        ends.append((float(last[y]), f"{last[y]:.0f} {name}" if name else f"{last[y]:.0f}", c, last[x]))
    lims = ylim or (min(tbl[lo].min() if lo in tbl else tbl[y].min(), tbl[y].min()),
                    max(tbl[hi].max() if hi in tbl else tbl[y].max(), tbl[y].max()))
    span = (lims[1] - lims[0]) or 1.0
    texts = [wrap(e[1], 18, 3) for e in ends]
    gap = 0.06 * span * max(t.count("\n") + 1 for t in texts)
    pos = _spread([e[0] for e in ends], gap=gap)
    for (yy, _, c, xx), text, p in zip(ends, texts, pos):
        ax.annotate(text, (xx, yy), xytext=(xs[-1] + 0.18, p), textcoords="data", ha="left",
                    va="center", fontsize=FS, color=c, annotation_clip=False)
    for b in breaks:
        ax.axvline(b - 0.5, color=MUTED, linestyle=":", linewidth=1)
        ax.text(b - 0.45, lims[1], "wording\nchanged", fontsize=FS, va="top", color=MUTED)
    ax.set_xticks(xs, [(xlabels or {}).get(v, str(v)) for v in xs])
    ax.set_xlim(xs[0] - 0.35, xs[-1] + 0.35 + max(0.55 * (len(xs) - 1), 0.8))
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right"]].set_visible(False)
    _title(fig, title)
    return style.record(fig, "line", records)


def dumbbell(tbl: pd.DataFrame, *, row: str = "row", x: str = "estimate", year: str = "year",
             lo: str = "ci_low", hi: str = "ci_high", xlabel: str = "Percent", title: str = "",
             xlim: tuple | None = (0, 100), records=()) -> plt.Figure:
    """Two (or a few) waves per row as dots joined by a line, coloured by wave; rows sorted by the latest wave."""
    years = sorted(tbl[year].unique())
    last = tbl[tbl[year] == years[-1]].set_index(row)[x]
    rows = sorted(dict.fromkeys(tbl[row]), key=lambda r: -float(last.get(r, np.nan)) if r in last else 0)
    fig, ax = plt.subplots(figsize=(W, 0.62 * len(rows) + 1.9))
    for i, r in enumerate(rows):
        g = tbl[tbl[row] == r].sort_values(year)
        ax.plot(g[x], [i] * len(g), color="#bbbbbb", linewidth=2.5, zorder=1)
        vals = list(g[x])
        for j, rr in enumerate(g.itertuples()):
            c = style.year_colour(getattr(rr, year))
            v, a, b = getattr(rr, x), getattr(rr, lo, np.nan), getattr(rr, hi, np.nan)
            if not (pd.isna(a) or pd.isna(b)):
                ax.plot([a, b], [i, i], color=c, linewidth=1, zorder=2)
            ax.scatter([v], [i], color=c, s=45, zorder=3)
            below = j % 2 == 1 and any(abs(v - w) < 9 for w in vals[:j])
            ax.annotate(f"{v:.0f}", (v, i), xytext=(0, -11 if below else 7), textcoords="offset points",
                        ha="center", va="top" if below else "bottom", fontsize=FS, color=c)
    for y_ in years:
        ax.scatter([], [], color=style.year_colour(y_), label=str(y_))
    ax.legend(frameon=False, ncol=len(years), loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=FS,
              handletextpad=0.2, borderaxespad=0.1)
    ax.set_yticks(range(len(rows)), [wrap(r, 24) for r in rows])
    ax.set_ylim(len(rows) - 0.4, -0.7)
    if xlim:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    _title(fig, title)
    return style.record(fig, "dumbbell", list(records) + [("year", str(y_), style.year_colour(y_)) for y_ in years])


def bars(tbl: pd.DataFrame, *, bar: str, category: str = "category", value: str = "value",
         labels: Sequence[str], names: dict | None = None, panel: str | None = None,
         net: pd.DataFrame | None = None, net_label: str = "", diverging: bool = True, title: str = "",
         min_label: float = 7.0) -> plt.Figure:
    """Horizontal bars per `bar` (years), answers in scale order: diverging around 0 (positive right) or
    stacked from 0; the net share with its interval in a panel beside them; one row of panels per `panel`."""
    panels = [None] if panel is None else list(dict.fromkeys(tbl[panel]))
    sizes = [tbl[bar].nunique() if p is None else tbl.loc[tbl[panel] == p, bar].nunique() for p in panels]
    rl = style.roles(labels)
    has_net = net is not None and len(net)
    fig, axes = plt.subplots(len(panels), 2 if has_net else 1, squeeze=False, sharex="col",
                             figsize=(W, 0.48 * sum(sizes) + 0.55 * len(panels) + 2.2),
                             gridspec_kw={"height_ratios": sizes, **({"width_ratios": [3.1, 1]} if has_net else {})})
    cols = palette(labels)
    extent = [0.0, 0.0]
    for k, p in enumerate(panels):
        ax = axes[k, 0]
        sub = tbl if p is None else tbl[tbl[panel] == p]
        rows = list(dict.fromkeys(sub[bar]))
        val = {(b, l): float(sub.loc[(sub[bar] == b) & (sub[category] == l), value].sum()) for b in rows for l in labels}
        for i, b in enumerate(rows):
            neu = sum(val[(b, l)] for l in labels if rl[l] == "0")
            neg = [l for l in labels if rl[l].startswith("-")]
            pos = [l for l in labels if rl[l].startswith("+")]
            segs = []
            if diverging:
                # negatives: the mildest next to the centre
                cur = -neu / 2
                for l in sorted(neg, key=lambda l: labels.index(l)):
                    v = val[(b, l)]
                    segs.append((l, cur - v, v))
                    cur -= v
                for l in labels:
                    if rl[l] == "0":
                        segs.append((l, -neu / 2, val[(b, l)]))
                cur = neu / 2
                for l in sorted(pos, key=lambda l: -labels.index(l)):
                    v = val[(b, l)]
                    segs.append((l, cur, v))
                    cur += v
                cur += 2
                extent[0] = min(extent[0], -neu / 2 - sum(val[(b, l)] for l in neg))
            else:
                cur = 0.0
                for l in labels:
                    if rl[l] == "na":
                        continue
                    segs.append((l, cur, val[(b, l)]))
                    cur += val[(b, l)]
            for l in labels:
                if rl[l] == "na":
                    segs.append((l, cur, val[(b, l)]))
                    cur += val[(b, l)]
            extent[1] = max(extent[1], cur)
            for l, s, v in segs:
                if v <= 0:
                    continue
                ax.barh(i, v, left=s, color=cols[l], edgecolor="white", linewidth=0.6, height=0.72)
                if v >= min_label:
                    ax.text(s + v / 2, i, f"{v:.0f}", ha="center", va="center", fontsize=FS,
                            color=style.text_on(cols[l]))
        ax.set_yticks(range(len(rows)), [str(b) for b in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        if diverging:
            ax.axvline(0, color="#444444", linewidth=0.8)
        ax.grid(axis="y", visible=False)
        if p is not None:
            ax.set_title(wrap(p, 46, 3), fontsize=FS, loc="left")
        if has_net:
            nax = axes[k, 1]
            ns = net if p is None or panel not in net else net[net[panel] == p]
            ns = ns.drop_duplicates(bar).set_index(bar).reindex(rows)
            err = np.vstack([(ns["estimate"] - ns["ci_low"]).fillna(0), (ns["ci_high"] - ns["estimate"]).fillna(0)])
            nax.errorbar(ns["estimate"], range(len(rows)), xerr=err, fmt="o", color=INK, ecolor=MUTED, capsize=3,
                         markersize=4)
            for i, v in enumerate(ns["estimate"]):
                if not pd.isna(v):
                    nax.annotate(f"{v:.0f}", (v, i), xytext=(0, 5), textcoords="offset points", ha="center",
                                 va="bottom", fontsize=FS)
            nax.set_ylim(len(rows) - 0.5, -0.5)
            nax.set_yticks([])
            nax.set_xlim(0, 100)
            nax.set_xticks([0, 50, 100])
            nax.grid(axis="y", visible=False)
    main = axes[-1, 0]
    if diverging:
        lo_, hi_ = min(extent[0] - 3, -10), max(extent[1] + 3, 10)
        main.set_xlim(lo_, hi_)
        ticks = [t for t in range(-100, 101, 25) if lo_ <= t <= hi_]
        main.set_xticks(ticks, [str(abs(t)) for t in ticks])
    else:
        main.set_xlim(0, max(100, extent[1]))
    main.set_xlabel("Percent")
    if has_net:
        axes[-1, 1].set_xlabel(wrap(net_label, 16, 3) + " (%)", fontsize=FS)
    shown = [l for l in labels if (tbl[category] == l).any()]
    handles = [plt.Rectangle((0, 0), 1, 1, color=cols[l]) for l in shown]
    fig.legend(handles, [wrap((names or {}).get(l, l), 26, 2) for l in shown], ncol=2, loc="outside lower center",
               frameon=False, fontsize=FS, handlelength=1.0, columnspacing=1.0)
    _title(fig, title)
    return style.record(fig, "diverging_bar" if diverging else "stacked_bar",
                        [("category", l, cols[l]) for l in shown])


def dot_ranking(tbl: pd.DataFrame, *, label: str = "label", y: str = "estimate", lo: str = "ci_low",
                hi: str = "ci_high", colour: str = "colour", xlabel: str = "Percent", title: str = "",
                xlim: tuple | None = (0, 100), reference: float | None = None, records=(),
                legend: dict | None = None) -> plt.Figure:
    """Estimates with intervals, sorted from the largest, one row each, the value beside the dot."""
    t = tbl.sort_values(y, ascending=False, kind="stable").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(W, 0.5 * len(t) + 1.7))
    pos = np.arange(len(t))
    cols = list(t[colour]) if colour in t else [SERIES[0]] * len(t)
    if lo in t and t[lo].notna().any():
        ax.errorbar(t[y], pos, xerr=np.vstack([(t[y] - t[lo]).fillna(0), (t[hi] - t[y]).fillna(0)]), fmt="none",
                    ecolor="#888888", capsize=3)
    ax.scatter(t[y], pos, c=cols, zorder=3, s=36)
    for xv, yv, c, h in zip(t[y], pos, cols, t[hi] if hi in t else t[y]):
        if not pd.isna(xv):
            ax.annotate(f"{xv:.0f}", (max(xv, h if not pd.isna(h) else xv), yv), xytext=(5, 0),
                        textcoords="offset points", fontsize=FS, ha="left", va="center", color=INK)
    ax.set_yticks(pos, [wrap(v, 28) for v in t[label]])
    ax.set_ylim(len(t) - 0.5, -0.7)
    if reference is not None:
        ax.axvline(reference, color=MUTED, linestyle=":")
    if xlim:
        ax.set_xlim(xlim[0], xlim[1] + 6)
    if legend:
        for k, c in legend.items():
            ax.scatter([], [], color=c, label=k)
        ax.legend(frameon=False, ncol=len(legend), loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=FS)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    _title(fig, title)
    return style.record(fig, "dot_ranking", records)


def small_multiples(tbl: pd.DataFrame, *, panel: str = "panel", series: str = "category", x: str = "year",
                    y: str = "estimate", lo: str = "ci_low", hi: str = "ci_high", colour: str = "colour",
                    names: dict | None = None, title: str = "", ylim: tuple = (0, 100), records=()) -> plt.Figure:
    """One small line chart per statement (panel), one line per answer, shared axes; legend once, on top."""
    panels = list(dict.fromkeys(tbl[panel]))
    ncol = 2 if len(panels) > 1 else 1
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(W, 2.3 * nrow + 1.6), sharex=True, sharey=True, squeeze=False)
    xs = sorted(tbl[x].unique())
    seen = {}
    for ax, p in zip(axes.flat, panels):
        sub = tbl[tbl[panel] == p]
        ends = []
        for s, g in sub.groupby(series, sort=False):
            g = g.sort_values(x)
            c = g[colour].iloc[0]
            seen[s] = c
            yerr = None
            if g[lo].notna().any():
                yerr = np.vstack([(g[y] - g[lo]).fillna(0), (g[hi] - g[y]).fillna(0)])
            ax.errorbar(g[x], g[y], yerr=yerr, marker="o", markersize=3.5, color=c, capsize=2, linewidth=1.5)
            if not is_non_answer(s):
                ends.append((float(g[y].iloc[-1]), c, g[x].iloc[-1]))
        for (v, c, xx), p_ in zip(ends, _spread([e[0] for e in ends], 0.09 * (ylim[1] - ylim[0]))):
            ax.annotate(f"{v:.0f}", (xx, v), xytext=(xx + 0.12, p_), textcoords="data", va="center", fontsize=FS,
                        color=c, annotation_clip=False)
        ax.set_title(wrap(p, 30, 3), fontsize=FS, loc="left")
        ax.set_xticks(xs, [f"’{str(v)[-2:]}" for v in xs])
        ax.set_ylim(*ylim)
        ax.grid(axis="x", visible=False)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], color=c, marker="o", linewidth=1.5) for c in seen.values()]
    fig.legend(handles, [wrap((names or {}).get(s, s), 26, 2) for s in seen], ncol=2, loc="outside lower center",
               frameon=False, fontsize=FS)
    fig.supylabel("Percent", fontsize=FS)
    _title(fig, title)
    return style.record(fig, "small_multiples", list(records) + [("category", s, c) for s, c in seen.items()])


# ------------------------------------------------------------------ chapter-level helpers (kept API)

def stacked_bars(tbl: pd.DataFrame, *, bar: str, category: str = "category", value: str = "value",
                 labels: Sequence[str], bar_labels: dict | None = None, title: str = "",
                 ordinal: bool = True, min_label: float = 7.0, width: float = W,
                 panel: str | None = None) -> plt.Figure:
    """100 % bars, one per `bar` value, categories in scale order (see `bars`)."""
    t = tbl if not bar_labels else tbl.assign(**{bar: tbl[bar].map(lambda b: bar_labels.get(b, b))})
    return bars(t, bar=bar, category=category, value=value, labels=labels, panel=panel, diverging=False,
                title=title, min_label=min_label)


def trend(tbl: pd.DataFrame, *, x: str = "year", y: str = "estimate", series: str | None = None,
          lo: str = "ci_low", hi: str = "ci_high", breaks: Sequence[int] = (), ylabel: str = "Percent",
          title: str = "", colours: dict | None = None, ylim: tuple | None = (0, 100)) -> plt.Figure:
    """Lines over survey years with intervals; a dotted line marks a change of wording."""
    t = tbl.assign(_s=tbl[series] if series else "")
    names = list(dict.fromkeys(t["_s"]))
    t["colour"] = t["_s"].map({n: (colours or {}).get(n, SERIES[i % len(SERIES)]) for i, n in enumerate(names)})
    return line(t, series="_s", x=x, y=y, lo=lo, hi=hi, breaks=breaks, ylabel=ylabel, title=title, ylim=ylim)


def dots(tbl: pd.DataFrame, *, label: str, y: str = "estimate", lo: str = "ci_low", hi: str = "ci_high",
         colour_by: str | None = None, colours: dict | None = None, xlabel: str = "Percent",
         title: str = "", reference: float | None = None, xlim: tuple | None = None,
         sort: bool = False) -> plt.Figure:
    """Estimates with intervals as a dot plot (subgroups, statements), one row each, in the given order."""
    keys = list(tbl[colour_by]) if colour_by else [None] * len(tbl)
    t = tbl.assign(colour=[(colours or {}).get(k, SERIES[0]) for k in keys])
    legend = {str(k): (colours or {}).get(k, SERIES[0]) for k in dict.fromkeys(keys)} if colour_by and len(set(keys)) > 1 else None
    if sort:
        return dot_ranking(t, label=label, y=y, lo=lo, hi=hi, xlabel=xlabel, title=title, reference=reference,
                           xlim=xlim, legend=legend)
    fig, ax = plt.subplots(figsize=(W, 0.5 * len(t) + 1.7))
    pos = np.arange(len(t))
    ax.errorbar(t[y], pos, xerr=np.vstack([t[y] - t[lo], t[hi] - t[y]]), fmt="none", ecolor="#888888", capsize=3)
    ax.scatter(t[y], pos, c=list(t["colour"]), zorder=3, s=36)
    fmt = ".2f" if np.nanmax(np.abs(t[y].to_numpy(float))) <= 1 else ".0f"
    for xv, yv, h in zip(t[y], pos, t[hi]):
        if not np.isnan(xv):
            ax.annotate(f"{xv:{fmt}}", (h if not np.isnan(h) else xv, yv), xytext=(5, 0), textcoords="offset points",
                        fontsize=FS, ha="left", va="center")
    if legend:
        for k, c in legend.items():
            ax.scatter([], [], color=c, label=k)
        ax.legend(frameon=False, ncol=min(len(legend), 4), loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=FS)
    ax.set_yticks(pos, [wrap(v, 28) for v in t[label]])
    ax.set_ylim(len(t) - 0.5, -0.7)
    if reference is not None:
        ax.axvline(reference, color=MUTED, linestyle=":")
    if xlim:
        ax.set_xlim(xlim[0], xlim[1] + (6 if xlim[1] >= 50 else 0))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    _title(fig, title)
    return style.record(fig, "dot")


def grouped_bars(tbl: pd.DataFrame, *, group: str, bar: str, y: str = "value", colours: dict | None = None,
                 ylabel: str = "Percent", title: str = "") -> plt.Figure:
    """Vertical bars grouped by `group` (e.g. sample vs population per age group)."""
    groups = list(dict.fromkeys(tbl[group]))
    names = list(dict.fromkeys(tbl[bar]))
    fig, ax = plt.subplots(figsize=(W, 3.6))
    wid = 0.8 / len(names)
    for i, b in enumerate(names):
        vals = [tbl.loc[(tbl[group] == g) & (tbl[bar] == b), y].sum() for g in groups]
        c = (colours or {}).get(b, SERIES[i % len(SERIES)])
        ax.bar(np.arange(len(groups)) + (i - (len(names) - 1) / 2) * wid, vals, wid, label=b, color=c)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=FS, ncol=len(names), loc="lower left", bbox_to_anchor=(0, 1.0))
    ax.grid(axis="x", visible=False)
    _title(fig, title)
    return style.record(fig, "grouped_bar")
