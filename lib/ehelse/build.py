"""Keep the executed chapter notebooks fresh, fast and in sync with their text.

Jupyter Book's own cache is keyed on code-cell source only, so a change in lib/ or data/
would leave stale numbers in the book. Here each chapter's key is a hash of everything it
depends on:
- its text (.md);
- every file of lib/ehelse and data/, requirements.txt and settings.yml;
- the environment overrides EHELSE_MICRODATA, EHELSE_PERSONNEL_MICRODATA, EHELSE_MAPPING and
  EHELSE_PERSONNEL_MAPPING (as set: they change the settings every chapter reads);
- for a chapter that reads respondents (`microdata.respondents("citizens")` /
  `("personnel")` in its text), the *content* of the configured microdata file and mapping
  file of that survey: replacing a file at the same path makes exactly these chapters stale.
The key of the last execution and a hash of the .ipynb it wrote are kept in
notebooks/executed.json. A notebook edited by hand (its hash differs) is stale and is
regenerated from its .md by `execute`: the .md is the only source. `execute` re-runs exactly the
stale chapters (in parallel, one process per core) and writes their .ipynb with outputs; `html`
builds the book (execution off) into a temporary folder and replaces _build/html only when the
whole build, warnings included (-W), succeeded.

    python -m ehelse.build sync       # .md -> .ipynb cell sources, outputs kept
    python -m ehelse.build execute    # run stale chapters (add --force to run all)
    python -m ehelse.build status     # list stale chapters and why, exit 1 if any
    python -m ehelse.build html       # build _build/html atomically (all or nothing)
    python -m ehelse.build try X.md   # run one chapter in memory, write nothing (for authors)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import ROOT

NOTEBOOKS = ROOT / "notebooks"
STATE = NOTEBOOKS / "executed.json"
SHARED_INPUTS = ("lib/ehelse", "data", "requirements.txt", "settings.yml")


def chapters() -> list[Path]:
    """Every chapter text file (notebooks/**/*.md) in a stable order."""
    return sorted(p for p in NOTEBOOKS.rglob("*.md") if not p.name.startswith(("_", ".")) and
                  ".ipynb_checkpoints" not in p.parts)


def _files(rel: str) -> list[Path]:
    p = ROOT / rel
    if p.is_file():
        return [p]
    if not p.exists():
        return []
    return sorted(f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts
                  and not f.name.endswith((".pyc", ".egg-info")))


def shared_hash() -> str:
    """Hash of everything every chapter depends on besides its own text."""
    h = hashlib.sha256()
    for rel in SHARED_INPUTS:
        for f in _files(rel):
            h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


ENVIRONMENT = ("EHELSE_MICRODATA", "EHELSE_PERSONNEL_MICRODATA", "EHELSE_MAPPING", "EHELSE_PERSONNEL_MAPPING")


def surveys_read(md: Path) -> set[str]:
    """Surveys whose respondents a chapter reads (from its text); a non-literal argument counts as both."""
    text = md.read_text(encoding="utf-8")
    found = set(re.findall(r"respondents\(\s*[\"'](citizens|personnel)[\"']", text))
    if re.search(r"respondents\(\s*[^\"'\s)]", text):
        found |= {"citizens", "personnel"}
    return found


def microdata_files(survey: str, settings: dict | None = None) -> list[Path]:
    """The configured microdata and mapping files of a survey (validated settings)."""
    from .settings import load

    m = (settings or load())["microdata"]
    if not m[survey]:
        return []
    mapping = (m["personnel_mapping"] if survey == "personnel" else None) or m["mapping"]
    return [p for p in (m[survey], mapping) if p]


def _file_hash(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hash(md: Path, shared: str | None = None, settings: dict | None = None) -> str:
    """Hash of one chapter's inputs: its text, the shared inputs, the overrides and the microdata it reads."""
    from .settings import load

    settings = settings or load()
    h = hashlib.sha256((shared or shared_hash()).encode())
    h.update(md.read_bytes())
    for env in ENVIRONMENT:
        h.update(f"\0{env}={os.environ.get(env, '')}".encode())
    for survey in sorted(surveys_read(md)):
        for p in microdata_files(survey, settings):
            h.update(f"\0{survey}:{p}:{_file_hash(p)}".encode())
    return h.hexdigest()


def notebook_hash(md: Path) -> str | None:
    """Hash of a chapter's .ipynb as written (None when missing)."""
    nb = md.with_suffix(".ipynb")
    return _file_hash(nb) if nb.exists() else None


def _key(md: Path) -> str:
    return md.relative_to(NOTEBOOKS).with_suffix("").as_posix()


def load_state() -> dict:
    """Key and notebook hash recorded at the last execution of each chapter."""
    state = json.loads(STATE.read_text()) if STATE.exists() else {}
    return {k: v if isinstance(v, dict) else {"inputs": v, "notebook": None} for k, v in state.items()}


def reasons() -> dict[Path, str]:
    """Stale chapters and why: notebook missing, edited by hand, or inputs changed since the last execution."""
    from .settings import load

    state, shared, settings = load_state(), shared_hash(), load()
    out = {}
    for md in chapters():
        rec = state.get(_key(md))
        nb = notebook_hash(md)
        if nb is None:
            out[md] = "no notebook"
        elif rec is None or rec["inputs"] != input_hash(md, shared, settings):
            out[md] = "inputs changed"
        elif rec.get("notebook") != nb:
            out[md] = "notebook edited by hand (it is regenerated from the .md)"
    return out


def stale() -> list[Path]:
    """Chapters whose notebook is missing or edited, or whose inputs changed since their last execution."""
    return list(reasons())


def notebook_from_text(md: Path):
    """The notebook a chapter text file defines, with outputs of the existing .ipynb kept (jupytext --update)."""
    import jupytext
    from jupytext.combine import combine_inputs_with_outputs

    nb = jupytext.read(md)
    ipynb = md.with_suffix(".ipynb")
    if ipynb.exists():
        old = jupytext.read(ipynb)
        nb = combine_inputs_with_outputs(nb, old, fmt="ipynb")
    return nb


def sync(paths: list[Path] | None = None) -> None:
    """Write each chapter's .ipynb from its .md, keeping outputs of unchanged cells."""
    import jupytext

    for md in paths or chapters():
        jupytext.write(notebook_from_text(md), md.with_suffix(".ipynb"), fmt="ipynb")


def _execute_one(md_str: str) -> tuple[str, float, str]:
    import jupytext
    from nbclient import NotebookClient

    md = Path(md_str)
    t0 = time.perf_counter()
    nb = jupytext.read(md)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(md.parent)}})
    try:
        client.execute()
    except Exception as e:  # report the chapter and the error, then fail the build
        return md_str, time.perf_counter() - t0, f"{type(e).__name__}: {str(e)[-3000:]}"
    from jupytext.combine import combine_inputs_with_outputs

    # Write exactly what `jupytext --update` of the .md onto this notebook would write.
    final = combine_inputs_with_outputs(jupytext.read(md), nb, fmt="ipynb")
    jupytext.write(final, md.with_suffix(".ipynb"), fmt="ipynb")
    return md_str, time.perf_counter() - t0, ""


def try_chapter(md: Path, out: Path | None = None) -> int:
    """Execute one chapter in memory (nothing in the repository is written); 0 if it ran cleanly."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(md)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(md.parent)}})
    try:
        client.execute()
    except Exception as e:
        print(f"FAILED {md}: {type(e).__name__}: {str(e)[-3000:]}")
        return 1
    if out is not None:
        jupytext.write(nb, out, fmt="ipynb")
    warnings = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    for w in warnings:
        print(f"stderr in {md.name}: {w.get('text', '')[:500]}")
    print(f"ok {md} ({len(nb.cells)} cells)")
    return 0


def execute(force: bool = False, jobs: int | None = None, only: list[Path] | None = None) -> list[str]:
    """Execute stale chapters in parallel; record their input hashes; return the ones run."""
    todo = only if only is not None else (chapters() if force else stale())
    if not todo:
        print("execute: every chapter is up to date")
        return []
    jobs = jobs or min(len(todo), os.cpu_count() or 1)
    print(f"execute: {len(todo)} chapter(s) on {jobs} process(es)")
    from .settings import load

    shared, settings = shared_hash(), load()
    state = load_state()
    failed = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for md_str, secs, err in pool.map(_execute_one, [str(p) for p in todo]):
            md = Path(md_str)
            if err:
                failed.append(f"{md.relative_to(ROOT)}: {err}")
                state.pop(_key(md), None)
                print(f"  FAILED {md.relative_to(ROOT)} ({secs:.1f} s)")
            else:
                state[_key(md)] = {"inputs": input_hash(md, shared, settings), "notebook": notebook_hash(md)}
                print(f"  ran {md.relative_to(ROOT)} ({secs:.1f} s)")
    known = {_key(m) for m in chapters()}
    state = {k: v for k, v in sorted(state.items()) if k in known}
    STATE.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    if failed:
        raise SystemExit("chapter(s) raised an error; the book is not built:\n" + "\n".join(failed))
    return [str(p) for p in todo]


def html(root: Path = ROOT) -> int:
    """Build the HTML book into a temporary folder; replace _build/html only if the whole build succeeded."""
    out = root / "_build"
    out.mkdir(exist_ok=True)
    tmp = out / ".html-new"
    shutil.rmtree(tmp, ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    res = subprocess.run([str(jb), "build", str(root), "--all", "-W", "-n", "--keep-going", "--builder", "html",
                          "--path-output", str(tmp)], cwd=root)
    built = tmp / "_build" / "html"
    if res.returncode != 0 or not (built / "index.html").exists():
        shutil.rmtree(tmp, ignore_errors=True)
        prev = "the previous book is left unchanged in _build/html" if (out / "html").exists() else "no book was written"
        print(f"html: the build failed (exit {res.returncode}, warnings count as errors); {prev}", file=sys.stderr)
        return 1
    old = out / ".html-old"
    shutil.rmtree(old, ignore_errors=True)
    if (out / "html").exists():
        (out / "html").rename(old)
    built.rename(out / "html")
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"Book: {(out / 'html' / 'index.html').relative_to(root)}")
    return 0


def main(argv: list[str] | None = None) -> None:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(prog="python -m ehelse.build", description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["execute", "sync", "status", "html", "try"])
    ap.add_argument("chapters", nargs="*", help="with try: chapter .md files to run in memory")
    ap.add_argument("--out", default=None, help="with try: write the executed notebook here (outside the repo)")
    ap.add_argument("--force", action="store_true", help="execute every chapter")
    ap.add_argument("--jobs", type=int, default=None)
    a = ap.parse_args(argv)
    from .settings import SettingsError, load

    try:  # settings are a contract: checked before anything runs
        load()
    except SettingsError as e:
        raise SystemExit(f"settings: {e}") from None
    if a.command == "html":
        sys.exit(html())
    if a.command == "try":
        sys.exit(max((try_chapter(Path(c).resolve(), Path(a.out) if a.out else None) for c in a.chapters), default=0))
    if a.command == "sync":
        sync()
    elif a.command == "execute":
        execute(force=a.force, jobs=a.jobs)
    else:
        s = reasons()
        for p, why in s.items():
            print(f"stale: {p.relative_to(ROOT)} ({why})")
        sys.exit(1 if s else 0)


if __name__ == "__main__":
    main()
