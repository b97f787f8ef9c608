"""The SHACL fixtures: one clean assessment graph and, per rule, a SPARQL Update that breaks it.

``tests/data/shapes/clean-assessment.ttl`` conforms. Each ``broken/{rule}.ru`` (kebab-case of the
rule) breaks one thing in it, and the result must give Violations from exactly that rule, or from
the rules listed on a ``# expect:`` line where one fault necessarily breaks two;
``warning/{rule}.ru`` gives only Warnings. The first comment line says what is broken.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

DATA = Path(__file__).parent / "data" / "shapes"
CLEAN = DATA / "clean-assessment.ttl"
BASE = "https://w3id.org/cqc-kg/"


def patches(kind: str) -> list[Path]:
    """The patches of one kind: ``broken`` or ``warning``."""
    return sorted((DATA / kind).glob("*.ru"))


def patch(kind: str, rule: str) -> Path:
    """The patch for one rule, e.g. ``patch("broken", "score-in-range")``."""
    path = DATA / kind / f"{rule}.ru"
    assert path.is_file(), path
    return path


def patched(path: Path) -> Graph:
    """The clean graph with the patch at ``path`` applied."""
    graph = Graph().parse(CLEAN)
    graph.update(path.read_text(encoding="utf-8"))
    return graph


def patched_file(path: Path, folder: Path) -> Path:
    """The patched graph written as Turtle into ``folder``, as ``{kind}-{rule}.ttl``."""
    out = folder / f"{path.parent.name}-{path.stem}.ttl"
    patched(path).serialize(out, format="turtle", base=BASE, encoding="utf-8")
    return out


def expected_rules(path: Path) -> set[str]:
    """The rules a patch must trip: its ``# expect:`` line, else its name in CamelCase."""
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        if line.startswith("# expect:"):
            return set(line.split(":", 1)[1].split())
    return {"".join(w.capitalize() for w in path.stem.split("-"))}
