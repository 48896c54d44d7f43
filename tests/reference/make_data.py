#!/usr/bin/env python3
"""Generate the synthetic survey data sets used as the R `survey` reference.

Deterministic: every scenario uses its own fixed numpy seed, and all numbers are
written with fixed formatting, so re-running this script reproduces the files
byte for byte.  Run from anywhere:

    python tests/reference/make_data.py

Writes into tests/reference/data/:
    <scenario>.csv          id, sex, agegrp, region, q, nps, base_w
    <scenario>_margins.csv  variable, category, target   (population totals)
    s3_capped_bounds.csv    lower, upper                 (bounds on g = w / base_w)
    bounded_cases.csv       case, id, sex, agegrp, region, base_w   (seeded bounded-raking cases)
    bounded_bounds.csv      case, kind, lower, upper     (bounds per case; kind says which should bind)

The bounded cases need scipy (a linear-programming feasibility check picks bounds close to
the feasibility limit, where solvers stall); everything else needs numpy only.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "data"

SEX = ["female", "male"]
AGE = ["15-29", "30-44", "45-59", "60+"]
REGION = ["Nord", "Midt-Norge", "Vest", "Sør-Øst"]
Q = [
    "Helt enig",
    "Delvis enig",
    "Verken enig eller uenig",
    "Delvis uenig",
    "Helt uenig",
    "Vet ikke",
]

# Population totals, roughly Norway's residents aged 15+ (grand total 4.4 million).
# Each margin sums to exactly the same grand total.
GRAND_TOTAL = 4_400_000
POP = {
    "sex": {"female": 2_195_000, "male": 2_205_000},
    "agegrp": {"15-29": 960_000, "30-44": 1_080_000, "45-59": 1_060_000, "60+": 1_300_000},
    "region": {"Nord": 400_000, "Midt-Norge": 620_000, "Vest": 1_080_000, "Sør-Øst": 2_300_000},
}
for _var, _tab in POP.items():
    assert sum(_tab.values()) == GRAND_TOTAL, _var

# Bounds on g = w / base_w for the capped scenario (s3).  Unbounded raking of s2/s3 gives
# g in [0.449, 14.35] (young respondents in Nord get the largest g).  A linear-programming
# check shows that an upper bound below ~4.14 is infeasible for these margins (so the
# brief's [0.3, 3.0] cannot be met), and R survey 4.1.1's calibrate(calfun="raking")
# fails to converge whenever the lower bound is >= ~0.38 (see README: its cal.raking
# derivative treats exp(u) in (lower, exp(lower - 1)) as flat).  [0.3, 4.3] is feasible,
# converges in R, and the upper bound binds for 10 respondents (the lower does not bind).
S3_BOUNDS = (0.3, 4.3)

# Latent "agreement" effects: older and male respondents agree more.
AGE_EFFECT = {"15-29": -0.9, "30-44": -0.3, "45-59": 0.3, "60+": 0.9}
SEX_EFFECT = {"female": -0.35, "male": 0.35}
# P(Vet ikke): the young and women say "don't know" more often.
DK_AGE = {"15-29": 0.14, "30-44": 0.08, "45-59": 0.05, "60+": 0.04}
DK_SEX = {"female": 0.02, "male": 0.0}
# Cut points on the latent scale (ascending): Helt uenig | Delvis uenig | Verken | Delvis enig | Helt enig
CUTS = np.array([-1.6, -0.6, 0.1, 1.1])
# NPS: P(success) of a Binomial(10, p) score by age group; older respondents are more positive.
NPS_P = {"15-29": 0.52, "30-44": 0.60, "45-59": 0.68, "60+": 0.76}
NPS_MISSING = 0.05


def _answers(rng: np.random.Generator, sex: np.ndarray, age: np.ndarray):
    n = len(sex)
    u_dk = rng.random(n)
    latent = (
        np.array([AGE_EFFECT[a] for a in age])
        + np.array([SEX_EFFECT[s] for s in sex])
        + rng.logistic(0.0, 1.0, n)
    )
    p_dk = np.array([DK_AGE[a] + DK_SEX[s] for a, s in zip(age, sex)])
    # index into CUTS: 0 = Helt uenig ... 4 = Helt enig
    level = np.searchsorted(CUTS, latent)
    substantive = np.array(["Helt uenig", "Delvis uenig", "Verken enig eller uenig", "Delvis enig", "Helt enig"])
    q = np.where(u_dk < p_dk, "Vet ikke", substantive[level])

    nps = rng.binomial(10, np.array([NPS_P[a] for a in age]))
    missing = rng.random(n) < NPS_MISSING
    return q, nps, missing


def _draw(rng, values, probs, n):
    return np.array(values)[rng.choice(len(values), size=n, p=np.asarray(probs) / np.sum(probs))]


def _fixed_counts(rng, values, counts):
    arr = np.repeat(np.array(values), counts)
    return arr[rng.permutation(len(arr))]


def make_s1():
    rng = np.random.default_rng(20240601)
    n = 600
    sex = _draw(rng, SEX, [0.53, 0.47], n)
    age = _draw(rng, AGE, [0.17, 0.23, 0.27, 0.33], n)
    region = _draw(rng, REGION, [0.07, 0.14, 0.25, 0.54], n)
    q, nps, missing = _answers(rng, sex, age)
    base_w = ["1"] * n
    return sex, age, region, q, nps, missing, base_w


def _s2_core():
    rng = np.random.default_rng(20240602)
    n = 400
    # Web-panel skew: 15-29 under-represented ~4x (5.5 % vs 21.8 % in the population),
    # 60+ over-represented (45 % vs 29.5 %), Nord a small cell of 10 respondents.
    age = _fixed_counts(rng, AGE, [22, 78, 120, 180])
    region = _fixed_counts(rng, REGION, [10, 52, 98, 240])
    sex = _draw(rng, SEX, [0.56, 0.44], n)
    q, nps, missing = _answers(rng, sex, age)
    # Unequal base weights (e.g. panel propensity weights): log-normal, mean ~1.
    bw = np.exp(rng.normal(-0.08, 0.4, n))
    bw = np.clip(bw, 0.25, 4.0)
    return sex, age, region, q, nps, missing, bw


def make_s2():
    sex, age, region, q, nps, missing, bw = _s2_core()
    base_w = [f"{x:.4f}" for x in bw]
    return sex, age, region, q, nps, missing, base_w


def make_s3():
    """Same respondents and answers as s2; base weights scaled to the population level.

    base_w(s3) = base_w(s2) * 4.4e6 / sum(base_w(s2)), written with 2 decimals, with the last
    respondent adjusted so that the decimal values sum to exactly 4,400,000.  The raking
    solution is invariant to this scaling, but it makes g = w / base_w the natural
    calibration ratio (R's calibrate() would otherwise rescale the weights internally and
    reinterpret the bounds).
    """
    sex, age, region, q, nps, missing, _ = _s2_core()
    s2_bw = np.array([float(f"{x:.4f}") for x in _s2_core()[6]])
    cents = np.round(s2_bw * GRAND_TOTAL / s2_bw.sum() * 100).astype(np.int64)
    cents[-1] += GRAND_TOTAL * 100 - cents.sum()
    assert cents.sum() == GRAND_TOTAL * 100 and cents.min() > 0
    base_w = [f"{c // 100}.{c % 100:02d}" for c in cents]
    return sex, age, region, q, nps, missing, base_w


def _write(name, cols):
    sex, age, region, q, nps, missing, base_w = cols
    with open(OUT / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "sex", "agegrp", "region", "q", "nps", "base_w"])
        for i in range(len(sex)):
            w.writerow([i + 1, sex[i], age[i], region[i], q[i], "" if missing[i] else int(nps[i]), base_w[i]])
    with open(OUT / f"{name}_margins.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["variable", "category", "target"])
        for var, tab in POP.items():
            for cat, tot in tab.items():
                w.writerow([var, cat, tot])


# ---------------------------------------------------------------- bounded-raking cases

BOUNDED_SEEDS = range(20241101, 20241109)  # 8 samples, 4 bound settings each


def _ipf_g(cells_of, base, targets, sweeps=2000):
    g = np.ones(len(base))
    for _ in range(sweeps):
        for codes, tg in zip(cells_of, targets):
            tot = np.bincount(codes, weights=base * g, minlength=len(tg))
            g = g * (tg / tot)[codes]
    return g


def _feasible(cells_of, base, targets, lower, upper) -> bool:
    from scipy.optimize import linprog

    A = np.vstack([np.vstack([(codes == j) * base for j in range(len(tg))]) for codes, tg in zip(cells_of, targets)])
    b = np.concatenate(targets)
    res = linprog(np.zeros(len(base)), A_eq=A / b[:, None], b_eq=np.ones(len(b)),
                  bounds=[(lower, upper)] * len(base), method="highs")
    return res.status == 0


def _limit(cells_of, base, targets, lo, hi, ok) -> float:
    """Bisection for the edge of feasibility between lo and hi (ok(x) is feasibility)."""
    for _ in range(30):
        mid = (lo + hi) / 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def make_bounded():
    """Seeded samples with unequal base weights (population scale) and bounds that bind.

    Per sample: a tight upper bound (2 % above the smallest feasible one), a moderate upper
    bound, a lower bound that binds (2 % below the largest feasible one, upper bound loose),
    and both bounds binding (two settings). Only LP-feasible settings are written.
    """
    rows, bounds = [], []
    targets = [np.array(list(POP[v].values()), dtype=float) for v in ("sex", "agegrp", "region")]
    case = 0
    for seed in BOUNDED_SEEDS:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(250, 500))
        age_p = rng.dirichlet([2, 3, 4, 6])
        reg_p = rng.dirichlet([1.5, 2, 3, 8])
        sex = _draw(rng, SEX, [0.55, 0.45], n)
        age = _draw(rng, AGE, age_p, n)
        region = _draw(rng, REGION, reg_p, n)
        if len(set(age)) < 4 or len(set(region)) < 4:
            continue
        bw = np.clip(np.exp(rng.normal(0, 0.5, n)), 0.2, 5.0)
        cents = np.round(bw * GRAND_TOTAL / bw.sum() * 100).astype(np.int64)
        cents[-1] += GRAND_TOTAL * 100 - cents.sum()
        base = cents / 100
        cells_of = [np.array([lv.index(x) for x in col]) for lv, col in ((SEX, sex), (AGE, age), (REGION, region))]
        g = _ipf_g(cells_of, base, targets)
        u_min = _limit(cells_of, base, targets, 1.0, float(g.max()), lambda u: _feasible(cells_of, base, targets, 0.0, u))
        l_max = _limit(cells_of, base, targets, 1.0, float(g.min()),
                       lambda l: _feasible(cells_of, base, targets, l, 1e6))
        settings = [("upper_tight", round(0.3 * g.min(), 3), round(1.02 * u_min, 3)),
                    ("upper", round(0.3 * g.min(), 3), round((u_min + g.max()) / 2, 3)),
                    ("lower", round(0.98 * l_max, 3), round(1.5 * g.max(), 3)),
                    ("both", round(0.9 * l_max, 3), round(1.1 * u_min, 3)),
                    ("both", round(0.7 * l_max, 3), round(1.3 * u_min, 3))]
        for kind, lower, upper in settings:
            if not (0 <= lower < 1 < upper) or not _feasible(cells_of, base, targets, lower, upper):
                continue
            case += 1
            bounds.append([case, kind, float(lower), float(upper)])
            for i in range(n):
                rows.append([case, i + 1, sex[i], age[i], region[i], f"{cents[i] // 100}.{cents[i] % 100:02d}"])
    return rows, bounds


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rows, bounds = make_bounded()
    with open(OUT / "bounded_cases.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["case", "id", "sex", "agegrp", "region", "base_w"])
        w.writerows(rows)
    with open(OUT / "bounded_bounds.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["case", "kind", "lower", "upper"])
        w.writerows([[c, k, repr(lo), repr(hi)] for c, k, lo, hi in bounds])
    _write("s1_basic", make_s1())
    _write("s2_skewed", make_s2())
    _write("s3_capped", make_s3())
    with open(OUT / "s3_capped_bounds.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lower", "upper"])
        w.writerow([repr(S3_BOUNDS[0]), repr(S3_BOUNDS[1])])


if __name__ == "__main__":
    main()
