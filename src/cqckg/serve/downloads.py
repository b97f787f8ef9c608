"""Downloads: ``/downloads`` (the export's files, listed in HTML) and ``/.well-known/void``
(the dataset description, https://www.w3.org/TR/void/#well-known, in any RDF format by Accept).

The files are those ``cqckg export`` writes (:mod:`cqckg.export`), made on first request into a
temporary folder and made again after the store changes (a new store version), so the site
always offers what it serves. Download URLs in the description point at this server.
"""

from __future__ import annotations

import asyncio
import html
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool

from cqckg.export import ExportResult, export
from cqckg.serve.deps import BackendDep
from cqckg.serve.errors import HttpError
from cqckg.serve.negotiation import Format, Kind, negotiate

router = APIRouter(tags=["Downloads"])


class Downloads:
    """The current export of one app, made again when the store's version changes."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.result: ExportResult | None = None
        self.lock = asyncio.Lock()

    async def current(self, request: Request, backend: BackendDep) -> ExportResult:
        async with self.lock:
            if self.result is not None and self.version == backend.version:
                return self.result
            version = backend.version
            folder = Path(tempfile.mkdtemp(prefix="cqckg-downloads-"))
            base = f"{str(request.base_url).rstrip('/')}/downloads/"
            result = await run_in_threadpool(export, backend.store, folder, download_base=base)
            if self.result is not None:
                shutil.rmtree(self.result.folder, ignore_errors=True)
            self.version, self.result = version, result
            return result


def _downloads(request: Request) -> Downloads:
    state = request.app.state
    if not hasattr(state, "downloads"):
        state.downloads = Downloads()
    found: Downloads = state.downloads
    return found


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


@router.get("/downloads", response_class=HTMLResponse)
async def listing(request: Request, backend: BackendDep) -> HTMLResponse:
    """Every file of the export, with its media type, size and SHA-256."""
    result = await _downloads(request).current(request, backend)
    rows = "\n".join(
        f'<tr><td><a href="/downloads/{html.escape(f.path)}">{html.escape(f.path)}</a></td>'
        f"<td>{html.escape(f.media_type)}</td><td>{_size(f.size)}</td>"
        f"<td><code>{f.sha256}</code></td></tr>"
        for f in sorted(result.files, key=lambda f: (f.path.count("/"), f.path))
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cqc-kg downloads</title></head>
<body><main>
<h1>Downloads</h1>
<p>{result.triples} triples in {result.graphs} named graphs. Licence:
<a href="http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">Open
Government Licence v3.0</a> for the CQC-derived data. The dataset description (DCAT/VoID) is at
<a href="/.well-known/void">/.well-known/void</a>; JSON-LD files use
<a href="/downloads/context.jsonld">this context</a>.</p>
<table><thead><tr><th>file</th><th>media type</th><th>size</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</main></body></html>
"""
    return HTMLResponse(page)


@router.get("/downloads/{path:path}")
async def download(path: str, request: Request, backend: BackendDep) -> FileResponse:
    """One file of the export (only the files listed; nothing else on disk is reachable)."""
    result = await _downloads(request).current(request, backend)
    for f in result.files:
        if f.path == path:
            return FileResponse(result.folder / f.path, media_type=f.media_type)
    raise HttpError(404, f"no download called {path!r}; see /downloads")


@router.get("/.well-known/void")
async def void(request: Request, backend: BackendDep) -> Response:
    """The DCAT 3 / VoID description, as Turtle, JSON-LD or another RDF format by ``Accept``."""
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise HttpError(406, "the description is RDF: ask for Turtle, JSON-LD, N-Triples ...")
    result = await _downloads(request).current(request, backend)
    headers = {"Vary": "Accept"}
    if fmt is Format.JSON_LD:
        body = (result.folder / "void.jsonld").read_bytes()
    else:
        turtle = (result.folder / "void.ttl").read_bytes()
        body = turtle
        if fmt is not Format.TURTLE:
            quads = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
            body = ox.serialize(quads, format=fmt.rdf) or b""
    return Response(body, media_type=fmt.content_type, headers=headers)
