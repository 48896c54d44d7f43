"""Verdicts and reproduced numbers equal the committed expectation; a change that flips one fails."""
import os
import shutil
import subprocess
import sys

import pandas as pd

from ehelse import ROOT, replicate


def test_results_equal_committed_expectation():
    res = replicate.results()
    diff = replicate.compare(res, pd.read_csv(replicate.EXPECTED, dtype=str, keep_default_na=False))
    assert diff.empty, f"results changed (review, then `python -m ehelse.replicate --update`):\n{diff}"


def test_known_verdicts():
    v = replicate.results().set_index(["kind", "key"])["value"]
    # P53: the report says personnel are more satisfied than citizens; its chart says otherwise (PI14).
    assert v[("claim_verdict", "PC202")] == "does not hold"
    # P12: the summary's 70 % for IT security against the chart's 81 % (PI02).
    assert v[("claim_verdict", "PC15")] == "does not hold"
    # C39: satisfaction fell from 2021 to 2022, as the report says.
    assert v[("claim_verdict", "CC50")] == "holds"


def test_a_data_change_that_flips_a_verdict_is_caught(tmp_path):
    """Change one printed number (and its source line) in a copy of the book: replicate exits 1 naming the claim."""
    root = tmp_path / "book"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy2(ROOT / "settings.yml", root / "settings.yml")
    vals = root / "data" / "published" / "personnel" / "values.csv"
    df = pd.read_csv(vals, dtype=str, keep_default_na=False)
    row = df[(df["figure_id"] == "P53") & (df["item"] == "Helsepersonell") & (df["category"] == "Ganske fornøyd")]
    assert len(row) == 1
    i = row.index[0]
    old = df.loc[i, "value"]
    new = str(int(old) + 10)
    df.loc[i, "value"] = new
    df.to_csv(vals, index=False)
    src = root / "data" / "published" / "source" / "personnel2020.txt"
    lines = src.read_text(encoding="utf-8").split("\n")
    ln = int(df.loc[i, "source_line"]) - 1
    lines[ln] = lines[ln] + f" {new}"
    src.write_text("\n".join(lines), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ehelse.replicate"], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "EHELSE_ROOT": str(root)})
    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    assert "claim_verdict" in out.stdout and "PC202" in out.stdout
