"""cqc-kg: a validated RDF knowledge graph over CQC's assessments of councils' adult social care."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cqckg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
