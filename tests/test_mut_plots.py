"""In-process tests of `ehelse.plots` (issue 17: mutation testing): every chart kind drawn from a tiny made-up
table, then its matplotlib objects checked against what the chart is for.

Expected values are worked out by hand from the functions' contracts (positions of segments, label
spreading, axis limits, the semantic colours of `style`), not copied from a run. Each test names the
bug it catches ("Fails if ..."); the mutation run `tools/mutate.py --focus plots` is the demonstration.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.container import BarContainer, ErrorbarContainer  # noqa: E402
from matplotlib.patches import BoxStyle, Rectangle  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

from ehelse import plots, style  # noqa: E402

FS = style.MIN_FONT_PT  # 9.5: every chart text
INK, MUTED = "#222222", "#555555"
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
GREEN2, GREEN1, GREY0, PURPLE1, PURPLE2, NA = "#1b7837", "#5aae61", "#d9d9d9", "#9970ab", "#762a83", "#9e9e9e"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ helpers to read a drawn chart


def anns(ax):
    """(text, xy, text position, text coords, ha, va, fontsize, colour) of each annotation, in drawing order."""
    return [(a.get_text(), tuple(float(v) for v in a.xy), tuple(float(v) for v in a.xyann), a.anncoords,
             a.get_ha(), a.get_va(), a.get_fontsize(), to_hex(a.get_color())) for a in ax.texts
            if isinstance(a, Annotation)]


def texts(ax):
    """(text, position, ha, va, fontsize, colour) of the plain texts (not annotations)."""
    return [(t.get_text(), tuple(float(v) for v in t.get_position()), t.get_ha(), t.get_va(), t.get_fontsize(),
             to_hex(t.get_color())) for t in ax.texts if not isinstance(t, Annotation)]


def errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def segs(container):
    """The interval ends of an errorbar container: [(x0, y0, x1, y1), ...]."""
    return [tuple(float(v) for v in s.ravel()) for s in container.lines[2][0].get_segments()]


def dotted(ax):
    """x of the vertical dotted lines (references, breaks)."""
    return [float(l.get_xdata()[0]) for l in ax.lines if l.get_linestyle() == ":"]


def hexes(colours):
    return [to_hex(c) for c in colours]


def rects(ax):
    """(y centre, left, width, colour) of each bar patch, in drawing order."""
    return [(round(p.get_y() + p.get_height() / 2, 9), round(p.get_x(), 9), round(p.get_width(), 9),
             to_hex(p.get_facecolor())) for p in ax.patches if isinstance(p, Rectangle)]


def xgrid_visible(ax):
    return [g.get_visible() for g in ax.xaxis.get_gridlines()]


def ygrid_visible(ax):
    return [g.get_visible() for g in ax.yaxis.get_gridlines()]


def bbox_anchor(leg, ax):
    return tuple(round(float(v), 9) for v in leg.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).bounds)


def ticklabels(labels):
    return [t.get_text() for t in labels]


# ------------------------------------------------------------------ small helpers


def test_wrap_short_text_is_unchanged_and_empty_text_is_empty():
    """Fails if `wrap` changes text that fits, or its empty-text fallback changes ([""] -> something else)."""
    assert plots.wrap("Citizens 2023") == "Citizens 2023"
    assert plots.wrap("") == ""
    assert plots.wrap(2023) == "2023"


def test_wrap_defaults_are_28_characters_and_3_lines():
    """Fails if the default width 28 or the default 3 lines change."""
    assert plots.wrap("x" * 29) == "x" * 28 + "\nx"
    assert plots.wrap("y" * (28 * 4)) == "\n".join(["y" * 28, "y" * 28, "y" * 27 + "…"])


def test_wrap_cuts_after_the_last_line_with_an_ellipsis():
    """Fails if the cut happens at `lines` parts already (> vs >=), keeps another number of characters than
    width - 1, or keeps the blank before the ellipsis (rstrip)."""
    assert plots.wrap("aaa bbb", 3, 2) == "aaa\nbbb"
    assert plots.wrap("one two three four five six", 9, 2) == "one two\nthree…"
    assert plots.wrap("abcdefgh", 4, 1) == "abc…"
    assert plots.wrap("abc d efgh", 5, 1) == "abc…"
    assert plots.wrap("ab cd", 1, 1) == "a…"


def test_palette_is_each_labels_one_colour():
    """Fails if `palette` gives a label another colour than `style.label_colour` (the book's one colour)."""
    assert plots.palette(Q) == {"Helt enig": GREEN2, "Delvis enig": GREEN1, "Verken enig eller uenig": GREY0,
                                "Delvis uenig": PURPLE1, "Helt uenig": PURPLE2, "Vet ikke": NA}
    assert plots.palette(Q, ordinal=False) == plots.palette(Q)


def test_mark_synthetic_stamps_the_label_above_the_plot():
    """Fails if the synthetic stamp's text, case, size, colour, weight or box changes: mutants of `mark_synthetic`."""
    fig = plt.figure()
    assert plots.mark_synthetic(fig) is fig
    t = fig._suptitle
    assert t.get_text() == "SYNTHETIC RESPONDENTS — ILLUSTRATES THE METHOD, NOT A FINDING"
    assert plots.SYNTHETIC_LABEL == "Synthetic respondents — illustrates the method, not a finding"
    assert t.get_fontsize() == 9.5 and to_hex(t.get_color()) == "#b2182b" and t.get_fontweight() == "bold"
    box = t.get_bbox_patch()
    assert to_hex(box.get_facecolor()) == "#fff5f0" and to_hex(box.get_edgecolor()) == "#b2182b"
    assert isinstance(box.get_boxstyle(), BoxStyle.Round)


def test_title_is_left_aligned_bold_wrapped_and_absent_when_empty():
    """Fails if `_title` draws an empty title, or its wrapping (50 characters, 3 lines), size, x, alignment or
    weight change."""
    fig = plt.figure()
    plots._title(fig, "")
    assert fig._suptitle is None
    long = " ".join(["word"] * 40)  # 199 characters: 4 lines of 49, cut to 3
    plots._title(fig, long)
    t = fig._suptitle
    assert t.get_text() == plots.wrap(long, 50, 3) == "\n".join([" ".join(["word"] * 10)] * 3) + "…"
    assert t.get_fontsize() == 11.0 and t.get_position()[0] == 0.01 and t.get_ha() == "left"
    assert t.get_fontweight() == "bold"


def test_spread_pushes_close_labels_apart_and_centres_the_shift():
    """Fails if `_spread` does not keep labels `gap` apart, does not share the shift (mean / 2), loses the
    order of its input, or moves labels that need no room: mutants of `_spread`."""
    # 10, 11 are 1 apart, need 5: pushed to 10, 15 (shift 4 of 3 labels: mean 4/3, halved 2/3)
    assert plots._spread([10, 11, 50], 5) == pytest.approx([10 - 2 / 3, 15 - 2 / 3, 50 - 2 / 3], abs=1e-12)
    assert plots._spread([50, 11, 10], 5) == pytest.approx([50 - 2 / 3, 15 - 2 / 3, 10 - 2 / 3], abs=1e-12)
    assert plots._spread([0, 10, 20], 5) == pytest.approx([0, 10, 20], abs=1e-12)
    assert plots._spread([5, 5], 2) == pytest.approx([4.5, 6.5], abs=1e-12)  # 5, 7 less 0.5
    assert plots._spread([3.0], 9) == [3.0]


# ------------------------------------------------------------------ line


def _lines_table():
    return pd.DataFrame({"series": ["A"] * 3 + ["B"] * 3, "year": [2019, 2021, 2023] * 2,
                         "estimate": [40.0, 50, 60, 20, 25, 58], "ci_low": [35.0, 45, 55, 15, 20, 53],
                         "ci_high": [45.0, 55, 65, 25, 30, 63], "colour": ["#111111"] * 3 + ["#333333"] * 3})


def test_line_draws_each_series_with_its_interval_colour_and_end_labels():
    """Fails if a line's data, colour, width, marker, caps or interval ends change, or the first-value and
    end labels (text, place, spreading by 6 % of the axis, alignment, colour) change: mutants of `line`."""
    t = _lines_table().sample(frac=1, random_state=3)  # unsorted rows: the line sorts by year
    t = t.sort_values("series", kind="stable")
    fig = plots.line(t, breaks=[2021], title="Share who agree", records=[("population", "citizens", "#2166ac")])
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == (5.0, 3.9)
    eb = errorbars(ax)
    assert len(eb) == 2
    for c, ys, col, lo, hi in [(eb[0], [40, 50, 60], "#111111", [35, 45, 55], [45, 55, 65]),
                               (eb[1], [20, 25, 58], "#333333", [15, 20, 53], [25, 30, 63])]:
        ln = c.lines[0]
        assert list(ln.get_xdata()) == [2019, 2021, 2023] and list(ln.get_ydata()) == ys
        assert ln.get_color() == col and ln.get_linewidth() == 1.8 and ln.get_markersize() == 5.0
        assert ln.get_marker() == "o"
        assert [cap.get_markersize() for cap in c.lines[1]] == [6.0, 6.0]  # capsize 3
        assert segs(c) == [(x, a, x, b) for x, a, b in zip([2019, 2021, 2023], lo, hi)]
        assert hexes(c.lines[2][0].get_color()) == [col]
    # first value at the start, last value and name at the end; 60 and 58 are closer than 6 -> 57, 63
    assert anns(ax) == [
        ("40", (2019, 40), (-6, 0), "offset points", "right", "center", FS, "#111111"),
        ("20", (2019, 20), (-6, 0), "offset points", "right", "center", FS, "#333333"),
        ("60 A", (2023, 60), (2023.18, 63.0), "data", "left", "center", FS, "#111111"),
        ("58 B", (2023, 58), (2023.18, 57.0), "data", "left", "center", FS, "#333333")]
    assert all(a.get_annotation_clip() is False for a in ax.texts[2:4])
    # the break: a dotted line half a year before the changed wave, with its note at the top
    vl = [l for l in ax.lines if list(l.get_xdata()) == [2020.5, 2020.5]]
    assert len(vl) == 1 and vl[0].get_color() == MUTED and vl[0].get_linestyle() == ":" and vl[0].get_linewidth() == 1
    assert texts(ax) == [("wording\nchanged", (2020.55, 100.0), "left", "top", FS, MUTED)]
    assert list(ax.get_xticks()) == [2019, 2021, 2023] and ticklabels(ax.get_xticklabels()) == ["2019", "2021", "2023"]
    assert ax.get_xlim() == pytest.approx((2018.65, 2023 + 0.35 + 1.1), abs=1e-9)
    assert ax.get_ylim() == (0.0, 100.0)
    assert ax.get_ylabel() == "Percent"
    assert not any(xgrid_visible(ax)) and all(ygrid_visible(ax))
    assert ax.spines["top"].get_visible() is False and ax.spines["right"].get_visible() is False
    assert fig._suptitle.get_text() == "Share who agree"
    assert fig.ehelse_kind == "line" and fig.ehelse_colours == [("population", "citizens", "#2166ac")]


def test_line_defaults_markers_xlabels_and_colour_fallback():
    """Fails if the fallback colours (SERIES by position), the marker column, the xlabels mapping, the
    x-limit minimum 0.8 or the default title / records change."""
    t = pd.DataFrame({"series": ["A", "A", "B", "B"], "year": [2022, 2023] * 2, "estimate": [10.0, 20, 70, 80],
                      "ci_low": [5.0, 15, 65, 75], "ci_high": [15.0, 25, 75, 85], "marker": ["s", "s", "D", "D"]})
    fig = plots.line(t, marker="marker", xlabels={2023: "2023*"}, ylabel="Share")
    ax = fig.axes[0]
    eb = errorbars(ax)
    assert [c.lines[0].get_color() for c in eb] == [style.NOMINAL[0], style.NOMINAL[1]] == ["#1b9e9e", "#b8860b"]
    assert [c.lines[0].get_marker() for c in eb] == ["s", "D"]
    assert ticklabels(ax.get_xticklabels()) == ["2022", "2023*"]
    assert ax.get_xlim() == pytest.approx((2021.65, 2023 + 0.35 + 0.8), abs=1e-9)
    assert ax.get_ylabel() == "Share"
    assert fig._suptitle is None and fig.ehelse_colours == [] and fig.ehelse_kind == "line"
    # far apart ends keep their own height
    assert [a[2] for a in anns(ax)[2:]] == [(2023.18, 20.0), (2023.18, 80.0)]


def test_line_without_intervals_and_with_data_limits():
    """Fails if a line without interval columns gets error bars, or, with ylim=None, the axis range used for
    the label gap and the break note is not the data's (interval ends included)."""
    t = pd.DataFrame({"series": ["A", "A", "B", "B"], "year": [2020, 2021] * 2, "estimate": [10.0, 20, 30, 21]})
    fig = plots.line(t, ylim=None, breaks=[2021])
    ax = fig.axes[0]
    assert all(not c.has_yerr for c in errorbars(ax))
    # range 10..30: gap 0.06 * 20 = 1.2; ends 20 and 21 -> 20, 21.2, shifted by 0.2 / 2 / 2
    assert [a[2] for a in anns(ax)[2:]] == [(2021.18, pytest.approx(19.95)), (2021.18, pytest.approx(21.15))]
    assert [a[0] for a in anns(ax)] == ["10", "30", "20 A", "21 B"]
    assert texts(ax)[0][1] == (2020.55, 30.0)
    t2 = _lines_table()
    fig2 = plots.line(t2, ylim=None, breaks=[2023])
    assert texts(fig2.axes[0])[0][1] == (2022.55, 65.0)
    lo = fig2.axes[0].get_ylim()
    assert lo[0] < 15 and lo[1] > 65  # autoscaled, not 0..100


def test_line_interval_with_a_missing_end_is_zero_long():
    """Fails if missing interval ends are not filled with 0 (no bar) or an all-missing interval draws bars."""
    t = _lines_table()
    t.loc[t.index[1], ["ci_low", "ci_high"]] = np.nan
    ax = plots.line(t).axes[0]
    assert segs(errorbars(ax)[0])[1] == (2021.0, 50.0, 2021.0, 50.0)
    t["ci_low"] = np.nan
    t["ci_high"] = np.nan
    ax = plots.line(t).axes[0]
    assert all(not c.has_yerr for c in errorbars(ax))


def test_line_wraps_long_names_and_widens_the_gap_by_their_lines():
    """Fails if end labels are not wrapped at 18 characters or the gap does not grow with their lines."""
    t = _lines_table().replace({"series": {"A": "Health personnel in hospitals"}})
    ax = plots.line(t).axes[0]
    a = anns(ax)
    assert a[2][0] == "60 Health\npersonnel in\nhospitals"
    # 3 lines: gap 18; ends 58 (B), 60 -> 58, 76, shift mean(0, 16) / 2 = 4
    assert a[2][2] == (2023.18, 72.0) and a[3][2] == (2023.18, 54.0)


# ------------------------------------------------------------------ trend


def test_trend_single_series_is_unnamed_and_uses_the_first_series_colour():
    """Fails if `trend` names a line without a series, does not pass breaks / ylabel / title / ylim / lo / hi
    through to `line`, or its default colours change."""
    t = pd.DataFrame({"year": [2019, 2023], "p": [30.0, 40.0], "l": [25.0, 36.0], "h": [35.0, 44.0]})
    fig = plots.trend(t, y="p", lo="l", hi="h", breaks=[2023], ylabel="Share", title="Trend", ylim=(0, 50))
    ax = fig.axes[0]
    eb = errorbars(ax)
    assert len(eb) == 1 and eb[0].lines[0].get_color() == "#1b9e9e"
    assert segs(eb[0]) == [(2019.0, 25.0, 2019.0, 35.0), (2023.0, 36.0, 2023.0, 44.0)]
    assert [a[0] for a in anns(ax)] == ["30", "40"]
    assert texts(ax)[0][:2] == ("wording\nchanged", (2022.55, 50.0))
    assert ax.get_ylim() == (0.0, 50.0) and ax.get_ylabel() == "Share" and fig._suptitle.get_text() == "Trend"
    assert fig.ehelse_kind == "line"


def test_trend_series_colours_from_the_mapping_else_by_position():
    """Fails if `trend` ignores the colours mapping, or the fallback is not SERIES by the series' position."""
    t = pd.DataFrame({"g": ["a", "a", "b", "b", "c", "c"], "year": [2019, 2023] * 3,
                      "estimate": [10.0, 11, 50, 51, 90, 91]})
    fig = plots.trend(t, series="g", colours={"b": "#123456"})
    ax = fig.axes[0]
    assert [c.lines[0].get_color() for c in errorbars(ax)] == ["#1b9e9e", "#123456", "#c0508a"]
    assert [a[0] for a in anns(ax)[3:]] == ["11 a", "51 b", "91 c"]
    assert ax.get_ylim() == (0.0, 100.0) and ax.get_ylabel() == "Percent" and fig._suptitle is None
    assert texts(ax) == []
    fig2 = plots.trend(t, series="g", ylim=None)
    assert fig2.axes[0].get_ylim() != (0.0, 100.0)


# ------------------------------------------------------------------ dumbbell


def _dumbbell_table():
    return pd.DataFrame({"row": ["R1", "R1", "R2", "R2", "R3"], "year": [2019, 2023, 2019, 2023, 2019],
                         "estimate": [40.0, 44, 70, 60, 10], "ci_low": [35.0, 40, 65, 55, np.nan],
                         "ci_high": [45.0, 48, 75, 65, np.nan]})


def test_dumbbell_rows_sorted_by_latest_wave_with_wave_colours():
    """Fails if rows are not sorted by the latest wave (a row without it last), a dot, its interval, the grey
    joining line, the value labels (above, or below when close to the earlier wave) or their colours change:
    mutants of `dumbbell`."""
    fig = plots.dumbbell(_dumbbell_table(), title="Waves", records=[("population", "citizens", "#2166ac")])
    ax = fig.axes[0]
    y19, y23 = style.year_colour(2019), style.year_colour(2023)
    assert (y19, y23) == ("#b7c3cc", "#1f2d3a")
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 0.62 * 3 + 1.9))
    lines = [(list(l.get_xdata()), list(l.get_ydata()), l.get_color(), l.get_linewidth(), l.get_zorder())
             for l in ax.lines]
    assert lines == [([70, 60], [0, 0], "#bbbbbb", 2.5, 1), ([65, 75], [0, 0], y19, 1.0, 2),
                     ([55, 65], [0, 0], y23, 1.0, 2), ([40, 44], [1, 1], "#bbbbbb", 2.5, 1),
                     ([35, 45], [1, 1], y19, 1.0, 2), ([40, 48], [1, 1], y23, 1.0, 2),
                     ([10], [2], "#bbbbbb", 2.5, 1)]
    dots = [(tuple(c.get_offsets()[0]), to_hex(c.get_facecolor()[0]), list(c.get_sizes()), c.get_zorder())
            for c in ax.collections if len(c.get_offsets())]
    assert dots == [((70, 0), y19, [45], 3), ((60, 0), y23, [45], 3), ((40, 1), y19, [45], 3),
                    ((44, 1), y23, [45], 3), ((10, 2), y19, [45], 3)]
    assert anns(ax) == [("70", (70, 0), (0, 7), "offset points", "center", "bottom", FS, y19),
                        ("60", (60, 0), (0, 7), "offset points", "center", "bottom", FS, y23),
                        ("40", (40, 1), (0, 7), "offset points", "center", "bottom", FS, y19),
                        ("44", (44, 1), (0, -11), "offset points", "center", "top", FS, y23),
                        ("10", (10, 2), (0, 7), "offset points", "center", "bottom", FS, y19)]
    leg = ax.get_legend()
    assert ticklabels(leg.get_texts()) == ["2019", "2023"]
    assert [to_hex(h.get_facecolor()[0]) for h in leg.legend_handles] == [y19, y23]
    assert leg._ncols == 2 and leg._loc == 3 and leg.get_frame_on() is False
    assert bbox_anchor(leg, ax) == (0.0, 1.0, 0.0, 0.0)
    assert leg.handletextpad == 0.2 and leg.borderaxespad == 0.1 and leg.get_texts()[0].get_fontsize() == FS
    assert ticklabels(ax.get_yticklabels()) == ["R2", "R1", "R3"] and list(ax.get_yticks()) == [0, 1, 2]
    assert ax.get_ylim() == pytest.approx((2.6, -0.7)) and ax.get_xlim() == (0.0, 100.0)
    assert ax.get_xlabel() == "Percent"
    assert not any(ygrid_visible(ax)) and all(xgrid_visible(ax))
    assert fig._suptitle.get_text() == "Waves"
    assert fig.ehelse_kind == "dumbbell"
    assert fig.ehelse_colours == [("population", "citizens", "#2166ac"), ("year", "2019", y19), ("year", "2023", y23)]


def test_dumbbell_label_below_only_for_a_close_later_wave():
    """Fails if the 'below' rule changes: a later wave (odd position) within 9 points of an earlier one goes
    below (< 9, not <= 9), a distant or first one stays above."""
    t = pd.DataFrame({"row": ["a", "a", "b", "b", "c", "c"], "year": [2019, 2023] * 3,
                      "estimate": [50.0, 59, 20, 28.4, 80, 89.5], "ci_low": np.nan, "ci_high": np.nan})
    fig = plots.dumbbell(t, xlabel="Share", xlim=None)
    ax = fig.axes[0]
    got = {a[0]: (a[2], a[5]) for a in anns(ax)}
    assert got == {"50": ((0, 7), "bottom"), "59": ((0, 7), "bottom"), "20": ((0, 7), "bottom"),
                   "28": ((0, -11), "top"), "80": ((0, 7), "bottom"), "90": ((0, 7), "bottom")}
    assert ticklabels(ax.get_yticklabels()) == ["c", "a", "b"]
    assert len(ax.lines) == 3  # no interval lines without interval ends
    assert ax.get_xlabel() == "Share" and ax.get_xlim() != (0.0, 100.0)
    assert fig._suptitle is None


def test_dumbbell_without_interval_columns_and_wrapped_rows():
    """Fails if missing interval columns are not treated as no interval, or row labels are not wrapped at 24."""
    t = pd.DataFrame({"row": ["A rather long row label for the chart"] * 2, "year": [2019, 2023],
                      "estimate": [10.0, 90.0]})
    fig = plots.dumbbell(t)
    ax = fig.axes[0]
    assert ticklabels(ax.get_yticklabels()) == ["A rather long row label\nfor the chart"]
    assert len(ax.lines) == 1
    assert ax.get_ylim() == pytest.approx((0.6, -0.7))
    assert fig.ehelse_colours == [("year", "2019", "#b7c3cc"), ("year", "2023", "#1f2d3a")]


# ------------------------------------------------------------------ bars


def _bars_table():
    v = {2019: [30, 20, 10, 15, 20, 5], 2023: [40, 25, 7, 10, 12, 6]}
    return pd.DataFrame([{"year": y, "category": l, "value": float(x)} for y, xs in v.items() for l, x in zip(Q, xs)])


LABELS = Q + ["Ønsker ikke å svare"]  # a non-answer the table does not have


def test_bars_diverging_segments_around_zero():
    """Fails if a diverging bar's segment (left end, width, colour) changes: negatives from the centre out
    (mildest first), the middle answer centred on 0, positives from the centre out, non-answers after a gap of
    2 on the right; or the bar height, edge or value labels (>= 7 only, readable ink) change: mutants of `bars`."""
    fig = plots.bars(_bars_table(), bar="year", labels=LABELS, title="Agree")
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 0.48 * 2 + 0.55 + 2.2))
    # 2019: middle 10 -> -5..5; Delvis uenig 15 -> -20..-5, Helt uenig 20 -> -40..-20; Delvis enig 5..25,
    # Helt enig 25..55; (gap 2) Vet ikke 57..62
    # 2023: middle 7 -> -3.5..3.5; 10 -> -13.5, 12 -> -25.5; 25 -> 3.5..28.5, 40 -> 28.5..68.5; Vet ikke 70.5..76.5
    assert rects(ax) == [(0, -20, 15, PURPLE1), (0, -40, 20, PURPLE2), (0, -5, 10, GREY0), (0, 5, 20, GREEN1),
                         (0, 25, 30, GREEN2), (0, 57, 5, NA),
                         (1, -13.5, 10, PURPLE1), (1, -25.5, 12, PURPLE2), (1, -3.5, 7, GREY0), (1, 3.5, 25, GREEN1),
                         (1, 28.5, 40, GREEN2), (1, 70.5, 6, NA)]
    p = [q for q in ax.patches if isinstance(q, Rectangle)]
    assert {round(q.get_height(), 9) for q in p} == {0.72}
    assert {to_hex(q.get_edgecolor()) for q in p} == {"#ffffff"} and {q.get_linewidth() for q in p} == {0.6}
    # value labels: 5 and 6 (below 7) get none; 7 does
    ink = {c: to_hex(style.text_on(c)) for c in (PURPLE1, PURPLE2, GREY0, GREEN1, GREEN2)}
    assert ink == {PURPLE1: "#ffffff", PURPLE2: "#ffffff", GREY0: "#000000", GREEN1: "#000000", GREEN2: "#ffffff"}
    assert texts(ax) == [("15", (-12.5, 0), "center", "center", FS, ink[PURPLE1]),
                         ("20", (-30, 0), "center", "center", FS, ink[PURPLE2]),
                         ("10", (0, 0), "center", "center", FS, ink[GREY0]),
                         ("20", (15, 0), "center", "center", FS, ink[GREEN1]),
                         ("30", (40, 0), "center", "center", FS, ink[GREEN2]),
                         ("10", (-8.5, 1), "center", "center", FS, ink[PURPLE1]),
                         ("12", (-19.5, 1), "center", "center", FS, ink[PURPLE2]),
                         ("7", (0, 1), "center", "center", FS, ink[GREY0]),
                         ("25", (16, 1), "center", "center", FS, ink[GREEN1]),
                         ("40", (48.5, 1), "center", "center", FS, ink[GREEN2])]
    zero = [l for l in ax.lines if list(l.get_xdata()) == [0, 0]]
    assert len(zero) == 1 and zero[0].get_color() == "#444444" and zero[0].get_linewidth() == 0.8
    assert list(ax.get_yticks()) == [0, 1] and ticklabels(ax.get_yticklabels()) == ["2019", "2023"]
    assert ax.get_ylim() == (1.5, -0.5)
    # extent -40 .. 76.5: limits -43 .. 79.5, ticks every 25 inside, shown without sign
    assert ax.get_xlim() == (-43.0, 79.5)
    assert list(ax.get_xticks()) == [-25, 0, 25, 50, 75]
    assert ticklabels(ax.get_xticklabels()) == ["25", "0", "25", "50", "75"]
    assert ax.get_xlabel() == "Percent" and ax.get_title(loc="left") == ""
    assert not any(ygrid_visible(ax))
    assert fig._suptitle.get_text() == "Agree"


def test_bars_legend_names_shown_labels_in_scale_order():
    """Fails if the legend lists a label the table does not have, loses the scale order, the label names or
    wrapping (26 / 2 lines), its colours or layout, or the recorded colours change."""
    names = {"Helt enig": "Strongly agree", "Vet ikke": "Don't know, cannot say, have never thought about it"}
    fig = plots.bars(_bars_table(), bar="year", labels=LABELS, names=names)
    leg = fig.legends[0]
    assert ticklabels(leg.get_texts()) == ["Strongly agree", "Delvis enig", "Verken enig eller uenig", "Delvis uenig",
                                           "Helt uenig", "Don't know, cannot say,\nhave never thought about…"]
    assert [to_hex(h.get_facecolor()) for h in leg.legend_handles] == [GREEN2, GREEN1, GREY0, PURPLE1, PURPLE2, NA]
    assert leg._ncols == 2 and leg.get_frame_on() is False and leg._loc == 8 and leg._outside_loc == "lower"
    assert leg.get_texts()[0].get_fontsize() == FS and leg.handlelength == 1.0 and leg.columnspacing == 1.0
    assert fig._suptitle is None
    assert fig.ehelse_kind == "diverging_bar"
    assert fig.ehelse_colours == sorted([("category", l, c) for l, c in
                                         zip(Q, [GREEN2, GREEN1, GREY0, PURPLE1, PURPLE2, NA])])


def test_bars_diverging_limits_are_at_least_ten_each_side():
    """Fails if the diverging axis is not at least -10 .. 10 around a small bar (min / max of the limits)."""
    t = pd.DataFrame({"year": [2023, 2023], "category": ["Ja", "Nei"], "value": [4.0, 3.0]})
    ax = plots.bars(t, bar="year", labels=["Ja", "Nei"], min_label=3).axes[0]
    # Ja positive from 0, Nei negative from 0; cur = 4 + 2 = 6 -> extent 6, -3
    assert rects(ax) == [(0, -3, 3, style.label_colour("Nei")), (0, 0, 4, style.label_colour("Ja"))]
    assert ax.get_xlim() == (-10.0, 10.0) and list(ax.get_xticks()) == [0]
    assert [t[0] for t in texts(ax)] == ["3", "4"]


def test_bars_stacked_from_zero_with_net_panel_and_panels():
    """Fails if stacked bars do not start at 0 in scale order (non-answers last), the net panel's dots, intervals,
    value labels, limits, ticks or label change, the panels' titles, sizes or shared axes change: mutants of `bars`."""
    rows = []
    for p, vals in [("Hospital staff", {2019: [30, 20, 10, 15, 20, 5]}),
                    ("GPs", {2019: [10, 10, 10, 10, 10, 50], 2023: [20, 20, 20, 20, 20, 20]})]:
        for y, xs in vals.items():
            rows += [{"panel": p, "year": y, "category": l, "value": float(x)} for l, x in zip(Q, xs)]
    t = pd.DataFrame(rows)
    net = pd.DataFrame({"panel": ["Hospital staff", "GPs", "GPs", "GPs"], "year": [2019, 2019, 2023, 2023],
                        "estimate": [15.0, 0.0, np.nan, 99.0], "ci_low": [10.0, -5, np.nan, 1],
                        "ci_high": [20.0, 5, np.nan, 2]})
    fig = plots.bars(t, bar="year", labels=Q, panel="panel", net=net, net_label="Net share agreeing",
                     diverging=False, min_label=10)
    assert len(fig.axes) == 4
    a00, a01, a10, a11 = fig.axes
    gs = a00.get_subplotspec().get_gridspec()
    assert list(gs.get_height_ratios()) == [1, 2] and list(gs.get_width_ratios()) == [3.1, 1]
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 0.48 * 3 + 0.55 * 2 + 2.2))
    assert a00.get_shared_x_axes().joined(a00, a10) and a01.get_shared_x_axes().joined(a01, a11)
    assert not a00.get_shared_x_axes().joined(a00, a01)
    assert rects(a00) == [(0, 0, 30, GREEN2), (0, 30, 20, GREEN1), (0, 50, 10, GREY0), (0, 60, 15, PURPLE1),
                          (0, 75, 20, PURPLE2), (0, 95, 5, NA)]
    assert rects(a10)[:6] == [(0, 0, 10, GREEN2), (0, 10, 10, GREEN1), (0, 20, 10, GREY0), (0, 30, 10, PURPLE1),
                              (0, 40, 10, PURPLE2), (0, 50, 50, NA)]
    assert [t[0] for t in texts(a00)] == ["30", "20", "10", "15", "20"]  # 5 < 10: no label
    assert a00.get_title(loc="left") == "Hospital staff" and a10.get_title(loc="left") == "GPs"
    assert a00._left_title.get_fontsize() == FS
    assert not [l for l in a00.lines if list(l.get_xdata()) == [0, 0]]  # no centre line when stacked
    assert a10.get_xlim() == (0.0, 120.0)  # the 2023 GP bar sums to 120
    assert a00.get_ylim() == (0.5, -0.5) and a10.get_ylim() == (1.5, -0.5)
    assert ticklabels(a10.get_yticklabels()) == ["2019", "2023"]
    # the net panels
    e0 = errorbars(a01)[0]
    assert list(e0.lines[0].get_xdata()) == [15.0] and list(e0.lines[0].get_ydata()) == [0]
    assert segs(e0) == [(10.0, 0.0, 20.0, 0.0)]
    assert to_hex(e0.lines[0].get_color()) == INK and e0.lines[0].get_markersize() == 4 and e0.lines[0].get_marker() == "o"
    assert e0.lines[0].get_linestyle() == "None"
    assert hexes(e0.lines[2][0].get_color()) == [MUTED] and [c.get_markersize() for c in e0.lines[1]] == [6.0, 6.0]
    e1 = errorbars(a11)[0]
    assert segs(e1)[0] == (-5.0, 0.0, 5.0, 0.0)
    assert segs(e1)[1] == ()  # a missing estimate: no interval
    # the first of duplicate net rows per bar counts; a missing estimate gets no label
    assert anns(a01) == [("15", (15, 0), (0, 5), "offset points", "center", "bottom", FS, INK)]
    assert [a[:2] for a in anns(a11)] == [("0", (0, 0))]
    for nax, n in [(a01, 1), (a11, 2)]:
        assert nax.get_ylim() == (n - 0.5, -0.5) and list(nax.get_yticks()) == []
        assert nax.get_xlim() == (0.0, 100.0) and list(nax.get_xticks()) == [0, 50, 100]
        assert not any(ygrid_visible(nax))
    assert a11.get_xlabel() == "Net share\nagreeing (%)" and a11.xaxis.label.get_fontsize() == FS
    assert a10.get_xlabel() == "Percent"
    assert fig.ehelse_kind == "stacked_bar"


def test_bars_net_without_panel_column_is_used_for_every_panel():
    """Fails if a net table without the panel column is filtered by panel (it must be used as it is)."""
    rows = [{"panel": p, "year": 2023, "category": l, "value": v} for p in ["P", "Q"] for l, v in
            zip(["Ja", "Nei"], [60.0, 40.0])]
    net = pd.DataFrame({"year": [2023], "estimate": [20.0], "ci_low": [15.0], "ci_high": [25.0]})
    fig = plots.bars(pd.DataFrame(rows), bar="year", labels=["Ja", "Nei"], panel="panel", net=net)
    assert len(fig.axes) == 4
    for nax in (fig.axes[1], fig.axes[3]):
        assert segs(errorbars(nax)[0]) == [(15.0, 0.0, 25.0, 0.0)]
    assert fig.axes[3].get_xlabel() == " (%)"
    # an empty net table: no net panel
    fig2 = plots.bars(pd.DataFrame(rows), bar="year", labels=["Ja", "Nei"], panel="panel", net=net.iloc[:0])
    assert len(fig2.axes) == 2


def test_bars_stacked_limits_at_least_100_and_value_label_threshold():
    """Fails if stacked bars summing below 100 do not get a 0 .. 100 axis, the default min_label 7 changes
    (7 labelled, below not), or zero segments are drawn."""
    t = pd.DataFrame({"year": [2023] * 3, "category": ["Ja", "Nei", "Vet ikke"], "value": [7.0, 6.9, 0.0]})
    fig = plots.bars(t, bar="year", labels=["Ja", "Nei", "Vet ikke"], diverging=False)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0.0, 100.0)
    assert [r[1:3] for r in rects(ax)] == [(0, 7), (7, 6.9)]
    assert [x[0] for x in texts(ax)] == ["7"]


# ------------------------------------------------------------------ stacked_bars


def test_stacked_bars_renames_bars_and_passes_options_through():
    """Fails if `stacked_bars` does not rename bars with bar_labels (keeping unmapped ones), draws diverging,
    or drops title / min_label / panel / category / value."""
    t = _bars_table().rename(columns={"category": "cat", "value": "v"})
    fig = plots.stacked_bars(t, bar="year", category="cat", value="v", labels=Q, bar_labels={2019: "First wave"},
                             title="Stacked", min_label=25)
    ax = fig.axes[0]
    assert ticklabels(ax.get_yticklabels()) == ["First wave", "2023"]
    assert [x[0] for x in texts(ax)] == ["30", "40", "25"]
    assert rects(ax)[0] == (0, 0, 30, GREEN2)
    assert fig.ehelse_kind == "stacked_bar" and fig._suptitle.get_text() == "Stacked"
    fig2 = plots.stacked_bars(_bars_table().assign(p="X"), bar="year", labels=Q, panel="p")
    assert fig2.axes[0].get_title(loc="left") == "X"
    assert [x[0] for x in texts(fig2.axes[0])][:3] == ["30", "20", "10"]
    assert ticklabels(fig2.axes[0].get_yticklabels()) == ["2019", "2023"] and fig2._suptitle is None


# ------------------------------------------------------------------ dot_ranking


def _dots_table():
    return pd.DataFrame({"label": ["b", "a", "c", "d"], "estimate": [30.0, 50.0, 30.0, np.nan],
                         "ci_low": [25.0, 44.0, np.nan, np.nan], "ci_high": [35.0, 57.0, np.nan, np.nan],
                         "colour": ["#111111", "#222222", "#333333", "#444444"]})


def test_dot_ranking_sorted_largest_first_with_intervals_and_values():
    """Fails if rows are not sorted from the largest (ties in input order), dots, colours, intervals (missing
    ends zero), value labels (beside the interval's end, or the dot) or axes change: mutants of `dot_ranking`."""
    fig = plots.dot_ranking(_dots_table(), title="Ranking", reference=40.0, records=[("x", "y", "#000000")])
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 0.5 * 4 + 1.7))
    assert ticklabels(ax.get_yticklabels()) == ["a", "b", "c", "d"] and list(ax.get_yticks()) == [0, 1, 2, 3]
    sc = [c for c in ax.collections if c.get_offsets().shape[0] == 4][0]
    off = sc.get_offsets()
    assert list(off.data[:3, 0]) == [50.0, 30.0, 30.0] and list(off.data[:, 1]) == [0, 1, 2, 3]
    assert hexes(sc.get_facecolor()) == ["#222222", "#111111", "#333333", "#444444"]
    assert list(sc.get_sizes()) == [36] and sc.get_zorder() == 3
    e = errorbars(ax)[0]
    assert segs(e)[:3] == [(44.0, 0.0, 57.0, 0.0), (25.0, 1.0, 35.0, 1.0), (30.0, 2.0, 30.0, 2.0)]
    assert hexes(e.lines[2][0].get_color()) == ["#888888"] and [c.get_markersize() for c in e.lines[1]] == [6.0, 6.0]
    assert e.lines[0] is None  # fmt="none": no line through the dots
    assert anns(ax) == [("50", (57, 0), (5, 0), "offset points", "left", "center", FS, INK),
                        ("30", (35, 1), (5, 0), "offset points", "left", "center", FS, INK),
                        ("30", (30, 2), (5, 0), "offset points", "left", "center", FS, INK)]
    ref = [l for l in ax.lines if list(l.get_xdata()) == [40.0, 40.0]]
    assert len(ref) == 1 and ref[0].get_color() == MUTED and ref[0].get_linestyle() == ":"
    assert ax.get_ylim() == (3.5, -0.7) and ax.get_xlim() == (0.0, 106.0)
    assert ax.get_xlabel() == "Percent" and ax.get_legend() is None
    assert not any(ygrid_visible(ax)) and all(xgrid_visible(ax))
    assert fig._suptitle.get_text() == "Ranking"
    assert fig.ehelse_kind == "dot_ranking" and fig.ehelse_colours == [("x", "y", "#000000")]


def test_dot_ranking_defaults_without_colours_intervals_or_reference():
    """Fails if the default colour (SERIES[0]) or the missing-interval branch change, a reference line is drawn
    when none is given, xlim=None still sets limits, or the legend (entries, colours, layout) changes."""
    t = pd.DataFrame({"label": ["A label that is much longer than twenty-eight", "b"], "estimate": [10.0, 20.0]})
    fig = plots.dot_ranking(t, xlabel="Share", xlim=None, legend={"Women": "#aa0000", "Men": "#0000aa"})
    ax = fig.axes[0]
    assert errorbars(ax) == []
    sc = [c for c in ax.collections if c.get_offsets().shape[0] == 2][0]
    assert hexes(sc.get_facecolor()) == ["#1b9e9e", "#1b9e9e"]
    assert ticklabels(ax.get_yticklabels()) == ["b", "A label that is much longer\nthan twenty-eight"]
    assert [a[:2] for a in anns(ax)] == [("20", (20, 0)), ("10", (10, 1))]
    assert [l for l in ax.lines] == []
    assert ax.get_xlim()[1] < 30
    leg = ax.get_legend()
    assert ticklabels(leg.get_texts()) == ["Women", "Men"]
    assert [to_hex(h.get_facecolor()[0]) for h in leg.legend_handles] == ["#aa0000", "#0000aa"]
    assert leg._ncols == 2 and leg._loc == 3 and leg.get_frame_on() is False and bbox_anchor(leg, ax) == (0, 1, 0, 0)
    assert leg.get_texts()[0].get_fontsize() == FS
    assert ax.get_xlabel() == "Share" and fig._suptitle is None and fig.ehelse_colours == []


def test_dot_ranking_with_custom_limits_and_columns():
    """Fails if the right limit is not xlim's plus 6 or custom column names are not used."""
    t = pd.DataFrame({"who": ["x", "y"], "p": [0.5, 0.7], "l": [0.4, 0.6], "h": [0.6, 0.8]})
    ax = plots.dot_ranking(t, label="who", y="p", lo="l", hi="h", xlim=(-1, 1)).axes[0]
    assert ax.get_xlim() == (-1.0, 7.0)
    assert segs(errorbars(ax)[0]) == [(0.6, 0.0, 0.8, 0.0), (0.4, 1.0, 0.6, 1.0)]
    assert [a[:2] for a in anns(ax)] == [("1", (0.8, 0)), ("0", (0.6, 1))]


# ------------------------------------------------------------------ dots


def _subgroups():
    return pd.DataFrame({"label": ["Women", "Men", "15-29", "60+"], "var": ["sex", "sex", "age", "age"],
                         "estimate": [40.0, 60.0, 20.0, 80.0], "ci_low": [35.0, 55.0, 15.0, np.nan],
                         "ci_high": [45.0, 65.0, 25.0, np.nan]})


def test_dots_in_given_order_with_colours_legend_and_intervals():
    """Fails if `dots` reorders rows, colours are not from `colours` by colour_by (fallback SERIES[0]), the
    legend (up to 4 columns), intervals, value labels (at the interval's end, else the dot), limits (+6 when the
    right end is >= 50) or the kind change: mutants of `dots`."""
    t = _subgroups()
    fig = plots.dots(t, label="label", colour_by="var", colours={"sex": "#aa0000"}, title="Groups",
                     reference=50.0, xlim=(0, 50))
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 0.5 * 4 + 1.7))
    assert ticklabels(ax.get_yticklabels()) == ["Women", "Men", "15-29", "60+"]
    sc = [c for c in ax.collections if c.get_offsets().shape[0] == 4][0]
    assert list(sc.get_offsets()[:, 0]) == [40.0, 60.0, 20.0, 80.0] and list(sc.get_offsets()[:, 1]) == [0, 1, 2, 3]
    assert hexes(sc.get_facecolor()) == ["#aa0000", "#aa0000", "#1b9e9e", "#1b9e9e"]
    assert list(sc.get_sizes()) == [36] and sc.get_zorder() == 3
    e = errorbars(ax)[0]
    assert segs(e)[:3] == [(35.0, 0.0, 45.0, 0.0), (55.0, 1.0, 65.0, 1.0), (15.0, 2.0, 25.0, 2.0)]
    assert hexes(e.lines[2][0].get_color()) == ["#888888"] and [c.get_markersize() for c in e.lines[1]] == [6.0, 6.0]
    assert e.lines[0] is None
    assert anns(ax) == [("40", (45, 0), (5, 0), "offset points", "left", "center", FS, INK),
                        ("60", (65, 1), (5, 0), "offset points", "left", "center", FS, INK),
                        ("20", (25, 2), (5, 0), "offset points", "left", "center", FS, INK),
                        ("80", (80, 3), (5, 0), "offset points", "left", "center", FS, INK)]
    leg = ax.get_legend()
    assert ticklabels(leg.get_texts()) == ["sex", "age"]
    assert [to_hex(h.get_facecolor()[0]) for h in leg.legend_handles] == ["#aa0000", "#1b9e9e"]
    assert leg._ncols == 2 and leg._loc == 3 and leg.get_frame_on() is False and bbox_anchor(leg, ax) == (0, 1, 0, 0)
    assert leg.get_texts()[0].get_fontsize() == FS
    ref = [l for l in ax.lines if list(l.get_xdata()) == [50.0, 50.0]]
    assert len(ref) == 1 and ref[0].get_color() == MUTED and ref[0].get_linestyle() == ":"
    assert ax.get_ylim() == (3.5, -0.7) and ax.get_xlim() == (0.0, 56.0)
    assert ax.get_xlabel() == "Percent" and not any(ygrid_visible(ax)) and all(xgrid_visible(ax))
    assert fig._suptitle.get_text() == "Groups"
    assert fig.ehelse_kind == "dot" and fig.ehelse_colours == []


def test_dots_legend_has_at_most_four_columns_and_none_for_one_group():
    """Fails if the legend columns are not min(groups, 4), or a single group (or no colour_by) gets a legend."""
    t = pd.DataFrame({"label": list("abcde"), "g": list("vwxyz"), "estimate": [1.0, 2, 3, 4, 5],
                      "ci_low": [0.5, 1, 2, 3, 4], "ci_high": [1.5, 3, 4, 5, 6]})
    ax = plots.dots(t, label="label", colour_by="g").axes[0]
    leg = ax.get_legend()
    assert leg._ncols == 4 and ticklabels(leg.get_texts()) == list("vwxyz")
    assert plots.dots(t.assign(g="same"), label="label", colour_by="g").axes[0].get_legend() is None
    ax2 = plots.dots(t, label="label").axes[0]
    assert ax2.get_legend() is None
    assert hexes([c for c in ax2.collections if c.get_offsets().shape[0] == 5][0].get_facecolor()) == ["#1b9e9e"] * 5
    assert dotted(ax2) == []  # no reference line
    assert ax2.get_xlim()[1] < 50  # xlim None: autoscaled


def test_dots_value_format_two_decimals_up_to_1():
    """Fails if values of at most 1 in size (correlations) are not printed with 2 decimals (<= 1, not < 1), or
    larger ones not rounded to whole numbers."""
    t = pd.DataFrame({"label": ["a", "b"], "r": [-1.0, 0.256], "ci_low": [-1.0, 0.2], "ci_high": [-0.9, 0.3]})
    ax = plots.dots(t, label="label", y="r", xlabel="Pearson r", xlim=(-1, 1)).axes[0]
    assert [a[0] for a in anns(ax)] == ["-1.00", "0.26"]
    assert ax.get_xlim() == (-1.0, 1.0)  # right end below 50: no room added
    assert ax.get_xlabel() == "Pearson r"
    t2 = t.assign(r=[1.5, 0.256], ci_low=[1.2, 0.2], ci_high=[1.8, 0.3])
    assert [a[0] for a in anns(plots.dots(t2, label="label", y="r").axes[0])] == ["2", "0"]


def test_dots_sorted_goes_through_dot_ranking_with_the_legend():
    """Fails if sort=True does not rank largest first or loses the legend, colours, title, reference or limits."""
    t = _subgroups()
    fig = plots.dots(t, label="label", colour_by="var", colours={"sex": "#aa0000", "age": "#00aa00"}, sort=True,
                     title="Sorted", reference=30.0, xlim=(0, 100), xlabel="Share")
    ax = fig.axes[0]
    assert fig.ehelse_kind == "dot_ranking"
    assert ticklabels(ax.get_yticklabels()) == ["60+", "Men", "Women", "15-29"]
    sc = [c for c in ax.collections if c.get_offsets().shape[0] == 4][0]
    assert hexes(sc.get_facecolor()) == ["#00aa00", "#aa0000", "#aa0000", "#00aa00"]
    assert ticklabels(ax.get_legend().get_texts()) == ["sex", "age"]
    assert ax.get_xlim() == (0.0, 106.0) and ax.get_xlabel() == "Share" and fig._suptitle.get_text() == "Sorted"
    assert dotted(ax) == [30.0]
    assert segs(errorbars(ax)[0])[0] == (80.0, 0.0, 80.0, 0.0)


def test_dots_custom_columns_and_a_missing_estimate():
    """Fails if custom lo / hi columns are not used, or a missing estimate gets a value label."""
    t = pd.DataFrame({"label": ["a", "b"], "p": [10.0, np.nan], "l": [8.0, np.nan], "h": [12.0, np.nan]})
    ax = plots.dots(t, label="label", y="p", lo="l", hi="h", xlim=(0, 60)).axes[0]
    assert [a[:2] for a in anns(ax)] == [("10", (12, 0))]
    assert segs(errorbars(ax)[0])[0] == (8.0, 0.0, 12.0, 0.0)
    assert ax.get_xlim() == (0.0, 66.0)


# ------------------------------------------------------------------ small_multiples


def _multiples():
    rows = []
    for p in ["Statement one", "Statement two", "Three"]:
        for cat, col, vals in [("Enig", "#00aa00", [60.0, 62.0]), ("Uenig", "#aa00aa", [35.0, 31.0]),
                               ("Vet ikke", "#9e9e9e", [5.0, 7.0])]:
            for y, v in zip([2019, 2023], vals):
                rows.append({"panel": p, "category": cat, "year": y, "estimate": v, "ci_low": v - 2,
                             "ci_high": v + 3, "colour": col})
    return pd.DataFrame(rows)


def test_small_multiples_panels_lines_end_labels_and_legend():
    """Fails if the grid (2 columns, spare axes hidden, shared axes), a panel's lines (data, colour, marker,
    size, caps, intervals), the end values (not for non-answers, 9 % apart), titles, ticks, limits, the one
    legend or the recorded colours change: mutants of `small_multiples`."""
    fig = plots.small_multiples(_multiples(), names={"Enig": "Agree"}, title="Statements",
                                records=[("population", "citizens", "#2166ac")])
    axes = fig.axes
    assert len(axes) == 4 and [a.get_visible() for a in axes] == [True, True, True, False]
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 2.3 * 2 + 1.6))
    gs = axes[0].get_subplotspec().get_gridspec()
    assert (gs.nrows, gs.ncols) == (2, 2)
    assert axes[0].get_shared_x_axes().joined(axes[0], axes[3]) and axes[0].get_shared_y_axes().joined(axes[0], axes[3])
    ax = axes[0]
    eb = errorbars(ax)
    assert len(eb) == 3
    ln = eb[0].lines[0]
    assert list(ln.get_xdata()) == [2019, 2023] and list(ln.get_ydata()) == [60.0, 62.0]
    assert ln.get_color() == "#00aa00" and ln.get_marker() == "o" and ln.get_markersize() == 3.5
    assert ln.get_linewidth() == 1.5 and [c.get_markersize() for c in eb[0].lines[1]] == [4.0, 4.0]
    assert segs(eb[1]) == [(2019.0, 33.0, 2019.0, 38.0), (2023.0, 29.0, 2023.0, 34.0)]
    # end values of the answers only; 62 and 31 are far apart (gap 9): unmoved
    assert anns(ax) == [("62", (2023, 62), (2023.12, 62), "data", "left", "center", FS, "#00aa00"),
                        ("31", (2023, 31), (2023.12, 31), "data", "left", "center", FS, "#aa00aa")]
    assert all(a.get_annotation_clip() is False for a in ax.texts)
    assert ax.get_title(loc="left") == "Statement one" and ax._left_title.get_fontsize() == FS
    assert list(ax.get_xticks()) == [2019, 2023]
    assert ticklabels(axes[2].get_xticklabels()) == ["’19", "’23"]  # the bottom row shows the shared labels
    assert ax.get_ylim() == (0.0, 100.0)
    assert not any(xgrid_visible(ax))
    leg = fig.legends[0]
    assert ticklabels(leg.get_texts()) == ["Agree", "Uenig", "Vet ikke"]
    h = leg.legend_handles
    assert [x.get_color() for x in h] == ["#00aa00", "#aa00aa", "#9e9e9e"]
    assert {x.get_marker() for x in h} == {"o"} and {x.get_linewidth() for x in h} == {1.5}
    assert leg._ncols == 2 and leg._loc == 8 and leg._outside_loc == "lower" and leg.get_frame_on() is False
    assert leg.get_texts()[0].get_fontsize() == FS
    assert fig._supylabel.get_text() == "Percent" and fig._supylabel.get_fontsize() == FS
    assert fig._suptitle.get_text() == "Statements"
    assert fig.ehelse_kind == "small_multiples"
    assert fig.ehelse_colours == [("category", "Enig", "#00aa00"), ("category", "Uenig", "#aa00aa"),
                                  ("category", "Vet ikke", "#9e9e9e"), ("population", "citizens", "#2166ac")]


def test_small_multiples_single_panel_close_ends_and_no_intervals():
    """Fails if one panel does not get one column, close end values are not spread by 9 % of ylim, or a series
    without intervals gets error bars."""
    t = _multiples()
    t = t[t["panel"] == "Three"].copy()
    t.loc[t["category"] == "Uenig", "estimate"] = [50.0, 58.0]
    t.loc[t["category"] == "Uenig", ["ci_low", "ci_high"]] = np.nan
    fig = plots.small_multiples(t, ylim=(0, 50))
    assert len(fig.axes) == 1
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 2.3 + 1.6))
    ax = fig.axes[0]
    # ends 62 and 58, gap 0.09 * 50 = 4.5: 58, 62.5, shifted by 0.5 / 2 / 2
    assert [a[2] for a in anns(ax)] == [(2023.12, 62.375), (2023.12, 57.875)]
    assert not errorbars(ax)[1].has_yerr and errorbars(ax)[0].has_yerr
    assert ax.get_ylim() == (0.0, 50.0) and fig._suptitle is None
    assert ticklabels(fig.legends[0].get_texts()) == ["Enig", "Uenig", "Vet ikke"]
    assert fig.ehelse_colours == [("category", "Enig", "#00aa00"), ("category", "Uenig", "#aa00aa"),
                                  ("category", "Vet ikke", "#9e9e9e")]


def test_small_multiples_two_panels_fill_one_row():
    """Fails if two panels do not make one row of two (ceil of panels / 2)."""
    t = _multiples()
    fig = plots.small_multiples(t[t["panel"] != "Three"])
    assert len(fig.axes) == 2 and all(a.get_visible() for a in fig.axes)
    assert tuple(fig.get_size_inches()) == pytest.approx((5.0, 2.3 + 1.6))


# ------------------------------------------------------------------ grouped_bars


def test_grouped_bars_positions_heights_colours_and_legend():
    """Fails if bars are not grouped side by side (width 0.8 / bars, centred on the group), their heights are not
    the sums, colours not from `colours` (fallback SERIES by position), or ticks, labels, legend, grid, title or
    kind change: mutants of `grouped_bars`."""
    t = pd.DataFrame({"category": ["15-29", "15-29", "30+", "30+", "30+"],
                      "series": ["Sample", "Population", "Sample", "Population", "Sample"],
                      "percent": [20.0, 25.0, 50.0, 75.0, 30.0]})
    fig = plots.grouped_bars(t, group="category", bar="series", y="percent", colours={"Population": "#123456"},
                             ylabel="Percent of the 15+", title="Age")
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == (5.0, 3.6)
    bc = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bc) == 2
    got = [[(round(p.get_x(), 9), round(p.get_width(), 9), p.get_height(), to_hex(p.get_facecolor())) for p in c]
           for c in bc]
    assert got == [[(-0.4, 0.4, 20.0, "#1b9e9e"), (0.6, 0.4, 80.0, "#1b9e9e")],
                   [(0.0, 0.4, 25.0, "#123456"), (1.0, 0.4, 75.0, "#123456")]]
    assert list(ax.get_xticks()) == [0, 1] and ticklabels(ax.get_xticklabels()) == ["15-29", "30+"]
    assert ax.get_ylabel() == "Percent of the 15+"
    leg = ax.get_legend()
    assert ticklabels(leg.get_texts()) == ["Sample", "Population"]
    assert leg._ncols == 2 and leg._loc == 3 and leg.get_frame_on() is False and bbox_anchor(leg, ax) == (0, 1, 0, 0)
    assert leg.get_texts()[0].get_fontsize() == FS
    assert not any(xgrid_visible(ax)) and all(ygrid_visible(ax))
    assert fig._suptitle.get_text() == "Age"
    assert fig.ehelse_kind == "grouped_bar"


def test_grouped_bars_defaults_three_bars():
    """Fails if the default value column, ylabel, colours or the centring of three bars change."""
    t = pd.DataFrame({"g": ["a", "a", "a"], "b": ["x", "y", "z"], "value": [1.0, 2.0, 3.0]})
    fig = plots.grouped_bars(t, group="g", bar="b")
    ax = fig.axes[0]
    bars_ = [p for c in ax.containers for p in c]
    w = 0.8 / 3
    assert [round(p.get_x() + p.get_width() / 2, 9) for p in bars_] == [round(-w, 9), 0.0, round(w, 9)]
    assert [p.get_height() for p in bars_] == [1.0, 2.0, 3.0]
    assert [to_hex(p.get_facecolor()) for p in bars_] == ["#1b9e9e", "#b8860b", "#c0508a"]
    assert ax.get_ylabel() == "Percent" and ax.get_legend()._ncols == 3 and fig._suptitle is None


# ------------------------------------------------------------------ second round: survivors of the first focus run


def test_wrap_keeps_width_minus_one_characters_at_width_2():
    """Fails if the cut keeps more than width - 1 characters for a narrow width (max(width - 1, 1) -> 2)."""
    assert plots.wrap("ab cd", 2, 1) == "a…"


def test_title_wraps_at_50_characters():
    """Fails if `_title` wraps at another width than 50 (51) or cuts after another number of lines than 3."""
    fig = plt.figure()
    plots._title(fig, "x" * 51)
    assert fig._suptitle.get_text() == "x" * 50 + "\nx"
    fig2 = plt.figure()
    plots._title(fig2, "y" * 200)
    assert fig2._suptitle.get_text() == "\n".join(["y" * 50, "y" * 50, "y" * 49 + "…"])


def test_spread_keeps_ties_in_input_order_for_many_labels():
    """Fails if `_spread` sorts with an unstable sort (argsort kind quicksort for more than 16 labels): tied
    labels must be stacked in their input order."""
    ys = [float(i % 3) for i in range(40)]
    gap = 0.01
    order = sorted(range(40), key=lambda i: (ys[i], i))  # stable order, by hand
    pos = {}
    prev = None
    for i in order:
        pos[i] = ys[i] if prev is None else max(ys[i], prev + gap)
        prev = pos[i]
    shift = sum(pos[i] - ys[i] for i in range(40)) / 40 / 2
    expected = [pos[i] - shift for i in range(40)]
    assert plots._spread(ys, gap) == pytest.approx(expected, abs=1e-9)


def test_line_single_point_series_unknown_marker_column_and_no_interval_columns():
    """Fails if a series' colour or marker is read from its second row (a one-point series has none), or a
    marker column that is not in the table is looked up (marker and ... -> or)."""
    t = pd.DataFrame({"series": ["A", "B", "B"], "year": [2023, 2022, 2023], "estimate": [10.0, 50, 60],
                      "colour": ["#111111", "#333333", "#333333"], "marker": ["s", "D", "D"]})
    ax = plots.line(t, marker="marker").axes[0]
    assert [c.lines[0].get_color() for c in errorbars(ax)] == ["#111111", "#333333"]
    assert [c.lines[0].get_marker() for c in errorbars(ax)] == ["s", "D"]
    ax2 = plots.line(t, marker="shape").axes[0]
    assert [c.lines[0].get_marker() for c in errorbars(ax2)] == ["o", "o"]


def test_line_data_limits_include_the_interval_low_end():
    """Fails if, with ylim=None, the lower end of the axis range ignores the interval's low ends (the label gap
    is 6 % of that range)."""
    fig = plots.line(_lines_table(), ylim=None)
    # range 15 .. 65 (interval ends): gap 3; ends 58, 60 -> 58, 61, shift 1 / 2 / 2
    assert [a[2] for a in anns(fig.axes[0])[2:]] == [(2023.18, 60.75), (2023.18, 57.75)]


def test_line_flat_data_uses_a_range_of_one():
    """Fails if a flat chart (zero range, ylim=None) does not fall back to a range of 1 for the label gap."""
    t = pd.DataFrame({"series": ["A", "A", "B", "B"], "year": [2020, 2021] * 2, "estimate": [50.0] * 4})
    ax = plots.line(t, ylim=None).axes[0]
    # gap 0.06: 50, 50.06, shift 0.03 / 2
    assert [a[2][1] for a in anns(ax)[2:]] == pytest.approx([49.985, 50.045], abs=1e-9)


def test_line_end_labels_cut_after_three_lines():
    """Fails if end labels are wrapped to more than 3 lines (18 characters each)."""
    t = _lines_table().replace({"series": {"A": "Health personnel in hospitals and in the municipal clinics"}})
    a = anns(plots.line(t).axes[0])
    assert a[2][0] == "60 Health\npersonnel in\nhospitals and in…"


def test_trend_default_interval_columns_and_custom_x():
    """Fails if `trend`'s default interval columns (ci_low, ci_high) change or its x column is not passed on."""
    t = pd.DataFrame({"wave": [2019, 2023], "estimate": [30.0, 40.0], "ci_low": [25.0, 36.0], "ci_high": [35.0, 44.0]})
    ax = plots.trend(t, x="wave").axes[0]
    assert segs(errorbars(ax)[0]) == [(2019.0, 25.0, 2019.0, 35.0), (2023.0, 36.0, 2023.0, 44.0)]
    assert list(ax.get_xticks()) == [2019, 2023]


def test_dumbbell_sorts_by_the_latest_of_three_waves_and_puts_rows_without_it_last():
    """Fails if rows are sorted by another wave than the latest (== -> !=, years[-1] -> [+1] or [-2]), or a row
    without the latest wave, drawn first in the table, is not put after the rows that have it."""
    t = pd.DataFrame({"row": ["old", "a", "a", "a", "b", "b", "b"],
                      "year": [2019, 2019, 2021, 2023, 2019, 2021, 2023],
                      "estimate": [99.0, 10, 90, 20, 50, 30, 80]})
    ax = plots.dumbbell(t).axes[0]
    assert ticklabels(ax.get_yticklabels()) == ["b", "a", "old"]


def test_dumbbell_fourth_wave_close_to_an_earlier_one_goes_below():
    """Fails if the 'below' rule is not every second wave (j % 2): the fourth wave (j = 3) close to an earlier one
    is written below."""
    t = pd.DataFrame({"row": ["a"] * 4, "year": [2019, 2020, 2021, 2023], "estimate": [10.0, 40, 70, 72]})
    got = [(a[0], a[5]) for a in anns(plots.dumbbell(t).axes[0])]
    assert got == [("10", "bottom"), ("40", "bottom"), ("70", "bottom"), ("72", "top")]


def test_dumbbell_half_interval_is_not_drawn_and_rows_wrap_at_24():
    """Fails if an interval with one missing end is drawn (or -> and), or row labels wrap at another width than 24."""
    t = pd.DataFrame({"row": ["x" * 25] * 2, "year": [2019, 2023], "estimate": [10.0, 90.0],
                      "ci_low": [5.0, np.nan], "ci_high": [np.nan, 95.0]})
    ax = plots.dumbbell(t).axes[0]
    assert len(ax.lines) == 1  # the grey joining line only
    assert ticklabels(ax.get_yticklabels()) == ["x" * 24 + "\nx"]


def test_bars_order_segments_by_scale_position_not_alphabet():
    """Fails if negatives or positives are ordered alphabetically instead of by their place on the scale
    (sorted without its key): the mildest answer is next to the centre."""
    labels = ["A strong yes", "Z yes", "Y no", "B strong no"]  # ++, +, -, --
    t = pd.DataFrame({"year": [2023] * 4, "category": labels, "value": [10.0, 20, 30, 40]})
    ax = plots.bars(t, bar="year", labels=labels).axes[0]
    c = plots.palette(labels)
    assert rects(ax) == [(0, -30, 30, to_hex(c["Y no"])), (0, -70, 40, to_hex(c["B strong no"])),
                         (0, 0, 20, to_hex(c["Z yes"])), (0, 20, 10, to_hex(c["A strong yes"]))]


def test_bars_stacked_skips_only_the_non_answer_and_zero_segments():
    """Fails if stacking stops at a non-answer or a zero segment in the middle of the labels (continue -> break),
    or a small segment (below 1) is not drawn."""
    labels = ["Ja", "Vet ikke", "Kanskje", "Nei"]
    t = pd.DataFrame({"year": [2023] * 4, "category": labels, "value": [30.0, 10, 0, 0.5]})
    t = pd.concat([t, pd.DataFrame({"year": [2023], "category": ["Nei"], "value": [20.0]})])
    ax = plots.bars(t, bar="year", labels=labels, diverging=False).axes[0]
    assert [r[1:3] for r in rects(ax)] == [(0, 30), (30, 20.5), (50.5, 10)]


def test_bars_diverging_ticks_at_the_limits_are_kept():
    """Fails if a tick exactly at the axis limit is dropped (<= -> <): -25 and 25 at limits -25 .. 25."""
    t = pd.DataFrame({"year": [2023, 2023], "category": ["Ja", "Nei"], "value": [20.0, 22.0]})
    ax = plots.bars(t, bar="year", labels=["Ja", "Nei"]).axes[0]
    # Nei -22 .. 0, Ja 0 .. 20, cur 22: limits -25 .. 25
    assert ax.get_xlim() == (-25.0, 25.0)
    assert list(ax.get_xticks()) == [-25, 0, 25] and ticklabels(ax.get_xticklabels()) == ["25", "0", "25"]
    assert all(xgrid_visible(ax)) and not any(ygrid_visible(ax))


def test_bars_single_panel_net_in_bar_order_with_missing_interval_and_long_titles():
    """Fails if the net rows are not put in the bars' order (reindex), a missing interval end is not 0 long,
    the net axis is not 0 .. 100, the net label's wrapping (16, 3 lines) or the panel title's (46, 3 lines)
    changes, or the net panel loses its vertical grid."""
    t = _bars_table()
    net = pd.DataFrame({"year": [2023, 2019], "estimate": [60.0, 20.0], "ci_low": [55.0, np.nan],
                        "ci_high": [70.0, 30.0]})
    fig = plots.bars(t, bar="year", labels=Q, net=net, net_label="abcdefgh ijklmnop")
    ax, nax = fig.axes
    assert segs(errorbars(nax)[0]) == [(20.0, 0.0, 30.0, 0.0), (55.0, 1.0, 70.0, 1.0)]
    assert nax.get_xlim() == (0.0, 100.0)
    assert nax.get_xlabel() == "abcdefgh\nijklmnop (%)"
    assert all(xgrid_visible(nax))
    net2 = net.assign(ci_high=[np.nan, 30.0], ci_low=[55.0, 15.0])
    fig2 = plots.bars(t, bar="year", labels=Q, net=net2, net_label=" ".join(["sixteen chars ab"] * 4))
    assert segs(errorbars(fig2.axes[1])[0])[1] == (55.0, 1.0, 60.0, 1.0)
    assert fig2.axes[1].get_xlabel() == "sixteen chars ab\nsixteen chars ab\nsixteen chars a… (%)"
    long = " ".join(["panelname"] * 20)  # 199 characters: lines of 46
    t3 = t.assign(p=long)
    ax3 = plots.bars(t3, bar="year", labels=Q, panel="p").axes[0]
    assert ax3.get_title(loc="left") == plots.wrap(long, 46, 3) == "\n".join([" ".join(["panelname"] * 4)] * 2
                                                                             + [" ".join(["panelname"] * 4) + "…"])
    t4 = t.assign(p="x" * 47)
    assert plots.bars(t4, bar="year", labels=Q, panel="p").axes[0].get_title(loc="left") == "x" * 46 + "\nx"


def test_stacked_bars_default_min_label_is_7():
    """Fails if `stacked_bars`' default min_label is not 7 (a 7 % segment is labelled)."""
    ax = plots.stacked_bars(_bars_table(), bar="year", labels=Q).axes[0]
    assert "7" in [x[0] for x in texts(ax)] and "6" not in [x[0] for x in texts(ax)]


def test_dot_ranking_keeps_ties_in_input_order_for_many_rows_and_wraps_at_28():
    """Fails if the ranking sorts unstably (kind quicksort for more than 16 rows), adds the old index as a column
    (reset_index(drop=False) breaks a table that has one), or labels wrap at another width than 28."""
    # a table that went through two reset_index() calls carries both 'index' and 'level_0'
    t = pd.DataFrame({"label": [f"r{i}" for i in range(40)], "estimate": [float(i % 3) for i in range(40)],
                      "index": range(40), "level_0": range(40)})
    ax = plots.dot_ranking(t, xlim=None).axes[0]
    expected = [f"r{i}" for i in sorted(range(40), key=lambda i: (-(i % 3), i))]
    assert ticklabels(ax.get_yticklabels()) == expected
    t2 = pd.DataFrame({"label": ["x" * 29], "estimate": [10.0]})
    assert ticklabels(plots.dot_ranking(t2).axes[0].get_yticklabels()) == ["x" * 28 + "\nx"]


def test_dots_default_title_wrap_and_sorted_custom_columns():
    """Fails if `dots`' default title is not empty, labels wrap at another width than 28, or sort=True does not
    pass the label, estimate, interval columns and xlim to the ranking."""
    t = pd.DataFrame({"who": ["x" * 29, "b"], "p": [10.0, 20.0], "l": [5.0, 15.0], "h": [15.0, 30.0]})
    fig = plots.dots(t, label="who", y="p", lo="l", hi="h")
    assert fig._suptitle is None
    assert ticklabels(fig.axes[0].get_yticklabels()) == ["x" * 28 + "\nx", "b"]
    fig2 = plots.dots(t, label="who", y="p", lo="l", hi="h", sort=True, xlim=(0, 60))
    ax = fig2.axes[0]
    assert ticklabels(ax.get_yticklabels()) == ["b", "x" * 28 + "\nx"]
    assert segs(errorbars(ax)[0]) == [(15.0, 0.0, 30.0, 0.0), (5.0, 1.0, 15.0, 1.0)]
    assert [a[:2] for a in anns(ax)] == [("20", (30, 0)), ("10", (15, 1))]
    assert ax.get_xlim() == (0.0, 66.0)


def test_small_multiples_keeps_series_order_three_waves_and_long_names():
    """Fails if series are sorted (groupby sort), the end value is not the last wave's (iloc[-1] -> [+1]),
    the gap is not 9 % of the ylim range (- -> +), a missing interval end is not 0 long, a one-wave series breaks
    (colour from its second row), titles or legend names are wrapped otherwise (30 / 3 lines; 26 / 2 lines), or
    the panels lose their horizontal grid."""
    rows = []
    for cat, col, vals in [("Uenig", "#aa00aa", [30.0, 40.0, 50.0]), ("Enig", "#00aa00", [60.0, 55.0, 53.0])]:
        for y, v in zip([2019, 2021, 2023], vals):
            rows.append({"panel": "x" * 31, "category": cat, "year": y, "estimate": v, "ci_low": v - 2,
                         "ci_high": v + 3, "colour": col})
    rows.append({"panel": " ".join(["statement"] * 14), "category": "Alone", "year": 2023, "estimate": 5.0,
                 "ci_low": 3.0, "ci_high": np.nan, "colour": "#0000aa"})
    t = pd.DataFrame(rows)
    t.loc[0, "ci_low"] = np.nan  # Uenig 2019: no low end
    long = "Strongly agree with the statement as it stands"
    fig = plots.small_multiples(t, ylim=(10, 60), names={"Enig": long, "Uenig": "x" * 27})
    ax, ax2 = fig.axes
    assert [c.lines[0].get_color() for c in errorbars(ax)] == ["#aa00aa", "#00aa00"]
    # ends 50 (2023) and 53, gap 0.09 * 50 = 4.5 -> 50, 54.5, shift 1.5 / 2 / 2
    assert [a[:3] for a in anns(ax)] == [("50", (2023, 50), (2023.12, 49.625)), ("53", (2023, 53), (2023.12, 54.125))]
    e = errorbars(ax2)[0]
    assert segs(e) == [(2023.0, 3.0, 2023.0, 5.0)]
    assert segs(errorbars(ax)[0])[0] == (2019.0, 30.0, 2019.0, 33.0)
    assert ax.get_title(loc="left") == "x" * 30 + "\nx"
    assert ax2.get_title(loc="left") == "statement statement statement\n" * 2 + "statement statement statement…"
    assert ticklabels(fig.legends[0].get_texts()) == ["x" * 26 + "\nx", "Strongly agree with the\nstatement as it stands",
                                                      "Alone"]
    assert all(ygrid_visible(ax)) and not any(xgrid_visible(ax))
    fig2 = plots.small_multiples(t, names={"Enig": "one two three four five six seven eight nine ten eleven"})
    assert ticklabels(fig2.legends[0].get_texts())[1] == "one two three four five\nsix seven eight nine ten…"


def test_bars_draw_segments_below_one_percent():
    """Fails if a segment between 0 and 1 % is not drawn (v <= 0 -> v <= 1)."""
    t = pd.DataFrame({"year": [2023] * 2, "category": ["Ja", "Nei"], "value": [99.5, 0.5]})
    ax = plots.bars(t, bar="year", labels=["Ja", "Nei"], diverging=False).axes[0]
    assert [r[1:3] for r in rects(ax)] == [(0, 99.5), (99.5, 0.5)]


def test_bars_net_axis_is_exactly_0_to_100_for_shares_at_the_ends():
    """Fails if the net panel's limits are left to autoscaling (set_xlim(None, 100), (0, None), (0,)): intervals
    reaching 0 and 100 % would widen the axis beyond the share's range."""
    t = _bars_table()
    net = pd.DataFrame({"year": [2019, 2023], "estimate": [2.0, 98.0], "ci_low": [0.0, 95.0], "ci_high": [5.0, 100.0]})
    nax = plots.bars(t, bar="year", labels=Q, net=net).axes[1]
    assert nax.get_xlim() == (0.0, 100.0)
