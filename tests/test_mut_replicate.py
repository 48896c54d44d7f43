"""ehelse.replicate in-process on made-up sources: the (kind, key, value) rows results() builds from
verdicts, publisher verdicts, inventory, contradictions, unplaced numbers and the synthetic recovery
check; the terminal summary line by line; compare() against an expectation; and the command line with a
made-up expected.csv in tmp_path. The claims, figures, data and microdata functions are replaced by
small tables written here (each has its own tests), so the expected rows and lines are worked out by hand.

tests/test_replication.py checks the real book, partly in a subprocess that cannot see a mutant. The
mutation run (tools/mutate.py --focus replicate) is the demonstration that each test fails on the bug its
docstring names.
"""
import os

import numpy as np
import pandas as pd
import pytest

from ehelse import claims, figures, microdata, replicate, waves

LONG = "Andelen som " + "x" * 80
VERDICTS = pd.DataFrame([
    ("CC01", "citizens2022", "C1", "holds", 39.0, 46.0, "39 %", "up", "t1"),
    ("CC02", "citizens2022", "C2", "does not hold", 12.345678, np.nan, "", "down", LONG),
    ("CC03", "citizens2022", "C3", claims.CONSISTENCY, np.nan, np.nan, "7 %", "", "t3"),
    ("PC01", "personnel2020", "P1", "not checkable", np.nan, np.nan, "", "", "t4"),
    ("PC02", "personnel2020", "P2", "does not hold", 5.0, 7.5, "5 %", "up", "t5"),
    ("WC01", "citizens2023", "W1", "holds", 50.0, np.nan, "50 %", "", "t6"),
], columns=["claim_id", "report", "figure_id", "verdict", "value", "compared", "printed", "direction", "text_no"])
PUBLISHER = pd.DataFrame({"claim_id": ["PUB01", "PUB02"], "verdict": ["holds", "does not hold"]})
INVENTORY = pd.DataFrame({"figure_id": ["F1", "F2", "F3", "G1"], "chart_type": ["bar", "text", "line", "bar"],
                          "report": ["citizens2022", "citizens2022", "citizens2022", "personnel2020"]})
SOURCES = {"F1": "report", "F3": None, "G1": "publisher's web page"}
ISSUES = pd.DataFrame({"issue_id": ["I1", "I2", "I3"], "kind": ["numbers differ", "text", "numbers differ"]})
UNPLACED = pd.DataFrame({"report": ["citizens2022", "personnel2020", "citizens2022"], "source_line": [17, 3, 40],
                         "kind": ["lone", "year", "lone"]})
#: covered flags per (survey, year) of the synthetic recovery check
COVERED = {("citizens", 2019): [1.0, 0.0], ("citizens", 2021): [1.0], ("personnel", 2020): [0.5, 1.0]}


@pytest.fixture
def sources(monkeypatch):
    """Every source of results() and summary() replaced by the tables above; the calls recorded."""
    calls = {"respondents": [], "recovery": []}
    people = {"citizens": pd.DataFrame({"year": [2021, 2019, 2021]}), "personnel": pd.DataFrame({"year": [2020]})}
    state = {"synthetic": True}

    def respondents(survey):
        calls["respondents"].append(survey)
        return people[survey], state["synthetic"]

    def recovery(df, report, population, year, margins):
        calls["recovery"].append((len(df), report, population, year, margins))
        return pd.DataFrame({"covered": COVERED[(population, year)]})

    monkeypatch.setattr(claims, "verdicts", lambda: VERDICTS.copy())
    monkeypatch.setattr(claims, "publisher_verdicts", lambda: PUBLISHER.copy())
    monkeypatch.setattr(replicate, "inventory", lambda: INVENTORY.copy())
    monkeypatch.setattr(figures, "source_of", SOURCES.get)
    monkeypatch.setattr(replicate, "source_issues", lambda: ISSUES.copy())
    monkeypatch.setattr(replicate, "unplaced", lambda: UNPLACED.copy())
    monkeypatch.setattr(microdata, "respondents", respondents)
    monkeypatch.setattr(microdata, "recovery", recovery)
    monkeypatch.setattr(waves, "report_of", lambda survey, year: f"{survey}-report-{year}")
    monkeypatch.setattr(waves, "weighted", lambda survey, year: survey == "citizens" and year == 2019)
    monkeypatch.setattr(replicate, "wave_margins", lambda survey, year: f"margins {survey} {year}")
    return calls, state


ROWS = [
    ("claim_verdict", "CC01", "holds"), ("claim_value", "CC01", "39.0000"), ("claim_compared", "CC01", "46.0000"),
    ("claim_verdict", "CC02", "does not hold"), ("claim_value", "CC02", "12.3457"),
    ("claim_verdict", "CC03", "consistency check only"), ("claim_value", "CC03", ""),
    ("claim_verdict", "PC01", "not checkable"), ("claim_value", "PC01", ""),
    ("claim_verdict", "PC02", "does not hold"), ("claim_value", "PC02", "5.0000"), ("claim_compared", "PC02", "7.5000"),
    ("claim_verdict", "WC01", "holds"), ("claim_value", "WC01", "50.0000"),
    ("publisher_claim_verdict", "PUB01", "holds"), ("publisher_claim_verdict", "PUB02", "does not hold"),
    ("chart_source", "F1", "report"), ("chart_source", "F3", "missing"), ("chart_source", "G1", "publisher's web page"),
    ("contradiction", "I1", "numbers differ"), ("contradiction", "I2", "text"), ("contradiction", "I3", "numbers differ"),
    ("unplaced_number", "citizens2022:17", "lone"), ("unplaced_number", "personnel2020:3", "year"),
    ("unplaced_number", "citizens2022:40", "lone"),
]


@pytest.mark.parametrize("x,text", [(None, ""), (float("nan"), ""), (np.float64("nan"), ""), (1.0, "1.0000"),
                                    (2 / 3, "0.6667"), (np.float32(0.5), "0.5000"), (3, "3"), (np.int64(4), "4"),
                                    ("holds", "holds"), (True, "True")])
def test_fmt_writes_floats_with_four_decimals_and_missing_as_empty(x, text):
    """Fails if a missing value is written as "nan", floats get another number of decimals or numpy floats
    are not formatted as floats, or integers and text are changed (mutants of _fmt)."""
    assert replicate._fmt(x) == text


def test_results_lists_every_checked_quantity(sources):
    """Fails if a kind of row is dropped or renamed, a missing compared value is written, text charts are
    listed, a chart without source is not "missing", or the unplaced key is not "report:line"."""
    calls, state = sources
    res = replicate.results()
    assert list(res.columns) == ["kind", "key", "value"]
    assert [tuple(r) for r in res.itertuples(index=False)] == ROWS + [
        ("synthetic_coverage", "citizens", "0.6667"), ("synthetic_coverage", "personnel", "0.7500")]


def test_results_recovery_runs_per_wave_with_the_margins_of_weighted_waves(sources):
    """Fails if the recovery check skips a wave, runs them unsorted, passes another report, population or
    year, or gives margins to an unweighted wave (personnel never get margins)."""
    calls, state = sources
    replicate.results()
    assert calls["respondents"] == ["citizens", "personnel"]
    assert calls["recovery"] == [(3, "citizens-report-2019", "citizens", 2019, "margins citizens 2019"),
                                 (3, "citizens-report-2021", "citizens", 2021, None),
                                 (1, "personnel-report-2020", "personnel", 2020, None)]


def test_results_without_synthetic_microdata_have_no_coverage_rows(sources):
    """Fails if the coverage rows are written for real microdata (the `if synthetic` negated)."""
    calls, state = sources
    state["synthetic"] = False
    res = replicate.results()
    assert [tuple(r) for r in res.itertuples(index=False)] == ROWS
    assert calls["respondents"] == ["citizens"] and calls["recovery"] == []


def test_summary_line_by_line(sources):
    """Fails if a count, a label, the cut of the claim text at 70 characters, the "printed or direction"
    choice, the " vs " of a compared value, a per-report chart line or a percentage changes (summary)."""
    res = replicate.results()
    assert replicate.summary(res).split("\n") == [
        "Claims and verdicts (holds / does not hold / consistency check only / not checkable):",
        "  citizens2022: 3 claims: 1 hold, 1 do not hold, 1 consistency checks only (checked against their own "
        "line), 0 not checkable",
        "  citizens2023: 1 claims: 1 hold, 0 do not hold, 0 consistency checks only (checked against their own "
        "line), 0 not checkable",
        "  personnel2020: 2 claims: 0 hold, 1 do not hold, 0 consistency checks only (checked against their own "
        "line), 1 not checkable",
        "    CC02 (C2) down: computed 12.3457 — " + LONG[:70],
        "    PC02 (P2) 5 %: computed 5 vs 7.5 — t5",
        "  publisher pages' word numbers: 2 claims: 1 hold, 1 do not hold, 0 not checkable",
        "Charts reproduced of those inventoried:",
        "  citizens2022: 1 of 2 drawn (0 from the publisher's pages), 1 with numbers not in the sources",
        "  personnel2020: 1 of 1 drawn (1 from the publisher's pages), 0 with numbers not in the sources",
        "Contradictions recorded: 3 (numbers differ 2, text 1)",
        "Lone numbers of the texts not used as results: 3 (lone 2, year 1); see unplaced.csv",
        "Synthetic citizens: 95 % intervals contain the published share in 66.7 % of cases",
        "Synthetic personnel: 95 % intervals contain the published share in 75.0 % of cases",
    ]


def test_summary_counts_a_verdict_absent_from_the_publisher_claims_as_zero(sources, monkeypatch):
    """Fails if a verdict no publisher claim has is counted otherwise than 0 (the defaults of the counts)."""
    res = replicate.results()
    monkeypatch.setattr(claims, "publisher_verdicts", lambda: pd.DataFrame({"claim_id": ["PUB09"],
                                                                            "verdict": ["not checkable"]}))
    assert replicate.summary(res).split("\n")[6] == \
        "  publisher pages' word numbers: 1 claims: 0 hold, 0 do not hold, 1 not checkable"


def _table(rows):
    return pd.DataFrame(rows, columns=["kind", "key", "value"])


def test_compare_lists_changed_new_and_missing_rows_as_text():
    """Fails if an equal row is listed, a changed, new or vanished row is not, the "<absent>" filler
    changes, values are not compared as text, or the columns are others."""
    res = _table([("k", "A", "1"), ("k", "B", "2"), ("k", "C", "3"), ("k", "E", 5)])
    exp = _table([("k", "A", "1"), ("k", "B", "9"), ("k", "D", "4"), ("k", "E", "5")])
    diff = replicate.compare(res, exp)
    assert list(diff.columns) == ["kind", "key", "value_expected", "value"]
    assert [tuple(r) for r in diff.itertuples(index=False)] == [("k", "B", "9", "2"), ("k", "C", "<absent>", "3"),
                                                                ("k", "D", "4", "<absent>")]
    assert replicate.compare(res, res).empty


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """main() on fixed results, with the expectation at tmp_path/data/replication/expected.csv."""
    res = _table([("claim_verdict", "CC01", "holds"), ("claim_value", "CC03", ""), ("contradiction", "NA", "NA")])
    monkeypatch.setattr(replicate, "results", lambda: res.copy())
    monkeypatch.setattr(replicate, "summary", lambda r: f"SUMMARY of {len(r)}")
    monkeypatch.setattr(replicate, "DATA", tmp_path / "data")
    monkeypatch.setattr(replicate, "EXPECTED", tmp_path / "data" / "replication" / "expected.csv")
    return replicate.EXPECTED


CSV = "kind,key,value\nclaim_verdict,CC01,holds\nclaim_value,CC03,\ncontradiction,NA,NA\n"


def test_main_update_writes_the_expectation(cli, capsys):
    """Fails if --update does not create the folders, fails when they exist (a second update), writes
    another CSV (index, line ends), prints another line or returns non-zero."""
    for _ in range(2):
        assert replicate.main(["--update"]) == 0
        assert cli.read_bytes() == CSV.encode()
        assert capsys.readouterr().out == "SUMMARY of 3\nwrote data/replication/expected.csv (3 rows)\n"


def test_main_without_an_expectation_fails_and_says_how_to_create_it(cli, capsys):
    """Fails if a missing expectation passes or the hint changes."""
    assert replicate.main([]) == 1
    assert capsys.readouterr().out == f"SUMMARY of 3\nno expectation at {cli}: run with --update to create it\n"


def test_main_passes_when_every_result_equals_the_expectation(cli, capsys):
    """Fails if an empty value or the text "NA" read back from the expectation counts as a difference
    (keep_default_na, dtype=str), or the message changes."""
    cli.parent.mkdir(parents=True)
    cli.write_text(CSV, encoding="utf-8")
    assert replicate.main([]) == 0
    assert capsys.readouterr().out == "SUMMARY of 3\nReplication: all 3 checked results equal the committed expectation.\n"


def test_main_compares_with_the_expectation_as_text(cli, capsys, monkeypatch):
    """Fails if expected.csv is not read as text (dtype=str dropped): a file of numbers only would be read
    as floats and "39.0000" would differ from the result "39.0000"."""
    monkeypatch.setattr(replicate, "results", lambda: _table([("claim_value", "CC01", "39.0000"),
                                                              ("claim_value", "CC02", "5.5000")]))
    cli.parent.mkdir(parents=True)
    cli.write_text("kind,key,value\nclaim_value,CC01,39.0000\nclaim_value,CC02,5.5000\n", encoding="utf-8")
    assert replicate.main([]) == 0
    assert capsys.readouterr().out.endswith("Replication: all 2 checked results equal the committed expectation.\n")


def test_main_update_writes_unix_line_ends_on_any_system(cli, monkeypatch):
    """Fails if the expectation is written with the system's line ends (lineterminator dropped): on Windows
    every line of the committed file would change."""
    monkeypatch.setattr(os, "linesep", "\r\n")
    assert replicate.main(["--update"]) == 0
    assert cli.read_bytes() == CSV.encode()


def test_main_fails_naming_each_changed_result(cli, capsys):
    """Fails if a changed result passes, or the count, header or table of differences changes."""
    cli.parent.mkdir(parents=True)
    cli.write_text(CSV.replace("holds", "does not hold"), encoding="utf-8")
    assert replicate.main([]) == 1
    table = pd.DataFrame({"kind": ["claim_verdict"], "key": ["CC01"], "value_expected": ["does not hold"],
                          "value": ["holds"]}).to_string(index=False)
    assert capsys.readouterr().out == (
        "SUMMARY of 3\nReplication: 1 result(s) differ from the committed expectation:\n" + table + "\n")


def test_main_help_names_the_program_its_purpose_and_the_option(capsys):
    """Fails if the program name, the one-line description (the docstring's first line only) or the help
    of --update changes."""
    with pytest.raises(SystemExit) as e:
        replicate.main(["--help"])
    assert e.value.code == 0
    assert " ".join(capsys.readouterr().out.split()) == (
        "usage: python -m ehelse.replicate [-h] [--update] Replication summary: claims and verdicts, "
        "contradictions, charts reproduced, microdata agreement. options: -h, --help show this help message "
        "and exit --update write the current results as the expectation")
