"""The source document view: ``/doc/source/{sha256}`` shows a document's stored text.

The text comes from the store (``<id/source/{sha256}> cnt:chars "..."`` in the named graph
``doc/source/{sha256}``), never from a file. Given ``start`` and ``end`` (code point offsets, as
text anchors count them), the HTML page highlights that span in a ``<mark id="quote">`` so a
link ending in ``#quote`` scrolls to it. ``Accept: text/plain`` (or ``format=text``) gives the
text itself; the RDF formats give the document's description, as for every other thing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Query, Request, Response
from rdflib.namespace import DCTERMS

from cqckg.core.namespaces import CQC
from cqckg.read.origin import page_of, parse_page_starts
from cqckg.serve import views
from cqckg.serve.deps import BackendDep
from cqckg.serve.description import Description
from cqckg.serve.errors import HttpError
from cqckg.serve.html import Links, render
from cqckg.serve.linked_data import (
    DOC_RESPONSES,
    cached_page,
    choose_format,
    page_response,
    split_suffix,
)
from cqckg.serve.negotiation import Format

router = APIRouter(tags=["Linked data"])

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Highlight:
    """The text cut around the highlighted span (all three parts are escaped when shown)."""

    before: str
    quote: str
    after: str


def highlight(text: str, start: int | None, end: int | None) -> Highlight | None:
    """The text split at ``start`` and ``end``, or ``None`` when they do not mark a span of it.

    >>> highlight("one two three", 4, 7)
    Highlight(before='one ', quote='two', after=' three')
    >>> highlight("one", 2, 9) is None
    True
    """
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    return Highlight(text[:start], text[start:end], text[end:])


def paged(
    text: str, starts: tuple[int, ...], start: int | None, end: int | None
) -> list[tuple[str, str]]:
    """A PDF's text cut where its pages start and around the highlighted span, as
    (kind, text): ``text`` pieces (escaped when shown), ``page`` markers (their page number),
    and ``open``/``close`` around the span.

    >>> [f"{kind}:{piece}" for kind, piece in paged("one two three", (0, 8), 4, 7)]
    ['page:1', 'text:one ', 'open:', 'text:two', 'close:', 'text: ', 'page:2', 'text:three']
    """
    cuts: dict[int, list[tuple[str, str]]] = {}
    for n, at in enumerate(starts, 1):
        if 0 <= at <= len(text):
            cuts.setdefault(at, []).append(("page", str(n)))
    if highlight(text, start, end) is not None:
        assert start is not None and end is not None
        cuts.setdefault(start, []).append(("open", ""))
        cuts.setdefault(end, []).insert(0, ("close", ""))
    out: list[tuple[str, str]] = []
    last = 0
    for at in sorted(cuts):
        if at > last:
            out.append(("text", text[last:at]))
            last = at
        out.extend(cuts[at])
    if last < len(text):
        out.append(("text", text[last:]))
    return out


def _wants_text(request: Request) -> bool:
    name = request.query_params.get("format")
    if name is not None:
        return name.strip().lower() in ("text", "txt", "text/plain")
    accept = request.headers.get("accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first == "text/plain"


def _text(d: Description) -> bytes:
    text = d.text()
    if text is None:
        raise HttpError(404, f"the text of <{d.iri}> is not stored")
    return text.encode("utf-8")


def _page(
    d: Description, fmt: Format | None, links: Links, start: int | None, end: int | None
) -> bytes:
    if fmt is not None:
        return d.serialize(fmt.rdf)
    text = d.text()
    page = views.page(d, links)
    page.incoming = []  # every anchor in the document points here; the text shows them better
    doc = links.local(d.iri) or ""
    starts = parse_page_starts(d.value(d.iri, str(CQC.pageStarts)))
    body = render(
        "source.html",
        page=page,
        links=links,
        formats={"ttl": f"{doc}.ttl", "jsonld": f"{doc}.jsonld", "nt": f"{doc}.nt"},
        text=text,
        marked=highlight(text, start, end) if text is not None else None,
        start=start,
        end=end,
        pdf_page=page_of(starts, start or 0),
        pages=paged(text, starts, start, end) if text is not None and starts else None,
        media_type=d.value(d.iri, str(DCTERMS.format)),
    )
    return body.encode("utf-8")


@router.get(
    "/doc/source/{sha256}",
    response_class=Response,
    summary="A source document's stored text, the quoted span highlighted",
    responses={
        **DOC_RESPONSES,
        200: {
            "description": "HTML (text with the span highlighted), the plain text, or RDF",
            "content": {**DOC_RESPONSES[200]["content"], "text/plain": {}},  # type: ignore[dict-item]
        },
    },
)
async def source(
    sha256: str,
    request: Request,
    backend: BackendDep,
    start: int | None = Query(None, ge=0, description="first code point of the span to highlight"),
    end: int | None = Query(None, ge=0, description="code point after the span's last"),
) -> Response:
    """The document ``{base}id/source/{sha256}``: its text (from the store) and description."""
    started = time.perf_counter()
    stem, fmt, suffixed = split_suffix(sha256)
    if not _SHA256.fullmatch(stem):
        raise HttpError(404, f"no source document {stem!r}: expected a SHA-256 in hex")
    plain = not suffixed and _wants_text(request)
    if not suffixed and not plain:
        fmt = choose_format(request.headers.get("accept"), request.query_params.get("format"))
    iri = f"{backend.settings.base_iri}id/source/{stem}"
    links = Links(backend.settings.base_iri)
    make = _text if plain else partial(_page, fmt=fmt, links=links, start=start, end=end)
    key = ("source", iri, "text" if plain else fmt, start, end)
    body = await cached_page(request, backend, iri, key, make)
    if plain:
        return Response(body, media_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})
    return page_response(body, fmt, started)
