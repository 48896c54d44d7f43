"""Replicate-weight variance (jackknife JK1 and bootstrap), raking redone in every replicate.

The alternative to linearisation that R's ``survey`` offers with ``as.svrepdesign`` and then
``rake()`` on the replicate design (which re-rakes every replicate to the population margins):

* JK1: replicate r leaves out one PSU (here one respondent, or one of ``groups`` seeded random
  groups of respondents) and multiplies the others by G/(G-1); scale (G-1)/G
  (``survey:::jk1weights``).
* bootstrap: replicate r counts how often each respondent is drawn in n draws with
  replacement (``survey:::bootweights``, Canty–Davison); scale n / ((n-1)(R-1)). R's draws
  are random; the formula is the same, the seeded draws here are numpy's.

Var = scale * sum_r rscale_r (theta_r - mean theta)^2, centred at the mean of the replicates
(R's default ``survey.replicates.mse = FALSE``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .estimates import _interval, Design, EstimateError, _answer_codes, _by_levels, _domain_mask, proportion_ci
from .weighting import RakeResult, _normalise_margins

MAX_CELLS = 200_000_000  # n x replicates held in memory (1.6 GB of float64): beyond, use groups
KINDS = ("jk1", "bootstrap")


@dataclass(frozen=True)
class ReplicateDesign:
    """A design with replicate weights (respondents x replicates), each replicate raked again."""

    design: Design
    weights: np.ndarray
    scale: float
    rscales: np.ndarray
    kind: str
    reraked: bool
    mse: bool = False

    @property
    def replicates(self) -> int:
        """Number of replicates."""
        return self.weights.shape[1]

    @property
    def df(self) -> int:
        """Degrees of freedom for intervals: replicates - 1 (R's degf, the rank of the weights - 1)."""
        return min(self.replicates, self.design.n) - 1


def _check_size(n: int, replicates: int) -> None:
    if n * replicates > MAX_CELLS:
        raise EstimateError(f"{n} respondents x {replicates} replicates is too large to hold; "
                            "use groups=<number of JK1 groups> or fewer bootstrap replicates")


def jk1_multipliers(n: int, groups: int | Sequence | np.ndarray | None = None, *, seed: int = 1
                    ) -> tuple[np.ndarray, float]:
    """JK1 replicate multipliers (n x G) and scale: delete one respondent, or one group (seeded random if an int)."""
    if groups is None:
        g = np.arange(n)
    elif isinstance(groups, (int, np.integer)):
        if not 2 <= groups <= n:
            raise EstimateError(f"groups must be between 2 and the {n} respondents, got {groups}")
        g = np.random.default_rng(seed).permutation(np.arange(n) % int(groups))
    else:
        labels = pd.Series(np.asarray(groups))
        if len(labels) != n or labels.isna().any():
            raise EstimateError(f"groups must give a group for each of the {n} respondents (no missing)")
        g = pd.factorize(labels)[0]
    k = int(g.max()) + 1
    if k < 2:
        raise EstimateError("JK1 needs at least two groups")
    _check_size(n, k)
    mult = np.full((n, k), k / (k - 1))
    mult[np.arange(n), g] = 0.0
    return mult, (k - 1) / k


def bootstrap_multipliers(n: int, replicates: int = 50, *, seed: int = 1) -> tuple[np.ndarray, float]:
    """Bootstrap multipliers (n x R, how often each respondent is drawn in n draws) and R's scale n/((n-1)(R-1))."""
    if replicates < 2:
        raise EstimateError(f"replicates must be at least 2, got {replicates}")
    _check_size(n, replicates)
    rng = np.random.default_rng(seed)
    mult = rng.multinomial(n, np.full(n, 1 / n), size=replicates).T.astype(float)
    return mult, n / ((n - 1) * (replicates - 1))


def rerake(data: pd.DataFrame, margins, base: np.ndarray, *, tol: float = 1e-12, max_iter: int = 1000) -> np.ndarray:
    """Rake every column of base weights (n x R) to the margins (iterative proportional fitting, all columns at once)."""
    m = _normalise_margins(margins.margins if isinstance(margins, RakeResult) else margins)
    n = len(data)
    base = np.asarray(base, dtype=float)
    if base.ndim != 2 or base.shape[0] != n:
        raise EstimateError(f"replicate base weights must be {n} x replicates, got {base.shape}")
    joint = np.zeros(n, dtype=np.int64)
    codes = []
    for var, targ in m.items():
        if var not in data.columns:
            raise EstimateError(f"weighting variable {var!r} is not a column of the data")
        c = pd.Categorical(data[var], categories=targ.index).codes.astype(np.int64)
        if (c < 0).any():
            i = int(np.flatnonzero(c < 0)[0])
            raise EstimateError(f"weighting variable {var!r}: value {data[var].iloc[i]!r} (row {data.index[i]!r}) "
                                f"has no population target")
        codes.append(c)
        joint = joint * len(targ) + c
    cells, inverse = np.unique(joint, return_inverse=True)
    onehot = sparse.csr_matrix((np.ones(n), (inverse, np.arange(n))), shape=(len(cells), n))
    cell_b = np.asarray(onehot @ base)
    cell_cat = [c[np.unique(inverse, return_index=True)[1]] for c in codes]
    targets = [t.to_numpy(float) for t in m.values()]
    g = np.ones_like(cell_b)
    for _ in range(max_iter):
        for var, cc, tg in zip(m, cell_cat, targets):
            tot = np.zeros((len(tg), cell_b.shape[1]))
            np.add.at(tot, cc, cell_b * g)
            if (tot <= 0).any():
                j, r = map(int, np.argwhere(tot <= 0)[0])
                raise EstimateError(f"replicate {r + 1} has no respondent in {var!r} = {m[var].index[j]!r}, so it "
                                    "cannot be raked; use fewer, larger JK1 groups or merge the category")
            g *= (tg[:, None] / tot)[cc]
        worst = 0.0
        for cc, tg in zip(cell_cat, targets):
            tot = np.zeros((len(tg), cell_b.shape[1]))
            np.add.at(tot, cc, cell_b * g)
            worst = max(worst, float((np.abs(tot - tg[:, None]) / (1 + tg[:, None])).max()))
        if worst < tol:
            return base * g[inverse]
    raise EstimateError(f"raking of the replicates did not converge in {max_iter} iterations "
                        f"(largest relative margin error {worst:.2e} > tol {tol:g})")


def replicate_weights(d: Design, kind: str = "jk1", *, raking: RakeResult | Mapping | pd.DataFrame | None = None,
                      base_weights: pd.Series | np.ndarray | None = None, groups=None, replicates: int = 50,
                      seed: int = 1, multipliers: np.ndarray | None = None, tol: float = 1e-12,
                      max_iter: int = 1000) -> ReplicateDesign:
    """Replicate weights for a design (JK1 or bootstrap), raked again in every replicate when the design is raked.

    ``raking`` (the RakeResult or the margins that made the design's weights) is required for a
    raked design; ``base_weights`` are the weights before raking (default equal). The full-sample
    raking of the base weights must reproduce the design's weights. ``multipliers`` (n x R)
    replaces the drawn replicates, e.g. with R's ``weights(as.svrepdesign(...), "replication")``.
    """
    if kind not in KINDS:
        raise EstimateError(f"kind must be one of {KINDS}, not {kind!r}")
    n = d.n
    if d.rake_vars and raking is None:
        raise EstimateError(f"the design is raked on {list(d.rake_vars)}: pass raking= (the RakeResult or margins) "
                            "so that raking is redone in every replicate")
    if isinstance(raking, RakeResult) and raking.bounds is not None:
        raise EstimateError("replicate weights for bounded raking are not implemented; use linearisation")
    base = np.ones(n) if base_weights is None else np.asarray(base_weights, dtype=float)
    if base.shape != (n,) or not (base > 0).all():
        raise EstimateError(f"base_weights must be {n} positive numbers")
    if multipliers is None:
        if kind == "jk1":
            mult, scale = jk1_multipliers(n, groups, seed=seed)
        else:
            mult, scale = bootstrap_multipliers(n, replicates, seed=seed)
    else:
        mult = np.asarray(multipliers, dtype=float)
        if mult.ndim != 2 or mult.shape[0] != n or mult.shape[1] < 2 or (mult < 0).any():
            raise EstimateError(f"multipliers must be a non-negative {n} x replicates matrix, got {mult.shape}")
        k = mult.shape[1]
        _check_size(n, k)
        scale = (k - 1) / k if kind == "jk1" else n / ((n - 1) * (k - 1))
    if raking is None:
        w = base[:, None] * mult * (d.weights / base)[:, None]
        return ReplicateDesign(d, w, float(scale), np.ones(mult.shape[1]), kind, reraked=False)
    full = rerake(d.data, raking, base[:, None], tol=tol, max_iter=max_iter)[:, 0]
    rel = np.max(np.abs(full / d.weights - 1))
    if rel > 1e-6:
        raise EstimateError(f"raking the base weights reproduces the design's weights only to {rel:.2e} (relative): "
                            "pass the base_weights and margins the design was raked with")
    w = rerake(d.data, raking, base[:, None] * mult, tol=tol, max_iter=max_iter)
    return ReplicateDesign(d, w, float(scale), np.ones(mult.shape[1]), kind, reraked=True)


def replicate_variance(thetas: np.ndarray, estimate: np.ndarray, scale: float, rscales: np.ndarray,
                       mse: bool = False) -> np.ndarray:
    """Covariance from replicate estimates (R x k) as R's svrVar: centred at their mean, or at the estimate if mse."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float).T).T
    centre = np.asarray(estimate, dtype=float) if mse else thetas[rscales > 0].mean(axis=0)
    dev = (thetas - centre) * np.sqrt(rscales)[:, None]
    return scale * dev.T @ dev


def _means(rd: ReplicateDesign, Y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full-sample and replicate weighted means of the columns of Y over the domain, and their covariance."""
    Ym = Y * mask[:, None]
    full = (rd.design.weights @ Ym) / rd.design.weights[mask].sum()
    den = mask.astype(float) @ rd.weights
    if (den <= 0).any():
        r = int(np.flatnonzero(den <= 0)[0])
        raise EstimateError(f"replicate {r + 1} has no respondent in the domain; use larger JK1 groups")
    thetas = (Ym.T @ rd.weights / den).T
    return full, thetas, replicate_variance(thetas, full, rd.scale, rd.rscales, rd.mse)


def replicate_se(rd: ReplicateDesign, y, *, domain=None) -> pd.DataFrame:
    """Weighted mean and replicate SE of numeric column(s) (a column name, array or frame) over a domain."""
    mask = _domain_mask(rd.design, domain)
    if isinstance(y, str):
        if y not in rd.design.data.columns:
            raise EstimateError(f"variable {y!r} is not a column of the data")
        names, Y = [y], rd.design.data[[y]].to_numpy(float)
    elif isinstance(y, pd.DataFrame):
        names, Y = list(y.columns), y.to_numpy(float)
    else:
        Y = np.asarray(y, dtype=float)
        Y = Y[:, None] if Y.ndim == 1 else Y
        names = list(range(Y.shape[1]))
    if Y.shape[0] != rd.design.n:
        raise EstimateError(f"{Y.shape[0]} values for {rd.design.n} respondents")
    na = np.isnan(Y).any(axis=1) & mask
    if na.any():
        raise EstimateError(f"{int(na.sum())} respondent(s) in the domain have no value (rows "
                            f"{list(rd.design.data.index[na][:5])}); restrict the domain")
    full, _, cov = _means(rd, np.nan_to_num(Y), mask)
    return pd.DataFrame({"variable": names, "estimate": full, "se": np.sqrt(np.clip(np.diag(cov), 0, None)),
                         "n": int(mask.sum()), "replicates": rd.replicates})


def replicate_shares(rd: ReplicateDesign, question: str, *, categories: Sequence | None = None,
                     exclude: Iterable = (), domain=None, by: str | None = None, level: float | None = None
                     ) -> pd.DataFrame:
    """Weighted share of each answer with replicate SE and logit CI (df = replicates - 1), by subgroup."""
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    base = _domain_mask(rd.design, domain)
    rows = []
    for lev, m in _by_levels(rd.design, by):
        codes, keep = _answer_codes(rd.design, question, categories, exclude, base & m)
        inside = codes >= 0
        Y = (codes[:, None] == np.arange(len(keep))[None, :]).astype(float)
        p, _, cov = _means(rd, Y, inside)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        lo, hi = proportion_ci(p, se, rd.df, level=level)
        for j, cat in enumerate(keep):
            row = {} if by is None else {by: lev}
            row.update(category=cat, estimate=p[j], se=se[j], ci_low=lo[j], ci_high=hi[j], n=int(inside.sum()),
                       replicates=rd.replicates, method=rd.kind)
            rows.append(row)
    return pd.DataFrame(rows)


def replicate_nets(rd: ReplicateDesign, question: str, groups: Mapping[str, Sequence], *,
                   categories: Sequence | None = None, exclude: Iterable = (), domain=None, by: str | None = None,
                   level: float | None = None) -> pd.DataFrame:
    """Nets (e.g. top-2 box) with replicate SE and logit CI, by subgroup."""
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    base = _domain_mask(rd.design, domain)
    rows = []
    for lev, m in _by_levels(rd.design, by):
        codes, keep = _answer_codes(rd.design, question, categories, exclude, base & m)
        inside = codes >= 0
        for name, members in groups.items():
            unknown = [c for c in members if c not in keep]
            if unknown:
                raise EstimateError(f"net {name!r}: categories {unknown} are not in the base {keep}")
            y = np.isin(codes, [keep.index(c) for c in members]).astype(float)
            p, _, cov = _means(rd, y[:, None], inside)
            se = float(np.sqrt(max(cov[0, 0], 0.0)))
            lo, hi = proportion_ci(p[0], se, rd.df, level=level)
            row = {} if by is None else {by: lev}
            row.update(net=name, estimate=float(p[0]), se=se, ci_low=float(lo), ci_high=float(hi),
                       n=int(inside.sum()), replicates=rd.replicates, method=rd.kind)
            rows.append(row)
    return pd.DataFrame(rows)


def replicate_nps(rd: ReplicateDesign, question: str, *, domain=None, by: str | None = None,
                  level: float | None = None) -> pd.DataFrame:
    """NPS in points (mean of the -100/0/+100 recode, don't know excluded) with replicate SE and t CI, by subgroup."""
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    from .nps import CONTRAST, nps_groups

    base = _domain_mask(rd.design, domain)
    groups = nps_groups(rd.design.data[question])
    answered = groups.notna().to_numpy()
    score = CONTRAST[groups.fillna(0).to_numpy().astype(int)]
    rows = []
    for lev, m in _by_levels(rd.design, by):
        mask = base & m & answered
        if not mask.any():
            raise EstimateError(f"NPS of {question!r}: no answers in the base"
                                + ("" if by is None else f" for {by} = {lev!r}"))
        est, _, cov = _means(rd, score[:, None], mask)
        se = float(np.sqrt(max(cov[0, 0], 0.0)))
        q = stats.t.ppf(0.5 + level / 2, rd.df)
        row = {} if by is None else {by: lev}
        row.update(nps=float(est[0]), se=se, ci_low=max(-100.0, est[0] - q * se), ci_high=min(100.0, est[0] + q * se),
                   n=int(mask.sum()), replicates=rd.replicates, method=rd.kind)
        rows.append(row)
    return pd.DataFrame(rows)
