"""The origins of the documents an assessment in the store was built from.

A document extracted from a web page or a PDF is stored as its text; re-reading it (when its
assessment is rebuilt with new documents) needs its origin back, so that the rebuilt graph keeps
the file's SHA-256 and every anchor its page.
"""

from __future__ import annotations

from cqckg.core.formats import EXTRACTED_SUFFIXES
from cqckg.core.namespaces import CQC, assessment_graph_iri
from cqckg.read.origin import Origin, parse_page_starts
from cqckg.store import GraphStore

__all__ = ["stored_origins"]

_MEDIA_TYPES = frozenset(EXTRACTED_SUFFIXES.values())


def stored_origins(store: GraphStore, gss: str, published: str) -> dict[str, Origin]:
    """Origin of each extracted document stored for one assessment, by source path."""
    graph = assessment_graph_iri(gss, published)
    rows = store.select(
        f"""SELECT ?path ?format ?file ?pages WHERE {{
              GRAPH <{graph}> {{
                ?doc a <{CQC.SourceDocument}> ; <{CQC.sourcePath}> ?path ;
                     <{CQC.fileSha256}> ?file ; <http://purl.org/dc/terms/format> ?format .
                OPTIONAL {{ ?doc <{CQC.pageStarts}> ?pages }} }} }}"""
    )
    out: dict[str, Origin] = {}
    for row in rows:
        path, media, file, pages = row["path"], row["format"], row["file"], row["pages"]
        if path is None or media is None or file is None or media.value not in _MEDIA_TYPES:
            continue
        starts = parse_page_starts(pages.value if pages is not None else None)
        out[path.value] = Origin(media.value, file.value, starts)
    return out
