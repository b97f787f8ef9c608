"""Smoke tests of the benchmarks: the corpus generator's documents ingest and validate, and
``cqckg bench --quick`` runs end to end. No timing is asserted: speed lives in the benchmarks."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from cqckg.cli import main

ROOT = Path(__file__).resolve().parent.parent
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
