"""Build the weighting margins (population aged 15+) from the SSB table 07459 extracts.

Run from the repository root: python data/population/build_margins.py
Reads data/population/source/ (copies of ../shared/population/, see SOURCES.md) and writes
data/population/margins.csv and data/population/cells.csv for every margin year that a weighted
wave of data/waves.csv names (inputs found by pattern, no year in code). Deterministic.
"""
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SRC = HERE / "source"
AGE_GROUPS = [(15, 29, "15-29"), (30, 44, "30-44"), (45, 59, "45-59"), (60, 200, "60+")]
REGIONS = {"Helse Nord": "Nord", "Helse Midt-Norge": "Midt-Norge", "Helse Vest": "Vest",
           "Helse Sør-Øst": "Sør-Øst"}


def agegrp(age: pd.Series) -> pd.Series:
    """Map single years of age to the four weighting age groups (NaN below 15)."""
    out = pd.Series(pd.NA, index=age.index, dtype="object")
    for lo, hi, lab in AGE_GROUPS:
        out[(age >= lo) & (age <= hi)] = lab
    return out


def registry_margin_years(registry: Path) -> dict[int, list[str]]:
    """Margin years of the weighted waves of the wave registry -> the waves that need them."""
    reg = pd.read_csv(registry, dtype=str, keep_default_na=False)
    out: dict[int, list[str]] = {}
    for r in reg.itertuples():
        if r.weighted == "true":
            if not r.margin_year.isdigit():
                raise ValueError(f"{registry}: weighted wave {r.survey} {r.year} has no margin_year")
            out.setdefault(int(r.margin_year), []).append(f"{r.survey} {r.year}")
    return dict(sorted(out.items()))


def read_extracts(pattern: str, **kw) -> pd.DataFrame:
    """Every source extract matching a file pattern, concatenated (each year must come from one file)."""
    files = sorted(SRC.glob(pattern))
    frames = [pd.read_csv(f, **kw).assign(_file=f.name) for f in files]
    if not frames:
        raise FileNotFoundError(f"{SRC}: no extract matches {pattern}")
    df = pd.concat(frames, ignore_index=True)
    twice = df.groupby("year")["_file"].nunique()
    if (twice > 1).any():
        raise ValueError(f"{pattern}: year(s) {list(twice[twice > 1].index)} are in more than one file")
    return df.drop(columns="_file")


def main(registry: Path = HERE.parent / "waves.csv") -> None:
    """Build margins.csv and cells.csv for every margin year of the wave registry."""
    needed = registry_margin_years(registry)
    nat = read_extracts("csdata_national_sex_age1_*.csv")
    cty = pd.concat([read_extracts("ssb07459_county_age1_bothsexes_*.csv", dtype={"county": str}),
                     read_extracts("csdata_county_sex_age1_*.csv", dtype={"county": str})
                     .query("sex == 'total'").drop(columns=["sex", "borders"])], ignore_index=True)
    check = read_extracts("summary_national_*.csv")
    for year, wanted_by in needed.items():
        for what, df in (("national by sex and age", nat), ("counties by age", cty)):
            if not (df["year"] == year).any():
                raise ValueError(f"{SRC}: no {what} extract for 1 January {year}, needed by wave(s) "
                                 f"{', '.join(wanted_by)} of {registry.name} (see source/SOURCES.md)")
    nat, cty = nat[nat["year"].isin(needed)], cty[cty["year"].isin(needed)]
    nat = nat[nat["age"] >= 15].assign(agegrp=lambda d: agegrp(d["age"]))
    cty = cty[cty["age"] >= 15].assign(agegrp=lambda d: agegrp(d["age"]),
                                       region=lambda d: d["rhf"].map(REGIONS))
    if cty["region"].isna().any():
        raise ValueError(f"unknown rhf in county file: {sorted(cty.loc[cty.region.isna(), 'rhf'].unique())}")
    rows = []
    for year in sorted(nat["year"].unique()):
        n = nat[(nat.year == year) & (nat.sex != "total")]
        c = cty[cty.year == year]
        total = int(n["persons"].sum())
        expected = int(nat[(nat.year == year) & (nat.sex == "total")]["persons"].sum())
        published = check.query("year == @year and sex == 'total'")["age15plus"]
        if len(published) and int(published.iloc[0]) != expected:
            raise ValueError(f"{year}: national total 15+ {expected} differs from the summary {int(published.iloc[0])}")
        if total != expected or int(c["persons"].sum()) != expected:
            raise ValueError(f"{year}: totals disagree: national {total}, counties "
                             f"{int(c['persons'].sum())}, published {expected}")
        for var, tab in (("sex", n.groupby("sex")["persons"].sum()),
                         ("agegrp", n.groupby("agegrp")["persons"].sum()),
                         ("region", c.groupby("region")["persons"].sum())):
            for cat, val in tab.items():
                rows.append({"year": int(year), "variable": var, "category": cat, "target": int(val)})
    margins = pd.DataFrame(rows)
    order = {"sex": 0, "agegrp": 1, "region": 2}
    margins = margins.sort_values(["year", "variable"], key=lambda s: s.map(order) if s.name == "variable" else s,
                                  kind="stable")
    margins.to_csv(HERE / "margins.csv", index=False)

    # Joint cells sex x agegrp x region for the synthetic population: P(sex | age) nationally
    # times the exact age x region counts (SSB has no sex x region split for the earliest year on its own borders).
    cells = []
    for year in sorted(nat["year"].unique()):
        sa = nat[(nat.year == year) & (nat.sex != "total")].groupby(["agegrp", "sex"])["persons"].sum()
        ar = cty[cty.year == year].groupby(["agegrp", "region"])["persons"].sum()
        for (ag, reg), persons in ar.items():
            share = sa[ag] / sa[ag].sum()
            for sex, s in share.items():
                cells.append({"year": int(year), "sex": sex, "agegrp": ag, "region": reg,
                              "persons": round(float(persons * s), 1)})
    pd.DataFrame(cells).to_csv(HERE / "cells.csv", index=False)


if __name__ == "__main__":
    main()
