"""Linked data: every thing's IRI dereferences on this server.

Following the UK Government linked-data URI patterns, ``/id/{path}`` names a thing (the IRI
``{base}id/{path}``) and answers ``303 See Other`` with the address of the document about it,
``/doc/{path}``, which serves the thing's description as HTML (the default, for browsers),
Turtle, JSON-LD, N-Triples or RDF/XML. The format comes from a suffix (``/doc/x.ttl``), else
``format=``, else ``Accept``. A thing with no triples is 404.

The RDF is the thing's whole description; the HTML page is a summary of it: an assessment's page
shows the first items of its long lists (gaps, strengths, strategies, partners) and links to
``/doc/{assessment}/{list}?page=N``, which shows every item of the list, a page at a time, each
with its quotes (see :mod:`cqckg.serve.description`).

>>> choose_format("text/html,application/xhtml+xml,*/*;q=0.8") is None
True
>>> choose_format("text/turtle;q=0.9, application/ld+json")
<Format.JSON_LD: 'jsonld'>
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from functools import partial

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from cqckg.serve import views
from cqckg.serve.backend import Answer, Backend, select_job
from cqckg.serve.deps import BackendDep, get_settings
from cqckg.serve.description import (
    FIRST,
    LISTS,
    PAGE_SIZE,
    Description,
    ListIndex,
    backlinks_query,
    cqc,
    describe_queries,
    index_query,
    list_queries,
    shown_queries,
    summary_queries,
    texts_query,
)
from cqckg.serve.errors import HttpError
from cqckg.serve.html import Links, html_response, render
from cqckg.serve.nation import AuthorityContext, load_authority
from cqckg.serve.negotiation import Format
from cqckg.serve.negotiation import _accept_ranges as accept_ranges

router = APIRouter(tags=["Linked data"])

# Formats a description is written in, by suffix; ``None`` is the HTML page.
SUFFIXES: dict[str, Format | None] = {
    "html": None,
    **{f.suffix: f for f in (Format.TURTLE, Format.JSON_LD, Format.N_TRIPLES, Format.RDF_XML)},
}
_SUFFIX_OF = {fmt: suffix for suffix, fmt in SUFFIXES.items() if fmt is not None}
_HTML = ("text/html", "application/xhtml+xml", "*/*", "text/*")
# The paths of the graph's IRIs: letters, digits and - . _ ~ / (never "..", never quotes or <>).
_PATH = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._~/-]*")

RDF_MEDIA_TYPES: dict[str, dict[str, object]] = {fmt.media_type: {} for fmt in _SUFFIX_OF}
DOC_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The description: an HTML page, or RDF in the negotiated format",
        "content": {"text/html": {}, **RDF_MEDIA_TYPES},
    },
    404: {"description": "No triples describe this thing", "content": {"text/plain": {}}},
    406: {"description": "No format this server writes was acceptable"},
}


def choose_format(accept: str | None, name: str | None = None) -> Format | None:
    """The RDF format to answer in, or ``None`` for HTML.

    Raises:
        HttpError: 406 when neither ``name`` (a ``format=`` value) nor ``Accept`` matches.
    """
    if name is not None:
        if name.strip().lower() == "html":
            return None
        chosen = Format.from_name(name)
        if chosen is None or chosen not in _SUFFIX_OF:
            raise HttpError(
                406, f"unknown format {name!r}; use html, turtle, jsonld, ntriples or rdfxml"
            )
        return chosen
    if not accept or not accept.strip():
        return None
    for _, _, media in accept_ranges(accept):
        if media in _HTML:
            return None
        found = Format.from_media_type(media)
        if found in _SUFFIX_OF:
            return found
    raise HttpError(406, f"cannot write a description as any of Accept: {accept}")


def split_suffix(path: str) -> tuple[str, Format | None, bool]:
    """``path`` without a known format suffix, that suffix's format, and whether it had one."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in SUFFIXES:
        return stem, SUFFIXES[suffix], True
    return path, None, False


def thing_iri(base: str, path: str) -> str:
    """The IRI of ``/id/{path}``; raises 404 for a path no IRI of the graph can have."""
    if not _PATH.fullmatch(path):
        raise HttpError(404, f"no such thing: /id/{path}")
    return f"{base}id/{path}"


def _job(query: str, graph: bool, max_results: int) -> dict[str, object]:
    job = select_job(query, Format.TSV, max_results)
    if graph:  # a CONSTRUCT's triples, as N-Triples
        job |= {"results_format": None, "graph_format": Format.N_TRIPLES.value}
    return job


def _graph_read(backend: Backend, query: str) -> Awaitable[Answer]:
    settings = backend.settings
    return backend.read(_job(query, True, settings.max_results), settings.query_timeout)


async def _construct(
    backend: Backend, iri: str, queries: tuple[str, ...], *started: Awaitable[Answer]
) -> Description:
    """The description of ``iri`` from CONSTRUCT ``queries`` run side by side on the pool (and
    the answers of CONSTRUCTs ``started`` earlier)."""
    answers = await asyncio.gather(*(_graph_read(backend, query) for query in queries), *started)
    truncated = any(a.truncated for a in answers)
    bodies = [a.body for a in answers]
    return await run_in_threadpool(partial(Description.parse, iri, *bodies, truncated=truncated))


def _lateral(backend: Backend) -> bool:
    return backend.store.supports_lateral


async def describe(backend: Backend, iri: str) -> Description:
    """The full description of ``iri`` (its RDF), from two queries run side by side on the
    worker pool (using Oxigraph's ``LATERAL`` on the embedded store, plain SPARQL 1.1 on a
    remote one)."""
    return await _construct(backend, iri, describe_queries(iri, lateral=_lateral(backend)))


async def list_index(
    backend: Backend, iri: str, kinds: tuple[str, ...] = tuple(LISTS), first: int | None = None
) -> ListIndex:
    """The lists ``kinds`` of ``iri`` (an assessment) in order, or their lengths for the
    latest assessment of ``iri`` (a council): one SELECT on the pool. With ``first``, only the
    first ``first`` items of each list are sure to be in order: the index is read without the
    items' texts, then the texts of the items that can be among those (a second, small SELECT).
    """
    settings = backend.settings
    query = index_query(iri, kinds, lateral=_lateral(backend), texts=first is None)
    answer = await backend.read(_job(query, False, settings.max_results), settings.query_timeout)
    index = await run_in_threadpool(ListIndex.parse, iri, answer.body)
    index.truncated = answer.truncated
    leading = index.leading(first) if first is not None else []
    if leading:
        job = _job(texts_query(leading), False, settings.max_results)
        texts = await backend.read(job, settings.query_timeout)
        await run_in_threadpool(index.order, texts.body)
        index.truncated = index.truncated or texts.truncated
    return index


class Phases:
    """How long each phase of building a page took, for ``Server-Timing`` (milliseconds)."""

    def __init__(self) -> None:
        self.started = self._last = time.perf_counter()
        self.parts: dict[str, float] = {}

    def done(self, name: str) -> None:
        """The phase ``name`` ends now (it began when the last one ended)."""
        now = time.perf_counter()
        self.parts[name] = (now - self._last) * 1000
        self._last = now

    def header(self) -> str:
        total = (time.perf_counter() - self.started) * 1000
        parts = (f"{name};dur={ms:.1f}" for name, ms in self.parts.items())
        return ", ".join([f"app;dur={total:.1f}", *parts])


async def summarise(
    backend: Backend, iri: str, phases: Phases | None = None
) -> tuple[Description, ListIndex, AuthorityContext]:
    """What the HTML page of ``iri`` shows: its lists' index, the description holding only
    the first :data:`~cqckg.serve.description.FIRST` items of each list, and what the page
    adds of its council's assessments (a council's, or an assessment's own, completeness and
    change).

    What does not depend on the index starts with it (the backlinks, the facts shown in full),
    and the council's context starts with the rest of the description once the index names
    the council.
    """
    phases = phases or Phases()
    lateral = _lateral(backend)
    early = [backlinks_query(iri), *shown_queries(iri, lateral)]
    started = [asyncio.ensure_future(_graph_read(backend, query)) for query in early]
    try:
        index = await list_index(backend, iri, first=FIRST)
    except BaseException:
        for read in started:
            read.cancel()
        raise
    phases.done("index")
    context = asyncio.ensure_future(_context(backend, iri, index))
    try:
        first = [item for items in index.items.values() for item in items[:FIRST]]
        queries = summary_queries(iri, first, lateral=lateral, latest=index.latest)
        d = await _construct(backend, iri, queries, *started)
    except BaseException:
        context.cancel()
        raise
    d.truncated = d.truncated or index.truncated  # some shown facts may be missing then
    phases.done("describe")
    found = await context
    # the index named the council: the description says whether ``iri`` is one, or assesses one
    if (index.authority and d.is_a(iri, cqc.Assessment)) or d.is_a(iri, cqc.LocalAuthority):
        if found is None:  # a council with no assessment: the index named none
            found = AuthorityContext.of(await load_authority(backend, iri), iri)
        return d, index, found
    return d, index, AuthorityContext()


async def _context(backend: Backend, iri: str, index: ListIndex) -> AuthorityContext | None:
    """The context of the council page ``iri`` (if its index found a latest assessment) or of
    the assessment ``iri`` (if its index found the council it assesses); else ``None``."""
    if index.latest is not None:
        return AuthorityContext.of(await load_authority(backend, iri), iri)
    if index.authority is not None:  # an assessment's page shows its own completeness
        return AuthorityContext.of(await load_authority(backend, index.authority, iri), iri)
    return None


class PageCache:
    """Finished pages (HTML or RDF bytes) of one store version, the least recently used
    dropped past ``entries``. Descriptions of large assessments are too big for the backend's
    result cache, and rebuilding their pages costs far more than sending them."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.version = -1
        self._pages: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, version: int, key: Hashable) -> bytes | None:
        if version != self.version:
            self._pages.clear()
            self.version = version
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
        return found

    def put(self, version: int, key: Hashable, body: bytes) -> None:
        if version == self.version and self.entries:
            self._pages[key] = body
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)


def page_cache(request: Request) -> PageCache:
    """The app's page cache (made on first use, sized like the backend's result cache)."""
    state = request.app.state
    if not hasattr(state, "page_cache"):
        state.page_cache = PageCache(get_settings(request).cache_entries)
    cache: PageCache = state.page_cache
    return cache


async def cached_page(
    request: Request,
    backend: Backend,
    iri: str,
    key: Hashable,
    make: Callable[[Description], bytes],
) -> bytes:
    """The page ``key`` from the cache, or ``make(full description of iri)`` (run in a thread).

    Raises:
        HttpError: 404 when nothing describes ``iri``.
    """

    async def build() -> bytes | None:
        d = await describe(backend, iri)
        if not d:
            raise HttpError(404, f"nothing is known about <{iri}>")
        return await run_in_threadpool(make, d)

    body = await cached(request, backend, key, build)
    assert body is not None
    return body


async def cached(
    request: Request,
    backend: Backend,
    key: Hashable,
    build: Callable[[], Awaitable[bytes | None]],
) -> bytes | None:
    """The page ``key`` from the cache, else what ``build`` makes (kept unless ``None``)."""
    cache, version = page_cache(request), backend.version
    body = cache.get(version, key)
    if body is None:
        body = await build()
        if body is not None:
            cache.put(version, key, body)
    return body


def page_response(body: bytes, fmt: Format | None, started: float | Phases) -> Response:
    """The response for a finished page: HTML with the pages' headers, or RDF."""
    headers = {"Vary": "Accept", "Server-Timing": _timing(started)}
    if fmt is None:
        return html_response(body.decode("utf-8"), headers=headers)
    return Response(body, media_type=fmt.content_type, headers=headers)


def _timing(started: float | Phases) -> str:
    if isinstance(started, Phases):
        return started.header()
    return f"app;dur={(time.perf_counter() - started) * 1000:.1f}"


def _formats(doc: str, query: str = "") -> dict[str, str]:
    return {suffix: f"{doc}.{suffix}{query}" for suffix in _SUFFIX_OF.values()}


def _rdf(d: Description, fmt: Format) -> bytes:
    return d.serialize(fmt.rdf)


def _html(
    d: Description, index: ListIndex, links: Links, doc: str, context: AuthorityContext
) -> bytes:
    page = views.page(d, links, index)
    body = render(
        "resource.html", page=page, links=links, formats=_formats(doc), **context.template()
    )
    return body.encode("utf-8")


def _list_html(
    d: Description,
    links: Links,
    kind: str,
    items: list[str],
    number: int,
    total: int,
    doc: str,
) -> bytes:
    page = views.list_page(d, links, kind, items, number, total)
    formats = _formats(doc, f"?page={number}")
    return render("list.html", page=page, links=links, formats=formats).encode("utf-8")


def page_number(text: str | None) -> int:
    """The ``page=`` of a list (1 when absent).

    Raises:
        HttpError: 404 for anything but a whole number from 1.
    """
    if text is None:
        return 1
    if not text.isdigit() or int(text) < 1 or len(text) > 6:
        raise HttpError(404, f"no page {text!r}: pages are numbered from 1")
    return int(text)


async def _list_body(
    request: Request,
    backend: Backend,
    parent: str,
    kind: str,
    fmt: Format | None,
    doc: str,
    phases: Phases,
) -> bytes | None:
    """Page ``page=`` of the list ``kind`` of the assessment ``parent``, or ``None`` when
    ``parent`` is not an assessment."""
    number = page_number(request.query_params.get("page"))
    links = Links(backend.settings.base_iri)

    async def build() -> bytes | None:
        index = await list_index(backend, parent, (kind,))
        phases.done("index")
        found = index.items.get(kind, [])
        items = found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        queries = list_queries(parent, items, lateral=_lateral(backend))
        d = await _construct(backend, parent, queries)
        phases.done("describe")
        if not d.is_a(parent, cqc.Assessment):
            return None
        if number > views.pages(len(found)):
            raise HttpError(404, f"no page {number}: the {kind} of <{parent}> fill fewer")
        if fmt is not None:
            return await run_in_threadpool(_rdf, d, fmt)
        make = partial(_list_html, d, links, kind, items, number, len(found), doc)
        body = await run_in_threadpool(make)
        phases.done("render")
        return body

    return await cached(request, backend, ("list", parent, kind, number, fmt), build)


@router.get(
    "/id/{path:path}",
    status_code=303,
    response_class=RedirectResponse,
    summary="A thing's IRI: 303 See Other to the document about it",
    responses={
        303: {"description": "See the document about the thing (/doc/...)"},
        404: {"description": "No IRI of the graph has this path", "content": {"text/plain": {}}},
    },
)
async def thing(path: str, request: Request) -> Response:
    """Redirect ``/id/{path}`` to ``/doc/{path}``, with the suffix of the format the request
    asks for (``format=`` or ``Accept``) so the redirect itself can be cached and shared."""
    if not _PATH.fullmatch(path):
        raise HttpError(404, f"no such thing: /id/{path}")
    fmt = choose_format(request.headers.get("accept"), request.query_params.get("format"))
    target = f"/doc/{path}" + (f".{_SUFFIX_OF[fmt]}" if fmt is not None else "")
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/doc/{path:path}",
    response_class=Response,
    summary="The document about a thing: HTML, Turtle, JSON-LD, N-Triples or RDF/XML",
    responses=DOC_RESPONSES,
)
async def document(path: str, request: Request, backend: BackendDep) -> Response:
    """The description of ``{base}id/{path}``: its triples, the labels of what it links to, the
    facts that belong to it and the quoted sentences they rest on. Suffixes ``.html``,
    ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf`` choose the format; else ``format=`` or
    ``Accept``. The HTML of an assessment shows the first items of each list; ``{assessment
    path}/gaps``, ``/strengths``, ``/strategies`` and ``/partners`` (with ``page=``, from 1)
    show them all, :data:`~cqckg.serve.description.PAGE_SIZE` a page."""
    started = Phases()
    stem, fmt, suffixed = split_suffix(path)
    if not suffixed:
        fmt = choose_format(request.headers.get("accept"), request.query_params.get("format"))
    iri = thing_iri(backend.settings.base_iri, stem)
    parent, _, last = stem.rpartition("/")
    if last in LISTS and parent:
        doc = f"/doc/{stem}"
        listed = await _list_body(request, backend, iri[: -len(last) - 1], last, fmt, doc, started)
        if listed is not None:
            return page_response(listed, fmt, started)
    if fmt is not None:
        make = partial(_rdf, fmt=fmt)
        body = await cached_page(request, backend, iri, ("doc", iri, fmt), make)
        return page_response(body, fmt, started)
    links = Links(backend.settings.base_iri)

    async def build() -> bytes:
        d, index, context = await summarise(backend, iri, started)
        if not d:
            raise HttpError(404, f"nothing is known about <{iri}>")
        body = await run_in_threadpool(_html, d, index, links, f"/doc/{stem}", context)
        started.done("render")
        return body

    page = await cached(request, backend, ("page", iri), build)
    assert page is not None
    return page_response(page, fmt, started)
