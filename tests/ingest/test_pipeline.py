"""Ingestion end to end on the real corpus: grouping, reconciling, all-or-nothing writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import DocumentError
from cqckg.core.namespaces import CQC, assessment_graph_iri, assessment_iri
from cqckg.core.paths import sources_dir
from cqckg.core.vocabulary import load_vocabulary
from cqckg.ingest import assemble, group_documents, ingest, source_files
from cqckg.ingest.verify import verify_store
from cqckg.read import read_document
from cqckg.store import OxigraphStore, open_store

SOURCES = sources_dir()
WESTMINSTER = SOURCES / "westminster-2024"


def docs(*paths: Path):  # type: ignore[no-untyped-def]
    return [read_document(p) for p in source_files(paths)]


def test_corpus_groups_into_four_assessments() -> None:
    groups = group_documents(docs(SOURCES))
    assert {key: len(g) for key, g in groups.items()} == {
        ("E09000033", "2024-11-08"): 5,  # full report, three pages, press release
        ("E09000007", "2025-02-28"): 4,
        # The republished press release is dated 13 May; it joins the 9 May assessment.
        ("E09000013", "2025-05-09"): 10,
        ("E08000025", "2023-11-17"): 4,
    }


def test_readme_files_are_not_documents() -> None:
    assert all(p.name != "README.md" for p in source_files([SOURCES]))


def test_facts_stated_in_several_documents_carry_every_anchor() -> None:
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    (a,) = assemble(docs(WESTMINSTER), vocab, registry, SOURCES)
    by_sha = {d.sha256: rel for d, rel in a.documents}
    equity = next(
        s for s in a.extraction.scores if s.quality_statement == "equity-in-experience-and-outcomes"
    )
    # the full report, its quality-statement page and the press release all give this score
    assert {by_sha[x.document_sha256] for x in equity.anchors} == {
        "westminster-2024/full-report.md",
        "westminster-2024/qs-equity-experience-outcomes.txt",
        "westminster-2024/press-release.txt",
    }
    assert a.extraction.rating is not None and a.extraction.rating.rating == "good"
    assert {by_sha[x.document_sha256] for x in a.extraction.rating.anchors} == {
        "westminster-2024/full-report.md",
        "westminster-2024/press-release.txt",
    }
    assert not a.extraction.disagreements
    assert a.complete_scores and len(a.extraction.scores) == 9


def test_pilot_assessment_is_indicative_and_without_a_partial_percentage() -> None:
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    (a,) = assemble(docs(SOURCES / "birmingham"), vocab, registry, SOURCES)
    assert a.pilot
    assert a.extraction.rating is not None and a.extraction.rating.indicative
    assert all(s.indicative for s in a.extraction.scores)
    assert {s.quality_statement: s.score for s in a.extraction.scores} == {
        "assessing-needs": 2,
        "equity-in-experience-and-outcomes": 3,
        "safeguarding": 2,
    }
    # Only three of nine scores are published in these pages: no percentage is computed.
    assert not a.complete_scores


def test_disagreeing_documents_are_reported_not_overwritten(tmp_path: Path) -> None:
    shutil.copy(WESTMINSTER / "full-report.md", tmp_path / "full-report.md")
    release = (WESTMINSTER / "press-release.txt").read_text(encoding="utf-8")
    changed = release.replace("7. safeguarding - 3", "7. safeguarding - 2")
    assert changed != release
    (tmp_path / "press-release.txt").write_text(changed, encoding="utf-8")
    vocab, registry = load_vocabulary(), AuthorityRegistry.load()
    (a,) = assemble(docs(tmp_path), vocab, registry, tmp_path)
    (d,) = a.extraction.disagreements
    assert d.fact == "the score of safeguarding"
    assert sorted(v for v, _ in d.values) == ["2", "3"]
    assert any("disagree" in w and "safeguarding" in w for w in a.warnings)
    safeguarding = next(s for s in a.extraction.scores if s.quality_statement == "safeguarding")
    assert safeguarding.score == 3  # the full report is believed first, and the conflict kept


@pytest.fixture
def store() -> OxigraphStore:
    s = open_store(":memory:")
    assert isinstance(s, OxigraphStore)
    return s


def _triples(store: OxigraphStore) -> set[tuple[str, str, str, str]]:
    return {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store.quads()
    }


def test_ingest_writes_the_assessment_and_its_texts_and_verifies(store: OxigraphStore) -> None:
    result = ingest([WESTMINSTER], store)
    assert len(result.assessments) == 1
    graphs = store.named_graphs()
    assert str(assessment_graph_iri("E09000033", "2024-11-08")) in graphs
    assert sum(g.startswith("https://w3id.org/cqc-kg/doc/source/") for g in graphs) == 5
    report = verify_store(store)
    assert report.ok, report.problems[:3]
    assert report.anchors > 500 and report.documents == 5


def test_ingest_is_idempotent(store: OxigraphStore) -> None:
    ingest([WESTMINSTER], store)
    first = _triples(store)
    ingest([WESTMINSTER], store)
    assert _triples(store) == first


def test_a_bad_document_leaves_the_store_as_it_was(store: OxigraphStore, tmp_path: Path) -> None:
    ingest([SOURCES / "camden"], store)
    before = _triples(store)
    shutil.copytree(WESTMINSTER, tmp_path / "batch")
    (tmp_path / "batch" / "broken.txt").write_text(
        "Westminster City Council: local authority assessment\nAssessing needs\nScore: 5\n",
        encoding="utf-8",
    )
    with pytest.raises(DocumentError) as caught:
        ingest([tmp_path / "batch"], store)
    assert Path(caught.value.location.path).name == "broken.txt"
    assert caught.value.location.line == 3
    assert _triples(store) == before  # nothing of the good Westminster documents either


def test_a_newer_version_replaces_the_assessment_graph(
    store: OxigraphStore, tmp_path: Path
) -> None:
    shutil.copytree(WESTMINSTER, tmp_path / "v1")
    ingest([tmp_path / "v1"], store)
    graph = assessment_graph_iri("E09000033", "2024-11-08")
    old_sha = read_document(tmp_path / "v1" / "full-report.md").sha256
    old_text = "Approximately **3,535** people"
    report = (tmp_path / "v1" / "full-report.md").read_text(encoding="utf-8")
    assert old_text in report
    (tmp_path / "v1" / "full-report.md").write_text(
        report.replace(old_text, "Approximately **3,536** people"), encoding="utf-8"
    )
    ingest([tmp_path / "v1"], store)
    g = store.graph(graph)
    values = {
        str(o)
        for o in g.objects(None, URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue"))
    }
    assert "3536" in values
    documents = {str(d) for d in g.subjects(RDF.type, CQC.SourceDocument)}
    assert len(documents) == 5
    assert not any(d.endswith(old_sha) for d in documents)  # the old version is gone
    assert (assessment_iri("E09000033", "2024-11-08"), RDF.type, CQC.Assessment) in g
    assert verify_store(store).ok


def test_verify_finds_a_tampered_text(store: OxigraphStore) -> None:
    ingest([SOURCES / "camden"], store)
    chars = "<http://www.w3.org/2011/content#chars>"
    row = store.select(
        f"SELECT ?g ?doc ?text WHERE {{ GRAPH ?g {{ ?doc {chars} ?text }} }} LIMIT 1"
    )[0]
    g, doc, text = URIRef(row["g"].value), URIRef(row["doc"].value), row["text"].value  # type: ignore[union-attr]
    store.replace_graphs(
        {g: [(doc, URIRef("http://www.w3.org/2011/content#chars"), Literal("X" + text))]}
    )
    report = verify_store(store)
    assert not report.ok
    assert any("hashes to" in p for p in report.problems)
    assert any("is not the quoted text" in p for p in report.problems)


def test_documents_ingested_later_join_the_stored_assessment(
    store: OxigraphStore, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(WESTMINSTER / "full-report.md", tmp_path / "a" / "full-report.md")
    # an undated quality-statement page and the press release, a day later
    shutil.copy(WESTMINSTER / "qs-equity-experience-outcomes.txt", tmp_path / "b")
    shutil.copy(WESTMINSTER / "press-release.txt", tmp_path / "b")
    ingest([tmp_path / "a"], store)
    graph = assessment_graph_iri("E09000033", "2024-11-08")
    before = store.graph(graph)
    findings_before = set(before.subjects(RDF.type, CQC.Gap))
    result = ingest([tmp_path / "b"], store)
    (a,) = result.assessments
    assert len(a.documents) == 3  # the stored report is kept, not overwritten
    after = store.graph(graph)
    assert findings_before <= set(after.subjects(RDF.type, CQC.Gap))
    assert len(list(after.subjects(RDF.type, CQC.SourceDocument))) == 3
    assert verify_store(store).ok


def test_a_replaced_document_takes_its_text_with_it(store: OxigraphStore, tmp_path: Path) -> None:
    folder = tmp_path / "westminster-2024"
    shutil.copytree(WESTMINSTER, folder)
    ingest([folder], store)
    old = read_document(folder / "press-release.txt").sha256
    text = (folder / "press-release.txt").read_text(encoding="utf-8")
    (folder / "press-release.txt").write_text(text + "\nA corrected line.\n", encoding="utf-8")
    ingest([folder / "press-release.txt"], store)
    graphs = store.named_graphs()
    assert not any(g.endswith(old) for g in graphs)
    assert sum(g.startswith("https://w3id.org/cqc-kg/doc/source/") for g in graphs) == 5
    assert verify_store(store).ok


def test_the_same_document_twice_is_refused(store: OxigraphStore, tmp_path: Path) -> None:
    shutil.copy(WESTMINSTER / "press-release.txt", tmp_path / "release.txt")
    shutil.copy(WESTMINSTER / "press-release.txt", tmp_path / "release-copy.txt")
    with pytest.raises(DocumentError) as caught:
        ingest([tmp_path], store)
    assert caught.value.rule == "duplicate-document"
    assert "release.txt" in str(caught.value) and "release-copy.txt" in str(caught.value)
    assert store.named_graphs() == []
