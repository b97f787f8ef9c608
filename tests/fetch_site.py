"""A local stand-in for CQC's site, served on 127.0.0.1 by the fetch tests.

:class:`FakeSite` is a real HTTP server (``http.server`` in a thread) over a dict of pages, with
ETag / Last-Modified and conditional requests, a 404 page, and switches for the awkward cases:
a 429 with Retry-After, a slow answer, a redirect, robots.txt. :func:`build_cqc_site` lays out
the site's structure (paginated list, reports in both quality-statement address schemes, the
2023 pilot scheme, PDF download, press releases) with the text of the real corpus in
graph/sources/ (CQC, Open Government Licence v3.0) inside realistic site chrome.
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

CORPUS = Path(__file__).parent.parent / "graph" / "sources"
LIST = "/care-services/local-authority-assessment-reports"
# Last-Modified of every page unless a test changes it.
MODIFIED = formatdate(1731056400, usegmt=True)  # 8 November 2024 09:00 UTC


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    last_modified: str = MODIFIED

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass
class Request:
    path: str  # with its query
    status: int
    headers: dict[str, str]


@dataclass
class FakeSite:
    """Pages by path (with query), and how the site misbehaves, changeable by each test."""

    pages: dict[str, Page] = field(default_factory=dict)
    robots: str | None = "User-agent: *\nAllow: /\n"
    too_many: dict[str, int] = field(default_factory=dict)  # path -> 429s before an answer
    retry_after: str = "1"
    slow: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location
    log: list[Request] = field(default_factory=list)
    url: str = ""

    def add_html(self, path: str, body: str) -> None:
        self.pages[path] = Page(body.encode("utf-8"))

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.log if r.path == path]


def _handler(site: FakeSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            path = self.path
            headers = {k.lower(): v for k, v in self.headers.items()}
            if path in site.slow:
                time.sleep(site.slow[path])
            if path in site.redirects:
                return self._send(path, headers, 302, b"", {"Location": site.redirects[path]})
            if site.too_many.get(path, 0) > 0:
                site.too_many[path] -= 1
                return self._send(
                    path, headers, 429, b"slow down", {"Retry-After": site.retry_after}
                )
            if path == "/robots.txt" and site.robots is not None:
                page: Page | None = Page(site.robots.encode(), "text/plain")
            else:
                page = site.pages.get(path)
            if page is None:
                body = chrome("Page not found", "<p>Sorry, we could not find that page.</p>")
                return self._send(path, headers, 404, body.encode(), {"Content-Type": "text/html"})
            meta = {"ETag": page.etag, "Last-Modified": page.last_modified}
            if _not_modified(headers, page):
                return self._send(path, headers, 304, b"", meta)
            return self._send(
                path, headers, 200, page.body, {**meta, "Content-Type": page.content_type}
            )

        def _send(
            self,
            path: str,
            headers: dict[str, str],
            status: int,
            body: bytes,
            extra: dict[str, str],
        ) -> None:
            site.log.append(Request(path, status, headers))
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


def _not_modified(headers: dict[str, str], page: Page) -> bool:
    if "if-none-match" in headers:
        return headers["if-none-match"] == page.etag
    if "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return parsedate_to_datetime(page.last_modified) <= since
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about clients that hang up (a timeout, a size limit): tests expect them."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(site: FakeSite, host: str = "127.0.0.1") -> Iterator[FakeSite]:
    """Serve ``site`` on a free port of ``host`` until the block ends (``site.url`` set)."""
    server = _Server((host, 0), _handler(site))
    site.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


# -- pages ----------------------------------------------------------------------------------------


def chrome(title: str, main: str, canonical: str = "", extra_head: str = "") -> str:
    """A page in the site's chrome: cookie banner, header navigation, breadcrumbs, the main
    content, a footer, styles and scripts (one of which writes a link-like string)."""
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    og = f'<meta property="og:url" content="{html.escape(canonical)}">' if canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Care Quality Commission</title>
{link}{og}{extra_head}
<link rel="stylesheet" href="/themes/cqc/css/style.css">
<style>.cookie-banner{{position:fixed}}</style>
<script>window.dataLayer=[];var tpl="<a href='{LIST}/decoy-0125'>decoy</a>";</script>
</head><body>
<div class="cookie-banner" role="dialog"><p>We use cookies to improve our website.</p>
<a href="/about-us/our-policies/privacy-statement">Read our cookie policy</a>
<button>Accept all cookies</button><button>Reject cookies</button></div>
<header><nav aria-label="Main"><ul>
<li><a href="/">Home</a></li><li><a href="/care-services">Care services</a></li>
<li><a href="/about-us">About us</a></li><li><a href="/news">News</a></li>
</ul></nav></header>
<nav class="breadcrumb"><ol><li><a href="/">Home</a></li>
<li><a href="/care-services">Care services</a></li>
<li><a href="{LIST}">Local authority assessment reports</a></li></ol></nav>
<main id="main-content">
{main}
</main>
<aside><h2>Related</h2><ul><li><a href="{LIST}">All local authority assessment reports</a></li>
<li><a href="/press-release/cqc-publishes-annual-report">CQC publishes its annual report</a></li>
</ul></aside>
<footer><ul><li><a href="/contact-us">Contact us</a></li>
<li><a href="/accessibility">Accessibility</a></li>
<li><a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">
Open Government Licence</a></li>
</ul><p>&copy; Care Quality Commission</p></footer>
<script src="/themes/cqc/js/app.js"></script>
<script>document.querySelectorAll('a').forEach(function(a){{a.onclick=null}});</script>
</body></html>
"""


def text_to_html(text: str, downloads: str = "") -> str:
    """A page's text (as the corpus keeps web pages: one line per block) as HTML: the first line
    the title, "- " lines as lists, short lines without a full stop as headings; the
    "Downloads" line followed by the download links."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and lines[0].startswith("Source:"):
        lines = lines[1:]
    out = [f"<h1>{html.escape(lines[0])}</h1>"]
    items: list[str] = []
    for line in lines[1:]:
        if line.startswith(("- ", "• ")):
            items.append(f"<li>{html.escape(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line == "Downloads":
            out.append(f"<h2>Downloads</h2>{downloads}")
        elif len(line) < 70 and not re.search(r"[.:”]$", line) and not line.startswith("Score"):
            out.append(f"<h2>{html.escape(line)}</h2>")
        else:
            out.append(f"<p>{html.escape(line)}</p>")
    if items:
        out.append("<ul>" + "".join(items) + "</ul>")
    if downloads and "Downloads" not in lines:  # the excerpt lost it; every report page has it
        out.insert(1, f"<h2>Downloads</h2>{downloads}")
    return "\n".join(out)


def markdown_to_html(text: str) -> str:
    return MarkdownIt("commonmark").render(text)


def links_list(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)
    return f'<nav class="report-pages"><h2>On this report</h2><ul>{items}</ul></nav>'


# Font (F1 Helvetica, F2 Helvetica-Bold), size and characters a line of each style.
_STYLES = {
    "h1": (b"F2", 18, 50),
    "h2": (b"F2", 14, 65),
    "h3": (b"F2", 12, 75),
    "p": (b"F1", 10, 95),
}


def markdown_lines(text: str) -> list[tuple[str, str]]:
    """Markdown's blocks as (style, text): ``#`` headings as h1-h3 (and a statement's name
    above its score), everything else "p"."""
    out: list[tuple[str, str]] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = re.match(r"(#{1,3})\s+(.*)", line)
        if re.fullmatch(r"\s*-{3,}\s*", line):
            continue  # a rule between blocks
        if n + 1 < len(lines) and lines[n + 1].startswith("Score:"):
            out.append(("h3", line.strip()))  # a statement's name above its score: a heading
            continue
        text_only = re.sub(r"\*\*|</?sup>|\[([^\]]*)\]\([^)]*\)", r"\1", line).strip()
        if m:
            out.append((f"h{len(m[1])}", re.sub(r"\*\*", "", m[2]).strip()))
        elif text_only:
            out.append(("p", text_only))
    return out


def minimal_pdf(blocks: list[tuple[str, str]], header: str) -> bytes:
    """A small valid PDF of ``blocks`` ((style, text) as :func:`markdown_lines` gives them) in
    Helvetica (WinAnsi), headings larger and bold, each page with a running header and
    "Page N of M" at its foot."""
    lines: list[tuple[str, str]] = []
    for style, text in blocks:
        width = _STYLES[style][2]
        while len(text) > width:
            cut = text.rfind(" ", 0, width)
            cut = cut if cut > 0 else width
            lines.append((style, text[:cut]))
            text = text[cut:].lstrip()
        lines.append((style, text))
        lines.append(("p", ""))  # a gap between blocks
    pages: list[list[tuple[str, str]]] = [[]]
    room = 740.0
    for style, text in lines:
        height = _STYLES[style][1] * 1.5
        if room - height < 60:
            pages.append([])
            room = 740.0
        room -= height
        pages[-1].append((style, text))

    def pdf_text(s: str) -> bytes:
        raw = s.encode("cp1252", errors="replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    def show(font: bytes, size: int, x: float, y: float, s: str) -> bytes:
        return b"BT /%s %d Tf %.1f %.1f Td (%s) Tj ET\n" % (font, size, x, y, pdf_text(s))

    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for n, page in enumerate(pages, 1):
        stream = show(b"F1", 8, 50, 810, header)
        y = 780.0
        for style, text in page:
            font, size, _ = _STYLES[style]
            y -= size * 1.5
            if text:
                stream += show(font, size, 50, y, text)
        stream += show(b"F1", 8, 280, 30, f"Page {n} of {len(pages)}")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % len(objects)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- the site's structure -------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    slug: str
    title: str  # as the list links it
    landing: str  # path
    pages: dict[str, str]  # path -> kind (summary, statement, pdf, press-release)


def _corpus_path(file: Path) -> str:
    first = file.read_text(encoding="utf-8").splitlines()[0]
    return urlsplit(first.removeprefix("Source:").strip()).path


def build_cqc_site(site: FakeSite) -> dict[str, Report]:
    """Fill ``site`` (already serving, ``site.url`` set) with the list and four reports."""
    reports = {
        "westminster": _westminster(site),
        "camden": _from_corpus(site, "camden", "camden-0225", "London Borough of Camden"),
        "hammersmith": _from_corpus(
            site,
            "hammersmith-and-fulham",
            "hammersmithfulham-0525",
            "Hammersmith and Fulham",
            press="/press-release/cqc-publishes-report-london-borough-hammersmith-fulhams-care-act-responsibilities",
        ),
        "birmingham": _birmingham(site),
    }
    order = ["hammersmith", "camden", "westminster", "birmingham"]
    pages = [order[:2], order[2:]]
    for n, names in enumerate(pages):
        # each report linked twice: a picture (no text), then its title
        items = "".join(
            f'<li class="report"><a href="{reports[k].landing}"><img src="/map.png" alt=""></a>'
            f'<h3><a href="{reports[k].landing}">{html.escape(reports[k].title)}</a></h3>'
            f"<p>Local authority</p></li>"
            for k in names
        )
        pager = '<nav class="pager"><ul>'
        if n > 0:
            pager += f'<li><a href="{LIST}?page={n - 1}" rel="prev">Previous page</a></li>'
        if n + 1 < len(pages):
            pager += f'<li><a href="{LIST}?page={n + 1}" rel="next" title="Go to next page">'
            pager += "Next page ›</a></li>"
        pager += "</ul></nav>"
        main = (
            "<h1>Local authority assessment reports</h1>"
            "<p>Our reports, starting with the most recently published.</p>"
            f'<p><a href="{LIST}/how-we-assess-local-authorities">How we assess</a></p>'
            f"<ul class='reports'>{items}</ul>{pager}"
            "<h2>Assessments in progress</h2><ul><li>Anytown Council</li></ul>"
        )
        path = LIST if n == 0 else f"{LIST}?page={n}"
        site.add_html(path, chrome("Local authority assessment reports", main, site.url + LIST))
    return reports


def _page(site: FakeSite, path: str, title: str, main: str) -> None:
    site.add_html(path, chrome(title, main, site.url + path))


def _downloads(pdf: str) -> str:
    return f'<ul class="downloads"><li><a href="{pdf}">Download report (PDF, 1.2 MB)</a></li></ul>'


def _westminster(site: FakeSite) -> Report:
    """Westminster 2024: landing and summary cut from the full report, three quality-statement
    pages (one in the hyphen scheme, two in the slash scheme), the PDF of the full report and
    the press release."""
    src = CORPUS / "westminster-2024"
    slug = "westminster-1124"
    base = f"{LIST}/{slug}"
    pdf = "/sites/default/files/2024-11/westminster-city-council-local-authority-assessment.pdf"
    press = "/press-release/cqc-rates-westminster-city-councils-adult-social-care-provision-good"
    statements = {
        f"{base}-theme1-support": "qs-supporting-people-healthier-lives.txt",
        f"{base}/theme1/equity": "qs-equity-experience-outcomes.txt",
        f"{base}/theme4/governance": "qs-governance-management-sustainability.txt",
    }
    report = (src / "full-report.md").read_text(encoding="utf-8")
    summary_at = report.index("# Overall summary")
    themes_at = report.index("# Theme 1")
    nav = links_list(
        [(f"{base}/summary", "Overall summary")]
        + [(p, f"Quality statement {i}") for i, p in enumerate(statements, 1)]
    )
    title = "Westminster City Council: local authority assessment"
    landing = markdown_to_html(report[:summary_at]).replace(
        "</h1>", f"</h1><h2>Downloads</h2>{_downloads(pdf)}", 1
    )
    landing += f'<p><a href="{press}">CQC rates Westminster City Council’s adult social care '
    landing += "provision as good</a></p>"
    landing += f'<p>See also <a href="{LIST}/camden-0225">London Borough of Camden: local '
    landing += "authority assessment</a></p>"
    _page(site, base, title, landing + nav)
    summary = f"<h1>{title}</h1><h2>Downloads</h2>{_downloads(pdf)}" + markdown_to_html(
        report[summary_at:themes_at]
    )
    _page(site, f"{base}/summary", title, summary + nav)
    for path, name in statements.items():
        text = (src / name).read_text(encoding="utf-8")
        _page(site, path, title, text_to_html(text, _downloads(pdf)) + nav)
    pdf_header = "Westminster City Council local authority assessment report"
    site.pages[pdf] = Page(minimal_pdf(markdown_lines(report), pdf_header), "application/pdf")
    text = (src / "press-release.txt").read_text(encoding="utf-8")
    _page(site, press, text.splitlines()[0], text_to_html(text))
    pages = {**dict.fromkeys(statements, "statement"), f"{base}/summary": "summary"}
    return Report(slug, title, base, {**pages, pdf: "pdf", press: "press-release"})


def _from_corpus(site: FakeSite, folder: str, slug: str, name: str, press: str = "") -> Report:
    """A report whose landing and quality-statement pages are corpus files kept with their
    addresses (``Source:`` lines), with a PDF link and, when given, a press release."""
    base = f"{LIST}/{slug}"
    pdf = f"/sites/default/files/{slug}-report.pdf"
    title = f"{name}: local authority assessment"
    files = {_corpus_path(f): f for f in sorted((CORPUS / folder).glob("*.txt"))}
    statements = [p for p in files if p != base and p.startswith(LIST)]
    nav = links_list([(p, f"Quality statement {i}") for i, p in enumerate(statements, 1)])
    pages = dict.fromkeys(statements, "statement")
    for path in [base, *statements]:
        main = text_to_html(files[path].read_text(encoding="utf-8"), _downloads(pdf))
        if path == base and press:
            main += f'<p><a href="{press}">Read the press release</a></p>'
        _page(site, path, title, main + nav)
    body = files[base].read_text(encoding="utf-8").splitlines()[1:]
    blocks = [("h1", body[0])] + [("p", line) for line in body[1:]]
    site.pages[pdf] = Page(minimal_pdf(blocks, f"{name} report"), "application/pdf")
    pages[pdf] = "pdf"
    for path, file in files.items():
        if not path.startswith(LIST):
            text = file.read_text(encoding="utf-8")
            _page(site, press, text.splitlines()[1], text_to_html(text))
            pages[press] = "press-release"
    return Report(slug, title, base, pages)


def _birmingham(site: FakeSite) -> Report:
    """The 2023 pilot: summary at <slug>/overall-summary, statements two levels down."""
    slug = "birmingham-cc"
    base = f"{LIST}/{slug}"
    title = "Birmingham City Council: local authority assessment"
    files = {_corpus_path(f): f for f in sorted((CORPUS / "birmingham").glob("*.txt"))}
    links = [(p, f"Page {i}") for i, p in enumerate(files, 1)]
    _page(site, base, title, f"<h1>{title}</h1>" + links_list(links))
    for path, file in files.items():
        _page(site, path, title, text_to_html(file.read_text(encoding="utf-8")) + links_list(links))
    kinds = {p: "summary" if p.endswith("summary") else "statement" for p in files}
    return Report(slug, title, base, kinds)
