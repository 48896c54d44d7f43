"""Benchmark, like for like against R: raking and raked SEs for 1,524 and 1,000,000 respondents.

For each size, one seeded respondent file (sex x age group x region, a 6-category question,
unequal base weights) and one margins file (Statistics Norway 2022) are written to a temporary
directory; Python and R (bench/bench_r.R) each read them, then time the same work: build the
design, rake to the margins (each to convergence: Python's default tolerance, R's rake() to
epsilon 1e-11) and compute the shares with raked linearisation SEs. Each side is timed as the
median of several runs, in wall-clock and in CPU seconds (user + system: on a shared machine
the CPU time is the fairer like-for-like figure; both sides run single-threaded). The two
answers are compared (shares to 1e-8, SEs to 1e-6 relative) before the ratios are printed; a
disagreement stops the benchmark. Without Rscript, or with
--no-r, only the Python side runs.
"""
from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ehelse.data import population_margins
from ehelse.estimates import design, shares
from ehelse.weighting import rake

HERE = Path(__file__).resolve().parent
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]
SIZES = {1_524: (9, 7), 1_000_000: (5, 3)}  # n: (Python runs, R runs)


def sample(n: int, margins: pd.DataFrame, seed: int = 2022) -> pd.DataFrame:
    """Seeded panel-like respondents: the young under-represented, answers related to age and sex."""
    rng = np.random.default_rng(seed)
    cats = {v: list(g["category"]) for v, g in margins.groupby("variable", sort=False)}
    age_p = np.array([0.08, 0.2, 0.3, 0.42])
    df = pd.DataFrame({"sex": rng.choice(cats["sex"], n, p=[0.55, 0.45]),
                       "agegrp": rng.choice(cats["agegrp"], n, p=age_p),
                       "region": rng.choice(cats["region"], n)})
    lat = (df["agegrp"].map(dict(zip(cats["agegrp"], [-0.9, -0.3, 0.3, 0.9]))).to_numpy()
           + np.where(df["sex"] == cats["sex"][0], -0.35, 0.35) + rng.logistic(size=n))
    qi = 4 - np.searchsorted([-1.6, -0.6, 0.1, 1.1], lat)
    qi[rng.random(n) < 0.06] = 5
    df["q"] = np.asarray(Q)[qi]
    df["base_w"] = np.round(np.exp(rng.normal(-0.08, 0.4, n)), 6)
    return df


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def python_side(path: Path, margins_path: Path, runs: int) -> tuple[list[float], list[float], pd.DataFrame]:
    """Read the files, then time design + rake + shares with raked SEs `runs` times (wall, CPU)."""
    df = pd.read_csv(path, dtype={"sex": "category", "agegrp": "category", "region": "category", "q": str},
                     encoding="utf-8")
    m = pd.read_csv(margins_path, encoding="utf-8")
    secs, cpu, res = [], [], None
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        res = shares(design(df, rake(df, m, base_weights=df["base_w"])), "q", categories=Q)
        secs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return secs, cpu, res


def r_side(path: Path, margins_path: Path, runs: int, work: Path) -> tuple[list[float], list[float], pd.DataFrame, str]:
    result = work / "r_result.csv"
    out = subprocess.run(["Rscript", str(HERE / "bench_r.R"), str(path), str(margins_path), str(result), str(runs)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench_r.R failed:\n{out.stderr[-2000:]}")
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    secs = [float(x) for x in lines["r_runs"].split()]
    cpu = [float(x) for x in lines["r_cpu_runs"].split()]
    version = f"{lines['R_VERSION']}, survey {lines['survey_version']}"
    return secs, cpu, pd.read_csv(result, encoding="utf-8"), version


def compare(py: pd.DataFrame, r: pd.DataFrame) -> tuple[float, float]:
    """Largest relative differences of shares and SEs; raise when beyond 1e-8 / 1e-6."""
    m = py.merge(r, on="category", suffixes=("", "_r"))
    if len(m) != len(Q):
        raise SystemExit(f"R and Python report different categories: {list(r['category'])}")
    d_est = float((m["estimate"] / m["estimate_r"] - 1).abs().max())
    d_se = float((m["se"] / m["se_r"] - 1).abs().max())
    if not (d_est < 1e-8 and d_se < 1e-6):
        raise SystemExit(f"R and Python disagree: shares differ by {d_est:.2e}, SEs by {d_se:.2e} (relative)")
    return d_est, d_se


def main() -> None:
    with_r = "--no-r" not in sys.argv and shutil.which("Rscript") is not None
    margins = population_margins(2022)
    print("design + rake + shares with raked SEs, same file and margins on both sides, median of runs")
    print("(wall = elapsed seconds, cpu = user + system seconds)")
    print(f"{'n':>9} {'runs':>5} {'Py wall':>8} {'Py cpu':>8} {'R wall':>8} {'R cpu':>8} {'R/Py wall':>9} "
          f"{'R/Py cpu':>9} {'diff share':>10} {'diff SE':>8} {'peak MB':>8}")
    version = ""
    with tempfile.TemporaryDirectory(prefix="ehelse-bench-") as tmp:
        work = Path(tmp)
        for n, (py_runs, r_runs) in SIZES.items():
            path, mpath = work / f"respondents_{n}.csv", work / "margins.csv"
            sample(n, margins).to_csv(path, index=False, encoding="utf-8")
            (work / f"respondents_{n}_q_levels.txt").write_text("\n".join(Q) + "\n", encoding="utf-8")
            margins.to_csv(mpath, index=False, encoding="utf-8")
            py_secs, py_cpu, py_res = python_side(path, mpath, py_runs)
            pw, pc = statistics.median(py_secs), statistics.median(py_cpu)
            if with_r:
                r_secs, r_cpu, r_res, version = r_side(path, mpath, r_runs, work)
                d_est, d_se = compare(py_res, r_res)
                rw, rc = statistics.median(r_secs), statistics.median(r_cpu)
                print(f"{n:>9,} {py_runs:>2}/{r_runs:<2} {pw:8.4f} {pc:8.4f} {rw:8.3f} {rc:8.3f} {rw / pw:9.0f} "
                      f"{rc / pc:9.0f} {d_est:10.1e} {d_se:8.1e} {peak_mb():8.0f}")
            else:
                print(f"{n:>9,} {py_runs:>2}/- {pw:8.4f} {pc:8.4f} {'-':>8} {'-':>8} {'-':>9} {'-':>9} {'-':>10} "
                      f"{'-':>8} {peak_mb():8.0f}")
    if version:
        print(f"R side: {version}")
    print("targets for 1,000,000: Python < 0.5 s, peak memory < 1024 MB")


if __name__ == "__main__":
    main()
