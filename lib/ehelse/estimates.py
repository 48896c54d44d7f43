"""Estimates with uncertainty: weighted shares, nets, tests of change, small-base suppression.

The variance follows R's ``survey`` package for a one-stage design with replacement
(``svydesign(ids = ~1, weights = ~w)``), after ``rake()``: each respondent's influence on
the estimate is adjusted for the raking margins by ten backfitting sweeps that subtract,
within each margin category, the plain mean of influence / weight (``survey:::svyrecvar``),
and Var = n/(n-1) * sum of squared centred influences. Respondents sharing every raking
variable get the same adjustment, so all sums run on (cell x answer) totals: two passes over
the data, whatever n is.

Domains (a filter question, "don't know" excluded from the base, a subgroup) are handled as
R's ``subset()`` of a design: respondents outside the domain stay in the design with zero
influence, which matters for the raking adjustment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .weighting import RakeResult

BACKFIT_SWEEPS = 10  # as survey:::svyrecvar


class EstimateError(ValueError):
    """Raised when an estimate cannot be computed as asked (bad data, empty base, unknown category)."""


@dataclass(frozen=True)
class Design:
    """Respondent data with final weights and the raking variables that made them."""

    data: pd.DataFrame
    weights: np.ndarray
    rake_vars: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Number of respondents in the design."""
        return len(self.data)


def design(data: pd.DataFrame, weights: str | pd.Series | np.ndarray | RakeResult | None = None,
           rake_vars: Sequence[str] = ()) -> Design:
    """Build a design: equal weights if none given; a RakeResult brings its raking variables."""
    if isinstance(weights, RakeResult):
        rake_vars = rake_vars or weights.variables
        weights = weights.weights
    if weights is None:
        w = np.ones(len(data))
    elif isinstance(weights, str):
        if weights not in data.columns:
            raise EstimateError(f"weight column {weights!r} is not in the data")
        w = data[weights].to_numpy(float)
    else:
        w = np.asarray(weights, dtype=float)
    if w.shape != (len(data),):
        raise EstimateError(f"{w.shape[0]} weights for {len(data)} respondents")
    bad = ~(w > 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise EstimateError(f"weight of row {data.index[i]!r} is {float(w[i])!r} ({int(bad.sum())} such rows); "
                            "weights must be positive (respondents left out of weighting must be "
                            "removed from the data explicitly)")
    for v in rake_vars:
        if v not in data.columns:
            raise EstimateError(f"raking variable {v!r} is not in the data")
        if data[v].isna().any():
            raise EstimateError(f"raking variable {v!r} has missing values")
    return Design(data=data, weights=w, rake_vars=tuple(rake_vars))


def _domain_mask(d: Design, domain) -> np.ndarray:
    if domain is None:
        return np.ones(d.n, dtype=bool)
    if isinstance(domain, str):
        raise EstimateError("domain must be a boolean mask (e.g. data['q'].notna()), not a string")
    m = np.asarray(domain)
    if m.dtype != bool or m.shape != (d.n,):
        raise EstimateError(f"domain must be a boolean mask of length {d.n}")
    return m


def _answer_codes(d: Design, question: str, categories: Sequence | None, exclude: Iterable,
                  mask: np.ndarray) -> tuple[np.ndarray, list]:
    """Code answers 0..k-1 inside the domain and -1 outside; errors on missing or unknown answers."""
    if question not in d.data.columns:
        raise EstimateError(f"question {question!r} is not a column of the data")
    col = d.data[question]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return _categorical_answer_codes(d, question, col, categories, exclude, mask)
    na = col.isna().to_numpy() & mask
    if na.any():
        _no_answer_error(d, question, na)
    exclude = list(exclude)
    if categories is None:
        categories = sorted(col[mask].unique().tolist())
    categories = list(categories)
    unknown = pd.Index(col[mask].unique()).difference(pd.Index(categories))
    if len(unknown):
        _unknown_answer_error(d, question, col, unknown, categories, mask)
    keep = [c for c in categories if c not in exclude]
    codes = pd.Categorical(col.where(col.isin(keep)), categories=keep).codes.astype(np.int64)
    codes = np.where(mask, codes, -1)  # excluded categories become -1 as well
    return codes, keep


def _no_answer_error(d: Design, question: str, na: np.ndarray):
    rows = list(d.data.index[na][:5])
    raise EstimateError(f"question {question!r} has no answer for {int(na.sum())} respondent(s) in the "
                        f"domain (rows {rows}); restrict the domain to those asked, e.g. "
                        f"domain=data[{question!r}].notna()")


def _unknown_answer_error(d: Design, question: str, col: pd.Series, unknown, categories: list, mask: np.ndarray):
    rows = list(d.data.index[mask & col.isin(unknown).to_numpy()][:5])
    raise EstimateError(f"question {question!r}: answer {unknown[0]!r} (rows {rows}) is not one of the "
                        f"categories {categories}")


def _categorical_answer_codes(d: Design, question: str, col: pd.Series, categories: Sequence | None,
                              exclude: Iterable, mask: np.ndarray) -> tuple[np.ndarray, list]:
    """_answer_codes for a categorical column: the same codes and errors, by lookup on the category codes."""
    raw = col.cat.codes.to_numpy()
    cats = list(col.cat.categories)
    na = (raw < 0) & mask
    if na.any():
        _no_answer_error(d, question, na)
    exclude = list(exclude)
    present = np.bincount(raw[mask].astype(np.int64) + 1, minlength=len(cats) + 1)[1:] > 0
    seen = [c for c, p in zip(cats, present) if p]
    if categories is None:
        categories = sorted(seen)
    categories = list(categories)
    unknown = pd.Index(seen).difference(pd.Index(categories))
    if len(unknown):
        _unknown_answer_error(d, question, col, unknown, categories, mask)
    keep = [c for c in categories if c not in exclude]
    pos = {c: i for i, c in enumerate(keep)}
    lut = np.array([pos.get(c, -1) for c in cats] + [-1], dtype=np.int64)  # last entry: empty (code -1)
    codes = np.where(mask, lut[raw], -1)
    return codes, keep


def _rake_cells(d: Design) -> np.ndarray:
    """Joint raking cell 0..c-1 of every respondent (cells numbered in the order of their joint codes)."""
    return _rake_layout(d)[0]


def _rake_layout(d: Design) -> tuple[np.ndarray, list[np.ndarray]]:
    """Joint raking cell of every respondent and each raking variable's category code of every cell.

    Computed once per design (the design's data are not changed after design()) and kept on it:
    O(n) lookups on the joint codes, no sorting of the respondents.
    """
    cached = d.__dict__.get("_rake_layout_cache")
    if cached is not None:
        return cached
    if not d.rake_vars:
        out = (np.zeros(d.n, dtype=np.int64), [])
    else:
        joint = np.zeros(d.n, dtype=np.int64)
        sizes = []
        for v in d.rake_vars:
            c = pd.Categorical(d.data[v])
            codes = c.codes.astype(np.int64)
            joint = joint * len(c.categories) + codes
            sizes.append(len(c.categories))
        present = np.zeros(int(np.prod(sizes)), dtype=bool)
        present[joint] = True
        used = np.flatnonzero(present)  # joint codes in increasing order, as np.unique
        remap = np.cumsum(present) - 1
        cell = remap[joint]
        margin_of_cell, rest = [], used
        for k in reversed(sizes):
            margin_of_cell.append(rest % k)
            rest = rest // k
        out = (cell, margin_of_cell[::-1])
    object.__setattr__(d, "_rake_layout_cache", out)
    return out


def share_cov(d: Design, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """Weighted shares of codes 0..k-1 (code -1 = outside the domain) and their raked covariance."""
    w = d.weights
    inside = codes >= 0
    n_dom = int(inside.sum())
    if n_dom == 0:
        raise EstimateError("the base is empty: no respondent in the domain")
    a_code = np.where(inside, codes, k)  # k = outside the domain
    cell, margin_of_cell = _rake_layout(d)
    n_cells = int(cell.max()) + 1
    key = cell * (k + 1) + a_code
    size = n_cells * (k + 1)
    N = np.bincount(key, minlength=size).reshape(n_cells, k + 1).astype(float)
    W1 = np.bincount(key, weights=w, minlength=size).reshape(n_cells, k + 1)
    W2 = np.bincount(key, weights=w * w, minlength=size).reshape(n_cells, k + 1)
    WD = W1[:, :k].sum()
    p = W1[:, :k].sum(axis=0) / WD
    U = np.zeros((k + 1, k))
    U[:k] = (np.eye(k) - p) / WD  # influence / weight of an answer a on share j
    adj = np.zeros((n_cells, k))
    if d.rake_vars:
        cell_n = N.sum(axis=1)
        cell_sum = N @ U  # (cells, k): sum of influence/weight in each cell
        for _ in range(BACKFIT_SWEEPS):
            for mc in margin_of_cell:
                resid = cell_sum - cell_n[:, None] * adj
                msum = np.zeros((mc.max() + 1, k))
                np.add.at(msum, mc, resid)
                mcount = np.bincount(mc, weights=cell_n)
                adj = adj + (msum / mcount[:, None])[mc]
    D = U[None, :, :] - adj[:, None, :]  # (cells, answers, k)
    n = d.n
    xbar = np.einsum("ca,caj->j", W1, D) / n
    sxx = np.einsum("ca,caj,cal->jl", W2, D, D)
    cov = n / (n - 1) * (sxx - n * np.outer(xbar, xbar))
    w_in = w[inside]
    info = {"n": n_dom, "n_weighted": float(WD), "n_eff": float(WD ** 2 / (w_in ** 2).sum()),
            "df": n_dom - 1, "n_design": n}
    return p, cov, info


def _margin_of_cells(d: Design, cell: np.ndarray, n_cells: int) -> list[np.ndarray]:
    """Category code, on each raking variable, of every raking cell."""
    return _rake_layout(d)[1]


def linearised_cov(d: Design, z: np.ndarray) -> np.ndarray:
    """Covariance of estimates from their influence values z (n x m), with R's raking adjustment.

    z[i, j] is respondent i's linearised influence on estimate j (zero outside its domain),
    e.g. w_i 1[i in domain] (y_i - mean) / (weight total of the domain) for a domain mean.
    As survey:::svyrecvar after rake(): ten backfitting sweeps subtract, within every margin
    category, w times the plain mean of z / w; then Var = n/(n-1) * crossprod of centred z.
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    if z.shape[0] != d.n:
        raise EstimateError(f"influence values for {z.shape[0]} respondents, the design has {d.n}")
    w = d.weights
    x = z
    if d.rake_vars:
        cell = _rake_cells(d)
        n_cells = int(cell.max()) + 1
        cell_n = np.bincount(cell, minlength=n_cells).astype(float)
        cell_sum = np.stack([np.bincount(cell, weights=z[:, j] / w, minlength=n_cells) for j in range(z.shape[1])],
                            axis=1)
        adj = np.zeros_like(cell_sum)
        for _ in range(BACKFIT_SWEEPS):
            for mc in _margin_of_cells(d, cell, n_cells):
                resid = cell_sum - cell_n[:, None] * adj
                msum = np.zeros((mc.max() + 1, z.shape[1]))
                np.add.at(msum, mc, resid)
                mcount = np.bincount(mc, weights=cell_n)
                adj = adj + (msum / mcount[:, None])[mc]
        x = z - w[:, None] * adj[cell]
    x = x - x.mean(axis=0)
    n = d.n
    return n / (n - 1) * (x.T @ x)


def _domain_values(d: Design, y, mask: np.ndarray, what: str) -> np.ndarray:
    """Numeric values of y (column name or array) with a clear error for missing values in the base."""
    if isinstance(y, str):
        if y not in d.data.columns:
            raise EstimateError(f"variable {y!r} is not a column of the data")
        name, y = y, d.data[y]
    else:
        name = getattr(y, "name", None) or "y"
    v = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").to_numpy(float)
    if v.shape != (d.n,):
        raise EstimateError(f"{what}: {v.shape[0]} values for {d.n} respondents")
    bad = np.isnan(v) & mask
    if bad.any():
        rows = list(d.data.index[bad][:5])
        raise EstimateError(f"{what}: {name!r} is missing or not numeric for {int(bad.sum())} respondent(s) in the "
                            f"base (rows {rows}); restrict the base (base=...) to those with a value")
    return np.where(mask, v, 0.0)


def _mean_influence(w: np.ndarray, y: np.ndarray, mask: np.ndarray) -> tuple[float, np.ndarray, float]:
    wd = np.where(mask, w, 0.0)
    W = wd.sum()
    mean = float((wd * y).sum() / W)
    return mean, wd * (y - mean) / W, float(W)


def domain_difference(d: Design, y, domain_a, domain_b="rest", *, base=None, level: float | None = None) -> pd.Series:
    """Difference of the mean of y (a 0/1 net, an NPS recode, …) between two domains of the same survey.

    ``domain_a`` is a boolean mask; ``domain_b`` a mask, ``"rest"`` (the base outside domain a)
    or ``"total"`` (the whole base, domain a included); ``base`` restricts both (e.g. those who
    answered, "don't know" excluded). The SE comes from the linearised covariance of the two
    estimates in the raked design, as R's ``svycontrast`` on ``svyby(..., covmat=TRUE)`` (domain vs
    domain or rest) or on the domain totals (domain vs total). Test: t with the design's degrees
    of freedom (n - 1). For independent samples (two waves) use ``difference_test``.
    Returns estimate_a, estimate_b, difference (a - b), se, t, df, p_value, ci_low, ci_high, n_a, n_b.
    """
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    _check_ci(level, "logit")
    base_m = _domain_mask(d, base)
    a = _domain_mask(d, domain_a) & base_m
    if isinstance(domain_b, str):
        if domain_b not in ("rest", "total"):
            raise EstimateError(f"domain_b must be a boolean mask, 'rest' or 'total', not {domain_b!r}")
        b = base_m & ~a if domain_b == "rest" else base_m.copy()
    else:
        b = _domain_mask(d, domain_b) & base_m
    for name, m in (("domain_a", a), ("domain_b", b)):
        if not m.any():
            raise EstimateError(f"domain_difference: {name} has no respondent in the base")
    yv = _domain_values(d, y, a | b, "domain_difference")
    ma, za, _ = _mean_influence(d.weights, yv, a)
    mb, zb, _ = _mean_influence(d.weights, yv, b)
    cov = linearised_cov(d, np.column_stack([za, zb]))
    var = float(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1])
    se = float(np.sqrt(max(var, 0.0)))
    diff = ma - mb
    df = d.n - 1
    t = diff / se if se > 0 else np.nan
    q = stats.t.ppf(0.5 + level / 2, df)
    return pd.Series({"estimate_a": ma, "estimate_b": mb, "difference": diff, "se": se, "t": t, "df": df,
                      "p_value": float(2 * stats.t.sf(abs(t), df)) if se > 0 else np.nan,
                      "ci_low": diff - q * se, "ci_high": diff + q * se,
                      "se_a": float(np.sqrt(max(cov[0, 0], 0))), "se_b": float(np.sqrt(max(cov[1, 1], 0))),
                      "n_a": int(a.sum()), "n_b": int(b.sum())})


def net_indicator(d: Design, question: str, members: Sequence, *, categories: Sequence | None = None,
                  exclude: Iterable = (), domain=None) -> tuple[np.ndarray, np.ndarray]:
    """A net as a 0/1 variable and its base (answered, excluded categories left out), for domain_difference."""
    codes, keep = _answer_codes(d, question, categories, exclude, _domain_mask(d, domain))
    unknown = [c for c in members if c not in keep]
    if unknown:
        raise EstimateError(f"net of {question!r}: categories {unknown} are not in the base {keep}")
    member_codes = [keep.index(c) for c in members]
    return np.isin(codes, member_codes).astype(float), codes >= 0


def _srs_var(p: np.ndarray, info: dict) -> np.ndarray:
    """Variance under simple random sampling of the same size, as svymean(deff = TRUE)."""
    n, N = info["n"], info["n_weighted"]
    s2 = p * (1 - p) * n / (n - 1) if n > 1 else np.full_like(p, np.nan)
    return s2 * (N - n) / (N * n) if N > n else s2 / n


CI_METHODS = ("logit", "wilson", "korn_graubard")  # the values settings.ci_method may take


def _check_ci(level: float, method: str) -> None:
    if method not in CI_METHODS:
        raise EstimateError(f"unknown CI method {method!r}: use one of {', '.join(map(repr, CI_METHODS))}")
    if not (0 < level < 1):
        raise EstimateError(f"confidence level must be between 0 and 1 (e.g. 0.95), got {level!r}")


def _clopper_pearson(p: np.ndarray, n_eff: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson bounds for p with a (not necessarily whole) effective sample size."""
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = np.where(p == 0, 0.0, stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))  # NaN p: NaN
        hi = np.where(p == 1, 1.0, stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)))
    return lo, hi


def proportion_ci(p, se, df: float | None = None, *, level: float = 0.95, method: str = "logit",
                  n_design: int | None = None):
    """Confidence interval for a proportion from its estimate, SE and degrees of freedom.

    ``logit``: Wald on the log-odds scale with a t quantile (R ``svyciprop(method="logit")``).
    ``wilson``: Wilson score interval on the effective n = p(1-p)/SE^2.
    ``korn_graubard``: Clopper-Pearson on the effective n, rescaled by
    (t(n_design - 1) / t(df))^2 quantiles (R ``svyciprop(method="beta")``; n_design is the
    number of rows of the design, R's nrow(design), which for a domain is the whole sample).
    """
    _check_ci(level, method)
    p = np.asarray(p, dtype=float)
    se = np.asarray(se, dtype=float)
    if method == "logit":
        q = stats.t.ppf(0.5 + level / 2, df) if df is not None else stats.norm.ppf(0.5 + level / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.log(p / (1 - p))
            sb = se / (p * (1 - p))
            return 1 / (1 + np.exp(-(b - q * sb))), 1 / (1 + np.exp(-(b + q * sb)))
    with np.errstate(divide="ignore", invalid="ignore"):
        n = p * (1 - p) / se ** 2  # effective sample size of the design
    if method == "wilson":
        z = stats.norm.ppf(0.5 + level / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
            half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
            return centre - half, centre + half
    if df is not None:
        alpha = 1 - level
        rows = n_design if n_design is not None else df + 1
        n = n * (stats.t.ppf(alpha / 2, rows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
    return _clopper_pearson(p, n, level)


def _interval(level: float | None, method: str | None) -> tuple[float, str]:
    """Interval level and method: those given, else settings.yml's confidence_level and ci_method."""
    if level is None or method is None:
        from .settings import interval

        iv = interval()
        level, method = iv["level"] if level is None else level, iv["method"] if method is None else method
    return level, method


def _bases(min_base: float | None, flag_base: float | None) -> tuple[float, float]:
    """Suppression bases: those given, else settings.yml's min_base and flag_base."""
    if min_base is None or flag_base is None:
        from .settings import bases

        b = bases()
        min_base, flag_base = b["min_base"] if min_base is None else min_base, b["flag_base"] if flag_base is None else flag_base
    return min_base, flag_base


def _whole_base_categories(d: Design, question: str, categories: Sequence | None, base: np.ndarray,
                           by: str | None) -> Sequence | None:
    """By subgroup, the answer categories of the whole base, so a small group lacking one still has its row."""
    if categories is not None or by is None or question not in d.data.columns:
        return categories
    return sorted(d.data.loc[base, question].dropna().unique().tolist())


def _by_levels(d: Design, by: str | None):
    if by is None:
        return [(None, np.ones(d.n, dtype=bool))]
    if by not in d.data.columns:
        raise EstimateError(f"subgroup variable {by!r} is not in the data")
    col = d.data[by]
    if col.isna().any():
        raise EstimateError(f"subgroup variable {by!r} has {int(col.isna().sum())} missing values")
    levels = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else sorted(col.unique())
    return [(lev, (col == lev).to_numpy()) for lev in levels]


def shares(d: Design, question: str, *, categories: Sequence | None = None, exclude: Iterable = (),
           domain=None, by: str | None = None, level: float | None = None, ci: str | None = None) -> pd.DataFrame:
    """Weighted share of each answer category with raked SE, CI, design effect and base."""
    level, ci = _interval(level, ci)
    base = _domain_mask(d, domain)
    categories = _whole_base_categories(d, question, categories, base, by)
    rows = []
    for lev, m in _by_levels(d, by):
        if by is not None and not (base & m).any():  # a subgroup without respondents: rows to suppress, not a crash
            rows += [{by: lev, "category": c, "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                      "deff": np.nan, "n": 0, "n_weighted": 0.0, "n_eff": 0.0}
                     for c in categories if c not in set(exclude)]
            continue
        codes, keep = _answer_codes(d, question, categories, exclude, base & m)
        p, cov, info = share_cov(d, codes, len(keep))
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        lo, hi = proportion_ci(p, se, info["df"], level=level, method=ci, n_design=info["n_design"])
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = np.diag(cov) / _srs_var(p, info)
        for j, cat in enumerate(keep):
            row = {} if by is None else {by: lev}
            row.update(category=cat, estimate=p[j], se=se[j], ci_low=lo[j], ci_high=hi[j], deff=deff[j],
                       n=info["n"], n_weighted=info["n_weighted"], n_eff=info["n_eff"])
            rows.append(row)
    return pd.DataFrame(rows)


def nets(d: Design, question: str, groups: Mapping[str, Sequence], *, categories: Sequence | None = None,
         exclude: Iterable = (), domain=None, by: str | None = None, level: float | None = None,
         ci: str | None = None) -> pd.DataFrame:
    """Nets (e.g. top-2 box: 'Helt enig' + 'Delvis enig') with raked SE and CI, by subgroup."""
    level, ci = _interval(level, ci)
    base = _domain_mask(d, domain)
    categories = _whole_base_categories(d, question, categories, base, by)
    rows = []
    for lev, m in _by_levels(d, by):
        if by is not None and not (base & m).any():  # a subgroup without respondents: a row to suppress, not a crash
            rows += [{by: lev, "net": name, "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                      "n": 0, "n_weighted": 0.0, "n_eff": 0.0} for name in groups]
            continue
        codes, keep = _answer_codes(d, question, categories, exclude, base & m)
        p, cov, info = share_cov(d, codes, len(keep))
        for name, members in groups.items():
            unknown = [c for c in members if c not in keep]
            if unknown:
                raise EstimateError(f"net {name!r}: categories {unknown} are not in the base {keep}")
            c = np.array([1.0 if k in members else 0.0 for k in keep])
            est = float(c @ p)
            se = float(np.sqrt(max(c @ cov @ c, 0.0)))
            lo, hi = proportion_ci(est, se, info["df"], level=level, method=ci, n_design=info["n_design"])
            row = {} if by is None else {by: lev}
            row.update(net=name, estimate=est, se=se, ci_low=float(lo), ci_high=float(hi), n=info["n"],
                       n_weighted=info["n_weighted"], n_eff=info["n_eff"])
            rows.append(row)
    return pd.DataFrame(rows)


def suppress(table: pd.DataFrame, *, min_base: float | None = None, flag_base: float | None = None,
             base_col: str = "n_eff", value_cols: Sequence[str] = ("estimate", "se", "ci_low", "ci_high", "deff", "nps",
                                                                   "promoters", "passives", "detractors")
             ) -> pd.DataFrame:
    """Blank estimates (shares, NPS, …) whose effective base is below min_base; flag those below flag_base."""
    min_base, flag_base = _bases(min_base, flag_base)
    if base_col not in table.columns:
        raise EstimateError(f"suppress: the table has no base column {base_col!r}")
    out = table.copy()
    small = out[base_col] < min_base
    out["suppressed"] = small
    out["flag"] = np.where(small, f"base < {min_base:g}: suppressed",
                           np.where(out[base_col] < flag_base, f"base < {flag_base:g}: interpret with care", ""))
    for c in value_cols:
        if c in out.columns:
            out.loc[small, c] = np.nan
    return out


# ---------------------------------------------------------------- tests of change

def difference_test(est1, se1, est2, se2) -> pd.DataFrame:
    """Wald z test of est2 - est1 for independent samples (years, or citizens vs personnel)."""
    est1, se1, est2, se2 = (np.asarray(x, dtype=float) for x in (est1, se1, est2, se2))
    diff = est2 - est1
    se = np.sqrt(se1 ** 2 + se2 ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    p = 2 * stats.norm.sf(np.abs(z))
    return pd.DataFrame({"difference": np.atleast_1d(diff), "se": np.atleast_1d(se), "z": np.atleast_1d(z),
                         "p_value": np.atleast_1d(p)})


def adjust_pvalues(p: Sequence[float], method: str = "fdr_bh") -> np.ndarray:
    """Multiple-comparison adjustment (default Benjamini-Hochberg false discovery rate)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


# ---------------------------------------------------------------- from published aggregates

def published_share_se(p_percent, n, deff: float = 1.0) -> np.ndarray:
    """SE in percentage points of a published share with base n and an assumed design effect."""
    p = np.asarray(p_percent, dtype=float) / 100
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any((p < 0) | (p > 1)):
        raise EstimateError("published shares must be within 0-100 and bases positive")
    return 100 * np.sqrt(deff * p * (1 - p) / n)


def published_share_ci(p_percent, n, deff: float = 1.0, *, level: float | None = None,
                       method: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CI in percent for a published share with base n (effective n = n / deff): wilson, logit or korn_graubard.

    Level and method come from settings.yml unless given. korn_graubard is Clopper-Pearson on the
    effective n (no degrees-of-freedom rescaling: only the base is known).
    """
    level, method = _interval(level, method)
    _check_ci(level, method)
    se = published_share_se(p_percent, n, deff) / 100
    p = np.asarray(p_percent, dtype=float) / 100
    n_eff = np.asarray(n, dtype=float) / deff
    if method == "wilson":
        from statsmodels.stats.proportion import proportion_confint

        lo, hi = proportion_confint(p * n_eff, n_eff, alpha=1 - level, method="wilson")
        return 100 * np.asarray(lo), 100 * np.asarray(hi)
    if method == "korn_graubard":
        lo, hi = _clopper_pearson(p, n_eff, level)
        return 100 * np.asarray(lo), 100 * np.asarray(hi)
    lo, hi = proportion_ci(p, se, None, level=level, method=method)
    return 100 * np.asarray(lo), 100 * np.asarray(hi)


def published_change_test(p1, n1, p2, n2, deff1: float = 1.0, deff2: float = 1.0) -> pd.DataFrame:
    """Test of p2 - p1 (percent) between independent samples from shares and bases alone.

    Uses statsmodels' ``test_proportions_2indep`` (Wald, unpooled variance) on effective
    sample sizes n / deff, the same statistic as the microdata-based test with deff = 1.
    """
    from statsmodels.stats.proportion import test_proportions_2indep

    p1, n1, p2, n2 = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (p1, n1, p2, n2))
    rows = []
    for a, na, b, nb in zip(p1, n1, p2, n2):
        ea, eb = na / deff1, nb / deff2
        if a in (0, 100) and b in (0, 100):
            rows.append({"difference": b - a, "z": np.nan, "p_value": np.nan})
            continue
        r = test_proportions_2indep(b / 100 * eb, eb, a / 100 * ea, ea, method="wald", compare="diff")
        rows.append({"difference": b - a, "z": float(r.statistic), "p_value": float(r.pvalue)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- subgroups and correlations

def subgroup_nets(d: Design, question: str, members: Sequence, by_vars: Sequence[str], *,
                  categories: Sequence | None = None, exclude: Iterable = (), domain=None,
                  min_base: float | None = None, flag_base: float | None = None, level: float | None = None,
                  ci: str | None = None, adjust: str = "fdr_bh") -> pd.DataFrame:
    """A net (e.g. 'enig') by each breakdown variable, with raked SE, CI, base, small-base suppression
    and a test of each group against all respondents of the base.

    The test is within one survey: ``vs_total`` (group minus total, in the net's units) has the
    linearised SE of the raked design that accounts for the group being part of the total
    (``domain_difference(..., "total")``); ``p_value`` is its t test and ``p_adjusted`` the
    ``adjust`` correction (Benjamini-Hochberg by default, "none" to switch off) over the table.
    Level, interval method and suppression bases come from settings.yml unless given.
    """
    level, ci = _interval(level, ci)
    frames = []
    for v in by_vars:
        t = nets(d, question, {"net": list(members)}, categories=categories, exclude=exclude, domain=domain, by=v,
                 level=level, ci=ci)
        frames.append(t.rename(columns={v: "level"}).assign(variable=v))
    out = pd.concat(frames, ignore_index=True)[["variable", "level", "estimate", "se", "ci_low", "ci_high", "n",
                                                "n_weighted", "n_eff"]]
    y, base = net_indicator(d, question, members, categories=categories, exclude=exclude, domain=domain)
    nan = pd.Series({"difference": np.nan, "se": np.nan, "p_value": np.nan})
    masks = [(d.data[v] == lev).to_numpy() for v, lev in zip(out["variable"], out["level"])]
    # A group with no respondent in the base (kept as a suppressed row) has no test.
    tests = [domain_difference(d, y, m, "total", base=base, level=level) if (m & base).any() else nan
             for m in masks]
    out["vs_total"] = [t["difference"] for t in tests]
    out["vs_total_se"] = [t["se"] for t in tests]
    out["p_value"] = [t["p_value"] for t in tests]
    out = suppress(out, min_base=min_base, flag_base=flag_base,
                   value_cols=("estimate", "se", "ci_low", "ci_high", "vs_total", "vs_total_se", "p_value"))
    out["p_adjusted"] = out["p_value"].to_numpy() if adjust == "none" else adjust_pvalues(out["p_value"], adjust)
    return out


def correlations(df: pd.DataFrame, target: str, columns: Sequence[str], orders: Mapping[str, Sequence],
                 level: float | None = None) -> pd.DataFrame:
    """Pearson r between ordinal answers (scored by scale position, first label highest) with Fisher-z CIs.

    Respondents missing either answer, or giving an answer outside `orders` (e.g. "Vet ikke"),
    are left out pairwise; n says how many remain. p-values are Benjamini-Hochberg adjusted.
    """
    def score(col: str) -> pd.Series:
        order = list(orders[col])
        return df[col].map({c: len(order) - i for i, c in enumerate(order)})

    y = score(target)
    level, _ = _interval(level, "fisher_z")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for c in columns:
        x = score(c)
        ok = x.notna() & y.notna()
        n = int(ok.sum())
        if n < 4 or x[ok].nunique() < 2 or y[ok].nunique() < 2:
            rows.append({"column": c, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": n, "p_value": np.nan})
            continue
        r = float(np.corrcoef(x[ok], y[ok])[0, 1])
        fz, se = np.arctanh(r), 1 / np.sqrt(n - 3)
        p = float(2 * stats.norm.sf(abs(fz) / se))
        rows.append({"column": c, "r": r, "ci_low": float(np.tanh(fz - z * se)), "ci_high": float(np.tanh(fz + z * se)),
                     "n": n, "p_value": p})
    out = pd.DataFrame(rows)
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy())
    return out
