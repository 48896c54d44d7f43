"""Replication summary: claims and verdicts, contradictions, charts reproduced, microdata agreement.

    python -m ehelse.replicate            # print the summary; exit 1 if anything differs from
                                          # the committed expectation (data/replication/expected.csv)
    python -m ehelse.replicate --update   # accept the current results as the new expectation

Every verdict, every computed claim value, which charts are drawn and the coverage of the
synthetic recovery check are compared, so a data or library change that flips a verdict or
moves a reproduced number cannot pass unnoticed.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from . import DATA, waves
from .data import inventory, source_issues, unplaced, wave_margins

EXPECTED = DATA / "replication" / "expected.csv"


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.4f}"
    return str(x)


def results() -> pd.DataFrame:
    """Every checked quantity as (kind, key, value) strings."""
    from . import claims, figures, microdata

    rows = []
    v = claims.verdicts()
    for r in v.itertuples():
        rows.append(("claim_verdict", r.claim_id, r.verdict))
        rows.append(("claim_value", r.claim_id, _fmt(r.value)))
        if not pd.isna(r.compared):
            rows.append(("claim_compared", r.claim_id, _fmt(r.compared)))
    for r in claims.publisher_verdicts().itertuples():
        rows.append(("publisher_claim_verdict", r.claim_id, r.verdict))
    inv = inventory()
    for fid in inv.loc[inv["chart_type"] != "text", "figure_id"]:
        rows.append(("chart_source", fid, figures.source_of(fid) or "missing"))
    for r in source_issues().itertuples():
        rows.append(("contradiction", r.issue_id, r.kind))
    for r in unplaced().itertuples():
        rows.append(("unplaced_number", f"{r.report}:{r.source_line}", r.kind))
    cit, synthetic = microdata.respondents("citizens")
    if synthetic:
        rec = pd.concat([microdata.recovery(cit, waves.report_of("citizens", y), "citizens", y,
                                            wave_margins("citizens", y) if waves.weighted("citizens", y) else None)
                         for y in sorted(cit["year"].unique())])
        rows.append(("synthetic_coverage", "citizens", _fmt(rec["covered"].mean())))
        per, _ = microdata.respondents("personnel")
        recp = pd.concat([microdata.recovery(per, waves.report_of("personnel", y), "personnel", y, None)
                          for y in sorted(per["year"].unique())])
        rows.append(("synthetic_coverage", "personnel", _fmt(recp["covered"].mean())))
    return pd.DataFrame(rows, columns=["kind", "key", "value"])


def summary(res: pd.DataFrame) -> str:
    """The terminal summary."""
    from . import claims

    v = claims.verdicts()
    lines = ["Claims and verdicts (holds / does not hold / consistency check only / not checkable):"]
    for rep, g in v.groupby("report"):
        c = g["verdict"].value_counts()
        lines.append(f"  {rep}: {len(g)} claims: {c.get('holds', 0)} hold, {c.get('does not hold', 0)} do not hold, "
                     f"{c.get(claims.CONSISTENCY, 0)} consistency checks only (checked against their own line), "
                     f"{c.get('not checkable', 0)} not checkable")
    for r in v[v["verdict"] == "does not hold"].itertuples():
        lines.append(f"    {r.claim_id} ({r.figure_id}) {r.printed or r.direction}: computed {r.value:g}"
                     + (f" vs {r.compared:g}" if not pd.isna(r.compared) else "") + f" — {r.text_no[:70]}")
    pv = claims.publisher_verdicts()
    c = pv["verdict"].value_counts()
    lines.append(f"  publisher pages' word numbers: {len(pv)} claims: {c.get('holds', 0)} hold, "
                 f"{c.get('does not hold', 0)} do not hold, {c.get('not checkable', 0)} not checkable")
    charts = res[res["kind"] == "chart_source"]
    inv = inventory().set_index("figure_id")
    lines.append("Charts reproduced of those inventoried:")
    for rep, g in charts.groupby(charts["key"].map(inv["report"])):
        drawn = (g["value"] != "missing").sum()
        pub = (g["value"] == "publisher's web page").sum()
        lines.append(f"  {rep}: {drawn} of {len(g)} drawn ({pub} from the publisher's pages), "
                     f"{len(g) - drawn} with numbers not in the sources")
    iss = source_issues()
    lines.append(f"Contradictions recorded: {len(iss)} ({', '.join(f'{k} {n}' for k, n in iss['kind'].value_counts().items())})")
    up = unplaced()
    lines.append(f"Lone numbers of the texts not used as results: {len(up)} "
                 f"({', '.join(f'{k} {n}' for k, n in up['kind'].value_counts().items())}); see unplaced.csv")
    cov = res[res["kind"] == "synthetic_coverage"]
    for r in cov.itertuples():
        lines.append(f"Synthetic {r.key}: 95 % intervals contain the published share in {100 * float(r.value):.1f} % of cases")
    return "\n".join(lines)


def compare(res: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Rows whose value differs from, or is missing in, the expectation."""
    m = res.merge(expected, on=["kind", "key"], how="outer", suffixes=("", "_expected"), indicator=True)
    m = m.fillna({"value": "<absent>", "value_expected": "<absent>"})
    return m[m["value"].astype(str) != m["value_expected"].astype(str)][["kind", "key", "value_expected", "value"]]


def main(argv: list[str] | None = None) -> int:
    """Command line: print the summary, compare with or update the expectation."""
    ap = argparse.ArgumentParser(prog="python -m ehelse.replicate", description=__doc__.split("\n")[0])
    ap.add_argument("--update", action="store_true", help="write the current results as the expectation")
    a = ap.parse_args(argv)
    res = results()
    print(summary(res))
    if a.update:
        EXPECTED.parent.mkdir(parents=True, exist_ok=True)
        res.to_csv(EXPECTED, index=False, lineterminator="\n")
        print(f"wrote {EXPECTED.relative_to(DATA.parent)} ({len(res)} rows)")
        return 0
    if not EXPECTED.exists():
        print(f"no expectation at {EXPECTED}: run with --update to create it")
        return 1
    diff = compare(res, pd.read_csv(EXPECTED, dtype=str, keep_default_na=False))
    if diff.empty:
        print(f"Replication: all {len(res)} checked results equal the committed expectation.")
        return 0
    print(f"Replication: {len(diff)} result(s) differ from the committed expectation:")
    print(diff.to_string(index=False))
    return 1


if __name__ == "__main__":
    sys.exit(main())
