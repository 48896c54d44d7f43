"""Build the weighting margins (population aged 15+) from the SSB table 07459 extracts.

Run from the repository root: python data/population/build_margins.py
Reads data/population/source/ (copies of ../shared/population/, see SOURCES.md) and writes
data/population/margins.csv and data/population/cells.csv. Deterministic.
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


def main() -> None:
    nat = pd.read_csv(SRC / "csdata_national_sex_age1_2019_2022.csv")
    cty = pd.read_csv(SRC / "ssb07459_county_age1_bothsexes_2019_2022.csv", dtype={"county": str})
    check = pd.read_csv(SRC / "summary_national_2019_2022.csv")
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
        expected = int(check.query("year == @year and sex == 'total'")["age15plus"].iloc[0])
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
    # times the exact age x region counts (SSB has no 2019 sex x region split on 2019 borders).
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
