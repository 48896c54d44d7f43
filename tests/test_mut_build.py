"""ehelse.build in-process on a tiny book in tmp_path (build.ROOT, NOTEBOOKS and STATE pointed at it): the
chapter list, the files of the freshness key and the key's exact bytes, the surveys a chapter reads,
the microdata files, the recorded state, the stable cell ids, sync, execute's bookkeeping, the atomic
HTML build and the command line.

Nothing is executed and jupyter-book never runs: nbclient's NotebookClient, the process pool and
subprocess.run are replaced by fakes that record what they were given. tests/test_unit_freshness.py
covers reasons() (which chapters are stale after which change); tests/test_freshness.py does it end to
end in a subprocess, which cannot see a mutant. The exact hashes below are written as the documented
byte layout of the key (path NUL bytes NUL …): the key is what notebooks/executed.json records, so a
change of its layout makes every chapter stale, and the cell ids are bytes of every committed .ipynb.

The mutation run (tools/mutate.py --focus build) is the demonstration that each test fails on the bug
its docstring names.
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from ehelse import build
import ehelse.settings

CHAPTER = "---\njupytext:\n  text_representation:\n    format_name: myst\n---\n# {name}\n"
CODE = ("---\njupytext:\n  formats: ipynb,md:myst\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# Title\n\n"
        "```{{code-cell}} ipython3\nx = {x}\n```\n\ntext\n\n```{{code-cell}} ipython3\nprint('y')\n```\n")
SHARED = {"lib/ehelse/a.py": "x = 1\n", "data/t.csv": "a\n1\n", "requirements.txt": "pandas\n",
          "settings.yml": "min_base: 30\n"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def book(tmp_path, point_build_at):
    """A book of two chapters (one, sub/two) with the shared inputs; no environment override set."""
    root = tmp_path / "book"
    files = {**SHARED, "README.md": "# read me\n",
             "notebooks/one.md": CHAPTER.format(name="one"), "notebooks/sub/two.md": CHAPTER.format(name="two")}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    point_build_at(root)
    return root


SETTINGS = {"microdata": {"citizens": None, "personnel": None, "mapping": None, "personnel_mapping": None}}


# --- the chapters and the files of the key ---------------------------------------------------------------

def test_chapters_are_every_md_below_notebooks_sorted_without_hidden_private_or_checkpoints(book):
    """Fails if chapters() misses a subfolder, keeps a file starting with "_" or ".", keeps a Jupyter
    checkpoint copy or another suffix, or returns them unsorted."""
    nb = book / "notebooks"
    for rel in ["a.md", "_private.md", ".hidden.md", ".ipynb_checkpoints/one-checkpoint.md", "x.txt", "one.ipynb"]:
        (nb / rel).parent.mkdir(parents=True, exist_ok=True)
        (nb / rel).write_text("x", encoding="utf-8")
    assert build.chapters() == [nb / "a.md", nb / "one.md", nb / "sub" / "two.md"]


def test_files_of_an_input_file_a_missing_input_and_a_folder(book):
    """Fails if _files drops a single file, raises on a missing input, misses a subfolder, keeps bytecode
    (__pycache__, .pyc) or an .egg-info file, or lists folders."""
    lib = book / "lib" / "ehelse"
    (lib / "sub").mkdir()
    (lib / "sub" / "b.py").write_text("b = 2\n")
    (lib / "__pycache__").mkdir()
    (lib / "__pycache__" / "a.cpython-311.py").write_text("cached")
    (lib / "c.pyc").write_bytes(b"\0")
    (lib / "ehelse.egg-info").write_text("meta")
    assert build._files("requirements.txt") == [book / "requirements.txt"]
    assert build._files("nothing-here") == []
    assert build._files("lib/ehelse") == [lib / "a.py", lib / "sub" / "b.py"]


def test_shared_hash_is_path_and_bytes_of_each_shared_input_in_order(book):
    """Fails if shared_hash() leaves out an input, the path or the NUL separators (which keep a byte moved
    from one file to the next from giving the same key), or hashes in another order or encoding."""
    layout = b"".join(rel.encode() + b"\0" + text.encode() + b"\0" for rel, text in SHARED.items())
    assert build.shared_hash() == _sha(layout)


def test_shared_hash_tells_a_byte_moved_across_a_file_boundary(book):
    """Fails if the separators between path, content and the next file are dropped."""
    before = build.shared_hash()
    (book / "data" / "t.csv").write_text("a\n1\nr", encoding="utf-8")
    (book / "requirements.txt").write_text("equirements.txt" + "\0" + "pandas\n", encoding="utf-8")
    assert build.shared_hash() != before


# --- which surveys a chapter reads, and their files ---------------------------------------------------------

@pytest.mark.parametrize("code,surveys", [
    ('cit, syn = microdata.respondents("citizens")', {"citizens"}),
    ("per = respondents( 'personnel' )", {"personnel"}),
    ('a = respondents("citizens"); b = respondents("personnel")', {"citizens", "personnel"}),
    ("df = microdata.respondents(survey)", {"citizens", "personnel"}),
    ("df = respondents(\n    name)", {"citizens", "personnel"}),
    ("df = respondents()", set()),
    ('respondents("others")', set()),
    ("no microdata here", set()),
])
def test_surveys_read_from_the_chapter_text(tmp_path, monkeypatch, code, surveys):
    """Fails if a literal survey is missed (quotes, spaces), a non-literal argument does not count as both
    surveys, an empty call or an unknown survey counts, or the text is read in the locale's encoding
    (an ASCII locale simulated: pathlib asks io.text_encoding when no encoding is given) instead of UTF-8."""
    import io

    real = io.text_encoding
    monkeypatch.setattr(io, "text_encoding", lambda encoding, stacklevel=2: real(encoding) if encoding else "ascii")
    md = tmp_path / "c.md"
    md.write_text(f"# Pasientreiser og fastlegeordningen: hva sier de spurte?\n\nSå:\n\n"
                  f"```{{code-cell}} ipython3\n{code}\n```\n", encoding="utf-8")
    assert build.surveys_read(md) == surveys


def test_microdata_files_are_the_file_and_its_mapping(tmp_path):
    """Fails if the microdata or the mapping file is left out, personnel do not use their own mapping
    (nor fall back to the common one), or an unconfigured survey lists files."""
    m = {"citizens": Path("c.sav"), "personnel": Path("p.sav"), "mapping": Path("m.yml"),
         "personnel_mapping": Path("pm.yml")}
    assert build.microdata_files("citizens", {"microdata": m}) == [Path("c.sav"), Path("m.yml")]
    assert build.microdata_files("personnel", {"microdata": m}) == [Path("p.sav"), Path("pm.yml")]
    m2 = {**m, "personnel_mapping": None}
    assert build.microdata_files("personnel", {"microdata": m2}) == [Path("p.sav"), Path("m.yml")]
    m3 = {**m, "citizens": None, "mapping": None}
    assert build.microdata_files("citizens", {"microdata": m3}) == []
    assert build.microdata_files("personnel", {"microdata": m3}) == [Path("p.sav"), Path("pm.yml")]
    m4 = {**m, "mapping": None, "personnel_mapping": None}
    assert build.microdata_files("citizens", {"microdata": m4}) == [Path("c.sav")]


def test_microdata_files_read_the_settings_by_default(monkeypatch):
    """Fails if the default (no settings given) does not load the book's settings."""
    m = {"citizens": Path("c.sav"), "personnel": None, "mapping": Path("m.yml"), "personnel_mapping": None}
    monkeypatch.setattr(ehelse.settings, "load", lambda: {"microdata": m})
    assert build.microdata_files("citizens") == [Path("c.sav"), Path("m.yml")]


def test_file_hash_is_the_sha256_of_a_file_larger_than_one_block(tmp_path):
    """Fails if _file_hash reads only part of the file or stops at the wrong end marker."""
    data = bytes(range(256)) * 5000  # 1.28 MB: more than one block of 1 MiB
    p = tmp_path / "big.bin"
    p.write_bytes(data)
    assert build._file_hash(p) == _sha(data)
    (tmp_path / "empty").write_bytes(b"")
    assert build._file_hash(tmp_path / "empty") == _sha(b"")


# --- the key of one chapter ----------------------------------------------------------------------------------

def _env_part(values=None):
    values = values or {}
    return b"".join(f"\0{e}={values.get(e, '')}".encode() for e in
                    ("EHELSE_MICRODATA", "EHELSE_PERSONNEL_MICRODATA", "EHELSE_MAPPING", "EHELSE_PERSONNEL_MAPPING"))


def test_input_hash_of_a_chapter_without_microdata(book):
    """Fails if input_hash() leaves out the shared hash, the chapter's bytes, an environment override
    (name, "=", value, NUL) or encodes them otherwise."""
    md = book / "notebooks" / "one.md"
    expected = _sha(b"S" + md.read_bytes() + _env_part())
    assert build.input_hash(md, "S", SETTINGS) == expected


def test_input_hash_computes_the_shared_hash_and_settings_by_default(book, monkeypatch):
    """Fails if the defaults (shared=None, settings=None) do not fall back to shared_hash() and load()."""
    monkeypatch.setattr(ehelse.settings, "load", lambda: SETTINGS)
    md = book / "notebooks" / "one.md"
    assert build.input_hash(md) == build.input_hash(md, build.shared_hash(), SETTINGS)
    assert build.input_hash(md) == _sha(build.shared_hash().encode() + md.read_bytes() + _env_part())


def test_input_hash_includes_each_override_as_set(book, monkeypatch):
    """Fails if an override's value (not only its presence) is left out of the key."""
    md = book / "notebooks" / "one.md"
    monkeypatch.setenv("EHELSE_PERSONNEL_MAPPING", "/x/map.yml")
    assert build.input_hash(md, "S", SETTINGS) == _sha(b"S" + md.read_bytes()
                                                        + _env_part({"EHELSE_PERSONNEL_MAPPING": "/x/map.yml"}))


def test_input_hash_includes_the_content_of_the_microdata_a_chapter_reads(book, tmp_path):
    """Fails if the microdata files of the surveys a chapter reads are left out, their path, survey or
    content hash is left out, the surveys are not in sorted order, or a chapter that reads no
    respondents depends on them."""
    md = book / "notebooks" / "one.md"
    md.write_text('per = respondents("personnel")\ncit = respondents("citizens")\n', encoding="utf-8")
    files = {n: tmp_path / n for n in ("c.sav", "p.sav", "m.yml")}
    for n, p in files.items():
        p.write_bytes(n.encode() * 3)
    settings = {"microdata": {"citizens": files["c.sav"], "personnel": files["p.sav"], "mapping": files["m.yml"],
                              "personnel_mapping": None}}
    parts = b"".join(f"\0{s}:{p}:{_sha(p.read_bytes())}".encode() for s, p in
                     [("citizens", files["c.sav"]), ("citizens", files["m.yml"]),
                      ("personnel", files["p.sav"]), ("personnel", files["m.yml"])])
    assert build.input_hash(md, "S", settings) == _sha(b"S" + md.read_bytes() + _env_part() + parts)
    other = book / "notebooks" / "sub" / "two.md"
    assert build.input_hash(other, "S", settings) == _sha(b"S" + other.read_bytes() + _env_part())


def test_notebook_hash_is_none_without_a_notebook(book):
    """Fails if a missing .ipynb gets a hash, or an existing one is hashed otherwise than by its bytes."""
    md = book / "notebooks" / "one.md"
    assert build.notebook_hash(md) is None
    md.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
    assert build.notebook_hash(md) == _sha(b"{}")


def test_key_is_the_chapter_path_below_notebooks_without_suffix(book):
    """Fails if the state key keeps the suffix, the notebooks/ prefix, or uses another separator."""
    assert build._key(book / "notebooks" / "sub" / "two.md") == "sub/two"
    assert build._key(book / "notebooks" / "one.md") == "one"


def test_load_state_reads_both_formats_and_a_missing_file(book):
    """Fails if a missing state file raises instead of meaning "nothing executed", or an old entry (the
    bare input hash) is not read as {"inputs": …, "notebook": None}."""
    assert build.load_state() == {}
    build.STATE.write_text(json.dumps({"one": "abc", "sub/two": {"inputs": "def", "notebook": "123"}}))
    assert build.load_state() == {"one": {"inputs": "abc", "notebook": None},
                                  "sub/two": {"inputs": "def", "notebook": "123"}}


def test_reasons_with_no_state_and_stale_lists_them(book, monkeypatch):
    """Fails if a chapter with a notebook but no recorded execution is not "inputs changed", or stale()
    is not the list of reasons' chapters in order."""
    monkeypatch.setattr(ehelse.settings, "load", lambda: SETTINGS)
    (book / "notebooks" / "one.ipynb").write_text("{}")
    assert build.reasons() == {book / "notebooks" / "one.md": "inputs changed",
                               book / "notebooks" / "sub" / "two.md": "no notebook"}
    assert build.stale() == [book / "notebooks" / "one.md", book / "notebooks" / "sub" / "two.md"]


def test_reasons_with_a_fresh_record_is_empty_and_an_old_entry_counts_as_edited(book, monkeypatch):
    """Fails if a chapter whose recorded key and notebook hash match is stale, or an entry of the old
    format (no notebook hash) counts as fresh."""
    monkeypatch.setattr(ehelse.settings, "load", lambda: SETTINGS)
    state = {}
    for md in build.chapters():
        md.with_suffix(".ipynb").write_text("{}")
        state[build._key(md)] = {"inputs": build.input_hash(md, build.shared_hash(), SETTINGS),
                                 "notebook": build.notebook_hash(md)}
    build.STATE.write_text(json.dumps(state))
    assert build.reasons() == {}
    state["one"] = state["one"]["inputs"]
    build.STATE.write_text(json.dumps(state))
    assert build.reasons() == {book / "notebooks" / "one.md": "notebook edited by hand (it is regenerated from the .md)"}


# --- cell ids, sync ----------------------------------------------------------------------------------------

def test_stable_ids_are_the_first_8_hex_of_position_and_text():
    """Fails if the id is not sha256("<position>\\0<source>")[:8] (position or text left out, another
    separator, length or hash), so that the same text gives the same bytes in every .ipynb."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("x = 1")])
    out = build._stable_ids(nb)
    assert out is nb
    assert [c["id"] for c in nb.cells] == [_sha(b"0\0# T")[:8], _sha(b"1\0x = 1")[:8], _sha(b"2\0x = 1")[:8]]


def test_sync_writes_each_notebook_from_its_text_keeping_outputs_of_unchanged_cells(book):
    """Fails if sync() skips a chapter, writes another format, drops the outputs of an unchanged cell (the
    existing .ipynb not combined), keeps an old cell text, or leaves random cell ids; with paths it
    syncs only those."""
    one, two = book / "notebooks" / "one.md", book / "notebooks" / "sub" / "two.md"
    one.write_text(CODE.format(x=1), encoding="utf-8")
    build.sync()
    nb = nbformat.read(one.with_suffix(".ipynb"), as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "markdown", "code"]
    assert [c.source for c in nb.cells] == ["# Title", "x = 1", "text", "print('y')"]
    assert [c["id"] for c in nb.cells] == [_sha(f"{i}\0{c.source}".encode())[:8] for i, c in enumerate(nb.cells)]
    assert two.with_suffix(".ipynb").exists()
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="y\n")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="old\n")]
    nbformat.write(nb, one.with_suffix(".ipynb"))
    one.write_text(CODE.format(x=2), encoding="utf-8")
    two.with_suffix(".ipynb").unlink()
    build.sync([one])
    nb = nbformat.read(one.with_suffix(".ipynb"), as_version=4)
    assert nb.cells[1].source == "x = 2" and nb.cells[1]["id"] == _sha(b"1\0x = 2")[:8]
    assert [o["text"] for o in nb.cells[3].outputs] == ["y\n"]
    assert not two.with_suffix(".ipynb").exists()


def test_notebook_from_text_without_a_notebook(book):
    """Fails if a chapter without .ipynb cannot be read, or its cells lack the stable ids."""
    one = book / "notebooks" / "one.md"
    one.write_text(CODE.format(x=3), encoding="utf-8")
    nb = build.notebook_from_text(one)
    assert [c.source for c in nb.cells] == ["# Title", "x = 3", "text", "print('y')"]
    assert nb.cells[1]["id"] == _sha(b"1\0x = 3")[:8]


# --- execution (with a fake notebook client) -------------------------------------------------------------

class Client:
    """nbclient.NotebookClient as build uses it: records its arguments; execute() fills outputs or raises."""

    made = []
    error = None

    def __init__(self, nb, **kwargs):
        self.nb, self.kwargs = nb, kwargs
        Client.made.append(self)

    def execute(self):
        if Client.error is not None:
            raise Client.error
        for c in self.nb.cells:
            if c.cell_type == "code":
                c.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"ran {c.source}\n")]
        self.nb.cells[-1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="W" * 600))


@pytest.fixture
def client(monkeypatch):
    import nbclient

    Client.made, Client.error = [], None
    monkeypatch.setattr(nbclient, "NotebookClient", Client)
    return Client


def _kwargs(md):
    return {"timeout": 600, "kernel_name": "python3", "record_timing": False,
            "resources": {"metadata": {"path": str(md.parent)}}}


def test_execute_one_runs_with_the_python3_kernel_and_writes_outputs_with_stable_ids(book, client):
    """Fails if _execute_one runs the client with another timeout, kernel or folder, hands it a notebook
    with another kernelspec (a chapter whose header names none) or with the jupytext metadata, reports an
    error on success, or loses the outputs or the stable ids in the .ipynb it writes."""
    one = book / "notebooks" / "one.md"
    # a chapter whose header names no kernel: the executed notebook still gets the python3 kernelspec
    one.write_text(CODE.format(x=1).replace("kernelspec:\n  display_name: Python 3\n  language: python\n"
                                            "  name: python3\n", ""), encoding="utf-8")
    assert "kernelspec" not in one.read_text(encoding="utf-8")
    md_str, secs, err = build._execute_one(str(one))
    assert (md_str, err) == (str(one), "") and 0 <= secs < 60
    assert client.made[0].kwargs == _kwargs(one)
    assert client.made[0].nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}
    nb = nbformat.read(one.with_suffix(".ipynb"), as_version=4)
    assert "jupytext" not in client.made[0].nb.metadata
    assert [o["text"] for o in nb.cells[1].outputs] == ["ran x = 1\n"]
    assert [c["id"] for c in nb.cells] == [_sha(f"{i}\0{c.source}".encode())[:8] for i, c in enumerate(nb.cells)]


def test_execute_one_reports_the_error_and_writes_nothing(book, client):
    """Fails if an error is raised instead of reported, is reported without its type or with more than its
    last 3000 characters, or a notebook is written."""
    one = book / "notebooks" / "one.md"
    one.write_text(CODE.format(x=1), encoding="utf-8")
    client.error = ValueError("a" * 5000 + "the end")
    md_str, secs, err = build._execute_one(str(one))
    assert md_str == str(one) and err == "ValueError: " + ("a" * 5000 + "the end")[-3000:]
    assert 0 <= secs < 30  # the seconds it took, not a sum of clock readings
    assert not one.with_suffix(".ipynb").exists()


def test_try_chapter_runs_in_memory_and_reports(book, client, tmp_path, capsys):
    """Fails if try_chapter writes into the book, returns non-zero on success, drops the stderr warnings
    (cut at 500 characters) or the final "ok" line, or ignores --out."""
    one = book / "notebooks" / "one.md"
    one.write_text(CODE.format(x=1), encoding="utf-8")
    assert build.try_chapter(one) == 0
    assert client.made[0].kwargs == _kwargs(one)
    assert capsys.readouterr().out == f"stderr in one.md: {'W' * 500}\nok {one} (4 cells)\n"
    assert not one.with_suffix(".ipynb").exists()
    out = tmp_path / "out.ipynb"
    assert build.try_chapter(one, out) == 0
    assert [o["text"] for o in nbformat.read(out, as_version=4).cells[1].outputs] == ["ran x = 1\n"]


def test_try_chapter_reports_a_failure(book, client, capsys):
    """Fails if a chapter that raises returns 0, or the message loses the chapter, the error type or keeps
    more or less than the last 3000 characters of the error."""
    one = book / "notebooks" / "one.md"
    one.write_text(CODE.format(x=1), encoding="utf-8")
    client.error = RuntimeError("b" * 4000 + "end")
    assert build.try_chapter(one, book / "never.ipynb") == 1
    assert capsys.readouterr().out == f"FAILED {one}: RuntimeError: {('b' * 4000 + 'end')[-3000:]}\n"
    assert not (book / "never.ipynb").exists()


class Pool:
    """ProcessPoolExecutor as execute() uses it, in this process."""

    workers = []

    def __init__(self, max_workers):
        Pool.workers.append(max_workers)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn, items):
        return map(fn, items)


@pytest.fixture
def pool(book, monkeypatch):
    """execute() with an in-process pool and a fake _execute_one that writes "{}" (or fails for names in `fail`)."""
    Pool.workers = []
    ran, fail = [], set()

    def run(md_str):
        ran.append(md_str)
        md = Path(md_str)
        if md.stem in fail:
            return md_str, 2.0, "ValueError: boom"
        md.with_suffix(".ipynb").write_text('{"ran": true}')
        return md_str, 1.25, ""

    monkeypatch.setattr(build, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(build, "_execute_one", run)
    monkeypatch.setattr(ehelse.settings, "load", lambda: SETTINGS)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    return ran, fail


def test_execute_runs_the_stale_chapters_and_records_their_keys(book, pool, capsys):
    """Fails if execute() runs fresh chapters or misses stale ones, records another key or notebook hash,
    keeps entries of chapters that no longer exist, writes the state unsorted (keys of the entries too) or
    in another layout,
    uses more processes than chapters, or prints other lines."""
    ran, fail = pool
    one, two = book / "notebooks" / "one.md", book / "notebooks" / "sub" / "two.md"
    state = {"gone": {"inputs": "x", "notebook": None}}
    two.with_suffix(".ipynb").write_text("{}")
    # an entry written with its keys in another order: the state file is rewritten with sorted keys
    state["sub/two"] = {"notebook": _sha(b"{}"), "inputs": build.input_hash(two, build.shared_hash(), SETTINGS)}
    build.STATE.write_text(json.dumps(state))
    assert build.execute() == [str(one)]
    assert ran == [str(one)] and Pool.workers == [1]
    expected = {"one": {"inputs": build.input_hash(one, build.shared_hash(), SETTINGS),
                        "notebook": _sha(b'{"ran": true}')}, "sub/two": state["sub/two"]}
    assert build.STATE.read_text() == json.dumps(expected, indent=1, sort_keys=True) + "\n"
    assert build.STATE.read_text().index('"inputs"') < build.STATE.read_text().index('"notebook"')
    assert capsys.readouterr().out == ("execute: 1 chapter(s) on 1 process(es)\n"
                                       "  ran notebooks/one.md (1.2 s)\n")
    assert build.execute() == []
    assert capsys.readouterr().out == "execute: every chapter is up to date\n"


def test_execute_force_runs_every_chapter_on_at_most_one_process_per_core(book, pool, monkeypatch, capsys):
    """Fails if --force does not run every chapter, or the processes are not min(chapters, cores), or
    `jobs` is ignored."""
    ran, fail = pool
    assert build.execute(force=True) == [str(book / "notebooks" / "one.md"), str(book / "notebooks" / "sub" / "two.md")]
    assert Pool.workers == [2]
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    build.execute(force=True)
    build.execute(force=True, jobs=5)
    assert Pool.workers == [2, 1, 5]
    assert "execute: 2 chapter(s) on 5 process(es)\n" in capsys.readouterr().out


def test_execute_only_the_named_chapters(book, pool):
    """Fails if `only` is ignored (every stale chapter run) or an empty `only` runs anything."""
    ran, fail = pool
    two = book / "notebooks" / "sub" / "two.md"
    assert build.execute(only=[two]) == [str(two)]
    assert build.execute(only=[]) == []
    assert ran == [str(two)]


def test_execute_fails_naming_each_chapter_that_raised_and_forgets_its_record(book, pool, capsys):
    """Fails if a chapter that raised keeps its old record (it would look fresh), the others are not
    recorded, or the error is not raised naming the chapter and the error."""
    ran, fail = pool
    fail.add("one")
    build.STATE.write_text(json.dumps({"one": {"inputs": "old", "notebook": "old"}}))
    with pytest.raises(SystemExit, match=r"^chapter\(s\) raised an error; the book is not built:\n"
                                         r"notebooks/one.md: ValueError: boom$"):
        build.execute(force=True)
    state = json.loads(build.STATE.read_text())
    assert list(state) == ["sub/two"]
    fail.add("two")
    with pytest.raises(SystemExit, match=r"^chapter\(s\) raised an error; the book is not built:\n"
                                         r"notebooks/one.md: ValueError: boom\nnotebooks/sub/two.md: ValueError: boom$"):
        build.execute(force=True)
    assert capsys.readouterr().out.startswith("execute: 2 chapter(s) on 2 process(es)\n"
                                              "  FAILED notebooks/one.md (2.0 s)\n"
                                              "  ran notebooks/sub/two.md (1.2 s)\n")


def test_execute_records_the_inputs_as_they_were_when_it_started(book, pool, monkeypatch, tmp_path):
    """Fails if the key recorded for a chapter is recomputed after it ran (shared hash or settings read
    again): an edit of lib/ or of the settings during the run would then be recorded as executed, and the
    chapter, run on the old inputs, would look fresh."""
    ran, fail = pool
    one = book / "notebooks" / "one.md"
    one.write_text('cit = respondents("citizens")\n', encoding="utf-8")
    a, b = tmp_path / "a.sav", tmp_path / "b.sav"
    a.write_bytes(b"a")
    b.write_bytes(b"b")
    loads = iter([{"microdata": {**SETTINGS["microdata"], "citizens": p}} for p in (a, b, b, b)])
    monkeypatch.setattr(ehelse.settings, "load", lambda: next(loads))
    shared = build.shared_hash()
    before = build.input_hash(one, shared, {"microdata": {**SETTINGS["microdata"], "citizens": a}})
    real_run = build._execute_one

    def run_and_edit(md_str):
        (book / "lib" / "ehelse" / "a.py").write_text("x = 2\n")  # lib/ edited while the chapter runs
        return real_run(md_str)

    monkeypatch.setattr(build, "_execute_one", run_and_edit)
    build.execute(only=[one])
    assert json.loads(build.STATE.read_text())["one"]["inputs"] == before


def test_execute_a_chapter_that_raised_without_a_record(book, pool, capsys):
    """Fails if forgetting the record of a failed chapter that has none raises KeyError (state.pop's default
    dropped) instead of the SystemExit naming the chapter; no state is recorded for it."""
    ran, fail = pool
    fail.add("two")
    with pytest.raises(SystemExit, match=r"\nnotebooks/sub/two.md: ValueError: boom$"):
        build.execute(only=[book / "notebooks" / "sub" / "two.md"])
    assert json.loads(build.STATE.read_text()) == {}


# --- the atomic HTML build (with a fake jupyter-book) ----------------------------------------------------

@pytest.fixture
def jb(book, monkeypatch):
    """subprocess.run replaced: records the command; writes a book with index.html unless told otherwise."""
    calls, how = [], {"code": 0, "index": True}

    def run(cmd, cwd):
        calls.append((cmd, cwd))
        if how.get("nothing"):  # jupyter-book stopped before it wrote its output folder
            return type("Done", (), {"returncode": how["code"]})()
        out = Path(cmd[cmd.index("--path-output") + 1]) / "_build" / "html"
        out.mkdir(parents=True, exist_ok=True)
        if how["index"]:
            (out / "index.html").write_text("new book")
        return type("Done", (), {"returncode": how["code"]})()

    monkeypatch.setattr(build.subprocess, "run", run)
    return calls, how


def test_html_replaces_the_book_only_after_a_whole_successful_build(book, jb, capsys):
    """Fails if html() runs jupyter-book with other arguments (all pages, -W, -n, --keep-going, html
    builder, a temporary output), does not clear what an interrupted build left in the temporary folders
    first (a stale page would be published; a non-empty .html-old stops the swap), leaves them, or does
    not replace _build/html."""
    calls, how = jb
    (book / "_build" / "html").mkdir(parents=True)
    (book / "_build" / "html" / "index.html").write_text("old book")
    (book / "_build" / ".html-new" / "_build" / "html").mkdir(parents=True)
    (book / "_build" / ".html-new" / "_build" / "html" / "stale.html").write_text("left by an interrupted build")
    (book / "_build" / ".html-old").mkdir()
    (book / "_build" / ".html-old" / "index.html").write_text("left by an interrupted swap")
    assert build.html(book) == 0
    jbook = str(Path(sys.executable).with_name("jupyter-book"))
    assert calls == [([jbook, "build", str(book), "--all", "-W", "-n", "--keep-going", "--builder", "html",
                       "--path-output", str(book / "_build" / ".html-new")], book)]
    assert (book / "_build" / "html" / "index.html").read_text() == "new book"
    assert sorted(p.name for p in (book / "_build" / "html").iterdir()) == ["index.html"]
    assert sorted(p.name for p in (book / "_build").iterdir()) == ["html"]
    assert capsys.readouterr().out == "Book: _build/html/index.html\n"


def test_html_first_build_creates_the_build_folder(book, jb, capsys):
    """Fails if html() needs an existing _build/ or _build/html."""
    assert build.html(book) == 0
    assert (book / "_build" / "html" / "index.html").read_text() == "new book"
    assert sorted(p.name for p in (book / "_build").iterdir()) == ["html"]


@pytest.mark.parametrize("code,index", [(1, True), (0, False), (2, False)])
def test_a_failed_build_leaves_the_previous_book(book, jb, capsys, code, index):
    """Fails if a build that failed (exit code, or no index.html) replaces the book, leaves its temporary
    folder, returns 0, or its message loses the exit code or the note on the previous book."""
    calls, how = jb
    how.update(code=code, index=index)
    (book / "_build" / "html").mkdir(parents=True)
    (book / "_build" / "html" / "index.html").write_text("old book")
    assert build.html(book) == 1
    assert (book / "_build" / "html" / "index.html").read_text() == "old book"
    assert sorted(p.name for p in (book / "_build").iterdir()) == ["html"]
    assert capsys.readouterr().err == (f"html: the build failed (exit {code}, warnings count as errors); "
                                       "the previous book is left unchanged in _build/html\n")


def test_a_failed_first_build_says_no_book_was_written(book, jb, capsys):
    """Fails if the message claims a previous book when there is none."""
    jb[1]["code"] = 1
    assert build.html(book) == 1
    assert not (book / "_build" / "html").exists()
    assert capsys.readouterr().err == "html: the build failed (exit 1, warnings count as errors); no book was written\n"


def test_a_build_that_failed_before_writing_anything(book, jb, capsys):
    """Fails if cleaning up after a failed build raises because the temporary folder was never created
    (jupyter-book stopped at once, e.g. on a bad _config.yml) instead of returning 1 with the message."""
    jb[1].update(code=2, nothing=True)
    assert build.html(book) == 1
    assert capsys.readouterr().err == "html: the build failed (exit 2, warnings count as errors); no book was written\n"


# --- the command line --------------------------------------------------------------------------------------

@pytest.fixture
def cli(book, monkeypatch):
    """main() with valid settings and every command replaced by a recorder."""
    calls = []
    monkeypatch.setattr(ehelse.settings, "load", lambda: SETTINGS)
    monkeypatch.setattr(build, "html", lambda: calls.append(("html",)) or 0)
    monkeypatch.setattr(build, "sync", lambda: calls.append(("sync",)))
    monkeypatch.setattr(build, "execute", lambda force, jobs: calls.append(("execute", force, jobs)))
    monkeypatch.setattr(build, "try_chapter", lambda md, out: calls.append(("try", md, out)) or (md.stem == "bad"))
    return calls


def _exit(argv):
    with pytest.raises(SystemExit) as e:
        build.main(argv)
    return e.value.code


def test_main_checks_the_settings_first(cli, monkeypatch):
    """Fails if invalid settings do not stop every command before it runs, or the message loses its prefix."""
    def bad():
        raise ehelse.settings.SettingsError("min_base: not a number")

    monkeypatch.setattr(ehelse.settings, "load", bad)
    assert _exit(["sync"]) == "settings: min_base: not a number"
    assert cli == []


def test_main_commands(cli, book, tmp_path):
    """Fails if a command calls another function, loses --force, --jobs or --out, or exits otherwise."""
    build.main(["sync"])
    build.main(["execute"])
    build.main(["execute", "--force", "--jobs", "3"])
    assert _exit(["html"]) == 0
    assert cli == [("sync",), ("execute", False, None), ("execute", True, 3), ("html",)]


def test_main_try_runs_each_chapter_and_exits_with_the_worst(cli, tmp_path, monkeypatch):
    """Fails if `try` skips a chapter, does not resolve its path, drops --out, or exits 0 when one failed
    (or non-zero with no chapter)."""
    monkeypatch.chdir(tmp_path)
    assert _exit(["try", "good.md", "bad.md", "--out", "o.ipynb"]) == 1
    assert cli == [("try", tmp_path / "good.md", Path("o.ipynb")), ("try", tmp_path / "bad.md", Path("o.ipynb"))]
    cli.clear()
    assert _exit(["try", "good.md"]) == 0
    assert cli == [("try", tmp_path / "good.md", None)]
    assert _exit(["try"]) == 0


def test_main_status_lists_stale_chapters_and_exits_1(cli, book, capsys, monkeypatch):
    """Fails if status prints another line, paths not relative to the book, or exits 0 with stale chapters
    (or 1 without)."""
    monkeypatch.setattr(build, "reasons", lambda: {book / "notebooks" / "one.md": "no notebook",
                                                   book / "notebooks" / "sub" / "two.md": "inputs changed"})
    assert _exit(["status"]) == 1
    assert capsys.readouterr().out == ("stale: notebooks/one.md (no notebook)\n"
                                       "stale: notebooks/sub/two.md (inputs changed)\n")
    monkeypatch.setattr(build, "reasons", lambda: {})
    assert _exit(["status"]) == 0
    assert capsys.readouterr().out == ""


def test_main_help_names_the_program_its_purpose_and_options(cli, capsys):
    """Fails if the program name, the one-line description (the docstring's first line only) or an
    option's help text changes, or an unknown command is accepted."""
    assert _exit(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("usage: python -m ehelse.build [-h] [--out OUT] [--force] [--jobs JOBS] "
                          "{execute,sync,status,html,try} [chapters ...] "
                          "Keep the executed chapter notebooks fresh, fast and in sync with their text. positional")
    assert out.endswith("positional arguments: {execute,sync,status,html,try} chapters with try: chapter .md files "
                        "to run in memory options: -h, --help show this help message and exit --out OUT with try: "
                        "write the executed notebook here (outside the repo) --force execute every chapter "
                        "--jobs JOBS")
    assert _exit(["publish"]) == 2
