"""The SPARQL 1.1 Protocol's update operation (https://www.w3.org/TR/sparql11-protocol/#update-operation).

``POST /update``, URL-encoded (``update=``) or ``application/sparql-update``. Off unless the
operator turns it on, and then only with the write token. ``using-graph-uri`` and
``using-named-graph-uri`` become ``USING`` clauses; combining them with ``USING``/``WITH`` in the
update is refused, as the protocol requires. The ``WHERE`` of an update sees the store's own
default graph, not the union the query endpoint offers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cqckg.serve.deps import (
    BackendDep,
    Writer,
    endpoint_iri,
    read_operation,
)
from cqckg.serve.errors import HttpError
from cqckg.serve.security import add_using_clauses, check_remote_access, inspect
from cqckg.store import GraphStore

router = APIRouter(tags=["SPARQL Update"])


@router.post("/update", dependencies=[Writer])
async def update_post(request: Request, backend: BackendDep) -> Response:
    """Run a SPARQL Update against the store in one transaction; 204 when done."""
    if not backend.settings.update_enabled:
        raise HttpError(403, "SPARQL Update is off on this server (CQCKG_UPDATE_ENABLED)")
    fields, text = await read_operation(request, "update", "application/sparql-update")
    found = inspect(text)
    check_remote_access(found, backend.settings.allowed_service_endpoints)
    default, named = fields.get("using-graph-uri", []), fields.get("using-named-graph-uri", [])
    if default or named:
        if found.has_using_or_with:
            raise HttpError(
                400,
                "give the dataset either as using-graph-uri/using-named-graph-uri "
                "or as USING/WITH in the update, not both",
            )
        text = add_using_clauses(text, default, named)
    base_iri = endpoint_iri(request)

    def change(store: GraphStore) -> None:
        store.update(text, base_iri=base_iri)

    await backend.write(change)
    return Response(status_code=204)
