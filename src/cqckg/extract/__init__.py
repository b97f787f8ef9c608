"""Extraction: one document's facts as typed records anchored in its text (no RDF)."""
