"""Hostile and broken documents: ``cqckg ingest`` refuses each with a clear error, writes nothing.

Each case is ingested alone and together with a good document (an ingest is all or nothing):
the exit code is 2 (the document could not be read) or 1 (the graph broke a shape), the error
names the file, the line and the rule broken, says nothing was written, and the store's quads
are byte for byte what they were. Near-misses are derived from the shipped corpus here, so they
follow it; the small fixed cases are in tests/data/hostile/.
"""

from __future__ import annotations

import gc
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from cqckg.cli import main
from cqckg.read.reader import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "graph" / "sources"
HOSTILE = ROOT / "tests" / "data" / "hostile"
REPORT = CORPUS / "westminster-2024" / "full-report.md"
GOOD = CORPUS / "camden" / "camden-0225-theme1-needs.txt"
TITLE = "# Westminster City Council: local authority assessment"


def report() -> str:
    return REPORT.read_text(encoding="utf-8")


def score_of_five(folder: Path) -> Path:
    return write(folder / "score-5.md", report().replace("Score: 3", "Score: 5", 1))


def theme_cut_out(folder: Path) -> Path:
    text = report()
    start, end = text.index("# Theme 2:"), text.index("# Theme 3:")
    return write(folder / "no-theme-2.md", text[:start] + text[end:])


def two_councils(folder: Path) -> Path:
    title = "# Westminster City Council and London Borough of Camden: local authority assessment"
    return write(folder / "two-councils.md", report().replace(TITLE, title, 1))


def cut_in_half(folder: Path) -> Path:
    data = REPORT.read_bytes()
    path = folder / "half.md"
    path.write_bytes(data[: len(data) // 2])
    return path


def enormous(folder: Path) -> Path:
    path = folder / "enormous.md"
    text = report().encode("utf-8")
    path.write_bytes(text * (MAX_BYTES // len(text) + 1))
    return path


def duplicated(folder: Path) -> Path:
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    shutil.copy(GOOD, folder / "a" / GOOD.name)
    shutil.copy(GOOD, folder / "b" / GOOD.name)
    return folder


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def fixed(name: str) -> Callable[[Path], Path]:
    def copy(folder: Path) -> Path:
        return Path(shutil.copy(HOSTILE / name, folder / name))

    return copy


# (name, how to make it, exit code, what the error says)
CASES: list[tuple[str, Callable[[Path], Path], int, str]] = [
    ("empty", fixed("empty.md"), 2, "[empty]"),
    ("blank", fixed("blank.md"), 2, "[empty]"),
    ("binary", fixed("binary.md"), 2, "[binary]"),
    ("utf-16", fixed("utf16.txt"), 2, "[encoding] UTF-16"),
    ("windows-1252", fixed("cp1252.txt"), 2, "[encoding] invalid UTF-8"),
    ("cut mid-character", fixed("truncated-utf8.txt"), 2, "[encoding]"),
    ("not a report", fixed("not-a-report.md"), 2, "[kind-unknown]"),
    ("score of 5", score_of_five, 2, "[score-range] score '5'"),
    ("a theme missing", theme_cut_out, 2, "[theme-missing]"),
    ("two councils", two_councils, 2, "[council-conflict]"),
    ("cut in half", cut_in_half, 2, "[theme-missing]"),
    ("enormous", enormous, 2, "[size-limit]"),
    ("the same document twice", duplicated, 2, "[duplicate-document]"),
]


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one good assessment."""
    store = tmp_path_factory.mktemp("hostile") / "store"
    assert main(["ingest", "--store", str(store), "--no-progress", str(CORPUS / "camden")]) == 0
    gc.collect()
    return store


def quads(store: Path) -> bytes:
    opened = ox.Store(str(store))
    dump = opened.dump(format=ox.RdfFormat.N_QUADS) or b""
    del opened  # releases the folder's lock
    return dump


@pytest.mark.parametrize("with_good", [False, True], ids=["alone", "with-a-good-document"])
@pytest.mark.parametrize(("name", "make", "code", "says"), CASES, ids=[c[0] for c in CASES])
def test_refused_with_a_clear_error_and_nothing_written(
    seeded_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    make: Callable[[Path], Path],
    code: int,
    says: str,
    with_good: bool,
) -> None:
    store = tmp_path / "store"
    shutil.copytree(seeded_store, store)
    before = quads(store)
    bad = make(tmp_path)
    paths = [str(bad), str(GOOD)] if with_good else [str(bad)]
    capsys.readouterr()
    assert main(["ingest", "--store", str(store), "--no-progress", *paths]) == code, name
    gc.collect()
    err = capsys.readouterr().err
    assert says in err
    assert "nothing was written" in err
    if code == 2:  # a document error names the file (and line) it is about
        if bad.is_dir():  # a file inside the folder given
            assert re.search(rf"{re.escape(str(bad))}/\S+:\d+", err), err
        else:
            assert f"{bad}:" in err or f"{bad.name}:" in err
    assert quads(store) == before
