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
from cqckg.api.middleware import BodyGuard, SecurityHeaders
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
    # Innermost: the query endpoint skips the router, not the middleware below.
    app.add_middleware(sparql.SparqlRoute)
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
    app.add_middleware(BodyGuard, limit=settings.max_body, seconds=settings.body_timeout)
    # Outermost, so refusals (413, 408) carry the security headers too.
    app.add_middleware(SecurityHeaders)
    return app
