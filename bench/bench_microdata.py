"""End-to-end microdata benchmark: a 1,000,000-row .sav read, mapped, raked and given shares with raked SEs.

A seeded coded file with the variables of data/microdata/mapping-example.yml is written to a
temporary folder (never committed). Then, each in a fresh process on the same file:
- the book: adapter.read_microdata (full example mapping) -> weighting.rake (sex, age, region,
  population margins of the latest citizen wave) -> estimates.shares of every mapped question
  (NPS question: nps.nps), raked SEs;
- R: haven::read_sav -> svydesign -> rake -> svymean of every question (bench/bench_microdata.R).
Prints wall time and peak memory (VmHWM) of both, and the largest difference between R's
shares and SEs and ours. Targets: under 5 s and under 1 GB for the book.

    python bench/bench_microdata.py [n]      # n defaults to 1,000,000
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ehelse import ROOT

MAPPING = ROOT / "data" / "microdata" / "mapping-example.yml"
SEED = 20221
TIME_LIMIT, MEMORY_LIMIT_MB = 5.0, 1024
#: R's svymean on a raked design of 1,000,000 rows takes minutes per question: R runs this many
#: coded questions plus the NPS question on the same file (all questions when n <= 20,000).
R_QUESTIONS = 3


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_sav(path: Path, n: int, mapping: dict, year: int) -> None:
    """A seeded coded .sav with every source variable of the mapping (99 = not asked, user-missing)."""
    import pyreadstat

    rng = np.random.default_rng(SEED)
    cols = {"respnr": np.arange(1, n + 1, dtype=float), "aar": np.full(n, float(year))}
    skew = {"d2": [0.1, 0.25, 0.3, 0.35], "d3": [0.1, 0.15, 0.2, 0.55]}
    for var, spec in mapping["variables"].items():
        codes = np.array(sorted(spec["codes"]), dtype=float)
        cols[spec["source"]] = rng.choice(codes, n, p=skew.get(spec["source"]))
    for col, spec in mapping["questions"].items():
        if "numeric" in spec:
            v = rng.integers(0, 11, n).astype(float)
        else:
            codes = np.array(sorted(spec["codes"]), dtype=float)
            v = rng.choice(codes, n)
        v[rng.random(n) < 0.2] = 99  # not asked
        cols[spec["source"]] = v
    df = pd.DataFrame(cols)
    missing = {spec["source"]: [99] for spec in mapping["questions"].values()}
    pyreadstat.write_sav(df, str(path), missing_ranges=missing)


def run_book(sav: str, out: str) -> None:
    """Timed run of the book's pipeline (in a fresh process); writes timings, peak memory and shares to out."""
    from ehelse.adapter import read_microdata
    from ehelse.data import population_margins
    from ehelse.estimates import design, shares
    from ehelse.nps import nps
    from ehelse.weighting import rake

    import scipy.stats  # noqa: F401  (libraries are loaded before the clock starts, as R's library())
    import statsmodels.stats.proportion  # noqa: F401

    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    df = read_microdata(sav, mapping, survey="citizens")
    t_read = time.perf_counter()
    year = int(df["year"].iloc[0])
    d = design(df, rake(df, population_margins(year)))
    t_rake = time.perf_counter()
    frames = []
    for col, spec in mapping["questions"].items():
        dom = df[col].notna().to_numpy()
        if "numeric" in spec:
            r = nps(d, col, domain=dom)
            frames.append(pd.DataFrame({"question": col, "category": ["nps"], "estimate": r["nps"] / 100,
                                        "se": r["se"] / 100}))
        else:
            s = shares(d, col, domain=dom)
            frames.append(s.assign(question=col)[["question", "category", "estimate", "se"]])
    t_end = time.perf_counter()
    res = pd.concat(frames, ignore_index=True)
    res.to_csv(out + ".csv", index=False)
    Path(out).write_text(json.dumps({"read_map_s": t_read - t0, "rake_s": t_rake - t_read,
                                     "shares_s": t_end - t_rake, "total_s": t_end - t0, "peak_mb": peak_mb(),
                                     "rows": len(df), "questions": len(mapping["questions"])}))


def main(argv: list[str]) -> int:
    """Write the file, run both sides, print the comparison; exit 1 if a target or the agreement fails."""
    n = int(argv[0]) if argv else 1_000_000
    mapping = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    from ehelse.adapter import wave_years
    from ehelse.data import population_margins

    year = wave_years("citizens")[-1]
    tmp = Path(tempfile.mkdtemp(prefix="ehelse-bench-"))
    try:
        sav = tmp / "bench.sav"
        t = time.perf_counter()
        write_sav(sav, n, mapping, year)
        import os

        print(f"microdata bench (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): wrote {n:,} rows x {len(mapping['questions'])} questions "
              f"({sav.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - t:.1f} s")
        # margins for R, as source codes
        m = population_margins(year)
        rows = []
        for var, spec in mapping["variables"].items():
            inv = {v: k for k, v in spec["codes"].items()}
            for r in m[m["variable"] == var].itertuples():
                rows.append({"source": spec["source"], "code": inv[r.category], "target": r.target})
        pd.DataFrame(rows).to_csv(tmp / "margins.csv", index=False)
        qs = [{"question": q, "source": s["source"], "numeric": "numeric" in s} for q, s in mapping["questions"].items()]
        if n > 20_000:
            qs = [q for q in qs if not q["numeric"]][:R_QUESTIONS] + [q for q in qs if q["numeric"]]
        pd.DataFrame(qs).to_csv(tmp / "questions.csv", index=False)

        out = str(tmp / "book.json")
        subprocess.run([sys.executable, __file__, "--book", str(sav), out], check=True)
        book = json.loads(Path(out).read_text())
        ours = pd.read_csv(out + ".csv")
        print(f"  book: {book['total_s']:.2f} s (read+map {book['read_map_s']:.2f}, rake {book['rake_s']:.2f}, "
              f"shares+SE {book['shares_s']:.2f}), peak {book['peak_mb']:.0f} MB "
              f"[targets < {TIME_LIMIT:g} s, < {MEMORY_LIMIT_MB} MB]")
        ok = book["total_s"] < TIME_LIMIT and book["peak_mb"] < MEMORY_LIMIT_MB
        if shutil.which("Rscript"):
            r_out = tmp / "r.csv"
            t = time.perf_counter()
            res = subprocess.run(["Rscript", str(ROOT / "bench" / "bench_microdata.R"), str(sav), str(tmp / "margins.csv"),
                                  str(tmp / "questions.csv"), str(r_out)], capture_output=True, text=True)
            wall = time.perf_counter() - t
            if res.returncode != 0:
                print("  R failed:\n" + res.stderr[-2000:])
                return 1
            info = dict(line.split("=", 1) for line in res.stdout.split() if "=" in line)
            r = pd.read_csv(r_out)
            # R's categories are codes; ours are labels: map labels back to codes
            code_of = {q: {v: k for k, v in (s.get("codes") or {}).items()} for q, s in mapping["questions"].items()}
            ours["code"] = [("nps" if c == "nps" else str(code_of[q][c])) for q, c in zip(ours["question"], ours["category"])]
            r["code"] = r["code"].astype(str)
            ours = ours[ours["question"].isin(r["question"])]
            both = ours.merge(r, on=["question", "code"], suffixes=("", "_r"), how="outer", indicator=True)
            unmatched = int((both["_merge"] != "both").sum() + both[["estimate", "estimate_r", "se", "se_r"]].isna().any(axis=1).sum())
            if unmatched:
                print(both[(both["_merge"] != "both") | both.isna().any(axis=1)].head(10).to_string())
            d_est = float((both["estimate"] - both["estimate_r"]).abs().max())
            d_se = float(((both["se"] - both["se_r"]).abs() / both["se_r"]).max())
            print(f"  R ({r['question'].nunique()} of {len(mapping['questions'])} questions): "
                  f"{float(info.get('r_total_seconds', 'nan')):.2f} s inside R (read {info.get('r_read_seconds')}, "
                  f"rake {info.get('r_rake_seconds')}, svymean {info.get('r_svymean_seconds')}), {wall:.1f} s wall, "
                  f"peak {float(info.get('r_peak_mb', 'nan')):.0f} MB")
            print(f"  agreement on {len(both)} shares: max |estimate - R| = {d_est:.2e}, max relative SE difference "
                  f"= {d_se:.2e}, unmatched = {unmatched}")
            ok = ok and unmatched == 0 and d_est < 1e-6 and d_se < 1e-4
        else:
            print("  R: Rscript not found; R comparison not run")
            ok = False
        print("microdata bench: " + ("ok" if ok else "FAILED (target or agreement)"))
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--book"]:
        run_book(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main(sys.argv[1:]))
