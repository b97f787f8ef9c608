"""``GET /status``: whether the server is at full strength, for operators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter

from cqckg.serve.deps import BackendDep

router = APIRouter(tags=["Status"])


@router.get("/status")
async def status(backend: BackendDep) -> dict[str, int]:
    """Query workers running (``workers``) out of ``size``, background workers running, the
    store's version and how many of the pages' summaries are being computed for it
    (``refreshing``: 0 once a write's summaries are ready)."""
    return {
        "workers": backend.pool.ready,
        "size": backend.pool.size,
        "background": backend.background_workers,
        "version": backend.version,
        "refreshing": backend.refreshing,
    }
