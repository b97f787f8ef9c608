"""What a query or update may ask the engine to do, and who may write.

pyoxigraph makes outbound HTTP requests for ``SERVICE`` and ``LOAD``, so both are refused
unless the operator allow-lists the endpoint. The check works on tokens, never on substrings:
the keywords are found outside strings, comments and IRIs, and ``SERVICE``/``LOAD`` targets are
resolved through ``PREFIX``/``BASE`` before they are compared with the allow-list. ``FROM`` and
``FROM NAMED`` only choose among the store's own graphs (the engine never dereferences them), so
they are allowed; :func:`inspect` reports them so the caller can build the dataset.

>>> inspect("SELECT * { ?s ?p 'SERVICE <http://x>' } # SERVICE <http://y>").services
()
>>> inspect("PREFIX e: <http://e.org/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }").services
('http://e.org/sparql',)
>>> tokens_match("s3cret-token-0123", "s3cret-token-0123")
True
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from cqckg.core.errors import QueryError

# One alternation, tried left to right at each position; the first group that matches names
# the token. Strings and IRIs come before words so their contents are never read as keywords.
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\U000effff][\w.\-\u00b7\u00c0-\U000effff]*)?:
              (?:[\w\-:.%\\\u00b7\u00c0-\U000effff])*)
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
_CACHED_TEXT = 16 * 1024
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class Inspection:
    """What a query or update names: endpoints it would call, graphs, clauses present."""

    services: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    has_variable_service: bool = False
    has_dataset_clause: bool = False
    has_using_or_with: bool = False


def tokenize(text: str) -> list[Token]:
    """Split SPARQL text into tokens (whitespace and comments dropped).

    >>> [t.text for t in tokenize("ASK { <a> ?b 'c' } # d")]
    ['ASK', '{', '<a>', '?b', "'c'", '}']
    """
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, m.group(), m.start()))
    return tokens


def _unescape(text: str) -> str:
    # SPARQL 1.1 section 19.2: codepoint escapes are processed before parsing.
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _resolve(token: Token, prefixes: dict[str, str], base: str) -> str:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]) if base else token.text[1:-1]
    prefix, _, local = token.text.partition(":")
    if prefix not in prefixes:
        raise QueryError(f"undeclared prefix {prefix}: at character {token.start}")
    return prefixes[prefix] + local


def _scan(tokens: list[Token]) -> Inspection:
    prefixes: dict[str, str] = {}
    base = ""
    services: list[str] = []
    loads: list[str] = []
    variable_service = dataset = using = False
    words = [t.text.upper() if t.kind == "word" else "" for t in tokens]
    for i, word in enumerate(words):
        following = tokens[i + 1 : i + 4]
        if word == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = _resolve(following[1], {}, base)
        elif word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0], {}, base)
        elif word in ("SERVICE", "LOAD"):
            rest = [t for t in following if t.text.upper() != "SILENT"]
            if rest and rest[0].kind in ("iri", "pname"):
                (services if word == "SERVICE" else loads).append(_resolve(rest[0], prefixes, base))
            else:
                variable_service = True
        elif word == "FROM":
            dataset = True
        elif word in ("USING", "WITH"):
            using = True
    return Inspection(tuple(services), tuple(loads), variable_service, dataset, using)


def inspect(text: str) -> Inspection:
    """Find the ``SERVICE``/``LOAD`` targets and dataset clauses of a query or update.

    Escaped keywords (``\\u0053ERVICE``) are caught: the text is read both as sent and with its
    codepoint escapes processed, and what either reading names is reported. Short texts (the
    usual queries) are remembered, so repeated queries are not tokenised again.
    """
    return _inspect_cached(text) if len(text) <= _CACHED_TEXT else _inspect(text)


@lru_cache(maxsize=1024)
def _inspect_cached(text: str) -> Inspection:
    return _inspect(text)


def _inspect(text: str) -> Inspection:
    first = _scan(tokenize(text))
    unescaped = _unescape(text)
    if unescaped == text:
        return first
    second = _scan(tokenize(unescaped))
    return Inspection(
        tuple(dict.fromkeys(first.services + second.services)),
        tuple(dict.fromkeys(first.loads + second.loads)),
        first.has_variable_service or second.has_variable_service,
        first.has_dataset_clause or second.has_dataset_clause,
        first.has_using_or_with or second.has_using_or_with,
    )


def check_remote_access(found: Inspection, allowed: list[str]) -> None:
    """Refuse ``SERVICE`` or ``LOAD`` of any endpoint not in ``allowed``.

    Raises:
        QueryError: naming the first endpoint refused.
    """
    if found.has_variable_service:
        raise QueryError("SERVICE or LOAD needs a fixed endpoint IRI here; variables are refused")
    for endpoint in found.services + found.loads:
        if endpoint not in allowed:
            raise QueryError(
                f"SERVICE/LOAD of <{endpoint}> is refused: this server only queries its own "
                "data unless the operator allow-lists an endpoint "
                "(CQCKG_ALLOWED_SERVICE_ENDPOINTS)"
            )


def add_using_clauses(update: str, default: list[str], named: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri``/``using-named-graph-uri`` to every
    ``DELETE``/``INSERT ... WHERE`` of an update, as ``USING`` clauses before its ``WHERE``.

    >>> add_using_clauses("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://g"], [])
    'INSERT { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }'
    """
    for iri in default + named:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise QueryError(f"not an absolute IRI: {iri!r}")
    clauses = " ".join([f"USING <{g}>" for g in default] + [f"USING NAMED <{g}>" for g in named])
    tokens = tokenize(update)
    depth = 0
    cuts: list[int] = []
    for i, token in enumerate(tokens):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif (
            depth == 0
            and token.kind == "word"
            and token.text.upper() == "WHERE"
            # ``DELETE WHERE { ... }`` takes no USING clause.
            and not (i and tokens[i - 1].text.upper() == "DELETE")
        ):
            cuts.append(token.start)
    for position in reversed(cuts):
        update = f"{update[:position]}{clauses} {update[position:]}"
    return update


def tokens_match(given: str, expected: str) -> bool:
    """Compare two tokens in constant time (for the length of ``expected``)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
