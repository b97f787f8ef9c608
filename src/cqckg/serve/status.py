"""``GET /status``: whether the server is at full strength, for operators and load balancers."""

from __future__ import annotations

from fastapi import APIRouter

from cqckg.serve.deps import BackendDep

router = APIRouter(tags=["Status"])


@router.get("/status")
async def status(backend: BackendDep) -> dict[str, int]:
    """Query workers running (``workers``) out of ``size``, and the store's version."""
    return {
        "workers": backend.pool.ready,
        "size": backend.pool.size,
        "version": backend.version,
    }
