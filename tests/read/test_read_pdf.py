"""PDF reports read as the reader reads text: the full Westminster report printed by chromium
(running header, "Page N of M" footer) gives the text's facts, each anchor naming its page;
scanned, hostile and broken PDFs are refused in one line, in bounded time and memory."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pypdfium2 as pdfium
import pytest

from conftest import run_server
from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import DocumentError
from cqckg.core.namespaces import CQC, OA
from cqckg.core.paths import graph_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.ingest import extract_document, ingest
from cqckg.ingest.verify import verify_store
from cqckg.read import Document, read_document
from cqckg.read import limits as ingest_limits
from cqckg.read.pdf_layout import Line, lay_out
from cqckg.store import OxigraphStore
from report_files import A4, CHROMIUM, LETTER, Layout, anchors, facts, print_pdfs, web_page

REPORT = graph_dir() / "sources" / "westminster-2024" / "full-report.md"
TITLE = "Westminster City Council: local authority assessment"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
ASSESSMENT = "https://w3id.org/cqc-kg/id/assessment/E09000033/2024-11-08"

browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Layout], Path]:
    """The full report printed to PDF by chromium in a layout (each layout once a session)."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    made: dict[str, Path] = {}

    def get(layout: Layout) -> Path:
        if layout.name not in made:
            folder = tmp_path_factory.mktemp(layout.name) / "westminster-2024"
            folder.mkdir()
            out = folder / "full-report.pdf"
            page = web_page(REPORT.read_text(encoding="utf-8"), markdown=True, chrome=False)
            print_pdfs({out: (page, TITLE)}, layout=layout)
            made[layout.name] = out
        return made[layout.name]

    return get


@pytest.fixture(scope="session", params=[A4, LETTER], ids=lambda layout: layout.name)
def layout(request: pytest.FixtureRequest) -> Layout:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def report_pdf(printed: Callable[[Layout], Path], layout: Layout) -> Path:
    """The full report as a PDF, in each layout."""
    return printed(layout)


@pytest.fixture(scope="session")
def a4_pdf(printed: Callable[[Layout], Path]) -> Path:
    """The full report as an A4 PDF (for the tests one layout is enough for)."""
    return printed(A4)


@pytest.fixture(scope="session")
def report(report_pdf: Path) -> Document:
    return read_document(report_pdf)


def _running_text(layout: Layout) -> str:
    """The running header's text, as printed."""
    return re.sub(r"<[^>]+>", "", layout.header.format(running=TITLE))


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


# -- the report ------------------------------------------------------------------------------------


@pytest.mark.browser
@browser
def test_pdf_gives_the_facts_of_the_text(report: Document) -> None:
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    expected = facts(extract_document(read_document(REPORT), vocab, registry))
    extraction = extract_document(report, vocab, registry)
    found = facts(extraction)
    assert {f for f in expected if f[0] in ("score", "rating")} <= found
    assert len([f for f in found if f[0] == "score"]) == 9
    others = {f for f in expected if f[0] not in ("score", "rating")}
    missing = others - found
    assert len(missing) <= 0.02 * len(others), sorted(missing)[:10]
    for a in anchors(extraction):
        assert report.text[a.start : a.end] == a.exact


@pytest.mark.browser
@browser
def test_running_header_footer_and_page_numbers_leave_the_flow(
    report: Document, report_pdf: Path, layout: Layout
) -> None:
    pages = len(pdfium.PdfDocument(report_pdf))
    assert pages > 30
    assert report.origin is not None and len(report.origin.page_starts) == pages
    assert not re.search(r"Page \d+ of \d+", report.text)
    assert not [p for p in report.paragraphs if report.text[p.start : p.end].isdigit()]
    # the running header is in the text as often as in the Markdown, not once more per page
    running = _running_text(layout)
    assert report.text.count(running) == REPORT.read_text(encoding="utf-8").count(running)
    assert report.title == TITLE
    # headings are recognised as the Markdown's are
    headings = [s.heading for s in report.sections]
    plain = [s.heading for s in read_document(REPORT).sections]
    assert headings == plain


@pytest.mark.browser
@browser
def test_paragraphs_join_across_page_breaks(report: Document, report_pdf: Path) -> None:
    """Every paragraph of the Markdown is one paragraph of the PDF's text, wherever the pages
    broke it (a paragraph starting on one page and ending on the next included)."""
    assert report.origin is not None
    starts = report.origin.page_starts
    spanning = [
        p
        for p in report.paragraphs
        if report.origin.page_of(p.start) != report.origin.page_of(p.end - 1)
    ]
    assert len(spanning) >= 10
    markdown = _alnum(REPORT.read_text(encoding="utf-8").replace("<sup>", "").replace("</sup>", ""))
    for p in spanning:
        assert _alnum(report.text[p.start : p.end]) in markdown
    assert starts[0] == 0 and list(starts) == sorted(starts)


@pytest.mark.browser
@browser
def test_every_anchor_names_the_page_its_quote_starts_on(
    report_pdf: Path, layout: Layout, tmp_path: Path
) -> None:
    store = OxigraphStore(tmp_path / "store")
    ingest([report_pdf], store)  # validated against the shapes before it is written
    rows = store.select(
        f"""SELECT ?exact ?fragment ?conforms WHERE {{
              ?anchor <{OA.hasSelector}> ?quote , ?page .
              ?quote a <{OA.TextQuoteSelector}> ; <{OA.exact}> ?exact .
              ?page a <{OA.FragmentSelector}> ; <{RDF_VALUE}> ?fragment ;
                    <http://purl.org/dc/terms/conformsTo> ?conforms ; <{OA.refinedBy}> ?quote }}"""
    )
    anchors_total = store.select(f"SELECT ?a WHERE {{ ?a a <{CQC.TextAnchor}> }}")
    assert len(rows) == len(anchors_total) > 300
    pdf = pdfium.PdfDocument(report_pdf)
    # each page's text without the running header and footer, so pages follow on
    running = re.compile(re.escape(_alnum(_running_text(layout))) + r"(?:page)?\d+(?:of\d+)?$")
    page_texts = [
        running.sub("", _alnum(pdf[n].get_textpage().get_text_range())) for n in range(len(pdf))
    ]
    used = set()
    for row in rows:
        fragment = row["fragment"].value  # type: ignore[union-attr]
        assert row["conforms"].value == "http://tools.ietf.org/rfc/rfc3778"  # type: ignore[union-attr]
        page = int(fragment.removeprefix("page="))
        used.add(page)
        # the quote's opening is on its page (or begins at its foot and goes on overleaf)
        opening = _alnum(row["exact"].value)[:12]  # type: ignore[union-attr]
        here, overleaf = page_texts[page - 1], "".join(page_texts[page : page + 1])
        at = (here + overleaf[:12]).find(opening)
        assert 0 <= at < len(here), (fragment, row["exact"].value[:60])  # type: ignore[union-attr]
    assert len(used) > len(pdf) // 2
    store.close()


@pytest.mark.browser
@browser
def test_verify_re_extracts_the_pdf(a4_pdf: Path, tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    ingest([a4_pdf], store)
    rows = store.select(
        f"SELECT ?file ?pages WHERE {{ ?d <{CQC.fileSha256}> ?file ; <{CQC.pageStarts}> ?pages }}"
    )
    assert [r["file"].value for r in rows] == [  # type: ignore[union-attr]
        hashlib.sha256(a4_pdf.read_bytes()).hexdigest()
    ]
    sources = a4_pdf.parent.parent
    report = verify_store(store, sources)
    assert report.ok, report.problems[:3]
    saved = a4_pdf.read_bytes()
    try:
        a4_pdf.write_bytes(saved + b"\n% appended\n")
        problems = verify_store(store, sources).problems
    finally:
        a4_pdf.write_bytes(saved)
    assert len(problems) == 1 and "full-report.pdf: file changed" in problems[0]
    store.close()


@pytest.mark.browser
@browser
def test_javascript_in_a_pdf_is_never_run(a4_pdf: Path, tmp_path: Path) -> None:
    """The report with an open action and a document-level script: read as before, the
    script's code nowhere in the text (PDFium as built for pypdfium2 has no JavaScript engine,
    and no form environment is ever set up)."""
    scripted = tmp_path / "westminster-2024" / "full-report.pdf"
    scripted.parent.mkdir()
    scripted.write_bytes(_with_javascript(a4_pdf.read_bytes(), "app.alert('pwned')"))
    report = read_document(a4_pdf)
    doc = read_document(scripted)
    assert doc.text == report.text
    assert "pwned" not in doc.text
    assert doc.origin is not None and doc.origin.file_sha256 != report.origin.file_sha256  # type: ignore[union-attr]
    scripts = pdfium.PdfDocument(scripted)
    assert pdfium.raw.FPDFDoc_GetJavaScriptActionCount(scripts.raw) == 1


# -- hostile and broken files ----------------------------------------------------------------------


def _pdf(*objects: bytes) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalogue) with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), extra, data)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _text_page(contents: bytes, extra: bytes = b"") -> tuple[bytes, ...]:
    return (
        CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> " + extra + b">> /Contents 5 0 R >>",
        FONT,
        contents,
    )


def _with_javascript(pdf: bytes, script: str) -> bytes:
    """``pdf`` with an incremental update: its catalogue opens with ``script`` and names it as
    a document-level script."""
    root = int(re.findall(rb"/Root (\d+) 0 R", pdf)[-1])
    size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
    previous = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    catalog = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*endobj" % root, pdf, re.S)
    assert catalog is not None
    action, names = size, size + 1
    body = catalog.group(1) + b" /OpenAction %d 0 R /Names %d 0 R " % (action, names)
    out = bytearray(pdf)
    offsets = {}
    for number, text in (
        (root, b"<<" + body + b">>"),
        (action, b"<< /Type /Action /S /JavaScript /JS (%s) >>" % script.encode()),
        (names, b"<< /JavaScript << /Names [(init) %d 0 R] >> >>" % action),
    ):
        offsets[number] = len(out)
        out += b"\n%d 0 obj\n%s\nendobj\n" % (number, text)
    xref = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 2,
        root,
        previous,
        xref,
    )
    return bytes(out)


def _refused(path: Path, content: bytes) -> DocumentError:
    path.write_bytes(content)
    with pytest.raises(DocumentError) as raised:
        read_document(path)
    assert "\n" not in str(raised.value)
    assert str(path) in str(raised.value)
    return raised.value


def test_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    image = _stream(
        b"\x00\xff\xff\x00",
        b"/Type /XObject /Subtype /Image /Width 2 /Height 2 "
        b"/ColorSpace /DeviceGray /BitsPerComponent 8",
    )
    scan = _pdf(
        CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject "
        b"<< /Im1 4 0 R >> >> /Contents 5 0 R >>",
        image,
        _stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
    )
    error = _refused(tmp_path / "scan.pdf", scan)
    assert error.rule == "no-text-layer"
    assert "OCR" in error.message


def test_text_pdf_that_is_no_report_is_refused(tmp_path: Path) -> None:
    hello = _pdf(*_text_page(_stream(b"BT /F1 12 Tf 72 720 Td (Minutes of the meeting) Tj ET")))
    error = _refused(tmp_path / "minutes.pdf", hello)
    assert error.rule == "kind-unknown"
    assert "(line 1 of the text extracted from it, on page 1)" in error.message


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"GIF89a" + bytes(2000), "binary"),  # not a PDF at all
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, "pdf-unreadable"),  # a header, then noise
        (
            # a page tree claiming a billion pages, all the same page
            _pdf(
                CATALOG,
                b"<< /Type /Pages /Kids [" + b"3 0 R " * 5000 + b"] /Count 1000000000 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            ),
            "page-limit",
        ),
        (
            # objects nested 200,000 deep, in the catalogue and the page's resources
            _pdf(
                *_text_page(
                    _stream(b"BT /F1 12 Tf 72 720 Td (Deep) Tj ET"),
                    b"/X " + b"[" * 200_000 + b"]" * 200_000 + b" ",
                )
            ),
            "kind-unknown",
        ),
    ],
    ids=["not-a-pdf", "noise", "page-count", "deep-nesting"],
)
def test_broken_and_hostile_pdfs_are_one_line_errors(
    tmp_path: Path, content: bytes, rule: str
) -> None:
    assert _refused(tmp_path / "bad.pdf", content).rule == rule


def test_decompression_bomb_is_held_to_the_memory_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """118 MB of text operators in a 340 KB stream: PDFium alone took 7.8 GB for it; read
    under a budget (256 MiB here) it is refused, and this process never holds more."""
    monkeypatch.setattr(ingest_limits, "MEMORY_BUDGET", 256 * 1024 * 1024)
    operators = b"BT /F1 12 Tf 72 720 Td " + (b"(" + b"a" * 53 + b") Tj ") * 2_000_000 + b"ET"
    bomb = _pdf(*_text_page(_stream(zlib.compress(operators, 9), b"/Filter /FlateDecode")))
    assert len(bomb) < 1_000_000
    error = _refused(tmp_path / "bomb.pdf", bomb)
    assert error.rule == "resource-limit"


def test_cli_refuses_a_hostile_pdf_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "in" / "pages.pdf"
    bad.parent.mkdir()
    bad.write_bytes(
        _pdf(
            CATALOG,
            b"<< /Type /Pages /Kids [" + b"3 0 R " * 5000 + b"] /Count 5000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        )
    )
    store = tmp_path / "store"
    command = [sys.executable, "-m", "cqckg.cli", "ingest", "--no-progress", "--store", str(store)]
    done = subprocess.run(
        [*command, str(REPORT), str(bad)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].startswith(f"cqckg ingest: {bad}: [page-limit]")
    assert "Traceback" not in done.stderr
    check = OxigraphStore(store)
    assert not check.select(f"SELECT ?a WHERE {{ ?a a <{CQC.Assessment}> }}")
    check.close()


@pytest.mark.browser
@browser
def test_web_pages_show_the_page_of_a_quote(a4_pdf: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "cqckg.cli", "ingest", "--no-progress", "--store"]
    done = subprocess.run(
        [*command, str(tmp_path / "store"), str(a4_pdf)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    query = f"""SELECT ?doc ?start ?end ?fragment WHERE {{
              <{ASSESSMENT}/score/safeguarding> <{CQC.anchor}> ?anchor .
              ?anchor <{OA.hasSource}> ?doc ; <{OA.hasSelector}> ?position , ?page .
              ?position <{OA.start}> ?start ; <{OA.end}> ?end .
              ?page <{RDF_VALUE}> ?fragment }} ORDER BY ?start LIMIT 1"""
    with run_server(tmp_path) as server:
        answer = httpx.post(
            f"{server.url}/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        [row] = answer.json()["results"]["bindings"]
        page = row["fragment"]["value"].removeprefix("page=")
        sha = row["doc"]["value"].rsplit("/", 1)[-1]
        source = httpx.get(
            f"{server.url}/doc/source/{sha}",
            params={"start": row["start"]["value"], "end": row["end"]["value"]},
            timeout=30,
        )
        fact = httpx.get(
            f"{ASSESSMENT.replace('https://w3id.org/cqc-kg', server.url)}/score/safeguarding",
            headers={"Accept": "text/html"},
            timeout=30,
            follow_redirects=True,  # /id/ sees other: /doc/
        )
    assert source.status_code == 200
    assert f"on page {page} of the PDF report" in source.text
    # the text shows where each page starts; the quote highlighted once
    assert source.text.count('<span class="page-break" id="page-') == len(
        pdfium.PdfDocument(a4_pdf)
    )
    assert source.text.count('<mark id="quote">') == 1
    assert "The text extracted from the PDF report (application/pdf)" in source.text
    assert fact.status_code == 200
    assert f"source, page {page}" in fact.text


# -- the layout rules on lines made here (no PDF, no browser) -----------------------------------


def _line(text: str, page: int, top: float, *, size: float = 11, right: float = 540) -> Line:
    return Line(text, page, top, top - size, 50, right, size, False, top)


def _body(page: int, top: float, *texts: str) -> list[Line]:
    """Full-width lines of a paragraph, the last one short."""
    lines = [_line(t, page, top - 14 * n) for n, t in enumerate(texts)]
    lines[-1].right = 300
    return lines


def test_running_lines_and_page_numbers_leave_the_flow() -> None:
    words = ["Assessing", "Supporting", "Equity", "Partnerships", "Safeguarding"]
    lines: list[Line] = []
    for page, word in enumerate(words):
        lines.append(_line("Westminster: local authority assessment", page, 810, size=8))
        lines += _body(page, 700, f"{word} was looked at first, the longest line", f"then {word}.")
        lines.append(_line(f"Page {page + 1} of 5", page, 30, size=8))
    lines.append(_line("Westminster: local authority assessment", 4, 600))  # in the body
    text = lay_out(lines, 5).text
    assert "Page" not in text
    assert text.count("Westminster: local authority assessment") == 1
    for word in words:
        assert f"{word} was looked at first, the longest line then {word}." in text


def test_paragraph_and_hyphenated_words_join_across_a_page_break() -> None:
    lines = [
        _line("# Report", 0, 800, size=20),
        *_body(0, 700, "An assessment was made.", "Short."),
        _line("The council made a long-", 0, 100),
        _line("term plan and a first assess-", 0, 86),
        _line("ment of needs, then a", 0, 72),  # a full line ending the page mid-sentence
        *_body(1, 760, "second one.", "x"),
    ]
    laid = lay_out(lines, 2)
    assert (
        "The council made a long-term plan and a first assessment of needs, then a second one."
        in laid.text
    )
    # page 2 starts mid-paragraph, at its first word
    assert laid.text[laid.page_starts[1] :].startswith("second one.")


def test_a_page_without_text_starts_where_the_next_does() -> None:
    lines = [*_body(0, 700, "One.", "Two."), *_body(2, 700, "Three.", "Four.")]
    laid = lay_out(lines, 3)
    assert laid.page_starts[0] == 0
    assert laid.page_starts[1] == laid.page_starts[2] == laid.text.index("Three.")
