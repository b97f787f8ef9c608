"""Reading source documents: recognise their kind and council, split them with offsets."""

from cqckg.read.model import Document, DocumentKind, Paragraph, Section, SectionRole, Sentence
from cqckg.read.reader import parse_document, read_document, read_documents

__all__ = [
    "Document",
    "DocumentKind",
    "Paragraph",
    "Section",
    "SectionRole",
    "Sentence",
    "parse_document",
    "read_document",
    "read_documents",
]
