"""Property-based tests of the parsers a request or a document reaches (hypothesis).

Arbitrary input to the query inspection, content negotiation, the document reader and the
SPARQL endpoint never raises anything but the project's own errors and never gives a 5xx; and
no spelling of a SERVICE clause (case, codepoint escapes, comments, prefixes, BASE) slips past
the inspection.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RunningServer
from cqckg.core.errors import DocumentError, QueryError
from cqckg.read import read_document
from cqckg.serve.negotiation import Format, Kind, negotiate
from cqckg.serve.security import add_using_clauses, check_remote_access, inspect

FAST = settings(max_examples=300, deadline=None)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

SPARQLISH = st.text(
    alphabet=st.sampled_from([*list("SELECTWHERvicsload{}<>?:#'\"\\u0053 \n\t.()*/=_-"), "é"]),
    max_size=200,
)


@FAST
@given(st.one_of(st.text(max_size=300), SPARQLISH))
def test_inspection_takes_any_text(text: str) -> None:
    with contextlib.suppress(QueryError):
        check_remote_access(inspect(text), [])


def _escaped(word: str, draw: st.DrawFn) -> str:
    out = []
    for ch in word:
        how = draw(st.sampled_from(["upper", "lower", "escape"]))
        if how == "escape":
            out.append(f"\\u{ord(ch.upper()):04X}")
        else:
            out.append(ch.upper() if how == "upper" else ch.lower())
    return "".join(out)


@st.composite
def remote_queries(draw: st.DrawFn) -> str:
    gap = st.sampled_from([" ", "\n", "\t", " # SERVICE <http://ok>\n", "\r\n "])
    keyword = _escaped("SERVICE", draw)
    silent = draw(st.sampled_from(["", _escaped("SILENT", draw) + draw(gap)]))
    host = draw(st.sampled_from(["127.0.0.1:9", "localhost", "10.0.0.1", "evil.example"]))
    form = draw(st.sampled_from(["iri", "prefixed", "base"]))
    head = ""
    if form == "iri":
        target = f"<http://{host}/sparql>"
    elif form == "prefixed":
        head = f"PREFIX e: <http://{host}/>{draw(gap)}"
        target = "e:sparql"
    else:
        head = f"BASE <http://{host}/>{draw(gap)}"
        target = "<sparql>"
    before = draw(st.sampled_from(["", "?s ?p ?o .", "FILTER(1<2)", "OPTIONAL { ?a ?b ?c }"]))
    return (
        f"{head}SELECT * WHERE {{ {before}{draw(gap)}{keyword}{draw(gap)}{silent}"
        f"{target}{draw(gap)}{{ ?s ?p ?o }} }}"
    )


@FAST
@given(remote_queries())
def test_no_spelling_of_service_slips_through(query: str) -> None:
    try:
        check_remote_access(inspect(query), [])
    except QueryError:
        return
    raise AssertionError(f"not refused: {query!r}")


@FAST
@given(st.text(max_size=200), st.lists(st.text(max_size=40), max_size=3))
def test_using_clauses_take_any_iris(update: str, graphs: list[str]) -> None:
    with contextlib.suppress(QueryError):
        add_using_clauses(update, graphs, [])


@FAST
@given(st.one_of(st.none(), st.text(max_size=300)), st.sampled_from(list(Kind)))
def test_negotiation_takes_any_accept_header(accept: str | None, kind: Kind) -> None:
    found = negotiate(accept, kind)
    assert found is None or found.kind is kind
    assert Format.from_media_type(accept or "") is None or accept


@SLOW
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_the_reader_takes_any_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.md"
        path.write_bytes(data)
        with contextlib.suppress(DocumentError):
            read_document(path)


@SLOW
@given(st.one_of(SPARQLISH, st.text(max_size=300)), st.sampled_from(["GET", "POST"]))
def test_the_endpoint_takes_any_query(server: RunningServer, query: str, method: str) -> None:
    url = f"{server.url}/sparql"
    if method == "GET":
        r = httpx.get(url, params={"query": query, "timeout": "2"}, timeout=30)
    else:
        r = httpx.post(
            url,
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
            timeout=30,
        )
    assert r.status_code < 500 or r.status_code == 503, (query, r.status_code, r.text)
