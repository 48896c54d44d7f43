"""Net Promoter Score: from 0-10 answers (weighted, raked) or from published shares.

0-6 detractors, 7-8 passives, 9-10 promoters; "don't know" is not part of the base.
NPS = % promoters - % detractors, in points: the mean of the recode -100 / 0 / +100, so its
SE comes from the covariance of the three shares (the same linearization as any mean).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .estimates import Design, EstimateError, _by_levels, _check_ci, _domain_mask, _interval, domain_difference, share_cov

GROUPS = ("Kritikere", "Passive", "Promotører")  # detractors, passives, promoters
CONTRAST = np.array([-100.0, 0.0, 100.0])


def nps_groups(scores: pd.Series) -> pd.Series:
    """Recode 0-10 answers to 0 = detractor, 1 = passive, 2 = promoter (NaN stays NaN = don't know)."""
    s = pd.to_numeric(scores, errors="coerce")
    bad = scores.notna() & (s.isna() | (s < 0) | (s > 10) | (s != np.floor(s)))
    if bad.any():
        rows = list(scores.index[bad.to_numpy()][:5])
        raise EstimateError(f"NPS answers must be whole numbers 0-10 (or missing for don't know); "
                            f"{scores.name!r} has {scores[bad].unique()[:5].tolist()} in rows {rows}")
    return pd.Series(np.select([s <= 6, s <= 8, s <= 10], [0, 1, 2], default=-1), index=scores.index
                     ).where(s.notna())


def nps(d: Design, question: str, *, domain=None, by: str | None = None, level: float | None = None) -> pd.DataFrame:
    """NPS in points with shares of the three groups, raked SE and a t-based CI, by subgroup.

    The interval is NPS -/+ t(level, n_domain - 1) * SE, the domain's degrees of freedom (as R's
    ``confint(svymean(...), df = degf(subset(design, ...)))``), cut to [-100, 100]; the level comes
    from settings.yml unless given.
    """
    level, _ = _interval(level, "logit")
    _check_ci(level, "logit")
    base = _domain_mask(d, domain)
    groups = nps_groups(d.data[question])
    answered = groups.notna().to_numpy()
    rows = []
    for lev, m in _by_levels(d, by):
        mask = base & m & answered
        codes = np.where(mask, groups.fillna(-1).to_numpy().astype(np.int64), -1)
        if not mask.any():
            raise EstimateError(f"NPS of {question!r}: no answers in the base"
                                + ("" if by is None else f" for {by} = {lev!r}"))
        p, cov, info = share_cov(d, codes, 3)
        est = float(CONTRAST @ p)
        se = float(np.sqrt(max(CONTRAST @ cov @ CONTRAST, 0.0)))
        q = stats.t.ppf(0.5 + level / 2, info["df"])
        row = {} if by is None else {by: lev}
        row.update(nps=est, se=se, ci_low=max(-100.0, est - q * se), ci_high=min(100.0, est + q * se),
                   detractors=100 * p[0], passives=100 * p[1], promoters=100 * p[2], n=info["n"],
                   n_weighted=info["n_weighted"], n_eff=info["n_eff"])
        rows.append(row)
    return pd.DataFrame(rows)


def nps_domain_difference(d: Design, question: str, domain_a, domain_b="rest", *, domain=None,
                          level: float | None = None) -> pd.Series:
    """NPS of domain a minus NPS of domain b (a mask, "rest" or "total") within one survey, in points.

    Linearised covariance of the raked design (``estimates.domain_difference`` on the recode
    -100 / 0 / +100); "don't know" is outside the base.
    """
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    groups = nps_groups(d.data[question])
    base = _domain_mask(d, domain) & groups.notna().to_numpy()
    y = CONTRAST[groups.fillna(0).to_numpy().astype(np.int64)]
    return domain_difference(d, y, domain_a, domain_b, base=base, level=level)


def nps_from_shares(promoters: float, detractors: float, n: float, deff: float = 1.0,
                    level: float | None = None) -> dict:
    """NPS, SE and CI from published % promoters and % detractors and a base (effective n = n / deff)."""
    level, _ = _interval(level, "logit")
    _check_ci(level, "logit")
    if not (0 <= promoters <= 100 and 0 <= detractors <= 100 and promoters + detractors <= 100.5):
        raise EstimateError(f"promoters {promoters} and detractors {detractors} must be percents summing to <= 100")
    if n <= 0:
        raise EstimateError(f"base n must be positive, got {n}")
    pp, pd_ = promoters / 100, detractors / 100
    score = 100 * (pp - pd_)
    var = (pp + pd_ - (pp - pd_) ** 2) / (n / deff)
    se = 100 * float(np.sqrt(max(var, 0.0)))
    z = stats.norm.ppf(0.5 + level / 2)
    return {"nps": score, "se": se, "ci_low": max(-100.0, score - z * se), "ci_high": min(100.0, score + z * se),
            "n": n, "deff": deff}


def nps_difference(a: dict, b: dict) -> dict:
    """Wald z test of b['nps'] - a['nps'] for independent samples (two waves; within one survey
    use nps_domain_difference)."""
    diff = b["nps"] - a["nps"]
    se = float(np.hypot(a["se"], b["se"]))
    z = diff / se if se > 0 else np.nan
    return {"difference": diff, "se": se, "z": z, "p_value": float(2 * stats.norm.sf(abs(z)))}
