"""Export: files in five RDF formats that read back to the graph, researcher tables with a data
dictionary, a DCAT/VoID description whose sizes and hashes match the files; and the same
downloads served by ``cqckg serve`` at /downloads and /.well-known/void."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import memory_store, prepare_store, run_server, trig_graphs
from cqckg import cli
from cqckg.export import OGL, RDF_FILES, ExportResult, export
from cqckg.questions import list_questions, run_question_serialized
from cqckg.store import OxigraphStore

DATA = Path(__file__).parent.parent / "data" / "questions"
FIXTURES = (DATA / "sample.trig", DATA / "cross-council.trig")
ASSESSMENTS = [
    "E06000001-2024-05-10",
    "E06000002-2024-02-01",
    "E06000002-2025-01-15",
    "E06000003-2024-09-20",
    "E09000007-2023-09-15",
    "E09000007-2025-02-14",
    "E09000033-2024-11-08",
]
PREFIXES = "".join(
    f"PREFIX {p}: <{ns}>\n"
    for p, ns in [
        ("void", "http://rdfs.org/ns/void#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("cqc", "https://w3id.org/cqc-kg/def#"),
        ("prov", "http://www.w3.org/ns/prov#"),
    ]
)
CREATED = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
DESCRIBE = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?url ?size ?sha ?media WHERE {
  ?d a dcat:Distribution ; dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?media ;
     spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sha ] .
}"""


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    return memory_store(*FIXTURES)


@pytest.fixture(scope="module")
def exported(store: OxigraphStore, tmp_path_factory: pytest.TempPathFactory) -> ExportResult:
    folder = tmp_path_factory.mktemp("export")
    return export(store, folder, download_base="https://example.org/dl/", created=CREATED)


def quads_of(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.raw)


@pytest.mark.parametrize("suffix", list(RDF_FILES))
def test_whole_graph_reads_back(store: OxigraphStore, exported: ExportResult, suffix: str) -> None:
    fmt, _, keeps_graphs = RDF_FILES[suffix]
    read = set(ox.parse(path=str(exported.folder / f"cqc-kg.{suffix}"), format=fmt))
    if keeps_graphs:
        assert read == quads_of(store)
    else:
        assert {q.triple for q in read} == {q.triple for q in quads_of(store)}


@pytest.mark.parametrize("suffix", list(RDF_FILES))
def test_one_file_per_assessment(store: OxigraphStore, exported: ExportResult, suffix: str) -> None:
    folder = exported.folder / "assessments"
    assert sorted(p.name for p in folder.glob(f"*.{suffix}")) == [
        f"{a}.{suffix}" for a in ASSESSMENTS
    ]
    fmt, _, keeps_graphs = RDF_FILES[suffix]
    graph = ox.NamedNode("https://w3id.org/cqc-kg/doc/assessment/E06000002/2025-01-15")
    expected = {q for q in quads_of(store) if q.graph_name == graph}
    read = set(ox.parse(path=str(folder / f"E06000002-2025-01-15.{suffix}"), format=fmt))
    if not keeps_graphs:  # triple formats read back into the default graph
        expected = {ox.Quad(q.subject, q.predicate, q.object) for q in expected}
    assert read == expected


def test_json_ld_is_compacted_with_the_published_context(exported: ExportResult) -> None:
    document = json.loads((exported.folder / "cqc-kg.jsonld").read_text())
    published = json.loads((exported.folder / "context.jsonld").read_text())
    source = json.loads((Path(__file__).parents[2] / "src/cqckg/export/context.jsonld").read_text())
    assert document["@context"] == published["@context"] == source["@context"]
    text = json.dumps(document)
    assert '"cqc:assessedAuthority"' in text and "https://w3id.org/cqc-kg/def#" not in text.replace(
        json.dumps(published["@context"]), ""
    )


def test_a_table_per_question_and_a_data_dictionary(
    store: OxigraphStore, exported: ExportResult
) -> None:
    tables = exported.folder / "tables"
    expected = [q for q in list_questions() if not any(p.required for p in q.parameters)]
    assert "evidence" not in {q.name for q in expected}
    for q in expected:
        assert (tables / f"{q.name}.csv").read_bytes() == run_question_serialized(
            store, q.name, None, "text/csv"
        )
    rows = list(csv.DictReader(io.StringIO((tables / "data-dictionary.csv").read_text())))
    assert [(r["question"], r["column"]) for r in rows] == [
        (q.name, c) for q in expected for c in q.columns
    ]
    assert all(r["description"] and r["type"] for r in rows)
    kinds = {(r["question"], r["column"]): r["type"] for r in rows}
    assert kinds[("scores-vs-mean", "mean_score")] == "decimal"
    # a day, or a month when no document states the day: ISO text, not xsd:date
    assert kinds[("assessments", "published")] == "string"


def test_description_matches_the_files(exported: ExportResult) -> None:
    description = ox.Store()
    description.load(path=str(exported.folder / "void.ttl"), format=ox.RdfFormat.TURTLE)
    listed = {
        row["url"].value.removeprefix("https://example.org/dl/"): (
            int(row["size"].value),
            row["sha"].value,
            row["media"].value,
        )
        for row in description.query(DESCRIBE)  # type: ignore[union-attr]
    }
    files = {f.path for f in exported.files if not f.path.startswith("void.")}
    assert set(listed) == files
    tables = sum(1 for q in list_questions() if q.name != "evidence") + 1  # + the dictionary
    assert len(files) == 5 + 5 * len(ASSESSMENTS) + tables + 1  # + context.jsonld
    for path, (size, sha, media) in listed.items():
        data = (exported.folder / path).read_bytes()
        assert (size, sha) == (len(data), hashlib.sha256(data).hexdigest())
        assert media.startswith("https://www.iana.org/assignments/media-types/")


def test_description_counts_licence_time_and_version(
    store: OxigraphStore, exported: ExportResult
) -> None:
    description = ox.Store()
    description.load(path=str(exported.folder / "void.jsonld"), format=ox.RdfFormat.JSON_LD)

    def one(query: str) -> str:
        rows = list(description.query(PREFIXES + query))  # type: ignore[arg-type]
        assert len(rows) == 1, rows
        return str(rows[0][0].value)

    dataset = "<https://w3id.org/cqc-kg/id/dataset/cqc-kg>"
    assert one(f"SELECT ?n {{ {dataset} void:triples ?n }}") == str(len(store.raw))
    assert one(f"SELECT ?l {{ {dataset} dcterms:license ?l }}") == OGL
    assert one(f"SELECT ?t {{ {dataset} dcterms:created ?t }}") == "2025-03-01T12:00:00Z"
    generated = "prov:wasGeneratedBy/prov:wasAssociatedWith/cqc:softwareVersion"
    assert one(f"SELECT ?v {{ {dataset} {generated} ?v }}")
    graph = "<https://w3id.org/cqc-kg/doc/assessment/E06000002/2025-01-15>"
    in_graph = sum(1 for q in store.raw if q.graph_name.value == graph[1:-1])  # type: ignore[union-attr]
    assert one(f"SELECT ?n {{ {dataset} void:subset {graph} . {graph} void:triples ?n }}") == str(
        in_graph
    )
    assert (
        one(
            f"SELECT ?n {{ {dataset} void:classPartition ?p . "
            "?p void:class cqc:Assessment ; void:entities ?n }"
        )
        == "7"
    )
    assert (
        one(
            f"SELECT ?n {{ {dataset} void:classPartition ?p . "
            "?p void:class cqc:Figure ; void:entities ?n }"
        )
        == "4"
    )


def test_cli_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "store"
    prepare_store(folder, trig_graphs(*FIXTURES))
    out = tmp_path / "out"
    assert (
        cli.main(
            [
                "export",
                "--out",
                str(out),
                "--store",
                str(folder),
                "--base-url",
                "https://d.example/x",
            ]
        )
        == 0
    )
    assert "1229 triples in 12 named graphs" in capsys.readouterr().out
    assert "<https://d.example/x/cqc-kg.ttl>" in (out / "void.ttl").read_text()


# --- served -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with run_server(tmp_path_factory.mktemp("downloads"), trig_graphs(*FIXTURES), {}) as server:
        yield server.url


def test_downloads_page_lists_the_files(site: str) -> None:
    page = httpx.get(f"{site}/downloads", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for name in (
        "cqc-kg.ttl",
        "cqc-kg.jsonld",
        "assessments/E09000033-2024-11-08.trig",
        "tables/data-dictionary.csv",
        "context.jsonld",
    ):
        assert f'href="/downloads/{name}"' in page.text


def test_downloads_serve_the_files_the_description_lists(site: str) -> None:
    void = httpx.get(f"{site}/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    description = ox.Store()
    description.load(void.content, format=ox.RdfFormat.TURTLE)
    rows = list(description.query(DESCRIBE))  # type: ignore[arg-type]
    assert rows
    for row in rows[:: max(1, len(rows) // 6)]:
        url = row["url"].value
        assert url.startswith(f"{site}/downloads/")
        data = httpx.get(url).content
        assert hashlib.sha256(data).hexdigest() == row["sha"].value


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("*/*", "text/turtle"),
    ],
)
def test_well_known_void_by_accept(site: str, accept: str, media: str) -> None:
    response = httpx.get(f"{site}/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert httpx.get(f"{site}/.well-known/void", headers={"Accept": "text/csv"}).status_code == 406


def test_context_is_published_and_nothing_else_is_reachable(site: str) -> None:
    context = httpx.get(f"{site}/downloads/context.jsonld")
    assert context.status_code == 200 and "@context" in context.json()
    for path in ("../../etc/passwd", "void.ttl/../../x", "nothing.ttl"):
        assert httpx.get(f"{site}/downloads/{path}").status_code == 404
