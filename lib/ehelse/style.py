"""The book's one visual system: seaborn theme, sizes that stay legible on a phone, semantic colours.

Colours are defined once, by meaning, and looked up by label everywhere:

* an answer scale's labels by their position on the scale, positive (green) to negative (purple),
  the middle answer light grey; non-answers ("Vet ikke", "not involved", …) neutral greys, never
  a strong colour;
* each population (citizens blue, personnel orange);
* each wave year (slate, light for the first wave to dark for the latest).

A chart records which label got which colour (`record`), so a test can draw every figure and
check that a label keeps its colour across the book.

Sizes: charts are drawn `WIDTH_IN` inches wide with no text smaller than `MIN_FONT_PT`; on a
390 px phone the image shrinks to about `PHONE_DISPLAY_PX` px, where that text is
`text_px(MIN_FONT_PT, …)` >= 9 px. The PNG written for a chart records its smallest font size
and resolution (PNG text chunks `ehelse:min_font_pt`, `ehelse:dpi`), so the browser test can
compute the rendered size of chart text from the image's natural and displayed width.
"""
from __future__ import annotations

import functools
import io
from typing import Iterable, Sequence

import matplotlib
import matplotlib.pyplot as plt
import seaborn as sns

DPI = 200
WIDTH_IN = 5.0
MIN_FONT_PT = 9.5
FONT_PT = 10.0
TITLE_PT = 11.0
PHONE_DISPLAY_PX = 358
MIN_TEXT_PX = 9.0
PNG_KEYS = {"min_font_pt": "ehelse:min_font_pt", "dpi": "ehelse:dpi", "kind": "ehelse:kind"}

# Positions on an ordered scale, most positive first; chosen by the number of (non-non-)answers.
ROLE_COLOURS = {"++": "#1b7837", "+": "#5aae61", "+.": "#a6dba0", "0": "#d9d9d9", "-.": "#c2a5cf",
                "-": "#9970ab", "--": "#762a83"}
ROLES = {1: ["++"], 2: ["++", "--"], 3: ["++", "0", "--"], 4: ["++", "+", "-", "--"],
         5: ["++", "+", "0", "-", "--"], 6: ["++", "+", "+.", "-.", "-", "--"],
         7: ["++", "+", "+.", "0", "-.", "-", "--"]}
# Scales without an order (barriers, needs, uses): qualitative colours that are neither the
# populations' blue/orange nor the scale greens/purples.
NOMINAL = ["#1b9e9e", "#b8860b", "#c0508a", "#6b8e23", "#8b5a2b", "#4682b4", "#a0522d", "#708090"]
NON_ANSWER = ["#9e9e9e", "#bdbdbd", "#7f7f7f", "#cfcfcf"]
NON_ANSWER_WORDS = ("vet ikke", "husker ikke", "ønsker ikke", "ikke aktuelt", "annet", "har ikke vært i kontakt",
                    "øvrige svar", "aldri brukt", "deltar ikke", "bruker ikke digitale", "ingen innspill",
                    "don't know", "not involved")
POPULATION = {"citizens": "#2166ac", "personnel": "#e08214"}
POPULATION_LABEL = {"citizens": "Citizens", "personnel": "Health personnel"}
YEAR_RAMP = ("#b7c3cc", "#1f2d3a")
INK, MUTED = "#222222", "#555555"


def apply() -> None:
    """Set the seaborn theme and the font sizes of every chart of the book."""
    sns.set_theme(style="whitegrid", context="paper", font="DejaVu Sans", rc={
        "font.size": FONT_PT, "axes.titlesize": TITLE_PT, "axes.labelsize": FONT_PT,
        "xtick.labelsize": MIN_FONT_PT, "ytick.labelsize": MIN_FONT_PT, "legend.fontsize": MIN_FONT_PT,
        "legend.title_fontsize": MIN_FONT_PT, "figure.titlesize": TITLE_PT, "figure.dpi": 100,
        "savefig.dpi": DPI, "axes.edgecolor": "#999999", "grid.color": "#e6e6e6", "text.color": INK,
        "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK, "axes.spines.top": False,
        "axes.spines.right": False, "svg.hashsalt": "ehelse", "figure.constrained_layout.use": True})


def text_px(font_pt: float, dpi: float, natural_px: float, displayed_px: float) -> float:
    """Rendered height in CSS px of text of `font_pt` in a PNG of `dpi` shown at `displayed_px` of `natural_px`."""
    return font_pt * dpi / 72.0 * displayed_px / natural_px


def is_non_answer(label: str) -> bool:
    """Don't know / can't remember / not involved / other: neutral greys, outside the diverging scale."""
    low = str(label).lower()
    return any(w in low for w in NON_ANSWER_WORDS)


def roles(labels: Sequence[str]) -> dict[str, str]:
    """Position of each answer of an ordered scale: '++' … '--' ('0' the middle), 'na' for non-answers."""
    answers = [l for l in labels if not is_non_answer(l)]
    out = dict(zip(answers, ROLES.get(len(answers), ["++"] * len(answers))))
    out.update({l: "na" for l in labels if is_non_answer(l)})
    return out


@functools.lru_cache(maxsize=None)
def _label_colours() -> dict[str, str]:
    """Every answer label of the codebooks -> its colour (the first scale, in id order, that has it decides)."""
    from .data import codebook

    out: dict[str, str] = {}
    for sid, sc in sorted(codebook()["scales"].items()):
        labels = [l["no"] for l in sc["labels"]]
        if not sc.get("ordered", True):
            answers = [l for l in labels if not is_non_answer(l)]
            cols = {l: NOMINAL[i % len(NOMINAL)] for i, l in enumerate(answers)}
        else:
            cols = {l: ROLE_COLOURS[r] for l, r in roles(labels).items() if r != "na"}
        grey = iter(NON_ANSWER * 3)
        cols.update({l: next(grey) for l in labels if is_non_answer(l)})
        for l, c in cols.items():
            out.setdefault(l, c)
    return out


def label_colour(label: str) -> str:
    """The one colour of an answer label (Norwegian, as in the codebook) everywhere in the book."""
    cols = _label_colours()
    if label in cols:
        return cols[label]
    return NON_ANSWER[0] if is_non_answer(label) else NOMINAL[abs(hash_label(label)) % len(NOMINAL)]


def hash_label(label: str) -> int:
    """A deterministic small integer for a label (no Python hash randomisation)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(str(label)))


def population_colour(population: str) -> str:
    """Citizens blue, personnel orange, in every chart."""
    return POPULATION.get(population, MUTED)


@functools.lru_cache(maxsize=None)
def _all_years() -> tuple[int, ...]:
    from .data import publisher_values, values

    years = set(values()["year"]) | set(publisher_values()["year"])
    try:
        from . import waves  # the wave registry, where present
        for s in ("citizens", "personnel"):
            years |= set(waves.years(s))
    except Exception:  # noqa: BLE001 - the registry is optional for the palette
        pass
    return tuple(sorted(int(y) for y in years))


def year_colour(year: int) -> str:
    """A wave year's colour: slate, from light (first wave of the book) to dark (latest)."""
    years = _all_years()
    ramp = sns.blend_palette(list(YEAR_RAMP), n_colors=max(len(years), 2), as_cmap=False)
    i = years.index(int(year)) if int(year) in years else len(years) - 1
    return matplotlib.colors.to_hex(ramp[i])


def text_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on a fill colour."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white"


def record(fig: plt.Figure, kind: str, colours: Iterable[tuple[str, str, str]] = ()) -> plt.Figure:
    """Attach the chart kind and the (what, label, colour) triples it used to the figure."""
    fig.ehelse_kind = kind
    fig.ehelse_colours = sorted(set(getattr(fig, "ehelse_colours", [])) | set(colours))
    return fig


def min_font_pt(fig: plt.Figure) -> float:
    """Smallest font size (points) of any visible, non-empty text of a figure."""
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_alpha() != 0]
    return float(min(sizes)) if sizes else FONT_PT


def enforce_min_font(fig: plt.Figure) -> plt.Figure:
    """Raise any text of a figure set smaller than MIN_FONT_PT (e.g. a chapter's legend) to MIN_FONT_PT."""
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_fontsize() < MIN_FONT_PT:
            t.set_fontsize(MIN_FONT_PT)
    return fig


def png(fig: plt.Figure) -> bytes:
    """The chart as a deterministic PNG, recording its smallest font size and resolution in text chunks."""
    enforce_min_font(fig)
    buf = io.BytesIO()
    meta = {"Software": None, PNG_KEYS["min_font_pt"]: f"{min_font_pt(fig):.2f}", PNG_KEYS["dpi"]: str(DPI),
            PNG_KEYS["kind"]: getattr(fig, "ehelse_kind", "chart")}
    fig.savefig(buf, format="png", dpi=DPI, metadata=meta, facecolor="white")
    return buf.getvalue()


def png_info(data: bytes) -> dict[str, str]:
    """The ehelse text chunks of a PNG written by `png` (empty when there are none)."""
    from PIL import Image

    im = Image.open(io.BytesIO(data))
    return {k: im.info[v] for k, v in PNG_KEYS.items() if v in im.info} | {"width": str(im.width)}


def register_png_formatter() -> None:
    """Make IPython (display and myst-nb glue) show matplotlib figures through `png`."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    plt.close(plt.figure())  # resolve the backend first: the inline backend registers its own PNG formatter
    fmt = ip.display_formatter.formatters["image/png"]
    fmt.for_type(plt.Figure, png)


apply()
register_png_formatter()
