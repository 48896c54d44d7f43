"""A change in data/ re-executes the chapters that use it and changes the built page: no stale numbers."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ehelse import ROOT


def _run(args, root: Path, check=True):
    env = {**os.environ, "EHELSE_ROOT": str(root)}
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=check)


def test_data_change_reexecutes_and_changes_the_page(tmp_path):
    root = tmp_path / "book"
    for rel in ("data", "lib/ehelse", "settings.yml", "requirements.txt", "_config.yml"):
        src, dst = ROOT / rel, root / rel
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    (root / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "about.md", root / "notebooks" / "about.md")
    (root / "intro.md").write_text("# Test book\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: notebooks/about\n")
    _run(["-m", "ehelse.build", "execute"], root)
    assert _run(["-m", "ehelse.build", "status"], root, check=False).returncode == 0

    def glued(key):
        nb = json.loads((root / "notebooks" / "about.ipynb").read_text())
        for c in nb["cells"]:
            for o in c.get("outputs", []):
                if o.get("metadata", {}).get("scrapbook", {}).get("name") == key:
                    return o["data"]["application/papermill.record/text/plain"]
        raise KeyError(key)

    assert glued("cit_gross_2022") == "4409"
    # The report text and its transcription change together (the validation checks they agree).
    for rel, old, new in (("data/published/source/citizens2022.txt", "av 4409 personer", "av 4410 personer"),
                          ("data/published/citizens/values.csv", ",n,4409,count,", ",n,4410,count,")):
        p = root / rel
        text = p.read_text(encoding="utf-8")
        assert old in text
        p.write_text(text.replace(old, new), encoding="utf-8")
    stale = _run(["-m", "ehelse.build", "status"], root, check=False)
    assert stale.returncode == 1 and "notebooks/about.md" in stale.stdout
    out = _run(["-m", "ehelse.build", "execute"], root)
    assert "ran notebooks/about.md" in out.stdout
    assert glued("cit_gross_2022") == "4410"
    jb = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jb), "build", str(root), "-W", "-n", "--keep-going", "--builder", "html"], cwd=root,
                   env={**os.environ, "EHELSE_ROOT": str(root)}, check=True, capture_output=True)
    html = (root / "_build" / "html" / "notebooks" / "about.html").read_text(encoding="utf-8")
    assert "4,410" in html and "4,409" not in html


def test_a_chapter_that_raises_stops_the_build(tmp_path):
    root = tmp_path / "book"
    for rel in ("data", "lib/ehelse", "settings.yml", "requirements.txt"):
        src, dst = ROOT / rel, root / rel
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)
    (root / "notebooks").mkdir()
    header = (ROOT / "notebooks" / "about.md").read_text(encoding="utf-8").split("# About the surveys")[0]
    (root / "notebooks" / "broken.md").write_text(header + "# Broken\n\n```{code-cell} ipython3\n"
                                                  "raise ValueError('a chapter error')\n```\n", encoding="utf-8")
    res = _run(["-m", "ehelse.build", "execute"], root, check=False)
    assert res.returncode != 0
    assert "notebooks/broken.md" in res.stdout + res.stderr and "a chapter error" in res.stdout + res.stderr
    assert not (root / "notebooks" / "broken.ipynb").exists(), "a failed chapter must not leave a notebook to publish"
