"""The query page at ``/query``: a SPARQL editor with the named questions as examples, a form
for the named questions, and the few static files the pages need (from the package, no CDN).

The page is plain HTML; ``/static/app.js`` runs queries against ``/sparql`` and
``/api/questions/{name}`` and draws the results with DOM text nodes (never as HTML).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from cqckg.core.errors import QuestionError
from cqckg.questions import ParameterKind, Question, get_question, list_questions
from cqckg.serve.backend import select_job
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.html import html_response, render
from cqckg.serve.negotiation import Format

router = APIRouter(tags=["Web UI"])

STATIC = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "site.js": "text/javascript; charset=utf-8",
}

# Authorities that have at least one assessment, for the form's suggestions.
_AUTHORITIES = """
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?gss (SAMPLE(?label) AS ?name) WHERE {
  ?assessment cqc:assessedAuthority ?authority .
  ?authority cqc:gssCode ?gss .
  OPTIONAL { ?authority skos:prefLabel ?label }
} GROUP BY ?gss ORDER BY ?name
"""


@cache
def _static(name: str) -> tuple[bytes, str]:
    body = (STATIC / name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def question_entry(question: Question) -> dict[str, object]:
    """A named question as the UI and ``/api/questions`` describe it."""
    return {
        "name": question.name,
        "description": question.description,
        "parameters": [
            {"name": p.name, "kind": p.kind.value, "required": p.required}
            for p in question.parameters
        ],
        "columns": list(question.columns),
        "url": f"/api/questions/{question.name}",
    }


_LABELS = {ParameterKind.GSS_CODE: "Council (name or GSS code)", ParameterKind.IRI: "IRI"}


def parameter_inputs(questions: list[Question]) -> list[dict[str, str]]:
    """One form input per parameter name any question takes, in the order first met."""
    inputs: dict[str, dict[str, str]] = {}
    for question in questions:
        for p in question.parameters:
            label = _LABELS.get(p.kind, f"{p.name.capitalize()} ({p.kind.value})")
            placeholder = "ascs-feel-safe" if p.kind.value == "measure" else ""
            inputs.setdefault(
                p.name,
                {"name": p.name, "kind": p.kind.value, "label": label, "placeholder": placeholder},
            )
    return list(inputs.values())


async def _authorities(backend: BackendDep) -> list[dict[str, str]]:
    job = select_job(_AUTHORITIES, Format.JSON, 1000)
    answer = await backend.read(job, backend.settings.query_timeout)
    rows = json.loads(answer.body)["results"]["bindings"]
    return [{"gss": r["gss"]["value"], "name": r.get("name", r["gss"])["value"]} for r in rows]


@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="The query page: SPARQL editor, named questions, results and downloads",
    responses={200: {"content": {"text/html": {}}, "description": "The query page"}},
)
async def home(backend: BackendDep) -> Response:
    """The query page (HTML). Named questions are its examples and its form's choices."""
    found = list_questions()
    questions = [{**question_entry(q), "sparql": q.sparql} for q in found]
    authorities = await _authorities(backend)
    body = await run_in_threadpool(
        render,
        "ui.html",
        questions=questions,
        parameters=parameter_inputs(found),
        authorities=authorities,
        base=backend.settings.base_iri,
    )
    return html_response(body)


@router.get(
    "/ui/question",
    response_class=RedirectResponse,
    summary="Run a named question from the HTML form (redirects to /api/questions/{name})",
    status_code=303,
    responses={303: {"description": "See /api/questions/{name} with the form's parameters"}},
)
async def run_from_form(
    request: Request, name: str = Query(..., description="the question's name")
) -> Response:
    """Where the question form posts when scripts are off: on to the questions API."""
    try:
        question = get_question(name)
    except QuestionError as exc:
        raise HttpError(404, str(exc)) from exc
    kept = {
        key: value
        for key, value in request.query_params.items()
        if value and key in {p.name for p in question.parameters} | {"format"}
    }
    target = f"/api/questions/{question.name}" + (f"?{urlencode(kept)}" if kept else "")
    return RedirectResponse(target, status_code=303)


@router.get(
    "/static/{name}",
    response_class=Response,
    summary="The UI's script and style sheet",
    responses={200: {"content": {"text/javascript": {}, "text/css": {}}}, 404: {}},
)
async def static(name: str, request: Request) -> Response:
    """One of the UI's own files (a fixed list; nothing else on disk is reachable)."""
    media = _STATIC_TYPES.get(name)
    if media is None:
        raise HttpError(404, f"no static file {name!r}")
    body, etag = await run_in_threadpool(_static, name)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
