"""Read the W3C HTTP-in-RDF test manifests and replay their requests against a server.

Each test is a connection of ``ht:Request``s run in order; each request names its expected
status (``mf:expectedStatus``) and, for the Protocol suite, the result's kind and boolean, and
for the Graph Store suite the response's content type and body (compared as graphs) and a
``Location`` to remember as a template variable for later requests.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

DATA = Path(__file__).resolve().parent.parent / "data" / "w3c"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

_STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
_KINDS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass
class Step:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: list[str]
    result_kind: str | None = None
    boolean: bool | None = None
    response_type: str | None = None
    response_body: str | None = None
    location_variable: str | None = None


@dataclass
class Case:
    """A manifest entry: its id (the local name), title, graphs it reads, and its requests."""

    id: str
    name: str
    steps: list[Step]
    graph_data: list[str] = field(default_factory=list)


def _headers(g: Graph, node: Node | None) -> dict[str, str]:
    if node is None:
        return {}
    return {
        str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
        for h in Collection(g, node)
    }


def _step(g: Graph, request: Node) -> Step:
    body = g.value(request, HT.body)
    response = g.value(request, HT.resp)
    assert response is not None
    response_body = g.value(response, HT.body)
    boolean = g.value(response, MF.expectedBoolean)
    step = Step(
        method=str(g.value(request, HT.methodName)),
        path=str(g.value(request, HT.absolutePath)),
        headers=_headers(g, g.value(request, HT.headers)),
        body=None if body is None else str(g.value(body, CNT.chars)),
        statuses=sorted(str(s).rsplit("#", 1)[-1] for s in g.objects(response, MF.expectedStatus)),
        boolean=None if boolean is None else boolean.toPython(),
        response_body=None if response_body is None else str(g.value(response_body, CNT.chars)),
    )
    kind = g.value(response, MF.expectedFormat)
    step.result_kind = None if kind is None else str(kind)
    step.response_type = _headers(g, g.value(response, HT.headers)).get("content-type")
    location = g.value(response, MF.expectedLocation)
    step.location_variable = None if location is None else str(location)
    return step


def load(name: str) -> list[Case]:
    """The tests of one manifest file in ``tests/data/w3c``, in manifest order."""
    g = Graph().parse(DATA / name, format="turtle")
    manifest = next(g.subjects(MF.entries, None))
    cases = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        assert isinstance(entry, URIRef)
        action = g.value(entry, MF.action)
        requests = Collection(g, g.value(action, HT.requests))
        data = [str(g.value(d, RDFS.label)) for d in g.objects(entry, UT.graphData)]
        cases.append(
            Case(
                id=str(entry).rsplit("#", 1)[-1],
                name=str(g.value(entry, MF.name)),
                steps=[_step(g, r) for r in requests],
                graph_data=sorted(data),
            )
        )
    return cases


def status_ok(status: int, expected: list[str]) -> bool:
    """Whether ``status`` is one of the expected codes or classes (``StatusCode2xx``)."""
    for name in expected:
        if name.startswith("StatusCode") and str(status)[0] == name[len("StatusCode")]:
            return True
        if status in _STATUS.get(name, set()):
            return True
    return False


def _boolean(response: httpx.Response) -> bool:
    if "json" in response.headers["content-type"]:
        value: bool = json.loads(response.content)["boolean"]
        return value
    ns = "{http://www.w3.org/2005/sparql-results#}"
    element = ET.fromstring(response.content).find(f"{ns}boolean")
    assert element is not None
    return element.text == "true"


def run(
    client: httpx.Client,
    case: Case,
    path_for: Callable[[Step], str],
    headers: dict[str, str],
) -> None:
    """Replay every step of ``case`` with ``client``, asserting each expected response."""
    variables: dict[str, str] = {}
    for number, step in enumerate(case.steps, 1):
        path, body = path_for(step), step.body
        for variable, value in variables.items():
            path = path.replace(variable, value)
            body = body.replace(variable, value) if body is not None else None
        response = client.request(
            step.method,
            path,
            headers={**step.headers, **headers},
            content=None if body is None else body.encode("utf-8"),
        )
        where = f"{case.id} request {number} ({step.method} {path}): {response.status_code}"
        assert status_ok(response.status_code, step.statuses), f"{where} {response.text}"
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if step.result_kind is not None:
            assert media in _KINDS[step.result_kind], f"{where}: {media}"
        if step.boolean is not None:
            assert _boolean(response) is step.boolean, where
        if step.response_type is not None:
            assert response.headers["content-type"] == step.response_type, where
        if step.response_body is not None and step.method != "HEAD":
            expected = Graph().parse(data=step.response_body, format="turtle")
            got = Graph().parse(data=response.text, format="turtle")
            assert isomorphic(expected, got), f"{where}: got\n{response.text}"
        if step.location_variable is not None:
            variables[step.location_variable] = response.headers["location"]
