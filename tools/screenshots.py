"""Screenshots of every page of the built book at desktop (1,400 px) and phone (390 px) width, for reviewers.

Playwright drives Debian's Chromium (/usr/bin/chromium); nothing is fetched from the network.
Writes _build/screenshots/<page>-desktop.png and <page>-phone.png (full page).
"""
import re
import shutil
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {"desktop": 1400, "phone": 390}


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        raise SystemExit("chromium is not installed (tools/ensure-chromium installs Debian's package)")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for p in toc.get("parts", []) for c in p["chapters"]]
    out = ROOT / "_build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, width in WIDTHS.items():
            ctx = browser.new_context(viewport={"width": width, "height": 900})
            ctx.route(re.compile(r"^https?://"), lambda route: route.abort())
            for page_name in pages:
                page = ctx.new_page()
                page.goto((ROOT / "_build" / "html" / f"{page_name}.html").as_uri(), wait_until="load")
                png = out / f"{page_name.replace('/', '_')}-{name}.png"
                page.screenshot(path=str(png), full_page=True)
                page.close()
                print(png.relative_to(ROOT))
            ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
