"""Bad settings end ``cqckg serve`` with one line saying what to fix, exit 2, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _serve(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CQCKG_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cqckg.cli", *argv],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_short_write_token(tmp_path: Path) -> None:
    line = _one_line(
        _serve("serve", "--store", str(tmp_path / "s"), env={"CQCKG_WRITE_TOKEN": "short"})
    )
    assert line.startswith("cqckg serve: write_token (CQCKG_WRITE_TOKEN):")
    assert "at least 16 characters" in line and "secrets.token_urlsafe" in line
    assert "short" not in line.split(":", 2)[2].replace("at least", "")


def test_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    line = _one_line(_serve("serve", "--store", str(tmp_path)))
    assert f"store {tmp_path}: the folder is not a cqckg store" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written


def test_a_file_given_as_the_store(tmp_path: Path) -> None:
    given = tmp_path / "graph.ttl"
    given.write_text("")
    assert "is a file, not a store folder" in _one_line(_serve("serve", "--store", str(given)))


def test_a_port_in_use(tmp_path: Path, busy_port: int) -> None:
    line = _one_line(_serve("serve", "--store", str(tmp_path / "s"), "--port", str(busy_port)))
    assert f"port {busy_port} on 127.0.0.1 is in use" in line and "--port" in line


def test_a_port_out_of_range(tmp_path: Path) -> None:
    line = _one_line(_serve("serve", "--store", str(tmp_path / "s"), "--port", "70000"))
    assert "port (CQCKG_PORT)" in line


def test_an_unknown_question_and_parameter() -> None:
    assert "no question named 'nope'" in _one_line(_serve("question", "nope"))
    assert "has no parameter 'iri'" in _one_line(
        _serve("question", "gaps", "--iri", "https://w3id.org/cqc-kg/id/x")
    )


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _serve(
        "--debug", "serve", "--store", str(tmp_path / "s"), env={"CQCKG_WRITE_TOKEN": "short"}
    )
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("cqckg serve: write_token")


def test_a_question_on_a_folder_that_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    line = _one_line(_serve("question", "scores", "--store", str(tmp_path)))
    assert "the folder is not a cqckg store" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_store_another_server_holds(tmp_path: Path) -> None:
    import pyoxigraph as ox

    held = ox.Store(str(tmp_path / "store"))  # holds the folder's lock, as a server would
    try:
        line = _one_line(_serve("serve", "--store", str(tmp_path / "store")))
    finally:
        del held
    assert "another process" in line and "--store" in line
