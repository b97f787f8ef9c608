"""Federation: SERVICE to an operator's allow-listed endpoints, through a real ``cqckg serve``.

A second ``oxigraph serve`` holds a tiny population table keyed by ONS area IRIs (the same
``dcterms:spatial`` the councils carry), made up for the test. The server is started with that
endpoint allow-listed (``--allow-service``); a query joining the councils with it works. Any
other endpoint, or a variable one, is refused before evaluation: a listening socket standing in
for another endpoint must never see a connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import run_oxigraph, run_server, trig_graphs

CROSS_COUNCIL = Path(__file__).parent.parent / "data" / "questions" / "cross-council.trig"
AREA = "http://statistics.data.gov.uk/id/statistical-geography/"
POPULATION = "http://example.org/stats/population"
# Synthetic figures, not ONS estimates.
PEOPLE = {"E06000001": 90000, "E06000002": 140000, "E06000003": 130000}

JOIN = f"""
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?gss ?people WHERE {{
  ?authority a cqc:LocalAuthority ; cqc:gssCode ?gss ; dcterms:spatial ?area .
  SERVICE <{{endpoint}}> {{ ?area <{POPULATION}> ?people }}
}} ORDER BY ?gss
"""


class Listener:
    """A TCP socket that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def statistics_endpoint() -> Iterator[str]:
    with run_oxigraph() as url:
        body = "".join(f"<{AREA}{gss}> <{POPULATION}> {n} .\n" for gss, n in PEOPLE.items())
        response = httpx.put(
            f"{url}/store?default", content=body, headers={"Content-Type": "text/turtle"}
        )
        assert response.is_success
        yield f"{url}/query"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def federating_server(
    tmp_path_factory: pytest.TempPathFactory, statistics_endpoint: str
) -> Iterator[str]:
    graphs = trig_graphs(CROSS_COUNCIL)
    folder = tmp_path_factory.mktemp("federation")
    with run_server(folder, graphs, {}, "--allow-service", statistics_endpoint) as server:
        yield server.url


def ask(server: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{server}/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=20
    )


def test_an_allow_listed_service_is_joined(
    federating_server: str, statistics_endpoint: str
) -> None:
    response = ask(federating_server, JOIN.replace("{endpoint}", statistics_endpoint))
    assert response.status_code == 200, response.text
    rows = response.text.splitlines()[1:]
    assert rows == [f"{gss},{n}" for gss, n in sorted(PEOPLE.items())]


@pytest.mark.parametrize(
    "template",
    [
        JOIN,
        # Through a prefix, in lower case, escaped, SILENT, and inside an OPTIONAL.
        "PREFIX e: <{base}> SELECT * { OPTIONAL { service silent e:sparql { ?s ?p ?o } } }",
        "SELECT * { \\u0053ERVICE <{endpoint}> { ?s ?p ?o } }",
    ],
)
def test_any_other_endpoint_is_refused_before_it_is_called(
    federating_server: str, listener: Listener, template: str
) -> None:
    query = template.replace("{endpoint}", listener.url).replace(
        "{base}", listener.url.removesuffix("sparql")
    )
    response = ask(federating_server, query)
    assert response.status_code == 400
    assert "refused" in response.text
    assert listener.connections == 0


def test_a_variable_endpoint_is_refused(federating_server: str, listener: Listener) -> None:
    query = f"SELECT * {{ BIND (<{listener.url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"
    assert ask(federating_server, query).status_code == 400
    assert listener.connections == 0


def test_without_an_allow_list_service_is_refused(tmp_path: Path, statistics_endpoint: str) -> None:
    with run_server(tmp_path, trig_graphs(CROSS_COUNCIL), {}) as server:
        response = ask(server.url, JOIN.replace("{endpoint}", statistics_endpoint))
    assert response.status_code == 400
    assert "CQCKG_ALLOWED_SERVICE_ENDPOINTS" in response.text
