"""The main content of a web page (HTML) as the Markdown text the reader understands.

The page is parsed with selectolax's Lexbor engine: an HTML5 parser (the tree a browser would
build, whatever the markup's mistakes) written in C, that runs no script, fetches nothing and
resolves no external entity. Its main content (``<main>``, else ``[role=main]``, else the one
``<article>``, else ``<body>``) is kept; scripts, styles, forms, hidden elements and the site's
chrome (navigation, banners, breadcrumbs, cookie notices, sharing links, footers) are left out.
Headings become ``#`` headings of their level, paragraphs and table rows paragraphs, list items
``- `` items and ``<br>`` a Markdown hard break, one blank line between blocks: the structure
:func:`cqckg.read.segment.markdown_blocks` reads, so kinds and facts are found as in a
Markdown report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["ExtractedPage", "extract_page"]

_DROPPED = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "video", "audio", "form", "button", "input", "select", "textarea", "dialog",
        "head", "title", "meta", "link", "img", "picture", "map",
    }
)  # fmt: skip
_CHROME_TAGS = frozenset({"nav", "aside"})
_SITE_CHROME_TAGS = frozenset({"header", "footer"})  # chrome only outside the main content
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "complementary"})
# Class or id of the parts of a page that are the site's, not the document's.
_CHROME_NAME = re.compile(
    r"cookie|consent|breadcrumb|skip-?link|skip-?to|share|social|back-to-top|site-?header"
    r"|site-?footer|print-?link|feedback-?(?:form|banner)|survey",
    re.I,
)
# Whole class or id names of a site's parts, on pages without semantic elements
# (<div class="menu">); matched as words, as "nav" is in "page-nav-title" too. Headers and
# footers only outside the main content (an article has a header holding its title).
_CHROME_NAMES = frozenset(
    {"nav", "navbar", "navigation", "menu", "main-menu", "sidebar", "site-nav", "topbar"}
)
_SITE_CHROME_NAMES = frozenset(
    {"header", "footer", "masthead", "banner", "global-header", "global-footer"}
)
# The main content, in order of trust: semantic elements, then the usual names for it.
_MAIN = ("main", "[role=main]", "#main-content", "#maincontent", "#content", ".main-content")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements that start and end a block of text; everything else is inline.
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "dl", "dt",
        "dd", "table", "thead", "tbody", "tfoot", "caption", "figure", "figcaption", "address",
        "details", "summary", "header", "footer", "hr", "body", "html", "center", "fieldset",
        "legend",
    }
)  # fmt: skip
_SPACE = re.compile(r"[ \t\n\r\f\u00a0\u200b]+")
_BREAK = "\x00"  # a <br> in the text gathered, until the block is written
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.I)
_SOURCE_PARAGRAPH = re.compile(r"Source:[ \t]*\S+")
# Text that Markdown would read as block markup at the start of a paragraph.
_MARKUP_START = re.compile(r"(?:#{1,6}(?:[ \t]|$)|[=-]+$|(?:[-*_][ \t]*){3,}$|>)")


@dataclass(frozen=True)
class ExtractedPage:
    """A page's main content as Markdown text, and the address the page gives for itself."""

    text: str
    source_url: str | None


def extract_page(html: str) -> ExtractedPage:
    """The main content of ``html`` as Markdown (see the module's description).

    >>> page = extract_page('''<html><head><link rel="canonical" href="https://example.org/r">
    ... </head><body><nav><a href="/">Home</a></nav><main><h1>Report</h1>
    ... <p>One <b>two</b>.<br>Three.</p><ul><li>Four</li></ul></main>
    ... <footer>Contact us</footer><script>alert(1)</script></body></html>''')
    >>> page.text.split("\\n\\n")
    ['Source: https://example.org/r', '# Report', 'One two.  \\nThree.', '- Four', '']
    >>> page.source_url
    'https://example.org/r'
    """
    tree = LexborHTMLParser(html)
    source_url = _own_address(tree)
    root = _main_content(tree)
    # the page's heading, in case the main content leaves it out (a banner above <main>)
    first = tree.css_first("h1")
    h1 = _SPACE.sub(" ", first.text(deep=True)).strip() if first is not None else ""
    blocks = _Blocks()
    if root is not None:
        _strip(root, site_chrome=root.tag in ("body", "html"))
        _walk(root, blocks)
    out = blocks.done
    if out and h1 and not any(b.startswith("# ") for b in out):
        out.insert(0, "# " + h1)
    elif out and not any(b.startswith("#") for b in out):
        title = tree.css_first("title")
        heading = _SPACE.sub(" ", title.text(deep=True)).strip() if title is not None else ""
        if heading:
            out.insert(0, "# " + heading)
    if source_url and not (out and _SOURCE_PARAGRAPH.fullmatch(out[0])):
        out.insert(0, f"Source: {source_url}")
    return ExtractedPage("".join(b + "\n\n" for b in out), source_url)


def _own_address(tree: LexborHTMLParser) -> str | None:
    """The page's address for itself: its canonical link, else its ``og:url``."""
    for selector, attribute in (
        ("link[rel~=canonical]", "href"),
        ('meta[property="og:url"]', "content"),
    ):
        for node in tree.css(selector):
            value = (node.attributes.get(attribute) or "").strip()
            if _URL.fullmatch(value):
                return value
    return None


def _main_content(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in _MAIN:
        found = tree.css_first(selector)
        if found is not None:
            return found
    articles = tree.css("article")
    if len(articles) == 1:
        return articles[0]
    return tree.body


def _is_chrome(node: LexborNode, site_chrome: bool) -> bool:
    tag = node.tag or ""
    if tag in _DROPPED or tag in _CHROME_TAGS or (site_chrome and tag in _SITE_CHROME_TAGS):
        return True
    attributes = node.attributes
    if "hidden" in attributes or (attributes.get("aria-hidden") or "").lower() == "true":
        return True
    if (attributes.get("role") or "").lower() in _CHROME_ROLES:
        return True
    if _HIDDEN_STYLE.search(attributes.get("style") or ""):
        return True
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    words = set(names.lower().split())
    if not _CHROME_NAMES.isdisjoint(words) or (
        site_chrome and not _SITE_CHROME_NAMES.isdisjoint(words)
    ):
        return True
    return bool(_CHROME_NAME.search(names))


def _strip(root: LexborNode, *, site_chrome: bool) -> None:
    """Remove, in place, what is not the document's text (no recursion: any depth is fine)."""
    doomed = []
    stack = _children(root)
    while stack:
        node = stack.pop()
        if node.tag in ("-text", "-comment", None):
            if node.tag == "-comment":
                doomed.append(node)
            continue
        if _is_chrome(node, site_chrome):
            doomed.append(node)
        else:
            stack.extend(_children(node))
    for node in doomed:
        node.decompose()


def _children(node: LexborNode) -> list[LexborNode]:
    out = []
    child = node.child
    while child is not None:
        out.append(child)
        child = child.next
    return out


class _Blocks:
    """Gathers inline text and writes it out as blocks when a block element ends."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.inline: list[str] = []
        self.lists: list[int | None] = []  # open lists: the next number of an <ol>, None a <ul>

    def item_marker(self) -> str:
        if not self.lists or self.lists[-1] is None:
            return "- "
        number = self.lists[-1]
        self.lists[-1] = number + 1
        return f"{number}. "

    def text(self, text: str) -> None:
        self.inline.append(text)

    def flush(self, heading: int | None = None, item: str | None = None) -> None:
        parts = "".join(self.inline).split(_BREAK)
        lines = [_SPACE.sub(" ", part).strip().strip("|").strip() for part in parts]
        self.inline = []
        lines = [line for line in lines if line]
        if not lines:
            return
        if heading is not None:
            self.done.append("#" * heading + " " + " ".join(lines))
        elif item is not None:
            self.done.append(item + " ".join(lines))
        else:
            first = lines[0]
            if _MARKUP_START.match(first):
                lines[0] = "\\" + first  # kept as text, not read as a heading or a rule
            self.done.append("  \n".join(lines))


def _walk(root: LexborNode, out: _Blocks) -> None:
    """Write the text under ``root`` as blocks, without recursion (nesting depth is unbounded)."""
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            if tag in _HEADINGS:
                out.flush(heading=_HEADINGS[tag])
            elif tag == "li":
                out.flush(item=out.item_marker())
            elif tag in ("ul", "ol"):
                out.flush()
                out.lists.pop()
            elif tag in ("td", "th"):
                out.text(" | ")
            else:
                out.flush()
            continue
        if tag == "-text":
            out.text(node.text_content or "")
            continue
        if tag == "br":
            out.text(_BREAK)
            continue
        if tag in ("ul", "ol"):
            start = (node.attributes.get("start") or "1").strip()
            out.lists.append((int(start) if start.isdigit() else 1) if tag == "ol" else None)
        if tag in _HEADINGS or tag in _BLOCKS or tag in ("li", "tr"):
            out.flush()
            stack.append((node, True))
        elif tag in ("td", "th"):
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))
    out.flush()
