"""Screenshot every page of the built book in headless Chromium (desktop and phone width)."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def main() -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("chromium is not installed")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]] + [c["file"] for p in toc.get("parts", []) for c in p["chapters"]]
    out = ROOT / "_build" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for page in pages:
        html = ROOT / "_build" / "html" / f"{page}.html"
        for name, size in (("desktop", "1280,4000"), ("phone", "400,4000")):
            png = out / f"{page.replace('/', '_')}-{name}.png"
            with tempfile.TemporaryDirectory() as prof:
                subprocess.run([chromium, *FLAGS, f"--user-data-dir={prof}", f"--window-size={size}",
                                f"--screenshot={png}", html.as_uri()], capture_output=True, check=True, timeout=120)
            print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
