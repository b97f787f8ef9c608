"""The committed graph: rebuilt byte for byte, loadable, valid and verifiable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import BNode, Graph

from cqckg.cli import main
from cqckg.core.paths import assessments_dir, sources_dir
from cqckg.ingest.verify import verify_store
from cqckg.store import open_store
from cqckg.store.load import load_shipped_graph
from cqckg.validate import validate_store


def test_build_regenerates_the_committed_graph_byte_for_byte(tmp_path: Path) -> None:
    assert main(["build", "--out", str(tmp_path)]) == 0
    built = sorted(p.name for p in tmp_path.glob("*.ttl"))
    committed = sorted(p.name for p in assessments_dir().glob("*.ttl"))
    assert (
        built
        == committed
        == [
            "E08000025-2023-11-17.ttl",
            "E09000007-2025-02-28.ttl",
            "E09000013-2025-05-09.ttl",
            "E09000033-2024-11-08.ttl",
        ]
    )
    for name in built:
        assert (tmp_path / name).read_bytes() == (assessments_dir() / name).read_bytes(), name


def test_build_check_reports_a_changed_file(tmp_path: Path) -> None:
    assert main(["build", "--out", str(tmp_path)]) == 0
    assert main(["build", "--out", str(tmp_path), "--check"]) == 0
    victim = tmp_path / "E09000007-2025-02-28.ttl"
    victim.write_text(victim.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (tmp_path / "stale.ttl").write_text("", encoding="utf-8")
    assert main(["build", "--out", str(tmp_path), "--check"]) == 1


def test_committed_graph_names_everything_and_parses() -> None:
    for path in assessments_dir().glob("*.ttl"):
        g = Graph().parse(path)
        assert len(g) > 500
        assert not any(isinstance(t, BNode) for triple in g for t in triple), path


def test_shipped_graph_loads_validates_and_verifies() -> None:
    store = open_store(":memory:")
    summary = load_shipped_graph(store)
    # ontology, 6 reference graphs (one per graph/*.ttl), 4 assessments, 23 source texts, the
    # fingerprint
    assert summary.graphs == 1 + 6 + 4 + 23 + 1
    report = validate_store(store)
    assert report.conforms, report
    checked = verify_store(store, sources_dir())
    assert checked.ok, checked.problems[:3]
    assert checked.documents == 23


def test_cli_help_lists_every_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cqckg.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("ingest", "build", "validate", "verify", "serve", "query", "question"):
        assert command in out


def test_shipped_graph_is_reloaded_only_when_the_files_change(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cqckg.store import load

    store = open_store(":memory:")
    assert load.ensure_shipped_graph(store) is not None  # empty store: loaded
    assert load.ensure_shipped_graph(store) is None  # same files: left alone
    monkeypatch.setattr(load, "shipped_fingerprint", lambda: "changed")
    assert load.ensure_shipped_graph(store) is not None  # new files: reloaded
