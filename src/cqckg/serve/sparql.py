"""The SPARQL 1.1 Protocol's query operation (https://www.w3.org/TR/sparql11-protocol/#query-operation).

``GET /sparql?query=...``, ``POST`` URL-encoded or ``application/sparql-query``; the dataset from
``default-graph-uri``/``named-graph-uri``, else the query's ``FROM``, else the union of all graphs.
Without a query, ``GET /sparql`` returns the service description.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from cqckg.serve.backend import Answer
from cqckg.serve.deps import (
    BackendDep,
    SettingsDep,
    endpoint_iri,
    form_fields,
    get_backend,
    get_settings,
    read_operation,
    single,
)
from cqckg.serve.errors import HttpError
from cqckg.serve.negotiation import Format, Kind, negotiate
from cqckg.serve.security import check_remote_access, inspect
from cqckg.serve.service_description import service_description

router = APIRouter(tags=["SPARQL"])

PATH = "/sparql"


def timeout_for(fields: dict[str, list[str]], limit: float) -> float:
    """The request's ``timeout`` (seconds) if it is lower than the server's limit."""
    given = single(fields, "timeout")
    if given is None:
        return limit
    try:
        seconds = float(given)
    except ValueError:
        raise HttpError(400, f"timeout must be a number of seconds, not {given!r}") from None
    if not seconds > 0:
        raise HttpError(400, "timeout must be more than 0 seconds")
    return min(seconds, limit)


def dataset_iris(fields: dict[str, list[str]], name: str) -> list[str] | None:
    """The graphs a ``default-graph-uri`` or ``named-graph-uri`` parameter names, if given.

    Raises:
        HttpError: 400 for a value that is not an absolute IRI.
    """
    values = fields.get(name)
    if values is None:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise HttpError(400, f"{name} must be an absolute IRI, not {value!r}") from None
    return values


def formats_for(request: Request, fields: dict[str, list[str]]) -> tuple[Format | None, ...]:
    """The (results, graph) formats to answer in, from ``format=`` or else ``Accept``."""
    name = single(fields, "format")
    if name is not None:
        chosen = Format.from_name(name)
        if chosen is None:
            raise HttpError(406, f"unknown format {name!r}; use e.g. json, xml, csv, turtle")
        return (chosen, None) if chosen.kind is Kind.RESULTS else (None, chosen)
    accept = request.headers.get("accept")
    found = negotiate(accept, Kind.RESULTS), negotiate(accept, Kind.GRAPH)
    if found == (None, None):
        raise HttpError(406, f"no format this endpoint writes matches Accept: {accept}")
    return found


def answer_response(answer: Answer, max_results: int) -> Response:
    """The HTTP response for a read, saying when the result was cut at ``max_results``."""
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Result-Truncated"] = f"true; max-results={max_results}"
    return Response(answer.body, media_type=answer.format.content_type, headers=headers)


async def _run(
    request: Request, backend: BackendDep, fields: dict[str, list[str]], query: str
) -> Response:
    settings = backend.settings
    found = inspect(query)
    check_remote_access(found, settings.allowed_service_endpoints)
    default = dataset_iris(fields, "default-graph-uri")
    named = dataset_iris(fields, "named-graph-uri")
    results_format, graph_format = formats_for(request, fields)
    job = {
        "op": "query",
        "query": query,
        "base_iri": endpoint_iri(request),
        "union": default is None and named is None and not found.has_dataset_clause,
        "default_graphs": default,
        "named_graphs": named,
        "results_format": results_format.value if results_format else None,
        "graph_format": graph_format.value if graph_format else None,
        "max_results": settings.max_results,
    }
    answer = await backend.read(job, timeout_for(fields, settings.query_timeout))
    return answer_response(answer, settings.max_results)


@router.get(PATH)
async def query_get(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    """Run the ``query`` parameter, or describe the service when there is none."""
    fields = form_fields(request, b"")
    query = single(fields, "query")
    if query is None:
        if "update" in fields:
            raise HttpError(400, "updates are not taken by GET; POST them to /update")
        return service_description(request, settings)
    return await _run(request, backend, fields, query)


@router.post(PATH)
async def query_post(request: Request, backend: BackendDep) -> Response:
    """Run a query sent URL-encoded (``query=``) or directly (``application/sparql-query``)."""
    fields, query = await read_operation(request, "query", "application/sparql-query")
    return await _run(request, backend, fields, query)


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


def _handler_for(
    handlers: Mapping[Any, ExceptionHandler], exc: Exception
) -> ExceptionHandler | None:
    for kind in type(exc).__mro__:
        if kind in handlers:
            return handlers[kind]
    return None


class SparqlRoute:
    """ASGI layer answering ``GET`` and ``POST /sparql`` in front of FastAPI.

    The query endpoint is the server's hot path. FastAPI's own layers (error, telemetry and
    body-limit middleware), matching the request against every route, solving the handler's
    dependencies and its exception layers cost more per request than the rest of the HTTP
    process's work on a cheap query, so this calls the same handlers (:func:`query_get`,
    :func:`query_post`) directly and answers an exception with the app's own exception handler
    for it (``errors.install``). An exception without one goes on up (the body guard answers
    its own; the error layer in front answers any other with ``500``). Every other method and
    path goes on to ``app``. The routes stay on :data:`router`, which documents them in the
    OpenAPI schema.

    Installed inside the security-header, body-limit and CORS layers (``app.CqcKgApp``), which
    see every request.
    """

    def __init__(self, app: ASGIApp, application: Starlette) -> None:
        self.app = app
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST") or _route(scope) != PATH:
            await self.app(scope, receive, send)
            return
        scope["app"] = self.application
        request = Request(scope, receive, send)
        backend = get_backend(request)
        try:
            if method == "GET":
                response = await query_get(request, backend, get_settings(request))
            else:
                response = await query_post(request, backend)
        except Exception as exc:
            handler = _handler_for(self.application.exception_handlers, exc)
            if handler is None:
                raise
            response = await handler(request, exc)
        await response(scope, receive, send)


def _route(scope: Scope) -> str:
    """The request's path below the app's ``root_path`` (what the router matches)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
