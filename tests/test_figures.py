"""The figure layer: bases are never invented, intervals and tests follow from printed numbers."""
import numpy as np
import pytest

from ehelse import data, figures
from ehelse.estimates import published_change_test, published_share_ci
from ehelse.settings import load


def test_question_asked_of_everyone_uses_the_years_interviews_as_base():
    t = figures.table("C05").set_index("year")
    iv = data.interviews().query("report == 'citizens2022'").set_index("year")["n"]
    assert (t["base"] == iv.reindex(t.index)).all()
    assert (t["base_source"] == "all interviews of the year").all()
    deff = load()["published_deff"]["citizens"]
    lo, hi = published_share_ci(t.loc[2022, "value"], t.loc[2022, "base"], deff)
    assert t.loc[2022, "ci_low"] == pytest.approx(float(lo)) and t.loc[2022, "ci_high"] == pytest.approx(float(hi))


def test_subgroup_bars_without_printed_base_get_no_interval():
    t = figures.table("C49")
    assert t["base"].isna().all() and t["ci_low"].isna().all()


def test_comparison_slide_takes_bases_from_the_chart_it_repeats():
    t = figures.table("C13")
    hosp = t[t["item"] == "Innbyggere (sykehusbesøk)"].set_index("year")["base"]
    assert hosp.to_dict() == data.inventory_bases("C11")


def test_chart_without_numbers_is_not_drawn_but_listed():
    inv = data.inventory()
    fid = inv.loc[inv["numbers_source"] == "missing", "figure_id"].iloc[0]
    assert figures.draw(fid) is None
    chapter = inv.set_index("figure_id").loc[fid, "chapter"]
    miss = figures.missing(chapter)
    assert fid in set(miss["figure"]) and (miss["numbers"] == "numbers not in the source").all()


def test_publisher_numbers_are_named_in_the_caption():
    cap = figures.caption("C05").data
    assert "publisher's web pages" in cap and '<a href="https://' in cap  # the page, as a link


def test_population_test_on_a_comparison_slide():
    t = figures.tests("P53")
    row = t[t["test"] == "between populations"].iloc[0]
    tab = figures.table("P53")
    cit = tab[(tab["population"] == "citizens") & tab["category"].isin(["Svært fornøyd", "Ganske fornøyd"])]
    per = tab[(tab["population"] == "personnel") & tab["category"].isin(["Svært fornøyd", "Ganske fornøyd"])]
    deff = load()["published_deff"]
    ref = published_change_test(cit["value"].sum(), cit["base"].iloc[0], per["value"].sum(), per["base"].iloc[0],
                                deff["citizens"], deff["personnel"])
    assert row["p_value"] == pytest.approx(float(ref["p_value"].iloc[0]))
    assert row["share_to"] < row["share_from"]  # personnel less satisfied than citizens (PI14)


def test_wording_change_of_one_population_is_said_so():
    assert "for personnel" in figures.caption("C28").data


def test_chapter_tests_are_bh_adjusted_within_the_chapter():
    from statsmodels.stats.multitest import multipletests

    t = figures.chapter_tests("c3")
    ok = t["p_value"].notna()
    assert ok.sum() >= 3
    np.testing.assert_allclose(t.loc[ok, "p_adjusted"], multipletests(t.loc[ok, "p_value"], method="fdr_bh")[1])


# ------------------------------------------------------------------ the reader edition (issue 13)
import re

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ehelse import book, style  # noqa: E402


def _drawn():
    """Every figure of the book with numbers, drawn: {figure id: (declared kind, drawn object)}."""
    inv = data.inventory()
    out = {}
    for fid, kind in zip(inv["figure_id"], inv["chart"]):
        if kind == "text":
            continue
        obj = figures.draw(fid)
        if obj is not None:
            out[fid] = (kind, obj)
    return out


DRAWN = None


def drawn():
    global DRAWN
    if DRAWN is None:
        DRAWN = _drawn()
    return DRAWN


def test_every_figure_is_drawn_in_its_declared_kind():
    d = drawn()
    assert len(d) >= 40
    wrong = {f: (k, getattr(o, "ehelse_kind", None)) for f, (k, o) in d.items() if getattr(o, "ehelse_kind", None) != k}
    assert not wrong, f"drawn kind differs from the inventory's column 'chart': {wrong}"
    kinds = {k for k, _ in d.values()}
    assert {"line", "diverging_bar", "stacked_bar", "dot_ranking", "key_figure"} <= kinds


def test_a_label_keeps_its_colour_in_every_figure():
    seen: dict = {}
    clashes = []
    for fid, (kind, obj) in drawn().items():
        for what, label, colour in getattr(obj, "ehelse_colours", []):
            prev = seen.setdefault((what, label), (colour, fid))
            if prev[0] != colour:
                clashes.append(f"{what} {label!r}: {prev[0]} in {prev[1]}, {colour} in {fid}")
    assert not clashes, "\n".join(clashes)
    whats = {w for w, _ in seen}
    assert {"category", "population"} <= whats
    # a colour means one thing: no population colour is used for an answer label or a year
    pop = {c for (w, _), (c, _) in seen.items() if w == "population"}
    assert not pop & {c for (w, _), (c, _) in seen.items() if w != "population"}


def test_non_answers_are_grey_never_a_strong_colour():
    import colorsys

    for (what, label), _ in [((w, l), c) for f, (k, o) in drawn().items() for w, l, c in getattr(o, "ehelse_colours", [])]:
        if what == "category" and style.is_non_answer(label):
            r, g, b = (int(style.label_colour(label)[i:i + 2], 16) / 255 for i in (1, 3, 5))
            assert colorsys.rgb_to_hls(r, g, b)[2] < 0.05, f"{label!r} is not grey"
    assert style.is_non_answer("Deltar ikke i utredning eller behandling av…")


def test_a_missing_category_keeps_the_declared_kind(monkeypatch):
    fid = "C39"
    full = figures.table(fid)
    cut = full[full["category"] != "Verken fornøyd eller misfornøyd"]
    monkeypatch.setattr(figures, "table", lambda f: cut if f == fid else full)
    fig = figures.draw(fid)
    assert fig.ehelse_kind == figures.chart_kind(fid) == "diverging_bar"
    plt.close(fig)


def test_chart_text_is_at_least_9_px_on_a_phone():
    for fid, (kind, obj) in drawn().items():
        if kind == "key_figure":
            continue
        info = style.png_info(style.png(obj))
        px = style.text_px(float(info["min_font_pt"]), float(info["dpi"]), int(info["width"]), style.PHONE_DISPLAY_PX)
        assert px >= style.MIN_TEXT_PX, f"{fid}: smallest chart text {px:.1f} px at {style.PHONE_DISPLAY_PX} px"
        plt.close(obj)


def test_charts_carry_english_labels_only():
    norwegian = re.compile(r"\b(Helt|Delvis|enig|uenig|fornøyd|Vet ikke|Ja|Nei|Innbyggere|Helsepersonell)\b")
    for fid, (kind, obj) in drawn().items():
        if kind == "key_figure":
            text = re.sub(r"<[^>]+>", " ", obj.data)
        else:
            text = " ".join(t.get_text() for t in obj.findobj(matplotlib.text.Text))
        assert not norwegian.search(text), f"{fid}: Norwegian on the chart: {norwegian.search(text).group(0)!r}"


def test_captions_are_short_and_read_the_interval_from_the_settings():
    s = load()
    want = f"{100 * s['confidence_level']:g} % intervals ({s['ci_method']})"
    for fid, (kind, obj) in drawn().items():
        visible = " ".join(figures.caption_parts(fid))
        assert len(visible.split()) <= figures.CAPTION_WORDS, f"{fid}: {len(visible.split())} words"
        assert "http" not in visible, f"{fid}: a raw address in the visible caption"
        if "Whiskers" in visible:
            assert kind in figures.WHISKER_KINDS, f"{fid}: 'Whiskers' under a {kind} without whiskers"
        if "interval" in visible and kind != "key_figure":
            assert want in visible or want.replace(" intervals", " interval") in visible, visible
        full = figures.caption(fid).data
        assert "<details" in full and "About this figure" in full


def test_reader_tables_have_english_headers_and_readable_numbers():
    t = figures.chapter_tests("c7")
    html_ = book.table_html(book.tests_table(t), caption="Tests")
    heads = re.findall(r"<th[^>]*>(.*?)</th>", html_)
    assert heads and not [h for h in heads if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", h)], heads
    assert 'tabindex="0"' in html_ and 'role="region"' in html_ and 'aria-label="Tests"' in html_
    assert not re.search(r"\d\.000\b", html_)
    raw = book.table_html(t)  # even a raw tests table gets English headers and readable p-values
    assert "share_from" not in raw and "From (%)" in raw
    cells = re.findall(r'<td class="num">([^<]*)</td>', book.table_html(pd.DataFrame({"change_points": [3.0, -2.0]})))
    assert cells == ["+3", "−2"]
    assert book.p_text(0.0004) == "< 0.001" and book.p_text(0.0412) == "0.041" and book.p_text(0.38) == "0.38"
