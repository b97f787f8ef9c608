"""Named questions: the competency questions, one SPARQL file each, run the same way everywhere.

A question is ``queries/NAME.rq``: a SELECT query that opens with a header of comment lines,
``# key: value``, where a line ``#`` followed by two or more spaces continues the value above::

    # name: gaps
    # description: Gaps each assessment found ...
    # parameters: authority ?authority (optional, GSS code)
    # columns: authority_gss, gap, quality_statement, topics, quote

``columns`` is the projection of the SELECT, in order: a public contract (the CSV header row).
``parameters`` lists ``NAME ?VARIABLE (optional|required, GSS code|IRI|measure|link basis)``
entries separated by ``;`` (or ``none``); a ``measure`` is a measure's slug (``ascs-feel-safe``),
a ``link basis`` one of ``stated``, ``same-passage``, ``shared-topic``. Each
parameter's variable appears in the query as ``VALUES ?VARIABLE { UNDEF }``, which leaves it
unconstrained, so the file runs as it stands (over every authority). A query may repeat that block
in its subqueries: pyoxigraph evaluates a subquery on its own, so repeating the authority filter
there keeps a one-authority run from aggregating over every authority. Given a value, the runner
checks it (an authority: a GSS code, E, W, S or N and eight digits, or a name or report slug
resolved to its GSS code by :mod:`cqckg.core.authorities`; an IRI: strictly) and only then writes it
into every such ``VALUES`` block as an IRI term, a GSS code as the authority's IRI
``https://w3id.org/cqc-kg/id/authority/{gss}``. User input is never pasted into SPARQL any other
way.

The CLI (``cqckg question``), the HTTP API, the web UI and the tests all go through
:func:`run_question` (rows as Python values) or :func:`run_question_serialized` (bytes, written by
the engine itself for CSV, TSV and the SPARQL result formats).

>>> [q.name for q in list_questions()][:3]
['assessments', 'below-england-average', 'common-gaps']
>>> get_question("gaps").columns
('authority_gss', 'gap', 'quality_statement', 'topics', 'quote')
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from cqckg.core.authorities import AuthorityRegistry
from cqckg.core.errors import AuthorityNotFound, QuestionError
from cqckg.core.namespaces import authority_iri, concept_iri
from cqckg.core.paths import questions_dir
from cqckg.extract.records import LinkBasis
from cqckg.store import GraphStore

__all__ = [
    "OutputFormat",
    "Parameter",
    "ParameterKind",
    "Question",
    "QuestionResult",
    "Value",
    "format_result",
    "get_question",
    "list_questions",
    "load_question",
    "render_table",
    "run_question",
    "run_question_serialized",
]

Value = str | int | float | Decimal | bool | None
"""A cell of a question's result: a plain Python value (``None`` where the row has none)."""

HEADER_KEYS = ("name", "description", "parameters", "columns")

_HEADER_LINE = re.compile(r"#\s(?P<key>[a-z]+):\s*(?P<value>.*)")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COLUMN = re.compile(r"[a-z][a-z0-9_]*")
_PARAMETER = re.compile(
    r"(?P<name>[a-z][a-z0-9_]*)\s+\?(?P<variable>[A-Za-z_][A-Za-z0-9_]*)\s+"
    r"\((?P<presence>optional|required),\s*(?P<kind>GSS code|IRI|measure|link basis)\)"
)
_GSS = re.compile(r"[EWSN][0-9]{8}")
# Absolute http(s) IRIs without the characters RFC 3987 forbids (space, controls, <>"{}|\^`).
_IRI = re.compile(r"https?://[^\x00-\x20\x7f<>\"{}|\\^`]+")
_MAX_IRI_LENGTH = 2048

_INTEGER_TYPES = frozenset(
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)
_XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
_FLOAT_TYPES = frozenset(
    ("http://www.w3.org/2001/XMLSchema#double", "http://www.w3.org/2001/XMLSchema#float")
)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

# Result formats the engine writes itself, straight from the query results.
_ENGINE_MEDIA_TYPES = frozenset(
    (
        "text/csv",
        "text/tab-separated-values",
        "application/sparql-results+json",
        "application/sparql-results+xml",
    )
)

_TABLE_CELL_WIDTH = 60


class ParameterKind(Enum):
    """What a parameter's value is, as the header spells it."""

    GSS_CODE = "GSS code"
    IRI = "IRI"
    MEASURE = "measure"  # a measure's slug, e.g. ascs-feel-safe -> id/measure/ascs-feel-safe
    LINK_BASIS = "link basis"  # stated | same-passage | shared-topic -> id/link-basis/stated


@dataclass(frozen=True)
class Parameter:
    """One parameter of a question, bound through ``VALUES ?variable { ... }``."""

    name: str
    variable: str
    kind: ParameterKind
    required: bool

    def term(self, value: str) -> str:
        """The SPARQL IRI term for ``value``, once it passes the check for this kind.

        Raises :class:`QuestionError` when it does not.

        >>> Parameter("authority", "authority", ParameterKind.GSS_CODE, False).term("E08000035")
        '<https://w3id.org/cqc-kg/id/authority/E08000035>'
        >>> Parameter("authority", "authority", ParameterKind.GSS_CODE, False).term("E0900003")
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        cqckg.core.errors.QuestionError: authority: no council matches 'E0900003' ...
        """
        if self.kind is ParameterKind.GSS_CODE:
            return str(ox.NamedNode(str(authority_iri(self.authority(value)))))
        if self.kind is ParameterKind.MEASURE:
            if not _NAME.fullmatch(value):
                raise QuestionError(
                    f"{self.name}: {value!r} is not a measure slug "
                    "(lower-case words joined by '-', e.g. ascs-feel-safe)"
                )
            return str(ox.NamedNode(str(concept_iri("measure", value))))
        if self.kind is ParameterKind.LINK_BASIS:
            bases = [b.value for b in LinkBasis]
            if value not in bases:
                raise QuestionError(
                    f"{self.name}: {value!r} is not a link basis (one of {', '.join(bases)})"
                )
            return str(ox.NamedNode(str(concept_iri("link-basis", value))))
        if len(value) > _MAX_IRI_LENGTH or not _IRI.fullmatch(value):
            raise QuestionError(
                f"{self.name}: {value!r} is not an absolute http(s) IRI without spaces, "
                "quotes or any of <>{}|\\^`"
            )
        try:
            return str(ox.NamedNode(value))
        except ValueError as exc:
            raise QuestionError(f"{self.name}: {value!r} is not a valid IRI: {exc}") from exc

    def authority(self, value: str) -> str:
        """The GSS code of the council ``value`` names: a GSS code as it stands, else any
        spelling of a council's name or a CQC report slug (:mod:`cqckg.core.authorities`)."""
        if _GSS.fullmatch(value):
            return value
        try:
            return AuthorityRegistry.load().resolve(value).gss
        except AuthorityNotFound as exc:
            raise QuestionError(f"{self.name}: {exc}") from None


@dataclass(frozen=True)
class Question:
    """A named question: its header and its SPARQL text."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    columns: tuple[str, ...]
    sparql: str
    path: Path

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; raises :class:`QuestionError` if there is none."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        takes = ", ".join(p.name for p in self.parameters) or "no parameters"
        raise QuestionError(f"question {self.name!r} has no parameter {name!r}; it takes: {takes}")

    def bind(self, params: Mapping[str, str | None] | None = None) -> str:
        """The SPARQL with each given parameter checked and written into its ``VALUES`` block.

        ``None`` values count as not given. Raises :class:`QuestionError` for an unknown
        parameter, a missing required one or a value that fails its check.

        >>> "E08000035" in get_question("gaps").bind({"authority": "E08000035"})
        True
        >>> get_question("evidence").bind({})
        Traceback (most recent call last):
        ...
        cqckg.core.errors.QuestionError: question 'evidence' needs the parameter 'iri' (IRI)
        """
        given = {k: v for k, v in (params or {}).items() if v is not None}
        for key in given:
            self.parameter(key)
        sparql = self.sparql
        for parameter in self.parameters:
            value = given.get(parameter.name)
            if value is None:
                if parameter.required:
                    raise QuestionError(
                        f"question {self.name!r} needs the parameter {parameter.name!r} "
                        f"({parameter.kind.value})"
                    )
                continue
            block = f"VALUES ?{parameter.variable} {{ {parameter.term(value)} }}"
            # Splitting on the placeholder and joining with the block needs no escaping.
            sparql = block.join(_placeholder(parameter.variable).split(sparql))
        return sparql


@dataclass(frozen=True)
class QuestionResult:
    """The answer to a question: its columns, in contract order, and rows of plain values."""

    question: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Value]]:
        """The rows as column -> value dictionaries, columns in order."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class OutputFormat(Enum):
    """How :func:`format_result` writes a result, with the media type it answers to."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"

    @property
    def media_type(self) -> str:
        return _FORMAT_MEDIA_TYPES[self]

    @classmethod
    def from_media_type(cls, media_type: str) -> OutputFormat:
        """The format for a media type (parameters such as ``charset`` are ignored).

        >>> OutputFormat.from_media_type("text/csv; charset=utf-8")
        <OutputFormat.CSV: 'csv'>
        """
        base = media_type.split(";", 1)[0].strip().lower()
        for fmt, known in _FORMAT_MEDIA_TYPES.items():
            if known == base:
                return fmt
        raise QuestionError(f"no question output format for {media_type!r}")


_FORMAT_MEDIA_TYPES = {
    OutputFormat.TABLE: "text/plain",
    OutputFormat.CSV: "text/csv",
    OutputFormat.JSON: "application/json",
}


def _placeholder(variable: str) -> re.Pattern[str]:
    return re.compile(rf"VALUES\s+\?{re.escape(variable)}\s*\{{\s*UNDEF\s*\}}")


def _parse_parameters(text: str, where: str) -> tuple[Parameter, ...]:
    if text.strip() == "none":
        return ()
    parameters = []
    for entry in text.split(";"):
        match = _PARAMETER.fullmatch(entry.strip())
        if match is None:
            raise QuestionError(
                f"{where}: bad parameter {entry.strip()!r}; expected "
                "'NAME ?VARIABLE (optional|required, GSS code|IRI|measure)'"
            )
        parameters.append(
            Parameter(
                name=match["name"],
                variable=match["variable"],
                kind=ParameterKind(match["kind"]),
                required=match["presence"] == "required",
            )
        )
    return tuple(parameters)


def load_question(path: Path) -> Question:
    """Read one question file and check its header.

    Raises :class:`QuestionError` naming the file (and line) when the header is incomplete or
    malformed, the name differs from the file name, or a parameter has no ``VALUES`` block.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionError(f"cannot read question {path}: {exc}") from exc
    header: dict[str, str] = {}
    key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        continued = _CONTINUATION.fullmatch(line)
        entry = _HEADER_LINE.fullmatch(line)
        if continued is not None and key is not None:
            header[key] += " " + continued["value"].strip()
        elif entry is not None and entry["key"] in HEADER_KEYS:
            key = entry["key"]
            if key in header:
                raise QuestionError(f"{path}:{number}: '{key}' given twice")
            header[key] = entry["value"].strip()
        else:
            raise QuestionError(
                f"{path}:{number}: expected '# KEY: VALUE' with KEY one of "
                f"{', '.join(HEADER_KEYS)}, or a continuation line '#   ...'"
            )
    missing = [k for k in HEADER_KEYS if not header.get(k)]
    if missing:
        raise QuestionError(f"{path}: the header lacks {', '.join(missing)}")
    if header["name"] != path.stem:
        raise QuestionError(f"{path}: named {header['name']!r}, but the file is {path.name}")
    columns = tuple(c.strip() for c in header["columns"].split(","))
    bad = [c for c in columns if not _COLUMN.fullmatch(c)]
    if bad or len(set(columns)) != len(columns):
        raise QuestionError(f"{path}: bad or repeated columns: {header['columns']}")
    parameters = _parse_parameters(header["parameters"], str(path))
    for parameter in parameters:
        if not _placeholder(parameter.variable).search(text):
            raise QuestionError(
                f"{path}: parameter {parameter.name!r} needs a "
                f"'VALUES ?{parameter.variable} {{ UNDEF }}' block in the query"
            )
    return Question(
        name=header["name"],
        description=header["description"],
        parameters=parameters,
        columns=columns,
        sparql=text,
        path=path,
    )


@cache
def _questions(directory: Path) -> dict[str, Question]:
    questions = (load_question(p) for p in directory.glob("*.rq"))
    return {q.name: q for q in sorted(questions, key=lambda q: q.name)}


def list_questions() -> list[Question]:
    """Every named question, sorted by name."""
    return list(_questions(questions_dir()).values())


def get_question(name: str) -> Question:
    """The question called ``name``; raises :class:`QuestionError` if there is none.

    >>> get_question("no-such-question")
    Traceback (most recent call last):
    ...
    cqckg.core.errors.QuestionError: no question named 'no-such-question'; ask cqckg question --list
    """
    question = _questions(questions_dir()).get(name) if _NAME.fullmatch(name) else None
    if question is None:
        raise QuestionError(f"no question named {name!r}; ask cqckg question --list")
    return question


def to_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value:
    """A result term as a plain Python value: numbers and booleans typed, the rest as text.

    >>> to_value(ox.Literal("75.00", datatype=ox.NamedNode(_XSD_DECIMAL)))
    Decimal('75.00')
    >>> to_value(ox.NamedNode("https://w3id.org/cqc-kg/id/rating/good"))
    'https://w3id.org/cqc-kg/id/rating/good'
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype == _XSD_DECIMAL:
            return Decimal(term.value)
        if datatype in _FLOAT_TYPES:
            return float(term.value)
    except (ArithmeticError, ValueError):
        return term.value
    if datatype == _XSD_BOOLEAN:
        return term.value in ("true", "1")
    return term.value


def lexical(value: Value) -> str:
    """A value as text, written as SPARQL results write it (so CSV from either path agrees).

    >>> [lexical(v) for v in (None, True, Decimal("-15.59"), 3, "a")]
    ['', 'true', '-15.59', '3', 'a']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def run_question(
    store: GraphStore, name: str, params: Mapping[str, str | None] | None = None
) -> QuestionResult:
    """Run a named question and return its columns and rows.

    Raises :class:`QuestionError` for an unknown question or bad parameters, and the store's
    :class:`~cqckg.core.errors.QueryError` / :class:`~cqckg.core.errors.StoreError` if the query
    fails.

    >>> from cqckg.store import open_store
    >>> run_question(open_store(":memory:"), "gaps", {"authority": "E08000035"}).rows
    ()
    """
    question = get_question(name)
    solutions = store.select(question.bind(params))
    rows = tuple(
        tuple(to_value(solution.get(column)) for column in question.columns)
        for solution in solutions
    )
    return QuestionResult(question=question.name, columns=question.columns, rows=rows)


def render_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows of text as an aligned plain-text table; long cells are cut to fit a terminal.

    >>> print(render_table(["a", "bb"], [["1", "2"]]), end="")
    a  bb
    -  --
    1  2
    """

    def cell(text: str) -> str:
        text = " ".join(text.split())
        if len(text) > _TABLE_CELL_WIDTH:
            return text[: _TABLE_CELL_WIDTH - 1] + "…"
        return text

    cells = [[cell(c) for c in row] for row in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(row) for row in cells)]
    if not cells:
        out.append("(no rows)")
    return "\n".join(out) + "\n"


def _json_value(value: Value) -> str | int | float | bool | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def format_result(result: QuestionResult, fmt: OutputFormat) -> str:
    """Write a result as a table, CSV (RFC 4180, CRLF, header row = the columns) or JSON.

    JSON is ``{"question": ..., "columns": [...], "rows": [{column: value, ...}, ...]}``.

    >>> r = QuestionResult("q", ("a", "b"), (("x, y", Decimal("2.5")),))
    >>> format_result(r, OutputFormat.CSV)
    'a,b\\r\\n"x, y",2.5\\r\\n'
    >>> format_result(r, OutputFormat.JSON)
    '{"question": "q", "columns": ["a", "b"], "rows": [{"a": "x, y", "b": 2.5}]}'
    """
    if fmt is OutputFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.columns)
        writer.writerows([lexical(v) for v in row] for row in result.rows)
        return buffer.getvalue()
    if fmt is OutputFormat.JSON:
        document = {
            "question": result.question,
            "columns": list(result.columns),
            "rows": [
                {c: _json_value(v) for c, v in zip(result.columns, row, strict=True)}
                for row in result.rows
            ],
        }
        return json.dumps(document, ensure_ascii=False)
    return render_table(result.columns, [[lexical(v) for v in row] for row in result.rows])


def run_question_serialized(
    store: GraphStore,
    name: str,
    params: Mapping[str, str | None] | None,
    media_type: str,
) -> bytes:
    """Run a named question and return its result written as ``media_type``, in UTF-8.

    ``text/csv``, ``text/tab-separated-values``, ``application/sparql-results+json`` and
    ``application/sparql-results+xml`` are written by the engine straight from the results;
    ``application/json`` (rows as objects) and ``text/plain`` (a table) by :func:`format_result`.
    Raises :class:`QuestionError` for any other media type, an unknown question or bad parameters.

    >>> from cqckg.store import open_store
    >>> run_question_serialized(open_store(":memory:"), "partners", None, "text/csv")
    b'authority_gss,partner,partner_type,quote\\r\\n'
    """
    base = media_type.split(";", 1)[0].strip().lower()
    if base in _ENGINE_MEDIA_TYPES:
        return store.query_serialized(get_question(name).bind(params), base)
    try:
        fmt = OutputFormat.from_media_type(base)
    except QuestionError:
        known = sorted(_ENGINE_MEDIA_TYPES | set(_FORMAT_MEDIA_TYPES.values()))
        raise QuestionError(
            f"cannot write a question's answer as {media_type!r}; use one of {', '.join(known)}"
        ) from None
    return format_result(run_question(store, name, params), fmt).encode("utf-8")
