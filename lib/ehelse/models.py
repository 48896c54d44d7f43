"""Tests of association and regression on a raked design, as R's ``survey`` computes them.

* ``rao_scott``: the Rao–Scott corrected Pearson chi-square of a two-way table, as
  ``svychisq(~a + b, design)``: the default second-order correction as an F statistic
  (``statistic = "F"``) and the first-order correction (``statistic = "Chisq"``).
* ``logistic``: design-based logistic regression, as ``svyglm(y ~ x1 + x2, design,
  family = quasibinomial())``: weighted maximum-likelihood coefficients, sandwich SEs whose
  influence functions carry the raking adjustment (``survey:::svy.varcoef`` ->
  ``svyrecvar``), t tests on the design's degrees of freedom minus the parameters, odds
  ratios with Wald intervals (``confint.svyglm``).

Domains follow R's ``subset()`` of a raked design: respondents outside stay in the design
with zero influence, so the raking adjustment and n in n/(n-1) run over the whole sample.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .estimates import _interval, BACKFIT_SWEEPS, Design, EstimateError, _domain_mask, _rake_cells, share_cov


def influence_cov(d: Design, infl: np.ndarray) -> np.ndarray:
    """Linearised covariance from influence values (n x p), with R's raking adjustment when the design is raked.

    Each backfitting step subtracts w_i times the plain mean of x/w in i's margin category, so
    the adjustment is w_i times a sum over margins, constant within a raking cell: the ten
    sweeps run on cell sums of x/w, then one pass applies them.
    """
    x = np.array(infl, dtype=float, copy=True)
    if x.ndim == 1:
        x = x[:, None]
    if x.shape[0] != d.n:
        raise EstimateError(f"{x.shape[0]} influence rows for a design of {d.n} respondents")
    w = d.weights
    if d.rake_vars:
        cell = _rake_cells(d)
        n_cells = int(cell.max()) + 1
        cell_n = np.bincount(cell, minlength=n_cells).astype(float)
        z = x / w[:, None]
        cell_sum = np.column_stack([np.bincount(cell, weights=z[:, j], minlength=n_cells) for j in range(x.shape[1])])
        first = np.zeros(n_cells, dtype=np.int64)
        first[cell[::-1]] = np.arange(d.n)[::-1]
        margin_of_cell = [pd.Categorical(d.data[v]).codes.astype(np.int64)[first] for v in d.rake_vars]
        adj = np.zeros_like(cell_sum)
        for _ in range(BACKFIT_SWEEPS):
            for mc in margin_of_cell:
                resid = cell_sum - cell_n[:, None] * adj
                msum = np.zeros((int(mc.max()) + 1, x.shape[1]))
                np.add.at(msum, mc, resid)
                adj = adj + (msum / np.bincount(mc, weights=cell_n)[:, None])[mc]
        x -= w[:, None] * adj[cell]
    n = d.n
    x -= x.mean(axis=0)
    return n / (n - 1) * (x.T @ x)


def _levels(col: pd.Series, mask: np.ndarray, name: str) -> list:
    na = col.isna().to_numpy() & mask
    if na.any():
        rows = list(col.index[na][:5])
        raise EstimateError(f"variable {name!r} is missing for {int(na.sum())} respondent(s) in the domain "
                            f"(rows {rows}); restrict the domain, e.g. domain=data[{name!r}].notna()")
    present = set(col[mask].unique())
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [c for c in col.cat.categories if c in present]
    return sorted(present)


def _column(d: Design, name: str) -> pd.Series:
    if name not in d.data.columns:
        raise EstimateError(f"variable {name!r} is not a column of the data")
    return d.data[name]


# ---------------------------------------------------------------- Rao–Scott

def rao_scott(d: Design, row_var: str, col_var: str, *, domain=None) -> pd.DataFrame:
    """Rao–Scott test of independence of two variables (R svychisq): rows 'F' (default, 2nd order) and 'Chisq'."""
    mask = _domain_mask(d, domain)
    rows_c, cols_c = _column(d, row_var), _column(d, col_var)
    rl, cl = _levels(rows_c, mask, row_var), _levels(cols_c, mask, col_var)
    nr, nc = len(rl), len(cl)
    if nr < 2 or nc < 2:
        raise EstimateError(f"rao_scott: {row_var!r} has {nr} and {col_var!r} has {nc} level(s) in the domain; "
                            "a test of association needs at least two of each")
    r = pd.Categorical(rows_c.astype(object).where(mask), categories=rl).codes
    c = pd.Categorical(cols_c.astype(object).where(mask), categories=cl).codes
    codes = np.where(mask, r + nr * c, -1).astype(np.int64)  # row index fastest, as R's interaction()
    p, V, _ = share_cov(d, codes, nr * nc)
    N, nu = d.n, d.n - 1
    P = p.reshape(nc, nr).T  # P[i, j]: share of row level i and column level j
    E = np.outer(P.sum(axis=1), P.sum(axis=0))
    pearson = float(N * ((P - E) ** 2 / E).sum())
    gi, gj = np.meshgrid(np.arange(nr), np.arange(nc), indexing="ij")
    gi, gj = gi.T.ravel(), gj.T.ravel()  # cell order r + nr * c
    R = (gi[:, None] == np.arange(1, nr)[None, :]).astype(float)
    Cc = (gj[:, None] == np.arange(1, nc)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(nr * nc), R, Cc])
    inter = np.column_stack([R[:, a] * Cc[:, b] for b in range(nc - 1) for a in range(nr - 1)])
    Cmat = inter - X1 @ np.linalg.lstsq(X1, inter, rcond=None)[0]
    idiag = np.where(p == 0, 0.0, 1 / np.where(p == 0, 1.0, p))
    denom = Cmat.T @ (idiag[:, None] * Cmat) / N
    numer = Cmat.T @ (idiag[:, None] * V * idiag[None, :]) @ Cmat
    delta = np.linalg.solve(denom, numer)
    tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
    d0 = tr ** 2 / tr2
    f = pearson / tr
    df1 = (nr - 1) * (nc - 1)
    x2 = pearson / (tr / df1)
    return pd.DataFrame([
        {"method": "F", "statistic": f, "ndf": d0, "ddf": d0 * nu, "p_value": float(stats.f.sf(f, d0, d0 * nu)),
         "pearson": pearson, "mean_deff": tr / df1, "rows": nr, "columns": nc, "n": int(mask.sum())},
        {"method": "Chisq", "statistic": x2, "ndf": float(df1), "ddf": np.nan,
         "p_value": float(stats.chi2.sf(x2, df1)), "pearson": pearson, "mean_deff": tr / df1, "rows": nr,
         "columns": nc, "n": int(mask.sum())},
    ])


# ---------------------------------------------------------------- logistic regression

def _parse_model(model) -> tuple[str, list[str]]:
    if isinstance(model, str):
        if model.count("~") != 1:
            raise EstimateError(f"model {model!r} must read 'outcome ~ x1 + x2'")
        lhs, rhs = (s.strip() for s in model.split("~"))
        terms = [t.strip() for t in rhs.split("+")]
        bad = [t for t in terms if not t or any(ch in t for ch in "*:()^")]
        if not lhs or bad:
            raise EstimateError(f"model {model!r}: only main effects 'y ~ a + b' of column names are supported")
        return lhs, terms
    outcome, predictors = model
    return str(outcome), [str(p) for p in predictors]


def _outcome(col: pd.Series, mask: np.ndarray, name: str, positive) -> np.ndarray:
    na = col.isna().to_numpy() & mask
    if na.any():
        rows = list(col.index[na][:5])
        raise EstimateError(f"outcome {name!r} is missing for {int(na.sum())} respondent(s) in the domain "
                            f"(rows {rows}); restrict the domain, e.g. domain=data[{name!r}].notna()")
    if positive is not None:
        members = [positive] if isinstance(positive, str) or not isinstance(positive, Sequence) else list(positive)
        unknown = [m for m in members if m not in set(col[mask].unique())]
        if unknown:
            raise EstimateError(f"outcome {name!r}: positive answer(s) {unknown} do not occur in the domain")
        return col.isin(members).to_numpy(float)
    vals = set(pd.unique(col[mask]))
    if col.dtype == bool or vals <= {0, 1}:
        return np.where(mask, col.fillna(0).astype(float).to_numpy(), 0.0)
    raise EstimateError(f"outcome {name!r} has values {sorted(map(str, vals))[:5]}: give positive=<answer(s)> "
                        "counted as 1, or a 0/1 column")


def model_matrix(d: Design, predictors: Sequence[str], mask: np.ndarray,
                 reference: Mapping[str, object] | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Intercept plus treatment dummies (first level, or `reference`, left out) and numeric columns, R-named terms."""
    reference = dict(reference or {})
    cols = [np.ones(d.n)]
    terms = [{"term": "(Intercept)", "variable": "", "level": ""}]
    for v in predictors:
        col = _column(d, v)
        if pd.api.types.is_numeric_dtype(col) and not isinstance(col.dtype, pd.CategoricalDtype) \
                and col.dtype != bool:
            _levels(col, mask, v)  # missing check
            cols.append(np.where(mask, col.fillna(0).to_numpy(float), 0.0))
            terms.append({"term": v, "variable": v, "level": ""})
            continue
        levels = _levels(col, mask, v)
        ref = reference.pop(v, levels[0])
        if ref not in levels:
            raise EstimateError(f"reference level {ref!r} of {v!r} is not in the domain (levels {levels})")
        for lev in levels:
            if lev != ref:
                cols.append(((col == lev).to_numpy() & mask).astype(float))
                terms.append({"term": f"{v}{lev}", "variable": v, "level": str(lev)})
    if reference:
        raise EstimateError(f"reference given for {sorted(reference)}, which are not categorical predictors")
    return np.column_stack(cols), pd.DataFrame(terms)


def logistic(d: Design, model: str | tuple[str, Sequence[str]], *, positive=None, domain=None,
             reference: Mapping[str, object] | None = None, level: float | None = None, tol: float = 1e-12,
             max_iter: int = 100) -> pd.DataFrame:
    """Design-based logistic regression (R svyglm, quasibinomial) with raked SEs, t tests and odds ratios."""
    level = _interval(level, "logit")[0]  # settings.yml's confidence_level unless given
    mask = _domain_mask(d, domain)
    outcome, predictors = _parse_model(model)
    y = _outcome(_column(d, outcome), mask, outcome, positive) * mask
    X, terms = model_matrix(d, predictors, mask, reference)
    Xd = X[mask]
    if np.linalg.matrix_rank(Xd.T @ Xd) < X.shape[1]:
        raise EstimateError(f"logistic: the predictors {predictors} are collinear in the domain "
                            "(a level combination is empty or a column is constant)")
    w = np.where(mask, d.weights, 0.0)
    w = w / w.mean()
    beta = np.zeros(X.shape[1])
    converged = False
    for _ in range(max_iter):
        mu = 1 / (1 + np.exp(-(X @ beta)))
        H = X.T @ (X * (w * mu * (1 - mu))[:, None])
        try:
            step = np.linalg.solve(H, X.T @ (w * (y - mu)))
        except np.linalg.LinAlgError:
            step = np.full_like(beta, np.nan)
        beta = beta + step
        if not np.isfinite(beta).all() or np.max(np.abs(beta)) > 30:
            break
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            converged = True
            break
    if not converged:
        terms_big = list(terms["term"][~(np.abs(beta) <= 30)]) or list(terms["term"])
        raise EstimateError(f"logistic: the fit of {outcome!r} does not converge (terms {terms_big[:5]} diverge): "
                            "the outcome is (quasi-)separated by a predictor; merge levels or drop the predictor")
    mu = 1 / (1 + np.exp(-(X @ beta)))
    Ainv = np.linalg.inv(X.T @ (X * (w * mu * (1 - mu))[:, None]))
    infl = (X * (w * (y - mu))[:, None]) @ Ainv
    cov = influence_cov(d, infl)
    se = np.sqrt(np.diag(cov))
    n_dom = int(mask.sum())
    df = n_dom - X.shape[1]  # R: degf(design) + 1 - parameters, degf = respondents in the domain - 1
    t = beta / se
    q = stats.t.ppf(0.5 + level / 2, df)
    out = terms.assign(estimate=beta, se=se, t=t, df=df, p_value=2 * stats.t.sf(np.abs(t), df),
                       ci_low=beta - q * se, ci_high=beta + q * se)
    # base of each term (respondents at that level; the whole domain for the intercept and numeric terms),
    # so that the book's small-base rule (estimates.suppress, base_col "n_eff") applies to every row
    dummy = np.array([t["level"] != "" for t in terms.to_dict("records")])
    at = np.where(dummy[None, :], X > 0, mask[:, None]) & mask[:, None]
    wa = np.where(at, d.weights[:, None], 0.0)
    n_eff = wa.sum(axis=0) ** 2 / (wa ** 2).sum(axis=0)
    return out.assign(odds_ratio=np.exp(out["estimate"]), or_low=np.exp(out["ci_low"]),
                      or_high=np.exp(out["ci_high"]), n=n_dom, n_weighted=float(d.weights[mask].sum()),
                      n_level=at.sum(axis=0), n_eff=n_eff)
