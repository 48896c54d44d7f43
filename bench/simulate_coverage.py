"""Simulation: do nominal 95 % intervals after raking cover the population value 95 % of the time?

A seeded finite population (sex x age group x region, with an answer related to age and sex)
is sampled with a web-panel skew (the young respond a quarter as often); each sample is raked
to the population margins and the interval of a share computed with raked SEs by each method
(logit as R's svyciprop, Wilson, Korn-Graubard). Scenarios: the whole sample (n = 400 and
n = 100) and a small domain (one health region, about 100 of 500 respondents) whose true
share is the domain's population share. Prints coverage and mean width of each method.
`coverage()` is also run by the test suite at a smaller size.
"""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from ehelse.estimates import CI_METHODS, design, proportion_ci, shares
from ehelse.weighting import WeightingError, rake

SEX, AGE, REGION = ["female", "male"], ["15-29", "30-44", "45-59", "60+"], ["Nord", "Midt", "Vest", "Sor-Ost"]
SCENARIOS = {"sample n=400": (400, None), "sample n=100": (100, None), "domain Vest, n~100 of 500": (500, "Vest")}


def population(size: int, seed: int) -> pd.DataFrame:
    """A seeded synthetic population with an answer that depends on age and sex."""
    rng = np.random.default_rng(seed)
    pop = pd.DataFrame({"sex": rng.choice(SEX, size), "agegrp": rng.choice(AGE, size, p=[.23, .24, .24, .29]),
                        "region": rng.choice(REGION, size, p=[.09, .13, .2, .58])})
    logit = -0.3 + pop["agegrp"].map(dict(zip(AGE, [1.0, 0.5, -0.2, -0.8]))) + 0.4 * (pop["sex"] == "female")
    pop["q"] = np.where(rng.random(size) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return pop


def coverage(reps: int = 1000, n: int = 400, seed: int = 11, level: float = 0.95, region: str | None = None,
             methods=CI_METHODS) -> dict:
    """Share of `reps` raked samples whose interval for P(q = yes) (in `region`, if given) contains the truth.

    Returns reps, n, truth, mean domain size, and coverage / mean width per method
    ("coverage" alone is the logit interval's, as before). A sample whose margins raking cannot meet
    (a small sample can leave the margins infeasible; an analyst would collapse categories) is counted
    in "infeasible" and left out of the coverage, which is over the `reps - infeasible` raked samples.
    """
    pop = population(200_000, seed)
    in_pop = np.ones(len(pop), bool) if region is None else (pop["region"] == region).to_numpy()
    truth = float((pop.loc[in_pop, "q"] == "yes").mean())
    margins = {v: pop[v].value_counts().astype(float).to_dict() for v in ("sex", "agegrp", "region")}
    propensity = pop["agegrp"].map({"15-29": 0.25, "30-44": 0.6, "45-59": 0.9, "60+": 1.0}).to_numpy()
    p = propensity / propensity.sum()
    rng = np.random.default_rng(seed + 1)
    hits = {m: 0 for m in methods}
    widths = {m: [] for m in methods}
    sizes = []
    infeasible = 0
    for _ in range(reps):
        idx = rng.choice(len(pop), size=n, replace=False, p=p)
        s = pop.iloc[idx].reset_index(drop=True)
        dom = None if region is None else (s["region"] == region).to_numpy()
        try:
            w = rake(s, margins)
        except WeightingError:
            infeasible += 1
            continue
        est = shares(design(s, w), "q", categories=["yes", "no"], domain=dom, level=level).iloc[0]
        sizes.append(est["n"])
        for m in methods:
            lo, hi = proportion_ci(est["estimate"], est["se"], est["n"] - 1, level=level, method=m, n_design=n)
            hits[m] += bool(lo <= truth <= hi)
            widths[m].append(float(hi - lo))
    done = reps - infeasible
    if done == 0:
        raise WeightingError(f"raking failed in all {reps} samples of {n}")
    out = {"reps": reps, "n": n, "infeasible": infeasible, "domain_n": float(np.mean(sizes)), "truth": truth}
    for m in methods:
        out[f"coverage_{m}"] = hits[m] / done
        out[f"width_{m}"] = float(np.mean(widths[m]))
    out["coverage"] = out.get("coverage_logit", np.nan)
    out["mean_width"] = out.get("width_logit", np.nan)
    return out


def main(reps: int) -> None:
    print(f"Coverage of nominal 95 % intervals after raking ({reps} seeded samples per scenario)")
    print(f"{'scenario':<28} {'mean n':>7} " + " ".join(f"{m:>22}" for m in CI_METHODS) + "  infeasible")
    for name, (n, region) in SCENARIOS.items():
        r = coverage(reps=reps, n=n, region=region)
        cells = " ".join(f"{100 * r[f'coverage_{m}']:6.1f} % (width {100 * r[f'width_{m}']:4.1f})" for m in CI_METHODS)
        print(f"{name:<28} {r['domain_n']:7.0f} {cells}  {r['infeasible']:>10}")
    print("coverage in percent; width = mean interval width in points; Monte Carlo SE about "
          f"{100 * np.sqrt(0.95 * 0.05 / reps):.1f} points; infeasible = samples whose margins raking could not "
          "meet (left out of the coverage)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
