"""Web pages and PDF reports made from the corpus's texts, as CQC's site would serve them.

The tests make these files rather than keep binaries: a page is the text's blocks as HTML
(Markdown rendered by markdown-it-py; a plain page's headings as the reader finds them) inside a
site's chrome (skip link, cookie banner, header and navigation, breadcrumbs, a related-links
aside, a footer, scripts and inline event handlers, structured data); a PDF is the report's HTML
printed by Debian's chromium with a running header and "Page N of M" footer. The chrome names
other councils, ratings and scores, so any of it leaking into the text changes the facts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from chromium import CHROMIUM
from cqckg.build import normalise_text
from cqckg.core.vocabulary import load_vocabulary
from cqckg.extract.records import Anchor, Extraction
from cqckg.read import segment
from cqckg.read.segment import LineIndex

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_SOURCE = re.compile(r"\ufeff?Source:[ \t]*(\S+)[ \t]*$")
_NOTE = re.compile(r"[ \t]*\(.*\)[ \t]*$")

_STYLE = """
body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.4; }
h1 { font-size: 22pt; } h2 { font-size: 16pt; } h3 { font-size: 13pt; } h4 { font-size: 12pt; }
p, li { margin: 0 0 8pt; }
.cookie-banner { background: #eee; padding: 1em; }
"""

_CHROME_TOP = """<a class="govuk-skip-link" href="#main">Skip to main content</a>
<div id="cookie-banner" class="cookie-banner" role="region" aria-label="Cookies">
  <h2>Cookies on the CQC website</h2>
  <p>We use cookies to make the site work. Score: 1</p>
  <button onclick="acceptCookies()">Accept additional cookies</button>
</div>
<header class="site-header" role="banner">
  <a href="/" class="logo">Care Quality Commission</a>
  <nav aria-label="Main menu"><ul>
    <li><a href="/care-services">Find and compare services</a></li>
    <li><a href="/guidance-regulation">Guidance and regulation</a></li>
    <li><a href="/about-us" onmouseover="track(this)">About us</a></li></ul></nav>
  <form role="search" action="/search"><input name="q" placeholder="Search">
    <button type="submit">Search</button></form>
</header>
<nav class="govuk-breadcrumbs" aria-label="Breadcrumb"><ol>
  <li><a href="/">Home</a></li><li><a href="/care-services">Care services</a></li>
  <li><a href="/care-services/local-authority-assessment-reports">Local authority assessment
  reports</a></li></ol></nav>
"""

_ASIDE = """<aside class="related-content" aria-label="Related">
  <h2>Other assessment reports</h2>
  <ul><li><a href="/r/camden-0225">London Borough of Camden: rated Good</a></li>
  <li><a href="/r/birmingham-cc">Birmingham City Council: Score: 2</a></li></ul>
</aside>
"""

_CHROME_BOTTOM = """<footer class="site-footer" role="contentinfo">
  <ul><li><a href="/contact-us">Contact us</a></li><li><a href="/accessibility">Accessibility</a>
  </li><li><a href="/cookies">Cookies</a></li></ul>
  <p>© Care Quality Commission. Rated Inadequate by nobody.</p>
</footer>
<script>
  function track(e) { fetch("https://tracker.example/?" + e); }
  function acceptCookies() { document.cookie = "consent=1"; }
  document.querySelectorAll("a").forEach(function (a) { a.addEventListener("click", track); });
</script>
<noscript><p>Requires improvement: turn on JavaScript.</p></noscript>
"""


def split_header(text: str) -> tuple[str | None, str]:
    """The ``Source:`` address of a corpus text (and its notes) and the document after them."""
    lines = text.split("\n")
    source = _SOURCE.match(lines[0])
    if source is None:
        return None, text
    n = 1
    while n < len(lines) and _NOTE.fullmatch(lines[n]):
        n += 1
    return source.group(1), "\n".join(lines[n:])


def body_html(text: str, markdown: bool) -> str:
    """The document's blocks as HTML: Markdown rendered; a plain page's lines as headings (the
    ones the reader finds), list items and paragraphs."""
    if markdown:
        return MarkdownIt("commonmark").render(text)
    lines = LineIndex(text)
    out: list[str] = []
    first = True
    open_list = ""
    for block in segment.plain_blocks(text, lines, load_vocabulary()):
        body = html.escape(text[block.start : block.end])
        marker = text[block.line_start : block.start].strip()
        kind = (
            "" if block.kind == "heading" or not marker else "ol" if marker[0].isdigit() else "ul"
        )
        if kind != open_list:
            out.append(f"</{open_list}>" if open_list else "")
            out.append(f"<{kind}>" if kind else "")
            open_list = kind
        if block.kind == "heading":
            tag = "h1" if first else "h2"
            out.append(f"<{tag}>{body}</{tag}>")
        elif kind:
            out.append(f"<li>{body}</li>")
        else:
            out.append(f"<p>{body}</p>")
        first = False
    out.append(f"</{open_list}>" if open_list else "")
    return "\n".join(line for line in out if line)


def web_page(text: str, markdown: bool, *, chrome: bool = True) -> str:
    """A whole page holding a corpus text, as the site serves it (see the module's description)."""
    source, document = split_header(text)
    title = html.escape(document.strip().split("\n")[0].lstrip("# ").strip())
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} | Care Quality Commission</title>",
        f"<style>{_STYLE}</style>",
    ]
    if source:
        head.append(f'<link rel="canonical" href="{html.escape(source)}">')
        head.append(f'<meta property="og:url" content="{html.escape(source)}">')
    head.append(
        '<script type="application/ld+json">{"@type": "WebPage", "name": "Score: 4"}</script>'
    )
    main = f'<main id="main" class="govuk-main-wrapper">\n{body_html(document, markdown)}\n'
    if chrome:
        main += _ASIDE
        main = _CHROME_TOP + main + "</main>\n" + _CHROME_BOTTOM
    else:
        main += "</main>\n"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + "\n</head>\n<body onload=\"track('load')\">\n"
        + main
        + "</body>\n</html>\n"
    )


@dataclass(frozen=True)
class Layout:
    """How a report is printed: paper, margins, type, running header and footer."""

    name: str
    paper: str
    margins: dict[str, str]
    header: str  # HTML of the running header; {running} is the report's title
    footer: str  # HTML of the running footer (chromium fills pageNumber and totalPages)
    style: str = ""  # CSS added to the page's


# A4, sans-serif, spaced paragraphs, "Page N of M" at the foot, the title at the head.
A4 = Layout(
    "a4-spaced",
    "A4",
    {"top": "22mm", "bottom": "22mm", "left": "18mm", "right": "18mm"},
    '<div style="font-size:8px;width:100%;text-align:center">{running}</div>',
    '<div style="font-size:8px;width:100%;text-align:right;padding-right:18mm">Page '
    '<span class="pageNumber"></span> of <span class="totalPages"></span></div>',
)
# US Letter, serif, justified, first lines indented and no space between paragraphs, bullets
# in the text, minor headings bold at the body's size, a bare page number at the foot.
LETTER = Layout(
    "letter-justified",
    "Letter",
    {"top": "18mm", "bottom": "18mm", "left": "25mm", "right": "25mm"},
    '<div style="font-size:7px;width:100%;padding-left:15mm">Care Quality Commission: '
    "{running}</div>",
    '<div style="font-size:8px;width:100%;text-align:center"><span class="pageNumber"></span>'
    "</div>",
    """body { font-family: "DejaVu Serif", serif; font-size: 10.5pt; line-height: 1.3;
            text-align: justify; hyphens: auto; }
    h1 { font-size: 20pt; } h2 { font-size: 14pt; } h3, h4 { font-size: 10.5pt; }
    p { margin: 0; text-indent: 1.5em; } li { margin: 0; } ul { list-style-type: "\\2022  "; }""",
)


def print_pdfs(pages: dict[Path, tuple[str, str]], scale: float = 1.0, layout: Layout = A4) -> None:
    """Print each page's HTML (with its running title) to a PDF at its path with chromium, in
    ``layout``, everything at ``scale``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for out, (page_html, running) in pages.items():
                page.set_content(
                    page_html.replace("</style>", layout.style + "</style>", 1), wait_until="load"
                )
                page.pdf(
                    path=str(out),
                    format=layout.paper,
                    scale=scale,
                    display_header_footer=True,
                    header_template=layout.header.format(running=html.escape(running)),
                    footer_template=layout.footer,
                    margin=layout.margins,
                )
        finally:
            browser.close()


# -- comparing what the formats yield ------------------------------------------------------------


def facts(extraction: Extraction) -> set[tuple[str, ...]]:
    """Everything an extraction states, each fact as a comparable key (text folded)."""
    out: set[tuple[str, ...]] = set()
    out.update(("score", s.quality_statement, str(s.score)) for s in extraction.scores)
    if extraction.rating is not None:
        out.add(("rating", extraction.rating.rating, str(extraction.rating.indicative)))
    out.update(("finding", f.kind.value, normalise_text(f.text)) for f in extraction.findings)
    out.update(
        ("statistic", str(s.value), str(s.comparator_value), s.unit) for s in extraction.statistics
    )
    out.update(
        ("figure", str(f.value), f.unit, normalise_text(f.label)) for f in extraction.figures
    )
    out.update(("partner", p.name) for p in extraction.partners)
    out.update(("strategy", s.title) for s in extraction.strategies)
    out.update(
        ("statement", s.quality_statement, normalise_text(s.text))
        for s in extraction.framework_statements
    )
    out.update(
        ("section", s.quality_statement or "", normalise_text(s.heading))
        for s in extraction.sections
    )
    out.update(("link", k.strategy, normalise_text(k.gap)) for k in extraction.links)
    return out


def anchors(extraction: Extraction) -> list[Anchor]:
    """Every anchor of every fact of an extraction."""
    records: list[object] = [
        *extraction.scores,
        *extraction.findings,
        *extraction.statistics,
        *extraction.figures,
        *extraction.partners,
        *extraction.strategies,
        *extraction.framework_statements,
        *extraction.sections,
        *extraction.links,
    ]
    if extraction.rating is not None:
        records.append(extraction.rating)
    return [a for r in records for a in getattr(r, "anchors", ())]
