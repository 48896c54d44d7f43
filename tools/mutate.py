"""Mutation testing of lib/ehelse/ against the library tests (`make mutate`); prints the score and the survivors.

mutmut 3 names mutants after the module path of the file it mutates and only understands ./, src/ or
source/ layouts, so the run happens in _build/mutate/: src/ there is a link to lib/, and the book's
other inputs are linked beside it (mutmut copies them next to the mutated package, whose ROOT then
is _build/mutate/mutants/). mutants/ is kept between runs, so a rerun only retests the functions
whose code (or tests) changed. The configuration is [tool.mutmut] in pyproject.toml.

    python tools/mutate.py            # run (incremental), then the summary
    python tools/mutate.py --summary  # only the summary of the last run
    python tools/mutate.py --fresh    # forget earlier results first
    python tools/mutate.py --focus plots --tests tests/test_plots.py   # one module against some tests

--focus is for writing tests: it mutates only the named modules and runs only the named test files,
in its own stage (_build/mutate-focus/<modules>/, a pyproject.toml written there with only_mutate and
that test selection), so it takes minutes, not hours. Its score is not the book's score.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "_build" / "mutate"
MUTMUT = [sys.executable, "-m", "mutmut"]
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def also_copy() -> list[str]:
    """The book's files mutmut copies beside the mutated package ([tool.mutmut] also_copy)."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]["also_copy"]


def focus_pyproject(modules: list[str], tests: list[str]) -> str:
    """pyproject.toml for a focus stage: the book's, with [tool.mutmut] mutating `modules` against `tests` only."""
    import tomllib

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    cfg = tomllib.loads(text)["tool"]["mutmut"]
    head, sep, rest = text.partition("[tool.mutmut]")
    tail = rest[rest.find("\n["):] if "\n[" in rest else ""
    cfg["only_mutate"] = [f"src/ehelse/{m}.py" for m in modules]
    # the named tests, with the book's --ignore / --deselect of tests that cannot see a mutant
    cfg["pytest_add_cli_args_test_selection"] = tests + [a for a in cfg["pytest_add_cli_args_test_selection"]
                                                         if a != "tests"]
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in cfg.items())
    return head + sep + "\n" + body + tail


def stage(fresh: bool, where: Path = None, pyproject: str | None = None) -> None:
    """Create the stage (default _build/mutate) with its links to the book (and drop old results when asked)."""
    global STAGE
    STAGE = where or STAGE
    if fresh and STAGE.exists():
        shutil.rmtree(STAGE)
    STAGE.mkdir(parents=True, exist_ok=True)
    links = {"src": "lib", **{n: n for n in also_copy()}}
    if pyproject is None:
        links["pyproject.toml"] = "pyproject.toml"
    else:
        (STAGE / "pyproject.toml").unlink(missing_ok=True)
        (STAGE / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, target in links.items():
        link = STAGE / name
        if not link.is_symlink() and (ROOT / target).exists():
            link.symlink_to(Path(os.path.relpath(ROOT / target, STAGE)))
    # copied trees are refreshed every run: a test or data file removed from the book goes here too
    for name in ("tests", "data", "notebooks", "bench", "tools", "lib"):
        shutil.rmtree(STAGE / "mutants" / name, ignore_errors=True)


def forget_live() -> int:
    """Mark every survived or untested mutant of the stage as not checked, so the next run retests it."""
    n = 0
    for meta in (STAGE / "mutants" / "src").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for key, code in codes.items():
            if code in (0, 5, 33):
                codes[key] = None
                n += 1
        meta.write_text(json.dumps(data))
    return n


def statuses() -> dict[str, str]:
    """Mutant name -> status of the last run, from `mutmut results --all true`."""
    out = subprocess.run(MUTMUT + ["results", "--all", "true"], cwd=STAGE, capture_output=True, text=True,
                         check=True).stdout
    res = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            res[name] = status.strip()
    return res


def module_of(mutant: str) -> str:
    """ehelse.claims.x_verdict__mutmut_3 -> ehelse.claims."""
    parts = mutant.split(".")
    for i, p in enumerate(parts):
        if p.startswith("x_") or p.startswith("xǁ"):
            return ".".join(parts[:i])
    return ".".join(parts[:-1])


def summary(st: dict[str, str]) -> dict:
    """Score per module and overall: killed / (killed + survived + no tests); skipped mutants left out."""
    per = defaultdict(Counter)
    for name, status in st.items():
        per[module_of(name)][status] += 1
    rows = {}
    for mod, c in sorted(per.items()):
        killed = sum(c[s] for s in KILLED)
        live = c["survived"] + c["no tests"]
        rows[mod] = {"killed": killed, "survived": c["survived"], "no_tests": c["no tests"],
                     "other": sum(v for s, v in c.items() if s not in KILLED | {"survived", "no tests"}),
                     "score": round(100 * killed / (killed + live), 1) if killed + live else None}
    k = sum(r["killed"] for r in rows.values())
    live = sum(r["survived"] + r["no_tests"] for r in rows.values())
    return {"modules": rows, "killed": k, "survived_or_untested": live,
            "score": round(100 * k / (k + live), 1) if k + live else None}


DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
out = {}
for name in json.loads(sys.stdin.read()):
    out[name] = get_diff_for_mutant(name, path=find_mutant(name).path)
print(json.dumps(out))
"""


def mutant_diffs(names: list[str]) -> dict[str, str]:
    """Mutant name -> its diff, all in one process (`mutmut show` per mutant costs half a second each)."""
    if not names:
        return {}
    res = subprocess.run([sys.executable, "-c", DIFFS], cwd=STAGE, input=json.dumps(names), capture_output=True,
                         text=True)
    if res.returncode:
        print(res.stderr[-2000:], file=sys.stderr)
        return {}
    return json.loads(res.stdout)


def report(st: dict[str, str]) -> int:
    """Print the score table and every surviving mutant with its diff; write summary.json."""
    s = summary(st)
    print(f"\n{'module':28} {'killed':>7} {'survived':>9} {'no tests':>9} {'other':>6} {'score':>7}")
    for mod, r in s["modules"].items():
        print(f"{mod:28} {r['killed']:7} {r['survived']:9} {r['no_tests']:9} {r['other']:6} "
              f"{'' if r['score'] is None else str(r['score']) + ' %':>7}")
    print(f"{'lib/ehelse/ (all)':28} {s['killed']:7} {s['survived_or_untested']:>19} {'':6} {s['score']} %")
    print("(score = killed / (killed + survived + no tests); 'other' = not run: suspicious, skipped, interrupted)")
    live = sorted(n for n, v in st.items() if v in ("survived", "no tests"))
    print(f"\nSurviving mutants ({len(live)}):")
    diffs = mutant_diffs(live)
    for name in live:
        changed = [ln for ln in diffs.get(name, "").splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        print(f"  {name} [{st[name]}]: " + " | ".join(x.strip() for x in changed))
    (STAGE / "summary.json").write_text(json.dumps({"summary": s, "surviving": live}, indent=1))
    return 0


REASONS = ROOT / "tools" / "mutation-reasons"
BEGIN, END = "<!-- mutate:begin (written by tools/mutate.py --readme) -->", "<!-- mutate:end -->"


def reasons() -> dict[str, str]:
    """Mutant name -> reason it survives, from tools/mutation-reasons/*.csv (columns mutant, reason)."""
    import csv

    out = {}
    for f in sorted(REASONS.glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), start=2):
                if set(row) != {"mutant", "reason"} or not row["mutant"] or not row["reason"]:
                    raise SystemExit(f"{f.relative_to(ROOT)}, line {i}: need columns mutant, reason; got {row}")
                if not row["reason"].startswith(("equivalent:", "test to add:")):
                    raise SystemExit(f"{f.relative_to(ROOT)}, line {i}: reason must start with 'equivalent:' or "
                                     f"'test to add:', got {row['reason']!r}")
                out[row["mutant"]] = row["reason"]
    return out


def prune_reasons(st: dict[str, str]) -> int:
    """Drop the rows of tools/mutation-reasons/*.csv whose mutant is killed or no longer exists; how many."""
    import csv

    dropped = 0
    for f in sorted(REASONS.glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        keep = [r for r in rows if r["mutant"] in st and st[r["mutant"]] not in KILLED]
        if len(keep) < len(rows):
            dropped += len(rows) - len(keep)
            f.write_text("mutant,reason\n" + "".join(f'{r["mutant"]},"{r["reason"].replace(chr(34), 2 * chr(34))}"\n'
                                                      for r in keep), encoding="utf-8")
    return dropped


def _function_of(mutant: str) -> tuple[str, int]:
    """ehelse.plots.x_line__mutmut_12 -> ("plots.line", 12)."""
    head, _, num = mutant.rpartition("__mutmut_")
    mod = module_of(mutant)
    fn = head[len(mod) + 1:]
    fn = fn[2:] if fn.startswith("x_") else fn.replace("xǁ", "").replace("ǁ", ".")
    return f"{mod.removeprefix('ehelse.')}.{fn}", int(num)


def readme_section(st: dict[str, str], when: str) -> str:
    """The README's "Last result" section: the score table and every live mutant with its reason."""
    s, why = summary(st), reasons()
    lines = [BEGIN, "", f"### Last result", "", when, "",
             "| module | killed | survived | no tests | not run | score |", "|---|---|---|---|---|---|"]
    for mod, r in s["modules"].items():
        lines.append(f"| `{mod}` | {r['killed']} | {r['survived']} | {r['no_tests']} | {r['other']} | "
                     f"{'' if r['score'] is None else str(r['score']) + ' %'} |")
    total = s["killed"] + s["survived_or_untested"]
    lines += [f"| **all of `lib/ehelse/`** | {s['killed']} | {s['survived_or_untested']} (survived + no tests) | | | "
              f"**{s['score']} %** |", "",
              f"Score = killed / (killed + survived + no tests) over {total:,} mutants. Every live mutant follows, "
              "by function, with its reason (from `tools/mutation-reasons/*.csv`; diffs in "
              "`tools/mutation-survivors.txt`). \"not classified\" means nobody has yet decided whether it is "
              "equivalent or which test would kill it.", ""]
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for name, status in st.items():
        if status in ("survived", "no tests"):
            fn, num = _function_of(name)
            groups[(fn, status, why.get(name, "not classified"))].append(num)
    lines += ["| function | status | mutants | reason |", "|---|---|---|---|"]
    for (fn, status, reason), nums in sorted(groups.items()):
        lines.append(f"| `{fn}` | {status} | {', '.join(map(str, sorted(nums)))} | {reason.replace('|', '/')} |")
    return "\n".join(lines + ["", END])


def write_readme(st: dict[str, str], when: str) -> None:
    """Replace the section between the mutate markers of README.md."""
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    a, b = text.find(BEGIN), text.find(END)
    if a < 0 or b < a:
        raise SystemExit(f"README.md: markers {BEGIN!r} … {END!r} not found")
    path.write_text(text[:a] + readme_section(st, when) + text[b + len(END):], encoding="utf-8")


def write_survivors(st: dict[str, str]) -> None:
    """tools/mutation-survivors.txt: every live mutant with its status and diff."""
    live = sorted(n for n, v in st.items() if v in ("survived", "no tests"))
    diffs = mutant_diffs(live)
    out = []
    for name in live:
        changed = [ln for ln in diffs.get(name, "").splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        out.append(f"{name} [{st[name]}]: " + " | ".join(x.strip() for x in changed))
    (ROOT / "tools" / "mutation-survivors.txt").write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", action="store_true", help="only print the summary of the last run")
    ap.add_argument("--fresh", action="store_true", help="drop the results of earlier runs first")
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--focus", help="comma-separated modules of lib/ehelse/ to mutate alone (e.g. plots,style)")
    ap.add_argument("--tests", nargs="+", default=[], help="with --focus: the test files (or node ids) to run")
    ap.add_argument("--retest-live", action="store_true", help="retest every survived or untested mutant "
                    "(after tests were added: mutmut itself keeps earlier verdicts of unchanged functions)")
    ap.add_argument("--readme", metavar="WHEN", help="write the result into README.md (section between the "
                    "mutate markers; WHEN = date, commit and machine) and tools/mutation-survivors.txt, and drop "
                    "the reason rows of killed or vanished mutants")
    ap.add_argument("mutants", nargs="*", help="mutant names or globs to (re)test, default all")
    a = ap.parse_args()
    t0 = time.monotonic()
    where = pyproject = None
    if a.focus:
        if not a.tests:
            ap.error("--focus needs --tests")
        modules = a.focus.split(",")
        missing = [m for m in modules if not (ROOT / "lib" / "ehelse" / f"{m}.py").exists()]
        if missing:
            ap.error(f"--focus: no module lib/ehelse/{missing[0]}.py")
        where = ROOT / "_build" / "mutate-focus" / "-".join(modules)
        pyproject = focus_pyproject(modules, a.tests)
    if a.summary:
        global STAGE
        STAGE = where or STAGE
    else:
        stage(a.fresh, where, pyproject)
        if a.retest_live:
            print(f"{forget_live()} survived or untested mutants will be retested")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        for k in [k for k in env if k.startswith("EHELSE_")]:
            env.pop(k)
        res = subprocess.run(MUTMUT + ["run", "--max-children", str(a.max_children), *a.mutants], cwd=STAGE, env=env)
        if res.returncode:
            print(f"mutmut run exited with {res.returncode}", file=sys.stderr)
            return res.returncode
        print(f"mutmut run took {time.monotonic() - t0:.0f} s")
    st = statuses()
    rc = report(st)
    if a.readme:
        if a.focus:
            ap.error("--readme: a focus run is not the book's score")
        reasons()  # every row well-formed before any is dropped
        print(f"{prune_reasons(st)} reason rows named killed or vanished mutants: removed")
        write_readme(st, a.readme)
        write_survivors(st)
    return rc


if __name__ == "__main__":
    sys.exit(main())
