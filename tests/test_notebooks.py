"""Chapter pairs: .md is the source, .ipynb its executed twin; both in sync, executed, fresh, error-free."""
import json

import jupytext
import pytest

from ehelse import build

CHAPTERS = build.chapters()


def test_there_are_chapters():
    assert len(CHAPTERS) >= 2


def test_every_text_has_its_notebook_and_back():
    mds = {p.with_suffix("") for p in CHAPTERS}
    nbs = {p.with_suffix("") for p in build.NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert mds == nbs, f"unpaired: {sorted(map(str, mds ^ nbs))}"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_pair_in_sync(md, tmp_path):
    """Regenerating the .ipynb from the .md (jupytext update, outputs kept) changes nothing."""
    out = tmp_path / "regenerated.ipynb"
    jupytext.write(build.notebook_from_text(md), out, fmt="ipynb")
    regenerated = out.read_text(encoding="utf-8")
    committed = md.with_suffix(".ipynb").read_text(encoding="utf-8")
    assert json.loads(regenerated)["cells"] == json.loads(committed)["cells"], \
        f"{md.name} and its .ipynb differ: run `make sync` then `make execute`"
    assert regenerated == committed, f"{md.name}: notebook metadata differ from a fresh jupytext update"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem)
def test_executed_with_outputs_and_no_errors(md):
    nb = json.loads(md.with_suffix(".ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, "a chapter without code"
    assert all(c.get("execution_count") for c in code), "a code cell was never executed"
    assert any(c.get("outputs") for c in code), "no stored outputs: nbval would check nothing"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"stored error output: {errors[0].get('ename')}"


def test_executed_notebooks_are_fresh():
    """The committed outputs were computed from the current chapter text, lib/ and data/."""
    stale = build.stale()
    assert not stale, f"stale chapters (run `make execute` and commit): {[p.name for p in stale]}"
