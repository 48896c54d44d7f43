"""The built book in headless Chromium: every chapter renders its figures, shows no error, needs no CDN."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ehelse import ROOT

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    return pages


# The built book (`site`) is a session fixture of conftest.py, shared with test_datapackage.py.


@pytest.fixture(scope="module")
def doms(site, tmp_path_factory) -> dict[str, str]:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium when run as root)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    out = {}
    for page in toc_pages():
        html = site / f"{page}.html"
        assert html.exists(), f"{page} was not built"
        res = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                              "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        out[page] = res.stdout
    return out


def test_every_chapter_renders_without_errors(doms):
    for page, dom in doms.items():
        assert "<main" in dom and "<h1" in dom, f"{page}: no content"
        for bad in ("Traceback (most recent call last)", "&lt;Figure size", "output error", "CellExecutionError"):
            assert bad not in dom, f"{page}: shows {bad!r}"


def test_every_figure_has_an_image_alt_text_and_anchor(doms, site):
    n = 0
    for page, dom in doms.items():
        for fig in re.findall(r"<figure[^>]*>.*?</figure>", dom, flags=re.S):
            n += 1
            assert re.search(r'<figure[^>]*id="[^"]+"', fig), f"{page}: a figure without an anchor"
            img = re.search(r'<img[^>]*src="([^"]+)"[^>]*>', fig)
            assert img, f"{page}: a figure without an image"
            assert re.search(r'alt="[^"]{20,}"', img.group(0)), f"{page}: an image without alt text"
            assert "caption-number" in fig, f"{page}: a figure without a numbered caption"
            src = (site / page).parent / img.group(1)
            assert src.resolve().exists(), f"{page}: image {img.group(1)} missing"
    assert n >= 5


def test_synthetic_results_are_labelled(doms):
    assert "Synthetic respondents" in doms["notebooks/methods/weighting"]


def test_works_offline(doms):
    """No script, stylesheet or image is fetched from another host."""
    for page, dom in doms.items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for m in re.finditer(rf"<{tag}\b[^>]*\b{attr}=\"(https?:)?//[^\"]+\"", dom):
                if tag == "link" and re.search(r'rel="(canonical|alternate)"', m.group(0)):
                    continue
                pytest.fail(f"{page}: {tag} loads {m.group(0)[:120]}")
