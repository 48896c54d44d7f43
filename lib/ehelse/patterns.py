"""Subgroup patterns of one survey wave, as the patterns chapter shows them: a net by group (each group
tested against all respondents), Rao–Scott tests of the net's association with each breakdown, and a
design-based logistic regression whose odds ratios hold the other breakdowns equal.

All tests are within one survey (the raked design's covariance); tables come back in percent with a
base column, so that the book's suppression rule applies on real microdata.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from . import disclosure, findings
from .estimates import Design, adjust_pvalues, net_indicator, subgroup_nets
from .models import logistic, rao_scott


def breakdown(d: Design, question: str, members: Sequence, by: Sequence[str], labels: Mapping[str, str], *,
              domain=None) -> pd.DataFrame:
    """A net by each breakdown (percent), with its test against all respondents and the decision, protected."""
    t = subgroup_nets(d, question, members, by, domain=domain)
    pct = {c: 100 * t[c] for c in ("estimate", "ci_low", "ci_high", "vs_total", "vs_total_se")}
    t = t.assign(variable=t["variable"].map(labels), **pct)
    t["significant"] = [findings.decision(r) for _, r in t.iterrows()]
    return disclosure.protect(t)


def associations(d: Design, question: str, members: Sequence, by: Sequence[str], labels: Mapping[str, str], *,
                 domain=None) -> pd.DataFrame:
    """Rao–Scott F test (R svychisq) of the net (member or not) against each breakdown; p adjusted over the table."""
    y, base = net_indicator(d, question, members, domain=domain)
    net = np.where(y > 0, "net", "rest").astype(object)
    dn = Design(data=d.data.assign(_net=np.where(base, net, None)), weights=d.weights, rake_vars=d.rake_vars)
    rows = [rao_scott(dn, "_net", v, domain=base).query("method == 'F'").assign(variable=labels[v]) for v in by]
    out = pd.concat(rows, ignore_index=True)[["variable", "statistic", "ndf", "ddf", "p_value", "n"]]
    out["p_adjusted"] = adjust_pvalues(out["p_value"])
    out["significant"] = [findings.decision(r) for _, r in out.iterrows()]
    return disclosure.exempt(out, "tests on whole breakdowns, no cell values")


def odds_ratios(d: Design, outcome: str, predictors: Sequence[str], *, positive, domain=None,
                min_base: float | None = None) -> pd.DataFrame:
    """Odds ratios of a design-based logistic regression (models.logistic, intercept dropped); levels with fewer
    than min_base respondents in the domain are left out of the fit and returned as suppressed rows."""
    from .estimates import _domain_mask
    from .settings import load

    min_base = float(load()["min_base"] if min_base is None else min_base)
    mask = _domain_mask(d, domain)
    small = []
    for v in predictors:
        counts = d.data.loc[mask, v].value_counts()
        for lev, k in counts.items():
            if 0 < k < min_base:
                small.append({"variable": v, "level": str(lev), "n_level": int(k)})
                mask = mask & (d.data[v] != lev).to_numpy()
    fit = logistic(d, f"{outcome} ~ {' + '.join(predictors)}", positive=positive, domain=mask)
    out = fit[fit["term"] != "(Intercept)"].copy()
    gone = pd.DataFrame(small, columns=["variable", "level", "n_level"]).assign(n_eff=np.nan)
    out = pd.concat([out, gone], ignore_index=True)
    out["flag"] = np.where(out["n_eff"].isna() | (out["n_eff"] < min_base),
                           f"suppressed: base < {min_base:g}, left out of the model", "")
    out["reference"] = [_reference(d, v, mask) for v in out["variable"]]
    keep = ["variable", "level", "reference", "odds_ratio", "or_low", "or_high", "p_value", "n_level", "n_eff",
            "flag"]
    return disclosure.protect(out[keep].rename(columns={"n_level": "n"}))


def _reference(d: Design, v: str, mask: np.ndarray) -> str:
    col = d.data[v]
    present = set(col[mask].unique())
    levels = [c for c in col.cat.categories if c in present] if isinstance(col.dtype, pd.CategoricalDtype) \
        else sorted(present)
    return str(levels[0])


def compare_levels(d: Design, question: str, members: Sequence, variable: str, level_a, level_b, *,
                   domain=None) -> pd.Series:
    """Two groups of one breakdown compared on a net with the within-survey covariance (domain_difference),
    with each group's effective base (n_eff_a, n_eff_b) for the small-base rule."""
    from .estimates import domain_difference

    y, base = net_indicator(d, question, members, domain=domain)
    col = d.data[variable]
    for lev in (level_a, level_b):
        if lev not in set(col.unique()):
            raise ValueError(f"compare_levels: {variable!r} has no level {lev!r}")
    a, b = (col == level_a).to_numpy(), (col == level_b).to_numpy()
    if not (a & base).any() or not (b & base).any():
        return pd.Series({"n_a": int((a & base).sum()), "n_b": int((b & base).sum()), "n_eff_a": 0.0,
                          "n_eff_b": 0.0, "p_value": np.nan})
    res = domain_difference(d, y, a, b, base=base)
    kish = [(w.sum() ** 2 / (w ** 2).sum()) for w in (d.weights[a & base], d.weights[b & base])]
    return pd.concat([res, pd.Series({"n_eff_a": kish[0], "n_eff_b": kish[1]})])
