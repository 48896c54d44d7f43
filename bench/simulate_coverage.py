"""Simulation: do nominal 95 % intervals after raking cover the population value 95 % of the time?

A seeded finite population (sex x age group x region, with an answer related to age and sex)
is sampled with a web-panel skew (the young respond a quarter as often); each sample is raked
to the population margins and the logit interval of a share computed with raked SEs.
Prints the coverage rate. `coverage()` is also run by the test suite at a smaller size.
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from ehelse.estimates import design, shares
from ehelse.weighting import rake

SEX, AGE, REGION = ["female", "male"], ["15-29", "30-44", "45-59", "60+"], ["Nord", "Midt", "Vest", "Sor-Ost"]


def population(size: int, seed: int) -> pd.DataFrame:
    """A seeded synthetic population with an answer that depends on age and sex."""
    rng = np.random.default_rng(seed)
    pop = pd.DataFrame({"sex": rng.choice(SEX, size), "agegrp": rng.choice(AGE, size, p=[.23, .24, .24, .29]),
                        "region": rng.choice(REGION, size, p=[.09, .13, .2, .58])})
    logit = -0.3 + pop["agegrp"].map(dict(zip(AGE, [1.0, 0.5, -0.2, -0.8]))) + 0.4 * (pop["sex"] == "female")
    pop["q"] = np.where(rng.random(size) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pop


def coverage(reps: int = 1000, n: int = 400, seed: int = 11, level: float = 0.95) -> dict:
    """Share of `reps` raked samples whose interval for P(q = yes) contains the population value."""
    pop = population(200_000, seed)
    truth = (pop["q"] == "yes").mean()
    margins = {v: pop[v].value_counts().astype(float).to_dict() for v in ("sex", "agegrp", "region")}
    propensity = pop["agegrp"].map({"15-29": 0.25, "30-44": 0.6, "45-59": 0.9, "60+": 1.0}).to_numpy()
    p = propensity / propensity.sum()
    rng = np.random.default_rng(seed + 1)
    hits, widths = 0, []
    for _ in range(reps):
        idx = rng.choice(len(pop), size=n, replace=False, p=p)
        s = pop.iloc[idx].reset_index(drop=True)
        est = shares(design(s, rake(s, margins)), "q", categories=["yes", "no"], level=level).iloc[0]
        hits += est["ci_low"] <= truth <= est["ci_high"]
        widths.append(est["ci_high"] - est["ci_low"])
    return {"reps": reps, "n": n, "truth": truth, "coverage": hits / reps, "mean_width": float(np.mean(widths))}


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    r = coverage(reps=reps)
    print(f"{r['reps']} raked samples of n = {r['n']}: 95 % intervals cover the population share "
          f"({r['truth']:.4f}) in {100 * r['coverage']:.1f} % of samples; mean width {100 * r['mean_width']:.1f} points")
