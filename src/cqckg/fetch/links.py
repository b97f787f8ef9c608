"""The links of an HTML page, with their text, resolved against the page's address."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin


@dataclass(frozen=True)
class Link:
    url: str  # absolute, without a fragment
    text: str  # the link's visible text, or its title when it has none
    rel: frozenset[str]


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[Link] = []
        self._open: list[tuple[str, str, frozenset[str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"])
        elif tag == "link" and a.get("href"):
            rel = frozenset(a.get("rel", "").lower().split())
            self.links.append(Link(self._absolute(a["href"]), a.get("title", ""), rel))
        elif tag == "a" and a.get("href"):
            rel = frozenset(a.get("rel", "").lower().split())
            self._open.append((self._absolute(a["href"]), a.get("title", ""), rel, []))

    def handle_data(self, data: str) -> None:
        for *_, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            url, title, rel, text = self._open.pop()
            words = " ".join("".join(text).split())
            self.links.append(Link(url, words or title, rel))

    def _absolute(self, href: str) -> str:
        return urldefrag(urljoin(self.base, href.strip())).url


def page_links(html: bytes, base: str) -> list[Link]:
    """Every ``<a href>`` and ``<link href>`` of a page, in document order of their ends."""
    parser = _Links(base)
    parser.feed(html.decode("utf-8", errors="replace"))
    parser.close()
    return parser.links
