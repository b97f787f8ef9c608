"""``cqckg validate``: the report, and exit codes 0 conforms, 1 violations, 2 could not run."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from rdflib import URIRef

from cqckg import cli
from cqckg.store import open_store
from shape_fixtures import CLEAN, patch, patched, patched_file


@pytest.fixture(autouse=True)
def only_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    # Load only this command, so that the test depends on nothing else under cqckg.cli.commands.
    monkeypatch.setattr(cli, "COMMANDS", ("validate",))


def test_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(CLEAN)]) == 0
    assert "conforms: 0 violation(s), 0 warning(s)" in capsys.readouterr().out


def test_warnings_are_printed_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["validate", str(patched_file(patch("warning", "gap-has-topic"), tmp_path))]) == 0
    )
    out = capsys.readouterr().out
    assert "WARNING GapHasTopic" in out
    assert "warning-gap-has-topic.ttl:" in out


def test_violation_exits_1_with_a_readable_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = patched_file(patch("broken", "rating-matches-percentage"), tmp_path)
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "VIOLATION RatingMatchesPercentage" in out
    assert "focus:   id/assessment/E09000033/2024-11-08" in out
    assert f"{path}:" in out
    assert "source:  westminster-2024/full-report.md:44" in out


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = patched_file(patch("broken", "score-in-range"), tmp_path)
    assert cli.main(["validate", "--format", "json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is False
    assert [r["rule"] for r in report["results"]] == ["ScoreInRange"]


def test_syntax_error_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n   ex:d "x .\n')
    assert cli.main(["validate", str(bad)]) == 2
    assert f"{bad}:4:" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(tmp_path / "nothing.ttl")]) == 2
    assert "nothing.ttl" in capsys.readouterr().err


def test_store_is_validated_graph_by_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = open_store(tmp_path / "store")
    graph = URIRef("https://w3id.org/cqc-kg/doc/assessment/E09000033/2024-11-08")
    store.replace_graphs({graph: list(patched(patch("broken", "strength-or-gap")))})
    store.close()
    del store
    gc.collect()  # the embedded store keeps its lock until the object is gone
    assert cli.main(["validate", "--store", str(tmp_path / "store")]) == 1
    out = capsys.readouterr().out
    assert "VIOLATION StrengthOrGap" in out
    assert f"<{graph}>" in out
