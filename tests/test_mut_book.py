"""In-process tests of ehelse.book written against its surviving mutants (issue 17).

book's helpers glue numbers (myst_nb.glue), display tables and links (IPython display) and write
downloads: here myst_nb.glue and display are replaced by recorders, the downloads folder is a temporary
folder, and the figures' tables are made up, so each test asserts exactly which keys and values are glued,
what is displayed and what HTML a reader's table has, worked out by hand from the docstrings. Each
docstring says which bug (mutant family) the test catches.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import myst_nb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from IPython.display import HTML, Image, Markdown  # noqa: E402

from ehelse import book, claims, data, disclosure, figures, findings, style  # noqa: E402


@pytest.fixture
def glued(monkeypatch):
    """myst_nb.glue replaced by a recorder: a list of (key, value, display)."""
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: calls.append((key, value, display)))
    return calls


@pytest.fixture
def shown(monkeypatch):
    """IPython's display (as book uses it) replaced by a recorder."""
    calls = []
    monkeypatch.setattr(book, "display", lambda obj: calls.append(obj))
    return calls


# ---------------------------------------------------------------- p_text, header, cells

@pytest.mark.parametrize("p,text", [(0.0004, "< 0.001"), (0.0412, "0.041"), (0.38, "0.38"), (1, "1"), (0.001, "0.001"),
                                    (None, ""), (np.nan, ""), (np.float64(0.05), "0.05")])
def test_p_text_of_a_cell(p, text):
    """findings.p_text without its 'p': '< 0.001' or the number; '' when missing. Fails if a prefix is not
    removed, a missing p raises or prints 'nan', or the value is not passed as a float."""
    assert book.p_text(p) == text


@pytest.mark.parametrize("name,text", [("p_value", "p"), ("base", "Base (n)"), ("compared with", "Compared with"),
                                       ("question_wording", "Question wording"), ("_x_", "X"), ("", ""), ("already Up", "Already Up")])
def test_header(name, text):
    """Fails if the HEADERS lookup, the underscore replacement, the strip or the capital letter changes."""
    assert book.header(name) == text


def test_cells():
    """Fails if a missing value is shown, a p or significance column is not translated, the digits or the
    whole-number rule changes, a change loses its sign or minus sign, or text is not escaped."""
    assert book._cell(None, "value", 1, False) == ""
    assert book._cell(np.nan, "value", 1, False) == ""
    assert book._cell("", "value", 1, False) == ""
    assert book._cell(0.0004, "p_adjusted", 1, False) == "&lt; 0.001"
    assert book._cell(0.2, "p (BH)", 1, False) == "0.2"
    assert book._cell("yes", "significant", 1, False) == "✓ significant"
    assert book._cell("no", "significant", 1, False) == "–"
    assert book._cell("base not printed", "significant", 1, False) == "no base printed"
    assert book._cell("maybe", "significant", 1, False) == "maybe"
    assert book._cell(1234.567, "value", 1, False) == "1,234.6"
    assert book._cell(1234.567, "value", 2, False) == "1,234.57"
    assert book._cell(1234.0, "value", 1, True) == "1,234"
    assert book._cell(np.float32(2.5), "value", 1, False) == "2.5"
    assert book._cell(3.0, "change_points", 1, False) == "+3.0"
    assert book._cell(-2.04, "change_points", 1, False) == "−2.0"
    assert book._cell(0.04, "change_points", 1, False) == "0.0"
    assert book._cell(0.3, "change_points", 1, False) == "+0.3"  # the sign follows the digits shown, not the integer
    assert book._cell(0.4, "change_points", 1, True) == "0"
    assert book._cell(0.6, "change_points", 1, True) == "+1"
    assert book._cell(np.int64(3), "change_points", 1, True) == "+3"
    assert book._cell(3, "change_points", 1, True) == "+3"
    assert book._cell(np.int64(1200), "n", 1, True) == "1200"
    assert book._cell("<b>&", "note", 1, False) == "&lt;b&gt;&amp;"


# ---------------------------------------------------------------- table_html, table

WRAP = '<div class="ehelse-table-wrap" tabindex="0" role="region" aria-label="{label}"><table class="ehelse-table">{cap}'


def test_table_html_of_a_small_table():
    """The whole HTML of a reader's table, built here by hand from the docstring: English headers, the
    Norwegian beneath the English (unless the same, empty or 'Total'), numbers right-aligned (class num),
    long text marked, p-values as text, signed changes, an escaped caption. Fails on any change of the
    markup, the classes, the pairing rule, the number formats or the caption."""
    df = pd.DataFrame({"item_en": ["Use", "All respondents", "Same"], "item": ["Bruk", "Total", "Same"],
                       "share_from": [46.0, 50.26, 10.0], "n": [1200, 35, 7], "p_value": [0.0004, np.nan, 0.5],
                       "significant": ["yes", "no", ""], "change_points": [8.0, -2.04, 0.0],
                       "note": ["a <b> note longer than 16", "x", ""]}, index=[5, 6, 7])
    head = ('<th scope="col">Statement</th><th scope="col" class="num">From (%)</th><th scope="col" class="num">n</th>'
            '<th scope="col" class="num">p</th><th scope="col">Significant</th>'
            '<th scope="col" class="num">Change (points)</th><th scope="col">Note</th>')
    rows = [
        '<tr><td>Use<br><span class="ehelse-nb" lang="nb">Bruk</span></td><td class="num">46.0</td>'
        '<td class="num">1200</td><td class="num">&lt; 0.001</td><td>✓ significant</td><td class="num">+8.0</td>'
        '<td class="long">a &lt;b&gt; note longer than 16</td></tr>',
        '<tr><td>All respondents</td><td class="num">50.3</td><td class="num">35</td><td class="num"></td>'
        '<td>–</td><td class="num">−2.0</td><td class="long">x</td></tr>',
        '<tr><td>Same</td><td class="num">10.0</td><td class="num">7</td><td class="num">0.5</td>'
        '<td></td><td class="num">0.0</td><td class="long"></td></tr>',
    ]
    want = (WRAP.format(label="Tests &amp; more", cap="<caption>Tests &amp; more</caption>")
            + f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    assert book.table_html(df, caption="Tests & more") == want


def test_table_html_without_caption_and_with_whole_numbers():
    """No caption: labelled 'Table' without a caption element; a whole-number float column without decimals;
    'from', 'to' and 'year' are not number-aligned. Fails if the default label, the caption rule, the
    whole-number test or the exclusion of from/to/year changes."""
    df = pd.DataFrame({"who": ["a", "b"], "from": [2019, 2020], "value": [1200.0, 3.0], "share": [1.25, np.nan]})
    want = (WRAP.format(label="Table", cap="")
            + '<thead><tr><th scope="col">Who</th><th scope="col">From</th><th scope="col" class="num">Value</th>'
              '<th scope="col" class="num">Share</th></tr></thead><tbody>'
              '<tr><td>a</td><td>2019</td><td class="num">1,200</td><td class="num">1.2</td></tr>'
              '<tr><td>b</td><td>2020</td><td class="num">3</td><td class="num"></td></tr>'
              '</tbody></table></div>')
    assert book.table_html(df) == want
    assert book.table_html(df, digits=2).count("1.25") == 1


def test_table_html_marks_long_text_from_17_characters_and_keeps_years_plain():
    """Text columns longer than 16 characters are marked long; 'to' and 'year' are not number-aligned; a
    whole-number column with a gap is still whole; headers are escaped. Fails if the 16 changes, `>` becomes
    `>=`, the NaN are not dropped before the whole-number test, or 'to'/'year' lose their exception."""
    df = pd.DataFrame({"a&b": ["x" * 16, "y"], "c": ["x" * 17, "z"], "to": [2021, 2022], "year": [2020, 2021],
                       "n_eff": [10.0, np.nan]})
    want = (WRAP.format(label="Table", cap="")
            + '<thead><tr><th scope="col">A&amp;b</th><th scope="col">C</th><th scope="col">To</th>'
              '<th scope="col">Year</th><th scope="col" class="num">Effective n</th></tr></thead><tbody>'
              f'<tr><td>{"x" * 16}</td><td class="long">{"x" * 17}</td><td>2021</td><td>2020</td><td class="num">10</td></tr>'
              '<tr><td>y</td><td class="long">z</td><td>2022</td><td>2021</td><td class="num"></td></tr>'
              '</tbody></table></div>')
    assert book.table_html(df) == want


def test_a_numeric_column_is_never_marked_long():
    """Numbers are never 'long' text, even a year column (not number-aligned) whose values print long.
    Fails if the numeric-dtype test of the long marking is lost."""
    html = book.table_html(pd.DataFrame({"year": [0.1 + 0.2]}))
    assert '<td>0.3</td>' in html and "long" not in html


def test_table_html_pairs_each_english_column_with_its_norwegian():
    """Every pair of PAIRS: the Norwegian column is not shown on its own but beneath the English.
    Fails if a pair is dropped or the Norwegian column is kept."""
    for en, no in book.PAIRS:
        html = book.table_html(pd.DataFrame({en: ["English words"], no: ["Norske ord"]}))
        assert html.count("<th ") == 1
        assert '<td>English words<br><span class="ehelse-nb" lang="nb">Norske ord</span></td>' in html
    html = book.table_html(pd.DataFrame({"item_en": ["English"], "item": [""]}))
    assert "<td>English</td>" in html and "ehelse-nb" not in html  # no empty Norwegian line
    html = book.table_html(pd.DataFrame({"text_no": ["Bare norsk"]}))
    assert '<td>Bare norsk</td>' in html and "Claim (Norwegian)" in html


def test_table_applies_the_disclosure_rule_and_names_the_table(monkeypatch):
    """book.table passes the table through disclosure.protect, named by its caption. Fails if protect is
    skipped, its `what` changes, or the caption or digits are not passed on."""
    seen = []

    def protect(df, settings=None, *, what="table"):
        seen.append(what)
        return df.assign(value=df["value"] * 2)

    monkeypatch.setattr(disclosure, "protect", protect)
    df = pd.DataFrame({"value": [1.25, 2.5]})
    out = book.table(df, digits=2, caption="Cap")
    assert isinstance(out, HTML)
    assert out.data == book.table_html(df.assign(value=[2.5, 5.0]), digits=2, caption="Cap")
    assert book.table(df).data == book.table_html(df.assign(value=[2.5, 5.0]))
    assert seen == ["table 'Cap'", "table"]


# ---------------------------------------------------------------- tests_table

def test_tests_table(monkeypatch):
    """Tests for readers: populations by their labels, the item's English label (All respondents for Total),
    years and shares as 'a → b', the adjusted p where present, the figure filter. Fails if a column, label,
    format, rename or the filter changes."""
    tables = {"F1": pd.DataFrame({"item": ["Total", "Leger", "Leger"], "item_en": ["Total", "Doctors", "Doctors"]}),
              "F2": pd.DataFrame({"item": ["X"], "item_en": ["Ex"]})}
    monkeypatch.setattr(figures, "table", lambda fid: tables[fid])
    t = pd.DataFrame([
        {"figure_id": "F1", "population": "personnel vs citizens", "item": "Total", "test": "between populations",
         "from": 2020, "to": 2020, "share_from": 52.4, "share_to": 60.6, "change_points": 8.2, "p_value": 0.01,
         "p_adjusted": 0.02, "significant": "yes"},
        {"figure_id": "F1", "population": "citizens", "item": "Leger", "test": "latest change", "from": 2021, "to": 2022,
         "share_from": 40.0, "share_to": 39.0, "change_points": -1.0, "p_value": 0.5, "p_adjusted": 0.6,
         "significant": "no"},
        {"figure_id": "F2", "population": "nurses", "item": "Y", "test": "latest change", "from": 2021, "to": 2022,
         "share_from": 1.0, "share_to": 2.0, "change_points": 1.0, "p_value": 0.5, "p_adjusted": 0.6,
         "significant": "no"},
    ])
    out = book.tests_table(t, "F1")
    assert list(out.columns) == ["population", "item_en", "item", "Test", "Years", "Share (%)", "change_points",
                                 "p_adjusted", "significant"]
    assert out.to_dict("records") == [
        {"population": "Health personnel vs Citizens", "item_en": "All respondents", "item": "Total",
         "Test": "between populations", "Years": "2020 → 2020", "Share (%)": "52 → 61", "change_points": 8.2,
         "p_adjusted": 0.02, "significant": "yes"},
        {"population": "Citizens", "item_en": "Doctors", "item": "Leger", "Test": "latest change",
         "Years": "2021 → 2022", "Share (%)": "40 → 39", "change_points": -1.0, "p_adjusted": 0.6, "significant": "no"}]
    every = book.tests_table(t.drop(columns=["p_adjusted", "significant"]))
    assert list(every["population"]) == ["Health personnel vs Citizens", "Citizens", "nurses"]
    assert list(every["item_en"]) == ["All respondents", "Doctors", "Y"]
    assert list(every["p_adjusted"]) == [0.01, 0.5, 0.5] and list(every["significant"]) == ["", "", ""]
    empty = book.tests_table(t, "F9")
    assert empty.empty and list(empty.columns) == list(out.columns)


# ---------------------------------------------------------------- downloads

@pytest.fixture
def downloads(monkeypatch, tmp_path):
    """The book's root and downloads folder in a temporary folder (nothing is written to the repository)."""
    monkeypatch.setattr(book, "ROOT", tmp_path)
    monkeypatch.setattr(book, "DOWNLOADS", tmp_path / "notebooks" / "_data")
    return tmp_path


def test_download_writes_the_csv_and_returns_its_link(downloads, monkeypatch):
    """The CSV (no index, '\\n' line ends, 6 significant digits) under notebooks/_data/<name>.csv and a
    {download} link to it, after the disclosure rule. Fails if the file name, folder, format, label, link
    or the `what` given to protect changes."""
    seen = []
    real = disclosure.protect
    monkeypatch.setattr(disclosure, "protect", lambda df, settings=None, *, what="table": seen.append(what) or real(df))
    df = pd.DataFrame({"year": [2021, 2022], "value": [1 / 3, 12345678.0], "who": ["a", "b,c"]})
    link = book.download(df, "c05_x-1")
    assert isinstance(link, Markdown)
    assert link.data == "{download}`Download the data of this figure (CSV) </notebooks/_data/c05_x-1.csv>`"
    text = (downloads / "notebooks" / "_data" / "c05_x-1.csv").read_bytes().decode("utf-8")
    assert text == 'year,value,who\n2021,0.333333,a\n2022,1.23457e+07,"b,c"\n'
    assert seen == ["download 'c05_x-1'"]
    assert book.download(df, "other", label="Get it").data == "{download}`Get it </notebooks/_data/other.csv>`"


@pytest.mark.parametrize("name", ["C05", "a b", "a.csv", "", "x/y", "æ"])
def test_download_refuses_other_names(downloads, name):
    """Fails if the name rule (lower-case letters, digits, - and _) or its message changes."""
    with pytest.raises(ValueError, match=f"^download name {name!r}: use lower-case letters, digits, - and _$"):
        book.download(pd.DataFrame({"a": [1]}), name)
    assert not (downloads / "notebooks").exists()


def test_rel_is_the_path_from_the_root(downloads):
    """Fails if the leading slash or the posix form changes."""
    assert book._rel(downloads / "notebooks" / "_data" / "x.csv") == "/notebooks/_data/x.csv"


# ---------------------------------------------------------------- displayed things

def test_synthetic_banner(shown):
    """Fails if the label is shown on real data, not shown on synthetic data, or its text changes."""
    book.synthetic_banner(False)
    assert shown == []
    book.synthetic_banner(True)
    assert len(shown) == 1 and isinstance(shown[0], Markdown)
    assert shown[0].data == (":::{admonition} Synthetic respondents\n:class: error\n" + book.SYNTHETIC_NOTE + "\n:::")
    assert book.SYNTHETIC_NOTE.startswith("**Synthetic respondents — illustrates the method, not a finding.**")


def test_key_figure_displays_the_figures_box(shown, monkeypatch):
    """Fails if key_figure does not display figures.key_figure of its figure."""
    monkeypatch.setattr(figures, "key_figure", lambda fid: f"box {fid}")
    book.key_figure("F1")
    assert shown == ["box F1"]


def test_figure_data_shows_the_download_and_the_figures_tests(shown, monkeypatch):
    """Below a figure: its download (name lower-cased) and, when it has tests, their table with a caption.
    Fails if the download name, the test filter, the caption or the empty cases change."""
    tab = pd.DataFrame({"value": [1.0]})
    asked = []
    monkeypatch.setattr(figures, "table", lambda fid: asked.append(fid) or tab)
    monkeypatch.setattr(book, "download", lambda df, name: f"download {name} {df is tab}")
    monkeypatch.setattr(book, "tests_table", lambda sel: sel.assign(shown=True))
    monkeypatch.setattr(book, "table", lambda df, caption=None: (list(df["figure_id"]), list(df["shown"]), caption))
    tests = pd.DataFrame({"figure_id": ["F1", "F2", "F1"], "x": [1, 2, 3]})
    book.figure_data("F1", tests)
    assert shown == ["download f1 True", (["F1", "F1"], [True, True], "Tests of change, figure F1")]
    assert asked == ["F1"]
    shown.clear()
    book.figure_data("F3", tests)
    book.figure_data("F1")
    book.figure_data("F1", tests.iloc[:0])
    assert shown == ["download f3 True", "download f1 True", "download f1 True"]


def test_missing_charts(monkeypatch):
    """The chapter's missing charts as a table, or the template's sentence when there are none. Fails if the
    chapter is not passed, the empty test inverts or the sentence changes."""
    m = pd.DataFrame({"figure": ["C29"], "numbers": ["only the headline's numbers"]})
    asked = []
    monkeypatch.setattr(figures, "missing", lambda ch: asked.append(ch) or (m if ch == "c1" else m.iloc[:0]))
    out = book.missing_charts("c1")
    assert isinstance(out, HTML) and out.data == book.table_html(m)
    none = book.missing_charts("c2")
    assert isinstance(none, Markdown) and none.data == "Every chart of this section has its numbers in the sources."
    assert asked == ["c1", "c2"]


def test_claims_table(monkeypatch):
    """A chapter's claims: its figures' claims only, the reader's columns (value as 'computed', compared as
    'compared with'), marked as published numbers. Fails if the chapter filter, a column or the exemption
    changes."""
    inv = pd.DataFrame({"figure_id": ["F1", "F2", "F3"], "chapter": ["c1", "c2", "c1"]})
    cols = ["claim_id", "figure_id", "text_no", "text_en", "printed", "value", "compared", "p_value", "verdict", "note"]
    v = pd.DataFrame([[f"K{i}", fid, "no", "en", "", float(i), np.nan, np.nan, "holds", ""]
                      for i, fid in enumerate(["F1", "F2", "F3", "F4"])], columns=cols).assign(extra=1)
    monkeypatch.setattr(data, "inventory", lambda: inv)
    monkeypatch.setattr(claims, "verdicts", lambda: v)
    out = book.claims_table("c1")
    assert list(out.columns) == ["claim_id", "figure_id", "text_no", "text_en", "printed", "computed", "compared with",
                                 "p_value", "verdict", "note"]
    assert list(out["claim_id"]) == ["K0", "K2"] and list(out["computed"]) == [0.0, 2.0]
    assert out.attrs[disclosure.EXEMPT] == "published numbers"


# ---------------------------------------------------------------- glue helpers

def test_glue_turns_numpy_scalars_into_python_numbers(glued):
    """Fails if a numpy scalar is glued as numpy, another value is changed, or display is not passed."""
    book.glue("a", np.float64(1.5))
    book.glue("b", np.int64(3), display=True)
    book.glue("c", "text")
    assert glued == [("a", 1.5, False), ("b", 3, True), ("c", "text", False)]
    assert type(glued[0][1]) is float and type(glued[1][1]) is int


ROW = {"figure_id": "F1", "population": "citizens", "item": "Total", "measure": "Andel", "test": "latest change",
       "from": np.int64(2021), "to": 2022.0, "share_from": np.float64(46.0), "share_to": 54, "change_points": 8,
       "p_value": 0.001, "p_adjusted": 0.002, "significant": "yes"}


def test_glue_test_glues_one_rows_years_shares_and_p(glued):
    """Every key of one test from the same row, as Python numbers: the adjusted p where the row has one, the
    significance only if present, the row's id. Fails if a key, a value, a type or the chapter changes."""
    book.glue_test("k", dict(ROW), "c1")
    assert glued == [("k_from", 2021, False), ("k_to", 2022, False), ("k_share_from", 46.0, False),
                     ("k_share_to", 54.0, False), ("k_change", 8.0, False), ("k_p", 0.002, False),
                     ("k_significant", "yes", False),
                     ("k_row", "c1|F1|citizens|Total|Andel|latest change|2021|2022", False)]
    assert [type(v) for _, v, _ in glued] == [int, int, float, float, float, float, str, str]
    glued.clear()
    row = {k: v for k, v in ROW.items() if k not in ("p_adjusted", "significant")}
    book.glue_test("k", row)
    assert [k for k, _, _ in glued] == ["k_from", "k_to", "k_share_from", "k_share_to", "k_change", "k_p", "k_row"]
    assert dict((k, v) for k, v, _ in glued)["k_p"] == 0.001
    assert glued[-1][1] == "|F1|citizens|Total|Andel|latest change|2021|2022"


def test_glue_sentence(glued, monkeypatch):
    """The test's numbers and its sentence in the language asked for. Fails if the sentence's key, row, chapter
    or language changes."""
    monkeypatch.setattr(findings, "change_sentence", lambda row, lang="en": f"sentence {row['figure_id']} {lang}")
    book.glue_sentence("k", dict(ROW), "c1", lang="xx")
    assert glued[-1] == ("k_sentence", "sentence F1 xx", False)
    assert glued[-2] == ("k_row", "c1|F1|citizens|Total|Andel|latest change|2021|2022", False)
    assert len(glued) == 9
    glued.clear()
    book.glue_sentence("k", dict(ROW))
    assert glued[-1] == ("k_sentence", "sentence F1 en", False) and glued[-2][1].startswith("|F1|")


def test_glue_finding(glued, monkeypatch):
    """Fails if the key or the language of a figure's finding changes."""
    monkeypatch.setattr(findings, "figure_title", lambda fid, lang="en": f"title {fid} {lang}")
    book.glue_finding("F1")
    book.glue_finding("F2", "xx")
    assert glued == [("finding_F1", "title F1 en", False), ("finding_F2", "title F2 xx", False)]


def _family(**kw):
    t = pd.DataFrame({"figure_id": ["F1", "F1"], "population": ["citizens", "personnel"], "item": ["Total", "Total"],
                      "measure": ["Andel", "Andel"], "test": ["latest change"] * 2, "from": [2021.0, 2021.0],
                      "to": [2022, 2022], "change_points": [-3.5, 4.0], "p_value": [0.01, 0.2],
                      "p_adjusted": [0.03, 0.25]})
    return t.assign(**kw)


def test_glue_tests_glues_a_family_of_one_pair_of_waves(glued):
    """Fails if a key changes, min/max or the adjusted p (max) is computed otherwise, the years are not ints
    or the ids are joined otherwise."""
    book.glue_tests("fam", _family(), "c1")
    assert glued == [("fam_from", 2021, False), ("fam_to", 2022, False), ("fam_change_min", -3.5, False),
                     ("fam_change_max", 4.0, False), ("fam_p_max", 0.25, False),
                     ("fam_rows", "c1|F1|citizens|Total|Andel|latest change|2021|2022;"
                                  "c1|F1|personnel|Total|Andel|latest change|2021|2022", False)]
    assert [type(v) for _, v, _ in glued[:5]] == [int, int, float, float, float]
    glued.clear()
    book.glue_tests("fam", _family().drop(columns="p_adjusted"))
    assert dict((k, v) for k, v, _ in glued)["fam_p_max"] == 0.2
    assert glued[-1][1].startswith("|F1|citizens|")


def test_glue_tests_refuses_empty_or_mixed_families(glued):
    """Fails if an empty family or one of different waves is glued, or the messages change."""
    with pytest.raises(ValueError, match=r"^fam: no tests to glue$"):
        book.glue_tests("fam", _family().iloc[:0])
    with pytest.raises(ValueError, match=r"^fam: the tests compare different waves \[\(2020, 2022\), \(2021, 2022\)\]; "
                                         r"glue them one by one$"):
        book.glue_tests("fam", _family(**{"from": [2021, 2020]}))
    assert glued == []


def test_glue_years(glued):
    """Fails if a year's key or value changes, or a year is skipped."""
    book.glue_years("visits", pd.Series([1.5, np.int64(2)], index=[np.int64(2019), 2022.0]))
    assert glued == [("visits_2019", 1.5, False), ("visits_2022", 2.0, False)]


def test_glue_series(glued, monkeypatch):
    """A series' first and latest year and value. Fails if first and last swap, a key changes, a selection is
    not passed on or a type changes."""
    seen = []
    s = pd.Series([30.0, 40.0, 55.5], index=[2019, 2021, 2022])
    monkeypatch.setattr(figures, "series", lambda fid, **sel: seen.append((fid, sel)) or s)
    book.glue_series("dc", "F1", population="citizens", item="Total")
    assert glued == [("dc_first_year", 2019, False), ("dc_first", 30.0, False), ("dc_last_year", 2022, False),
                     ("dc_last", 55.5, False)]
    assert [type(v) for _, v, _ in glued] == [int, float, int, float]
    assert seen == [("F1", {"population": "citizens", "item": "Total"})]


def test_figure_glues_a_drawn_chart_its_title_and_caption(glued, monkeypatch):
    """A matplotlib chart is glued as a PNG image, then its computed title and its caption; the chart is closed.
    Fails if a key, the image format, the title, the caption or the closing changes."""
    fig = plt.figure()
    other = plt.figure()  # the current figure is another one: the drawn chart itself must be closed
    monkeypatch.setattr(figures, "draw", lambda fid: fig)
    monkeypatch.setattr(style, "png", lambda f: b"png of " + str(f is fig).encode())
    monkeypatch.setattr(findings, "figure_title", lambda fid, lang="en": f"title {fid}")
    monkeypatch.setattr(figures, "caption", lambda fid: Markdown(f"caption of {fid}"))
    book.figure("F1")
    assert [k for k, _, _ in glued] == ["fig_F1", "title_F1", "cap_F1"]
    img = glued[0][1]
    assert isinstance(img, Image) and img.data == b"png of True" and img.format == "png"
    assert glued[1][1] == "title F1"
    assert isinstance(glued[2][1], Markdown) and glued[2][1].data == "caption of F1"
    assert not plt.fignum_exists(fig.number)
    assert plt.fignum_exists(other.number)
    plt.close(other)


def test_figure_glues_a_key_figure_box_as_it_is(glued, monkeypatch):
    """A chart that is not matplotlib (a key figure's HTML box) is glued as it is. Fails if it is converted,
    or the missing-numbers error or its message changes."""
    box = HTML("<div>42 %</div>")
    monkeypatch.setattr(figures, "draw", lambda fid: box if fid == "F1" else None)
    monkeypatch.setattr(findings, "figure_title", lambda fid, lang="en": "t")
    monkeypatch.setattr(figures, "caption", lambda fid: Markdown("c"))
    book.figure("F1")
    assert glued[0] == ("fig_F1", box, False)
    with pytest.raises(ValueError, match=r"^F2: its numbers are not in the sources; list it with figures.missing\(\)$"):
        book.figure("F2")


def test_table_html_keeps_each_columns_type_when_every_column_is_numeric():
    """Fails if rows are read with iterrows(): in an all-numeric table pandas makes every cell a float, and a
    year is then printed "2,021" (with a text column beside it, the same year printed "2021")."""
    import pandas as pd

    from ehelse import book

    numeric = book.table_html(pd.DataFrame({"year": [2021, 2022], "value": [1.5, 2.0]}))
    mixed = book.table_html(pd.DataFrame({"year": [2021, 2022], "value": [1.5, 2.0], "item": ["a", "b"]}))
    assert "<td>2021</td>" in numeric and "<td>2022</td>" in numeric and "2,021" not in numeric
    assert numeric.count("<td>2021</td>") == mixed.count("<td>2021</td>") == 1
