"""The one suppression rule every table, figure and download passes when the book runs on real microdata.

Convention for table authors (chapters and lib/):
- A table with numbers computed from respondents carries its base in a column named
  `n_eff` (effective base; used first when present), `n` or `base` (the first present, in that
  order, is the base the rule uses).
- A row whose base is below `min_base` (settings.yml) is hidden: every number of the row,
  the bases included, becomes empty and its `flag` says "suppressed". A row below `flag_base`
  keeps its numbers and is flagged "interpret with care".
- Tables of published numbers (the reports' own figures, claims) or without respondent cells
  (convergence histories, assumptions) are marked with `exempt(df, reason)`; lib/ marks its
  published tables itself. On real microdata, a table with numbers, no base column and no
  such mark is refused (`DisclosureError`), never published.
The rule is on in every process that has read real respondents (`microdata.respondents` on
configured microdata calls `reading_real_respondents()`): a chapter that reads no respondents
shows published numbers only. With synthetic respondents tables pass unchanged.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BASE_COLUMNS = ("n_eff", "n", "base")
EXEMPT = "disclosure_exempt"
CHECKED = "disclosure_checked"
_REAL = {"read": False}


def reading_real_respondents() -> None:
    """Switch the rule on for this process: real respondents have been read."""
    _REAL["read"] = True


def rule_applies(settings: dict | None = None) -> bool:
    """Whether outputs must pass the rule: real respondents read here (or, given settings, real microdata configured)."""
    if settings is not None:
        from .settings import real_microdata

        return real_microdata(settings)
    return _REAL["read"]


class DisclosureError(ValueError):
    """A table that would leave the machine without passing the suppression rule."""


def exempt(df: pd.DataFrame, reason: str) -> pd.DataFrame:
    """The same table marked as holding no respondent cells (published numbers, diagnostics); returns it."""
    df.attrs[EXEMPT] = reason
    return df


def base_column(df: pd.DataFrame) -> str | None:
    """The column the rule reads the base from (n_eff, n or base), or None."""
    return next((c for c in BASE_COLUMNS if c in df.columns), None)


def apply_rule(df: pd.DataFrame, base: str, min_base: float, flag_base: float) -> pd.DataFrame:
    """Rows with base < min_base: every number blanked and flagged 'suppressed'; below flag_base flagged."""
    out = df.copy()
    b = pd.to_numeric(out[base], errors="coerce")
    small = b.isna() | (b < min_base)
    care = ~small & (b < flag_base)
    note = np.where(small, f"suppressed: base < {min_base:g}",
                    np.where(care, f"base < {flag_base:g}: interpret with care", ""))
    old = out["flag"].fillna("").astype(str) if "flag" in out.columns else pd.Series("", index=out.index)
    # an existing flag (e.g. from estimates.suppress) is replaced by the rule's wording where the rule speaks
    out["flag"] = np.where(note != "", note, old)
    for c in out.columns:
        if c != "flag" and (pd.api.types.is_numeric_dtype(out[c]) or c in BASE_COLUMNS) \
                and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype(float) if pd.api.types.is_integer_dtype(out[c]) else out[c]
            out.loc[small, c] = np.nan
        elif pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype(object)
            out.loc[small, c] = None
    out.attrs = {**df.attrs, CHECKED: base}
    return out


def protect(df: pd.DataFrame, settings: dict | None = None, *, what: str = "table") -> pd.DataFrame:
    """The table as it may leave the machine: the rule applied on real microdata, unchanged on synthetic data."""
    from .settings import load

    if not rule_applies(settings) or df.attrs.get(EXEMPT):
        return df
    s = settings or load()
    base = base_column(df)
    if base is None:
        numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
        if not numeric:
            return df
        raise DisclosureError(f"{what}: on real microdata a table with numbers ({', '.join(map(str, numeric[:6]))}) "
                              f"needs a base column ({' / '.join(BASE_COLUMNS)}) for the suppression rule, or "
                              f"disclosure.exempt(df, reason) if it holds no respondent cells; columns: {list(df.columns)}")
    return apply_rule(df, base, s["min_base"], s["flag_base"])


def with_counts(table: pd.DataFrame, data: pd.DataFrame, variable: str = "variable",
                category: str = "category") -> pd.DataFrame:
    """A per-category table (variable, category, …) with the respondents' count of each category as `n`."""
    counts = {(v, c): int((data[v] == c).sum()) for v, c in zip(table[variable], table[category]) if v in data.columns}
    out = table.copy()
    out["n"] = [counts.get((v, c), np.nan) for v, c in zip(table[variable], table[category])]
    return out


def small_cells(df: pd.DataFrame, min_base: float) -> pd.DataFrame:
    """Rows of a table that show a number although their base is below min_base (for tests and checks)."""
    base = base_column(df)
    if base is None:
        return df.iloc[0:0]
    b = pd.to_numeric(df[base], errors="coerce")
    return df[b.notna() & (b < min_base)]
