"""Re-reading stored source documents and checking every text anchor still points at its quote."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from cqckg.core.errors import DocumentError
from cqckg.core.formats import EXTRACTED_SUFFIXES
from cqckg.core.namespaces import PREFIXES
from cqckg.read.convert import extract_text
from cqckg.store import GraphStore

_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

_ANCHORS = (
    _PREFIXES
    + """
SELECT DISTINCT ?anchor ?doc ?sha ?exact ?start ?end WHERE {
  ?anchor a cqc:TextAnchor ; oa:hasSource ?doc ; oa:hasSelector ?q , ?p .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?doc cqc:sha256 ?sha }
}"""
)
_TEXTS = _PREFIXES + "SELECT ?doc ?text WHERE { ?doc cnt:chars ?text }"
_PATHS = (
    _PREFIXES
    + """
SELECT ?doc ?path ?sha ?file WHERE {
  ?doc a cqc:SourceDocument ; cqc:sourcePath ?path ; cqc:sha256 ?sha
  OPTIONAL { ?doc cqc:fileSha256 ?file }
}"""
)


@dataclass
class VerifyReport:
    anchors: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(store: GraphStore, sources: Path | None = None) -> VerifyReport:
    """Check every anchor against the stored document text (and the files under ``sources``).

    A problem is reported when a document's stored text is missing or no longer hashes to the
    recorded SHA-256, or when the text at an anchor's offsets differs from its quote. A web page
    or PDF under ``sources`` is checked twice: its bytes against ``cqc:fileSha256``, and the text
    extracted from it again against ``cqc:sha256``.
    """
    report = VerifyReport()
    texts: dict[str, str] = {}
    for row in store.select(_TEXTS):
        doc, chars = row["doc"], row["text"]
        if doc is not None and chars is not None:
            texts[doc.value] = chars.value
    hashes_ok: dict[str, bool] = {}
    for row in store.select(_ANCHORS):
        report.anchors += 1
        anchor, doc = row["anchor"], row["doc"]
        assert anchor is not None and doc is not None
        text = texts.get(doc.value)
        if text is None:
            report.problems.append(f"{anchor.value}: the text of {doc.value} is not stored")
            continue
        sha = row["sha"]
        if doc.value not in hashes_ok:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            hashes_ok[doc.value] = sha is None or digest == sha.value
            if not hashes_ok[doc.value]:
                report.problems.append(
                    f"{doc.value}: stored text hashes to {digest}, not {sha.value if sha else '?'}"
                )
        start, end = int(row["start"].value), int(row["end"].value)  # type: ignore[union-attr]
        exact = row["exact"].value  # type: ignore[union-attr]
        if text[start:end] != exact:
            found = text.find(exact)
            hint = (
                f" (the quote is at {found}-{found + len(exact)})"
                if found >= 0
                else " (the quote is nowhere in the text)"
            )
            report.problems.append(
                f"{anchor.value}: text at {start}-{end} is not the quoted text{hint}"
            )
    report.documents = len(hashes_ok)
    if sources is not None:
        for row in store.select(_PATHS):
            path = sources / row["path"].value  # type: ignore[union-attr]
            if not path.exists():
                continue
            file = row["file"]
            if file is not None:
                report.problems.extend(_check_extracted(path, file.value, row["sha"].value))  # type: ignore[union-attr]
                continue
            digest = hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
            if digest != row["sha"].value:  # type: ignore[union-attr]
                report.problems.append(
                    f"{path}: file changed since it was ingested (sha256 {digest})"
                )
    return report


def _check_extracted(path: Path, file_sha256: str, text_sha256: str) -> list[str]:
    """A web page or PDF: its bytes hash as when ingested, and extracting its text again gives
    the text stored (same SHA-256), so the anchors into the stored text hold for the file."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != file_sha256:
        return [f"{path}: file changed since it was ingested (sha256 {digest})"]
    media_type = EXTRACTED_SUFFIXES.get(path.suffix.lower())
    if media_type is None:
        return [f"{path}: stored as extracted from a web page or PDF, but named {path.suffix!r}"]
    try:
        text, _pages = extract_text(data, media_type, path)
    except DocumentError as e:
        return [f"{path}: its text can no longer be extracted ({e.message})"]
    extracted = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if extracted != text_sha256:
        return [
            f"{path}: the text extracted now hashes to {extracted}, not {text_sha256} as "
            "stored (the extraction rules changed since it was ingested: ingest it again)"
        ]
    return []
