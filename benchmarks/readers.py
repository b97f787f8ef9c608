"""How fast web pages and PDF reports are read, on one core.

Targets (issue 13): a 60-page PDF report read in under 2 s; web pages at over 50 a second.
The files are made as the tests make them (tests/report_files.py): the corpus's texts as the
site's pages, and the full Westminster report printed by Debian's chromium, its type set large
enough to fill at least 60 pages. "Read" is ``read_document``: extraction, recognition and
splitting into sections, paragraphs and sentences, as ``cqckg ingest`` does before extracting
facts.

    PYTHONPATH=src .venv/bin/python benchmarks/readers.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for extra in (ROOT / "src", ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import pypdfium2 as pdfium  # noqa: E402

from cqckg.read import read_document  # noqa: E402
from cqckg.read.pdf_text import extract_pdf  # noqa: E402
from report_files import CHROMIUM, print_pdfs, web_page  # noqa: E402

SOURCES = ROOT / "graph" / "sources"
REPORT = SOURCES / "westminster-2024" / "full-report.md"
TITLE = "Westminster City Council: local authority assessment"


def _times(run: Callable[[], object], repeat: int) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds (this process and its children) of each run."""
    out = []
    for _ in range(repeat):
        cpu = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        started = time.perf_counter()
        run()
        wall = time.perf_counter() - started
        cpu = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu
        out.append((wall, cpu))
    return out


def _report_pdf(folder: Path, pages: int) -> Path:
    """The full report printed at a scale that fills at least ``pages`` pages."""
    page = web_page(REPORT.read_text(encoding="utf-8"), markdown=True, chrome=False)
    out = folder / "full-report.pdf"
    for tenths in range(10, 21):
        print_pdfs({out: (page, TITLE)}, scale=tenths / 10)
        if len(pdfium.PdfDocument(out)) >= pages:
            break
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        texts = sorted(
            p for p in SOURCES.rglob("*") if p.suffix in (".md", ".txt") and p.name != "README.md"
        )
        pages = []
        for text in texts:
            page = folder / f"{text.parent.name}-{text.stem}.html"
            page.write_text(web_page(text.read_text(encoding="utf-8"), text.suffix == ".md"))
            pages.append(page)
        small = [p for p in pages if "full-report" not in p.name]
        for p in pages:  # warm up: vocabularies, registry, imports
            read_document(p)
        for label, group in (("every corpus page", pages), ("pages but the full report", small)):
            times = _times(lambda group=group: [read_document(p) for p in group], args.repeat)
            wall, cpu = min(t[0] for t in times), min(t[1] for t in times)
            size = sum(p.stat().st_size for p in group) / len(group) / 1024
            print(
                f"HTML, {label}: {len(group)} pages (mean {size:.0f} KiB): "
                f"{len(group) / wall:.0f} pages/s wall-clock, {len(group) / cpu:.0f} pages/s of "
                f"CPU time (best of {args.repeat})"
            )
        if not CHROMIUM.exists():
            print("PDF: skipped (needs Debian's chromium at /usr/bin/chromium)")
            return 0
        pdf = _report_pdf(folder, 60)
        count = len(pdfium.PdfDocument(pdf))
        read_document(pdf)
        data = pdf.read_bytes()
        extract = _times(lambda: extract_pdf(data, pdf), args.repeat)
        read = _times(lambda: read_document(pdf), args.repeat)
        print(
            f"PDF, full report: {count} pages, {len(data) / 1024:.0f} KiB: text layer laid out in "
            f"{min(t[0] for t in extract):.2f} s; read (in its bounded child, then recognised "
            f"and split) in {min(t[0] for t in read):.2f} s wall-clock, "
            f"{min(t[1] for t in read):.2f} s of CPU time (best of {args.repeat})"
        )
        print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
