"""In-process tests of `ehelse.style` (issue 17: mutation testing): theme, sizes, semantic colours, PNG chunks.

Each test names the bug it catches ("Fails if ..."); the mutation run of `tools/mutate.py --focus style`
is the demonstration that it does. Expected values are computed by hand from the documented contract
(module docstring and the functions' docstrings), not copied from a run.
"""
import io
import types

import matplotlib

matplotlib.use("Agg")
import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from ehelse import style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ theme


def test_apply_sets_the_books_theme_and_font_sizes():
    """Fails if `apply` drops or changes any rc setting (a size, a colour, the whitegrid style, the paper
    context, the font, constrained layout): mutants of every key and value of `apply`'s rc dict."""
    mpl.rcdefaults()
    style.apply()
    r = mpl.rcParams
    expected = {"font.size": 10.0, "axes.titlesize": 11.0, "axes.labelsize": 10.0, "xtick.labelsize": 9.5,
                "ytick.labelsize": 9.5, "legend.fontsize": 9.5, "legend.title_fontsize": 9.5,
                "figure.titlesize": 11.0, "figure.dpi": 100.0, "savefig.dpi": 200.0, "axes.edgecolor": "#999999",
                "grid.color": "#e6e6e6", "text.color": "#222222", "axes.labelcolor": "#222222",
                "xtick.color": "#222222", "ytick.color": "#222222", "axes.spines.top": False,
                "axes.spines.right": False, "svg.hashsalt": "ehelse", "figure.constrained_layout.use": True}
    got = {k: r[k] for k in expected}
    assert got == expected
    # seaborn: whitegrid (white axes with a grid; darkgrid, the default, is #EAEAF2), the paper context
    # (lines 1.5 * 0.8 wide; notebook keeps 1.5), DejaVu Sans first
    assert r["axes.facecolor"] == "white" and r["axes.grid"] is True
    assert r["lines.linewidth"] == pytest.approx(1.2)
    assert r["font.family"] == ["DejaVu Sans"]


def test_text_px_is_points_to_pixels_scaled_to_the_displayed_width():
    """Fails if the pt -> px formula changes (72 pt per inch, dpi, displayed / natural width): arithmetic
    mutants of `text_px`."""
    # 9 pt at 144 dpi is 18 px; shown at half its natural width: 9 px
    assert style.text_px(9.0, 144.0, 1000.0, 500.0) == pytest.approx(9.0, abs=1e-12)
    assert style.text_px(9.5, 200, 1000, 358) == pytest.approx(9.5 * 200 / 72 * 0.358, abs=1e-12)
    # the book's promise: its smallest text on a 390 px phone is at least 9 px
    assert style.text_px(style.MIN_FONT_PT, style.DPI, style.WIDTH_IN * style.DPI,
                         style.PHONE_DISPLAY_PX) >= style.MIN_TEXT_PX


# ------------------------------------------------------------------ answer labels


def test_non_answers_are_recognised_in_any_case():
    """Fails if `is_non_answer` stops lower-casing, inverts the test or needs every word (any -> all)."""
    assert style.is_non_answer("Vet ikke") is True
    assert style.is_non_answer("VET IKKE / husker ikke") is True
    assert style.is_non_answer("Deltar ikke i utredning eller behandling av pasienter") is True
    assert style.is_non_answer("Helt enig") is False
    assert style.is_non_answer(2019) is False


def test_roles_follow_the_scale_position_and_leave_non_answers_out():
    """Fails if `roles` counts non-answers as scale positions, loses the 'na' role, or its fallback for
    scales longer than seven changes: mutants of `roles`."""
    q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
    assert style.roles(q) == {"Helt enig": "++", "Delvis enig": "+", "Verken enig eller uenig": "0",
                              "Delvis uenig": "-", "Helt uenig": "--", "Vet ikke": "na"}
    assert style.roles(["Ja", "Nei"]) == {"Ja": "++", "Nei": "--"}
    eight = [f"a{i}" for i in range(8)]
    assert style.roles(eight) == {l: "++" for l in eight}
    assert style.roles(["Vet ikke"]) == {"Vet ikke": "na"}


def test_label_colour_codebook_labels_non_answers_and_unknown_labels():
    """Fails if a codebook label loses its scale colour, an unknown non-answer is not the first grey, or an
    unknown label is not the nominal colour picked by its hash: mutants of `label_colour`."""
    assert style.label_colour("Helt enig") == style.ROLE_COLOURS["++"] == "#1b7837"
    assert style.label_colour("Helt uenig") == "#762a83"
    assert style.label_colour("Verken enig eller uenig") == "#d9d9d9"
    assert style.label_colour("Vet ikke helt, zz") == "#9e9e9e"
    # 'foo': 1*102 + 2*111 + 3*111 = 657; 657 % 8 = 1
    assert style.label_colour("foo") == style.NOMINAL[1] == "#b8860b"


def test_hash_label_is_the_position_weighted_sum_of_code_points():
    """Fails if the weights (i + 1) or the characters summed change: mutants of `hash_label`."""
    assert style.hash_label("ab") == 97 * 1 + 98 * 2
    assert style.hash_label("abc") == 97 + 2 * 98 + 3 * 99
    assert style.hash_label(12) == ord("1") + 2 * ord("2")
    assert style.hash_label("") == 0


def test_population_colours_and_fallback():
    """Fails if citizens are not blue, personnel not orange, or an unknown population not MUTED."""
    assert style.population_colour("citizens") == "#2166ac"
    assert style.population_colour("personnel") == "#e08214"
    assert style.population_colour("publisher") == style.MUTED == "#555555"


def test_year_colour_ramps_from_light_first_wave_to_dark_latest(monkeypatch):
    """Fails if the ramp ends swap, the midpoint is not the blend of the ends, an unknown year is not the
    latest colour, or a single year breaks the ramp: mutants of `year_colour`."""
    monkeypatch.setattr(style, "_all_years", lambda: (2019, 2020, 2021, 2022, 2023))
    assert style.year_colour(2019) == "#b7c3cc"
    assert style.year_colour(2023) == "#1f2d3a"
    # the midpoint: each channel the mean of the ends, (0xb7 + 0x1f) / 2 = 0x6b, ...
    assert style.year_colour(2021) == "#6b7883"
    assert style.year_colour("2021") == "#6b7883"
    assert style.year_colour(1999) == "#1f2d3a"
    monkeypatch.setattr(style, "_all_years", lambda: (2020, 2023))
    assert (style.year_colour(2020), style.year_colour(2023)) == ("#b7c3cc", "#1f2d3a")
    monkeypatch.setattr(style, "_all_years", lambda: (2020,))
    assert style.year_colour(2020) == "#b7c3cc"


def test_year_colour_of_the_books_waves_are_distinct():
    """Fails if two waves of the book share a colour (one colour per meaning)."""
    years = style._all_years()
    cols = [style.year_colour(y) for y in years]
    assert len(years) >= 2 and len(set(cols)) == len(cols)
    assert cols[0] == "#b7c3cc" and cols[-1] == "#1f2d3a"


@pytest.mark.parametrize("fill,ink", [
    ("#ffffff", "black"), ("#000000", "white"),
    ("#8c8c8c", "white"),  # luminance exactly 140: not above it
    ("#8d8d8d", "black"), ("#8b8b8b", "white"),
    ("#ff0000", "white"),  # 0.299 * 255 = 76
    ("#00c000", "white"),  # 0.587 * 192 = 113
    ("#00ff00", "black"),  # 0.587 * 255 = 150
    ("#0000ff", "white"),  # 0.114 * 255 = 29
    ("#ffff00", "black"), ("#00ffff", "black"), ("#ff00ff", "white"),  # 105 (r + b)
])
def test_text_on_picks_the_readable_ink(fill, ink):
    """Fails if the luminance weights, the channel positions, the threshold 140 or its comparison (> vs >=)
    change: mutants of `text_on`."""
    assert style.text_on(fill) == ink


# ------------------------------------------------------------------ figure bookkeeping


def test_record_attaches_kind_and_merges_sorted_colours():
    """Fails if `record` loses the kind, the colours of an earlier call, their sorting or de-duplication."""
    fig = plt.figure()
    assert style.record(fig, "line") is fig
    assert fig.ehelse_kind == "line" and fig.ehelse_colours == []
    style.record(fig, "dot", [("year", "2023", "#1f2d3a"), ("category", "b", "#000000")])
    style.record(fig, "dot_ranking", [("category", "a", "#111111"), ("year", "2023", "#1f2d3a")])
    assert fig.ehelse_kind == "dot_ranking"
    assert fig.ehelse_colours == [("category", "a", "#111111"), ("category", "b", "#000000"),
                                  ("year", "2023", "#1f2d3a")]


def test_min_font_pt_counts_visible_non_empty_opaque_text_only():
    """Fails if invisible, empty, blank or transparent text counts, or an opaque (alpha 1) text does not:
    mutants of the filter of `min_font_pt`; and if a figure without text is not FONT_PT."""
    fig = plt.figure()
    assert style.min_font_pt(fig) == 10.0
    fig.text(0.1, 0.1, "big", fontsize=12)
    fig.text(0.1, 0.2, "hidden", fontsize=3, visible=False)
    fig.text(0.1, 0.3, "", fontsize=4)
    fig.text(0.1, 0.4, "   ", fontsize=4.5)
    fig.text(0.1, 0.5, "clear", fontsize=5, alpha=0)
    assert style.min_font_pt(fig) == 12.0
    fig.text(0.1, 0.6, "opaque", fontsize=8, alpha=1.0)
    assert style.min_font_pt(fig) == 8.0
    assert isinstance(style.min_font_pt(fig), float)


def test_enforce_min_font_raises_small_text_only():
    """Fails if `enforce_min_font` leaves small text small, changes larger text, or does not return the figure."""
    fig = plt.figure()
    small, ok, big = fig.text(0, 0, "a", fontsize=6), fig.text(0, 0, "b", fontsize=9.5), fig.text(0, 0, "c", fontsize=14)
    assert style.enforce_min_font(fig) is fig
    assert (small.get_fontsize(), ok.get_fontsize(), big.get_fontsize()) == (9.5, 9.5, 14.0)


def test_png_records_min_font_dpi_and_kind_on_white():
    """Fails if `png` does not raise small text first, writes a wrong chunk (key or value), keeps the
    Software chunk, saves at another dpi or not on white: mutants of `png` and `png_info`."""
    fig = plt.figure(figsize=(2.0, 1.0))
    fig.text(0.5, 0.5, "x", fontsize=6)
    style.record(fig, "dot")
    data = style.png(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert style.png_info(data) == {"min_font_pt": "9.50", "dpi": "200", "kind": "dot", "width": "400"}
    im = Image.open(io.BytesIO(data))
    assert "Software" not in im.info
    assert im.size == (400, 200)
    assert im.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
    assert style.png(fig) == data  # deterministic


def test_png_of_an_unrecorded_figure_is_kind_chart_and_min_font_above_minimum():
    """Fails if the default kind 'chart' or the 2-decimal min font of a figure with larger text changes."""
    fig = plt.figure(figsize=(1.0, 1.0))
    fig.text(0.5, 0.5, "x", fontsize=12)
    info = style.png_info(style.png(fig))
    assert info == {"min_font_pt": "12.00", "dpi": "200", "kind": "chart", "width": "200"}


def test_png_info_of_a_foreign_png_has_only_the_width():
    """Fails if `png_info` invents chunks a PNG does not have or misreports the width."""
    buf = io.BytesIO()
    Image.new("RGB", (7, 3), "white").save(buf, format="PNG")
    assert style.png_info(buf.getvalue()) == {"width": "7"}


def test_register_png_formatter_outside_ipython_does_nothing(monkeypatch):
    """Fails if `register_png_formatter` does not stop when there is no IPython shell (it would crash)."""
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    before = plt.get_fignums()
    assert style.register_png_formatter() is None
    assert plt.get_fignums() == before


def test_register_png_formatter_registers_png_for_figures(monkeypatch):
    """Fails if the formatter is not registered for image/png, for another type or with another function,
    or leaves a figure open: mutants of `register_png_formatter`."""
    import IPython

    got = {}

    class Fmt:
        def for_type(self, typ, func):
            got["for_type"] = (typ, func)

    plt.close(plt.figure())  # resolve pyplot's backend (and REPL hook) with the real, absent, shell first
    shell = types.SimpleNamespace(display_formatter=types.SimpleNamespace(formatters={"image/png": Fmt()}),
                                  events=types.SimpleNamespace(register=lambda *a: None))
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    before = plt.get_fignums()
    style.register_png_formatter()
    assert got["for_type"][0] is plt.Figure
    assert got["for_type"][1] is style.png
    fig = plt.figure(figsize=(1, 1))
    assert style.png_info(got["for_type"][1](fig))["dpi"] == "200"
    plt.close(fig)
    assert plt.get_fignums() == before


def test_png_is_a_200_dpi_png_on_white_whatever_the_savefig_settings():
    """Fails if `png` relies on the rc savefig settings (format, dpi, facecolor: arguments dropped or None) instead
    of always writing a 200-dpi PNG on white, as its text chunks say."""
    fig = plt.figure(figsize=(1.0, 1.0), facecolor="red")
    with mpl.rc_context({"savefig.format": "svg", "savefig.dpi": 72, "savefig.facecolor": "blue"}):
        data = style.png(fig)
    im = Image.open(io.BytesIO(data))
    assert im.format == "PNG" and im.size == (200, 200)
    assert im.convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_register_png_formatter_leaves_an_open_figure_open(monkeypatch):
    """Fails if resolving the backend closes the caller's current figure (plt.close(None) instead of closing the
    figure it opened itself)."""
    import IPython

    class Fmt:
        def for_type(self, typ, func):
            pass

    plt.close(plt.figure())  # resolve pyplot's backend (and REPL hook) with the real, absent, shell first
    shell = types.SimpleNamespace(display_formatter=types.SimpleNamespace(formatters={"image/png": Fmt()}),
                                  events=types.SimpleNamespace(register=lambda *a: None))
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    fig = plt.figure()
    style.register_png_formatter()
    assert plt.fignum_exists(fig.number)
