"""Crash safety: SIGKILL during ingest and during a Graph Store write never leaves a mixture.

Two versions of the same assessments are prepared: ``old`` (documents as shipped) and ``new``
(each document with one more line at its end, so every source hash, anchor and fact IRI of the
assessment changes). The real ``cqckg ingest`` and a real ``cqckg serve`` are killed with SIGKILL
at seeded random points, again and again. After each kill the store is reopened with pyoxigraph
and every assessment graph must equal, triple for triple, its old or its new version, with the
source texts of that version stored (each assessment is written in one transaction with its
texts). At the end the store is served again and ``cqckg validate --store`` and
``cqckg verify --store`` must pass.

Half the ingest kills land anywhere in the run (import, reading, extraction, validation,
writing); the other half land inside the store write itself, which is otherwise a few
milliseconds of a run of seconds: a wrapper around the real CLI prints a line as the write
starts, and the kill follows after a random part of the writes' measured duration.
``CQCKG_CRASH_ITERATIONS`` sets the number of ingest kills (default 16; the Graph Store write is
killed a third as many times, as each kill costs a server start).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import WRITE_TOKEN, RunningServer, run_server

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[2] / "graph" / "sources"
COUNCILS = ("camden", "birmingham")
ITERATIONS = int(os.environ.get("CQCKG_CRASH_ITERATIONS", "16"))
# Each Graph Store kill costs a server start (seconds), so a third as many.
GRAPH_STORE_KILLS = max(2, ITERATIONS // 3)
ASSESSMENT_GRAPH = "https://w3id.org/cqc-kg/doc/assessment/"
SOURCE_GRAPH = "https://w3id.org/cqc-kg/doc/source/"
CLI = [sys.executable, "-m", "cqckg.cli"]

# The real CLI, with a line printed on stdout as the store write starts and when it is done.
MARKED_CLI = """
import sys
from cqckg import store
from cqckg.cli import main

def marked(real):
    def write(self, graphs):
        print("cqckg-test: writing", flush=True)
        real(self, graphs)
        print("cqckg-test: written", flush=True)
    return write

# Both ways an assessment is written (a parallel ingest writes N-Triples as it builds).
for name in ("replace_graphs", "replace_graphs_ntriples"):
    setattr(store.OxigraphStore, name, marked(getattr(store.OxigraphStore, name)))
sys.exit(main(sys.argv[1:]))
"""

Graphs = dict[str, frozenset[ox.Triple]]


def read_graphs(store_path: Path) -> Graphs:
    """Every named graph of the store at ``store_path`` as a set of triples (store released)."""
    store = ox.Store(str(store_path))
    graphs: dict[str, set[ox.Triple]] = {}
    for quad in store:
        assert isinstance(quad.graph_name, ox.NamedNode)
        graphs.setdefault(quad.graph_name.value, set()).add(quad.triple)
    del store  # releases the folder's lock
    return {iri: frozenset(triples) for iri, triples in graphs.items()}


def assessments(graphs: Graphs) -> Graphs:
    return {iri: t for iri, t in graphs.items() if iri.startswith(ASSESSMENT_GRAPH)}


def ingest_command(store: Path, documents: Path, jobs: int = 1) -> list[str]:
    return ["ingest", "--store", str(store), "--no-progress", "--jobs", str(jobs), str(documents)]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, check=False)


@dataclass(frozen=True)
class Versions:
    """The documents and resulting graphs of both versions, and a store holding ``old``."""

    documents: dict[str, Path]
    graphs: dict[str, Graphs]
    store: Path


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    root = tmp_path_factory.mktemp("crash")
    documents = {"old": root / "old", "new": root / "new"}
    for council in COUNCILS:
        # Folder names of their own: `cqckg verify` compares a stored text with the shipped
        # file at the same source path, and the new version differs from it.
        for folder in documents.values():
            shutil.copytree(CORPUS / council, folder / f"{council}-crash-test")
    for path in (documents["new"]).rglob("*.txt"):
        path.chmod(0o644)
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    graphs: dict[str, Graphs] = {}
    for version, folder in documents.items():
        store = root / f"reference-{version}"
        done = run_cli(*ingest_command(store, folder))
        assert done.returncode == 0, done.stderr
        graphs[version] = read_graphs(store)
    old, new = assessments(graphs["old"]), assessments(graphs["new"])
    assert old.keys() == new.keys() and len(old) == len(COUNCILS)
    assert all(old[iri] != new[iri] for iri in old), "the versions must differ in every graph"
    return Versions(documents, graphs, root / "reference-old")


def state_of(store: Path, versions: Versions) -> str:
    """Which version every assessment graph of the store is, failing on any mixture."""
    graphs = read_graphs(store)
    found = set()
    for iri, triples in assessments(graphs).items():
        matches = [v for v, g in versions.graphs.items() if g[iri] == triples]
        assert matches, f"{iri} is neither the old nor the new version ({len(triples)} triples)"
        found.add(matches[0])
    for version in found:  # each assessment is written with its source texts
        for iri in assessments(graphs):
            if versions.graphs[version][iri] != graphs[iri]:
                continue
            for source in sources_of(versions.graphs[version][iri]):
                expected = versions.graphs[version][source]
                assert graphs.get(source) == expected, f"{source} is missing or not as written"
    return "+".join(sorted(found))


def sources_of(triples: frozenset[ox.Triple]) -> set[str]:
    """The graphs holding the texts of the documents an assessment graph was built from."""
    prefix = SOURCE_GRAPH.replace("/doc/", "/id/")
    return {
        SOURCE_GRAPH + t.object.value[len(prefix) :]
        for t in triples
        if t.predicate.value == "http://www.w3.org/ns/prov#used"
        and isinstance(t.object, ox.NamedNode)
        and t.object.value.startswith(prefix)
    }


def kill_during_ingest(command: list[str], delay: float, after_marker: bool) -> str:
    """Run ``command``, SIGKILL it ``delay`` s after it starts (or after it starts writing);
    say what happened."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    try:
        if after_marker:
            for line in process.stdout:
                if line.startswith("cqckg-test: writing"):
                    break
            else:
                return f"exited {process.wait()} before writing"
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    return "killed" if code == -signal.SIGKILL else f"exited {code}"


def measure_write(store: Path, documents: Path, jobs: int) -> tuple[float, float]:
    """Seconds a whole ingest takes and seconds its store write takes (one full run)."""
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", MARKED_CLI, *ingest_command(store, documents, jobs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    marks: dict[str, float] = {}
    for line in process.stdout:
        if line.startswith("cqckg-test: "):
            mark = line.split(": ")[1].strip()
            # From the first write's start to the last write's end (one per assessment).
            if mark == "written" or mark not in marks:
                marks[mark] = time.monotonic()
    assert process.wait(timeout=300) == 0
    process.stdout.close()
    assert marks.keys() == {"writing", "written"}, "ingest no longer writes through the store"
    return time.monotonic() - start, marks["written"] - marks["writing"]


def check_store_is_sound(store: Path) -> None:
    for command in ("validate", "verify"):
        done = run_cli(command, "--store", str(store))
        assert done.returncode == 0, f"cqckg {command}:\n{done.stdout[-3000:]}{done.stderr}"


# One job: every assessment validated, then written; two: each written as soon as it is valid,
# while the next is built (with the writes undone on a failure).
@pytest.mark.parametrize("jobs", [1, 2], ids=["serial", "parallel"])
def test_sigkill_during_ingest_leaves_old_or_new(
    versions: Versions, tmp_path: Path, jobs: int
) -> None:
    store = tmp_path / "store"
    shutil.copytree(versions.store, store)
    state = "old"
    # Calibrate on a run that completes (old -> new), then flip back.
    total, write = measure_write(store, versions.documents["new"], jobs)
    assert state_of(store, versions) == "new"
    state = "new"
    rng = random.Random(20240611)
    outcomes: list[str] = []
    for i in range(ITERATIONS):
        target = "new" if state == "old" else "old"
        marked = i % 2 == 1
        if marked:
            command = [sys.executable, "-c", MARKED_CLI]
            delay = rng.uniform(0, 1.5 * write)
        else:
            command = list(CLI)
            delay = rng.uniform(0, total)
        outcome = kill_during_ingest(
            [*command, *ingest_command(store, versions.documents[target], jobs)], delay, marked
        )
        state = state_of(store, versions)
        outcomes.append(
            f"{'write' if marked else 'run'} +{delay * 1000:.0f} ms: {outcome}, {state}"
        )
    print(
        f"\n{ITERATIONS} SIGKILLs during ingest (write took {write * 1000:.0f} ms of "
        f"{total:.1f} s):\n  " + "\n  ".join(outcomes)
    )
    assert any(o.endswith("killed, " + s) for o in outcomes for s in ("old", "new"))
    check_store_is_sound(store)


@pytest.fixture
def both_versions_store(versions: Versions, tmp_path: Path) -> Path:
    """A store holding the old assessments and the source texts of both versions."""
    store = tmp_path / "store"
    shutil.copytree(versions.store.with_name("reference-new"), store)
    done = run_cli(*ingest_command(store, versions.documents["old"]))
    assert done.returncode == 0, done.stderr
    # Ingesting the old version removed the texts of the new one it replaced: put them back, so
    # either version of the assessment graph a PUT leaves behind has its sources.
    raw = ox.Store(str(store))
    for iri, triples in versions.graphs["new"].items():
        if iri.startswith(SOURCE_GRAPH):
            raw.extend(
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(iri)) for t in triples
            )
    del raw  # releases the folder's lock
    return store


def turtle(triples: frozenset[ox.Triple]) -> bytes:
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    # Snapshots of a killed server are left behind: keep them in this test's folder.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    yield {"CQCKG_WRITE_TOKEN": WRITE_TOKEN, "CQCKG_WORKERS": "1", "TMPDIR": str(scratch)}


def test_sigkill_during_graph_store_put_leaves_old_or_new(
    versions: Versions, both_versions_store: Path, tmp_path: Path, server_env: dict[str, str]
) -> None:
    store = both_versions_store
    iri = sorted(assessments(versions.graphs["old"]))[0]
    bodies = {v: turtle(versions.graphs[v][iri]) for v in versions.graphs}
    folder = tmp_path / "serve"
    folder.mkdir()
    (folder / "store").symlink_to(store)
    rng = random.Random(20240612)
    outcomes: list[str] = []
    put_seconds = 0.0
    state = "old"

    def graph_state() -> str:
        triples = read_graphs(store).get(iri, frozenset())
        matches = [v for v, g in versions.graphs.items() if g[iri] == triples]
        assert matches, f"{iri} is neither version after a kill ({len(triples)} triples)"
        return matches[0]

    for i in range(GRAPH_STORE_KILLS + 1):
        target = "new" if state == "old" else "old"
        with run_server(folder, {}, server_env) as server:
            if i == 0:  # calibrate: one PUT that completes
                start = time.monotonic()
                r = httpx.put(
                    f"{server.url}/store",
                    params={"graph": iri},
                    content=bodies[target],
                    headers={"Content-Type": "application/n-triples", **server.auth},
                    timeout=60,
                )
                put_seconds = time.monotonic() - start
                assert r.status_code == 204, r.text
                state = graph_state_after(server, iri, versions)
                assert state == target
                continue
            delay = rng.uniform(0, 1.5 * put_seconds)
            sender = threading.Thread(
                target=put_quietly, args=(server.url, iri, bodies[target], server.auth)
            )
            sender.start()
            time.sleep(delay)
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=30)
            sender.join(timeout=60)
        state = graph_state()
        outcomes.append(f"+{delay * 1000:.0f} ms: {state}")
    print(
        f"\n{len(outcomes)} SIGKILLs during a Graph Store PUT (a PUT took "
        f"{put_seconds * 1000:.0f} ms):\n  " + "\n  ".join(outcomes)
    )
    with run_server(folder, {}, server_env) as server:
        assert graph_state_after(server, iri, versions) == state
        assert httpx.get(f"{server.url}/status").json()["workers"] == 1
    check_store_is_sound(store)


def put_quietly(url: str, iri: str, body: bytes, auth: dict[str, str]) -> None:
    """A PUT whose connection may be cut by the server's death."""
    with contextlib.suppress(httpx.TransportError):
        httpx.put(
            f"{url}/store",
            params={"graph": iri},
            content=body,
            headers={"Content-Type": "application/n-triples", **auth},
            timeout=60,
        )


def graph_state_after(server: RunningServer, iri: str, versions: Versions) -> str:
    """The version of graph ``iri`` as the running server serves it."""
    r = httpx.get(
        f"{server.url}/store", params={"graph": iri}, headers={"Accept": "application/n-triples"}
    )
    assert r.status_code == 200, r.text
    triples = frozenset(q.triple for q in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
    matches = [v for v, g in versions.graphs.items() if g[iri] == triples]
    assert matches, f"the server serves neither version of {iri}"
    return matches[0]


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(stat.parent.name))
    return found


def has_ended(pid: int) -> bool:
    """Gone, or a zombie nobody has reaped yet (it runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_of_a_killed_parallel_ingest_end_too(versions: Versions, tmp_path: Path) -> None:
    """SIGKILL cannot be caught, so the ingest cannot stop its workers: they must notice."""
    store = tmp_path / "store"
    command = [*CLI, *ingest_command(store, versions.documents["new"], jobs=2)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
            workers |= children_of(process.pid)
            time.sleep(0.01)
        assert len(workers) >= 2, "the ingest started no worker processes"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        # generous: a worker checks its parent twice a second
        deadline = time.monotonic() + 30
        while not all(map(has_ended, workers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in workers if not has_ended(pid)]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    for pid in left:  # do not leave them behind when the check fails
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived the killed ingest"
