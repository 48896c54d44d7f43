"""The built book in a real browser (Playwright driving Debian's Chromium, axe-core for accessibility).

Every page of the table of contents is opened at a desktop (1,400 px) and a phone (390 px)
width. The test fails on: a page wider than the viewport, a table wider than its container at
1,400 px, any JavaScript error, a serious or critical axe-core violation, a chart image whose
text renders below 9 px (the smallest font size and resolution are recorded in each chart PNG
by `ehelse.style.png`), and on the older checks (content renders, figures have anchors,
alt text and numbered captions, synthetic results labelled, nothing loaded from the network).
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from ehelse import ROOT, style

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
WIDTHS = {"desktop": 1400, "phone": 390}
AXE_JS = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")
BAD_IMPACTS = {"serious", "critical"}


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    return pages


# The built book (`site`) is a session fixture of conftest.py, shared with test_datapackage.py.


MEASURE = """() => {
  const main = document.querySelector('main') || document.body;
  const tables = [...main.querySelectorAll('table')].map(t => {
    const box = t.parentElement;
    return {width: t.getBoundingClientRect().width, container: box.clientWidth,
            text: (t.innerText || '').slice(0, 80).replace(/\\s+/g, ' ')};
  });
  const imgs = [...main.querySelectorAll('figure img, .cell_output img, .output img')].map(i => ({
    src: i.currentSrc || i.src, natural: i.naturalWidth, shown: i.getBoundingClientRect().width}));
  const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >
      document.documentElement.clientWidth + 1 && getComputedStyle(e).position !== 'fixed')
      .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
      + ': ' + (e.textContent || '').trim().slice(0, 60));
  return {scroll: document.documentElement.scrollWidth, viewport: window.innerWidth, tables, imgs, wide,
          html: document.documentElement.outerHTML};
}"""


@pytest.fixture(scope="module")
def server(site):
    """The built book served over http://127.0.0.1 (as a reader gets it; file:// blocks the theme's requests)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def visits(site, server) -> dict:
    """{(page, width name): measurements, console errors and axe violations} for every page and width."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium when run as root)")
    from playwright.sync_api import sync_playwright

    axe = AXE_JS.read_text(encoding="utf-8")
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, width in WIDTHS.items():
            ctx = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
            ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())  # offline
            for page_name in toc_pages():
                html = site / f"{page_name}.html"
                assert html.exists(), f"{page_name} was not built"
                page = ctx.new_page()
                errors = []
                page.on("pageerror", lambda e, errors=errors: errors.append(f"pageerror: {e}"))
                page.on("console", lambda m, errors=errors: errors.append(f"console.{m.type}: {m.text}")
                        if m.type == "error" else None)
                page.on("response", lambda r, errors=errors: errors.append(f"HTTP {r.status}: {r.url}")
                        if r.status >= 400 else None)
                page.goto(f"{server}/{page_name}.html", wait_until="load")
                page.wait_for_timeout(300)
                m = page.evaluate(MEASURE)
                m["errors"] = list(errors)  # before axe, whose own stylesheet requests are not the page's
                page.evaluate(axe)
                res = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                m["axe"] = [(v["id"], v["impact"], v["help"], len(v["nodes"]),
                             [n["target"] for n in v["nodes"][:3]]) for v in res["violations"]]
                out[(page_name, name)] = m
                page.close()
            ctx.close()
        browser.close()
    return out


def _report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_no_page_wider_than_the_screen(visits):
    _report([f"{p} at {w}: page {m['scroll']} px wide in a {m['viewport']} px viewport ({'; '.join(m['wide'])})"
             for (p, w), m in visits.items() if m["scroll"] > m["viewport"] + 1])


def test_tables_fit_their_container_on_a_desk(visits):
    _report([f"{p}: table {t['width']:.0f} px in a {t['container']} px container ({t['text']!r})"
             for (p, w), m in visits.items() if w == "desktop" for t in m["tables"]
             if t["width"] > t["container"] + 1])


def test_no_javascript_error(visits):
    _report([f"{p} at {w}: {e}" for (p, w), m in visits.items() for e in m["errors"]])


def test_no_serious_or_critical_accessibility_violation(visits):
    _report([f"{p} at {w}: {rule} ({impact}): {help_} — {n} element(s), e.g. {targets}"
             for (p, w), m in visits.items() for rule, impact, help_, n, targets in m["axe"] if impact in BAD_IMPACTS])


def _png_info(src: str, site: Path) -> dict:
    path = site / unquote(urlparse(src).path).lstrip("/")
    return style.png_info(path.read_bytes()) if path.suffix == ".png" and path.exists() else {}


def test_chart_text_is_at_least_9_px(visits, site):
    problems, n = [], 0
    for (p, w), m in visits.items():
        for img in m["imgs"]:
            if not img["natural"] or not img["shown"]:
                continue
            info = _png_info(img["src"], site)
            if "min_font_pt" not in info:
                problems.append(f"{p} at {w}: {Path(img['src']).name} records no font size (draw it with ehelse.plots)")
                continue
            n += 1
            px = style.text_px(float(info["min_font_pt"]), float(info["dpi"]), img["natural"], img["shown"])
            if px < style.MIN_TEXT_PX:
                problems.append(f"{p} at {w}: chart text {px:.1f} px ({info['min_font_pt']} pt at {info['dpi']} dpi, "
                                f"{img['natural']} px shown at {img['shown']:.0f} px)")
    _report(problems)
    assert n >= 10, "fewer than 10 chart images were checked"


def _doms(visits) -> dict[str, str]:
    return {p: m["html"] for (p, w), m in visits.items() if w == "desktop"}


def test_every_chapter_renders_without_errors(visits):
    for page, dom in _doms(visits).items():
        assert "<main" in dom and "<h1" in dom, f"{page}: no content"
        for bad in ("Traceback (most recent call last)", "&lt;Figure size", "output error", "CellExecutionError"):
            assert bad not in dom, f"{page}: shows {bad!r}"


def test_every_figure_has_a_chart_or_key_figure_alt_text_and_anchor(visits, site):
    n = 0
    for page, dom in _doms(visits).items():
        for fig in re.findall(r"<figure[^>]*>.*?</figure>", dom, flags=re.S):
            n += 1
            assert re.search(r'<figure[^>]*id="[^"]+"', fig), f"{page}: a figure without an anchor"
            assert "caption-number" in fig, f"{page}: a figure without a numbered caption"
            if "ehelse-key-figure" in fig:
                continue
            img = re.search(r'<img[^>]*src="([^"]+)"[^>]*>', fig)
            assert img, f"{page}: a figure without an image or key-figure box"
            assert re.search(r'alt="[^"]{20,}"', img.group(0)), f"{page}: an image without alt text"
    assert n >= 5


def test_no_whiskers_text_without_whiskers(visits):
    """A caption that speaks of whiskers belongs to a chart kind drawn with whiskers."""
    for page, dom in _doms(visits).items():
        for fig in re.findall(r"<figure[^>]*>.*?</figure>", dom, flags=re.S):
            cap = re.sub(r"<details.*?</details>", "", fig, flags=re.S)
            if "Whiskers" in cap:
                assert "ehelse-key-figure" not in fig, f"{page}: 'Whiskers' under a key-figure box"


def test_reader_tables_have_english_headers(visits):
    """No table header is a code name (share_from, p_adjusted, figure_id …)."""
    bad = []
    for page, dom in _doms(visits).items():
        for th in re.findall(r"<th[^>]*>(.*?)</th>", dom, flags=re.S):
            text = re.sub(r"<[^>]+>", "", th).strip()
            if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", text):
                bad.append(f"{page}: header {text!r}")
    _report(bad)


def test_synthetic_results_are_labelled(visits):
    assert "Synthetic respondents" in _doms(visits)["notebooks/methods/weighting"]


def test_works_offline(visits):
    """No script, stylesheet or image is fetched from another host."""
    for page, dom in _doms(visits).items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for m in re.finditer(rf"<{tag}\b[^>]*\b{attr}=\"(https?:)?//[^\"]+\"", dom):
                if tag == "link" and re.search(r'rel="(canonical|alternate)"', m.group(0)):
                    continue
                pytest.fail(f"{page}: {tag} loads {m.group(0)[:120]}")
