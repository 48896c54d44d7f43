"""Verdicts on the reports' claims, computed from the printed numbers.

A claim holds when the number the report prints for the measure lies in the range its words
allow (a level), moves the way it says (a change), or orders the groups as it says (a
comparison). "Stable" and "similar" hold when the difference is within STABLE_POINTS
percentage points; every change and comparison also gets a test (published shares, printed
bases, the assumed design effect of settings.yml) so a reader sees which claims the sampling
error supports; comparisons within one sample (two statements, same respondents) and counts
get no test. A claim checked against a number printed on its own line (a headline that prints
the chart's value, and that value is all the text gives) only shows the sentence agrees with
itself: its verdict is "consistency check only", found from the data (same source_line), not
listed by hand. Where the report text lost a chart's numbers, claims are checked against the
publisher's numbers for that chart (column `numbers` says which). Claims whose numbers are not in the source are "not checkable".
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .data import claims as load_claims
from .data import parse_measure, values
from .estimates import published_change_test
from .settings import load

STABLE_POINTS = 2.0  # |difference| up to this many points counts as "stable" / "similar"
HOLDS, FAILS, NOT_CHECKABLE = "holds", "does not hold", "not checkable"
CONSISTENCY = "consistency check only"  # the value checked stands on the claim's own line: it cannot confirm it


def checkable_values() -> pd.DataFrame:
    """The report's numbers, plus the publisher's for charts whose numbers the report text lost."""
    from .data import publisher_values

    v, p = values(), publisher_values()
    p = p[~p["figure_id"].isin(set(v["figure_id"]))]
    return pd.concat([v.assign(numbers="report text"), p.assign(numbers="publisher's pages")], ignore_index=True)


def measure_value(m: dict, year: int, vals: pd.DataFrame) -> tuple[float, float | None]:
    """Sum of the measure's categories in one year, and the base printed for it (None if not printed)."""
    sel = vals[(vals["figure_id"] == m["figure_id"]) & (vals["population"] == m["population"])
               & (vals["year"] == year) & (vals["item"] == m["item"]) & vals["category"].isin(m["categories"])]
    if len(sel) != len(m["categories"]):
        raise KeyError(f"measure {m} has {len(sel)} of {len(m['categories'])} values in {year}")
    if not (sel["unit"] == "percent").all():  # counts, log data: no sampling test
        return float(sel["value"].sum()), None
    return float(sel["value"].sum()), _base(m, year)


def _base(m: dict, year: int) -> float | None:
    """The base the figure uses for this bar (printed, repeated from another chart, or all interviews)."""
    from .figures import table

    t = table(m["figure_id"])
    b = t[(t["population"] == m["population"]) & (t["year"] == year) & (t["item"] == m["item"])]["base"].dropna()
    return float(b.max()) if len(b) else None


def _test(a: float, na: float | None, b: float, nb: float | None, deff_a: float, deff_b: float) -> float:
    if na is None or nb is None:
        return np.nan
    return float(published_change_test(a, na, b, nb, deff_a, deff_b)["p_value"].iloc[0])


def value_lines(m: dict, vals: pd.DataFrame) -> set[int]:
    """Report lines of the values a measure sums (all its years); publisher numbers have none."""
    sel = vals[(vals["figure_id"] == m["figure_id"]) & (vals["population"] == m["population"])
               & vals["year"].isin(m["years"]) & (vals["item"] == m["item"]) & vals["category"].isin(m["categories"])]
    return {int(x) for x in sel["source_line"].dropna()}


def self_checked(claim: pd.Series, vals: pd.DataFrame) -> bool:
    """True when a value the claim is checked against stands on the claim's own source line."""
    if pd.isna(claim.get("source_line", np.nan)) or "report" not in claim:
        return False  # the publisher's word numbers stand on web pages, not on a report line
    lines = set()
    for col in ("measure", "compare_to"):
        m = parse_measure(claim[col]) if claim[col] else None
        if m is not None:
            lines |= value_lines(m, vals[vals["report"] == claim["report"]])
    return int(claim["source_line"]) in lines


def verdict(claim: pd.Series, vals: pd.DataFrame, deff: dict[str, float]) -> dict:
    """Computed value(s) and verdict of one claim ('consistency check only' when checked against its own line)."""
    out = _verdict(claim, vals, deff)
    if out["verdict"] == HOLDS and self_checked(claim, vals):
        out["verdict"] = CONSISTENCY
    return out


def _verdict(claim: pd.Series, vals: pd.DataFrame, deff: dict[str, float]) -> dict:
    out = {"value": np.nan, "compared": np.nan, "difference": np.nan, "p_value": np.nan, "verdict": NOT_CHECKABLE}
    if claim["checkable"] != "yes":
        return out
    m = parse_measure(claim["measure"])
    kind, direction = claim["kind"], claim["direction"]
    if kind == "level":
        v, _ = measure_value(m, m["years"][-1], vals)
        out["value"] = v
        out["verdict"] = HOLDS if claim["low"] - 1e-9 <= v <= claim["high"] + 1e-9 else FAILS
        return out
    if kind == "change":
        if len(m["years"]) != 2:
            raise ValueError(f"{claim['claim_id']}: a change needs YEAR as 'A>B', got {claim['measure']!r}")
        a, na = measure_value(m, m["years"][0], vals)
        b, nb = measure_value(m, m["years"][1], vals)
        d = deff.get(m["population"], 1.0)
        out.update(value=b, compared=a, difference=b - a, p_value=_test(a, na, b, nb, d, d))
    elif kind == "comparison":
        c = parse_measure(claim["compare_to"])
        a, na = measure_value(m, m["years"][-1], vals)
        b, nb = measure_value(c, c["years"][-1], vals)
        if (m["population"], m["years"][-1]) == (c["population"], c["years"][-1]):
            na = nb = None  # the same respondents answer both: an independent-samples test does not apply
        out.update(value=a, compared=b, difference=a - b,
                   p_value=_test(b, nb, a, na, deff.get(c["population"], 1.0), deff.get(m["population"], 1.0)))
    else:
        return out
    d = out["difference"]
    ok = {"up": d > 0, "gt": d > 0, "down": d < 0, "lt": d < 0,
          "stable": abs(d) <= STABLE_POINTS, "similar": abs(d) <= STABLE_POINTS}.get(direction)
    if ok is None:
        raise ValueError(f"{claim['claim_id']}: kind {kind!r} needs a direction, got {direction!r}")
    if kind == "level" or not np.isnan(out["value"]):
        out["verdict"] = HOLDS if ok else FAILS
    # a printed level alongside the change ("økte til 72 %") must also be within its range
    if out["verdict"] == HOLDS and not pd.isna(claim["low"]):
        if not (claim["low"] - 1e-9 <= out["value"] <= claim["high"] + 1e-9):
            out["verdict"] = FAILS
    return out


def _numbers_of(claim: pd.Series, vals: pd.DataFrame) -> str:
    m = parse_measure(claim["measure"]) if claim["checkable"] == "yes" else None
    if m is None:
        return ""
    return ", ".join(sorted(set(vals.loc[vals["figure_id"] == m["figure_id"], "numbers"])))


def verdicts(report: str | None = None) -> pd.DataFrame:
    """Every claim with its computed value(s), difference, test p-value and verdict."""
    c = load_claims()
    if report is not None:
        c = c[c["report"] == report]
    vals = checkable_values()
    deff = load()["published_deff"]
    rows = [{**r.to_dict(), **verdict(r, vals, deff), "numbers": _numbers_of(r, vals)} for _, r in c.iterrows()]
    out = pd.DataFrame(rows)
    out["significant"] = np.where(out["p_value"].isna(), "", np.where(out["p_value"] < 0.05, "yes", "no"))
    return out


def publisher_verdicts() -> pd.DataFrame:
    """Verdicts on the publisher pages' word numbers ('4 av 10'), checked against the report's values, or the
    publisher's own numbers where the report has none (a later wave's word number against that wave's page)."""
    from .data import VALUE_KEY, publisher_claims, publisher_values

    c = publisher_claims()
    v, p = values(), publisher_values()
    p = p[p.merge(v[VALUE_KEY], on=VALUE_KEY, how="left", indicator=True)["_merge"].eq("left_only").to_numpy()]
    vals = pd.concat([v, p], ignore_index=True)
    deff = load()["published_deff"]
    return pd.DataFrame([{**r.to_dict(), **verdict(r, vals, deff)} for _, r in c.iterrows()])


def summary(v: pd.DataFrame) -> pd.DataFrame:
    """Count of verdicts per report."""
    return v.pivot_table(index="report", columns="verdict", values="claim_id", aggfunc="size", fill_value=0)
