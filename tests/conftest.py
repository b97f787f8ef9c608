"""Shared fixtures.

Servers: :func:`run_server` starts a real ``cqckg serve`` (uvicorn, query workers) on a free
loopback port over a store prepared in a temporary folder, waits until it answers and stops it
afterwards. ``server`` is one such server for the whole session, holding :data:`SERVER_DATA`;
``w3c_server`` is an empty, writable one the W3C suites reset before each test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox
import pytest

if TYPE_CHECKING:
    from cqckg.store import OxigraphStore

WRITE_TOKEN = "test-write-token-0123456789"
EX = "http://example.org/"

# Named graph -> Turtle. ``big`` has 3,000 triples: enough for a cross product that would run
# for hours, and for results larger than the server's cap.
SERVER_DATA: dict[str, str] = {
    f"{EX}people": f"""
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <{EX}alice> a foaf:Person ; foaf:name "Alice" ; foaf:knows <{EX}bob> .
        <{EX}bob> a foaf:Person ; foaf:name "Bob"@en .
    """,
    f"{EX}places": f"""
        <{EX}westminster> <http://www.w3.org/2000/01/rdf-schema#label> "Westminster" .
    """,
    f"{EX}big": "".join(f"<{EX}s{i}> <{EX}p> {i} .\n" for i in range(3000)),
}


# The names in the ``people`` graph, sorted: Alice, Bob.
PEOPLE_QUERY = (
    f"SELECT ?name WHERE {{ GRAPH <{EX}people> {{ ?p <http://xmlns.com/foaf/0.1/name> ?name }} }} "
    "ORDER BY ?name"
)


def stop_process(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    """Ask a server to stop, and kill it if it has not within ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def prepare_store(path: Path, graphs: Mapping[str, str]) -> None:
    """Create an embedded store at ``path`` holding each Turtle text in its named graph."""
    store = ox.Store(str(path))
    for iri, turtle in graphs.items():
        store.load(turtle.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(iri))
    store.flush()
    del store  # releases the folder's lock before the server opens it


@dataclass
class RunningServer:
    """A ``cqckg serve`` subprocess and how to reach it."""

    url: str
    store: Path
    process: subprocess.Popen[bytes]
    token: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        """The header that authorises writes."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@contextmanager
def run_server(
    folder: Path,
    graphs: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    *args: str,
) -> Iterator[RunningServer]:
    """Run ``cqckg serve`` over a new store in ``folder`` until the block ends.

    ``env`` adds ``CQCKG_*`` settings; ``args`` more command-line options.
    """
    store = folder / "store"
    prepare_store(store, graphs or {})
    port = free_port()
    settings = {"CQCKG_LOAD_SHIPPED": "false", **(env or {})}
    command = [sys.executable, "-m", "cqckg.cli", "serve", "--store", str(store)]
    command += ["--port", str(port), *args]
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        command, env={**os.environ, **settings}, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    running = RunningServer(url, store, process, settings.get("CQCKG_WRITE_TOKEN"), settings)
    try:
        _wait_until_ready(running, folder / "server.log")
        yield running
    finally:
        stop_process(process)
        log.close()


def _wait_until_ready(server: RunningServer, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"cqckg serve exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.url}/sparql", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"cqckg serve did not answer in {seconds} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server over :data:`SERVER_DATA`: writes with :data:`WRITE_TOKEN`, Update off,
    results capped at 1,000 rows, bodies at 64 KiB."""
    env = {
        "CQCKG_WRITE_TOKEN": WRITE_TOKEN,
        "CQCKG_MAX_RESULTS": "1000",
        "CQCKG_MAX_BODY": str(64 * 1024),
        "CQCKG_CORS_ORIGINS": "https://ui.example",
    }
    with run_server(tmp_path_factory.mktemp("server"), SERVER_DATA, env) as running:
        yield running


@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """An empty server with Update on, for the W3C suites (which reset it as they go)."""
    env = {"CQCKG_WRITE_TOKEN": WRITE_TOKEN, "CQCKG_UPDATE_ENABLED": "true"}
    with run_server(tmp_path_factory.mktemp("w3c"), {}, env) as running:
        yield running


# Linked-data pages, named questions over HTTP and the web UI -------------------------------------

DATA = Path(__file__).parent / "data"
CORPUS = Path(__file__).parent.parent / "graph" / "sources"
LINKED_DATA_PAGES = DATA / "linked_data" / "pages.trig"


def trig_graphs(*paths: Path) -> dict[str, str]:
    """Named graph IRI -> its triples as N-Triples, for every named graph in the TriG files."""
    dataset = ox.Dataset(q for path in paths for q in ox.parse(path=path, format=ox.RdfFormat.TRIG))
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in dataset:
        assert isinstance(quad.graph_name, ox.NamedNode), f"{quad} is in the default graph"
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    return {
        iri: (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
        for iri, triples in graphs.items()
    }


@pytest.fixture(scope="session")
def ld_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A read-only server over the real corpus, read by ``cqckg ingest graph/sources`` (ontology,
    reference graphs, every assessment and its source texts), plus
    tests/data/linked_data/pages.trig: one more stored source text and a quote in it holding a
    <script> tag."""
    folder = tmp_path_factory.mktemp("linked-data")
    command = [sys.executable, "-m", "cqckg.cli", "ingest", str(CORPUS), "--no-progress"]
    done = subprocess.run(
        [*command, "--store", str(folder / "store")], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"cqckg ingest failed ({done.returncode}):\n{done.stderr[-4000:]}")
    with run_server(folder, trig_graphs(LINKED_DATA_PAGES), {}) as running:
        yield running


RATINGS_HISTORY = DATA / "ratings-history.csv"


@pytest.fixture(scope="session")
def pages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A read-only server over the real corpus (``cqckg ingest graph/sources``) plus one
    synthetic earlier assessment of Westminster (``cqckg import-scores``
    tests/data/ratings-history.csv), so a council is assessed twice: for the home, council and
    compare pages."""
    folder = tmp_path_factory.mktemp("pages")
    store = str(folder / "store")
    for command in (
        ["ingest", str(CORPUS), "--no-progress"],
        ["import-scores", str(RATINGS_HISTORY)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "cqckg.cli", *command, "--store", store],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"cqckg {command[0]} failed:\n{done.stderr[-4000:]}")
    with run_server(folder, {}, {}) as running:
        yield running


# -- remote SPARQL stores: real ``oxigraph serve`` processes (PyPI package ``oxigraph``) ---------

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


@contextmanager
def run_oxigraph(location: Path | None = None, *args: str) -> Iterator[str]:
    """Run ``oxigraph serve`` on a free loopback port (in memory unless ``location``) and yield
    its base URL, e.g. ``http://127.0.0.1:40123``; stopped when the block ends."""
    port = free_port()
    command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", *args]
    if location is not None:
        command += ["--location", str(location)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {process.stderr.read()!r}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not answer within 15 s")
            time.sleep(0.05)
        yield url
    finally:
        stop_process(process)


@pytest.fixture
def oxigraph_url() -> Iterator[str]:
    """A fresh, empty in-memory ``oxigraph serve`` for one test."""
    with run_oxigraph() as url:
        yield url


def memory_store(*trig: Path) -> OxigraphStore:
    """An in-memory embedded store holding the named graphs of the TriG files."""
    from cqckg.store import OxigraphStore

    store = OxigraphStore(None)
    for path in trig:
        store.raw.load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium, started headless with no network of its own (see ``chromium.py``)."""
    from chromium import ARGS, CHROMIUM

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
