"""Content negotiation: the format of :mod:`cqckg.core.formats` an Accept header asks for.

>>> Format.from_media_type("application/sparql-results+json; charset=utf-8")
<Format.JSON: 'json'>
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", Kind.RESULTS)
<Format.XML: 'xml'>
>>> negotiate("*/*", Kind.GRAPH)
<Format.TURTLE: 'turtle'>
"""

from __future__ import annotations

from functools import lru_cache

from cqckg.core.formats import Format, Kind

__all__ = ["Format", "Kind", "negotiate"]

_DEFAULT = {Kind.RESULTS: "json", Kind.GRAPH: "turtle"}


def _accept_ranges(accept: str) -> list[tuple[float, int, str]]:
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, position, media.lower()))
    return sorted(ranges)


@lru_cache(maxsize=512)
def negotiate(accept: str | None, kind: Kind) -> Format | None:
    """The best format of ``kind`` for an Accept header; ``None`` if none is acceptable.

    An absent or empty header, and ``*/*``, get the default (JSON results, Turtle graphs).
    Remembered per header: a client sends the same few headers on every request.
    """
    if not accept or not accept.strip():
        return Format(_DEFAULT[kind])
    for _, _, media in _accept_ranges(accept):
        if media in ("*/*", f"{'application' if kind is Kind.RESULTS else 'text'}/*"):
            return Format(_DEFAULT[kind])
        found = Format.from_media_type(media)
        if found is not None and found.kind is kind:
            return found
    return None
