"""Keep the executed chapter notebooks fresh, fast and in sync with their text.

Jupyter Book's own cache is keyed on code-cell source only, so a change in lib/ or data/
would leave stale numbers in the book. Here each chapter's inputs are hashed (its .md, every
file of lib/ehelse and data/, requirements.txt); the hashes of the last execution are kept in
notebooks/executed.json. `execute` re-runs exactly the chapters whose hash changed (in
parallel, one process per core) and writes their .ipynb with outputs; the book is then built
from the .ipynb side with execution off.

    python -m ehelse.build sync       # .md -> .ipynb cell sources, outputs kept
    python -m ehelse.build execute    # run stale chapters (add --force to run all)
    python -m ehelse.build status     # list stale chapters, exit 1 if any
    python -m ehelse.build try X.md   # run one chapter in memory, write nothing (for authors)
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
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


def input_hash(md: Path, shared: str | None = None) -> str:
    """Hash of one chapter's inputs: its text plus the shared inputs."""
    h = hashlib.sha256((shared or shared_hash()).encode())
    h.update(md.read_bytes())
    env = os.environ.get("EHELSE_MICRODATA", "")
    h.update(b"microdata:" + env.encode())
    return h.hexdigest()


def _key(md: Path) -> str:
    return md.relative_to(NOTEBOOKS).with_suffix("").as_posix()


def load_state() -> dict:
    """Hashes recorded at the last execution of each chapter."""
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def stale() -> list[Path]:
    """Chapters whose notebook is missing or whose inputs changed since their last execution."""
    state, shared = load_state(), shared_hash()
    return [md for md in chapters()
            if not md.with_suffix(".ipynb").exists() or state.get(_key(md)) != input_hash(md, shared)]


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
    shared = shared_hash()
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
                state[_key(md)] = input_hash(md, shared)
                print(f"  ran {md.relative_to(ROOT)} ({secs:.1f} s)")
    known = {_key(m) for m in chapters()}
    state = {k: v for k, v in sorted(state.items()) if k in known}
    STATE.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    if failed:
        raise SystemExit("chapter(s) raised an error; the book is not built:\n" + "\n".join(failed))
    return [str(p) for p in todo]


def main(argv: list[str] | None = None) -> None:
    """Command line: see the module docstring."""
    ap = argparse.ArgumentParser(prog="python -m ehelse.build", description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=["execute", "sync", "status", "try"])
    ap.add_argument("chapters", nargs="*", help="with try: chapter .md files to run in memory")
    ap.add_argument("--out", default=None, help="with try: write the executed notebook here (outside the repo)")
    ap.add_argument("--force", action="store_true", help="execute every chapter")
    ap.add_argument("--jobs", type=int, default=None)
    a = ap.parse_args(argv)
    if a.command == "try":
        sys.exit(max((try_chapter(Path(c).resolve(), Path(a.out) if a.out else None) for c in a.chapters), default=0))
    if a.command == "sync":
        sync()
    elif a.command == "execute":
        execute(force=a.force, jobs=a.jobs)
    else:
        s = stale()
        for p in s:
            print(f"stale: {p.relative_to(ROOT)}")
        sys.exit(1 if s else 0)


if __name__ == "__main__":
    main()
