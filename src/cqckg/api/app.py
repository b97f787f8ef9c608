"""The application factory: ``create_app(settings)`` puts the routers together.

Each resource is an ``APIRouter`` in its own module; another module's router (linked-data pages,
named questions, the web UI) is added to :data:`ROUTERS` or passed as ``extra_routers``. The
backend (store, query workers, cache) starts and stops with the app's lifespan.

>>> app = create_app(Settings(store=":memory:"))
>>> sorted(set(app.openapi()["paths"]) & {"/sparql", "/update", "/store"})
['/sparql', '/store', '/update']
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cqckg import __version__
from cqckg.api import (
    documents,
    downloads,
    errors,
    graph_store,
    linked_data,
    ontology_doc,
    questions_api,
    sparql,
    status,
    ui,
    update,
)
from cqckg.api.backend import Backend
from cqckg.settings import Settings

log = logging.getLogger(__name__)

# documents before linked_data: /doc/source/{sha256} is more specific than /doc/{path}.
ROUTERS: tuple[APIRouter, ...] = (
    sparql.router,
    update.router,
    graph_store.router,
    status.router,
    downloads.router,
    questions_api.router,
    ontology_doc.router,
    documents.router,
    linked_data.router,
    ui.router,
)


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413, before reading it all.

    A declared ``Content-Length`` over the limit is refused at once; a chunked body is counted
    as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = f"the request body is larger than {self.limit} bytes\n".encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the backend (store, query workers) with the app and stop it after."""
    settings: Settings = app.state.settings
    backend = Backend(settings)
    try:
        await backend.start()
        app.state.backend = backend
        log.info("serving %s with %d query workers", backend.store.location, settings.workers)
        yield
    finally:
        await backend.close()


def create_app(
    settings: Settings | None = None, extra_routers: Iterable[APIRouter] = ()
) -> FastAPI:
    """A FastAPI app serving the store named in ``settings`` (default: from the environment)."""
    settings = settings or Settings()
    app = FastAPI(
        title="cqc-kg",
        version=__version__,
        summary="SPARQL over CQC's assessments of councils' adult social care",
        lifespan=lifespan,
    )
    app.state.settings = settings
    routers: Sequence[APIRouter] = (*ROUTERS, *extra_routers)
    for router in routers:
        app.include_router(router)
    errors.install(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            # Credentials are never allowed together with a wildcard origin.
            allow_credentials="*" not in settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["Location", "X-Result-Truncated"],
        )
    app.add_middleware(BodyLimit, limit=settings.max_body)
    return app
