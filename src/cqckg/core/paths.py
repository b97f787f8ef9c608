"""Where the shipped ontology, shapes and graph live.

In a source checkout (or an editable install) they sit at the top of the repository; a wheel
carries them inside the package as ``cqckg/_data``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # src/cqckg


def data_root() -> Path:
    """The folder holding ``ontology/``, ``shapes/`` and ``graph/``."""
    bundled = _PACKAGE / "_data"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parent.parent


def ontology_dir() -> Path:
    return data_root() / "ontology"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def graph_dir() -> Path:
    return data_root() / "graph"


def sources_dir() -> Path:
    """The source documents the shipped graph is built from."""
    return graph_dir() / "sources"


def assessments_dir() -> Path:
    """The built graph: one sorted Turtle file per assessment."""
    return graph_dir() / "assessments"


def questions_dir() -> Path:
    return _PACKAGE / "questions" / "queries"
