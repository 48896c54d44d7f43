"""The book as a reader sees it: every chapter's executed notebook rendered to visible text and checked.

The HTML is built from the executed notebooks (`make book` runs Jupyter Book on the committed .ipynb),
so rendering each notebook's markdown with its glued values and its displayed outputs gives the
visible text without a full build, in seconds. test_notebooks.py makes sure the notebooks are fresh.
Fails when a sentence's significance word contradicts its printed p-value, when nan/None is visible,
when a p-value is in scientific notation, when a figure title is not generated or repeats a report
headline (worst: one the book finds does not hold), and when the home page and a chapter give
different numbers for one measure without naming which measure each is.
"""
import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from ehelse import ROOT, build, data, findings

PAGES = {p.relative_to(ROOT).with_suffix("").as_posix(): p.with_suffix(".ipynb") for p in build.chapters()}
P_VALUE = re.compile(r"\bp\s*(?:\(BH\)\s*)?(=|<|≤|>)\s*(\d+(?:\.\d+)?(?:e-?\d+)?|nan)\b", re.I)
SCIENTIFIC = re.compile(r"\b\d+(?:\.\d+)?e[-+]?\d+\b", re.I)
SIG_YES = re.compile(r"(?<!not )(?<!no )\bsignificant(ly)?\b(?! difference)", re.I)
SIG_NO = re.compile(r"\b(not (statistically )?significant(ly)?|no (statistically )?significant|non-?significant)\b", re.I)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.skip += 1
        if tag in ("tr", "p", "li", "br", "div", "table"):
            self.parts.append("\n")
        if tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, d):
        if not self.skip:
            self.parts.append(d)


def _html_text(s: str) -> str:
    p = _Text()
    p.feed(s)
    return "".join(p.parts)


def _glued(nb: dict) -> dict:
    out = {}
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            sb = (o.get("metadata") or {}).get("scrapbook", {})
            if sb.get("name"):
                prefix = sb.get("mime_prefix", "")
                out[sb["name"]] = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in o.get("data", {}).items()}
    return out


def _glue_text(bundle: dict, spec: str) -> str:
    if "text/markdown" in bundle:
        return "".join(bundle["text/markdown"])
    raw = "".join(bundle.get("text/plain", ""))
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw.strip("'\"")
    return format(value, spec) if spec else str(value)


def _render(nb: dict) -> dict:
    """Visible text of one executed notebook: markdown with glue resolved, displayed outputs, figure titles."""
    glued = _glued(nb)
    text = []
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            md = "".join(c["source"])
            md = re.sub(r"^```\{code-cell\}.*?^```", "", md, flags=re.S | re.M)
            def sub(m):
                key, _, spec = m.group(2).partition(":")
                return _glue_text(glued.get(key, {"text/plain": f"<missing glue {key}>"}), spec)
            md = re.sub(r"\{glue:(text|md|)\}`([^`]+)`", sub, md)
            md = re.sub(r"^:(name|alt|class|tags|label):.*$", "", md, flags=re.M)  # directive options are not text
            text.append(md)
        elif c["cell_type"] == "code":
            for o in c.get("outputs", []):
                if (o.get("metadata") or {}).get("scrapbook"):
                    continue
                d = o.get("data", {})
                if "text/html" in d:
                    text.append(_html_text("".join(d["text/html"])))
                elif "text/markdown" in d:
                    text.append("".join(d["text/markdown"]))
                elif "text/plain" in d and "image/png" not in d:
                    text.append("".join(d["text/plain"]))
                elif o.get("output_type") == "stream":
                    text.append("".join(o.get("text", "")))
    figs = sorted(k[4:] for k in glued if k.startswith("fig_"))
    titles = {f: _glue_text(glued[f"title_{f}"], "") if f"title_{f}" in glued else None for f in figs}
    return {"text": html.unescape("\n".join(text)), "titles": titles}


@pytest.fixture(scope="module")
def book() -> dict:
    return {page: _render(json.loads(nb.read_text(encoding="utf-8"))) for page, nb in PAGES.items() if nb.exists()}


def _sentences(text: str) -> list[str]:
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*[-*|] )|\n(?= \| )|\n(?=#)|```", text):
        block = " ".join(block.split())
        out += [s for s in re.split(r"(?<=[a-z)%\]])[.;](?=\s+[A-Z(*])", block) if s.strip()]
    return out


def significance_contradictions(text: str) -> list[str]:
    """Sentences (or table rows) that print a p-value and call it significant when p > 0.05, or the reverse."""
    bad = []
    level = findings.alpha()
    for s in _sentences(text):
        ps = P_VALUE.findall(s)
        if not ps:
            continue
        says_no = bool(SIG_NO.search(s))
        says_yes = bool(SIG_YES.search(SIG_NO.sub("", s))) or bool(re.search(r"\|\s*yes\s*(\||$)", s))
        says_no = says_no or bool(re.search(r"\|\s*no\s*(\||$)", s))
        for op, num in ps:
            if num.lower() == "nan":
                if says_yes and not says_no:
                    bad.append(f"called significant with no test (p = {num}): {s[:200]}")
                continue
            p = float(num)
            if says_yes and not says_no and (p > level or (op == ">" and p >= level)):
                bad.append(f"called significant with p {op} {num}: {s[:200]}")
            if says_no and not says_yes and p < level and op in ("=", "<", "≤"):
                bad.append(f"called not significant with p {op} {num}: {s[:200]}")
    return bad


def test_no_sentence_contradicts_its_p_value(book):
    bad = {page: significance_contradictions(r["text"]) for page, r in book.items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, "significance words contradict p-values:\n" + "\n".join(
        f"{k}: {x}" for k, v in bad.items() for x in v)


def test_no_visible_nan_or_none(book):
    # nan anywhere; 'None' where a value belongs (not the English word: "None of …", the answer label "None")
    pattern = r"(?<![\w/.-])(nan|NaN)(?![\w/.-])|(?<=[=:(] )None\b|(?<=[=:(])None\b|\bNone(?= ?%)"
    bad = [f"{page}: …{r['text'][max(0, m.start() - 80):m.end() + 40]!r}…"
           for page, r in book.items() for m in re.finditer(pattern, r["text"])]
    assert not bad, "visible nan/None:\n" + "\n".join(bad)


def test_no_p_value_in_scientific_notation(book):
    """p-values in prose ('p = 3.4e-22'); p columns of tables are written by findings.p_text (book.table)."""
    bad = [f"{page}: {m.group(0)!r} in …{' '.join(r['text'][max(0, m.start() - 80):m.end() + 20].split())}…"
           for page, r in book.items() for m in P_VALUE.finditer(r["text"]) if SCIENTIFIC.fullmatch(m.group(2))]
    assert not bad, "p-values in scientific notation:\n" + "\n".join(bad)


def test_every_figure_title_is_generated_and_never_a_report_headline(book):
    inv = data.inventory().set_index("figure_id")
    bad = []
    for page, r in book.items():
        for fid, title in r["titles"].items():
            if fid not in inv.index:
                continue
            if title is None:
                bad.append(f"{page} {fid}: no generated title glued (book.figure)")
                continue
            head = {findings._norm(inv.loc[fid, "headline"]), findings._norm(inv.loc[fid, "headline_en"])}
            if findings._norm(title) in head:
                verdict = findings.headline_verdict(fid)["verdict"]
                bad.append(f"{page} {fid}: title is the report headline (verdict: {verdict})")
            if findings._norm(title) != findings._norm(findings.figure_title(fid)):
                bad.append(f"{page} {fid}: title {title!r} is not the finding computed from today's numbers")
    assert not bad, "\n".join(bad)


def test_home_and_chapters_agree_on_key_results(book):
    """A home-page clause on a key result's topic states that result's numbers, names its measure when another
    key result on the same topic has other numbers, and the figure's chapter shows the same numbers."""
    home = book["notebooks/home"]["text"]
    keys = findings.key_results()
    bad = []
    for clause in re.split(r";|(?<=\))\.|\.\s|\s- ", " ".join(home.split())):
        for topic, g in keys.groupby("topic"):
            if not re.search(topic, clause, flags=re.I):
                continue
            nums = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s*%", clause)]
            if len(nums) < 2:
                continue
            pair = (nums[0], nums[1])
            match = g[[(round(a), round(b)) == tuple(round(x) for x in pair)
                       for a, b in zip(g["share_from"], g["share_to"])]]
            if match.empty:
                bad.append(f"home: {pair} is no key result on {topic!r}: {clause.strip()[:160]}")
                continue
            r = match.iloc[0]
            others = g[(g["share_from"] != r["share_from"]) | (g["share_to"] != r["share_to"])]
            if len(others) and findings.measure_name(r["figure_id"]).lower() not in " ".join(clause.split()).lower():
                bad.append(f"home: {pair} on {topic!r} does not name its measure "
                           f"({findings.measure_name(r['figure_id'])!r}) although {len(others)} other key result(s) "
                           f"on the topic differ: {clause.strip()[:160]}")
            page = r["link"].lstrip("/").split(".md")[0]
            chapter = book.get(page, {"text": ""})["text"]
            for x in pair:
                if not re.search(rf"(?<![\d.]){x:g}\s*%", chapter):
                    bad.append(f"{page}: does not show {x:g} % that the home page gives for {r['key']}")
    assert not bad, "\n".join(bad)


def test_checks_catch_what_they_should():
    """The detectors themselves: each fires on a bad sentence and not on a good one."""
    assert significance_contradictions("The change is significant (p = 0.2).")
    assert significance_contradictions("There is no significant change (p = 0.01).")
    assert not significance_contradictions("Satisfaction rose by 5 points (p = 0.01, significant after adjustment).")
    assert not significance_contradictions("No significant change from 2019 to 2020 (p = 0.41).")
    assert significance_contradictions("A significant change (p = nan after adjustment).")
    assert SCIENTIFIC.search("p = 3.4e-22") and not SCIENTIFIC.search("p < 0.001")


def _copy_book(dst):
    for d in ("data", "notebooks"):
        shutil.copytree(ROOT / d, dst / d)
    for f in ("settings.yml", "_toc.yml", "_config.yml", "requirements.txt"):
        if (ROOT / f).exists():
            shutil.copy2(ROOT / f, dst / f)


def test_changing_one_published_number_changes_title_and_sentence(tmp_path):
    """P39: lower the 2020 'fairly satisfied' share in a copy so the significant 2019-2020 rise is no longer
    significant; the executed chapter's title and the library's sentence must say so."""
    fid = "P39"
    before = findings.figure_tests(fid).iloc[0]
    assert before["significant"] == "yes", "pick a figure whose change is significant today"
    root = tmp_path / "book"
    _copy_book(root)
    vals = root / "data" / "published" / "personnel" / "values.csv"
    df = pd.read_csv(vals, dtype=str, keep_default_na=False)
    later = df[(df["figure_id"] == fid) & (df["year"] == str(int(before["to"]))) & (df["category"] == "Ganske fornøyd")]
    assert len(later) == 1
    i = later.index[0]
    df.loc[i, "value"] = str(int(df.loc[i, "value"]) - round(before["change_points"]))  # the rise is gone
    df.loc[i, "note"] = "changed by tests/test_built_book.py"
    df.to_csv(vals, index=False, lineterminator="\n")
    env = {**os.environ, "EHELSE_ROOT": str(root)}
    code = ("from ehelse import findings as f; t = f.figure_tests('P39'); "
            "print(f.change_sentence(t.iloc[0])); print(f.figure_title('P39'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=root)
    assert out.returncode == 0, out.stderr[-2000:]
    sentence, title = out.stdout.strip().split("\n")[-2:]
    assert "no significant change" in sentence or "unchanged" in sentence, sentence
    assert sentence != findings.change_sentence(before)
    assert "(significant)" not in title and title != findings.figure_title(fid), title
    # the chapter, re-executed on the copy, shows the new title
    chapter = root / "notebooks" / findings.figure_page(fid).split("notebooks/", 1)[1]
    nb_out = tmp_path / "executed.ipynb"
    run = subprocess.run([sys.executable, "-m", "ehelse.build", "try", str(chapter.with_suffix(".md")),
                          "--out", str(nb_out)], env=env, capture_output=True, text=True, cwd=root)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    rendered = _render(json.loads(nb_out.read_text(encoding="utf-8")))
    assert rendered["titles"][fid] == title
    assert rendered["titles"][fid] != findings.figure_title(fid)
