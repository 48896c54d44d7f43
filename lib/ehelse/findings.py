"""Words from results: p-values, sentences of change, figure titles and verdicts on the reports' headlines.

Nothing here types a verdict: every word that says significant, rose, fell, unchanged, holds or does
not hold is chosen from a test result or a claim verdict, and every sentence comes from a template
keyed by language (`templates/<lang>.yml`; `en` now, `nb` planned). A missing template key is an error.

    findings.p_text(0.0432)                   # 'p = 0.043'
    findings.change_sentence(row)             # one row of figures.chapter_tests()
    findings.figure_title("C05")              # 'Digital contact … rose from 33 % in 2019 to 54 % in 2022 …'
    findings.headline_verdict("P53")          # the report's headline quoted, with the book's verdict
    findings.key_results()                    # the home page's key results, each with its figure anchor

Survey years are never written here: they come from the rows of the results.
"""
from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
CONSISTENCY = "consistency check only"


class TemplateError(KeyError):
    """A sentence template is missing for a language."""


@functools.cache
def _templates(lang: str) -> dict:
    path = TEMPLATES / f"{lang}.yml"
    if not path.exists():
        raise TemplateError(f"no sentence templates for language {lang!r} ({path} is missing)")
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def template(key: str, lang: str = "en") -> str:
    """The template `key` ('a.b' for nested keys) of a language; a missing key raises TemplateError."""
    node = _templates(lang)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise TemplateError(f"template {key!r} is missing in {TEMPLATES / (lang + '.yml')}")
        node = node[part]
    return node


def _fill(key: str, lang: str, **fields) -> str:
    return template(key, lang).format(**fields)


def alpha() -> float:
    """Significance level: one minus the settings' confidence level."""
    from .settings import load

    return round(1.0 - float(load()["confidence_level"]), 10)


def _sig2(p: float) -> float:
    """p rounded to two significant digits."""
    digits = 1 - math.floor(math.log10(p))
    return round(p, digits)


def _plain(x: float) -> str:
    """A number in plain decimal notation (never scientific), trailing zeros removed."""
    s = f"{x:.10f}".rstrip("0").rstrip(".")
    return s or "0"


def p_text(p: float, lang: str = "en", level: float | None = None) -> str:
    """'p < 0.001' or 'p = 0.04' (two significant digits at most); NaN raises ValueError (use not_testable)."""
    if p is None or not isinstance(p, (int, float, np.floating, np.integer)) or math.isnan(float(p)):
        raise ValueError(f"p-value {p!r} is not a number: say why with findings.not_testable()")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p-value {p!r} is outside 0-1")
    if p < 0.001:
        return _fill("p_below", lang, limit="0.001")
    level = alpha() if level is None else level
    shown = _sig2(p)
    if p < level <= shown:  # rounding must not carry a significant p over the level: cut instead of round
        digits = 1 - math.floor(math.log10(p))
        shown = math.floor(p * 10 ** digits) / 10 ** digits
    return _fill("p_equal", lang, value=_plain(shown))


def not_testable(reason: str = "no_base", lang: str = "en") -> str:
    """Why a test could not be run: 'not testable: no base printed' (reasons: no_base, one_year, no_numbers)."""
    return template(f"not_testable.{reason}", lang)


def _pct(x: float, lang: str) -> str:
    return _fill("percent", lang, value=_plain(round(float(x), 1)))


def _pts(x: float, lang: str) -> str:
    return _fill("points", lang, value=_plain(round(abs(float(x)), 1)))


def _direction(change: float) -> str:
    return "up" if change > 0 else "down" if change < 0 else "same"


def decision(row: pd.Series | dict) -> str:
    """'yes', 'no' or 'not testable' for one test row: the chapter's adjusted p where present, else the raw p."""
    r = dict(row)
    p = r.get("p_adjusted", r.get("p_value", np.nan))
    if p is None or pd.isna(p):
        return "not testable"
    return "yes" if float(p) < alpha() else "no"


def _p_of(r: dict) -> float:
    p = r.get("p_adjusted", np.nan)
    return r.get("p_value", np.nan) if p is None or pd.isna(p) else p


def measure_name(figure_id: str, item: str | None = None) -> str:
    """English short name of a figure's measure (data/published/measures.csv), or of one of its items."""
    from .data import english, figure, measures

    f = figure(figure_id)
    m = measures()
    name = m.get(figure_id) or _question_short(f)
    if item and item != "Total" and f["question_id"]:
        items = english(f["question_id"])
        label = items.get(item, item)
        if label.lower() not in ("citizens", "health personnel"):
            return f"{name}: {label}" if m.get(figure_id) else label
    return name


def _question_short(f: dict) -> str:
    q = f.get("question") or {}
    text = " ".join(str(q.get("text_en") or f["headline_en"]).split())
    text = re.sub(r"\s*\((?:\d{4}(?:[-–]\d{4})?)\)\s*$", "", text).rstrip("?. ")
    return text[:1].upper() + text[1:]


def _group(population: str) -> str:
    return {"citizens": "citizens", "personnel": "health personnel"}.get(population, population)


def change_sentence(test_row: pd.Series | dict, lang: str = "en") -> str:
    """One sentence for one test row of figures.tests()/chapter_tests(): direction, size, years, shares, p."""
    r = dict(test_row)
    fid = r["figure_id"]
    item = r.get("item")
    if r.get("test") == "between populations":
        return _between_sentence(r, lang)
    name = measure_name(fid, item)
    if r.get("measure") and r["measure"] not in ("Andel", "Valgt") and not str(r["measure"]).startswith("Ja"):
        name = f"{name} ({_category_en(fid, r['measure'])})"
    d = decision(r)
    change = float(r["share_to"]) - float(r["share_from"])
    direction = _direction(change)
    fields = dict(measure=name, verb=template(f"verb.{direction}", lang), points=_pts(change, lang),
                  share_from=_pct(r["share_from"], lang), share_to=_pct(r["share_to"], lang),
                  year_from=int(r["from"]), year_to=int(r["to"]))
    if d == "not testable":
        return _fill("change_not_testable", lang, reason=not_testable("no_base", lang), **fields)
    p = p_text(_p_of(r), lang)
    if d == "yes":
        return _fill("change_significant", lang, p=p, **fields)
    if direction == "same":
        return _fill("change_zero", lang, p=p, **fields)
    return _fill("change_not_significant", lang, p=p, **fields)


def _between_sentence(r: dict, lang: str, name: str | None = None) -> str:
    pops = str(r["population"]).split(" vs ")  # 'personnel vs citizens': share_to is the first named
    group_to, group_from = _group(pops[0]), _group(pops[-1])
    change = float(r["share_to"]) - float(r["share_from"])
    name = _named_measure(r) if name is None else name
    fields = dict(measure=name, group_to=group_to, group_from=group_from, year=int(r["to"]),
                  share_to=_pct(r["share_to"], lang), share_from=_pct(r["share_from"], lang),
                  comparative=template(f"comparative.{_direction(change)}", lang))
    d = decision(r)
    if d == "not testable":
        return _fill("between_not_testable", lang, reason=not_testable("no_base", lang), **fields)
    p = p_text(_p_of(r), lang)
    return _fill("between_significant" if d == "yes" else "between_not_significant", lang, p=p, **fields)


def between_sentence_named(test_row: pd.Series | dict, lang: str = "en") -> str:
    """A between-populations test as a sentence that names the answer category compared (e.g. 'disagree')."""
    r = dict(test_row)
    if r.get("test") != "between populations":
        raise ValueError(f"{r.get('figure_id')}: test {r.get('test')!r} is not 'between populations'")
    return _between_sentence(r, lang, _named_measure(r))


def _named_measure(r: dict) -> str:
    """The measure's name with the answer compared in brackets ('… (disagree)'), unless it is a plain share."""
    name = measure_name(r["figure_id"])
    cat = r.get("measure")
    if cat and cat not in ("Andel", "Valgt") and not str(cat).startswith("Ja"):
        name = f"{name} ({_category_en(r['figure_id'], cat).lower()})"
    return name


def _category_en(figure_id: str, category: str) -> str:
    from .data import english, figure

    f = figure(figure_id)
    return english(f["question_id"]).get(category, category) if f["question_id"] else category


@functools.cache
def _chapter_tests(chapter: str) -> pd.DataFrame:
    from .figures import chapter_tests

    return chapter_tests(chapter)


@functools.cache
def _claim_verdicts() -> pd.DataFrame:
    from . import claims

    return claims.verdicts()


def figure_tests(figure_id: str) -> pd.DataFrame:
    """A figure's tests with its chapter's adjusted p-values (the chapter is the family)."""
    from .data import figure

    t = _chapter_tests(figure(figure_id)["chapter"])
    return t[t["figure_id"] == figure_id].reset_index(drop=True)


def figure_finding(figure_id: str, tests: pd.DataFrame | None = None, lang: str = "en") -> dict:
    """A figure's statement from its numbers and tests: kind, title, sentences and the rows it rests on."""
    from .figures import nps_table, source_of, table

    t = figure_tests(figure_id) if tests is None else tests[tests["figure_id"] == figure_id]
    name = measure_name(figure_id)
    tab = table(figure_id)
    out = {"figure_id": figure_id, "measure": name, "kind": "", "title": "", "sentences": [], "rows": t}
    if not source_of(figure_id):
        return {**out, "kind": "missing", "title": _fill("title_missing", lang, measure=name)}
    sentences = [change_sentence(r, lang) for _, r in t.iterrows()]
    out["sentences"] = sentences
    between = t[t["test"] == "between populations"] if len(t) else t
    changes = t[t["test"] != "between populations"] if len(t) else t
    if (tab["unit"] == "nps_points").any():
        return {**out, "kind": "nps", "title": _nps_title(figure_id, name, nps_table(figure_id), lang)}
    if len(between) and (len(changes) == 0 or tab["population"].nunique() > 1):
        r = between.iloc[0].to_dict()
        return {**out, "kind": "between populations", "title": _between_title(r, name, lang)}
    if len(changes):
        return {**out, "kind": "change", "title": _change_title(changes, name, lang, figure_id)}
    return {**out, "kind": "level", "title": _level_title(tab, name, lang, figure_id)}


def _change_title(changes: pd.DataFrame, name: str, lang: str, figure_id: str) -> str:
    first_last = changes[changes["test"] == "first to last"]
    latest = changes[changes["test"] != "first to last"]
    main = first_last if len(first_last) else latest
    if main["item"].nunique() > 1 or main["measure"].nunique() > 1:
        return _items_title(main, name, lang, figure_id)
    r = main.iloc[0].to_dict()
    d = decision(r)
    change = float(r["share_to"]) - float(r["share_from"])
    fields = dict(measure=_title_measure(r, name, figure_id), share_from=_pct(r["share_from"], lang),
                  share_to=_pct(r["share_to"], lang), year_from=int(r["from"]), year_to=int(r["to"]))
    if d == "no":
        text = _fill("title_no_change", lang, **fields)
    else:
        q = "qualifier_significant" if d == "yes" else "qualifier_not_testable"
        text = _fill("title_change", lang, verb=template(f"verb.{_direction(change)}", lang),
                     qualifier=template(q, lang), **fields)
    if len(first_last) and len(latest):
        lr = latest.iloc[0].to_dict()
        ld = decision(lr)
        verb = template(f"verb.{_direction(float(lr['share_to']) - float(lr['share_from']))}", lang)
        key = {"yes": "latest_significant", "no": "latest_not_significant"}.get(ld, "latest_not_testable")
        text += _fill("title_latest", lang, year_a=int(lr["from"]), year_b=int(lr["to"]),
                      latest=_fill(key, lang, verb=verb))
    return text


def _title_measure(r: dict, name: str, figure_id: str) -> str:
    from .data import figure

    item = r.get("item")
    label = _clean_label(measure_name(figure_id, item)) if item and item != "Total" else name
    cat = r.get("measure")
    if cat and cat not in ("Andel", "Valgt") and figure(figure_id)["question_id"]:
        label = f"{label} ({_category_en(figure_id, cat).lower()})"
    return label


def _items_title(main: pd.DataFrame, name: str, lang: str, figure_id: str) -> str:
    m = main.assign(_d=[decision(r) for _, r in main.iterrows()], _abs=(main["share_to"] - main["share_from"]).abs())
    tested = m[m["_d"] != "not testable"]
    top = (tested if len(tested) else m).sort_values("_abs", ascending=False, kind="stable").iloc[0].to_dict()
    fields = dict(measure=name, year_from=int(top["from"]), year_to=int(top["to"]),
                  item=_title_measure(top, name, figure_id).replace(f"{name}: ", ""),
                  share_from=_pct(top["share_from"], lang), share_to=_pct(top["share_to"], lang))
    if tested.empty:
        return _fill("title_items_not_testable", lang, **fields)
    k = len(m) - len(tested)
    untested = _fill("title_items_untested", lang, k=k) if k else ""
    sig = tested[tested["_d"] == "yes"]
    if sig.empty:
        return _fill("title_items_none", lang, n=len(tested), untested=untested, **fields)
    return _fill("title_items", lang, n=len(tested), n_up=int((sig["share_to"] > sig["share_from"]).sum()),
                 n_down=int((sig["share_to"] < sig["share_from"]).sum()), untested=untested, **fields)


def _between_title(r: dict, name: str, lang: str) -> str:
    pops = str(r["population"]).split(" vs ")
    d = decision(r)
    change = float(r["share_to"]) - float(r["share_from"])
    if name == measure_name(r["figure_id"]):  # say which answer is compared (a 'disagree' share is not 'worried')
        name = _named_measure(r)
    fields = dict(measure=name, group_to=_group(pops[0]), group_from=_group(pops[-1]), year=int(r["to"]),
                  share_to=_pct(r["share_to"], lang), share_from=_pct(r["share_from"], lang))
    if d == "no":
        return _fill("title_between_no_difference", lang, **fields)
    q = "between_qualifier_significant" if d == "yes" else "between_qualifier_not_testable"
    return _fill("title_between", lang, comparative=template(f"comparative.{_direction(change)}", lang),
                 qualifier=template(q, lang), **fields)


def _nps_title(figure_id: str, name: str, n: pd.DataFrame, lang: str) -> str:
    tot = n[n["item"] == "Total"] if (n["item"] == "Total").any() else n
    tot = tot.sort_values("year")
    fmt = lambda v: f"{float(v):+.0f}"  # noqa: E731
    if tot["year"].nunique() > 1:
        a, b = tot.iloc[0], tot.iloc[-1]
        return _fill("title_nps_change", lang, measure=name, value_from=fmt(a["nps"]), year_from=int(a["year"]),
                     value_to=fmt(b["nps"]), year_to=int(b["year"]))
    r = tot.iloc[-1]
    return _fill("title_nps", lang, measure=name, value=fmt(r["nps"]), year=int(r["year"]))


def _level_title(tab: pd.DataFrame, name: str, lang: str, figure_id: str) -> str:
    t = tab[tab["unit"] == "percent"]
    if t.empty:
        t = tab[tab["item"] == tab["item"].iloc[0]].sort_values("year")
        a, b = t.iloc[0], t.iloc[-1]
        fmt = lambda v: _plain(round(float(v), 1))  # noqa: E731
        if t["year"].nunique() > 1:
            return _fill("title_value_change", lang, measure=name, value_from=fmt(a["value"]), year_from=int(a["year"]),
                         value_to=fmt(b["value"]), year_to=int(b["year"]), unit=b["category_en"])
        return _fill("title_value", lang, measure=name, year=int(b["year"]), value=fmt(b["value"]), unit=b["category_en"])
    year = int(t["year"].max())
    t = t[t["year"] == year]
    if t["item"].nunique() > 1 and t["category"].nunique() > 1:  # rank the items on the tested category (net)
        from .figures import _tested_categories

        groups = _tested_categories(figure_id, t)
        if groups:
            members = groups[0][1]
            t = (t[t["category"].isin(members)].groupby(["item", "item_en"], as_index=False, sort=False)["value"].sum()
                 .assign(category="", category_en=""))
    label = t["item_en"] if t["item"].nunique() > 1 else t["category_en"]
    t = t.assign(_label=[_clean_label(x) for x in label]).sort_values("value", ascending=False, kind="stable")
    if len(t) == 1 or t["_label"].nunique() == 1:
        r = t.iloc[0]
        return _fill("title_level", lang, measure=name, year=year, top=r["_label"], top_value=_pct(r["value"], lang))
    top, bottom = t.iloc[0], t.iloc[-1]
    return _fill("title_ranking", lang, measure=name, year=year, top=_short_label(top["_label"]),
                 top_value=_pct(top["value"], lang), bottom=_short_label(bottom["_label"]),
                 bottom_value=_pct(bottom["value"], lang))


def _clean_label(x: str) -> str:
    return " ".join(str(x).split()).rstrip(".?")


def _short_label(x: str, width: int = 60) -> str:
    return x if len(x) <= width else x[: width - 1].rsplit(" ", 1)[0] + "…"


def figure_title(figure_id: str, lang: str = "en") -> str:
    """The figure's title: its finding in plain words, never the report's headline verbatim."""
    from .data import figure

    title = figure_finding(figure_id, lang=lang)["title"]
    f = figure(figure_id)
    if _norm(title) in (_norm(f["headline"]), _norm(f["headline_en"])):
        raise AssertionError(f"{figure_id}: the computed title repeats the report's headline")
    return title


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", str(text)).strip().lower()


def headline_claims(figure_id: str) -> pd.DataFrame:
    """Verdicts of the claims a figure's headline makes (all of the slide's claims when none is in the headline)."""
    from .data import figure

    v = _claim_verdicts()
    v = v[v["figure_id"] == figure_id]
    head = _norm(figure(figure_id)["headline"])
    inside = v[[_norm(t) in head or head in _norm(t) for t in v["text_no"]]] if len(v) else v
    return (inside if len(inside) else v).reset_index(drop=True)


def _overall(verdicts: list[str]) -> str:
    from .claims import FAILS, HOLDS, NOT_CHECKABLE

    if not verdicts:
        return NOT_CHECKABLE
    if FAILS in verdicts:
        return FAILS
    if HOLDS in verdicts:
        return HOLDS
    if CONSISTENCY in verdicts:
        return CONSISTENCY
    return NOT_CHECKABLE


def headline_verdict(figure_id: str, lang: str = "en") -> dict:
    """The report's headline (Norwegian and English) with the book's verdict and the numbers that decide it."""
    from .data import figure

    f = figure(figure_id)
    c = headline_claims(figure_id)
    verdict = _overall(list(c["verdict"])) if len(c) else "not checkable"
    parts = [_claim_numbers(r, lang) for _, r in c.iterrows()]
    parts = [p for p in parts if p]
    numbers = _fill("verdict_numbers", lang, items="; ".join(parts)) if parts else (
        "" if len(c) else _fill("verdict_numbers", lang, items=template("verdict_no_claim", lang)))
    text = _fill("verdict_line", lang, headline_no=" ".join(str(f["headline"]).split()),
                 headline_en=" ".join(str(f["headline_en"]).split()), verdict=template(f"verdict.{verdict}", lang),
                 numbers=numbers)
    caption = _fill("verdict_caption", lang, verdict=template(f"verdict.{verdict}", lang))
    return {"figure_id": figure_id, "headline_no": f["headline"], "headline_en": f["headline_en"],
            "verdict": verdict, "claims": list(c["claim_id"]), "text": text, "caption": caption}


def _claim_numbers(r: pd.Series, lang: str) -> str:
    if pd.isna(r["value"]):
        return ""
    p = "" if pd.isna(r["p_value"]) else f", {p_text(r['p_value'], lang)}"
    val = _pct(r["value"], lang)
    if r["kind"] == "change" and not pd.isna(r["compared"]):
        return f"{r['claim_id']}: " + _fill("verdict_claim_change", lang, compared=_pct(r["compared"], lang), value=val, p=p)
    if r["kind"] == "comparison" and not pd.isna(r["compared"]):
        return f"{r['claim_id']}: " + _fill("verdict_claim_comparison", lang, compared=_pct(r["compared"], lang),
                                            value=val, p=p)
    if r.get("printed"):
        return f"{r['claim_id']}: " + _fill("verdict_claim", lang, printed=r["printed"], value=val)
    return f"{r['claim_id']}: {val}"


def headline_sentence(figure_id: str, lang: str = "en") -> str:
    """The report's headline with the book's verdict and deciding numbers as one sentence for prose: no claim ids
    and no p-value (a p-value in prose comes from the test sentence, which says whether it is adjusted)."""
    from .data import figure

    f = figure(figure_id)
    c = headline_claims(figure_id)
    verdict = _overall(list(c["verdict"])) if len(c) else "not checkable"
    parts = [_claim_numbers(r, lang) for _, r in c.assign(p_value=np.nan).iterrows()]
    parts = [p.removeprefix(f"{cid}: ") for p, cid in zip(parts, c["claim_id"]) if p]
    numbers = _fill("headline_sentence_numbers", lang, items="; ".join(parts)) if parts else ""
    return _fill("headline_sentence", lang, headline_no=_clean_label(" ".join(str(f["headline"]).split())),
                 headline_en=_clean_label(" ".join(str(f["headline_en"]).split())),
                 verdict=template(f"headline_sentence_verdict.{verdict}", lang), numbers=numbers)


def figure_page(figure_id: str) -> str:
    """The chapter page (path without suffix, as in _toc.yml) that shows a figure, e.g. notebooks/citizens/01-use."""
    from .data import figure

    chapter = figure(figure_id)["chapter"]
    pages = chapter_pages()
    if chapter not in pages:
        raise KeyError(f"{figure_id}: chapter {chapter!r} has no page in _toc.yml")
    return pages[chapter]


@functools.cache
def chapter_pages() -> dict[str, str]:
    """Chapter key -> page: the chapter page whose code sets CHAPTER = '<key>' (read from the _toc.yml files)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [ch["file"] for part in toc.get("parts", []) for ch in part.get("chapters", []) if "file" in ch]
    out = {}
    for page in files:
        md = ROOT / f"{page}.md"
        if not md.exists():
            continue
        m = re.search(r"""^CHAPTER\s*=\s*["']([a-z0-9]+)["']""", md.read_text(encoding="utf-8"), flags=re.M)
        if m:
            out.setdefault(m.group(1), page)
    return out


def figure_link(figure_id: str) -> str:
    """A MyST link target to a figure: '/notebooks/citizens/01-use.md#fig-C05'."""
    return f"/{figure_page(figure_id)}.md#fig-{figure_id}"


# The home page's key results: (figure, population, item or None, which test, key, topic). The topic (a pattern)
# groups results a reader could take for one measure: the satisfaction pair are two different questions.
KEY_RESULTS = (
    ("C05", "citizens", None, "first to last", "digital_contact", r"(?<!satisfaction with )digital contact"),
    ("C39", "citizens", None, "latest change", "satisfaction_combined", r"satisf"),
    ("C42", "citizens", "Innbyggere", "latest change", "satisfaction_overall", r"satisf"),
)


def key_results(lang: str = "en") -> pd.DataFrame:
    """Home-page key results, computed by the chapters' functions, each with its figure id, link and measure name."""
    rows = []
    for fid, pop, item, test, key, topic in KEY_RESULTS:
        from .figures import LATEST, LATEST_GAP

        t = figure_tests(fid)
        kinds = {LATEST, LATEST_GAP} if test == LATEST else {test}  # as figures.test_row: a later wave may skip one
        sel = t[(t["population"] == pop) & t["test"].isin(kinds)]
        if item is not None:
            sel = sel[sel["item"] == item]
        if sel.empty:
            raise KeyError(f"key result {key!r}: {fid} has no {test!r} test for {pop} {item or ''}")
        r = sel.iloc[0]
        rows.append({"key": key, "topic": topic, "figure_id": fid, "measure": _key_measure(fid, item, r), "population": pop,
                     "test": test, "from": int(r["from"]), "to": int(r["to"]), "share_from": float(r["share_from"]),
                     "share_to": float(r["share_to"]), "significant": decision(r),
                     "sentence": change_sentence(r, lang), "link": figure_link(fid)})
    return pd.DataFrame(rows, columns=["key", "topic", "figure_id", "measure", "population", "test", "from", "to", "share_from",
                                       "share_to", "significant", "sentence", "link"])


def _key_measure(figure_id: str, item: str | None, r: pd.Series) -> str:
    """The precise measure: the question as asked (English) and the categories counted."""
    from .data import figure

    f = figure(figure_id)
    q = " ".join(str((f["question"] or {}).get("text_en", "")).split())
    cat = _category_en(figure_id, r["measure"]) if r.get("measure") not in (None, "", "Andel", "Valgt") else ""
    return f"{measure_name(figure_id, item)} — {q} [{cat}]" if cat else f"{measure_name(figure_id, item)} — {q}"


def value_change_sentence(figure_id: str, year_from: int | None = None, year_to: int | None = None,
                          lang: str = "en", **sel) -> str:
    """A series' change between two of its years (default: its last two) as a sentence: the test's sentence
    (change_sentence) where the figure has a test of that change, else the values with why there is no test
    (no base printed; counts, not a sample). `sel` picks population, item, category as figures.series."""
    from .figures import series, table

    s = series(figure_id, **sel)
    if len(s) < 2:
        raise ValueError(f"{figure_id}: a change needs two years, the series has {list(s.index)}")
    a = int(s.index[-2]) if year_from is None else int(year_from)
    b = int(s.index[-1]) if year_to is None else int(year_to)
    t = figure_tests(figure_id)
    if len(t):
        for col in ("population", "item"):
            if sel.get(col) is not None:
                t = t[t[col] == sel[col]]
        if sel.get("category") is not None:
            t = t[t["measure"] == sel["category"]]
        t = t[(t["from"] == a) & (t["to"] == b) & (t["test"] != "between populations")]
        if len(t):
            return change_sentence(t.iloc[0], lang)
    tab = table(figure_id)
    for col in ("population", "item", "category"):
        if sel.get(col) is not None:
            tab = tab[tab[col] == sel[col]]
    tab = tab[tab["year"].isin([a, b])]
    percent = (tab["unit"] == "percent").any()
    item = sel.get("item")
    name = _clean_label(measure_name(figure_id, item))
    if percent:
        fmt = lambda v: _pct(v, lang)  # noqa: E731
        reason = not_testable("no_base", lang)
    else:
        fmt = lambda v: _plain(round(float(v), 1))  # noqa: E731
        unit = str(tab["category_en"].iloc[0]).lower() if len(tab) else ""
        reason = _fill("not_a_sample", lang, unit=unit).lstrip("; ")
    change = float(s.loc[b]) - float(s.loc[a])
    fields = dict(measure=name, value_from=fmt(s.loc[a]), value_to=fmt(s.loc[b]), year_from=a, year_to=b, reason=reason)
    if change == 0:
        return _fill("value_change_zero", lang, **fields)
    return _fill("value_change", lang, verb=template(f"verb.{_direction(change)}", lang), **fields)


# ---------------------------------------------------------------- subgroups of one survey wave

def _min_base() -> float:
    from .settings import load

    return float(load()["min_base"])


def _small(base) -> bool:
    return base is None or pd.isna(base) or float(base) < _min_base()


def share_text(value: float, base: float, lang: str = "en") -> str:
    """A share in percent as text ('54 %'), or 'suppressed (small base)' when it or its base is missing or small."""
    if value is None or pd.isna(value) or _small(base):
        return template("suppressed", lang)
    return _pct(value, lang)


def _ratio(x: float) -> str:
    return _plain(round(float(x), 2))


def groups_sentence(result: pd.Series | dict, measure: str, group_a: str, group_b: str, year: int,
                    lang: str = "en") -> str:
    """Two subgroups of one wave compared (a row of estimates.domain_difference, shares 0-1): direction, interval, p."""
    from .settings import level_percent

    r = dict(result)
    fields = dict(measure=measure, group_a=group_a, group_b=group_b, year=int(year))
    if _small(r.get("n_eff_a", r["n_a"])) or _small(r.get("n_eff_b", r["n_b"])) or pd.isna(r["p_value"]):
        return _fill("groups_suppressed", lang, **fields)
    diff = 100 * float(r["difference"])
    fields.update(share_a=_pct(100 * r["estimate_a"], lang), share_b=_pct(100 * r["estimate_b"], lang),
                  points=_pts(diff, lang), level=level_percent(), p=p_text(r["p_value"], lang),
                  low=_plain(round(100 * r["ci_low"], 1)), high=_plain(round(100 * r["ci_high"], 1)))
    if float(r["p_value"]) < alpha():
        return _fill("groups_significant", lang, comparative=template(f"comparative.{_direction(diff)}", lang), **fields)
    return _fill("groups_not_significant", lang, **fields)


def vs_total_sentence(row: pd.Series | dict, measure: str, group: str, total: float, lang: str = "en") -> str:
    """One group against all respondents (a row of estimates.subgroup_nets in percent, vs_total in points)."""
    r = dict(row)
    fields = dict(measure=measure, group=group)
    if _small(r["n_eff"]) or pd.isna(r["estimate"]) or pd.isna(r.get("p_adjusted")):
        return _fill("vs_total_suppressed", lang, **fields)
    fields.update(share=_pct(r["estimate"], lang), share_total=_pct(total, lang), p=p_text(r["p_adjusted"], lang))
    if float(r["p_adjusted"]) < alpha():
        diff = float(r["vs_total"])
        return _fill("vs_total_significant", lang, points=_pts(diff, lang),
                     side=template(f"side.{_direction(diff)}", lang), **fields)
    return _fill("vs_total_not_significant", lang, **fields)


def association_sentence(row: pd.Series | dict, measure: str, variable: str, lang: str = "en") -> str:
    """A Rao–Scott test of association (a row of models.rao_scott, method 'F', with p_adjusted if adjusted)."""
    r = dict(row)
    p = _p_of(r)
    fields = dict(measure=measure, variable=variable, f=_plain(round(float(r["statistic"]), 1)), p=p_text(p, lang))
    return _fill("association_significant" if float(p) < alpha() else "association_not_significant", lang, **fields)


def odds_sentence(row: pd.Series | dict, outcome: str, group: str, reference: str, lang: str = "en") -> str:
    """One odds ratio of a design-based logistic regression (a row of models.logistic), other predictors held equal."""
    from .settings import level_percent

    r = dict(row)
    fields = dict(outcome=outcome, group=group, reference=reference)
    if _small(r.get("n_eff")) or pd.isna(r.get("odds_ratio")) or pd.isna(r.get("p_value")):
        return _fill("odds_suppressed", lang, **fields)
    fields.update(odds=_ratio(r["odds_ratio"]), low=_ratio(r["or_low"]), high=_ratio(r["or_high"]),
                  level=level_percent(), p=p_text(r["p_value"], lang))
    return _fill("odds_significant" if float(r["p_value"]) < alpha() else "odds_not_significant", lang, **fields)


def claim_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """Claims per verdict of claims.verdicts(): holds, does not hold, consistency check only, not checkable (zeros kept)."""
    from .claims import FAILS, HOLDS, NOT_CHECKABLE

    order = (HOLDS, FAILS, CONSISTENCY, NOT_CHECKABLE)
    unknown = sorted(set(verdicts["verdict"]) - set(order))
    if unknown:
        raise ValueError(f"claim verdicts {unknown} are none of {list(order)}")
    return {k: int((verdicts["verdict"] == k).sum()) for k in order}


def claims_sentence(verdicts: pd.DataFrame, lang: str = "en") -> str:
    """One sentence counting the claims that hold, do not hold, are a consistency check only or cannot be checked."""
    from .claims import FAILS, HOLDS, NOT_CHECKABLE

    c = claim_counts(verdicts)
    return _fill("claims_counts", lang, n=len(verdicts), checkable=len(verdicts) - c[NOT_CHECKABLE], holds=c[HOLDS],
                 fails=c[FAILS], consistency=c[CONSISTENCY], not_checkable=c[NOT_CHECKABLE])
