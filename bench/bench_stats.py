"""Benchmark: raking and raked SEs for 1,524 and 1,000,000 respondents (prints figures, asserts nothing).

Margins sex (2) x age group (4) x region (4); a 6-category question. Prints seconds for rake,
for shares + raked SEs, their sum, peak memory of the process, and the ratio against R's
survey::rake + svymean when Rscript is available (bench/bench_r.R).
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ehelse.data import population_margins
from ehelse.estimates import design, shares
from ehelse.weighting import rake

HERE = Path(__file__).resolve().parent
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]


def sample(n: int, seed: int = 2022) -> pd.DataFrame:
    """Seeded panel-like respondents with categorical columns, as the loaders return them."""
    rng = np.random.default_rng(seed)
    cat = lambda vals, p=None: pd.Categorical.from_codes(rng.choice(len(vals), n, p=p), vals)  # noqa: E731
    return pd.DataFrame({"sex": cat(["female", "male"]),
                         "agegrp": cat(["15-29", "30-44", "45-59", "60+"], [0.15, 0.2, 0.27, 0.38]),
                         "region": cat(["Midt-Norge", "Nord", "Sør-Øst", "Vest"], [0.12, 0.1, 0.56, 0.22]),
                         "q": cat(Q)})


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, repeats: int = 3) -> dict:
    df = sample(n)
    m = population_margins(2022)
    best = {"rake": np.inf, "shares": np.inf}
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = rake(df, m)
        t1 = time.perf_counter()
        shares(design(df, r), "q", categories=Q)
        t2 = time.perf_counter()
        best["rake"] = min(best["rake"], t1 - t0)
        best["shares"] = min(best["shares"], t2 - t1)
    return {"n": n, "rake_s": best["rake"], "shares_se_s": best["shares"],
            "total_s": best["rake"] + best["shares"], "peak_memory_mb": peak_mb()}


def r_seconds(n: int) -> float | None:
    if not shutil.which("Rscript"):
        return None
    out = subprocess.run(["Rscript", str(HERE / "bench_r.R"), str(n)], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("r_total_seconds"):
            return float(line.split()[-1].split("=")[-1])
    return None


def main() -> None:
    with_r = "--no-r" not in sys.argv
    print(f"{'n':>9} {'rake s':>8} {'SEs s':>8} {'total s':>8} {'peak MB':>8} {'R s':>8} {'R/ours':>7}")
    for n in (1_524, 1_000_000):
        res = run(n)
        rs = r_seconds(n) if with_r else None
        ratio = f"{rs / res['total_s']:7.0f}" if rs else "      -"
        print(f"{n:>9} {res['rake_s']:8.4f} {res['shares_se_s']:8.4f} {res['total_s']:8.4f} "
              f"{res['peak_memory_mb']:8.0f} {rs if rs else float('nan'):8.2f} {ratio}")
    print("targets for 1,000,000: total < 0.5 s, peak memory < 1024 MB")


if __name__ == "__main__":
    main()
