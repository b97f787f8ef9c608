"""The SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/).

Indirect identification: ``/store?graph=IRI`` or ``/store?default``. Direct identification: any
``/store/...`` URL names the graph whose IRI is that URL. GET and HEAD are open to everyone;
PUT, POST and DELETE need the write token. ``POST /store`` with neither parameter makes a new
graph and answers 201 with its IRI in ``Location``.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from cqckg.serve.backend import Backend
from cqckg.serve.deps import (
    BackendDep,
    endpoint_iri,
    form_fields,
    media_type,
    require_writer,
    single,
)
from cqckg.serve.errors import HttpError
from cqckg.serve.negotiation import Format, Kind, negotiate
from cqckg.serve.sparql import answer_response, timeout_for
from cqckg.store import GraphStore

router = APIRouter(tags=["Graph Store"])

PATH = "/store"
_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def _graph(request: Request, direct: bool) -> tuple[str | None, bool]:
    """The graph a request names (``None``: the default graph) and whether it named one."""
    if direct:
        iri: str | None = endpoint_iri(request)
    else:
        fields = form_fields(request, b"")
        iri = single(fields, "graph")
        if iri is not None and "default" in fields:
            raise HttpError(400, "give either graph=IRI or default, not both")
    if iri is not None:
        try:
            return ox.NamedNode(iri).value, True
        except ValueError:
            # e.g. a direct URL whose path decodes to a control character
            raise HttpError(400, f"graph must be an absolute IRI, not {iri!r}") from None
    return None, "default" in fields


async def _rdf_parts(request: Request) -> list[tuple[bytes, ox.RdfFormat]]:
    """The RDF documents of a request body: the body itself, or each multipart file."""
    kind = media_type(request)
    if kind == "multipart/form-data":
        parts = []
        async with request.form() as form:
            for value in form.values():
                if isinstance(value, UploadFile):
                    fmt = Format.from_media_type(value.content_type or "")
                    if fmt is None or fmt.kind is not Kind.GRAPH:
                        raise HttpError(415, f"cannot read a part sent as {value.content_type}")
                    parts.append((await value.read(), fmt.rdf))
        return parts
    fmt = Format.from_media_type(kind)
    if fmt is None or fmt.kind is not Kind.GRAPH:
        raise HttpError(
            415, f"send RDF (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads), not {kind!r}"
        )
    return [(await request.body(), fmt.rdf)]


async def _read(request: Request, backend: Backend, direct: bool) -> Response:
    iri, named = _graph(request, direct)
    if not named:
        raise HttpError(400, "name a graph: /store?graph=IRI, /store?default or /store/...")
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise HttpError(406, "this endpoint writes RDF only; see the Accept header")
    fields = form_fields(request, b"")
    job = {"op": "graph", "graph": iri, "format": fmt.value}
    answer = await backend.read(job, timeout_for(fields, backend.settings.query_timeout))
    return answer_response(answer, backend.settings.max_results)


async def _write(request: Request, backend: Backend, direct: bool, replace: bool) -> Response:
    iri, named = _graph(request, direct)
    location: dict[str, str] = {}
    if not named:
        if replace:
            raise HttpError(400, "PUT needs a graph: /store?graph=IRI, /store?default, /store/…")
        iri = f"{endpoint_iri(request).rstrip('/')}/{uuid.uuid4().hex}"
        location["Location"] = iri
    parts = await _rdf_parts(request)
    base_iri = iri or endpoint_iri(request)

    def change(store: GraphStore) -> bool:
        existed = store.has_graph(iri)
        store.write_graph(iri, parts, replace=replace, base_iri=base_iri)
        return existed

    existed = await backend.write(change)
    return Response(status_code=204 if existed else 201, headers=location)


async def _delete(request: Request, backend: Backend, direct: bool) -> Response:
    iri, named = _graph(request, direct)
    if not named:
        raise HttpError(400, "name the graph to delete: /store?graph=IRI or /store?default")

    def change(store: GraphStore) -> bool:
        if not store.has_graph(iri):
            return False
        store.update("DROP DEFAULT" if iri is None else f"DROP GRAPH <{iri}>")
        return True

    if not await backend.write(change):
        raise HttpError(404, f"no graph <{iri}>")
    return Response(status_code=204)


async def _dispatch(request: Request, backend: Backend, direct: bool) -> Response:
    method = request.method
    if method in ("GET", "HEAD"):
        return await _read(request, backend, direct)
    require_writer(request)
    if method == "DELETE":
        return await _delete(request, backend, direct)
    return await _write(request, backend, direct, replace=method == "PUT")


@router.api_route(PATH, methods=_METHODS)
async def indirect(request: Request, backend: BackendDep) -> Response:
    """A graph named by ``?graph=IRI`` or ``?default``; POST without either makes a new graph."""
    return await _dispatch(request, backend, direct=False)


@router.api_route(PATH + "/{path:path}", methods=_METHODS)
async def direct(
    request: Request,
    backend: BackendDep,
    path: str,  # noqa: ARG001 - declares the path parameter in the OpenAPI schema
) -> Response:
    """The graph whose IRI is this URL."""
    return await _dispatch(request, backend, direct=True)
