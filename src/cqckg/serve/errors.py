"""Errors mapped to HTTP responses, in one place.

Every error body is ``text/plain`` and says what went wrong and, for SPARQL syntax errors, where
(the engine's ``line:column``).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from cqckg.core.errors import QueryError, QueryTimeout, StoreError
from cqckg.serve.backend import WorkerRefusal


class HttpError(Exception):
    """A request the protocol refuses, with its status code and an explanation."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


_WORKER_STATUS = {"syntax": 400, "not_acceptable": 406, "not_found": 404, "engine": 500}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


async def _http_error(_: Request, exc: Exception) -> PlainTextResponse:
    assert isinstance(exc, HttpError)
    return _text(exc.status, exc.message, exc.headers)


async def _query_error(_: Request, exc: Exception) -> PlainTextResponse:
    return _text(400, str(exc))


async def _timeout(_: Request, exc: Exception) -> PlainTextResponse:
    return _text(503, str(exc), {"Retry-After": "1"})


async def _store_error(_: Request, exc: Exception) -> PlainTextResponse:
    return _text(500, f"store error: {exc}")


async def _worker_refusal(_: Request, exc: Exception) -> PlainTextResponse:
    assert isinstance(exc, WorkerRefusal)
    status = _WORKER_STATUS.get(exc.error, 500)
    if exc.error == "syntax":
        return _text(status, f"bad query: {exc.message}")
    if exc.error == "not_acceptable":
        return _text(status, f"no acceptable format for {exc.message} (see Accept or format=)")
    return _text(status, exc.message)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(HttpError, _http_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(QueryTimeout, _timeout)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(WorkerRefusal, _worker_refusal)
