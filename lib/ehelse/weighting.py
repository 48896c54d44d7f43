"""Raking (iterative proportional fitting) of respondent weights to population margins.

Respondents who share every weighting variable (a *cell*, e.g. woman, 30-44, Vest) always
receive the same adjustment factor, so the fitting runs on the table of cells and is then
expanded once to the respondents: raking a million rows costs two passes over the data.

With ``bounds`` the ratio g = weight / base weight is kept within [lower, upper]; the
solution is then the bounded raking calibration of Deville & Särndal (1992), the one R's
``survey::calibrate(calfun = "raking", bounds = ...)`` finds: g = clip(exp(x'eta)) with every
margin met exactly. It is unique, so any algorithm that solves it agrees with R.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

MarginsLike = Mapping[str, Mapping[str, float]] | pd.DataFrame

# Stopping rule on the margin residual, as R's calibrate(): every cell's
# |weighted total - target| / (1 + target) below DEFAULT_TOL. At 1e-10 the weights equal the exact
# raking solution (R rake()/calibrate() run to epsilon 1e-13) to about 1e-10 relative.
DEFAULT_TOL = 1e-10


class WeightingError(ValueError):
    """Raised when weights cannot be computed as asked (bad margins, data or no convergence)."""


@dataclass(frozen=True)
class RakeResult:
    """Raked weights with what a reviewer needs to trust them."""

    weights: pd.Series
    converged: bool
    iterations: int
    history: pd.DataFrame
    margins: dict[str, pd.Series]
    variables: tuple[str, ...]
    bounds: tuple[float, float] | None = None
    excluded: pd.Index = field(default_factory=lambda: pd.Index([]))
    max_error: float = 0.0  # largest |weighted total - target| / (1 + target) over every margin cell
    tol: float = DEFAULT_TOL


def margins_from_frame(df: pd.DataFrame) -> dict[str, pd.Series]:
    """Turn a long table (variable, category, target) into {variable: Series(category -> target)}."""
    missing = {"variable", "category", "target"} - set(df.columns)
    if missing:
        raise WeightingError(f"margins table lacks column(s) {sorted(missing)}")
    dup = df.duplicated(["variable", "category"])
    if dup.any():
        r = df[dup].iloc[0]
        raise WeightingError(f"margins: category {r['category']!r} of {r['variable']!r} is given twice")
    return {v: g.set_index("category")["target"].astype(float) for v, g in df.groupby("variable", sort=False)}


def _normalise_margins(margins: MarginsLike) -> dict[str, pd.Series]:
    if isinstance(margins, pd.DataFrame):
        out = margins_from_frame(margins)
    else:
        out = {str(v): pd.Series(dict(t), dtype=float) for v, t in margins.items()}
    if not out:
        raise WeightingError("no margins given")
    totals = {}
    for var, t in out.items():
        bad = t[~(t > 0)]
        if len(bad):
            raise WeightingError(f"margin {var!r}: target for category {bad.index[0]!r} is {float(bad.iloc[0])!r}; "
                                 "targets must be positive numbers")
        totals[var] = float(t.sum())
    ref_var, ref = next(iter(totals.items()))
    for var, tot in totals.items():
        if abs(tot - ref) > 1e-6 * max(1.0, abs(ref)):
            raise WeightingError(f"margins disagree on the population total: {ref_var!r} sums to {ref:,.6g} "
                                 f"but {var!r} sums to {tot:,.6g}")
    return out


def _cell_codes(data: pd.DataFrame, margins: dict[str, pd.Series], missing: str
                ) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Integer code of each respondent's category per margin, and a mask of usable rows."""
    keep = np.ones(len(data), dtype=bool)
    for var in margins:
        if var not in data.columns:
            raise WeightingError(f"weighting variable {var!r} is not a column of the data "
                                 f"(columns: {', '.join(map(str, data.columns[:12]))}…)")
        na = data[var].isna().to_numpy()
        if na.any():
            if missing == "error":
                rows = list(data.index[na][:5])
                raise WeightingError(f"weighting variable {var!r} is missing for {int(na.sum())} respondent(s) "
                                     f"(rows {rows}{'…' if na.sum() > 5 else ''}); impute it, or pass "
                                     "missing='exclude' to leave them out of the weighting explicitly")
            if missing != "exclude":
                raise WeightingError(f"missing must be 'error' or 'exclude', not {missing!r}")
            keep &= ~na
    codes = []
    for var, targ in margins.items():
        col = data[var]
        cats = pd.Index(targ.index)
        present = pd.Index(col[keep].unique())
        no_target = present.difference(cats)
        if len(no_target):
            rows = list(data.index[keep & col.isin(no_target).to_numpy()][:5])
            raise WeightingError(f"weighting variable {var!r}: category {no_target[0]!r} occurs in the data "
                                 f"(rows {rows}) but has no population target (targets: {list(cats)})")
        empty = cats.difference(present)
        if len(empty):
            raise WeightingError(f"weighting variable {var!r}: target category {empty[0]!r} has no respondents, "
                                 "so it can never be met; merge it with a neighbouring category")
        codes.append(pd.Categorical(col, categories=cats).codes.astype(np.int64))
    return keep, codes, np.asarray(data.index)


def _rel_errors(totals: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.abs(totals - target) / (1.0 + np.abs(target))


def rake(data: pd.DataFrame, margins: MarginsLike, base_weights: pd.Series | np.ndarray | None = None, *,
         tol: float = DEFAULT_TOL, max_iter: int = 1000, bounds: tuple[float, float] | None = None,
         missing: str = "error", strict: bool = True) -> RakeResult:
    """Rake base weights to population margins; return weights, convergence and history.

    ``margins`` maps each weighting variable to {category: population total} (or is a long
    table with columns variable, category, target). Converged means every margin cell meets
    |weighted total - target| / (1 + |target|) < ``tol`` (the stopping rule of R's ``calibrate``;
    without bounds the weights are those of R's ``rake()`` run to convergence). ``bounds``
    keeps weight / base weight within [lower, upper] (with the default equal base weights,
    population total / n, that is weight / mean weight). ``missing='exclude'`` leaves
    respondents with a missing weighting variable out (weight NaN, listed in ``excluded``).
    Not converging within ``max_iter`` is an error; ``strict=False`` returns the last weights
    with ``converged=False`` (and a warning) instead.
    """
    m = _normalise_margins(margins)
    keep, codes, index = _cell_codes(data, m, missing)
    if not (tol > 0):
        raise WeightingError(f"tol must be a positive number, got {tol!r}")
    if base_weights is None and "base_weight" in data.columns:  # the microdata's design weights (adapter)
        base_weights = data["base_weight"].to_numpy()
    if base_weights is None:  # equal expansion weights: population total / respondents
        d = np.full(len(data), float(next(iter(m.values())).sum()) / max(int(keep.sum()), 1))
    else:
        d = np.asarray(base_weights, dtype=float)
        if d.shape != (len(data),):
            raise WeightingError(f"base_weights has {d.shape[0]} values for {len(data)} respondents")
        bad = ~(d > 0) & keep
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WeightingError(f"base weight of row {data.index[i]!r} is {float(d[i])!r}; base weights must be positive")
    if bounds is not None:
        lo, hi = map(float, bounds)
        if not (0 <= lo < 1 < hi):
            raise WeightingError(f"bounds must satisfy 0 <= lower < 1 < upper, got {bounds}")
    # Collapse respondents to cells: every respondent in a cell gets the same factor.
    sizes = [len(t) for t in m.values()]
    joint = np.zeros(len(data), dtype=np.int64)
    for c, k in zip(codes, sizes):
        joint = joint * k + np.where(keep, c, 0)
    cells, inverse = np.unique(joint[keep], return_inverse=True)
    cell_d = np.bincount(inverse, weights=d[keep])
    cell_cat = []
    for k in reversed(sizes):
        cell_cat.append(cells % k)
        cells = cells // k
    cell_cat = cell_cat[::-1]
    targets = [t.to_numpy(float) for t in m.values()]
    names = list(m)

    if bounds is None:
        g, it, hist, ok = _ipf(cell_d, cell_cat, sizes, targets, tol, max_iter)
    else:
        g, it, hist, ok = _bounded(cell_d, cell_cat, sizes, targets, tol, max_iter, (lo, hi))
    history = pd.DataFrame(hist, columns=["iteration", *names])
    totals = [np.bincount(cc, weights=cell_d * g, minlength=k) for cc, k in zip(cell_cat, sizes)]
    errs = [_rel_errors(t, tg) for t, tg in zip(totals, targets)]
    max_error = float(max(e.max() for e in errs))
    if not ok:
        worst_var = max(range(len(errs)), key=lambda i: errs[i].max())
        j = int(errs[worst_var].argmax())
        var = names[worst_var]
        msg = (f"raking did not converge in {it} iterations: margin {var!r}, category "
               f"{m[var].index[j]!r} has weighted total {totals[worst_var][j]:,.6g} against target "
               f"{targets[worst_var][j]:,.6g} (relative error {errs[worst_var][j]:.2e} > tol {tol:g})"
               + ("" if bounds is None else
                  "; no weights within these bounds can meet the margins (linear-programming check): widen them"
                  if not bounds_feasible(cell_d, cell_cat, sizes, targets, (lo, hi)) else
                  "; the bounds are feasible (linear-programming check): raise max_iter"))
        if strict:
            raise WeightingError(msg)
        warnings.warn(msg, stacklevel=2)
    w = np.full(len(data), np.nan)
    w[keep] = d[keep] * g[inverse]
    return RakeResult(weights=pd.Series(w, index=data.index, name="weight"), converged=bool(ok), iterations=it,
                      history=history, margins=m, variables=tuple(names), bounds=bounds,
                      excluded=data.index[~keep], max_error=max_error, tol=float(tol))


def _margin_errors(cell_d, g, cell_cat, sizes, targets) -> list[float]:
    return [float(_rel_errors(np.bincount(cc, weights=cell_d * g, minlength=k), tg).max())
            for cc, k, tg in zip(cell_cat, sizes, targets)]


def _ipf(cell_d, cell_cat, sizes, targets, tol, max_iter):
    """Iterative proportional fitting on the cells (R's rake()), stopped on the margin residual."""
    g = np.ones_like(cell_d)
    hist = []
    for it in range(1, max_iter + 1):
        for cc, k, tg in zip(cell_cat, sizes, targets):
            tot = np.bincount(cc, weights=cell_d * g, minlength=k)
            g = g * (tg / tot)[cc]
        errs = _margin_errors(cell_d, g, cell_cat, sizes, targets)
        hist.append([it, *errs])
        if max(errs) < tol:
            return g, it, hist, True
    return g, max_iter, hist, False


def _bounded(cell_d, cell_cat, sizes, targets, tol, max_iter, bounds):
    """Solve g = clip(exp(u), lo, hi), u additive in the margin categories, meeting every margin.

    This is the bounded raking calibration R's grake() finds (unique when it exists). u is the
    root of the margin residual, the gradient of the convex dual F = sum_c D_c psi(u_c) - T'eta
    (psi' = clip(exp)). Each iteration tries a regularised semismooth Newton step (curvature
    floor shrinking with the residual, so the step stays finite when whole categories sit at a
    bound and is exact Newton near the solution), accepted when it decreases F (Armijo) or, where
    F is flat to rounding near the solution, reduces the largest relative margin error; when
    neither holds it makes one sweep of exact per-category updates (bounded IPF: each margin
    category's total met exactly by bisection, a block minimisation of F that always makes
    progress). F never increases (beyond rounding), so the
    iteration cannot cycle; it stops only on the margin residual.
    """
    lo, hi = bounds
    llo, lhi = (np.log(lo) if lo > 0 else -np.inf), np.log(hi)
    scale = float(targets[0].sum())  # work in shares of the population total
    D = cell_d / scale
    tg_s = [t / scale for t in targets]
    relw = [scale / (1 + np.abs(t)) for t in targets]
    # eta: intercept + one coefficient per non-reference category; u = X eta
    cols = [np.ones(len(cell_d))]
    for cc, k in zip(cell_cat, sizes):
        cols.extend((cc == j).astype(float) for j in range(1, k))
    X = np.column_stack(cols)
    Ts = np.concatenate([[1.0], *[t[1:] for t in tg_s]])

    def clipexp(u):
        return np.clip(np.exp(np.minimum(u, 700.0)), lo, hi)

    def psi(u):  # antiderivative of clip(exp(u), lo, hi), continuous at the bounds
        inner = np.exp(np.clip(u, llo, lhi))
        if lo > 0:
            inner = np.where(u < llo, lo * (u - llo) + lo, inner)
        return np.where(u > lhi, hi * (u - lhi) + hi, inner)

    def objective(eta):
        return float(D @ psi(np.minimum(X @ eta, 700.0)) - Ts @ eta)

    def margin_err(u):
        gd = D * clipexp(u)
        return max(float((np.abs(np.bincount(cc, weights=gd, minlength=k) - t) * rw).max())
                   for cc, k, t, rw in zip(cell_cat, sizes, tg_s, relw))

    def sweep(u):
        """One pass of exact per-category updates: shift u in each category until its total is met."""
        for cc, k, t in zip(cell_cat, sizes, tg_s):
            umax = np.full(k, -np.inf)
            umin = np.full(k, np.inf)
            np.maximum.at(umax, cc, u)
            np.minimum.at(umin, cc, u)
            # bracket the shift: every cell of the category at the lower bound (or exp(u) ~ 0
            # without one) up to every cell at the upper bound
            dlo = (llo if lo > 0 else -745.0) - umax
            dhi = lhi - umin
            for _ in range(200):
                mid = (dlo + dhi) / 2
                tot = np.bincount(cc, weights=D * clipexp(u + mid[cc]), minlength=k)
                below = tot < t
                dlo = np.where(below, mid, dlo)
                dhi = np.where(below, dhi, mid)
                if np.all(dhi - dlo < 1e-15 * np.maximum(1.0, np.abs(dhi))):
                    break
            u = u + ((dlo + dhi) / 2)[cc]
        return u

    def eta_of(u):
        eta, *_ = np.linalg.lstsq(X, u, rcond=None)
        return eta

    eta = np.zeros(X.shape[1])
    eta[0] = np.log(scale / cell_d.sum())  # start from weights scaled to the population total
    diag = np.diag(X.T @ (X * D[:, None]))
    hist = []
    for it in range(1, max_iter + 1):
        u = X @ eta
        g = clipexp(u)
        errs = _margin_errors(cell_d, g, cell_cat, sizes, targets)
        hist.append([it, *errs])
        err = max(errs)
        if err < tol:
            return g, it, hist, True
        r = X.T @ (D * g) - Ts
        inside = (u > llo) & (u < lhi)
        mu = min(1e-2, err)
        curv = D * np.where(inside, np.exp(np.minimum(u, 700.0)), 0.0)
        H = X.T @ (X * curv[:, None]) + np.diag(mu * diag * max(lo, 1e-3))
        step = -np.linalg.solve(H, r)
        slope = float(r @ step)
        f = objective(eta)
        t, accepted = 1.0, False
        for _ in range(40):
            cand = eta + t * step
            uc = X @ cand
            f_new = objective(cand)
            # F decides (Armijo, strict decrease); only where F is flat to rounding, so that it
            # can no longer tell steps apart, does the margin residual decide instead
            flat = abs(f_new - f) <= 1e-13 * (1 + abs(f))
            if (f_new < f and f_new <= f + 1e-4 * t * slope) or (flat and margin_err(uc) <= (1 - 1e-4 * t) * err):
                accepted = True
                break
            t /= 2
        eta = cand if accepted else eta_of(sweep(u))
    g = clipexp(X @ eta)
    errs = _margin_errors(cell_d, g, cell_cat, sizes, targets)
    return g, max_iter, hist, max(errs) < tol


def bounds_feasible(cell_d, cell_cat, sizes, targets, bounds) -> bool:
    """Whether any weights with lower <= weight / base weight <= upper meet every margin (an LP check)."""
    from scipy.optimize import linprog

    A = np.vstack([np.vstack([(cc == j) * cell_d for j in range(k)]) for cc, k in zip(cell_cat, sizes)])
    b = np.concatenate(targets)
    res = linprog(np.zeros(len(cell_d)), A_eq=A / b[:, None], b_eq=np.ones(len(b)), bounds=[bounds] * len(cell_d),
                  method="highs")
    return res.status == 0


def weighting_report(weights: pd.Series | np.ndarray, *, good: float = 0.8, poor: float = 0.7) -> pd.Series:
    """Summary of a weight vector: n, sum, range, Kish design effect, effective n, efficiency."""
    w = np.asarray(weights, dtype=float)
    w = w[~np.isnan(w)]
    if len(w) == 0:
        raise WeightingError("weighting_report: no weights")
    n, s, s2 = len(w), w.sum(), (w ** 2).sum()
    deff = n * s2 / s ** 2
    eff = 1 / deff
    flag = "ok" if eff >= good else (f"below {good:.0%}" if eff >= poor else f"below {poor:.0%}: re-examine")
    return pd.Series({
        "n": n, "sum_weights": s, "mean": w.mean(), "sd": w.std(ddof=1) if n > 1 else 0.0,
        "min": w.min(), "max": w.max(), "max_min_ratio": w.max() / w.min(),
        "deff_kish": deff, "n_effective": s ** 2 / s2, "efficiency": eff, "flag": flag,
        "moe_95_pct_points": 100 * 1.96 * np.sqrt(0.25 * deff / n),
    }, dtype=object)


def composition(data: pd.DataFrame, weights: pd.Series | np.ndarray, margins: MarginsLike) -> pd.DataFrame:
    """Sample, weighted sample and population shares (percent) of every margin category."""
    m = _normalise_margins(margins)
    w = pd.Series(np.asarray(weights, dtype=float), index=data.index)
    rows = []
    for var, targ in m.items():
        n = data[var].value_counts()
        wt = w.groupby(data[var]).sum()
        for cat, t in targ.items():
            rows.append({"variable": var, "category": cat, "sample": 100 * n.get(cat, 0) / len(data),
                         "weighted": 100 * wt.get(cat, 0.0) / w.sum(), "population": 100 * t / targ.sum()})
    return pd.DataFrame(rows)
