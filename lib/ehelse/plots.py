"""One function per chart type; one palette per answer scale, the same colour for a label everywhere.

Every function returns a matplotlib Figure and draws nothing else: chapters glue the figure
and write the caption (question wording, base, notes) in the text.
"""
from __future__ import annotations

import textwrap
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

# Ordered from the most positive answer to the most negative one.
DIVERGING = {
    2: ["#1b7837", "#b2182b"],
    3: ["#1b7837", "#e0e0e0", "#b2182b"],
    4: ["#1b7837", "#7fbf7b", "#f4a582", "#b2182b"],
    5: ["#1b7837", "#7fbf7b", "#e0e0e0", "#f4a582", "#b2182b"],
    6: ["#1b7837", "#5aae61", "#a6dba0", "#f4a582", "#d6604d", "#b2182b"],
    7: ["#1b7837", "#5aae61", "#a6dba0", "#e0e0e0", "#f4a582", "#d6604d", "#b2182b"],
}
NOMINAL = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fddbc7", "#f4a582", "#d6604d", "#b2182b",
           "#762a83", "#9970ab", "#c2a5cf", "#5aae61", "#1b7837", "#8c510a", "#bf812d", "#dfc27d"]
NON_ANSWER = ["#9e9e9e", "#bdbdbd", "#757575", "#d9d9d9"]
NON_ANSWER_WORDS = ("vet ikke", "husker ikke", "ønsker ikke", "ikke aktuelt", "annet", "har ikke vært i kontakt",
                    "øvrige svar")
POPULATION_COLOURS = {"citizens": "#2166ac", "personnel": "#b35806"}
SERIES = ["#2166ac", "#b35806", "#1b7837", "#762a83", "#d6604d", "#4d4d4d", "#35978f", "#8c510a"]
SYNTHETIC_LABEL = "Synthetic respondents — illustrates the method, not a finding"


def is_non_answer(label: str) -> bool:
    """Don't know / can't remember / won't say / other: drawn in greys, outside the diverging scale."""
    low = label.lower()
    return any(w in low for w in NON_ANSWER_WORDS)


def palette(labels: Sequence[str], ordinal: bool = True) -> dict[str, str]:
    """Colours for a scale's labels: diverging for ordinal answers, greys for non-answers."""
    answers = [l for l in labels if not is_non_answer(l)]
    others = [l for l in labels if is_non_answer(l)]
    if ordinal and len(answers) in DIVERGING:
        cols = DIVERGING[len(answers)]
    else:
        cols = [NOMINAL[i % len(NOMINAL)] for i in range(len(answers))]
    out = dict(zip(answers, cols))
    out.update({l: NON_ANSWER[i % len(NON_ANSWER)] for i, l in enumerate(others)})
    return out


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


def mark_synthetic(fig: plt.Figure) -> plt.Figure:
    """Stamp a figure computed from synthetic respondents, visibly (above the plot, not over it)."""
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.text(0.5, 0.995, SYNTHETIC_LABEL.upper(), ha="center", va="top", fontsize=9, color="#b2182b",
             fontweight="bold", bbox={"facecolor": "#fff5f0", "edgecolor": "#b2182b", "boxstyle": "round"})
    return fig


def stacked_bars(tbl: pd.DataFrame, *, bar: str, category: str = "category", value: str = "value",
                 labels: Sequence[str], bar_labels: dict | None = None, title: str = "",
                 ordinal: bool = True, min_label: float = 4.0, width: float = 8.0,
                 panel: str | None = None) -> plt.Figure:
    """Horizontal 100 % bars, one per `bar` value (years), categories in scale order; one panel per `panel`."""
    panels = [None] if panel is None else list(dict.fromkeys(tbl[panel]))
    sizes = [tbl[bar].nunique() if p is None else tbl.loc[tbl[panel] == p, bar].nunique() for p in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 0.42 * sum(sizes) + 0.55 * len(panels) + 1.4),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    cols = palette(labels, ordinal)
    for ax, p in zip(axes[:, 0], panels):
        sub = tbl if p is None else tbl[tbl[panel] == p]
        _stacked_axis(ax, sub, bar, category, value, labels, cols, bar_labels, min_label)
        if p is not None:
            ax.set_title(str(p), fontsize=9, loc="left")
        if ax is not axes[-1, 0]:
            ax.set_xlabel("")
            ax.set_xticklabels([])
    handles = [plt.Rectangle((0, 0), 1, 1, color=cols[l]) for l in labels]
    fig.legend(handles, labels, ncol=min(len(labels), 3), loc="lower center", frameon=False, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0.04 + 0.025 * ((len(labels) + 2) // 3), 1, 1))
    return fig


def _stacked_axis(ax, tbl, bar, category, value, labels, cols, bar_labels, min_label):
    bars = list(dict.fromkeys(tbl[bar]))
    left = np.zeros(len(bars))
    for lab in labels:
        vals = np.array([tbl.loc[(tbl[bar] == b) & (tbl[category] == lab), value].sum() for b in bars], float)
        if not vals.any():
            continue
        ax.barh(range(len(bars)), vals, left=left, color=cols[lab], label=lab, edgecolor="white", linewidth=0.5)
        for i, v in enumerate(vals):
            if v >= min_label:
                ax.text(left[i] + v / 2, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                        color=_text_colour(cols[lab]))
        left += vals
    ax.set_yticks(range(len(bars)), [(bar_labels or {}).get(b, str(b)) for b in bars], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max(100, left.max()))
    ax.set_xlabel("Percent")
    ax.spines[["top", "right"]].set_visible(False)


def trend(tbl: pd.DataFrame, *, x: str = "year", y: str = "estimate", series: str | None = None,
          lo: str = "ci_low", hi: str = "ci_high", breaks: Sequence[int] = (), ylabel: str = "Percent",
          title: str = "", colours: dict | None = None, ylim: tuple | None = (0, 100)) -> plt.Figure:
    """Lines over survey years with 95 % intervals; a dotted line marks a change of wording."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    groups = [(None, tbl)] if series is None else list(tbl.groupby(series, sort=False))
    labels: list = []
    for i, (name, g) in enumerate(groups):
        g = g.sort_values(x)
        c = (colours or {}).get(name, SERIES[i % len(SERIES)])
        yerr = None
        if lo in g and hi in g:
            yerr = np.vstack([g[y] - g[lo], g[hi] - g[y]])
        ax.errorbar(g[x], g[y], yerr=yerr, marker="o", capsize=4, color=c, label=name)
        labels += [(xx, yy, c) for xx, yy in zip(g[x], g[y])]
    _value_labels(ax, labels)
    for b in breaks:
        ax.axvline(b - 0.5, color="#555555", linestyle=":", linewidth=1)
        ax.text(b - 0.45, ax.get_ylim()[1] if ylim is None else ylim[1], "wording changed", fontsize=7,
                va="top", color="#555555")
    xs = sorted(tbl[x].unique())
    ax.set_xticks(xs, [str(v) for v in xs])
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if series is not None:
        ax.legend(frameon=False, fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def _value_labels(ax, labels: list, min_gap: float = 6.0) -> None:
    """Value labels beside line points, pushed apart where two series are close at the same x."""
    span = np.diff(ax.get_ylim())[0] if ax.get_ylim()[1] > ax.get_ylim()[0] else 100.0
    for xx in sorted({l[0] for l in labels}):
        here = sorted((l for l in labels if l[0] == xx), key=lambda l: l[1])
        last = -np.inf
        for _, yy, c in here:
            pos = max(yy, last + min_gap * span / 100)
            ax.annotate(f"{yy:.0f}", (xx, yy), xytext=(xx, pos), textcoords="data", fontsize=8, color=c,
                        ha="left", va="bottom", xycoords="data",
                        annotation_clip=False).set_position((xx + 0.06, pos))
            last = pos


def dots(tbl: pd.DataFrame, *, label: str, y: str = "estimate", lo: str = "ci_low", hi: str = "ci_high",
         colour_by: str | None = None, colours: dict | None = None, xlabel: str = "Percent",
         title: str = "", reference: float | None = None, xlim: tuple | None = None) -> plt.Figure:
    """Estimates with intervals as a dot plot (subgroups, statements), one row each."""
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(tbl) + 1.4))
    pos = np.arange(len(tbl))
    keys = list(tbl[colour_by]) if colour_by else [None] * len(tbl)
    cols = [(colours or {}).get(v, NOMINAL[0]) for v in keys]
    ax.errorbar(tbl[y], pos, xerr=np.vstack([tbl[y] - tbl[lo], tbl[hi] - tbl[y]]), fmt="none", ecolor="#777777",
                capsize=3)
    ax.scatter(tbl[y], pos, c=cols, zorder=3)
    fmt = ".2f" if np.nanmax(np.abs(tbl[y].to_numpy(float))) <= 1 else ".0f"
    for xv, yv in zip(tbl[y], pos):
        if np.isnan(xv):
            continue
        ax.annotate(f"{xv:{fmt}}", (xv, yv), textcoords="offset points", xytext=(0, 5), fontsize=7, ha="center")
    if colour_by and len(set(keys)) > 1:
        for k in dict.fromkeys(keys):
            ax.scatter([], [], color=(colours or {}).get(k, NOMINAL[0]), label=str(k))
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_yticks(pos, tbl[label], fontsize=8)
    ax.invert_yaxis()
    if reference is not None:
        ax.axvline(reference, color="#555555", linestyle=":")
    if xlim:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def grouped_bars(tbl: pd.DataFrame, *, group: str, bar: str, y: str = "value", colours: dict | None = None,
                 ylabel: str = "Percent", title: str = "") -> plt.Figure:
    """Vertical bars grouped by `group` (e.g. sample vs population per age group)."""
    groups = list(dict.fromkeys(tbl[group]))
    bars = list(dict.fromkeys(tbl[bar]))
    fig, ax = plt.subplots(figsize=(7, 3.4))
    wid = 0.8 / len(bars)
    for i, b in enumerate(bars):
        vals = [tbl.loc[(tbl[group] == g) & (tbl[bar] == b), y].sum() for g in groups]
        c = (colours or {}).get(b, NOMINAL[(3 * i) % len(NOMINAL)])
        ax.bar(np.arange(len(groups)) + (i - (len(bars) - 1) / 2) * wid, vals, wid, label=b, color=c)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig
