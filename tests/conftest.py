"""Shared fixtures: small seeded respondent tables with known population margins."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SEX = ["female", "male"]
AGE = ["15-29", "30-44", "45-59", "60+"]
REGION = ["Nord", "Midt-Norge", "Vest", "Sør-Øst"]
Q = ["Helt enig", "Delvis enig", "Verken enig eller uenig", "Delvis uenig", "Helt uenig", "Vet ikke"]


def make_sample(n: int, seed: int, age_p=(0.1, 0.2, 0.3, 0.4)) -> pd.DataFrame:
    """A panel-like sample: age skewed towards the old, answers related to age and sex."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"sex": rng.choice(SEX, n), "agegrp": rng.choice(AGE, n, p=list(age_p)),
                       "region": rng.choice(REGION, n, p=[0.1, 0.15, 0.2, 0.55])})
    shift = df["agegrp"].map(dict(zip(AGE, [1.0, 0.5, 0.0, -0.7]))) + (df["sex"] == "female") * 0.3
    latent = rng.normal(size=n) - shift
    df["q"] = pd.cut(latent, [-np.inf, -1, -0.2, 0.3, 0.9, 1.8, np.inf], labels=Q).astype(str)
    score = np.clip(np.round(7 + 2 * rng.normal(size=n) + shift), 0, 10)
    df["nps"] = np.where(rng.random(n) < 0.05, np.nan, score)
    return df


@pytest.fixture
def margins() -> dict:
    return {"sex": {"female": 2_242_294, "male": 2_266_989},
            "agegrp": {"15-29": 1_020_330, "30-44": 1_097_946, "45-59": 1_091_424, "60+": 1_299_583},
            "region": {"Nord": 406_537, "Midt-Norge": 612_345, "Vest": 914_210, "Sør-Øst": 2_576_191}}


@pytest.fixture
def sample() -> pd.DataFrame:
    return make_sample(800, seed=7)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The whole book built once per test run (HTML, -W), outside the work tree."""
    from ehelse import ROOT

    if os.environ.get("EHELSE_BUILT_SITE"):  # an already built book (e.g. _build/html), to iterate quickly
        return Path(os.environ["EHELSE_BUILT_SITE"]).resolve()
    out = tmp_path_factory.mktemp("site")
    jb = Path(sys.executable).with_name("jupyter-book")
    res = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going",
                          "--builder", "html"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return out / "_build" / "html"


@pytest.fixture(scope="session", autouse=True)
def _validation_stamps_of_this_session(tmp_path_factory):
    """Stamps of validated tables live for one test session only.

    datapackage.validate skips tables whose bytes it validated before. The tests validate deliberately
    corrupted copies; a stamp left by an earlier session (for example by a mutant of the mutation run
    that accepted a broken table) would make later sessions skip them. Each session starts empty.
    """
    import ehelse.datapackage as dp

    mp = pytest.MonkeyPatch()
    mp.setattr(dp, "CACHE", tmp_path_factory.mktemp("validated"))
    yield
    mp.undo()


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of data/published/ to corrupt, under tmp_path."""
    import shutil

    from ehelse import ROOT

    root = tmp_path / "published"
    shutil.copytree(ROOT / "data" / "published", root)
    return root


class FakeSphinxApp:
    """A Sphinx application as far as the book's extensions use it: connect() calls, builder format, outdir."""

    def __init__(self, outdir=".", fmt="html"):
        from types import SimpleNamespace

        self.connected = []
        self.outdir = str(outdir)
        self.builder = SimpleNamespace(format=fmt)

    def connect(self, event, callback, priority=500):
        self.connected.append((event, callback, priority))


@pytest.fixture
def fake_app():
    """The fake Sphinx application class (FakeSphinxApp), for tests of sphinx_html and sphinxext."""
    return FakeSphinxApp


@pytest.fixture
def point_build_at(monkeypatch):
    """A function that points ehelse.build at a made-up book under `root`, with no environment override set."""
    from ehelse import build

    def point(root: Path) -> Path:
        monkeypatch.setattr(build, "ROOT", root)
        monkeypatch.setattr(build, "NOTEBOOKS", root / "notebooks")
        monkeypatch.setattr(build, "STATE", root / "notebooks" / "executed.json")
        for env in build.ENVIRONMENT:
            monkeypatch.delenv(env, raising=False)
        return root

    return point
