"""Regenerate the screenshots of the web pages kept in docs/screenshots/.

Starts ``cqckg serve`` on a new store holding the shipped graph (or uses ``--url``), opens the
home, council, compare and query pages in Debian's chromium (Playwright) and saves each as PNG.

    python scripts/screenshots.py               # all pages, into docs/screenshots/
    python scripts/screenshots.py --url http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"

# (file name, path, what to wait for)
PAGES = (
    ("home.png", "/", "table.councils"),
    ("council.png", "/council?authority=Westminster", "svg.chart.scores"),
    (
        "compare.png",
        "/compare?authority=Westminster&authority=Hammersmith+%26+Fulham&authority=birmingham-cc",
        "svg.chart.compare",
    ),
    ("query.png", "/query", "html[data-ready=true]"),
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server() -> Iterator[str]:
    """``cqckg serve`` over a new store with the shipped graph, until the block ends."""
    with tempfile.TemporaryDirectory(prefix="cqckg-screens-") as folder:
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "cqckg.cli", "serve", "--store", f"{folder}/store"]
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*command, "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urlopen(f"{url}/sparql", timeout=2):  # noqa: S310 - our own loopback server
                        break
                except (URLError, OSError):
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("cqckg serve did not start") from None
                    time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=url)
        for name, path, ready in PAGES:
            page.goto(path)
            page.wait_for_selector(ready)
            target = out / name
            page.screenshot(path=str(target))  # the first screenful, as a reader sees it
            written.append(target)
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running cqckg server (default: start one)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder (default {OUT})")
    args = parser.parse_args()
    if args.url:
        written = shoot(args.url, args.out)
    else:
        with _server() as url:
            written = shoot(url, args.out)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
