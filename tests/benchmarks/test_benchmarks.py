"""Smoke tests of the benchmarks: the corpus generator's documents ingest and validate, and
``cqckg bench --quick`` runs end to end. No timing is asserted: speed lives in the benchmarks."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from cqckg.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import SYNTHETIC_SOURCE, generate  # noqa: E402


def test_generated_documents_ingest_and_validate(tmp_path: Path) -> None:
    (folder,) = generate(tmp_path / "corpus", councils=3)
    councils = sorted(p.name for p in folder.iterdir())
    assert len(councils) == 3
    documents = sorted(folder.rglob("*.*"))
    assert all(p.read_text(encoding="utf-8").startswith(SYNTHETIC_SOURCE) for p in documents)
    assert main(["ingest", "--no-progress", "--store", str(tmp_path / "store"), str(folder)]) == 0
    assert main(["validate", "--store", str(tmp_path / "store")]) == 0


def test_generation_is_repeatable(tmp_path: Path) -> None:
    (a,) = generate(tmp_path / "a", councils=2, seed=7)
    (b,) = generate(tmp_path / "b", councils=2, seed=7)
    assert [p.read_bytes() for p in sorted(a.rglob("*.*"))] == [
        p.read_bytes() for p in sorted(b.rglob("*.*"))
    ]


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("oxigraph", path=str(Path(sys.executable).parent)) is None,
    reason="needs the oxigraph server binary",
)
def test_bench_quick_runs_end_to_end(tmp_path: Path) -> None:
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "bench.json").read_text())
    (scale,) = results["scales"]
    assert scale["ingest"]["assessments"] == 3
    # the ingest again with the text caches emptied before each assessment, in its own store
    assert scale["ingest_cold"]["assessments"] == 3
    assert not (tmp_path / "scale-1" / "store-cold").exists()
    assert set(scale["latency"]) >= {"oxigraph serve", "cqc-kg (cache on)", "cqc-kg (cache off)"}
    assert {t["target"] for t in results["targets"]}
    assert (tmp_path / "BENCHMARKS.md").read_text().startswith("# Benchmarks")


@pytest.mark.parametrize("mode", ["--serve", "--serve-hop"])
def test_the_floor_benchmarks_minimal_servers_answer_as_the_engine_does(
    tmp_path: Path, mode: str
) -> None:
    """``benchmarks/floor.py``'s two minimal servers (in process, and with a worker process)
    give the engine's own JSON answer, so what they time is a real answer."""
    import httpx
    import pyoxigraph as ox
    import run

    store_dir = tmp_path / "store"
    store = ox.Store(str(store_dir))
    ex = "http://example.org/"
    for i in range(5):
        store.add(
            ox.Quad(
                ox.NamedNode(f"{ex}s{i}"),
                ox.NamedNode(f"{ex}p"),
                ox.Literal(i),
                ox.NamedNode(f"{ex}g"),
            )
        )
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o"
    expected = store.query(query, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.JSON
    )
    del store
    port = run._free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "floor.py"), mode, str(store_dir)]
    with run._server([*command, str(port)], port):
        answers = [
            httpx.get(f"http://127.0.0.1:{port}/", params={"query": query}) for _ in range(3)
        ]
    assert [a.content for a in answers] == [expected] * 3
    assert answers[0].headers["content-type"] == "application/sparql-results+json"
