#!/usr/bin/env python3
"""Seeded respondent files for the R reference of models and replicate variance (models.R).

Deterministic (numpy default_rng with fixed seeds, fixed number formatting): re-running it
reproduces tests/reference/models/data/ byte for byte.

    python tests/reference/make_models_data.py

Writes, per scenario:
    <s>.csv          id, sex, agegrp, region, education, digital (Ja/Nei), q, nps (empty = don't
                     know), base_w, grp (1..GROUPS: a seeded random replicate group for grouped JK1)
    <s>_margins.csv  variable, category, target (population totals; every margin sums the same)
Scenarios: m1 (n = 500, equal base weights, age-skewed panel) and m2 (n = 300, unequal
log-normal base weights, stronger skew, a small Nord cell).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "models" / "data"
SEX = ["female", "male"]
AGE = ["15-29", "30-44", "45-59", "60+"]
REGION = ["Nord", "Midt-Norge", "Vest", "Sør-Øst"]
EDUCATION = ["Grunnskole", "Videregående/fagskole", "Universitet/høyskole"]
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
POP = {"sex": {"female": 2_242_294, "male": 2_266_989},
       "agegrp": {"15-29": 1_020_330, "30-44": 1_097_946, "45-59": 1_091_424, "60+": 1_299_583},
       "region": {"Nord": 406_537, "Midt-Norge": 612_345, "Vest": 914_210, "Sør-Øst": 2_576_191}}
GROUPS = 25
SCENARIOS = {
    "m1": {"n": 500, "seed": 20261201, "age_p": [0.12, 0.22, 0.28, 0.38], "region_p": [0.1, 0.15, 0.2, 0.55],
           "lognormal_sd": 0.0},
    "m2": {"n": 300, "seed": 20261202, "age_p": [0.08, 0.17, 0.3, 0.45], "region_p": [0.05, 0.15, 0.25, 0.55],
           "lognormal_sd": 0.45},
}


def scenario(n: int, seed: int, age_p, region_p, lognormal_sd: float) -> list[dict]:
    """One seeded sample: digital contact depends on sex, age, education and region."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(SEX, n)
    age = rng.choice(AGE, n, p=age_p)
    region = rng.choice(REGION, n, p=region_p)
    edu = rng.choice(EDUCATION, n, p=[0.2, 0.4, 0.4])
    eta = (0.2 + 0.35 * (sex == "female") + np.select([age == a for a in AGE], [-0.3, 0.4, 0.1, -0.6])
           + np.select([edu == e for e in EDUCATION], [-0.5, 0.0, 0.45])
           + np.select([region == r for r in REGION], [-0.2, 0.0, 0.15, 0.05]))
    digital = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), "Ja", "Nei")
    latent = rng.normal(size=n) - 0.6 * np.select([age == a for a in AGE], [-1, -0.3, 0.3, 1]) \
        - 0.3 * (edu == "Universitet/høyskole")
    q = np.array(Q)[np.digitize(latent, [-1.0, -0.2, 0.3, 0.9, 1.8])]
    q = np.where(rng.random(n) < 0.06 + 0.06 * (edu == "Grunnskole"), "Vet ikke", q)
    score = np.clip(np.round(7 + 2 * rng.normal(size=n) + 0.8 * (digital == "Ja")), 0, 10).astype(int)
    nps = np.where(rng.random(n) < 0.05, -1, score)
    base = np.exp(lognormal_sd * rng.normal(size=n)) if lognormal_sd > 0 else np.ones(n)
    grp = rng.permutation(np.arange(n) % GROUPS) + 1
    return [{"id": i + 1, "sex": sex[i], "agegrp": age[i], "region": region[i], "education": edu[i],
             "digital": digital[i], "q": q[i], "nps": "" if nps[i] < 0 else str(nps[i]),
             "base_w": f"{base[i]:.6f}", "grp": int(grp[i])} for i in range(n)]


def write_csv(path: Path, rows: list[dict]) -> None:
    """CSV with LF line ends, UTF-8, no quoting (no field holds a comma)."""
    cols = list(rows[0])
    lines = [",".join(cols)] + [",".join(str(r[c]) for c in cols) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for s, spec in SCENARIOS.items():
        write_csv(OUT / f"{s}.csv", scenario(**spec))
        write_csv(OUT / f"{s}_margins.csv", [{"variable": v, "category": c, "target": t}
                                             for v, tab in POP.items() for c, t in tab.items()])
        print(f"wrote {OUT / s}.csv")


if __name__ == "__main__":
    main()
