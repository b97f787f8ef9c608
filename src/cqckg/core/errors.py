"""Domain errors, mapped to exit codes by the CLI and to HTTP statuses by the API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CqcKgError(Exception):
    """Base class of every error the project raises on purpose."""


@dataclass
class SourceLocation:
    """A place in a file: ``path:line:column`` (1-based), as editors and compilers print it."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class DocumentError(CqcKgError):
    """A document cannot be read or recognised. Carries file, line and the rule broken."""

    def __init__(self, location: SourceLocation, rule: str, message: str) -> None:
        self.location = location
        self.rule = rule
        self.message = message
        super().__init__(f"{location}: [{rule}] {message}")

    def __reduce__(self) -> tuple[type[DocumentError], tuple[SourceLocation, str, str]]:
        # Raised in a worker process of a parallel ingest, it crosses back pickled.
        return (type(self), (self.location, self.rule, self.message))


class ValidationFailed(CqcKgError):
    """A graph breaks one or more SHACL rules with severity Violation; nothing was written."""

    def __init__(self, report_text: str, violations: int) -> None:
        self.report_text = report_text
        self.violations = violations
        super().__init__(f"{violations} SHACL violation(s); nothing was written\n{report_text}")

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[str, int]]:
        return (type(self), (self.report_text, self.violations))


class ConflictError(CqcKgError):
    """Documents describing the same assessment disagree on a fact that must be single-valued."""


class StoreError(CqcKgError):
    """The store cannot be opened, read or written."""


class QueryError(CqcKgError):
    """A SPARQL query or update is malformed or refused."""


class QueryTimeout(CqcKgError):
    """A query ran past its deadline and was stopped."""


class QuestionError(CqcKgError):
    """A named question does not exist or was given bad parameters."""


class AuthorityNotFound(CqcKgError):
    """A council name or code matches none of the 153 councils."""


class AmbiguousAuthority(AuthorityNotFound):
    """A council name fits several councils; ``candidates`` are their names."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.candidates = candidates
        listed = "; ".join(candidates)
        super().__init__(
            f"{name!r} could be any of {len(candidates)} councils: {listed} (give more of the name)"
        )

    def __reduce__(self) -> tuple[type[AmbiguousAuthority], tuple[str, list[str]]]:
        return (type(self), (self.name, self.candidates))


class SettingsError(CqcKgError):
    """A setting (option or ``CQCKG_*`` variable) is wrong; the message says how to fix it."""
