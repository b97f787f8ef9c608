"""The SPARQL 1.1 Protocol's query operation (https://www.w3.org/TR/sparql11-protocol/#query-operation).

``GET /sparql?query=...``, ``POST`` URL-encoded or ``application/sparql-query``; the dataset from
``default-graph-uri``/``named-graph-uri``, else the query's ``FROM``, else the union of all graphs.
Without a query, ``GET /sparql`` returns the service description.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from cqckg.api.backend import Answer
from cqckg.api.deps import (
    BackendDep,
    SettingsDep,
    endpoint_iri,
    form_fields,
    read_operation,
    single,
)
from cqckg.api.errors import HttpError
from cqckg.api.negotiation import Format, Kind, negotiate
from cqckg.api.service_description import service_description
from cqckg.security import check_remote_access, inspect

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
