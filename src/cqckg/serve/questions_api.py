"""Named questions over HTTP: ``/api/questions`` lists them, ``/api/questions/{name}`` runs one.

The questions are the same ``.rq`` files the CLI and the tests run (:mod:`cqckg.questions`);
parameters are checked and bound by :meth:`~cqckg.questions.Question.bind`, never pasted into
SPARQL. ``format=json`` gives ``{"question", "columns", "rows": [{column: value, ...}]}`` with
exactly the contract's columns in order; ``format=csv`` is the engine's CSV, whose header row is
the columns. The query runs on the worker pool like every other.
"""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from cqckg.core.errors import QuestionError
from cqckg.questions import (
    OutputFormat,
    Question,
    QuestionResult,
    format_result,
    get_question,
    list_questions,
    to_value,
)
from cqckg.serve.backend import select_job
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.negotiation import Format
from cqckg.serve.ui import question_entry

router = APIRouter(prefix="/api/questions", tags=["Named questions"])

_FORMATS = {"json": Format.JSON, "csv": Format.CSV}

_EXAMPLE_LIST = [
    {
        "name": "gaps",
        "description": "Gaps (areas for development) each assessment found ...",
        "parameters": [{"name": "authority", "kind": "GSS code", "required": False}],
        "columns": ["authority_gss", "gap", "quality_statement", "topics", "quote"],
        "url": "/api/questions/gaps",
    }
]


@router.get(
    "",
    summary="List the named questions with their parameters and columns",
    responses={200: {"content": {"application/json": {"example": _EXAMPLE_LIST}}}},
)
async def questions() -> list[dict[str, object]]:
    """Every named question: name, description, parameters (name, kind, required), the
    columns of its answer in order, and the URL that runs it."""
    return [question_entry(q) for q in list_questions()]


def _question(name: str) -> Question:
    try:
        return get_question(name)
    except QuestionError as exc:
        raise HttpError(404, f"{exc}; GET /api/questions lists them") from None


def _as_json(question: Question, body: bytes) -> bytes:
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    rows = tuple(tuple(to_value(s[c]) for c in question.columns) for s in solutions)
    result = QuestionResult(question.name, question.columns, rows)
    return format_result(result, OutputFormat.JSON).encode("utf-8")


@router.get(
    "/{name}",
    response_class=Response,
    summary="Run a named question",
    responses={
        200: {
            "description": "The answer: JSON rows (objects with the columns, in order) or CSV",
            "content": {"application/json": {}, "text/csv": {}},
        },
        400: {
            "description": "A bad parameter (e.g. no council or several match)",
            "content": {"text/plain": {}},
        },
        404: {"description": "No question of that name", "content": {"text/plain": {}}},
    },
)
async def run(
    name: str,
    request: Request,
    backend: BackendDep,
    authority: Annotated[  # noqa: ARG001 - documents the parameter; read from the query
        str | None, Query(description="a council: name in any spelling, GSS code or report slug")
    ] = None,
    iri: Annotated[  # noqa: ARG001 - documents the parameter; read from the query
        str | None, Query(description="a fact's IRI (for the evidence question)")
    ] = None,
    measure: Annotated[  # noqa: ARG001 - documents the parameter; read from the query
        str | None, Query(description="a measure's slug, e.g. ascs-feel-safe")
    ] = None,
    basis: Annotated[  # noqa: ARG001 - documents the parameter; read from the query
        str | None,
        Query(
            description="only links of this basis (strategies-addressing-gaps); stated = said "
            "in the report",
            json_schema_extra={"enum": ["stated", "same-passage", "shared-topic"]},
        ),
    ] = None,
    format: Annotated[
        str,
        Query(description="json (the default) or csv", json_schema_extra={"enum": ["json", "csv"]}),
    ] = "json",
) -> Response:
    """Run the question ``name`` with the parameters it takes (``authority``, ``iri``,
    ``measure`` or ``basis``, as the list says); a parameter it does not take is refused with
    400."""
    question = _question(name)
    if format not in _FORMATS:
        raise HttpError(400, f"format must be json or csv, not {format!r}")
    given = {k: v for k, v in request.query_params.items() if k != "format"}
    try:
        sparql = question.bind(given)
    except QuestionError as exc:
        raise HttpError(400, str(exc)) from None
    fmt = _FORMATS[format]
    job = select_job(sparql, fmt, backend.settings.max_results)
    answer = await backend.read(job, backend.settings.query_timeout)
    headers = {"X-Result-Truncated": "true"} if answer.truncated else {}
    if fmt is Format.CSV:
        headers["Content-Disposition"] = f'inline; filename="{question.name}.csv"'
        return Response(answer.body, media_type="text/csv; charset=utf-8", headers=headers)
    body = await run_in_threadpool(_as_json, question, answer.body)
    return Response(body, media_type="application/json", headers=headers)
