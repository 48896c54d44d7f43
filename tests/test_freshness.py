"""A change in data/ re-executes the chapters that use it and changes the built page: no stale numbers."""
import json
import pytest
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
    for rel in ("data", "lib/ehelse", "settings.yml", "requirements.txt", "_config.yml", "_static"):
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

    assert glued("cit_gross") == "4409"
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
    assert glued("cit_gross") == "4410"
    jb = Path(sys.executable).with_name("jupyter-book")
    # Not -W: the one-page book lacks the pages the About page links to (the full book builds with -W).
    subprocess.run([str(jb), "build", str(root), "--keep-going", "--builder", "html"], cwd=root,
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


# ---------------------------------------------------------------- every input of the key

READER = "```{code-cell} ipython3\nfrom ehelse import microdata\ndf, synthetic = microdata.respondents(\"citizens\")\nprint(len(df), synthetic)\n```\n"
PLAIN = "```{code-cell} ipython3\nprint(6 * 7)\n```\n"
PERSONNEL = "```{code-cell} ipython3\nfrom ehelse import microdata\nprint(len(microdata.respondents(\"personnel\")[0]))\n```\n"


def _coded_files(folder: Path, n: int, seed: int) -> tuple[Path, Path]:
    """A small coded .sav of synthetic citizens and its mapping (n rows of the latest year)."""
    import pyreadstat
    import yaml

    from ehelse import microdata, waves
    from ehelse.adapter import export_coded

    cit = microdata.respondents("citizens")[0]
    one = cit[cit["year"] == waves.latest("citizens", source="report")].dropna(axis=1, how="all")
    one = one.sample(n, random_state=seed).reset_index(drop=True)
    data, labels, mapping = export_coded(one, "citizens")
    sav, yml = folder / "innbygger.sav", folder / "mapping.yml"
    pyreadstat.write_sav(data, str(sav), variable_value_labels=labels,
                         missing_ranges={v: [99] for v in data.columns if v.startswith("q")})
    yml.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return sav, yml


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A book of three tiny chapters (citizens reader, personnel reader, plain), executed on microdata once."""
    tmp = tmp_path_factory.mktemp("fresh")
    root = tmp / "book"
    for rel in ("data", "lib/ehelse", "settings.yml", "requirements.txt"):
        src, dst = ROOT / rel, root / rel
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    header = (ROOT / "notebooks" / "about.md").read_text(encoding="utf-8").split("# About the surveys")[0]
    (root / "notebooks").mkdir()
    for name, body in (("reader", READER), ("plain", PLAIN), ("personnel", PERSONNEL)):
        (root / "notebooks" / f"{name}.md").write_text(header + f"# {name}\n\n" + body, encoding="utf-8")
    micro = tmp / "micro"
    micro.mkdir()
    sav, yml = _coded_files(micro, 300, 1)
    env = {"EHELSE_MICRODATA": str(sav), "EHELSE_MAPPING": str(yml)}
    out = _run_env(["-m", "ehelse.build", "execute"], root, env)
    assert "3 chapter(s)" in out.stdout
    return root, sav, yml, env


def _run_env(args, root, env, check=True):
    full = {k: v for k, v in os.environ.items() if not k.startswith("EHELSE_")}
    full.update(EHELSE_ROOT=str(root), **env)
    return subprocess.run([sys.executable, *args], cwd=root, env=full, capture_output=True, text=True, check=check)


def _stale(root, env) -> set[str]:
    res = _run_env(["-m", "ehelse.build", "status"], root, env, check=False)
    names = {line.split()[1] for line in res.stdout.splitlines() if line.startswith("stale: ")}
    assert (res.returncode == 1) == bool(names), res.stdout + res.stderr
    return {Path(n).stem for n in names}


def _edit(path: Path, new: bytes):
    old = path.read_bytes()
    path.write_bytes(new)
    return lambda: path.write_bytes(old)


def test_replacing_the_microdata_file_reexecutes_exactly_its_readers(small_book, tmp_path):
    root, sav, yml, env = small_book
    assert _stale(root, env) == set()
    before = (root / "notebooks" / "reader.ipynb").read_text()
    assert "300 False" in before
    saved = sav.read_bytes()
    new_sav, _ = _coded_files(tmp_path, 250, 2)
    sav.write_bytes(new_sav.read_bytes())  # same path, other content
    try:
        assert _stale(root, env) == {"reader"}
        out = _run_env(["-m", "ehelse.build", "execute"], root, env)
        assert "ran notebooks/reader.md" in out.stdout and "plain" not in out.stdout and "personnel.md" not in out.stdout
        assert "250 False" in (root / "notebooks" / "reader.ipynb").read_text()
        assert _stale(root, env) == set()
    finally:
        sav.write_bytes(saved)
    _run_env(["-m", "ehelse.build", "execute"], root, env)
    assert _stale(root, env) == set()


@pytest.mark.parametrize("what,expected", [
    ("settings", {"reader", "plain", "personnel"}),
    ("chapter text", {"plain"}),
    ("lib", {"reader", "plain", "personnel"}),
    ("data", {"reader", "plain", "personnel"}),
    ("microdata", {"reader"}),
    ("mapping", {"reader"}),
    ("environment override", {"reader", "plain", "personnel"}),
    ("ipynb edit", {"personnel"}),
])
def test_each_input_of_the_key_makes_exactly_the_affected_chapters_stale(small_book, what, expected):
    root, sav, yml, env = small_book
    assert _stale(root, env) == set()
    env2 = dict(env)
    undo = lambda: None  # noqa: E731
    if what == "settings":
        p = root / "settings.yml"
        undo = _edit(p, p.read_bytes().replace(b"flag_base: 100", b"flag_base: 101"))
    elif what == "chapter text":
        p = root / "notebooks" / "plain.md"
        undo = _edit(p, p.read_bytes().replace(b"# plain", b"# plain, edited"))
    elif what == "lib":
        p = root / "lib" / "ehelse" / "plots.py"
        undo = _edit(p, p.read_bytes() + b"\n# a comment\n")
    elif what == "data":
        p = root / "data" / "published" / "citizens" / "values.csv"
        undo = _edit(p, p.read_bytes() + b"\n")
    elif what == "microdata":
        undo = _edit(sav, sav.read_bytes() + b"\0")
    elif what == "mapping":
        undo = _edit(yml, yml.read_bytes() + b"# comment\n")
    elif what == "environment override":
        copy = yml.with_name("mapping-copy.yml")
        shutil.copy2(yml, copy)
        env2["EHELSE_MAPPING"] = str(copy)  # same content, another file: the settings every chapter reads changed
    elif what == "ipynb edit":
        p = root / "notebooks" / "personnel.ipynb"
        undo = _edit(p, p.read_bytes().replace(b"print(len(", b"print( len("))
    try:
        assert _stale(root, env2) == expected
        if what == "ipynb edit":
            res = _run_env(["-m", "ehelse.build", "status"], root, env2, check=False)
            assert "notebook edited by hand" in res.stdout
    finally:
        undo()
    assert _stale(root, env) == set()


def test_a_failed_html_build_keeps_the_previous_book(tmp_path):
    """A warning (-W) fails the build; _build/html keeps the previous book and no half-built folder is left."""
    root = tmp_path / "book"
    for rel in ("lib/ehelse", "settings.yml", "_config.yml", "_static", "data"):
        src, dst = ROOT / rel, root / rel
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    (root / "intro.md").write_text("# Test book\n\nA reference to {ref}`no-such-label`.\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    html = root / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("previous book")
    res = _run_env(["-m", "ehelse.build", "html"], root, {}, check=False)
    assert res.returncode != 0 and "the build failed" in res.stderr and "previous book is left unchanged" in res.stderr
    assert (html / "index.html").read_text() == "previous book"
    assert sorted(p.name for p in (root / "_build").iterdir() if p.name != "validated") == ["html"]  # + data cache
    (root / "intro.md").write_text("# Test book\n\nNo warnings here.\n")
    res = _run_env(["-m", "ehelse.build", "html"], root, {}, check=False)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    assert "No warnings here" in (html / "intro.html").read_text()
    assert sorted(p.name for p in (root / "_build").iterdir() if p.name != "validated") == ["html"]  # + data cache
