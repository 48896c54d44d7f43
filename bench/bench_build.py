"""Benchmark of the book build: clean, no change, one chapter edited (prints timings, asserts nothing).

Runs on a temporary clone of the repository (the working tree is never touched), with this
environment's Python: `execute` then `jupyter-book build --all -W`, as `make book` does.
Targets: clean < 180 s, no change < 15 s, one chapter edited: only that chapter re-executes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")


def build(root: Path, force: bool = False) -> tuple[float, list[str]]:
    env = {**os.environ, "EHELSE_ROOT": str(root)}
    t0 = time.perf_counter()
    ex = subprocess.run([sys.executable, "-m", "ehelse.build", "execute", *(["--force"] if force else [])],
                        cwd=root, env=env, capture_output=True, text=True, check=True)
    subprocess.run([str(JB), "build", ".", "--all", "-W", "-n", "--keep-going", "--builder", "html"], cwd=root,
                   env=env, capture_output=True, text=True, check=True)
    ran = [line.split()[1] for line in ex.stdout.splitlines() if line.strip().startswith("ran ")]
    return time.perf_counter() - t0, ran


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        subprocess.run(["git", "clone", "-q", str(REPO), str(root)], check=True)
        clean, ran_clean = build(root, force=True)
        nochange, ran_none = build(root)
        chapter = root / "notebooks" / "citizens" / "07-satisfaction.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAn added sentence.\n", encoding="utf-8")
        one, ran_one = build(root)
    print(f"clean build (all {len(ran_clean)} chapters executed, HTML built): {clean:6.1f} s   target < 180 s")
    print(f"rebuild with nothing changed ({len(ran_none)} executed):            {nochange:6.1f} s   target < 15 s")
    print(f"rebuild after editing one chapter ({', '.join(ran_one) or 'none'} executed): {one:6.1f} s")


if __name__ == "__main__":
    main()
