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


def _glued(nb_path):
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    return {o.get("metadata", {}).get("scrapbook", {}).get("name")
            for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "display_data"}


def test_every_chart_with_numbers_is_drawn_and_every_other_listed():
    """Counted against the inventory: a chart with numbers is a glued figure of the book; one without
    numbers is listed by its chapter as 'numbers not in the source'."""
    from ehelse import data

    inv = data.inventory()
    glued = set()
    texts = ""
    for md in CHAPTERS:
        glued |= _glued(md.with_suffix(".ipynb"))
        texts += md.with_suffix(".ipynb").read_text(encoding="utf-8")
    charts = inv[inv["chart_type"] != "text"]
    drawn = charts[charts["numbers_source"].isin(["report", "publisher"])]
    not_drawn = [f for f in drawn["figure_id"] if f"fig_{f}" not in glued]
    assert not not_drawn, f"charts with numbers that no chapter draws: {not_drawn}"
    missing = charts[charts["numbers_source"] == "missing"]
    unlisted = [f for f in missing["figure_id"] if f not in texts]
    assert not unlisted, f"charts without numbers that no chapter lists: {unlisted}"
    assert "numbers not in the source" in texts


def test_no_respondent_row_is_published():
    """Confidentiality: no respondent identifier or respondent-level table reaches a chapter's outputs."""
    import re

    for md in CHAPTERS:
        nb = json.loads(md.with_suffix(".ipynb").read_text(encoding="utf-8"))
        outputs = json.dumps([c.get("outputs", []) for c in nb["cells"]])
        assert not re.search(r"[CP]20\d\d-\d{4}", outputs), f"{md.name}: a respondent id is in the outputs"
        assert "resp_id" not in outputs, f"{md.name}: a respondent-level table is in the outputs"
