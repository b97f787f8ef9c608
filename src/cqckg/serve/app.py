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
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from cqckg import __version__
from cqckg.serve import (
    compare,
    documents,
    downloads,
    errors,
    graph_store,
    home,
    linked_data,
    ontology_doc,
    questions_api,
    sparql,
    status,
    ui,
    update,
)
from cqckg.serve.backend import Backend
from cqckg.serve.middleware import BodyGuard, SecurityHeaders
from cqckg.serve.nation import load_gap_topics, load_nation
from cqckg.serve.settings import Settings

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
    home.router,
    compare.router,
    linked_data.router,
    ui.router,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the backend (store, query workers) with the app and stop it after."""
    settings: Settings = app.state.settings
    backend = Backend(settings)
    try:
        await backend.start()
        app.state.backend = backend
        # The home page's summaries, computed now and again after each write.
        backend.warmers = [load_nation, load_gap_topics]
        backend.warm()
        log.info("serving %s with %d query workers", backend.store.location, settings.workers)
        yield
    finally:
        await backend.close()


class CqcKgApp(FastAPI):
    """FastAPI with the server's own ASGI layers in front of FastAPI's.

    A request passes, in order: :class:`SecurityHeaders` (so every response carries them, also
    a ``500``), Starlette's error layer, :class:`BodyGuard`, CORS (when ``cors_origins`` are set),
    :class:`sparql.SparqlRoute` (the query endpoint, answered here), then FastAPI (its error,
    telemetry and body-limit layers, the router). With ``sparql_fast_path=False`` the query
    endpoint is answered by the router like every other path (the tests compare the two).
    """

    def __init__(self, *, sparql_fast_path: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sparql_fast_path = sparql_fast_path
        self._front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._front is None:
            self._front = self._build_front()
        await self._front(scope, receive, send)

    def _build_front(self) -> ASGIApp:
        settings: Settings = self.state.settings
        app: ASGIApp = super().__call__
        if self.sparql_fast_path:
            app = sparql.SparqlRoute(app, self)
        if settings.cors_origins:
            app = CORSMiddleware(
                app,
                allow_origins=settings.cors_origins,
                # Credentials are never allowed together with a wildcard origin.
                allow_credentials="*" not in settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD"],
                allow_headers=["Authorization", "Content-Type", "Accept"],
                expose_headers=["Location", "X-Result-Truncated"],
            )
        app = BodyGuard(app, limit=settings.max_body, seconds=settings.body_timeout)
        # Answers 500 for an exception nothing else handled (FastAPI's own layer does the same
        # for the paths it serves; this one covers the query endpoint).
        app = ServerErrorMiddleware(app)
        # Outermost, so refusals (413, 408) and errors carry the security headers too.
        return SecurityHeaders(app)


def create_app(
    settings: Settings | None = None,
    extra_routers: Iterable[APIRouter] = (),
    *,
    sparql_fast_path: bool = True,
) -> CqcKgApp:
    """An app serving the store named in ``settings`` (default: from the environment)."""
    settings = settings or Settings()
    app = CqcKgApp(
        title="cqc-kg",
        version=__version__,
        summary="SPARQL over CQC's assessments of councils' adult social care",
        lifespan=lifespan,
        sparql_fast_path=sparql_fast_path,
    )
    app.state.settings = settings
    routers: Sequence[APIRouter] = (*ROUTERS, *extra_routers)
    for router in routers:
        app.include_router(router)
    errors.install(app)
    return app
